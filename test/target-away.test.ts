// The target goes away mid-run and comes back: failures are counted while it is away (connect-refused
// for the new connections, connection-reset for any request caught mid-flight), completions resume
// after, and every request is accounted for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { runPlan } from '../src/engine/run.ts';
import { buildPlan } from '../src/plan/plan.ts';
import { emptyScenario } from '../src/scenario/empty.ts';

test('the target goes away for ~300 ms mid-run and comes back on the same port: the run recovers', async () => {
  let answered = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    answered++;
    res.end('ok');
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let answeredBefore = 0;
  let answeredWhileAway = 0;
  const away = setTimeout(() => {
    answeredBefore = answered;
    server.close();
    for (const socket of sockets) socket.destroy();
    setTimeout(() => {
      answeredWhileAway = answered - answeredBefore;
      server.listen(port, '127.0.0.1');
    }, 300);
  }, 400);
  try {
    const plan = buildPlan(emptyScenario(), { url: `http://127.0.0.1:${port}/`, durationMs: 1200, concurrency: 2, think: { kind: 'uniform', minMs: 2, maxMs: 2 } }, 'test');
    const result = await runPlan(plan, { version: 'test' });
    const { sent, completed, failed, cancelled } = result.counts;
    assert.equal(sent, completed + failed + cancelled);
    assert.equal(completed, answered, 'every response the server gave was counted');
    assert.equal(answeredWhileAway, 0);
    assert.ok((result.errors['connect-refused'] ?? 0) > 0, JSON.stringify(result.errors));
    assert.ok(answeredBefore > 0 && answered - answeredBefore > 20, `before ${answeredBefore}, after ${answered - answeredBefore}`);
    assert.deepEqual(Object.keys(result.errors).filter((c) => c !== 'connect-refused' && c !== 'connection-reset'), []);
  } finally {
    clearTimeout(away);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

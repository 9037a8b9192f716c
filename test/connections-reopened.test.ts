// Connections opened beyond the pool size: each transport keeps a fixed set of connections and opens one only
// in place of one the server closed, so a server with a keep-alive request limit (nginx: keepalive_requests,
// 1,000 by default) makes a run open more connections than planned, never more at once. The server counts
// the sockets it accepts and the most it serves at once; the report says what happened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { runPlan } from '../src/engine/run.ts';
import { buildPlan } from '../src/plan/plan.ts';
import { renderReport } from '../src/report/table.ts';
import { emptyScenario } from '../src/scenario/empty.ts';

/** Closes each keep-alive connection after `perSocket` responses (Connection: close on the last one). */
async function limitedServer(perSocket: number) {
  const stats = { accepted: 0, serving: 0, maxServing: 0 };
  const served = new WeakMap<Socket, number>();
  const server = createServer((req, res) => {
    const count = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, count);
    // The last response on this socket (Node adds Connection: close): from here the server serves no more on it.
    if (count === perSocket) stats.serving--;
    res.end('ok');
  });
  server.maxRequestsPerSocket = perSocket;
  server.on('connection', (socket: Socket) => {
    stats.accepted++;
    stats.maxServing = Math.max(stats.maxServing, ++stats.serving);
    socket.on('close', () => {
      if (served.get(socket) !== perSocket) stats.serving--;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, stats, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
}

for (const transport of ['loadhttp', 'undici'] as const) {
  test(`${transport}: a server closing keep-alive connections every 50 requests: they are reopened, never more than the pool at once, and the report says so`, async () => {
    const server = await limitedServer(50);
    try {
      const plan = buildPlan(emptyScenario(), { url: `${server.url}/`, transport, concurrency: 16, iterations: 1600, connections: 16 }, 'test');
      const result = await runPlan(plan, { version: 'test' });
      assert.equal(result.counts.completed, 1600, JSON.stringify({ counts: result.counts, errors: result.errors, arrival: result.arrival }));
      assert.equal(result.connectionsOpened, server.stats.accepted, 'opened counts every socket the server accepted');
      assert.ok(server.stats.accepted > 16, `accepted ${server.stats.accepted}: the closed connections were reopened`);
      assert.ok(server.stats.maxServing <= 16, `the server served ${server.stats.maxServing} connections at once`);
      const line = renderReport(result, { color: false }).split('\n').find((l) => l.includes('connections opened'))!;
      assert.match(line, new RegExp(`${server.stats.accepted} connections opened, at most 16 at once: ${server.stats.accepted - 16} reopened after the server closed them`));
    } finally {
      await server.close();
    }
  });
}

test('a run that opened no more than its pool says only how many it opened', async () => {
  const server = await limitedServer(0);
  try {
    const result = await runPlan(buildPlan(emptyScenario(), { url: `${server.url}/`, iterations: 200, concurrency: 8, connections: 8 }, 'test'), { version: 'test' });
    assert.equal(server.stats.accepted, 8);
    assert.match(renderReport(result, { color: false }), /h1 via loadhttp, 8 connections opened \(requested: auto\)\n/);
  } finally {
    await server.close();
  }
});

// Idle timeouts (timeouts.headers, timeouts.body) beside the overall timeouts.request: each fires on time
// against a server that stalls at that point, is classified as `timeout`, and says which timeout fired.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan } from '../src/engine/run.ts';
import { buildPlan } from '../src/plan/plan.ts';
import type { Overrides } from '../src/plan/types.ts';
import { emptyScenario } from '../src/scenario/empty.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { ScenarioError } from '../src/util/errors.ts';
import type { RunResult } from '../src/result/result.ts';
import { startRawServer, type RawServer } from './helpers/raw-server.ts';

async function run(server: RawServer, overrides: Overrides): Promise<{ result: RunResult; tookMs: number }> {
  const started = performance.now();
  try {
    const plan = buildPlan(emptyScenario(), { url: `${server.url}/`, iterations: 2, concurrency: 2, ...overrides }, 'test');
    const result = await runPlan(plan, { version: 'test' });
    return { result, tookMs: performance.now() - started };
  } finally {
    await server.close();
  }
}

function accounted(result: RunResult, server: RawServer): void {
  const { sent, completed, failed, cancelled } = result.counts;
  assert.equal(sent, completed + failed + cancelled);
  assert.equal(server.requests(), sent);
}

test('slow headers: the headers timeout fires on time, before the overall timeout', async () => {
  // Headers come after 2 s; the headers timeout is 300 ms, the overall one 5 s.
  const server = await startRawServer((socket) => {
    const timer = setTimeout(() => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'), 2000);
    socket.on('close', () => clearTimeout(timer));
  });
  const { result, tookMs } = await run(server, { requestTimeoutMs: 5000, headersTimeoutMs: 300 });
  accounted(result, server);
  assert.deepEqual(result.errors, { timeout: 2 });
  assert.match(result.errorExamples.timeout![0]!, /^headers timeout: no response headers within 300 ms/);
  assert.ok(tookMs >= 290 && tookMs < 900, `took ${Math.round(tookMs)} ms`);
});

test('a body that stalls mid-way: the body timeout fires, a body that keeps flowing does not', async () => {
  // n odd: half the body, then nothing. n even: the body in 6 chunks 100 ms apart (600 ms in all,
  // longer than the 250 ms body timeout, but no gap as long as it).
  const server = await startRawServer((socket, n) => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n');
    if (n % 2 === 1) return void socket.write('halfway');
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.destroyed) return clearInterval(timer);
      socket.write('ab');
      if (++sent === 6) clearInterval(timer);
    }, 100);
    socket.on('close', () => clearInterval(timer));
  });
  const { result, tookMs } = await run(server, { requestTimeoutMs: 5000, bodyTimeoutMs: 250, concurrency: 1, connections: 2 });
  accounted(result, server);
  assert.equal(result.counts.completed, 1, JSON.stringify(result.errors));
  assert.deepEqual(result.errors, { timeout: 1 });
  assert.match(result.errorExamples.timeout![0]!, /^body timeout: no body data for 250 ms/);
  // 250 ms idle (plus one sweep period) for the stalled one, then ~600 ms for the flowing one.
  assert.ok(tookMs >= 800 && tookMs < 1800, `took ${Math.round(tookMs)} ms`);
});

test('the overall timeout still bounds a response that trickles within its idle timeouts', async () => {
  const server = await startRawServer((socket) => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n');
    const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('x')), 50);
    socket.on('close', () => clearInterval(timer));
  });
  const { result, tookMs } = await run(server, { requestTimeoutMs: 400, headersTimeoutMs: 300, bodyTimeoutMs: 300 });
  accounted(result, server);
  assert.deepEqual(result.errors, { timeout: 2 });
  assert.match(result.errorExamples.timeout![0]!, /^request timeout: no complete response within 400 ms/);
  assert.ok(tookMs < 1200, `took ${Math.round(tookMs)} ms`);
});

test('timeouts.headers and timeouts.body are read from the scenario, with positions and suggestions', () => {
  const scenario = parseScenario('target: http://127.0.0.1:1\ntimeouts:\n  headers: 2s\n  body: 500ms\n', 's.yaml');
  const plan = buildPlan(scenario, {}, 'test');
  assert.deepEqual({ h: plan.timeouts.headersMs, b: plan.timeouts.bodyMs }, { h: 2000, b: 500 });
  assert.equal(buildPlan(scenario, { bodyTimeoutMs: 50 }, 'test').timeouts.bodyMs, 50, 'the flag wins');
  assert.equal(buildPlan(parseScenario('target: http://127.0.0.1:1\n', 's.yaml'), {}, 'test').timeouts.headersMs, null);
  assert.throws(
    () => parseScenario('target: http://127.0.0.1:1\ntimeouts:\n  header: 2s\n', 's.yaml'),
    (e: Error) => e instanceof ScenarioError && /s\.yaml:3:3/.test(e.message) && /did you mean `headers`/.test(e.message),
  );
  assert.throws(
    () => parseScenario('target: http://127.0.0.1:1\ntimeouts:\n  body: soon\n', 's.yaml'),
    (e: Error) => e instanceof ScenarioError && /s\.yaml:3:9/.test(e.message),
  );
});

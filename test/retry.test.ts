// Retries (opt-in): against a server that fails every other request, every logical request completes,
// each retry is counted, and the server saw exactly sent + retries requests; first-try figures stay apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { runPlan } from '../src/engine/run.ts';
import { buildPlan } from '../src/plan/plan.ts';
import type { Overrides } from '../src/plan/types.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { ScenarioError } from '../src/util/errors.ts';
import { renderReport } from '../src/report/table.ts';
import type { RunResult } from '../src/result/result.ts';
import { startRawServer, type RawServer } from './helpers/raw-server.ts';

const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

/** Odd requests are answered; even ones get `broken` (a reset, or a 503). */
function everyOther(broken: (socket: Socket) => void) {
  return (socket: Socket, n: number) => (n % 2 === 0 ? broken(socket) : socket.write(OK));
}

async function run(server: RawServer, scenarioText: string, overrides: Overrides): Promise<RunResult> {
  try {
    const scenario = parseScenario(`target: ${server.url}\n${scenarioText}`, 'retry.yaml');
    return await runPlan(buildPlan(scenario, { concurrency: 2, ...overrides }, 'test'), { version: 'test' });
  } finally {
    await server.close();
  }
}

function accounted(result: RunResult, server: RawServer): void {
  const { sent, completed, failed, cancelled, retries } = result.counts;
  assert.equal(sent, completed + failed + cancelled);
  assert.equal(server.requests(), sent + (retries ?? 0), 'the server saw sent + retries');
}

const RETRY = 'retry: { attempts: 3, backoff: { base: 1ms, max: 5ms } }\n';

// One request in flight at a time, so a failed attempt's retry is always the next, answered, request.
const SERIAL = { concurrency: 1, connections: 1 };
for (const model of [{ name: 'closed', overrides: SERIAL }, { name: 'open', overrides: { ...SERIAL, rate: 100, maxInflight: 1 } }] as const) {
  test(`${model.name} model: a server resetting every other request — with retries every request completes`, async () => {
    const server = await startRawServer(everyOther((s) => s.destroy()));
    const result = await run(server, RETRY, { iterations: 40, ...model.overrides });
    accounted(result, server);
    assert.deepEqual({ completed: result.counts.completed, failed: result.counts.failed }, { completed: 40, failed: 0 }, JSON.stringify(result.errorExamples));
    assert.equal(result.counts.dropped ?? 0, 0);
    assert.ok(result.counts.retries! >= 10, `retries ${result.counts.retries}`);
    assert.equal(result.firstTryFailures, result.counts.retries, 'each failed first try was retried once and then succeeded');
    assert.equal(result.firstTryMs!.count, 40 - result.firstTryFailures!);
    assert.deepEqual(result.errors, {});
    const name = Object.keys(result.requests)[0]!;
    assert.equal(result.requests[name]!.counts.retries, result.counts.retries);
    assert.match(renderReport(result, { color: false }), /retries\s+\d+ \(the server saw \d+ requests\)/);
  });
}

test('without retries the same server fails half the requests (the retry test above can fail)', async () => {
  const server = await startRawServer(everyOther((s) => s.destroy()));
  const result = await run(server, '', { iterations: 20 });
  accounted(result, server);
  assert.equal(result.counts.retries, undefined);
  assert.ok((result.errors['connection-reset'] ?? 0) >= 5, JSON.stringify(result.errors));
});

test('statuses: a 503 is retried only when listed; attempts run out and the last response counts', async () => {
  const server = await startRawServer((socket) => socket.write('HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n'));
  const result = await run(server, 'retry: { attempts: 3, backoff: { base: 1ms }, statuses: [503] }\n', { iterations: 5 });
  accounted(result, server);
  assert.equal(result.counts.completed, 5);
  assert.equal(result.counts.retries, 10, 'two retries per request');
  assert.equal(result.unexpectedStatus, 5);
  assert.equal(result.firstTryFailures, 5);
});

test('a POST is not retried by default; methods: [POST] opts in; a request overrides the scenario', async () => {
  const server = await startRawServer(everyOther((s) => s.destroy()));
  const text = `${RETRY}requests:\n  - { name: post, method: POST, path: /a }\n  - { name: post-retried, method: POST, path: /b, retry: { methods: [POST] } }\n`;
  const result = await run(server, text, { iterations: 40, concurrency: 1 });
  accounted(result, server);
  assert.equal(result.requests.post!.counts.retries, 0);
  assert.ok((result.requests.post!.errors['connection-reset'] ?? 0) > 0);
  assert.equal(result.requests['post-retried']!.counts.failed, 0);
});

test('retry: is validated with positions and suggestions', () => {
  const bad = (text: string, where: RegExp, what: RegExp) =>
    assert.throws(
      () => parseScenario(`target: http://127.0.0.1:1\n${text}`, 's.yaml'),
      (e: Error) => e instanceof ScenarioError && where.test(e.message) && what.test(e.message),
    );
  bad('retry: { attempts: 0 }\n', /s\.yaml:2:20/, /attempts/);
  bad('retry: { attempt: 3 }\n', /s\.yaml:2:10/, /did you mean `attempts`/);
  bad('retry: { on: [conect-refused] }\n', /s\.yaml:2:15/, /did you mean `connect-refused`/);
  bad('retry: { backoff: { jitter: half } }\n', /s\.yaml:2:29/, /full or none/);
  bad('retry: { backoff: { base: 3s, max: 1s } }\n', /s\.yaml:2:27/, /base must be <= max/);
  const plan = buildPlan(parseScenario('target: http://127.0.0.1:1\nretry: { attempts: 3 }\n', 's.yaml'), {}, 'test');
  assert.deepEqual(
    { ...plan.requests[0]!.retry, on: undefined, methods: undefined },
    { attempts: 3, baseMs: 100, maxMs: 2000, jitter: 'full', statuses: [], on: undefined, methods: undefined },
  );
});

// An open-model run bounded by a count (-n N / load.iterations): the N requests it scheduled are all owed.
// The schedule issues them on time; those that found every pool slot busy wait in the queue, and the run
// sends them as slots come free rather than dropping them when the last one is issued. Only the graceful
// stop bounds that wait: what is still queued when it ends is dropped, and counted. Either way
// sent = completed + failed + cancelled and N = sent + dropped (= arrival.scheduled).
//
// The servers answer slower than the schedule asks (2 slots, 10-50 ms a response, 2,000/s), so the queue
// is long when the last request is issued however busy this machine is: the checks are counts, not timings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { runPlan } from '../src/engine/run.ts';
import { buildPlan } from '../src/plan/plan.ts';
import type { RunResult } from '../src/result/result.ts';
import { renderReport } from '../src/report/table.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { startServer, type TestServer } from './helpers/servers.ts';

/** Answers after `delayMs`, and closes each connection after its 50th response (`connection: close`). */
function closingServer(delayMs: number): Promise<TestServer> {
  const served = new WeakMap<Socket, number>();
  return startServer({
    handler: (req, res) => {
      const count = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, count);
      req.resume();
      setTimeout(() => {
        if (count % 50 === 0) res.setHeader('connection', 'close');
        res.end('ok\n');
      }, delayMs);
    },
  });
}

function run(server: TestServer, transport: string, load: string): Promise<RunResult> {
  const yaml = `target: ${server.url}\ntransport: ${transport}\nload: ${load}\npool: { connections: 2 }\nrequests: [{ path: / }]`;
  return runPlan(buildPlan(parseScenario(yaml, '/tmp/open-count.yaml'), {}, 'test'), { version: 'test' });
}

function assertAccounted(result: RunResult, n: number): void {
  const { sent, completed, failed, cancelled, dropped } = result.counts;
  const detail = JSON.stringify({ counts: result.counts, errors: result.errors, arrival: result.arrival });
  assert.equal(result.stopReason, 'iterations', detail);
  assert.equal(sent, completed + failed + cancelled, `sent = completed + failed + cancelled: ${detail}`);
  assert.equal(sent + dropped!, n, `N = sent + dropped: ${detail}`);
  assert.equal(result.arrival!.scheduled, n, `the schedule called for N: ${detail}`);
  assert.equal(result.arrival!.dropped, dropped, detail);
}

for (const transport of ['loadhttp', 'undici']) {
  test(`${transport}: an open-model run of -n 200 sends all 200, the queued ones after the last is issued, over reopened connections`, async () => {
    const server = await closingServer(10);
    try {
      const result = await run(server, transport, '{ rate: 2000/s, iterations: 200, concurrency: 2, gracefulStop: 30s }');
      assertAccounted(result, 200);
      assert.equal(result.counts.completed, 200, JSON.stringify({ counts: result.counts, errors: result.errors }));
      assert.equal(result.counts.dropped, 0);
      assert.equal(server.stats.requests, 200, 'the server saw every request');
      assert.ok(server.stats.sockets > 2, `the server closed connections and they were reopened (${server.stats.sockets} accepted)`);
      // 200 requests through 2 slots of >= 10 ms take >= 1 s, though the schedule asked for 100 ms of them:
      // the window runs to the last send, so the achieved rate shows the shortfall.
      assert.ok(result.arrival!.achievedRps < result.arrival!.targetRps / 2, JSON.stringify(result.arrival));
      assert.doesNotMatch(renderReport(result, { color: false }), /DROPPED/);
    } finally {
      await server.close();
    }
  });
}

test('the graceful stop bounds the wait: what is still queued when it ends is dropped, and every request is accounted for', async () => {
  // 200 requests through 2 slots of 50 ms would take 5 s; the graceful stop allows 300 ms after the last is issued.
  const server = await closingServer(50);
  try {
    const result = await run(server, 'loadhttp', '{ rate: 2000/s, iterations: 200, concurrency: 2, gracefulStop: 300ms }');
    assertAccounted(result, 200);
    assert.ok(result.counts.dropped! > 100, JSON.stringify(result.counts));
    assert.ok(server.stats.requests <= result.counts.sent, 'a dropped request never reaches the server');
    assert.equal(result.series.reduce((sum, p) => sum + (p.dropped ?? 0), 0), result.counts.dropped, 'the series counts each drop in its second');
    assert.match(renderReport(result, { color: false }), new RegExp(`!! ${result.counts.dropped} requests DROPPED`));
  } finally {
    await server.close();
  }
});

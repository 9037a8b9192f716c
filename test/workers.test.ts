// --workers N on the real CLI: the plan split across worker threads, their results merged exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioError } from '../src/util/errors.ts';
import type { RunResult } from '../src/result/result.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { runCli } from './helpers/cli.ts';
import { assertExactUnion } from './helpers/union.ts';
import { startServer } from './helpers/servers.ts';

const CAPTURE = fileURLToPath(new URL('./helpers/capture-worker-results.ts', import.meta.url));

test('--workers 2: exactly the iterations asked for, merged into exactly the union of the workers\' results', async () => {
  const server = await startServer({ delayMs: 50 });
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-workers-'));
  try {
    // The preload records each worker's own result, as posted to the main thread before the merge.
    const partsFile = path.join(dir, 'parts.json');
    const two = await runCli(['run', '--url', server.url, '-c', '5', '-n', '101', '--workers', '2', '--json', '-'], {
      env: { NODE_OPTIONS: `--import=${CAPTURE}`, LOADHTTP_TEST_WORKER_RESULTS: partsFile },
    });
    assert.equal(two.code, 0, two.stderr);
    assert.match(two.stderr, /5 virtual users on 2 worker threads/);
    const merged = JSON.parse(two.stdout) as RunResult;
    assert.equal(server.stats.requests, 101);
    assert.equal(merged.counts.sent, 101);
    assert.equal(merged.counts.completed, 101);
    assert.equal(merged.latencyMs.count, 101, 'every latency is in the merged histogram');
    assert.equal(merged.workers, 2);
    assert.equal(merged.plan.concurrency, 5, 'the plan as given, not a part');
    assert.ok(server.stats.maxInFlight <= 5, `at most 3 + 2 users in flight, saw ${server.stats.maxInFlight}`);

    const parts = JSON.parse(readFileSync(partsFile, 'utf8')) as RunResult[];
    assert.deepEqual(parts.map((p) => p.counts.sent).sort(), [50, 51], 'the iterations split 51 / 50');
    assertExactUnion(merged, parts);
    assert.ok(merged.latencyMs.p50 >= 50, 'a 50 ms server');

    const one = JSON.parse((await runCli(['run', '--url', server.url, '-c', '5', '-n', '101', '--json', '-', '-q'])).stdout) as RunResult;
    assert.equal(one.workers, undefined);
    assert.deepEqual(Object.keys(merged).filter((k) => !(k in one)), ['workers'], 'the same shape as a single-thread run');
  } finally {
    await server.close();
  }
});

test('--workers 2 in the open model: the rate is split and the parts add up to the schedule', async () => {
  const server = await startServer();
  try {
    const r = await runCli(['run', '--url', server.url, '--rate', '200', '-n', '150', '--workers', '2', '--json', '-', '-q']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as RunResult;
    assert.equal(result.counts.sent + (result.counts.dropped ?? 0), 150);
    assert.equal(server.stats.requests, result.counts.sent);
    assert.equal(result.plan.rate, 200);
    assert.equal(result.arrival!.scheduled, 150);
  } finally {
    await server.close();
  }
});

test('Ctrl-C stops every worker cleanly: exit 130 with the merged partial result', async () => {
  const server = await startServer();
  try {
    const r = await runCli(['run', '--url', server.url, '-c', '2', '-d', '20s', '--workers', '2', '--json', '-'], {
      // Interrupt once both workers are sending (the server has seen requests), however slow the start-up.
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (server.stats.requests < 20) return;
          clearInterval(poll);
          child.kill('SIGINT');
        }, 50);
      },
    });
    assert.equal(r.code, 130, r.stderr);
    const result = JSON.parse(r.stdout) as RunResult;
    assert.equal(result.interrupted, true);
    assert.equal(result.workers, 2);
    assert.ok(result.counts.sent > 0);
    assert.equal(result.counts.sent, server.stats.requests, 'every request sent by either worker is counted');
  } finally {
    await server.close();
  }
});

test('a worker that crashes fails the run with exit 3 and no numbers, and --json still says why', async () => {
  const server = await startServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-workers-'));
  const json = path.join(dir, 'result.json');
  try {
    const crash = fileURLToPath(new URL('./helpers/crash-worker.ts', import.meta.url));
    const r = await runCli(['run', '--url', server.url, '-c', '2', '-d', '3s', '--workers', '2', '--json', json], { env: { NODE_OPTIONS: `--import=${crash}` } });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /worker 2 of 2 crashed: injected crash of worker index 1/);
    // The report of a run that measured nothing, as for an unreachable target: none of the other worker's figures.
    assert.match(r.stdout, /Run failed \(worker-crashed\): worker 2 of 2 crashed/);
    assert.match(r.stdout, /requests {4}0 sent, 0 completed, 0 failed, 0 cancelled/, 'no partial figures');
    const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    assert.equal(result.error?.class, 'worker-crashed');
    assert.match(result.error!.message, /worker 2 of 2 crashed: injected crash of worker index 1; no figures are reported/);
    assert.equal(result.counts.sent, 0, 'no figures: the other worker\'s would be a part shown as the whole');
    assert.equal(result.plan.concurrency, 2, 'the whole plan');
  } finally {
    await server.close();
  }
});

test('a worker that crashes in an open-model run (each worker with its timer thread) ends the run at once, exit 3', async () => {
  const server = await startServer();
  try {
    const crash = fileURLToPath(new URL('./helpers/crash-worker.ts', import.meta.url));
    const started = Date.now();
    // 50/s per run: below 1,000/s each worker's schedule has a timer thread of its own (precise-timer.ts).
    const r = await runCli(['run', '--url', server.url, '--rate', '50', '-d', '30s', '--workers', '2', '-q'], { env: { NODE_OPTIONS: `--import=${crash}` }, timeoutMs: 20_000 });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /worker 2 of 2 crashed: injected crash of worker index 1/);
    assert.ok(Date.now() - started < 10_000, `ended after ${Date.now() - started} ms of a 30 s run`);
  } finally {
    await server.close();
  }
});

test('scenario workers: a number or auto, anything else refused at its line', () => {
  assert.equal(parseScenario('target: http://127.0.0.1:1\nworkers: auto\n', 'w.yaml').workers, 'auto');
  assert.equal(parseScenario('target: http://127.0.0.1:1\nworkers: 3\n', 'w.yaml').workers, 3);
  assert.throws(() => parseScenario('target: http://127.0.0.1:1\nworkers: many\n', 'w.yaml'), (e: unknown) => e instanceof ScenarioError && /w\.yaml:2:\d+: workers: expected a whole number >= 1 or auto/.test(e.message));
});

test('--workers 2 with an abortOnFail threshold: the live figures are merged once every worker has sent them, and a crossed threshold stops every worker', async () => {
  const server = await startServer({ delayMs: (req) => (req.url === '/slow' ? 60 : 1) });
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-workers-'));
  try {
    const file = path.join(dir, 'abort.yaml');
    writeFileSync(
      file,
      `target: ${server.url}\nload: { concurrency: 4, duration: 20s }\nrequests: [{ path: /slow }]\nthresholds:\n  - { expr: p50 < 20ms, abortOnFail: true, delay: 1s }\n`,
    );
    const started = Date.now();
    const r = await runCli(['run', file, '--workers', '2', '--json', '-', '-q']);
    assert.equal(r.code, 99, r.stderr);
    const result = JSON.parse(r.stdout) as RunResult;
    assert.equal(result.stopReason, 'threshold');
    assert.equal(result.workers, 2);
    assert.ok(Date.now() - started < 15_000, 'stopped early');
  } finally {
    await server.close();
  }
});

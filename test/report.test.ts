import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../src/report/table.ts';
import { renderJson } from '../src/report/json.ts';
import { formatCount } from '../src/report/format.ts';
import { connectionsOpened } from '../src/report/protocol-lines.ts';
import { decode } from '../src/result/histogram.ts';
import type { RunResult } from '../src/result/result.ts';
import { sampleResult, singleRequestResult } from './helpers/sample-result.ts';

const ANSI = /\x1b\[[0-9;]*m/;
const ANSI_ALL = /\x1b\[[0-9;]*m/g;

const plain = (result: RunResult): string => renderReport(result, { color: false });
const lines = (text: string): string[] => text.split('\n');
/** The table row (or line) that starts with `first` after indentation. */
const row = (text: string, first: string): string | undefined =>
  lines(text).find((line) => line.trimStart().startsWith(`${first} `));

test('header shows name, target, protocol, connections, concurrency, bounds, think time and pool', () => {
  const result = sampleResult();
  const out = plain(result);
  assert.match(out, /items api/);
  assert.match(out, /scenarios\/items\.yaml/);
  assert.match(out, /target\s+https:\/\/api\.example\.test/);
  assert.match(out, /protocol\s+h2, 8 connections opened/);
  assert.match(out, /concurrency 32/);
  assert.match(out, /think time: none/);
  assert.match(out, /bounds\s+10s\n/);
  assert.match(out, /10s measured/);
  assert.match(out, /warmup 2s \(321 requests, not counted\)/);
  assert.match(out, /8 connections × 1 pipelining, max 32 in flight/);
  assert.doesNotMatch(out, /default: no duration/);
  assert.doesNotMatch(out, /INTERRUPTED/);
  assert.doesNotMatch(out, /Run failed/);
});

test('bounds: iterations, both limits, and the default-duration note', () => {
  const base = sampleResult();
  const iterations = plain(sampleResult({ plan: { ...base.plan, durationMs: null, iterations: 10_000 } }));
  assert.match(iterations, /bounds\s+10,000 requests\n/);
  const both = plain(sampleResult({ plan: { ...base.plan, durationMs: 30_000, iterations: 500 } }));
  assert.match(both, /bounds\s+30s or 500 requests/);
  const byDefault = plain(sampleResult({ plan: { ...base.plan, durationMs: 10_000, defaultDuration: true } }));
  assert.match(byDefault, /bounds\s+10s \(default: no duration or iterations given\)/);
  const think = plain(sampleResult({ plan: { ...base.plan, think: 'uniform 50ms–150ms' } }));
  assert.match(think, /think time: uniform 50ms–150ms/);
});

test('no warmup: the duration line does not mention one', () => {
  const out = plain(sampleResult({ warmup: { durationMs: 0, sent: 0 } }));
  assert.match(out, /duration\s+10s measured/);
  assert.doesNotMatch(out, /warmup/);
});

test('latency table has one row per request in order plus a total row, with every figure', () => {
  const result = sampleResult();
  const out = plain(result);
  for (const heading of ['name', 'count', 'req/s', 'mean', 'P50', 'P90', 'P99', 'P99.9', 'max', 'errors']) {
    assert.ok(row(out, 'name')?.includes(heading), `latency heading ${heading}`);
  }
  const list = row(out, 'list');
  const create = row(out, 'create');
  const total = row(out, 'total');
  assert.ok(list && create && total, out);
  assert.ok(out.indexOf(list) < out.indexOf(create) && out.indexOf(create) < out.indexOf(total));

  // Pinned text, worked out from the sample's figures (helpers/sample-result.ts), not from the formatters:
  // list mean 12.194 ms, P50 11.047, P90 19.087, P99 20.879, P99.9 250.111 shown as the max 250; errors 2
  // failed + 4 unexpected of 1,203 sent = 0.499%. create: 30.837, 24.991, 41.055, 44.703, 1,200 ms (P99.9
  // 1,200.127 capped); 1 + 2 of 401 = 0.748%. total: 16.855, 13.031, 29.615, 44.095, 1,200; 9 of 1,604 = 0.561%.
  const cells = (line: string) => line.trim().split(/\s{2,}/);
  assert.deepEqual(cells(list), ['list', '1,200', '120', '12.2ms', '11.0ms', '19.1ms', '20.9ms', '250.0ms', '250.0ms', '6 (0.50%)']);
  assert.deepEqual(cells(create), ['create', '400', '40.0', '30.8ms', '25.0ms', '41.1ms', '44.7ms', '1.20s', '1.20s', '3 (0.75%)']);
  assert.deepEqual(cells(total), ['total', '1,600', '160', '16.9ms', '13.0ms', '29.6ms', '44.1ms', '1.20s', '1.20s', '9 (0.56%)']);
});

test('a percentile is never shown above the max', () => {
  const base = sampleResult();
  const list = base.requests.list!;
  const skewed = { ...list, latencyMs: { ...list.latencyMs, p999: 250.1, max: 250 } };
  const out = plain(sampleResult({ requests: { list: skewed, create: base.requests.create! } }));
  assert.ok(!row(out, 'list')!.includes('250.1ms'));
});

test('a single request has its own row and no duplicated total row', () => {
  const out = plain(singleRequestResult());
  assert.ok(row(out, 'list'));
  assert.equal(row(out, 'total'), undefined);
  assert.equal(lines(out).filter((line) => line.trimStart().startsWith('list ')).length, 1);
});

test('TTFB and queue wait line: queue wait is not included in latency', () => {
  const result = sampleResult();
  const out = plain(result);
  // TTFB P50 10.423 ms, P99 35.295; queue wait P50 0, P99 2.881, max 3.19 (helpers/sample-result.ts).
  assert.ok(out.includes('  TTFB        P50 10.4ms, P99 35.3ms\n'), out);
  assert.ok(out.includes('  queue wait  P50 0µs, P99 2.88ms, max 3.19ms (waiting for a pool slot, not included in latency)\n'), out);
});

test('counts and bytes line', () => {
  const result = sampleResult();
  const out = plain(result);
  assert.match(out, /1,604 sent, 1,600 completed, 3 failed, 1 cancelled/);
  // 307,920 bytes = 300.70 KiB; 3,440,000 = 3.28 MiB.
  assert.ok(out.includes('  bytes       300.7 KiB sent, 3.3 MiB received\n'), out);
});

test('status code table lists every code with count and share, and the unexpected total', () => {
  const out = plain(sampleResult());
  assert.match(out, /Status codes/);
  assert.deepEqual(row(out, '200')?.trim().split(/\s{2,}/), ['200', '1,196', '74.8%']);
  assert.deepEqual(row(out, '201')?.trim().split(/\s{2,}/), ['201', '398', '24.9%']);
  assert.deepEqual(row(out, '503')?.trim().split(/\s{2,}/), ['503', '6', '0.38%']);
  assert.match(out, /unexpected: 6 total/);
});

test('error table shows each class, its count and the first example message', () => {
  const out = plain(sampleResult());
  assert.match(out, /Errors/);
  assert.match(out, /connect-refused\s+2\s+connect ECONNREFUSED 10\.0\.0\.7:443/);
  assert.match(out, /timeout\s+1\s+no response within 30s \(POST \/items\)/);
  assert.doesNotMatch(out, /10\.0\.0\.8/, 'only the first example is shown');
});

test('no error table when nothing failed', () => {
  const base = sampleResult();
  const out = plain(
    sampleResult({ counts: { ...base.counts, failed: 0 }, errors: {}, errorExamples: {} }),
  );
  assert.doesNotMatch(out, /first example/);
});

test('INTERRUPTED appears only when interrupted', () => {
  const out = plain(sampleResult({ interrupted: true, stopReason: 'interrupted' }));
  assert.match(out, /INTERRUPTED — partial results/);
  assert.match(out, /\(stop: interrupted\)/);
  assert.doesNotMatch(plain(sampleResult()), /INTERRUPTED/);
});

test('protocol null says no connection; a run error is shown with its class', () => {
  const out = plain(
    sampleResult({
      protocol: null,
      connectionsOpened: 0,
      error: { class: 'connect-refused', message: 'could not connect to https://api.example.test' },
    }),
  );
  assert.match(out, /protocol\s+none \(no connection\), 0 connections opened/);
  assert.match(out, /Run failed \(connect-refused\): could not connect to https:\/\/api\.example\.test/);
});

test('a run that completed nothing renders dashes rather than zero latencies', () => {
  const base = sampleResult();
  const zero = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const nothing = {
    counts: { sent: 0, completed: 0, failed: 0, cancelled: 0 },
    unexpectedStatus: 0,
    errorRate: 0,
    rps: 0,
    latencyMs: zero,
    ttfbMs: zero,
    statusCodes: {},
    errors: {},
  };
  const out = plain(
    sampleResult({ ...nothing, queueWaitMs: zero, requests: { list: nothing }, protocol: null, errorExamples: {} }),
  );
  assert.deepEqual(row(out, 'list')?.trim().split(/\s{2,}/), ['list', '0', '0.0', '-', '-', '-', '-', '-', '-', '0']);
  assert.doesNotMatch(out, /Status codes/);
  assert.match(out, /TTFB\s+-/);
});

test('color=false has no escape codes; color=true colours header and errors', () => {
  const result = sampleResult({ interrupted: true, error: { class: 'timeout', message: 'x' } });
  assert.doesNotMatch(renderReport(result, { color: false }), ANSI);
  const colored = renderReport(result, { color: true });
  assert.match(colored, ANSI);
  assert.ok(colored.includes('\x1b[1m'), 'bold');
  assert.ok(colored.includes('\x1b[31m'), 'red');
  assert.ok(colored.includes('\x1b[31mconnect-refused\x1b[39m'));
  // Apart from the escapes, it is the same report.
  assert.equal(colored.replace(ANSI_ALL, ''), renderReport(result, { color: false }));
});

test('readable at 100 columns; no trailing whitespace', () => {
  const out = plain(sampleResult());
  for (const line of lines(out)) {
    assert.ok(line.length <= 100, `too wide (${line.length}): ${line}`);
    assert.equal(line, line.trimEnd());
  }
  assert.ok(out.endsWith('\n'));
});

test('long request names and error examples are cut', () => {
  const base = sampleResult();
  const longName = 'a-very-long-request-name-that-goes-on-and-on';
  const out = plain(
    sampleResult({
      requests: { [longName]: base.requests.list!, create: base.requests.create! },
      errorExamples: { ...base.errorExamples, timeout: [`timed out ${'x'.repeat(200)}`] },
    }),
  );
  assert.ok(!out.includes(longName));
  assert.match(out, /^  a-very-long-request-\S*… /m);
  assert.match(out, /timed out x+…/);
  for (const line of lines(out)) assert.ok(line.length <= 100, `too wide (${line.length}): ${line}`);
});

test('renderJson round-trips and ends with a newline', () => {
  const result = sampleResult({ interrupted: true, stopReason: 'interrupted' });
  const text = renderJson(result);
  assert.ok(text.endsWith('}\n'));
  assert.equal(text, `${JSON.stringify(result, null, 2)}\n`);
  assert.deepEqual(JSON.parse(text), result);
});

test('JSON histograms decode back to the recorded counts', () => {
  const result = sampleResult();
  const parsed = JSON.parse(renderJson(result)) as RunResult;
  assert.equal(parsed.histograms.unit, 'us');
  assert.equal(decode(parsed.histograms.latency).totalCount, result.counts.completed);
  assert.equal(decode(parsed.histograms.ttfb).totalCount, result.ttfbMs.count);
  assert.equal(decode(parsed.histograms.queueWait).totalCount, result.queueWaitMs.count);
  assert.equal(decode(parsed.histograms.queueWait).totalCount, result.counts.sent);
  for (const [name, stats] of Object.entries(result.requests)) {
    const histograms = parsed.histograms.requests[name]!;
    assert.equal(decode(histograms.latency).totalCount, stats.counts.completed, name);
    assert.equal(decode(histograms.ttfb).totalCount, stats.ttfbMs.count, name);
    assert.equal(decode(histograms.latency).getValueAtPercentile(99) / 1000, stats.latencyMs.p99, name);
  }
});

test('sampleResult is internally consistent', () => {
  for (const result of [sampleResult(), singleRequestResult()]) {
    const { sent, completed, failed, cancelled } = result.counts;
    assert.equal(sent, completed + failed + cancelled);
    const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
    assert.equal(sum(result.errors), failed);
    assert.equal(sum(result.statusCodes), completed);
    assert.equal(result.latencyMs.count, completed);
    assert.equal(result.series.reduce((a, p) => a + p.requests, 0), completed);
    assert.equal(result.series.reduce((a, p) => a + p.errors, 0), failed + result.unexpectedStatus);
    for (const stats of Object.values(result.requests)) {
      const c = stats.counts;
      assert.equal(c.sent, c.completed + c.failed + c.cancelled);
      assert.equal(sum(stats.errors), c.failed);
      assert.equal(sum(stats.statusCodes), c.completed);
    }
    for (const errorClass of Object.keys(result.errors)) assert.ok(result.errorExamples[errorClass]?.length);
  }
  assert.notEqual(sampleResult().requests, sampleResult().requests, 'fresh objects per call');
});

test('formatCount groups thousands without ICU (as en-US would)', () => {
  for (const n of [0, 7, 999, 1000, 12345, 1234567, -1234567, 1e9, 12.6]) assert.equal(formatCount(n), Math.round(n).toLocaleString('en-US'));
});

test('connections opened: the pool is shared out as the engine shares it (workers, then instances), so only a real reopen is called one', () => {
  const base = sampleResult();
  // 8 connections, 2 workers, 3 instances: each worker holds 4, 2 per instance -> 12 at once.
  const shared = (opened: number) =>
    connectionsOpened(sampleResult({ connectionsOpened: opened, workers: 2, plan: { ...base.plan, connections: 8, targets: ['http://a:1', 'http://b:1', 'http://c:1'] } }));
  assert.equal(shared(12), '12 connections opened');
  assert.equal(shared(14), '14 connections opened, at most 12 at once: 2 reopened after the server closed them');
  // One worker, one instance: the plan's connections.
  assert.equal(connectionsOpened(sampleResult({ connectionsOpened: 9, plan: { ...base.plan, connections: 8 } })), '9 connections opened, at most 8 at once: 1 reopened after the server closed them');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../src/report/table.ts';
import { renderJson } from '../src/report/json.ts';
import { formatBytes, formatCount, formatMs, formatPercent } from '../src/report/format.ts';
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

  const stats = result.requests.list!;
  const cells = list.trim().split(/\s{2,}/);
  assert.deepEqual(cells, [
    'list',
    formatCount(stats.counts.completed),
    '120',
    formatMs(stats.latencyMs.mean),
    formatMs(stats.latencyMs.p50),
    formatMs(stats.latencyMs.p90),
    formatMs(stats.latencyMs.p99),
    formatMs(Math.min(stats.latencyMs.p999, stats.latencyMs.max)),
    formatMs(stats.latencyMs.max),
    `6 (${formatPercent(stats.errorRate)})`,
  ]);
  assert.equal(cells[6], '20.9ms'); // list P99, from the known recorded values
  assert.ok(create.includes('1.20s'), 'slow create outliers reach P99.9/max');
  assert.ok(create.includes(`3 (${formatPercent(result.requests.create!.errorRate)})`));
  assert.ok(total.includes(formatCount(result.counts.completed)));
  assert.ok(total.includes(formatMs(result.latencyMs.p99)));
  assert.ok(total.includes(`9 (${formatPercent(result.errorRate)})`));
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
  assert.match(out, new RegExp(`TTFB\\s+P50 ${formatMs(result.ttfbMs.p50)}, P99 ${formatMs(result.ttfbMs.p99)}`));
  const q = result.queueWaitMs;
  assert.ok(out.includes(`queue wait  P50 ${formatMs(q.p50)}, P99 ${formatMs(q.p99)}, max ${formatMs(q.max)}`));
  assert.match(out, /not included in latency/);
});

test('counts and bytes line', () => {
  const result = sampleResult();
  const out = plain(result);
  assert.match(out, /1,604 sent, 1,600 completed, 3 failed, 1 cancelled/);
  assert.ok(out.includes(`${formatBytes(result.bytes.sent)} sent, ${formatBytes(result.bytes.received)} received`));
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

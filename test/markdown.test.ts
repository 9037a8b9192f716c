import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addInto, createHistogram, encode, recordUs, summarize, type LatencyHistogram } from '../src/record/histogram.ts';
import type { RequestStats, RunResult } from '../src/report/result.ts';
import { escapeMarkdown, markdownCode, renderMarkdown } from '../src/report/markdown.ts';
import { evaluateThresholds, parseThreshold, type ThresholdOutcome } from '../src/report/thresholds.ts';

// --- local RunResult builder (self-contained on purpose) ---
interface ReqSpec {
  latenciesUs: number[];
  ttfbUs?: number[];
  statusCodes?: Record<string, number>;
  failed?: number;
  unexpectedStatus?: number;
  errors?: Record<string, number>;
}

function statsFor(spec: ReqSpec, durationMs: number, lat: LatencyHistogram, ttfb: LatencyHistogram): RequestStats {
  const completed = spec.latenciesUs.length;
  const failed = spec.failed ?? 0;
  const unexpectedStatus = spec.unexpectedStatus ?? 0;
  const sent = completed + failed;
  return {
    counts: { sent, completed, failed, cancelled: 0 },
    unexpectedStatus,
    errorRate: sent === 0 ? 0 : (failed + unexpectedStatus) / sent,
    rps: durationMs > 0 ? completed / (durationMs / 1000) : 0,
    latencyMs: summarize(lat),
    ttfbMs: summarize(ttfb),
    statusCodes: spec.statusCodes ?? (completed > 0 ? { '200': completed } : {}),
    errors: spec.errors ?? (failed > 0 ? { timeout: failed } : {}),
  };
}

function buildResult(reqs: Record<string, ReqSpec>, opts: { name?: string; durationMs?: number; error?: RunResult['error']; interrupted?: boolean } = {}): RunResult {
  const durationMs = opts.durationMs ?? 10_000;
  const totalLat = createHistogram();
  const totalTtfb = createHistogram();
  const requests: Record<string, RequestStats> = {};
  const encoded: Record<string, { latency: string; ttfb: string }> = {};
  const total: ReqSpec = { latenciesUs: [], failed: 0, unexpectedStatus: 0, statusCodes: {}, errors: {} };
  for (const [name, spec] of Object.entries(reqs)) {
    const lat = createHistogram();
    const ttfb = createHistogram();
    for (const us of spec.latenciesUs) recordUs(lat, us);
    for (const us of spec.ttfbUs ?? spec.latenciesUs.map((v) => v / 2)) recordUs(ttfb, us);
    addInto(totalLat, lat);
    addInto(totalTtfb, ttfb);
    const stats = statsFor(spec, durationMs, lat, ttfb);
    requests[name] = stats;
    encoded[name] = { latency: encode(lat), ttfb: encode(ttfb) };
    total.latenciesUs.push(...spec.latenciesUs);
    total.failed = (total.failed ?? 0) + stats.counts.failed;
    total.unexpectedStatus = (total.unexpectedStatus ?? 0) + stats.unexpectedStatus;
    for (const [code, n] of Object.entries(stats.statusCodes)) total.statusCodes![code] = (total.statusCodes![code] ?? 0) + n;
    for (const [cls, n] of Object.entries(stats.errors)) total.errors![cls] = (total.errors![cls] ?? 0) + n;
  }
  const totals = statsFor(total, durationMs, totalLat, totalTtfb);
  const emptyLatency = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    ...totals,
    schemaVersion: 1,
    tool: { name: 'loadhttp', version: '0.1.0', node: 'v24.0.0' },
    name: opts.name ?? 'test run',
    target: 'http://127.0.0.1:8080',
    protocol: 'h1',
    connectionsOpened: 4,
    startedAt: '2025-01-02T03:04:05.678Z',
    durationMs,
    warmup: { durationMs: 0, sent: 0 },
    interrupted: opts.interrupted ?? false,
    stopReason: opts.interrupted ? 'interrupted' : 'duration',
    plan: {
      name: opts.name ?? 'test run',
      source: null,
      target: 'http://127.0.0.1:8080',
      protocol: 'auto',
      concurrency: 4,
      durationMs,
      iterations: null,
      warmupMs: 0,
      gracefulStopMs: 1000,
      defaultDuration: false,
      think: '0',
      connections: 4,
      pipelining: 1,
      maxInflight: 4,
      timeouts: { connectMs: 1000, requestMs: 5000 },
      requests: Object.keys(reqs).map((name) => ({ name, method: 'GET', path: '/', weight: 1, headers: {}, bodyBytes: 0 })),
    },
    queueWaitMs: emptyLatency,
    bytes: { sent: 0, received: 0 },
    errorExamples: {},
    requests,
    series: [],
    histograms: { unit: 'us', latency: encode(totalLat), ttfb: encode(totalTtfb), queueWait: encode(createHistogram()), requests: encoded },
    ...(opts.error ? { error: opts.error } : {}),
  };
}

/** n values evenly spread over [fromUs, toUs]: percentile q is at fromUs + q·(toUs − fromUs). */
function spread(n: number, fromUs: number, toUs: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(fromUs + ((toUs - fromUs) * i) / Math.max(1, n - 1)));
}

function evaluate(result: RunResult, ...exprs: string[]): ThresholdOutcome[] {
  return evaluateThresholds(result, exprs.map((source) => ({ spec: parseThreshold(source), source })));
}

function sample(): RunResult {
  return buildResult(
    {
      list: { latenciesUs: spread(1000, 1000, 100_000), failed: 10, statusCodes: { '200': 1000 } },
      'a|b': { latenciesUs: spread(100, 100, 900) },
      never: { latenciesUs: [], failed: 3 },
    },
    { name: 'checkout | smoke' },
  );
}

/** Splits a GFM table row into cells, honouring escaped pipes. */
function cells(row: string): string[] {
  assert.ok(row.startsWith('| ') && row.endsWith(' |'), row);
  return row
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((c) => c.trim());
}

function table(md: string, header: string): string[][] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${header} |`));
  assert.ok(start >= 0, `no table with header ${header}`);
  const rows: string[][] = [];
  for (let i = start; i < lines.length && lines[i]?.startsWith('|'); i++) rows.push(cells(lines[i] ?? ''));
  const width = rows[0]?.length;
  for (const r of rows) assert.equal(r.length, width, `ragged row ${r.join(' / ')}`);
  return rows;
}

test('title, header facts and a latency table with every request and the total', () => {
  const md = renderMarkdown(sample(), []);
  assert.ok(md.startsWith('## loadhttp: checkout \\| smoke\n'), md.split('\n')[0]);
  assert.match(md, /- \*\*Target:\*\* `http:\/\/127\.0\.0\.1:8080`/);
  assert.match(md, /- \*\*Protocol:\*\* HTTP\/1\.1, 4 connections opened/);
  assert.match(md, /- \*\*Duration:\*\* 10\.00s measured/);
  assert.match(md, /- \*\*Concurrency:\*\* 4/);
  assert.match(md, /- \*\*Requests:\*\* 1,113 sent, 1,100 completed, 13 failed, 0 cancelled/);
  assert.match(md, /- \*\*Failures:\*\* timeout 13/);
  assert.ok(!md.includes('Interrupted'));
  assert.ok(!md.includes('### Thresholds'), 'no thresholds section without thresholds');

  const rows = table(md, 'Request');
  assert.deepEqual(rows[0], ['Request', 'Requests', 'Req/s', 'P50', 'P90', 'P99', 'P99.9', 'Max', 'Errors']);
  assert.match(rows[1]?.join(' ') ?? '', /^:-- --: --:/);
  const byName = new Map(rows.slice(2).map((r) => [r[0], r]));
  assert.deepEqual([...byName.keys()], ['list', 'a\\|b', 'never', '**Total**']);
  const list = byName.get('list');
  assert.equal(list?.[1], '1,010');
  assert.equal(list?.[2], '100');
  assert.match(list?.[3] ?? '', /^50\.\dms$/);
  assert.match(list?.[5] ?? '', /^99\.\dms$/);
  assert.match(list?.[7] ?? '', /^100\.\dms$/);
  assert.equal(list?.[8], '0.99%');
  // A request that never completed shows dashes rather than zero latencies.
  assert.deepEqual(byName.get('never')?.slice(3), ['–', '–', '–', '–', '–', '100.0%']);
  assert.equal(byName.get('**Total**')?.[1], '1,113');
});

test('thresholds table with measured values and ✅/❌', () => {
  const result = sample();
  const outcomes = evaluate(result, 'list.p99 < 250ms', 'list.p50 < 10ms', 'never.p99 < 1s', 'errors < 5%');
  const md = renderMarkdown(result, outcomes);
  assert.match(md, /^## loadhttp: .* ❌$/m);
  assert.match(md, /### Thresholds \(2\/4 passed\)/);
  const rows = table(md, 'Threshold');
  assert.deepEqual(rows[0], ['Threshold', 'Measured', 'Limit', 'Result']);
  const body = rows.slice(2);
  assert.equal(body.length, 4);
  assert.equal(body[0]?.[0], '`list.p99 < 250ms`');
  assert.match(body[0]?.[1] ?? '', /^99\.\dms$/);
  assert.equal(body[0]?.[2], '&lt; 250ms');
  assert.equal(body[0]?.[3], '✅');
  assert.equal(body[1]?.[3], '❌');
  assert.equal(body[2]?.[1], '_no samples_');
  assert.equal(body[2]?.[3], '❌');
  assert.equal(body[3]?.[3], '✅');

  const allPass = renderMarkdown(result, evaluate(result, 'list.p99 < 1s'));
  assert.match(allPass, /^## loadhttp: .* ✅$/m);
});

test('interrupted and errored runs are called out', () => {
  const result = buildResult({ only: { latenciesUs: [], failed: 2 } }, { interrupted: true, error: { class: 'connect-refused', message: 'ECONNREFUSED <host>' } });
  const md = renderMarkdown(result, []);
  assert.match(md, /⚠️ \*\*Interrupted:\*\*/);
  assert.match(md, /❌ \*\*Run error:\*\* connect-refused: ECONNREFUSED &lt;host&gt;/);
  assert.match(md.split('\n')[0] ?? '', /❌$/);
});

test('escaping: pipes, markdown punctuation, HTML and newlines in cells', () => {
  assert.equal(escapeMarkdown('a|b'), 'a\\|b');
  assert.equal(escapeMarkdown('*x* _y_ `z`'), '\\*x\\* \\_y\\_ \\`z\\`');
  assert.equal(escapeMarkdown('<script>&'), '&lt;script&gt;&amp;');
  assert.equal(escapeMarkdown('two\nlines'), 'two lines');
  assert.equal(markdownCode('p99 < 1s'), '`p99 < 1s`');
  assert.equal(markdownCode('a|b'), '`a\\|b`');
  assert.equal(markdownCode('has `tick`'), '`` has `tick` ``');
  // A threshold whose text contains a pipe does not break the table.
  const result = sample();
  const [o] = evaluate(result, 'list.p99 < 1s');
  assert.ok(o);
  const md = renderMarkdown(result, [{ ...o, expr: 'list.p99 < 1s | x' }]);
  const rows = table(md, 'Threshold');
  assert.equal(rows[2]?.[0], '`list.p99 < 1s \\| x`');
});

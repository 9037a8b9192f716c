// The HTML report as a pure function: the percentile distribution from encoded histograms, the chart
// data (per-second percentiles from the series, warmup and stages marked), escaping, self-containment,
// size, and the sections of merged, compared and --compare-protocols results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHistogram, encode, recordUs } from '../src/result/histogram.ts';
import { compareResults } from '../src/judge/compare.ts';
import { renderJson } from '../src/report/json.ts';
import { distributionChart, healthChart, trafficCharts } from '../src/report/html/chart-data.ts';
import { distributionGrid, percentileDistribution } from '../src/report/html/distribution.ts';
import { renderHtml } from '../src/report/html/render.ts';
import { buildResult, spread } from './helpers/build-result.ts';
import { longResult } from './helpers/long-result.ts';
import { chartsOf } from './helpers/html-data.ts';
import { sampleResult } from './helpers/sample-result.ts';

const encoded = (values: number[]): string => {
  const h = createHistogram();
  for (const us of values) recordUs(h, us);
  return encode(h);
};

test('percentile distribution: a shared 1/(1-p) grid, values at each percentile, each series ending at its max', () => {
  const many = spread(1000, 1_000, 1_000_000); // 1 ms .. 1 s, evenly
  const few = spread(10, 5_000, 50_000);
  const d = percentileDistribution([
    { label: 'many', encoded: encoded(many) },
    { label: 'few', encoded: encoded(few) },
    { label: 'empty', encoded: encoded([]) },
  ])!;
  assert.deepEqual(d.series.map((s) => s.label), ['many', 'few'], 'an empty histogram has no line');
  assert.equal(d.x.length, 51, '2^(i/5) up to the first point at or past 1,000 values: 2^10');
  assert.deepEqual(d.x, distributionGrid(1000));
  assert.equal(d.x[0], 1);
  assert.equal(d.x[5], 2, 'x = 2 is P50');
  const [many_, few_] = d.series;
  assert.ok(Math.abs(many_!.values[0]! - 1) < 0.01, `P0 ${many_!.values[0]}`);
  assert.ok(Math.abs(many_!.values[5]! - 500) < 2, `P50 ${many_!.values[5]}`);
  assert.ok(Math.abs(many_!.values[10]! - 750) < 2, `P75 at x = 4: ${many_!.values[10]}`);
  assert.ok(Math.abs(many_!.values.at(-1)! - 1000) < 1, 'the last point is the max');
  // 10 values: its points end at the first x ≥ 10 (2^(17/5) = 10.6), at its max; then nothing.
  assert.ok(Math.abs(few_!.values[17]! - 50) < 0.1, `few: max ${few_!.values[17]}`);
  assert.deepEqual(few_!.values.slice(18), Array(51 - 18).fill(null));
  assert.equal(percentileDistribution([{ label: 'none', encoded: encoded([]) }]), null);
});

test('the charts: per-second P50/P90/P99 are the series\' own (from per-second histograms), warmup and stages marked', () => {
  const result = longResult(200);
  const charts = trafficCharts(result, 'r0');
  const latency = charts.find((c) => c.id === 'r0-latency')!;
  assert.deepEqual(latency.x, result.series.map((p) => p.t));
  assert.deepEqual(latency.series.map((s) => s.label), ['P50', 'P90', 'P99']);
  assert.deepEqual(latency.series[2]!.values, result.series.map((p) => p.p99));
  assert.deepEqual(latency.series[1]!.values, result.series.map((p) => p.p90));
  assert.deepEqual(latency.bands, [{ from: -2, to: 0, label: 'warmup (not measured)' }]);
  assert.deepEqual(latency.xRange, [-2, 600]);
  assert.deepEqual(latency.marks.map((m) => m.x), [0, 60, 540, 600], 'three stages and their end');
  assert.match(latency.marks[1]!.label, /stage 2 → 200\/s/);
  const throughput = charts.find((c) => c.id === 'r0-throughput')!;
  assert.deepEqual(throughput.series.map((s) => [s.label, s.axis]), [['completed/s', 0], ['scheduled/s', 0], ['errors/s', 1], ['dropped/s', 1]]);
  const health = healthChart(result, 'r0-generator')!;
  assert.deepEqual(health.series.map((s) => [s.label, s.axis]), [['event-loop delay P99', 0], ['event-loop delay max', 0], ['schedule lag max', 0], ['CPU % of a core', 1]]);
  // The stall second stands out in P99 and not in P50.
  const stall = result.series.findIndex((p) => p.t === 300);
  assert.ok(latency.series[2]!.values[stall]! > 800 && latency.series[0]!.values[stall]! < 25);
  assert.equal(health.series[2]!.values[stall], 35.5, 'the late start of the stall second');
  // The open model's distribution overlays the uncorrected service time, dashed.
  const distribution = distributionChart(result, 'r0-distribution')!;
  assert.deepEqual(distribution.series.map((s) => [s.label, s.dash]), [['latency (all requests)', false], ['list', false], ['create', false], ['service time (uncorrected)', true]]);
});

test('the page is one self-contained file: nothing to fetch, a CSP that forbids it, and small for a 10-minute run', () => {
  const result = longResult(1000);
  const html = renderHtml(result);
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(html, /<(script|img|iframe)[^>]*\ssrc=/i, 'no external script or image');
  assert.doesNotMatch(html, /<link\b/i, 'no stylesheet link');
  assert.doesNotMatch(html, /@import|url\((?!data:)/i, 'no CSS fetch');
  assert.match(html, /uPlot/, 'uPlot inlined');
  const kb = Buffer.byteLength(html) / 1024;
  const jsonKb = Buffer.byteLength(renderJson(result)) / 1024;
  console.log(`# 10-minute run, 1,000 req/s: HTML ${kb.toFixed(1)} KiB; result JSON ${jsonKb.toFixed(1)} KiB (of which per-second histograms ${(result.histograms.series!.join('').length / 1024).toFixed(1)} KiB)`);
  assert.ok(kb < 300, `page ${kb.toFixed(1)} KiB`);
  const charts = chartsOf(html);
  assert.deepEqual(charts.map((c) => [c.id, c.x.length]), [
    ['r0-throughput', 600],
    ['r0-latency', 600],
    ['r0-distribution', distributionGrid(1600).length],
    ['r0-generator', 600],
  ]);
});

test('everything from the result is escaped: a request named </script> cannot break or script the page', () => {
  const evil = '</script><img src=x onerror="alert(1)"><!--';
  const result = buildResult({ [evil]: { latenciesUs: [1000, 2000], failed: 1, errors: { timeout: 1 } }, ok: { latenciesUs: [3000] } }, { name: `name ${evil}` });
  result.target = 'http://127.0.0.1:1/"><b>x</b>';
  result.errorExamples = { timeout: [`no response within 1s (GET /${evil})`] };
  const html = renderHtml(result);
  assert.equal(html.includes(evil), false, 'the raw name appears nowhere');
  assert.equal(html.includes('<b>x</b>'), false);
  assert.ok(html.includes('&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;!--'), 'shown as text');
  assert.equal(html.match(/<script\b/g)!.length, 3, 'the data, uPlot and the page script: no more');
  assert.equal(html.match(/<\/script>/g)!.length, 3);
  const charts = chartsOf(html);
  assert.ok(charts.find((c) => c.kind === 'distribution')!.series.some((s) => s.label === evil), 'the chart data reads back the exact name');
});

test('sections: thresholds pass/fail, status codes, failure examples, the generator, the baseline comparison', () => {
  const base = sampleResult();
  const current = sampleResult({
    thresholds: [
      { expr: 'p99<250ms', metric: 'p99', request: null, op: '<', limit: 250, actual: 44.1, passed: true, unit: 'ms' },
      { expr: 'errors<0.1%', metric: 'errors', request: null, op: '<', limit: 0.001, actual: 0.0056, passed: false, unit: 'fraction' },
    ],
    thresholdsPassed: false,
    generator: { eventLoopDelayMs: { p50: 1, p99: 38, max: 90 }, cpuPercent: { mean: 97, max: 100 }, saturated: true, reasons: ['CPU 97% of a core (limit 90%)'], limits: { eventLoopDelayP99Ms: 20, cpuPercent: 90, scheduleLagP90Ms: 10 } },
  });
  current.baseline = { file: 'base.json', comparison: compareResults(base, current, { maxRegression: 0.1 }) };
  const html = renderHtml(current, { source: 'result.json' });
  assert.doesNotMatch(html, /<td>service time<\/td>/, 'closed model: the service time is the latency, no row of its own');
  const open = sampleResult({ latencyCorrection: 'intended-start' });
  open.serviceTimeMs = open.ttfbMs;
  assert.match(renderHtml(open), /<td>service time<\/td>/, 'open model: the uncorrected service time has its row');
  for (const expected of [
    /Thresholds: 1 of 2 failed/,
    /<code>errors&lt;0.1%<\/code>/,
    /FAIL: a threshold failed/,
    /<h2>Status codes<\/h2>/,
    /connect ECONNREFUSED 10\.0\.0\.7:443/,
    /<h2>Failures<\/h2>/,
    /results are limited by this machine, not the target: CPU 97% of a core/,
    /<h2>Baseline comparison<\/h2>[\s\S]*OK: no regression beyond 10\.0%/,
    /https:\/\/api\.example\.test, 2025-01-15T10:00:00\.000Z — result\.json/,
  ]) {
    assert.match(html, expected);
  }
});

test('--compare-protocols: the runs side by side, their distributions overlaid, then each run', () => {
  const h1 = sampleResult({ protocol: 'h1' });
  h1.plan = { ...h1.plan, protocol: 'h1' };
  const h2 = sampleResult();
  h2.plan = { ...h2.plan, protocol: 'h2' };
  const html = renderHtml([h1, h2]);
  assert.match(html, /<h2>Protocols side by side<\/h2>/);
  assert.match(html, /requested h1[\s\S]*requested h2/);
  const charts = chartsOf(html);
  const ids = charts.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'chart ids are unique');
  assert.deepEqual(charts.find((c) => c.id === 'runs-distribution')!.series.map((s) => s.label), ['requested h1 (used h1)', 'requested h2 (used h2)']);
  assert.ok(ids.includes('r0-latency') && ids.includes('r1-latency'));
  assert.throws(() => renderHtml([]), RangeError);
});

test('a run that measured nothing still reports: why, and no empty charts', () => {
  const failed = buildResult({ x: { latenciesUs: [], failed: 3, errors: { 'connect-refused': 3 } } }, { error: { class: 'connect-refused', message: 'nothing listening on 127.0.0.1:1' } });
  failed.series = [];
  const html = renderHtml(failed);
  assert.match(html, /Run failed \(connect-refused\): nothing listening on 127\.0\.0\.1:1/);
  assert.match(html, /No per-second series in this result/);
  assert.deepEqual(chartsOf(html), [], 'no chart without data');
});

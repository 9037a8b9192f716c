import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildResult } from './helpers/build-result.ts';
import type { RunResult } from '../src/result/result.ts';
import { UsageError } from '../src/util/errors.ts';
import { evaluateThresholds } from '../src/judge/thresholds.ts';
import { parseThreshold, ThresholdSyntaxError } from '../src/plan/threshold-grammar.ts';
import { formatThresholdLimit, formatThresholdValue } from '../src/report/threshold-text.ts';
import type { ThresholdOutcome } from '../src/result/verdicts.ts';


/** Values are recorded with 3 significant digits: compare within 0.2%. */
function near(actual: number | null, expected: number, message?: string): void {
  assert.ok(actual !== null, message ?? `expected ~${expected}, got null`);
  assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * 0.002 + 1e-9, message ?? `expected ~${expected}, got ${actual}`);
}

function syntaxError(expr: string): ThresholdSyntaxError {
  try {
    parseThreshold(expr);
  } catch (err) {
    assert.ok(err instanceof ThresholdSyntaxError, `expected ThresholdSyntaxError for ${JSON.stringify(expr)}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(expr)} to be rejected`);
}

function evaluate(result: RunResult, ...exprs: string[]): ThresholdOutcome[] {
  return evaluateThresholds(result, exprs.map((source) => ({ spec: parseThreshold(source), source })));
}

function one(result: RunResult, expr: string): ThresholdOutcome {
  const [outcome] = evaluate(result, expr);
  assert.ok(outcome);
  return outcome;
}

// ---------- parsing ----------

test('parses metric kinds, operators, units and request names', () => {
  const cases: Array<[string, { request: string | null; metricName: string; op: string; limit: number; unit: string }]> = [
    ['p99 < 250ms', { request: null, metricName: 'p99', op: '<', limit: 250, unit: 'ms' }],
    ['p99<250ms', { request: null, metricName: 'p99', op: '<', limit: 250, unit: 'ms' }],
    ['  p50 <=  1.5s  ', { request: null, metricName: 'p50', op: '<=', limit: 1500, unit: 'ms' }],
    ['p90 > 800us', { request: null, metricName: 'p90', op: '>', limit: 0.8, unit: 'ms' }],
    ['p90 >= 800µs', { request: null, metricName: 'p90', op: '>=', limit: 0.8, unit: 'ms' }],
    ['p90 < 800 ms', { request: null, metricName: 'p90', op: '<', limit: 800, unit: 'ms' }],
    ['mean < 20ms', { request: null, metricName: 'mean', op: '<', limit: 20, unit: 'ms' }],
    ['max < 2s', { request: null, metricName: 'max', op: '<', limit: 2000, unit: 'ms' }],
    ['rps > 500', { request: null, metricName: 'rps', op: '>', limit: 500, unit: 'rps' }],
    ['rps >= 500/s', { request: null, metricName: 'rps', op: '>=', limit: 500, unit: 'rps' }],
    ['errors < 1%', { request: null, metricName: 'errors', op: '<', limit: 0.01, unit: 'fraction' }],
    ['errors < 0.01', { request: null, metricName: 'errors', op: '<', limit: 0.01, unit: 'fraction' }],
    ['error_count <= 10', { request: null, metricName: 'error_count', op: '<=', limit: 10, unit: 'count' }],
    ['5xx < 0.5%', { request: null, metricName: '5xx', op: '<', limit: 0.005, unit: 'fraction' }],
    ['2xx >= 99%', { request: null, metricName: '2xx', op: '>=', limit: 0.99, unit: 'fraction' }],
    ['4xx < 0.1', { request: null, metricName: '4xx', op: '<', limit: 0.1, unit: 'fraction' }],
    ['ttfb.p99 < 100ms', { request: null, metricName: 'ttfb.p99', op: '<', limit: 100, unit: 'ms' }],
    ['ttfb.mean < 10ms', { request: null, metricName: 'ttfb.mean', op: '<', limit: 10, unit: 'ms' }],
    ['ttfb.max < 1s', { request: null, metricName: 'ttfb.max', op: '<', limit: 1000, unit: 'ms' }],
    ['list.p99 < 250ms', { request: 'list', metricName: 'p99', op: '<', limit: 250, unit: 'ms' }],
    ['get-user_2.errors < 2%', { request: 'get-user_2', metricName: 'errors', op: '<', limit: 0.02, unit: 'fraction' }],
    ['list.ttfb.p95 < 40ms', { request: 'list', metricName: 'ttfb.p95', op: '<', limit: 40, unit: 'ms' }],
    ['login.rps > 10', { request: 'login', metricName: 'rps', op: '>', limit: 10, unit: 'rps' }],
    ['login.5xx < 1%', { request: 'login', metricName: '5xx', op: '<', limit: 0.01, unit: 'fraction' }],
  ];
  for (const [expr, want] of cases) {
    const spec = parseThreshold(expr);
    assert.deepEqual(
      { request: spec.request, metricName: spec.metricName, op: spec.op, unit: spec.unit },
      { request: want.request, metricName: want.metricName, op: want.op, unit: want.unit },
      expr,
    );
    assert.ok(Math.abs(spec.limit - want.limit) < 1e-12, `${expr}: limit ${spec.limit} != ${want.limit}`);
  }
});

test('percentile spellings: p99.9, p999, p9999, p100, upper case', () => {
  const pct = (expr: string): number => {
    const { metric } = parseThreshold(expr);
    assert.equal(metric.kind, 'latency');
    assert.equal(metric.stat.type, 'percentile');
    return metric.stat.type === 'percentile' ? metric.stat.percentile : NaN;
  };
  assert.equal(pct('p50 < 1ms'), 50);
  assert.equal(pct('p99.9 < 1ms'), 99.9);
  assert.equal(pct('p999 < 1ms'), 99.9);
  assert.equal(pct('p9999 < 1ms'), 99.99);
  assert.equal(pct('p99.99 < 1ms'), 99.99);
  assert.equal(pct('p995 < 1ms'), 99.5);
  assert.equal(pct('p100 < 1ms'), 100);
  assert.equal(pct('p0 < 1ms'), 0);
  assert.equal(pct('P99 < 1ms'), 99);
  assert.equal(parseThreshold('p999 < 1ms').metricName, 'p99.9');
  const dotted = parseThreshold('list.p99.9 < 1ms');
  assert.equal(dotted.request, 'list');
  assert.equal(dotted.metricName, 'p99.9');
  // A request may be named like a percentile: the last dotted part is the metric.
  const named = parseThreshold('p50.p99.9 < 1ms');
  assert.equal(named.request, 'p50');
  assert.equal(named.metricName, 'p99.9');
});

test('name resolution: the last dotted part is the metric; ttfb/latency are phases only before latency metrics', () => {
  const r = (expr: string) => {
    const s = parseThreshold(expr);
    return [s.request, s.metric.kind === 'latency' ? s.metric.phase : s.metric.kind, s.metricName];
  };
  assert.deepEqual(r('ttfb.p99 < 1ms'), [null, 'ttfb', 'ttfb.p99']);
  assert.deepEqual(r('latency.p99 < 1ms'), [null, 'latency', 'p99']);
  assert.deepEqual(r('list.ttfb.p99 < 1ms'), ['list', 'ttfb', 'ttfb.p99']);
  assert.deepEqual(r('ttfb.latency.p99 < 1ms'), ['ttfb', 'latency', 'p99']);
  assert.deepEqual(r('ttfb.ttfb.p99 < 1ms'), ['ttfb', 'ttfb', 'ttfb.p99']);
  assert.deepEqual(r('ttfb.rps > 1'), ['ttfb', 'rps', 'rps']);
  assert.deepEqual(r('rps.rps > 1'), ['rps', 'rps', 'rps']);
  assert.deepEqual(r('errors.errors < 1%'), ['errors', 'errors', 'errors']);
  assert.deepEqual(r('max.p99 < 1ms'), ['max', 'latency', 'p99']);
  assert.deepEqual(r('mean.max < 1ms'), ['mean', 'latency', 'max']);
  // A flow entry's step of a mix: <entry>/<step>.
  assert.deepEqual(r('checkout/login.ttfb.p99 < 1ms'), ['checkout/login', 'ttfb', 'ttfb.p99']);
});

test('malformed expressions throw ThresholdSyntaxError with the offset of the problem', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['p99 < 250', 9, /add a unit, e\.g\. 250ms/],
    ['list.p99 <= 3', 13, /add a unit/],
    ['ttfb.mean>2', 11, /add a unit/],
    ['', 0, /empty threshold/],
    ['   ', 3, /empty threshold/],
    ['p99', 3, /expected an operator/],
    ['p99 = 5ms', 4, /unsupported operator "="/],
    ['p99 == 5ms', 4, /unsupported operator "=="/],
    ['p99 != 5ms', 4, /unsupported operator "!="/],
    ['p99 <> 5ms', 4, /unsupported operator "<>"/],
    ['p99 < ', 6, /expected a number/],
    ['p99 < fast', 6, /expected a number/],
    ['p99 < -5ms', 6, /negative/],
    ['p99 < 5ms and more', 10, /unexpected "and more"/],
    ['p99 < 5 parsecs', 8, /unknown latency unit "parsecs"/],
    ['p99 < 5%', 7, /unknown latency unit "%"/],
    ['foo < 3', 0, /unknown metric "foo"/],
    ['list.p99x < 3ms', 5, /unknown metric "p99x"/],
    ['p101 < 3ms', 0, /not a percentile/],
    ['p200 < 3ms', 0, /not a percentile/],
    ['list. < 3ms', 5, /expected a metric/],
    ['.p99 < 3ms', 0, /empty request name/],
    ['a.b.p99 < 3ms', 2, /unexpected "b"/],
    ['my:req.p99 < 3ms', 2, /unexpected ":"/],
    ['< 3ms', 0, /expected a metric/],
    ['errors < 5', 9, /5% or 0\.05/],
    ['errors < 1', 9, /fraction below 1/],
    ['errors < 150%', 9, /more than 100%/],
    ['errors < 1ms', 10, /unexpected unit "ms"/],
    ['error_count < 1%', 15, /use errors/],
    ['error_count < 2.5', 14, /whole number/],
    ['errors.count < 3', 0, /write error_count/],
    ['rps > 5ms', 7, /unexpected unit "ms" for rps/],
    ['6xx < 1%', 0, /unknown metric "6xx"/],
  ];
  for (const [expr, offset, pattern] of cases) {
    const err = syntaxError(expr);
    assert.equal(err.offset, offset, `${JSON.stringify(expr)}: offset ${err.offset} (${err.message})`);
    assert.match(`${err.problem} ${err.hint ?? ''}`, pattern, `${JSON.stringify(expr)}: ${err.message}`);
    assert.equal(err.expr, expr);
    assert.ok(err.message.includes(JSON.stringify(expr)), err.message);
  }
});

test('ThresholdSyntaxError is a UsageError and carries hint and a caret pointer', () => {
  const err = syntaxError('list.p99 < 250');
  assert.ok(err instanceof UsageError);
  assert.equal(err.name, 'ThresholdSyntaxError');
  assert.equal(err.hint, 'add a unit, e.g. 250ms');
  assert.equal(err.pointer(), 'list.p99 < 250\n              ^');
});

// ---------- evaluation ----------

// "list": 1,000 responses at 1..1000 ms (p50 = 500ms, p99 = 990ms, max = 1000ms); TTFB = 10% of latency.
// "fast": 1,000 responses at 10..1000 µs. "broken": never completed a response (4 timeouts).
function sampleResult(): RunResult {
  const list = Array.from({ length: 1000 }, (_, i) => (i + 1) * 1000);
  const fast = Array.from({ length: 1000 }, (_, i) => 10 + i * 0.99);
  return buildResult(
    {
      list: { latenciesUs: list, ttfbUs: list.map((v) => v / 10), statusCodes: { '200': 970, '503': 20, '404': 10 }, failed: 10, unexpectedStatus: 30 },
      fast: { latenciesUs: fast },
      broken: { latenciesUs: [], failed: 4 },
    },
    { durationMs: 10_000 },
  );
}

test('latency percentiles come from the histograms: any percentile, total and per request', () => {
  const result = sampleResult();
  near(one(result, 'list.p50 < 1s').actual, 500);
  near(one(result, 'list.p99 < 1s').actual, 990);
  near(one(result, 'list.p75 < 1s').actual, 750);
  near(one(result, 'list.p99.9 < 2s').actual, 999);
  near(one(result, 'list.p100 < 2s').actual, 1000);
  near(one(result, 'list.max < 2s').actual, 1000);
  near(one(result, 'list.mean < 2s').actual, 500.5);
  near(one(result, 'fast.p50 < 1s').actual, 0.505);
  // Total: 2,000 samples, half of them below 1ms → p75 is list's p50.
  near(one(result, 'p75 < 1s').actual, 500);
  near(one(result, 'p25 < 1s').actual, 0.505);
  // TTFB histograms.
  near(one(result, 'list.ttfb.p99 < 1s').actual, 99);
  near(one(result, 'list.ttfb.max < 1s').actual, 100);
});

test('pass and fail follow the operator, including the boundary', () => {
  const result = sampleResult();
  const [a, b, c, d, e] = evaluate(result, 'list.p99 < 250ms', 'list.p99 < 2s', 'list.p50 > 100ms', 'list.p50 >= 1s', 'fast.max <= 1ms');
  assert.equal(a?.passed, false);
  assert.equal(b?.passed, true);
  assert.equal(c?.passed, true);
  assert.equal(d?.passed, false);
  assert.equal(e?.passed, true);
  assert.equal(a?.reason, undefined);
  assert.equal(a?.request, 'list');
  assert.equal(a?.metric, 'p99');
  assert.equal(a?.op, '<');
  assert.equal(a?.limit, 250);
  assert.equal(a?.expr, 'list.p99 < 250ms');
  // Exactly at the limit: <= and >= pass, < and > fail.
  const max = one(result, 'list.max < 2s').actual;
  assert.ok(max !== null);
  const at = `${max}ms`;
  const [lt, le, gt, ge] = evaluate(result, `list.max < ${at}`, `list.max <= ${at}`, `list.max > ${at}`, `list.max >= ${at}`);
  assert.deepEqual([lt?.passed, le?.passed, gt?.passed, ge?.passed], [false, true, false, true]);
  // Units are converted: 0.6s and 600000us are the same limit as 600ms.
  const [s, us] = evaluate(result, 'list.p50 < 0.6s', 'list.p50 < 600000us');
  assert.equal(s?.limit, 600);
  assert.equal(us?.limit, 600);
  assert.equal(s?.passed, true);
  assert.equal(us?.passed, true);
});

test('error rate, error count, status classes and rps', () => {
  const result = sampleResult();
  // list: sent 1010 (1000 completed + 10 failed); errors = (10 failed + 30 unexpected status) / 1010.
  const errors = one(result, 'list.errors < 5%');
  near(errors.actual, 40 / 1010);
  assert.equal(errors.passed, true);
  assert.equal(errors.unit, 'fraction');
  assert.equal(one(result, 'list.errors < 1%').passed, false);
  assert.equal(one(result, 'list.error_count < 41').actual, 40);
  assert.equal(one(result, 'list.error_count < 41').passed, true);
  assert.equal(one(result, 'list.error_count <= 39').passed, false);
  // Status classes are shares of completed responses (1000 for list).
  near(one(result, 'list.5xx < 5%').actual, 0.02);
  near(one(result, 'list.4xx < 5%').actual, 0.01);
  near(one(result, 'list.2xx > 95%').actual, 0.97);
  assert.equal(one(result, 'list.5xx < 1%').passed, false);
  assert.equal(one(result, 'list.5xx < 0.03').passed, true);
  assert.equal(one(result, 'list.1xx < 1%').actual, 0);
  assert.equal(one(result, 'list.1xx < 1%').passed, true);
  // Totals: 2000 completed, 20 of them 5xx; 1018 sent... errors = (14 failed + 30 unexpected) / 2014.
  near(one(result, '5xx < 5%').actual, 20 / 2000);
  near(one(result, 'errors < 5%').actual, 44 / 2014);
  assert.equal(one(result, 'error_count < 100').actual, 44);
  // rps: completed per second over the 10 s window.
  near(one(result, 'rps > 100').actual, 200);
  assert.equal(one(result, 'rps > 100').passed, true);
  assert.equal(one(result, 'rps > 250/s').passed, false);
  near(one(result, 'fast.rps >= 100').actual, 100);
  assert.equal(one(result, 'fast.rps >= 100').passed, true);
});

test('no samples never passes silently', () => {
  const result = sampleResult();
  // "broken" was sent 4 times but never completed: no latency samples, no status classes.
  for (const expr of ['broken.p99 < 10s', 'broken.max < 10s', 'broken.mean < 10s', 'broken.ttfb.p50 < 10s', 'broken.5xx < 100%', 'broken.2xx >= 0%']) {
    const o = one(result, expr);
    assert.equal(o.passed, false, expr);
    assert.equal(o.actual, null, expr);
    assert.equal(o.reason, 'no samples', expr);
  }
  // ...but its error rate is measurable (4 of 4 failed).
  assert.equal(one(result, 'broken.errors < 50%').actual, 1);
  // An unknown request name fails with its own reason, for every metric kind.
  for (const expr of ['missing.p99 < 10s', 'missing.errors < 100%', 'missing.rps >= 0', 'missing.error_count < 1000']) {
    const o = one(result, expr);
    assert.equal(o.passed, false, expr);
    assert.equal(o.actual, null, expr);
    assert.equal(o.reason, 'no request named "missing"', expr);
  }
  // Names are not looked up on the prototype.
  assert.equal(one(result, 'constructor.p99 < 1s').reason, 'no request named "constructor"');
  // A run that sent nothing: rps, errors and counts fail too instead of "0 < limit" passing.
  const empty = buildResult({ only: { latenciesUs: [] } });
  for (const expr of ['p99 < 1s', 'rps >= 0', 'errors < 1%', 'error_count < 1', 'only.rps >= 0', '5xx < 1%']) {
    const o = one(empty, expr);
    assert.equal(o.passed, false, expr);
    assert.equal(o.reason, 'no samples', expr);
  }
});

test('a result without usable histograms falls back to the summary figures it has', () => {
  const result = sampleResult();
  const stripped: RunResult = { ...result, histograms: { ...result.histograms, latency: '', requests: {} } };
  near(one(stripped, 'p99 < 2s').actual, result.latencyMs.p99);
  near(one(stripped, 'list.p50 < 2s').actual, result.requests.list?.latencyMs.p50 ?? NaN);
  const odd = one(stripped, 'p75 < 2s');
  assert.equal(odd.passed, false);
  assert.equal(odd.reason, 'no histogram in the result');
});

test('formatThresholdValue and formatThresholdLimit display each unit', () => {
  const result = sampleResult();
  const [lat, rate, rps, count, none] = evaluate(result, 'list.p50 < 250ms', 'list.5xx < 0.5%', 'rps > 1000', 'error_count < 10', 'broken.p99 < 1s');
  assert.ok(lat && rate && rps && count && none);
  assert.match(formatThresholdValue(lat), /^50\d\.\dms$/);
  assert.equal(formatThresholdLimit(lat), '< 250ms');
  assert.equal(formatThresholdValue(rate), '2.00%');
  assert.equal(formatThresholdLimit(rate), '< 0.5%');
  assert.equal(formatThresholdValue(rps), '200/s');
  assert.equal(formatThresholdLimit(rps), '> 1000/s');
  assert.equal(formatThresholdValue(count), '44');
  assert.equal(formatThresholdValue(none), 'no samples');
  assert.equal(formatThresholdValue(lat, 1500), '1.50s');
});

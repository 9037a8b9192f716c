import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildResult, spread, withFlowAndTargets } from './helpers/build-result.ts';
import { compareResults, DEFAULT_MIN_SAMPLES, requiredSamples } from '../src/judge/compare.ts';
import { renderComparison } from '../src/report/compare-text.ts';
import type { Comparison, ComparisonRow } from '../src/result/verdicts.ts';


/** Deterministic uniform (0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
}

/** Heavy-tailed latencies (Pareto, minimum 5 ms): realistic tails, noisy high percentiles. */
function pareto(n: number, seed: number, factor = 1): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => (factor * 5000) / Math.pow(r(), 1 / 1.5));
}

function row(c: Comparison, request: string | null, metric: ComparisonRow['metric']): ComparisonRow {
  const scope = c.scopes.find((s) => s.request === request);
  assert.ok(scope, `no scope ${request}`);
  const r = scope.rows.find((x) => x.metric === metric);
  assert.ok(r, `no row ${metric}`);
  return r;
}

test('requiredSamples: the tail beyond the percentile must hold at least 10 samples', () => {
  assert.equal(requiredSamples(50, 0), 20);
  assert.equal(requiredSamples(90, 0), 100);
  assert.equal(requiredSamples(99, 0), 1000);
  assert.equal(requiredSamples(99.9, 0), 10000);
  assert.equal(requiredSamples(50, DEFAULT_MIN_SAMPLES), 100);
  assert.equal(requiredSamples(99, 5000), 5000);
});

test('identical results are not a regression', () => {
  const run = buildResult({ list: { latenciesUs: pareto(5000, 1), failed: 20 }, get: { latenciesUs: pareto(3000, 2) } });
  const c = compareResults(run, run, { maxRegression: 0.1 });
  assert.equal(c.regressed, false);
  assert.deepEqual(c.regressions, []);
  assert.deepEqual(c.scopes.map((s) => s.request), [null, 'list', 'get']);
  for (const scope of c.scopes) {
    assert.deepEqual(scope.rows.map((r) => r.metric), ['p50', 'p90', 'p99', 'max', 'rps', 'errors']);
    for (const r of scope.rows) {
      assert.equal(r.verdict, 'ok', `${scope.request} ${r.metric}`);
      assert.equal(r.delta, 0);
      assert.equal(r.base, r.current);
    }
  }
  assert.deepEqual(c.onlyInBase, []);
  assert.deepEqual(c.onlyInCurrent, []);
});

test('a real regression (2x slower, ample samples) is flagged; max stays informational', () => {
  const base = buildResult({ list: { latenciesUs: pareto(5000, 1) }, get: { latenciesUs: pareto(5000, 2) } });
  const current = buildResult({ list: { latenciesUs: pareto(5000, 3, 2) }, get: { latenciesUs: pareto(5000, 4) } });
  const c = compareResults(base, current, { maxRegression: 0.1 });
  assert.equal(c.regressed, true);
  for (const metric of ['p50', 'p90', 'p99'] as const) {
    const r = row(c, 'list', metric);
    assert.equal(r.verdict, 'regressed', `list ${metric}: ${JSON.stringify(r)}`);
    assert.ok(r.delta !== null && r.delta > 0.7 && r.delta < 1.4, `list ${metric} delta ${r.delta}`);
    assert.ok(r.base !== null && r.current !== null && r.current > r.base);
  }
  const max = row(c, 'list', 'max');
  assert.equal(max.informational, true);
  assert.notEqual(max.verdict, 'regressed');
  // "get" did not change (different seed, same distribution): no regression there.
  for (const r of c.scopes.find((s) => s.request === 'get')?.rows ?? []) assert.notEqual(r.verdict, 'regressed', `get ${r.metric}`);
  assert.ok(c.regressions.some((r) => r.request === 'list' && r.metric === 'p99'));
  assert.ok(c.regressions.every((r) => r.metric !== 'max'));
  assert.ok(c.regressions.every((r) => r.request !== 'get'));
  // The reverse direction is an improvement, not a regression.
  const back = compareResults(current, base, { maxRegression: 0.1 });
  assert.equal(row(back, 'list', 'p99').verdict, 'improved');
  assert.equal(row(back, 'list', 'p50').verdict, 'improved');
  assert.equal(back.scopes.some((s) => s.request === 'list' && s.rows.some((r) => r.verdict === 'regressed')), false);
});

test('same distribution, different samples: a tail that moves past the limit by chance is noise', () => {
  // Seeds chosen so that p99 moves by more than 10% purely by sampling.
  const base = buildResult({ a: { latenciesUs: pareto(1500, 8) } });
  const current = buildResult({ a: { latenciesUs: pareto(1500, 108) } });
  const c = compareResults(base, current, { maxRegression: 0.1 });
  const p99 = row(c, null, 'p99');
  assert.ok(p99.delta !== null && p99.delta > 0.1, `precondition: p99 delta ${p99.delta}`);
  assert.equal(p99.verdict, 'noise');
  assert.match(p99.reason ?? '', /not significant at 99% \(z = \d/);
  assert.equal(c.regressed, false);
  // Max is a single sample: it moved a lot, and it never fails the comparison.
  const max = row(c, null, 'max');
  assert.ok(max.delta !== null && Math.abs(max.delta) > 0.1);
  assert.equal(max.verdict, 'noise');
});

test('small samples are noise, not a regression', () => {
  const base = buildResult({ a: { latenciesUs: spread(50, 1000, 50_000) } });
  const current = buildResult({ a: { latenciesUs: spread(50, 2000, 100_000) } });
  const c = compareResults(base, current, { maxRegression: 0.1 });
  assert.equal(c.regressed, false);
  for (const metric of ['p50', 'p90', 'p99'] as const) {
    const r = row(c, null, metric);
    assert.equal(r.verdict, 'noise', metric);
    assert.match(r.reason ?? '', /needs ≥ \d+ samples in each run \(50 vs 50\)/);
  }
  // 500 samples back P50 and P90 but not P99 (needs 1,000).
  const b500 = buildResult({ a: { latenciesUs: spread(500, 1000, 50_000) } });
  const c500 = buildResult({ a: { latenciesUs: spread(500, 2000, 100_000) } });
  const mid = compareResults(b500, c500, { maxRegression: 0.1 });
  assert.equal(row(mid, null, 'p50').verdict, 'regressed');
  assert.equal(row(mid, null, 'p90').verdict, 'regressed');
  assert.equal(row(mid, null, 'p99').verdict, 'noise');
  assert.match(row(mid, null, 'p99').reason ?? '', /needs ≥ 1000 samples/);
  // minSamples raises the floor for everything.
  const strict = compareResults(b500, c500, { maxRegression: 0.1, minSamples: 600 });
  assert.equal(row(strict, null, 'p50').verdict, 'noise');
  assert.equal(strict.regressed, false);
});

test('changes within maxRegression are ok', () => {
  const base = buildResult({ a: { latenciesUs: spread(5000, 1000, 50_000) } });
  const current = buildResult({ a: { latenciesUs: spread(5000, 1080, 54_000) } }, { durationMs: 10_500 });
  const c = compareResults(base, current, { maxRegression: 0.1 });
  assert.equal(c.regressed, false);
  for (const r of c.scopes[0]?.rows ?? []) assert.equal(r.verdict, 'ok', `${r.metric} ${r.delta}`);
  // ...and a tighter limit flags the same 8% slowdown.
  assert.equal(compareResults(base, current, { maxRegression: 0.05 }).regressed, true);
});

test('throughput: a drop beyond maxRegression regresses, unless too few responses', () => {
  const lat = spread(2000, 1000, 50_000);
  const base = buildResult({ a: { latenciesUs: lat } }, { durationMs: 10_000 });
  const slower = buildResult({ a: { latenciesUs: lat } }, { durationMs: 12_500 }); // 200 → 160 req/s
  const c = compareResults(base, slower, { maxRegression: 0.1 });
  const rps = row(c, null, 'rps');
  assert.equal(rps.verdict, 'regressed');
  assert.ok(Math.abs((rps.delta ?? 0) + 0.2) < 1e-9);
  assert.equal(c.regressed, true);
  assert.equal(row(compareResults(slower, base, { maxRegression: 0.1 }), null, 'rps').verdict, 'improved');
  const tiny = compareResults(buildResult({ a: { latenciesUs: spread(20, 1000, 2000) } }), buildResult({ a: { latenciesUs: spread(20, 1000, 2000) } }, { durationMs: 20_000 }), { maxRegression: 0.1 });
  assert.equal(row(tiny, null, 'rps').verdict, 'noise');
});

test('error rate: > 1 percentage point and significant at 99%', () => {
  const lat = (n: number) => spread(n, 1000, 5000);
  const base = buildResult({ a: { latenciesUs: lat(2000) } });
  // 0% → 5% of 2,000: regressed.
  const worse = buildResult({ a: { latenciesUs: lat(1900), failed: 100 } });
  const c = compareResults(base, worse, { maxRegression: 0.1 });
  const e = row(c, null, 'errors');
  assert.equal(e.verdict, 'regressed');
  assert.equal(e.deltaKind, 'absolute');
  assert.ok(Math.abs((e.delta ?? 0) - 0.05) < 1e-9);
  assert.equal(c.regressed, true);
  // 0% → 0.5%: below one percentage point, ok.
  const slight = buildResult({ a: { latenciesUs: lat(1990), failed: 10 } });
  assert.equal(row(compareResults(base, slight, { maxRegression: 0.1 }), null, 'errors').verdict, 'ok');
  // 0 of 40 → 2 of 40 (+5 points) is not significant: noise.
  const few = compareResults(buildResult({ a: { latenciesUs: lat(40) } }), buildResult({ a: { latenciesUs: lat(38), failed: 2 } }), { maxRegression: 0.1 });
  const fe = row(few, null, 'errors');
  assert.equal(fe.verdict, 'noise');
  assert.match(fe.reason ?? '', /not significant/);
  // Improvement.
  assert.equal(row(compareResults(worse, base, { maxRegression: 0.1 }), null, 'errors').verdict, 'improved');
});

test('request names present in only one run are listed, not compared', () => {
  const base = buildResult({ shared: { latenciesUs: lat() }, old: { latenciesUs: lat() } });
  const current = buildResult({ fresh: { latenciesUs: lat() }, shared: { latenciesUs: lat() } });
  const c = compareResults(base, current, { maxRegression: 0.1 });
  assert.deepEqual(c.scopes.map((s) => s.request), [null, 'shared']);
  assert.deepEqual(c.onlyInBase, ['old']);
  assert.deepEqual(c.onlyInCurrent, ['fresh']);
  const text = renderComparison(c, { color: false });
  assert.match(text, /Only in base \(not compared\): old/);
  assert.match(text, /Only in current \(not compared\): fresh/);
  function lat(): number[] {
    return spread(100, 1000, 2000);
  }
});

test('a request that completed nothing in one run is noise, not a crash', () => {
  const base = buildResult({ a: { latenciesUs: spread(2000, 1000, 2000) } });
  const current = buildResult({ a: { latenciesUs: [], failed: 5 } });
  const c = compareResults(base, current, { maxRegression: 0.1 });
  assert.equal(row(c, 'a', 'p99').verdict, 'noise');
  assert.equal(row(c, 'a', 'p99').current, null);
  assert.equal(row(c, 'a', 'max').verdict, 'noise');
  // 0 of 2,000 failed → 5 of 5 failed is a real error-rate regression.
  assert.equal(row(c, 'a', 'errors').verdict, 'regressed');
  assert.equal(row(c, 'a', 'errors').current, 1);
});

test('renderComparison: aligned plain-text table, colour only when asked', () => {
  const base = buildResult({ list: { latenciesUs: pareto(5000, 1) } });
  const current = buildResult({ list: { latenciesUs: pareto(5000, 3, 2) } });
  const c = compareResults(base, current, { maxRegression: 0.1 });
  const plain = renderComparison(c, { color: false });
  assert.ok(!plain.includes('\u001b['), 'no ANSI escapes without colour');
  const lines = plain.split('\n');
  const header = lines.find((l) => l.startsWith('Request'));
  assert.ok(header);
  const verdictCol = header.indexOf('Verdict');
  const deltaEnd = header.indexOf('Delta') + 'Delta'.length;
  const tableRows = lines.filter((l) => /^(total|list|\s{2,})\s/.test(l) && / (ok|REGRESSED|improved|noise)/.test(l));
  assert.equal(tableRows.length, 12);
  for (const l of tableRows) {
    assert.match(l.slice(verdictCol), /^(ok|REGRESSED|improved|noise)/, l);
    assert.match(l.slice(0, deltaEnd), /[%p-]$/, `delta right-aligned: ${l}`);
  }
  assert.match(plain, /^total\s+P50/m);
  assert.match(plain, /^REGRESSED: .*total p99.*list p99/m);
  assert.ok(plain.endsWith('\n'));
  const colored = renderComparison(c, { color: true });
  assert.ok(colored.includes('\u001b[31m'), 'regressions in red');
  assert.equal(colored.replace(/\u001b\[\d+m/g, ''), plain, 'colour adds escapes only');
  const ok = renderComparison(compareResults(base, base, { maxRegression: 0.1 }), { color: false });
  assert.match(ok, /^OK: no regression beyond 10\.0%$/m);
});

test('maxRegression must be a non-negative number', () => {
  const run = buildResult({ a: { latenciesUs: [1000] } });
  assert.throws(() => compareResults(run, run, { maxRegression: -0.1 }), RangeError);
  assert.throws(() => compareResults(run, run, { maxRegression: Number.NaN }), RangeError);
});

test('a flow\'s iterations and each target instance are compared when both runs have them; a regression names its scope', () => {
  const steps = { login: { latenciesUs: spread(2000, 1000, 2000) } };
  const instances = (slowUs: number) => ({
    '10.9.0.1:8080': { latenciesUs: spread(1000, 1000, 2000) },
    '10.9.0.2:8080': { latenciesUs: spread(1000, slowUs, slowUs * 2) },
  });
  const base = withFlowAndTargets(buildResult(steps), { iterationsUs: spread(2000, 10_000, 20_000), targets: instances(1000) });
  const current = withFlowAndTargets(buildResult(steps), { iterationsUs: spread(2000, 20_000, 40_000), failed: 0, targets: instances(3000) });
  const c = compareResults(base, current, { maxRegression: 0.1 });
  assert.deepEqual(
    c.scopes.map((s) => [s.request, s.kind ?? null, s.target ?? null]),
    [[null, null, null], ['login', null, null], [null, 'iterations', null], [null, 'target', '10.9.0.1:8080'], [null, 'target', '10.9.0.2:8080']],
  );
  const iterations = c.scopes[2]!;
  assert.equal(iterations.baseSamples, 2000);
  assert.equal(iterations.rows.find((r) => r.metric === 'p50')!.verdict, 'regressed');
  assert.equal(iterations.rows.find((r) => r.metric === 'rps')!.verdict, 'ok', 'as many iterations per second');
  assert.equal(c.scopes[3]!.rows.find((r) => r.metric === 'p50')!.verdict, 'ok', 'the healthy instance did not move');
  assert.equal(c.scopes[4]!.rows.find((r) => r.metric === 'p50')!.verdict, 'regressed');
  assert.deepEqual(
    c.regressions.filter((r) => r.metric === 'p50'),
    [{ request: null, kind: 'iterations', metric: 'p50' }, { request: null, kind: 'target', target: '10.9.0.2:8080', metric: 'p50' }],
  );
  assert.equal(c.iterationsOnlyIn, undefined);
  assert.equal(c.targetsOnlyInBase, undefined);
  const text = renderComparison(c, { color: false });
  assert.match(text, /\niteration\s+P50 .* REGRESSED\n\s+P90 .*\n\s+P99 .*\n\s+Max .*\n\s+iterations\/s /);
  assert.match(text, /\ntarget 10\.9\.0\.2:8080\s+P50 /);
  assert.match(text, /REGRESSED: .*iteration p50, .*target 10\.9\.0\.2:8080 p50/);
  assert.doesNotMatch(text, /only in/i);
});

test('iterations or targets in one run only are named, not compared; results without either compare as before', () => {
  const plain = buildResult({ list: { latenciesUs: spread(200, 1000, 2000) } });
  const flow = withFlowAndTargets(plain, { iterationsUs: spread(100, 5000, 9000), targets: { '10.9.0.1:8080': { latenciesUs: [1000] }, '10.9.0.2:8080': { latenciesUs: [1000] } } });
  const other = withFlowAndTargets(plain, { targets: { '10.9.0.2:8080': { latenciesUs: [1000] }, '10.9.0.3:8080': { latenciesUs: [1000] } } });
  const c = compareResults(flow, other, { maxRegression: 0.1 });
  assert.equal(c.iterationsOnlyIn, 'base');
  assert.deepEqual(c.targetsOnlyInBase, ['10.9.0.1:8080']);
  assert.deepEqual(c.targetsOnlyInCurrent, ['10.9.0.3:8080']);
  assert.deepEqual(c.scopes.map((s) => s.target ?? s.kind ?? s.request), [null, 'list', '10.9.0.2:8080']);
  const text = renderComparison(c, { color: false });
  assert.ok(
    text.includes(
      'Iteration figures only in base (current ran no flow): not compared\nTargets only in base (not compared): 10.9.0.1:8080\nTargets only in current (not compared): 10.9.0.3:8080\n',
    ),
    text,
  );
  assert.match(renderComparison(compareResults(plain, flow, { maxRegression: 0.1 }), { color: false }), /Iteration figures only in current \(base ran no flow\): not compared\nTargets only in current \(not compared\): 10\.9\.0\.1:8080, 10\.9\.0\.2:8080\n/);
  // Nothing of either on both sides: the comparison has no new keys at all.
  const same = compareResults(plain, plain, { maxRegression: 0.1 });
  assert.deepEqual(Object.keys(same), ['base', 'current', 'maxRegression', 'minSamples', 'scopes', 'onlyInBase', 'onlyInCurrent', 'regressed', 'regressions']);
  assert.ok(same.scopes.every((s) => !('kind' in s) && !('target' in s)));
});

// Compare two runs (base vs current) and decide whether the current one regressed, without crying wolf:
// a change only counts when it is larger than `maxRegression` AND statistically real.
//
// Rules (per request present in both runs, and for the total; and the same for a flow's iterations and each
// target instance, when both runs have them: an iteration's duration is its latency, a failed iteration an
// error, completed iterations per second its rps):
// - Latency P50/P90/P99 (ms, from the decoded histograms). A percentile q needs enough samples in BOTH runs:
//   count ≥ max(minSamples, 10 / (1 − q)) — the tail must be backed by at least 10 samples (P99 → 1,000,
//   P90 → 100, P50 → 20; minSamples defaults to 100). Fewer → 'noise'. Otherwise it is 'regressed' when
//   current > base × (1 + maxRegression) AND the difference is significant: each run's percentile gets a
//   distribution-free 99% confidence interval (the order statistics at ranks n·q ± 2.576·√(n·q·(1−q)), read
//   from the histogram), the facing half-widths give standard errors, and z = |current − base| / √(se₁² +
//   se₂²) must exceed 2.326 (one-sided 99%). 'improved' symmetrically (current < base × (1 − maxRegression),
//   significant). A change past the limit that is not significant is 'noise'; anything else 'ok'.
// - Max is one sample: informational only. Past the limit it shows 'noise'; it never fails the comparison.
// - rps: 'regressed' when current < base × (1 − maxRegression), 'improved' when current > base ×
//   (1 + maxRegression); 'noise' when either run completed fewer than minSamples responses.
// - Error rate: 'regressed' when it rose by more than 1 percentage point (absolute) AND a one-sided
//   two-proportion z-test says the rise is real at 99% (z > 2.326); 'improved' symmetrically; a rise past
//   1 point that the test cannot confirm is 'noise'. Its delta is the absolute change (fraction), not relative.
import { decodeOrNull, type LatencyHistogram } from '../result/histogram.ts';
import { iterationsAsRequests } from '../result/iteration-stats.ts';
import type { RequestStats, RunResult } from '../result/result.ts';
import type { Comparison, ComparisonRow, ComparisonScope } from '../result/verdicts.ts';

export interface CompareOptions {
  /** Allowed relative worsening, e.g. 0.10 for 10%. */
  maxRegression: number;
  /** Minimum samples in both runs for any latency or rps verdict (default 100); tail percentiles need more. */
  minSamples?: number;
}

export const DEFAULT_MIN_SAMPLES = 100;
const Z_CI_99 = 2.576; // two-sided 99% for the percentile confidence intervals
const Z_ONE_SIDED_99 = 2.326;
const ERROR_RATE_MIN_CHANGE = 0.01; // one percentage point

/** Samples needed for percentile p (0..100): the tail beyond it must hold ≥ 10 samples. */
export function requiredSamples(percentile: number, minSamples: number): number {
  const tail = 100 - percentile;
  return Math.max(minSamples, tail <= 0 ? Infinity : Math.ceil(1000 / tail - 1e-9));
}

const ms = (us: number): number => Math.round(us) / 1000;

/** Percentile point estimate and its 99% confidence interval (ms). */
interface PercentileEstimate {
  value: number;
  low: number;
  high: number;
}

function estimate(h: LatencyHistogram, percentile: number): PercentileEstimate {
  const n = h.totalCount;
  const q = percentile / 100;
  const half = Z_CI_99 * Math.sqrt(n * q * (1 - q));
  const rankLow = Math.max(1, Math.floor(n * q - half));
  const rankHigh = Math.min(n, Math.ceil(n * q + half));
  const at = (rank: number): number => ms(h.getValueAtPercentile((rank / n) * 100));
  return { value: ms(h.getValueAtPercentile(percentile)), low: at(rankLow), high: at(rankHigh) };
}

/** A latency source: a histogram when the JSON has one, else the summary (no confidence intervals then). */
interface LatencySource {
  count: number;
  histogram: LatencyHistogram | null;
  stats: RequestStats;
}

function relDelta(base: number | null, current: number | null): number | null {
  if (base === null || current === null) return null;
  if (base === 0) return current === 0 ? 0 : null;
  return (current - base) / base;
}

function latencyRow(metric: 'p50' | 'p90' | 'p99', percentile: number, b: LatencySource, c: LatencySource, maxRegression: number, minSamples: number): ComparisonRow {
  const summaryValue = (s: LatencySource): number => s.stats.latencyMs[metric];
  const bEst = b.histogram && b.count > 0 ? estimate(b.histogram, percentile) : null;
  const cEst = c.histogram && c.count > 0 ? estimate(c.histogram, percentile) : null;
  const base = b.count > 0 ? (bEst?.value ?? summaryValue(b)) : null;
  const current = c.count > 0 ? (cEst?.value ?? summaryValue(c)) : null;
  const row: ComparisonRow = { metric, base, current, delta: relDelta(base, current), deltaKind: 'relative', verdict: 'ok', informational: false };
  if (base === null || current === null) return { ...row, verdict: 'noise', reason: 'no samples' };
  const need = requiredSamples(percentile, minSamples);
  const worse = current > base * (1 + maxRegression);
  const better = current < base * (1 - maxRegression);
  if (!worse && !better) return row;
  if (b.count < need || c.count < need) {
    return { ...row, verdict: 'noise', reason: `needs ≥ ${need} samples in each run (${b.count} vs ${c.count})` };
  }
  if (bEst && cEst) {
    // Standard errors from the sides of the two intervals that face each other (tails are skewed).
    const seBase = (worse ? bEst.high - bEst.value : bEst.value - bEst.low) / Z_CI_99;
    const seCurrent = (worse ? cEst.value - cEst.low : cEst.high - cEst.value) / Z_CI_99;
    const se = Math.hypot(seBase, seCurrent);
    const z = se === 0 ? Infinity : Math.abs(current - base) / se;
    if (z <= Z_ONE_SIDED_99) return { ...row, verdict: 'noise', reason: `not significant at 99% (z = ${z.toFixed(2)})` };
  }
  return { ...row, verdict: worse ? 'regressed' : 'improved' };
}

function maxRow(b: LatencySource, c: LatencySource, maxRegression: number): ComparisonRow {
  const value = (s: LatencySource): number | null => (s.count === 0 ? null : s.histogram ? ms(s.histogram.maxValue) : s.stats.latencyMs.max);
  const base = value(b);
  const current = value(c);
  const row: ComparisonRow = { metric: 'max', base, current, delta: relDelta(base, current), deltaKind: 'relative', verdict: 'ok', informational: true };
  if (base === null || current === null) return { ...row, verdict: 'noise', reason: 'no samples' };
  if (current > base * (1 + maxRegression) || current < base * (1 - maxRegression)) {
    return { ...row, verdict: 'noise', reason: 'max is a single sample: informational only' };
  }
  return row;
}

function rpsRow(b: RequestStats, c: RequestStats, maxRegression: number, minSamples: number): ComparisonRow {
  const row: ComparisonRow = { metric: 'rps', base: b.rps, current: c.rps, delta: relDelta(b.rps, c.rps), deltaKind: 'relative', verdict: 'ok', informational: false };
  const worse = c.rps < b.rps * (1 - maxRegression);
  const better = c.rps > b.rps * (1 + maxRegression);
  if (!worse && !better) return row;
  if (b.counts.completed < minSamples || c.counts.completed < minSamples) {
    return { ...row, verdict: 'noise', reason: `needs ≥ ${minSamples} completed responses in each run (${b.counts.completed} vs ${c.counts.completed})` };
  }
  return { ...row, verdict: worse ? 'regressed' : 'improved' };
}

function errorRow(b: RequestStats, c: RequestStats): ComparisonRow {
  const n1 = b.counts.sent;
  const n2 = c.counts.sent;
  const base = n1 > 0 ? b.errorRate : null;
  const current = n2 > 0 ? c.errorRate : null;
  const row: ComparisonRow = {
    metric: 'errors',
    base,
    current,
    delta: base === null || current === null ? null : current - base,
    deltaKind: 'absolute',
    verdict: 'ok',
    informational: false,
  };
  if (base === null || current === null) return { ...row, verdict: 'noise', reason: 'no requests sent' };
  const diff = current - base;
  if (Math.abs(diff) <= ERROR_RATE_MIN_CHANGE) return row;
  const pooled = (base * n1 + current * n2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = se === 0 ? Infinity : Math.abs(diff) / se;
  if (z <= Z_ONE_SIDED_99) return { ...row, verdict: 'noise', reason: `not significant at 99% (z = ${z.toFixed(2)})` };
  return { ...row, verdict: diff > 0 ? 'regressed' : 'improved', reason: `z = ${Number.isFinite(z) ? z.toFixed(2) : '∞'}` };
}

function latencySource(stats: RequestStats, encoded: string | undefined): LatencySource {
  const histogram = decodeOrNull(encoded);
  return { histogram, count: histogram ? histogram.totalCount : stats.latencyMs.count, stats };
}

function compareScope(
  request: string | null,
  bStats: RequestStats,
  cStats: RequestStats,
  bEncoded: string | undefined,
  cEncoded: string | undefined,
  maxRegression: number,
  minSamples: number,
): ComparisonScope {
  const b = latencySource(bStats, bEncoded);
  const c = latencySource(cStats, cEncoded);
  return {
    request,
    baseSamples: b.count,
    currentSamples: c.count,
    rows: [
      latencyRow('p50', 50, b, c, maxRegression, minSamples),
      latencyRow('p90', 90, b, c, maxRegression, minSamples),
      latencyRow('p99', 99, b, c, maxRegression, minSamples),
      maxRow(b, c, maxRegression),
      rpsRow(bStats, cStats, maxRegression, minSamples),
      errorRow(bStats, cStats),
    ],
  };
}

/** Compares `current` against `base`; see the rules at the top of this file. */
export function compareResults(base: RunResult, current: RunResult, options: CompareOptions): Comparison {
  const { maxRegression } = options;
  if (!(maxRegression >= 0) || !Number.isFinite(maxRegression)) throw new RangeError(`maxRegression must be a fraction ≥ 0, got ${maxRegression}`);
  const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES;
  const scopes: ComparisonScope[] = [compareScope(null, base, current, base.histograms?.latency, current.histograms?.latency, maxRegression, minSamples)];
  const baseNames = Object.keys(base.requests);
  const currentNames = Object.keys(current.requests);
  for (const name of currentNames) {
    const b = Object.hasOwn(base.requests, name) ? base.requests[name] : undefined;
    const c = current.requests[name];
    if (!b || !c) continue;
    scopes.push(
      compareScope(name, b, c, base.histograms?.requests?.[name]?.latency, current.histograms?.requests?.[name]?.latency, maxRegression, minSamples),
    );
  }
  const extra = compareIterationsAndTargets(base, current, maxRegression, minSamples);
  scopes.push(...extra.scopes);
  const regressions = scopes.flatMap((s) =>
    s.rows
      .filter((r) => r.verdict === 'regressed' && !r.informational)
      .map((r) => ({ request: s.request, ...(s.kind && { kind: s.kind }), ...(s.target !== undefined && { target: s.target }), metric: r.metric })),
  );
  return {
    base: { name: base.name, startedAt: base.startedAt },
    current: { name: current.name, startedAt: current.startedAt },
    maxRegression,
    minSamples,
    scopes,
    onlyInBase: baseNames.filter((n) => !Object.hasOwn(current.requests, n)),
    onlyInCurrent: currentNames.filter((n) => !Object.hasOwn(base.requests, n)),
    ...extra.onlyOneSide,
    regressed: regressions.length > 0,
    regressions,
  };
}

/**
 * The iterations' scope (both runs have a flow) and one scope per target instance both runs have figures
 * for; and what only one run has, so that the report says it was not compared.
 */
function compareIterationsAndTargets(
  base: RunResult,
  current: RunResult,
  maxRegression: number,
  minSamples: number,
): { scopes: ComparisonScope[]; onlyOneSide: Pick<Comparison, 'iterationsOnlyIn' | 'targetsOnlyInBase' | 'targetsOnlyInCurrent'> } {
  const scopes: ComparisonScope[] = [];
  const onlyOneSide: Pick<Comparison, 'iterationsOnlyIn' | 'targetsOnlyInBase' | 'targetsOnlyInCurrent'> = {};
  if (base.iterations && current.iterations) {
    const b = iterationsAsRequests(base.iterations);
    const c = iterationsAsRequests(current.iterations);
    scopes.push({ kind: 'iterations', ...compareScope(null, b, c, base.histograms?.iteration, current.histograms?.iteration, maxRegression, minSamples) });
  } else if (base.iterations || current.iterations) {
    onlyOneSide.iterationsOnlyIn = base.iterations ? 'base' : 'current';
  }
  const baseTargets = base.targets ?? {};
  const currentTargets = current.targets ?? {};
  for (const [name, c] of Object.entries(currentTargets)) {
    const b = Object.hasOwn(baseTargets, name) ? baseTargets[name] : undefined;
    if (!b) continue;
    const scope = compareScope(null, b, c, base.histograms?.targets?.[name]?.latency, current.histograms?.targets?.[name]?.latency, maxRegression, minSamples);
    scopes.push({ kind: 'target', target: name, ...scope });
  }
  const onlyBase = Object.keys(baseTargets).filter((n) => !Object.hasOwn(currentTargets, n));
  const onlyCurrent = Object.keys(currentTargets).filter((n) => !Object.hasOwn(baseTargets, n));
  if (onlyBase.length > 0) onlyOneSide.targetsOnlyInBase = onlyBase;
  if (onlyCurrent.length > 0) onlyOneSide.targetsOnlyInCurrent = onlyCurrent;
  return { scopes, onlyOneSide };
}

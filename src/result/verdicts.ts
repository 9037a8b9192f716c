// The verdicts a RunResult can carry: threshold outcomes and the comparison with a baseline. Types only;
// the judge (src/judge/) computes them, the renderers (src/report/) show them.

export type ThresholdOp = '<' | '<=' | '>' | '>=';

/** The unit of `limit` and `actual`: ms for latency, a fraction (0..1) for rates, req/s, or a count. */
export type ThresholdUnit = 'ms' | 'fraction' | 'rps' | 'count';

export interface ThresholdOutcome {
  /** The expression as the user wrote it. */
  expr: string;
  /** Canonical metric name (ThresholdSpec.metricName). */
  metric: string;
  request: string | null;
  op: ThresholdOp;
  /** In the metric's display unit (see `unit`). */
  limit: number;
  /** Measured value in the same unit; null when there was nothing to measure (then `passed` is false). */
  actual: number | null;
  passed: boolean;
  /** Why it failed without a measurement ("no samples", "no request named \"x\"", ...). */
  reason?: string;
  unit: ThresholdUnit;
}

export type Verdict = 'ok' | 'improved' | 'regressed' | 'noise';
export type CompareMetric = 'p50' | 'p90' | 'p99' | 'max' | 'rps' | 'errors';

export interface ComparisonRow {
  metric: CompareMetric;
  /** ms for latency, req/s for rps, a fraction for errors; null when the run has nothing to show. */
  base: number | null;
  current: number | null;
  /** (current − base) / base for latency and rps; current − base (absolute) for errors; null when undefined. */
  delta: number | null;
  deltaKind: 'relative' | 'absolute';
  verdict: Verdict;
  /** Why a row is 'noise' (or why a regression is real, for errors: the z score). */
  reason?: string;
  /** True for max: shown, never decides the comparison. */
  informational: boolean;
}

export interface ComparisonScope {
  /** null for all requests together. */
  request: string | null;
  baseSamples: number;
  currentSamples: number;
  rows: ComparisonRow[];
}

export interface Comparison {
  base: { name: string; startedAt: string };
  current: { name: string; startedAt: string };
  maxRegression: number;
  minSamples: number;
  /** Total first, then every request name present in both runs (in the current run's order). */
  scopes: ComparisonScope[];
  onlyInBase: string[];
  onlyInCurrent: string[];
  /** True when any non-informational row is 'regressed'. */
  regressed: boolean;
  regressions: Array<{ request: string | null; metric: CompareMetric }>;
}

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

/**
 * A `target[...]` threshold measured on one instance it names (each of them for `target[*]`). Not part of
 * the result JSON: the judge derives it from the result for the CI outputs, which attribute a failure to
 * its instance.
 */
export interface InstanceOutcome {
  instance: string;
  outcome: ThresholdOutcome;
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

/** What a comparison scope covers, besides a request or the total (schema 3; absent: those). */
export type ScopeKind = 'iterations' | 'target';

export interface ComparisonScope {
  /** null for all requests together (and for the iterations and target scopes). */
  request: string | null;
  /** Schema 3: 'iterations' (a flow's whole iterations) or 'target' (one instance, named by `target`). */
  kind?: ScopeKind;
  /** Schema 3, with kind 'target': the instance (host:port). */
  target?: string;
  baseSamples: number;
  currentSamples: number;
  rows: ComparisonRow[];
}

export interface Comparison {
  base: { name: string; startedAt: string };
  current: { name: string; startedAt: string };
  maxRegression: number;
  minSamples: number;
  /**
   * Total first, then every request name present in both runs (in the current run's order); then (schema 3)
   * the iterations when both runs have a flow, and every target instance both runs have figures for.
   */
  scopes: ComparisonScope[];
  onlyInBase: string[];
  onlyInCurrent: string[];
  /** Schema 3: the one run that has iteration figures (a flow) when the other has none: not compared. */
  iterationsOnlyIn?: 'base' | 'current';
  /** Schema 3: target instances with figures in one run only (all of them when the other had one target): not compared. */
  targetsOnlyInBase?: string[];
  targetsOnlyInCurrent?: string[];
  /** True when any non-informational row is 'regressed'. */
  regressed: boolean;
  regressions: Array<{ request: string | null; kind?: ScopeKind; target?: string; metric: CompareMetric }>;
}

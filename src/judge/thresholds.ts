// Evaluates parsed thresholds (src/plan/threshold-grammar.ts) against a RunResult. Pure: no I/O, no
// process exit codes (the CLI decides those).
import { decodeOrNull, type LatencyHistogram } from '../result/histogram.ts';
import { iterationsAsRequests } from '../result/iteration-stats.ts';
import type { RequestStats, RunResult } from '../result/result.ts';
import type { InstanceOutcome, ThresholdOp, ThresholdOutcome } from '../result/verdicts.ts';
import type { LatencyStat, ThresholdSpec } from '../plan/threshold-grammar.ts';
import { parseResultThreshold } from '../plan/thresholds.ts';

function compare(actual: number, op: ThresholdOp, limit: number): boolean {
  // Tolerate float noise at the boundary (e.g. "0.3s" vs 300ms) so <= and >= behave as written.
  const eq = Math.abs(actual - limit) <= 1e-9 * Math.max(1, Math.abs(limit));
  switch (op) {
    case '<':
      return actual < limit && !eq;
    case '<=':
      return actual < limit || eq;
    case '>':
      return actual > limit && !eq;
    case '>=':
      return actual > limit || eq;
  }
}

type Measure = { actual: number } | { reason: string };

function latencyFromHistogram(h: LatencyHistogram, stat: LatencyStat): number {
  switch (stat.type) {
    case 'mean':
      return Math.round(h.mean) / 1000;
    case 'max':
      return Math.round(h.maxValue) / 1000;
    case 'percentile':
      return stat.percentile >= 100 ? Math.round(h.maxValue) / 1000 : Math.round(h.getValueAtPercentile(stat.percentile)) / 1000;
  }
}

/**
 * `target[x].`: the figure of instance x, measured as the whole run's would be on a view of the result
 * holding that instance's figures; `target[*].`: the worst instance's (the largest against < or <=, the
 * smallest against > or >=), so the threshold passes only when every instance does.
 */
function measureTargets(result: RunResult, spec: ThresholdSpec): Measure {
  const targets = result.targets ?? {};
  const names = spec.target === '*' ? Object.keys(targets) : [spec.target!];
  if (names.length === 0) return { reason: 'no per-target figures (one target)' };
  const plain: ThresholdSpec = { ...spec };
  delete plain.target;
  let worst: Measure | null = null;
  for (const name of names) {
    const stats = Object.hasOwn(targets, name) ? targets[name] : undefined;
    if (stats === undefined) return { reason: `no target named ${name}` };
    const h = result.histograms.targets?.[name];
    const view: RunResult = { ...result, ...stats, histograms: { ...result.histograms, latency: h?.latency ?? '', ttfb: h?.ttfb ?? '' } };
    const m = measure(view, plain, new Map());
    if ('reason' in m) return { reason: `${name}: ${m.reason}` };
    const higherIsWorse = spec.op === '<' || spec.op === '<=';
    if (worst === null || ('actual' in worst && (higherIsWorse ? m.actual > worst.actual : m.actual < worst.actual))) worst = m;
  }
  return worst!;
}

/** `iteration.`: the figures of whole iterations (see iteration-stats.ts), on a view of the result holding them. */
function measureIterations(result: RunResult, spec: ThresholdSpec): Measure {
  if (result.iterations === undefined) return { reason: 'no iteration figures (no flow)' };
  const plain: ThresholdSpec = { ...spec };
  delete plain.iteration;
  const view: RunResult = { ...result, ...iterationsAsRequests(result.iterations), histograms: { ...result.histograms, latency: result.histograms.iteration ?? '' } };
  return measure(view, plain, new Map());
}

function measure(result: RunResult, spec: ThresholdSpec, cache: Map<string, LatencyHistogram | null>): Measure {
  let stats: RequestStats = result;
  if (spec.request !== null) {
    const found = Object.hasOwn(result.requests, spec.request) ? result.requests[spec.request] : undefined;
    if (!found) return { reason: `no request named "${spec.request}"` };
    stats = found;
  }
  const m = spec.metric;
  switch (m.kind) {
    case 'latency': {
      const encoded =
        spec.request === null
          ? m.phase === 'ttfb' ? result.histograms?.ttfb : result.histograms?.latency
          : m.phase === 'ttfb' ? result.histograms?.requests?.[spec.request]?.ttfb : result.histograms?.requests?.[spec.request]?.latency;
      const key = `${spec.request ?? ''}\u0000${m.phase}`;
      let h = cache.get(key);
      if (h === undefined) {
        h = decodeOrNull(encoded);
        cache.set(key, h);
      }
      const summary = m.phase === 'ttfb' ? stats.ttfbMs : stats.latencyMs;
      if (h === null) {
        // No usable histogram (older or hand-made JSON): fall back to the summary for the figures it has.
        if (summary.count === 0) return { reason: 'no samples' };
        const s = m.stat;
        if (s.type === 'mean') return { actual: summary.mean };
        if (s.type === 'max') return { actual: summary.max };
        const fromSummary: Record<number, number> = { 50: summary.p50, 90: summary.p90, 99: summary.p99, 99.9: summary.p999, 100: summary.max };
        const v = fromSummary[s.percentile];
        return v === undefined ? { reason: 'no histogram in the result' } : { actual: v };
      }
      if (h.totalCount === 0) return { reason: 'no samples' };
      return { actual: latencyFromHistogram(h, m.stat) };
    }
    case 'rps':
      return stats.counts.sent === 0 ? { reason: 'no samples' } : { actual: stats.rps };
    case 'errors':
      return stats.counts.sent === 0 ? { reason: 'no samples' } : { actual: stats.errorRate };
    case 'error_count':
      return stats.counts.sent === 0 ? { reason: 'no samples' } : { actual: stats.counts.failed + stats.unexpectedStatus };
    case 'status': {
      if (stats.counts.completed === 0) return { reason: 'no samples' };
      let n = 0;
      for (const [code, count] of Object.entries(stats.statusCodes)) {
        const c = Number(code);
        if (Number.isInteger(c) && Math.floor(c / 100) === m.statusClass) n += count;
      }
      return { actual: n / stats.counts.completed };
    }
  }
}

/**
 * Evaluates each threshold against the run. Percentiles come from the encoded histograms (per request for
 * "name." thresholds), so any percentile works. Nothing to measure (unknown request, no samples) FAILS.
 */
export function evaluateThresholds(result: RunResult, specs: Array<{ spec: ThresholdSpec; source: string }>): ThresholdOutcome[] {
  const cache = new Map<string, LatencyHistogram | null>();
  return specs.map(({ spec, source }) => {
    const base = { expr: source, metric: spec.metricName, request: spec.request, op: spec.op, limit: spec.limit, unit: spec.unit };
    const m = spec.iteration ? measureIterations(result, spec) : spec.target === undefined ? measure(result, spec, cache) : measureTargets(result, spec);
    if ('reason' in m) return { ...base, actual: null, passed: false, reason: m.reason };
    return { ...base, actual: m.actual, passed: compare(m.actual, spec.op, spec.limit) };
  });
}

/**
 * The result's `target[...]` thresholds, each measured on every instance it names (one for
 * `target[10.0.0.2:8080]`, each of them for `target[*]`), aligned with `result.thresholds`: null for a
 * threshold that names no instance (or that the result has no per-target figures for).
 */
export function outcomesByInstance(result: RunResult): Array<InstanceOutcome[] | null> {
  return (result.thresholds ?? []).map((outcome) => {
    let spec: ThresholdSpec;
    try {
      spec = parseResultThreshold(outcome.expr, result);
    } catch {
      return null; // not written by this version's grammar: shown as it is
    }
    if (spec.target === undefined) return null;
    const instances = spec.target === '*' ? Object.keys(result.targets ?? {}) : [spec.target];
    if (instances.length === 0) return null;
    return instances.map((instance) => ({ instance, outcome: evaluateThresholds(result, [{ spec: { ...spec, target: instance }, source: outcome.expr }])[0]! }));
  });
}

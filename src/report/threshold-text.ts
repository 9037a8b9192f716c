// Display text of threshold limits and measured values, in the units a user writes them.
import { formatCount, formatMs, formatPercent, formatRate } from './format.ts';
import type { ThresholdOutcome, ThresholdUnit } from '../result/verdicts.ts';

const trim = (n: number, digits: number): string => String(Number(n.toFixed(digits)));

/** A limit as a user would write it: 250ms, 1.5s, 800µs, 1%, 0.5%, 500/s, 10 (no padding decimals). */
function formatLimitValue(unit: ThresholdUnit, value: number): string {
  switch (unit) {
    case 'ms':
      if (value >= 1000) return `${trim(value / 1000, 3)}s`;
      if (value < 1) return `${trim(value * 1000, 1)}µs`;
      return `${trim(value, 3)}ms`;
    case 'fraction':
      return `${trim(value * 100, 4)}%`;
    case 'rps':
      return `${trim(value, 2)}/s`;
    case 'count':
      return String(value);
  }
}

function formatValue(unit: ThresholdUnit, value: number): string {
  switch (unit) {
    case 'ms':
      return formatMs(value);
    case 'fraction':
      return formatPercent(value);
    case 'rps':
      return `${formatRate(value)}/s`;
    case 'count':
      return formatCount(value);
  }
}

/**
 * Display text of a threshold value in its unit: latency via formatMs, rates as %, rps as "/s", counts.
 * Formats `value` (default: the measured value); null → "no samples" or the outcome's reason.
 */
export function formatThresholdValue(outcome: Pick<ThresholdOutcome, 'unit' | 'actual' | 'reason'>, value: number | null = outcome.actual): string {
  if (value === null) return outcome.reason ?? 'no samples';
  return formatValue(outcome.unit, value);
}

/** "< 250ms": the operator and the formatted limit. */
export function formatThresholdLimit(outcome: Pick<ThresholdOutcome, 'unit' | 'op' | 'limit'>): string {
  return `${outcome.op} ${formatLimitValue(outcome.unit, outcome.limit)}`;
}

const ITERATION_METRIC = 'iteration.';

/**
 * What a threshold measured, in words: "p99 of all requests", "p99 of request \"list\"", "p99 of the
 * flow's iterations", or (given the instance it was measured on) "p99 of target 10.0.0.2:8080".
 */
export function thresholdSubject(outcome: Pick<ThresholdOutcome, 'metric' | 'request'>, instance?: string): string {
  if (outcome.metric.startsWith(ITERATION_METRIC)) return `${outcome.metric.slice(ITERATION_METRIC.length)} of the flow's iterations`;
  if (instance !== undefined) return `${outcome.metric} of target ${instance}`;
  return `${outcome.metric} of ${outcome.request === null ? 'all requests' : `request "${outcome.request}"`}`;
}

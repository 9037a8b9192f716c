// GitHub Actions workflow commands ("::error title=...::message"): one annotation per failed threshold,
// for an abortOnFail stop, and per baseline regression, so a failed gate shows on the run's summary page.
// Escaping follows @actions/core (escapeData / escapeProperty).
import { formatThresholdLimit, formatThresholdValue, thresholdSubject } from './threshold-text.ts';
import type { Comparison, InstanceOutcome, ThresholdOutcome } from '../result/verdicts.ts';
import { regressionList } from './compare-text.ts';
import { formatPercent } from './format.ts';
import type { RunResult } from '../result/result.ts';

const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

function error(title: string, message: string, where?: { file: string; line: number }): string {
  const location = where ? `file=${escapeProperty(where.file)},line=${where.line},` : '';
  return `::error ${location}title=${escapeProperty(title)}::${escapeData(message)}\n`;
}

/** Where a threshold was written: its scenario file and line, when it came from one. */
function whereWritten(result: RunResult, index: number, expr: string): { file: string; line: number } | undefined {
  const written = result.plan.thresholds?.[index];
  if (!result.plan.source || !written || written.expr !== expr || written.line === null) return undefined;
  return { file: result.plan.source, line: written.line };
}

function measured(o: ThresholdOutcome, instance?: string): string {
  const value = o.actual === null ? (o.reason ?? 'no samples') : `measured ${formatThresholdValue(o)}`;
  return `${thresholdSubject(o, instance)}: ${value}, limit ${formatThresholdLimit(o)}`;
}

/**
 * The annotations for a judged result (empty when every gate passed). `byInstance` (aligned with
 * result.thresholds, see judge/thresholds.ts outcomesByInstance): a failed `target[...]` threshold is
 * annotated once per instance that failed it.
 */
export function renderGithubAnnotations(result: RunResult, byInstance: ReadonlyArray<InstanceOutcome[] | null> = []): string {
  let out = '';
  if (result.thresholdAbort) {
    const { outcome, atMs } = result.thresholdAbort;
    out += error(`loadhttp stopped early: ${outcome.expr}`, `after ${(atMs / 1000).toFixed(1)}s: ${measured(outcome)}`);
  }
  (result.thresholds ?? []).forEach((o, i) => {
    if (o.passed) return;
    const where = whereWritten(result, i, o.expr);
    const failedInstances = (byInstance[i] ?? []).filter((x) => !x.outcome.passed);
    if (failedInstances.length === 0) out += error(`loadhttp threshold failed: ${o.expr}`, measured(o), where);
    for (const x of failedInstances) out += error(`loadhttp threshold failed: ${o.expr}`, measured(x.outcome, x.instance), where);
  });
  if (result.baseline) out += renderRegressionAnnotation(result.baseline.comparison);
  return out;
}

/** One annotation listing what regressed against the base (empty when nothing did). */
export function renderRegressionAnnotation(comparison: Comparison): string {
  if (!comparison.regressed) return '';
  return error('loadhttp regression against the baseline', `${regressionList(comparison)} regressed beyond ${formatPercent(comparison.maxRegression)} (see the comparison table in the log)`);
}

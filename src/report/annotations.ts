// GitHub Actions workflow commands ("::error title=...::message"): one annotation per failed threshold,
// for an abortOnFail stop, and per baseline regression, so a failed gate shows on the run's summary page.
// Escaping follows @actions/core (escapeData / escapeProperty).
import { formatThresholdLimit, formatThresholdValue } from './threshold-text.ts';
import type { Comparison, ThresholdOutcome } from '../result/verdicts.ts';
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

function measured(o: ThresholdOutcome): string {
  const scope = o.request === null ? 'all requests' : `request "${o.request}"`;
  const value = o.actual === null ? (o.reason ?? 'no samples') : `measured ${formatThresholdValue(o)}`;
  return `${o.metric} of ${scope}: ${value}, limit ${formatThresholdLimit(o)}`;
}

/** The annotations for a judged result (empty when every gate passed). */
export function renderGithubAnnotations(result: RunResult): string {
  let out = '';
  if (result.thresholdAbort) {
    const { outcome, atMs } = result.thresholdAbort;
    out += error(`loadhttp stopped early: ${outcome.expr}`, `after ${(atMs / 1000).toFixed(1)}s: ${measured(outcome)}`);
  }
  (result.thresholds ?? []).forEach((o, i) => {
    if (!o.passed) out += error(`loadhttp threshold failed: ${o.expr}`, measured(o), whereWritten(result, i, o.expr));
  });
  if (result.baseline) out += renderRegressionAnnotation(result.baseline.comparison);
  return out;
}

/** One annotation listing what regressed against the base (empty when nothing did). */
export function renderRegressionAnnotation(comparison: Comparison): string {
  if (!comparison.regressed) return '';
  const list = comparison.regressions.map((r) => `${r.request ?? 'total'} ${r.metric}`).join(', ');
  return error('loadhttp regression against the baseline', `${list} regressed beyond ${formatPercent(comparison.maxRegression)} (see the comparison table in the log)`);
}

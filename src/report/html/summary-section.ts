// The top of a run's report: loud warnings, the summary facts (target, protocol really used, load model,
// counts, rates) and the thresholds with pass/fail. Reuses the text report's wording (model-lines,
// protocol-lines, load-text) so both say the same thing.
import { formatDuration } from '../../util/duration.ts';
import { describeMerge } from '../merge-text.ts';
import { describeStop, formatBytes, formatCount, formatMs, formatPercent, formatRate } from '../format.ts';
import { describeLoad } from '../load-text.ts';
import { latencyMeaning, warningLines } from '../model-lines.ts';
import { insecureWarning, poolLine, protocolLine, tlsLines } from '../protocol-lines.ts';
import type { RunResult } from '../../result/result.ts';
import { formatThresholdLimit, formatThresholdValue } from '../threshold-text.ts';
import { facts, section, table, text } from './markup.ts';
import { painter } from '../paint.ts';

/** The text helpers' wording without colour: the page styles whole lines itself. */
const plain = painter(false);

/** Warnings that must not be missed: interrupted, saturated generator, drops, failure, TLS off, merge gaps. */
export function warnings(result: RunResult): string {
  const lines: Array<[string, 'bad' | 'warn']> = [];
  if (result.interrupted) lines.push(['INTERRUPTED: partial results (the run was stopped before its end)', 'warn']);
  for (const line of warningLines(result, plain)) lines.push([line, line.includes('DROPPED') ? 'bad' : 'warn']);
  if (result.error) lines.push([`Run failed (${result.error.class}): ${result.error.message}`, 'bad']);
  const insecure = insecureWarning(result);
  if (insecure !== null) lines.push([insecure, 'warn']);
  for (const line of describeMerge(result)) lines.push([line, /INCOMPLETE|FORCED/.test(line) ? 'bad' : 'warn']);
  return lines.map(([line, kind]) => `<p class="banner ${kind}">${text(line)}</p>`).join('\n');
}

function verdict(result: RunResult): string {
  if (result.error) return text('no measurement', 'bad');
  if (result.thresholdsPassed === false) return text('FAIL: a threshold failed', 'bad');
  if (result.baseline?.comparison.regressed) return text('FAIL: regressed against the baseline', 'bad');
  if ((result.thresholds ?? []).length > 0) return text('pass', 'good');
  return text('no thresholds', 'dim');
}

export function summarySection(result: RunResult, id: string): string {
  const c = result.counts;
  const stop = describeStop(result.stopReason);
  const warmup = result.warmup.durationMs > 0 || result.warmup.sent > 0 ? `; warmup ${formatDuration(Math.round(result.warmup.durationMs))} (${formatCount(result.warmup.sent)} requests, not counted)` : '';
  const counts =
    `${formatCount(c.sent)} sent, ${formatCount(c.completed)} completed, ${formatCount(c.failed)} failed, ${formatCount(c.cancelled)} cancelled` +
    (c.dropped ? `, ${formatCount(c.dropped)} dropped` : '') +
    (c.retries !== undefined ? `, ${formatCount(c.retries)} retries` : '');
  const errors = c.failed + result.unexpectedStatus;
  const pairs: Array<[string, string]> = [
    ['verdict', verdict(result)],
    ['target', text(result.target)],
    ['protocol', text(protocolLine(result))],
    ...tlsLines(result).map(([label, line]): [string, string] => [label, text(line)]),
    ['load', text(describeLoad(result.plan))],
    ['pool', text(poolLine(result.plan))],
    ['started', text(result.startedAt)],
    ['duration', text(`${formatDuration(Math.round(result.durationMs))} measured (stop: ${stop ?? result.stopReason})${warmup}`)],
    ['requests', text(counts)],
    ['throughput', text(`${formatRate(result.rps)} req/s completed`)],
    ['errors', text(`${formatCount(errors)} (${formatPercent(result.errorRate)}): ${formatCount(c.failed)} failed, ${formatCount(result.unexpectedStatus)} unexpected status`, errors > 0 ? 'bad' : undefined)],
    ['latency', text(result.latencyMs.count === 0 ? '-' : `P50 ${formatMs(result.latencyMs.p50)}, P99 ${formatMs(Math.min(result.latencyMs.p99, result.latencyMs.max))}, max ${formatMs(result.latencyMs.max)} (${latencyMeaning(result)})`)],
    ['bytes', text(`${formatBytes(result.bytes.sent)} sent, ${formatBytes(result.bytes.received)} received`)],
    ['tool', text(`loadhttp ${result.tool.version} on Node ${result.tool.node}${result.workers ? `, ${result.workers} worker threads` : ''}`)],
  ];
  return section('Summary', facts(pairs), id);
}

export function thresholdsSection(result: RunResult): string | null {
  const outcomes = result.thresholds ?? [];
  if (outcomes.length === 0) return null;
  const rows = outcomes.map((o) => [
    `<code>${text(o.expr)}</code>`,
    o.actual === null ? text(o.reason ?? 'no samples', 'bad') : text(formatThresholdValue(o)),
    text(formatThresholdLimit(o)),
    o.passed ? text('pass', 'good') : text('FAIL', 'bad'),
  ]);
  const failed = outcomes.filter((o) => !o.passed).length;
  const title = failed > 0 ? `Thresholds: ${failed} of ${outcomes.length} failed` : `Thresholds: all ${outcomes.length} passed`;
  let body = table(['threshold', 'measured', 'limit', 'result'], rows, [false, true, false, false]);
  if (result.thresholdAbort) {
    const { outcome, atMs } = result.thresholdAbort;
    body += `\n<p class="bad">${text(`stopped early after ${formatDuration(Math.round(atMs))}: ${outcome.expr} failed (abortOnFail)`)}</p>`;
  }
  return section(title, body);
}

// The end-of-run report for humans: header, latency table, TTFB/queue-wait line, counts, status codes and
// errors. A pure function of RunResult. Kept within ~100 columns.
import { formatDuration } from '../util/duration.ts';
import { byCodePoint, describeStop, formatBytes, formatCount, formatMs, formatPercent, formatRate } from './format.ts';
import type { IterationStats, RequestStats, RunResult } from '../result/result.ts';
import { describeLoad } from './load-text.ts';
import { latencyMeaning, modelLines, warningLines } from './model-lines.ts';
import { renderComparison } from './compare-text.ts';
import { formatThresholdLimit, formatThresholdValue } from './threshold-text.ts';
import { painter, type Paint } from './paint.ts';
import { renderTextTable } from './text-table.ts';
import { insecureWarning, poolLine, protocolLine, tlsLines } from './protocol-lines.ts';

export interface ReportOptions {
  /** ANSI colours (bold header, red errors). false: no escape codes at all. */
  color: boolean;
}

/** Longest request name shown in the latency table before it is cut with "…". */
const MAX_NAME = 22;
/** Longest error example shown in the error table before it is cut with "…". */
const MAX_EXAMPLE = 64;
/** Longest threshold expression / reason shown in the threshold table before it is cut with "…". */
const MAX_EXPR = 40;

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}

/** Measured lengths are fractional ms: show them to the millisecond ("30.012s", "1m30s"). */
function formatSpan(ms: number): string {
  return formatDuration(Math.max(0, Math.round(ms)));
}

function boundsLine(result: RunResult): string {
  const { durationMs, iterations, defaultDuration } = result.plan;
  const parts: string[] = [];
  if (durationMs !== null) parts.push(formatDuration(durationMs));
  if (iterations !== null) parts.push(plural(iterations, result.plan.flow ? 'iteration' : 'request'));
  let text = parts.length === 0 ? 'none' : parts.join(' or ');
  if (parts.length > 1) text += ', whichever comes first';
  if (defaultDuration) text += ' (default: no duration or iterations given)';
  return text;
}

/** "  label       value", labels in a 12-wide column. */
function labelled(paint: Paint, label: string, value: string): string {
  return `  ${paint.bold(label.padEnd(12))}${value}`;
}

function headerLines(result: RunResult, paint: Paint): string[] {
  const { plan } = result;
  const lines: string[] = [];
  const source = plan.source ? ` (${plan.source})` : '';
  lines.push(paint.bold(`loadhttp ${result.tool.version} — ${result.name}${source}`));
  if (result.interrupted) {
    lines.push(paint.bold(paint.yellow('!! INTERRUPTED — partial results (the run was stopped before its end) !!')));
  }
  lines.push(...warningLines(result, paint));
  if (result.error) {
    lines.push(paint.bold(paint.red(`Run failed (${result.error.class}): ${result.error.message}`)));
  }
  const insecure = insecureWarning(result);
  if (insecure !== null) lines.push(paint.bold(paint.yellow(insecure)));

  const field = (label: string, value: string): string => labelled(paint, label, value);
  lines.push(field(result.plan.targets ? 'targets' : 'target', result.plan.targets?.join(', ') ?? result.target));
  lines.push(field('protocol', protocolLine(result)));
  for (const [label, text] of tlsLines(result)) lines.push(field(label, text));
  lines.push(field('load', describeLoad(plan)));
  lines.push(field('bounds', boundsLine(result)));
  const stop = describeStop(result.stopReason);
  let duration = `${formatSpan(result.durationMs)} measured (stop: ${stop})`;
  if (result.warmup.durationMs > 0 || result.warmup.sent > 0) {
    duration += `; warmup ${formatSpan(result.warmup.durationMs)} (${plural(result.warmup.sent, 'request')}, not counted)`;
  }
  lines.push(field('duration', duration));
  lines.push(
    field(
      'pool',
      poolLine(plan),
    ),
  );
  return lines;
}

function errorCell(stats: RequestStats, paint: Paint): string {
  const errors = stats.counts.failed + stats.unexpectedStatus;
  if (errors === 0) return '0';
  return paint.red(`${formatCount(errors)} (${formatPercent(stats.errorRate)})`);
}

function latencyRow(name: string, stats: RequestStats, paint: Paint): string[] {
  const l = stats.latencyMs;
  const empty = stats.counts.completed === 0 && l.count === 0;
  // HDR percentiles are bucket upper bounds and may exceed the exact max by a bucket: never show P > max.
  const ms = (value: number): string => (empty ? '-' : formatMs(Math.min(value, l.max)));
  return [
    name,
    formatCount(stats.counts.completed),
    formatRate(stats.rps),
    empty ? '-' : formatMs(l.mean),
    ms(l.p50),
    ms(l.p90),
    ms(l.p99),
    ms(l.p999),
    ms(l.max),
    errorCell(stats, paint),
  ];
}

function latencySection(result: RunResult, paint: Paint): string {
  const entries = Object.entries(result.requests);
  const rows = entries.map(([name, stats]) => latencyRow(truncate(name, MAX_NAME), stats, paint));
  if (entries.length > 1) rows.push(latencyRow('total', result, paint).map((cell, i) => (i === 0 ? paint.bold(cell) : cell)));
  if (result.iterations) rows.push(iterationRow(result.iterations, paint));
  const table = renderTextTable(
    ['name', 'count', 'req/s', 'mean', 'P50', 'P90', 'P99', 'P99.9', 'max', 'errors'],
    rows,
    paint,
    { align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'] },
  );
  const flow = result.iterations ? '; the flow\'s steps in order, then whole iterations' : '';
  return `${paint.bold('Latency')} (${latencyMeaning(result)}; completed requests${flow})\n${table}`;
}

/** A flow's iterations (completed and failed) as a latency row: their duration, completed ones per second. */
function iterationRow(iterations: IterationStats, paint: Paint): string[] {
  const d = iterations.durationMs;
  const ms = (value: number): string => (d.count === 0 ? '-' : formatMs(Math.min(value, d.max)));
  const failed = iterations.failed === 0 ? '0' : paint.red(`${formatCount(iterations.failed)} failed`);
  return [
    paint.bold('iteration'),
    formatCount(iterations.completed + iterations.failed),
    formatRate(iterations.rps),
    d.count === 0 ? '-' : formatMs(d.mean),
    ms(d.p50),
    ms(d.p90),
    ms(d.p99),
    ms(d.p999),
    ms(d.max),
    failed,
  ];
}

/** Several targets: one row per instance, so an unhealthy one stands out. */
function targetSection(result: RunResult, paint: Paint): string | null {
  const targets = Object.entries(result.targets ?? {});
  if (targets.length === 0) return null;
  const rows = targets.map(([name, stats]) => latencyRow(truncate(name, MAX_NAME), stats, paint));
  const table = renderTextTable(
    ['target', 'count', 'req/s', 'mean', 'P50', 'P90', 'P99', 'P99.9', 'max', 'errors'],
    rows,
    paint,
    { align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'] },
  );
  return `${paint.bold('Targets')} (${result.plan.balance ?? 'round-robin'}; latency from the send to each instance; errors: failures and statuses outside 2xx/3xx)\n${table}`;
}

function timingLines(result: RunResult, paint: Paint): string[] {
  const t = result.ttfbMs;
  const q = result.queueWaitMs;
  const ttfb = t.count === 0 ? '-' : `P50 ${formatMs(Math.min(t.p50, t.max))}, P99 ${formatMs(Math.min(t.p99, t.max))}`;
  const queue =
    q.count === 0
      ? '-'
      : `P50 ${formatMs(Math.min(q.p50, q.max))}, P99 ${formatMs(Math.min(q.p99, q.max))}, max ${formatMs(q.max)}`;
  return [
    labelled(paint, 'TTFB', ttfb),
    labelled(
      paint,
      'queue wait',
      `${queue} (waiting for a pool slot, ${result.latencyCorrection === 'intended-start' ? 'included in latency: it counts from the intended start' : 'not included in latency'})`,
    ),
  ];
}

function countLines(result: RunResult, paint: Paint): string[] {
  const c = result.counts;
  const failed = `${formatCount(c.failed)} failed`;
  return [
    labelled(
      paint,
      'requests',
      `${formatCount(c.sent)} sent, ${formatCount(c.completed)} completed, ` +
        `${c.failed > 0 ? paint.red(failed) : failed}, ${formatCount(c.cancelled)} cancelled${resentText(result)}`,
    ),
    ...retryLines(result, paint),
    ...(result.iterations
      ? [
          labelled(
            paint,
            'iterations',
            `${formatCount(result.iterations.completed)} completed, ${formatCount(result.iterations.failed)} failed (a step failed; its later steps not sent), ${formatCount(result.iterations.interrupted)} interrupted by the stop`,
          ),
        ]
      : []),
    labelled(paint, 'bytes', `${formatBytes(result.bytes.sent)} sent, ${formatBytes(result.bytes.received)} received`),
  ];
}

/** Requests the server had not processed, written again on a new connection (each still counted once above). */
function resentText(result: RunResult): string {
  const resent = result.resent ?? 0;
  return resent > 0 ? `; ${formatCount(resent)} written again on a new connection (the server had not processed them)` : '';
}

/** With a retry policy: the retries, and the first try apart from the with-retries latency above. */
function retryLines(result: RunResult, paint: Paint): string[] {
  const retries = result.counts.retries;
  const first = result.firstTryMs;
  if (retries === undefined || first === undefined) return [];
  const failures = result.firstTryFailures ?? 0;
  const failed = `${formatCount(failures)} first tries failed`;
  const latency = first.count === 0 ? '-' : `P50 ${formatMs(first.p50)}, P99 ${formatMs(first.p99)}, max ${formatMs(first.max)}`;
  return [
    labelled(
      paint,
      'retries',
      `${formatCount(retries)} (the server saw ${formatCount(result.counts.sent + retries)} requests), ${failures > 0 ? paint.red(failed) : failed}`,
    ),
    labelled(paint, 'first try', `${latency} (latency above includes retries and backoff)`),
  ];
}

function statusSection(result: RunResult, paint: Paint): string | null {
  const codes = Object.entries(result.statusCodes).sort(([a], [b]) => Number(a) - Number(b) || byCodePoint(a, b));
  if (codes.length === 0) return null;
  const total = codes.reduce((sum, [, n]) => sum + n, 0);
  const rows = codes.map(([code, n]) => [Number(code) >= 500 ? paint.red(code) : code, formatCount(n), formatPercent(total === 0 ? 0 : n / total)]);
  const lines = [paint.bold('Status codes'), renderTextTable(['code', 'count', 'share'], rows, paint, { align: ['left', 'right', 'right'] })];
  const unexpected = `  unexpected: ${formatCount(result.unexpectedStatus)} total (status outside each request's expect)`;
  lines.push(result.unexpectedStatus > 0 ? paint.red(unexpected) : unexpected);
  return lines.join('\n');
}

function errorSection(result: RunResult, paint: Paint): string | null {
  const classes = Object.entries(result.errors)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || byCodePoint(a, b));
  if (classes.length === 0) return null;
  const rows = classes.map(([errorClass, n]) => {
    const example = result.errorExamples[errorClass]?.[0];
    return [paint.red(errorClass), formatCount(n), example === undefined ? '-' : truncate(example, MAX_EXAMPLE)];
  });
  return `${paint.bold(paint.red('Errors'))}\n${renderTextTable(['class', 'count', 'first example'], rows, paint, { align: ['left', 'right', 'left'] })}`;
}

export function renderReport(result: RunResult, options: ReportOptions): string {
  const paint = painter(options.color);
  const sections: string[] = [
    headerLines(result, paint).join('\n'),
    latencySection(result, paint),
    ...[targetSection(result, paint)].filter((section): section is string => section !== null),
    [
      ...timingLines(result, paint),
      ...modelLines(result, paint).map(([label, text]) => labelled(paint, label, text)),
      ...countLines(result, paint),
    ].join('\n'),
  ];
  const status = statusSection(result, paint);
  if (status !== null) sections.push(status);
  const errors = errorSection(result, paint);
  if (errors !== null) sections.push(errors);
  if (result.baseline) {
    const comparison = renderComparison(result.baseline.comparison, { color: options.color }).trimEnd();
    sections.push(`${paint.bold('Baseline')} (${result.baseline.file})\n${comparison}`);
  }
  const thresholds = thresholdSection(result, paint);
  if (thresholds !== null) sections.push(thresholds);
  return `${sections.join('\n\n')}\n`;
}

/** Last, so a CI log ends with the verdict: each threshold, what was measured, and pass/FAIL. */
function thresholdSection(result: RunResult, paint: Paint): string | null {
  if (result.shard) return shardThresholdSection(result, paint);
  const outcomes = result.thresholds ?? [];
  if (outcomes.length === 0) return null;
  const rows = outcomes.map((o) => [
    truncate(o.expr, MAX_EXPR),
    o.actual === null ? paint.red(truncate(o.reason ?? 'no samples', MAX_EXPR)) : formatThresholdValue(o),
    formatThresholdLimit(o),
    o.passed ? 'pass' : paint.bold(paint.red('FAIL')),
  ]);
  const table = renderTextTable(['threshold', 'measured', 'limit', 'result'], rows, paint, { align: ['left', 'right', 'left', 'left'] });
  const failed = outcomes.filter((o) => !o.passed).length;
  const title =
    failed > 0
      ? paint.bold(paint.red(`Thresholds: ${failed} of ${outcomes.length} failed`))
      : paint.bold(`Thresholds: ${outcomes.length === 1 ? 'the one threshold' : `all ${outcomes.length}`} passed`);
  const lines = [title, table];
  if (result.thresholdAbort) lines.push(abortLine(result.thresholdAbort, '', paint));
  return lines.join('\n');
}

/**
 * One shard's figures are a part of the load, so its thresholds are not judged here (`loadhttp merge`
 * judges them on the whole); but an abortOnFail threshold has to decide during the run, and a shard
 * sees only its own figures: it judges those and stops this shard alone.
 */
function shardThresholdSection(result: RunResult, paint: Paint): string | null {
  const planned = result.plan.thresholds ?? [];
  if (planned.length === 0) return null;
  const { count } = result.shard!;
  const lines = [paint.bold(`Thresholds: judged by \`loadhttp merge\` on the ${count} shards together, not on this shard`)];
  const aborting = planned.filter((t) => t.abortOnFail).map((t) => t.expr);
  if (aborting.length > 0) {
    lines.push(`  abortOnFail (${aborting.join(', ')}): judged on this shard's own figures during the run; a failure stops this shard only`);
  }
  if (result.thresholdAbort) lines.push(abortLine(result.thresholdAbort, " on this shard's figures", paint));
  return lines.join('\n');
}

function abortLine({ outcome, atMs }: NonNullable<RunResult['thresholdAbort']>, where: string, paint: Paint): string {
  const seen = outcome.actual === null ? (outcome.reason ?? 'no samples') : formatThresholdValue(outcome);
  return paint.red(`  stopped early after ${formatSpan(atMs)}: ${outcome.expr} failed${where} (measured ${seen}; abortOnFail)`);
}

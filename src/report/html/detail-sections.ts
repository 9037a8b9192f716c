// A run's detail sections: the latency table per request, status codes, failure classes with their
// examples, the generator's health, and the baseline comparison.
import { formatDelta, formatRowValue, metricLabel, notComparedLines, regressionList, scopeName, verdictText } from '../compare-text.ts';
import { byCodePoint, formatCount, formatMs, formatPercent, formatRate } from '../format.ts';
import { latencyMeaning, modelLines } from '../model-lines.ts';
import type { LatencySummary, RequestStats, RunResult } from '../../result/result.ts';
import { facts, section, table, text } from './markup.ts';
import { painter } from '../paint.ts';

/** The text helpers' wording without colour: the page styles whole lines itself. */
const plain = painter(false);
const NUMERIC_LATENCY = [false, false, true, true, true, true, true, true, true, true, true, true];

/** HDR percentiles are bucket upper bounds and may pass the exact max by a bucket: never show P > max. */
function latencyCells(s: LatencySummary): string[] {
  if (s.count === 0) return ['-', '-', '-', '-', '-', '-', '-'].map((c) => text(c));
  const ms = (v: number) => text(formatMs(Math.min(v, s.max)));
  return [text(formatCount(s.count)), text(formatMs(s.mean)), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.p999), text(formatMs(s.max))];
}

/** `corrected`: latency is corrected for coordinated omission, so the uncorrected service time differs and gets a row. */
function requestRows(name: string, stats: RequestStats, corrected: boolean): string[][] {
  const errors = stats.counts.failed + stats.unexpectedStatus;
  const head = (kind: string) => [kind === 'latency' ? `<strong>${text(name)}</strong>` : '', text(kind)];
  const tail = (first: boolean) =>
    first ? [text(formatRate(stats.rps)), errors === 0 ? '0' : text(`${formatCount(errors)} (${formatPercent(stats.errorRate)})`, 'bad')] : ['', ''];
  const rows = [[...head('latency'), ...latencyCells(stats.latencyMs), ...tail(true)]];
  rows.push([...head('TTFB'), ...latencyCells(stats.ttfbMs), ...tail(false)]);
  if (stats.serviceTimeMs && corrected) rows.push([...head('service time'), ...latencyCells(stats.serviceTimeMs), ...tail(false)]);
  if (stats.firstTryMs) rows.push([...head('first try'), ...latencyCells(stats.firstTryMs), ...tail(false)]);
  return rows;
}

/** Per request (and the total, with several): latency, TTFB, service time (when corrected) and first try, in ms. */
export function latencyTable(result: RunResult): string {
  const entries = Object.entries(result.requests);
  const corrected = result.latencyCorrection !== undefined && result.latencyCorrection !== 'none';
  const rows = entries.flatMap(([name, stats]) => requestRows(name, stats, corrected));
  if (entries.length > 1) rows.push(...requestRows('total', result, corrected));
  // A flow: whole iterations after its steps; several targets: each instance (latency from its own send).
  const it = result.iterations;
  if (it) {
    const failed = it.failed === 0 ? '0' : text(`${formatCount(it.failed)} failed`, 'bad');
    rows.push([`<strong>${text('iteration')}</strong>`, text('duration'), ...latencyCells(it.durationMs), text(formatRate(it.rps)), failed]);
  }
  for (const [name, stats] of Object.entries(result.targets ?? {})) rows.push(...requestRows(`target ${name}`, stats, false));
  const head = ['request', 'figure', 'count', 'mean', 'P50', 'P90', 'P99', 'P99.9', 'max', 'req/s', 'errors'];
  const queue = result.queueWaitMs;
  const note = `<p class="dim">${text(`Latency: ${latencyMeaning(result)}. Queue wait (for a pool slot): ${queue.count === 0 ? '-' : `P50 ${formatMs(Math.min(queue.p50, queue.max))}, P99 ${formatMs(Math.min(queue.p99, queue.max))}, max ${formatMs(queue.max)}`}.`)}</p>`;
  return `${table(head, rows, NUMERIC_LATENCY)}\n${note}`;
}

/** Status codes by request (columns) and in total; unexpected ones marked. */
export function statusSection(result: RunResult): string | null {
  const codes = Object.keys(result.statusCodes).sort((a, b) => Number(a) - Number(b) || byCodePoint(a, b));
  if (codes.length === 0) return null;
  const names = Object.keys(result.requests);
  const several = names.length > 1;
  const total = codes.reduce((sum, code) => sum + result.statusCodes[code]!, 0);
  const rows = codes.map((code) => [
    text(code, Number(code) >= 500 ? 'bad' : Number(code) >= 400 ? 'warn' : undefined),
    ...(several ? names.map((name) => text(formatCount(result.requests[name]!.statusCodes[code] ?? 0))) : []),
    text(formatCount(result.statusCodes[code]!)),
    text(formatPercent(result.statusCodes[code]! / total)),
  ]);
  const head = ['status', ...(several ? names : []), several ? 'total' : 'count', 'share'].map((h) => text(h));
  const unexpected = `<p class="${result.unexpectedStatus > 0 ? 'bad' : 'dim'}">${text(`${formatCount(result.unexpectedStatus)} responses with a status outside the request's expect`)}</p>`;
  return section('Status codes', `${table(head, rows, head.map((_, i) => i > 0))}\n${unexpected}`);
}

/** Failure classes with their counts per request and every example message kept. */
export function failureSection(result: RunResult): string | null {
  const classes = Object.entries(result.errors)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || byCodePoint(a, b));
  if (classes.length === 0) return null;
  const rows = classes.map(([failure, n]) => {
    const by = Object.entries(result.requests)
      .filter(([, stats]) => (stats.errors[failure] ?? 0) > 0)
      .map(([name, stats]) => `${name}: ${formatCount(stats.errors[failure]!)}`)
      .join(', ');
    const examples = (result.errorExamples[failure] ?? []).map((m) => `<li><code>${text(m)}</code></li>`).join('');
    return [text(failure, 'bad'), text(formatCount(n)), text(by), examples ? `<ul class="examples">${examples}</ul>` : '-'];
  });
  return section('Failures', table(['class', 'count', 'by request', 'examples'], rows, [false, true, false, false]));
}

/** Event-loop delay, CPU, schedule lag and drops, and the saturation verdict with its reasons ('' when none). */
export function generatorFacts(result: RunResult): string {
  const pairs: Array<[string, string]> = modelLines(result, plain).map(([label, line]) => [label, text(line)]);
  const g = result.generator;
  if (g) {
    pairs.push(['saturated', g.saturated ? text(`yes: ${g.reasons.join('; ')}`, 'bad') : text('no: the figures are limited by the target, not this machine', 'good')]);
    pairs.push(['limits', text(`event-loop delay P99 ${formatMs(g.limits.eventLoopDelayP99Ms)}, CPU ${g.limits.cpuPercent}%, schedule lag P90 ${formatMs(g.limits.scheduleLagP90Ms)}`)]);
  }
  if (result.arrival && result.counts.dropped !== undefined) pairs.push(['dropped', text(formatCount(result.counts.dropped), result.counts.dropped > 0 ? 'bad' : undefined)]);
  return pairs.length > 0 ? facts(pairs) : '';
}

/** `--baseline` (run) or `compare`: each scope's rows, and the verdict. */
export function baselineSection(result: RunResult): string | null {
  const baseline = result.baseline;
  if (!baseline) return null;
  const c = baseline.comparison;
  const rows = c.scopes.flatMap((scope) =>
    scope.rows.map((row, i) => [
      i === 0 ? `<strong>${text(scopeName(scope))}</strong>` : '',
      text(metricLabel(row.metric, scope)),
      text(formatRowValue(row.metric, row.base)),
      text(formatRowValue(row.metric, row.current)),
      text(formatDelta(row)),
      text(verdictText(row), row.verdict === 'regressed' ? 'bad' : row.verdict === 'improved' ? 'good' : 'dim'),
    ]),
  );
  const intro = `<p>${text(`${c.current.name} (${c.current.startedAt}) against the base ${c.base.name} (${c.base.startedAt}, ${baseline.file}); allowed regression ${formatPercent(c.maxRegression)}`)}</p>`;
  const only = notComparedLines(c, { base: 'the base', current: 'this run' })
    .map((line) => `<p class="dim">${text(line)}</p>`)
    .join('\n');
  const list = regressionList(c);
  const outcome = c.regressed
    ? `<p class="banner bad">${text(`REGRESSED: ${list} (beyond ${formatPercent(c.maxRegression)} and not noise)`)}</p>`
    : `<p class="good">${text(`OK: no regression beyond ${formatPercent(c.maxRegression)}`)}</p>`;
  const body = [intro, table(['request', 'metric', 'base', 'current', 'delta', 'verdict'], rows, [false, false, true, true, true, false]), only, outcome];
  return section('Baseline comparison', body.filter(Boolean).join('\n'));
}

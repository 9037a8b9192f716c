// A comparison with a baseline (src/judge/compare.ts) as a text table with a one-line verdict.
import { formatMs, formatPercent, formatRate } from './format.ts';
import type { CompareMetric, Comparison, ComparisonRow, ComparisonScope } from '../result/verdicts.ts';
import { painter } from './paint.ts';
import { renderTextTable } from './text-table.ts';

export function formatRowValue(metric: CompareMetric, v: number | null): string {
  if (v === null) return '-';
  if (metric === 'rps') return `${formatRate(v)}/s`;
  if (metric === 'errors') return formatPercent(v);
  return formatMs(v);
}

export function formatDelta(row: ComparisonRow): string {
  if (row.delta === null) return row.base === 0 && row.current !== null && row.current > 0 ? 'new' : '-';
  if (row.deltaKind === 'absolute') {
    const pp = row.delta * 100;
    return `${pp > 0 ? '+' : pp < 0 ? '−' : '±'}${Math.abs(pp).toFixed(2)}pp`;
  }
  const pct = row.delta * 100;
  const abs = Math.abs(pct);
  return `${pct > 0 ? '+' : pct < 0 ? '−' : '±'}${abs >= 100 ? abs.toFixed(0) : abs.toFixed(1)}%`;
}

export function verdictText(row: ComparisonRow): string {
  switch (row.verdict) {
    case 'regressed':
      return 'REGRESSED';
    case 'improved':
      return 'improved';
    case 'noise':
      return row.reason ? `noise: ${row.reason}` : 'noise';
    case 'ok':
      return 'ok';
  }
}

/** "total", a request's name, "iteration" (a flow's iterations) or "target 10.0.0.2:8080". */
export function scopeName(scope: Pick<ComparisonScope, 'request' | 'kind' | 'target'>): string {
  if (scope.request !== null) return scope.request;
  if (scope.kind === 'iterations') return 'iteration';
  if (scope.kind === 'target') return `target ${scope.target ?? '?'}`;
  return 'total';
}

/** A row's metric as the tables show it: P50 … Max, req/s (iterations/s for a flow's iterations), errors. */
export function metricLabel(metric: CompareMetric, scope: Pick<ComparisonScope, 'kind'>): string {
  if (metric === 'rps') return scope.kind === 'iterations' ? 'iterations/s' : 'req/s';
  return metric === 'errors' ? 'errors' : metric === 'max' ? 'Max' : metric.toUpperCase();
}

/** "total p99, iteration errors": what regressed. */
export function regressionList(c: Comparison): string {
  return c.regressions.map((r) => `${scopeName(r)} ${r.metric}`).join(', ');
}

/** What one run has and the other lacks (not compared), one sentence each; `sides` names the two runs. */
export function notComparedLines(c: Comparison, sides: { base: string; current: string }): string[] {
  const other = (side: 'base' | 'current') => (side === 'base' ? sides.current : sides.base);
  const lines: string[] = [];
  if (c.onlyInBase.length > 0) lines.push(`Only in ${sides.base} (not compared): ${c.onlyInBase.join(', ')}`);
  if (c.onlyInCurrent.length > 0) lines.push(`Only in ${sides.current} (not compared): ${c.onlyInCurrent.join(', ')}`);
  if (c.iterationsOnlyIn) {
    lines.push(`Iteration figures only in ${sides[c.iterationsOnlyIn]} (${other(c.iterationsOnlyIn)} ran no flow): not compared`);
  }
  if (c.targetsOnlyInBase) lines.push(`Targets only in ${sides.base} (not compared): ${c.targetsOnlyInBase.join(', ')}`);
  if (c.targetsOnlyInCurrent) lines.push(`Targets only in ${sides.current} (not compared): ${c.targetsOnlyInCurrent.join(', ')}`);
  return lines;
}

/** Plain-text table of a comparison (colour optional), ending with a one-line verdict. */
export function renderComparison(c: Comparison, options: { color: boolean }): string {
  const paint = painter(options.color);
  const verdictCell = (row: ComparisonRow): string => {
    const text = verdictText(row);
    if (row.verdict === 'regressed') return paint.red(paint.bold(text));
    if (row.verdict === 'improved') return paint.green(text);
    if (row.verdict === 'noise' && !row.informational) return paint.yellow(text);
    return paint.dim(text);
  };
  const rows = c.scopes.flatMap((scope) =>
    scope.rows.map((row, i) => [
      i === 0 ? scopeName(scope) : '',
      metricLabel(row.metric, scope),
      formatRowValue(row.metric, row.base),
      formatRowValue(row.metric, row.current),
      formatDelta(row),
      verdictCell(row),
    ]),
  );
  const out: string[] = [];
  out.push(`Comparing ${c.current.name} (${c.current.startedAt}) against base ${c.base.name} (${c.base.startedAt}); allowed regression ${formatPercent(c.maxRegression)}`);
  out.push('');
  out.push(
    renderTextTable(['Request', 'Metric', 'Base', 'Current', 'Delta', 'Verdict'], rows, paint, {
      align: ['left', 'left', 'right', 'right', 'right', 'left'],
      indent: 0,
    }),
  );
  const notCompared = notComparedLines(c, { base: 'base', current: 'current' });
  if (notCompared.length > 0) out.push('', ...notCompared);
  out.push('');
  if (c.regressed) {
    out.push(paint.red(paint.bold(`REGRESSED: ${regressionList(c)} (beyond ${formatPercent(c.maxRegression)} and not noise)`)));
  } else {
    out.push(paint.green(`OK: no regression beyond ${formatPercent(c.maxRegression)}`));
  }
  return `${out.join('\n')}\n`;
}

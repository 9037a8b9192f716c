// A comparison with a baseline (src/judge/compare.ts) as a text table with a one-line verdict.
import { formatMs, formatPercent, formatRate } from './format.ts';
import type { CompareMetric, Comparison, ComparisonRow } from '../result/verdicts.ts';
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
      i === 0 ? (scope.request ?? 'total') : '',
      row.metric === 'errors' ? 'errors' : row.metric === 'rps' ? 'req/s' : row.metric === 'max' ? 'Max' : row.metric.toUpperCase(),
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
  if (c.onlyInBase.length > 0 || c.onlyInCurrent.length > 0) out.push('');
  if (c.onlyInBase.length > 0) out.push(`Only in base (not compared): ${c.onlyInBase.join(', ')}`);
  if (c.onlyInCurrent.length > 0) out.push(`Only in current (not compared): ${c.onlyInCurrent.join(', ')}`);
  out.push('');
  if (c.regressed) {
    const list = c.regressions.map((r) => `${r.request ?? 'total'} ${r.metric}`).join(', ');
    out.push(paint.red(paint.bold(`REGRESSED: ${list} (beyond ${formatPercent(c.maxRegression)} and not noise)`)));
  } else {
    out.push(paint.green(`OK: no regression beyond ${formatPercent(c.maxRegression)}`));
  }
  return `${out.join('\n')}\n`;
}

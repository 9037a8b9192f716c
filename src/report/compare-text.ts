// A comparison with a baseline (src/judge/compare.ts) as a text table with a one-line verdict.
import { formatMs, formatPercent, formatRate } from './format.ts';
import type { CompareMetric, Comparison, ComparisonRow, Verdict } from '../result/verdicts.ts';

const ANSI = { red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', dim: '\u001b[2m', bold: '\u001b[1m', reset: '\u001b[0m' };

function formatRowValue(metric: CompareMetric, v: number | null): string {
  if (v === null) return '-';
  if (metric === 'rps') return `${formatRate(v)}/s`;
  if (metric === 'errors') return formatPercent(v);
  return formatMs(v);
}

function formatDelta(row: ComparisonRow): string {
  if (row.delta === null) return row.base === 0 && row.current !== null && row.current > 0 ? 'new' : '-';
  if (row.deltaKind === 'absolute') {
    const pp = row.delta * 100;
    return `${pp > 0 ? '+' : pp < 0 ? '−' : '±'}${Math.abs(pp).toFixed(2)}pp`;
  }
  const pct = row.delta * 100;
  const abs = Math.abs(pct);
  return `${pct > 0 ? '+' : pct < 0 ? '−' : '±'}${abs >= 100 ? abs.toFixed(0) : abs.toFixed(1)}%`;
}

function verdictText(row: ComparisonRow): string {
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

/** Visible width in code points (cells are padded before colour is applied). */
const width = (s: string): number => Array.from(s).length;
const padEnd = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - width(s)));
const padStart = (s: string, w: number): string => ' '.repeat(Math.max(0, w - width(s))) + s;

/** Plain-text table of a comparison (colour optional), ending with a one-line verdict. */
export function renderComparison(c: Comparison, options: { color: boolean }): string {
  const paint = (code: string, s: string): string => (options.color ? `${code}${s}${ANSI.reset}` : s);
  const header = ['Request', 'Metric', 'Base', 'Current', 'Delta', 'Verdict'];
  const rows: Array<{ cells: string[]; verdict: Verdict; informational: boolean }> = [];
  for (const scope of c.scopes) {
    scope.rows.forEach((row, i) => {
      rows.push({
        cells: [
          i === 0 ? (scope.request ?? 'total') : '',
          row.metric === 'errors' ? 'errors' : row.metric === 'rps' ? 'req/s' : row.metric === 'max' ? 'Max' : row.metric.toUpperCase(),
          formatRowValue(row.metric, row.base),
          formatRowValue(row.metric, row.current),
          formatDelta(row),
          verdictText(row),
        ],
        verdict: row.verdict,
        informational: row.informational,
      });
    });
  }
  const widths = header.map((h, col) => Math.max(width(h), ...rows.map((r) => width(r.cells[col] ?? ''))));
  const rightAligned = new Set([2, 3, 4]);
  const line = (cells: string[]): string[] =>
    cells.map((cell, col) => {
      const w = widths[col] ?? 0;
      if (col === cells.length - 1) return cell; // last column: no trailing padding
      return rightAligned.has(col) ? padStart(cell, w) : padEnd(cell, w);
    });

  const out: string[] = [];
  out.push(`Comparing ${c.current.name} (${c.current.startedAt}) against base ${c.base.name} (${c.base.startedAt}); allowed regression ${formatPercent(c.maxRegression)}`);
  out.push('');
  out.push(paint(ANSI.bold, line(header).join('  ')));
  out.push(line(header.map((_, i) => '-'.repeat(widths[i] ?? 0))).join('  '));
  for (const r of rows) {
    const cells = line(r.cells);
    const last = cells.length - 1;
    const v = cells[last] ?? '';
    cells[last] =
      r.verdict === 'regressed' ? paint(ANSI.red + ANSI.bold, v) : r.verdict === 'improved' ? paint(ANSI.green, v) : r.verdict === 'noise' ? paint(r.informational ? ANSI.dim : ANSI.yellow, v) : paint(ANSI.dim, v);
    out.push(cells.join('  ').trimEnd());
  }
  if (c.onlyInBase.length > 0 || c.onlyInCurrent.length > 0) out.push('');
  if (c.onlyInBase.length > 0) out.push(`Only in base (not compared): ${c.onlyInBase.join(', ')}`);
  if (c.onlyInCurrent.length > 0) out.push(`Only in current (not compared): ${c.onlyInCurrent.join(', ')}`);
  out.push('');
  if (c.regressed) {
    const list = c.regressions.map((r) => `${r.request ?? 'total'} ${r.metric}`).join(', ');
    out.push(paint(ANSI.red + ANSI.bold, `REGRESSED: ${list} (beyond ${formatPercent(c.maxRegression)} and not noise)`));
  } else {
    out.push(paint(ANSI.green, `OK: no regression beyond ${formatPercent(c.maxRegression)}`));
  }
  return `${out.join('\n')}\n`;
}

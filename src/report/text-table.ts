// The one text-table renderer: cli-table3, borderless, with a rule under the heading. Colours are added
// to the cell text by the caller (cli-table3 measures cells without their escape codes).
import { createRequire } from 'node:module';
import type Table from 'cli-table3';
import type { Paint } from './paint.ts';

export interface TextTableOptions {
  align: ReadonlyArray<'left' | 'right'>;
  /** Spaces before the first column: 2 in the run report (the default), 0 for a table flush left. */
  indent?: 0 | 2;
}

/** Columns two spaces apart, the heading in bold, lines without trailing spaces. */
export function renderTextTable(head: readonly string[], rows: readonly string[][], paint: Paint, options: TextTableOptions): string {
  // Loaded on first use, not at start-up: runs that print no table (--json -q) skip it.
  const CliTable = createRequire(import.meta.url)('cli-table3') as typeof Table;
  const flush = options.indent === 0;
  const table = new CliTable({
    head: head.map((h) => paint.bold(h)),
    colAligns: [...options.align],
    style: { head: [], border: [], compact: true, 'padding-left': flush ? 0 : 1, 'padding-right': flush ? 2 : 1 },
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: flush ? '' : ' ',
      'left-mid': flush ? '' : ' ',
      mid: '─',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '',
    },
  });
  table.push(...rows.map((row) => [...row]));
  const lines = table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd());
  // The rule under the heading also spans the last column's right padding: cut it to the text's width.
  const visible = (line: string): number => line.replace(/\x1b\[[0-9;]*m/g, '').length;
  const width = Math.max(...lines.filter((line) => !line.includes('─')).map(visible));
  return lines.map((line) => (line.includes('─') ? line.slice(0, width) : line)).join('\n');
}

// Small HTML builders for the report sections. Cells and values are HTML already (escape text with
// `text` or escapeHtml first); these only add the structure.
import { escapeHtml } from './escape.ts';
import type { ChartSpec } from './chart-data.ts';

/** Escaped text, optionally in a span of a class ('bad', 'warn', 'good', 'dim'). */
export function text(value: string, className?: string): string {
  const escaped = escapeHtml(value);
  return className ? `<span class="${className}">${escaped}</span>` : escaped;
}

/** A table; `numeric[i]` right-aligns column i. */
export function table(head: string[], rows: string[][], numeric: boolean[] = []): string {
  const cell = (tag: 'th' | 'td', html: string, i: number) => `<${tag}${numeric[i] ? ' class="num"' : ''}>${html}</${tag}>`;
  const headRow = `<tr>${head.map((h, i) => cell('th', h, i)).join('')}</tr>`;
  const body = rows.map((row) => `<tr>${row.map((c, i) => cell('td', c, i)).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${headRow}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Label → value pairs (values are HTML). */
export function facts(pairs: Array<[string, string]>): string {
  return `<dl class="facts">\n${pairs.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${value}</dd>`).join('\n')}\n</dl>`;
}

export function section(title: string, body: string, id?: string): string {
  return `<section${id ? ` id="${escapeHtml(id)}"` : ''}>\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

/** The place of a chart: the page script draws `spec` into it (data-points is what the page must show). */
export function chartBox(spec: ChartSpec): string {
  return `<figure class="chart" id="${escapeHtml(spec.id)}" data-points="${spec.x.length}"><figcaption>${escapeHtml(spec.title)}</figcaption></figure>`;
}

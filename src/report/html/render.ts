// The HTML report: one self-contained page from one RunResult (a run, a merged result, or a run with its
// baseline comparison), or from the runs of --compare-protocols side by side. Pure: a result in, a string
// out; it reads only the RunResult types and the encoded histograms in them.
import { PROTOCOL_ROWS } from '../protocol-compare.ts';
import type { RunResult } from '../../result/result.ts';
import { distributionChart, healthChart, runsDistributionChart, trafficCharts, type ChartSpec } from './chart-data.ts';
import { baselineSection, failureSection, generatorFacts, latencyTable, statusSection } from './detail-sections.ts';
import { chartBox, section, table, text } from './markup.ts';
import { renderPage } from './page.ts';
import { summarySection, thresholdsSection, warnings } from './summary-section.ts';

export interface HtmlOptions {
  /** Where the result came from, shown under the title (e.g. the result file of `loadhttp report`). */
  source?: string;
}

/** The page of one result, or of several runs side by side (--compare-protocols). */
export function renderHtml(input: RunResult | readonly RunResult[], options: HtmlOptions = {}): string {
  const runs: readonly RunResult[] = Array.isArray(input) ? input : [input as RunResult];
  if (runs.length === 0) throw new RangeError('renderHtml: no result to render');
  const charts: ChartSpec[] = [];
  const source = options.source ? ` — ${options.source}` : '';
  if (runs.length === 1) {
    const run = runs[0]!;
    const body = [`<h1>${text(`loadhttp: ${run.name}`)}</h1>`, `<p class="sub">${text(`${run.target}, ${run.startedAt}${source}`)}</p>`, runSections(run, 'r0', charts)];
    return renderPage({ title: `loadhttp: ${run.name}`, body: body.join('\n'), charts });
  }
  const first = runs[0]!;
  const body = [
    `<h1>${text(`loadhttp: ${first.name}, protocols side by side`)}</h1>`,
    `<p class="sub">${text(`${first.target}, the same plan run once per protocol${source}`)}</p>`,
    sideBySide(runs, charts),
    ...runs.map((run, i) => `<article class="run">\n<h1>${text(`requested ${run.plan.protocol}: ${run.protocol ?? 'no connection'} used`)}</h1>\n${runSections(run, `r${i}`, charts)}\n</article>`),
  ];
  return renderPage({ title: `loadhttp: ${first.name} (protocols side by side)`, body: body.join('\n'), charts });
}

function sideBySide(runs: readonly RunResult[], charts: ChartSpec[]): string {
  const rows = PROTOCOL_ROWS.map(([label, cell]) => [text(label), ...runs.map((r) => text(r.error ? '-' : cell(r)))]);
  const head = ['', ...runs.map((r) => `requested ${r.plan.protocol}`)].map((h) => text(h));
  const notes = runs
    .filter((r) => r.error || r.interrupted)
    .map((r) => `<p class="bad">${text(r.error ? `${r.plan.protocol}: run failed (${r.error.class}): ${r.error.message}` : `${r.plan.protocol}: interrupted, partial figures`)}</p>`);
  const distribution = runsDistributionChart(runs, 'runs-distribution');
  if (distribution) charts.push(distribution);
  return section('Protocols side by side', [table(head, rows, head.map((_, i) => i > 0)), ...notes, distribution ? chartBox(distribution) : ''].join('\n'));
}

/** Every section of one run; its charts are added to `charts` (ids prefixed with `prefix`). */
function runSections(run: RunResult, prefix: string, charts: ChartSpec[]): string {
  const add = (chart: ChartSpec | null): string => {
    if (!chart) return '';
    charts.push(chart);
    return chartBox(chart);
  };
  const traffic = trafficCharts(run, prefix);
  const overTime = traffic.length === 0 ? '<p class="dim">No per-second series in this result.</p>' : traffic.map(add).join('\n');
  const parts = [
    warnings(run),
    summarySection(run, `${prefix}-summary`),
    thresholdsSection(run),
    section('Latency', `${latencyTable(run)}\n${add(distributionChart(run, `${prefix}-distribution`))}`),
    section('Over time', overTime),
    statusSection(run),
    failureSection(run),
    section("The generator's health", [generatorFacts(run), add(healthChart(run, `${prefix}-generator`))].filter(Boolean).join('\n') || '<p class="dim">No self-monitoring in this result.</p>'),
    baselineSection(run),
  ];
  return parts.filter((p): p is string => p !== null && p !== '').join('\n');
}

// `--compare-protocols` (or `protocol: [h1, h2]`): the runs of one load, one per protocol, side by side.
// A pure function of the RunResults; colour optional.
import { formatCount, formatMs, formatPercent, formatRate } from './format.ts';
import type { RunResult } from '../result/result.ts';
import { painter } from './paint.ts';
import { renderTextTable } from './text-table.ts';

/** The JSON of a comparison run: every run's full RunResult, in the order they ran. */
export interface ProtocolComparisonJson {
  compare: 'protocols';
  runs: RunResult[];
}

export function renderProtocolComparisonJson(runs: RunResult[]): string {
  const json: ProtocolComparisonJson = { compare: 'protocols', runs };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function connections(result: RunResult): string {
  const protocols = Object.entries(result.protocols ?? {})
    .filter(([, n]) => n > 0)
    .map(([p, n]) => `${p}: ${formatCount(n)}`);
  return `${formatCount(result.connectionsOpened)}${protocols.length > 0 ? ` (${protocols.join(', ')})` : ''}`;
}

function errors(result: RunResult): string {
  const n = result.counts.failed + result.unexpectedStatus;
  return n === 0 ? '0' : `${formatCount(n)} (${formatPercent(result.errorRate)})`;
}

/** The rows of the side-by-side table (the HTML report shows the same ones). */
export const PROTOCOL_ROWS: Array<[string, (r: RunResult) => string]> = [
  ['protocol used', (r) => r.protocol ?? 'none'],
  ['req/s', (r) => formatRate(r.rps)],
  ['P50', (r) => (r.latencyMs.count === 0 ? '-' : formatMs(Math.min(r.latencyMs.p50, r.latencyMs.max)))],
  ['P99', (r) => (r.latencyMs.count === 0 ? '-' : formatMs(Math.min(r.latencyMs.p99, r.latencyMs.max)))],
  ['connections', connections],
  ['errors', errors],
];

export function renderProtocolComparison(runs: RunResult[], options: { color: boolean }): string {
  const paint = painter(options.color);
  const head = ['', ...runs.map((r) => `requested ${r.plan.protocol}`)];
  const body = PROTOCOL_ROWS.map(([label, cell]) => [label, ...runs.map((r) => (r.error ? '-' : cell(r)))]);
  const first = runs[0];
  const load = first ? `, ${formatCount(first.plan.concurrency)} users, same plan each run` : '';
  const out = [
    paint.bold(`Protocols side by side (${first?.target ?? ''}${load})`),
    renderTextTable(head, body, paint, { align: ['left', ...runs.map(() => 'right' as const)] }),
  ];
  for (const r of runs) {
    if (r.error) out.push(paint.red(`  ${r.plan.protocol}: run failed (${r.error.class}): ${r.error.message}`));
    else if (r.interrupted) out.push(paint.red(`  ${r.plan.protocol}: interrupted — partial figures`));
  }
  const missing = runs.length < 2 ? '  (the comparison stopped before every protocol ran)' : null;
  if (missing) out.push(missing);
  return `${out.join('\n')}\n`;
}

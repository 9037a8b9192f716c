// GitHub-flavoured Markdown summary of a run (for $GITHUB_STEP_SUMMARY, PR comments): header facts, a
// latency table per request plus the total, and the thresholds with ✅/❌.
import { formatBytes, formatCount, formatMs, formatPercent, formatRate } from './format.ts';
import { renderComparison } from './compare-text.ts';
import type { LatencySummary, RequestStats, RunResult } from '../result/result.ts';
import { formatThresholdLimit, formatThresholdValue } from './threshold-text.ts';
import { connectionsOpened, mixedProtocolsNote } from './protocol-lines.ts';
import type { ThresholdOutcome } from '../result/verdicts.ts';

/** Escapes text for a table cell or list item: Markdown punctuation, HTML, pipes and line breaks. */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_[\]#~|!]/g, (ch) => `\\${ch}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** An inline code span that survives any content (backticks, pipes inside a table cell). */
export function markdownCode(s: string): string {
  const text = s.replace(/\r?\n|\r/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function protocolLabel(p: RunResult['protocol']): string {
  return p === 'h1' ? 'HTTP/1.1' : p === 'h2' ? 'HTTP/2 (TLS)' : p === 'h2c' ? 'HTTP/2 cleartext (h2c)' : 'none (no connection was made)';
}

const lat = (s: LatencySummary, v: number): string => (s.count > 0 ? formatMs(v) : '–');

function latencyRow(label: string, stats: RequestStats): string {
  const l = stats.latencyMs;
  const cells = [
    label,
    formatCount(stats.counts.sent),
    formatRate(stats.rps),
    lat(l, l.p50),
    lat(l, l.p90),
    lat(l, l.p99),
    lat(l, l.p999),
    lat(l, l.max),
    stats.counts.sent > 0 ? formatPercent(stats.errorRate) : '–',
  ];
  return `| ${cells.join(' | ')} |`;
}

/** Renders the run summary and thresholds as GitHub-flavoured Markdown (ends with a newline). */
export function renderMarkdown(result: RunResult, outcomes: ThresholdOutcome[]): string {
  const out: string[] = [];
  const failed = outcomes.filter((o) => !o.passed).length;
  const status = result.error ? ' ❌' : outcomes.length === 0 ? '' : failed > 0 ? ' ❌' : ' ✅';
  out.push(`## loadhttp: ${escapeMarkdown(result.name)}${status}`, '');

  const c = result.counts;
  const plan = result.plan;
  const duration = `${formatMs(result.durationMs)} measured${result.warmup.durationMs > 0 ? ` (+${formatMs(result.warmup.durationMs)} warmup)` : ''}`;
  out.push(`- **Target:** ${markdownCode(result.target)}`);
  out.push(`- **Protocol:** ${protocolLabel(result.protocol)}${mixedProtocolsNote(result)}, ${connectionsOpened(result)}`);
  out.push(`- **Duration:** ${duration}`);
  out.push(`- **Concurrency:** ${formatCount(plan.concurrency)}`);
  out.push(
    `- **Requests:** ${formatCount(c.sent)} sent, ${formatCount(c.completed)} completed, ${formatCount(c.failed)} failed, ${formatCount(c.cancelled)} cancelled` +
      (result.unexpectedStatus > 0 ? `, ${formatCount(result.unexpectedStatus)} unexpected status` : ''),
  );
  out.push(`- **Throughput:** ${formatRate(result.rps)} req/s, ${formatBytes(result.bytes.received)} received`);
  if (result.interrupted) out.push('- ⚠️ **Interrupted:** the run was stopped early; figures cover the time it ran.');
  if (result.error) out.push(`- ❌ **Run error:** ${escapeMarkdown(result.error.class)}: ${escapeMarkdown(result.error.message)}`);
  const errorClasses = Object.entries(result.errors).filter(([, n]) => n > 0);
  if (errorClasses.length > 0) {
    out.push(`- **Failures:** ${errorClasses.map(([k, n]) => `${escapeMarkdown(k)} ${formatCount(n)}`).join(', ')}`);
  }
  out.push('');

  out.push('### Latency', '');
  out.push('| Request | Requests | Req/s | P50 | P90 | P99 | P99.9 | Max | Errors |');
  out.push('| :-- | --: | --: | --: | --: | --: | --: | --: | --: |');
  const names = Object.keys(result.requests);
  for (const name of names) {
    const stats = result.requests[name];
    if (stats) out.push(latencyRow(escapeMarkdown(name), stats));
  }
  out.push(latencyRow('**Total**', result));
  out.push('');

  if (outcomes.length > 0) {
    out.push(`### Thresholds (${outcomes.length - failed}/${outcomes.length} passed)`, '');
    out.push('| Threshold | Measured | Limit | Result |');
    out.push('| :-- | --: | :-- | :-: |');
    for (const o of outcomes) {
      const measured = o.actual === null ? `_${escapeMarkdown(o.reason ?? 'no samples')}_` : escapeMarkdown(formatThresholdValue(o));
      out.push(`| ${markdownCode(o.expr)} | ${measured} | ${escapeMarkdown(formatThresholdLimit(o))} | ${o.passed ? '✅' : '❌'} |`);
    }
    out.push('');
  }
  if (result.thresholdAbort) {
    const { outcome, atMs } = result.thresholdAbort;
    const seen = outcome.actual === null ? (outcome.reason ?? 'no samples') : formatThresholdValue(outcome);
    out.push(`⛔ **Stopped early** after ${formatMs(atMs)}: ${markdownCode(outcome.expr)} failed (measured ${escapeMarkdown(seen)}; abortOnFail)`, '');
  }
  if (result.baseline) {
    const { file, comparison } = result.baseline;
    // The comparison table is fixed-width text: a fenced block keeps its columns.
    const text = renderComparison(comparison, { color: false }).replace(/```/g, "'''");
    out.push(`### Baseline ${comparison.regressed ? '❌' : '✅'} (${markdownCode(file)})`, '', '```text', text.trimEnd(), '```', '');
  }
  return out.join('\n');
}

// JUnit XML for CI test reporters (Jenkins, GitLab, GitHub Actions reporters): one testsuite per run, one
// testcase per threshold and, with --baseline, one per compared figure. Follows the common Ant/Surefire shape; attribute values and text are escaped,
// and characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates) are replaced.
import { formatCount, formatMs, formatPercent, formatRate } from './format.ts';
import type { RunResult } from '../result/result.ts';
import { formatThresholdLimit, formatThresholdValue } from './threshold-text.ts';
import { mixedProtocolsNote } from './protocol-lines.ts';
import type { ComparisonRow, ComparisonScope, ThresholdOutcome } from '../result/verdicts.ts';
import { formatDelta, formatRowValue } from './compare-text.ts';

// Not allowed anywhere in XML 1.0: C0 controls except tab/LF/CR, U+FFFE/U+FFFF, unpaired surrogates.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function replaceInvalid(s: string): string {
  return s.replace(INVALID_XML, (ch) => {
    const code = ch.charCodeAt(0);
    // Keep control characters visible ("\x1b") rather than silently dropping them.
    return code < 0x20 ? `\\x${code.toString(16).padStart(2, '0')}` : '\uFFFD';
  });
}

/** Escapes text content. */
export function escapeXmlText(s: string): string {
  return replaceInvalid(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value (double- or single-quoted); tab/newline kept as character references. */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function attrs(pairs: Array<[string, string | number]>): string {
  return pairs.map(([k, v]) => ` ${k}="${escapeXmlAttr(String(v))}"`).join('');
}

const seconds = (ms: number): string => (Number.isFinite(ms) && ms > 0 ? (ms / 1000).toFixed(3) : '0');

/** ISO 8601 without zone or fraction, as the JUnit schema wants ("2024-05-01T12:00:00", UTC). */
function junitTimestamp(iso: string): string | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 19);
}

function protocolLabel(p: RunResult['protocol']): string {
  return p === 'h1' ? 'HTTP/1.1' : p === 'h2' ? 'HTTP/2 (TLS)' : p === 'h2c' ? 'HTTP/2 (cleartext)' : 'none (no connection made)';
}

function failureMessage(o: ThresholdOutcome): string {
  const limit = `limit ${formatThresholdLimit(o)}`;
  return o.actual === null ? `${o.reason ?? 'no samples'}, ${limit}` : `measured ${formatThresholdValue(o)}, ${limit}`;
}

function scopeText(o: ThresholdOutcome): string {
  return o.request === null ? 'all requests' : `request "${o.request}"`;
}

/** "p99 of request \"list\"", "req/s of all requests" */
function comparedName(scope: ComparisonScope, row: ComparisonRow): string {
  const metric = row.metric === 'rps' ? 'req/s' : row.metric;
  return `${metric} of ${scope.request === null ? 'all requests' : `request "${scope.request}"`}`;
}

function comparedValues(row: ComparisonRow): string {
  return `base ${formatRowValue(row.metric, row.base)}, current ${formatRowValue(row.metric, row.current)} (${formatDelta(row)})`;
}

function summaryText(result: RunResult): string {
  const c = result.counts;
  const l = result.latencyMs;
  const lines = [
    `target: ${result.target}`,
    `protocol: ${protocolLabel(result.protocol)}${mixedProtocolsNote(result)}`,
    `duration: ${formatMs(result.durationMs)}${result.interrupted ? ' (interrupted)' : ''}`,
    `requests: ${formatCount(c.sent)} sent, ${formatCount(c.completed)} completed, ${formatCount(c.failed)} failed, ${formatCount(c.cancelled)} cancelled`,
    `throughput: ${formatRate(result.rps)} req/s`,
    `errors: ${formatPercent(result.errorRate)}`,
    l.count > 0 ? `latency: p50 ${formatMs(l.p50)}, p99 ${formatMs(l.p99)}, max ${formatMs(l.max)}` : 'latency: no responses',
  ];
  if (result.error) lines.push(`run error: ${result.error.class}: ${result.error.message}`);
  return lines.join('\n');
}

/**
 * Renders the run, its threshold outcomes and its comparison with --baseline (if any) as JUnit XML. With no thresholds there is one testcase,
 * "run completed", failing when the run errored (result.error) or every request failed (errorRate 1).
 */
export function renderJunit(result: RunResult, outcomes: ThresholdOutcome[]): string {
  const time = seconds(result.durationMs);
  const cases: string[] = [];
  let failures = 0;

  if (outcomes.length === 0) {
    const failed = result.error !== undefined || result.errorRate === 1;
    let body = '';
    if (failed) {
      failures++;
      const message = result.error ? `${result.error.class}: ${result.error.message}` : `every request failed (${formatCount(result.counts.sent)} sent)`;
      body = `\n      <failure${attrs([['message', message], ['type', result.error ? 'run-error' : 'all-failed']])}>${escapeXmlText(message)}</failure>\n    `;
    }
    cases.push(`    <testcase${attrs([['classname', 'loadhttp.run'], ['name', 'run completed'], ['time', time]])}>${body}</testcase>`);
  }

  for (const o of outcomes) {
    let body = '';
    if (!o.passed) {
      failures++;
      const message = failureMessage(o);
      const detail = `${o.expr}\n${o.metric} of ${scopeText(o)}: ${message}`;
      body = `\n      <failure${attrs([['message', message], ['type', 'threshold']])}>${escapeXmlText(detail)}</failure>\n    `;
    }
    cases.push(`    <testcase${attrs([['classname', 'loadhttp.thresholds'], ['name', o.expr], ['time', '0']])}>${body}</testcase>`);
  }

  for (const scope of result.baseline?.comparison.scopes ?? []) {
    for (const row of scope.rows) {
      let body = '';
      // Only a regression fails, as in `loadhttp compare`: noise and the (informational) max never do.
      if (row.verdict === 'regressed' && !row.informational) {
        failures++;
        const message = `regressed against the baseline: ${comparedValues(row)}`;
        body = `\n      <failure${attrs([['message', message], ['type', 'baseline']])}>${escapeXmlText(`${comparedName(scope, row)}: ${message}\nbaseline: ${result.baseline!.file}`)}</failure>\n    `;
      }
      cases.push(`    <testcase${attrs([['classname', 'loadhttp.baseline'], ['name', comparedName(scope, row)], ['time', '0']])}>${body}</testcase>`);
    }
  }

  const tests = cases.length;
  const timestamp = junitTimestamp(result.startedAt);
  const suiteAttrs: Array<[string, string | number]> = [
    ['name', `loadhttp: ${result.name}`],
    ['tests', tests],
    ['failures', failures],
    ['errors', 0],
    ['skipped', 0],
    ['time', time],
  ];
  if (timestamp) suiteAttrs.push(['timestamp', timestamp]);

  const properties = [
    ['target', result.target],
    ['protocol', result.protocol ?? 'none'],
    ['concurrency', String(result.plan.concurrency)],
    ['tool', `${result.tool.name} ${result.tool.version}`],
  ]
    .map(([k, v]) => `      <property${attrs([['name', k ?? ''], ['value', v ?? '']])}/>`)
    .join('\n');

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs([['name', 'loadhttp'], ['tests', tests], ['failures', failures], ['errors', 0], ['time', time]])}>`,
    `  <testsuite${attrs(suiteAttrs)}>`,
    '    <properties>',
    properties,
    '    </properties>',
    ...cases,
    `    <system-out>${escapeXmlText(summaryText(result))}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

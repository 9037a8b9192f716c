// JUnit XML for CI test reporters (Jenkins, GitLab, GitHub Actions reporters): one testsuite per run, one
// testcase per threshold and, with --baseline, one per compared figure. A `target[...]` threshold is one
// testcase per instance it names (each of them for `target[*]`), so a failure names the instance; the
// iteration and per-target figures are in the summary (system-out). Follows the common Ant/Surefire shape;
// attribute values and text are escaped, and characters XML 1.0 cannot carry at all (most C0 controls,
// lone surrogates) are replaced.
import { formatCount, formatMs, formatPercent, formatRate } from './format.ts';
import type { LatencySummary, RunResult } from '../result/result.ts';
import { formatThresholdLimit, formatThresholdValue, thresholdSubject } from './threshold-text.ts';
import { mixedProtocolsNote } from './protocol-lines.ts';
import type { ComparisonRow, ComparisonScope, InstanceOutcome, ThresholdOutcome } from '../result/verdicts.ts';
import { formatDelta, formatRowValue, metricLabel, scopeName } from './compare-text.ts';

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

/** "p99 of request \"list\"", "req/s of all requests", "errors of the flow's iterations", "p99 of target 10.0.0.2:8080" */
function comparedName(scope: ComparisonScope, row: ComparisonRow): string {
  const metric = row.metric === 'rps' ? metricLabel(row.metric, scope) : row.metric;
  const subject = scope.request !== null ? `request "${scope.request}"` : scope.kind === 'iterations' ? "the flow's iterations" : scope.kind === 'target' ? scopeName(scope) : 'all requests';
  return `${metric} of ${subject}`;
}

/** "p50 1.2ms, p99 3.4ms, max 5ms" (or "no samples"). */
function percentiles(l: LatencySummary): string {
  return l.count > 0 ? `p50 ${formatMs(l.p50)}, p99 ${formatMs(l.p99)}, max ${formatMs(l.max)}` : 'no samples';
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
    l.count > 0 ? `latency: ${percentiles(l)}` : 'latency: no responses',
  ];
  const it = result.iterations;
  if (it) {
    lines.push(
      `iterations: ${formatCount(it.completed)} completed, ${formatCount(it.failed)} failed, ${formatCount(it.interrupted)} interrupted; ${formatRate(it.rps)}/s`,
      `iteration duration: ${percentiles(it.durationMs)}`,
    );
  }
  for (const [name, t] of Object.entries(result.targets ?? {})) {
    lines.push(`target ${name}: ${formatCount(t.counts.sent)} sent, ${formatRate(t.rps)} req/s, errors ${formatPercent(t.errorRate)}, latency ${percentiles(t.latencyMs)}`);
  }
  if (result.error) lines.push(`run error: ${result.error.class}: ${result.error.message}`);
  return lines.join('\n');
}

/** One threshold testcase: its name, and the failure (null when it passed). */
function thresholdCase(name: string, o: ThresholdOutcome, instance?: string): { xml: string; failed: boolean } {
  let body = '';
  if (!o.passed) {
    const message = failureMessage(o);
    const detail = `${o.expr}\n${thresholdSubject(o, instance)}: ${message}`;
    body = `\n      <failure${attrs([['message', message], ['type', 'threshold']])}>${escapeXmlText(detail)}</failure>\n    `;
  }
  return { xml: `    <testcase${attrs([['classname', 'loadhttp.thresholds'], ['name', name], ['time', '0']])}>${body}</testcase>`, failed: !o.passed };
}

/**
 * A threshold's testcases: one, or one per instance of a `target[...]` threshold (named after the instance
 * unless the expression names it already). The per-instance cases stand for the threshold only when they
 * agree with it (it fails exactly when one of them does).
 */
function thresholdCases(o: ThresholdOutcome, instances: InstanceOutcome[] | null): Array<{ xml: string; failed: boolean }> {
  const agree = instances !== null && instances.length > 0 && instances.some((x) => !x.outcome.passed) === !o.passed;
  if (!agree) return [thresholdCase(o.expr, o)];
  return instances.map((x) => thresholdCase(o.expr.includes(`[${x.instance}]`) ? o.expr : `${o.expr} (target ${x.instance})`, x.outcome, x.instance));
}

/**
 * Renders the run, its threshold outcomes and its comparison with --baseline (if any) as JUnit XML. With no thresholds there is one testcase,
 * "run completed", failing when the run errored (result.error) or every request failed (errorRate 1).
 * `byInstance` (aligned with `outcomes`; judge/thresholds.ts outcomesByInstance) splits `target[...]`
 * thresholds into a testcase per instance.
 */
export function renderJunit(result: RunResult, outcomes: ThresholdOutcome[], byInstance: ReadonlyArray<InstanceOutcome[] | null> = []): string {
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

  outcomes.forEach((o, i) => {
    for (const c of thresholdCases(o, byInstance[i] ?? null)) {
      if (c.failed) failures++;
      cases.push(c.xml);
    }
  });

  for (const scope of result.baseline?.comparison.scopes ?? []) {
    for (const row of scope.rows) {
      // Max never fails a comparison: the iterations and targets (added later) do not make it a testcase.
      if (row.informational && scope.kind !== undefined) continue;
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

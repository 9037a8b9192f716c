// The threshold grammar: parses expressions such as "list.p99 < 250ms" and "errors < 1%" into a
// ThresholdSpec, before the run. Pure. (Evaluation is in src/judge/thresholds.ts, display text in
// src/report/threshold-text.ts.)
//
// Grammar (whitespace anywhere between the three parts is optional):
//
//   threshold := [ request "." ] [ phase "." ] metric  op  value [ unit ]
//   request   := [A-Za-z0-9_-]+
//   phase     := "ttfb" | "latency"                    (only before a latency metric; default latency)
//   metric    := "p" digits [ "." digits ]             percentile: p50, p99, p99.9; "p999" = p99.9,
//                                                      "p9999" = p99.99 (digits after the first two are
//                                                      decimals), "p100" = max
//              | "mean" | "max"                        latency
//              | "rps"                                 completed responses per second
//              | "errors"                              error rate: "1%" or a fraction "0.01"
//              | "error_count"                         failed + unexpected-status requests (integer)
//              | "1xx" .. "5xx"                        share of completed responses: "5%" or "0.05"
//   op        := "<" | "<=" | ">" | ">="
//   unit      := us | µs | ms | s  (latency: required) ; % (rates) ; /s or rps (rps: optional)
//
// Resolving names against metric words: the metric is always the LAST dotted part of the left-hand side
// (a percentile's own ".9" belongs to it: "p99.9"). Before a latency metric, a part named "ttfb" or "latency"
// is the phase, and anything before that is the request name. So "ttfb.p99" is the time-to-first-byte p99
// of all requests, "list.p99" is request "list", "list.ttfb.p99" is request "list"'s TTFB. A request that is
// itself called "ttfb" (or "latency") is written with an explicit phase: "ttfb.latency.p99",
import { UsageError } from '../util/errors.ts';
import type { ThresholdOp, ThresholdUnit } from '../result/verdicts.ts';

export type LatencyStat = { type: 'percentile'; percentile: number } | { type: 'mean' } | { type: 'max' };

export type ThresholdMetric =
  | { kind: 'latency'; phase: 'latency' | 'ttfb'; stat: LatencyStat }
  | { kind: 'rps' }
  | { kind: 'errors' }
  | { kind: 'error_count' }
  | { kind: 'status'; statusClass: 1 | 2 | 3 | 4 | 5 };

export interface ThresholdSpec {
  /** Request name, or null for all requests together. */
  request: string | null;
  /**
   * `target[host:port].` before the metric (several targets): that instance's figures; `target[*].`:
   * every instance's, each of which must pass. Absent: all instances together.
   */
  target?: string;
  metric: ThresholdMetric;
  /** Canonical metric name for display: "p99", "p99.9", "ttfb.p99", "mean", "rps", "errors", "5xx", ... */
  metricName: string;
  op: ThresholdOp;
  /** The limit in the metric's unit (see `unit`): latency in ms, rates as fractions. */
  limit: number;
  unit: ThresholdUnit;
}

/** A malformed threshold expression. A usage error (exit 2); `offset` is the 0-based index into `expr`. */
export class ThresholdSyntaxError extends UsageError {
  override name = 'ThresholdSyntaxError';
  readonly expr: string;
  readonly offset: number;
  readonly hint: string | undefined;
  /** The problem without the expression or position, e.g. "latency needs a unit". */
  readonly problem: string;

  constructor(expr: string, offset: number, problem: string, hint?: string) {
    super(`invalid threshold "${expr}" at column ${offset + 1}: ${problem}${hint ? ` (${hint})` : ''}`);
    this.expr = expr;
    this.offset = offset;
    this.problem = problem;
    this.hint = hint;
  }

  /** Two lines: the expression and a caret under the offending character. */
  pointer(): string {
    return `${this.expr}\n${' '.repeat(this.offset)}^`;
  }
}

const OPS: readonly ThresholdOp[] = ['<=', '>=', '<', '>'];
// `/` too: a flow entry's steps are named `<entry>/<step>` (checkout/login.p99).
const REQUEST_NAME = /^[A-Za-z0-9_/-]+$/;
const LHS_CHAR = /[A-Za-z0-9_./\-]/;
const PERCENTILE = /^p(\d+)(?:\.(\d+))?$/;
const STATUS = /^([1-5])xx$/i;
const LATENCY_UNITS: Record<string, number> = { us: 0.001, 'µs': 0.001, 'μs': 0.001, ms: 1, s: 1000 };

const METRIC_HINT = 'metrics: p50, p99, p99.9, mean, max, ttfb.p99, rps, errors, error_count, 1xx..5xx';

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

/** "p99" → 99, "p99.9" → 99.9, "p999" → 99.9, "p100" → 100; null when not a percentile in 0..100. */
function parsePercentile(word: string): number | null {
  const m = PERCENTILE.exec(word);
  if (!m) return null;
  const int = m[1] ?? '';
  const frac = m[2];
  let value: number;
  if (frac !== undefined) value = Number(`${int}.${frac}`);
  else if (int.length <= 2 || int === '100') value = Number(int);
  else if (int.startsWith('99')) value = Number(`99.${int.slice(2)}`);
  else return null;
  return value >= 0 && value <= 100 ? value : null;
}

function percentileName(p: number): string {
  return `p${p}`;
}

interface ParsedLhs {
  request: string | null;
  metric: ThresholdMetric;
  metricName: string;
  unit: ThresholdUnit;
}

function parseLhs(expr: string, lhs: string, start: number): ParsedLhs {
  function fail(at: number, problem: string, hint?: string): never {
    throw new ThresholdSyntaxError(expr, start + at, problem, hint);
  }
  // The metric is the last dotted part, except that a percentile keeps its decimal part ("p99.9").
  let metricAt = lhs.lastIndexOf('.') + 1;
  const pm = /(?:^|\.)(p\d+\.\d+)$/.exec(lhs);
  if (pm) metricAt = lhs.length - (pm[1] ?? '').length;
  const word = lhs.slice(metricAt);
  if (word === '') fail(metricAt, 'expected a metric after "."', METRIC_HINT);
  const parts = metricAt > 0 ? lhs.slice(0, metricAt - 1).split('.') : [];

  let metric: ThresholdMetric;
  let metricName: string;
  let unit: ThresholdUnit;
  const lower = word.toLowerCase();
  const percentile = parsePercentile(lower);
  const status = STATUS.exec(word);
  if (percentile !== null || lower === 'mean' || lower === 'max') {
    const stat: LatencyStat =
      percentile !== null ? { type: 'percentile', percentile } : lower === 'mean' ? { type: 'mean' } : { type: 'max' };
    let phase: 'latency' | 'ttfb' = 'latency';
    const last = parts[parts.length - 1]?.toLowerCase();
    if (last === 'ttfb' || last === 'latency') {
      phase = last;
      parts.pop();
    }
    const statName = stat.type === 'percentile' ? percentileName(stat.percentile) : stat.type;
    metric = { kind: 'latency', phase, stat };
    metricName = phase === 'ttfb' ? `ttfb.${statName}` : statName;
    unit = 'ms';
  } else if (/^p\d[\d.]*$/.test(lower)) {
    return fail(metricAt, `"${word}" is not a percentile between 0 and 100`, 'e.g. p50, p99, p99.9 (p999 and p9999 mean p99.9 and p99.99)');
  } else if (lower === 'rps') {
    metric = { kind: 'rps' };
    metricName = 'rps';
    unit = 'rps';
  } else if (lower === 'errors') {
    metric = { kind: 'errors' };
    metricName = 'errors';
    unit = 'fraction';
  } else if (lower === 'error_count') {
    metric = { kind: 'error_count' };
    metricName = 'error_count';
    unit = 'count';
  } else if (status) {
    const statusClass = Number(status[1]) as 1 | 2 | 3 | 4 | 5;
    metric = { kind: 'status', statusClass };
    metricName = `${statusClass}xx`;
    unit = 'fraction';
  } else if (lower === 'count' && parts[parts.length - 1]?.toLowerCase() === 'errors') {
    return fail(metricAt - 'errors.'.length, 'unknown metric "errors.count"', 'write error_count');
  } else {
    return fail(metricAt, `unknown metric "${word}"`, METRIC_HINT);
  }

  if (parts.length > 1) {
    fail(
      (parts[0] ?? '').length + 1,
      `unexpected "${parts[1] ?? ''}": a threshold is [request.]${unit === 'ms' ? '[ttfb.]' : ''}metric`,
      'request names may contain letters, digits, _, - and / (no ".")',
    );
  }
  const request = parts[0] ?? null;
  if (request !== null) {
    if (request === '') fail(0, 'empty request name before "."');
    if (!REQUEST_NAME.test(request)) fail(0, `invalid request name "${request}"`, 'request names may contain letters, digits, _, - and /');
  }
  return { request, metric, metricName, unit };
}

/** Parses one threshold expression; throws ThresholdSyntaxError (with the offset of the problem). */
// The instance may hold one bracketed part: an IPv6 address, target[[fd00::1]:8080].
const TARGET_PREFIX = /^(\s*)target\[((?:\[[^[\]\s]*\]|[^[\]\s])*)\]\./;

export function parseThreshold(expr: string): ThresholdSpec {
  // `target[host:port].p99 < 200ms`: the prefix is read here, the rest as any threshold (blanked out, so
  // offsets in messages still point into the expression as written).
  const prefix = TARGET_PREFIX.exec(expr);
  if (prefix) {
    const target = prefix[2]!;
    if (target === '') throw new ThresholdSyntaxError(expr, prefix[1]!.length + 7, 'expected an instance in target[...]', 'e.g. target[10.0.0.2:8080].p99 or target[*].p99');
    const spec = parseThreshold(' '.repeat(prefix[0].length) + expr.slice(prefix[0].length));
    if (spec.request !== null) {
      throw new ThresholdSyntaxError(expr, expr.indexOf(spec.request, prefix[0].length), 'a threshold names a target or a request, not both');
    }
    return { ...spec, target };
  }
  function fail(at: number, problem: string, hint?: string): never {
    throw new ThresholdSyntaxError(expr, at, problem, hint);
  }
  let i = 0;
  const skipSpace = (): void => {
    while (isSpace(expr[i])) i++;
  };

  skipSpace();
  const lhsStart = i;
  while (i < expr.length && LHS_CHAR.test(expr[i] ?? '')) i++;
  const lhs = expr.slice(lhsStart, i);
  if (lhs === '') {
    if (i >= expr.length) fail(i, 'empty threshold', 'e.g. "p99 < 250ms" or "errors < 1%"');
    fail(i, `unexpected "${expr[i]}": expected a metric`, METRIC_HINT);
  }
  const lhsEnd = i;
  skipSpace();

  // Operator.
  const opAt = i;
  const op = OPS.find((o) => expr.startsWith(o, i));
  if (!op) {
    const rest = expr.slice(i);
    if (rest.startsWith('==') || rest.startsWith('=') || rest.startsWith('!=') || rest.startsWith('=<') || rest.startsWith('=>')) {
      fail(opAt, `unsupported operator "${/^[=!<>]+/.exec(rest)?.[0] ?? '='}"`, 'use <, <=, > or >=');
    }
    if (i >= expr.length) fail(opAt, 'expected an operator after the metric', 'use <, <=, > or >=, e.g. "p99 < 250ms"');
    if (opAt === lhsEnd) {
      fail(opAt, `unexpected "${expr[i]}" in the metric`, 'request names may contain letters, digits, _, - and /');
    }
    fail(opAt, `expected an operator, found "${expr[i]}"`, 'use <, <=, > or >=');
  }
  i += op.length;
  if (expr[i] === '=' || expr[i] === '<' || expr[i] === '>') fail(opAt, `unsupported operator "${expr.slice(opAt, i + 1)}"`, 'use <, <=, > or >=');

  // Parse the left-hand side only now, so "p99 = 5ms" reports the operator rather than something earlier.
  const { request, metric, metricName, unit } = parseLhs(expr, lhs, lhsStart);
  skipSpace();

  // Number.
  const numAt = i;
  if (expr[i] === '-') fail(numAt, 'the limit cannot be negative');
  const num = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(expr.slice(i));
  if (!num) {
    if (i >= expr.length) fail(i, 'expected a number after the operator', example(unit));
    fail(i, `expected a number, found "${expr[i]}"`, example(unit));
  }
  const raw = num[0];
  const value = Number(raw);
  if (!Number.isFinite(value)) fail(numAt, `"${raw}" is not a finite number`);
  i += raw.length;
  skipSpace();

  // Unit.
  const unitAt = i;
  const unitMatch = /^(?:%|µs|μs|\/s|[A-Za-z]+)/.exec(expr.slice(i));
  const unitWord = unitMatch ? unitMatch[0] : '';
  i += unitWord.length;
  skipSpace();
  if (i < expr.length) fail(i, `unexpected "${expr.slice(i)}" after the limit`, 'one threshold per expression, e.g. "p99 < 250ms"');

  let limit: number;
  switch (unit) {
    case 'ms': {
      if (unitWord === '') fail(unitAt, `${metricName} is a latency and needs a unit`, 'add a unit, e.g. 250ms');
      const factor = LATENCY_UNITS[unitWord];
      if (factor === undefined) fail(unitAt, `unknown latency unit "${unitWord}"`, 'use us, ms or s, e.g. 250ms');
      limit = unitWord === 'ms' ? value : unitWord === 's' ? value * 1000 : value / 1000;
      break;
    }
    case 'fraction': {
      if (unitWord === '%') {
        if (value > 100) fail(numAt, `${raw}% is more than 100%`);
        limit = value / 100;
      } else if (unitWord === '') {
        if (value >= 1) fail(numAt, `${metricName} is a rate: write a percentage or a fraction below 1`, `e.g. ${raw}% or ${value / 100}`);
        limit = value;
      } else {
        fail(unitAt, `unexpected unit "${unitWord}" for ${metricName}`, 'rates are a percentage ("1%") or a fraction ("0.01")');
      }
      break;
    }
    case 'rps': {
      if (unitWord !== '' && unitWord !== '/s' && unitWord.toLowerCase() !== 'rps') {
        fail(unitAt, `unexpected unit "${unitWord}" for rps`, 'rps is requests per second, e.g. "rps > 500"');
      }
      limit = value;
      break;
    }
    case 'count': {
      if (unitWord !== '') {
        fail(unitAt, `unexpected unit "${unitWord}" for error_count`, unitWord === '%' ? 'for a rate use errors, e.g. "errors < 1%"' : 'error_count is a plain count, e.g. "error_count < 10"');
      }
      if (!Number.isInteger(value)) fail(numAt, `error_count limit must be a whole number, not ${raw}`);
      limit = value;
      break;
    }
  }
  return { request, metric, metricName, op, limit, unit };
}

function example(unit: ThresholdUnit): string {
  switch (unit) {
    case 'ms':
      return 'e.g. "p99 < 250ms"';
    case 'fraction':
      return 'e.g. "errors < 1%"';
    case 'rps':
      return 'e.g. "rps > 500"';
    case 'count':
      return 'e.g. "error_count < 10"';
  }
}

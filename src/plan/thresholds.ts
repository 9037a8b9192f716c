// Threshold expressions (scenario `thresholds:` and `--threshold` flags) → parsed specs for the Plan.
// Parsed before anything is sent, so a typo fails the run at once (exit 2) rather than after it.
import { isIP } from 'node:net';
import { ScenarioError, UsageError } from '../util/errors.ts';
import { parseThreshold, ThresholdSyntaxError, type ThresholdSpec } from './threshold-grammar.ts';
import { suggest } from '../scenario/suggest.ts';
import type { ScenarioThreshold } from '../scenario/types.ts';

export interface PlannedThreshold {
  spec: ThresholdSpec;
  /** The expression as written (shown in every report). */
  source: string;
  /** Stop the run as soon as this threshold fails (checked about once a second, after `delayMs`). */
  abortOnFail: boolean;
  /** Measured time before an abortOnFail threshold is first checked. */
  delayMs: number;
  origin: 'scenario' | 'cli';
  /** Line of the expression in the scenario file (null from the CLI): CI annotations point at it. */
  line: number | null;
}

/**
 * The instances a threshold may name: host:port of each target, or ADDRESSES with `resolve: all` (the
 * names are the addresses found at the start of the run, so only their form can be checked here).
 */
export type TargetNames = readonly string[] | typeof ADDRESSES;
export const ADDRESSES = 'addresses';

/**
 * Scenario thresholds first (in file order), then the command line's. A threshold on a request name the
 * plan does not have is refused here (a typo would otherwise only fail after the whole run).
 */
export function resolveThresholds(
  fromScenario: readonly ScenarioThreshold[],
  fromCli: readonly string[],
  requestNames: readonly string[],
  targetNames: TargetNames = [],
): PlannedThreshold[] {
  const planned: PlannedThreshold[] = fromScenario.map((t, i) => ({
    spec: parseScenarioThreshold(t, i, requestNames, targetNames),
    source: t.expr,
    abortOnFail: t.abortOnFail,
    delayMs: t.delayMs,
    origin: 'scenario',
    line: t.position.line,
  }));
  for (const expr of fromCli) {
    planned.push({ spec: parseCliThreshold(expr, requestNames, targetNames), source: expr, abortOnFail: false, delayMs: 0, origin: 'cli', line: null });
  }
  return planned;
}

function parseScenarioThreshold(t: ScenarioThreshold, index: number, requestNames: readonly string[], targetNames: TargetNames): ThresholdSpec {
  try {
    return checkedParse(t.expr, requestNames, targetNames);
  } catch (error) {
    if (!(error instanceof ThresholdSyntaxError)) throw error;
    // The offset maps onto the file only when the expression sits on one line as written.
    const singleLine = !t.expr.includes('\n');
    const position = singleLine ? { ...t.position, col: t.exprCol + error.offset } : t.position;
    throw new ScenarioError(describe(error), position, `thresholds[${index}]`);
  }
}

function parseCliThreshold(expr: string, requestNames: readonly string[], targetNames: TargetNames): ThresholdSpec {
  try {
    return checkedParse(expr, requestNames, targetNames);
  } catch (error) {
    if (!(error instanceof ThresholdSyntaxError)) throw error;
    throw new UsageError(`--threshold: ${describe(error)}`);
  }
}

function checkedParse(expr: string, requestNames: readonly string[], targetNames: TargetNames): ThresholdSpec {
  const spec = parseThreshold(expr);
  const target = spec.target;
  if (targetNames === ADDRESSES) {
    if (target !== undefined && target !== '*' && !isAddressName(target)) {
      const hint = 'with `resolve: all` each instance is named by its address, e.g. 10.0.0.1:8080 or [fd00::1]:8080';
      throw new ThresholdSyntaxError(expr, expr.indexOf(target), `${target} is not an address`, hint);
    }
  } else if (target !== undefined && target !== '*' && !targetNames.includes(target)) {
    const near = suggest(target, targetNames);
    const hint = near ? `did you mean "${near}"?` : targetNames.length > 0 ? `targets: ${targetNames.join(', ')}, or *` : 'per-target figures need several `targets:` (or `resolve: all`)';
    throw new ThresholdSyntaxError(expr, expr.indexOf(target), `no target ${target} in this plan`, hint);
  }
  if (target === '*' && targetNames !== ADDRESSES && targetNames.length === 0) {
    throw new ThresholdSyntaxError(expr, expr.indexOf('*'), 'per-target figures need several `targets:` (or `resolve: all`)');
  }
  if (spec.request !== null && !requestNames.includes(spec.request)) {
    const near = suggest(spec.request, requestNames);
    const names = requestNames.filter((n) => /^[A-Za-z0-9_-]+$/.test(n));
    const hint = near ? `did you mean "${near}"?` : names.length > 0 ? `requests: ${names.join(', ')}` : 'name requests in the scenario to gate them one by one';
    throw new ThresholdSyntaxError(expr, expr.indexOf(spec.request), `no request named "${spec.request}" in this plan`, hint);
  }
  return spec;
}

/** An instance name under `resolve: all`: an IPv4 address or a bracketed IPv6 one, with an optional port. */
function isAddressName(name: string): boolean {
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::\d+)?$/.exec(name);
  const address = match?.[1] ?? match?.[2];
  return address !== undefined && isIP(address) !== 0 && (match![1] === undefined || isIP(address) === 6);
}

/** "latency needs a unit (add a unit, e.g. 250ms)" followed by the expression with a caret under the spot. */
function describe(error: ThresholdSyntaxError): string {
  const pointer = error.pointer().split('\n').map((line) => `    ${line}`).join('\n');
  return `invalid threshold: ${error.problem}${error.hint ? ` (${error.hint})` : ''}\n${pointer}`;
}

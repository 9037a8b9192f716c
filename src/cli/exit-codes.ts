// The exit codes: a public contract CI jobs script against (documented in the README and docs/ci.md).
import type { RunResult } from '../result/result.ts';

export const EXIT = {
  ok: 0,
  /** Node's own code for an uncaught crash; we never use it on purpose. */
  crash: 1,
  usage: 2,
  /** Nothing meaningful measured: target unreachable, protocol refused, no request succeeded. */
  noMeasurement: 3,
  /** A threshold failed, or a regression against --baseline (k6's number for crossed thresholds). */
  thresholds: 99,
  interrupted: 130,
} as const;

/**
 * The exit code of a finished run. Precedence: 3 (nothing meaningful measured: no verdict means anything)
 * over 130 (interrupted: a partial run is not a performance failure) over 99 (a threshold failed or the
 * baseline comparison found a regression) over 0.
 */
export function exitCodeFor(result: RunResult): number {
  if (result.error) return EXIT.noMeasurement;
  if (result.interrupted) return EXIT.interrupted;
  if (result.thresholdsPassed === false || result.baseline?.comparison.regressed) return EXIT.thresholds;
  return EXIT.ok;
}

// The CI gate around a run: watches abortOnFail thresholds on the live partial results, evaluates every
// threshold on the final result, and records the verdicts in it. No I/O. (The CLI turns them into
// the exit code: cli/exit-codes.ts.)
import type { PlannedThreshold } from '../plan/thresholds.ts';
import type { Comparison, ThresholdOutcome } from '../result/verdicts.ts';
import type { RunResult } from '../result/result.ts';
import { evaluateThresholds } from './thresholds.ts';

/** Decides, from the partial results the engine hands out about once a second, when to stop early. */
export class AbortGate {
  private readonly watched: readonly PlannedThreshold[];
  /** The threshold that failed, as measured then, and when (ms of measured time); null until one does. */
  tripped: { outcome: ThresholdOutcome; atMs: number } | null = null;

  constructor(thresholds: readonly PlannedThreshold[]) {
    this.watched = thresholds.filter((t) => t.abortOnFail);
  }

  /** False when no threshold asks to abort: then the engine need not build partial results at all. */
  get watching(): boolean {
    return this.watched.length > 0;
  }

  /** True when an abortOnFail threshold past its delay fails now (the caller then stops the run). */
  check(partial: RunResult): boolean {
    if (this.tripped) return true;
    const due = this.watched.filter((t) => partial.durationMs >= t.delayMs);
    if (due.length === 0) return false;
    // "No samples yet" is not a crossing: a slow first response must not abort the run. The final
    // evaluation still fails a threshold that never got any.
    const failed = evaluateThresholds(partial, due).find((o) => !o.passed && o.actual !== null);
    if (!failed) return false;
    this.tripped = { outcome: failed, atMs: Math.round(partial.durationMs) };
    return true;
  }
}

/** The result with its thresholds evaluated (and the abort that stopped it, if any) and the baseline verdict. */
export function withVerdicts(
  result: RunResult,
  thresholds: readonly PlannedThreshold[],
  abort: AbortGate['tripped'],
  baseline: { file: string; comparison: Comparison } | null,
): RunResult {
  const outcomes = evaluateThresholds(result, [...thresholds]);
  const judged: RunResult = {
    ...result,
    thresholds: outcomes,
    thresholdsPassed: outcomes.every((o) => o.passed) && abort === null,
  };
  if (abort) judged.thresholdAbort = abort;
  if (baseline) judged.baseline = baseline;
  return judged;
}

// The load model, resolved once: closed (virtual users) or open (arrival rate), the stages, the queue
// bound, and which latency correction applies. buildPlan calls this; the engine reads only the result.
//
// Precedence: `--rate` makes a constant-rate open run (replacing the file's rate and stages); `-c` in a
// closed run replaces the file's concurrency stages, and in an open run sets the most requests in flight.
import { UsageError } from '../util/errors.ts';
import { sum } from '../util/list.ts';
import type { Scenario, Stage } from '../scenario/types.ts';

export type LoadModel = 'closed' | 'open';
export type LatencyCorrection = 'none' | 'intended-start' | 'expected-interval';

export interface ResolvedLoadModel {
  model: LoadModel;
  /** Closed model: virtual users at the start (stages ramp from there); 0 in the open model. */
  users: number;
  /** Open model: the most requests in flight at once (it sizes the default pool); 0 in the closed model. */
  inflightCap: number;
  /** The most virtual users (closed) or requests in flight (open) the run reaches: sizes the default pool. */
  peakConcurrency: number;
  /** Open: requests per second at the start; null in the closed model. */
  rate: number | null;
  stages: Stage[];
  /** Sum of the stage durations (0 without stages). */
  stagesMs: number;
  maxQueued: number;
  latencyCorrection: LatencyCorrection;
}

export interface LoadOverrides {
  concurrency?: number;
  rate?: number;
  maxQueued?: number;
  latencyCorrection?: boolean;
  think?: unknown;
}

export const LOAD_DEFAULTS = {
  /** Closed model without `concurrency`. */
  concurrency: 10,
  /** Closed-model stages start from one virtual user unless `concurrency` says otherwise. */
  stagesStartConcurrency: 1,
  /** Open model without `-c`: enough slots for responses of this many ms at the peak rate (at least 10). */
  openInflightMs: 100,
  /** Open model queue bound: this many requests, or this many seconds at the peak rate if more. */
  minMaxQueued: 10_000,
  maxQueuedSeconds: 10,
} as const;

export function resolveLoadModel(scenario: Scenario, overrides: LoadOverrides): ResolvedLoadModel {
  const load = scenario.load;
  const fileStages = load.stages;
  const open = overrides.rate !== undefined || load.rate !== undefined || fileStages?.kind === 'rate';
  if (open) {
    const stages = overrides.rate === undefined && fileStages?.kind === 'rate' ? fileStages.stages : [];
    const rate = overrides.rate ?? load.rate ?? 0;
    const peakRate = Math.max(rate, ...stages.map((s) => s.target));
    if (overrides.think !== undefined) {
      throw new UsageError('--think applies to the closed model (virtual users); a run with a rate has no think time');
    }
    const inflightCap =
      overrides.concurrency ??
      load.concurrency ??
      Math.max(LOAD_DEFAULTS.concurrency, Math.ceil((peakRate * LOAD_DEFAULTS.openInflightMs) / 1000));
    return {
      model: 'open',
      users: 0,
      inflightCap,
      peakConcurrency: inflightCap,
      rate,
      stages,
      stagesMs: sum(stages.map((s) => s.durationMs)),
      maxQueued:
        overrides.maxQueued ??
        load.maxQueued ??
        Math.max(LOAD_DEFAULTS.minMaxQueued, Math.ceil(peakRate * LOAD_DEFAULTS.maxQueuedSeconds)),
      latencyCorrection: 'intended-start',
    };
  }
  if (overrides.maxQueued !== undefined) throw new UsageError('--max-queued applies to the open model only (give --rate)');
  const stages = overrides.concurrency === undefined && fileStages?.kind === 'concurrency' ? fileStages.stages : [];
  const users =
    overrides.concurrency ??
    load.concurrency ??
    (stages.length > 0 ? LOAD_DEFAULTS.stagesStartConcurrency : LOAD_DEFAULTS.concurrency);
  const corrected = overrides.latencyCorrection ?? load.latencyCorrection ?? false;
  return {
    model: 'closed',
    users,
    inflightCap: 0,
    peakConcurrency: Math.max(users, ...stages.map((s) => s.target)),
    rate: null,
    stages,
    stagesMs: sum(stages.map((s) => s.durationMs)),
    maxQueued: 0,
    latencyCorrection: corrected ? 'expected-interval' : 'none',
  };
}

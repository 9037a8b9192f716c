// What the main thread and the worker threads of a --workers run say to each other.
import type { Plan } from '../../plan/types.ts';
import type { Snapshot } from '../../record/recorder.ts';
import type { RunResult } from '../../result/result.ts';
import type { Instance } from '../../transport/resolve.ts';

export interface WorkerSetup {
  /** This worker's part of the plan (split.ts). */
  plan: Plan;
  /** The instances, resolved once by the main thread (transport/resolve.ts). */
  instances: Instance[];
  index: number;
  version: string;
  /** Send partial results about once a second (the main thread watches abortOnFail thresholds). */
  live: boolean;
}

export type ToWorker = { type: 'stop'; reason: RunResult['stopReason'] };

export type ToMain =
  | { type: 'progress'; snapshot: Snapshot }
  | { type: 'tick'; partial: RunResult }
  | { type: 'result'; result: RunResult };

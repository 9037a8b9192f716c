// How a run stops, for LoadRun and WorkerRun alike: the first reason given wins, and each thing to do on
// stopping runs once, whether it was registered before the stop or after it.
import type { RunResult } from '../result/result.ts';

export type StopReason = RunResult['stopReason'];

export class StopLatch {
  /** Why the run stopped; null while it runs. */
  reason: StopReason | null = null;
  private readonly handlers: Array<(reason: StopReason) => void> = [];

  stop(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    for (const handler of this.handlers) handler(reason);
  }

  /** Calls `handler` when the run stops, or at once if it already has. */
  onStop(handler: (reason: StopReason) => void): void {
    this.handlers.push(handler);
    if (this.reason) handler(this.reason);
  }
}

// A --workers N run: the plan split exactly into N parts (split.ts), each run by the ordinary engine in
// its own worker thread (own transport, recorder and event loop: see worker-entry.ts), and the N results
// merged exactly at the end (merge.ts adds the encoded histograms). An EngineRun, as engine/run.ts's
// LoadRun is, so the CLI drives either the same way.
//
// A worker that crashes fails the whole run (a result with `error`, exit 3, --json still written): the
// others' figures would be a part presented as the whole, so none are reported.
import { Worker } from 'node:worker_threads';
import { mergeResults } from '../../record/merge.ts';
import type { Snapshot } from '../../record/recorder.ts';
import type { RunResult } from '../../result/result.ts';
import { summarizePlan } from '../../plan/summary.ts';
import { EngineRun, measuredNothing } from '../run.ts';
import { splitPlan } from '../../plan/split.ts';
import { resolveInstances, type Instance } from '../../transport/resolve.ts';
import { RunError } from '../../util/errors.ts';
import type { ToMain, ToWorker, WorkerSetup } from './messages.ts';

const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker-entry.ts' : './worker-entry.js', import.meta.url);

/** stop() reaches every worker, each of which stops the way LoadRun does (finishing its requests in flight). */
export class WorkerRun extends EngineRun {
  private readonly workers: Worker[] = [];

  async execute(): Promise<RunResult> {
    const startedAt = new Date();
    // Looked up once here rather than by each worker: every worker spreads over the same addresses.
    let instances: Instance[];
    try {
      instances = await resolveInstances(this.plan.targets, this.plan.resolve);
    } catch (error) {
      if (!(error instanceof RunError)) throw error;
      return measuredNothing(this.plan, this.options.version, startedAt, { class: error.errorClass, message: error.message });
    }
    const parts = splitPlan(this.plan, this.plan.workers, '--workers');
    const count = parts.length;
    const snapshots: Array<Snapshot | undefined> = new Array(count);
    const partials: Array<RunResult | undefined> = new Array(count);
    const results: Array<RunResult | undefined> = new Array(count);
    const labels = parts.map((_, i) => `worker ${i + 1}`);

    const finished = parts.map(
      (part, index) =>
        new Promise<void>((resolve, reject) => {
          const setup: WorkerSetup = { plan: part, instances, index, version: this.options.version, live: this.options.onTick !== undefined };
          const worker = new Worker(ENTRY, { workerData: setup });
          this.workers.push(worker);
          this.stopping.onStop((reason) => worker.postMessage({ type: 'stop', reason } satisfies ToWorker));
          const crashed = (why: string) => reject(new Error(`worker ${index + 1} of ${count} crashed: ${why}; no figures are reported (the other workers' would be only part of the load)`));
          worker.on('message', (message: ToMain) => {
            if (message.type === 'progress') {
              snapshots[index] = message.snapshot;
              this.options.onProgress?.(mergeSnapshots(snapshots));
            } else if (message.type === 'tick') {
              partials[index] = message.partial;
              // Not every(): it skips the holes of workers that have not ticked yet.
              const present = partials.filter((p): p is RunResult => p !== undefined);
              if (present.length === count) this.options.onTick?.(mergeResults(present, labels));
            } else {
              results[index] = message.result;
              resolve();
              void worker.terminate();
            }
          });
          worker.on('error', (error) => crashed(error.message));
          worker.on('exit', (code) => {
            if (results[index] === undefined) crashed(`it exited with code ${code} before its result`);
          });
        }),
    );
    try {
      await Promise.all(finished);
    } catch (error) {
      await Promise.all(this.workers.map((w) => w.terminate()));
      return measuredNothing(this.plan, this.options.version, startedAt, { class: 'worker-crashed', message: (error as Error).message });
    }
    const merged: RunResult = { ...mergeResults(results as RunResult[], labels), plan: summarizePlan(this.plan), workers: count };
    // A worker that measured nothing (its target unreachable) leaves the merge partial: not a result.
    const failed = results.find((r) => r!.error);
    if (failed) merged.error = failed.error!;
    return merged;
  }
}

/** Live progress of all workers: counts and rates add; P99 is the largest worker's (an upper bound). */
function mergeSnapshots(list: ReadonlyArray<Snapshot | undefined>): Snapshot {
  const present = list.filter((s): s is Snapshot => s !== undefined);
  const counts = { sent: 0, completed: 0, failed: 0, cancelled: 0, dropped: 0 };
  for (const s of present) {
    counts.sent += s.counts.sent;
    counts.completed += s.counts.completed;
    counts.failed += s.counts.failed;
    counts.cancelled += s.counts.cancelled;
    counts.dropped += s.counts.dropped ?? 0;
  }
  return {
    elapsedMs: Math.max(0, ...present.map((s) => s.elapsedMs)),
    counts,
    errors: present.reduce((n, s) => n + s.errors, 0),
    currentRps: present.reduce((n, s) => n + s.currentRps, 0),
    p99Ms: Math.max(0, ...present.map((s) => s.p99Ms)),
  };
}

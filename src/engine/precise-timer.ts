// A wake-up timer finer than setTimeout, for the open-model scheduler. libuv timers work in whole
// milliseconds of loop time, so a request due at t starts anywhere in [t, t + ~1.5 ms): that lateness would
// be added to every latency measured from the intended start. Spinning with setImmediate fixes it but
// burns a core, which also hides real saturation. Instead a small worker thread sleeps in Atomics.wait
// (sub-millisecond precision, no CPU) until the due time and posts a message, which wakes this thread's
// event loop at once. The main thread only writes the next due time into shared memory.
import { Worker } from 'node:worker_threads';

/**
 * The worker sleeps until this close to the due time, then spins (on its own thread) to be exact: a
 * futex wake alone is ~0.1-0.25 ms late here. Only for due times at least 1 ms ahead when set, so the
 * spinning costs at most ~20% of a core on the worker, none on the main thread.
 */
const SPIN_MS = 0.2;

/**
 * Int32 [0]: generation (bumped on each new due time), [1]: 1 when closing, [2]: the generation the
 * worker last posted for (it then waits, without a timeout, for the next one). Then at byte 16 one
 * float64: the due time.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const flags = new Int32Array(workerData, 0, 3);
const due = new Float64Array(workerData, 16, 1);
const now = () => performance.timeOrigin + performance.now();
const SPIN_MS = ${SPIN_MS};
parentPort.postMessage(-1);
let seen = -2;
let spin = false;
for (;;) {
  const generation = Atomics.load(flags, 0);
  if (Atomics.load(flags, 1) === 1) break;
  const wait = due[0] - now();
  if (generation !== seen) {
    seen = generation;
    spin = wait > 1;
  }
  const early = spin ? SPIN_MS : 0;
  if (wait > early) {
    Atomics.wait(flags, 0, generation, wait - early);
    continue;
  }
  if (wait > 0) continue;
  Atomics.store(flags, 2, generation);
  parentPort.postMessage(generation);
  Atomics.wait(flags, 0, generation);
}
`;

export class PreciseTimer {
  private readonly shared = new SharedArrayBuffer(24);
  private readonly flags = new Int32Array(this.shared, 0, 3);
  private readonly due = new Float64Array(this.shared, 16, 1);
  /** The due time last set (performance.now() time). */
  private dueAt = Infinity;
  private readonly worker: Worker;
  private readonly onDue: () => void;
  /** Until the worker has started (tens of ms), setTimeout stands in for it. */
  private ready = false;
  private fallback: NodeJS.Timeout | null = null;

  /** `onDue` runs on this thread once the time given to `wakeAt` has come. */
  constructor(onDue: () => void) {
    this.due[0] = Infinity;
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: this.shared });
    this.worker.unref();
    this.worker.on('message', (generation: number) => {
      if (generation === -1) {
        this.ready = true;
        if (this.fallback) clearTimeout(this.fallback);
        return;
      }
      // A message from before the last wakeAt is stale: that due time was replaced.
      if (generation === Atomics.load(this.flags, 0)) onDue();
    });
    this.onDue = onDue;
  }

  /** Calls `onDue` once at `at` (performance.now() time); replaces any earlier request. Infinity: never. */
  wakeAt(at: number): void {
    if (!this.ready) {
      if (this.fallback) clearTimeout(this.fallback);
      if (at !== Infinity) this.fallback = setTimeout(this.onDue, Math.max(0, at - performance.now()));
    }
    const earlier = at < this.dueAt;
    this.dueAt = at;
    this.due[0] = performance.timeOrigin + at;
    const generation = Atomics.add(this.flags, 0, 1);
    // The futex wake is skipped when it is not needed (at high rates the scheduler mostly moves the due
    // time on from its own I/O callbacks, later each time): a worker sleeping until an earlier time wakes
    // then, sees the new generation and sleeps again. It is needed when the new time is earlier, or when
    // the worker has posted for the current generation and now waits for the next without a timeout.
    if (earlier || Atomics.load(this.flags, 2) === generation) Atomics.notify(this.flags, 0);
  }

  /** The due time last set: callers that are awake anyway can act on it without waiting for the worker. */
  get nextDue(): number {
    return this.dueAt;
  }

  close(): void {
    if (this.fallback) clearTimeout(this.fallback);
    Atomics.store(this.flags, 1, 1);
    Atomics.add(this.flags, 0, 1);
    Atomics.notify(this.flags, 0);
    void this.worker.terminate();
  }
}

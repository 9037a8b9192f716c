// A wake-up timer finer than setTimeout, for the open-model scheduler. libuv timers work in whole
// milliseconds of loop time, so a request due at t starts anywhere in [t, t + ~1.5 ms): that lateness would
// be added to every latency measured from the intended start. Spinning with setImmediate fixes it but
// burns a core, which also hides real saturation. Instead a small worker thread sleeps in Atomics.wait
// (sub-millisecond precision, no CPU) until the due time and posts a message, which wakes this thread's
// event loop at once. The main thread only writes the next due time into shared memory.
//
// Due times less than COARSE_MS ahead (rates above ~1,000/s) take a libuv timer instead: there the
// worker's message per request cost about a third of the CPU per request (5,000 req/s pinned to one core:
// 170-186 µs/request with the worker, 119-136 without), while responses arriving all the time wake the
// loop anyway and the scheduler issues what has come due from them. The price, measured and reported
// as schedule lag: P50 0.3 ms instead of 0.08 ms at that rate.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/**
 * The worker sleeps until this close to the due time, then spins (on its own thread) to be exact: a
 * futex wake alone is ~0.1-0.25 ms late here. The worker only takes due times at least COARSE_MS ahead,
 * so the spinning costs at most ~20% of a core on the worker, none on the main thread.
 */
const SPIN_MS = 0.2;

/** Due times nearer than this go to a libuv timer (see the top of this file). */
const COARSE_MS = 1;

/**
 * At this rate or above, requests are never COARSE_MS or more apart, so the worker would never be used:
 * a schedule that stays at or above it gets no worker (starting one costs ~0.1 s of CPU and ~10 MiB).
 */
export const COARSE_RATE = 1000 / COARSE_MS;

/**
 * Int32 [0]: generation (bumped on each new due time), [1]: 1 when closing, [2]: the generation the
 * worker last posted for (it then waits, without a timeout, for the next one). Then at byte 16 one
 * float64: the due time.
 *
 * Evaluated code runs as CommonJS, or as an ES module when the process has --input-type=module (a
 * worker inherits it from the command line and from NODE_OPTIONS, whatever its execArgv says), so it
 * uses neither `require` nor `import`: process.getBuiltinModule works in both. (A worker file would not
 * do: with --input-type set at all, Node refuses any file as a worker's entry.)
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = process.getBuiltinModule('node:worker_threads');
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
  /** The due time last set (performance.now() time), and the one the worker holds (Infinity: none). */
  private dueAt = Infinity;
  private workerAt = Infinity;
  /** Null when the schedule never needs it (see COARSE_RATE): the libuv timer then serves alone. */
  private readonly worker: Worker | null;
  private readonly onDue: () => void;
  /** Until the worker has started (tens of ms), or without one, the libuv timer stands in for it. */
  private ready = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;

  /**
   * `onDue` runs on this thread once the time given to `wakeAt` has come. `lowestRate`: the lowest
   * request rate the schedule will run at (0 if it pauses or ramps to 0); it decides whether a worker
   * is started.
   */
  constructor(onDue: () => void, lowestRate: number) {
    this.due[0] = Infinity;
    this.onDue = onDue;
    if (lowestRate >= COARSE_RATE) {
      this.worker = null;
      return;
    }
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: this.shared });
    this.worker.on('message', (generation: number) => {
      if (generation === -1) this.ready = true;
      // A message from before the last due time the worker was given is stale: it was replaced.
      else if (generation === Atomics.load(this.flags, 0)) {
        // The worker now waits for its next due time: until it has one, it holds nothing.
        this.workerAt = Infinity;
        this.worker!.unref();
        onDue();
      }
    });
    // After on('message'), which refs the worker's port again: an unref() before it was undone, and a timer
    // that was never closed (a run that threw before stopping) held the process open for good. The worker
    // holds the event loop only while it holds a due time (giveWorker), as a pending setTimeout would.
    this.worker.unref();
  }

  /** Whether a worker thread serves the due times COARSE_MS or more ahead (for tests). */
  get hasWorker(): boolean {
    return this.worker !== null;
  }

  /** Calls `onDue` once at `at` (performance.now() time); replaces any earlier request. Infinity: never. */
  wakeAt(at: number): void {
    this.dueAt = at;
    const now = performance.now();
    if (at !== Infinity && (!this.ready || at - now < COARSE_MS)) {
      this.giveWorker(Infinity);
      this.arm(at, now);
    } else {
      this.disarm();
      this.giveWorker(at);
    }
  }

  /** The due time last set: callers that are awake anyway can act on it without waiting for a wake-up. */
  get nextDue(): number {
    return this.dueAt;
  }

  close(): void {
    this.disarm();
    if (this.worker === null) return;
    Atomics.store(this.flags, 1, 1);
    Atomics.add(this.flags, 0, 1);
    Atomics.notify(this.flags, 0);
    void this.worker.terminate();
  }

  private giveWorker(at: number): void {
    if (at === this.workerAt) return;
    const earlier = at < this.workerAt;
    if (at === Infinity) this.worker!.unref();
    else if (this.workerAt === Infinity) this.worker!.ref();
    this.workerAt = at;
    this.due[0] = performance.timeOrigin + at;
    const generation = Atomics.add(this.flags, 0, 1);
    // The futex wake is skipped when it is not needed (the scheduler mostly moves the due time on, later
    // each time, from its own I/O callbacks): a worker sleeping until an earlier time wakes then, sees
    // the new generation and sleeps again. It is needed when the new time is earlier, or when the worker
    // has posted for the current generation and now waits for the next without a timeout.
    if (earlier || Atomics.load(this.flags, 2) === generation) Atomics.notify(this.flags, 0);
  }

  /** One libuv timer at a time: one already due no later than `at` will do (its tick re-arms). */
  private arm(at: number, now: number): void {
    if (this.timer !== null && this.timerAt <= at) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.fire, Math.max(0, at - now));
  }

  private disarm(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    this.onDue();
  };
}

// The time source of the engine's timing logic (the arrival scheduler, the stage ramp of virtual users,
// think time and retry backoff). The run uses systemClock; a test can pass a virtual clock and step
// through a schedule exactly, without waiting for real time.
import { performance } from 'node:perf_hooks';
import { PreciseTimer } from './precise-timer.ts';

/** Calls back once at a due time; each wakeAt replaces the previous one. */
export interface Waker {
  /** Calls back at `at` (Clock.now() time); Infinity: never. */
  wakeAt(at: number): void;
  /** The due time last set. */
  readonly nextDue: number;
  close(): void;
}

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds (performance.now() on the system clock). */
  now(): number;
  /** Calls `callback` once after `ms`. */
  after(ms: number, callback: () => void): Timer;
  /** Calls `callback` every `ms` until cancelled. */
  every(ms: number, callback: () => void): Timer;
  /**
   * A waker for a schedule's due times. `lowestRate` (requests per second) lets the system clock decide
   * whether sub-millisecond precision needs a timer thread (see precise-timer.ts).
   */
  waker(onDue: () => void, lowestRate: number): Waker;
}

export const systemClock: Clock = {
  // Imported, not the global: Node's global `performance` is an accessor with a check on every read.
  now: () => performance.now(),
  after(ms, callback) {
    const timer = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(timer) };
  },
  every(ms, callback) {
    const timer = setInterval(callback, ms);
    return { cancel: () => clearInterval(timer) };
  },
  waker: (onDue, lowestRate) => new PreciseTimer(onDue, lowestRate),
};

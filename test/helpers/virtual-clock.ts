// A virtual clock for the engine's timing logic (src/engine/clock.ts): time moves only when a test
// advances it, and every timer due on the way runs at exactly its due time, in order.
import type { Clock, Timer, Waker } from '../../src/engine/clock.ts';

interface Pending {
  at: number;
  /** Order of creation: timers due at the same time run in the order they were set. */
  seq: number;
  period: number | null;
  callback: () => void;
}

/** Lets promise callbacks (a sleep's resolve, an async user's next step) run before time moves on. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly pending = new Set<Pending>();

  now(): number {
    return this.time;
  }

  after(ms: number, callback: () => void): Timer {
    return this.add(ms, null, callback);
  }

  every(ms: number, callback: () => void): Timer {
    return this.add(ms, ms, callback);
  }

  waker(onDue: () => void): Waker {
    let timer: Timer | null = null;
    let due = Infinity;
    return {
      wakeAt: (at) => {
        timer?.cancel();
        due = at;
        timer = at === Infinity ? null : this.after(Math.max(0, at - this.time), () => {
          timer = null;
          onDue();
        });
      },
      get nextDue() {
        return due;
      },
      close: () => {
        timer?.cancel();
        timer = null;
      },
    };
  }

  /** Moves time forward by `ms`, running each timer due on the way at its due time. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      let next: Pending | null = null;
      for (const p of this.pending) if (p.at <= end && (next === null || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
      if (next === null) break;
      this.time = next.at;
      if (next.period === null) this.pending.delete(next);
      else {
        next.at += next.period;
        next.seq = this.seq++;
      }
      next.callback();
    }
    this.time = end;
    await settle();
  }

  private add(ms: number, period: number | null, callback: () => void): Timer {
    const entry: Pending = { at: this.time + Math.max(0, ms), seq: this.seq++, period, callback };
    this.pending.add(entry);
    return { cancel: () => this.pending.delete(entry) };
  }
}

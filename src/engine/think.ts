// Think time: the pause a virtual user takes after each response (never part of latency), and an
// abortable sleep on a clock (clock.ts) so a stopping run does not wait for sleeping users.
import type { Think } from '../scenario/types.ts';
import { systemClock, type Clock, type Timer } from './clock.ts';

export function thinkMs(think: Think, random: () => number = Math.random): number {
  switch (think.kind) {
    case 'none':
      return 0;
    case 'uniform':
      return think.minMs + (think.maxMs - think.minMs) * random();
    case 'exponential':
      return -think.meanMs * Math.log(1 - random());
  }
}

/** The mean pause of a think-time distribution, in ms. */
export function meanThinkMs(think: Think): number {
  switch (think.kind) {
    case 'none':
      return 0;
    case 'uniform':
      return (think.minMs + think.maxMs) / 2;
    case 'exponential':
      return think.meanMs;
  }
}

/** Sleeps that can all be cut short at once when the run stops. */
export class Sleeper {
  private readonly pending = new Map<Timer, () => void>();
  private woken = false;
  private readonly clock: Clock;

  constructor(clock: Clock = systemClock) {
    this.clock = clock;
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.clock.after(ms, () => {
        this.pending.delete(timer);
        resolve();
      });
      this.pending.set(timer, resolve);
    });
  }

  wakeAll(): void {
    this.woken = true;
    for (const [timer, resolve] of this.pending) {
      timer.cancel();
      resolve();
    }
    this.pending.clear();
  }
}

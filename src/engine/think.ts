// Think time: the pause a virtual user takes after each response (never part of latency), and an
// abortable sleep so a stopping run does not wait for sleeping users.
import type { Think } from '../scenario/types.ts';

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
  private readonly pending = new Map<NodeJS.Timeout, () => void>();
  private woken = false;

  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.set(timer, resolve);
    });
  }

  wakeAll(): void {
    this.woken = true;
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve();
    }
    this.pending.clear();
  }
}

// A counting semaphore bounding the requests in flight across all virtual users. Without it, requests
// beyond the pool's capacity would queue inside undici, and that wait would land in measured latency.

export class Semaphore {
  private available: number;
  private readonly waiters: Array<(granted: boolean) => void> = [];
  private head = 0;
  private isClosed = false;

  constructor(size: number) {
    this.available = size;
  }

  /** Takes a slot if one is free right now (the common case, with no Promise). */
  tryAcquire(): boolean {
    if (this.isClosed || this.available === 0) return false;
    this.available--;
    return true;
  }

  /** Waits for a slot; resolves false if the semaphore is closed first (the run is stopping). */
  acquire(): Promise<boolean> {
    if (this.tryAcquire()) return Promise.resolve(true);
    if (this.isClosed) return Promise.resolve(false);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Returns a slot, handing it straight to the oldest waiter if there is one. */
  release(): void {
    if (this.head < this.waiters.length) {
      const next = this.waiters[this.head]!;
      this.waiters[this.head++] = undefined as never;
      if (this.head > 1024 && this.head * 2 > this.waiters.length) {
        this.waiters.splice(0, this.head);
        this.head = 0;
      }
      next(true);
    } else {
      this.available++;
    }
  }

  /** True once closed (the run is stopping). */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Refuses every waiting and future acquire. */
  close(): void {
    this.isClosed = true;
    const waiting = this.waiters.slice(this.head);
    this.waiters.length = 0;
    this.head = 0;
    for (const resolve of waiting) resolve(false);
  }
}

// The closed model's set of virtual users: a fixed number, or a number that follows stages (users are
// added, or leave after their current request, as the target moves). Each user runs engine/vu.ts.
import type { Timer } from './clock.ts';
import { LoadProfile } from './stages.ts';
import { runVirtualUser, type FlowEntries, type VuContext } from './vu.ts';

/** How often the target is re-read while stages ramp. */
const RAMP_PERIOD_MS = 100;

export class VirtualUsers {
  private readonly ctx: VuContext;
  private readonly start: number;
  private readonly profile: LoadProfile | null;
  private running = 0;
  /** Users started so far: the next one's number ({{vu}} in a flow). */
  private started = 0;
  private target: number;
  private readonly users: Array<Promise<void>> = [];
  private ramp: Timer | null = null;
  private stopped = false;

  /** The mix's flow entries (engine/flow.ts), or null for a plain mix. */
  private readonly flows: FlowEntries | null;

  /** `profile` is null for a constant number of users. */
  constructor(ctx: VuContext, start: number, profile: LoadProfile | null, flows: FlowEntries | null = null) {
    this.ctx = ctx;
    this.flows = flows;
    this.start = start;
    this.profile = profile;
    this.target = start;
  }

  /** Starts the users and resolves when every one has finished. */
  async run(): Promise<void> {
    this.scale();
    let count: number;
    do {
      count = this.users.length;
      await Promise.all(this.users);
    } while (this.users.length !== count);
  }

  /** Stages begin with the measured window. */
  beginMeasuring(now: number): void {
    const profile = this.profile;
    if (profile === null || this.stopped) return;
    const { clock } = this.ctx;
    this.ramp = clock.every(RAMP_PERIOD_MS, () => {
      this.target = Math.round(profile.valueAt(clock.now() - now));
      this.scale();
    });
  }

  stop(): void {
    this.stopped = true;
    this.ramp?.cancel();
  }

  perSecond(): { vus?: number } {
    return this.profile === null ? {} : { vus: this.running };
  }

  private scale(): void {
    while (!this.stopped && this.running < this.target) {
      this.running++;
      const vu = ++this.started;
      this.users.push(runVirtualUser(this.ctx, this.leave, this.flows?.user(vu) ?? null));
    }
  }

  /** Asked by each user before each request: the first users to ask while there are too many leave. */
  private readonly leave = (): boolean => {
    if (this.running <= this.target) return false;
    this.running--;
    return true;
  };
}

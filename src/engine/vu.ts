// The closed-model loop of one virtual user: wait for a pool slot, pick an entry by weight, send it (or,
// a flow entry, run its iteration: engine/flow.ts), record the outcome, release the slot, think, repeat —
// until the run says stop.
import { setImmediate } from 'node:timers';
import { classifyError, describeError } from '../result/failure-classes.ts';
import type { Recorder } from '../record/recorder.ts';
import type { Think } from '../scenario/types.ts';
import type { RetryPolicy } from '../plan/retry.ts';
import { sendWithRetry } from './retry.ts';
import type { PreparedRequest, SendOutcome, Transport } from '../transport/transport.ts';
import { CancelledError } from '../util/errors.ts';
import type { Clock } from './clock.ts';
import type { Semaphore } from './semaphore.ts';
import { thinkMs, type Sleeper } from './think.ts';
import type { StopReason } from './stop.ts';

/** What every virtual user shares; owned by engine/run.ts. */
export interface VuContext {
  /** The time source of latency, think time and stages (systemClock in a run; a virtual clock in tests). */
  readonly clock: Clock;
  readonly transport: Transport;
  /**
   * Where requests sent from now on are recorded. During warmup it is a recorder that is then set aside:
   * warmup runs the very recording code the measured window runs, so that code has run before it opens.
   */
  recorder: Recorder;
  readonly semaphore: Semaphore;
  readonly sleeper: Sleeper;
  readonly requests: readonly PreparedRequest[];
  /** Cumulative weights in [0, 1], one per request. */
  readonly cumulative: readonly number[];
  readonly think: Think;
  /** Per request: its retry policy, or null (the plain send). */
  readonly retry: ReadonlyArray<RetryPolicy | null>;
  /** Retry backoff sleeps (engine/retry.ts). */
  readonly backoff: Sleeper;
  /** True once the run cancels what is in flight: no retry starts then. */
  cancelling(): boolean;
  /** False during warmup (its requests go to the recorder that is set aside: see `recorder`). */
  measuring: boolean;
  /** Claims the right to send one more request (a flow: iteration); false once the run is stopping or iterations are used up. */
  nextTicket(): boolean;
  /** Stops the run (a flow's data file ran out of rows). */
  stopRun(reason: StopReason): void;
}

/** How a flow iteration ended ('interrupted': the run stopped before its last step). */
export type IterationOutcome = 'completed' | 'failed' | 'interrupted';

/**
 * The flow entries of a mix (engine/flow.ts, which imports this file): where a user (or an arrival) whose
 * weighted pick lands on a flow entry runs that entry's iteration. A plain entry is sent here (or by the
 * scheduler), with no Promise: both ask, and get null for a plain entry.
 */
export interface FlowEntries {
  /** Closed model: the k-th virtual user's flows (from 1). */
  user(k: number): FlowUser;
  /** Open model: the k-th arrival's iteration of the flow entry at `index` (recorded to `recorder`), or null. */
  arrival(index: number, k: number, intendedAt: number, recorder: Recorder): Promise<void> | null;
}

export interface FlowUser {
  /**
   * The user's iteration number `iteration` ({{iteration}}: its picks so far) of the flow entry at
   * `index`, or null if that entry is a plain request. It starts with the pool slot the user holds (waited
   * for since `queuedAt`; 0: no wait), and resolves once its last step is done: 'interrupted' (or the data
   * ran out, and the run is stopping) ends the user.
   */
  iteration(index: number, iteration: number, queuedAt: number): Promise<IterationOutcome> | null;
}

export function pickRequest(cumulative: readonly number[], r: number): number {
  let i = 0;
  while (i < cumulative.length - 1 && r >= cumulative[i]!) i++;
  return i;
}

/**
 * One virtual user until `leave` says so (asked before each request: stages ramping down) or the run
 * stops; resolves when it has finished. A callback loop rather than an async function: the next request
 * is sent from the previous one's callback, with no Promise or resumption per request (as a bare undici
 * loop does); Promises appear only where it really waits (a pool slot, think time, retries, the steps of
 * a flow entry's iteration: `flows`, this user's, when the mix has flow entries).
 */
export function runVirtualUser(ctx: VuContext, leave: () => boolean = () => false, flows: FlowUser | null = null): Promise<void> {
  return new Promise((finish, fail) => new VirtualUser(ctx, leave, finish, fail, flows).next());
}

class VirtualUser {
  private readonly ctx: VuContext;
  private readonly leave: () => boolean;
  private readonly finish: () => void;
  /** A flow iteration threw (a bug below the run, as an exception): the user, and the run, reject with it. */
  private readonly fail: (error: unknown) => void;
  private readonly flows: FlowUser | null;
  /** Entries picked so far ({{iteration}} of the next flow iteration). */
  private picks = 0;
  // The request in flight, and the recorder it goes to.
  private index = 0;
  private startedAt = 0;
  private recorder: Recorder | null = null;

  constructor(ctx: VuContext, leave: () => boolean, finish: () => void, fail: (error: unknown) => void, flows: FlowUser | null) {
    this.ctx = ctx;
    this.leave = leave;
    this.finish = finish;
    this.fail = fail;
    this.flows = flows;
  }

  // The ticket (one of `iterations`) is claimed only once a pool slot is held: a user that claimed one
  // and then waited for a slot would lose it when the stop closes the semaphore, and `-n 1000` with more
  // users than slots sent 973.
  readonly next = (): void => {
    const { ctx } = this;
    if (this.leave()) return this.finish();
    if (ctx.semaphore.tryAcquire()) return this.start(0);
    const queuedAt = ctx.clock.now();
    ctx.semaphore.acquire().then((granted) => (granted ? this.start(queuedAt) : this.finish()));
  };

  private start(queuedAt: number): void {
    const { ctx } = this;
    if (!ctx.nextTicket()) {
      ctx.semaphore.release();
      return this.finish();
    }
    const index = pickRequest(ctx.cumulative, Math.random());
    if (this.flows !== null) {
      const iteration = this.flows.iteration(index, this.picks++, queuedAt);
      if (iteration !== null) {
        iteration.then(this.iterated, this.fail);
        return;
      }
    }
    const request = ctx.requests[index]!;
    const recorder = ctx.recorder;
    const startedAt = ctx.clock.now();
    recorder.waited(queuedAt === 0 ? 0 : (startedAt - queuedAt) * 1000);
    recorder.sent(index, request.wireBytes);
    this.index = index;
    this.startedAt = startedAt;
    this.recorder = recorder;
    const policy = ctx.retry[index]!;
    if (policy === null) ctx.transport.send(request, this.settled);
    else sendWithRetry(ctx, recorder, index, request, policy, startedAt).then((outcome) => this.settled(outcome, null), (error: unknown) => this.settled(null, error));
  }

  private readonly settled = (outcome: SendOutcome | null, error: unknown): void => {
    const { ctx } = this;
    const recorder = this.recorder!;
    if (outcome !== null) {
      const latencyUs = (outcome.endAt - this.startedAt) * 1000;
      const ttfbUs = (outcome.headersAt - this.startedAt) * 1000;
      recorder.completed(this.index, outcome.status, latencyUs, ttfbUs, outcome.bytes);
    } else {
      recordFailure(recorder, this.index, error);
    }
    ctx.semaphore.release();
    const pause = thinkMs(ctx.think);
    if (pause > 0) ctx.sleeper.sleep(pause).then(this.next);
    else this.next();
  };

  /** A flow iteration ended (its steps released their slots): think, as after a request, and go on. */
  private readonly iterated = (outcome: IterationOutcome): void => {
    if (outcome === 'interrupted') return this.finish();
    const pause = thinkMs(this.ctx.think);
    if (pause > 0) this.ctx.sleeper.sleep(pause).then(this.next);
    // An iteration can fail without waiting on anything (a throwing beforeRequest hook): the next would
    // follow in the same microtask run, and the timers that stop the run, and signals, would never get a turn.
    else if (outcome === 'failed') setImmediate(this.next);
    else this.next();
  };
}

export function recordFailure(recorder: Recorder, index: number, error: unknown): void {
  if (error instanceof CancelledError) recorder.cancelled(index);
  else recorder.failed(index, classifyError(error), describeError(error));
}

// The open model (arrival rate): requests start on a fixed schedule, whatever the responses do.
//
// One timer loop, not one timer per request: each tick issues every request whose intended start has
// come (catching up after a late tick), then sleeps until the next one is due (precise-timer.ts: a
// worker wakes this thread within ~0.1 ms, where setTimeout would add up to ~1.5 ms). Whatever lateness
// remains is measured (schedule lag) rather than hidden. Latency counts from the intended start (wrk2), so a stalled target
// shows in the percentiles; the service time from the actual send is kept apart.
//
// When every pool slot is busy, issued requests wait in a FIFO (still timed from their intended start)
// up to `maxQueued`; beyond it they are dropped and counted, never silently skipped. Requests still
// queued when a deadline (or Ctrl-C, a threshold) stops the run were never sent: they count as dropped
// too. A run bounded by a count (-n) stops once the last one is issued, and the requests it scheduled
// are all owed: the queue drains into free slots until the graceful stop cancels what is in flight, and
// only what is still queued then is dropped.
import type { Recorder } from '../record/recorder.ts';
import type { PreparedRequest, SendOutcome, Transport } from '../transport/transport.ts';
import type { RetryPolicy } from '../plan/retry.ts';
import type { Clock, Waker } from './clock.ts';
import { sendWithRetry } from './retry.ts';
import type { Sleeper } from './think.ts';
import { LoadProfile } from './stages.ts';
import { pickRequest, recordFailure, type FlowEntries } from './vu.ts';

export interface ScheduleContext {
  /** The time source of the schedule (systemClock in a run; a virtual clock in tests). */
  readonly clock: Clock;
  readonly transport: Transport;
  /** Where requests issued from now on are recorded (a recorder set aside during warmup: see vu.ts). */
  recorder: Recorder;
  readonly requests: readonly PreparedRequest[];
  readonly cumulative: readonly number[];
  /** Per request: its retry policy, or null (the plain send). */
  readonly retry: ReadonlyArray<RetryPolicy | null>;
  readonly backoff: Sleeper;
  cancelling(): boolean;
  /** False during warmup (its requests go to the recorder that is set aside: see `recorder`). */
  readonly measuring: boolean;
  /** Claims the right to send one more request; false once the run is stopping or iterations are used up. */
  nextTicket(): boolean;
}

export interface ScheduleOptions {
  /** Requests per second at the start; with `stages`, the rate they ramp from. Warmup runs at this rate. */
  rate: number;
  profile: LoadProfile;
  maxInflight: number;
  maxQueued: number;
  /** Requests the timeline starts late by (a part of a split plan: see split.ts); 0 normally. */
  offset: number;
  /**
   * The flow entries of the mix (engine/flow.ts), or null: an arrival whose pick lands on one runs its
   * iteration, holding its in-flight slot until the iteration ends; one on a plain entry sends its request.
   */
  flows?: FlowEntries | null;
}

interface Queued {
  intendedAt: number;
  queuedAt: number;
  recorder: Recorder;
}

export class ArrivalScheduler {
  private readonly ctx: ScheduleContext;
  private readonly options: ScheduleOptions;
  /** The current timeline: warmup (a constant rate) until beginMeasuring, then the stages. */
  private profile: LoadProfile;
  private readonly clock: Clock;
  private origin: number;
  private issued = 0;
  /** Arrivals sent so far, plain or flow: the next one's number ({{vu}} in a flow). */
  private arrivals = 0;
  private inflight = 0;
  private readonly queue: Array<Queued | undefined> = [];
  private head = 0;
  private timer: Waker | null;
  private stopped = false;
  private measureStart: number | null = null;
  /** When scheduling stopped (in the measured window). */
  private scheduleEnd: number | null = null;
  /** When the last request scheduled was sent or dropped: the stop, or later if the queue drained. */
  private windowEnd: number | null = null;
  private scheduledMeasured = 0;
  /**
   * Arrivals of the measured window started (sent, not dropped): each is one request of a plain mix, one
   * entry picked from a mix with flows, one iteration of a flow (whatever its steps send), so the achieved
   * rate counts what the target rate does.
   */
  private startedMeasured = 0;
  private scheduledThisSecond = 0;
  /** Arrivals started this second, counted as `startedMeasured` (the live achieved rate). */
  private startedThisSecond = 0;
  private droppedThisSecond = 0;
  /** The latest start against the schedule this second, in ms. */
  private lagMaxThisSecond = 0;
  private resolveDone!: () => void;
  /** Settles when scheduling has stopped and every request sent has settled. */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(ctx: ScheduleContext, options: ScheduleOptions) {
    this.ctx = ctx;
    this.options = options;
    this.clock = ctx.clock;
    this.origin = ctx.clock.now();
    this.profile = new LoadProfile(options.rate, []);
    // Created now, before the measured window starts: starting a worker takes the main thread a few ms.
    // The warmup runs at `rate`, then the stages.
    this.timer = ctx.clock.waker(this.tick, Math.min(options.rate, options.profile.lowest));
  }

  start(): void {
    this.origin = this.clock.now();
    this.tick();
  }

  /** Restarts the timeline at the measured window's start: the stages begin there. */
  beginMeasuring(now: number): void {
    this.measureStart = now;
    this.origin = now;
    this.issued = 0;
    this.profile = this.options.profile;
    if (!this.stopped) this.timer?.wakeAt(now);
  }

  /**
   * Stops scheduling: nothing new is issued. In-flight requests go on. The queue is dropped, or with
   * `drainQueue` (the count of requests is used up: each one queued is owed) sent as slots come free,
   * until the run cancels (ctx.cancelling()).
   */
  stop(drainQueue = false): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.measureStart !== null) this.scheduleEnd = this.clock.now();
    this.timer?.close();
    this.timer = null;
    if (!drainQueue) this.dropQueue();
    this.endWindowIfDrained();
    this.settleIfDone();
  }

  /** For the series: arrivals the schedule called for, started and dropped since the last call, and the latest start. */
  perSecond(): { scheduled: number; arrivals: number; dropped: number; scheduleLagMax: number } {
    const point = {
      scheduled: this.scheduledThisSecond,
      arrivals: this.startedThisSecond,
      dropped: this.droppedThisSecond,
      scheduleLagMax: Math.round(this.lagMaxThisSecond * 1000) / 1000,
    };
    this.scheduledThisSecond = 0;
    this.startedThisSecond = 0;
    this.droppedThisSecond = 0;
    this.lagMaxThisSecond = 0;
    return point;
  }

  /**
   * The measured window's schedule figures (call after `done`): `windowMs` runs until the last request
   * scheduled was sent (or dropped), `targetRps` is the schedule's rate until it stopped, and
   * `achievedRps` the arrivals started per second of the window.
   */
  figures(): { windowMs: number; scheduled: number; targetRps: number; achievedRps: number } {
    if (this.measureStart === null) return { windowMs: 0, scheduled: this.scheduledMeasured, targetRps: 0, achievedRps: 0 };
    const now = this.clock.now();
    const windowMs = (this.windowEnd ?? now) - this.measureStart;
    const scheduleMs = (this.scheduleEnd ?? now) - this.measureStart;
    const expected = this.options.profile.countAt(scheduleMs);
    const targetRps = scheduleMs > 0 ? expected / (scheduleMs / 1000) : 0;
    return { windowMs, scheduled: this.scheduledMeasured, targetRps, achievedRps: windowMs > 0 ? this.startedMeasured / (windowMs / 1000) : 0 };
  }

  private readonly tick = (): void => {
    if (this.stopped) return;
    const now = this.clock.now();
    let due = this.origin + this.profile.timeOfCount(this.issued + this.options.offset);
    while (due <= now) {
      if (!this.ctx.nextTicket()) {
        this.stop();
        return;
      }
      this.issue(due, now);
      this.issued++;
      due = this.origin + this.profile.timeOfCount(this.issued + this.options.offset);
    }
    // Sleep until the next request is due (Infinity when the rate has ramped to 0 for good).
    if (!this.stopped) this.timer?.wakeAt(due);
  };

  private issue(intendedAt: number, now: number): void {
    const { recorder } = this.ctx;
    const lagMs = now - intendedAt;
    recorder.lagged(lagMs * 1000);
    if (this.ctx.measuring) {
      this.scheduledMeasured++;
      this.scheduledThisSecond++;
      if (lagMs > this.lagMaxThisSecond) this.lagMaxThisSecond = lagMs;
    }
    if (this.inflight < this.options.maxInflight) {
      this.inflight++;
      this.send(intendedAt, now, recorder, 0);
    } else if (this.queue.length - this.head < this.options.maxQueued) {
      this.queue.push({ intendedAt, queuedAt: now, recorder });
    } else {
      this.drop(recorder);
    }
  }

  private drop(recorder: Recorder): void {
    // Requests queued in the warmup and dropped later go to the warmup's figures, not the series.
    if (this.ctx.measuring && recorder === this.ctx.recorder) this.droppedThisSecond++;
    recorder.dropped(pickRequest(this.ctx.cumulative, Math.random()));
  }

  private send(intendedAt: number, sentAt: number, recorder: Recorder, queuedMs: number): void {
    // Arrivals queued in the warmup go to its recorder, and not in the measured figures.
    if (this.ctx.measuring && recorder === this.ctx.recorder) {
      this.startedMeasured++;
      this.startedThisSecond++;
    }
    const index = pickRequest(this.ctx.cumulative, Math.random());
    recorder.waited(queuedMs * 1000);
    const flows = this.options.flows;
    if (flows) {
      const iteration = flows.arrival(index, ++this.arrivals, intendedAt, recorder);
      if (iteration !== null) {
        void iteration.then(() => this.release());
        return;
      }
    }
    const request = this.ctx.requests[index]!;
    recorder.sent(index, request.wireBytes);
    const policy = this.ctx.retry[index]!;
    const settled = (outcome: SendOutcome | null, error: unknown): void => {
      if (outcome !== null) {
        const latencyUs = (outcome.endAt - intendedAt) * 1000;
        const serviceUs = (outcome.endAt - sentAt) * 1000;
        recorder.completed(index, outcome.status, latencyUs, (outcome.headersAt - sentAt) * 1000, outcome.bytes, serviceUs);
      } else {
        recordFailure(recorder, index, error);
      }
      this.release();
    };
    if (policy === null) this.ctx.transport.send(request, settled);
    else sendWithRetry(this.ctx, recorder, index, request, policy, intendedAt).then((outcome) => settled(outcome, null), (error: unknown) => settled(null, error));
  }

  /**
   * A slot came free: it passes straight to the oldest queued request, if any (once the run is stopped,
   * only a draining queue holds any), unless the run is cancelling what is in flight: then the queue is dropped.
   */
  private release(): void {
    if (this.ctx.cancelling()) this.dropQueue();
    const next = this.shift();
    if (next) {
      const now = this.clock.now();
      this.send(next.intendedAt, now, next.recorder, now - next.queuedAt);
      this.endWindowIfDrained();
      return;
    }
    this.inflight--;
    this.settleIfDone();
    // Awake anyway: issue what has come due now rather than wait for the timer's wake-up (at high rates
    // this saves most of the worker's messages, and the request starts sooner).
    if (this.timer !== null && this.clock.now() >= this.timer.nextDue) this.tick();
  }

  private dropQueue(): void {
    for (let entry = this.shift(); entry; entry = this.shift()) this.drop(entry.recorder);
    this.endWindowIfDrained();
  }

  /** Once stopped and the queue is empty, every request scheduled has been sent or dropped: the window ends. */
  private endWindowIfDrained(): void {
    if (this.stopped && this.windowEnd === null && this.measureStart !== null && this.head >= this.queue.length) this.windowEnd = this.clock.now();
  }

  private shift(): Queued | undefined {
    if (this.head >= this.queue.length) return undefined;
    const entry = this.queue[this.head];
    this.queue[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return entry;
  }

  private settleIfDone(): void {
    if (this.stopped && this.inflight === 0) this.resolveDone();
  }
}

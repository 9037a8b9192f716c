// The requests in flight and their timeouts, shared by every transport: one coarse sweep (a timer every
// few ms) instead of timers per request. A request carries its deadlines as plain number fields; the hot
// path only writes them on send and on the response headers, and flags `chunked` on body data (no clock
// read, no timer, no allocation per chunk). The sweep aborts whatever is overdue with the error that
// names the timeout, through the entry's own abort().
import { performance } from 'node:perf_hooks';
import { InFlightList, type Linked } from './in-flight-list.ts';
import { BodyTimeoutError, HeadersTimeoutError, RequestTimeoutError } from '../util/errors.ts';

/** A request in flight, as the sweep sees it (the transport's own request object implements it). */
export interface Deadlined<T> extends Linked<T> {
  /** Overall deadline (performance.now() ms). */
  deadline: number;
  /**
   * Idle deadline: before the headers, the headers timeout's; after them, the body timeout's, pushed
   * forward by the sweep whenever a chunk arrived since the last sweep (`chunked`).
   */
  idleDeadline: number;
  /** 0 waiting for headers, 1 receiving the body. */
  phase: number;
  chunked: boolean;
  /** Ends the request with `reason` (its callback gets it as the error). */
  abort(reason: Error): void;
}

export interface DeadlineSettings {
  requestTimeoutMs: number;
  /** Idle timeouts (null or undefined = off). */
  headersTimeoutMs?: number | null;
  bodyTimeoutMs?: number | null;
}

export class Deadlines<T extends Deadlined<T>> {
  readonly inFlight = new InFlightList<T>();
  private readonly requestMs: number;
  /** Idle timeouts in ms, Infinity when off. */
  private readonly headersMs: number;
  private readonly bodyMs: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(settings: DeadlineSettings) {
    this.requestMs = settings.requestTimeoutMs;
    this.headersMs = settings.headersTimeoutMs ?? Infinity;
    this.bodyMs = settings.bodyTimeoutMs ?? Infinity;
    // The sweep period is a small fraction of the shortest timeout, so a timeout fires within ~5% of its value.
    const shortest = Math.min(this.requestMs, this.headersMs, this.bodyMs);
    const period = Math.min(Math.max(shortest / 20, 5), 100);
    this.sweeper = setInterval(() => this.sweep(), period).unref();
  }

  /** A request is sent at `now`: its deadlines start and it joins the in-flight set. */
  start(entry: T, now: number): void {
    entry.deadline = now + this.requestMs;
    entry.idleDeadline = now + this.headersMs;
    entry.phase = 0;
    entry.chunked = false;
    this.inFlight.add(entry);
  }

  /**
   * As start(), for a request whose send time the caller put in `entry.deadline`: a number passed to a call
   * that is not inlined is boxed, an allocation per request on the hot path (the h2 transport's send).
   */
  startSent(entry: T): void {
    const now = entry.deadline;
    entry.deadline = now + this.requestMs;
    entry.idleDeadline = now + this.headersMs;
    entry.phase = 0;
    entry.chunked = false;
    this.inFlight.add(entry);
  }

  /** The response headers arrived at `now`: the body timeout takes over from the headers timeout. */
  headers(entry: T, now: number): void {
    entry.phase = 1;
    entry.idleDeadline = now + this.bodyMs;
  }

  /** The request ended (either way): it leaves the in-flight set. Safe to call twice. */
  settle(entry: T): void {
    this.inFlight.delete(entry);
  }

  abortAll(reason: Error): void {
    for (const entry of [...this.inFlight]) entry.abort(reason);
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    if (this.inFlight.size === 0) return;
    const now = performance.now();
    for (const entry of this.inFlight) {
      if (entry.chunked) {
        // A chunk arrived since the last sweep: the body's idle wait restarts (within one sweep period).
        entry.chunked = false;
        entry.idleDeadline = now + this.bodyMs;
      }
      if (entry.deadline <= now) {
        entry.deadline = entry.idleDeadline = Infinity;
        entry.abort(new RequestTimeoutError(`request timeout: no complete response within ${this.requestMs} ms`));
      } else if (entry.idleDeadline <= now) {
        entry.deadline = entry.idleDeadline = Infinity;
        entry.abort(
          entry.phase === 0
            ? new HeadersTimeoutError(`headers timeout: no response headers within ${this.headersMs} ms`)
            : new BodyTimeoutError(`body timeout: no body data for ${this.bodyMs} ms`),
        );
      }
    }
  }
}

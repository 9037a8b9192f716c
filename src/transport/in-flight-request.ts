// What every transport's request record holds (h1's Exchange, h2's H2Stream, undici's handler): the outcome
// handed to the engine's callback, the fields the deadline sweep reads, and its links in the in-flight list.
// Records are reused from free lists, so begin() readies one for its next request; and deliver() is the one
// place a completed request is called back.
import type { Deadlined } from './deadlines.ts';
import type { KeptResponse, SendCallback, SendOutcome } from './transport.ts';

export abstract class InFlightRequest<T extends InFlightRequest<T>> implements SendOutcome, Deadlined<T> {
  // SendOutcome
  status = 0;
  bytes = 0;
  headersAt = 0;
  endAt = 0;
  /** What was kept of the response, for a request with keepResponse (set when it ends). */
  response: KeptResponse | null = null;
  // Deadlined (deadlines.ts)
  deadline = 0;
  idleDeadline = 0;
  phase = 0;
  chunked = false;
  prev: T | null = null;
  next: T | null = null;
  linked = false;
  /** Null once the callback has been made (or before the record is given a request). */
  done: SendCallback | null = null;

  abstract abort(reason: Error): void;

  /** Clears the last request's outcome and takes the callback of the next (the deadlines are set by Deadlines.start). */
  protected begin(done: SendCallback): void {
    this.status = 0;
    this.bytes = 0;
    this.headersAt = 0;
    this.endAt = 0;
    this.response = null;
    this.done = done;
  }
}

/**
 * Calls back a completed request. False when the callback threw: a bug in the caller, rethrown on the next
 * tick (outside the transport's read loop or undici, where it stops the process with its stack); the record
 * is then not reused.
 */
export function deliver(done: SendCallback, outcome: SendOutcome): boolean {
  try {
    done(outcome, null);
  } catch (error) {
    process.nextTick(rethrow, error);
    return false;
  }
  return true;
}

function rethrow(error: unknown): never {
  throw error;
}

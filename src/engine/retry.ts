// The retry loop, in one place for both load models (vu.ts and schedule.ts call it for requests with a
// policy; requests without one take the plain send). A logical request is recorded once, by its caller,
// with the outcome of its last attempt; here each retry is counted, and the first attempt is recorded
// on its own (first-try latency, first-try failures) so that retries never hide a failing first try.
import { classifyError } from '../result/failure-classes.ts';
import type { Recorder } from '../record/recorder.ts';
import { backoffMs, type RetryPolicy } from '../plan/retry.ts';
import type { PreparedRequest, SendOutcome, Transport } from '../transport/transport.ts';
import { CancelledError } from '../util/errors.ts';
import type { Sleeper } from './think.ts';

export interface RetryContext {
  readonly transport: Transport;
  /** Backoff sleeps: they go on through the graceful stop, and are woken when in-flight requests are cancelled. */
  readonly backoff: Sleeper;
  /** True once the run cancels what is in flight (graceful stop over, or a second stop): no retry starts then. */
  cancelling(): boolean;
}

/**
 * Sends `request` up to `policy.attempts` times; resolves with the last response or rejects with the last
 * error, counting into `recorder` (the request's: a warmup one is set aside). `originAt` is where the
 * caller's latency starts (first-try latency starts there too).
 */
export async function sendWithRetry(
  ctx: RetryContext,
  recorder: Recorder,
  index: number,
  request: PreparedRequest,
  policy: RetryPolicy,
  originAt: number,
): Promise<SendOutcome> {
  for (let attempt = 1; ; attempt++) {
    let outcome: SendOutcome | null = null;
    let error: unknown = null;
    try {
      outcome = await sendOnce(ctx.transport, request);
    } catch (caught) {
      error = caught;
    }
    const retryable =
      outcome !== null ? policy.statuses.includes(outcome.status) : !(error instanceof CancelledError) && policy.on.includes(classifyError(error));
    if (attempt === 1) {
      recorder.firstTry(index, outcome === null ? null : (outcome.endAt - originAt) * 1000, outcome === null || retryable);
    }
    if (retryable && attempt < policy.attempts && !ctx.cancelling()) {
      await ctx.backoff.sleep(backoffMs(policy, attempt, Math.random()));
      if (!ctx.cancelling()) {
        recorder.retried(index);
        continue;
      }
    }
    if (outcome !== null) return outcome;
    throw error;
  }
}

/** One attempt as a Promise: retries are rare enough for its cost, and read more plainly with await. */
function sendOnce(transport: Transport, request: PreparedRequest): Promise<SendOutcome> {
  return new Promise((resolve, reject) =>
    transport.send(request, (outcome, error) => {
      // A copy: the transport reuses the outcome object once this callback returns.
      if (outcome !== null) resolve({ status: outcome.status, bytes: outcome.bytes, headersAt: outcome.headersAt, endAt: outcome.endAt, response: outcome.response });
      else reject(error);
    }),
  );
}

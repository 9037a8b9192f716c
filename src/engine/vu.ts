// The closed-model loop of one virtual user: wait for a pool slot, pick a request by weight, send it,
// record the outcome, release the slot, think, repeat — until the run says stop.
import { classifyError, describeError } from '../record/classify.ts';
import type { Recorder } from '../record/recorder.ts';
import type { Think } from '../scenario/types.ts';
import type { RetryPolicy } from '../plan-retry.ts';
import { sendWithRetry } from './retry.ts';
import { CancelledError, type PreparedRequest, type Transport } from '../transport/transport.ts';
import type { Semaphore } from './semaphore.ts';
import { thinkMs, type Sleeper } from './think.ts';

/** What every virtual user shares; owned by engine/run.ts. */
export interface VuContext {
  readonly transport: Transport;
  readonly recorder: Recorder;
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
  /** False during warmup: those requests are sent but not recorded. */
  measuring: boolean;
  /** Claims the right to send one more request; false once the run is stopping or iterations are used up. */
  nextTicket(): boolean;
}

export function pickRequest(cumulative: readonly number[], r: number): number {
  let i = 0;
  while (i < cumulative.length - 1 && r >= cumulative[i]!) i++;
  return i;
}

/** `leave` is asked before each request: true when this user should stop (stages ramping down). */
export async function runVirtualUser(ctx: VuContext, leave: () => boolean = () => false): Promise<void> {
  const { transport, recorder, semaphore } = ctx;
  while (!leave() && ctx.nextTicket()) {
    let queuedAt = 0;
    if (!semaphore.tryAcquire()) {
      queuedAt = performance.now();
      if (!(await semaphore.acquire())) return;
    }
    const index = pickRequest(ctx.cumulative, Math.random());
    const request = ctx.requests[index]!;
    const measured = ctx.measuring;
    const startedAt = performance.now();
    if (measured) {
      recorder.waited(queuedAt === 0 ? 0 : (startedAt - queuedAt) * 1000);
      recorder.sent(index, request.wireBytes);
    } else {
      recorder.warmupSent++;
    }
    try {
      const policy = ctx.retry[index]!;
      const outcome = policy === null ? await transport.send(request) : await sendWithRetry(ctx, index, request, policy, measured, startedAt);
      if (measured) {
        const latencyUs = (outcome.endAt - startedAt) * 1000;
        const ttfbUs = (outcome.headersAt - startedAt) * 1000;
        recorder.completed(index, outcome.status, latencyUs, ttfbUs, outcome.bytes);
      }
    } catch (error) {
      if (measured) recordFailure(recorder, index, error);
    } finally {
      semaphore.release();
    }
    const pause = thinkMs(ctx.think);
    if (pause > 0) await ctx.sleeper.sleep(pause);
  }
}

function recordFailure(recorder: Recorder, index: number, error: unknown): void {
  if (error instanceof CancelledError) recorder.cancelled(index);
  else recorder.failed(index, classifyError(error), describeError(error));
}

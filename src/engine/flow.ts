// Flows: a top-level `flow:`, or a mix with flow entries. Each iteration picks an entry by weight (a
// top-level flow is the one entry): the user's loop (vu.ts) or the scheduler (schedule.ts) picks, and sends
// a plain request of the mix itself, as the plain mix does; only a flow entry's iteration comes here. It
// runs the entry's steps in order with one set of variables (a data row, captures, built-ins). A step whose
// request fails, whose status is not expected or whose capture fails ends the iteration: its later steps
// are not sent. Each step is recorded under its own name (plan.requests), each flow iteration's outcome
// and duration beside them. Hooks (engine/hooks.ts) run in the steps of flows.
//
// Written with async/await rather than the plain mix's callback loop (vu.ts): a flow's steps wait on one
// another anyway, and the plain requests, which do not come here, keep the callback loop.
import type { Plan, PlannedStep, StepTemplates } from '../plan/types.ts';
import type { Recorder } from '../record/recorder.ts';
import type { Think } from '../scenario/types.ts';
import type { PreparedRequest, SendOutcome } from '../transport/transport.ts';
import { CancelledError } from '../util/errors.ts';
import { Captures, KEEP_RESPONSE_BYTES } from './capture.ts';
import { DataRows } from './data-rows.ts';
import { prepare } from './prepare.ts';
import { sendWithRetry } from './retry.ts';
import { thinkMs } from './think.ts';
import { FlowVars, renderRequest } from './variables.ts';
import { recordFailure, type FlowEntries, type FlowUser, type IterationOutcome, type VuContext } from './vu.ts';
import { beforeRequest, callHook, hookVars, keepVars, type HookResponse, type Hooks } from './hooks.ts';

interface FlowStep {
  /** The step's index in plan.requests (and the recorder's buckets). */
  index: number;
  name: string;
  request: PreparedRequest;
  templates: StepTemplates | null;
  captures: Captures;
  think: Think | null;
}

/** A flow entry's steps, in order. */
type Entry = readonly FlowStep[];

/** The plan's flow entries, ready to run: what the virtual users (or arrivals) of one run share. */
export class Flow implements FlowEntries {
  private readonly ctx: VuContext;
  private readonly hooks: Hooks | null;
  /** By request index: the flow entry whose first step is there (where the weighted pick lands), else undefined. */
  private readonly entries: ReadonlyArray<Entry | undefined>;
  private readonly vuNumbers: Plan['vuNumbers'];
  readonly rows: DataRows | null;
  readonly perVu: boolean;

  constructor(plan: Plan, ctx: VuContext, hooks: Hooks | null = null) {
    this.ctx = ctx;
    this.hooks = hooks;
    // A step keeps its response (transport keepResponse) only when something reads it.
    const reads = (captures: number) => captures > 0 || hooks?.afterResponse !== undefined;
    const step = (index: number, planned: PlannedStep): FlowStep => ({
      index,
      name: plan.requests[index]!.name,
      request: prepare(plan.requests[index]!, reads(planned.captures.length) ? KEEP_RESPONSE_BYTES : 0),
      templates: planned.templates,
      captures: new Captures(planned.captures),
      think: planned.think,
    });
    const entries = new Array<Entry | undefined>(plan.requests.length);
    for (const entry of plan.flow!.entries) entries[entry.first] = entry.steps.map((planned, i) => step(entry.first + i, planned));
    this.entries = entries;
    this.vuNumbers = plan.vuNumbers;
    this.rows = plan.data === null ? null : new DataRows(plan.data);
    this.perVu = plan.data?.per === 'vu';
  }

  /** Closed model: the k-th virtual user of this part (from 1); its variables last from one iteration to the next. */
  user(k: number): FlowUser {
    const vars = new FlowVars(this.vuNumber(k));
    return {
      iteration: (index, iteration, queuedAt) => {
        const entry = this.entries[index];
        if (entry === undefined) return null;
        vars.iteration = iteration;
        return this.userIteration(entry, vars, queuedAt);
      },
    };
  }

  /**
   * Open model: the k-th arrival's iteration (a user of its own, {{iteration}} 0), holding the scheduler's
   * in-flight slot throughout; null when the entry picked is a plain request. The iteration's duration
   * counts from the intended start, so a stall shows, each step's latency from its own send.
   */
  arrival(index: number, k: number, intendedAt: number, recorder: Recorder): Promise<void> | null {
    const entry = this.entries[index];
    return entry === undefined ? null : this.arrivalIteration(entry, k, intendedAt, recorder);
  }

  /** Sets the row's columns as variables; false when the rows ran out (the run then stops). */
  takeRow(vars: FlowVars): boolean {
    if (this.rows === null || (this.perVu && vars.hasRow)) return true;
    const row = this.rows.take();
    if (row === null) return false;
    vars.hasRow = true;
    for (const name in row) vars.values.set(name, row[name]!);
    return true;
  }

  private async arrivalIteration(entry: Entry, k: number, intendedAt: number, recorder: Recorder): Promise<void> {
    const vars = new FlowVars(this.vuNumber(k));
    if (!this.takeRow(vars)) return this.ctx.stopRun('data-exhausted');
    const outcome = await runIteration(this.ctx, this.hooks, entry, vars, null, recorder);
    recorder.iteration(outcome, (this.ctx.clock.now() - intendedAt) * 1000);
  }

  private async userIteration(entry: Entry, vars: FlowVars, queuedAt: number): Promise<IterationOutcome> {
    const { ctx } = this;
    if (!this.takeRow(vars)) {
      ctx.semaphore.release();
      ctx.stopRun('data-exhausted');
      return 'interrupted';
    }
    const recorder = ctx.recorder;
    // The iteration started when its user began to wait for the pool slot of its first step, if it had to.
    const startedAt = queuedAt === 0 ? ctx.clock.now() : queuedAt;
    const outcome = await runIteration(ctx, this.hooks, entry, vars, queuedAt);
    recorder.iteration(outcome, (ctx.clock.now() - startedAt) * 1000);
    return outcome;
  }

  /** This part's k-th user (or arrival) as the whole run numbers it: parts of a split plan never share a number. */
  private vuNumber(k: number): number {
    return this.vuNumbers.offset + (k - 1) * this.vuNumbers.stride + 1;
  }
}

/**
 * The entry's steps in order. `held`, in the closed model: the pool slot the user took for the first step
 * (before it picked), and when it began to wait for it (0: no wait); each later step takes a slot of its
 * own. null in the open model, where the arrival holds one of the scheduler's slots throughout. `fixed`:
 * the recorder of an open-model arrival; else each step goes to the run's current one.
 */
async function runIteration(ctx: VuContext, hooks: Hooks | null, entry: Entry, vars: FlowVars, held: number | null, fixed?: Recorder): Promise<IterationOutcome> {
  for (let i = 0; i < entry.length; i++) {
    const step = entry[i]!;
    // Open model: null, the arrival's queue wait is recorded once, by the scheduler.
    let queuedAt: number | null = null;
    let slot = false;
    if (held !== null && i === 0) {
      queuedAt = held;
      slot = true;
    } else if (held !== null) {
      queuedAt = 0;
      slot = ctx.semaphore.tryAcquire();
      // Closed: the run is stopping, and no new iteration takes a slot; this one finishes without.
      if (!slot && !ctx.semaphore.closed) {
        queuedAt = ctx.clock.now();
        slot = await ctx.semaphore.acquire();
      }
    }
    // A started iteration runs on through the graceful stop; once in-flight requests are cancelled, it ends.
    if (ctx.cancelling()) {
      if (slot) ctx.semaphore.release();
      return 'interrupted';
    }
    const recorder = fixed ?? ctx.recorder;
    const outcome = await sendStep(ctx, hooks, step, vars, recorder, queuedAt);
    if (slot) ctx.semaphore.release();
    if (outcome !== 'completed') return outcome;
    const pause = step.think === null ? 0 : thinkMs(step.think);
    if (pause > 0) await ctx.sleeper.sleep(pause);
  }
  return 'completed';
}

/** One step: its request built (templates, beforeRequest), sent, checked and recorded. */
async function sendStep(
  ctx: VuContext,
  hooks: Hooks | null,
  step: FlowStep,
  vars: FlowVars,
  recorder: Recorder,
  queuedAt: number | null,
): Promise<IterationOutcome> {
  let request: PreparedRequest;
  try {
    request = step.templates === null ? step.request : renderRequest(step.request, step.templates, vars);
    if (hooks?.beforeRequest) request = await beforeRequest(hooks.beforeRequest, step.name, request, vars);
  } catch (error) {
    // A template (class template) or hook (hook-error) that made no sendable request. Counted as sent
    // (nothing reached the wire), so that every request is completed, failed or cancelled.
    recorder.sent(step.index, 0);
    return failed(recorder, step.index, error);
  }
  const startedAt = ctx.clock.now();
  if (queuedAt !== null) recorder.waited(queuedAt === 0 ? 0 : (startedAt - queuedAt) * 1000);
  recorder.sent(step.index, request.wireBytes);
  const { outcome, error } = await send(ctx, recorder, step.index, request, startedAt);
  if (outcome === null) {
    if (error instanceof CancelledError) {
      recordFailure(recorder, step.index, error);
      return 'interrupted';
    }
    if (hooks?.onError) {
      const hookFailed = await callHook(hooks.onError, 'onError', step.name, error as Error, hookVars(vars)).then(() => null, (e: unknown) => e);
      if (hookFailed !== null) return failed(recorder, step.index, hookFailed);
    }
    return failed(recorder, step.index, error);
  }
  const latencyUs = (outcome.endAt - startedAt) * 1000;
  const ttfbUs = (outcome.headersAt - startedAt) * 1000;
  if (!recorder.expects(step.index, outcome.status)) {
    recorder.completed(step.index, outcome.status, latencyUs, ttfbUs, outcome.bytes);
    return 'failed';
  }
  const kept = outcome.response ?? null;
  if (!step.captures.empty) {
    // Every transport keeps the response of a request with keepResponse: none kept is a bug there.
    if (kept === null) throw new Error(`step ${step.name}: the transport kept no response to capture from`);
    const problem = step.captures.apply(kept, vars.values);
    if (problem !== null) {
      recorder.failed(step.index, 'capture', problem);
      return 'failed';
    }
  }
  if (hooks?.afterResponse) {
    if (kept === null) throw new Error(`step ${step.name}: the transport kept no response for afterResponse`);
    const { headers, body, truncated } = kept;
    const response: HookResponse = { name: step.name, status: outcome.status, headers: { ...headers }, body, truncated };
    const values = hookVars(vars);
    try {
      await callHook(hooks.afterResponse, 'afterResponse', step.name, response, values);
    } catch (hookError) {
      return failed(recorder, step.index, hookError);
    }
    keepVars(values, vars);
  }
  recorder.completed(step.index, outcome.status, latencyUs, ttfbUs, outcome.bytes);
  return 'completed';
}

function failed(recorder: Recorder, index: number, error: unknown): IterationOutcome {
  recordFailure(recorder, index, error);
  return 'failed';
}

interface Settled {
  outcome: SendOutcome | null;
  error: unknown;
}

/** One step's send (with its retry policy, if any); the outcome copied, as the transport reuses it. */
function send(ctx: VuContext, recorder: Recorder, index: number, request: PreparedRequest, startedAt: number): Promise<Settled> {
  const policy = ctx.retry[index]!;
  if (policy !== null) {
    return sendWithRetry(ctx, recorder, index, request, policy, startedAt).then(
      (outcome) => ({ outcome, error: null }),
      (error: unknown) => ({ outcome: null, error }),
    );
  }
  return new Promise((resolve) =>
    ctx.transport.send(request, (outcome, error) =>
      resolve({
        outcome: outcome && { status: outcome.status, bytes: outcome.bytes, headersAt: outcome.headersAt, endAt: outcome.endAt, response: outcome.response },
        error,
      }),
    ),
  );
}

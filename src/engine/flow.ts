// A `flow:`: each iteration runs the steps in order with one set of variables (a data row, captures,
// built-ins). A step whose request fails, whose status is not expected or whose capture fails ends the
// iteration: its later steps are not sent. Each step is recorded under its own name (plan.requests are
// the steps), each iteration's outcome and duration beside them. Hooks (engine/hooks.ts) run here too.
//
// Written with async/await rather than the plain mix's callback loop (vu.ts): a flow's steps wait on one
// another anyway, and the plain mix, which does not come here, keeps its path unchanged.
import { setImmediate } from 'node:timers/promises';
import type { Plan, StepTemplates } from '../plan/types.ts';
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
import { recordFailure, type VuContext } from './vu.ts';
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

type IterationOutcome = 'completed' | 'failed' | 'interrupted';

/** The plan's flow, ready to run: what the virtual users (or arrivals) of one run share. */
export class Flow {
  readonly steps: readonly FlowStep[];
  readonly rows: DataRows | null;
  readonly perVu: boolean;
  /** The scenario's hooks (loaded by the run), or null. */
  readonly hooks: Hooks | null;

  constructor(plan: Plan, hooks: Hooks | null = null) {
    const flow = plan.flow!;
    this.hooks = hooks;
    // A step keeps its response (transport keepResponse) only when something reads it.
    const reads = (captures: number) => captures > 0 || hooks?.afterResponse !== undefined;
    this.steps = flow.steps.map((step, index) => ({
      index,
      name: plan.requests[index]!.name,
      request: prepare(plan.requests[index]!, reads(step.captures.length) ? KEEP_RESPONSE_BYTES : 0),
      templates: step.templates,
      captures: new Captures(step.captures),
      think: step.think,
    }));
    this.rows = plan.data === null ? null : new DataRows(plan.data);
    this.perVu = plan.data?.per === 'vu';
  }

  /** Sets the row's columns as variables; false when the rows ran out (the run then stops). */
  takeRow(vars: FlowVars, first: boolean): boolean {
    if (this.rows === null || (this.perVu && !first)) return true;
    const row = this.rows.take();
    if (row === null) return false;
    for (const name in row) vars.values.set(name, row[name]!);
    return true;
  }
}

/** Closed model: one virtual user running iterations until it leaves or the run stops. */
export async function runFlowUser(ctx: VuContext, flow: Flow, vu: number, leave: () => boolean): Promise<void> {
  const vars = new FlowVars(vu);
  for (let iteration = 0; ; iteration++) {
    if (leave() || !ctx.nextTicket()) return;
    vars.iteration = iteration;
    if (!flow.takeRow(vars, iteration === 0)) return ctx.stopRun('data-exhausted');
    const recorder = ctx.recorder;
    const startedAt = ctx.clock.now();
    const outcome = await runIteration(ctx, flow, vars, true);
    recorder.iteration(outcome, (ctx.clock.now() - startedAt) * 1000);
    if (outcome === 'interrupted') return;
    const pause = thinkMs(ctx.think);
    if (pause > 0) await ctx.sleeper.sleep(pause);
    // An iteration can fail without waiting on anything (a throwing beforeRequest hook): the next would
    // follow in the same microtask run, and the timers that stop the run, and signals, would never get a turn.
    else if (outcome === 'failed') await setImmediate();
  }
}

/**
 * Open model: one arrival's iteration, which holds the scheduler's in-flight slot throughout. Its
 * duration counts from the intended start, so a stall shows; each step's latency from its own send.
 */
export async function runArrival(ctx: VuContext, flow: Flow, arrival: number, intendedAt: number, recorder: Recorder): Promise<void> {
  const vars = new FlowVars(arrival);
  vars.iteration = 0;
  if (!flow.takeRow(vars, true)) return ctx.stopRun('data-exhausted');
  const outcome = await runIteration(ctx, flow, vars, false, recorder);
  recorder.iteration(outcome, (ctx.clock.now() - intendedAt) * 1000);
}

/**
 * The steps in order. `pooled`: each step takes a pool slot (closed model); in the open model the
 * arrival already holds one. `recorder` defaults to the run's current one at each step.
 */
async function runIteration(ctx: VuContext, flow: Flow, vars: FlowVars, pooled: boolean, fixed?: Recorder): Promise<IterationOutcome> {
  for (const step of flow.steps) {
    // A started iteration runs on through the graceful stop; once in-flight requests are cancelled, it ends.
    if (ctx.cancelling()) return 'interrupted';
    let queuedAt = 0;
    let slot = false;
    if (pooled) {
      slot = ctx.semaphore.tryAcquire();
      // Closed: the run is stopping, and no new iteration takes a slot; this one finishes without.
      if (!slot && !ctx.semaphore.closed) {
        queuedAt = ctx.clock.now();
        slot = await ctx.semaphore.acquire();
      }
    }
    const recorder = fixed ?? ctx.recorder;
    const outcome = await sendStep(ctx, flow, step, vars, recorder, queuedAt);
    if (slot) ctx.semaphore.release();
    if (outcome !== 'completed') return outcome;
    const pause = step.think === null ? 0 : thinkMs(step.think);
    if (pause > 0) await ctx.sleeper.sleep(pause);
  }
  return 'completed';
}

/** One step: its request built (templates, beforeRequest), sent, checked and recorded. */
async function sendStep(ctx: VuContext, flow: Flow, step: FlowStep, vars: FlowVars, recorder: Recorder, queuedAt: number): Promise<IterationOutcome> {
  const hooks = flow.hooks;
  let request = step.templates === null ? step.request : renderRequest(step.request, step.templates, vars);
  if (hooks?.beforeRequest) {
    try {
      request = await beforeRequest(hooks.beforeRequest, step.name, request, vars);
    } catch (error) {
      // Counted as sent (nothing reached the wire), so that every request is completed, failed or cancelled.
      recorder.sent(step.index, 0);
      return failed(recorder, step.index, error);
    }
  }
  const startedAt = ctx.clock.now();
  recorder.waited(queuedAt === 0 ? 0 : (startedAt - queuedAt) * 1000);
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

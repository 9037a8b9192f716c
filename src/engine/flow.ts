// Flows: a top-level `flow:`, or a mix with flow entries. Each iteration picks an entry by weight (a
// top-level flow is the one entry) and runs its steps in order with one set of variables (a data row,
// captures, built-ins); a plain request of the mix is an entry of one step, sent as the plain mix sends it
// (no data row, no hooks, not an iteration). A step whose request fails, whose status is not expected or
// whose capture fails ends the iteration: its later steps are not sent. Each step is recorded under its
// own name (plan.requests), each flow iteration's outcome and duration beside them. Hooks
// (engine/hooks.ts) run in the steps of flows.
//
// Written with async/await rather than the plain mix's callback loop (vu.ts): a flow's steps wait on one
// another anyway, and a plain mix (no flow entry), which does not come here, keeps its path unchanged.
import { setImmediate } from 'node:timers/promises';
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
import { pickRequest, recordFailure, type VuContext } from './vu.ts';
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

/** What an iteration picks: a flow, or a plain request of the mix (one step without templates or captures). */
interface Entry {
  steps: readonly FlowStep[];
  /** A flow: it takes a data row, runs the hooks and is counted as an iteration. */
  flow: boolean;
  hooks: Hooks | null;
}

type IterationOutcome = 'completed' | 'failed' | 'interrupted';

/** The variables of an open-model plain request: it has no template, capture or hook to read or set them. */
const NO_VARS = new FlowVars(0);

/** The plan's flows (and plain requests), ready to run: what the virtual users (or arrivals) of one run share. */
export class Flow {
  /** By request index: the entry the weighted pick lands on there (a flow's first step, or a plain request). */
  private readonly entries: ReadonlyArray<Entry | undefined>;
  readonly rows: DataRows | null;
  readonly perVu: boolean;

  constructor(plan: Plan, hooks: Hooks | null = null) {
    // A step keeps its response (transport keepResponse) only when something reads it.
    const reads = (captures: number) => captures > 0 || hooks?.afterResponse !== undefined;
    const step = (index: number, planned: PlannedStep, keep: boolean): FlowStep => ({
      index,
      name: plan.requests[index]!.name,
      request: prepare(plan.requests[index]!, keep ? KEEP_RESPONSE_BYTES : 0),
      templates: planned.templates,
      captures: new Captures(planned.captures),
      think: planned.think,
    });
    const entries: Array<Entry | undefined> = plan.requests.map((_, index) => ({
      steps: [step(index, { templates: null, captures: [], think: null }, false)],
      flow: false,
      hooks: null,
    }));
    for (const entry of plan.flow!.entries) {
      entry.steps.forEach((_, i) => (entries[entry.first + i] = undefined));
      const steps = entry.steps.map((planned, i) => step(entry.first + i, planned, reads(planned.captures.length)));
      entries[entry.first] = { steps, flow: true, hooks };
    }
    this.entries = entries;
    this.rows = plan.data === null ? null : new DataRows(plan.data);
    this.perVu = plan.data?.per === 'vu';
  }

  /** The entry an iteration runs, picked by weight. */
  pick(cumulative: readonly number[]): Entry {
    return this.entries[pickRequest(cumulative, Math.random())]!;
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
}

/** Closed model: one virtual user running iterations until it leaves or the run stops. */
export async function runFlowUser(ctx: VuContext, flow: Flow, vu: number, leave: () => boolean): Promise<void> {
  const vars = new FlowVars(vu);
  for (let iteration = 0; ; iteration++) {
    if (leave() || !ctx.nextTicket()) return;
    vars.iteration = iteration;
    const entry = flow.pick(ctx.cumulative);
    if (entry.flow && !flow.takeRow(vars)) return ctx.stopRun('data-exhausted');
    const recorder = ctx.recorder;
    const startedAt = ctx.clock.now();
    const outcome = await runIteration(ctx, entry, vars, true, null);
    if (entry.flow) recorder.iteration(outcome, (ctx.clock.now() - startedAt) * 1000);
    if (outcome === 'interrupted') return;
    const pause = thinkMs(ctx.think);
    if (pause > 0) await ctx.sleeper.sleep(pause);
    // An iteration can fail without waiting on anything (a throwing beforeRequest hook): the next would
    // follow in the same microtask run, and the timers that stop the run, and signals, would never get a turn.
    else if (outcome === 'failed') await setImmediate();
  }
}

/**
 * Open model: one arrival's iteration, which holds the scheduler's in-flight slot throughout. A flow's
 * duration counts from the intended start, so a stall shows, each step's latency from its own send; a
 * plain request's latency counts from the intended start, as in a plain mix (schedule.ts).
 */
export async function runArrival(ctx: VuContext, flow: Flow, arrival: number, intendedAt: number, recorder: Recorder): Promise<void> {
  const entry = flow.pick(ctx.cumulative);
  if (!entry.flow) {
    await runIteration(ctx, entry, NO_VARS, false, intendedAt, recorder);
    return;
  }
  const vars = new FlowVars(arrival);
  if (!flow.takeRow(vars)) return ctx.stopRun('data-exhausted');
  const outcome = await runIteration(ctx, entry, vars, false, null, recorder);
  recorder.iteration(outcome, (ctx.clock.now() - intendedAt) * 1000);
}

/**
 * The entry's steps in order. `pooled`: each step takes a pool slot (closed model); in the open model the
 * arrival already holds one. `originAt`: where latency starts when not at the send (an open-model plain
 * request: its intended start). `recorder` defaults to the run's current one at each step.
 */
async function runIteration(ctx: VuContext, entry: Entry, vars: FlowVars, pooled: boolean, originAt: number | null, fixed?: Recorder): Promise<IterationOutcome> {
  for (const step of entry.steps) {
    // A started iteration runs on through the graceful stop; once in-flight requests are cancelled, it ends.
    if (ctx.cancelling()) return 'interrupted';
    // Open model: null, the arrival's queue wait is recorded once, by the scheduler.
    let queuedAt: number | null = pooled ? 0 : null;
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
    const outcome = await sendStep(ctx, entry.hooks, step, vars, recorder, queuedAt, originAt);
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
  originAt: number | null,
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
  const latencyFrom = originAt ?? startedAt;
  const { outcome, error } = await send(ctx, recorder, step.index, request, latencyFrom);
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
  const latencyUs = (outcome.endAt - latencyFrom) * 1000;
  const ttfbUs = (outcome.headersAt - startedAt) * 1000;
  const serviceUs = (outcome.endAt - startedAt) * 1000;
  if (!recorder.expects(step.index, outcome.status)) {
    recorder.completed(step.index, outcome.status, latencyUs, ttfbUs, outcome.bytes, serviceUs);
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
  recorder.completed(step.index, outcome.status, latencyUs, ttfbUs, outcome.bytes, serviceUs);
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
function send(ctx: VuContext, recorder: Recorder, index: number, request: PreparedRequest, originAt: number): Promise<Settled> {
  const policy = ctx.retry[index]!;
  if (policy !== null) {
    return sendWithRetry(ctx, recorder, index, request, policy, originAt).then(
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

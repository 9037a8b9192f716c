// A mix with a flow entry on the virtual clock (test/helpers/virtual-clock.ts): the plain entries go the
// plain mix's way (vu.ts's callback loop, the scheduler's plain send), a flow entry's iteration through
// engine/flow.ts, and the two must interleave exactly as the docs say (docs/scenarios.md, "A flow beside
// requests"): send order and times, think time after each iteration, {{vu}} and {{iteration}} counting
// every pick, open-model latency of plain entries from the intended start and of flow steps from their
// own send, graceful stop and cancellation, the warmup's recorder. Math.random (the weighted pick) is
// replaced by a script, so each pick is known.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Flow } from '../src/engine/flow.ts';
import { prepare } from '../src/engine/prepare.ts';
import { ArrivalScheduler, type ScheduleContext } from '../src/engine/schedule.ts';
import { Semaphore } from '../src/engine/semaphore.ts';
import { LoadProfile } from '../src/engine/stages.ts';
import { Sleeper } from '../src/engine/think.ts';
import { VirtualUsers } from '../src/engine/virtual-users.ts';
import type { VuContext } from '../src/engine/vu.ts';
import { buildPlan } from '../src/plan/plan.ts';
import type { Plan } from '../src/plan/types.ts';
import { Recorder } from '../src/record/recorder.ts';
import { parseScenario } from '../src/scenario/load.ts';
import type { Transport } from '../src/transport/transport.ts';
import { CancelledError } from '../src/util/errors.ts';
import { VirtualClock } from './helpers/virtual-clock.ts';

/** A recorded figure: exact up to the histogram's 3 significant digits. */
function recorded(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= expected * 0.001, `${what}: ${actual}, expected ${expected}`);
}

/** Plain `home` (weight 1) beside the flow entry `journey` (weight 1) of `steps` steps, each path naming {{vu}} and {{iteration}}. */
function mixPlan(steps = 2, think = ''): Plan {
  const flow = Array.from({ length: steps }, (_, i) => `      - { name: s${i + 1}, path: "/s${i + 1}?vu={{vu}}&it={{iteration}}" }`).join('\n');
  const yaml = `target: http://127.0.0.1:1\nload: { concurrency: 1, duration: 10s${think} }\nrequests:\n  - { name: home, path: /home, weight: 1 }\n  - name: journey\n    weight: 1\n    flow:\n${flow}\n`;
  return buildPlan(parseScenario(yaml, 'virtual-mix.yaml'), {}, 'test');
}

const PLAIN = 0.25;
const FLOW = 0.75;
const realRandom = Math.random;
/** The weighted picks, in order: PLAIN or FLOW (then PLAIN once the script is used up). */
function script(picks: number[]): void {
  let i = 0;
  Math.random = () => picks[i++] ?? PLAIN;
}
afterEach(() => {
  Math.random = realRandom;
});

interface Sent {
  at: number;
  path: string;
}

/**
 * Answers each request `serviceMs(path)` of virtual time after it is sent; abortAll cancels what is in
 * flight, as the real transports do (CancelledError).
 */
function virtualTransport(clock: VirtualClock, serviceMs: (path: string) => number): Transport & { sent: Sent[] } {
  const sent: Sent[] = [];
  const inflight = new Set<(error: Error) => void>();
  return {
    sent,
    preflight: async () => {},
    send(request, done) {
      sent.push({ at: clock.now(), path: request.path });
      let settled = false;
      const cancel = (error: Error) => {
        settled = true;
        inflight.delete(cancel);
        done(null, error);
      };
      inflight.add(cancel);
      clock.after(serviceMs(request.path), () => {
        if (settled) return;
        inflight.delete(cancel);
        done({ status: 200, bytes: 2, headersAt: clock.now(), endAt: clock.now(), response: null }, null);
      });
    },
    abortAll(error) {
      for (const cancel of [...inflight]) cancel(error);
    },
    stats: () => ({ opened: 1, protocols: { h1: 1 }, streamsPerSession: null, sessions: null, tls: null }),
    close: async () => {},
  };
}

function recorderFor(plan: Plan): Recorder {
  return new Recorder(plan.requests.map((r) => r.name), plan.requests.map((r) => r.expectStatus), null, false, true);
}

/** What run.ts builds, on the virtual clock, with the stop and the cancelling in the test's hands. */
function context(plan: Plan, clock: VirtualClock, transport: Transport, recorder: Recorder) {
  const state = { stopped: false, cancelling: false };
  const ctx: VuContext & ScheduleContext = {
    clock,
    transport,
    recorder,
    semaphore: new Semaphore(1000),
    sleeper: new Sleeper(clock),
    requests: plan.requests.map((r) => prepare(r)),
    cumulative: plan.requests.map((r) => r.cumulative),
    think: plan.load.think,
    retry: plan.requests.map((r) => r.retry),
    backoff: new Sleeper(clock),
    cancelling: () => state.cancelling,
    measuring: true,
    nextTicket: () => !state.stopped,
    stopRun: () => {
      state.stopped = true;
    },
  };
  /** As run.ts's stop: no new pick, no new pool slot, think time cut short. */
  const stop = () => {
    state.stopped = true;
    ctx.semaphore.close();
    ctx.sleeper.wakeAll();
  };
  /** As run.ts once the graceful stop is over: what is in flight is cancelled. */
  const cancel = () => {
    state.cancelling = true;
    transport.abortAll(new CancelledError('the run stopped before the response was complete'));
  };
  return { ctx, stop, cancel };
}

test('closed mix on virtual time: plain and flow picks interleave exactly, think time after each iteration, {{iteration}} counts every pick', async () => {
  const plan = mixPlan(2, ', think: 10ms');
  const clock = new VirtualClock();
  const transport = virtualTransport(clock, () => 5);
  const recorder = recorderFor(plan);
  const { ctx, stop } = context(plan, clock, transport, recorder);
  // Math.random also draws each think time (10 ms whatever it returns): a pick, then the think after it.
  script([PLAIN, PLAIN, FLOW, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, FLOW]);
  const users = new VirtualUsers(ctx, 1, null, new Flow(plan, ctx));
  recorder.start(clock.now());
  const finished = users.run();
  await clock.advance(100);
  stop();
  await clock.advance(100);
  await finished;
  // 5 ms of service, 10 ms of think after each plain request and after each whole iteration (not between steps).
  assert.deepEqual(transport.sent.slice(0, 8), [
    { at: 0, path: '/home' },
    { at: 15, path: '/s1?vu=1&it=1' },
    { at: 20, path: '/s2?vu=1&it=1' },
    { at: 35, path: '/home' },
    { at: 50, path: '/home' },
    { at: 65, path: '/s1?vu=1&it=4' },
    { at: 70, path: '/s2?vu=1&it=4' },
    { at: 85, path: '/home' },
  ]);
  // Then plain picks (the script is used up) every 15 ms until the stop at 100 ms: one more, at 100.
  assert.deepEqual(transport.sent.slice(8), [{ at: 100, path: '/home' }]);
  const recording = recorder.finish(200);
  assert.equal(recording.requests.home!.counts.completed, 5);
  assert.equal(recording.requests['journey/s1']!.counts.completed, 2);
  assert.equal(recording.requests['journey/s2']!.counts.completed, 2);
  // Iterations are the flow entry's only: 2, each 10 ms (two steps of 5 ms, the think after it not included).
  assert.equal(recording.iterations?.completed, 2);
  assert.equal(recording.iterations?.failed, 0);
  recorded(recording.iterations?.durationMs.max, 10, 'iteration duration');
  recorded(recording.total.latencyMs.max, 5, 'think time is never latency');
});

test('open mix on virtual time: plain latency from the intended start, flow steps from their own send, an arrival holds its slot through its iteration', async () => {
  const plan = mixPlan(2);
  const clock = new VirtualClock();
  const transport = virtualTransport(clock, () => 8);
  const recorder = recorderFor(plan);
  const { ctx } = context(plan, clock, transport, recorder);
  script([PLAIN, FLOW, PLAIN, FLOW]);
  // 100 arrivals a second (every 10 ms) into one slot: each arrival waits for the one before it.
  const scheduler = new ArrivalScheduler(ctx, { rate: 100, profile: new LoadProfile(100, []), maxInflight: 1, maxQueued: 100, offset: 0, flows: new Flow(plan, ctx) });
  recorder.start(clock.now());
  scheduler.beginMeasuring(clock.now());
  scheduler.start();
  // Arrivals at 0, 10, 20, 30; the stop at 35 finds the fourth in flight and nothing queued.
  await clock.advance(35);
  scheduler.stop();
  await clock.advance(100);
  await scheduler.done;
  // Arrival 3 (intended at 20) waits for arrival 2's two steps (10-26), arrival 4 (intended at 30) for arrival 3.
  // {{vu}} numbers every arrival, plain ones too; an arrival's {{iteration}} is 0.
  assert.deepEqual(transport.sent, [
    { at: 0, path: '/home' },
    { at: 10, path: '/s1?vu=2&it=0' },
    { at: 18, path: '/s2?vu=2&it=0' },
    { at: 26, path: '/home' },
    { at: 34, path: '/s1?vu=4&it=0' },
    { at: 42, path: '/s2?vu=4&it=0' },
  ]);
  const recording = recorder.finish(50);
  const home = recording.requests.home!;
  assert.equal(home.counts.completed, 2);
  // Plain: from the intended start (8 ms, then 26 + 8 - 20 = 14 ms); its service time from the send.
  recorded(home.latencyMs.mean, 11, 'plain latency: mean of 8 and 14');
  recorded(home.latencyMs.max, 14, 'plain latency, its queue wait included');
  recorded(home.serviceTimeMs?.max, 8, 'plain service time');
  // Flow steps: from their own send, however late their arrival started.
  for (const name of ['journey/s1', 'journey/s2']) {
    assert.equal(recording.requests[name]!.counts.completed, 2, name);
    recorded(recording.requests[name]!.latencyMs.max, 8, `${name} latency`);
  }
  // Iterations: from the intended start to the last step's end: 26 - 10 = 16 and 50 - 30 = 20 ms.
  assert.equal(recording.iterations?.completed, 2);
  recorded(recording.iterations?.durationMs.mean, 18, 'iterations: mean of 16 and 20');
  recorded(recording.iterations?.durationMs.max, 20, 'second iteration, its queue wait included');
  recorded(recording.queueWaitMs.max, 6, 'queue wait of arrival 3 (intended 20, sent 26)');
  const { windowMs, scheduled, targetRps } = scheduler.figures();
  assert.deepEqual({ windowMs, scheduled }, { windowMs: 35, scheduled: 4 });
  assert.ok(Math.abs(targetRps - 100) < 1e-9, `target rate ${targetRps}`);
});

test('closed mix at the stop: a started flow iteration runs on through the graceful stop; the cancel ends it and a plain request alike, every request accounted for', async () => {
  const plan = mixPlan(3);
  const clock = new VirtualClock();
  // A plain request takes 100 ms, a step 10 ms.
  const transport = virtualTransport(clock, (path) => (path === '/home' ? 100 : 10));
  const recorder = recorderFor(plan);
  const { ctx, stop, cancel } = context(plan, clock, transport, recorder);
  script([PLAIN, FLOW]);
  const users = new VirtualUsers(ctx, 2, null, new Flow(plan, ctx));
  recorder.start(clock.now());
  const finished = users.run();
  // User 1 sends /home at 0 (until 100); user 2 runs the journey: s1 at 0, s2 at 10.
  await clock.advance(15);
  stop();
  // The graceful stop: s2 completes at 20 and s3 goes out, with no pool slot to take (the semaphore is closed).
  await clock.advance(10);
  cancel();
  await clock.advance(200);
  await finished;
  assert.deepEqual(transport.sent, [
    { at: 0, path: '/home' },
    { at: 0, path: '/s1?vu=2&it=0' },
    { at: 10, path: '/s2?vu=2&it=0' },
    { at: 20, path: '/s3?vu=2&it=0' },
  ]);
  const recording = recorder.finish(25);
  assert.deepEqual(recording.requests.home!.counts, { sent: 1, completed: 0, failed: 0, cancelled: 1, dropped: 0 });
  assert.equal(recording.requests['journey/s1']!.counts.completed, 1);
  assert.equal(recording.requests['journey/s2']!.counts.completed, 1);
  assert.deepEqual(recording.requests['journey/s3']!.counts, { sent: 1, completed: 0, failed: 0, cancelled: 1, dropped: 0 });
  const { sent, completed, failed, cancelled } = recording.total.counts;
  assert.deepEqual({ sent, completed, failed, cancelled }, { sent: 4, completed: 2, failed: 0, cancelled: 2 });
  assert.equal(recording.iterations?.interrupted, 1);
  assert.equal(recording.iterations?.completed, 0);
});

test('closed mix across the warmup: each request goes to the recorder current at its send, an iteration to the one current at its start', async () => {
  const plan = mixPlan(2);
  const clock = new VirtualClock();
  const transport = virtualTransport(clock, () => 10);
  const warmup = recorderFor(plan);
  const measured = recorderFor(plan);
  const { ctx, stop } = context(plan, clock, transport, warmup);
  ctx.measuring = false;
  script([FLOW, PLAIN, FLOW]);
  const users = new VirtualUsers(ctx, 1, null, new Flow(plan, ctx));
  warmup.start(clock.now());
  const finished = users.run();
  // The journey's s1 at 0 (warmup); the window opens at 5, during it; s2 at 10, /home at 20, the journey
  // again at 30 and 40, the stop at 45 during its second step.
  await clock.advance(5);
  ctx.recorder = measured;
  ctx.measuring = true;
  measured.start(clock.now());
  await clock.advance(40);
  stop();
  await clock.advance(100);
  await finished;
  assert.deepEqual(
    transport.sent.map((s) => s.at),
    [0, 10, 20, 30, 40],
  );
  const before = warmup.finish(5);
  const after = measured.finish(60);
  assert.equal(before.requests['journey/s1']!.counts.completed, 1);
  assert.equal(before.requests['journey/s2']!.counts.sent, 0);
  // The iteration started in the warmup is the warmup's, though its second step is measured.
  assert.equal(before.iterations?.completed, 1);
  assert.equal(after.requests['journey/s2']!.counts.completed, 2);
  assert.equal(after.requests['journey/s1']!.counts.completed, 1);
  assert.equal(after.requests.home!.counts.completed, 1);
  assert.equal(after.iterations?.completed, 1);
});

// The engine's timing logic on a virtual clock (test/helpers/virtual-clock.ts): the arrival schedule,
// stage ramps and think time run to the exact millisecond, so these checks are equalities where the
// real-time tests (open-model, stages, engine) must allow for a busy machine. The transport here is a
// stand-in that answers after a set virtual service time: the timing logic is what is under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Recorder } from '../src/record/recorder.ts';
import { ArrivalScheduler, type ScheduleContext } from '../src/engine/schedule.ts';
import { Semaphore } from '../src/engine/semaphore.ts';
import { LoadProfile } from '../src/engine/stages.ts';
import { Sleeper } from '../src/engine/think.ts';
import { VirtualUsers } from '../src/engine/virtual-users.ts';
import type { VuContext } from '../src/engine/vu.ts';
import type { PreparedRequest, Transport } from '../src/transport/transport.ts';
import type { Think } from '../src/scenario/types.ts';
import { VirtualClock } from './helpers/virtual-clock.ts';

/** A recorded figure: exact up to the histogram's 3 significant digits. */
function recorded(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= expected * 0.001, `${what}: ${actual}, expected ${expected}`);
}

const REQUEST: PreparedRequest = { method: 'GET', path: '/', headers: [], body: null, wireBytes: 40 };

/** Answers every request `serviceMs` of virtual time after it is sent (at most `slots` at once). */
function virtualTransport(clock: VirtualClock, serviceMs: number): Transport & { sentAt: number[] } {
  const sentAt: number[] = [];
  return {
    sentAt,
    preflight: async () => {},
    send(_request, done) {
      sentAt.push(clock.now());
      clock.after(serviceMs, () => done({ status: 200, bytes: 2, headersAt: clock.now(), endAt: clock.now(), response: null }, null));
    },
    abortAll() {},
    stats: () => ({ opened: 1, protocols: { h1: 1 }, streamsPerSession: null, sessions: null, tls: null }),
    close: async () => {},
  };
}

function context(clock: VirtualClock, transport: Transport, recorder: Recorder, think: Think = { kind: 'none' }): VuContext & ScheduleContext & { stop(): void } {
  let stopped = false;
  const ctx = {
    clock,
    transport,
    recorder,
    semaphore: new Semaphore(1000),
    sleeper: new Sleeper(clock),
    requests: [REQUEST],
    cumulative: [1],
    think,
    retry: [null],
    backoff: new Sleeper(clock),
    cancelling: () => false,
    measuring: true,
    nextTicket: () => !stopped,
    stopRun: () => {
      stopped = true;
    },
    stop: () => {
      stopped = true;
    },
  };
  return ctx;
}

test('open model on virtual time: a 100 -> 300/s ramp issues exactly the integral, each on time', async () => {
  const clock = new VirtualClock();
  const transport = virtualTransport(clock, 5);
  const recorder = new Recorder(['a'], [null]);
  const ctx = context(clock, transport, recorder);
  const profile = new LoadProfile(100, [{ durationMs: 1000, target: 300 }]);
  const scheduler = new ArrivalScheduler(ctx, { rate: 100, profile, maxInflight: 100, maxQueued: 100, offset: 0 });
  recorder.start(clock.now());
  // As LoadRun does without warmup: the measured window opens, then the schedule starts.
  scheduler.beginMeasuring(clock.now());
  scheduler.start();
  await clock.advance(1000);
  scheduler.stop();
  await clock.advance(10);
  await scheduler.done;
  // (100 + 300) / 2 requests per second over 1 s, the last one due at exactly t = 1000 ms.
  assert.equal(transport.sentAt.length, 201);
  assert.deepEqual(scheduler.figures(), { windowMs: 1000, scheduled: 201, targetRps: 200, achievedRps: 201 });
  // Each request starts at the time the profile gives it: no lag, no drift from adding 1/rate steps.
  transport.sentAt.forEach((at, i) => assert.equal(at, profile.timeOfCount(i), `request ${i}`));
  const recording = recorder.finish(1000);
  assert.equal(recording.total.counts.completed, 201);
  assert.equal(recording.scheduleLagMs.max, 0);
  recorded(recording.total.latencyMs.p50, 5, 'P50');
  recorded(recording.total.latencyMs.max, 5, 'max');
});

test('open model on virtual time: one slot and a 30 ms service time queue up, and latency from the intended start shows it', async () => {
  const clock = new VirtualClock();
  const transport = virtualTransport(clock, 30);
  const recorder = new Recorder(['a'], [null]);
  const ctx = context(clock, transport, recorder);
  // 100/s = one request every 10 ms into one slot that takes 30 ms: request k (k = 0..9) is intended at
  // 10k ms, sent at 30k ms, done at 30k + 30 ms: 20k + 30 ms after its intended start.
  const scheduler = new ArrivalScheduler(ctx, { rate: 100, profile: new LoadProfile(100, []), maxInflight: 1, maxQueued: 1000, offset: 0 });
  recorder.start(clock.now());
  // As LoadRun does without warmup: the measured window opens, then the schedule starts.
  scheduler.beginMeasuring(clock.now());
  scheduler.start();
  await clock.advance(95);
  scheduler.stop();
  await clock.advance(1000);
  await scheduler.done;
  const recording = recorder.finish(95);
  // Ten were issued (t = 0..90); the first was sent, the ones still queued at the stop are dropped.
  assert.deepEqual(transport.sentAt, [0, 30, 60, 90]);
  assert.equal(recording.total.counts.dropped, 6);
  recorded(recording.total.latencyMs.max, 20 * 3 + 30, 'max latency');
  recorded(recording.total.latencyMs.p50, 20 * 1 + 30, 'P50 latency');
  recorded(recording.total.serviceTimeMs?.max, 30, 'max service time');
  recorded(recording.total.serviceTimeMs?.p50, 30, 'P50 service time');
});

test('open model on virtual time: a count-bounded stop drains the queue into free slots, until the run cancels', async () => {
  const clock = new VirtualClock();
  const transport = virtualTransport(clock, 30);
  const recorder = new Recorder(['a'], [null]);
  let cancelling = false;
  const ctx = { ...context(clock, transport, recorder), cancelling: () => cancelling };
  // As the previous test: 100/s into one slot of 30 ms; requests 0..9 are issued at 10k ms.
  const scheduler = new ArrivalScheduler(ctx, { rate: 100, profile: new LoadProfile(100, []), maxInflight: 1, maxQueued: 1000, offset: 0 });
  recorder.start(clock.now());
  scheduler.beginMeasuring(clock.now());
  scheduler.start();
  await clock.advance(95);
  // -n 10 used up (LoadRun: stopReason 'iterations'): the 6 still queued are owed and go out as the slot frees.
  scheduler.stop(true);
  await clock.advance(150);
  assert.deepEqual(transport.sentAt, [0, 30, 60, 90, 120, 150, 180, 210, 240]);
  // The graceful stop ends at 245 ms: the run cancels, and the one still queued is dropped when the slot frees.
  cancelling = true;
  await clock.advance(1000);
  await scheduler.done;
  assert.equal(transport.sentAt.length, 9);
  const recording = recorder.finish(270);
  assert.equal(recording.total.counts.sent, 9);
  assert.equal(recording.total.counts.dropped, 1);
  // The window runs until the last request was sent or dropped (270 ms); the target rate is the schedule's own,
  // the achieved one the 9 started over the window.
  assert.deepEqual(scheduler.figures(), { windowMs: 270, scheduled: 10, targetRps: 100, achievedRps: 9 / (270 / 1000) });
  // Request k (intended at 10k ms) was sent at 30k ms and done 30 ms later: its wait in the queue is in its latency.
  recorded(recording.total.latencyMs.max, 20 * 8 + 30, 'max latency');
});

test('closed model on virtual time: stages ramp the users every 100 ms, and think time paces each one exactly', async () => {
  const clock = new VirtualClock();
  const transport = virtualTransport(clock, 5);
  const recorder = new Recorder(['a'], [null]);
  const ctx = context(clock, transport, recorder, { kind: 'uniform', minMs: 45, maxMs: 45 });
  const users = new VirtualUsers(ctx, 1, new LoadProfile(1, [{ durationMs: 1000, target: 11 }]));
  recorder.start(clock.now());
  users.beginMeasuring(clock.now());
  const finished = users.run();
  const seen: number[] = [];
  for (let t = 100; t <= 1000; t += 100) {
    await clock.advance(100);
    seen.push(users.perSecond().vus!);
  }
  // One user plus 10 over 1 s, re-read every 100 ms: round(1 + 10 * t / 1000).
  assert.deepEqual(seen, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  users.stop();
  ctx.stop();
  await clock.advance(100);
  await finished;
  // Each user sends every 50 ms (5 ms of service, then 45 ms of think) from the time it joined until
  // t = 1000: the first 21 times (0, 50, ..., 1000), the one that joined at 100k ms 21 - 2k times.
  const expected = 21 + Array.from({ length: 10 }, (_, i) => 21 - 2 * (i + 1)).reduce((a, b) => a + b, 0);
  assert.equal(transport.sentAt.length, expected);
  assert.ok(transport.sentAt.every((at) => at % 50 === 0), 'every send on the 50 ms grid');
  const recording = recorder.finish(1000);
  recorded(recording.total.latencyMs.max, 5, 'think time is never latency: max');
});

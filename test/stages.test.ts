// Stages: the load profile's arithmetic, the scenario keys, and runs that reach each target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadProfile } from '../src/engine/stages.ts';
import { runPlan } from '../src/engine/run.ts';
import { buildPlan } from '../src/plan/plan.ts';
import { ScenarioError, UsageError } from '../src/util/errors.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { startServer } from './helpers/servers.ts';

const scenario = (load: string) => parseScenario(`target: http://127.0.0.1:1\nload: ${load}\n`, '/tmp/stages.yaml');

test('a constant rate: the k-th request is due at k / rate', () => {
  const profile = new LoadProfile(200, []);
  assert.equal(profile.timeOfCount(0), 0);
  assert.equal(profile.timeOfCount(1), 5);
  assert.equal(profile.timeOfCount(400), 2000);
  assert.equal(profile.countAt(2000), 400);
});

test('a ramp: counts are the integral of the rate, and timeOfCount inverts it', () => {
  // 0 → 100/s over 2 s (100 requests), then 100/s → 300/s over 1 s (200 requests), then 300/s held.
  const profile = new LoadProfile(0, [
    { durationMs: 2000, target: 100 },
    { durationMs: 1000, target: 300 },
  ]);
  assert.equal(profile.valueAt(1000), 50);
  assert.equal(profile.valueAt(2500), 200);
  assert.equal(profile.valueAt(10_000), 300);
  assert.equal(profile.countAt(2000), 100);
  assert.equal(profile.countAt(3000), 300);
  assert.equal(profile.countAt(4000), 600);
  assert.equal(profile.durationMs, 3000);
  assert.equal(profile.peak, 300);
  assert.equal(profile.lowest, 0);
  assert.equal(new LoadProfile(500, [{ durationMs: 1000, target: 2000 }, { durationMs: 1000, target: 800 }]).lowest, 500);
  assert.equal(new LoadProfile(2000, [{ durationMs: 1000, target: 5000 }, { durationMs: 1000, target: 800 }]).lowest, 800);
  for (const k of [1, 25, 99, 100, 101, 250, 300, 450]) {
    const t = profile.timeOfCount(k);
    assert.ok(Math.abs(profile.countAt(t) - k) < 1e-6, `k=${k}: count at ${t} is ${profile.countAt(t)}`);
  }
  // Requests are denser where the rate is higher.
  assert.ok(profile.timeOfCount(2) - profile.timeOfCount(1) > profile.timeOfCount(102) - profile.timeOfCount(101));
});

test('a rate that ramps down to 0 has no request after it', () => {
  const profile = new LoadProfile(100, [{ durationMs: 1000, target: 0 }]);
  assert.equal(profile.countAt(1000), 50);
  assert.ok(profile.timeOfCount(49) < 1000);
  assert.equal(profile.timeOfCount(51), Infinity);
});

test('scenario stages: rate stages make an open run whose duration is their sum', () => {
  const plan = buildPlan(scenario('{ rate: 10/s, stages: [{ duration: 1s, rate: 100/s }, { duration: 30s, rate: 30/m }] }'), {}, 't');
  assert.equal(plan.load.model, 'open');
  assert.equal(plan.load.rate, 10);
  assert.deepEqual(plan.load.stages, [
    { durationMs: 1000, target: 100 },
    { durationMs: 30_000, target: 0.5 },
  ]);
  assert.equal(plan.load.durationMs, 31_000);
  assert.equal(plan.load.defaultDuration, false);
  assert.equal(plan.load.latencyCorrection, 'intended-start');
  assert.ok(plan.load.maxQueued >= 10_000);
});

test('scenario stages: concurrency stages ramp virtual users in the closed model; the pool fits the peak', () => {
  const plan = buildPlan(scenario('{ stages: [{ duration: 2s, concurrency: 20 }, { duration: 1s, concurrency: 0 }] }'), {}, 't');
  assert.equal(plan.load.model, 'closed');
  assert.equal(plan.load.users, 1);
  assert.equal(plan.load.inflightCap, 0);
  assert.equal(plan.pool.connections, 20);
  assert.equal(plan.load.durationMs, 3000);
  // A command-line -c replaces the stages with a constant number of users; --rate makes it open.
  assert.deepEqual(buildPlan(scenario('{ stages: [{ duration: 2s, concurrency: 20 }] }'), { concurrency: 5 }, 't').load.stages, []);
  assert.equal(buildPlan(scenario('{ stages: [{ duration: 2s, concurrency: 20 }] }'), { rate: 50 }, 't').load.model, 'open');
});

test('bad stages and conflicting load keys are refused at file:line:col', () => {
  const cases: Array<[string, RegExp]> = [
    ['{ stages: [] }', /stages\.yaml:2:\d+: load\.stages: must not be empty/],
    ['{ stages: [{ rate: 10/s }] }', /load\.stages\[0\]\.duration: missing required key `duration`/],
    ['{ stages: [{ duration: 1s }] }', /load\.stages\[0\]\.rate: missing the stage target/],
    ['{ stages: [{ duration: 1s, rate: 5/s, concurrency: 3 }] }', /give either rate \(open model\) or concurrency/],
    ['{ stages: [{ duration: 1s, rate: 5/s }, { duration: 1s, concurrency: 3 }] }', /load\.stages\[1\]\.concurrency: all stages must ramp the same thing/],
    ['{ stages: [{ duration: 1s, rtae: 5 }] }', /unknown key `rtae`; did you mean `rate`\?/],
    ['{ rate: fast }', /load\.rate: "fast" is not a rate > 0 \(use e\.g\. 500\/s/],
    ['{ rate: 0 }', /load\.rate: 0 is not a rate > 0/],
    ['{ rate: 10/s, think: 100ms }', /load\.think: think time applies to the closed model/],
    ['{ concurrency: 5, maxQueued: 10 }', /load\.maxQueued: maxQueued applies to the open model only/],
    ['{ rat: 10 }', /unknown key `rat`; did you mean `rate`\?/],
  ];
  for (const [load, message] of cases) {
    assert.throws(() => scenario(load), (error: unknown) => error instanceof ScenarioError && message.test(error.message), load);
  }
  assert.throws(() => buildPlan(scenario('{ concurrency: 2 }'), { maxQueued: 5 }, 't'), UsageError);
  assert.throws(() => buildPlan(scenario('{ rate: 5 }'), { think: { kind: 'uniform', minMs: 1, maxMs: 1 } }, 't'), UsageError);
});

test('rate stages reach each target (per-second schedule in the series, counted by the server)', async () => {
  const server = await startServer({ delayMs: 1 });
  try {
    const plan = buildPlan(
      parseScenario(
        `target: ${server.url}\nload: { rate: 50/s, stages: [{ duration: 1s, rate: 50/s }, { duration: 1s, rate: 250/s }] }\nrequests: [{ path: / }]`,
        '/tmp/stages.yaml',
      ),
      {},
      't',
    );
    const result = await runPlan(plan, { version: 't' });
    // Second 1 holds 50/s; second 2 ramps 50 → 250 (150 requests): 200 in all.
    assert.ok(Math.abs(server.stats.requests - 200) <= 3, `server saw ${server.stats.requests}`);
    const scheduled = result.series.map((point) => point.scheduled ?? 0);
    assert.ok(Math.abs(scheduled[0]! - 50) <= 3, `first second ${scheduled}`);
    assert.ok(Math.abs(scheduled[1]! - 150) <= 5, `second second ${scheduled}`);
  } finally {
    await server.close();
  }
});

test('concurrency stages add and remove virtual users (in flight at the server, and in the series)', async () => {
  const server = await startServer({ delayMs: 20 });
  try {
    const plan = buildPlan(
      parseScenario(
        `target: ${server.url}\nload: { concurrency: 1, stages: [{ duration: 600ms, concurrency: 6 }, { duration: 500ms, concurrency: 6 }, { duration: 200ms, concurrency: 1 }, { duration: 300ms, concurrency: 1 }] }\nrequests: [{ path: / }]`,
        '/tmp/stages.yaml',
      ),
      {},
      't',
    );
    const seenInFlight: number[] = [];
    const sampler = setInterval(() => seenInFlight.push(server.stats.inFlight), 50);
    const result = await runPlan(plan, { version: 't' });
    clearInterval(sampler);
    assert.equal(server.stats.maxInFlight, 6);
    assert.equal(result.series[0]!.vus, 6, JSON.stringify(result.series.map((p) => p.vus)));
    // After the ramp down, one user is left.
    assert.ok(seenInFlight.slice(-3).every((n) => n <= 1), `in flight near the end ${seenInFlight}`);
    assert.equal(result.counts.sent, result.counts.completed + result.counts.failed + result.counts.cancelled);
  } finally {
    await server.close();
  }
});

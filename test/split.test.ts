// The exact split of a plan into parts (shards, worker threads): whole numbers add back up exactly,
// remainders go to the first parts, rates and rate stages divide, and the parts' arrival schedules
// interleave into the whole's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadProfile } from '../src/engine/stages.ts';
import { UsageError } from '../src/util/errors.ts';
import { buildPlan } from '../src/plan/plan.ts';
import type { Overrides, Plan } from '../src/plan/types.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { checkSplittable, planPart, resolveWorkers, splitPlan } from '../src/plan/split.ts';
import { shareOf } from '../src/util/list.ts';

const plan = (load: string, pool = '{}', overrides: Overrides = {}): Plan =>
  buildPlan(parseScenario(`target: http://127.0.0.1:1\nload: ${load}\npool: ${pool}\n`, '/tmp/split.yaml'), overrides, 't');
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

test('shareOf spreads the remainder over the first parts and always adds up', () => {
  assert.deepEqual([0, 1, 2].map((i) => shareOf(10, i, 3)), [4, 3, 3]);
  assert.deepEqual([0, 1, 2, 3].map((i) => shareOf(7, i, 4)), [2, 2, 2, 1]);
  for (const total of [0, 1, 5, 99, 1001]) {
    for (const count of [1, 2, 3, 7]) {
      const parts = Array.from({ length: count }, (_, i) => shareOf(total, i, count));
      assert.equal(sum(parts), total, `${total} over ${count}`);
      assert.ok(Math.max(...parts) - Math.min(...parts) <= 1, 'as even as possible');
    }
  }
});

test('closed model: virtual users, iterations, connections and in-flight bounds add up exactly', () => {
  const whole = plan('{ concurrency: 10, iterations: 1001 }', '{ connections: 7, maxInflight: 11 }');
  const parts = splitPlan(whole, 3, '--shards');
  assert.deepEqual(parts.map((p) => p.load.users), [4, 3, 3]);
  assert.deepEqual(parts.map((p) => p.load.iterations), [334, 334, 333]);
  assert.deepEqual(parts.map((p) => p.pool.connections), [3, 2, 2]);
  assert.deepEqual(parts.map((p) => p.pool.maxInflight), [4, 4, 3]);
  for (const p of parts) {
    assert.equal(p.load.durationMs, whole.load.durationMs);
    assert.deepEqual(p.requests, whole.requests);
    assert.ok(Object.isFrozen(p) && Object.isFrozen(p.load));
  }
  assert.equal(planPart(whole, 0, 1), whole, 'one part is the plan itself');
});

test('closed-model stages: every stage target is split so the parts add up at each boundary', () => {
  const whole = plan('{ concurrency: 5, stages: [{ duration: 1s, concurrency: 50 }, { duration: 2s, concurrency: 7 }, { duration: 1s, concurrency: 0 }] }');
  const parts = splitPlan(whole, 4, '--workers');
  assert.equal(sum(parts.map((p) => p.load.users)), 5);
  whole.load.stages.forEach((stage, i) => {
    assert.equal(sum(parts.map((p) => p.load.stages[i]!.target)), stage.target, `stage ${i}`);
    for (const p of parts) assert.equal(p.load.stages[i]!.durationMs, stage.durationMs);
  });
});

test('open model: the rate and its stages divide; the queue and in-flight bounds split as whole numbers', () => {
  const whole = plan('{ rate: 100/s, concurrency: 10, maxQueued: 100, stages: [{ duration: 1s, rate: 250/s }, { duration: 1s, rate: 10/s }] }');
  const parts = splitPlan(whole, 3, '--shards');
  assert.ok(Math.abs(sum(parts.map((p) => p.load.rate!)) - 100) < 1e-9);
  for (const p of parts) assert.ok(Math.abs(p.load.rate! - 100 / 3) < 1e-12);
  whole.load.stages.forEach((stage, i) => assert.ok(Math.abs(sum(parts.map((p) => p.load.stages[i]!.target)) - stage.target) < 1e-9));
  assert.equal(sum(parts.map((p) => p.load.inflightCap)), 10);
  for (const p of parts) assert.equal(p.load.users, 0, 'no virtual users in the open model');
  assert.equal(sum(parts.map((p) => p.load.maxQueued)), 100);
  assert.deepEqual(parts.map((p) => p.load.arrivalOffset), [0, 1 / 3, 2 / 3]);
});

test("open model: the parts' intended start times interleave into exactly the whole plan's schedule", () => {
  const whole = plan('{ rate: 90/s, stages: [{ duration: 1s, rate: 300/s }, { duration: 500ms, rate: 30/s }] }');
  const schedule = (p: Plan, n: number) => {
    const profile = new LoadProfile(p.load.rate!, p.load.stages);
    return Array.from({ length: n }, (_, k) => profile.timeOfCount(k + p.load.arrivalOffset));
  };
  const expected = schedule(whole, 300);
  const parts = splitPlan(whole, 3, '--shards');
  const merged = parts.flatMap((p) => schedule(p, 100)).sort((a, b) => a - b);
  merged.forEach((t, k) => assert.ok(Math.abs(t - expected[k]!) < 1e-6, `request ${k}: ${t} vs ${expected[k]}`));
  // A part split again (workers inside a shard) still lands on the whole schedule.
  const nested = parts.flatMap((p) => splitPlan(p, 2, '--workers')).flatMap((p) => schedule(p, 50)).sort((a, b) => a - b);
  nested.forEach((t, k) => assert.ok(Math.abs(t - expected[k]!) < 1e-6, `nested request ${k}`));
});

test('a split that leaves a part with nothing to do is refused, naming the flag', () => {
  assert.throws(() => checkSplittable(plan('{ concurrency: 2 }'), 3, '--shards'), (e: unknown) => e instanceof UsageError && /--shards 3: 2 virtual users/.test(e.message));
  assert.throws(() => checkSplittable(plan('{ concurrency: 8, iterations: 2 }'), 3, '--workers'), (e: unknown) => e instanceof UsageError && /2 iterations/.test(e.message));
  assert.doesNotThrow(() => checkSplittable(plan('{ concurrency: 1, stages: [{ duration: 1s, concurrency: 4 }] }'), 4, '--shards'));
  assert.throws(() => plan('{ concurrency: 2 }', '{}', { workers: 3 }), UsageError, 'buildPlan checks --workers');
});

test('workers: auto is the cores less one, at least one, and no more than the load can use', () => {
  const closed = { model: 'closed' as const, peakConcurrency: 64 };
  assert.equal(resolveWorkers('auto', 8, closed, null), 7);
  assert.equal(resolveWorkers('auto', 1, closed, null), 1);
  assert.equal(resolveWorkers('auto', 8, { model: 'closed', peakConcurrency: 3 }, null), 3);
  assert.equal(resolveWorkers('auto', 8, closed, 2), 2);
  assert.equal(resolveWorkers(5, 2, closed, null), 5, 'an explicit count is kept');
  assert.equal(plan('{ concurrency: 4 }').workers, 1, 'default 1');
  assert.equal(plan('{ concurrency: 4 }', '{}', { workers: 2 }).workers, 2);
});

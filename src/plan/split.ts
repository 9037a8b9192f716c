// A Plan split exactly into N parts: the shards of a multi-machine run (--shard I/N) and the worker
// threads of one machine (--workers N) both run part I of N. Pure.
//
// What adds up: virtual users, iterations, requests in flight, connections and the queue bound are
// whole numbers, split as evenly as possible with the remainder going to the first parts (10 over 3 →
// 4, 3, 3), so the parts always sum to the plan. Rates are divided (they are real numbers); stage targets
// are split like the value they ramp (users as whole numbers, rates divided), so at every stage boundary
// the parts sum to the plan's level. Durations, warmup, requests, timeouts and thresholds are the plan's.
//
// Open model: part I's schedule is offset by I/N of a request (`load.arrivalOffset`), so the N schedules
// interleave into exactly the plan's one instead of N requests landing at the same instant.
import { UsageError } from '../util/errors.ts';
import { deepFreeze } from '../util/freeze.ts';
import { shareOf } from '../util/list.ts';
import type { Plan } from './types.ts';
import type { Stage } from '../scenario/types.ts';

/**
 * `workers:` / --workers as a count. auto is the cores less one (one is left for the main thread and the
 * rest of the machine), at least 1, and never more than the load can give work to (virtual users at
 * the peak, iterations). An explicit count is kept: checkSplittable refuses one the load cannot fill.
 */
export function resolveWorkers(
  wanted: number | 'auto',
  cores: number,
  load: { model: 'closed' | 'open'; peakConcurrency: number },
  iterations: number | null,
): number {
  if (wanted !== 'auto') return wanted;
  let count = Math.max(1, cores - 1);
  if (load.model === 'closed') count = Math.min(count, load.peakConcurrency);
  if (iterations !== null) count = Math.min(count, iterations);
  return Math.max(1, count);
}

/** Part `index` of `count` of the plan. `count` 1 returns the plan itself. */
export function planPart(plan: Plan, index: number, count: number): Plan {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`part count must be a whole number >= 1, got ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`part index ${index} is not in 0..${count - 1}`);
  if (count === 1) return plan;
  const { load, pool } = plan;
  const whole = (value: number) => shareOf(value, index, count);
  // A bound of "at least one" (connections, in-flight slots) cannot go to zero in any part.
  const atLeastOne = (value: number) => Math.max(1, whole(value));
  const open = load.model === 'open';
  const stages: Stage[] = load.stages.map((s) => ({
    durationMs: s.durationMs,
    target: open ? s.target / count : whole(s.target),
  }));
  return deepFreeze({
    ...plan,
    load: {
      ...load,
      users: whole(load.users),
      inflightCap: open ? atLeastOne(load.inflightCap) : 0,
      rate: load.rate === null ? null : load.rate / count,
      stages,
      maxQueued: load.maxQueued === 0 ? 0 : atLeastOne(load.maxQueued),
      iterations: load.iterations === null ? null : whole(load.iterations),
      // Part I's requests are the plan's requests I, I + N, I + 2N, ...: in the part's own units they
      // start (offset + I) / N of a request late (this also holds for a part split again).
      arrivalOffset: open ? (load.arrivalOffset + index) / count : 0,
    },
    pool: {
      ...pool,
      connections: atLeastOne(pool.connections),
      maxInflight: atLeastOne(pool.maxInflight),
    },
    // Part I of N takes the rows I, I + N, I + 2N, ... of its whole's: no row is used by two parts.
    vuNumbers: { offset: plan.vuNumbers.offset + index * plan.vuNumbers.stride, stride: plan.vuNumbers.stride * count },
    data: plan.data && { ...plan.data, offset: plan.data.offset + index * plan.data.stride, stride: plan.data.stride * count },
  });
}

/**
 * Every part, after checking that each has load to generate: a part with no virtual user (and no stage
 * that adds one) or no iteration would run empty, which is a mistake in the count, not a plan.
 * `what` names the split in messages ("--shards", "--workers").
 */
export function splitPlan(plan: Plan, count: number, what: string): Plan[] {
  checkSplittable(plan, count, what);
  return Array.from({ length: count }, (_, i) => planPart(plan, i, count));
}

/** Throws a UsageError when some part of `count` would have nothing to do. */
export function checkSplittable(plan: Plan, count: number, what: string): void {
  if (count === 1) return;
  const { load } = plan;
  if (load.iterations !== null && load.iterations < count) {
    throw new UsageError(`${what} ${count}: ${load.iterations} iterations cannot give every part a request (use at most ${load.iterations})`);
  }
  if (load.model === 'closed') {
    const peak = Math.max(load.users, ...load.stages.map((s) => s.target));
    if (peak < count) {
      throw new UsageError(`${what} ${count}: ${peak} virtual user${peak === 1 ? '' : 's'} cannot give every part one (use at most ${peak})`);
    }
  }
}

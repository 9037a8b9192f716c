// Stages: a load level (an arrival rate, or a number of virtual users) that ramps linearly from a start
// value through each stage's target, then holds the last target. Time is in ms from the start of the
// measured window. For rates, `timeOfCount` inverts the integral, which gives each request's intended
// start time exactly (no accumulated rounding from adding 1/rate steps).
import type { Stage } from '../scenario/types.ts';

interface Segment {
  startMs: number;
  durationMs: number;
  from: number;
  to: number;
  /** Requests due before this segment (integral of the rate, per second, up to startMs). */
  countBefore: number;
}

export class LoadProfile {
  private readonly segments: Segment[] = [];
  private readonly endMs: number;
  private readonly endValue: number;
  private readonly endCount: number;

  constructor(start: number, stages: readonly Stage[]) {
    let t = 0;
    let value = start;
    let count = 0;
    for (const stage of stages) {
      this.segments.push({ startMs: t, durationMs: stage.durationMs, from: value, to: stage.target, countBefore: count });
      count += ((value + stage.target) / 2) * (stage.durationMs / 1000);
      t += stage.durationMs;
      value = stage.target;
    }
    this.endMs = t;
    this.endValue = value;
    this.endCount = count;
  }

  /** The level at `tMs` (linear within a stage; the last target after the stages). */
  valueAt(tMs: number): number {
    const segment = this.segmentAt(tMs);
    if (!segment) return this.endValue;
    const progress = segment.durationMs === 0 ? 1 : (tMs - segment.startMs) / segment.durationMs;
    return segment.from + (segment.to - segment.from) * progress;
  }

  /** Requests due in [0, tMs] when the level is a rate per second. */
  countAt(tMs: number): number {
    if (tMs <= 0) return 0;
    const segment = this.segmentAt(tMs);
    if (!segment) return this.endCount + (this.endValue * (tMs - this.endMs)) / 1000;
    const elapsed = tMs - segment.startMs;
    return segment.countBefore + ((segment.from + this.valueAt(tMs)) / 2) * (elapsed / 1000);
  }

  /**
   * When the k-th request (k = 0, 1, 2, ...) is due, in ms: the first time the count reaches k.
   * Infinity when the rate stays at 0 from then on.
   */
  timeOfCount(k: number): number {
    if (k <= 0) return 0;
    for (const segment of this.segments) {
      const segmentCount = ((segment.from + segment.to) / 2) * (segment.durationMs / 1000);
      if (segment.countBefore + segmentCount < k) continue;
      return segment.startMs + solveRamp(segment.from, segment.to, segment.durationMs, (k - segment.countBefore) * 1000);
    }
    if (this.endValue <= 0) return Infinity;
    return this.endMs + ((k - this.endCount) * 1000) / this.endValue;
  }

  /** Length of the stages (0 without stages). */
  get durationMs(): number {
    return this.endMs;
  }

  /** The highest level reached. */
  get peak(): number {
    return Math.max(this.segments[0]?.from ?? this.endValue, ...this.segments.map((s) => s.to), this.endValue);
  }

  /** The lowest level reached (levels are linear within a stage, so the lowest is at a stage's end). */
  get lowest(): number {
    return Math.min(this.segments[0]?.from ?? this.endValue, ...this.segments.map((s) => s.to), this.endValue);
  }

  private segmentAt(tMs: number): Segment | undefined {
    if (tMs >= this.endMs) return undefined;
    let found = this.segments[0];
    for (const segment of this.segments) {
      if (segment.startMs > tMs) break;
      found = segment;
    }
    return found;
  }
}

/**
 * The time τ (ms) into a ramp from `from` to `to` (per second) over `durationMs` at which the integral
 * reaches `needMs` (requests × 1000): solves (slope/2)τ² + from·τ = need, in the form that stays exact
 * when the slope is 0 or tiny.
 */
function solveRamp(from: number, to: number, durationMs: number, needMs: number): number {
  const slope = durationMs === 0 ? 0 : (to - from) / durationMs;
  const root = Math.sqrt(Math.max(0, from * from + 2 * slope * needMs));
  const denominator = from + root;
  return denominator === 0 ? 0 : (2 * needMs) / denominator;
}

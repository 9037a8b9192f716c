// The known truth for merged results (workers, shards): one fresh histogram fed every recorded value of
// each part's own encoded histograms, bucket by bucket, without the merge's code (record/merge.ts adds
// histograms with hdr's add). Its summary is what the merged result must report, exactly, in total and
// for each second of the series.
import assert from 'node:assert/strict';
import { createHistogram, decode, summarize } from '../../src/result/histogram.ts';
import type { Counts, LatencySummary, RunResult } from '../../src/result/result.ts';

/** The summary of all the values in `encoded` (base64 histograms) fed into one histogram. */
export function unionSummary(encoded: readonly string[]): LatencySummary {
  const union = createHistogram();
  for (const text of encoded) {
    const part = decode(text);
    for (let i = 0; i < part.countsArrayLength; i++) {
      const count = part.getCountAtIndex(i);
      if (count > 0) union.recordValueWithCount(part.valueFromIndex(i), count);
    }
  }
  return summarize(union);
}

/**
 * Equal to the microsecond but for the max: a decoded histogram knows its max only to its bucket (3
 * significant digits), so the max is compared within that; `partMaxima`, where the parts reported their
 * exact maxima (latency, TTFB), the merged max must be their largest, exactly.
 */
function assertSameSummary(actual: LatencySummary, expected: LatencySummary, what: string, partMaxima?: number[]): void {
  const { max: actualMax, ...actualRest } = actual;
  const { max: expectedMax, ...expectedRest } = expected;
  assert.deepEqual(actualRest, expectedRest, what);
  assert.ok(Math.abs(actualMax - expectedMax) <= expectedMax / 1000 + 0.001, `${what}: max ${actualMax} vs ${expectedMax} of the union`);
  if (partMaxima) assert.equal(actualMax, Math.max(...partMaxima), `${what}: the largest of the parts' exact maxima`);
}

/**
 * Asserts that `merged` holds exactly the union of `parts`: counts add up exactly, and the latency,
 * TTFB and queue-wait summaries (in total and per request) equal those of one histogram fed all the
 * parts' values (bucket-exact, so to the microsecond; the max within HDR precision).
 */
export function assertExactUnion(merged: RunResult, parts: readonly RunResult[]): void {
  const countKeys = ['sent', 'completed', 'failed', 'cancelled'] as const;
  const added = (all: readonly Counts[]) => Object.fromEntries(countKeys.map((k) => [k, all.reduce((n, c) => n + c[k], 0)]));
  const pick = (c: Counts) => Object.fromEntries(countKeys.map((k) => [k, c[k]]));
  const union = (get: (p: RunResult) => string) => unionSummary(parts.map(get));
  assert.deepEqual(pick(merged.counts), added(parts.map((p) => p.counts)), 'counts');
  assertSameSummary(merged.latencyMs, union((p) => p.histograms.latency), 'latency', parts.map((p) => p.latencyMs.max));
  assertSameSummary(merged.ttfbMs, union((p) => p.histograms.ttfb), 'TTFB', parts.map((p) => p.ttfbMs.max));
  assertSameSummary(merged.queueWaitMs, union((p) => p.histograms.queueWait), 'queue wait');
  for (const name of Object.keys(merged.requests)) {
    const present = parts.filter((p) => p.requests[name] !== undefined);
    const stats = merged.requests[name]!;
    assert.deepEqual(pick(stats.counts), added(present.map((p) => p.requests[name]!.counts)), `${name} counts`);
    const encoded = present.map((p) => p.histograms.requests[name]!.latency);
    assertSameSummary(stats.latencyMs, unionSummary(encoded), `${name} latency`, present.map((p) => p.requests[name]!.latencyMs.max));
  }
  assert.equal(merged.latencyMs.count, merged.counts.completed, 'every completed request is in the merged histogram');
  assertExactSeconds(merged, parts);
}

/**
 * Each merged second's P50/P90/P99 are those of the union of the parts' histograms of that wall-clock
 * second (each part's t shifted by its measured-window start, in whole seconds, from the earliest).
 */
function assertExactSeconds(merged: RunResult, parts: readonly RunResult[]): void {
  const starts = parts.map((p) => Date.parse(p.measureStartedAt ?? p.startedAt));
  const base = Math.min(...starts);
  const byT = new Map<number, string[]>();
  parts.forEach((part, i) => {
    const shift = Math.round((starts[i]! - base) / 1000);
    part.series.forEach((point, index) => {
      const encoded = part.histograms.series![index];
      if (encoded) byT.set(point.t + shift, [...(byT.get(point.t + shift) ?? []), encoded]);
    });
  });
  assert.equal(merged.histograms.series?.length, merged.series.length, 'a histogram per merged second');
  for (const point of merged.series) {
    const encoded = byT.get(point.t) ?? [];
    const union = encoded.length === 0 ? null : unionSummary(encoded);
    const expected = union === null ? [null, null, null] : [union.p50, union.p90, union.p99];
    assert.deepEqual([point.p50, point.p90, point.p99], expected, `second ${point.t}: the percentiles of the parts' seconds together`);
  }
}

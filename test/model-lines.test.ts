// Report lines about the generator itself: the saturation verdict and the cold-start hint; the open model's
// rate and drops, in requests or (with flows) arrivals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coldStartHint, modelLines, warningLines } from '../src/report/model-lines.ts';
import type { GeneratorStats, RunResult, SeriesPoint } from '../src/result/result.ts';
import { sampleResult } from './helpers/sample-result.ts';
import { painter } from '../src/report/paint.ts';

const plain = painter(false);
const saturated: GeneratorStats = {
  eventLoopDelayMs: { p50: 1, p99: 16.7, max: 94 },
  cpuPercent: { mean: 56, max: 67 },
  saturated: true,
  reasons: ['event-loop delay P99 was 16.7 ms (limit 10 ms)'],
  limits: { eventLoopDelayP99Ms: 10, cpuPercent: 90, scheduleLagP90Ms: 10 },
};
const second = (t: number, eventLoopDelayP99: number): SeriesPoint => ({ t, requests: 5000, errors: 0, p50: 1, p90: 2, p99: 2, eventLoopDelayP99 });
const withSeries = (delays: number[], overrides: Partial<RunResult> = {}): RunResult =>
  sampleResult({ generator: saturated, series: delays.map((d, i) => second(i + 1, d)), warmup: { durationMs: 0, sent: 0 }, ...overrides });

test('a verdict earned in the first second of a cold run says so and points at --warmup', () => {
  const result = withSeries([51.4, 3.6, 6.9, 1.3, 1]);
  assert.match(coldStartHint(result)!, /first second.*51\.4ms.*3\.60ms.*--warmup 1s/);
  const lines = warningLines(result, plain);
  assert.match(lines[0]!, /^!! results are limited by this machine/);
  assert.match(lines[1]!, /--warmup 1s/);
});

test('no cold-start hint when the later seconds were saturated too, with a warmup, or with too few seconds', () => {
  assert.equal(coldStartHint(withSeries([51.4, 30, 25, 12])), null);
  assert.equal(coldStartHint(withSeries([51.4, 3.6, 6.9], { warmup: { durationMs: 1000, sent: 5000 } })), null);
  assert.equal(coldStartHint(withSeries([51.4, 3.6])), null);
  assert.equal(coldStartHint(withSeries([4, 3.6, 6.9])), null);
  assert.equal(warningLines(withSeries([51.4, 3.6, 6.9], { generator: { ...saturated, saturated: false, reasons: [] } }), plain).length, 0);
});

test('open model: dropped arrivals are called requests in a plain mix, arrivals with flows; the rate line says the same', () => {
  const arrival = { windowMs: 1000, scheduled: 100, targetRps: 100, achievedRps: 90, dropped: 10, maxQueued: 5, behind: false };
  const base = sampleResult();
  const open = { ...base, arrival, counts: { ...base.counts, dropped: 10 } };
  assert.match(warningLines(open, plain).join('\n'), /!! 10 requests DROPPED \(10\.0% of those scheduled\)/);
  assert.match(modelLines(open, plain).find(([label]) => label === 'rate')![1], /^target 100 req\/s, achieved 90(\.0)? req\/s/);
  const flow = { ...open, plan: { ...base.plan, flow: { steps: [{ name: 'login', captures: [], think: null }], variables: [] } } };
  assert.match(warningLines(flow, plain).join('\n'), /!! 10 arrivals DROPPED \(10\.0% of those scheduled\)/);
  assert.match(modelLines(flow, plain).find(([label]) => label === 'rate')![1], /^target 100 arrivals\/s, achieved 90(\.0)? arrivals\/s/);
});

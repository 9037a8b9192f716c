// Merging results of the parts of one load (pure): histograms add exactly, counters add, summaries and
// rates are recomputed from the merged figures, series align by wall clock, thresholds are judged
// again; and `mergeShards` refuses results that are not the shards of one run unless forced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunError, UsageError } from '../src/util/errors.ts';
import { mergeResults } from '../src/record/merge.ts';
import { mergeShards } from '../src/judge/merge-shards.ts';
import { describeMerge } from '../src/report/merge-text.ts';
import { createHistogram, decode, encode, percentilesMs, recordUs, summarize } from '../src/result/histogram.ts';
import type { RunResult } from '../src/result/result.ts';
import { buildResult, spread, withFlowAndTargets } from './helpers/build-result.ts';

const shard = (result: RunResult, index: number, count: number, extra: Partial<RunResult> = {}): RunResult => ({
  ...result,
  shard: { index, count },
  runId: 'run-1',
  planDigest: 'digest-1',
  ...extra,
});

test('histograms add exactly: the merged percentiles are those of all the samples together', () => {
  const a = spread(1000, 1_000, 50_000);
  const b = spread(3000, 20_000, 90_000);
  const merged = mergeResults([
    buildResult({ list: { latenciesUs: a }, get: { latenciesUs: [5_000, 6_000], failed: 1, errors: { timeout: 1 } } }, { durationMs: 2000 }),
    buildResult({ list: { latenciesUs: b, statusCodes: { '200': 2990, '503': 10 }, unexpectedStatus: 10 } }, { durationMs: 2500 }),
  ]);
  const all = createHistogram();
  for (const us of [...a, ...b, 5_000, 6_000]) recordUs(all, us);
  assert.deepEqual(merged.latencyMs, summarize(all));
  const { max: _max, ...percentiles } = summarize(all);
  const { max: decodedMax, ...decoded } = summarize(decode(merged.histograms.latency));
  assert.deepEqual(decoded, percentiles, 'the encoded merged histogram holds every sample');
  assert.ok(Math.abs(decodedMax - 90) / 90 < 0.001, 'its max within HDR precision (3 digits)');
  const list = createHistogram();
  for (const us of [...a, ...b]) recordUs(list, us);
  assert.deepEqual(merged.requests.list!.latencyMs, summarize(list));
  assert.deepEqual(merged.counts, { sent: 4003, completed: 4002, failed: 1, cancelled: 0 });
  assert.deepEqual(merged.statusCodes, { '200': 3992, '503': 10 });
  assert.deepEqual(merged.errors, { timeout: 1 });
  assert.equal(merged.unexpectedStatus, 10);
  assert.equal(merged.errorRate, 11 / 4003, 'recomputed from the sums, not averaged');
  assert.equal(merged.durationMs, 2500);
  assert.equal(merged.rps, 4002 / 2.5);
  assert.equal(merged.requests.get!.counts.sent, 3, 'a request only one part saw is kept');
});

/** A part whose request "list" had a retry policy: its first tries' latencies, encoded as the recorder does. */
function withFirstTries(result: RunResult, firstTriesUs: number[], failures: number): RunResult {
  const h = createHistogram();
  for (const us of firstTriesUs) recordUs(h, us);
  const first = { firstTryMs: summarize(h), firstTryFailures: failures };
  return {
    ...result,
    ...first,
    requests: { list: { ...result.requests.list!, ...first } },
    histograms: { ...result.histograms, firstTry: encode(h), requests: { list: { ...result.histograms.requests.list!, firstTry: encode(h) } } },
  };
}

test('first-try latency merges exactly too: its percentiles are those of all the first tries together', () => {
  const a = spread(1000, 1_000, 50_000);
  const b = spread(3000, 20_000, 90_000);
  const merged = mergeResults([
    withFirstTries(buildResult({ list: { latenciesUs: a } }), a, 7),
    withFirstTries(buildResult({ list: { latenciesUs: b } }), b, 5),
  ]);
  const all = createHistogram();
  for (const us of [...a, ...b]) recordUs(all, us);
  // (Merging the parts' summaries instead gave the larger p50, 55 ms, for a true 45.5 ms.)
  assert.deepEqual(merged.firstTryMs, summarize(all));
  assert.deepEqual(merged.requests.list!.firstTryMs, summarize(all));
  assert.equal(merged.firstTryFailures, 12);
  assert.equal(decode(merged.histograms.firstTry!).totalCount, 4000, 'the merged result carries the added histogram');
  assert.equal(decode(merged.histograms.requests.list!.firstTry!).totalCount, 4000);
  assert.equal(mergeResults([buildResult({ list: { latenciesUs: a } }), buildResult({ list: { latenciesUs: b } })]).histograms.firstTry, undefined, 'none without retries');
});

test('the plan adds back up; error examples merge, deduplicated and capped; verdicts of the parts are dropped', () => {
  const one = { ...buildResult({ x: { latenciesUs: [1000] } }), errorExamples: { timeout: ['a', 'b'] }, thresholdsPassed: false };
  const two = { ...buildResult({ x: { latenciesUs: [1000] } }), errorExamples: { timeout: ['b', 'c', 'd'], 'connect-refused': ['e'] } };
  one.plan = { ...one.plan, concurrency: 4, connections: 3, maxInflight: 4, iterations: 334 };
  two.plan = { ...two.plan, concurrency: 3, connections: 2, maxInflight: 3, iterations: 333 };
  const merged = mergeResults([one, two]);
  assert.deepEqual(merged.errorExamples, { timeout: ['a', 'b', 'c'], 'connect-refused': ['e'] });
  assert.equal(merged.plan.concurrency, 7);
  assert.equal(merged.plan.iterations, 667);
  assert.equal(merged.plan.connections, 5);
  assert.equal(merged.thresholdsPassed, undefined);
});

test('the per-second series is aligned by wall clock: counts add in the same second', () => {
  const point = (t: number, requests: number, p50: number, p99: number) => ({ t, requests, errors: 0, p50, p90: p99, p99 });
  const early = { ...buildResult({ x: { latenciesUs: [1000] } }), measureStartedAt: '2026-01-01T00:00:00.000Z', series: [point(1, 100, 10, 20), point(2, 100, 10, 20)] };
  // Started 1 s (and a little) later: its first second is the early one's second.
  const late = { ...buildResult({ x: { latenciesUs: [1000] } }), measureStartedAt: '2026-01-01T00:00:01.100Z', series: [point(1, 300, 20, 50), point(2, 50, 30, 40)] };
  const merged = mergeResults([late, early]);
  assert.deepEqual(merged.series.map((p) => [p.t, p.requests, p.p99]), [[1, 100, 20], [2, 400, 50], [3, 50, 40]]);
  assert.equal(merged.series[1]!.p50, (100 * 10 + 300 * 20) / 400, 'p50: request-weighted');
  assert.equal(merged.measureStartedAt, '2026-01-01T00:00:00.000Z');
});

test('the open model\'s per-second arrivals add by wall-clock second, apart from the responses; absent where no part has them', () => {
  const point = (t: number, requests: number, arrivals?: number) => ({ t, requests, errors: 0, p50: 1, p90: 1, p99: 1, scheduled: arrivals ?? 0, ...(arrivals !== undefined && { arrivals }) });
  const a = { ...buildResult({ x: { latenciesUs: [1000] } }), measureStartedAt: '2026-01-01T00:00:00.000Z', series: [point(1, 90, 30), point(2, 60, 20)] };
  const b = { ...buildResult({ x: { latenciesUs: [1000] } }), measureStartedAt: '2026-01-01T00:00:01.000Z', series: [point(1, 45, 15), point(2, 3, 1)] };
  const merged = mergeResults([a, b]);
  assert.deepEqual(merged.series.map((p) => [p.t, p.requests, p.arrivals]), [[1, 90, 30], [2, 105, 35], [3, 3, 1]]);
  const older = { ...b, series: [point(1, 45), point(2, 3)] };
  assert.deepEqual(mergeResults([a, older]).series.map((p) => p.arrivals), [30, 20, undefined], 'a part without the field adds nothing (a second only it has: no field)');
  const none = mergeResults([older, { ...older, measureStartedAt: '2026-01-01T00:00:00.000Z' }]);
  assert.ok(none.series.every((p) => !('arrivals' in p)), 'older parts: no field');
});

test('per-second percentiles of a merge are exact: the parts\' histograms of each second add', () => {
  // Second 2 of the merge: one part's fast second beside the other's slow one. Averaging or taking the
  // largest of the parts' percentiles would give other figures than those of all samples together.
  const fast = spread(800, 1_000, 5_000);
  const slow = spread(200, 200_000, 400_000);
  const second = (latencies: number[]) => {
    const h = createHistogram();
    for (const us of latencies) recordUs(h, us);
    const [p50, p90, p99] = percentilesMs(h, [50, 90, 99]);
    return { point: { requests: latencies.length, errors: 0, p50: p50!, p90: p90!, p99: p99! }, encoded: encode(h) };
  };
  const part = (start: string, seconds: Array<number[] | null>): RunResult => {
    const built = seconds.map((s) => (s ? second(s) : null));
    const result = buildResult({ x: { latenciesUs: [1000] } });
    return {
      ...result,
      measureStartedAt: start,
      series: built.map((b, i) => ({ t: i + 1, ...(b?.point ?? { requests: 0, errors: 0, p50: null, p90: null, p99: null }) })),
      histograms: { ...result.histograms, series: built.map((b) => b?.encoded ?? null) },
    };
  };
  const a = part('2026-01-01T00:00:00.000Z', [fast, fast]);
  const b = part('2026-01-01T00:00:01.000Z', [slow, null]);
  const merged = mergeResults([a, b]);
  const all = createHistogram();
  for (const us of [...fast, ...slow]) recordUs(all, us);
  assert.deepEqual(merged.series.map((p) => p.t), [1, 2, 3]);
  assert.deepEqual([merged.series[1]!.p50, merged.series[1]!.p90, merged.series[1]!.p99], percentilesMs(all, [50, 90, 99]));
  assert.ok(merged.series[1]!.p90! > 200, `p90 of the merged second is in the slow part: ${merged.series[1]!.p90}`);
  assert.deepEqual(merged.series[0]!.p99, a.series[0]!.p99, 'a second only one part timed keeps its figures');
  assert.deepEqual([merged.series[2]!.p50, merged.histograms.series![2]], [null, null], 'no response that second');
  assert.equal(merged.histograms.series!.length, 3);
  assert.equal(decode(merged.histograms.series![1]!).totalCount, 1000);
  const again = mergeResults([merged, part('2026-01-01T00:00:05.000Z', [fast])]);
  assert.deepEqual(again.series.map((p) => p.t), [1, 2, 3, 6]);
  assert.equal(again.histograms.series!.length, 4, 'a merged result merges again, exactly');
  // A part without per-second histograms (schema 1): approximate figures, and no histograms to mislead a later merge.
  const old = { ...b, histograms: { ...b.histograms, series: undefined } };
  const approx = mergeResults([a, old]);
  assert.equal(approx.series[1]!.p99, Math.max(a.series[1]!.p99!, b.series[0]!.p99!));
  assert.equal(approx.histograms.series, undefined);
});

test('mergeShards re-evaluates the thresholds on the merged figures and lists missing shards', () => {
  // Each shard alone passes p99 < 60ms; together the P99 is in the slow shard's tail.
  const fast = buildResult({ x: { latenciesUs: spread(990, 1_000, 10_000) } });
  const slow = buildResult({ x: { latenciesUs: spread(100, 50_000, 100_000) } });
  for (const r of [fast, slow]) r.plan = { ...r.plan, thresholds: [{ expr: 'p99<60ms', abortOnFail: false, delayMs: 0, line: null }] };
  const merged = mergeShards(
    [
      { file: 'b.json', result: shard(slow, 2, 4) },
      { file: 'a.json', result: shard(fast, 0, 4) },
    ],
    { force: false },
  );
  assert.equal(merged.thresholdsPassed, false);
  assert.equal(merged.thresholds![0]!.expr, 'p99<60ms');
  assert.deepEqual(merged.merged!.missing, [1, 3]);
  assert.deepEqual(merged.merged!.inputs.map((i) => i.file), ['a.json', 'b.json'], 'in shard order');
  assert.equal(merged.runId, 'run-1');
  assert.match(describeMerge(merged).join('\n'), /merged 2 of 4 shards of run run-1[\s\S]*missing shards 1, 3 of 4/);
});

test('mergeShards judges iteration and per-target thresholds on the merged iterations and instances', () => {
  // The fast shard's 990 iterations alone pass p99 < 60ms; merged, the P99 is in the slow shard's 100. Instance
  // 10.9.0.2:8080 fails 4 of its 200 requests in one shard: 1% of the merged 400, not below 1%.
  const shardOf = (iterationsUs: number[], failed: number) =>
    withFlowAndTargets(buildResult({ login: { latenciesUs: spread(100, 1000, 2000) } }), {
      iterationsUs,
      targets: { '10.9.0.1:8080': { latenciesUs: spread(200, 1000, 2000) }, '10.9.0.2:8080': { latenciesUs: spread(200 - failed, 1000, 2000), failed } },
    });
  const fast = shardOf(spread(990, 1_000, 10_000), 0);
  const slow = shardOf(spread(100, 50_000, 100_000), 4);
  const thresholds = ['iteration.p99 < 60ms', 'iteration.p50 < 60ms', 'target[*].errors < 1%'].map((expr) => ({ expr, abortOnFail: false, delayMs: 0, line: null }));
  for (const r of [fast, slow]) r.plan = { ...r.plan, thresholds };
  const merged = mergeShards(
    [
      { file: 'a.json', result: shard(fast, 0, 2) },
      { file: 'b.json', result: shard(slow, 1, 2) },
    ],
    { force: false },
  );
  assert.equal(merged.iterations!.durationMs.count, 1090);
  assert.deepEqual(merged.thresholds!.map((t) => [t.metric, t.passed]), [['iteration.p99', false], ['iteration.p50', true], ['errors', false]]);
  assert.ok(merged.thresholds![0]!.actual! > 60, `${merged.thresholds![0]!.actual}`);
  assert.equal(merged.thresholds![2]!.actual, 4 / 400);
});

test('mergeShards refuses results of different run ids, scenarios or the same shard twice, unless forced', () => {
  const r = buildResult({ x: { latenciesUs: [1000] } });
  const refuse = (inputs: Array<{ file: string; result: RunResult }>, pattern: RegExp) =>
    assert.throws(() => mergeShards(inputs, { force: false }), (e: unknown) => e instanceof UsageError && pattern.test(e.message) && /--force/.test(e.message));
  refuse([{ file: 'a', result: shard(r, 0, 2) }, { file: 'b', result: shard(r, 1, 2, { runId: 'run-2' }) }], /different run ids: a has run-1, b has run-2/);
  refuse([{ file: 'a', result: shard(r, 0, 2) }, { file: 'b', result: shard(r, 1, 2, { planDigest: 'other' }) }], /different scenarios/);
  refuse([{ file: 'a', result: shard(r, 0, 2) }, { file: 'b', result: shard(r, 0, 2) }], /shard 0 twice: a and b/);
  refuse([{ file: 'a', result: shard(r, 0, 2) }, { file: 'b', result: shard(r, 1, 3) }], /different shard counts/);
  const forced = mergeShards([{ file: 'a', result: shard(r, 0, 2) }, { file: 'b', result: shard({ ...r, target: 'http://other:1' }, 1, 2, { runId: 'run-2' }) }], { force: true });
  assert.equal(forced.merged!.forced, true);
  assert.equal(forced.target, 'http://127.0.0.1:8080 + http://other:1', 'a union of targets');
  assert.equal(forced.counts.sent, 2);
  assert.match(describeMerge(forced).join('\n'), /FORCED: merged as one union of 2 results/);
});

test('mergeShards: a shard that measured nothing is named as failed (exit 3); --force merges the rest and names it missing', () => {
  const good = (index: number) => ({ file: `shard-${index}.json`, result: shard(buildResult({ x: { latenciesUs: [1000, 2000] } }), index, 3) });
  const down = { class: 'connect-refused', message: 'connect ECONNREFUSED 10.0.0.7:8080' };
  const failed = { file: 'shard-1.json', result: shard(buildResult({ x: { latenciesUs: [] } }, { error: down }), 1, 3) };
  const inputs = [good(0), failed, good(2)];
  assert.throws(
    () => mergeShards(inputs, { force: false }),
    (e: unknown) => e instanceof RunError && /shard 1\/3 \(shard-1\.json\): connect-refused: connect ECONNREFUSED 10\.0\.0\.7:8080/.test(e.message) && /--force merges the rest/.test(e.message),
  );
  const forced = mergeShards(inputs, { force: true });
  assert.equal(forced.error, undefined, 'the merge of the others measured something');
  assert.equal(forced.counts.completed, 4, 'only the two good shards');
  assert.deepEqual(forced.merged!.missing, [1]);
  assert.deepEqual(forced.merged!.failed, [{ file: 'shard-1.json', shard: { index: 1, count: 3 }, error: down }]);
  assert.deepEqual(forced.merged!.inputs.map((i) => i.file), ['shard-0.json', 'shard-2.json']);
  const header = describeMerge(forced).join('\n');
  assert.match(header, /FAILED: shard 1\/3 \(shard-1\.json\): connect-refused: .*: left out/);
  assert.match(header, /INCOMPLETE: missing shard 1 of 3/);
  assert.throws(() => mergeShards([failed], { force: true }), (e: unknown) => e instanceof RunError && /every result failed/.test(e.message));
});

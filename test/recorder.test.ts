import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HIGHEST_US, createHistogram, decode, meanOf, recordUs, recordZeros, summarize } from '../src/result/histogram.ts';
import { Recorder } from '../src/record/recorder.ts';

test('recorder: the service time equals the latency until they differ, then holds every value exactly', () => {
  const recorder = new Recorder(['a'], [null]);
  recorder.start(performance.now());
  for (const us of [1000, 2000, 3000]) {
    recorder.sent(0, 10);
    recorder.completed(0, 200, us, us / 2, 5);
  }
  const closed = recorder.peek(1000);
  assert.deepEqual(closed.total.serviceTimeMs, closed.total.latencyMs);
  // An open-model request: 10 ms from the intended start, 4 ms of service.
  recorder.sent(0, 10);
  recorder.completed(0, 200, 10_000, 3_000, 5, 4_000);
  const open = recorder.finish(1000);
  assert.equal(open.total.latencyMs.max, 10);
  assert.equal(open.total.serviceTimeMs?.count, 4);
  assert.equal(open.total.serviceTimeMs?.max, 4);
  assert.equal(open.requests.a!.serviceTimeMs?.p50, 2);
  assert.equal(decode(open.histograms.serviceTime).totalCount, 4);
  assert.equal(decode(open.histograms.latency).totalCount, 4);
});

test('recorder: with one request name the totals are that request\'s figures, each counted once', () => {
  for (const names of [['a'], ['a', 'b']]) {
    const recorder = new Recorder(names, names.map(() => null), null, true);
    recorder.start(performance.now());
    for (const us of [1000, 2000, 3000]) {
      recorder.sent(0, 10);
      recorder.completed(0, 200, us, us / 2, 5, us - 100);
    }
    recorder.sent(0, 10);
    recorder.failed(0, 'timeout', 'request timeout');
    recorder.retried(0);
    recorder.firstTry(0, 1500, true);
    recorder.dropped(0);
    recorder.sent(0, 10);
    recorder.cancelled(0);
    const result = recorder.finish(1000);
    const request = result.requests.a!;
    for (const [label, stats] of [['total', result.total], ['request a', request]] as const) {
      assert.deepEqual(stats.counts, { sent: 5, completed: 3, failed: 1, cancelled: 1, dropped: 1, retries: 1 }, `${names.length} names, ${label}`);
      assert.equal(stats.latencyMs.count, 3, `${names.length} names, ${label}`);
      assert.equal(stats.serviceTimeMs?.count, 3);
      assert.equal(stats.ttfbMs.count, 3);
      assert.equal(stats.firstTryMs?.count, 1);
      assert.equal(stats.firstTryFailures, 1);
      assert.deepEqual(stats.errors, { timeout: 1 });
    }
    assert.equal(decode(result.histograms.latency).totalCount, 3);
    assert.equal(decode(result.histograms.requests.a!.latency).totalCount, 3);
    // The first tries are encoded like every latency (schema 2), so a merge can add them exactly.
    for (const encoded of [result.histograms.firstTry, result.histograms.requests.a!.firstTry]) {
      assert.equal(typeof encoded, 'string', `${names.length} names`);
      assert.deepEqual(summarize(decode(encoded!)), result.total.firstTryMs);
    }
  }
});

test('recorder: each second of the series has its percentiles from its own histogram, kept for merges', async () => {
  const recorder = new Recorder(['a'], [null]);
  recorder.start(performance.now());
  for (let i = 1; i <= 100; i++) recorder.completed(0, 200, i * 1000, 500, 5);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  recorder.completed(0, 200, 900_000, 500, 5);
  const recording = recorder.finish(1500);
  assert.equal(recording.series.length, 2);
  assert.deepEqual(recording.histograms.series.map((h) => (h === null ? 0 : decode(h).totalCount)), [100, 1]);
  const [first, second] = recording.series;
  assert.deepEqual([first!.p50, first!.p90, first!.p99], [50.015, 90.047, 99.007]);
  assert.equal(second!.p90, 900.095, 'the slow second alone');
  assert.equal(decode(recording.histograms.series[1]!).maxValue > 899_000, true);
});

test('recorder: waits of zero are counted apart and still appear in the queue-wait figures', () => {
  const recorder = new Recorder(['a'], [null]);
  recorder.start(performance.now());
  for (let i = 0; i < 9; i++) recorder.waited(0);
  recorder.waited(5_000);
  const first = recorder.peek(1000);
  assert.equal(first.queueWaitMs.count, 10);
  assert.equal(first.queueWaitMs.p50, 0);
  assert.equal(first.queueWaitMs.max, 5);
  recorder.waited(0);
  const last = recorder.finish(1000);
  assert.equal(last.queueWaitMs.count, 11, 'zeros counted once each, across reads');
  assert.equal(decode(last.histograms.queueWait).totalCount, 11);
});

test('meanOf equals hdr-histogram-js\'s own mean, for wide and narrow data, zeros and the clamp', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const shapes: Array<() => number> = [() => 20_000 + random() * 2_000, () => Math.exp(random() * 20), () => (random() < 0.9 ? 5_000 : 100_000)];
  for (const shape of shapes) {
    const histogram = createHistogram();
    for (let i = 0; i < 20_000; i++) recordUs(histogram, shape());
    recordZeros(histogram, 100);
    recordUs(histogram, HIGHEST_US * 2);
    assert.equal(meanOf(histogram), histogram.mean);
  }
  assert.equal(meanOf(createHistogram()), 0);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import int32 from 'hdr-histogram-js/dist/Int32Histogram.js';
import { HIGHEST_US, createHistogram, encode, recordUs, recordZeros, valuesAtPercentiles } from '../src/result/histogram.ts';

const hdr = () => new int32.default(1, HIGHEST_US, 3);

test('histogram: the integer bucket arithmetic gives hdr-histogram-js\'s own indexes and equivalent values', () => {
  const ours = createHistogram();
  const theirs = hdr();
  const values: number[] = [];
  for (let v = 0; v <= 70_000; v++) values.push(v);
  for (let k = 1; k <= 40; k++) values.push(2 ** k - 1, 2 ** k, 2 ** k + 1);
  let seed = 11;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < 20_000; i++) values.push(Math.round(Math.exp(random() * 21)), Math.exp(random() * 25), random() * 3);
  values.push(HIGHEST_US, HIGHEST_US + 1, 2 ** 32 - 0.5, 1e12);
  for (const v of values) {
    const bucket = theirs.getBucketIndex(v);
    assert.equal(ours.getBucketIndex(v), bucket, `bucket of ${v}`);
    assert.equal(ours.getSubBucketIndex(v, bucket), theirs.getSubBucketIndex(v, bucket), `sub-bucket of ${v}`);
    assert.equal(ours.countsArrayIndex(v), theirs.countsArrayIndex(v), `counts index of ${v}`);
    assert.equal(ours.lowestEquivalentValue(v), theirs.lowestEquivalentValue(v), `lowest equivalent of ${v}`);
    assert.equal(ours.highestEquivalentValue(v), theirs.highestEquivalentValue(v), `highest equivalent of ${v}`);
  }
  assert.throws(() => ours.countsArrayIndex(-1), /negative/);
});

test('histogram: recording the same latencies gives the same encoded histogram as hdr-histogram-js', () => {
  const ours = createHistogram();
  const theirs = hdr();
  theirs.autoResize = true;
  let seed = 3;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < 50_000; i++) {
    const us = Math.exp(random() * 22);
    recordUs(ours, us);
    recordUs(theirs, us);
  }
  recordUs(ours, HIGHEST_US * 3);
  recordUs(theirs, HIGHEST_US * 3);
  assert.equal(ours.totalCount, 50_001);
  assert.equal(encode(ours), encode(theirs));
  assert.equal(ours.getValueAtPercentile(99), theirs.getValueAtPercentile(99));
});

test('histogram: percentiles in one walk equal hdr-histogram-js\'s getValueAtPercentile', () => {
  let seed = 5;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const percentiles = [0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 99.999, 100];
  const filled: Array<(h: ReturnType<typeof createHistogram>) => void> = [
    () => {},
    (h) => recordUs(h, 1234),
    (h) => recordZeros(h, 10),
    (h) => { recordZeros(h, 999); recordUs(h, HIGHEST_US * 2); },
    (h) => { for (let i = 0; i < 3; i++) recordUs(h, 100 * (i + 1)); },
    (h) => { for (let i = 0; i < 20_000; i++) recordUs(h, 20_000 + random() * 2_000); },
    (h) => { for (let i = 0; i < 20_000; i++) recordUs(h, Math.exp(random() * 20)); },
    (h) => { for (let i = 0; i < 1_001; i++) recordUs(h, random() < 0.99 ? 5_000 : 100_000); },
  ];
  for (const fill of filled) {
    const histogram = createHistogram();
    fill(histogram);
    const expected = percentiles.map((p) => histogram.getValueAtPercentile(p));
    assert.deepEqual(valuesAtPercentiles(histogram, percentiles), expected);
    assert.deepEqual(valuesAtPercentiles(histogram, [99]), [histogram.getValueAtPercentile(99)]);
  }
});

test('histogram: reset clears every count, up to the highest value recorded', () => {
  let seed = 9;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const histogram = createHistogram();
  for (let round = 0; round < 3; round++) {
    const fresh = createHistogram();
    const top = round === 1 ? HIGHEST_US * 2 : 10 ** (3 + round);
    for (let i = 0; i < 5_000; i++) {
      const us = random() * top;
      recordUs(histogram, us);
      recordUs(fresh, us);
    }
    recordZeros(histogram, 7);
    recordZeros(fresh, 7);
    assert.equal(encode(histogram), encode(fresh));
    histogram.reset();
    assert.equal(histogram.totalCount, 0);
    const left = Array.from({ length: histogram.countsArrayLength }, (_, i) => histogram.getCountAtIndex(i)).filter((count) => count !== 0);
    assert.deepEqual(left, [], `round ${round}: counts survived the reset`);
  }
});

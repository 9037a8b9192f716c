// The only importer of hdr-histogram-js: latency histograms in integer microseconds, 1 µs to 10 min,
// 3 significant digits. Everything else sees `LatencyHistogram` and plain summaries.
//
// Its three modules are imported rather than its index: the index also loads the WebAssembly build and
// every other histogram type, ~8 MiB of RSS and ~25 ms at start-up that a run never uses. This is the
// same pure-JS histogram and V2 encoding that `build({ bitBucketSize: 32 })` and the index's codec run.
import int32 from 'hdr-histogram-js/dist/Int32Histogram.js';
import encoding from 'hdr-histogram-js/dist/JsHistogram.encoding.js';
import ulpModule from 'hdr-histogram-js/dist/ulp.js';
import type { JsHistogram } from 'hdr-histogram-js/dist/JsHistogram.js';
import type { LatencySummary } from './result.ts';

export type LatencyHistogram = JsHistogram;
const Int32Histogram = int32.default;
const ulp = ulpModule.default;

/** Values above this are clamped (and still counted): a 10-minute response is "at least 10 minutes". */
export const HIGHEST_US = 600_000_000;

/** Values below this have integer bucket arithmetic (below): all latencies, clamped to HIGHEST_US. */
const UINT32_LIMIT = 2 ** 32;

/**
 * hdr's Int32Histogram with its bucket arithmetic done in integer operations. hdr computes floor(log2(v))
 * and 2^k with Math.log2 and Math.pow on every record: libm calls worth ~1,000 CPU instructions per
 * request over its three records (callgrind, `npm run bench:instructions`). For v in [0, 2^32)
 * floor(log2(v)) is 31 − clz32(v) and floor(v / 2^k) is v >>> k, exactly (v = 0 lands in bucket 0 either
 * way); other values (a negative one, which hdr rejects) go to hdr's own code. Same buckets, same counts
 * index, same encoding: test/histogram.test.ts checks these methods against hdr's.
 */
class MicrosecondHistogram extends Int32Histogram {
  override getBucketIndex(value: number): number {
    if (!(value >= 0 && value < UINT32_LIMIT)) return super.getBucketIndex(value);
    return Math.max(31 - Math.clz32(value) - this.subBucketHalfCountMagnitude - this.unitMagnitude, 0);
  }

  override getSubBucketIndex(value: number, bucketIndex: number): number {
    if (!(value >= 0 && value < UINT32_LIMIT)) return super.getSubBucketIndex(value, bucketIndex);
    return value >>> (bucketIndex + this.unitMagnitude);
  }

  override countsArrayIndex(value: number): number {
    if (!(value >= 0 && value < UINT32_LIMIT)) return super.countsArrayIndex(value);
    const bucketIndex = this.getBucketIndex(value);
    return ((bucketIndex + 1) << this.subBucketHalfCountMagnitude) + this.getSubBucketIndex(value, bucketIndex) - this.subBucketHalfCount;
  }

  /**
   * reset() clears the counts up to the highest value recorded, not the whole array (~80 KiB, up to 10
   * minutes): every count above it is zero already. The per-second histogram is reset every second.
   */
  override clearCounts(): void {
    (this._counts as Uint32Array).fill(0, 0, Math.min(this.countsArrayIndex(this.maxValue) + 1, this._counts.length));
  }
}

export function createHistogram(): LatencyHistogram {
  const histogram = new MicrosecondHistogram(1, HIGHEST_US, 3);
  histogram.autoResize = true; // as hdr's build() sets it
  return histogram;
}

/** Records integer µs; 0 stays 0 (e.g. no queue wait at all), so it never shows as a made-up 1 µs. */
export function recordUs(histogram: LatencyHistogram, us: number): void {
  histogram.recordValue(us <= 0 ? 0 : us > HIGHEST_US ? HIGHEST_US : Math.round(us));
}

/** Records `count` zeros at once (counted apart on the hot path). */
export function recordZeros(histogram: LatencyHistogram, count: number): void {
  if (count > 0) histogram.recordValueWithCount(0, count);
}

const usToMs = (us: number): number => Math.round(us) / 1000;

export function summarize(histogram: LatencyHistogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const [p50, p90, p99, p999] = percentilesMs(histogram, [50, 90, 99, 99.9]);
  return { count, mean: usToMs(meanOf(histogram)), p50: p50!, p90: p90!, p99: p99!, p999: p999!, max: usToMs(histogram.maxValue) };
}

/**
 * The values at ascending percentiles, in one walk over the counts, each exactly as hdr's
 * getValueAtPercentile computes it (the count to reach is rounded up past floating-point error; 0 reads
 * the lowest equivalent value, others the highest). hdr walks from the first bucket for every percentile.
 */
export function valuesAtPercentiles(histogram: LatencyHistogram, ascending: readonly number[]): number[] {
  const values = ascending.map(() => 0);
  const targets = ascending.map((percentile) => {
    const fpCount = (Math.min(percentile, 100) / 100) * histogram.totalCount;
    return Math.max(Math.ceil(fpCount - ulp(fpCount)), 1);
  });
  let next = 0;
  let running = 0;
  for (let i = 0; i < histogram.countsArrayLength && next < ascending.length; i++) {
    running += histogram.getCountAtIndex(i);
    for (; next < ascending.length && running >= targets[next]!; next++) {
      const value = histogram.valueFromIndex(i);
      values[next] = ascending[next] === 0 ? histogram.lowestEquivalentValue(value) : histogram.highestEquivalentValue(value);
    }
  }
  return values;
}

/**
 * For each ascending bound (µs), how many values are at or below it, in one walk over the counts. A value
 * counts as its bucket's highest equivalent value, the one a percentile reports: exact to the histogram's
 * precision (3 significant digits).
 */
export function countsAtOrBelow(histogram: LatencyHistogram, ascendingUs: readonly number[]): number[] {
  const counts = ascendingUs.map(() => 0);
  if (histogram.totalCount === 0) return counts;
  const last = histogram.countsArrayIndex(histogram.maxValue);
  let next = 0;
  let running = 0;
  for (let i = 0; i <= last && next < ascendingUs.length; i++) {
    const count = histogram.getCountAtIndex(i);
    if (count === 0) continue;
    const value = histogram.highestEquivalentValue(histogram.valueFromIndex(i));
    for (; next < ascendingUs.length && value > ascendingUs[next]!; next++) counts[next] = running;
    running += count;
  }
  for (; next < ascendingUs.length; next++) counts[next] = running;
  return counts;
}

/** Values at ascending percentiles in milliseconds (0s when empty). */
export function percentilesMs(histogram: LatencyHistogram, ascending: readonly number[]): number[] {
  return histogram.totalCount === 0 ? ascending.map(() => 0) : valuesAtPercentiles(histogram, ascending).map(usToMs);
}

/**
 * The mean exactly as hdr's `mean` getter computes it (each count at the middle of its bucket), in one
 * plain pass over the counts up to the max. The getter walks an iterator object bucket by bucket: ~80 ms
 * at the end of every run for a result's histograms, ~2% of a 4 s run's CPU.
 */
export function meanOf(histogram: LatencyHistogram): number {
  if (histogram.totalCount === 0) return 0;
  const last = histogram.countsArrayIndex(histogram.maxValue);
  let total = 0;
  for (let i = 0; i <= last; i++) {
    const count = histogram.getCountAtIndex(i);
    if (count !== 0) total += histogram.medianEquivalentValue(histogram.valueFromIndex(i)) * count;
  }
  return total / histogram.totalCount;
}

/** Value at a percentile in milliseconds (0 when empty). */
export function percentileMs(histogram: LatencyHistogram, percentile: number): number {
  return percentilesMs(histogram, [percentile])[0]!;
}

export function encode(histogram: LatencyHistogram): string {
  return histogram.encodeIntoCompressedBase64();
}

export function decode(base64: string): LatencyHistogram {
  return encoding.doDecode(encoding.decompress(Buffer.from(base64.trim(), 'base64')), 32);
}

/** The histogram, or null when there is none or it does not decode (older or hand-made result files). */
export function decodeOrNull(base64: string | undefined): LatencyHistogram | null {
  if (!base64) return null;
  try {
    return decode(base64);
  } catch {
    return null;
  }
}

/** Adds `from` into `into` (exact: HDR histograms add bucket by bucket). */
export function addInto(into: LatencyHistogram, from: LatencyHistogram): void {
  into.add(from);
}

/**
 * A copy corrected for coordinated omission (HdrHistogram's expected-interval correction): each value
 * larger than `expectedIntervalUs` also stands for the requests a stalled user could not send meanwhile
 * (value − interval, value − 2·interval, ... down to the interval).
 */
export function correctedCopy(histogram: LatencyHistogram, expectedIntervalUs: number): LatencyHistogram {
  const corrected = createHistogram();
  corrected.addWhileCorrectingForCoordinatedOmission(histogram, Math.max(1, Math.round(expectedIntervalUs)));
  return corrected;
}

// The only importer of hdr-histogram-js: latency histograms in integer microseconds, 1 µs to 10 min,
// 3 significant digits. Everything else sees `LatencyHistogram` and plain summaries.
import hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../report/result.ts';

export type LatencyHistogram = hdr.Histogram;

/** Values above this are clamped (and still counted): a 10-minute response is "at least 10 minutes". */
export const HIGHEST_US = 600_000_000;

export function createHistogram(): LatencyHistogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    useWebAssembly: false,
  });
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
  return {
    count,
    mean: usToMs(histogram.mean),
    p50: usToMs(histogram.getValueAtPercentile(50)),
    p90: usToMs(histogram.getValueAtPercentile(90)),
    p99: usToMs(histogram.getValueAtPercentile(99)),
    p999: usToMs(histogram.getValueAtPercentile(99.9)),
    max: usToMs(histogram.maxValue),
  };
}

/** Value at a percentile in milliseconds (0 when empty). */
export function percentileMs(histogram: LatencyHistogram, percentile: number): number {
  return histogram.totalCount === 0 ? 0 : usToMs(histogram.getValueAtPercentile(percentile));
}

export function encode(histogram: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decode(base64: string): LatencyHistogram {
  return hdr.decodeFromCompressedBase64(base64, 32, false);
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

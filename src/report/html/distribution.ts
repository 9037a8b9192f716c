// The percentile distribution of encoded HDR histograms, as HdrHistogram's plotter draws it: latency
// against percentile on a log "1/(1-p)" axis (x = 10 is P90, 100 is P99, 1,000 is P99.9), so the tail
// gets as much room as the median. Several histograms share one x grid and can be overlaid.
import { decode, percentilesMs } from '../../result/histogram.ts';

/** Points per halving of the remaining tail (P50, P75, P87.5, ...), as HdrHistogram's percentile output. */
export const TICKS_PER_HALF = 5;

export interface DistributionInput {
  label: string;
  /** HdrHistogram compressed base64 in µs (RunResult.histograms). */
  encoded: string;
  dash?: boolean;
}

export interface Distribution {
  /** 1/(1-p): 2^(i/TICKS_PER_HALF), from 1 (P0) to the first point at or past the largest count. */
  x: number[];
  /** Latency in ms at each x; null past the point where the histogram reaches its max. */
  series: Array<{ label: string; values: Array<number | null>; dash: boolean }>;
}

/** The shared x grid for histograms of at most `maxCount` values: past it their resolution runs out. */
export function distributionGrid(maxCount: number): number[] {
  const x = [1];
  for (let i = 1; x.at(-1)! < maxCount; i++) x.push(2 ** (i / TICKS_PER_HALF));
  return x;
}

/** The distributions of the non-empty histograms among `inputs` (null when all are empty). */
export function percentileDistribution(inputs: readonly DistributionInput[]): Distribution | null {
  const decoded = inputs.map((input) => ({ ...input, histogram: decode(input.encoded) })).filter((d) => d.histogram.totalCount > 0);
  if (decoded.length === 0) return null;
  const x = distributionGrid(Math.max(...decoded.map((d) => d.histogram.totalCount)));
  const series = decoded.map(({ label, dash, histogram }) => {
    // Each histogram's own points end at the first one at or past its count: its max.
    const own = x.findIndex((v) => v >= histogram.totalCount) + 1;
    const percentiles = x.slice(0, own).map((v, i) => (i === own - 1 ? 100 : (1 - 1 / v) * 100));
    const values: Array<number | null> = percentilesMs(histogram, percentiles);
    while (values.length < x.length) values.push(null);
    return { label, values, dash: dash ?? false };
  });
  return { x, series };
}

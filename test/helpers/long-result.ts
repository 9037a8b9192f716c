// A ten-minute open-model result with every per-second field and a histogram per second, built from
// deterministic latencies: the size test of the HTML report and its JSON. Second 300 holds a 1 s stall.
import { createHistogram, encode, percentilesMs, recordUs } from '../../src/result/histogram.ts';
import type { RunResult, SeriesPoint } from '../../src/result/result.ts';
import { sampleResult } from './sample-result.ts';

export const LONG_SECONDS = 600;

export function longResult(requestsPerSecond = 1000): RunResult {
  const series: SeriesPoint[] = [];
  const histograms: string[] = [];
  for (let t = 1; t <= LONG_SECONDS; t++) {
    const second = createHistogram();
    for (let i = 0; i < requestsPerSecond; i++) recordUs(second, 2_000 + ((i * 7919 + t * 104_729) % 18_000) + (t === 300 && i % 10 === 0 ? 900_000 : 0));
    const [p50, p90, p99] = percentilesMs(second, [50, 90, 99]);
    series.push({
      t,
      requests: requestsPerSecond,
      errors: t % 97 === 0 ? 3 : 0,
      p50: p50!,
      p90: p90!,
      p99: p99!,
      eventLoopDelayP99: 10 + (t % 7) * 0.37,
      eventLoopDelayMax: 12 + (t % 11) * 1.13,
      cpuPercent: 40 + (t % 13) * 1.7,
      rssMb: 110 + (t % 5) * 0.3,
      scheduled: requestsPerSecond,
      dropped: t === 301 ? 40 : 0,
      scheduleLagMax: t === 300 ? 35.5 : 0.4 + (t % 3) * 0.1,
    });
    histograms.push(encode(second));
  }
  const base = sampleResult();
  return {
    ...base,
    durationMs: LONG_SECONDS * 1000,
    plan: { ...base.plan, model: 'open', rate: 200, durationMs: LONG_SECONDS * 1000, stages: [{ durationMs: 60_000, target: requestsPerSecond }, { durationMs: 480_000, target: requestsPerSecond }, { durationMs: 60_000, target: 0 }] },
    latencyCorrection: 'intended-start',
    series,
    // The sample's TTFB stands in for the uncorrected service time (the open model has one).
    histograms: { ...base.histograms, serviceTime: base.histograms.ttfb, series: histograms },
  };
}

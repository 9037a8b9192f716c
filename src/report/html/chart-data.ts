// The charts of one run as plain data for the page script: x values, series, axes, and the marks on the
// time axis (warmup, stages). Per-second figures come from RunResult.series, whose percentiles were
// computed from each second's own histogram; nothing here averages percentiles.
import type { RunResult, SeriesPoint } from '../../result/result.ts';
import { percentileDistribution } from './distribution.ts';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  /** 0: the left axis, 1: the right one. */
  axis: 0 | 1;
  dash: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  kind: 'time' | 'distribution';
  x: number[];
  series: ChartSeries[];
  /** Units of the left and (when a series uses it) the right axis. */
  axes: [string, string?];
  /** The x range to show (time charts: from the warmup's start to the last second). */
  xRange?: [number, number];
  marks: Array<{ x: number; label: string }>;
  bands: Array<{ from: number; to: number; label: string }>;
}

/** Values to the µs (ms) or a thousandth (%, counts): the page needs no more, and stays small. */
const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);

const series = (label: string, values: Array<number | null>, axis: 0 | 1 = 0, dash = false): ChartSeries => ({ label, values: values.map(round), axis, dash });

/** A per-second field, null where a point lacks it (older results, or a second with no response). */
const field = (points: readonly SeriesPoint[], pick: (p: SeriesPoint) => number | null | undefined): Array<number | null> =>
  points.map((p) => pick(p) ?? null);

const has = (points: readonly SeriesPoint[], pick: (p: SeriesPoint) => number | null | undefined): boolean =>
  points.some((p) => typeof pick(p) === 'number');

/** Warmup before t = 0 and stage boundaries (stages count from the measured window's start). */
function timeMarks(result: RunResult): Pick<ChartSpec, 'xRange' | 'marks' | 'bands'> {
  const warmupS = result.warmup.durationMs / 1000;
  const lastT = result.series.at(-1)?.t ?? 1;
  const bands = warmupS > 0 ? [{ from: -warmupS, to: 0, label: 'warmup (not measured)' }] : [];
  const marks: ChartSpec['marks'] = [];
  let atMs = 0;
  for (const [i, stage] of (result.plan.stages ?? []).entries()) {
    marks.push({ x: atMs / 1000, label: `stage ${i + 1} → ${stage.target}${result.plan.model === 'open' ? '/s' : ' users'}` });
    atMs += stage.durationMs;
  }
  if (marks.length > 0 && atMs / 1000 <= lastT) marks.push({ x: atMs / 1000, label: 'stages end' });
  return { xRange: [Math.min(0, -warmupS), Math.max(lastT, 1)], marks, bands };
}

function timeChart(result: RunResult, id: string, title: string, list: ChartSeries[], axes: ChartSpec['axes']): ChartSpec {
  return { id, title, kind: 'time', x: result.series.map((p) => p.t), series: list, axes, ...timeMarks(result) };
}

/**
 * Requests/s, errors/s, latency percentiles per second, and the virtual users of closed stages. The open
 * model's schedule (scheduled, started and dropped per second) counts arrivals: without flows each is one
 * request and shares the requests' chart; with flows an arrival is an iteration or a mix's entry of one or
 * more requests, so the schedule gets a chart of its own rather than one axis with the responses.
 */
export function trafficCharts(result: RunResult, prefix: string): ChartSpec[] {
  const points = result.series;
  if (points.length === 0) return [];
  const time = (id: string, title: string, list: ChartSeries[], axes: ChartSpec['axes']) => timeChart(result, `${prefix}-${id}`, title, list, axes);
  const charts: ChartSpec[] = [];
  const schedule: ChartSeries[] = [];
  if (has(points, (p) => p.scheduled)) schedule.push(series('scheduled/s', field(points, (p) => p.scheduled), 0, true));
  if (has(points, (p) => p.arrivals)) schedule.push(series('started/s', field(points, (p) => p.arrivals), 0, true));
  const dropped = has(points, (p) => p.dropped) ? [series('dropped/s', field(points, (p) => p.dropped), 1, true)] : [];
  const flows = result.plan.flow !== undefined;
  const throughput = [series('completed/s', field(points, (p) => p.requests)), ...(flows ? [] : schedule), series('errors/s', field(points, (p) => p.errors), 1), ...(flows ? [] : dropped)];
  charts.push(time('throughput', 'Requests and errors per second', throughput, ['req/s', 'errors/s']));
  if (flows && schedule.length > 0) {
    charts.push(time('arrivals', 'Arrivals per second (iterations or mix entries, not steps)', [...schedule, ...dropped], ['arrivals/s', 'dropped/s']));
  }
  charts.push(
    time(
      'latency',
      'Latency per second (each second from its own histogram)',
      [series('P50', field(points, (p) => p.p50)), series('P90', field(points, (p) => p.p90)), series('P99', field(points, (p) => p.p99))],
      ['ms'],
    ),
  );
  if (has(points, (p) => p.vus)) charts.push(time('users', 'Virtual users', [series('virtual users', field(points, (p) => p.vus))], ['users']));
  return charts;
}

/** The generator's event-loop delay, schedule lag (open model) and CPU per second (null when the result has none). */
export function healthChart(result: RunResult, id: string): ChartSpec | null {
  const points = result.series;
  const health: ChartSeries[] = [];
  if (has(points, (p) => p.eventLoopDelayP99)) health.push(series('event-loop delay P99', field(points, (p) => p.eventLoopDelayP99)));
  if (has(points, (p) => p.eventLoopDelayMax)) health.push(series('event-loop delay max', field(points, (p) => p.eventLoopDelayMax), 0, true));
  if (has(points, (p) => p.scheduleLagMax)) health.push(series('schedule lag max', field(points, (p) => p.scheduleLagMax)));
  if (has(points, (p) => p.cpuPercent)) health.push(series('CPU % of a core', field(points, (p) => p.cpuPercent), 1));
  return health.length === 0 ? null : timeChart(result, id, "The generator's own health per second", health, ['ms', '% CPU']);
}

/** Latency against percentile: the total, each request (when several), and the uncorrected service time. */
export function distributionChart(result: RunResult, id: string): ChartSpec | null {
  const h = result.histograms;
  const names = Object.keys(h.requests);
  const inputs = [{ label: names.length === 1 ? `latency (${names[0]})` : 'latency (all requests)', encoded: h.latency }];
  if (names.length > 1) for (const name of names) inputs.push({ label: name, encoded: h.requests[name]!.latency });
  const corrected = result.latencyCorrection !== undefined && result.latencyCorrection !== 'none';
  const withService = corrected && h.serviceTime !== undefined;
  const all = withService ? [...inputs, { label: 'service time (uncorrected)', encoded: h.serviceTime!, dash: true }] : inputs;
  return overlay(id, 'Latency by percentile (HDR distribution)', all);
}

/** Several runs' total latency in one distribution chart (--compare-protocols). */
export function runsDistributionChart(runs: readonly RunResult[], id: string): ChartSpec | null {
  return overlay(id, 'Latency by percentile, run by run', runs.map((r) => ({ label: `requested ${r.plan.protocol} (used ${r.protocol ?? 'none'})`, encoded: r.histograms.latency })));
}

function overlay(id: string, title: string, inputs: Array<{ label: string; encoded: string; dash?: boolean }>): ChartSpec | null {
  const distribution = percentileDistribution(inputs);
  if (!distribution) return null;
  return {
    id,
    title,
    kind: 'distribution',
    x: distribution.x.map((v) => Number(v.toPrecision(6))),
    series: distribution.series.map((s) => series(s.label, s.values, 0, s.dash)),
    axes: ['ms'],
    marks: [],
    bands: [],
  };
}

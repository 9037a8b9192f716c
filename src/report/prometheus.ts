// The metrics of a RunResult (a partial one while the run goes on, or the final one), as families of
// samples, and their Prometheus text exposition (format 0.0.4). Pure: a result in, families or a string out;
// serving them over HTTP (/metrics) or pushing them over OTLP is the CLI's business (src/cli/metrics-*.ts),
// and both read the same families, so a dashboard sees the same figures either way.
//
// Per-request series carry the label `name` (the scenario's request names: bounded, never a URL); a flow's
// iterations have their own families (by `outcome`), and several targets have per-instance families with
// the label `target` (host:port, as in the result: bounded by the scenario's targets). Counters
// are totals since the measured window began, so they only grow while the run goes on; sums over requests
// are the totals, and histograms add, so several generators (shards, workers) aggregate with sum(). Latency
// is a Prometheus histogram with fixed buckets counted exactly from the recorder's HDR histograms (not a
// summary: quantiles cannot be added). Units are seconds and ratios, as Prometheus names them.
import { countsAtOrBelow, decode, meanOf } from '../result/histogram.ts';
import type { RunResult, SeriesPoint } from '../result/result.ts';

/**
 * Default bucket bounds in seconds: Prometheus' defaults, plus 1 ms and 2.5 ms (loopback) and 30 s / 60 s
 * (stalls). Fixed for a run (a bound that moved between scrapes would break rate()); `metrics.buckets` /
 * --metrics-buckets choose others.
 */
export const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export type Labels = Record<string, string>;

export interface ValueSample {
  labels: Labels;
  value: number;
}

/** A histogram as Prometheus and OTLP's explicit-bucket histograms both hold it. */
export interface HistogramSample {
  labels: Labels;
  /** Upper bounds in seconds, ascending (+Inf implied). */
  bounds: readonly number[];
  /** Values at or below each bound (cumulative, as Prometheus' `le` buckets). */
  cumulative: number[];
  count: number;
  /** Sum of the values in seconds. */
  sum: number;
}

interface FamilyHead {
  name: string;
  help: string;
  /** UCUM unit for OTLP: 's' for seconds, '1' for counts and ratios, 'By' for bytes. */
  unit: 's' | '1' | 'By';
}

export type MetricFamily =
  | (FamilyHead & { type: 'counter' | 'gauge'; samples: ValueSample[] })
  | (FamilyHead & { type: 'histogram'; samples: HistogramSample[] });

/** Label values: backslash, double quote and line feed escaped, as the format requires. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

const escapeHelp = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatValue(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** The text exposition of families (those without samples are left out). */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  const line = (name: string, labels: Labels, value: number) => lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
  for (const family of families) {
    if (family.samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    if (family.type !== 'histogram') {
      for (const s of family.samples) line(family.name, s.labels, s.value);
      continue;
    }
    for (const h of family.samples) {
      h.bounds.forEach((le, i) => line(`${family.name}_bucket`, { ...h.labels, le: String(le) }, h.cumulative[i]!));
      line(`${family.name}_bucket`, { ...h.labels, le: '+Inf' }, h.count);
      line(`${family.name}_sum`, h.labels, h.sum);
      line(`${family.name}_count`, h.labels, h.count);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The buckets, sum and count of an encoded µs histogram, counted exactly from its HDR data. */
function histogramSample(encoded: string, labels: Labels, bounds: readonly number[]): HistogramSample {
  const histogram = decode(encoded);
  return {
    labels,
    bounds,
    cumulative: countsAtOrBelow(histogram, bounds.map((s) => Math.round(s * 1e6))),
    count: histogram.totalCount,
    // The sum as hdr's mean counts it (each value at the middle of its bucket), in seconds.
    sum: Math.round(meanOf(histogram) * histogram.totalCount) / 1e6,
  };
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The `class` label of a request that got a response, and the `status` label of one that did not. */
export const NO_FAILURE = 'none';
export const NO_STATUS = 'none';

/**
 * The metrics of a result (a partial one while the run goes on). `labels` are added to every sample
 * (a shard's run_id and shard, a job name); `bounds` are the histograms' bucket bounds in seconds, ascending.
 */
export function metricFamilies(result: RunResult, labels: Labels = {}, bounds: readonly number[] = LATENCY_BUCKETS_S): MetricFamily[] {
  for (const name of Object.keys(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new RangeError(`not a Prometheus label name: ${JSON.stringify(name)}`);
  }
  if (bounds.length === 0 || bounds.some((b, i) => !(b > 0) || (i > 0 && b <= bounds[i - 1]!))) throw new RangeError(`bucket bounds must be > 0 and ascending: ${bounds.join(', ')}`);
  const requests = Object.entries(result.requests);
  const per = (pick: (stats: RunResult['requests'][string]) => number | undefined): ValueSample[] =>
    requests.flatMap(([name, stats]) => {
      const value = pick(stats);
      return value === undefined ? [] : [{ labels: { ...labels, name }, value }];
    });
  const once = (value: number | undefined): ValueSample[] => (value === undefined ? [] : [{ labels, value }]);
  // Every request sent ends once: a response (by status), a failure (by class), or cancelled at the stop.
  const outcomes = requests.flatMap(([name, stats]) => [
    ...Object.entries(stats.statusCodes).map(([status, value]) => ({ labels: { ...labels, name, status, class: NO_FAILURE }, value })),
    ...Object.entries(stats.errors).map(([failure, value]) => ({ labels: { ...labels, name, status: NO_STATUS, class: failure }, value })),
    ...(stats.counts.cancelled > 0 ? [{ labels: { ...labels, name, status: NO_STATUS, class: 'cancelled' }, value: stats.counts.cancelled }] : []),
  ]);
  // --latency-correction rewrites the whole latency histogram as the expected interval moves: its buckets
  // could go down between scrapes. The uncorrected histogram (the service time) only grows.
  const corrected = (result.latencyCorrection ?? result.plan.latencyCorrection) === 'expected-interval';
  const latencyKey = corrected ? 'serviceTime' : 'latency';
  const histograms = (pick: (h: RunResult['histograms']['requests'][string]) => string | undefined): HistogramSample[] =>
    requests.flatMap(([name]) => {
      const h = result.histograms.requests[name];
      const encoded = h && pick(h);
      return encoded === undefined ? [] : [histogramSample(encoded, { ...labels, name }, bounds)];
    });
  // Several targets: the same outcomes per instance (latency from the send to it, never corrected).
  const targets = Object.entries(result.targets ?? {});
  const targetOutcomes = targets.flatMap(([target, stats]) => [
    ...Object.entries(stats.statusCodes).map(([status, value]) => ({ labels: { ...labels, target, status, class: NO_FAILURE }, value })),
    ...Object.entries(stats.errors).map(([failure, value]) => ({ labels: { ...labels, target, status: NO_STATUS, class: failure }, value })),
    ...(stats.counts.cancelled > 0 ? [{ labels: { ...labels, target, status: NO_STATUS, class: 'cancelled' }, value: stats.counts.cancelled }] : []),
  ]);
  const targetLatency = targets.flatMap(([target]) => {
    const encoded = result.histograms.targets?.[target]?.latency;
    return encoded === undefined ? [] : [histogramSample(encoded, { ...labels, target }, bounds)];
  });
  const it = result.iterations;
  const iterationOutcomes = it ? (['completed', 'failed', 'interrupted'] as const).map((outcome) => ({ labels: { ...labels, outcome }, value: it[outcome] })) : [];
  // Rates, event-loop delay and CPU: the latest second of the series (the last one may be shorter).
  const last: SeriesPoint | undefined = result.series.at(-1);
  const g = result.generator;
  const open = result.plan.model === 'open';
  return [
    {
      name: 'loadhttp_info',
      help: 'The run: scenario, target, protocol really used, load model, tool version (always 1).',
      unit: '1',
      type: 'gauge',
      samples: [
        {
          labels: { ...labels, scenario: result.name, target: result.target, protocol: result.protocol ?? 'none', model: result.plan.model ?? 'closed', version: result.tool.version },
          value: 1,
        },
      ],
    },
    { name: 'loadhttp_measured_seconds', help: 'Length of the measured window so far (after warmup).', unit: 's', type: 'gauge', samples: once(result.durationMs / 1000) },
    {
      name: 'loadhttp_requests_total',
      help: `Requests that ended, by name, status (${NO_STATUS}: no response) and failure class (${NO_FAILURE}: a response; cancelled: in flight at the stop).`,
      unit: '1',
      type: 'counter',
      samples: outcomes,
    },
    { name: 'loadhttp_requests_sent_total', help: 'Requests handed to the transport in the measured window.', unit: '1', type: 'counter', samples: per((s) => s.counts.sent) },
    {
      name: 'loadhttp_requests_in_flight',
      help: 'Requests sent that have not ended yet.',
      unit: '1',
      type: 'gauge',
      samples: per((s) => s.counts.sent - s.counts.completed - s.counts.failed - s.counts.cancelled),
    },
    { name: 'loadhttp_requests_dropped_total', help: 'Open model: requests the schedule called for that were never sent.', unit: '1', type: 'counter', samples: open ? per((s) => s.counts.dropped ?? 0) : [] },
    { name: 'loadhttp_retries_total', help: 'Attempts beyond the first (with a retry policy).', unit: '1', type: 'counter', samples: per((s) => s.counts.retries) },
    { name: 'loadhttp_unexpected_status_total', help: "Responses with a status outside the request's expect.", unit: '1', type: 'counter', samples: per((s) => s.unexpectedStatus) },
    {
      name: 'loadhttp_request_duration_seconds',
      help: `Latency of completed requests (${result.plan.model === 'open' ? 'from the intended start' : corrected ? 'from the send, uncorrected' : 'from the send'}).`,
      unit: 's',
      type: 'histogram',
      samples: histograms((h) => h[latencyKey]),
    },
    { name: 'loadhttp_time_to_first_byte_seconds', help: 'From the send to the first byte of the response.', unit: 's', type: 'histogram', samples: histograms((h) => h.ttfb) },
    {
      name: 'loadhttp_iterations_total',
      help: "A flow's iterations that ended, by outcome: completed (every step succeeded), failed (a step failed; later steps not sent), interrupted (the run stopped it).",
      unit: '1',
      type: 'counter',
      samples: iterationOutcomes,
    },
    {
      name: 'loadhttp_iteration_duration_seconds',
      help: `A flow's completed and failed iterations, from ${result.plan.model === 'open' ? 'the intended start' : 'the start'} to the last step's end.`,
      unit: 's',
      type: 'histogram',
      samples: it && result.histograms.iteration ? [histogramSample(result.histograms.iteration, labels, bounds)] : [],
    },
    {
      name: 'loadhttp_instance_requests_total',
      help: `Several targets: requests that ended at each instance, by status (${NO_STATUS}: no response) and failure class (${NO_FAILURE}: a response; cancelled: in flight at the stop).`,
      unit: '1',
      type: 'counter',
      samples: targetOutcomes,
    },
    {
      name: 'loadhttp_instance_request_duration_seconds',
      help: 'Several targets: latency of completed requests at each instance, from the send to it.',
      unit: 's',
      type: 'histogram',
      samples: targetLatency,
    },
    {
      name: 'loadhttp_schedule_lag_seconds',
      help: 'Open model: how late the generator started requests against their schedule.',
      unit: 's',
      type: 'histogram',
      samples: open && result.histograms.scheduleLag ? [histogramSample(result.histograms.scheduleLag, labels, bounds)] : [],
    },
    {
      name: 'loadhttp_target_requests_per_second',
      help: 'Open model: arrivals the schedule called for in the latest second (with flows: iterations or mix entries, not steps).',
      unit: '1',
      type: 'gauge',
      samples: open && last?.scheduled !== undefined ? once(last.scheduled) : [],
    },
    {
      name: 'loadhttp_achieved_requests_per_second',
      help: 'Open model: arrivals started in the latest second, counted as the target is (with flows: iterations or mix entries, not steps).',
      unit: '1',
      type: 'gauge',
      samples: open && last?.arrivals !== undefined ? once(last.arrivals) : [],
    },
    { name: 'loadhttp_bytes_sent_total', help: 'Bytes sent (approximate wire size).', unit: 'By', type: 'counter', samples: once(result.bytes.sent) },
    { name: 'loadhttp_bytes_received_total', help: 'Response body bytes received.', unit: 'By', type: 'counter', samples: once(result.bytes.received) },
    {
      name: 'loadhttp_connections_opened_total',
      help: 'Connections (h1) or sessions (h2) opened, by the protocol each really used.',
      unit: '1',
      type: 'counter',
      samples: Object.entries(result.protocols ?? {}).map(([protocol, value]) => ({ labels: { ...labels, protocol }, value: value ?? 0 })),
    },
    {
      name: 'loadhttp_generator_event_loop_delay_seconds',
      help: "The generator's own event-loop delay in the latest second: P99 and max (the busiest worker's with --workers).",
      unit: 's',
      type: 'gauge',
      samples: [
        ...(last?.eventLoopDelayP99 !== undefined ? [{ labels: { ...labels, quantile: '0.99' }, value: last.eventLoopDelayP99 / 1000 }] : []),
        ...(last?.eventLoopDelayMax !== undefined ? [{ labels: { ...labels, quantile: '1' }, value: last.eventLoopDelayMax / 1000 }] : []),
      ],
    },
    {
      name: 'loadhttp_generator_cpu_ratio',
      help: "The generator's main-thread CPU in the latest second, in cores (the busiest worker's with --workers).",
      unit: '1',
      type: 'gauge',
      samples: last?.cpuPercent !== undefined ? once(last.cpuPercent / 100) : [],
    },
    { name: 'loadhttp_generator_saturated', help: 'At the end of the run: 1 when the figures are limited by the generator, not the target.', unit: '1', type: 'gauge', samples: g ? once(g.saturated ? 1 : 0) : [] },
    {
      name: 'loadhttp_threshold_passed',
      help: '1 when the threshold passes on the final figures, 0 when it fails.',
      unit: '1',
      type: 'gauge',
      samples: (result.thresholds ?? []).map((t) => ({ labels: { ...labels, threshold: t.expr }, value: t.passed ? 1 : 0 })),
    },
  ];
}

/** The Prometheus text exposition of a result (a partial one while the run goes on). */
export function renderPrometheus(result: RunResult, labels: Labels = {}, bounds: readonly number[] = LATENCY_BUCKETS_S): string {
  return renderExposition(metricFamilies(result, labels, bounds));
}

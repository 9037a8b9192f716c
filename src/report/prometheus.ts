// The Prometheus text exposition (format 0.0.4) of a RunResult: what a scrape of a running load test (from
// a partial result) or a pushed final result shows. Pure: a result in, a string out; serving it over
// HTTP or pushing it is the CLI's business.
//
// Only per-request series (label `request`): sums over requests are the totals, and histograms add, so
// several generators (shards, workers) aggregate with sum(). Latency is a Prometheus histogram with fixed
// buckets counted exactly from the encoded HDR histograms (not a summary: quantiles cannot be added).
// Units are seconds and ratios, as Prometheus names them.
import { countsAtOrBelow, decode, meanOf } from '../result/histogram.ts';
import type { RunResult } from '../result/result.ts';

/** Bucket bounds in seconds: Prometheus' defaults, plus 1 ms and 2.5 ms (loopback) and 30 s / 60 s (stalls). */
export const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  samples: Array<{ suffix?: string; labels: Labels; value: number }>;
}

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

function render(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const family of families) {
    if (family.samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const s of family.samples) lines.push(`${family.name}${s.suffix ?? ''}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** _bucket (cumulative, le in seconds), _sum and _count of an encoded µs histogram. */
function histogramSamples(encoded: string, labels: Labels): Family['samples'] {
  const histogram = decode(encoded);
  const counts = countsAtOrBelow(histogram, LATENCY_BUCKETS_S.map((s) => Math.round(s * 1e6)));
  const samples: Family['samples'] = LATENCY_BUCKETS_S.map((le, i) => ({ suffix: '_bucket', labels: { ...labels, le: String(le) }, value: counts[i]! }));
  samples.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: histogram.totalCount });
  // The sum as hdr's mean counts it (each value at the middle of its bucket), in seconds.
  samples.push({ suffix: '_sum', labels, value: Math.round(meanOf(histogram) * histogram.totalCount) / 1e6 });
  samples.push({ suffix: '_count', labels, value: histogram.totalCount });
  return samples;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The exposition of a result (a partial one while the run goes on). `labels` are added to every sample. */
export function renderPrometheus(result: RunResult, labels: Labels = {}): string {
  for (const name of Object.keys(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new RangeError(`not a Prometheus label name: ${JSON.stringify(name)}`);
  }
  const requests = Object.entries(result.requests);
  const per = (pick: (stats: RunResult['requests'][string]) => number | undefined) =>
    requests.flatMap(([request, stats]) => {
      const value = pick(stats);
      return value === undefined ? [] : [{ labels: { ...labels, request }, value }];
    });
  const byKey = (label: string, pick: (stats: RunResult['requests'][string]) => Record<string, number>) =>
    requests.flatMap(([request, stats]) => Object.entries(pick(stats)).map(([key, value]) => ({ labels: { ...labels, request, [label]: key }, value })));
  const g = result.generator;
  const families: Family[] = [
    {
      name: 'loadhttp_info',
      help: 'The run: target, protocol really used, load model, tool version (always 1).',
      type: 'gauge',
      samples: [
        {
          labels: { ...labels, name: result.name, target: result.target, protocol: result.protocol ?? 'none', model: result.plan.model ?? 'closed', version: result.tool.version, ...(result.runId && { run_id: result.runId }) },
          value: 1,
        },
      ],
    },
    { name: 'loadhttp_measured_seconds', help: 'Length of the measured window so far (after warmup).', type: 'gauge', samples: [{ labels, value: result.durationMs / 1000 }] },
    { name: 'loadhttp_requests_sent_total', help: 'Requests handed to the transport in the measured window.', type: 'counter', samples: per((s) => s.counts.sent) },
    { name: 'loadhttp_requests_completed_total', help: 'Requests that got a whole response (any status).', type: 'counter', samples: per((s) => s.counts.completed) },
    { name: 'loadhttp_requests_failed_total', help: 'Requests without a whole response, by failure class.', type: 'counter', samples: byKey('class', (s) => s.errors) },
    { name: 'loadhttp_requests_cancelled_total', help: 'Requests still in flight when the run stopped.', type: 'counter', samples: per((s) => s.counts.cancelled) },
    { name: 'loadhttp_requests_dropped_total', help: 'Open model: requests the schedule called for that were never sent.', type: 'counter', samples: per((s) => s.counts.dropped) },
    { name: 'loadhttp_retries_total', help: 'Attempts beyond the first (with a retry policy).', type: 'counter', samples: per((s) => s.counts.retries) },
    { name: 'loadhttp_responses_total', help: 'Responses by status code.', type: 'counter', samples: byKey('status', (s) => s.statusCodes) },
    { name: 'loadhttp_unexpected_status_total', help: "Responses with a status outside the request's expect.", type: 'counter', samples: per((s) => s.unexpectedStatus) },
    {
      name: 'loadhttp_request_duration_seconds',
      help: `Latency of completed requests (${result.latencyCorrection === 'intended-start' ? 'from the intended start' : 'from the send'}).`,
      type: 'histogram',
      samples: requests.flatMap(([request]) => {
        const encoded = result.histograms.requests[request]?.latency;
        return encoded === undefined ? [] : histogramSamples(encoded, { ...labels, request });
      }),
    },
    {
      name: 'loadhttp_time_to_first_byte_seconds',
      help: 'From the send to the first byte of the response.',
      type: 'histogram',
      samples: requests.flatMap(([request]) => {
        const encoded = result.histograms.requests[request]?.ttfb;
        return encoded === undefined ? [] : histogramSamples(encoded, { ...labels, request });
      }),
    },
    {
      name: 'loadhttp_schedule_lag_seconds',
      help: 'Open model: how late the generator started requests against their schedule.',
      type: 'histogram',
      samples: result.arrival && result.histograms.scheduleLag ? histogramSamples(result.histograms.scheduleLag, labels) : [],
    },
    { name: 'loadhttp_bytes_sent_total', help: 'Bytes sent (approximate wire size).', type: 'counter', samples: [{ labels, value: result.bytes.sent }] },
    { name: 'loadhttp_bytes_received_total', help: 'Response body bytes received.', type: 'counter', samples: [{ labels, value: result.bytes.received }] },
    {
      name: 'loadhttp_connections_opened_total',
      help: 'Connections (h1) or sessions (h2) opened, by the protocol each really used.',
      type: 'counter',
      samples: Object.entries(result.protocols ?? {}).map(([protocol, value]) => ({ labels: { ...labels, protocol }, value: value ?? 0 })),
    },
    {
      name: 'loadhttp_generator_event_loop_delay_seconds',
      help: "The generator's own event-loop delay over the measured window (quantile 1 is the max).",
      type: 'gauge',
      samples: g
        ? [
            { labels: { ...labels, quantile: '0.5' }, value: g.eventLoopDelayMs.p50 / 1000 },
            { labels: { ...labels, quantile: '0.99' }, value: g.eventLoopDelayMs.p99 / 1000 },
            { labels: { ...labels, quantile: '1' }, value: g.eventLoopDelayMs.max / 1000 },
          ]
        : [],
    },
    { name: 'loadhttp_generator_cpu_ratio', help: "The generator's main-thread CPU, in cores: mean and busiest second.", type: 'gauge', samples: g ? [{ labels: { ...labels, stat: 'mean' }, value: g.cpuPercent.mean / 100 }, { labels: { ...labels, stat: 'max' }, value: g.cpuPercent.max / 100 }] : [] },
    { name: 'loadhttp_generator_saturated', help: '1 when the figures are limited by the generator, not the target.', type: 'gauge', samples: g ? [{ labels, value: g.saturated ? 1 : 0 }] : [] },
    {
      name: 'loadhttp_threshold_passed',
      help: '1 when the threshold passes on the figures so far, 0 when it fails.',
      type: 'gauge',
      samples: (result.thresholds ?? []).map((t) => ({ labels: { ...labels, threshold: t.expr }, value: t.passed ? 1 : 0 })),
    },
  ];
  return render(families);
}

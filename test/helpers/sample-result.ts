// A realistic, internally consistent RunResult for tests of every output (table, JSON, JUnit, Markdown,
// thresholds, compare). Deterministic: the same call always gives the same figures.
//
// What it holds (a 10 s measured run after a 2 s warmup, h2 over 8 connections, concurrency 32):
//   list   GET  /items   sent 1,203  completed 1,200  failed 2 (connect-refused)  cancelled 1
//                        statuses 200 ×1,196, 503 ×4 (unexpected)   latency ~1–21 ms + 6 slow (250 ms)
//   create POST /items   sent 401    completed 400    failed 1 (timeout)          cancelled 0
//                        statuses 201 ×398, 503 ×2 (unexpected)     latency ~5–45 ms + 2 slow (1.2 s)
//   total                sent 1,604  completed 1,600  failed 3  cancelled 1  unexpected 6
// Latency/TTFB/queue-wait summaries are computed from real HDR histograms (recordUs → summarize), and
// `histograms` holds those same histograms encoded, so decode(...).totalCount equals the counts above.
// Read figures from the result rather than hard-coding them (e.g. result.requests.list!.latencyMs.p99).
import {
  addInto,
  createHistogram,
  encode,
  recordUs,
  summarize,
  type LatencyHistogram,
} from '../../src/result/histogram.ts';
import { SCHEMA_VERSION, type RequestStats, type RunResult, type SeriesPoint } from '../../src/result/result.ts';

/** Measured window of the sample run. */
export const SAMPLE_DURATION_MS = 10_000;

interface RequestSpec {
  sent: number;
  completed: number;
  failed: number;
  cancelled: number;
  statusCodes: Record<string, number>;
  unexpectedStatus: number;
  errors: Record<string, number>;
  /** Latency of the i-th completed response, in microseconds. */
  latencyUs: (i: number, completed: number) => number;
}

const SPECS: Record<'list' | 'create', RequestSpec> = {
  list: {
    sent: 1203,
    completed: 1200,
    failed: 2,
    cancelled: 1,
    statusCodes: { '200': 1196, '503': 4 },
    unexpectedStatus: 4,
    errors: { 'connect-refused': 2 },
    latencyUs: (i, n) => (i >= n - 6 ? 250_000 : 1_000 + ((i * 7919) % 20_000)),
  },
  create: {
    sent: 401,
    completed: 400,
    failed: 1,
    cancelled: 0,
    statusCodes: { '201': 398, '503': 2 },
    unexpectedStatus: 2,
    errors: { timeout: 1 },
    latencyUs: (i, n) => (i >= n - 2 ? 1_200_000 : 5_000 + ((i * 104_729) % 40_000)),
  },
};

interface Built {
  stats: RequestStats;
  latency: LatencyHistogram;
  ttfb: LatencyHistogram;
}

function buildRequest(spec: RequestSpec): Built {
  const latency = createHistogram();
  const ttfb = createHistogram();
  for (let i = 0; i < spec.completed; i++) {
    const us = spec.latencyUs(i, spec.completed);
    recordUs(latency, us);
    recordUs(ttfb, us * 0.8);
  }
  const stats: RequestStats = {
    counts: { sent: spec.sent, completed: spec.completed, failed: spec.failed, cancelled: spec.cancelled },
    unexpectedStatus: spec.unexpectedStatus,
    errorRate: spec.sent === 0 ? 0 : (spec.failed + spec.unexpectedStatus) / spec.sent,
    rps: spec.completed / (SAMPLE_DURATION_MS / 1000),
    latencyMs: summarize(latency),
    ttfbMs: summarize(ttfb),
    statusCodes: { ...spec.statusCodes },
    errors: { ...spec.errors },
  };
  return { stats, latency, ttfb };
}

function addRecords(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}

/** Totals over several requests' stats and histograms (what the engine's aggregate is). */
function combine(built: Built[]): Built {
  const latency = createHistogram();
  const ttfb = createHistogram();
  const counts = { sent: 0, completed: 0, failed: 0, cancelled: 0 };
  const statusCodes: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let unexpectedStatus = 0;
  for (const b of built) {
    addInto(latency, b.latency);
    addInto(ttfb, b.ttfb);
    counts.sent += b.stats.counts.sent;
    counts.completed += b.stats.counts.completed;
    counts.failed += b.stats.counts.failed;
    counts.cancelled += b.stats.counts.cancelled;
    unexpectedStatus += b.stats.unexpectedStatus;
    addRecords(statusCodes, b.stats.statusCodes);
    addRecords(errors, b.stats.errors);
  }
  const stats: RequestStats = {
    counts,
    unexpectedStatus,
    errorRate: counts.sent === 0 ? 0 : (counts.failed + unexpectedStatus) / counts.sent,
    rps: counts.completed / (SAMPLE_DURATION_MS / 1000),
    latencyMs: summarize(latency),
    ttfbMs: summarize(ttfb),
    statusCodes,
    errors,
  };
  return { stats, latency, ttfb };
}

/** One point per second; requests sum to the completed total, errors to failed + unexpected. */
function buildSeries(total: Built): SeriesPoint[] {
  const seconds = SAMPLE_DURATION_MS / 1000;
  const errorsPerSecond = [0, 0, 2, 0, 3, 0, 0, 1, 0, 3];
  const perSecond = total.stats.counts.completed / seconds;
  return Array.from({ length: seconds }, (_, i) => ({
    t: i + 1,
    requests: perSecond,
    errors: errorsPerSecond[i] ?? 0,
    p50: total.stats.latencyMs.p50,
    p90: total.stats.latencyMs.p90,
    p99: total.stats.latencyMs.p99,
  }));
}

function buildQueueWait(sent: number): LatencyHistogram {
  const histogram = createHistogram();
  // Most requests find a free slot at once; every tenth waits a little.
  for (let i = 0; i < sent; i++) recordUs(histogram, i % 10 === 0 ? 200 + ((i * 31) % 3_000) : 0);
  return histogram;
}

/**
 * A complete RunResult with two requests ("list", "create"). `overrides` replace top-level fields
 * (shallow): e.g. `sampleResult({ interrupted: true, stopReason: 'interrupted' })` or
 * `sampleResult({ protocol: null })`. Each call builds fresh objects, so callers may mutate them.
 */
export function sampleResult(overrides: Partial<RunResult> = {}): RunResult {
  const list = buildRequest(SPECS.list);
  const create = buildRequest(SPECS.create);
  const total = combine([list, create]);
  const queueWait = buildQueueWait(total.stats.counts.sent);

  const result: RunResult = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'loadhttp', version: '0.1.0', node: 'v24.21.0' },
    name: 'items api',
    target: 'https://api.example.test',
    protocol: 'h2',
    connectionsOpened: 8,
    startedAt: '2025-01-15T10:00:00.000Z',
    durationMs: SAMPLE_DURATION_MS,
    warmup: { durationMs: 2_000, sent: 321 },
    interrupted: false,
    stopReason: 'duration',
    plan: {
      name: 'items api',
      source: 'scenarios/items.yaml',
      target: 'https://api.example.test',
      protocol: 'auto',
      concurrency: 32,
      durationMs: SAMPLE_DURATION_MS,
      iterations: null,
      warmupMs: 2_000,
      gracefulStopMs: 5_000,
      defaultDuration: false,
      think: 'none',
      connections: 8,
      pipelining: 1,
      maxInflight: 32,
      timeouts: { connectMs: 5_000, requestMs: 30_000 },
      requests: [
        { name: 'list', method: 'GET', path: '/items', weight: 3, headers: { authorization: '***' }, bodyBytes: 0 },
        {
          name: 'create',
          method: 'POST',
          path: '/items',
          weight: 1,
          headers: { authorization: '***', 'content-type': 'application/json' },
          bodyBytes: 48,
        },
      ],
    },
    ...total.stats,
    queueWaitMs: summarize(queueWait),
    bytes: { sent: 1_604 * 180 + 400 * 48, received: 1_600 * 2_150 },
    errorExamples: {
      'connect-refused': ['connect ECONNREFUSED 10.0.0.7:443', 'connect ECONNREFUSED 10.0.0.8:443'],
      timeout: ['no response within 30s (POST /items)'],
    },
    requests: { list: list.stats, create: create.stats },
    series: buildSeries(total),
    histograms: {
      unit: 'us',
      latency: encode(total.latency),
      ttfb: encode(total.ttfb),
      queueWait: encode(queueWait),
      requests: {
        list: { latency: encode(list.latency), ttfb: encode(list.ttfb) },
        create: { latency: encode(create.latency), ttfb: encode(create.ttfb) },
      },
    },
  };
  return { ...result, ...overrides };
}

/**
 * A consistent one-request RunResult (only "list": top-level stats, errors, examples and histograms are
 * those of "list"). `overrides` are applied last, as in sampleResult.
 */
export function singleRequestResult(overrides: Partial<RunResult> = {}): RunResult {
  const base = sampleResult();
  const list = base.requests.list!;
  const listHistograms = base.histograms.requests.list!;
  const single: RunResult = {
    ...base,
    ...list,
    plan: { ...base.plan, requests: base.plan.requests.filter((r) => r.name === 'list') },
    errorExamples: { 'connect-refused': base.errorExamples['connect-refused'] ?? [] },
    requests: { list },
    series: base.series.map((point, i) => ({
      ...point,
      requests: list.counts.completed / base.series.length,
      errors: [0, 0, 2, 0, 1, 0, 0, 1, 0, 2][i] ?? 0,
    })),
    histograms: { ...base.histograms, ...listHistograms, requests: { list: listHistograms } },
  };
  return { ...single, ...overrides };
}

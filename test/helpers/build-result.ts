// Builds RunResults with real encoded histograms from listed latencies, for the tests of the pure
// report functions (thresholds, JUnit, Markdown, compare).
import { addInto, createHistogram, encode, recordUs, summarize, type LatencyHistogram } from '../../src/result/histogram.ts';
import { SCHEMA_VERSION, type RequestStats, type RunResult } from '../../src/result/result.ts';

export interface ReqSpec {
  latenciesUs: number[];
  ttfbUs?: number[];
  statusCodes?: Record<string, number>;
  failed?: number;
  unexpectedStatus?: number;
  errors?: Record<string, number>;
}

function statsFor(spec: ReqSpec, durationMs: number, lat: LatencyHistogram, ttfb: LatencyHistogram): RequestStats {
  const completed = spec.latenciesUs.length;
  const failed = spec.failed ?? 0;
  const unexpectedStatus = spec.unexpectedStatus ?? 0;
  const sent = completed + failed;
  return {
    counts: { sent, completed, failed, cancelled: 0 },
    unexpectedStatus,
    errorRate: sent === 0 ? 0 : (failed + unexpectedStatus) / sent,
    rps: durationMs > 0 ? completed / (durationMs / 1000) : 0,
    latencyMs: summarize(lat),
    ttfbMs: summarize(ttfb),
    statusCodes: spec.statusCodes ?? (completed > 0 ? { '200': completed } : {}),
    errors: spec.errors ?? (failed > 0 ? { timeout: failed } : {}),
  };
}

export function buildResult(reqs: Record<string, ReqSpec>, opts: { name?: string; durationMs?: number; error?: RunResult['error']; interrupted?: boolean } = {}): RunResult {
  const durationMs = opts.durationMs ?? 10_000;
  const totalLat = createHistogram();
  const totalTtfb = createHistogram();
  const requests: Record<string, RequestStats> = {};
  const encoded: Record<string, { latency: string; ttfb: string }> = {};
  const total: ReqSpec = { latenciesUs: [], failed: 0, unexpectedStatus: 0, statusCodes: {}, errors: {} };
  for (const [name, spec] of Object.entries(reqs)) {
    const lat = createHistogram();
    const ttfb = createHistogram();
    for (const us of spec.latenciesUs) recordUs(lat, us);
    for (const us of spec.ttfbUs ?? spec.latenciesUs.map((v) => v / 2)) recordUs(ttfb, us);
    addInto(totalLat, lat);
    addInto(totalTtfb, ttfb);
    const stats = statsFor(spec, durationMs, lat, ttfb);
    requests[name] = stats;
    encoded[name] = { latency: encode(lat), ttfb: encode(ttfb) };
    total.latenciesUs.push(...spec.latenciesUs);
    total.failed = (total.failed ?? 0) + stats.counts.failed;
    total.unexpectedStatus = (total.unexpectedStatus ?? 0) + stats.unexpectedStatus;
    for (const [code, n] of Object.entries(stats.statusCodes)) total.statusCodes![code] = (total.statusCodes![code] ?? 0) + n;
    for (const [cls, n] of Object.entries(stats.errors)) total.errors![cls] = (total.errors![cls] ?? 0) + n;
  }
  const totals = statsFor(total, durationMs, totalLat, totalTtfb);
  const emptyLatency = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    ...totals,
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'loadhttp', version: '0.1.0', node: 'v24.0.0' },
    name: opts.name ?? 'test run',
    target: 'http://127.0.0.1:8080',
    protocol: 'h1',
    connectionsOpened: 4,
    startedAt: '2025-01-02T03:04:05.678Z',
    durationMs,
    warmup: { durationMs: 0, sent: 0 },
    interrupted: opts.interrupted ?? false,
    stopReason: opts.interrupted ? 'interrupted' : 'duration',
    plan: {
      name: opts.name ?? 'test run',
      source: null,
      target: 'http://127.0.0.1:8080',
      protocol: 'auto',
      concurrency: 4,
      durationMs,
      iterations: null,
      warmupMs: 0,
      gracefulStopMs: 1000,
      defaultDuration: false,
      think: '0',
      connections: 4,
      pipelining: 1,
      maxInflight: 4,
      timeouts: { connectMs: 1000, requestMs: 5000 },
      requests: Object.keys(reqs).map((name) => ({ name, method: 'GET', path: '/', weight: 1, headers: {}, bodyBytes: 0 })),
    },
    queueWaitMs: emptyLatency,
    bytes: { sent: 0, received: 0 },
    errorExamples: {},
    requests,
    series: [],
    histograms: { unit: 'us', latency: encode(totalLat), ttfb: encode(totalTtfb), queueWait: encode(createHistogram()), requests: encoded },
    ...(opts.error ? { error: opts.error } : {}),
  };
}

/**
 * `result` as a flow over several targets would leave it: iterations (durations of the completed and
 * failed ones, plus counts) and per-target figures, each with its encoded histograms, as the recorder
 * writes them. `flow: true` also marks the plan summary as a flow's.
 */
export function withFlowAndTargets(
  result: RunResult,
  spec: { iterationsUs?: number[]; failed?: number; interrupted?: number; targets?: Record<string, ReqSpec> },
): RunResult {
  const out: RunResult = { ...result, histograms: { ...result.histograms }, plan: { ...result.plan } };
  if (spec.iterationsUs) {
    const h = createHistogram();
    for (const us of spec.iterationsUs) recordUs(h, us);
    const failed = spec.failed ?? 0;
    const completed = spec.iterationsUs.length - failed;
    out.iterations = { completed, failed, interrupted: spec.interrupted ?? 0, rps: completed / (result.durationMs / 1000), durationMs: summarize(h) };
    out.histograms.iteration = encode(h);
    out.plan.flow = { steps: Object.keys(result.requests).map((name) => ({ name, captures: [], think: null })), variables: [] };
  }
  if (spec.targets) {
    const parts = buildResult(spec.targets, { durationMs: result.durationMs });
    out.targets = parts.requests;
    out.histograms.targets = parts.histograms.requests;
    out.plan.targets = Object.keys(spec.targets).map((t) => `http://${t}`);
  }
  return out;
}

/** n values evenly spread over [fromUs, toUs]: percentile q is at fromUs + q·(toUs − fromUs). */
export function spread(n: number, fromUs: number, toUs: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(fromUs + ((toUs - fromUs) * i) / Math.max(1, n - 1)));
}

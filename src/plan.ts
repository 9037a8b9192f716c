// Scenario + command-line overrides → Plan: every option resolved once (defaults filled, units in ms,
// weights as a cumulative table), frozen. The engine reads nothing else.
import type { Scenario, ScenarioRequest, Think, ProtocolChoice, TransportChoice } from './scenario/types.ts';
import { UsageError } from './errors.ts';
import { defaultSessions, resolveProtocol, type PlannedTls, type ProtocolOverrides } from './plan-protocol.ts';
import { resolveLoadModel, type LatencyCorrection, type LoadModel } from './plan-load.ts';
import type { Stage } from './scenario/types.ts';
import { resolveThresholds, type PlannedThreshold } from './plan-thresholds.ts';
import { resolveRetry, type RetryPolicy } from './plan-retry.ts';
import { maskedNames, shownHeaders, substringSecrets, userinfoSecrets } from './plan-secrets.ts';
import { checkSplittable, resolveWorkers } from './split.ts';
import { availableParallelism } from 'node:os';

export interface PlannedRequest {
  name: string;
  method: string;
  path: string;
  /** Flat [name, value, name, value, ...] as undici takes them; scenario + request headers merged. */
  headers: string[];
  /** The path as outputs show it: what ${ENV} put into the query is masked where it stands. */
  shownPath: string;
  /** The headers as outputs show them: credential values masked whole (plan-secrets.ts). */
  shownHeaders: Record<string, string>;
  body: Buffer | null;
  weight: number;
  /** Upper bound of this request's slice of [0, 1) in the weighted pick. */
  cumulative: number;
  expectStatus: number[] | null;
  /** The request's `retry:` over the scenario's, resolved; null = no retries (or a method not retried). */
  retry: RetryPolicy | null;
}

export interface Plan {
  name: string;
  source: string | null;
  /** Origin only: scheme://host:port. */
  target: string;
  protocol: ProtocolChoice;
  /** `--compare-protocols` / `protocol: [h1, h2]`: run once per protocol (the CLI re-plans each); else null. */
  compareProtocols: ProtocolChoice[] | null;
  tls: PlannedTls;
  /** The client implementation: loadhttp's own transport, or undici (the reference). */
  transport: TransportChoice;
  load: {
    /** 'closed': virtual users loop (send, wait, think); 'open': requests start on a schedule (rate, stages). */
    model: LoadModel;
    /** Closed: virtual users (at the start, with stages). Open: the most requests in flight at once. */
    concurrency: number;
    /** Open model: requests per second at the start of the measured window (then `stages`); null when closed. */
    rate: number | null;
    /** Linear ramps of the rate (open) or of the virtual users (closed), from the start value; empty = constant. */
    stages: Stage[];
    /** Open model: scheduled requests that may wait for a pool slot; beyond it they are dropped (0 when closed). */
    maxQueued: number;
    /**
     * Open model: where this plan's schedule starts, in requests (0 ≤ offset < 1): part I of N of a split
     * plan (split.ts) starts I/N of a request late, so the parts' schedules interleave into the whole's.
     */
    arrivalOffset: number;
    /** How latency is corrected for coordinated omission: fixed by the model and --latency-correction. */
    latencyCorrection: LatencyCorrection;
    /** Measured duration (after warmup); null when bounded by iterations only. */
    durationMs: number | null;
    iterations: number | null;
    warmupMs: number;
    gracefulStopMs: number;
    think: Think;
    /** True when neither duration nor iterations was given and the default duration applies. */
    defaultDuration: boolean;
  };
  pool: {
    connections: number;
    pipelining: number;
    maxInflight: number;
    /** HTTP/2: streams in flight per session (the server's SETTINGS may lower it at run time). */
    maxConcurrentStreams: number;
  };
  /** Overall per request; idle `headersMs` (to the response headers) and `bodyMs` (between body chunks), null = off. */
  timeouts: { connectMs: number; requestMs: number; headersMs: number | null; bodyMs: number | null };
  requests: PlannedRequest[];
  /**
   * Values the outputs mask wherever they appear, longest first: the credentials that reach the wire
   * (plan-secrets.ts), of 4 characters or more. Figures are never masked, so thresholds, compare and
   * merge see them whole.
   */
  secrets: string[];
  userAgent: string;
  /** Parsed pass/fail gates: the scenario's, then --threshold flags (see plan-thresholds.ts). */
  thresholds: PlannedThreshold[];
  /** Worker threads that generate the load, each running its exact part (split.ts); 1 = this thread. */
  workers: number;
}

/** Command-line flags that override the scenario; undefined means "not given". */
export interface Overrides extends Omit<ProtocolOverrides, 'protocol'> {
  url?: string;
  protocol?: ProtocolChoice;
  transport?: TransportChoice;
  concurrency?: number;
  durationMs?: number;
  iterations?: number;
  warmupMs?: number;
  think?: Think;
  connections?: number;
  pipelining?: number;
  maxInflight?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  requestTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** --rate in requests per second (the open model). */
  rate?: number;
  maxQueued?: number;
  latencyCorrection?: boolean;
  /** --threshold expressions, added after the scenario's thresholds. */
  thresholds?: string[];
  /** --workers N | auto. */
  workers?: number | 'auto';
}

/** Defaults of the load model (concurrency, queue bound) are in plan-load.ts. */
export const DEFAULTS = {
  durationMs: 10_000,
  gracefulStopMs: 5_000,
  connectTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  /** One connection per VU up to this cap; beyond it VUs share sockets. */
  maxDefaultConnections: 256,
} as const;

export function buildPlan(scenario: Scenario, overrides: Overrides, version: string): Plan {
  const targetUrl = resolveTarget(scenario, overrides);
  const resolved = resolveRequests(scenario, overrides, targetUrl, version);

  // A bound given on the CLI replaces the file's bounds: `-n 100` means 100 requests, not "100 or 30s".
  const cliBound = overrides.durationMs !== undefined || overrides.iterations !== undefined;
  const iterations = (cliBound ? overrides.iterations : scenario.load.iterations) ?? null;
  // Stages bound the run by their total length unless a duration or iteration count is given.
  const stagesMs = resolveLoadModel(scenario, overrides).stagesMs;
  const stagesBound = iterations === null && stagesMs > 0 ? stagesMs : null;
  const durationMs = (cliBound ? overrides.durationMs : scenario.load.durationMs) ?? stagesBound;
  const plan = assemble(scenario, overrides, targetUrl, resolved, durationMs, iterations, version);
  checkSplittable(plan, plan.workers, '--workers');
  return freeze(plan);
}

function assemble(
  scenario: Scenario,
  overrides: Overrides,
  target: URL,
  { requests, secrets }: ResolvedRequests,
  durationMs: number | null,
  iterations: number | null,
  version: string,
): Plan {
  const defaultDuration = durationMs === null && iterations === null;
  const loadModel = resolveLoadModel(scenario, overrides);
  const { concurrency } = loadModel;
  const pipelining = overrides.pipelining ?? scenario.pool.pipelining ?? 1;
  const chosen = resolveProtocol(scenario, overrides);
  const streams = chosen.maxConcurrentStreams;
  const connections =
    overrides.connections ??
    scenario.pool.connections ??
    defaultSessions(chosen.protocol, loadModel.peakConcurrency, streams) ??
    Math.min(loadModel.peakConcurrency, DEFAULTS.maxDefaultConnections);
  // HTTP/2 sessions carry streams, not pipelined requests: the default bound is sessions × streams.
  const perConnection = chosen.protocol === 'h2' ? streams : pipelining;
  const maxInflight = overrides.maxInflight ?? scenario.pool.maxInflight ?? connections * perConnection;
  return {
    name: scenario.name ?? target.host,
    source: scenario.file,
    target: target.origin,
    protocol: chosen.protocol,
    compareProtocols: chosen.compareProtocols,
    tls: chosen.tls,
    transport: overrides.transport ?? scenario.transport ?? 'loadhttp',
    load: {
      model: loadModel.model,
      concurrency,
      rate: loadModel.rate,
      stages: loadModel.stages,
      maxQueued: loadModel.maxQueued,
      arrivalOffset: 0,
      latencyCorrection: loadModel.latencyCorrection,
      durationMs: defaultDuration ? DEFAULTS.durationMs : durationMs,
      iterations,
      warmupMs: overrides.warmupMs ?? scenario.load.warmupMs ?? 0,
      gracefulStopMs: scenario.load.gracefulStopMs ?? DEFAULTS.gracefulStopMs,
      think: overrides.think ?? scenario.load.think ?? { kind: 'none' },
      defaultDuration,
    },
    pool: { connections, pipelining, maxInflight, maxConcurrentStreams: streams },
    timeouts: {
      connectMs: scenario.timeouts.connectMs ?? DEFAULTS.connectTimeoutMs,
      requestMs: overrides.requestTimeoutMs ?? scenario.timeouts.requestMs ?? DEFAULTS.requestTimeoutMs,
      headersMs: overrides.headersTimeoutMs ?? scenario.timeouts.headersMs ?? null,
      bodyMs: overrides.bodyTimeoutMs ?? scenario.timeouts.bodyMs ?? null,
    },
    requests,
    secrets,
    userAgent: `loadhttp/${version}`,
    thresholds: resolveThresholds(
      scenario.thresholds,
      overrides.thresholds ?? [],
      requests.map((r) => r.name),
    ),
    workers: resolveWorkers(overrides.workers ?? scenario.workers ?? 1, availableParallelism(), loadModel, iterations),
  };
}

function resolveTarget(scenario: Scenario, overrides: Overrides): URL {
  const text = overrides.url ?? scenario.target;
  if (text === undefined) throw new UsageError('no target: give a scenario file with `target:` or --url');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url: "${text}" is not a URL (e.g. http://127.0.0.1:8080/)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url: only http:// and https:// targets are supported, not ${url.protocol}//`);
  }
  return url;
}

interface ResolvedRequests {
  requests: PlannedRequest[];
  /** The plan's secrets (Plan.secrets). */
  secrets: string[];
}

function resolveRequests(scenario: Scenario, overrides: Overrides, target: URL, version: string): ResolvedRequests {
  let list: ScenarioRequest[] = scenario.requests;
  if (list.length === 0) {
    // No request list: one request to the target URL's own path (the ad-hoc `--url` run).
    const method = (overrides.method ?? 'GET').toUpperCase();
    const path = target.pathname + target.search;
    list = [{ name: `${method} ${path}`, method, path, headers: {}, body: null, weight: 1, expectStatus: null }];
  } else if (overrides.method !== undefined) {
    list = list.map((r) => ({ ...r, method: overrides.method!.toUpperCase() }));
  }
  if (overrides.body !== undefined) list = list.map((r) => ({ ...r, body: overrides.body! }));

  const total = list.reduce((sum, r) => sum + r.weight, 0);
  let running = 0;
  const redact = scenario.redact ?? [];
  const found = [...userinfoSecrets(target), ...(scenario.fromEnv?.values ?? [])];
  const requests = list.map((r, i): PlannedRequest => {
    running += r.weight;
    const headers: Record<string, string> = {
      'user-agent': `loadhttp/${version}`,
      ...scenario.headers,
      ...r.headers,
      ...overrides.headers,
    };
    // Whether the value sent came from ${ENV}: a -H flag wins over the request's headers, they over the scenario's.
    const fromEnv = (name: string) =>
      !Object.hasOwn(overrides.headers ?? {}, name) &&
      (Object.hasOwn(r.headers, name) ? r.fromEnv : scenario.fromEnv)?.headers.includes(name) === true;
    const shown = shownHeaders(headers, (name) => redact.includes(name) || fromEnv(name));
    found.push(...shown.secrets, ...(r.fromEnv?.values ?? []));
    return {
      name: r.name,
      method: r.method,
      path: r.path,
      headers: Object.entries(headers).flat(),
      shownPath: r.shownPath ?? r.path,
      shownHeaders: shown.shown,
      body: r.body,
      weight: r.weight,
      cumulative: i === list.length - 1 ? 1 : running / total,
      expectStatus: r.expectStatus,
      retry: resolveRetry(r.method, scenario.retry, r.retry),
    };
  });
  const secrets = substringSecrets(found);
  const names = maskedNames(requests.map((r) => r.name), secrets);
  return { requests: requests.map((r, i) => ({ ...r, name: names[i]! })), secrets };
}

function freeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) freeze(child);
  }
  return value;
}

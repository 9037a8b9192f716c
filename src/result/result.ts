// RunResult: the one contract between the engine and every output (table, JSON, JUnit, Markdown,
// thresholds, compare). Plain JSON-serialisable data. Scripts read the JSON form, so the top-level keys
// are a public contract: change them only with a SCHEMA_VERSION bump and a note in docs/results.md.

import type { Comparison, ThresholdOutcome } from './verdicts.ts';

/**
 * 2: encoded firstTry histograms (histograms.firstTry), so merged first-try figures are exact; p90, and a
 * histogram per second (histograms.series), so merged per-second percentiles are exact too.
 * 3: the baseline comparison (`baseline.comparison`) compares a flow's iterations and each target instance
 * too: its scopes and regressions may carry `kind` ('iterations' | 'target') and `target`, and it names
 * what only one run has (`iterationsOnlyIn`, `targetsOnlyInBase`, `targetsOnlyInCurrent`). Nothing else changed.
 */
export const SCHEMA_VERSION = 3;

/**
 * Between a flow entry's name and its step's in the names of the entry's steps (`checkout/login`): a flow
 * entry of `requests:` records each step under that name, so the steps group together in every output.
 */
export const FLOW_STEP_SEPARATOR = '/';

/** Latency figures in milliseconds (recorded in integer microseconds, converted once here). */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface Counts {
  /** Requests handed to the transport during the measured window. sent = completed + failed + cancelled. */
  sent: number;
  /** A whole response arrived (any status). */
  completed: number;
  /** No whole response: a failure of one of the classes in `errors`. */
  failed: number;
  /** Still in flight when the run stopped (deadline + grace, or interrupt) and aborted by us. */
  cancelled: number;
  /**
   * Open model: requests the schedule called for that were never sent, because more than maxQueued were
   * already waiting for a pool slot, or because they were still waiting when the run stopped. Not part
   * of `sent`, so sent = completed + failed + cancelled still holds. 0 in the closed model; older files
   * lack it.
   */
  dropped?: number;
  /**
   * Retries: attempts beyond the first, over all logical requests (present only when a retry policy
   * applies). `sent` counts logical requests, each once however many attempts it took, so the server
   * sees sent + retries requests (plus warmup.sent + warmup.retries).
   */
  retries?: number;
}

export interface RequestStats {
  counts: Counts;
  /** Completed responses whose status is outside `expect`. */
  unexpectedStatus: number;
  /** (failed + unexpectedStatus) / sent; 0 when nothing was sent. */
  errorRate: number;
  /** Completed responses per second of measured time. */
  rps: number;
  latencyMs: LatencySummary;
  ttfbMs: LatencySummary;
  /**
   * Service time: from the actual send to the whole response, never corrected. Equal to latencyMs in
   * the closed model without --latency-correction. Older files lack it.
   */
  serviceTimeMs?: LatencySummary;
  /**
   * With a retry policy only: latency of first attempts that got a response (from the same start as
   * latencyMs), so retries never hide a slow or failing first try; latencyMs is the with-retries latency
   * of each logical request (backoff included).
   */
  firstTryMs?: LatencySummary;
  /** With a retry policy only: logical requests whose first attempt failed or got a retried status. */
  firstTryFailures?: number;
  statusCodes: Record<string, number>;
  /** Failure classes (connect-refused, timeout, ...) summing to counts.failed. */
  errors: Record<string, number>;
}

export interface SeriesPoint {
  /** Seconds since the measured window began (end of this one-second slice). */
  t: number;
  /** Responses in that second (every step's, with flows: see `arrivals`). */
  requests: number;
  errors: number;
  /**
   * null when no response completed in that second. Computed from that second's own histogram (never by
   * averaging percentiles): `histograms.series[i]` holds it, so merged results recompute them exactly.
   */
  p50: number | null;
  /** Schema 2 and later (older files lack it). */
  p90: number | null;
  p99: number | null;
  /** The generator's own event-loop delay in that second (ms): its P99 and max. */
  eventLoopDelayP99?: number;
  eventLoopDelayMax?: number;
  /** CPU time of the generator's main thread in that second, in % of one core. */
  cpuPercent?: number;
  /** Resident set size of the generator process at the end of that second, in MiB. */
  rssMb?: number;
  /** Open model: arrivals the schedule called for in that second. */
  scheduled?: number;
  /**
   * Open model (schema 3): arrivals started in that second, counted as `scheduled` is (a plain mix's
   * request, a flow's iteration, a mix with flows' entry): the live achieved rate. `requests` counts responses.
   */
  arrivals?: number;
  /** Open model (schema 2): requests dropped in that second (queue full, or still queued at the stop). */
  dropped?: number;
  /** Open model (schema 2): the latest start against the schedule in that second, in ms (the generator's lateness). */
  scheduleLagMax?: number;
  /** Closed model with stages: virtual users running at the end of that second. */
  vus?: number;
}

/** Open model: the schedule against what was sent. */
export interface ArrivalStats {
  /**
   * Time the schedule ran in the measured window: until the deadline, or with -n until the last request
   * scheduled was sent or dropped (the queue drains after the last one is issued: engine/schedule.ts).
   */
  windowMs: number;
  /** Requests the schedule called for in the measured window (sent + dropped; N when -n N ended the run). */
  scheduled: number;
  /** The schedule's rate over the time it issued requests. */
  targetRps: number;
  /**
   * Arrivals started per second of the window, counted as `targetRps` is: a plain mix's requests, a flow's
   * iterations, a mix with flows' entries picked (before the correction, every step sent counted).
   */
  achievedRps: number;
  dropped: number;
  maxQueued: number;
  /** True when the schedule lag crossed `GeneratorStats.limits.scheduleLagP90Ms`: the schedule was not kept. */
  behind: boolean;
}

/** The load generator watching itself, over the measured window. */
export interface GeneratorStats {
  /** perf_hooks.monitorEventLoopDelay (resolution 2 ms), in ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** CPU time of the main thread (process CPU where unavailable) in % of one core: mean and busiest second. */
  cpuPercent: { mean: number; max: number };
  /** True when any limit below was crossed: the figures are limited by this machine, not the target. */
  saturated: boolean;
  /** Each crossed limit in plain words with its number, e.g. "event-loop delay P99 was 38 ms (limit 20 ms)". */
  reasons: string[];
  limits: { eventLoopDelayP99Ms: number; cpuPercent: number; scheduleLagP90Ms: number };
}

/** A summary of the resolved plan as the report and JSON show it (no bodies; credential headers and ${ENV} query values masked). */
/** A flow as the plan summary shows it (schemaVersion 2): its steps are `requests`, in order. */
export interface FlowSummary {
  steps: Array<{ name: string; captures: string[]; think: string | null }>;
  /** The variables its templates may use: data columns, then captures in step order. */
  variables: string[];
}

/** A flow's data file as the plan summary shows it. */
export interface DataSummary {
  file: string;
  format: 'csv' | 'jsonl';
  rows: number;
  columns: string[];
  order: 'sequential' | 'random' | 'unique';
  per: 'iteration' | 'vu';
  onExhausted: 'stop' | 'wrap';
}

export interface PlanSummary {
  name: string;
  source: string | null;
  target: string;
  protocol: string;
  /** The client implementation (schema 2; older files lack it). */
  transport?: 'loadhttp' | 'undici';
  concurrency: number;
  durationMs: number | null;
  iterations: number | null;
  warmupMs: number;
  gracefulStopMs: number;
  defaultDuration: boolean;
  think: string;
  connections: number;
  pipelining: number;
  maxInflight: number;
  timeouts: { connectMs: number; requestMs: number };
  requests: Array<{ name: string; method: string; path: string; weight: number; headers: Record<string, string>; bodyBytes: number }>;
  /** With a `flow:` (then `requests` are its steps, in order). */
  flow?: FlowSummary;
  data?: DataSummary;
  /** The hooks module (`hooks:`), with a flow. */
  hooks?: string;
  /** Several targets (schemaVersion 2): the origins, and how requests are spread over them. */
  targets?: string[];
  balance?: 'round-robin' | 'random' | 'least-inflight';
  /** 'closed' (virtual users) or 'open' (arrival rate); older files lack it (closed). */
  model?: 'closed' | 'open';
  /** Open model: requests per second at the start; null when closed. */
  rate?: number | null;
  /** Linear ramps of the rate (open) or virtual users (closed); targets per second or users. */
  stages?: Array<{ durationMs: number; target: number }>;
  /** Open model: the queue bound before requests are dropped. */
  maxQueued?: number;
  /** How latency is corrected for coordinated omission (see RunResult.latencyCorrection). */
  latencyCorrection?: 'none' | 'intended-start' | 'expected-interval';
  /** The pass/fail gates as written, scenario's first. */
  thresholds?: Array<{ expr: string; abortOnFail: boolean; delayMs: number; line: number | null }>;
  /** HTTP/2: streams per session we allow (the server may lower it: see RunResult.streamsPerSession). */
  maxConcurrentStreams?: number;
  /** TLS settings (file paths, never contents); null for http:// targets. */
  tls?: { insecure: boolean; ca: string | null; cert: string | null; servername: string | null } | null;
}

/** TLS figures of an https:// run. */
export interface TlsSummary {
  /** Certificate verification was off (--insecure / tls.insecure): the report warns. */
  insecure: boolean;
  /** SNI sent (null: none, e.g. an IP target without tls.servername). */
  servername: string | null;
  /** The ALPN offer, in order: [h2, http/1.1] for auto, [h2] for --h2, [http/1.1] for --h1. */
  alpnOffered: string[];
  clientCertificate: boolean;
  /** tls.ca / --ca replaced the system CAs. */
  customCa: boolean;
  /** Every TLS handshake, including the --h2 preflight probe: full ones, and session resumptions. */
  handshakes: { full: number; resumed: number };
  /** TCP connected → TLS handshake done, per connection (not request latency). */
  handshakeMs: LatencySummary;
}

/** A flow's iterations (each runs the steps in order until one fails). */
export interface IterationStats {
  /** Every step succeeded. */
  completed: number;
  /** A step failed (an error, an unexpected status or a failed capture): its later steps were not sent. */
  failed: number;
  /** The run stopped before the iteration's last step. */
  interrupted: number;
  /** Completed iterations per second of measured time. */
  rps: number;
  /** From the iteration's start (open model: its intended start) to its last step's end, completed and failed ones. */
  durationMs: LatencySummary;
}

export interface RunResult extends RequestStats {
  /**
   * 1: written before the firstTry histograms; `compare` and `--baseline` still read it, `merge` does not.
   * 2: before the iteration and target scopes of a baseline comparison; read everywhere.
   */
  schemaVersion: typeof SCHEMA_VERSION | 2 | 1;
  tool: { name: 'loadhttp'; version: string; node: string };
  name: string;
  target: string;
  /** Protocol the connections really used; null when no connection was ever made. */
  protocol: 'h1' | 'h2' | 'h2c' | null;
  /** The client implementation that sent the requests: loadhttp's own, or undici (schema 2; older files lack it). */
  transport?: 'loadhttp' | 'undici';
  /** Connections (h1) or sessions (h2) opened for requests, including reconnects. */
  connectionsOpened: number;
  /** The same, by the protocol each one really used (ALPN / h2c), e.g. { h2: 2 }. Older files lack it. */
  protocols?: Partial<Record<'h1' | 'h2' | 'h2c', number>>;
  /**
   * loadhttp's HTTP/1.1 transport (schema 2): requests written again on a new connection because the one
   * they were pipelined on closed before answering them (each is still counted once, by its outcome).
   * Absent with undici, which resends them without counting.
   */
  resent?: number;
  /** HTTP/2 runs: streams allowed per session, min(plan's maxConcurrentStreams, the server's SETTINGS). */
  streamsPerSession?: number | null;
  /**
   * HTTP/2 runs on loadhttp's transport (schema 2): the most sessions carrying streams at once. Above
   * plan.connections when the server allowed fewer streams per session than planned and more sessions were
   * opened to reach the planned in-flight requests. Null otherwise (undici; HTTP/1.1).
   */
  sessions?: number | null;
  /** https:// runs: verification, ALPN offer, handshakes full vs resumed, handshake time; null for http://. */
  tls?: TlsSummary | null;
  startedAt: string;
  /** Length of the measured window (after warmup) up to the last response or cancellation. */
  durationMs: number;
  /** `retries` only when a retry policy applies. */
  warmup: { durationMs: number; sent: number; retries?: number };
  interrupted: boolean;
  /**
   * Why the run stopped: duration reached, iterations done, interrupted (Ctrl-C / SIGTERM), or
   * 'threshold': an abortOnFail threshold failed during the run (see `thresholdAbort`), or
   * 'data-exhausted': a flow's data file ran out of rows (`data.onExhausted: stop`).
   */
  stopReason: 'duration' | 'iterations' | 'interrupted' | 'threshold' | 'data-exhausted';
  plan: PlanSummary;
  /** Time spent waiting for a pool slot before sending: never part of latency. */
  queueWaitMs: LatencySummary;
  bytes: { sent: number; received: number };
  /** The first few messages of each failure class. */
  errorExamples: Record<string, string[]>;
  requests: Record<string, RequestStats>;
  series: SeriesPoint[];
  /** HdrHistogram compressed base64 (hdr-histogram-js), values in microseconds. */
  histograms: {
    unit: 'us';
    latency: string;
    ttfb: string;
    queueWait: string;
    /** Uncorrected service time (see serviceTimeMs), and the open model's schedule lag. */
    serviceTime?: string;
    scheduleLag?: string;
    /** TLS handshake times (https:// runs). */
    handshake?: string;
    /** With a retry policy only (schemaVersion 2): first attempts' latency (see firstTryMs). */
    firstTry?: string;
    /** With a `flow:` only (schemaVersion 2): iteration durations (see `iterations`). */
    iteration?: string;
    requests: Record<string, { latency: string; ttfb: string; serviceTime?: string; firstTry?: string }>;
    /** With several targets only (schemaVersion 2): per instance. */
    targets?: Record<string, { latency: string; ttfb: string }>;
    /**
     * Schema 2: one latency histogram per `series` point (same index; null for a second with no response),
     * so `loadhttp merge` and --workers add seconds exactly. Corrected like latencyMs.
     */
    series?: Array<string | null>;
  };
  /** With a `flow:` only (schemaVersion 2): iterations, and their duration (`requests` holds each step). */
  iterations?: IterationStats;
  /**
   * With several `targets:` only (schemaVersion 2): per instance (host:port), latency from the send to
   * that instance; `unexpectedStatus` there counts statuses outside 2xx/3xx.
   */
  targets?: Record<string, RequestStats>;
  /** Present when the run failed to measure anything meaningful (exit 3). */
  error?: { class: string; message: string };
  /**
   * Which correction for coordinated omission latencyMs carries: 'none' (closed model: from the actual
   * send), 'intended-start' (open model: from each request's scheduled start, so stalls are not hidden),
   * 'expected-interval' (closed model with --latency-correction: HdrHistogram's correction). Older files
   * lack it.
   */
  latencyCorrection?: 'none' | 'intended-start' | 'expected-interval';
  /** The expected interval of the 'expected-interval' correction, in ms. */
  expectedIntervalMs?: number;
  /**
   * Open model: how late the generator issued each request against its intended start (its own
   * lateness: timers, a busy event loop). Waiting for a pool slot is in queueWaitMs, not here.
   */
  scheduleLagMs?: LatencySummary;
  /** Open model: target against achieved rate, and drops. */
  arrival?: ArrivalStats;
  /** Event-loop delay, CPU, and whether the generator itself was the bottleneck. */
  generator?: GeneratorStats;
  /**
   * Every threshold (the scenario's, then --threshold flags), evaluated on the final figures, in order.
   * `loadhttp run` always writes it (an empty list when there are none); older files may lack it.
   */
  thresholds?: ThresholdOutcome[];
  /** False when a threshold failed or an abortOnFail threshold stopped the run (exit 99). */
  thresholdsPassed?: boolean;
  /** The abortOnFail threshold that stopped the run: its outcome when checked, at `atMs` of measured time. */
  thresholdAbort?: { outcome: ThresholdOutcome; atMs: number };
  /** The comparison with `--baseline FILE` (the base), present when that flag was given. */
  baseline?: { file: string; comparison: Comparison };
  /**
   * Wall-clock time the measured window began (after preflight and warmup): `series` point t ends t
   * seconds after it. `loadhttp merge` aligns the series of several results by it. Older files lack it.
   */
  measureStartedAt?: string;
  /** Worker threads that generated this load (`--workers N`, N > 1); their results are merged exactly. */
  workers?: number;
  /**
   * The run's id, shared by every shard of one run (`--run-id`, LOADHTTP_RUN_ID, or derived from the
   * scenario and --start-at); `loadhttp merge` refuses results of different ids without --force.
   */
  runId?: string;
  /** A digest of the whole (unsplit) plan: shards of the same scenario and settings carry the same one. */
  planDigest?: string;
  /** Sharded runs (`--shard I/N`): this result is part `index` (0-based) of `count`; its plan is its share. */
  shard?: { index: number; count: number };
  /** `--start-at`: when the run was told to begin (it waited until then; `startedAt` is when it did). */
  startAt?: string;
  /** A result made by `loadhttp merge` (see src/merge.ts): what went into it. */
  merged?: MergeSummary;
}

/** How a merged result was put together. */
export interface MergeSummary {
  /** The results merged, in shard order (files as given to `loadhttp merge`). */
  inputs: Array<{ file: string; shard: { index: number; count: number } | null; runId: string | null; startedAt: string }>;
  /** Shard count the inputs declare (null when they carry no shard tag). */
  shardCount: number | null;
  /** Shard indexes (0-based) of `shardCount` with no result among the inputs. */
  missing: number[];
  /** Latest minus earliest start of the measured windows, in ms: how far apart the shards really began. */
  startSkewMs: number;
  /** Shards whose run measured nothing (their result has `error`), left out by --force; also in `missing`. */
  failed?: MergeFailure[];
  /** --force: results of different scenarios or run ids merged as one union. */
  forced: boolean;
  /** Why the inputs did not belong together (empty unless forced). */
  mismatches: string[];
}

/** A shard result that measured nothing, named by `loadhttp merge`. */
export interface MergeFailure {
  file: string;
  shard: { index: number; count: number } | null;
  error: { class: string; message: string };
}

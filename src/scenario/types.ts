// What a scenario file says, validated and with units resolved (durations in ms, bodies as bytes).
// Everything is optional where the CLI may supply or override it; defaults are filled by plan.ts.

import type { SourcePosition } from '../util/errors.ts';
import type { FailureClass } from '../result/failure-classes.ts';
import type { JsonPath } from './json-path.ts';
import type { DataTable } from './data-file.ts';

export type ProtocolChoice = 'h1' | 'h2' | 'auto';

export type Balance = 'round-robin' | 'random' | 'least-inflight';
/** `resolve:` first: connect to a target's name (its first address, per connection); all: one pool per address. */
export type ResolveChoice = 'first' | 'all';

/** Which client sends the requests: loadhttp's own transport, or undici (the reference). */
export type TransportChoice = 'loadhttp' | 'undici';

/** The `retry:` section (scenario/retry.ts reads it; plan/retry.ts fills the defaults). */
export interface ScenarioRetry {
  /** Tries in all, the first included (1 = no retry). */
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  jitter?: 'full' | 'none';
  /** Methods retried (default: the idempotent ones). */
  methods?: string[];
  /** Failure classes retried (default: the transient ones). */
  on?: FailureClass[];
  /** Response statuses retried (default none), e.g. [503]. */
  statuses?: number[];
}

export type Think =
  | { kind: 'none' }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'exponential'; meanMs: number };

/** One linear ramp: the level moves from the previous stage's target to `target` over `durationMs`. */
export interface Stage {
  durationMs: number;
  /** Requests per second (rate stages) or virtual users (concurrency stages). */
  target: number;
}

export interface ScenarioStages {
  kind: 'rate' | 'concurrency';
  stages: Stage[];
}

/** A PEM file from the scenario (path resolved against the scenario file, contents read). */
export interface TlsFile {
  file: string;
  pem: string;
}

export interface ScenarioTls {
  /** Skip certificate verification. */
  insecure?: boolean;
  ca?: TlsFile;
  cert?: TlsFile;
  key?: TlsFile;
  servername?: string;
}

/**
 * What ${ENV} put into the places that carry credentials on the wire (header values, the query, the
 * body): the plan makes secrets of it. Elsewhere (a number in `load:`, the target host) it is no secret.
 */
export interface FromEnv {
  /** Header names (lower-cased) whose value used ${ENV}. */
  headers: string[];
  /** The non-empty values ${ENV} put into those header values, the query and the body. */
  values: string[];
}

export interface ScenarioRequest {
  name: string;
  method: string;
  path: string;
  /** The path as outputs show it, with the query's ${ENV} values masked; present only when it differs. */
  shownPath?: string;
  /** Present only when ${ENV} went into this request's headers, query or body. */
  fromEnv?: FromEnv;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** Request body bytes (from `json`, `body` or `file`), or null. */
  body: Buffer | null;
  weight: number;
  /** Statuses that count as expected; null means any 2xx or 3xx. */
  expectStatus: number[] | null;
  /** This request's `retry:` (over the scenario's, field by field). */
  retry?: ScenarioRetry;
}

/** One `capture:` entry of a flow step: where in the response a value is taken from, and its variable. */
export type Capture =
  | { from: 'json'; path: JsonPath; expr: string; as: string }
  | { from: 'header'; name: string; as: string }
  | { from: 'regex'; pattern: string; as: string };

/** A step of a `flow:`: a request, plus what it captures and its own pause after the response. */
export interface ScenarioStep extends ScenarioRequest {
  captures: Capture[];
  /** The step's `think:` (after its response, before the next step); null = none. */
  think: Think | null;
  /**
   * The key the body came from: a `json:` or `body:` text is a template (in `json:`, values are escaped as
   * JSON string content); a `file:` is sent as its bytes.
   */
  bodyKey: 'json' | 'body' | 'file' | null;
}

/**
 * An entry of `requests:` that is a flow: picked by weight like a plain request, it runs its steps in
 * order as one iteration. Its steps are named `<entry>/<step>` (FLOW_STEP_SEPARATOR).
 */
export interface ScenarioFlowEntry {
  name: string;
  weight: number;
  flow: ScenarioStep[];
}

/** The `data:` section: a CSV (header row) or JSON-lines file whose rows give variables. */
export interface ScenarioData {
  /** Absolute path. */
  file: string;
  order: 'sequential' | 'random' | 'unique';
  /** A row per iteration, or one per virtual user for all its iterations. */
  per: 'iteration' | 'vu';
  /** When the rows run out (unique, or sequential without wrap): stop the run, or start over. */
  onExhausted: 'stop' | 'wrap';
  /** The rows, in shared memory; `table.columns` are the variables (the header row, or the first JSON line's keys). */
  table: DataTable;
}

/**
 * A pass/fail gate from the scenario's `thresholds:` list. The expression is kept as written (not parsed
 * here); `position` points at it so whoever parses it can report errors at file:line:col.
 */
export interface ScenarioThreshold {
  expr: string;
  /** Stop the run as soon as the threshold fails (default false). */
  abortOnFail: boolean;
  /** Do not evaluate before this much measured time has passed (default 0). */
  delayMs: number;
  position: SourcePosition;
  /**
   * Column of the expression's first character (one past an opening quote), so that an offset into a
   * single-line `expr` maps to `exprCol + offset` on `position.line`.
   */
  exprCol: number;
}

export interface Scenario {
  /** The file it came from (for messages), or null when built from CLI flags only. */
  file: string | null;
  name: string | undefined;
  /** An http: or https: origin (a path, if given, is ignored for requests with their own path). */
  target: string | undefined;
  /** `targets:` several origins of one service, all http: or all https:, balanced (then `target` is the first). */
  targets?: string[];
  /** How requests are spread over `targets` or, with `resolve: all`, addresses (default round-robin). */
  balance?: Balance;
  /** `resolve:` (default first). */
  resolve?: ResolveChoice;
  protocol: ProtocolChoice | undefined;
  /** `protocol: [h1, h2]`: run once per protocol and compare them (then `protocol` is undefined). */
  compareProtocols?: ProtocolChoice[];
  /** `transport:` (default: loadhttp's own). */
  transport?: TransportChoice;
  /** The `tls:` section (https:// targets). */
  tls: ScenarioTls;
  load: {
    concurrency?: number;
    durationMs?: number;
    iterations?: number;
    warmupMs?: number;
    think?: Think;
    /** How long in-flight requests may take to finish after the deadline before they are cancelled. */
    gracefulStopMs?: number;
    /** Open model: requests per second (from `rate: 500/s`); with `stages`, the rate they ramp from. */
    rate?: number;
    /** Open model: scheduled requests that may wait for a pool slot before further ones are dropped. */
    maxQueued?: number;
    /** Linear ramps: of the arrival rate (`{duration, rate}`) or of the virtual users (`{duration, concurrency}`). */
    stages?: ScenarioStages;
    /** Closed model: apply HdrHistogram's expected-interval correction (`--latency-correction`). */
    latencyCorrection?: boolean;
  };
  pool: {
    connections?: number;
    pipelining?: number;
    maxInflight?: number;
    /** HTTP/2: streams in flight per session. */
    maxConcurrentStreams?: number;
  };
  timeouts: {
    connectMs?: number;
    requestMs?: number;
    /** Idle: from the send to the response headers. */
    headersMs?: number;
    /** Idle: the longest gap between two body chunks (or the headers and the first chunk). */
    bodyMs?: number;
  };
  /** Headers sent with every request (names lower-cased); a request's own headers win. */
  headers: Record<string, string>;
  /** The plain requests of `requests:` (its flow entries are in `mix`). */
  requests: ScenarioRequest[];
  /** `requests:` in order, when at least one entry is a flow; absent otherwise (then `requests` is the mix). */
  mix?: Array<ScenarioRequest | ScenarioFlowEntry>;
  /** `flow:`: steps run in order per iteration (then `requests` is empty). */
  flow?: ScenarioStep[];
  /** `data:` (with a flow, or a flow entry). */
  data?: ScenarioData;
  /** `hooks:` (with a flow, or a flow entry): the hooks module's absolute path. */
  hooks?: string;
  /** `redact:` header names (lower-cased) whose values are masked in every output, beside Authorization, Cookie, ... */
  redact?: string[];
  /** Present only when ${ENV} went into the scenario's `headers:`. */
  fromEnv?: FromEnv;
  /** The scenario's `retry:` for every request (a request's own `retry:` overrides it field by field). */
  retry?: ScenarioRetry;
  /** Thresholds from the file, in order (empty when none). */
  thresholds: ScenarioThreshold[];
  /** `workers:` worker threads generating the load (a number, or auto: the cores less one). */
  workers?: number | 'auto';
  /** `metrics:` live metrics while the run lasts (see scenario/metrics.ts). */
  metrics?: ScenarioMetrics;
}

/** `metrics:`: a Prometheus endpoint (port, host, linger after the run) and/or an OTLP/HTTP push. */
export interface ScenarioMetrics {
  port?: number;
  host?: string;
  lingerMs?: number;
  otlp?: string;
  /** Present only when ${ENV} put values into the OTLP URL's query: the URL with them masked, and the values. */
  otlpShown?: string;
  otlpFromEnv?: string[];
  otlpIntervalMs?: number;
  /** Latency histogram bucket bounds, ascending. */
  bucketsMs?: number[];
}

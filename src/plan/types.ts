// The Plan: everything the engine reads, resolved once by buildPlan (plan.ts) and frozen; and the
// command-line overrides it is built from. Types only.
import type { Balance, Capture, ResolveChoice, ProtocolChoice, ScenarioData, Stage, Think, TransportChoice } from '../scenario/types.ts';
import type { TemplatePart } from '../scenario/template.ts';
import type { PlannedTls, ProtocolOverrides } from './protocol.ts';
import type { LatencyCorrection, LoadModel } from './load.ts';
import type { PlannedThreshold } from './thresholds.ts';
import type { RetryPolicy } from './retry.ts';

export interface PlannedRequest {
  name: string;
  method: string;
  path: string;
  /** Flat [name, value, name, value, ...] as undici takes them; scenario + request headers merged. */
  headers: string[];
  /** The path as outputs show it: what ${ENV} put into the query is masked where it stands. */
  shownPath: string;
  /** The headers as outputs show them: credential values masked whole (plan/secrets.ts). */
  shownHeaders: Record<string, string>;
  body: Buffer | null;
  weight: number;
  /**
   * Upper bound of this request's slice of [0, 1) in the weighted pick. Every step of a flow carries its
   * entry's bound (and weight), so the pick (engine/vu.ts pickRequest) lands on the entry's first step.
   */
  cumulative: number;
  expectStatus: number[] | null;
  /** The request's `retry:` over the scenario's, resolved; null = no retries (or a method not retried). */
  retry: RetryPolicy | null;
}

/** The parts of a flow step's templated strings; null where the string has no template. */
export interface StepTemplates {
  path: TemplatePart[] | null;
  /** One per header of the request's flat list (the value at 2i + 1). */
  headers: Array<TemplatePart[] | null>;
  body: TemplatePart[] | null;
  /** The body is JSON text: values go in escaped as JSON string content. */
  jsonBody: boolean;
}

export interface PlannedStep {
  /** null: the step's request has no template and is sent as planned. */
  templates: StepTemplates | null;
  captures: Capture[];
  /** Pause after this step's response (before the next step); null = none. */
  think: Think | null;
}

/** One flow: its steps are plan.requests[first], [first + 1], ..., in order; an iteration runs them all. */
export interface PlannedFlowEntry {
  /** A flow entry of `requests:`: its name (its steps are named `<name>/<step>`); null for a top-level `flow:`. */
  name: string | null;
  first: number;
  steps: PlannedStep[];
}

/**
 * The plan's flows: a top-level `flow:` (one entry; every request is its step), or the flow entries of a
 * mix (the requests in none of them are the mix's plain requests, each an entry of its own).
 */
export interface PlannedFlow {
  entries: PlannedFlowEntry[];
}

/** `data:`: the rows and the part of them this plan takes: rows offset, offset + stride, ... (split.ts). */
export interface PlannedData extends ScenarioData {
  offset: number;
  stride: number;
}

export interface Plan {
  name: string;
  source: string | null;
  /** Origin only: scheme://host:port (with several targets, the first). */
  target: string;
  /** Every origin requests go to, each with its own pool: `[target]`, or the scenario's `targets:`. */
  targets: string[];
  /** How requests are spread over several targets (or the addresses of `resolve: all`). */
  balance: Balance;
  /**
   * first: each target is one instance, its name resolved per connection; all: each target's name is
   * resolved once at the start of the run and every address is an instance of its own (engine).
   */
  resolve: ResolveChoice;
  protocol: ProtocolChoice;
  /** `--compare-protocols` / `protocol: [h1, h2]`: run once per protocol (the CLI re-plans each); else null. */
  compareProtocols: ProtocolChoice[] | null;
  tls: PlannedTls;
  /** The client implementation: loadhttp's own transport, or undici (the reference). */
  transport: TransportChoice;
  load: {
    /** 'closed': virtual users loop (send, wait, think); 'open': requests start on a schedule (rate, stages). */
    model: LoadModel;
    /**
     * Closed model: virtual users at the start (stages ramp from there); 0 in the open model. (The
     * scenario's `load.concurrency` and -c set this in the closed model, `inflightCap` in the open one.)
     */
    users: number;
    /** Open model: the most requests in flight at once (it sizes the default pool); 0 in the closed model. */
    inflightCap: number;
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
  /** `flow:` (then `requests` are its steps in order), or a mix's flow entries; null for a mix of plain requests. */
  flow: PlannedFlow | null;
  /** `data:` (with a flow), or null. */
  data: PlannedData | null;
  /** `hooks:` (with a flow): the module's absolute path, loaded by each worker; or null. */
  hooks: string | null;
  /**
   * A flow's `{{vu}}` numbers in this plan: its k-th virtual user (or arrival) is offset + (k - 1) × stride
   * + 1, so the parts of a split plan (split.ts) number theirs apart: {0, 1} for a whole plan.
   */
  vuNumbers: { offset: number; stride: number };
  /**
   * Values the outputs mask wherever they appear, longest first: the credentials that reach the wire
   * (plan/secrets.ts), of 4 characters or more. Figures are never masked, so thresholds, compare and
   * merge see them whole.
   */
  secrets: string[];
  /** Parsed pass/fail gates: the scenario's, then --threshold flags (see plan-thresholds.ts). */
  thresholds: PlannedThreshold[];
  /** Worker threads that generate the load, each running its exact part (split.ts); 1 = this thread. */
  workers: number;
  /** Live metrics while the run lasts (plan/metrics.ts); null when not asked for. */
  metrics: PlannedMetrics | null;
}

/** A Prometheus endpoint (port null: none) and/or an OTLP/HTTP push (otlp null: none). */
export interface PlannedMetrics {
  /** 0 picks a free port (the one in use is printed). */
  port: number | null;
  host: string;
  /** After the run and its result files, the endpoint serves the final figures this long. */
  lingerMs: number;
  /** The full OTLP/HTTP metrics URL (…/v1/metrics). */
  otlp: string | null;
  /** The same as outputs show it: userinfo, and what ${ENV} put into the query, masked where they stand. */
  shownOtlp: string | null;
  otlpIntervalMs: number;
  /** Latency histogram bucket bounds in seconds, ascending; null = the exposition's defaults. */
  bucketsS: number[] | null;
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
  metricsPort?: number;
  metricsHost?: string;
  metricsLingerMs?: number;
  otlp?: string;
  otlpIntervalMs?: number;
  metricsBucketsMs?: number[];
}

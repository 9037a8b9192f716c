// Command-line values → typed overrides. Every bad value is a UsageError that names the flag.
import { parseDuration } from '../util/duration.ts';
import { UsageError } from '../util/errors.ts';
import { fieldValueProblem, isToken } from '../util/field-value.ts';
import { RATE_HELP, parseRate } from '../util/rate.ts';
import type { Overrides } from '../plan/types.ts';
import type { ProtocolChoice, ScenarioTls, Think, TlsFile, TransportChoice } from '../scenario/types.ts';
import { TRANSPORTS } from '../scenario/transport.ts';
import { readPemFile } from '../util/pem.ts';
import { readFileOrFail } from '../util/read-file.ts';
import path from 'node:path';
import { isHttpUrl } from '../scenario/metrics.ts';

export interface RunFlags {
  url?: string;
  protocol?: string;
  transport?: string;
  h1?: boolean;
  h2?: boolean;
  concurrency?: string;
  duration?: string;
  iterations?: string;
  warmup?: string;
  think?: string;
  connections?: string;
  pipelining?: string;
  maxInflight?: string;
  method?: string;
  header?: string[];
  body?: string;
  timeout?: string;
  headersTimeout?: string;
  bodyTimeout?: string;
  rate?: string;
  maxQueued?: string;
  latencyCorrection?: boolean;
  maxConcurrentStreams?: string;
  streams?: string;
  compareProtocols?: boolean;
  insecure?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  threshold?: string[];
  workers?: string;
  metricsPort?: string;
  metricsHost?: string;
  metricsLinger?: string;
  otlp?: string;
  otlpInterval?: string;
  metricsBuckets?: string;
}

export function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`${flag}: "${text}" is not a whole number >= 1`);
  return Number(text);
}

/** A TCP port to listen on: 0 (any free one) to 65535. */
export function port(flag: string, text: string): number {
  const value = nonNegativeInt(flag, text)!;
  if (value > 65535) throw new UsageError(`${flag}: ${value} is not a port (0 to 65535)`);
  return value;
}

function nonNegativeInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag}: "${text}" is not a whole number >= 0`);
  return Number(text);
}

/** --rate 500, 500/s, 30/m: the open model's requests per second. */
function rate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const perSecond = parseRate(text);
  if (perSecond === undefined) throw new UsageError(`--rate: "${text}" is not a rate > 0 (${RATE_HELP})`);
  return perSecond;
}

export function duration(flag: string, text: string | undefined, allowZero = false): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text, 's');
  if (ms === undefined || (!allowZero && ms === 0)) {
    throw new UsageError(`${flag}: "${text}" is not a duration${allowZero ? '' : ' > 0'} (e.g. 500ms, 30s, 5m; a bare number is seconds)`);
  }
  return ms;
}

/** An allowed regression: "10%" or the fraction "0.1" (a bare number ≥ 1 is refused as ambiguous). */
export function regressionAllowance(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(text);
  const value = m ? Number(m[1]) : NaN;
  if (!m || !Number.isFinite(value)) throw new UsageError(`${flag}: "${text}" is not a percentage (e.g. 10% or the fraction 0.1)`);
  if (m[2] === '%') return value / 100;
  if (value >= 1) throw new UsageError(`${flag}: "${text}" is ambiguous: write ${value}% (or the fraction ${value / 100})`);
  return value;
}

/** "50ms..250ms" (uniform), "100ms" (fixed), "exp:100ms" (exponential with that mean), "0" (none). */
export function think(text: string | undefined): Think | undefined {
  if (text === undefined) return undefined;
  const hint = 'use 50ms..250ms (uniform), 100ms (fixed), exp:100ms (exponential mean) or 0';
  const one = (part: string) => {
    const ms = parseDuration(part, 'ms');
    if (ms === undefined) throw new UsageError(`--think: "${text}" is not a think time (${hint})`);
    return ms;
  };
  if (text.startsWith('exp:')) return { kind: 'exponential', meanMs: one(text.slice(4)) };
  const [min, max, extra] = text.split('..');
  if (extra !== undefined) throw new UsageError(`--think: "${text}" is not a think time (${hint})`);
  const minMs = one(min!);
  const maxMs = max === undefined ? minMs : one(max);
  if (maxMs < minMs) throw new UsageError(`--think: the minimum ${min} is above the maximum ${max}`);
  return maxMs === 0 ? { kind: 'none' } : { kind: 'uniform', minMs, maxMs };
}

function protocol(flags: RunFlags): ProtocolChoice | undefined {
  const chosen = [flags.h1 && 'h1', flags.h2 && 'h2', flags.protocol].filter(Boolean) as string[];
  if (new Set(chosen).size > 1) throw new UsageError(`conflicting protocol flags: ${chosen.join(', ')}`);
  const value = chosen[0];
  if (value === undefined) return undefined;
  if (value !== 'h1' && value !== 'h2' && value !== 'auto') throw new UsageError(`--protocol: "${value}" is not one of h1, h2, auto`);
  return value;
}

function transport(text: string | undefined): TransportChoice | undefined {
  if (text === undefined) return undefined;
  const chosen = TRANSPORTS.find((t) => t === text.trim().toLowerCase());
  if (chosen === undefined) throw new UsageError(`--transport: "${text}" is not one of ${TRANSPORTS.join(', ')}`);
  return chosen;
}

function headers(list: string[] | undefined): Record<string, string> | undefined {
  if (!list || list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const line of list) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    if (!isToken(name)) throw new UsageError(`--header: "${line}" is not "Name: value"`);
    const value = line.slice(colon + 1).trim();
    const problem = fieldValueProblem(value);
    if (problem !== null) throw new UsageError(`--header: the value of ${name}: ${problem}`);
    out[name] = value;
  }
  return out;
}

/** --body "text" sends the text; --body @file sends the file's bytes (curl's convention). */
function body(text: string | undefined): Buffer | undefined {
  if (text === undefined) return undefined;
  if (!text.startsWith('@')) return Buffer.from(text);
  return readFileOrFail(text.slice(1), (why) => {
    throw new UsageError(`--body: cannot read ${text.slice(1)}: ${why}`);
  });
}

/** --max-concurrent-streams, or its short alias --streams. */
function streams(flags: RunFlags): number | undefined {
  const long = positiveInt('--max-concurrent-streams', flags.maxConcurrentStreams);
  const short = positiveInt('--streams', flags.streams);
  if (long !== undefined && short !== undefined && long !== short) {
    throw new UsageError(`--streams is an alias of --max-concurrent-streams: give one (got ${short} and ${long})`);
  }
  return long ?? short;
}

/** --insecure, --ca FILE, --cert FILE, --key FILE, --servername NAME (files read now: nothing is sent yet). */
function tls(flags: RunFlags): ScenarioTls | undefined {
  const out: ScenarioTls = {};
  if (flags.insecure) out.insecure = true;
  if (flags.ca !== undefined) out.ca = pemFile('--ca', flags.ca, 'CERTIFICATE');
  if (flags.cert !== undefined) out.cert = pemFile('--cert', flags.cert, 'CERTIFICATE');
  if (flags.key !== undefined) out.key = pemFile('--key', flags.key, 'PRIVATE KEY');
  if (flags.servername !== undefined) {
    if (flags.servername.trim() === '') throw new UsageError('--servername: must not be empty');
    out.servername = flags.servername.trim();
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function pemFile(flag: string, file: string, kind: string): TlsFile {
  const pem = readPemFile(file, kind, (message) => {
    throw new UsageError(`${flag}: ${message}`);
  });
  return { file: path.resolve(file), pem };
}

/** --otlp URL: the collector (http://collector:4318) or its full metrics URL. */
function otlp(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!isHttpUrl(text.trim())) throw new UsageError(`--otlp: "${text}" is not an http: or https: URL (e.g. http://collector:4318)`);
  return text.trim();
}

/** --metrics-buckets 1ms,5ms,25ms,100ms,1s: latency bucket bounds, ascending. */
function buckets(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((part) => duration('--metrics-buckets', part.trim())!);
  list.forEach((ms, i) => {
    if (i > 0 && ms <= list[i - 1]!) throw new UsageError(`--metrics-buckets: bounds must ascend ("${text}")`);
  });
  return list;
}

function host(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === '') throw new UsageError(`${flag}: must not be empty (e.g. 0.0.0.0 to listen on every interface)`);
  return text.trim();
}

export function toOverrides(flags: RunFlags): Overrides {
  const overrides: Overrides = {
    url: flags.url,
    protocol: protocol(flags),
    transport: transport(flags.transport),
    concurrency: positiveInt('--concurrency', flags.concurrency),
    durationMs: duration('--duration', flags.duration),
    iterations: positiveInt('--iterations', flags.iterations),
    warmupMs: duration('--warmup', flags.warmup, true),
    think: think(flags.think),
    connections: positiveInt('--connections', flags.connections),
    pipelining: positiveInt('--pipelining', flags.pipelining),
    maxInflight: positiveInt('--max-inflight', flags.maxInflight),
    method: flags.method?.toUpperCase(),
    headers: headers(flags.header),
    body: body(flags.body),
    requestTimeoutMs: duration('--timeout', flags.timeout),
    headersTimeoutMs: duration('--headers-timeout', flags.headersTimeout),
    bodyTimeoutMs: duration('--body-timeout', flags.bodyTimeout),
    rate: rate(flags.rate),
    maxQueued: nonNegativeInt('--max-queued', flags.maxQueued),
    latencyCorrection: flags.latencyCorrection,
    maxConcurrentStreams: streams(flags),
    compareProtocols: flags.compareProtocols,
    tls: tls(flags),
    thresholds: flags.threshold,
    workers: flags.workers === undefined ? undefined : flags.workers.trim() === 'auto' ? 'auto' : positiveInt('--workers', flags.workers),
    metricsPort: flags.metricsPort === undefined ? undefined : port('--metrics-port', flags.metricsPort),
    metricsHost: host('--metrics-host', flags.metricsHost),
    metricsLingerMs: duration('--metrics-linger', flags.metricsLinger, true),
    otlp: otlp(flags.otlp),
    otlpIntervalMs: duration('--otlp-interval', flags.otlpInterval),
    metricsBucketsMs: buckets(flags.metricsBuckets),
  };
  if (overrides.method !== undefined && !/^[A-Z]+$/.test(overrides.method)) {
    throw new UsageError(`--method: "${flags.method}" is not an HTTP method`);
  }
  // Drop the keys that were not given, so `?? scenario value` works in buildPlan.
  return Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Overrides;
}

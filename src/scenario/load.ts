// Scenario files (YAML, or JSON, which is YAML too) -> a validated Scenario. Every problem is a
// ScenarioError at file:line:col with the dotted key (`load.think.min`, `requests[1].method`).
import { isMap, isScalar } from 'yaml';
import { ScenarioError, type SourcePosition } from '../util/errors.ts';
import type { Scenario, ScenarioThreshold, Think } from './types.ts';
import {
  type Ctx,
  type Field,
  asSeq,
  bool,
  childPath,
  deref,
  describe,
  duration,
  envValues,
  fail,
  fields,
  headerMap,
  int,
  anyFromEnv,
  isNull,
  noneFromEnv,
  nonEmptyStr,
  oneOf,
  opt,
  positionAt,
  positionOf,
  shown,
  str,
} from './nodes.ts';
import { checkLoadModel, readRate, readStages } from './load-model.ts';
import { asWrittenHeaders } from './requests.ts';
import { checkHeaderTemplates, readFlow } from './flow.ts';
import { readMix } from './mix.ts';
import { hasTemplate } from './template.ts';
import { readData, readHooksFile } from './data.ts';
import { readProtocols, readTls } from './tls.ts';
import { readRetry } from './retry.ts';
import { readWorkers } from './workers.ts';
import { readMetrics } from './metrics.ts';
import { readTransport } from './transport.ts';
import { parseYaml, readScenarioFile } from './yaml.ts';
import { isToken } from '../util/field-value.ts';

const TOP_KEYS = ['name', 'target', 'targets', 'balance', 'resolve', 'protocol', 'transport', 'tls', 'load', 'pool', 'timeouts', 'headers', 'requests', 'flow', 'data', 'hooks', 'thresholds', 'retry', 'redact', 'workers', 'metrics'];
const LOAD_KEYS = [
  'concurrency',
  'duration',
  'iterations',
  'warmup',
  'gracefulStop',
  'think',
  'rate',
  'maxQueued',
  'stages',
  'latencyCorrection',
];
const POOL_KEYS = ['connections', 'pipelining', 'maxInflight', 'maxConcurrentStreams'];
const TIMEOUT_KEYS = ['connect', 'request', 'headers', 'body'];
const THINK_KEYS = ['min', 'max', 'mean'];
const THRESHOLD_KEYS = ['expr', 'abortOnFail', 'delay'];


/** Reads and validates a scenario file. */
export function loadScenario(file: string): Scenario {
  return parseScenario(readScenarioFile(file), file);
}

/**
 * Validates scenario text. `file` is used in messages and to resolve relative `file:` bodies; `env`
 * supplies ${VAR} values (process.env unless given).
 */
export function parseScenario(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Scenario {
  const ctx = parseYaml(text, file, env);
  if (isNull(ctx.doc.contents)) {
    throw new ScenarioError(`the scenario is empty (expected a map with keys ${TOP_KEYS.join(', ')})`, positionAt(ctx, 0));
  }
  const top = fields(ctx, ctx.doc.contents, '', TOP_KEYS);
  const fromEnv = noneFromEnv();
  const scenario: Omit<Scenario, 'requests' | 'thresholds'> = {
    file,
    name: opt(top, 'name', (f) => nonEmptyStr(ctx, f.value, f.path)),
    target: opt(top, 'target', (f) => readTarget(ctx, f)),
    protocol: undefined,
    ...opt(top, 'protocol', (f) => readProtocols(ctx, f)),
    ...opt(top, 'transport', (f) => ({ transport: readTransport(ctx, f) })),
    tls: readTls(ctx, top.get('tls')),
    load: readLoad(ctx, top.get('load')),
    pool: readPool(ctx, top.get('pool')),
    timeouts: readTimeouts(ctx, top.get('timeouts')),
    headers: opt(top, 'headers', (f) => headerMap(ctx, f.value, f.path, fromEnv)) ?? {},
    ...(anyFromEnv(fromEnv) && { fromEnv }),
    ...opt(top, 'retry', (f) => ({ retry: readRetry(ctx, f) })),
    ...opt(top, 'redact', (f) => ({ redact: readRedact(ctx, f) })),
    ...opt(top, 'workers', (f) => ({ workers: readWorkers(ctx, f) })),
    ...opt(top, 'metrics', (f) => ({ metrics: readMetrics(ctx, f) })),
  };
  const targetsField = top.get('targets');
  if (targetsField !== undefined) {
    if (top.has('target')) fail(ctx, targetsField.keyNode, 'targets', 'give either `target:` (one origin) or `targets:` (several), not both');
    const targets = readTargets(ctx, targetsField);
    scenario.targets = targets;
    scenario.target = targets[0];
  }
  const resolveField = top.get('resolve');
  if (resolveField !== undefined) scenario.resolve = oneOf(ctx, resolveField, RESOLVES);
  const balanceField = top.get('balance');
  if (balanceField !== undefined) {
    if (targetsField === undefined && scenario.resolve !== 'all') {
      fail(ctx, balanceField.keyNode, 'balance', 'balance spreads requests over `targets:` (give several) or, with `resolve: all`, over the addresses of a name');
    }
    scenario.balance = oneOf(ctx, balanceField, BALANCES);
  }
  const data = opt(top, 'data', (f) => readData(ctx, f));
  const flowField = top.get('flow');
  const requestsField = top.get('requests');
  if (flowField !== undefined && requestsField !== undefined) {
    const weighted = 'to run a flow beside requests, make it an entry of `requests:` (- { name: checkout, weight: 1, flow: [...] })';
    fail(ctx, flowField.keyNode, flowField.path, `give either \`flow:\` (steps in order) or \`requests:\` (a weighted mix), not both; ${weighted}`);
  }
  // Requests need the scenario headers (a json body's content-type defers to them), flow entries the data columns.
  const mix = readMix(ctx, requestsField, scenario.headers, data?.table.columns ?? [], readThink);
  const anyFlow = flowField !== undefined || mix.entries !== null;
  const needsFlow = 'add one, or a flow entry to `requests:` (a flow of one step sends one request)';
  if (data !== undefined && !anyFlow) {
    fail(ctx, top.get('data')!.keyNode, 'data', `data rows fill the variables of a \`flow:\`; ${needsFlow}`);
  }
  const hooksField = top.get('hooks');
  if (hooksField !== undefined && !anyFlow) {
    fail(ctx, hooksField.keyNode, 'hooks', `hooks run in the steps of a \`flow:\`; ${needsFlow}`);
  }
  const hooks = hooksField && readHooksFile(ctx, hooksField);
  const flow = flowField && readFlow(ctx, flowField, scenario.headers, data?.table.columns ?? [], readThink);
  // Without a flow the scenario's headers are sent as written; in one they are templates of every step. In a
  // mix with flow entries they go to its plain requests as well, which send them as written: no `{{` there.
  const headersField = top.get('headers');
  if (headersField !== undefined) {
    if (flow) checkHeaderTemplates(ctx, headersField, scenario.headers);
    else if (mix.entries !== null && Object.values(scenario.headers).some(hasTemplate)) {
      fail(ctx, headersField.value, headersField.path, 'in a mix with flow entries these headers go to its plain requests too: give templates (or a `{{{{` escape) in the steps\' own headers');
    } else scenario.headers = asWrittenHeaders(ctx, headersField, scenario.headers);
  }
  return {
    ...scenario,
    requests: mix.requests,
    ...(mix.entries && { mix: mix.entries }),
    ...(flow && { flow }),
    ...(data && { data }),
    ...(hooks && { hooks }),
    thresholds: readThresholds(ctx, top.get('thresholds')),
  };
}

// ---------------------------------------------------------------------------------------------------
// Sections

/** The fields of an optional section map (absent or empty = no fields). */
function section(ctx: Ctx, field: Field | undefined, accepted: readonly string[]): Map<string, Field> {
  return field === undefined ? new Map() : fields(ctx, field.value, field.path, accepted, true);
}

/** Drops keys whose value is undefined, so absent settings stay absent. */
function compact<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

function readTarget(ctx: Ctx, field: Field): string {
  const text = nonEmptyStr(ctx, field.value, field.path).trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(ctx, field.value, field.path, `${shown(field.value, text)} is not a valid URL (use e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(ctx, field.value, field.path, `scheme ${url.protocol} is not supported (use an http: or https: URL, e.g. http://127.0.0.1:8080)`);
  }
  return text;
}

const BALANCES = ['round-robin', 'random', 'least-inflight'] as const;
const RESOLVES = ['first', 'all'] as const;

/**
 * `targets:` two or more distinct origins (each gets its own connection pool), all http: or all https:
 * (instances of one service share a scheme; one scheme also keeps one meaning for --h2 and one TLS summary).
 */
function readTargets(ctx: Ctx, field: Field): string[] {
  const seq = asSeq(ctx, field.value, field.path, 'a list of at least two origins, e.g. [http://10.0.0.1:8080, http://10.0.0.2:8080]');
  if (seq.items.length < 2) fail(ctx, seq, field.path, 'give at least two origins (one is `target:`)');
  const seen = new Set<string>();
  let scheme: string | null = null;
  return seq.items.map((item, i) => {
    const text = readTarget(ctx, { ...field, value: item, path: `${field.path}[${i}]` });
    const url = new URL(text);
    scheme ??= url.protocol;
    if (url.protocol !== scheme) {
      fail(ctx, item, `${field.path}[${i}]`, `all targets use one scheme: ${field.path}[0] is ${scheme}//, this one ${url.protocol}// (instances of one service are all http:// or all https://)`);
    }
    if (seen.has(url.host)) fail(ctx, item, `${field.path}[${i}]`, `${url.host} is listed twice`);
    seen.add(url.host);
    return text;
  });
}

function readLoad(ctx: Ctx, field: Field | undefined): Scenario['load'] {
  const f = section(ctx, field, LOAD_KEYS);
  const stages = opt(f, 'stages', (c) => readStages(ctx, c));
  checkLoadModel(ctx, f, stages);
  return compact({
    concurrency: opt(f, 'concurrency', (c) => int(ctx, c.value, c.path, 1)),
    durationMs: opt(f, 'duration', (c) => duration(ctx, c.value, c.path, true)),
    iterations: opt(f, 'iterations', (c) => int(ctx, c.value, c.path, 1)),
    warmupMs: opt(f, 'warmup', (c) => duration(ctx, c.value, c.path, false)),
    gracefulStopMs: opt(f, 'gracefulStop', (c) => duration(ctx, c.value, c.path, false)),
    think: opt(f, 'think', (c) => readThink(ctx, c.value, c.path)),
    rate: opt(f, 'rate', (c) => readRate(ctx, c.value, c.path)),
    maxQueued: opt(f, 'maxQueued', (c) => int(ctx, c.value, c.path, 0)),
    stages,
    latencyCorrection: opt(f, 'latencyCorrection', (c) => bool(ctx, c.value, c.path)),
  });
}

function readPool(ctx: Ctx, field: Field | undefined): Scenario['pool'] {
  const f = section(ctx, field, POOL_KEYS);
  return compact({
    connections: opt(f, 'connections', (c) => int(ctx, c.value, c.path, 1)),
    pipelining: opt(f, 'pipelining', (c) => int(ctx, c.value, c.path, 1)),
    maxInflight: opt(f, 'maxInflight', (c) => int(ctx, c.value, c.path, 1)),
    maxConcurrentStreams: opt(f, 'maxConcurrentStreams', (c) => int(ctx, c.value, c.path, 1)),
  });
}

function readTimeouts(ctx: Ctx, field: Field | undefined): Scenario['timeouts'] {
  const f = section(ctx, field, TIMEOUT_KEYS);
  return compact({
    connectMs: opt(f, 'connect', (c) => duration(ctx, c.value, c.path, true)),
    requestMs: opt(f, 'request', (c) => duration(ctx, c.value, c.path, true)),
    headersMs: opt(f, 'headers', (c) => duration(ctx, c.value, c.path, true)),
    bodyMs: opt(f, 'body', (c) => duration(ctx, c.value, c.path, true)),
  });
}

/** `redact: [x-api-key, ...]`: header names whose values never appear in an output. */
function readRedact(ctx: Ctx, field: Field): string[] {
  const seq = asSeq(ctx, field.value, field.path, 'a list of header names, e.g. [x-api-key]');
  return seq.items.map((item, i) => {
    const name = str(ctx, item, `${field.path}[${i}]`).trim().toLowerCase();
    if (!isToken(name)) fail(ctx, item, `${field.path}[${i}]`, `${JSON.stringify(name)} is not a header name`);
    return name;
  });
}

// ---------------------------------------------------------------------------------------------------
// Think time

const NO_THINK: Think = { kind: 'none' };

/** A fixed duration, `{min, max}` (uniform), `{mean}` (exponential), or 0 for none. */
function readThink(ctx: Ctx, raw: unknown, key: string): Think {
  const node = deref(ctx, raw, key);
  if (isMap(node)) return readThinkMap(ctx, node, key);
  if (isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'string')) {
    const ms = duration(ctx, node, key, false);
    return ms === 0 ? NO_THINK : { kind: 'uniform', minMs: ms, maxMs: ms };
  }
  return fail(ctx, node, key, `expected a duration, {min, max} (uniform), {mean} (exponential) or 0 (none), got ${describe(node)}`);
}

function readThinkMap(ctx: Ctx, node: unknown, key: string): Think {
  const f = fields(ctx, node, key, THINK_KEYS);
  const mean = f.get('mean');
  const min = f.get('min');
  const max = f.get('max');
  if (mean !== undefined) {
    if (min !== undefined || max !== undefined) {
      fail(ctx, mean.keyNode, mean.path, 'give either min and max (uniform) or mean (exponential), not both');
    }
    return { kind: 'exponential', meanMs: duration(ctx, mean.value, mean.path, true) };
  }
  if (min === undefined || max === undefined) {
    const missing = min === undefined ? 'min' : 'max';
    fail(ctx, (min ?? max)?.keyNode ?? node, childPath(key, missing), `missing \`${missing}\` (think takes both min and max, or mean)`);
  }
  const minMs = duration(ctx, min.value, min.path, false);
  const maxMs = duration(ctx, max.value, max.path, false);
  if (minMs > maxMs) fail(ctx, min.value, min.path, `min (${minMs}ms) is greater than max (${maxMs}ms); min must be <= max`);
  return maxMs === 0 ? NO_THINK : { kind: 'uniform', minMs, maxMs };
}

// ---------------------------------------------------------------------------------------------------
// Thresholds (the expressions are parsed elsewhere; here they are only collected with positions)

function readThresholds(ctx: Ctx, field: Field | undefined): ScenarioThreshold[] {
  if (field === undefined) return [];
  const seq = asSeq(ctx, field.value, field.path, 'a list of threshold expressions');
  return seq.items.map((item, i) => readThreshold(ctx, item, `${field.path}[${i}]`));
}

function readThreshold(ctx: Ctx, raw: unknown, key: string): ScenarioThreshold {
  const node = deref(ctx, raw, key);
  if (isScalar(node)) {
    return { expr: nonEmptyStr(ctx, node, key), abortOnFail: false, delayMs: 0, ...exprPosition(ctx, node) };
  }
  if (!isMap(node)) {
    fail(ctx, node, key, `expected an expression string or a map {expr, abortOnFail, delay}, got ${describe(node)}`);
  }
  const f = fields(ctx, node, key, THRESHOLD_KEYS);
  const expr = f.get('expr');
  if (expr === undefined) fail(ctx, node, childPath(key, 'expr'), 'missing required key `expr` (e.g. expr: "p99 < 250ms")');
  return {
    expr: nonEmptyStr(ctx, expr.value, expr.path),
    abortOnFail: opt(f, 'abortOnFail', (c) => bool(ctx, c.value, c.path)) ?? false,
    delayMs: opt(f, 'delay', (c) => duration(ctx, c.value, c.path, false)) ?? 0,
    ...exprPosition(ctx, deref(ctx, expr.value, expr.path)),
  };
}

/** Where a threshold expression's node starts, and the column of its first character (after a quote). */
function exprPosition(ctx: Ctx, node: unknown): { position: SourcePosition; exprCol: number } {
  const position = positionOf(ctx, node);
  const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
  return { position, exprCol: position.col + (quoted ? 1 : 0) };
}

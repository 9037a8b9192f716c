// Scenario files (YAML, or JSON, which is YAML too) -> a validated Scenario. Every problem is a
// ScenarioError at file:line:col with the dotted key (`load.think.min`, `requests[1].method`).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { YAMLError, YAMLMap } from 'yaml';
import { ScenarioError, type SourcePosition } from '../errors.ts';
import { readFailure } from '../read-failure.ts';
import { MASK } from '../redact.ts';
import type { FromEnv, ProtocolChoice, Scenario, ScenarioRequest, ScenarioThreshold, Think } from './types.ts';
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
  isNull,
  isToken,
  keyName,
  nonEmptyStr,
  positionAt,
  positionOf,
  positiveNumber,
  shown,
  str,
  substitute,
  substitutedStr,
  valueOf,
  type Substituted,
} from './nodes.ts';
import { checkLoadModel, readRate, readStages } from './load-model.ts';
import { readProtocols, readTls } from './tls.ts';
import { readRetry } from './retry.ts';
import { readWorkers } from './workers.ts';
import { readTransport } from './transport.ts';

const TOP_KEYS = ['name', 'target', 'protocol', 'transport', 'tls', 'load', 'pool', 'timeouts', 'headers', 'requests', 'thresholds', 'retry', 'redact', 'workers'];
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
const REQUEST_KEYS = ['name', 'method', 'path', 'weight', 'headers', 'json', 'body', 'file', 'expect', 'retry'];
const BODY_KEYS = ['json', 'body', 'file'];
const EXPECT_KEYS = ['status'];
const THRESHOLD_KEYS = ['expr', 'abortOnFail', 'delay'];

/** The only tags a scenario may carry (YAML 1.2 core schema); anything else is refused, never run. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));
/** A body `file:` that looks like a URL. */
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

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
  };
  // Requests need the scenario headers (a json body's content-type defers to them).
  const requests = readRequests(ctx, top.get('requests'), scenario.headers);
  return { ...scenario, requests, thresholds: readThresholds(ctx, top.get('thresholds')) };
}

function readScenarioFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ScenarioError(`cannot read scenario file ${file}: ${readFailure(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// YAML

function parseYaml(text: string, file: string, env: NodeJS.ProcessEnv): Ctx {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
    schema: 'core',
    customTags: [],
    version: '1.2',
  });
  const ctx: Ctx = { file, doc, lineCounter, env, aliasesFollowed: 0 };
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const duplicate = problem.code === 'DUPLICATE_KEY' ? keyPathAt(doc.contents, problem.pos[0], '') : undefined;
    const message = duplicate ? `duplicate key \`${duplicate.name}\` (keys must be unique)` : yamlMessage(problem, source);
    throw new ScenarioError(message, positionAt(ctx, problem.pos[0]), duplicate?.path);
  }
  refuseTags(ctx);
  return ctx;
}

/** The yaml library's message without its own location suffix and excerpt (we give file:line:col). */
function yamlMessage(problem: YAMLError, source: string): string {
  const [start, end] = problem.pos;
  if (problem.code === 'TAG_RESOLVE_FAILED') return tagMessage(source.slice(start, end));
  return `invalid YAML: ${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
}

/** The name and dotted path of the map key starting at `offset` (to name a duplicate key). */
function keyPathAt(node: unknown, offset: number, prefix: string): { name: string; path: string } | undefined {
  if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const found = keyPathAt(item, offset, `${prefix}[${i}]`);
      if (found) return found;
    }
  }
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '?';
    if (isNode(pair.key) && pair.key.range?.[0] === offset) return { name, path: childPath(prefix, name) };
    const found = keyPathAt(pair.value, offset, childPath(prefix, name));
    if (found) return found;
  }
  return undefined;
}

function tagMessage(tag: string): string {
  return `tag ${tag} is not accepted (no custom or language tags; write plain YAML values)`;
}

function refuseTags(ctx: Ctx): void {
  visit(ctx.doc, (_key, node) => {
    if (isNode(node) && node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
      throw new ScenarioError(tagMessage(node.tag.replace('tag:yaml.org,2002:', '!!')), positionOf(ctx, node));
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Sections

/** `read(field)` when the key is present, else undefined. */
function opt<T>(map: Map<string, Field>, name: string, read: (field: Field) => T): T | undefined {
  const field = map.get(name);
  return field === undefined ? undefined : read(field);
}

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
// Requests

function readRequests(ctx: Ctx, field: Field | undefined, globalHeaders: Record<string, string>): ScenarioRequest[] {
  if (field === undefined) return [];
  const seq = asSeq(ctx, field.value, field.path, 'a non-empty list of requests');
  if (seq.items.length === 0) {
    fail(ctx, seq, field.path, 'must not be empty (give at least one request, or leave out `requests` to use the target URL)');
  }
  const names = new Map<string, number>();
  return seq.items.map((item, i) => readRequest(ctx, item, `${field.path}[${i}]`, globalHeaders, names));
}

function readRequest(
  ctx: Ctx,
  item: unknown,
  key: string,
  globalHeaders: Record<string, string>,
  names: Map<string, number>,
): ScenarioRequest {
  const f = fields(ctx, item, key, REQUEST_KEYS);
  const pathField = f.get('path');
  if (pathField === undefined) fail(ctx, item, childPath(key, 'path'), 'missing required key `path` (e.g. path: /items)');
  const method = opt(f, 'method', (c) => readMethod(ctx, c)) ?? 'GET';
  const fromEnv = noneFromEnv();
  const { path: requestPath, shownPath } = readPath(ctx, pathField, fromEnv);
  const name = readRequestName(ctx, f.get('name'), `${method} ${shownPath ?? requestPath}`, item, key, names);
  const headers = opt(f, 'headers', (c) => headerMap(ctx, c.value, c.path, fromEnv)) ?? {};
  const body = readBody(ctx, f, headers, globalHeaders, fromEnv);
  return {
    name,
    method,
    path: requestPath,
    ...(shownPath !== undefined && { shownPath }),
    headers,
    body,
    ...(anyFromEnv(fromEnv) && { fromEnv }),
    weight: opt(f, 'weight', (c) => positiveNumber(ctx, c.value, c.path)) ?? 1,
    expectStatus: opt(f, 'expect', (c) => readExpect(ctx, c)) ?? null,
    ...opt(f, 'retry', (c) => ({ retry: readRetry(ctx, c) })),
  };
}

/** The request's name (default "<METHOD> <path>"); names must be unique across the list. */
function readRequestName(
  ctx: Ctx,
  field: Field | undefined,
  fallback: string,
  item: unknown,
  key: string,
  names: Map<string, number>,
): string {
  const name = field === undefined ? fallback : nonEmptyStr(ctx, field.value, field.path);
  const first = names.get(name);
  if (first !== undefined) {
    const what = field === undefined ? ` (the default name "<METHOD> <path>"; give each a \`name\`)` : '';
    const message = `duplicate request name ${JSON.stringify(name)}${what}; already used by requests[${first}]`;
    fail(ctx, field?.value ?? item, childPath(key, 'name'), `${message}; names must be unique`);
  }
  names.set(name, names.size);
  return name;
}

function readMethod(ctx: Ctx, field: Field): string {
  const text = str(ctx, field.value, field.path).trim();
  const method = text.toUpperCase();
  if (!isToken(method)) {
    const accepted = 'e.g. GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, or another token';
    fail(ctx, field.value, field.path, `${shown(field.value, text)} is not an HTTP method (${accepted})`);
  }
  return method;
}

function readPath(ctx: Ctx, field: Field, fromEnv: FromEnv): { path: string; shownPath?: string } {
  const substituted = substitutedStr(ctx, field.value, field.path);
  const text = substituted.text;
  if (!text.startsWith('/')) {
    const origin = /^https?:\/\//i.test(text) ? '; put the scheme and host in `target`' : '';
    fail(ctx, field.value, field.path, `${shown(field.value, text)} must start with "/" (e.g. /items?page=1)${origin}`);
  }
  if (/[\s\x00-\x1f\x7f]/.test(text)) {
    fail(ctx, field.value, field.path, 'must not contain spaces or control characters (percent-encode them, e.g. %20)');
  }
  const shownPath = maskQueryFromEnv(substituted, fromEnv);
  return shownPath === text ? { path: text } : { path: text, shownPath };
}

/**
 * The path with what ${ENV} put into its query masked where it stands (a query value is a credential on
 * the wire; a path segment is not); those values are added to `fromEnv.values`.
 */
function maskQueryFromEnv({ text, spans }: Substituted, fromEnv: FromEnv): string {
  const query = text.indexOf('?');
  if (query < 0) return text;
  let shown = text;
  // From the last value back, so the offsets of the earlier ones still hold in `shown`.
  for (const span of spans.toReversed()) {
    const start = Math.max(span.start, query + 1);
    if (start >= span.end) continue;
    fromEnv.values.push(text.slice(start, span.end));
    shown = `${shown.slice(0, start)}${MASK}${shown.slice(span.end)}`;
  }
  return shown;
}

function noneFromEnv(): FromEnv {
  return { headers: [], values: [] };
}

function anyFromEnv(fromEnv: FromEnv): boolean {
  return fromEnv.headers.length > 0 || fromEnv.values.length > 0;
}

/**
 * At most one of json, body, file; a json body sets content-type unless a header already does. What
 * ${ENV} put into a `body` or `json` is added to `fromEnv.values`.
 */
function readBody(
  ctx: Ctx,
  f: Map<string, Field>,
  headers: Record<string, string>,
  globalHeaders: Record<string, string>,
  fromEnv: FromEnv,
): Buffer | null {
  const given = [...f.values()].filter((c) => BODY_KEYS.includes(c.name));
  const [first, second] = given;
  if (first === undefined) return null;
  if (second !== undefined) {
    fail(ctx, second.keyNode, second.path, `${first.name} and ${second.name} are mutually exclusive (give only one of json, body, file)`);
  }
  if (first.name === 'body') {
    const body = substitutedStr(ctx, first.value, first.path);
    fromEnv.values.push(...envValues(body));
    return Buffer.from(body.text, 'utf8');
  }
  if (first.name === 'file') return readBodyFile(ctx, first);
  const json = Buffer.from(JSON.stringify(toJson(ctx, first.value, first.path, fromEnv.values)), 'utf8');
  if (!('content-type' in headers) && !('content-type' in globalHeaders)) {
    headers['content-type'] = 'application/json';
  }
  return json;
}

function readBodyFile(ctx: Ctx, field: Field): Buffer {
  const text = str(ctx, field.value, field.path);
  if (URL_LIKE.test(text)) {
    fail(ctx, field.value, field.path, `${shown(field.value, text)} is a URL; file: takes a local path (relative to the scenario file)`);
  }
  if (text.trim() === '') fail(ctx, field.value, field.path, 'must not be empty (a path relative to the scenario file)');
  const resolved = path.resolve(path.dirname(ctx.file), text);
  let isFile: boolean;
  try {
    isFile = statSync(resolved).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(ctx, field.value, field.path, `${resolved}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  if (!isFile) fail(ctx, field.value, field.path, `${resolved} is not a regular file`);
  try {
    return readFileSync(resolved);
  } catch (error) {
    return fail(ctx, field.value, field.path, `${resolved}: ${(error as Error).message}`);
  }
}

/**
 * Any YAML value as plain data for JSON.stringify, with ${ENV} substituted in strings (the values it put
 * there are added to `fromEnv`). `open` holds the collections being converted, so an anchor used inside
 * itself is an error rather than endless.
 */
function toJson(ctx: Ctx, raw: unknown, key: string, fromEnv: string[], open = new Set<unknown>()): unknown {
  const node = deref(ctx, raw, key);
  if (isSeq(node) || isMap(node)) {
    if (open.has(node)) fail(ctx, raw, key, 'this alias refers to a value that contains it (a cycle)');
    open.add(node);
    const data = isSeq(node)
      ? node.items.map((item, i) => toJson(ctx, item, `${key}[${i}]`, fromEnv, open))
      : jsonObject(ctx, node, key, fromEnv, open);
    open.delete(node);
    return data;
  }
  if (!isScalar(node)) return fail(ctx, node, key, `cannot be turned into JSON: ${describe(node)}`);
  if (typeof node.value === 'string') return jsonText(substitute(ctx, node, key, node.value), fromEnv);
  if (typeof node.value === 'number' && !Number.isFinite(node.value)) {
    fail(ctx, node, key, `${node.value} has no JSON form (use a finite number)`);
  }
  return node.value ?? null;
}

function jsonObject(ctx: Ctx, node: YAMLMap<unknown, unknown>, key: string, fromEnv: string[], open: Set<unknown>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const pair of node.items) {
    const rawName = keyName(ctx, pair.key, key);
    const name = jsonText(substitute(ctx, pair.key, childPath(key, rawName), rawName), fromEnv);
    const value = toJson(ctx, valueOf(pair.key, pair.value), childPath(key, name), fromEnv, open);
    // defineProperty: a "__proto__" key is data, not a prototype.
    Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

function jsonText(substituted: Substituted, fromEnv: string[]): string {
  fromEnv.push(...envValues(substituted));
  return substituted.text;
}

function readExpect(ctx: Ctx, field: Field): number[] | null {
  const f = fields(ctx, field.value, field.path, EXPECT_KEYS, true);
  const status = f.get('status');
  return status === undefined ? null : readStatuses(ctx, status);
}

/** A status code or a non-empty list of them. */
function readStatuses(ctx: Ctx, field: Field): number[] {
  const node = deref(ctx, field.value, field.path);
  if (!isSeq(node)) return [readStatus(ctx, node, field.path)];
  if (node.items.length === 0) fail(ctx, node, field.path, 'must not be empty (e.g. [200, 201])');
  return node.items.map((item, i) => readStatus(ctx, item, `${field.path}[${i}]`));
}

function readStatus(ctx: Ctx, raw: unknown, key: string): number {
  const node = deref(ctx, raw, key);
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 599) {
    fail(ctx, node, key, `expected an HTTP status code (an integer 100..599), got ${describe(node)}`);
  }
  return value;
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

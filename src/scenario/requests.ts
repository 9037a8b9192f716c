// The `requests:` list of a scenario: name, method, path, headers, body (json, body or file), weight,
// expected statuses and retry, each checked at its position.
import { statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import type { YAMLMap } from 'yaml';
import { readFailure, readFileOrFail } from '../util/read-file.ts';
import { MASK } from '../util/redact.ts';
import type { FromEnv, ScenarioRequest } from './types.ts';
import {
  type Ctx,
  type Field,
  childPath,
  deref,
  describe,
  envValues,
  fail,
  fields,
  headerMap,
  anyFromEnv,
  keyName,
  noneFromEnv,
  nonEmptyStr,
  opt,
  positiveNumber,
  shown,
  str,
  substitute,
  substitutedStr,
  valueOf,
  type Substituted,
} from './nodes.ts';
import { readRetry } from './retry.ts';
import { hasTemplate, literalOf, parseTemplate, TemplateSyntaxError } from './template.ts';
import { isToken } from '../util/field-value.ts';

/** A plain request's keys; an entry of `requests:` may instead be a flow (scenario/mix.ts). */
export const REQUEST_KEYS = ['name', 'method', 'path', 'weight', 'headers', 'json', 'body', 'file', 'expect', 'retry'];
/** A flow step: a request without a weight, with captures and its own think time. */
export const STEP_KEYS = [...REQUEST_KEYS.filter((name) => name !== 'weight'), 'capture', 'think'];
const BODY_KEYS = ['json', 'body', 'file'];
const EXPECT_KEYS = ['status'];
/** A body `file:` that looks like a URL. */
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * One request (or, with the step keys, a flow step's request part). `names` holds the names taken so far,
 * each with the key of the entry that took it (for the duplicate's message).
 */
export function readRequest(
  ctx: Ctx,
  item: unknown,
  key: string,
  globalHeaders: Record<string, string>,
  names: Map<string, string>,
  accepted: readonly string[] = REQUEST_KEYS,
): ScenarioRequest {
  const f = fields(ctx, item, key, accepted);
  const pathField = f.get('path');
  if (pathField === undefined) fail(ctx, item, childPath(key, 'path'), 'missing required key `path` (e.g. path: /items)');
  const method = opt(f, 'method', (c) => readMethod(ctx, c)) ?? 'GET';
  const fromEnv = noneFromEnv();
  let { path: requestPath, shownPath } = readPath(ctx, pathField, fromEnv);
  let headers = opt(f, 'headers', (c) => headerMap(ctx, c.value, c.path, fromEnv)) ?? {};
  let body = readBody(ctx, f, headers, globalHeaders, fromEnv);
  if (accepted !== STEP_KEYS) {
    // A `requests:` entry is sent as written, its `{{{{` escapes undone (a flow step's are, in the plan).
    requestPath = asWritten(ctx, pathField, requestPath);
    if (shownPath !== undefined) shownPath = asWritten(ctx, pathField, shownPath);
    const headersField = f.get('headers');
    if (headersField !== undefined) headers = asWrittenHeaders(ctx, headersField, headers);
    const bodyField = f.get('json') ?? f.get('body');
    if (bodyField !== undefined && body !== null) {
      const text = body.toString('utf8');
      const written = asWritten(ctx, bodyField, text);
      if (written !== text) body = Buffer.from(written, 'utf8');
    }
  }
  const name = readRequestName(ctx, f.get('name'), `${method} ${shownPath ?? requestPath}`, item, key, names);
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

/**
 * Text sent as written (a `requests:` entry, or the scenario's headers without a flow): a reference there
 * is a mistake worth naming, at `field`; a `{{{{` escape is undone (a literal `{{`).
 */
export function asWritten(ctx: Ctx, field: Field, text: string): string {
  if (!hasTemplate(text)) return text;
  let literal: string | null = null;
  try {
    literal = literalOf(parseTemplate(text));
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
  }
  if (literal === null) {
    fail(ctx, field.value, field.path, 'templates ({{name}}) are substituted in `flow:` steps only (of a top-level `flow:`, or of a flow entry in `requests:`: - { name: x, flow: [...] }; a flow of one step sends one request); a literal "{{" is written "{{{{"');
  }
  return literal;
}

/** The header values of `field` as written. */
export function asWrittenHeaders(ctx: Ctx, field: Field, headers: Record<string, string>): Record<string, string> {
  const written: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    Object.defineProperty(written, name, { value: asWritten(ctx, field, value), enumerable: true, writable: true, configurable: true });
  }
  return written;
}

/** The request's name (default "<METHOD> <path>"); names must be unique across the list. */
function readRequestName(
  ctx: Ctx,
  field: Field | undefined,
  fallback: string,
  item: unknown,
  key: string,
  names: Map<string, string>,
): string {
  const name = field === undefined ? fallback : nonEmptyStr(ctx, field.value, field.path);
  const what = field === undefined ? ` (the default name "<METHOD> <path>"; give each a \`name\`)` : '';
  claimName(ctx, names, name, field?.value ?? item, key, what);
  return name;
}

/** Records `name` as taken by the entry at `key`; a name taken already fails at `node`. */
export function claimName(ctx: Ctx, names: Map<string, string>, name: string, node: unknown, key: string, what = ''): void {
  const first = names.get(name);
  if (first !== undefined) {
    const message = `duplicate request name ${JSON.stringify(name)}${what}; already used by ${first}`;
    fail(ctx, node, childPath(key, 'name'), `${message}; names must be unique`);
  }
  names.set(name, key);
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
  if (/[\s\x00-\x1f\x7f]/.test(literalParts(text))) {
    fail(ctx, field.value, field.path, 'must not contain spaces or control characters (percent-encode them, e.g. %20)');
  }
  const shownPath = maskQueryFromEnv(substituted, fromEnv);
  return shownPath === text ? { path: text } : { path: text, shownPath };
}

/**
 * The literal text of a template, run together (`{{randomInt 1 100}}` has spaces; a `{{{{ }}` escape may
 * hide one). A template that does not parse gives "": its error is reported at the same key (by
 * scenario/flow.ts in a step, by asWritten in a `requests:` entry).
 */
function literalParts(text: string): string {
  try {
    return parseTemplate(text).filter((part) => typeof part === 'string').join('');
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return '';
    throw error;
  }
}

/**
 * The path with what ${ENV} put into its query masked where it stands (a query value is a credential on
 * the wire; a path segment is not); those values are added to `fromEnv.values`.
 */
export function maskQueryFromEnv({ text, spans }: Substituted, fromEnv: FromEnv): string {
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
    return fail(ctx, field.value, field.path, `${resolved}: ${readFailure(error)}`);
  }
  if (!isFile) fail(ctx, field.value, field.path, `${resolved} is not a regular file`);
  return readFileOrFail(resolved, (why) => fail(ctx, field.value, field.path, `${resolved}: ${why}`));
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

// Typed reads of YAML AST nodes. Every helper takes the node and its dotted key, and throws a
// ScenarioError pointing at the node (file:line:col) when the value is not what is accepted.
import { Scalar, isAlias, isMap, isNode, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, YAMLMap, YAMLSeq } from 'yaml';
import { ScenarioError, type SourcePosition } from '../util/errors.ts';
import { parseDuration } from '../util/duration.ts';
import { fieldValueProblem, isToken } from '../util/field-value.ts';
import { substituteEnv, type EnvSpan } from './env.ts';
import type { FromEnv } from './types.ts';
import { hint } from './suggest.ts';

export interface Ctx {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  env: NodeJS.ProcessEnv;
  /** Aliases followed so far (capped: a recursive or exponential alias must not hang the loader). */
  aliasesFollowed: number;
}

/** A key of a map with its value; `value` is a null scalar at the key when the pair has no value. */
export interface Field {
  name: string;
  path: string;
  keyNode: unknown;
  value: unknown;
}

const MAX_ALIASES = 1000;
const DURATION_HELP = 'use e.g. 500ms, 30s, 5m, 1h';

export function positionAt(ctx: Ctx, offset: number): SourcePosition {
  const { line, col } = ctx.lineCounter.linePos(offset);
  return { file: ctx.file, line: Math.max(line, 1), col: Math.max(col, 1) };
}

export function positionOf(ctx: Ctx, node: unknown): SourcePosition {
  const range = isNode(node) ? node.range : undefined;
  return positionAt(ctx, range ? range[0] : 0);
}

export function fail(ctx: Ctx, node: unknown, path: string, message: string): never {
  throw new ScenarioError(message, positionOf(ctx, node), path || undefined);
}

export function childPath(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** Follows an alias (`*name`) to the node it refers to. */
export function deref(ctx: Ctx, node: unknown, path: string): unknown {
  if (!isAlias(node)) return node;
  ctx.aliasesFollowed += 1;
  if (ctx.aliasesFollowed > MAX_ALIASES) {
    fail(ctx, node, path, `too many alias references (more than ${MAX_ALIASES}; is an anchor used inside itself?)`);
  }
  const target = node.resolve(ctx.doc);
  if (target === undefined) fail(ctx, node, path, `alias *${node.source} refers to no anchor`);
  return target;
}

/** What a node is, for messages: "\"30x\"", "-5", "a list", "an empty value". */
export function describe(node: unknown): string {
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (!isScalar(node) || node.value === null || node.value === undefined) return 'an empty value';
  return typeof node.value === 'string' ? JSON.stringify(node.value) : String(node.value);
}

/**
 * A value for messages: the text as JSON, or when ${ENV} substitution changed it, the text as written
 * in the file (so an error never prints a substituted secret).
 */
export function shown(node: unknown, text: string): string {
  const original = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
  return original !== undefined && original !== text
    ? `${JSON.stringify(original)} (after \${} substitution)`
    : JSON.stringify(text);
}

export function isNull(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/**
 * The fields of a map, after checking that every key is one of `accepted` (an unknown key fails with a
 * suggestion). With `allowEmpty`, an empty value (`load:` with nothing under it) reads as an empty map.
 */
export function fields(
  ctx: Ctx,
  raw: unknown,
  path: string,
  accepted: readonly string[],
  allowEmpty = false,
): Map<string, Field> {
  const node = deref(ctx, raw, path);
  const result = new Map<string, Field>();
  if (allowEmpty && isNull(node)) return result;
  const map = asMap(ctx, node, path, `a map with keys ${accepted.join(', ')}`);
  for (const pair of map.items) {
    const name = keyName(ctx, pair.key, path);
    const keyPath = childPath(path, name);
    if (!accepted.includes(name)) {
      const extra = name === '<<' ? 'merge keys (<<) are not supported' : hint(name, accepted);
      fail(ctx, pair.key, keyPath, `unknown key \`${name}\`; ${extra}`);
    }
    result.set(name, { name, path: keyPath, keyNode: pair.key, value: valueOf(pair.key, pair.value) });
  }
  return result;
}

export function asMap(ctx: Ctx, node: unknown, path: string, expected = 'a map'): YAMLMap<unknown, unknown> {
  if (!isMap(node)) fail(ctx, node, path, `expected ${expected}, got ${describe(node)}`);
  return node;
}

export function asSeq(ctx: Ctx, raw: unknown, path: string, expected = 'a list'): YAMLSeq<unknown> {
  const node = deref(ctx, raw, path);
  if (!isSeq(node)) fail(ctx, node, path, `expected ${expected}, got ${describe(node)}`);
  return node;
}

/** A map key as text (a scalar; `1:` reads as "1"). */
export function keyName(ctx: Ctx, key: unknown, path: string): string {
  if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
    fail(ctx, key, path, `map keys must be plain strings, got ${describe(key)}`);
  }
  return String(key.value);
}

/** A pair's value, or a null scalar positioned at the key when there is none. */
export function valueOf(key: unknown, value: unknown): unknown {
  if (value !== null && value !== undefined) return value;
  const empty = new Scalar(null);
  if (isNode(key) && key.range) empty.range = key.range;
  return empty;
}

/** The result of ${ENV} substitution: the text, and where the substituted values lie in it. */
export interface Substituted {
  text: string;
  fromEnv: boolean;
  spans: EnvSpan[];
}

/** Applies ${ENV} substitution to a string found at `node`. */
export function substitute(ctx: Ctx, node: unknown, path: string, text: string): Substituted {
  const result = substituteEnv(text, ctx.env);
  if (!result.ok) fail(ctx, node, path, result.message);
  return { text: result.text, fromEnv: result.spans.length > 0, spans: result.spans };
}

/** The non-empty values ${ENV} put into a substituted text. */
export function envValues({ text, spans }: Substituted): string[] {
  return spans.map((span) => text.slice(span.start, span.end)).filter((value) => value !== '');
}

/** A string scalar, with ${ENV} substituted. */
export function str(ctx: Ctx, raw: unknown, path: string): string {
  return substitutedStr(ctx, raw, path).text;
}

/** A string scalar, with ${ENV} substituted, and where the substituted values lie in it. */
export function substitutedStr(ctx: Ctx, raw: unknown, path: string): Substituted {
  const node = deref(ctx, raw, path);
  if (!isScalar(node) || typeof node.value !== 'string') {
    const quote = isScalar(node) && node.value !== null ? ` (quote it: "${String(node.value)}")` : '';
    fail(ctx, node, path, `expected a string, got ${describe(node)}${quote}`);
  }
  return substitute(ctx, node, path, node.value);
}

/** A non-empty string scalar. */
export function nonEmptyStr(ctx: Ctx, raw: unknown, path: string): string {
  const text = str(ctx, raw, path);
  if (text.trim() === '') fail(ctx, raw, path, 'must not be empty');
  return text;
}

/** A string, number or boolean scalar as text (header values). */
export function scalarText(ctx: Ctx, raw: unknown, path: string): Substituted {
  const node = deref(ctx, raw, path);
  if (isScalar(node)) {
    if (typeof node.value === 'string') return substitute(ctx, node, path, node.value);
    if (typeof node.value === 'number' || typeof node.value === 'boolean') return { text: String(node.value), fromEnv: false, spans: [] };
  }
  return fail(ctx, node, path, `expected a string, number or boolean, got ${describe(node)} (use "" for an empty value)`);
}

export function bool(ctx: Ctx, raw: unknown, path: string): boolean {
  const node = deref(ctx, raw, path);
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  return fail(ctx, node, path, `expected true or false, got ${describe(node)}`);
}

/**
 * An integer >= `min`. A quoted number ("64") is refused with a hint, unless it came from ${ENV}
 * substitution (`concurrency: ${VUS}`), where a string is the only way to write it.
 */
export function int(ctx: Ctx, raw: unknown, path: string, min: number): number {
  const node = deref(ctx, raw, path);
  const expected = `expected an integer >= ${min}`;
  if (isScalar(node) && typeof node.value === 'string') {
    const { text, fromEnv } = substitute(ctx, node, path, node.value);
    if (fromEnv && /^\s*\d+\s*$/.test(text)) return checkInt(ctx, node, path, Number(text), min);
    const unquote = !fromEnv && /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? ` (write it without quotes: ${text.trim()})` : '';
    fail(ctx, node, path, `${expected}, got the string ${shown(node, text)}${unquote}`);
  }
  if (!isScalar(node) || typeof node.value !== 'number') fail(ctx, node, path, `${expected}, got ${describe(node)}`);
  return checkInt(ctx, node, path, node.value, min);
}

function checkInt(ctx: Ctx, node: unknown, path: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value)) fail(ctx, node, path, `expected an integer >= ${min}, got ${value} (not a whole number)`);
  if (value < min) fail(ctx, node, path, `expected an integer >= ${min}, got ${value}`);
  return value;
}

/** A finite number > 0 (weights). */
export function positiveNumber(ctx: Ctx, raw: unknown, path: string): number {
  const node = deref(ctx, raw, path);
  if (isScalar(node) && typeof node.value === 'number' && Number.isFinite(node.value) && node.value > 0) {
    return node.value;
  }
  const unquote = isScalar(node) && typeof node.value === 'string' ? ' (write numbers without quotes)' : '';
  return fail(ctx, node, path, `expected a number > 0, got ${describe(node)}${unquote}`);
}

/**
 * A duration in milliseconds: "500ms", "30s", "5m", "1h", or a bare number of seconds. `positive`
 * refuses 0.
 */
export function duration(ctx: Ctx, raw: unknown, path: string, positive: boolean): number {
  const node = deref(ctx, raw, path);
  let value: string | number;
  if (isScalar(node) && typeof node.value === 'number') value = node.value;
  else if (isScalar(node) && typeof node.value === 'string') value = substitute(ctx, node, path, node.value).text;
  else return fail(ctx, node, path, `expected a duration (${DURATION_HELP}), got ${describe(node)}`);
  const ms = parseDuration(value, 's');
  const display = typeof value === 'string' ? shown(node, value) : String(value);
  if (ms === undefined) {
    const negative = /^\s*-/.test(String(value)) ? ' and must not be negative' : '';
    fail(ctx, node, path, `${display} is not a duration${negative} (${DURATION_HELP})`);
  }
  if (positive && ms <= 0) fail(ctx, node, path, `must be greater than 0, got ${display} (${DURATION_HELP})`);
  return ms;
}

/**
 * A map of header name -> value. Names are lower-cased and must be tokens (case-insensitive duplicates
 * are refused); values are strings, numbers or booleans, each character a byte (util/field-value.ts). The
 * headers whose value used ${ENV}, and the values it put there, are added to `fromEnv`.
 */
export function headerMap(ctx: Ctx, raw: unknown, path: string, fromEnv: FromEnv): Record<string, string> {
  const node = deref(ctx, raw, path);
  const headers: Record<string, string> = {};
  if (isNull(node)) return headers;
  const map = asMap(ctx, node, path, 'a map of header name to value');
  for (const pair of map.items) {
    const rawName = keyName(ctx, pair.key, path);
    const name = substitute(ctx, pair.key, childPath(path, rawName), rawName).text.toLowerCase();
    const keyPath = childPath(path, name);
    if (!isToken(name)) {
      const accepted = "letters, digits and !#$%&'*+-.^_`|~ only";
      fail(ctx, pair.key, keyPath, `${JSON.stringify(name)} is not a valid header name (${accepted})`);
    }
    if (Object.hasOwn(headers, name)) {
      fail(ctx, pair.key, keyPath, `duplicate header ${name} (header names are case-insensitive)`);
    }
    const valueNode = valueOf(pair.key, pair.value);
    const substituted = scalarText(ctx, valueNode, keyPath);
    const value = substituted.text;
    const problem = fieldValueProblem(value);
    if (problem !== null) fail(ctx, valueNode, keyPath, `invalid value for header ${name}: ${problem}`);
    if (substituted.fromEnv) {
      fromEnv.headers.push(name);
      fromEnv.values.push(...envValues(substituted));
    }
    Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return headers;
}

/** `read(field)` when the key is present, else undefined. */
export function opt<T>(map: Map<string, Field>, name: string, read: (field: Field) => T): T | undefined {
  const field = map.get(name);
  return field === undefined ? undefined : read(field);
}

/** An empty record of what ${ENV} put into a request (or the scenario's headers). */
export function noneFromEnv(): FromEnv {
  return { headers: [], values: [] };
}

export function anyFromEnv(fromEnv: FromEnv): boolean {
  return fromEnv.headers.length > 0 || fromEnv.values.length > 0;
}

/** One of `accepted`, with a did-you-mean. */
export function oneOf<T extends string>(ctx: Ctx, field: Field, accepted: readonly T[]): T {
  const text = str(ctx, field.value, field.path).trim();
  if (!(accepted as readonly string[]).includes(text)) {
    fail(ctx, field.value, field.path, `${shown(field.value, text)} is not accepted here; ${hint(text, accepted)}`);
  }
  return text as T;
}

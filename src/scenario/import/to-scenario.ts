// Recorded requests -> scenario text (YAML). The requests to the most frequent origin are kept with their
// headers, minus the ones the transport owns or only a browser means, as the steps of a `flow:` in
// recorded order (one request alone is a `requests:` entry: a request, not a journey); secrets become
// ${ENV} references; what a step sends is escaped so it is sent as recorded. The only module of the
// import feature that imports the yaml library.
import { Document, isMap, isScalar } from 'yaml';
import { formatDuration } from '../../util/duration.ts';
import { fieldValueProblem } from '../../util/field-value.ts';
import type { RecordedRequest, Recording } from './recording.ts';
import { decode, EnvVars, type EnvVar, formBody, headerValue, jsonBody, literal, pathOf } from './secrets.ts';

export interface ImportOptions {
  /** Write each step's `think:` from the pause recorded after it (HAR timings). */
  think: boolean;
}

export interface Imported {
  /** The scenario, YAML. */
  text: string;
  /** The environment variables it refers to. */
  env: EnvVar[];
  /** What was left out or changed. */
  notes: string[];
}

/**
 * Not carried over: pseudo-headers (`:authority`, ...) and the hop-by-hop and framing headers, which the
 * transport writes itself for the connection it has (content-length, connection, ...; host too, unless it
 * names another host than the URL: curl -H 'Host: ...' for a virtual host); and what
 * describes the browser rather than the request: fetch metadata (sec-fetch-*), client hints (sec-ch-*),
 * priority and prefetch hints, upgrade-insecure-requests.
 */
const DROPPED = new Set([
  'content-length', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'upgrade', 'trailer',
  'upgrade-insecure-requests', 'priority', 'purpose', 'sec-purpose',
]);
const DROPPED_PREFIXES = [':', 'sec-fetch-', 'sec-ch-'];

/**
 * A shorter gap between a response and the next request is the browser at work (a script reacting to
 * the response, requests a page makes together), not a user pausing: no `think:` is written for it.
 */
const THINK_MIN_MS = 100;

export function toScenario(recording: Recording, options: ImportOptions = { think: true }): Imported {
  const env = new EnvVars();
  const notes = [...recording.notes];
  const target = mostFrequentOrigin(recording.requests);
  const kept = recording.requests.filter((r) => r.url.origin === target);
  const others = recording.requests.filter((r) => r.url.origin !== target);
  if (others.length > 0) notes.push(`${others.length} request(s) to other origins left out (listed at the end of the scenario)`);
  const names = stepNames(kept);
  const steps = kept.map((request, i) => step(request, names[i]!, env, notes));
  const common = commonHeaders(steps);
  const protocol = recording.protocol ?? (target.startsWith('https:') && kept.every((r) => isH2(r.httpVersion)) ? 'h2' : undefined);
  const key = steps.length > 1 ? 'flow' : 'requests';
  const paused = key === 'flow' && options.think ? addThink(kept, steps) : [];
  if (paused.length > 0) {
    const longest = formatDuration(Math.max(...paused));
    notes.push(`think: the pauses recorded between steps (${paused.length}, the longest ${longest}); edit them, or import with --no-think`);
  }
  const data = {
    name: scenarioName(recording.source),
    target,
    ...(protocol && { protocol }),
    ...(recording.insecure && { tls: { insecure: true } }),
    load: { concurrency: 10, duration: '30s' },
    ...(Object.keys(common).length > 0 && { headers: common }),
    [key]: steps,
  };
  const doc = new Document(data);
  doc.commentBefore = header(recording, kept.length, env.list);
  commentKey(doc, 'load', ' Choose the load: the recording says nothing about it.');
  if (key === 'flow') commentKey(doc, key, flowComment(paused.length > 0));
  if (others.length > 0) doc.comment = leftOut(others);
  const text = doc.toString({ lineWidth: 0 });
  return { text: text.endsWith('\n') ? text : `${text}\n`, env: env.list, notes };
}

/** The origin most requests went to (the first one recorded, on a tie). */
function mostFrequentOrigin(requests: RecordedRequest[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.url.origin, (counts.get(r.url.origin) ?? 0) + 1);
  let best = requests[0]!.url.origin;
  for (const [origin, count] of counts) if (count > counts.get(best)!) best = origin;
  return best;
}

function flowComment(think: boolean): string {
  const lines = [' The recorded requests in order: each iteration runs them in sequence.'];
  if (think) lines.push(` think: the pause recorded after a step, before the next request (gaps under ${THINK_MIN_MS} ms left out).`);
  return lines.join('\n');
}

type Step = {
  name: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
  file?: string;
  think?: string;
};

function step(request: RecordedRequest, name: string, env: EnvVars, notes: string[]): Step {
  env.request = name;
  const headers = keptHeaders(request, name, env, notes);
  const body = stepBody(request, name, headers, env, notes);
  return {
    name,
    ...(request.method !== 'GET' && { method: request.method }),
    path: pathOf(request.target, env),
    ...(Object.keys(headers).length > 0 && { headers }),
    ...body,
  };
}

/** "post-api-orders": method and path, readable in tables and thresholds; a repeat gets "-2", "-3", ... */
function stepNames(requests: RecordedRequest[]): string[] {
  const taken = new Set<string>();
  return requests.map((request) => {
    const slug = decode(request.target.split('?')[0]!).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40).replace(/-$/, '');
    const base = `${request.method.toLowerCase().replace(/[^a-z0-9]+/g, '')}-${slug || 'root'}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
    taken.add(name);
    return name;
  });
}

/**
 * Each step's `think:` from the recording: the time from the last response so far (requests a browser
 * makes together overlap) to the next request's start, when it is THINK_MIN_MS or more. Returns the
 * pauses written, in ms.
 */
function addThink(requests: RecordedRequest[], steps: Step[]): number[] {
  const paused: number[] = [];
  let lastEnd = -Infinity;
  for (let i = 0; i + 1 < requests.length; i++) {
    const timing = requests[i]!.timing;
    const next = requests[i + 1]!.timing;
    if (timing === undefined || next === undefined) continue;
    lastEnd = Math.max(lastEnd, timing.startMs + timing.durationMs);
    const gap = Math.round(next.startMs - lastEnd);
    if (gap < THINK_MIN_MS) continue;
    steps[i]!.think = formatDuration(gap);
    paused.push(gap);
  }
  return paused;
}

/**
 * The headers kept, as a map; a repeated name is joined (cookies with "; ", others with ", "). A value the
 * loader would refuse (a character above U+00FF, which has no byte; CR, LF, NUL) is left out with a note
 * naming the step and the header, so the scenario printed always loads: a HAR holds values as Unicode
 * text, and a shell passes curl's -H as text too. Re-encoding it (its UTF-8 bytes as latin1 characters)
 * would write unreadable text in the scenario and guess at what was sent; the note says what to do instead.
 */
function keptHeaders(request: RecordedRequest, step: string, env: EnvVars, notes: string[]): Record<string, string> {
  const joined = new Map<string, string>();
  for (const [name, value] of request.headers) {
    if (DROPPED.has(name) || DROPPED_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    if (name === 'host' && value.trim().toLowerCase() === request.url.host) continue;
    const problem = fieldValueProblem(value);
    if (problem !== null) {
      notes.push(`${step}: header ${name} left out: its value cannot be sent as recorded: ${problem}`);
      continue;
    }
    const before = joined.get(name);
    joined.set(name, before === undefined ? value : `${before}${name === 'cookie' ? '; ' : ', '}${value}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of joined) {
    Object.defineProperty(headers, name, { value: headerValue(name, value, env), enumerable: true, writable: true, configurable: true });
  }
  return headers;
}

/**
 * A JSON body as `json:` (its plain application/json content-type is then implied) when the loader's
 * JSON.stringify gives the recorded bytes back, or when a credential field must come from the
 * environment; a file as `file:`; anything else as `body:`, as recorded.
 */
function stepBody(request: RecordedRequest, name: string, headers: Record<string, string>, env: EnvVars, notes: string[]): Partial<Step> {
  const body = request.body;
  if (body === undefined) return {};
  if ('file' in body) return { file: body.file };
  if (body.text === '') return {};
  const type = (headers['content-type'] ?? body.mimeType).toLowerCase();
  const parsed = /\bjson\b|\+json/.test(type) ? parseJson(body.text) : { ok: false as const };
  if (parsed.ok) {
    const same = JSON.stringify(parsed.value) === body.text;
    if (same || hasCredential(parsed.value)) {
      if (!same) notes.push(`${name}: the JSON body is written as json: so its credential fields come from the environment; it is sent as the loader re-serialises it (spacing, number forms and escapes may differ from the recording)`);
      if (headers['content-type']?.trim().toLowerCase() === 'application/json') delete headers['content-type'];
      return { json: jsonBody(parsed.value, env) };
    }
  }
  if (type.startsWith('application/x-www-form-urlencoded')) return { body: formBody(body.text, env) };
  return { body: literal(body.text) };
}

/** Whether a JSON value has a field whose value jsonBody turns into a reference (probed on a throwaway EnvVars). */
function hasCredential(value: unknown): boolean {
  const probe = new EnvVars();
  jsonBody(value, probe);
  return probe.list.length > 0;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Headers every step sends with the same value move to the scenario's `headers:` (with two steps or more). */
function commonHeaders(steps: Step[]): Record<string, string> {
  if (steps.length < 2) return {};
  const [first, ...rest] = steps;
  const common: Record<string, string> = {};
  for (const [name, value] of Object.entries(first!.headers ?? {})) {
    if (rest.every((s) => s.headers?.[name] === value)) common[name] = value;
  }
  for (const s of steps) {
    for (const name of Object.keys(common)) delete s.headers![name];
    if (s.headers && Object.keys(s.headers).length === 0) delete s.headers;
  }
  return common;
}

function isH2(version: string | undefined): boolean {
  return version !== undefined && /^(h2|http\/2(\.0)?)$/i.test(version);
}

function scenarioName(source: string): string {
  const base = source.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, '');
  return /^[\w.-]+$/.test(base) ? `imported-${base}` : 'imported';
}

function header(recording: Recording, kept: number, env: EnvVar[]): string {
  const lines = [` Imported from ${recording.source} by loadhttp import: ${kept} of ${recording.requests.length} recorded request(s).`];
  if (env.length > 0) lines.push(` Credentials come from the environment: set ${env.map((v) => v.name).join(', ')} before running.`);
  return lines.join('\n');
}

function commentKey(doc: Document, key: string, comment: string): void {
  const contents = doc.contents;
  if (!isMap(contents)) return;
  const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = comment;
}

function leftOut(others: RecordedRequest[]): string {
  const shown = others.slice(0, 20).map((r) => `   ${r.method} ${r.url.origin}${r.url.pathname}`);
  if (others.length > 20) shown.push(`   ... and ${others.length - 20} more`);
  return [' Left out, to other origins than the target (a scenario has one target):', ...shown].join('\n');
}

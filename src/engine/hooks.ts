// Request hooks (`hooks: ./hooks.mjs`): a module of the user's, loaded once per worker, exporting any of
// beforeRequest(request, vars), afterResponse(response, vars), onError(error, vars). They run in a
// flow's steps only (engine/flow.ts), so a scenario without hooks never pays for them. A hook may be
// async; an exception (or rejection) in one fails that step's request with the class `hook-error`, and so
// does a request from beforeRequest that could not be sent (an invalid header name, a line break in a value).
import { pathToFileURL } from 'node:url';
import { HookError, UsageError } from '../util/errors.ts';
import { requestProblem } from '../transport/request-check.ts';
import type { PreparedRequest } from '../transport/transport.ts';
import { prepare } from './prepare.ts';
import type { FlowVars } from './variables.ts';

/** What beforeRequest receives and may change (headers by lower-cased name; the body as text or bytes). */
export interface HookRequest {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer | null;
}

/** What afterResponse receives: the status, headers and (up to 1 MiB of) the body. */
export interface HookResponse {
  name: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The body was longer than what was kept. */
  truncated: boolean;
}

/** The flow's variables as a plain object; string values a hook sets are kept for the later steps. */
export type HookVars = Record<string, string | number>;

type Hook<T> = (subject: T, vars: HookVars) => unknown;

export interface Hooks {
  beforeRequest?: Hook<HookRequest>;
  afterResponse?: Hook<HookResponse>;
  onError?: Hook<Error>;
}

const NAMES = ['beforeRequest', 'afterResponse', 'onError'] as const;

/** Imports the hooks module; a UsageError (exit 2) when it cannot be loaded or exports none of the hooks. */
export async function loadHooks(file: string): Promise<Hooks> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`hooks: ${file} could not be loaded: ${(error as Error).message}`);
  }
  const hooks: Hooks = {};
  for (const name of NAMES) {
    const hook = module[name];
    if (hook === undefined) continue;
    if (typeof hook !== 'function') throw new UsageError(`hooks: ${file}: the export ${name} is not a function`);
    (hooks as Record<string, unknown>)[name] = hook;
  }
  if (Object.keys(hooks).length === 0) {
    throw new UsageError(`hooks: ${file} exports none of ${NAMES.join(', ')} (exports: ${Object.keys(module).join(', ') || 'none'})`);
  }
  return hooks;
}

/** Runs one hook; what it throws becomes a HookError naming the hook and the step. */
export async function callHook<T>(hook: Hook<T>, name: string, step: string, subject: T, vars: HookVars): Promise<void> {
  try {
    await hook(subject, vars);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new HookError(`${name} threw on step ${JSON.stringify(step)}: ${message}`);
  }
}

/**
 * beforeRequest on a copy of the step's request; the request as the hook left it. What the hook made of it
 * is checked here, so that a request no transport could send fails as hook-error naming the hook and the
 * part, rather than later in the transport as an unexplained error.
 */
export async function beforeRequest(hook: Hook<HookRequest>, step: string, base: PreparedRequest, vars: FlowVars): Promise<PreparedRequest> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < base.headers.length; i += 2) headers[base.headers[i]!] = base.headers[i + 1]!;
  const request: HookRequest = { name: step, method: base.method, path: base.path, headers, body: base.body === null ? null : base.body.toString('utf8') };
  const values = hookVars(vars);
  await callHook(hook, 'beforeRequest', step, request, values);
  keepVars(values, vars);
  const invalid = (problem: string) => new HookError(`beforeRequest returned an invalid request on step ${JSON.stringify(step)}: ${problem}`);
  const built = { method: String(request.method).toUpperCase(), path: String(request.path), headers: hookHeaders(request.headers, invalid), body: hookBody(request.body, invalid) };
  const problem = requestProblem(built);
  if (problem !== null) throw invalid(problem);
  return prepare(built, base.keepResponse);
}

/** The hook's headers as name/value pairs: a plain object of strings, numbers or booleans (as in a scenario). */
function hookHeaders(headers: unknown, invalid: (problem: string) => Error): string[] {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw invalid(`headers is ${describe(headers)}, not an object of header name to value`);
  const flat: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw invalid(`the value of header ${JSON.stringify(name)} is ${describe(value)}, not a string or number`);
    }
    flat.push(name.toLowerCase(), String(value));
  }
  return flat;
}

/** The hook's body as bytes: null (or deleted), a string (sent as UTF-8) or bytes. */
function hookBody(body: unknown, invalid: (problem: string) => Error): Buffer | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw invalid(`body is ${describe(body)}, not null, a string or a Buffer`);
}

const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value);

/** The variables as the plain object hooks see (vu and iteration beside the data columns and captures). */
export function hookVars(vars: FlowVars): HookVars {
  const values: HookVars = Object.fromEntries(vars.values);
  values.vu = vars.vu;
  values.iteration = vars.iteration;
  return values;
}

/** String values a hook set are variables for the later steps. */
export function keepVars(values: HookVars, vars: FlowVars): void {
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' && name !== 'vu' && name !== 'iteration') vars.values.set(name, value);
  }
}

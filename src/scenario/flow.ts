// The `flow:` list (or a flow entry's, scenario/mix.ts): steps run in order per iteration, each a request
// (scenario/requests.ts) with its own `capture:` and `think:`. Templates (`{{name}}`) in a step's path,
// header values and body are checked here: they must parse, and name a built-in, a data column or a
// variable an earlier step of the same flow captures.
import type { Capture, ScenarioRequest, ScenarioStep, Think } from './types.ts';
import { type Ctx, type Field, asSeq, childPath, fail, fields, nonEmptyStr, opt } from './nodes.ts';
import { readRequest, STEP_KEYS } from './requests.ts';
import { parseJsonPath } from './json-path.ts';
import { hasTemplate, parseTemplate, TemplateSyntaxError, variablesOf } from './template.ts';
import { hint } from './suggest.ts';
import { FLOW_STEP_SEPARATOR } from '../result/result.ts';

/** A flow entry of `requests:`: its name (its steps' names begin with it), and what its sibling entries capture. */
export interface FlowEntryContext {
  name: string;
  /** Variables captured in other flow entries, with the entry that captures each (for the message). */
  elsewhere: ReadonlyMap<string, string>;
}

const CAPTURE_SOURCES = ['json', 'header', 'regex'];
const CAPTURE_KEYS = [...CAPTURE_SOURCES, 'as'];
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function readFlow(
  ctx: Ctx,
  field: Field,
  globalHeaders: Record<string, string>,
  dataColumns: readonly string[],
  readThink: (ctx: Ctx, raw: unknown, key: string) => Think,
  entry: FlowEntryContext | null = null,
): ScenarioStep[] {
  const seq = asSeq(ctx, field.value, field.path, 'a non-empty list of steps');
  if (seq.items.length === 0) fail(ctx, seq, field.path, 'must not be empty (give at least one step)');
  const names = new Map<string, string>();
  const known = new Set(dataColumns);
  return seq.items.map((item, i) => {
    const key = `${field.path}[${i}]`;
    const request = readRequest(ctx, item, key, globalHeaders, names, STEP_KEYS);
    const f = fields(ctx, item, key, STEP_KEYS);
    checkTemplates(ctx, f, request, known, entry?.elsewhere);
    const captures = opt(f, 'capture', (c) => readCaptures(ctx, c)) ?? [];
    for (const capture of captures) known.add(capture.as);
    const name = entry === null ? request.name : `${entry.name}${FLOW_STEP_SEPARATOR}${request.name}`;
    return { ...request, name, captures, think: opt(f, 'think', (c) => readThink(ctx, c.value, c.path)) ?? null, bodyKey: bodyKey(f) };
  });
}

/**
 * The scenario's `headers:` in a flow are templates of every step: they must parse, at their key (their
 * variables are not checked: a step before the capture that defines one sends it empty).
 */
export function checkHeaderTemplates(ctx: Ctx, field: Field, headers: Record<string, string>): void {
  for (const text of Object.values(headers).filter(hasTemplate)) {
    try {
      parseTemplate(text);
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      fail(ctx, field.value, field.path, error.message);
    }
  }
}

function bodyKey(f: Map<string, Field>): ScenarioStep['bodyKey'] {
  return f.has('json') ? 'json' : f.has('body') ? 'body' : f.has('file') ? 'file' : null;
}

/** Fails at the key where a template is malformed or names an unknown variable. */
function checkTemplates(
  ctx: Ctx,
  f: Map<string, Field>,
  request: ScenarioRequest,
  known: ReadonlySet<string>,
  elsewhere: ReadonlyMap<string, string> = new Map(),
): void {
  const places: Array<[Field | undefined, string[]]> = [
    [f.get('path'), [request.path]],
    [f.get('headers'), Object.values(request.headers)],
    [f.get('json') ?? f.get('body'), request.body === null || f.has('file') ? [] : [request.body.toString('utf8')]],
  ];
  for (const [field, texts] of places) {
    if (field === undefined) continue;
    for (const text of texts.filter(hasTemplate)) {
      let parts;
      try {
        parts = parseTemplate(text);
      } catch (error) {
        if (!(error instanceof TemplateSyntaxError)) throw error;
        return fail(ctx, field.value, field.path, error.message);
      }
      for (const name of variablesOf(parts)) {
        if (known.has(name)) continue;
        const other = elsewhere.get(name);
        if (other !== undefined) {
          fail(ctx, field.value, field.path, `{{${name}}} is captured only in ${other}: each flow entry has its own captures (capture it in an earlier step of this flow)`);
        }
        const where = known.size === 0 ? 'no data column or earlier capture defines any' : hint(name, [...known]);
        fail(ctx, field.value, field.path, `unknown variable {{${name}}}: ${where} (built-ins: vu, iteration, uuid, randomInt)`);
      }
    }
  }
}

function readCaptures(ctx: Ctx, field: Field): Capture[] {
  const seq = asSeq(ctx, field.value, field.path, 'a list of captures, e.g. [{ json: $.token, as: token }]');
  return seq.items.map((item, i) => readCapture(ctx, item, `${field.path}[${i}]`));
}

function readCapture(ctx: Ctx, item: unknown, key: string): Capture {
  const f = fields(ctx, item, key, CAPTURE_KEYS);
  const sources = [...f.values()].filter((c) => CAPTURE_SOURCES.includes(c.name));
  const [source, second] = sources;
  if (source === undefined) fail(ctx, item, key, 'give one of json (a JSON path), header (a name) or regex (with a group)');
  if (second !== undefined) fail(ctx, second.keyNode, second.path, `${source.name} and ${second.name} are mutually exclusive`);
  const asField = f.get('as');
  if (asField === undefined) fail(ctx, item, childPath(key, 'as'), 'missing required key `as` (the variable name)');
  const as = nonEmptyStr(ctx, asField.value, asField.path);
  if (!VARIABLE.test(as) || ['vu', 'iteration', 'uuid', 'randomInt'].includes(as)) {
    fail(ctx, asField.value, asField.path, `${JSON.stringify(as)} is not a variable name of its own (letters, digits, _ . -; not a built-in)`);
  }
  const text = nonEmptyStr(ctx, source.value, source.path);
  if (source.name === 'header') return { from: 'header', name: text.trim().toLowerCase(), as };
  if (source.name === 'json') {
    const path = parseJsonPath(text);
    if (typeof path === 'string') fail(ctx, source.value, source.path, path);
    return { from: 'json', path, expr: text, as };
  }
  let groups: number;
  try {
    groups = new RegExp(`${text}|`).exec('')!.length - 1;
  } catch (error) {
    return fail(ctx, source.value, source.path, `not a regular expression: ${(error as Error).message}`);
  }
  if (groups < 1) fail(ctx, source.value, source.path, 'needs a group: the first group is the value, e.g. id=(\\d+)');
  return { from: 'regex', pattern: text, as };
}

// The `requests:` list: a weighted mix whose entries are plain requests (scenario/requests.ts) or flows
// (`- { name: checkout, weight: 1, flow: [steps] }`, read by scenario/flow.ts): an iteration picks one
// entry by weight and sends its request, or runs its steps in order. Names are unique over the list: a
// plain request's, a flow entry's, and its steps' (`checkout/login`).
import { isMap, isScalar, isSeq } from 'yaml';
import { FLOW_STEP_SEPARATOR } from '../result/result.ts';
import type { ScenarioFlowEntry, ScenarioRequest, Think } from './types.ts';
import { type Ctx, type Field, asSeq, deref, fail, fields, nonEmptyStr, opt, positiveNumber } from './nodes.ts';
import { claimName, readRequest, REQUEST_KEYS } from './requests.ts';
import { readFlow } from './flow.ts';

/** What a plain entry may have; `flow` makes it a flow entry. */
const ENTRY_KEYS = [...REQUEST_KEYS, 'flow'];
const FLOW_ENTRY_KEYS = ['name', 'weight', 'flow'];

export interface Mix {
  /** The plain requests, in order. */
  requests: ScenarioRequest[];
  /** Every entry in order, when at least one is a flow; null otherwise. */
  entries: Array<ScenarioRequest | ScenarioFlowEntry> | null;
}

export function readMix(
  ctx: Ctx,
  field: Field | undefined,
  globalHeaders: Record<string, string>,
  dataColumns: readonly string[],
  readThink: (ctx: Ctx, raw: unknown, key: string) => Think,
): Mix {
  if (field === undefined) return { requests: [], entries: null };
  const seq = asSeq(ctx, field.value, field.path, 'a non-empty list of requests');
  if (seq.items.length === 0) {
    fail(ctx, seq, field.path, 'must not be empty (give at least one request, or leave out `requests` to use the target URL)');
  }
  const names = new Map<string, string>();
  const captured = seq.items.map((item) => capturedIn(ctx, item));
  const entryName = (j: number) => {
    const node = deref(ctx, seq.items[j], '');
    const name = isMap(node) ? node.get('name', true) : undefined;
    return `the flow entry ${isScalar(name) ? `${JSON.stringify(String(name.value))} ` : ''}(${field.path}[${j}])`;
  };
  const entries = seq.items.map((item, i): ScenarioRequest | ScenarioFlowEntry => {
    const key = `${field.path}[${i}]`;
    if (!hasFlow(ctx, item, key)) return readRequest(ctx, item, key, globalHeaders, names, ENTRY_KEYS);
    const elsewhere = new Map<string, string>();
    captured.forEach((variables, j) => {
      for (const variable of j === i ? [] : variables) if (!elsewhere.has(variable)) elsewhere.set(variable, entryName(j));
    });
    return readFlowEntry(ctx, item, key, names, (flow, name) => readFlow(ctx, flow, globalHeaders, dataColumns, readThink, { name, elsewhere }));
  });
  const plain = entries.filter((entry): entry is ScenarioRequest => !('flow' in entry));
  return { requests: plain, entries: plain.length === entries.length ? null : entries };
}

function hasFlow(ctx: Ctx, item: unknown, key: string): boolean {
  const node = deref(ctx, item, key);
  return isMap(node) && node.has('flow');
}

/** `- { name, weight, flow }`: a request's own keys beside `flow` are refused by name. */
function readFlowEntry(
  ctx: Ctx,
  item: unknown,
  key: string,
  names: Map<string, string>,
  readSteps: (flow: Field, name: string) => ScenarioFlowEntry['flow'],
): ScenarioFlowEntry {
  const f = fields(ctx, item, key, ENTRY_KEYS);
  const flow = f.get('flow')!;
  for (const other of f.values()) {
    if (FLOW_ENTRY_KEYS.includes(other.name)) continue;
    fail(ctx, other.keyNode, other.path, `\`${other.name}\` and \`flow\` are mutually exclusive: a flow entry sends its steps (give \`${other.name}\` to a step)`);
  }
  const nameField = f.get('name');
  if (nameField === undefined) fail(ctx, item, `${key}.name`, 'a flow entry needs a `name` (its steps are recorded as <name>/<step>)');
  const name = nonEmptyStr(ctx, nameField.value, nameField.path);
  if (name.includes(FLOW_STEP_SEPARATOR)) {
    fail(ctx, nameField.value, nameField.path, `a flow entry's name must not contain "${FLOW_STEP_SEPARATOR}" (it separates the entry from its steps in their names)`);
  }
  claimName(ctx, names, name, nameField.value, key);
  const steps = readSteps(flow, name);
  // The steps' own names are unique within the flow; with the entry's name before them, over the list too.
  const stepNodes = asSeq(ctx, flow.value, flow.path).items;
  steps.forEach((step, i) => claimName(ctx, names, step.name, stepNodes[i], `${flow.path}[${i}]`));
  return { name, weight: opt(f, 'weight', (c) => positiveNumber(ctx, c.value, c.path)) ?? 1, flow: steps };
}

/**
 * The variables a flow entry's steps capture (`as:`), read loosely from the YAML before the entries are
 * validated: only so that a template naming another entry's capture gets a message that says so.
 */
function capturedIn(ctx: Ctx, item: unknown): string[] {
  const node = deref(ctx, item, '');
  const flow = isMap(node) ? node.get('flow', true) : undefined;
  if (!isSeq(flow)) return [];
  return flow.items.flatMap((step) => {
    const captures = isMap(step) ? step.get('capture', true) : undefined;
    if (!isSeq(captures)) return [];
    return captures.items.flatMap((capture) => {
      const as = isMap(capture) ? capture.get('as', true) : undefined;
      return isScalar(as) && typeof as.value === 'string' ? [as.value] : [];
    });
  });
}

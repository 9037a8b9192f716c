// The scenario keys of the open model and of stages: `load.rate`, `load.stages`, and their checks against
// the rest of `load` (errors at file:line:col like every other key).
import { isScalar } from 'yaml';
import { RATE_HELP, parseRate } from '../util/rate.ts';
import type { ScenarioStages, Stage } from './types.ts';
import { type Ctx, type Field, asSeq, deref, describe, duration, fail, fields, int, shown, substitute } from './nodes.ts';

const STAGE_KEYS = ['duration', 'rate', 'concurrency'];

/** `500/s`, `30/m`, `2/h`, or a bare number of requests per second (> 0). */
export function readRate(ctx: Ctx, raw: unknown, path: string): number {
  const node = deref(ctx, raw, path);
  let text: string | number | undefined;
  if (isScalar(node) && typeof node.value === 'number') text = node.value;
  else if (isScalar(node) && typeof node.value === 'string') text = substitute(ctx, node, path, node.value).text;
  if (text === undefined) return fail(ctx, node, path, `expected a rate (${RATE_HELP}), got ${describe(node)}`);
  const rate = parseRate(text);
  if (rate === undefined) {
    const display = typeof text === 'string' ? shown(node, text) : String(text);
    fail(ctx, node, path, `${display} is not a rate > 0 (${RATE_HELP})`);
  }
  return rate;
}

/**
 * A non-empty list of `{duration, rate}` (open model) or `{duration, concurrency}` (closed model)
 * stages; every stage must use the same one.
 */
export function readStages(ctx: Ctx, field: Field): ScenarioStages {
  const seq = asSeq(ctx, field.value, field.path, 'a list of stages like {duration: 30s, rate: 100/s}');
  if (seq.items.length === 0) fail(ctx, seq, field.path, 'must not be empty (e.g. [{duration: 30s, rate: 100/s}])');
  let kind: ScenarioStages['kind'] | undefined;
  const stages: Stage[] = seq.items.map((item, i) => {
    const key = `${field.path}[${i}]`;
    const f = fields(ctx, item, key, STAGE_KEYS);
    const durationField = f.get('duration');
    if (durationField === undefined) fail(ctx, item, `${key}.duration`, 'missing required key `duration` (e.g. duration: 30s)');
    const rate = f.get('rate');
    const concurrency = f.get('concurrency');
    if (rate && concurrency) {
      fail(ctx, concurrency.keyNode, concurrency.path, 'give either rate (open model) or concurrency (closed model), not both');
    }
    const level = rate ?? concurrency;
    if (level === undefined) {
      fail(ctx, item, `${key}.rate`, 'missing the stage target: `rate` (e.g. rate: 100/s) or `concurrency` (e.g. concurrency: 50)');
    }
    const stageKind = rate ? 'rate' : 'concurrency';
    if (kind !== undefined && stageKind !== kind) {
      fail(ctx, level.keyNode, level.path, `all stages must ramp the same thing: stage 0 ramps ${kind}, this one ${stageKind}`);
    }
    kind = stageKind;
    return {
      durationMs: duration(ctx, durationField.value, durationField.path, true),
      target: rate ? readRateOrZero(ctx, rate) : int(ctx, level.value, level.path, 0),
    };
  });
  return { kind: kind!, stages };
}

/** A stage may ramp down to 0 (a rate of "0" or "0/s"). */
function readRateOrZero(ctx: Ctx, field: Field): number {
  const node = deref(ctx, field.value, field.path);
  if (isScalar(node) && (node.value === 0 || (typeof node.value === 'string' && /^\s*0(\.0*)?\s*(\/\s*\w+)?\s*$/.test(node.value)))) {
    return 0;
  }
  return readRate(ctx, field.value, field.path);
}

/** Checks across `load` keys: a rate run has no think time and no concurrency stages. */
export function checkLoadModel(ctx: Ctx, load: Map<string, Field>, stages: ScenarioStages | undefined): void {
  const rate = load.get('rate');
  const open = rate !== undefined || stages?.kind === 'rate';
  const think = load.get('think');
  if (open && think) {
    fail(ctx, think.keyNode, think.path, 'think time applies to the closed model (virtual users); a run with a rate has none');
  }
  const stagesField = load.get('stages');
  if (rate && stages?.kind === 'concurrency' && stagesField) {
    fail(ctx, stagesField.keyNode, stagesField.path, '`rate` is the open model: its stages ramp `rate`, not `concurrency`');
  }
  const maxQueued = load.get('maxQueued');
  if (maxQueued && !open) fail(ctx, maxQueued.keyNode, maxQueued.path, 'maxQueued applies to the open model only (give `rate`)');
}

// The files a flow uses: the `data:` section (`{ file, order, per, onExhausted }`, the file read once:
// scenario/data-file.ts) and the `hooks:` module's path.
import { statSync } from 'node:fs';
import path from 'node:path';
import { readFailure, readFileOrFail } from '../util/read-file.ts';
import type { ScenarioData } from './types.ts';
import { type Ctx, type Field, fail, fields, nonEmptyStr, oneOf, opt, shown } from './nodes.ts';
import { buildDataTable } from './data-file.ts';

const DATA_KEYS = ['file', 'order', 'per', 'onExhausted'];
const ORDERS = ['sequential', 'random', 'unique'] as const;
const PER = ['iteration', 'vu'] as const;
const EXHAUSTED = ['stop', 'wrap'] as const;

export function readData(ctx: Ctx, field: Field): ScenarioData {
  const f = fields(ctx, field.value, field.path, DATA_KEYS);
  const fileField = f.get('file');
  if (fileField === undefined) fail(ctx, field.value, `${field.path}.file`, 'missing required key `file` (a CSV or .jsonl file, relative to the scenario)');
  const name = nonEmptyStr(ctx, fileField.value, fileField.path);
  const file = path.resolve(path.dirname(ctx.file), name);
  const contents = readFileOrFail(file, (why) => fail(ctx, fileField.value, fileField.path, `${file}: ${why}`));
  const table = buildDataTable(contents, /\.(jsonl|ndjson)$/i.test(file));
  if (typeof table === 'string') fail(ctx, fileField.value, fileField.path, `${file}: ${table}`);
  const order = opt(f, 'order', (c) => oneOf(ctx, c, ORDERS)) ?? 'sequential';
  return {
    file,
    order,
    per: opt(f, 'per', (c) => oneOf(ctx, c, PER)) ?? 'iteration',
    // A unique row is used once, so running out ends the run unless told otherwise; the others go round.
    onExhausted: opt(f, 'onExhausted', (c) => oneOf(ctx, c, EXHAUSTED)) ?? (order === 'unique' ? 'stop' : 'wrap'),
    table,
  };
}

/** `hooks: ./hooks.mjs`: a JavaScript module beside the scenario (loaded, and its exports checked, at the run's start). */
export function readHooksFile(ctx: Ctx, field: Field): string {
  const name = nonEmptyStr(ctx, field.value, field.path);
  const file = path.resolve(path.dirname(ctx.file), name);
  if (!/\.(mjs|js)$/.test(file)) fail(ctx, field.value, field.path, `${shown(field.value, name)}: a hooks file is an ES module (.mjs or .js)`);
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (error) {
    return fail(ctx, field.value, field.path, `${file}: ${readFailure(error)}`);
  }
  if (!isFile) fail(ctx, field.value, field.path, `${file} is not a regular file`);
  return file;
}

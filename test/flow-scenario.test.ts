// Flow, capture, template and data keys are checked like every other key: file:line:col, the dotted
// key, did-you-mean; and the small parsers they use (JSON path, templates, CSV lines) on their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseScenario } from '../src/scenario/load.ts';
import { evaluateJsonPath, parseJsonPath } from '../src/scenario/json-path.ts';
import { parseTemplate, TemplateSyntaxError } from '../src/scenario/template.ts';
import { buildDataTable, parseCsvLine, rowAt } from '../src/scenario/data-file.ts';
import { buildPlan } from '../src/plan/plan.ts';
import { planPart } from '../src/plan/split.ts';
import { DataRows } from '../src/engine/data-rows.ts';
import { assertScenarioErrorAt } from './helpers/scenario-error.ts';

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'loadhttp-flow-scenario-'));
const FILE = path.join(DIR, 'flow.yaml');
fs.writeFileSync(path.join(DIR, 'users.csv'), 'user,password\nann,a1\nbob,b2\n');
fs.writeFileSync(path.join(DIR, 'ragged.csv'), 'user,password\nann,a1\nbob\n');

function assertError(text: string, where: string, message: RegExp): void {
  assertScenarioErrorAt(() => parseScenario(`target: http://127.0.0.1:1\n${text}`, FILE, {}), FILE, where, message);
}

const STEP = 'flow:\n  - path: /login\n';

test('flow keys: misspelt ones get a did-you-mean at their position; weight belongs to requests', () => {
  assertError(`${STEP}    captures: []\n`, '4:5', /flow\[0\]\.captures: unknown key `captures`; did you mean `capture`\?/);
  assertError(`${STEP}    weight: 2\n`, '4:5', /unknown key `weight`/);
  assertError(`requests: [{ path: / }]\n${STEP}`, '3:1', /give either `flow:` .* or `requests:`/);
  assertError('flow: []\n', '2:7', /must not be empty/);
  assertError(`dta: {}\n`, '2:1', /did you mean `data`\?/);
});

test('captures: one source and a variable name; JSON paths and regex groups checked', () => {
  assertError(`${STEP}    capture: [{ json: token, as: t }]\n`, '4:23', /capture\[0\]\.json: a JSON path starts with \$/);
  assertError(`${STEP}    capture: [{ json: $.a, header: x, as: t }]\n`, '4:28', /json and header are mutually exclusive/);
  assertError(`${STEP}    capture: [{ json: $.a }]\n`, '4:15', /missing required key `as`/);
  assertError(`${STEP}    capture: [{ regex: 'id=\\d+', as: id }]\n`, '4:24', /needs a group/);
  assertError(`${STEP}    capture: [{ regex: '(', as: id }]\n`, '4:24', /not a regular expression/);
  assertError(`${STEP}    capture: [{ header: x, as: vu }]\n`, '4:32', /not a variable name of its own/);
  assertError(`${STEP}    capture: [{ jsn: $.a, as: t }]\n`, '4:17', /did you mean `json`\?/);
});

test('templates: a variable must come from the data file or an earlier capture (did-you-mean), and parse', () => {
  const flow = (second: string) =>
    `data: { file: users.csv }\nflow:\n  - path: /login\n    capture: [{ json: $.token, as: token }]\n  - ${second}\n`;
  assertError(flow('path: /me?t={{tokn}}'), '6:11', /flow\[1\]\.path: unknown variable \{\{tokn\}\}: did you mean `token`\?/);
  assertError(flow('path: /me\n    headers: { x-user: "{{usr}}" }'), '7:14', /flow\[1\]\.headers: unknown variable \{\{usr\}\}: did you mean `user`\?/);
  assertError(flow('path: /me\n    json: { a: "{{later}}" }'), '7:11', /unknown variable \{\{later\}\}/);
  assertError(flow('path: /me?n={{randomInt 5 1}}'), '6:11', /randomInt takes two integers, min <= max/);
  assertError(flow('path: /me?n={{token'), '6:11', /without a closing/);
  // A capture is known from the next step on, not in its own request.
  assertError('flow:\n  - path: /a?t={{t}}\n    capture: [{ header: x, as: t }]\n', '3:11', /unknown variable \{\{t\}\}/);
  // Outside a flow a template would be sent as written: refused at the key that holds it.
  assertError('requests:\n  - path: /a?t={{vu}}\n', '3:11', /requests\[0\]\.path: templates \(\{\{name\}\}\) are substituted in `flow:` steps only/);
  const ok = parseScenario(`target: http://127.0.0.1:1\n${flow('path: /me?u={{user}}&r={{randomInt 1 9}}&id={{uuid}}&v={{vu}}-{{iteration}}')}`, FILE, {});
  assert.equal(ok.flow?.length, 2);
});

test('data: file, order, per and onExhausted checked, the file read with its columns', () => {
  assertError('data: { order: unique }\nflow: [{ path: / }]\n', '2:7', /missing required key `file`/);
  assertError('data: { file: nope.csv }\nflow: [{ path: / }]\n', '2:15', /nope\.csv: no such file/);
  assertError('data: { file: ragged.csv }\nflow: [{ path: / }]\n', '2:15', /line 3: 1 fields where the header has 2/);
  assertError('data: { file: users.csv, order: uniqe }\nflow: [{ path: / }]\n', '2:33', /did you mean `unique`\?/);
  assertError('data: { file: users.csv }\nrequests: [{ path: / }]\n', '2:1', /data rows fill the variables of a `flow:`/);
  const scenario = parseScenario('target: http://127.0.0.1:1\ndata: { file: users.csv, order: unique }\nflow: [{ path: "/?u={{user}}" }]\n', FILE, {});
  assert.deepEqual(scenario.data?.table.columns, ['user', 'password']);
  assert.equal(scenario.data?.onExhausted, 'stop', 'unique rows stop when they run out unless told to wrap');
});

test('hooks: a module beside the scenario, with a flow', () => {
  fs.writeFileSync(path.join(DIR, 'hooks.mjs'), 'export function onError() {}\n');
  assertError('hooks: ./hooks.mjs\nrequests: [{ path: / }]\n', '2:1', /hooks run in the steps of a `flow:`/);
  assertError('hooks: ./nope.mjs\nflow: [{ path: / }]\n', '2:8', /nope\.mjs: no such file/);
  assertError('hooks: ./users.csv\nflow: [{ path: / }]\n', '2:8', /a hooks file is an ES module/);
  assertError('hook: ./hooks.mjs\nflow: [{ path: / }]\n', '2:1', /did you mean `hooks`\?/);
  const scenario = parseScenario('target: http://127.0.0.1:1\nhooks: ./hooks.mjs\nflow: [{ path: / }]\n', FILE, {});
  assert.equal(scenario.hooks, path.join(DIR, 'hooks.mjs'));
});

test('a flow that reads responses takes loadhttp\'s own transport like any other plan, or the one asked for', () => {
  const capturing = 'target: http://127.0.0.1:1\nflow:\n  - path: /a\n    capture: [{ header: x, as: x }]\n  - path: "/b?x={{x}}"\n';
  assert.equal(buildPlan(parseScenario(capturing, FILE, {}), {}, 'test').transport, 'loadhttp');
  assert.equal(buildPlan(parseScenario(`transport: undici\n${capturing}`, FILE, {}), {}, 'test').transport, 'undici');
  assert.equal(buildPlan(parseScenario(capturing, FILE, {}), { transport: 'undici' }, 'test').transport, 'undici');
  assert.equal(buildPlan(parseScenario(`transport: undici\n${capturing}`, FILE, {}), { transport: 'loadhttp' }, 'test').transport, 'loadhttp');
  fs.writeFileSync(path.join(DIR, 'hooks.mjs'), 'export function afterResponse() {}\n');
  assert.equal(buildPlan(parseScenario(`hooks: ./hooks.mjs\n${capturing}`, FILE, {}), {}, 'test').transport, 'loadhttp');
});

test('unique rows: the parts of a split plan take disjoint rows that cover the file', () => {
  const rows = Array.from({ length: 10 }, (_, i) => `u${i}`);
  fs.writeFileSync(path.join(DIR, 'ten.csv'), `user\n${rows.join('\n')}\n`);
  const scenario = parseScenario('target: http://127.0.0.1:1\ndata: { file: ten.csv, order: unique }\nflow: [{ path: "/?u={{user}}" }]\n', FILE, {});
  const plan = buildPlan(scenario, { iterations: 100, concurrency: 6 }, 'test');
  const seen: string[] = [];
  // Two shards, each split in three workers.
  for (let shard = 0; shard < 2; shard++) {
    for (let worker = 0; worker < 3; worker++) {
      const part = planPart(planPart(plan, shard, 2), worker, 3);
      const source = new DataRows(part.data!);
      for (let row = source.take(); row !== null; row = source.take()) seen.push(row.user!);
    }
  }
  assert.deepEqual(seen.toSorted(), rows.toSorted());
});

test('JSON path subset: dotted names, indexes, quoted names; anything else is refused', () => {
  const data = { token: 't', items: [{ id: 7 }, { id: 8 }], 'x-y': { z: null } };
  assert.equal(evaluateJsonPath(data, parseJsonPath('$.token') as never), 't');
  assert.equal(evaluateJsonPath(data, parseJsonPath('$.items[1].id') as never), 8);
  assert.deepEqual(evaluateJsonPath(data, parseJsonPath("$['x-y']") as never), { z: null });
  assert.equal(evaluateJsonPath(data, parseJsonPath('$.items[2].id') as never), undefined);
  assert.equal(evaluateJsonPath(data, parseJsonPath('$.items.id') as never), undefined);
  assert.equal(evaluateJsonPath(data, parseJsonPath('$.token.length') as never), undefined, 'no properties of strings');
  assert.equal(evaluateJsonPath([5], parseJsonPath('$[0]') as never), 5);
  assert.deepEqual(evaluateJsonPath(data, parseJsonPath('$') as never), data);
  assert.match(parseJsonPath('$.items[*]') as string, /cannot read "\[\*\]"/);
  assert.match(parseJsonPath('token') as string, /starts with \$/);
});

test('templates parse into literals and references', () => {
  assert.deepEqual(parseTemplate('/a/{{ id }}?n={{randomInt -1 3}}&v={{vu}}'), [
    '/a/',
    { kind: 'var', name: 'id' },
    '?n=',
    { kind: 'randomInt', min: -1, max: 3 },
    '&v=',
    { kind: 'vu' },
  ]);
  assert.deepEqual(parseTemplate('plain'), ['plain']);
  assert.throws(() => parseTemplate('{{}}'), TemplateSyntaxError);
  assert.throws(() => parseTemplate('{{a b}}'), TemplateSyntaxError);
});

test('CSV lines: quotes, doubled quotes, empty fields; a table decodes rows on demand', () => {
  assert.deepEqual(parseCsvLine('a,"b,c","d""e",,'), ['a', 'b,c', 'd"e', '', '']);
  const table = buildDataTable(Buffer.from('x,y\r\n1,"two, 2"\r\n\r\n3,4'), false);
  assert.ok(typeof table !== 'string');
  assert.ok(table.bytes.buffer instanceof SharedArrayBuffer, 'the rows live in shared memory');
  assert.deepEqual(rowAt(table, 0), { x: '1', y: 'two, 2' });
  assert.deepEqual(rowAt(table, 1), { x: '3', y: '4' });
  assert.equal(buildDataTable(Buffer.from('x,y\n'), false), 'the file has no data rows');
  const jsonl = buildDataTable(Buffer.from('{"a":1,"b":"x"}\n{"a":{"n":2}}\n'), true);
  assert.ok(typeof jsonl !== 'string');
  assert.deepEqual(rowAt(jsonl, 1), { a: '{"n":2}', b: '' });
});

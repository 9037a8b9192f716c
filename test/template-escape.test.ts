// `{{{{` writes a literal `{{` in a template: the parser's reading of runs of braces, the escape of any
// text (through a `json:` body's JSON.stringify too), the loader's positions for malformed templates, the
// plan sending a step without references as planned (escapes undone, no render per send), `requests:`
// entries and the scenario's headers sent as written, and a real run sending the bytes it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { runPlan } from '../src/engine/run.ts';
import { buildPlan } from '../src/plan/plan.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { escapeTemplate, literalOf, parseTemplate, TemplateSyntaxError, type TemplatePart } from '../src/scenario/template.ts';
import { startServer } from './helpers/servers.ts';
import { assertScenarioErrorAt } from './helpers/scenario-error.ts';

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'loadhttp-template-escape-'));
const FILE = path.join(DIR, 'escape.yaml');
const TARGET = 'target: http://127.0.0.1:1\n';

function load(text: string) {
  return parseScenario(`${TARGET}${text}`, FILE, {});
}

function assertError(text: string, where: string, message: RegExp): void {
  assertScenarioErrorAt(() => load(text), FILE, where, message);
}

test('parser: {{{{ is a literal {{; a run of braces is read from the left in fours', () => {
  const cases: Array<[string, TemplatePart[]]> = [
    ['{{{{', ['{{']],
    ['a{{{{', ['a{{']], // at the end
    ['{{{{x}}', ['{{x}}']], // the `}}` after an escape is literal
    ['{{{{}}', ['{{}}']],
    ['}}', ['}}']],
    ['{ { } }', ['{ { } }']],
    ['{', ['{']],
    ['{{{{{', ['{{{']],
    ['{{{{{{{{', ['{{{{']],
    ['{{{{{{vu}}', ['{{', { kind: 'vu' }]], // an escape right before a reference
    ['{{vu}}{{{{', [{ kind: 'vu' }, '{{']], // and right after one
    ['{{{id}}}', ['{', { kind: 'var', name: 'id' }, '}']], // three: a `{`, then the reference
    ['{{{{{{{id}}', ['{{{', { kind: 'var', name: 'id' }]],
    ['x{{{{y}}z{{ id }}w', ['x{{y}}z', { kind: 'var', name: 'id' }, 'w']],
    ['{{randomInt 1 2}}{{{{randomInt}}', [{ kind: 'randomInt', min: 1, max: 2 }, '{{randomInt}}']],
    ['', []],
  ];
  for (const [text, parts] of cases) assert.deepEqual(parseTemplate(text), parts, text);
  assert.equal(literalOf(parseTemplate('a{{{{b')), 'a{{b');
  assert.equal(literalOf(parseTemplate('a{{b}}')), null);
  assert.equal(literalOf([]), '');
});

test('parser: a {{ left open, or an escape that falls short, is an error naming the escape', () => {
  for (const [text, offset] of [['{{', 0], ['a{{{{{{', 5], ['{{{x', 1], ['{{{{{{{x}', 5]] as const) {
    assert.throws(
      () => parseTemplate(text),
      (error: unknown) => error instanceof TemplateSyntaxError && error.offset === offset && /without a closing "}}" \(a literal "\{\{" is written "\{\{\{\{"\)/.test(error.message),
      text,
    );
  }
  assert.throws(() => parseTemplate('{{ {{{{ }}'), /is not a variable name .*a literal "\{\{" is written "\{\{\{\{"/);
});

test('escapeTemplate: any text reads back as itself, also as a JSON string (a json: body)', () => {
  // Every string of up to 7 characters over `{`, `}`, `a`, `"`: runs of braces of every length and place.
  const alphabet = ['{', '}', 'a', '"'];
  let texts = [''];
  let checked = 0;
  for (let length = 0; length <= 7; length++) {
    for (const text of texts) {
      assert.equal(literalOf(parseTemplate(escapeTemplate(text))), text, text);
      // JSON.stringify escapes `"` and `\`, never a brace: the escape survives it.
      const json = JSON.stringify({ [escapeTemplate(text)]: escapeTemplate(text) });
      assert.equal(literalOf(parseTemplate(json)), JSON.stringify({ [text]: text }), json);
      checked++;
    }
    texts = texts.flatMap((text) => alphabet.map((c) => text + c));
  }
  assert.equal(checked, (4 ** 8 - 1) / 3);
});

test('loader: malformed templates and escapes are errors at file:line:col of their key', () => {
  assertError('flow:\n  - path: /a{{{{b{{\n', '3:11', /flow\[0\]\.path: "\{\{" without a closing "\}\}" \(a literal "\{\{" is written "\{\{\{\{"\)/);
  assertError('flow:\n  - path: /a\n    body: "x{{{vu"\n', '4:11', /flow\[0\]\.body: "\{\{" without a closing/);
  assertError('flow:\n  - path: /a\n    json: { a: "{{ {{{{ }}" }\n', '4:11', /flow\[0\]\.json: .*is not a variable name/);
  assertError('flow:\n  - path: /a\n    headers: { x: "{{{{{{nope}}" }\n', '4:14', /flow\[0\]\.headers: unknown variable \{\{nope\}\}/);
  // A `requests:` entry is sent as written: a reference is refused at its key, an escape is fine.
  assertError('requests:\n  - path: /a\n    body: "{{vu}}"\n', '4:11', /requests\[0\]\.body: templates .* `flow:` steps only.*a literal "\{\{" is written "\{\{\{\{"/);
  assertError('requests:\n  - path: /a\n    headers: { x: "{{" }\n', '4:14', /requests\[0\]\.headers: templates/);
  // So are the scenario's headers without a flow; in a flow they are templates, checked at their key too.
  assertError('headers: { x: "{{vu}}" }\nrequests: [{ path: /a }]\n', '2:10', /headers: templates/);
  assertError('headers: { x: "a{{{{{{vu" }\nflow: [{ path: /a }]\n', '2:10', /headers: "\{\{" without a closing/);
  // A space the escape would hide is still refused in a path.
  assertError('flow:\n  - path: "/a{{{{b c}}"\n', '3:11', /must not contain spaces/);
  // A reference may still hold spaces.
  assert.equal(load('flow:\n  - path: "/a?n={{randomInt 1 2}}"\n').flow!.length, 1);
});

test('requests: entries and the scenario headers (no flow): escapes undone, sent as written', () => {
  const scenario = load(
    'headers: { x-g: "g{{{{" }\nrequests:\n' +
      '  - path: "/a{{{{b}}?q={{{{c"\n    headers: { x-h: "{{{{h}}" }\n    body: "{{{{{ body }}}}"\n' +
      '  - path: /j\n    json: { "{{{{k": "{{{{v}}" }\n',
  );
  const [a, j] = scenario.requests;
  assert.equal(a!.path, '/a{{b}}?q={{c');
  assert.equal(a!.name, 'GET /a{{b}}?q={{c', 'the default name shows the path sent');
  assert.equal(a!.headers['x-h'], '{{h}}');
  assert.equal(a!.body!.toString(), '{{{ body }}}}');
  assert.equal(j!.body!.toString(), '{"{{k":"{{v}}"}');
  assert.equal(scenario.headers['x-g'], 'g{{');
});

test('plan: a step without references is planned with its escapes undone and never rendered; file bodies are bytes', () => {
  fs.writeFileSync(path.join(DIR, 'payload.txt'), 'file {{vu}} {{{{');
  const plan = buildPlan(
    load(
      'headers: { x-g: "g{{{{" }\nflow:\n' +
        '  - name: plain\n    path: "/a{{{{b}}"\n    headers: { x-h: "{{{{h" }\n    json: { a: "{{{{x}}" }\n' +
        '  - name: mixed\n    path: "/m/{{vu}}/{{{{"\n    body: "{{{{{{iteration}}"\n' +
        '  - name: file\n    method: POST\n    path: /f\n    file: payload.txt\n',
    ),
    {},
    'test',
  );
  const [plain, mixed, file] = plan.requests;
  assert.equal(plan.flow!.entries[0]!.steps[0]!.templates, null, 'no reference: sent as planned');
  assert.equal(plain!.path, '/a{{b}}');
  assert.equal(plain!.shownPath, '/a{{b}}');
  assert.deepEqual(plain!.headers.slice(2), ['x-g', 'g{{', 'x-h', '{{h', 'content-type', 'application/json']);
  assert.equal(plain!.shownHeaders['x-h'], '{{h');
  assert.equal(plain!.body!.toString(), '{"a":"{{x}}"}');
  const templates = plan.flow!.entries[0]!.steps[1]!.templates!;
  assert.deepEqual(templates.path, ['/m/', { kind: 'vu' }, '/{{']);
  assert.deepEqual(templates.body, ['{{', { kind: 'iteration' }]);
  assert.deepEqual(templates.headers, [null, null], 'the scenario header with an escape only is planned as its text');
  assert.deepEqual(mixed!.headers.slice(2, 4), ['x-g', 'g{{']);
  assert.equal(plan.flow!.entries[0]!.steps[2]!.templates, null, 'a file: body is sent as its bytes, never a template');
  assert.equal(file!.body!.toString(), 'file {{vu}} {{{{');
  // --body bytes are sent as given, not read as a template.
  const overridden = buildPlan(load('flow:\n  - path: /b\n    body: "{{vu}}"\n'), { body: Buffer.from('{{{{ {{vu}}') }, 'test');
  assert.equal(overridden.flow!.entries[0]!.steps[0]!.templates, null);
  assert.equal(overridden.requests[0]!.body!.toString(), '{{{{ {{vu}}');
});

test('run: escaped and templated steps send the bytes they should, in order', async () => {
  const seen: string[] = [];
  const server = await startServer({
    handler: (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} x-t=${String(req.headers['x-t'])} ${Buffer.concat(chunks).toString()}`);
        res.end('ok');
      });
    },
  });
  try {
    const scenario = parseScenario(
      `target: ${server.url}\nflow:\n` +
        '  - name: plain\n    method: POST\n    path: "/p/{{{{raw}}?q={{{{"\n    headers: { x-t: "{{{{t}}" }\n    body: "a {{{{b}} c"\n' +
        '  - name: json\n    method: PUT\n    path: "/j/{{vu}}/{{{{"\n    headers: { x-t: "{{{{{{iteration}}" }\n    json: { "k{{{{": "{{{vu}}} {{{{x}}" }\n',
      FILE,
      {},
    );
    const plan = buildPlan(scenario, { concurrency: 1, iterations: 2 }, 'test');
    assert.equal(plan.flow!.entries[0]!.steps[0]!.templates, null);
    const result = await runPlan(plan, { version: 'test' });
    assert.equal(result.iterations?.completed, 2, JSON.stringify(result.errorExamples));
    assert.deepEqual(seen, [
      'POST /p/{{raw}}?q={{ x-t={{t}} a {{b}} c',
      'PUT /j/1/{{ x-t={{0 {"k{{":"{1} {{x}}"}',
      'POST /p/{{raw}}?q={{ x-t={{t}} a {{b}} c',
      'PUT /j/1/{{ x-t={{1 {"k{{":"{1} {{x}}"}',
    ]);
  } finally {
    await server.close();
  }
});

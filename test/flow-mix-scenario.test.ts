// Flow entries of `requests:` are checked like every other key (file:line:col, the dotted key,
// did-you-mean), and `loadhttp validate` shows the mix with its flows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseScenario } from '../src/scenario/load.ts';
import { buildPlan } from '../src/plan/plan.ts';
import { runCli } from './helpers/cli.ts';
import { assertScenarioErrorAt } from './helpers/scenario-error.ts';

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'loadhttp-mix-scenario-'));
const FILE = path.join(DIR, 'mix.yaml');

function assertError(text: string, where: string, message: RegExp): void {
  assertScenarioErrorAt(() => parseScenario(`target: http://127.0.0.1:1\n${text}`, FILE, {}), FILE, where, message);
}

test('flow entry keys: did-you-mean inside the entry and its steps; a request\'s keys beside flow are refused', () => {
  assertError('requests:\n  - name: checkout\n    wieght: 2\n    flow: [{ path: /login }]\n', '4:5', /requests\[0\]\.wieght: unknown key `wieght`; did you mean `weight`\?/);
  assertError('requests:\n  - name: checkout\n    flwo: [{ path: /login }]\n', '4:5', /requests\[0\]\.flwo: unknown key `flwo`; did you mean `flow`\?/);
  assertError(
    'requests:\n  - path: /health\n  - name: checkout\n    flow:\n      - { path: /login, captrue: [] }\n',
    '6:25',
    /requests\[1\]\.flow\[0\]\.captrue: unknown key `captrue`; did you mean `capture`\?/,
  );
  assertError('requests:\n  - name: checkout\n    flow: [{ path: /a, weight: 3 }]\n', '4:24', /requests\[0\]\.flow\[0\]\.weight: unknown key `weight`/);
  assertError('requests:\n  - name: checkout\n    path: /cart\n    flow: [{ path: /login }]\n', '4:5', /requests\[0\]\.path: `path` and `flow` are mutually exclusive/);
  assertError('requests:\n  - name: checkout\n    flow: [{ path: /login }]\n    method: POST\n', '5:5', /requests\[0\]\.method: `method` and `flow` are mutually exclusive/);
  assertError('requests:\n  - name: checkout\n    flow: [{ path: /login }]\n    body: x\n', '5:5', /requests\[0\]\.body: `body` and `flow` are mutually exclusive/);
});

test('flow entries: not empty, named, names unique over the mix, the entry name without "/"', () => {
  assertError('requests:\n  - name: checkout\n    flow: []\n', '4:11', /requests\[0\]\.flow: must not be empty/);
  assertError('requests:\n  - weight: 2\n    flow: [{ path: /login }]\n', '3:5', /requests\[0\]\.name: a flow entry needs a `name`/);
  assertError(
    'requests:\n  - name: checkout\n    path: /a\n  - name: checkout\n    flow: [{ path: /b }]\n',
    '5:11',
    /requests\[1\]\.name: duplicate request name "checkout"; already used by requests\[0\]/,
  );
  assertError(
    'requests:\n  - name: checkout/login\n    path: /a\n  - name: checkout\n    flow: [{ name: login, path: /b }]\n',
    '6:12',
    /requests\[1\]\.flow\[0\]\.name: duplicate request name "checkout\/login"; already used by requests\[0\]/,
  );
  assertError(
    'requests:\n  - name: checkout\n    flow:\n      - { path: /a }\n      - { path: /a }\n',
    '6:9',
    /requests\[0\]\.flow\[1\]\.name: duplicate request name "GET \/a" .*already used by requests\[0\]\.flow\[0\]/,
  );
  assertError('requests:\n  - name: check/out\n    flow: [{ path: /b }]\n', '3:11', /must not contain "\/"/);
});

test('templates: only in flow steps, and only with a variable of the same flow entry (or data, or a built-in)', () => {
  const login = '  - name: login\n    flow:\n      - path: /login\n        capture: [{ json: $.token, as: token }]\n';
  const cart = '  - name: cart\n    flow:\n      - path: /cart\n        headers: { authorization: "Bearer {{token}}" }\n';
  assertError(`requests:\n${login}${cart}`, '10:18', /requests\[1\]\.flow\[0\]\.headers: \{\{token\}\} is captured only in the flow entry "login" \(requests\[0\]\)/);
  assertError(`requests:\n${cart}${login}`, '6:18', /requests\[0\]\.flow\[0\]\.headers: \{\{token\}\} is captured only in the flow entry "login" \(requests\[1\]\)/);
  assertError(`requests:\n  - path: /health?t={{token}}\n${login}`, '3:11', /requests\[0\]\.path: templates \(\{\{name\}\}\) are substituted in `flow:` steps only/);
  // The scenario's headers go to the plain requests of such a mix too: no `{{` there, not even an escape.
  for (const value of ['"Bearer {{token}}"', '"{{{{literal"']) {
    assertError(`headers: { authorization: ${value} }\nrequests:\n  - path: /health\n${login}`, '2:10', /headers: in a mix with flow entries these headers go to its plain requests too/);
  }
  // A flow entry's own capture, a data column and the built-ins are fine.
  fs.writeFileSync(path.join(DIR, 'users.csv'), 'user\nann\n');
  const ok = parseScenario(
    `target: http://127.0.0.1:1\ndata: { file: users.csv }\nrequests:\n${login}      - path: /me/{{user}}/{{vu}}\n        headers: { authorization: "Bearer {{token}}" }\n`,
    FILE,
    {},
  );
  assert.deepEqual(ok.mix?.map((e) => e.name), ['login']);
});

test('top-level flow: and requests: together are refused with the weighted form; data: and hooks: need some flow', () => {
  assertError('requests:\n  - path: /health\nflow:\n  - path: /login\n', '4:1', /give either `flow:` .* not both; to run a flow beside requests, make it an entry of `requests:` \(- \{ name: checkout, weight: 1, flow: \[\.\.\.\] \}\)/);
  assertError('hooks: ./h.mjs\nrequests:\n  - path: /a\n', '2:1', /hooks run in the steps of a `flow:`; add one, or a flow entry to `requests:`/);
  fs.writeFileSync(path.join(DIR, 'rows.csv'), 'user\nann\n');
  assertError('data: { file: rows.csv }\nrequests:\n  - path: /a\n', '2:1', /data rows fill the variables of a `flow:`; add one, or a flow entry/);
});

test('the plan: every request of a flow entry carries its weight and cumulative bound, so the pick lands on its first step', () => {
  const scenario = parseScenario(
    'target: http://127.0.0.1:1\nrequests:\n  - { name: a, path: /a, weight: 2 }\n  - name: f\n    weight: 1\n    flow: [{ name: x, path: /x }, { name: y, path: /y }]\n  - { name: b, path: /b, weight: 1 }\n',
    FILE,
    {},
  );
  const plan = buildPlan(scenario, {}, 'test');
  assert.deepEqual(plan.requests.map((r) => [r.name, r.weight, r.cumulative]), [['a', 2, 0.5], ['f/x', 1, 0.75], ['f/y', 1, 0.75], ['b', 1, 1]]);
  assert.deepEqual(plan.flow?.entries.map((e) => [e.name, e.first, e.steps.length]), [['f', 1, 2]]);
  // A plain mix keeps no flow; a top-level flow is one entry.
  assert.equal(buildPlan(parseScenario('target: http://127.0.0.1:1\nrequests: [{ path: /a }]\n', FILE, {}), {}, 'test').flow, null);
  const top = buildPlan(parseScenario('target: http://127.0.0.1:1\nflow: [{ path: /a }, { path: /b }]\n', FILE, {}), {}, 'test');
  assert.deepEqual(top.flow?.entries.map((e) => [e.name, e.first, e.steps.length]), [[null, 0, 2]]);
  assert.deepEqual(top.requests.map((r) => r.name), ['GET /a', 'GET /b']);
});

test('loadhttp validate shows the mix: plain requests and flow entries with their shares, steps, captures and variables', async () => {
  const file = path.join(DIR, 'validate.yaml');
  fs.writeFileSync(
    file,
    `target: http://127.0.0.1:8080
load: { iterations: 100 }
requests:
  - { name: health, path: /health, weight: 4 }
  - name: checkout
    flow:
      - { name: login, method: POST, path: /login, json: { user: u }, capture: [{ json: $.token, as: token }] }
      - { name: cart, path: /cart, headers: { authorization: "Bearer {{token}}" }, think: 20ms }
`,
  );
  const r = await runCli(['validate', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /bounds:\s+100 iterations \(entries picked: a plain request, or a flow run through\)\n/);
  assert.match(r.stdout, /variables:\s+token, vu, iteration, uuid, randomInt/);
  const mix = r.stdout.slice(r.stdout.indexOf('requests:'));
  assert.match(
    mix,
    /^requests:\n  - health: GET \/health  weight 4 \(80\.0%\)\n.*\n  - checkout: a flow of 2 steps, in order, per iteration  weight 1 \(20\.0%\)\n      1\. checkout\/login: POST \/login, body 12 B\n(?: {10}.*\n)*? {10}capture token <- \$\.token\n      2\. checkout\/cart: GET \/cart, then think 20ms\n/,
    mix,
  );
  assert.match(mix, /2\. checkout\/cart: GET \/cart, then think 20ms\n.*\n {10}authorization: \[redacted\]\n/, 'a templated credential is masked too');
});

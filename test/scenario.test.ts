import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import { ScenarioError } from '../src/util/errors.ts';
import { editDistance, suggest } from '../src/scenario/suggest.ts';

const FILE = '/scenarios/test.yaml';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'loadhttp-scenario-'));
}

/** Parses `text`, expecting a ScenarioError; returns it. */
function errorOf(text: string, file = FILE, env: NodeJS.ProcessEnv = {}): ScenarioError {
  try {
    parseScenario(text, file, env);
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `expected a ScenarioError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected a ScenarioError for:\n${text}`);
}

/** Asserts the error is at line:col with the given key, and its message matches. */
function assertError(text: string, line: number, col: number, key: string | undefined, message: RegExp | string): ScenarioError {
  const error = errorOf(text);
  assert.deepEqual(error.position, { file: FILE, line, col }, `position of: ${error.message}`);
  assert.equal(error.key, key, `key of: ${error.message}`);
  if (typeof message === 'string') {
    const prefix = `${FILE}:${line}:${col}: ${key ? `${key}: ` : ''}`;
    assert.equal(error.message, prefix + message);
  } else {
    assert.match(error.message, message);
  }
  return error;
}

const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseScenario(text, FILE, env);

test('a full valid file resolves to the expected Scenario', () => {
  const dir = tempDir();
  const payload = Buffer.from([0, 1, 2, 255]);
  fs.writeFileSync(path.join(dir, 'payload.bin'), payload);
  const file = path.join(dir, 'items.yaml');
  fs.writeFileSync(
    file,
    `# a comment
name: items-api
target: http://user:pw@127.0.0.1:8080
protocol: h2
load:
  concurrency: 200
  duration: 30s
  iterations: 100000
  warmup: 5s
  gracefulStop: 2s
  think: { min: 50ms, max: 250ms }
pool:
  connections: 64
  pipelining: 2
  maxInflight: 128
timeouts: { connect: 5s, request: 1.5m }
headers:
  Accept: application/json
  X-Retries: 3
  X-Debug: true
requests:
  - name: list
    method: get
    path: /items?page=1
    weight: 3
    expect: { status: [200, 201] }
  - method: POST
    path: /items
    headers: { X-Kind: create }
    json: { name: widget, tags: [a, b], price: 9.5, gone: null }
    expect: { status: 201 }
  - name: upload
    method: PUT
    path: /items/1/blob
    weight: 0.5
    headers: { Content-Type: application/octet-stream }
    file: ./payload.bin
  - name: note
    method: PATCH
    path: /items/1
    body: "raw text"
thresholds:
  - p99 < 250ms
  - { expr: "errors < 1%", abortOnFail: true, delay: 10s }
`,
  );
  const scenario = loadScenario(file);
  assert.deepEqual(scenario, {
    file,
    name: 'items-api',
    target: 'http://user:pw@127.0.0.1:8080',
    protocol: 'h2',
    tls: {},
    load: {
      concurrency: 200,
      durationMs: 30_000,
      iterations: 100_000,
      warmupMs: 5_000,
      gracefulStopMs: 2_000,
      think: { kind: 'uniform', minMs: 50, maxMs: 250 },
    },
    pool: { connections: 64, pipelining: 2, maxInflight: 128 },
    timeouts: { connectMs: 5_000, requestMs: 90_000 },
    headers: { accept: 'application/json', 'x-retries': '3', 'x-debug': 'true' },
    requests: [
      {
        name: 'list',
        method: 'GET',
        path: '/items?page=1',
        headers: {},
        body: null,
        weight: 3,
        expectStatus: [200, 201],
      },
      {
        name: 'POST /items',
        method: 'POST',
        path: '/items',
        headers: { 'x-kind': 'create', 'content-type': 'application/json' },
        body: Buffer.from('{"name":"widget","tags":["a","b"],"price":9.5,"gone":null}'),
        weight: 1,
        expectStatus: [201],
      },
      {
        name: 'upload',
        method: 'PUT',
        path: '/items/1/blob',
        headers: { 'content-type': 'application/octet-stream' },
        body: payload,
        weight: 0.5,
        expectStatus: null,
      },
      {
        name: 'note',
        method: 'PATCH',
        path: '/items/1',
        headers: {},
        body: Buffer.from('raw text'),
        weight: 1,
        expectStatus: null,
      },
    ],
    thresholds: [
      { expr: 'p99 < 250ms', abortOnFail: false, delayMs: 0, position: { file, line: 43, col: 5 }, exprCol: 5 },
      { expr: 'errors < 1%', abortOnFail: true, delayMs: 10_000, position: { file, line: 44, col: 13 }, exprCol: 14 },
    ],
  });
});

test('a minimal file: absent sections are empty, requests absent = empty list', () => {
  assert.deepEqual(parse('target: https://example.com/health\n'), {
    file: FILE,
    name: undefined,
    target: 'https://example.com/health',
    protocol: undefined,
    tls: {},
    load: {},
    pool: {},
    timeouts: {},
    headers: {},
    requests: [],
    thresholds: [],
  });
  // A section with nothing under it (everything commented out) is an empty section.
  assert.deepEqual(parse('load:\n  # concurrency: 3\npool:\n').load, {});
});

test('JSON input is accepted', () => {
  const dir = tempDir();
  const file = path.join(dir, 's.json');
  fs.writeFileSync(
    file,
    JSON.stringify({ target: 'http://localhost:3000', load: { concurrency: 4, duration: '2s' }, requests: [{ path: '/' }] }, null, '\t'),
  );
  const scenario = loadScenario(file);
  assert.equal(scenario.target, 'http://localhost:3000');
  assert.deepEqual(scenario.load, { concurrency: 4, durationMs: 2000 });
  assert.equal(scenario.requests[0]?.name, 'GET /');
});

test('JSON errors have positions too', () => {
  assertError('{\n  "load": {\n    "concurency": 4\n  }\n}\n', 3, 5, 'load.concurency', /did you mean `concurrency`\?/);
});

test('unknown keys: suggestion when close, else the accepted list', () => {
  assertError('load:\n  concurrncy: 3\n', 2, 3, 'load.concurrncy', 'unknown key `concurrncy`; did you mean `concurrency`?');
  assertError('nmae: x\n', 1, 1, 'nmae', 'unknown key `nmae`; did you mean `name`?');
  assertError(
    'foo: 1\n',
    1,
    1,
    'foo',
    'unknown key `foo`; accepted: name, target, targets, balance, resolve, protocol, transport, tls, load, pool, timeouts, headers, requests, flow, data, hooks, thresholds, retry, redact, workers, metrics',
  );
  assertError('requests:\n  - path: /\n    boyd: x\n', 3, 5, 'requests[0].boyd', /did you mean `body`\?/);
  assertError('load:\n  think: { min: 1s, mx: 2s }\n', 2, 21, 'load.think.mx', /did you mean `max`\?/);
  assertError('requests:\n  - path: /\n    expect: { codes: [200] }\n', 3, 15, 'requests[0].expect.codes', /accepted: status/);
});

test('durations: units, bare seconds, and errors', () => {
  assert.deepEqual(parse('load:\n  duration: 30\n  warmup: 0\n  gracefulStop: 250ms\n').load, {
    durationMs: 30_000,
    warmupMs: 0,
    gracefulStopMs: 250,
  });
  assert.equal(parse('load:\n  duration: 1h\n').load.durationMs, 3_600_000);
  assertError('load:\n  duration: 30x\n', 2, 13, 'load.duration', '"30x" is not a duration (use e.g. 500ms, 30s, 5m, 1h)');
  assertError('load:\n  duration: 0s\n', 2, 13, 'load.duration', /must be greater than 0, got "0s"/);
  assertError('load:\n  warmup: -5\n', 2, 11, 'load.warmup', /-5 is not a duration and must not be negative/);
  assertError('timeouts:\n  connect: 0\n', 2, 12, 'timeouts.connect', /must be greater than 0/);
  assertError('timeouts: { request: [1] }\n', 1, 22, 'timeouts.request', /expected a duration \(use e\.g\. 500ms.*\), got a list/);
});

test('integers: non-integers, too small, quoted and wrong types are refused', () => {
  assertError('pool:\n  connections: 1.5\n', 2, 16, 'pool.connections', 'expected an integer >= 1, got 1.5 (not a whole number)');
  assertError('load:\n  concurrency: 0\n', 2, 16, 'load.concurrency', 'expected an integer >= 1, got 0');
  assertError('load:\n  iterations: -3\n', 2, 15, 'load.iterations', 'expected an integer >= 1, got -3');
  assertError(
    'pool:\n  maxInflight: "64"\n',
    2,
    16,
    'pool.maxInflight',
    'expected an integer >= 1, got the string "64" (write it without quotes: 64)',
  );
  assertError('pool:\n  pipelining: yes\n', 2, 15, 'pool.pipelining', 'expected an integer >= 1, got the string "yes"');
  assertError('pool:\n  pipelining: true\n', 2, 15, 'pool.pipelining', 'expected an integer >= 1, got true');
  assertError('load: 5\n', 1, 7, 'load', /expected a map with keys concurrency, duration/);
});

test('think time: uniform, fixed, exponential, none, and min > max', () => {
  const think = (value: string) => parse(`load:\n  think: ${value}\n`).load.think;
  assert.deepEqual(think('{ min: 50ms, max: 250ms }'), { kind: 'uniform', minMs: 50, maxMs: 250 });
  assert.deepEqual(think('100ms'), { kind: 'uniform', minMs: 100, maxMs: 100 });
  assert.deepEqual(think('{ mean: 100ms }'), { kind: 'exponential', meanMs: 100 });
  assert.deepEqual(think('0'), { kind: 'none' });
  assert.deepEqual(think('"0"'), { kind: 'none' });
  assert.deepEqual(think('0s'), { kind: 'none' });
  assertError(
    'load:\n  think: { min: 300ms, max: 250ms }\n',
    2,
    17,
    'load.think.min',
    'min (300ms) is greater than max (250ms); min must be <= max',
  );
  assertError('load:\n  think: { min: 50ms }\n', 2, 12, 'load.think.max', /missing `max`/);
  assertError('load:\n  think: { mean: 1s, min: 2s }\n', 2, 12, 'load.think.mean', /either min and max .* or mean/);
  assertError('load:\n  think: [1]\n', 2, 10, 'load.think', /expected a duration, \{min, max\}/);
  assertError('load:\n  think: soon\n', 2, 10, 'load.think', '"soon" is not a duration (use e.g. 500ms, 30s, 5m, 1h)');
});

test('protocol: h1, h2 or auto only', () => {
  assert.equal(parse('protocol: auto\n').protocol, 'auto');
  assert.equal(parse('protocol: H1\n').protocol, 'h1');
  assertError('protocol: h3\n', 1, 11, 'protocol', '"h3" is not a protocol (accepted: h1, h2, auto)');
  assertError('protocol: 2\n', 1, 11, 'protocol', 'expected a string, got 2 (quote it: "2")');
});

test('transport: loadhttp or undici, with a suggestion for a near miss', () => {
  assert.equal(parse('transport: undici\n').transport, 'undici');
  assert.equal(parse('transport: LoadHTTP\n').transport, 'loadhttp');
  assert.equal(parse('name: x\n').transport, undefined);
  assertError('name: x\ntransport: undic\n', 2, 12, 'transport', '"undic" is not a transport; did you mean `undici`?');
  assertError('transport: curl\n', 1, 12, 'transport', '"curl" is not a transport; accepted: loadhttp, undici');
  assertError('transport: 1\n', 1, 12, 'transport', 'expected a string, got 1 (quote it: "1")');
});

test('target: http: or https: URLs only', () => {
  assert.equal(parse('target: https://u:p@example.com:8443/x\n').target, 'https://u:p@example.com:8443/x');
  assertError(
    'name: x\ntarget: ftp://example.com/\n',
    2,
    9,
    'target',
    'scheme ftp: is not supported (use an http: or https: URL, e.g. http://127.0.0.1:8080)',
  );
  assertError('target: not a url\n', 1, 9, 'target', '"not a url" is not a valid URL (use e.g. http://127.0.0.1:8080)');
});

test('requests: path required, method, weight, names, list shape', () => {
  assertError('requests:\n  - name: x\n', 2, 5, 'requests[0].path', 'missing required key `path` (e.g. path: /items)');
  assertError('requests:\n  - path: items\n', 2, 11, 'requests[0].path', /"items" must start with "\/"/);
  assertError('requests:\n  - path: http://x/items\n', 2, 11, 'requests[0].path', /put the scheme and host in `target`/);
  assertError('requests:\n  - path: /a b\n', 2, 11, 'requests[0].path', /must not contain spaces/);
  assertError('requests:\n  - path: /\n  - path: /\n    method: "GE T"\n', 4, 13, 'requests[1].method', /"GE T" is not an HTTP method/);
  assert.equal(parse('requests:\n  - { path: /, method: purge }\n').requests[0]?.method, 'PURGE');
  assertError('requests:\n  - { path: /, weight: 0 }\n', 2, 24, 'requests[0].weight', 'expected a number > 0, got 0');
  assertError('requests: []\n', 1, 11, 'requests', /must not be empty/);
  assertError('requests:\n', 1, 10, 'requests', /expected a non-empty list of requests, got an empty value/);
  assertError('requests:\n  - /items\n', 2, 5, 'requests[0]', /expected a map with keys name, method, path/);
});

test('requests: duplicate names are refused', () => {
  assertError(
    'requests:\n  - { name: a, path: /x }\n  - { name: a, path: /y }\n',
    3,
    13,
    'requests[1].name',
    /duplicate request name "a"; already used by requests\[0\]/,
  );
  // Default names collide too.
  assertError('requests:\n  - path: /x\n  - path: /x\n', 3, 5, 'requests[1].name', /duplicate request name "GET \/x"/);
  // Same path, different methods: distinct default names.
  assert.equal(parse('requests:\n  - path: /x\n  - { path: /x, method: POST }\n').requests.length, 2);
});

test('requests: json, body and file are mutually exclusive', () => {
  assertError(
    'requests:\n  - path: /\n    json: { a: 1 }\n    body: hello\n',
    4,
    5,
    'requests[0].body',
    'json and body are mutually exclusive (give only one of json, body, file)',
  );
  assertError('requests:\n  - path: /\n    file: x.bin\n    json: 1\n', 4, 5, 'requests[0].json', /file and json are mutually exclusive/);
});

test('requests: json keeps a content-type given in request or scenario headers', () => {
  const own = parse('requests:\n  - path: /\n    headers: { Content-Type: text/plain }\n    json: [1]\n').requests[0]!;
  assert.deepEqual(own.headers, { 'content-type': 'text/plain' });
  const global = parse('headers: { content-type: application/vnd.api+json }\nrequests:\n  - { path: /, json: [1] }\n').requests[0]!;
  assert.deepEqual(global.headers, {});
  assert.deepEqual(global.body, Buffer.from('[1]'));
  assertError('requests:\n  - { path: /, json: .inf }\n', 2, 22, 'requests[0].json', /has no JSON form/);
});

test('requests: expect status as a list or a single integer', () => {
  assert.deepEqual(parse('requests:\n  - { path: /, expect: { status: 204 } }\n').requests[0]?.expectStatus, [204]);
  assert.deepEqual(parse('requests:\n  - { path: /, expect: { status: [200, 404] } }\n').requests[0]?.expectStatus, [200, 404]);
  assertError(
    'requests:\n  - path: /\n    expect:\n      status: [200, 600]\n',
    4,
    21,
    'requests[0].expect.status[1]',
    'expected an HTTP status code (an integer 100..599), got 600',
  );
  assertError('requests:\n  - path: /\n    expect: { status: [] }\n', 3, 23, 'requests[0].expect.status', /must not be empty/);
});

test('headers: lower-cased names, stringified scalars, invalid names and values refused', () => {
  assert.deepEqual(parse('headers:\n  X-A: 1\n  X-B: false\n  X-C: ""\n').headers, { 'x-a': '1', 'x-b': 'false', 'x-c': '' });
  assertError('headers:\n  "bad name": x\n', 2, 3, 'headers.bad name', /"bad name" is not a valid header name/);
  assertError('headers:\n  x-a: "one\\r\\nx-b: two"\n', 2, 8, 'headers.x-a', 'invalid value for header x-a: it contains a line break or NUL');
  assertError('headers:\n  Accept: a\n  accept: b\n', 3, 3, 'headers.accept', /duplicate header accept \(header names are case-insensitive\)/);
  assertError('headers:\n  x-a: [1]\n', 2, 8, 'headers.x-a', /expected a string, number or boolean, got a list/);
  assertError('headers:\n  x-a:\n', 2, 7, 'headers.x-a', /got an empty value/);
});

test('duplicate keys are refused', () => {
  assertError('name: a\nload:\n  concurrency: 1\n  concurrency: 2\n', 4, 3, 'load.concurrency', 'duplicate key `concurrency` (keys must be unique)');
  assertError('name: a\nname: b\n', 2, 1, 'name', 'duplicate key `name` (keys must be unique)');
  assertError('requests:\n  - { path: /a, path: /b }\n', 2, 17, 'requests[0].path', 'duplicate key `path` (keys must be unique)');
  assertError('requests:\n  - path: /\n    json: { "a": 1, "a": 2 }\n', 3, 21, 'requests[0].json.a', /duplicate key `a`/);
});

test('YAML syntax errors are reported at their position', () => {
  const error = assertError('load:\n  concurrency: 1\n duration: 2s\n', 3, 1, undefined, /^\/scenarios\/test\.yaml:3:1: invalid YAML: /);
  assert.doesNotMatch(error.message, /\n/);
  assertError('requests: [ { path: / }\nname: x\n', 2, 1, undefined, /invalid YAML/);
  assertError('name: a\n---\nname: b\n', 2, 1, undefined, /invalid YAML: Source contains multiple documents/);
});

test('custom tags are refused, never run', () => {
  assertError('name: !!js/function "function () { return 1 }"\n', 1, 7, undefined, /tag !!js\/function is not accepted/);
  assertError('name: !secret x\n', 1, 7, undefined, /tag !secret is not accepted/);
  assertError('name: !!binary aGVsbG8=\n', 1, 16, undefined, /tag !!binary is not accepted/);
  // Core tags are fine.
  assert.equal(parse('name: !!str 5\n').name, '5');
});

test('anchors and aliases can be reused', () => {
  const scenario = parse('requests:\n  - { path: /a, headers: &h { x-a: 1 } }\n  - { path: /b, headers: *h }\n');
  assert.deepEqual(scenario.requests[1]?.headers, { 'x-a': '1' });
  // An anchor used inside itself, or an exponential expansion, is refused instead of hanging.
  assertError('requests:\n  - path: /\n    json: &x [1, *x]\n', 3, 18, 'requests[0].json[1]', /refers to a value that contains it/);
  const levels = ['&a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) levels.push(`&a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  assert.match(errorOf(`requests:\n  - path: /\n    json: [${levels.join(', ')}]\n`).message, /too many alias references/);
});

test('empty and non-map documents are refused', () => {
  assertError('', 1, 1, undefined, /the scenario is empty/);
  assertError('# only a comment\n', 1, 1, undefined, /the scenario is empty/);
  assertError('- a\n- b\n', 1, 1, undefined, /expected a map with keys name, target/);
});

test('missing environment variable is an error at the scalar', () => {
  const error = errorOf('name: x\ntarget: http://${LOADHTTP_TEST_HOST_UNSET}:8080\n');
  assert.deepEqual(error.position, { file: FILE, line: 2, col: 9 });
  assert.equal(error.key, 'target');
  assert.match(error.message, /environment variable LOADHTTP_TEST_HOST_UNSET is not set$/);
  assertError('name: "${1BAD}"\n', 1, 7, 'name', /\$\{1BAD\} is not a valid environment variable reference/);
  assertError('name: "${OPEN"\n', 1, 7, 'name', /unterminated \$\{/);
});

test('env substitution from process.env, what went into the wire\'s credential places recorded, $${ escapes', () => {
  process.env.LOADHTTP_TEST_TOKEN = 's3cret';
  process.env.LOADHTTP_TEST_HOST = '127.0.0.1';
  process.env.LOADHTTP_TEST_VUS = '12';
  process.env.LOADHTTP_TEST_EMPTY = '';
  try {
    const scenario = parseScenario(
      `target: http://\${LOADHTTP_TEST_HOST}:8080
load:
  concurrency: \${LOADHTTP_TEST_VUS}
headers:
  authorization: Bearer \${LOADHTTP_TEST_TOKEN}
  x-empty: "\${LOADHTTP_TEST_EMPTY}"
requests:
  - path: /items/$\${id}
    body: "token=\${LOADHTTP_TEST_TOKEN}"
  - path: /json
    json: { auth: "\${LOADHTTP_TEST_TOKEN}", literal: "$\${x}" }
`,
      FILE,
    );
    assert.equal(scenario.target, 'http://127.0.0.1:8080');
    assert.equal(scenario.load.concurrency, 12);
    assert.deepEqual(scenario.headers, { authorization: 'Bearer s3cret', 'x-empty': '' });
    assert.equal(scenario.requests[0]?.path, '/items/${id}');
    assert.deepEqual(scenario.requests[0]?.body, Buffer.from('token=s3cret'));
    assert.deepEqual(scenario.requests[1]?.body, Buffer.from('{"auth":"s3cret","literal":"${x}"}'));
    // The host and the number are no secrets; header values, query values and bodies from ${ENV} are.
    assert.deepEqual(scenario.fromEnv, { headers: ['authorization', 'x-empty'], values: ['s3cret'] });
    assert.deepEqual(scenario.requests[0]?.fromEnv, { headers: [], values: ['s3cret'] });
    assert.deepEqual(scenario.requests[1]?.fromEnv, { headers: [], values: ['s3cret'] });
    assert.equal(scenario.requests[0]?.shownPath, undefined, 'no query from ${ENV}: the path is shown as it is');
  } finally {
    delete process.env.LOADHTTP_TEST_TOKEN;
    delete process.env.LOADHTTP_TEST_HOST;
    delete process.env.LOADHTTP_TEST_VUS;
    delete process.env.LOADHTTP_TEST_EMPTY;
  }
});

test('errors never print a substituted value', () => {
  const error = errorOf('target: ${SECRET_URL}\n', FILE, { SECRET_URL: 'ftp://hunter2@example.com' });
  assert.doesNotMatch(error.message, /hunter2/);
  const duration = errorOf('load:\n  duration: ${D}\n', FILE, { D: 'hunter2' });
  assert.match(duration.message, /"\$\{D\}" \(after \$\{\} substitution\) is not a duration/);
  assert.doesNotMatch(duration.message, /hunter2/);
});

test('file: bodies resolve relative to the scenario directory', () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'bodies'));
  fs.writeFileSync(path.join(dir, 'bodies', 'a.json'), '{"a":1}');
  const file = path.join(dir, 'scenario.yaml');
  fs.writeFileSync(file, 'requests:\n  - path: /\n    file: bodies/a.json\n  - path: /dir\n    file: bodies\n');
  const error = (() => {
    try {
      loadScenario(file);
    } catch (e) {
      return e as ScenarioError;
    }
    assert.fail('a directory body must be refused');
  })();
  assert.deepEqual(error.position, { file, line: 5, col: 11 });
  assert.equal(error.key, 'requests[1].file');
  assert.match(error.message, /bodies is not a regular file$/);

  fs.writeFileSync(file, 'requests:\n  - path: /\n    file: bodies/a.json\n');
  assert.deepEqual(loadScenario(file).requests[0]?.body, Buffer.from('{"a":1}'));
  // No content-type is invented for file bodies.
  assert.deepEqual(loadScenario(file).requests[0]?.headers, {});
  // parseScenario resolves against the directory of the file name it is given.
  const fromText = parseScenario('requests:\n  - { path: /, file: ./bodies/a.json }\n', path.join(dir, 'virtual.yaml'), {});
  assert.deepEqual(fromText.requests[0]?.body, Buffer.from('{"a":1}'));
});

test('file: URLs and missing files are refused', () => {
  assertError(
    'requests:\n  - path: /\n    file: https://example.com/payload.bin\n',
    3,
    11,
    'requests[0].file',
    '"https://example.com/payload.bin" is a URL; file: takes a local path (relative to the scenario file)',
  );
  assertError('requests:\n  - path: /\n    file: FILE:///etc/passwd\n', 3, 11, 'requests[0].file', /is a URL/);
  assertError('requests:\n  - path: /\n    file: ./missing.bin\n', 3, 11, 'requests[0].file', '/scenarios/missing.bin: no such file');
  // TLS files are paths too: a URL is refused, never fetched.
  assertError('tls:\n  ca: https://example.com/ca.pem\n', 2, 7, 'tls.ca', /is a URL; it takes a local PEM file path/);
});

test('a missing scenario file is a clear error naming the path', () => {
  const missing = path.join(tempDir(), 'nope.yaml');
  assert.throws(
    () => loadScenario(missing),
    (error: unknown) =>
      error instanceof ScenarioError &&
      error.message === `cannot read scenario file ${missing}: no such file` &&
      error.position === undefined,
  );
  const dir = tempDir();
  assert.throws(() => loadScenario(dir), /it is a directory/);
});

test('thresholds are collected with their positions', () => {
  const scenario = parse(
    'thresholds:\n  - "p95 < 200ms"\n  - expr: error_rate < 0.01\n    abortOnFail: true\n    delay: 5s\n  - expr: rps > 100\n',
  );
  assert.deepEqual(scenario.thresholds, [
    { expr: 'p95 < 200ms', abortOnFail: false, delayMs: 0, position: { file: FILE, line: 2, col: 5 }, exprCol: 6 },
    { expr: 'error_rate < 0.01', abortOnFail: true, delayMs: 5000, position: { file: FILE, line: 3, col: 11 }, exprCol: 11 },
    { expr: 'rps > 100', abortOnFail: false, delayMs: 0, position: { file: FILE, line: 6, col: 11 }, exprCol: 11 },
  ]);
  assertError('thresholds:\n  - abortOnFail: true\n', 2, 5, 'thresholds[0].expr', /missing required key `expr`/);
  assertError('thresholds:\n  - { expr: x, abortOnFail: "yes" }\n', 2, 29, 'thresholds[0].abortOnFail', 'expected true or false, got "yes"');
  assertError('thresholds:\n  - { expr: x, dealy: 1s }\n', 2, 16, 'thresholds[0].dealy', /did you mean `delay`\?/);
  assertError('thresholds: p99 < 1s\n', 1, 13, 'thresholds', /expected a list of threshold expressions/);
});

test('suggest: Damerau-Levenshtein with a length-aware limit', () => {
  assert.equal(editDistance('concurrency', 'concurrency'), 0);
  assert.equal(editDistance('conccurency', 'concurrency'), 2);
  assert.equal(editDistance('nmae', 'name'), 1);
  assert.equal(suggest('durration', ['duration', 'iterations']), 'duration');
  assert.equal(suggest('foo', ['pool', 'load']), undefined);
  assert.equal(suggest('Timeout', ['timeouts', 'target']), 'timeouts');
});

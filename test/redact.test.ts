// Secrets never leak: a token from the environment (in Authorization and in a path) and a header named in
// `redact:` appear in no output — table, JSON, JUnit, Markdown, GitHub annotations, banner and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isSensitiveHeader, redactOutput, MASK } from '../src/util/redact.ts';
import { encodeHeaderBlock } from '../src/transport/h2/hpack/encoder.ts';
import { buildPlan } from '../src/plan/plan.ts';
import { summarizePlan } from '../src/plan/summary.ts';
import type { RunResult } from '../src/result/result.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { runCli } from './helpers/cli.ts';
import { startRawServer } from './helpers/raw-server.ts';
import { startServer } from './helpers/servers.ts';

const TOKEN = 'tok3n-5ecret-from-env';
const API_KEY = 'literal-api-key-42';

test('a run with an env token and a redacted header, with failures: the secrets appear in no output', async () => {
  const seen: string[] = [];
  const server = await startRawServer((socket, n) => {
    if (n % 2 === 0) return void socket.destroy();
    socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-redact-'));
  const file = path.join(dir, 'secret.yaml');
  writeFileSync(
    file,
    [
      `target: ${server.url}`,
      'redact: [x-api-key]',
      'headers:',
      '  authorization: Bearer ${API_TOKEN}',
      `  x-api-key: ${API_KEY}`,
      'requests:',
      '  - path: /items?key=${API_TOKEN}',
      '    retry: { attempts: 2, backoff: { base: 1ms } }',
      '  - { name: fails, path: "/x/${API_TOKEN}" }',
      'thresholds: ["errors<1%"]',
    ].join('\n'),
  );
  const out = (name: string) => path.join(dir, name);
  try {
    const run = await runCli(
      ['run', file, '-n', '30', '-c', '1', '--json', out('r.json'), '--junit', out('j.xml'), '--summary', out('s.md'), '--report', out('r.html')],
      { env: { API_TOKEN: TOKEN, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: out('step.md') } },
    );
    assert.equal(run.code, 99, run.stderr);
    const outputs: Record<string, string> = { stdout: run.stdout, stderr: run.stderr };
    for (const name of ['r.json', 'j.xml', 's.md', 'step.md', 'r.html']) outputs[name] = readFileSync(out(name), 'utf8');
    for (const [name, text] of Object.entries(outputs)) {
      assert.ok(!text.includes(TOKEN), `${name} contains the env token`);
      assert.ok(!text.includes(API_KEY), `${name} contains the redacted header value`);
      seen.push(name);
    }
    const json = JSON.parse(outputs['r.json']!);
    assert.ok(json.counts.failed > 0, 'the run had failures');
    assert.ok(Object.keys(json.requests).some((name: string) => name.includes(MASK)), 'the request name is masked, not dropped');
    assert.match(outputs.stdout!, /::error/, 'annotations were written');
  } finally {
    await server.close();
  }
  assert.equal(seen.length, 7);
});

test('error examples and messages are masked like everything else in the result', () => {
  const scenario = parseScenario('target: http://127.0.0.1:1\nredact: [X-Api-Key]\nheaders: { authorization: "Bearer abcd1234", x-api-key: k-999 }\n', 's.yaml');
  const plan = buildPlan(scenario, {}, 'test');
  assert.deepEqual(plan.secrets, ['Bearer abcd1234', 'abcd1234', 'k-999']);
  const result = redactOutput({ errorExamples: { other: ['GET /?t=abcd1234 failed with k-999'] }, histograms: { latency: 'abcd1234' } }, plan.secrets);
  assert.deepEqual(result, { errorExamples: { other: [`GET /?t=${MASK} failed with ${MASK}`] }, histograms: { latency: 'abcd1234' } });
});

/** A scenario file in a fresh temporary folder; returns its path and a helper for output paths there. */
function scenarioFile(lines: string[]): { file: string; out: (name: string) => string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-secrets-'));
  const file = path.join(dir, 'scenario.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, out: (name) => path.join(dir, name) };
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

test('concurrency: ${VUS} with VUS=20 is not a secret: every key and timestamp is intact', async () => {
  const server = await startServer();
  const { file, out } = scenarioFile([`target: ${server.url}`, 'load:', '  concurrency: ${VUS}', '  iterations: 40', 'requests:', '  - path: /items']);
  try {
    const run = await runCli(['run', file, '--json', out('r.json'), '--summary', out('s.md'), '--junit', out('j.xml')], { env: { VUS: '20' } });
    assert.equal(run.code, 0, run.stderr);
    const text = readFileSync(out('r.json'), 'utf8');
    for (const [name, output] of [['json', text], ['stdout', run.stdout], ['stderr', run.stderr], ['markdown', readFileSync(out('s.md'), 'utf8')]]) {
      assert.ok(!output!.includes(MASK), `${name} masks something: nothing here is a secret`);
    }
    const result = JSON.parse(text) as RunResult;
    assert.equal(result.plan.concurrency, 20);
    assert.deepEqual(result.statusCodes, { '200': 40 });
    assert.deepEqual(result.requests['GET /items']?.statusCodes, { '200': 40 });
    for (const stamp of [result.startedAt, result.measureStartedAt]) {
      assert.match(stamp ?? '', ISO_TIME);
      assert.ok(Number.isFinite(Date.parse(stamp!)));
    }
  } finally {
    await server.close();
  }
});

test('rate: ${RATE} with RATE=500 hides no HTTP 500: the 5xx threshold fails (exit 99)', async () => {
  const server = await startServer({ status: 500 });
  const { file, out } = scenarioFile([
    `target: ${server.url}`,
    'load:',
    '  rate: ${RATE}',
    '  iterations: 100',
    'requests:',
    '  - path: /items',
    'thresholds: ["5xx < 0.1%"]',
  ]);
  try {
    const run = await runCli(['run', file, '--json', out('r.json')], { env: { RATE: '500' } });
    assert.equal(run.code, 99, run.stderr);
    const result = JSON.parse(readFileSync(out('r.json'), 'utf8')) as RunResult;
    assert.equal(result.plan.rate, 500);
    // How many of the 100 complete depends on this machine's load (the open model may drop some): all are 500s.
    assert.ok(result.counts.completed > 0);
    assert.deepEqual(result.statusCodes, { '500': result.counts.completed });
    assert.equal(result.thresholds?.[0]?.passed, false);
    assert.equal(result.thresholdsPassed, false);
    assert.ok(!run.stdout.includes(MASK), run.stdout);
  } finally {
    await server.close();
  }
});

test('a token in a header is masked in every output, also where the server quotes it in an error', async () => {
  // The server answers the HTTP/2 preface in HTTP/1.1 and quotes the token: the run stops (exit 3)
  // with a message that carries the server's line.
  const server = await startRawServer((socket) => {
    socket.end(`HTTP/1.1 401 Unauthorized (Bearer ${TOKEN} refused)\r\ncontent-length: 0\r\n\r\n`);
  });
  const { file, out } = scenarioFile([
    `target: ${server.url}`,
    'protocol: h2',
    'headers:',
    '  authorization: Bearer ${API_TOKEN}',
    'requests:',
    '  - path: /items',
    'thresholds: ["errors<1%"]',
  ]);
  try {
    const run = await runCli(['run', file, '-n', '5', '--json', out('r.json'), '--junit', out('j.xml'), '--summary', out('s.md'), '--report', out('r.html')], {
      env: { API_TOKEN: TOKEN, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: out('step.md') },
    });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /answered in HTTP\/1\.x \("HTTP\/1\.1 401 Unauthorized \((Bearer )?\[redacted\] refused\)"\)/);
    const outputs: Record<string, string> = { stdout: run.stdout, stderr: run.stderr };
    for (const name of ['r.json', 'j.xml', 's.md', 'step.md', 'r.html']) outputs[name] = readFileSync(out(name), 'utf8');
    for (const [name, text] of Object.entries(outputs)) assert.ok(!text.includes(TOKEN), `${name} contains the token`);
    const result = JSON.parse(outputs['r.json']!) as RunResult;
    assert.match(result.error?.message ?? '', /\[redacted\] refused/);
    assert.equal(result.plan.requests[0]?.headers.authorization, MASK);
  } finally {
    await server.close();
  }
});

test('which values are secrets: credentials on the wire, never load numbers or the target host', () => {
  const env = { HOST: '127.0.0.1', VUS: '20', TENANT: 'ab', REGION: 'eu-west-10', QK: 'q1', QTOKEN: 'qtok-7777', BODY: 'body-5ecret', PAGE: '/v1' };
  const scenario = parseScenario(
    [
      'target: http://${HOST}:1',
      'load: { concurrency: "${VUS}", iterations: 5 }',
      'headers:',
      '  x-tenant: ${TENANT}',
      '  x-region: ${REGION}',
      '  x-trace: literal-trace',
      '  set-cookie: s=1',
      '  x-api-key: k-1',
      '  x-csrf-token: t-2',
      '  x-session-id: s-3',
      '  x-client-secret: c-4',
      '  x-password: p-5',
      '  x-auth: a-6',
      'requests:',
      '  - path: ${PAGE}/items?k=${QK}&t=${QTOKEN}&page=1',
      '    body: "a=${BODY}"',
      '  - { name: lab, path: "/ab/${QK}" }',
    ].join('\n'),
    's.yaml',
    env,
  );
  const plan = buildPlan(scenario, {}, 'test');
  assert.deepEqual(plan.secrets, ['body-5ecret', 'eu-west-10', 'qtok-7777']);
  const summary = summarizePlan(plan);
  const [first, second] = summary.requests;
  assert.equal(first?.name, 'GET /v1/items?k=[redacted]&t=[redacted]&page=1', 'the query values from ${ENV} are masked where they stand');
  assert.equal(first?.path, '/v1/items?k=[redacted]&t=[redacted]&page=1');
  assert.equal(second?.path, '/ab/q1', 'a path segment is not a secret');
  assert.deepEqual(first?.headers, {
    'user-agent': 'loadhttp/test',
    'x-tenant': MASK,
    'x-region': MASK,
    'x-trace': 'literal-trace',
    'set-cookie': MASK,
    'x-api-key': MASK,
    'x-csrf-token': MASK,
    'x-session-id': MASK,
    'x-client-secret': MASK,
    'x-password': MASK,
    'x-auth': MASK,
  });
  // The wire still carries the real values.
  assert.equal(plan.requests[0]?.path, '/v1/items?k=q1&t=qtok-7777&page=1');
  assert.ok(plan.requests[0]?.headers.includes('ab'));
  // Short secrets stay where they stand: "ab" and "q1" are not masked inside other strings.
  assert.deepEqual(redactOutput({ name: 'lab', path: '/ab/q1', n: 20 }, plan.secrets), { name: 'lab', path: '/ab/q1', n: 20 });
});

test('URL userinfo and -H credentials are secrets', () => {
  const plan = buildPlan(parseScenario('target: http://user:pa55word@127.0.0.1:1\n', 's.yaml', {}), { headers: { 'x-api-key': 'cli-key-1' } }, 'test');
  assert.deepEqual(plan.secrets, ['user:pa55word', 'cli-key-1', 'pa55word']);
  assert.equal(summarizePlan(plan).requests[0]?.headers['x-api-key'], MASK);
});

test('masking walks string values only: never keys, numbers, or encoded histograms', () => {
  const secrets = ['abcd1234', '2026'];
  const result = {
    startedAt: '2026-01-01T00:00:00.000Z',
    statusCodes: { '2026': 1 },
    requests: { 'GET /abcd1234': { count: 2026 } },
    errorExamples: { other: ['GET /?t=abcd1234 failed'] },
    histograms: { latency: 'abcd1234' },
  };
  assert.deepEqual(redactOutput(result, secrets), {
    startedAt: `${MASK}-01-01T00:00:00.000Z`,
    statusCodes: { '2026': 1 },
    requests: { 'GET /abcd1234': { count: 2026 } },
    errorExamples: { other: [`GET /?t=${MASK} failed`] },
    histograms: { latency: 'abcd1234' },
  });
  assert.equal(result.errorExamples.other[0], 'GET /?t=abcd1234 failed', 'the input is not changed');
});

test('a request name that quotes a secret is masked once, in the plan; names that become one are refused', () => {
  const env = { TOKEN: 'name-t0ken' };
  const scenario = (names: string[]) =>
    parseScenario(
      ['target: http://127.0.0.1:1', 'headers: { x-token: "${TOKEN}" }', 'requests:', ...names.map((n, i) => `  - { name: "${n}", path: /${i} }`)].join('\n'),
      's.yaml',
      env,
    );
  const plan = buildPlan(scenario(['list ${TOKEN}', 'other']), { thresholds: ['other.p99<1s'] }, 'test');
  assert.deepEqual(plan.requests.map((r) => r.name), [`list ${MASK}`, 'other']);
  assert.throws(() => buildPlan(scenario(['a ${TOKEN}', `a ${MASK}`]), {}, 'test'), /requests\[0\] and requests\[1\] are both named "a \[redacted\]" once secrets are masked/);
});

test('merge judges the shards on figures as measured: RATE=500 hides no 500 from 5xx < 0.1% (exit 99)', async () => {
  const server = await startServer({ status: 500 });
  const { file, out } = scenarioFile([`target: ${server.url}`, 'load: { rate: "${RATE}", iterations: 40 }', 'thresholds: ["5xx < 0.1%"]']);
  try {
    for (const i of [0, 1]) {
      const shard = await runCli(['run', file, '-q', '--shard', `${i}/2`, '--run-id', 'r1', '--json', out(`shard-${i}.json`)], { env: { RATE: '500' } });
      assert.equal(shard.code, 0, shard.stderr);
      const result = JSON.parse(readFileSync(out(`shard-${i}.json`), 'utf8')) as RunResult;
      assert.ok(result.counts.completed > 0);
      assert.deepEqual(result.statusCodes, { '500': result.counts.completed });
    }
    const merge = await runCli(['merge', out('shard-0.json'), out('shard-1.json'), '--json', out('total.json')]);
    assert.equal(merge.code, 99, merge.stderr);
    const total = JSON.parse(readFileSync(out('total.json'), 'utf8')) as RunResult;
    assert.deepEqual(total.statusCodes, { '500': total.counts.completed });
  } finally {
    await server.close();
  }
});

test('one list of sensitive header names, for masking and for HPACK never-indexed literals', () => {
  const sensitive = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token', 'x-session-id', 'x-client-secret', 'x-password', 'idempotency-key'];
  for (const name of sensitive) assert.ok(isSensitiveHeader(name), name);
  for (const name of ['user-agent', 'accept', 'content-type', 'x-trace', ':authority']) assert.ok(!isSensitiveHeader(name), name);
  // 0x10: a literal never indexed, with a literal name (RFC 7541 6.2.3).
  assert.equal(encodeHeaderBlock([['x-api-key', 'k']])[0], 0x10);
  assert.equal(encodeHeaderBlock([['x-trace', 'k']])[0], 0x00);
});

// `loadhttp import`: HAR files and curl command lines turned into scenarios that the loader accepts,
// with the recorded order, the headers that matter, and credentials as ${ENV} references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCurl } from '../src/scenario/import/curl.ts';
import { parseHar } from '../src/scenario/import/har.ts';
import { requestTarget } from '../src/scenario/import/recording.ts';
import { shellWords } from '../src/scenario/import/shell-words.ts';
import { toScenario, type Imported } from '../src/scenario/import/to-scenario.ts';
import { parseScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/types.ts';
import { UsageError } from '../src/util/errors.ts';
import { runCli } from './helpers/cli.ts';
import { startServer, type TestServer } from './helpers/servers.ts';
import { buildPlan } from '../src/plan/plan.ts';

const HAR = fileURLToPath(new URL('fixtures/recording.har', import.meta.url));
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl';

/** The imported text loaded as a scenario, each env var it names set to a value of its own. */
function load(imported: Imported): { scenario: Scenario; env: Record<string, string> } {
  const env = Object.fromEntries(imported.env.map((v) => [v.name, `value-of-${v.name}`]));
  return { scenario: parseScenario(imported.text, '/imported/scenario.yaml', env), env };
}

function importCurl(command: string): { imported: Imported; scenario: Scenario; env: Record<string, string> } {
  const imported = toScenario(parseCurl(command));
  return { imported, ...load(imported) };
}

test('HAR: the recorded file round-trips into a flow that validates, its steps in recorded order', () => {
  const imported = toScenario(parseHar(fs.readFileSync(HAR, 'utf8'), 'recording.har'));
  const { scenario, env } = load(imported);
  assert.equal(scenario.target, 'http://127.0.0.1:8080');
  assert.deepEqual(scenario.requests, [], 'a flow, not a mix');
  assert.deepEqual(
    scenario.flow!.map((r) => `${r.name} ${r.method} ${r.path}`),
    [
      'post-api-login POST /api/login',
      'get-api-me GET /api/me',
      `get-api-items GET /api/items?page=1&sort=-created&session_id=${env.SESSION_ID}`,
      'post-api-items POST /api/items',
      'post-api-search POST /api/search',
    ],
  );
  // Think: the pause from the last response to the next request, when 100 ms or more (entries' timings).
  assert.deepEqual(scenario.flow!.map((s) => s.think), [null, null, { kind: 'uniform', minMs: 740, maxMs: 740 }, { kind: 'uniform', minMs: 363, maxMs: 363 }, null]);
  assert.match(imported.text, /# The recorded requests in order: each iteration runs them in sequence\.\n# think: .*\nflow:\n/);
  assert.ok(imported.notes.some((n) => /think: the pauses recorded between steps \(2, the longest 740ms\)/.test(n)), imported.notes.join('\n'));
  const still = toScenario(parseHar(fs.readFileSync(HAR, 'utf8'), 'recording.har'), { think: false });
  assert.ok(!still.text.includes('think'), still.text);
  // The other origin is left out, and said so.
  assert.match(imported.text, /# +GET https:\/\/fonts\.example\.net\/css2/);
  assert.ok(imported.notes.some((n) => /1 request\(s\) to other origins left out/.test(n)), imported.notes.join('\n'));
  // Headers every request sent move to the scenario's headers; hop-by-hop and browser hints are dropped.
  assert.deepEqual(Object.keys(scenario.headers), ['user-agent', 'accept', 'accept-encoding']);
  const login = scenario.flow![0]!;
  assert.deepEqual(Object.keys(login.headers).sort(), ['content-type', 'cookie', 'origin', 'referer']);
  for (const dropped of ['host', 'connection', 'content-length', 'sec-ch-ua', 'sec-fetch-site', ':authority']) {
    assert.ok(!imported.text.includes(`${dropped}:`), `${dropped} kept:\n${imported.text}`);
  }
  // Bodies: JSON as json (its plain content-type implied), a params-only form as its urlencoded text.
  assert.deepEqual(JSON.parse(login.body!.toString()), { user: 'alice', password: env.PASSWORD });
  assert.equal(login.headers['content-type'], 'application/json');
  const create = scenario.flow![3]!;
  assert.deepEqual(JSON.parse(create.body!.toString()), { name: 'widget ${sku}', tags: ['demo', 'har'], price: 9.5 });
  assert.equal(create.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(scenario.flow![4]!.body!.toString(), 'q=blue+widget&limit=20');
  assert.equal(scenario.flow![2]!.headers['if-none-match'], 'W/"5e-1a2b"');
});

test('HAR: credentials become ${ENV} references, one per distinct value, and never appear in the text', () => {
  const imported = toScenario(parseHar(fs.readFileSync(HAR, 'utf8'), 'recording.har'));
  for (const secret of [TOKEN, 'correct-horse', 'Qm9vbXNoYWthbGFrYQ', 's%3A8f14e45f', 'a1b2c3d4']) {
    assert.ok(!imported.text.includes(secret), `${secret} in:\n${imported.text}`);
  }
  assert.deepEqual(
    imported.env.map((v) => v.name),
    ['COOKIE', 'PASSWORD', 'BEARER_TOKEN', 'COOKIE_2', 'SESSION_ID', 'X_CSRF_TOKEN'],
  );
  assert.match(imported.env[3]!.what, /cookie header \(first in get-api-me\)/);
  const { scenario, env } = load(imported);
  const me = scenario.flow![1]!;
  assert.equal(me.headers.authorization, `Bearer ${env.BEARER_TOKEN}`);
  assert.equal(me.headers.cookie, env.COOKIE_2);
  // The loader marks them as from the environment: masked in every output.
  assert.deepEqual(me.fromEnv?.headers.sort(), ['authorization', 'cookie']);
  assert.match(imported.text, /set COOKIE, PASSWORD, BEARER_TOKEN, COOKIE_2, SESSION_ID, X_CSRF_TOKEN before running/);
});

test('HAR: HTTP/2 pseudo-headers are dropped, repeated cookies joined, an all-h2 https recording asks for h2', () => {
  const har = {
    log: {
      entries: [1, 2].map((n) => ({
        startedDateTime: `2026-12-04T10:00:0${3 - n}.000Z`, // listed out of order: sorted by start time
        request: {
          method: 'get',
          url: `https://127.0.0.1:8443/n/${n}`,
          httpVersion: 'h2',
          headers: [
            { name: ':authority', value: '127.0.0.1:8443' },
            { name: ':path', value: `/n/${n}` },
            { name: 'cookie', value: 'a=1' },
            { name: 'cookie', value: `b=${n}` },
            { name: 'priority', value: 'u=1, i' },
          ],
        },
      })),
    },
  };
  const imported = toScenario(parseHar(JSON.stringify(har), 'h2.har'));
  const { scenario, env } = load(imported);
  assert.equal(scenario.protocol, 'h2');
  assert.deepEqual(scenario.flow!.map((r) => r.path), ['/n/2', '/n/1']);
  assert.deepEqual(scenario.flow!.map((r) => r.headers), [{ cookie: env.COOKIE }, { cookie: env.COOKIE_2 }]);
  assert.deepEqual(imported.env.map((v) => v.what.split(' (')[0]), ['the cookie header', 'the cookie header']);
});

test('request targets are taken as written in the recorded URL, not normalised', () => {
  assert.equal(requestTarget('http://127.0.0.1:8080'), '/');
  assert.equal(requestTarget('HTTP://u:p@127.0.0.1:8080?x=1#frag'), '/?x=1');
  // URL parsing would make these /b/%7B%7Bx%7D%7D and /b: sent as recorded instead.
  assert.equal(requestTarget('http://h/a/../b/{{x}}"'), '/a/../b/{{x}}"');
  // What cannot stand in a request line is percent-encoded as UTF-8.
  assert.equal(requestTarget('http://h/caf\u00e9 x?q=\u00fc'), '/caf%C3%A9%20x?q=%C3%BC');
});

test('HAR: a file that is not HAR is refused with the place', () => {
  assert.throws(() => parseHar('{"log": {}}', 'x.har'), /x\.har: not a HAR file \(no log.entries list\)/);
  assert.throws(() => parseHar('nope', 'x.har'), /x\.har: not a HAR file \(invalid JSON/);
  assert.throws(
    () => parseHar('{"log": {"entries": [{"request": {"method": "GET", "url": "/relative"}}]}}', 'x.har'),
    /x\.har: log\.entries\[0\]\.request\.url: "\/relative" is not a URL/,
  );
});

test('shell words: quotes, $\'...\', escapes and continuations as a shell reads them', () => {
  assert.deepEqual(shellWords(`curl 'a b' "c \\"d\\" \\$e" f\\ g $'h\\'i\\n\\x41\\u00e9' \\\n  -k`), [
    'curl', 'a b', 'c "d" $e', 'f g', "h'i\nAé", '-k',
  ]);
  assert.deepEqual(shellWords('curl x\n\n'), ['curl', 'x']);
  assert.throws(() => shellWords("curl 'x"), /unterminated single quote/);
  assert.throws(() => shellWords('curl a; curl b'), /unquoted ";".*one curl command/);
  assert.throws(() => shellWords('curl a && curl b'), /unquoted "&"/);
  assert.throws(() => shellWords('curl a\ncurl b'), /more than one command line/);
});

test('curl: method, headers, data, user, cookie, agent, referer, TLS and protocol options', () => {
  const { scenario, env, imported } = importCurl(
    `curl -sS -X PUT 'https://127.0.0.1:8443/v1/items/7?api_key=k-123&x=1' -H 'Accept: application/json' -H 'X-Trace: abc' ` +
      `-u alice:s3cret -b 'sid=zz9' -A 'probe/1.0' -e https://127.0.0.1:8443/ --data-raw 'name=w&n=2' -k --http2 --compressed`,
  );
  const put = scenario.requests[0]!;
  assert.equal(put.method, 'PUT');
  assert.equal(put.path, `/v1/items/7?api_key=${env.API_KEY}&x=1`);
  assert.equal(put.body!.toString(), 'name=w&n=2');
  assert.deepEqual(put.headers, {
    accept: 'application/json',
    'x-trace': 'abc',
    authorization: `Basic ${env.BASIC_AUTH}`,
    cookie: env.COOKIE,
    'user-agent': 'probe/1.0',
    referer: 'https://127.0.0.1:8443/',
    'content-type': 'application/x-www-form-urlencoded',
  });
  assert.equal(scenario.tls.insecure, true);
  assert.equal(scenario.protocol, 'h2');
  assert.match(imported.env.find((v) => v.name === 'BASIC_AUTH')!.what, /base64 of user:password/);
  assert.ok(!imported.text.includes(Buffer.from('alice:s3cret').toString('base64')), imported.text);
  assert.ok(imported.notes.some((n) => n.startsWith('--compressed ignored')), imported.notes.join('\n'));
});

test('curl: -d implies POST, --json sets the JSON headers, -G puts data in the query, -I is HEAD', () => {
  assert.equal(importCurl(`curl http://127.0.0.1:8080/f -d a=1 -d b=2`).scenario.requests[0]!.method, 'POST');
  const json = importCurl(`curl --url http://127.0.0.1:8080/items --json '{"name":"x","token":"t-1"}'`);
  const req = json.scenario.requests[0]!;
  assert.equal(req.method, 'POST');
  assert.deepEqual(JSON.parse(req.body!.toString()), { name: 'x', token: json.env.TOKEN });
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.headers.accept, 'application/json');
  const get = importCurl(`curl -G http://127.0.0.1:8080/s?q=1 --data-urlencode 'term=a b&c'`).scenario.requests[0]!;
  assert.equal(`${get.method} ${get.path}`, 'GET /s?q=1&term=a%20b%26c');
  assert.equal(get.body, null);
  assert.equal(importCurl(`curl -I 127.0.0.1:8080/`).scenario.requests[0]!.method, 'HEAD');
  assert.equal(importCurl(`curl -XDELETE http://127.0.0.1:8080/x/1`).scenario.requests[0]!.method, 'DELETE');
  assert.equal(importCurl(`curl --http1.1 http://127.0.0.1:8080/`).scenario.protocol, 'h1');
  // A Host header naming the URL's host is the transport's; another host (a virtual host) is kept.
  assert.deepEqual(importCurl(`curl -H 'Host: 127.0.0.1:8080' http://127.0.0.1:8080/`).scenario.requests[0]!.headers, {});
  assert.deepEqual(importCurl(`curl -H 'Host: api.test' http://127.0.0.1:8080/`).scenario.requests[0]!.headers, { host: 'api.test' });
});

test('curl: a browser "Copy as cURL" command with continuations and $\'...\' quoting', () => {
  const command = [
    `curl 'http://127.0.0.1:8080/api/items' \\`,
    `  -H 'accept: application/json' \\`,
    `  -H 'content-type: application/json' \\`,
    `  -b 'theme=dark; sid=abc' \\`,
    `  -H 'sec-fetch-mode: cors' \\`,
    `  --data-raw $'{"name":"it\\'s \${literal}"}'`,
  ].join('\n');
  const { scenario } = importCurl(command);
  const req = scenario.requests[0]!;
  assert.deepEqual(JSON.parse(req.body!.toString()), { name: "it's ${literal}" });
  assert.deepEqual(Object.keys(req.headers).sort(), ['accept', 'content-type', 'cookie']);
});

test('curl: -d @file becomes a file: body relative to the scenario', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadhttp-import-'));
  fs.writeFileSync(path.join(dir, 'payload.json'), '{"a":1}');
  const imported = toScenario(parseCurl(`curl http://127.0.0.1:8080/up -H 'content-type: application/json' --data-binary @payload.json`));
  assert.match(imported.text, /file: payload\.json/);
  const scenario = parseScenario(imported.text, path.join(dir, 'scenario.yaml'), {});
  assert.equal(scenario.requests[0]!.body!.toString(), '{"a":1}');
  assert.equal(scenario.requests[0]!.method, 'POST');
});

test('curl: what cannot be imported is refused by name', () => {
  const cases: Array<[string, RegExp]> = [
    ['curl --proxy http://p:3128 http://127.0.0.1/', /curl option --proxy is not supported by loadhttp import \(supported: --request, --header/],
    ['curl -Z http://127.0.0.1/', /curl option -Z is not supported/],
    ['wget http://127.0.0.1/', /expected a curl command \(starting with "curl"\), got "wget"/],
    ['curl -X', /curl option -X needs a value/],
    ['curl -H nocolon http://127.0.0.1/', /expected "Name: value"/],
    ['curl -b cookies.txt http://127.0.0.1/', /reading cookies from a file is not supported/],
    ['curl http://127.0.0.1/a http://127.0.0.1/b', /more than one URL/],
    ['curl -k', /the curl command has no URL/],
    ['curl ftp://127.0.0.1/x', /only http: and https: are supported/],
  ];
  for (const [command, message] of cases) {
    assert.throws(() => parseCurl(command), (error: unknown) => error instanceof UsageError && message.test(error.message), command);
  }
});

test('CLI: import har prints a scenario that `loadhttp validate` accepts; env vars listed on stderr', async () => {
  const imported = await runCli(['import', 'har', HAR]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stderr, /set these environment variables before running the scenario:\n  COOKIE: the cookie header \(first in post-api-login\)\n/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadhttp-import-'));
  const file = path.join(dir, 'recorded.yaml');
  fs.writeFileSync(file, imported.stdout);
  const names = [...imported.stderr.matchAll(/^ {2}([A-Z_0-9]+): /gm)].map((m) => m[1]!);
  assert.equal(names.length, 6);
  const unset = await runCli(['validate', file]);
  assert.equal(unset.code, 2);
  assert.match(unset.stderr, /environment variable COOKIE is not set/);
  const valid = await runCli(['validate', file], { env: Object.fromEntries(names.map((n) => [n, `v-${n}`])) });
  assert.equal(valid.code, 0, valid.stderr);
  assert.match(valid.stdout, /flow \(in order, per iteration\):\n(.*\n)*  5\. post-api-search: POST \/api\/search/);
  assert.match(valid.stdout, /valid\n$/);
  const still = await runCli(['import', 'har', '--no-think', HAR]);
  assert.equal(still.code, 0, still.stderr);
  assert.ok(imported.stdout.includes('think: 740ms') && !still.stdout.includes('think'), still.stdout);
  assert.doesNotMatch(still.stderr, /pauses recorded/);
});

test('CLI: import curl; an unknown option or format exits 2 naming it', async () => {
  const ok = await runCli(['import', 'curl', `curl -X POST http://127.0.0.1:8080/items --json '{"a":1}'`]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /method: POST\n {4}path: \/items\n/);
  const unknown = await runCli(['import', 'curl', 'curl --proxy x http://127.0.0.1/']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^loadhttp: curl option --proxy is not supported/);
  const format = await runCli(['import', 'postman', 'x.json']);
  assert.equal(format.code, 2);
  assert.match(format.stderr, /unknown import format "postman" \(accepted: har, curl\)/);
  const missing = await runCli(['import', 'har', '/nonexistent/x.har']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read HAR file \/nonexistent\/x\.har: no such file/);
});

// ---------------------------------------------------------------------------------------------------
// Imported scenarios run for real: what a local server receives is what was recorded.

interface Received {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: Buffer;
  atMs: number;
}

/** A server that records every request it receives (raw target, headers in order, body bytes). */
async function recordingServer(): Promise<{ server: TestServer; received: Received[] }> {
  const received: Received[] = [];
  const server = await startServer({
    handler: (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const headers: Array<[string, string]> = [];
        for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
        received.push({ method: req.method!, url: req.url!, headers, body: Buffer.concat(chunks), atMs: performance.now() });
        res.end('ok');
      });
    },
  });
  return { server, received };
}

/** What loadhttp adds of its own when the recording has none: the transport's framing, its user-agent. */
const TRANSPORT_HEADERS = ['host', 'content-length', 'connection', 'user-agent'];
/** What the importer leaves out of what was recorded (see to-scenario.ts). */
const dropped = (name: string) => ['host', 'connection', 'content-length'].includes(name) || /^(:|sec-)/.test(name);

interface HarSend {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body: string | undefined;
}

/** The requests of a HAR to `origin`, in recorded order, as they were sent. */
function recordedSends(har: { log: { entries: Array<Record<string, any>> } }, origin: string): HarSend[] {
  return [...har.log.entries]
    .sort((a, b) => Date.parse(a.startedDateTime) - Date.parse(b.startedDateTime))
    .filter((e) => new URL(e.request.url).origin === origin)
    .map((e) => ({
      method: e.request.method,
      // The target as written in the recorded URL (not normalised by URL parsing).
      target: (e.request.url as string).replace(/^https?:\/\/[^/]+/, ''),
      headers: (e.request.headers as Array<{ name: string; value: string }>).map((h) => [h.name.toLowerCase(), h.value] as [string, string]),
      // A form recorded as params only is sent urlencoded.
      body: e.request.postData?.text ?? (e.request.postData?.params && new URLSearchParams(e.request.postData.params.map((p: { name: string; value: string }) => [p.name, p.value])).toString()),
    }));
}

/** Runs `scenarioText` (imported) with the CLI against `server`, one iteration, with `env`. */
async function runImported(scenarioText: string, server: TestServer, env: Record<string, string>, extra: string[] = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadhttp-import-run-'));
  const file = path.join(dir, 'imported.yaml');
  fs.writeFileSync(file, scenarioText);
  const result = await runCli(['run', file, '--url', server.url, '-n', '1', '-c', '1', '--json', path.join(dir, 'result.json'), ...extra], { env, timeoutMs: 20_000 });
  assert.equal(result.code, 0, `${result.stderr}\n${scenarioText}`);
  return JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8')) as { requests: Record<string, { counts: { completed: number } }> };
}

function assertSentAsRecorded(received: Received[], recorded: HarSend[]): void {
  assert.equal(received.length, recorded.length, received.map((r) => `${r.method} ${r.url}`).join('\n'));
  recorded.forEach((want, i) => {
    const got = received[i]!;
    const where = `request ${i + 1} (${want.method} ${want.target})`;
    assert.equal(`${got.method} ${got.url}`, `${want.method} ${want.target}`, where);
    assert.deepEqual(got.body, Buffer.from(want.body ?? '', 'utf8'), `${where}: body`);
    const kept = want.headers.filter(([name]) => !dropped(name));
    for (const [name, value] of kept) {
      assert.deepEqual(got.headers.filter(([n]) => n === name).map(([, v]) => v), [value], `${where}: header ${name}`);
    }
    const extra = got.headers.filter(([name]) => !kept.some(([n]) => n === name) && !TRANSPORT_HEADERS.includes(name));
    assert.deepEqual(extra, [], `${where}: headers that were not recorded`);
  });
}

test('run: the imported HAR flow sends every recorded request as recorded, in order, with the recorded pauses', async () => {
  const har = JSON.parse(fs.readFileSync(HAR, 'utf8'));
  const imported = await runCli(['import', 'har', HAR]);
  assert.equal(imported.code, 0, imported.stderr);
  // The recorded values of the credentials the scenario takes from the environment.
  const env = {
    COOKIE: 'theme=dark; csrftoken=Qm9vbXNoYWthbGFrYQ',
    PASSWORD: 'correct-horse',
    BEARER_TOKEN: TOKEN,
    COOKIE_2: 'theme=dark; csrftoken=Qm9vbXNoYWthbGFrYQ; sid=s%3A8f14e45f',
    SESSION_ID: 'a1b2c3d4',
    X_CSRF_TOKEN: 'Qm9vbXNoYWthbGFrYQ',
  };
  const { server, received } = await recordingServer();
  try {
    const result = await runImported(imported.stdout, server, env);
    assert.deepEqual(Object.keys(result.requests), ['post-api-login', 'get-api-me', 'get-api-items', 'post-api-items', 'post-api-search']);
    assertSentAsRecorded(received, recordedSends(har, 'http://127.0.0.1:8080'));
    // think: 740ms after get-api-items, 363ms after post-api-items (the response time adds to it; 10 ms
    // of slack for a timer that fires on the loop's cached time, a little early by the server's clock).
    // Without the pauses these gaps are a few ms.
    assert.ok(received[3]!.atMs - received[2]!.atMs >= 730, `${received[3]!.atMs - received[2]!.atMs} ms`);
    assert.ok(received[4]!.atMs - received[3]!.atMs >= 353, `${received[4]!.atMs - received[3]!.atMs} ms`);
  } finally {
    await server.close();
  }
});

/** A HAR recorded by a proxy (targets as sent, not normalised) with `{{` in every place a step has. */
const BRACES_HAR = {
  log: {
    entries: [
      {
        startedDateTime: '2026-12-04T10:00:00.000Z',
        time: 5,
        request: {
          method: 'GET',
          url: 'http://127.0.0.1:8080/t/{{raw}}/x{?q={{a}}&token=t{{1&e=${x}',
          headers: [{ name: 'X-Template', value: '{{h}} and {{{{h2}}' }, { name: 'Host', value: '127.0.0.1:8080' }],
        },
      },
      {
        startedDateTime: '2026-12-04T10:00:00.010Z',
        time: 5,
        request: {
          method: 'POST',
          url: 'http://127.0.0.1:8080/t/text',
          headers: [{ name: 'Content-Type', value: 'text/plain' }],
          postData: { mimeType: 'text/plain', text: 'hello {{name}}, {{{{x and {{' },
        },
      },
      {
        startedDateTime: '2026-12-04T10:00:00.020Z',
        time: 5,
        request: {
          method: 'POST',
          url: 'http://127.0.0.1:8080/t/json',
          headers: [{ name: 'Content-Type', value: 'application/json' }],
          postData: { mimeType: 'application/json', text: '{"{{k}}":"{{user}}","password":"p{{w","n":[1,"{{"]}' },
        },
      },
      {
        startedDateTime: '2026-12-04T10:00:00.030Z',
        time: 5,
        request: {
          method: 'PUT',
          url: 'http://127.0.0.1:8080/t/json',
          headers: [{ name: 'Content-Type', value: 'application/json' }],
          // Not what JSON.stringify writes (spaces, 1.50): kept as body text, byte for byte.
          postData: { mimeType: 'application/json', text: '{ "s": "{{x}}", "a": 1.50 }' },
        },
      },
    ],
  },
};

test('HAR: {{ anywhere in a recorded request is escaped; the flow validates and runs, sending it as recorded', async () => {
  const text = JSON.stringify(BRACES_HAR);
  const imported = toScenario(parseHar(text, 'braces.har'));
  // No step is a template: the scenario loads (no "unknown variable"), and the plan renders nothing.
  assert.match(imported.text, /path: \/t\/\{\{\{\{raw}}\/x\{\?q=\{\{\{\{a}}&token=\$\{TOKEN}&e=\$\$\{x}/);
  assert.match(imported.text, /body: hello \{\{\{\{name}}, \{\{\{\{\{\{\{\{x and \{\{\{\{/);
  assert.deepEqual(imported.env.map((v) => v.name), ['TOKEN', 'PASSWORD']);
  assert.match(imported.env[0]!.what, /the token query parameter .*; write each \{\{ in its value as \{\{\{\{/);
  const env = { TOKEN: 't{{{{1', PASSWORD: 'p{{{{w' };
  const scenario = parseScenario(imported.text, '/imported/braces.yaml', env);
  assert.deepEqual(scenario.flow!.map((s) => s.name), ['get-t-raw-x', 'post-t-text', 'post-t-json', 'put-t-json']);
  assert.deepEqual(scenario.flow!.map((s) => s.think), [null, null, null, null], 'no pause recorded');
  assert.deepEqual(scenario.flow!.map((s) => s.bodyKey), [null, 'body', 'json', 'body']);
  const plan = buildPlan(scenario, { url: 'http://127.0.0.1:1' }, 'test');
  assert.deepEqual(plan.flow!.entries[0]!.steps.map((s) => s.templates), [null, null, null, null]);
  const { server, received } = await recordingServer();
  try {
    await runImported(imported.text, server, env);
    assertSentAsRecorded(received, recordedSends(BRACES_HAR, 'http://127.0.0.1:8080'));
  } finally {
    await server.close();
  }
});

test('HAR: names stay readable and unique; one request alone is a requests: entry; a JSON body with a credential is re-serialised', () => {
  const entry = (method: string, url: string, at: number, body?: string) => ({
    startedDateTime: new Date(Date.UTC(2026, 11, 4, 10, 0, 0, at)).toISOString(),
    time: 10,
    request: { method, url, headers: [], ...(body && { postData: { mimeType: 'application/json', text: body } }) },
  });
  const twice = toScenario(parseHar(JSON.stringify({ log: { entries: [
    entry('GET', 'http://127.0.0.1:8080/api/items', 0),
    entry('GET', 'http://127.0.0.1:8080/api/items?page=2', 20),
    entry('POST', 'http://127.0.0.1:8080/', 40, '{ "password": "x", "n": 1.0 }'),
    entry('GET', 'http://127.0.0.1:8080/api/items', 550),
  ] } }), 'twice.har'));
  const { scenario } = load(twice);
  assert.deepEqual(scenario.flow!.map((s) => s.name), ['get-api-items', 'get-api-items-2', 'post-root', 'get-api-items-3']);
  // 550 - (40 + 10) = 500 ms after post-root.
  assert.deepEqual(scenario.flow!.map((s) => s.think), [null, null, { kind: 'uniform', minMs: 500, maxMs: 500 }, null]);
  assert.match(twice.text, /json:\n {6}password: \$\{PASSWORD}\n {6}n: 1\n/);
  assert.ok(twice.notes.some((n) => /post-root: the JSON body is written as json: so its credential fields come from the environment; it is sent as the loader re-serialises it/.test(n)), twice.notes.join('\n'));
  const one = toScenario(parseHar(JSON.stringify({ log: { entries: [entry('GET', 'http://127.0.0.1:8080/api/items', 0)] } }), 'one.har'));
  assert.match(one.text, /\nrequests:\n {2}- name: get-api-items\n {4}path: \/api\/items\n/);
  assert.ok(!one.text.includes('flow:'), one.text);
  assert.equal(load(one).scenario.requests.length, 1);
});

test('curl: {{ in the data, headers and URL is escaped in the requests: entry, which runs and sends it as given', async () => {
  const { server, received } = await recordingServer();
  try {
    const command = `curl -g '${server.url}/c/{{p}}?q={{' -H 'X-T: {{h}}' --data-raw 'a={{b}}&password={{p&c=}}'`;
    const imported = toScenario(parseCurl(command));
    assert.deepEqual(imported.notes, [], 'with -g, no note about URL globbing');
    assert.match(imported.text, /\nrequests:\n {2}- name: post-c-p\n {4}method: POST\n {4}path: \/c\/\{\{\{\{p}}\?q=\{\{\{\{\n/);
    assert.match(imported.text, /x-t: "\{\{\{\{h}}"/);
    assert.match(imported.text, /body: a=\{\{\{\{b}}&password=\$\{PASSWORD}&c=}}/);
    assert.match(imported.env[0]!.what, /the password form field .*; write each \{\{ in its value as \{\{\{\{/);
    await runImported(imported.text, server, { PASSWORD: '{{{{p' });
    assert.equal(received.length, 1);
    const [got] = received;
    assert.equal(`${got!.method} ${got!.url}`, 'POST /c/{{p}}?q={{');
    assert.equal(got!.headers.find(([n]) => n === 'x-t')?.[1], '{{h}}');
    assert.equal(got!.body.toString(), 'a={{b}}&password={{p&c=}}');
  } finally {
    await server.close();
  }
  // Without -g curl would expand {...} and [...] in the URL: said, and imported as written.
  const globbed = toScenario(parseCurl(`curl 'http://127.0.0.1:8080/f/{a,b}'`));
  assert.ok(globbed.notes.some((n) => /the URL has \{\} or \[\] and no -g: curl would expand them/.test(n)), globbed.notes.join('\n'));
  assert.match(globbed.text, /path: \/f\/\{a,b}\n/);
});

/** recording.har with header values the loader refuses (above U+00FF; a line break) and one it accepts (obs-text). */
function harWithUnsendableHeaders(): string {
  const har = JSON.parse(fs.readFileSync(HAR, 'utf8')) as { log: { entries: Array<{ request: { url: string; headers: Array<{ name: string; value: string }> } }> } };
  const entry = (path: string) => har.log.entries.find((e) => e.request.url.endsWith(path))!.request.headers;
  entry('/api/login').push({ name: 'X-Display-Name', value: 'Zoë €' }, { name: 'X-City', value: 'Zürich' });
  entry('/api/items?page=1&sort=-created&session_id=a1b2c3d4').push({ name: 'X-Note', value: 'a\nb' });
  return JSON.stringify(har);
}

test('HAR: a header value the loader would refuse (above U+00FF, a line break) is left out with a note naming it; the flow loads', () => {
  const imported = toScenario(parseHar(harWithUnsendableHeaders(), 'unicode.har'));
  const { scenario } = load(imported);
  const login = scenario.flow!.find((s) => s.name === 'post-api-login')!;
  assert.equal(login.headers['x-display-name'], undefined);
  assert.equal(login.headers['x-city'], 'Zürich', 'obs-text (up to U+00FF) is a byte each: kept');
  assert.equal(scenario.flow!.find((s) => s.name === 'get-api-items')!.headers['x-note'], undefined);
  assert.ok(!imported.text.includes('€') && !imported.text.includes('x-display-name') && !imported.text.includes('x-note'), imported.text);
  const notes = imported.notes.join('\n');
  assert.match(notes, /post-api-login: header x-display-name left out: its value cannot be sent as recorded: it contains "€" \(U\+20AC\), above U\+00FF/);
  assert.match(notes, /get-api-items: header x-note left out: its value cannot be sent as recorded: it contains a line break or NUL/);
  assert.equal(imported.notes.filter((n) => / left out: its value/.test(n)).length, 2, notes);
});

test('CLI: import har and import curl -H \'x-name: €\' print scenarios that `loadhttp validate` accepts; stderr names the header left out', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadhttp-import-unicode-'));
  const har = path.join(dir, 'unicode.har');
  fs.writeFileSync(har, harWithUnsendableHeaders());
  const fromHar = await runCli(['import', 'har', har]);
  assert.equal(fromHar.code, 0, fromHar.stderr);
  assert.match(fromHar.stderr, /loadhttp import: post-api-login: header x-display-name left out: .*"€" \(U\+20AC\)/);
  const harScenario = path.join(dir, 'har.yaml');
  fs.writeFileSync(harScenario, fromHar.stdout);
  const names = [...fromHar.stderr.matchAll(/^ {2}([A-Z_0-9]+): /gm)].map((m) => m[1]!);
  const harValid = await runCli(['validate', harScenario], { env: Object.fromEntries(names.map((n) => [n, `v-${n}`])) });
  assert.equal(harValid.code, 0, harValid.stderr);

  const fromCurl = await runCli(['import', 'curl', "curl http://127.0.0.1:8080/items -H 'x-name: €' -H 'x-ok: café'"]);
  assert.equal(fromCurl.code, 0, fromCurl.stderr);
  assert.match(fromCurl.stderr, /loadhttp import: get-items: header x-name left out: its value cannot be sent as recorded: it contains "€" \(U\+20AC\)/);
  assert.doesNotMatch(fromCurl.stdout, /x-name|€/);
  assert.match(fromCurl.stdout, /x-ok: café/);
  const curlScenario = path.join(dir, 'curl.yaml');
  fs.writeFileSync(curlScenario, fromCurl.stdout);
  const curlValid = await runCli(['validate', curlScenario]);
  assert.equal(curlValid.code, 0, curlValid.stderr);
  assert.match(curlValid.stdout, /valid\n$/);
});

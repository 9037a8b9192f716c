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
import { shellWords } from '../src/scenario/import/shell-words.ts';
import { toScenario, type Imported } from '../src/scenario/import/to-scenario.ts';
import { parseScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/types.ts';
import { UsageError } from '../src/util/errors.ts';
import { runCli } from './helpers/cli.ts';

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

test('HAR: the recorded file round-trips into a scenario that validates, in recorded order', () => {
  const imported = toScenario(parseHar(fs.readFileSync(HAR, 'utf8'), 'recording.har'));
  const { scenario, env } = load(imported);
  assert.equal(scenario.target, 'http://127.0.0.1:8080');
  assert.deepEqual(
    scenario.requests.map((r) => `${r.name} ${r.method} ${r.path}`),
    [
      '01-post-api-login POST /api/login',
      '02-get-api-me GET /api/me',
      `03-get-api-items GET /api/items?page=1&sort=-created&session_id=${env.SESSION_ID}`,
      '04-post-api-items POST /api/items',
      '05-post-api-search POST /api/search',
    ],
  );
  // The other origin is left out, and said so.
  assert.match(imported.text, /# +GET https:\/\/fonts\.example\.net\/css2/);
  assert.ok(imported.notes.some((n) => /1 request\(s\) to other origins left out/.test(n)), imported.notes.join('\n'));
  // Headers every request sent move to the scenario's headers; hop-by-hop and browser hints are dropped.
  assert.deepEqual(Object.keys(scenario.headers), ['user-agent', 'accept', 'accept-encoding']);
  const login = scenario.requests[0]!;
  assert.deepEqual(Object.keys(login.headers).sort(), ['content-type', 'cookie', 'origin', 'referer']);
  for (const dropped of ['host', 'connection', 'content-length', 'sec-ch-ua', 'sec-fetch-site', ':authority']) {
    assert.ok(!imported.text.includes(`${dropped}:`), `${dropped} kept:\n${imported.text}`);
  }
  // Bodies: JSON as json (its plain content-type implied), a params-only form as its urlencoded text.
  assert.deepEqual(JSON.parse(login.body!.toString()), { user: 'alice', password: env.PASSWORD });
  assert.equal(login.headers['content-type'], 'application/json');
  const create = scenario.requests[3]!;
  assert.deepEqual(JSON.parse(create.body!.toString()), { name: 'widget ${sku}', tags: ['demo', 'har'], price: 9.5 });
  assert.equal(create.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(scenario.requests[4]!.body!.toString(), 'q=blue+widget&limit=20');
  assert.equal(scenario.requests[2]!.headers['if-none-match'], 'W/"5e-1a2b"');
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
  assert.match(imported.env[3]!.what, /cookie header \(first in 02-get-api-me\)/);
  const { scenario, env } = load(imported);
  const me = scenario.requests[1]!;
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
  assert.deepEqual(scenario.requests.map((r) => r.path), ['/n/2', '/n/1']);
  assert.deepEqual(scenario.requests.map((r) => r.headers), [{ cookie: env.COOKIE }, { cookie: env.COOKIE_2 }]);
  assert.deepEqual(imported.env.map((v) => v.what.split(' (')[0]), ['the cookie header', 'the cookie header']);
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
  assert.match(imported.stderr, /set these environment variables before running the scenario:\n  COOKIE: the cookie header \(first in 01-post-api-login\)\n/);
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
  assert.match(valid.stdout, /05-post-api-search: POST \/api\/search/);
  assert.match(valid.stdout, /valid\n$/);
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

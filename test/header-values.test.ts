// Header values are bytes: a character above U+00FF has none, and is refused where it comes from (the
// scenario loader with file:line:col, -H with exit 2, a template at send time as class `template`, a
// beforeRequest hook as hook-error: test/hooks-invalid-request.test.ts), never sent mangled (latin1 would
// truncate € to 0xAC). Characters up to U+00FF (obs-text) go out as one byte each, through loadhttp's
// transports as through undici, which refuse what reaches them the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { runPlan } from '../src/engine/run.ts';
import { buildPlan } from '../src/plan/plan.ts';
import type { Overrides } from '../src/plan/types.ts';
import { parseScenario } from '../src/scenario/load.ts';
import type { RunResult } from '../src/result/result.ts';
import { runBoth, runOne, type Started } from './helpers/both.ts';
import { runCli } from './helpers/cli.ts';
import { startH2Server } from './helpers/servers.ts';

/** A raw HTTP/1.1 server keeping each request head's bytes; it answers `body` (JSON) to every request. */
interface HeadServer extends Started {
  heads: Buffer[];
}

function startHeadServer(body = '{"name":"Zoë","price":"5 €"}'): Promise<HeadServer> {
  const heads: Buffer[] = [];
  const sockets = new Set<Socket>();
  const payload = Buffer.from(body, 'utf8');
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) !== -1) {
        heads.push(buffered.subarray(0, end));
        buffered = buffered.subarray(end + 4);
        socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${payload.length}\r\n\r\n`), payload]));
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        heads,
        requests: () => heads.length,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** The raw bytes of header `name` in a request head (after "name: "), or undefined. */
function headerBytes(head: Buffer, name: string): Buffer | undefined {
  const marker = Buffer.from(`\r\n${name}: `, 'latin1');
  const at = head.indexOf(marker);
  if (at === -1) return undefined;
  const from = at + marker.length;
  const end = head.indexOf('\r\n', from);
  return head.subarray(from, end === -1 ? head.length : end);
}

function loaderError(text: string): string {
  try {
    parseScenario(text, 'h.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail(`the scenario was accepted:\n${text}`);
}

test('scenario loader: a header value with a character above U+00FF is refused at its line, naming the header and the character', () => {
  const top = loaderError('target: http://127.0.0.1:1\nheaders:\n  x-price: "5 €"\nrequests:\n  - path: /\n');
  assert.match(top, /^h\.yaml:3:12: headers\.x-price: invalid value for header x-price: it contains "€" \(U\+20AC\), above U\+00FF/);
  const perRequest = loaderError('target: http://127.0.0.1:1\nrequests:\n  - path: /\n    headers: { x-mood: "ok 😀" }\n');
  assert.match(perRequest, /^h\.yaml:4:\d+: .*x-mood: invalid value for header x-mood: it contains "😀" \(U\+1F600\)/);
  const step = loaderError('target: http://127.0.0.1:1\nflow:\n  - name: a\n    path: /\n    headers:\n      x-who: "Łukasz"\n');
  assert.match(step, /^h\.yaml:6:\d+: .*x-who: invalid value for header x-who: it contains "Ł" \(U\+0141\)/);
  // CR, LF and NUL were refused already; they still are.
  assert.match(loaderError('target: http://127.0.0.1:1\nheaders:\n  x-a: "a\\r\\nb: c"\nrequests:\n  - path: /\n'), /invalid value for header x-a: it contains a line break or NUL/);
  // obs-text (0x80-0xFF) is a byte: accepted.
  assert.doesNotThrow(() => parseScenario('target: http://127.0.0.1:1\nheaders:\n  x-who: "Zoë"\nrequests:\n  - path: /\n', 'h.yaml'));
});

test('-H: a value with a character above U+00FF exits 2 naming the flag, the header and the character', async () => {
  const r = await runCli(['run', '--url', 'http://127.0.0.1:1/', '-H', 'x-price: 5 €', '-n', '1', '-q']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--header: the value of x-price: it contains "€" \(U\+20AC\), above U\+00FF/);
});

/** A flow: step `get` captures name and price from the JSON, `use` sends them in headers. */
const CAPTURE_FLOW = `flow:
  - name: get
    path: /get
    capture: [{ json: $.name, as: name }, { json: $.price, as: price }]
  - name: use
    path: /use
    headers: { x-name: "{{name}}" }
  - name: price
    path: /price
    headers: { x-price: "{{price}}" }
`;

async function runFlow(server: HeadServer, transport: 'loadhttp' | 'undici', overrides: Overrides): Promise<RunResult> {
  const scenario = parseScenario(`target: ${server.url}\ntransport: ${transport}\n${CAPTURE_FLOW}`, 'flow.yaml');
  return runPlan(buildPlan(scenario, overrides, 'test'), { version: 'test' });
}

for (const transport of ['loadhttp', 'undici'] as const) {
  test(`${transport}: a template rendering a character above U+00FF fails its step as class template; obs-text goes out as its byte`, async () => {
    const server = await startHeadServer();
    try {
      const result = await runFlow(server, transport, { concurrency: 1, iterations: 3 });
      assert.equal(result.iterations!.failed, 3);
      assert.deepEqual(result.errors, { template: 3 }, JSON.stringify(result.errorExamples));
      assert.deepEqual(result.requests.price!.errors, { template: 3 });
      assert.equal(result.requests.price!.counts.sent, 3, 'counted as sent, so that sent = completed + failed + cancelled');
      assert.match(result.errorExamples.template![0]!, /the template of header x-price rendered an invalid value: it contains "€" \(U\+20AC\)/);
      // get and use reached the server, price never did.
      assert.equal(server.heads.length, 6);
      assert.ok(server.heads.every((head) => !head.toString('latin1').startsWith('GET /price')));
      const uses = server.heads.filter((head) => head.toString('latin1').startsWith('GET /use'));
      assert.equal(uses.length, 3);
      // Zoë: "ë" is U+00EB, one byte 0xEB on the wire (not its UTF-8 pair).
      for (const head of uses) assert.deepEqual(headerBytes(head, 'x-name'), Buffer.from([0x5a, 0x6f, 0xeb]));
    } finally {
      await server.close();
    }
  });
}

test('differential: a header value above U+00FF reaching a transport is refused by each (class other, nothing sent); obs-text is one byte on each', async () => {
  const start = () => startHeadServer('{}');
  const refused = await runBoth(start, { iterations: 2, concurrency: 1, headers: { 'x-price': '5 €' } });
  for (const run of [refused.loadhttp, refused.undici]) {
    assert.deepEqual(run.result.errors, { other: 2 });
    assert.equal(run.served, 0, 'nothing reached the server');
  }
  assert.match(refused.loadhttp.result.errorExamples.other![0]!, /invalid value for header x-price: it contains "€" \(U\+20AC\)/);

  const heads: Record<string, Buffer[]> = {};
  for (const transport of ['loadhttp', 'undici'] as const) {
    const run = await runOne(
      async () => {
        const server = await start();
        heads[transport] = server.heads;
        return server;
      },
      { iterations: 2, concurrency: 1, headers: { 'x-who': 'Zoë' } },
      '/',
      transport,
    );
    assert.equal(run.result.counts.completed, 2, transport);
  }
  for (const transport of ['loadhttp', 'undici']) {
    for (const head of heads[transport]!) assert.deepEqual(headerBytes(head, 'x-who'), Buffer.from([0x5a, 0x6f, 0xeb]), transport);
  }
});

test('h2c: a header value above U+00FF is refused by the loadhttp transport as by undici (class other), nothing sent', async () => {
  const server = await startH2Server({ tls: false });
  try {
    const start = async (): Promise<Started> => ({ url: server.url, requests: () => server.stats.requests, close: async () => {} });
    const runs = await runBoth(start, { iterations: 2, concurrency: 1, protocol: 'h2', headers: { 'x-price': '5 €' } });
    for (const run of [runs.loadhttp, runs.undici]) assert.deepEqual(run.result.errors, { other: 2 });
    assert.match(runs.loadhttp.result.errorExamples.other![0]!, /invalid value for header x-price: it contains "€" \(U\+20AC\)/);
    assert.equal(server.stats.requests, 0, 'nothing reached the server');
  } finally {
    await server.close();
  }
});

// Differential tests for HTTP/2: every h2 server of the test suite (node:http2 with its knobs, and raw frame
// servers) runs through loadhttp's own transport and through undici (the reference), and the two must agree
// on counts, failure classes, statuses and body bytes. Where they differ on purpose, the test says so and
// checks each side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountedFor, assertAgree, runBoth, type Started } from './helpers/both.ts';
import { frame, responseBlock, simpleResponse, startFrameServer, u32, type FrameServerOptions } from './helpers/h2-frame-server.ts';
import { startH2Server, type H2ServerOptions } from './helpers/servers.ts';

const h2 = (options: H2ServerOptions) => async (): Promise<Started> => {
  const server = await startH2Server(options);
  return { url: server.url, requests: () => server.stats.requests, close: server.close };
};

const frames = (options: FrameServerOptions) => async (): Promise<Started> => {
  const server = await startFrameServer(options);
  return { url: server.url, requests: server.requests, close: server.close };
};

const H2 = { protocol: 'h2' as const };

const NODE_SERVERS: Array<{ name: string; options: H2ServerOptions; iterations?: number; concurrency?: number; overrides?: object }> = [
  { name: 'h2c', options: { tls: false } },
  { name: 'h2 over TLS (ALPN)', options: { tls: true }, overrides: { tls: { insecure: true } } },
  { name: 'https + auto choosing h2', options: { tls: true, allowHTTP1: true }, overrides: { protocol: 'auto', tls: { insecure: true } } },
  { name: 'a delay of 20 ms, 40 streams at once', options: { tls: false, delayMs: 20 }, iterations: 200, concurrency: 40 },
  // At most 10 users: with more, undici's run waits for slots and its iteration count comes short (engine issue,
  // not the transport's); loadhttp's opening more sessions is checked in h2.test.ts.
  { name: 'SETTINGS_MAX_CONCURRENT_STREAMS 10', options: { tls: false, maxConcurrentStreams: 10, delayMs: 5 }, iterations: 150, concurrency: 10 },
  { name: 'RST_STREAM INTERNAL_ERROR on every 5th stream', options: { tls: false, resetEvery: 5 }, iterations: 200, concurrency: 8 },
  { name: 'POST bodies', options: { tls: false, delayMs: 5 }, overrides: { method: 'POST', body: Buffer.from('{"a":1}') } },
];

for (const c of NODE_SERVERS) {
  test(`differential h2: node:http2, ${c.name}`, async () => {
    const runs = await runBoth(h2(c.options), { ...H2, iterations: c.iterations ?? 60, concurrency: c.concurrency ?? 6, ...c.overrides });
    assertAgree(runs, c.name);
    assert.ok(runs.loadhttp.result.counts.completed > 0);
  });
}

test('differential h2: graceful GOAWAY after 30 streams (undici may fail what loadhttp sends again)', async () => {
  const runs = await runBoth(h2({ tls: false, delayMs: 5, goawayAfter: 30 }), { ...H2, iterations: 200, concurrency: 10 });
  for (const side of [runs.loadhttp, runs.undici]) {
    accountedFor(side.result);
    assert.deepEqual(Object.keys(side.result.errors).filter((c) => c !== 'goaway'), []);
    assert.equal(side.result.counts.completed + (side.result.errors.goaway ?? 0), 200);
  }
  // Streams above the last stream id (if any were in flight: it depends on timing; the frame-server test in
  // h2-transport.test.ts makes sure) were not processed: loadhttp sends them again and counts them; none
  // fails, and the server handled each request once.
  assert.deepEqual(runs.loadhttp.result.errors, {});
  assert.equal(typeof runs.loadhttp.result.resent, 'number');
  assert.equal(runs.loadhttp.served, 200);
});

test('differential h2: GOAWAY INTERNAL_ERROR after 30 streams fails the streams in flight as goaway, in both', async () => {
  const runs = await runBoth(h2({ tls: false, delayMs: 5, goawayAfter: 30, goawayCode: 2 }), { ...H2, iterations: 300, concurrency: 10 });
  for (const side of [runs.loadhttp, runs.undici]) {
    accountedFor(side.result);
    assert.deepEqual(Object.keys(side.result.errors), ['goaway']);
    assert.ok(side.result.counts.completed > 150);
  }
});

const FRAME_SERVERS: Array<{ name: string; options: FrameServerOptions; iterations?: number; concurrency?: number }> = [
  {
    name: 'CONTINUATION, a padded HEADERS, a 20 KB header and padded DATA',
    options: {
      onRequest: (conn, stream) => {
        const block = responseBlock(200, [['x-big', 'v'.repeat(20_000)], ['content-length', '4']]);
        void conn.write(
          Buffer.concat([
            frame(1, 0x8, stream, Buffer.concat([Buffer.from([3]), block.subarray(0, 9000), Buffer.alloc(3)])),
            frame(9, 0x4, stream, block.subarray(9000)),
            frame(0, 0x8, stream, Buffer.concat([Buffer.from([9]), Buffer.from('ok\n!'), Buffer.alloc(9)])),
            frame(0, 0x1, stream, Buffer.alloc(0)),
          ]),
        );
      },
    },
  },
  {
    name: 'every frame split at every byte',
    options: { trickle: true, onRequest: (conn, stream) => conn.write(simpleResponse(stream, 200, 'hello')) },
    iterations: 3,
    concurrency: 1,
  },
  {
    name: 'PING before every response',
    options: { onRequest: (conn, stream) => void conn.write(Buffer.concat([frame(6, 0, 0, Buffer.from('12345678')), simpleResponse(stream)])) },
  },
  {
    name: 'status 404 and 503 with bodies, and a 204 without',
    options: {
      onRequest: (conn, stream, n) => void conn.write(n % 3 === 0 ? simpleResponse(stream, 204, '') : simpleResponse(stream, n % 3 === 1 ? 404 : 503, 'nope')),
    },
  },
  {
    name: 'RST_STREAM REFUSED_STREAM on every 4th stream',
    options: { onRequest: (conn, stream, n) => void conn.write(n % 4 === 0 ? frame(3, 0, stream, u32(7)) : simpleResponse(stream)) },
  },
];

for (const c of FRAME_SERVERS) {
  test(`differential h2: frame server, ${c.name}`, async () => {
    const runs = await runBoth(frames(c.options), { ...H2, iterations: c.iterations ?? 40, concurrency: c.concurrency ?? 4 });
    assertAgree(runs, c.name);
    assert.ok(runs.loadhttp.result.counts.completed > 0);
  });
}

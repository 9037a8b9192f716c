// The HTTP/2 transport of our own, driven directly (no CLI) against raw frame servers and node:http2 servers on
// 127.0.0.1: framing (byte-at-a-time, CONTINUATION, padding, a 20 KB header), flow control both ways, SETTINGS
// changes mid-run, GOAWAY, RST_STREAM, PING, stream-id exhaustion, protocol violations and their classes.
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
// In every frame-server test, connections[0] is the preflight's probe (preface + SETTINGS, then closed): the
// sessions carrying requests start at connections[1].
import { createServer as createH2Server, createSecureServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { classifyError } from '../src/result/failure-classes.ts';
import { createH2Transport, type H2Transport } from '../src/transport/h2/transport.ts';
import type { PreparedRequest, SendOutcome } from '../src/transport/transport.ts';
import type { TransportOptions } from '../src/transport/transport.ts';
import { frame, responseBlock, settingsFrame, simpleResponse, startFrameServer, u32, type FrameConnection } from './helpers/h2-frame-server.ts';
import { CERTS } from './helpers/servers.ts';
import { youngBytes } from './helpers/young-bytes.ts';

const GET: PreparedRequest = { method: 'GET', path: '/', headers: ['user-agent', 'loadhttp-test'], body: null, wireBytes: 20 };

function transport(url: string, over: Partial<TransportOptions> = {}, firstStreamId?: number): H2Transport {
  return createH2Transport(
    {
      target: url,
      protocol: 'h2',
      connections: 1,
      pipelining: 1,
      maxConcurrentStreams: 100,
      maxInflight: 4,
      tls: { insecure: false, ca: null, cert: null, key: null, servername: null },
      connectTimeoutMs: 2000,
      requestTimeoutMs: 5000,
      ...over,
    },
    firstStreamId,
  );
}

interface Tally {
  statuses: Record<number, number>;
  errors: Record<string, number>;
  messages: string[];
  bytes: number;
}

/** Sends `count` requests, `concurrency` at a time; tallies statuses, failure classes and body bytes. */
async function drive(t: H2Transport, count: number, concurrency: number, request: PreparedRequest = GET): Promise<Tally> {
  const tally: Tally = { statuses: {}, errors: {}, messages: [], bytes: 0 };
  let sent = 0;
  let ended = 0;
  await new Promise<void>((resolve) => {
    const next = () => {
      if (sent >= count) return;
      sent++;
      t.send(request, (outcome: SendOutcome | null, error: Error | null) => {
        if (outcome) {
          tally.statuses[outcome.status] = (tally.statuses[outcome.status] ?? 0) + 1;
          tally.bytes += outcome.bytes;
        } else {
          const cls = classifyError(error);
          tally.errors[cls] = (tally.errors[cls] ?? 0) + 1;
          tally.messages.push(error!.message);
        }
        if (++ended === count) resolve();
        else next();
      });
    };
    for (let i = 0; i < Math.min(concurrency, count); i++) next();
  });
  return tally;
}

test('byte-at-a-time: every frame and header block split at every byte (CONTINUATION, padding) still reads right', async () => {
  const server = await startFrameServer({
    trickle: true,
    onRequest: async (conn, stream) => {
      const block = responseBlock(200, [['content-length', '5'], ['x-a', 'a'.repeat(40)]]);
      await conn.write(
        Buffer.concat([
          frame(1, 0, stream, block.subarray(0, 10)),
          frame(9, 0x4, stream, block.subarray(10)),
          frame(0, 0x8, stream, Buffer.concat([Buffer.from([3]), Buffer.from('hel'), Buffer.alloc(3)])),
          frame(0, 0x1, stream, Buffer.from('lo')),
        ]),
      );
    },
  });
  const t = transport(server.url, { maxInflight: 1 });
  try {
    await t.preflight();
    const tally = await drive(t, 3, 1);
    assert.deepEqual(tally, { statuses: { 200: 3 }, errors: {}, messages: [], bytes: 15 });
  } finally {
    await t.close();
    await server.close();
  }
});

test('CONTINUATION frames, a padded HEADERS, a 20 KB response header and padded DATA', async () => {
  const server = await startFrameServer({
    onRequest: (conn, stream) => {
      const block = responseBlock(201, [['x-big', 'v'.repeat(20_000)], ['content-length', '4']]);
      const padded = Buffer.concat([Buffer.from([7]), block.subarray(0, 5000), Buffer.alloc(7)]);
      void conn.write(
        Buffer.concat([
          frame(1, 0x8, stream, padded),
          frame(9, 0, stream, block.subarray(5000, 16000)),
          frame(9, 0x4, stream, block.subarray(16000)),
          frame(0, 0x8, stream, Buffer.concat([Buffer.from([200]), Buffer.from('ab'), Buffer.alloc(200)])),
          frame(0, 0x9, stream, Buffer.concat([Buffer.from([0]), Buffer.from('cd')])),
        ]),
      );
    },
  });
  const t = transport(server.url);
  try {
    await t.preflight();
    const tally = await drive(t, 20, 4);
    assert.deepEqual(tally, { statuses: { 201: 20 }, errors: {}, messages: [], bytes: 80 });
  } finally {
    await t.close();
    await server.close();
  }
});

test('a response larger than the stream and connection windows: WINDOW_UPDATEs, batched', async () => {
  const body = Buffer.alloc(3 * 1024 * 1024 + 17, 'x');
  const server = createH2Server();
  server.on('stream', (stream: ServerHttp2Stream) => {
    stream.respond({ ':status': 200, 'content-length': String(body.length) });
    stream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const t = transport(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    await t.preflight();
    const tally = await drive(t, 8, 4);
    assert.deepEqual(tally.statuses, { 200: 8 });
    assert.equal(tally.bytes, 8 * body.length);
  } finally {
    await t.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('WINDOW_UPDATEs are batched: a few per window, not one per DATA frame', async () => {
  const server = await startFrameServer({
    onRequest: async (conn, stream) => {
      // 2 MiB in 16 KiB DATA frames, never beyond the windows the client granted (1 MiB per stream at first).
      await conn.write(frame(1, 0x4, stream, responseBlock(200)));
      const chunk = Buffer.alloc(16384, 'y');
      let sent = 0;
      const granted = () => (1 << 20) + conn.frames.filter((f) => f.type === 8 && f.stream === stream).reduce((a, f) => a + f.payload.readUInt32BE(0), 0);
      while (sent < 2 << 20) {
        while (sent + chunk.length > granted()) await new Promise((resolve) => setTimeout(resolve, 2));
        sent += chunk.length;
        await conn.write(frame(0, sent === 2 << 20 ? 1 : 0, stream, chunk));
      }
    },
  });
  const t = transport(server.url, { maxInflight: 1 });
  try {
    await t.preflight();
    const tally = await drive(t, 1, 1);
    assert.deepEqual(tally.statuses, { 200: 1 });
    assert.equal(tally.bytes, 2 << 20);
    const updates = server.connections[1]!.frames.filter((f) => f.type === 8 && f.stream !== 0);
    // 128 DATA frames; the stream window (1 MiB) is given back at half: 2-3 updates.
    assert.ok(updates.length >= 1 && updates.length <= 4, `${updates.length} stream WINDOW_UPDATEs`);
  } finally {
    await t.close();
    await server.close();
  }
});

test('a request body larger than the server window waits for its WINDOW_UPDATEs and arrives whole', async () => {
  const body = Buffer.alloc(300_000, 'b');
  const received: number[] = [];
  const server = createH2Server();
  server.on('stream', (stream: ServerHttp2Stream) => {
    let n = 0;
    stream.on('data', (chunk: Buffer) => (n += chunk.length));
    stream.on('end', () => {
      received.push(n);
      stream.respond({ ':status': 200 });
      stream.end('done');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const t = transport(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    await t.preflight();
    const post: PreparedRequest = { method: 'POST', path: '/up', headers: [], body, wireBytes: body.length };
    const tally = await drive(t, 6, 3, post);
    assert.deepEqual(tally.statuses, { 200: 6 });
    assert.deepEqual(received, Array(6).fill(body.length));
  } finally {
    await t.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a request header block larger than the frame size goes out as HEADERS + CONTINUATION', async () => {
  const seen: number[] = [];
  const server = createH2Server({ settings: { maxHeaderListSize: 256 * 1024 } });
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    seen.push(String(headers['x-big']).length);
    stream.respond({ ':status': 200 });
    stream.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const t = transport(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    await t.preflight();
    // Random letters: Huffman coding cannot shrink the block below 16 KiB.
    const big = Array.from({ length: 40_000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join('');
    const tally = await drive(t, 3, 3, { ...GET, headers: ['x-big', big] });
    assert.deepEqual(tally.statuses, { 200: 3 });
    assert.deepEqual(seen, [40_000, 40_000, 40_000]);
  } finally {
    await t.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a header value HPACK cannot carry fails its request (called back, not thrown)', async () => {
  const server = await startFrameServer({ onRequest: (conn, stream) => void conn.write(simpleResponse(stream)) });
  const t = transport(server.url, { maxInflight: 1 });
  try {
    await t.preflight();
    const tally = await drive(t, 2, 1, { ...GET, headers: ['x-arrow', 'a → b'] });
    assert.equal(tally.messages.length, 2);
    assert.match(tally.messages[0]!, /x-arrow/);
    assert.equal(server.requests(), 0);
  } finally {
    await t.close();
    await server.close();
  }
});

test('SETTINGS lowering MAX_CONCURRENT_STREAMS mid-run: the limit is followed and more sessions carry the load', async () => {
  let limit = 8;
  const open = new Map<FrameConnection, number>();
  let most = 0;
  const server = await startFrameServer({
    settings: () => [[3, limit]],
    onRequest: (conn, stream, n) => {
      if (n === 20) {
        limit = 2;
        for (const other of server.connections) void other.write(settingsFrame([[3, 2]]));
      }
      open.set(conn, (open.get(conn) ?? 0) + 1);
      // Streams the client opened after it acknowledged the lower limit.
      const acked = conn.frames.filter((f) => f.type === 4 && f.flags === 1).length >= 2;
      if (acked && conn.frames.at(-1)!.stream === stream) most = Math.max(most, open.get(conn)!);
      setTimeout(() => {
        open.set(conn, open.get(conn)! - 1);
        void conn.write(simpleResponse(stream));
      }, 5);
    },
  });
  const t = transport(server.url, { maxInflight: 8 });
  try {
    await t.preflight();
    const tally = await drive(t, 200, 8);
    assert.deepEqual(tally.statuses, { 200: 200 });
    const stats = t.stats();
    assert.equal(stats.streamsPerSession, 2);
    // 8 in flight at 2 streams per session: 4 sessions once the limit came down (plus the probe).
    assert.equal(stats.sessions, 4);
    assert.equal(server.connections.length, 5);
    assert.ok(most > 0 && most <= 2, `most streams open at once after the ACK: ${most}`);
  } finally {
    await t.close();
    await server.close();
  }
});

test('GOAWAY mid-run: streams above the last stream id are re-sent on a new session and counted; the rest complete', async () => {
  const held: Array<[FrameConnection, number]> = [];
  const server = await startFrameServer({
    onRequest: (conn, stream) => {
      if (conn.index > 1) return void conn.write(simpleResponse(stream));
      held.push([conn, stream]);
      if (held.length < 4) return;
      // Four streams (1, 3, 5, 7) in flight on the first connection: process 1 and 3, refuse 5 and 7.
      void conn.write(Buffer.concat([frame(7, 0, 0, u32(3, 0)), simpleResponse(1), simpleResponse(3)])).then(() => conn.socket.end());
    },
  });
  const t = transport(server.url, { maxInflight: 4 });
  try {
    await t.preflight();
    const tally = await drive(t, 40, 4);
    assert.deepEqual(tally, { statuses: { 200: 40 }, errors: {}, messages: [], bytes: 120 });
    assert.equal(t.stats().resent, 2);
    assert.ok(server.connections.length >= 3);
    // 40 requests + the 2 re-sent reached the servers.
    assert.equal(server.requests(), 42);
  } finally {
    await t.close();
    await server.close();
  }
});

test('GOAWAY with an error code then close: streams at or below the last id fail as `goaway`', async () => {
  const server = await startFrameServer({
    onRequest: (conn, stream, n) => {
      if (n === 6) {
        void conn.write(frame(7, 0, 0, u32(stream, 2))).then(() => conn.socket.destroy());
        return;
      }
      void conn.write(simpleResponse(stream));
    },
  });
  const t = transport(server.url, { maxInflight: 1 });
  try {
    await t.preflight();
    const tally = await drive(t, 12, 1);
    assert.deepEqual(tally.statuses, { 200: 11 });
    assert.deepEqual(tally.errors, { goaway: 1 });
    assert.match(tally.messages[0]!, /GOAWAY INTERNAL_ERROR \(0x2\)/);
  } finally {
    await t.close();
    await server.close();
  }
});

test('RST_STREAM is a stream-reset named by its code; the session carries on', async () => {
  const codes = [2, 3, 8, 1];
  const server = await startFrameServer({
    onRequest: (conn, stream, n) => {
      if (n % 5 === 0) void conn.write(frame(3, 0, stream, u32(codes[(n / 5 - 1) % codes.length]!)));
      else void conn.write(simpleResponse(stream));
    },
  });
  const t = transport(server.url);
  try {
    await t.preflight();
    const tally = await drive(t, 40, 4);
    assert.deepEqual(tally.statuses, { 200: 32 });
    assert.deepEqual(tally.errors, { 'stream-reset': 8 });
    for (const name of ['INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'CANCEL', 'PROTOCOL_ERROR']) {
      assert.ok(tally.messages.some((m) => m.includes(`RST_STREAM ${name}`)), name);
    }
    assert.equal(server.connections.length, 2);
  } finally {
    await t.close();
    await server.close();
  }
});

test('REFUSED_STREAM: the stream was not processed, so it is sent again once (counted), then fails as stream-reset', async () => {
  const server = await startFrameServer({
    onRequest: (conn, stream, n) => void conn.write(n <= 2 || n === 5 ? frame(3, 0, stream, u32(7)) : simpleResponse(stream)),
  });
  const t = transport(server.url, { maxInflight: 1 });
  try {
    await t.preflight();
    const tally = await drive(t, 4, 1);
    // Request 1: refused (n=1), sent again, refused (n=2): fails. Request 2: n=3 ok. Request 3: n=4 ok. Request 4: refused (n=5), sent again (n=6): ok.
    assert.deepEqual(tally.statuses, { 200: 3 });
    assert.deepEqual(tally.errors, { 'stream-reset': 1 });
    assert.match(tally.messages[0]!, /RST_STREAM REFUSED_STREAM \(0x7\)/);
    assert.equal(t.stats().resent, 2);
    assert.equal(server.requests(), 6);
  } finally {
    await t.close();
    await server.close();
  }
});

test('PING is answered with an ACK carrying the same 8 bytes', async () => {
  const server = await startFrameServer({
    onRequest: (conn, stream) => void conn.write(Buffer.concat([frame(6, 0, 0, Buffer.from('pingpong')), simpleResponse(stream)])),
  });
  const t = transport(server.url, { maxInflight: 1 });
  try {
    await t.preflight();
    await drive(t, 2, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const acks = server.connections[1]!.frames.filter((f) => f.type === 6);
    assert.deepEqual(acks.map((f) => [f.flags, f.payload.toString()]), [[1, 'pingpong'], [1, 'pingpong']]);
  } finally {
    await t.close();
    await server.close();
  }
});

test('stream ids used up: the session is retired and a new one carries on', async () => {
  const server = await startFrameServer({ onRequest: (conn, stream) => void conn.write(simpleResponse(stream)) });
  // Three ids left on the first session: 2^31-7, -5, -3, -1 ... then a new session.
  const t = transport(server.url, { maxInflight: 2 }, 0x7fff_fff9);
  try {
    await t.preflight();
    const tally = await drive(t, 10, 2);
    assert.deepEqual(tally.statuses, { 200: 10 });
    assert.ok(server.connections.length >= 4, `${server.connections.length} connections`);
    const first = server.connections[1]!.frames.filter((f) => f.type === 1).map((f) => f.stream);
    assert.deepEqual(first, [0x7fff_fff9, 0x7fff_fffb, 0x7fff_fffd, 0x7fff_ffff]);
  } finally {
    await t.close();
    await server.close();
  }
});

for (const [name, bytes, pattern] of [
  ['DATA on stream 0', () => frame(0, 1, 0, Buffer.from('x')), /DATA frame on stream 0/],
  ['HEADERS for a stream never opened', () => frame(1, 5, 99, responseBlock(200)), /stream 99, which we never opened/],
  ['a broken HPACK block', () => frame(1, 5, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), /HPACK/],
  ['a frame larger than our SETTINGS_MAX_FRAME_SIZE', () => frame(0, 1, 1, Buffer.alloc(20_000)), /above our SETTINGS_MAX_FRAME_SIZE/],
  ['PUSH_PROMISE', () => frame(5, 4, 1, Buffer.concat([u32(2), responseBlock(200)])), /PUSH_PROMISE/],
  ['a CONTINUATION out of place', () => frame(9, 4, 1, responseBlock(200)), /CONTINUATION frame on stream 1 that follows no unfinished HEADERS/],
  ['DATA before the response headers', () => frame(0, 1, 1, Buffer.from('x')), /DATA on stream 1 before its response headers/],
  ['a content-length that does not match the body', () => Buffer.concat([frame(1, 4, 1, responseBlock(200, [['content-length', '9']])), frame(0, 1, 1, Buffer.from('ab'))]), /2 body bytes where content-length said 9/],
] as const) {
  test(`protocol violation: ${name} fails the request as protocol-error`, async () => {
    const server = await startFrameServer({ onRequest: (conn) => void conn.write(bytes()) });
    const t = transport(server.url, { maxInflight: 1 });
    try {
      await t.preflight();
      const tally = await drive(t, 1, 1);
      assert.deepEqual(tally.errors, { 'protocol-error': 1 });
      assert.match(tally.messages[0]!, pattern);
    } finally {
      await t.close();
      await server.close();
    }
  });
}

test('the server closing mid-response is connection-reset; the next request opens a new session', async () => {
  const server = await startFrameServer({
    onRequest: (conn, stream, n) => {
      if (n === 3) void conn.write(frame(1, 4, stream, responseBlock(200))).then(() => conn.socket.destroy());
      else void conn.write(simpleResponse(stream));
    },
  });
  const t = transport(server.url, { maxInflight: 1 });
  try {
    await t.preflight();
    const tally = await drive(t, 6, 1);
    assert.deepEqual(tally.statuses, { 200: 5 });
    assert.deepEqual(tally.errors, { 'connection-reset': 1 });
    assert.equal(server.connections.length, 3);
  } finally {
    await t.close();
    await server.close();
  }
});

test('h2 over TLS (ALPN h2), with a request timeout that cancels the stream (RST_STREAM CANCEL)', async () => {
  const server = createSecureServer({ cert: CERTS.cert, key: CERTS.key });
  const cancelled: number[] = [];
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    if (headers[':path'] === '/slow') {
      stream.on('close', () => cancelled.push(stream.rstCode));
      return;
    }
    stream.respond({ ':status': 200 });
    stream.end('secure');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t = transport(url, { tls: { insecure: false, ca: CERTS.ca, cert: null, key: null, servername: 'localhost' }, requestTimeoutMs: 300 });
  try {
    await t.preflight();
    const tally = await drive(t, 10, 4);
    assert.deepEqual(tally, { statuses: { 200: 10 }, errors: {}, messages: [], bytes: 60 });
    assert.deepEqual(t.stats().protocols, { h2: 1 });
    const slow = await drive(t, 1, 1, { ...GET, path: '/slow' });
    assert.deepEqual(slow.errors, { timeout: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(cancelled, [8]);
  } finally {
    await t.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('the per-request path allocates nothing in the steady state (bodiless GET, 32 streams; undici: KBs)', async () => {
  const target = spawn(process.execPath, [fileURLToPath(new URL('./helpers/h2-target.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve) => target.stdout.once('data', (d: Buffer) => resolve(String(d))));
    const ours = await youngBytes(`${url}/hello`, 'loadhttp', 20_000, 1, 20_000, { streams: 32, batch: 5_000 });
    // What remains (~15 bytes) is Node's, per socket read and per write, shared by the ~32 responses of a
    // read. One boxed number per request would add 16, an object or a closure 40 or more.
    assert.ok(ours.bytesPerRequest < 26, `loadhttp allocated ${ours.bytesPerRequest.toFixed(1)} bytes per request`);
    const reference = await youngBytes(`${url}/hello`, 'undici', 5_000, 1, 5_000, { streams: 32 });
    assert.ok(reference.bytesPerRequest > 20 * ours.bytesPerRequest, `undici ${Math.round(reference.bytesPerRequest)}, loadhttp ${ours.bytesPerRequest.toFixed(1)} bytes per request`);
  } finally {
    target.kill();
  }
});

test('the server going away mid-run: requests in flight fail as connection-reset, the next ones as connect-refused', async () => {
  let stopped = false;
  const server = await startFrameServer({
    onRequest: (conn, stream, n) => {
      if (n === 10 && !stopped) {
        stopped = true;
        void server.close();
        return;
      }
      void conn.write(simpleResponse(stream));
    },
  });
  const t = transport(server.url, { maxInflight: 2, connections: 2 });
  try {
    await t.preflight();
    const tally = await drive(t, 40, 2);
    assert.equal(tally.statuses[200], 9);
    assert.deepEqual(Object.keys(tally.errors).sort(), ['connect-refused', 'connection-reset']);
    assert.equal(tally.errors['connect-refused']! + tally.errors['connection-reset']!, 31);
    // The sessions it had (2; the probe is not counted), none since.
    assert.equal(t.stats().opened, 2);
    assert.ok(tally.errors['connect-refused']! >= 25, JSON.stringify(tally.errors));
  } finally {
    await t.close();
  }
});

// Kept responses (PreparedRequest.keepResponse), differential: the same request to a fresh copy of the same
// real server goes through loadhttp's own transport and through undici (the oracle), and both must keep the
// same response: headers (names lower-cased, repeats joined with ", ", set-cookie with "\n"), the body's
// first N bytes, the truncated flag. Each case also checks the expected response itself, so two transports
// that kept nothing alike cannot pass. HTTP/1.1 against raw servers (exact bytes: Content-Length, chunked,
// read to close, a head and body trickled a byte at a time, interim responses); HTTP/2 (h2c) against
// node:http2 (several DATA frames, a body over N, CONTINUATION, trailers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createH2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { ProtocolChoice, TransportChoice } from '../src/scenario/types.ts';
import { createTransport } from '../src/transport/create.ts';
import type { KeptResponse, PreparedRequest } from '../src/transport/transport.ts';
import { startRawServer } from './helpers/raw-server.ts';

interface Kept {
  status: number;
  bytes: number;
  response: KeptResponse | null | undefined;
}

/** One request with `keep` through `transport`; the outcome copied (it is valid during the callback only). */
async function keptThrough(transport: TransportChoice, url: string, protocol: ProtocolChoice, keep: number, method = 'GET'): Promise<Kept> {
  const t = createTransport({
    transport,
    target: url,
    protocol,
    connections: 1,
    pipelining: 1,
    maxConcurrentStreams: 10,
    maxInflight: 1,
    tls: { insecure: false, ca: null, cert: null, key: null, servername: null },
    connectTimeoutMs: 2000,
    requestTimeoutMs: 5000,
  });
  try {
    await t.preflight();
    const request: PreparedRequest = { method, path: '/kept', headers: ['user-agent', 'loadhttp-test'], body: null, wireBytes: 40 };
    if (keep > 0) request.keepResponse = keep;
    return await new Promise<Kept>((resolve, reject) => {
      t.send(request, (outcome, error) => {
        if (outcome === null) reject(error);
        else resolve({ status: outcome.status, bytes: outcome.bytes, response: outcome.response });
      });
    });
  } finally {
    await t.close();
  }
}

interface Started {
  url: string;
  close(): Promise<void>;
}

/** Both transports, each against a fresh server; they must agree, and loadhttp's result is returned. */
async function bothKept(start: () => Promise<Started>, protocol: ProtocolChoice, keep: number, method = 'GET'): Promise<Kept> {
  const runs: Kept[] = [];
  for (const transport of ['loadhttp', 'undici'] as const) {
    const server = await start();
    try {
      runs.push(await keptThrough(transport, server.url, protocol, keep, method));
    } finally {
      await server.close();
    }
  }
  assert.deepStrictEqual(runs[0], runs[1], 'loadhttp (actual) and undici (expected) kept the same response');
  return runs[0]!;
}

/** A raw HTTP/1.1 server answering each request with `bytes`, written in pieces (`pieces` bytes each, a tick apart) or at once. */
const raw = (bytes: string, options: { piece?: number; end?: boolean } = {}) => async (): Promise<Started> => {
  const server = await startRawServer((socket: Socket) => {
    socket.setNoDelay(true);
    const data = Buffer.from(bytes, 'latin1');
    const finish = () => (options.end ? socket.end() : undefined);
    if (options.piece === undefined) {
      socket.write(data);
      finish();
      return;
    }
    let at = 0;
    const next = () => {
      if (socket.destroyed) return;
      if (at >= data.length) return finish();
      socket.write(data.subarray(at, at + options.piece!));
      at += options.piece!;
      setTimeout(next, 1);
    };
    next();
  });
  return { url: server.url, close: server.close };
};

const JSON_BODY = '{"token":"abc","items":[1,2,3]}';
const HEADERS =
  'Content-Type: application/json\r\nX-Multi: a\r\nx-multi: b\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=2\r\nX-Empty:\r\nX-Spaced:  two  words \t \r\n';
const EXPECTED_HEADERS = {
  'content-type': 'application/json',
  'x-multi': 'a, b',
  'set-cookie': 'a=1; Path=/\nb=2',
  'x-empty': '',
  // Leading whitespace goes, trailing stays (as undici keeps it).
  'x-spaced': 'two  words \t ',
};

test('keep h1: Content-Length body, repeated headers and set-cookie', async () => {
  const kept = await bothKept(raw(`HTTP/1.1 200 OK\r\n${HEADERS}Content-Length: ${JSON_BODY.length}\r\n\r\n${JSON_BODY}`), 'h1', 1024);
  assert.deepEqual(kept.response, {
    headers: { ...EXPECTED_HEADERS, 'content-length': String(JSON_BODY.length) },
    body: Buffer.from(JSON_BODY),
    truncated: false,
  });
});

test('keep h1: chunked body over several chunks, truncated at N; the exact N is not truncated', async () => {
  const chunked = `HTTP/1.1 200 OK\r\n${HEADERS}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n`;
  const truncated = await bothKept(raw(chunked), 'h1', 8);
  assert.equal(truncated.bytes, 16);
  assert.deepEqual(truncated.response, { headers: { ...EXPECTED_HEADERS, 'transfer-encoding': 'chunked' }, body: Buffer.from('hello 01'), truncated: true });
  const exact = await bothKept(raw(chunked), 'h1', 16);
  assert.equal(exact.response!.body.toString(), 'hello 0123456789');
  assert.equal(exact.response!.truncated, false);
});

test('keep h1: a body read to the close, and a response trickled a byte at a time', async () => {
  const body = 'x'.repeat(300);
  const toClose = await bothKept(raw(`HTTP/1.1 200 OK\r\n${HEADERS}Connection: close\r\n\r\n${body}`, { end: true }), 'h1', 100);
  assert.deepEqual(toClose.response, { headers: { ...EXPECTED_HEADERS, connection: 'close' }, body: Buffer.from(body.slice(0, 100)), truncated: true });
  const trickled = await bothKept(raw(`HTTP/1.1 201 Created\r\n${HEADERS}Content-Length: ${JSON_BODY.length}\r\n\r\n${JSON_BODY}`, { piece: 1 }), 'h1', 1024);
  assert.equal(trickled.status, 201);
  assert.deepEqual(trickled.response, { headers: { ...EXPECTED_HEADERS, 'content-length': String(JSON_BODY.length) }, body: Buffer.from(JSON_BODY), truncated: false });
});

test('keep h1: the final response\'s headers, not an interim one\'s; a HEAD keeps headers and no body', async () => {
  const interim = 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n';
  const kept = await bothKept(raw(`${interim}HTTP/1.1 200 OK\r\nX-Final: yes\r\nContent-Length: 2\r\n\r\nok`, { piece: 7 }), 'h1', 1024);
  assert.deepEqual(kept.response, { headers: { 'x-final': 'yes', 'content-length': '2' }, body: Buffer.from('ok'), truncated: false });
  const head = await bothKept(raw('HTTP/1.1 200 OK\r\nX-Head: 1\r\nContent-Length: 50\r\n\r\n'), 'h1', 1024, 'HEAD');
  assert.deepEqual(head.response, { headers: { 'x-head': '1', 'content-length': '50' }, body: Buffer.alloc(0), truncated: false });
});

test('keep h1: a request without keepResponse keeps nothing', async () => {
  const start = raw(`HTTP/1.1 200 OK\r\n${HEADERS}Content-Length: 2\r\n\r\nok`);
  const server = await start();
  try {
    const plain = await keptThrough('loadhttp', server.url, 'h1', 0);
    assert.equal(plain.status, 200);
    assert.equal(plain.bytes, 2);
    assert.ok(plain.response == null, 'no kept response');
  } finally {
    await server.close();
  }
});

/** An h2c node:http2 server whose stream handler writes the response (a fixed date, so both runs see the same). */
const h2c = (respond: (stream: ServerHttp2Stream) => void) => async (): Promise<Started> => {
  const server = createH2Server();
  const sessions = new Set<{ destroy(): void }>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream) => {
    stream.on('error', () => {});
    respond(stream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        for (const session of sessions) session.destroy();
        server.close(() => done());
      }),
  };
};

const DATE = 'Thu, 01 Jan 2026 00:00:00 GMT';
const H2_HEADERS = { ':status': 200, date: DATE, 'content-type': 'application/json', 'x-multi': ['a', 'b'], 'set-cookie': ['a=1; Path=/', 'b=2'] };
const H2_EXPECTED = { date: DATE, 'content-type': 'application/json', 'x-multi': 'a, b', 'set-cookie': 'a=1; Path=/\nb=2' };

/** Writes `parts` as separate DATA frames, a tick apart, then ends the stream. */
function writeParts(stream: ServerHttp2Stream, parts: string[]): void {
  const next = () => {
    if (stream.destroyed) return;
    const part = parts.shift();
    if (part === undefined) return void stream.end();
    stream.write(part);
    setTimeout(next, 2);
  };
  next();
}

test('keep h2c: the final headers (repeats, set-cookie; not a 103\'s), a body over several DATA frames', async () => {
  const kept = await bothKept(
    h2c((stream) => {
      stream.additionalHeaders({ ':status': 103, link: '</a.css>; rel=preload' });
      stream.respond(H2_HEADERS);
      writeParts(stream, ['{"token":', '"abc",', '"items":[1,2,3]}']);
    }),
    'h2',
    1024,
  );
  assert.equal(kept.status, 200);
  assert.deepEqual(kept.response, { headers: H2_EXPECTED, body: Buffer.from(JSON_BODY), truncated: false });
});

test('keep h2c: a body larger than N is cut at N and flagged; the exact N is not', async () => {
  const big = Array.from({ length: 5 }, (_, i) => String(i).repeat(20_000));
  const respond = (stream: ServerHttp2Stream) => {
    stream.respond({ ':status': 200, date: DATE, 'content-length': 100_000 });
    writeParts(stream, [...big]);
  };
  const cut = await bothKept(h2c(respond), 'h2', 30_000);
  assert.equal(cut.bytes, 100_000);
  assert.deepEqual(cut.response, { headers: { date: DATE, 'content-length': '100000' }, body: Buffer.from(big.join('').slice(0, 30_000)), truncated: true });
  const exact = await bothKept(h2c(respond), 'h2', 100_000);
  assert.equal(exact.response!.truncated, false);
  assert.equal(exact.response!.body.toString(), big.join(''));
});

test('keep h2c: headers over CONTINUATION frames, and trailers (not kept)', async () => {
  const long = 'v'.repeat(20_000);
  const kept = await bothKept(
    h2c((stream) => {
      stream.respond({ ...H2_HEADERS, 'x-long': long }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-trailer': 'late' }));
      writeParts(stream, ['ok']);
    }),
    'h2',
    1024,
  );
  assert.deepEqual(kept.response, { headers: { ...H2_EXPECTED, 'x-long': long }, body: Buffer.from('ok'), truncated: false });
});

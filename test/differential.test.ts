// Differential tests: every hostile and known-truth HTTP/1.1 server runs through loadhttp's own transport
// and through undici (the reference), and the two must agree on counts, failure classes, statuses and
// body bytes. Where they differ on purpose, the test says so and checks each side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { accountedFor, assertAgree, runBoth, runOne, type Started } from './helpers/both.ts';
import { HOSTILE_CASES, everyOther } from './helpers/hostile-cases.ts';
import { OK, startRawServer, startDelayServer } from './helpers/raw-server.ts';
import { startH2Server, startServer, startTlsH1Server, CERTS, type ServerOptions } from './helpers/servers.ts';

type Respond = (socket: Socket, n: number, perSocket: number) => void;

const raw = (respond: Respond) => async (): Promise<Started> => {
  const server = await startRawServer(respond);
  return { url: server.url, requests: server.requests, close: server.close };
};

const node = (options: ServerOptions) => async (): Promise<Started> => {
  const server = await startServer(options);
  return { url: server.url, requests: () => server.stats.requests, close: server.close };
};

/** Writes `text` one byte per write, each after the previous one left (so each is its own segment). */
function byteByByte(socket: Socket, text: string, then?: () => void): void {
  socket.setNoDelay(true);
  let i = 0;
  const next = (): void => {
    if (socket.destroyed) return;
    if (i === text.length) return then?.();
    socket.write(text[i++]!, 'latin1', () => setImmediate(next));
  };
  next();
}

for (const c of HOSTILE_CASES) {
  test(`differential: ${c.name} (${c.expect})`, async () => {
    const runs = await runBoth(raw(everyOther(c.broken)), { iterations: 40, concurrency: 2 });
    assertAgree(runs, c.name);
    assert.ok((runs.loadhttp.result.errors[c.expect] ?? 0) >= 15, JSON.stringify(runs.loadhttp.result.errors));
    if (c.example) assert.match(runs.loadhttp.result.errorExamples[c.expect]![0]!, c.example);
  });
}

const AGREE: Array<{ name: string; respond: Respond; iterations?: number; concurrency?: number; pipelining?: number; check?: (runs: Awaited<ReturnType<typeof runBoth>>) => void }> = [
  {
    name: 'keep-alive closed after every 3 responses (Connection: close)',
    respond: (s, _n, perSocket) => (perSocket === 3 ? s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok') : s.write(OK)),
    iterations: 60,
  },
  {
    name: 'every response split at every byte',
    respond: (s) => byteByByte(s, 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello'),
    iterations: 6,
  },
  {
    name: 'a chunked response split at every byte, with extensions and trailers',
    respond: (s) => byteByByte(s, 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6;a="b c";d\r\n world\r\n0\r\nx-trailer: yes\r\n\r\n'),
    iterations: 4,
  },
  {
    name: 'chunked with extensions and trailers, in one segment',
    respond: (s) => s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext\r\nabcd\r\nA\r\n0123456789\r\n0;last\r\nx-checksum: 1\r\nx-more: 2\r\n\r\n'),
    iterations: 40,
  },
  {
    name: '103 Early Hints before the 200',
    respond: (s) => s.write('HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'),
    iterations: 30,
  },
  {
    name: 'a 20 KB response header',
    respond: (s) => s.write(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(20_000)}\r\ncontent-length: 2\r\n\r\nok`),
    iterations: 20,
  },
  {
    name: 'a 100 KB response header (beyond the 64 KiB limit)',
    respond: (s) => s.write(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(100_000)}\r\ncontent-length: 2\r\n\r\nok`),
    iterations: 6,
    check: (runs) => assert.deepEqual(runs.loadhttp.result.errors, { 'protocol-error': 6 }),
  },
  {
    name: '204 and 304 without a body, the 304 announcing a length',
    respond: (s, n) => s.write(n % 2 === 0 ? 'HTTP/1.1 204 No Content\r\n\r\n' : 'HTTP/1.1 304 Not Modified\r\ncontent-length: 10\r\n\r\n'),
    iterations: 30,
  },
  {
    name: 'a body read to the close (no length)',
    respond: (s) => s.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end'),
    iterations: 20,
  },
  {
    name: 'HTTP/1.0 without keep-alive: body to the close',
    respond: (s) => s.end('HTTP/1.0 200 OK\r\n\r\nten bytes!'),
    iterations: 20,
  },
  {
    name: 'a body longer than its Content-Length (the rest is not an answer)',
    respond: (s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA BYTES'),
    iterations: 20,
    concurrency: 1,
  },
  {
    name: 'a short body with Connection: close, then close',
    respond: (s) => s.end('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 100\r\n\r\nshort'),
    iterations: 10,
    check: (runs) => assert.deepEqual(runs.loadhttp.result.errors, { 'protocol-error': 10 }),
  },
  {
    name: 'data after a response on a closing connection',
    respond: (s) => s.end('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'),
    iterations: 20,
  },
  {
    name: 'a silent close after two answers on each connection',
    respond: (s, _n, perSocket) => (perSocket >= 3 ? s.destroy() : s.write(OK)),
    iterations: 30,
    concurrency: 1,
    check: (runs) => assert.deepEqual(runs.loadhttp.result.errors, { 'connection-reset': 10 }),
  },
  {
    name: 'whitespace before a chunk extension (refused)',
    respond: (s) => s.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5 ;a\r\nhello\r\n0\r\n\r\n'),
    iterations: 10,
    check: (runs) => assert.deepEqual(runs.loadhttp.result.errors, { 'protocol-error': 10 }),
  },
  {
    name: 'both Content-Length and Transfer-Encoding',
    respond: (s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'),
    iterations: 10,
  },
  {
    name: 'a status mix with reason phrases and none',
    respond: (s, n) => s.write([`HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok`, `HTTP/1.1 503\r\ncontent-length: 0\r\n\r\n`, `HTTP/1.1 404 Not Here At All\r\ncontent-length: 1\r\n\r\n!`][n % 3]!),
    iterations: 30,
  },
];

for (const c of AGREE) {
  test(`differential: ${c.name}`, async () => {
    const runs = await runBoth(raw(c.respond), { iterations: c.iterations ?? 20, concurrency: c.concurrency ?? 2, ...(c.pipelining && { pipelining: c.pipelining }) });
    assertAgree(runs, c.name);
    c.check?.(runs);
  });
}

test('differential: pipelined responses arriving together in one segment', async () => {
  // Responses are held for 10 ms after the first of a batch, then written in one write: with pipelining,
  // loadhttp has several requests out and reads their responses from one segment. (undici writes a
  // request only once the previous response's head arrived, so its batches hold one response.)
  let batches = 0;
  let largest = 0;
  const respond: Respond = (() => {
    const held = new Map<Socket, string[]>();
    return (s: Socket, _n: number, perSocket: number) => {
      const batch = held.get(s) ?? [];
      batch.push(`HTTP/1.1 200 OK\r\ncontent-length: ${perSocket % 10}\r\n\r\n${'x'.repeat(perSocket % 10)}`);
      if (batch.length > 1) return;
      held.set(s, batch);
      setTimeout(() => {
        held.delete(s);
        batches++;
        largest = Math.max(largest, batch.length);
        s.write(batch.join(''));
      }, 10);
    };
  })();
  const ours = await runOne(raw(respond), { iterations: 40, concurrency: 4, connections: 1, pipelining: 4 }, '/', 'loadhttp');
  assert.ok(largest >= 2 && batches < 40, `loadhttp got ${batches} segments for 40 responses, at most ${largest} in one`);
  const reference = await runOne(raw(respond), { iterations: 40, concurrency: 4, connections: 1, pipelining: 4 }, '/', 'undici');
  assertAgree({ loadhttp: ours, undici: reference }, 'pipelined');
  assert.equal(ours.result.counts.completed, 40);
});

test('differential: keep-alive connections the server closes when idle are reopened, nothing fails', async () => {
  // The server closes each connection 20 ms after answering; users think 80 ms between requests.
  const respond: Respond = (s) => {
    s.write(OK);
    setTimeout(() => s.end(), 20);
  };
  const runs = await runBoth(raw(respond), { iterations: 12, concurrency: 2, think: { kind: 'uniform', minMs: 80, maxMs: 80 } });
  assertAgree(runs, 'idle close');
  for (const run of [runs.loadhttp, runs.undici]) {
    assert.equal(run.result.counts.completed, 12);
    assert.ok(run.result.connectionsOpened >= 10, `opened ${run.result.connectionsOpened}`);
  }
});

test('differential: a HEAD request whose response announces a body', async () => {
  const runs = await runBoth(raw((s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n')), { iterations: 20, concurrency: 2, method: 'HEAD' });
  assertAgree(runs, 'HEAD');
  assert.equal(runs.loadhttp.result.counts.completed, 20);
});

test('differential: a valid head trickled past the timeout times out alike; trickled garbage fails at once', async () => {
  const trickle =
    (text: string): Respond =>
    (s) => {
      let i = 0;
      const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write(text[i++ % text.length]!)), 100);
      s.on('close', () => clearInterval(timer));
    };
  const slow = await runBoth(raw(trickle('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')), { iterations: 2, concurrency: 2, requestTimeoutMs: 400 });
  assertAgree(slow, 'trickle');
  assert.deepEqual(slow.loadhttp.result.errors, { timeout: 2 });
  const garbage = await runBoth(raw(trickle('HHHH')), { iterations: 2, concurrency: 2, requestTimeoutMs: 2000 });
  assertAgree(garbage, 'trickled garbage');
  assert.deepEqual(garbage.loadhttp.result.errors, { 'protocol-error': 2 });
  assert.ok(garbage.loadhttp.result.durationMs < 1000, `took ${garbage.loadhttp.result.durationMs} ms`);
});

test('differential: known-truth servers (node:http status mix, fixed delay, 1 MiB bodies)', async () => {
  let n = 0;
  const mix = await runBoth(node({ status: () => [200, 503, 404][n++ % 3]! }), { iterations: 60, concurrency: 1 });
  n = 0;
  assertAgree(mix, 'status mix');
  assert.deepEqual(mix.loadhttp.result.statusCodes, { '200': 20, '404': 20, '503': 20 });

  const delayed = await runBoth(async () => {
    const server = await startDelayServer(20);
    return { url: server.url, requests: () => server.servedMs.length, close: server.close };
  }, { iterations: 20, concurrency: 4 });
  assertAgree(delayed, 'fixed delay');
  for (const run of [delayed.loadhttp, delayed.undici]) {
    assert.ok(run.result.latencyMs.p50 >= 20 && run.result.latencyMs.p50 < 40, `p50 ${run.result.latencyMs.p50}`);
  }

  const big = await runBoth(node({ body: Buffer.alloc(1 << 20, 'x') }), { iterations: 10, concurrency: 2 });
  assertAgree(big, '1 MiB bodies');
  assert.equal(big.loadhttp.result.bytes.received, 10 << 20);
});

test('differential: the server saw each request once (pipelining 1, keep-alive)', async () => {
  const runs = await runBoth(node({}), { iterations: 50, concurrency: 3 });
  assertAgree(runs, 'plain');
  assert.equal(runs.loadhttp.served, 50);
  assert.equal(runs.undici.served, 50);
});

test('differential: HTTPS over HTTP/1.1 (--h1): handshakes counted, sessions resumed', async () => {
  const start = async (): Promise<Started> => {
    const server = await startTlsH1Server();
    return { url: server.url, requests: () => server.stats.requests, close: server.close };
  };
  const tls = { ca: { file: 'ca.pem', pem: CERTS.ca } };
  const runs = await runBoth(start, { iterations: 40, concurrency: 4, protocol: 'h1', tls });
  assertAgree(runs, 'https h1');
  for (const run of [runs.loadhttp, runs.undici]) {
    const t = run.result.tls!;
    assert.equal(t.handshakes.full + t.handshakes.resumed, run.result.connectionsOpened);
    assert.ok(t.handshakes.resumed >= 1, JSON.stringify(t.handshakes));
    assert.deepEqual(run.result.protocols, { h1: run.result.connectionsOpened });
  }
});

test('differential: TLS options over --h1 (insecure, a wrong servername, a client certificate) give the same outcomes', async () => {
  const tlsH1 = async (): Promise<Started> => {
    const server = await startTlsH1Server();
    return { url: server.url, requests: () => server.stats.requests, close: server.close };
  };
  const insecure = await runBoth(tlsH1, { iterations: 10, concurrency: 2, protocol: 'h1', tls: { insecure: true } });
  assertAgree(insecure, 'insecure');
  assert.equal(insecure.loadhttp.result.tls?.insecure, true);
  assert.equal(insecure.loadhttp.result.counts.completed, 10);

  const ca = { file: 'ca.pem', pem: CERTS.ca };
  const wrongName = await runBoth(tlsH1, { iterations: 10, concurrency: 2, protocol: 'h1', tls: { ca, servername: 'wrong.example' } });
  assertAgree(wrongName, 'wrong servername');
  for (const run of [wrongName.loadhttp, wrongName.undici]) {
    assert.equal(run.result.error?.class, 'tls');
    assert.match(run.result.error!.message, /--servername/);
    assert.equal(run.served, 0);
  }

  const clientCert = async (): Promise<Started> => {
    const server = await startH2Server({ tls: true, allowHTTP1: true, requireClientCert: true });
    return { url: server.url, requests: () => server.stats.requests, close: server.close };
  };
  const cert = { file: CERTS.clientCertFile, pem: readFileSync(CERTS.clientCertFile, 'utf8') };
  const key = { file: CERTS.clientKeyFile, pem: readFileSync(CERTS.clientKeyFile, 'utf8') };
  const withCert = await runBoth(clientCert, { iterations: 10, concurrency: 2, protocol: 'h1', tls: { ca, cert, key } });
  assertAgree(withCert, 'client certificate');
  assert.equal(withCert.loadhttp.result.counts.completed, 10);
  assert.equal(withCert.loadhttp.result.tls?.clientCertificate, true);
  assert.deepEqual(withCert.loadhttp.result.protocols, { h1: withCert.loadhttp.result.connectionsOpened });
  const without = await runBoth(clientCert, { iterations: 10, concurrency: 2, protocol: 'h1', tls: { ca } });
  assertAgree(without, 'no client certificate');
  assert.equal(without.loadhttp.result.error?.class, without.undici.result.error?.class);
});

test('100 Continue before the final response: skipped by loadhttp (RFC 9110 §15.2), refused by undici', async () => {
  const respond: Respond = (s) => s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
  const ours = await runOne(raw(respond), { iterations: 20, concurrency: 2 }, '/', 'loadhttp');
  accountedFor(ours.result);
  assert.equal(ours.result.counts.completed, 20);
  // undici 8 destroys the socket on an unsolicited 100 ("bad response"): a known difference, kept on purpose.
  const reference = await runOne(raw(respond), { iterations: 20, concurrency: 2 }, '/', 'undici');
  accountedFor(reference.result);
  assert.equal(reference.result.errors['connection-reset'], 20);
});

test('pipelined requests behind a Connection: close are written again, counted as resent', async () => {
  // The server answers the first request on each connection with Connection: close, ignoring the others
  // pipelined behind it; they were never answered, so both transports send them again on a new connection.
  const respond: Respond = (s, _n, perSocket) => {
    if (perSocket === 1) s.end('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok');
  };
  const runs = await runBoth(raw(respond), { iterations: 24, concurrency: 4, connections: 1, pipelining: 4 });
  assertAgree(runs, 'close with pipelined requests');
  assert.equal(runs.loadhttp.result.counts.completed, 24);
  const resent = runs.loadhttp.result.resent ?? 0;
  assert.ok(resent > 0, 'some requests were pipelined behind a closing response');
  assert.equal(runs.loadhttp.served, 24 + resent, 'the server saw each request once, plus each resent one again');
  assert.equal(runs.undici.result.resent, undefined);
});

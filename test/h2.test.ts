// HTTP/2 on the real binary against real node:http2 / https servers on 127.0.0.1: ALPN in auto mode,
// forced --h2 that refuses to measure HTTP/1.1, h2c prior knowledge, multiplexing (seen server-side),
// the server's stream limit, GOAWAY and RST_STREAM accounting, and the protocol comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { RunResult } from '../src/result/result.ts';
import type { ProtocolComparisonJson } from '../src/report/protocol-compare.ts';
import { runCli, type CliResult } from './helpers/cli.ts';
import { CERTS, startH2Server, startServer, startTlsH1Server } from './helpers/servers.ts';
import { frame, simpleResponse, startFrameServer, u32 } from './helpers/h2-frame-server.ts';

/** Runs the CLI with --json to a temporary file; returns the output and the parsed JSON (if written). */
async function run<T = RunResult>(args: string[]): Promise<CliResult & { json: T }> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'loadhttp-h2-')), 'out.json');
  const out = await runCli(['run', '-q', ...args, '--json', file]);
  let json: T = undefined as T;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    // No JSON (a usage error): the caller asserts on the exit code.
  }
  return { ...out, json };
}

function assertInvariant(result: RunResult): void {
  const c = result.counts;
  assert.equal(c.sent, c.completed + c.failed + c.cancelled, JSON.stringify(c));
  assert.equal(c.failed, Object.values(result.errors).reduce((a, b) => a + b, 0), JSON.stringify(result.errors));
}

test('https + auto: ALPN offers h2 and http/1.1 and the run uses what the server selects', async () => {
  const h2 = await startH2Server({ tls: true, allowHTTP1: true });
  const h1 = await startTlsH1Server();
  try {
    const a = await run(['--url', `${h2.url}/`, '-n', '50', '-c', '5', '--ca', CERTS.caFile]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.json.protocol, 'h2');
    assert.deepEqual(a.json.protocols, { h2: 1 });
    assert.deepEqual(a.json.tls?.alpnOffered, ['h2', 'http/1.1']);
    assert.deepEqual([...h2.stats.versions], [['2.0', 50]]);
    assert.match(a.stdout, /protocol\s+h2 via loadhttp, 1 connection opened, up to 100 streams each \(requested: auto\)/);

    const b = await run(['--url', `${h1.url}/`, '-n', '50', '-c', '5', '--ca', CERTS.caFile]);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.json.protocol, 'h1');
    assert.deepEqual(b.json.protocols, { h1: 5 });
    assert.equal(h1.stats.requests, 50);
  } finally {
    await h2.close();
    await h1.close();
  }
});

test('--h2 against an HTTP/1.1-only TLS server stops before measuring (exit 3) and says what it selects', async () => {
  const server = await startTlsH1Server();
  try {
    const out = await run(['--url', `${server.url}/`, '-n', '20', '--h2', '--insecure']);
    assert.equal(out.code, 3, out.stderr);
    assert.match(out.stderr, /does not speak HTTP\/2 over TLS: offered only h2 in ALPN, the server refused it; offered h2 and http\/1\.1, it selects http\/1\.1/);
    assert.equal(out.json.error?.class, 'protocol-error');
    assert.equal(out.json.counts.sent, 0);
    assert.equal(server.stats.requests, 0);
  } finally {
    await server.close();
  }
});

test('--h2 against a TLS server without ALPN (handshake completes, nothing selected) stops with exit 3', async () => {
  // A bare TLS server answering HTTP/1.1 by hand: no ALPN at all, so the handshake itself succeeds.
  let requests = 0;
  const server = tls.createServer({ cert: CERTS.cert, key: CERTS.key }, (socket) => {
    socket.on('data', () => {
      requests++;
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n');
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const out = await run(['--url', `https://127.0.0.1:${port}/`, '-n', '20', '--h2', '--insecure']);
    assert.equal(out.code, 3, out.stderr);
    assert.match(out.stderr, /offered only h2 in ALPN, the server selected no protocol; offered h2 and http\/1\.1, it selects no protocol/);
    assert.equal(requests, 0);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('http + --h2 is h2c with prior knowledge: the server sees HTTP/2.0 only', async () => {
  const server = await startH2Server({ tls: false });
  try {
    const out = await run(['--url', `${server.url}/`, '-n', '60', '-c', '6', '--h2']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.json.protocol, 'h2c');
    assert.deepEqual(out.json.protocols, { h2c: 1 });
    assert.equal(out.json.tls, null);
    assert.deepEqual([...server.stats.versions], [['2.0', 60]]);
    assert.equal(out.json.counts.completed, 60);
  } finally {
    await server.close();
  }
});

test('h2c against an HTTP/1.1-only server fails loudly before measuring (exit 3)', async () => {
  const server = await startServer();
  try {
    const out = await run(['--url', `${server.url}/`, '-n', '20', '--h2']);
    assert.equal(out.code, 3, out.stderr);
    assert.match(out.stderr, /does not speak h2c .*the server answered in HTTP\/1\.x \("HTTP\/1\.1 400 Bad Request"\)/);
    assert.match(out.stderr, /Upgrade: h2c path is not supported/);
    assert.equal(out.json.counts.sent, 0);
    assert.equal(server.stats.requests, 0);
  } finally {
    await server.close();
  }
});

test('--concurrency 200 --h2 puts 200 streams in flight over 2 sessions (GET, seen server-side)', async () => {
  const server = await startH2Server({ tls: false, delayMs: 100 });
  try {
    const out = await run(['--url', `${server.url}/`, '-c', '200', '-n', '400', '--h2']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.json.plan.connections, 2);
    assert.equal(out.json.plan.maxInflight, 200);
    assert.equal(server.stats.sessionsWithStreams, 2);
    assert.equal(server.stats.maxStreamsPerSession, 100);
    assert.equal(server.stats.maxInFlight, 200);
    assert.deepEqual(out.json.protocols, { h2c: 2 });
    assert.match(out.stdout, /pool\s+2 sessions × 100 streams, max 200 in flight/);
  } finally {
    await server.close();
  }
});

test('POST bodies multiplex too: 60 streams at once on one TLS session', async () => {
  const server = await startH2Server({ tls: true, delayMs: 100 });
  try {
    const out = await run(['--url', `${server.url}/items`, '-m', 'POST', '--body', '{"a":1}', '-c', '60', '-n', '120', '--h2', '--ca', CERTS.caFile]);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual([...server.stats.methods], [['POST', 120]]);
    assert.equal(server.stats.sessionsWithStreams, 1);
    assert.equal(server.stats.maxStreamsPerSession, 60);
  } finally {
    await server.close();
  }
});

test("undici: the server's SETTINGS_MAX_CONCURRENT_STREAMS bounds streams and in-flight requests (no hidden queue in latency)", async () => {
  // undici keeps the planned sessions; loadhttp's transport opens more instead (the test after this one).
  const server = await startH2Server({ tls: false, delayMs: 50, maxConcurrentStreams: 10 });
  try {
    const out = await run(['--url', `${server.url}/`, '-c', '50', '-n', '150', '--h2', '--transport', 'undici']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.json.streamsPerSession, 10);
    assert.equal(server.stats.maxStreamsPerSession, 10);
    // 50 users share 10 streams: the wait is queue wait, and latency stays near the server's 50 ms
    // (had 50 been let through to undici, 40 would have queued inside it, inside measured latency).
    assert.ok(out.json.latencyMs.p50 < 90, `p50 ${out.json.latencyMs.p50} ms`);
    assert.ok(out.json.queueWaitMs.p50 > 50, `queue wait p50 ${out.json.queueWaitMs.p50} ms`);
  } finally {
    await server.close();
  }
});

test('--h2 -c 200 against a server allowing 50 streams: 4 sessions carry the 200 in flight, and the report says so', async () => {
  const server = await startH2Server({ tls: false, delayMs: 100, maxConcurrentStreams: 50 });
  try {
    const out = await run(['--url', `${server.url}/`, '-c', '200', '-n', '600', '--h2']);
    assert.equal(out.code, 0, out.stderr);
    assertInvariant(out.json);
    assert.equal(out.json.plan.connections, 2);
    assert.equal(out.json.streamsPerSession, 50);
    assert.equal(out.json.sessions, 4);
    assert.equal(server.stats.sessionsWithStreams, 4);
    assert.equal(server.stats.maxStreamsPerSession, 50);
    assert.equal(server.stats.maxInFlight, 200);
    // No request waited for a slot: latency is the server's 100 ms, not a queue inside the transport.
    assert.ok(out.json.latencyMs.p50 < 180, `p50 ${out.json.latencyMs.p50} ms`);
    assert.match(out.stdout, /the server allows 50 streams per session \(100 planned\): 4 sessions at once, not 2, to reach 200 in flight/);
  } finally {
    await server.close();
  }
});

test('graceful GOAWAY after N streams: new sessions are opened and the run completes', async () => {
  const server = await startH2Server({ tls: false, delayMs: 5, goawayAfter: 30 });
  try {
    const out = await run(['--url', `${server.url}/`, '-c', '10', '-n', '200', '--h2']);
    assert.equal(out.code, 0, out.stderr);
    assertInvariant(out.json);
    assert.ok(server.stats.goawaysSent >= 5, `goaways ${server.stats.goawaysSent}`);
    assert.ok(out.json.connectionsOpened >= 6, `sessions ${out.json.connectionsOpened}`);
    // Streams above the GOAWAY's last stream id were never processed: undici replays them on a new session.
    assert.equal(out.json.counts.completed + (out.json.errors.goaway ?? 0), 200);
    assert.equal(Object.keys(out.json.errors).filter((c) => c !== 'goaway').length, 0, JSON.stringify(out.json.errors));
  } finally {
    await server.close();
  }
});

test('GOAWAY with an error code fails the streams in flight as `goaway`; the run goes on', async () => {
  const server = await startH2Server({ tls: false, delayMs: 5, goawayAfter: 30, goawayCode: 2 });
  try {
    const out = await run(['--url', `${server.url}/`, '-c', '10', '-n', '300', '--h2']);
    assert.equal(out.code, 0, out.stderr);
    assertInvariant(out.json);
    assert.equal(out.json.counts.sent, 300);
    assert.ok((out.json.errors.goaway ?? 0) > 0, JSON.stringify(out.json.errors));
    assert.deepEqual(Object.keys(out.json.errors), ['goaway']);
    assert.ok(out.json.counts.completed > 150);
    assert.ok(out.json.connectionsOpened > 3);
  } finally {
    await server.close();
  }
});

test('RST_STREAM on every 5th stream: each reset counted as `stream-reset`, the session carries on', async () => {
  const server = await startH2Server({ tls: false, resetEvery: 5 });
  try {
    const out = await run(['--url', `${server.url}/`, '-c', '8', '-n', '200', '--h2']);
    assert.equal(out.code, 0, out.stderr);
    assertInvariant(out.json);
    assert.equal(server.stats.resetsSent, 40);
    assert.deepEqual(out.json.errors, { 'stream-reset': 40 });
    assert.equal(out.json.counts.completed, 160);
    assert.equal(out.json.connectionsOpened, 1);
    assert.match(out.stdout, /stream-reset\s+40/);
  } finally {
    await server.close();
  }
});

test('--compare-protocols: the same load over h1 then h2, one side-by-side table and one JSON', async () => {
  const server = await startH2Server({ tls: true, allowHTTP1: true });
  try {
    const out = await run<ProtocolComparisonJson>(['--url', `${server.url}/`, '-c', '4', '-n', '80', '--insecure', '--compare-protocols']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.json.compare, 'protocols');
    assert.deepEqual(out.json.runs.map((r) => [r.plan.protocol, r.protocol, r.counts.completed]), [['h1', 'h1', 80], ['h2', 'h2', 80]]);
    assert.deepEqual([...server.stats.versions].sort(), [['1.1', 80], ['2.0', 80]]);
    const table = out.stdout.slice(out.stdout.indexOf('Protocols side by side'));
    assert.match(table, /requested h1\s+requested h2/);
    assert.match(table, /protocol used\s+h1\s+h2/);
    assert.match(table, /connections\s+4 \(h1: 4\)\s+1 \(h2: 1\)/);
    for (const row of ['req/s', 'P50', 'P99', 'errors']) assert.match(table, new RegExp(`\\n  ${row}\\s+\\S+`), row);

    const usage = await run(['--url', `${server.url}/`, '--compare-protocols', '--h2']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--compare-protocols runs h1 and h2 in turn/);
  } finally {
    await server.close();
  }
});

test('GOAWAY mid-run (frame server): the streams it left unprocessed are written again, counted in the JSON and the report', async () => {
  const held: number[] = [];
  const server = await startFrameServer({
    onRequest: (conn, stream) => {
      // connections[0] is the preflight's probe; the first session is connections[1].
      if (conn.index !== 1) return void conn.write(simpleResponse(stream));
      held.push(stream);
      if (held.length === 4) {
        void conn.write(Buffer.concat([frame(7, 0, 0, u32(held[1]!, 0)), simpleResponse(held[0]!), simpleResponse(held[1]!)])).then(() => conn.socket.end());
      }
    },
  });
  try {
    const out = await run(['--url', `${server.url}/`, '-c', '4', '-n', '40', '--h2']);
    assert.equal(out.code, 0, out.stderr);
    assertInvariant(out.json);
    assert.equal(out.json.counts.completed, 40);
    assert.equal(out.json.resent, 2);
    assert.match(out.stdout, /40 sent, 40 completed, 0 failed, 0 cancelled; 2 written again on a new connection \(the server had not processed them\)/);
  } finally {
    await server.close();
  }
});

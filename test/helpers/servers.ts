// Real loopback servers for tests (never mocks of undici), on port 0 of 127.0.0.1, with knobs and
// server-side counters: requests seen, sockets opened, most requests in flight at once.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import {
  constants as http2constants,
  createSecureServer,
  createServer as createH2Server,
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';

export interface ServerStats {
  /** Requests whose headers arrived. */
  requests: number;
  /** Sockets accepted. */
  sockets: number;
  /** Requests being handled right now, and the most ever at once. */
  inFlight: number;
  maxInFlight: number;
  /** Requests per path (pathname + search). */
  byPath: Map<string, number>;
  /** Server-side handling time of each response, in ms (request arrival to end()). */
  serviceMs: number[];
}

export interface TestServer {
  url: string;
  port: number;
  stats: ServerStats;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, stats: ServerStats) => void;

export interface ServerOptions {
  /** Fixed delay before answering, in ms. */
  delayMs?: number | ((req: IncomingMessage) => number);
  status?: number | ((req: IncomingMessage) => number);
  body?: string | Buffer;
  /** Replace the default handler entirely (counters are still kept). */
  handler?: Handler;
}

/**
 * A `delayMs` for startServer that stalls once: every request arriving in [start, start + ms), start being
 * `afterMs` after the first request, is held until the stall ends; the others wait 1 ms.
 */
export function freezeOnce(afterMs: number, ms: number): (req: unknown) => number {
  let first: number | null = null;
  return () => {
    const now = performance.now();
    first ??= now;
    const start = first + afterMs;
    return now >= start && now < start + ms ? start + ms - now : 1;
  };
}

export function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const stats: ServerStats = { requests: 0, sockets: 0, inFlight: 0, maxInFlight: 0, byPath: new Map(), serviceMs: [] };
  const sockets = new Set<Socket>();
  // Delayed answers still pending: cleared on close, so a long delay never keeps the test process alive.
  const pending = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    stats.byPath.set(req.url ?? '', (stats.byPath.get(req.url ?? '') ?? 0) + 1);
    const arrived = performance.now();
    res.on('close', () => {
      stats.inFlight--;
      stats.serviceMs.push(performance.now() - arrived);
    });
    if (options.handler) return options.handler(req, res, stats);
    req.resume();
    req.on('end', () => {
      const delay = typeof options.delayMs === 'function' ? options.delayMs(req) : (options.delayMs ?? 0);
      const status = typeof options.status === 'function' ? options.status(req) : (options.status ?? 200);
      const answer = () => res.writeHead(status, { 'content-type': 'text/plain' }).end(options.body ?? 'ok\n');
      if (delay <= 0) return answer();
      // A timer counts from the event loop's cached time, which lags the real one when the loop is busy,
      // so it can fire up to that lag early: wait again for the rest, so that `delayMs` is a true minimum.
      const due = performance.now() + delay;
      const wait = (ms: number) => {
        const timer = setTimeout(() => {
          pending.delete(timer);
          const left = due - performance.now();
          if (left > 0) wait(left);
          else answer();
        }, ms);
        pending.add(timer);
      };
      wait(delay);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    stats.sockets++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        stats,
        close: () =>
          new Promise<void>((done) => {
            for (const timer of pending) clearTimeout(timer);
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A port on 127.0.0.1 with nothing listening (bound then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---------------------------------------------------------------------------------------------------
// HTTP/2 (h2c and h2 over TLS) and HTTPS servers, with the fixture certificates of test/fixtures.

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8');

/** The test CA and a server certificate for 127.0.0.1 and localhost (test/fixtures/README.md). */
export const CERTS = {
  caFile: fileURLToPath(new URL('../fixtures/ca.pem', import.meta.url)),
  clientCertFile: fileURLToPath(new URL('../fixtures/client.pem', import.meta.url)),
  clientKeyFile: fileURLToPath(new URL('../fixtures/client-key.pem', import.meta.url)),
  ca: fixture('ca.pem'),
  cert: fixture('server.pem'),
  key: fixture('server-key.pem'),
};

export interface H2ServerStats {
  /** Streams (requests) whose headers arrived. */
  requests: number;
  /** HTTP versions seen by the request handler ("2.0", "1.1"), counted. */
  versions: Map<string, number>;
  /** HTTP/2 sessions opened (only those on which at least one stream arrived: `sessionsWithStreams`). */
  sessions: number;
  sessionsWithStreams: number;
  /** The most streams in flight at once on any one session. */
  maxStreamsPerSession: number;
  /** Streams in flight right now across sessions, and the most ever. */
  inFlight: number;
  maxInFlight: number;
  /** GOAWAY frames and RST_STREAM frames sent by the knobs. */
  goawaysSent: number;
  resetsSent: number;
  /** TLS connections: resumed (session reuse) and full handshakes, as the server saw them. */
  tlsResumed: number;
  tlsFull: number;
  /** Methods seen, counted. */
  methods: Map<string, number>;
}

export interface H2TestServer {
  url: string;
  port: number;
  stats: H2ServerStats;
  close(): Promise<void>;
}

export interface H2ServerOptions {
  /** true: h2 over TLS (ALPN h2, plus http/1.1 when `allowHTTP1`); false: h2c (cleartext, prior knowledge). */
  tls: boolean;
  /** Also accept HTTP/1.1 (TLS: offer http/1.1 in ALPN). */
  allowHTTP1?: boolean;
  delayMs?: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS the server announces (default: Node's, 2^32-1). */
  maxConcurrentStreams?: number;
  /**
   * After this many streams on a session, send GOAWAY with `goawayCode`. Code 0 (the default) is graceful:
   * streams up to this one are answered and the session closes when they are done. Another code
   * (e.g. 2, INTERNAL_ERROR) tears the session down at once, failing the streams still in flight.
   */
  goawayAfter?: number;
  goawayCode?: number;
  /** Reset every Nth stream (server-wide count) with RST_STREAM INTERNAL_ERROR instead of answering. */
  resetEvery?: number;
  /** TLS: ask for a client certificate signed by the test CA and refuse connections without one. */
  requireClientCert?: boolean;
}

export function startH2Server(options: H2ServerOptions): Promise<H2TestServer> {
  const stats: H2ServerStats = {
    requests: 0,
    versions: new Map(),
    sessions: 0,
    sessionsWithStreams: 0,
    maxStreamsPerSession: 0,
    inFlight: 0,
    maxInFlight: 0,
    goawaysSent: 0,
    resetsSent: 0,
    tlsResumed: 0,
    tlsFull: 0,
    methods: new Map(),
  };
  const settings = options.maxConcurrentStreams === undefined ? {} : { maxConcurrentStreams: options.maxConcurrentStreams };
  const common = { allowHTTP1: options.allowHTTP1 ?? false, settings };
  const server: Http2Server | Http2SecureServer = options.tls
    ? createSecureServer({
        ...common,
        cert: CERTS.cert,
        key: CERTS.key,
        ...(options.requireClientCert ? { ca: CERTS.ca, requestCert: true, rejectUnauthorized: true } : {}),
      })
    : createH2Server(common);
  const sessions = new Set<ServerHttp2Session>();
  const sockets = new Set<Socket>();
  const perSession = new WeakMap<object, { open: number; total: number }>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.isSessionReused()) stats.tlsResumed++;
    else stats.tlsFull++;
  });
  server.on('session', (session: ServerHttp2Session) => {
    stats.sessions++;
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => {});
  });
  server.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
    stats.requests++;
    count(stats.versions, req.httpVersion);
    count(stats.methods, req.method);
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    // HTTP/1.1 requests (allowHTTP1) have no session: count them per socket instead.
    const owner: object = req.stream?.session ?? req.socket;
    let mine = perSession.get(owner);
    if (!mine) {
      mine = { open: 0, total: 0 };
      perSession.set(owner, mine);
      stats.sessionsWithStreams++;
    }
    mine.open++;
    mine.total++;
    stats.maxStreamsPerSession = Math.max(stats.maxStreamsPerSession, mine.open);
    const streamNumber = stats.requests;
    const session = req.stream?.session;
    const done = () => {
      stats.inFlight--;
      mine.open--;
    };
    res.on('close', done);
    if (session && options.goawayAfter !== undefined && mine.total === options.goawayAfter) {
      // Graceful GOAWAY: streams up to this one are still answered; the client must open a new session
      // for the rest. The session closes once its open streams are done.
      stats.goawaysSent++;
      const code = options.goawayCode ?? 0;
      session.goaway(code, req.stream.id);
      if (code === 0) session.close();
      else setImmediate(() => session.destroy());
    }
    if (options.resetEvery !== undefined && streamNumber % options.resetEvery === 0 && req.stream) {
      stats.resetsSent++;
      req.stream.close(http2constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    req.resume();
    req.on('end', () => {
      const answer = () => {
        if (!res.writableEnded && !res.destroyed) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      };
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  });
  return listen(server, options.tls ? 'https' : 'http', stats, () => {
    for (const session of sessions) session.destroy();
    for (const socket of sockets) socket.destroy();
  });
}

/**
 * An HTTPS server that speaks HTTP/1.1 only (ALPN http/1.1: a client offering only h2 gets a
 * no_application_protocol alert), with the fixture certificate; counts like startServer.
 */
export function startTlsH1Server(): Promise<TestServer & { stats: ServerStats & { tlsResumed: number } }> {
  const stats = { requests: 0, sockets: 0, inFlight: 0, maxInFlight: 0, byPath: new Map(), serviceMs: [], tlsResumed: 0 };
  const server = createHttpsServer(
    { cert: CERTS.cert, key: CERTS.key, ALPNProtocols: ['http/1.1'] },
    (req, res) => {
      stats.requests++;
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'));
    },
  );
  server.keepAliveTimeout = 60_000;
  const sockets = new Set<Socket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    stats.sockets++;
    if (socket.isSessionReused()) stats.tlsResumed++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return listen(server, 'https', stats, () => {
    for (const socket of sockets) socket.destroy();
  });
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function listen<S>(server: NetServer, scheme: string, stats: S, destroyAll: () => void): Promise<{ url: string; port: number; stats: S; close(): Promise<void> }> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${scheme}://127.0.0.1:${port}`,
        port,
        stats,
        close: () =>
          new Promise<void>((done) => {
            destroyAll();
            server.close(() => done());
          }),
      });
    });
  });
}

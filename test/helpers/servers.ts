// Real loopback servers for tests (never mocks of undici), on port 0 of 127.0.0.1, with knobs and
// server-side counters: requests seen, sockets opened, most requests in flight at once.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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

export function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const stats: ServerStats = { requests: 0, sockets: 0, inFlight: 0, maxInFlight: 0, byPath: new Map(), serviceMs: [] };
  const sockets = new Set<Socket>();
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
      if (delay > 0) setTimeout(answer, delay);
      else answer();
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

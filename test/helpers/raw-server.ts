// A raw TCP server on 127.0.0.1 that answers each HTTP/1.1 request with bytes a test chooses, so tests
// can break the protocol on purpose (malformed status lines, bad lengths, resets, trickled headers).
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RawServer {
  url: string;
  /** Requests whose head was received (counted by the blank line ending it). */
  requests: () => number;
  sockets: () => number;
  close(): Promise<void>;
}

/**
 * `respond(socket, n)` is called for the n-th request (1-based, across all sockets) once its head has
 * arrived; it writes whatever it likes (and may destroy the socket). Request bodies are not expected.
 */
export function startRawServer(respond: (socket: Socket, n: number, perSocket: number) => void): Promise<RawServer> {
  let requests = 0;
  let sockets = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    let perSocket = 0;
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) !== -1) {
        buffered = buffered.slice(end + 4);
        requests++;
        perSocket++;
        respond(socket, requests, perSocket);
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests: () => requests,
        sockets: () => sockets,
        close: () =>
          new Promise<void>((done) => {
            for (const s of open) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

export const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

export interface DelayServer {
  url: string;
  /** Each response's time on the server, in ms: from the read that brought its request to the write of its last byte. */
  servedMs: number[];
  close(): Promise<void>;
}

/**
 * Answers every request after `delayMs` and measures itself the way nginx's $request_time does: from the
 * first read of the request to the response handed to the kernel. The known truth for latency tests: a
 * node:http server would also leave its own parsing and response objects outside what it measures.
 */
export async function startDelayServer(delayMs: number): Promise<DelayServer> {
  const servedMs: number[] = [];
  const pending = new Set<NodeJS.Timeout>();
  const raw = await startRawServer((socket) => {
    const arrived = performance.now();
    const timer = setTimeout(() => {
      pending.delete(timer);
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n', () => servedMs.push(performance.now() - arrived));
    }, delayMs);
    pending.add(timer);
  });
  return {
    url: raw.url,
    servedMs,
    close: () => {
      for (const timer of pending) clearTimeout(timer);
      return raw.close();
    },
  };
}

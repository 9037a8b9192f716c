// A raw HTTP/2 server on 127.0.0.1 speaking frames a test writes by hand (h2c, prior knowledge), so tests can
// send what node:http2 never would: CONTINUATION frames, padding, tiny windows, mid-run SETTINGS, broken frames,
// every byte in its own write. It reads the client's preface and frames, answers SETTINGS with an ACK, records
// what it saw, and hands each request (a HEADERS frame from the client, with END_HEADERS) to `onRequest`.
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { encodeHeaderBlock } from '../../src/transport/h2/hpack/encoder.ts';

export const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

export interface ClientFrame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

export interface FrameConnection {
  socket: Socket;
  /** Index of this connection (0-based, in accept order). */
  index: number;
  /** Frames received from the client on this connection. */
  frames: ClientFrame[];
  /** Writes bytes (whole, or one byte per write when the server was started with `trickle`). */
  write(bytes: Buffer): Promise<void>;
}

export interface FrameServer {
  url: string;
  connections: FrameConnection[];
  /** Requests (client HEADERS) received, over all connections. */
  requests(): number;
  close(): Promise<void>;
}

export interface FrameServerOptions {
  /** The server's SETTINGS payload (pairs of id, value), sent first on each connection. */
  settings?: () => Array<[number, number]>;
  /** Write every byte in its own socket write, a few ms apart. */
  trickle?: boolean;
  /** Gather the writes made for one read of the client's frames into one socket write. */
  corked?: boolean;
  /** Called for the n-th request (1-based, over all connections). */
  onRequest(conn: FrameConnection, stream: number, n: number): void | Promise<void>;
}

export function frame(type: number, flags: number, stream: number, payload: Buffer | number[] = []): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const head = Buffer.alloc(9);
  head.writeUIntBE(body.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, body]);
}

export function settingsFrame(pairs: Array<[number, number]>): Buffer {
  const payload = Buffer.alloc(pairs.length * 6);
  pairs.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return frame(4, 0, 0, payload);
}

export function u32(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeUInt32BE(v, i * 4));
  return out;
}

/** A response header block (HPACK, static table and literals). */
export function responseBlock(status: number, headers: Array<[string, string]> = []): Buffer {
  return encodeHeaderBlock([[':status', String(status)], ...headers]);
}

/** HEADERS (END_HEADERS, and END_STREAM when `end`) + DATA `body` with END_STREAM. */
export function simpleResponse(stream: number, status = 200, body = 'ok\n'): Buffer {
  const block = responseBlock(status, [['content-length', String(Buffer.byteLength(body))]]);
  if (body === '') return frame(1, 0x5, stream, block);
  return Buffer.concat([frame(1, 0x4, stream, block), frame(0, 0x1, stream, Buffer.from(body))]);
}

export function startFrameServer(options: FrameServerOptions): Promise<FrameServer> {
  const connections: FrameConnection[] = [];
  const sockets = new Set<Socket>();
  let requests = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const conn: FrameConnection = {
      socket,
      index: connections.length,
      frames: [],
      write: async (bytes) => {
        if (!options.trickle) {
          if (!socket.destroyed) socket.write(bytes);
          return;
        }
        for (let i = 0; i < bytes.length && !socket.destroyed; i++) {
          await new Promise<void>((resolve) => socket.write(bytes.subarray(i, i + 1), () => resolve()));
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      },
    };
    connections.push(conn);
    let buffered = Buffer.alloc(0);
    let prefaced = false;
    let queue = conn.write(settingsFrame(options.settings?.() ?? []));
    socket.on('data', (chunk: Buffer) => {
      if (options.corked) {
        // The responses are written from promise callbacks of this read: uncorked after them.
        socket.cork();
        setImmediate(() => socket.uncork());
      }
      buffered = Buffer.concat([buffered, chunk]);
      if (!prefaced) {
        if (buffered.length < PREFACE.length) return;
        if (buffered.subarray(0, PREFACE.length).toString('latin1') !== PREFACE) {
          socket.destroy();
          return;
        }
        prefaced = true;
        buffered = buffered.subarray(PREFACE.length);
      }
      while (buffered.length >= 9) {
        const length = buffered.readUIntBE(0, 3);
        if (buffered.length < 9 + length) break;
        const got: ClientFrame = { type: buffered[3]!, flags: buffered[4]!, stream: buffered.readUInt32BE(5) & 0x7fffffff, payload: Buffer.from(buffered.subarray(9, 9 + length)) };
        buffered = buffered.subarray(9 + length);
        conn.frames.push(got);
        if (got.type === 4 && !(got.flags & 1)) queue = queue.then(() => conn.write(frame(4, 1, 0)));
        if (got.type === 1 && got.flags & 0x4) {
          const n = ++requests;
          queue = queue.then(() => options.onRequest(conn, got.stream, n));
        }
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        connections,
        requests: () => requests,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

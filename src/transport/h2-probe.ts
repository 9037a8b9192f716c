// The HTTP/2 preflight: on a fresh connection (h2c, or TLS that selected h2), send the client connection
// preface and an empty SETTINGS frame, and read the server's first frame. A real HTTP/2 server answers
// with SETTINGS (RFC 9113 §3.4), which also tells us its SETTINGS_MAX_CONCURRENT_STREAMS. Anything else
// (an HTTP/1.1 status line, a close, silence) means the target does not speak HTTP/2 on this connection,
// and the run must stop before measuring rather than measure something else under an HTTP/2 label.
import type { Socket } from 'node:net';
import { PREFACE, SETTINGS as FRAME_SETTINGS, SETTINGS_MAX_CONCURRENT_STREAMS } from './h2/frames.ts';

/** Frame header: length 0, type SETTINGS (0x4), flags 0, stream 0. */
const EMPTY_SETTINGS = Buffer.from([0, 0, 0, 0x4, 0, 0, 0, 0, 0]);
/** GOAWAY, stream 0, last stream 0, NO_ERROR: a polite goodbye before closing the probe. */
const GOAWAY = Buffer.from([0, 0, 8, 0x7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

export type ProbeResult =
  | { ok: true; maxConcurrentStreams: number | null }
  | { ok: false; reason: string };

/** Runs the probe on `socket` and destroys it afterwards (it is never handed to the pool). */
export function probeH2(socket: Socket, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const finish = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (result.ok && !socket.destroyed) socket.end(GOAWAY);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, reason: `no SETTINGS frame within ${timeoutMs} ms after the HTTP/2 connection preface` }),
      timeoutMs,
    );
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const verdict = readFirstFrame(received);
      if (verdict) finish(verdict);
    });
    socket.once('close', () => {
      const shown = received.length > 0 ? ` after sending ${JSON.stringify(firstLine(received))}` : ' without answering';
      finish({ ok: false, reason: `the server closed the connection${shown} when sent the HTTP/2 connection preface` });
    });
    socket.on('error', () => {});
    socket.write(Buffer.concat([PREFACE, EMPTY_SETTINGS]));
  });
}

/** The verdict once enough bytes arrived; undefined while more are needed. */
function readFirstFrame(data: Buffer): ProbeResult | undefined {
  if (data.subarray(0, 5).toString('latin1') === 'HTTP/') {
    const line = firstLine(data);
    return line.length < data.length || data.length > 200
      ? { ok: false, reason: `the server answered in HTTP/1.x (${JSON.stringify(line)}) instead of an HTTP/2 SETTINGS frame` }
      : undefined;
  }
  if (data.length < 9) return undefined;
  const length = data.readUIntBE(0, 3);
  const type = data[3]!;
  if (type !== FRAME_SETTINGS) {
    return { ok: false, reason: `the server's first frame was type 0x${type.toString(16)}, not SETTINGS: it does not speak HTTP/2 here` };
  }
  if (data.length < 9 + length) return undefined;
  let maxConcurrentStreams: number | null = null;
  for (let at = 9; at + 6 <= 9 + length; at += 6) {
    if (data.readUInt16BE(at) === SETTINGS_MAX_CONCURRENT_STREAMS) maxConcurrentStreams = data.readUInt32BE(at + 2);
  }
  return { ok: true, maxConcurrentStreams };
}

function firstLine(data: Buffer): string {
  const text = data.subarray(0, 200).toString('latin1');
  const end = text.indexOf('\r\n');
  return (end === -1 ? text : text.slice(0, end)).replace(/[^\x20-\x7e]/g, '?');
}

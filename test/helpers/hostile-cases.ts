// HTTP/1.1 responses broken on purpose, shared by the hostile-server tests and the differential tests
// (which run each through both transports).
import type { Socket } from 'node:net';
import { OK } from './raw-server.ts';

/** Every other response is broken in the given way; the good ones keep the run measurable. */
export function everyOther(broken: (socket: Socket) => void) {
  return (socket: Socket, n: number) => (n % 2 === 0 ? broken(socket) : socket.write(OK));
}

export const HOSTILE_CASES: Array<{ name: string; broken: (socket: Socket) => void; expect: string; example?: RegExp }> = [
  { name: 'a malformed status line', broken: (s) => s.end('HTTP/1.1 2x0 NOPE\r\ncontent-length: 0\r\n\r\n'), expect: 'protocol-error', example: /does not match the HTTP\/1.1 protocol \(.+\)/ },
  { name: 'a header without a colon', broken: (s) => s.end('HTTP/1.1 200 OK\r\nno colon here\r\ncontent-length: 0\r\n\r\n'), expect: 'protocol-error', example: /does not match the HTTP\/1.1 protocol \(.+\)/ },
  { name: 'invalid chunked encoding', broken: (s) => s.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'), expect: 'protocol-error', example: /does not match the HTTP\/1.1 protocol \(.+\)/ },
  { name: 'a body shorter than its content-length, then close', broken: (s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort'), expect: 'connection-reset' },
  { name: 'a reset mid-body', broken: (s) => { s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nhalf'); setTimeout(() => s.resetAndDestroy(), 5); }, expect: 'connection-reset' },
];

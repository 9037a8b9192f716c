// The HTTP/1.1 transport's errors, with the codes the failure classes know (result/failure-classes.ts).

/** The response broke HTTP/1.1 (RFC 9112): a protocol-error. The message says what and shows where. */
export class H1ProtocolError extends Error {
  override name = 'H1ProtocolError';
  readonly code = 'LOADHTTP_H1_PROTOCOL';
  constructor(what: string) {
    // The same wording as undici's parser errors, so reports read alike whichever transport ran.
    super(`response does not match the HTTP/1.1 protocol (${what})`);
  }
}

/** The server closed the connection before a response it owed was complete: a connection-reset. */
export class H1ClosedError extends Error {
  override name = 'H1ClosedError';
  readonly code = 'LOADHTTP_H1_CLOSED';
}

/** Up to 60 bytes from `start` as printable text, for an error message. */
export function excerpt(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end && i < start + 60; i++) {
    const c = bytes[i]!;
    if (c === 13 || c === 10) break;
    text += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
  }
  return JSON.stringify(text);
}

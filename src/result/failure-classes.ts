// Failure classes: every failed request is counted under exactly one of these names (JSON `errors`).

export const FAILURE_CLASSES = [
  'connect-refused',
  'dns',
  'connect-timeout',
  'tls',
  'timeout',
  'connection-reset',
  'protocol-error',
  'goaway',
  'stream-reset',
  'capture',
  'template',
  'hook-error',
  'other',
] as const;

export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** The classes `retry.on` may name: a flow step's failed capture, template or hook is judged outside the retry loop. */
export const RETRY_CLASSES: readonly FailureClass[] = FAILURE_CLASSES.filter((name) => name !== 'capture' && name !== 'template' && name !== 'hook-error');

interface CodedError extends Error {
  code?: string;
  cause?: unknown;
}

const BY_CODE: Record<string, FailureClass> = {
  ECONNREFUSED: 'connect-refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NONAME: 'dns',
  UND_ERR_CONNECT_TIMEOUT: 'connect-timeout',
  ETIMEDOUT: 'connect-timeout',
  EHOSTUNREACH: 'connect-refused',
  ENETUNREACH: 'connect-refused',
  EADDRNOTAVAIL: 'connect-refused',
  LOADHTTP_REQUEST_TIMEOUT: 'timeout',
  LOADHTTP_HEADERS_TIMEOUT: 'timeout',
  LOADHTTP_BODY_TIMEOUT: 'timeout',
  LOADHTTP_HOOK_ERROR: 'hook-error',
  LOADHTTP_TEMPLATE: 'template',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ECONNRESET: 'connection-reset',
  EPIPE: 'connection-reset',
  UND_ERR_SOCKET: 'connection-reset',
  UND_ERR_CLOSED: 'connection-reset',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'protocol-error',
  UND_ERR_HEADERS_OVERFLOW: 'protocol-error',
  LOADHTTP_H1_PROTOCOL: 'protocol-error',
  LOADHTTP_H1_CLOSED: 'connection-reset',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'protocol-error',
  HPE_INVALID_CONSTANT: 'protocol-error',
  ERR_HTTP2_GOAWAY_SESSION: 'goaway',
  // Node destroys a session with this error when the server's GOAWAY carries an error code.
  ERR_HTTP2_SESSION_ERROR: 'goaway',
  ERR_HTTP2_STREAM_ERROR: 'stream-reset',
  ERR_HTTP2_STREAM_CANCEL: 'stream-reset',
  // node:http2 (under undici) on a connection error of the server's making (a bad frame, a broken HPACK
  // block): the session is destroyed; requests sent to it afterwards fail with INVALID_SESSION.
  ERR_HTTP2_ERROR: 'protocol-error',
  ERR_HTTP2_INVALID_SESSION: 'connection-reset',
  // The HTTP/2 transport of our own (transport/h2/errors.ts).
  LOADHTTP_H2_PROTOCOL: 'protocol-error',
  LOADHTTP_H2_GOAWAY: 'goaway',
  LOADHTTP_H2_RST: 'stream-reset',
  LOADHTTP_H2_CLOSED: 'connection-reset',
};

/** undici's own GOAWAY errors (UND_ERR_SOCKET / UND_ERR_INFO) say so only in their message. */
const GOAWAY_MESSAGE = /"GOAWAY" frame received/;

export function classifyError(error: unknown): FailureClass {
  if (error instanceof Error && GOAWAY_MESSAGE.test(error.message)) return 'goaway';
  // undici 8.12 leaves HTTPParserError.code undefined (it looks the llhttp error number up in a
  // name → number table), so the parser's errors are recognised by name; the reason is in the message.
  if (hasName(error, 'HTTPParserError')) return 'protocol-error';
  const code = errorCode(error);
  if (code) {
    const known = BY_CODE[code];
    if (known) return known;
    if (code.startsWith('HPE_')) return 'protocol-error';
    if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.includes('CERT') || code.includes('SELF_SIGNED')) {
      return 'tls';
    }
    if (code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') return 'tls';
  }
  return 'other';
}

function hasName(error: unknown, name: string): boolean {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    if ((current as Error).name === name) return true;
    current = (current as CodedError).cause;
  }
  return false;
}

/** The most specific error code on the error or its cause chain (undici wraps socket errors). */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  let fallback: string | undefined;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as CodedError).code;
    if (typeof code === 'string') {
      if (BY_CODE[code] && code !== 'UND_ERR_SOCKET') return code;
      fallback ??= code;
    }
    current = (current as CodedError).cause;
  }
  return fallback;
}

/** A one-line message for reports: the error's own message plus its code, and the cause's when useful. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const coded = error as CodedError;
  let text = coded.code && !error.message.includes(coded.code) ? `${error.message} (${coded.code})` : error.message;
  const cause = coded.cause;
  if (cause instanceof Error && !text.includes(cause.message)) text += `: ${describeError(cause)}`;
  return text || error.name;
}

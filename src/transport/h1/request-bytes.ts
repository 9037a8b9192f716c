// A request's bytes on the wire, built once per request definition: nothing in a planned request varies
// from one send to the next, so each send writes the same Buffer. The head is what undici writes for the
// same request (host, `connection: keep-alive`, the headers in order, content-length when there is a
// body or the method expects one), so the two transports send servers the same thing.
import { requestProblem } from '../request-check.ts';
import type { PreparedRequest } from '../transport.ts';

/** Methods whose requests carry a payload: undici sends `content-length: 0` for them even without a body. */
const EXPECTS_PAYLOAD = new Set(['PUT', 'POST', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);

/** `authority`: the Host header's value unless the request gives its own (URL.host: no default port). */
export function requestBytes(request: PreparedRequest, authority: string): Buffer {
  const { method, path, headers, body } = request;
  const problem = requestProblem(request);
  if (problem !== null) throw new TypeError(problem);
  let host = authority;
  let lines = '';
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    const value = headers[i + 1]!;
    const lower = name.toLowerCase();
    // Like undici: a host header replaces the default; the content-length is always the body's own.
    if (lower === 'host') host = value;
    else if (lower !== 'content-length') lines += `${name}: ${value}\r\n`;
  }
  const length = body?.length ?? 0;
  const contentLength = length > 0 || EXPECTS_PAYLOAD.has(method) ? `content-length: ${length}\r\n` : '';
  const head = Buffer.from(`${method} ${path} HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\n${lines}${contentLength}\r\n`, 'latin1');
  return body && length > 0 ? Buffer.concat([head, body]) : head;
}

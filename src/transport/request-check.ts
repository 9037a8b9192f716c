// What a request must be for any transport to put it on the wire: a token as its method, a path without
// whitespace or NUL, tokens as header names (RFC 9110) and header values that are bytes (util/field-value.ts:
// no CR, LF or NUL, no character above U+00FF). The scenario loader refuses such requests with the file's line;
// this check covers what is built later (a beforeRequest hook's request) and what the h1 writer is handed.
import { fieldValueProblem, isToken } from '../util/field-value.ts';
import type { PreparedRequest } from './transport.ts';

/** What is wrong with `request`, naming the part (e.g. `invalid header name "bad name"`), or null. */
export function requestProblem(request: Pick<PreparedRequest, 'method' | 'path' | 'headers'>): string | null {
  const { method, path, headers } = request;
  if (!isToken(method)) return `invalid request method ${JSON.stringify(method)}`;
  if (path.length === 0 || /[\s\0]/.test(path)) return `invalid request path ${JSON.stringify(path)}`;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    if (!isToken(name)) return `invalid header name ${JSON.stringify(name)}`;
    const problem = fieldValueProblem(headers[i + 1]!);
    if (problem !== null) return `invalid value for header ${name}: ${problem}`;
  }
  return null;
}

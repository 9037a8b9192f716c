// A planned request in the form the transport sends it (PreparedRequest), with its approximate wire size.
import type { PlannedRequest } from '../plan/types.ts';
import type { PreparedRequest } from '../transport/transport.ts';

export function prepare(request: Pick<PlannedRequest, 'method' | 'path' | 'headers' | 'body'>, keepResponse = 0): PreparedRequest {
  const head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  let headerBytes = 0;
  for (let i = 0; i < request.headers.length; i += 2) {
    headerBytes += request.headers[i]!.length + request.headers[i + 1]!.length + 4;
  }
  const bodyBytes = request.body?.length ?? 0;
  const prepared: PreparedRequest = {
    method: request.method,
    path: request.path,
    headers: [...request.headers],
    body: request.body,
    wireBytes: head.length + headerBytes + 2 + bodyBytes,
  };
  if (keepResponse > 0) prepared.keepResponse = keepResponse;
  return prepared;
}

// The HPACK header block of a request definition, encoded once (static-table indices and literals, no dynamic
// table: the same bytes serve every stream on every session) and kept beside the request it was built for.
import { requestProblem } from '../request-check.ts';
import type { PreparedRequest } from '../transport.ts';
import { encodeHeaderBlock } from './hpack/encoder.ts';

/** Connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2); `host` becomes :authority. */
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

export class RequestBlocks {
  private readonly blocks = new WeakMap<PreparedRequest, Buffer>();
  private readonly scheme: string;
  private readonly authority: string;

  constructor(origin: URL) {
    this.scheme = origin.protocol === 'https:' ? 'https' : 'http';
    this.authority = origin.host;
  }

  get(request: PreparedRequest): Buffer {
    let block = this.blocks.get(request);
    if (block === undefined) {
      block = this.encode(request);
      this.blocks.set(request, block);
    }
    return block;
  }

  private encode(request: PreparedRequest): Buffer {
    // What the h1 writer refuses is refused here too (HPACK itself would carry CR or LF).
    const problem = requestProblem(request);
    if (problem !== null) throw new TypeError(problem);
    const fields: Array<[string, string]> = [];
    let authority = this.authority;
    let contentLength = false;
    for (let i = 0; i < request.headers.length; i += 2) {
      const name = request.headers[i]!.toLowerCase();
      const value = request.headers[i + 1]!;
      if (name === 'host') authority = value;
      if (name === 'content-length') contentLength = true;
      if (!DROPPED.has(name) && !(name === 'te' && value.toLowerCase() !== 'trailers')) fields.push([name, value]);
    }
    if (request.body !== null && !contentLength) fields.push(['content-length', String(request.body.length)]);
    return encodeHeaderBlock([[':method', request.method], [':scheme', this.scheme], [':authority', authority], [':path', request.path], ...fields]);
  }
}

// One request in flight on the HTTP/1.1 transport: what to write, where it is, its deadlines, and (passed to
// the engine's callback) its outcome. Reused from a free list: after its callback has returned, an
// exchange carries the next request, so the steady state allocates none per request.
import { InFlightRequest } from '../in-flight-request.ts';
import type { SendCallback } from '../transport.ts';

/** The transport side an exchange reports to (implemented by H1Transport). */
export interface ExchangeOwner {
  abort(exchange: Exchange, reason: Error): void;
}

/** The connection carrying an exchange, as the transport drives it (implemented by H1Connection). */
export interface Carrier {
  send(exchange: Exchange): void;
  abort(exchange: Exchange, reason: Error): void;
}

/** A request definition in wire form, built once (request-bytes.ts). */
export interface Encoded {
  bytes: Buffer;
  /** A HEAD request: its response has no body, whatever its head says. */
  head: boolean;
  /** Safe to write again on a new connection when one closed before answering (RFC 9110 §9.2.2). */
  idempotent: boolean;
  /** The request's keepResponse: its response is kept (headers, up to this many body bytes) when > 0. */
  keep: number;
}

export class Exchange extends InFlightRequest<Exchange> {
  encoded: Encoded | null = null;
  /** The connection carrying it (null while it waits for a free one). */
  connection: Carrier | null = null;
  private readonly owner: ExchangeOwner;

  constructor(owner: ExchangeOwner) {
    super();
    this.owner = owner;
  }

  start(encoded: Encoded, done: SendCallback): void {
    this.begin(done);
    this.encoded = encoded;
    this.connection = null;
  }

  override abort(reason: Error): void {
    this.owner.abort(this, reason);
  }
}

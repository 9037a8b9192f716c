// One request on an HTTP/2 stream: what is sent, what came back, its deadlines and its place in the in-flight
// list. Reused: the transport keeps finished streams in a free list, so the steady state allocates none.
import type { KeptResponseBuilder } from '../kept-response.ts';
import { InFlightRequest } from '../in-flight-request.ts';
import type { PreparedRequest, SendCallback } from '../transport.ts';
import { InboundWindow } from './flow-control.ts';

/** What a stream needs from its transport: ending it early (timeouts, the run stopping). */
export interface StreamOwner {
  abort(stream: H2Stream, reason: Error): void;
}

/** The session carrying a stream (session.ts), as far as the transport reaches it through the stream. */
export interface StreamCarrier {
  /** Ends the stream early: RST_STREAM CANCEL. */
  cancel(stream: H2Stream): void;
}

export class H2Stream extends InFlightRequest<H2Stream> {
  /** 0 until the stream is opened on a session. */
  id = 0;
  request: PreparedRequest | null = null;
  /** The request's HPACK header block (built once per request definition). */
  block: Buffer | null = null;
  /** Times sent again because the server did not process it (at most once). */
  resends = 0;
  /** Request body bytes sent so far (a body larger than the server's window goes out as it opens). */
  bodySent = 0;
  /** The server's flow-control window for this stream (request body). */
  sendWindow = 0;
  /** Body bytes wait for the server's window (the stream is in its session's list of them, request-writer.ts). */
  waiting = false;
  readonly inbound = new InboundWindow();
  /** The response's content-length (-1: none), checked against the DATA received. */
  contentLength = -1;
  /** The final (non-1xx) response headers arrived. */
  responded = false;
  /** The request's keepResponse (0: its response is not kept). */
  keep = 0;
  /** What is kept of the response so far: made when the stream opens (response-reader.ts), for a kept request only. */
  kept: KeptResponseBuilder | null = null;
  /** The session carrying it, or null while it waits for one. */
  session: StreamCarrier | null = null;
  private readonly owner: StreamOwner;

  constructor(owner: StreamOwner) {
    super();
    this.owner = owner;
  }

  /** Readies the stream for one request. */
  start(request: PreparedRequest, block: Buffer, done: SendCallback): void {
    this.begin(done);
    this.keep = request.keepResponse ?? 0;
    this.id = 0;
    this.request = request;
    this.block = block;
    this.resends = 0;
    this.session = null;
  }

  override abort(reason: Error): void {
    this.owner.abort(this, reason);
  }
}

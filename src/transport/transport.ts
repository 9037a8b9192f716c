// The transport seam: the engine sends prepared requests and learns when each response has been fully
// drained. undici is used only behind this interface (transport/undici.ts).

import type { TlsSummary } from '../result/result.ts';
import type { TlsSettings } from '../plan/protocol.ts';
import type { ProtocolChoice } from '../scenario/types.ts';

/** How to reach the target: what createTransport() takes, whichever transport implements it. */
export interface TransportOptions {
  target: string;
  /**
   * Connect to this IP address instead of looking the target's host name up per connection (one instance of
   * `resolve: all`). The Host header, :authority, TLS SNI and the certificate check keep the host name.
   */
  address?: string;
  protocol: ProtocolChoice;
  /** h1: sockets; h2: sessions. */
  connections: number;
  pipelining: number;
  /** h2: streams in flight per session (the server's SETTINGS may lower it). */
  maxConcurrentStreams: number;
  /** Requests in flight at once across the run (the engine's bound). */
  maxInflight: number;
  tls: TlsSettings;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Idle timeouts (null = off): send to the response headers; longest gap between body chunks. */
  headersTimeoutMs?: number | null;
  bodyTimeoutMs?: number | null;
}

export type WireProtocol = 'h1' | 'h2' | 'h2c';

/**
 * The largest HTTP/1.1 response head accepted (status line and header lines; undici counts the header
 * lines only). Beyond it a response is a protocol error, in either transport.
 */
export const MAX_HEAD_BYTES = 64 * 1024;

/** A request in the form the transport sends it, built once per planned request. */
export interface PreparedRequest {
  method: string;
  path: string;
  headers: string[];
  body: Buffer | null;
  /** Approximate bytes on the wire for one send (request line, headers, body); for the bytes-sent figure. */
  wireBytes: number;
  /**
   * Opt-in, for flow steps that capture: keep this request's response headers and up to this many bytes
   * of its body in the outcome (`response`). Absent or 0: the body is discarded and headers are not kept
   * (every other request: no cost).
   */
  keepResponse?: number;
}

/** What a transport kept of a response for a request with `keepResponse` (see PreparedRequest). */
export interface KeptResponse {
  /** Names lower-cased; a repeated header's values joined with ", " (set-cookie: with "\n"). */
  headers: Record<string, string>;
  /** The body's first `keepResponse` bytes. */
  body: Buffer;
  /** True when the body was longer than `keepResponse` (then `body` is its beginning). */
  truncated: boolean;
}

export interface SendOutcome {
  status: number;
  /** Body bytes received (drained and discarded). */
  bytes: number;
  /** performance.now() when the response headers arrived. */
  headersAt: number;
  /** performance.now() when the last body byte arrived. */
  endAt: number;
  /**
   * The kept response when the request asked for it (`keepResponse`: every transport keeps it, through
   * kept-response.ts); else null or absent.
   */
  response?: KeptResponse | null;
}

/**
 * The outcome is null exactly when there is an error. The outcome object is valid during the call only
 * (the transport reuses it): copy what must outlive it.
 */
export type SendCallback = (outcome: SendOutcome | null, error: Error | null) => void;

export interface TransportStats {
  /** Sockets (h1) or sessions (h2) opened for requests, including reconnects (not the h2 preflight probe). */
  opened: number;
  /** Protocol of each opened connection, by protocol. */
  protocols: Partial<Record<WireProtocol, number>>;
  /** HTTP/2: streams per session in use, min(our limit, the server's SETTINGS_MAX_CONCURRENT_STREAMS). */
  streamsPerSession: number | null;
  /**
   * HTTP/2: the most sessions taking streams at once. More than planned when the server allows fewer streams per
   * session than planned and the transport opened more sessions to reach the asked concurrency.
   */
  sessions: number | null;
  /** https:// targets only. */
  tls: TlsStats | null;
  /**
   * Requests written again on a new connection because the server had not processed them: HTTP/1.1, the
   * connection they were pipelined on closed before answering them; HTTP/2, they were above a GOAWAY's last
   * stream id. Absent where the transport cannot count them (undici resends them too).
   */
  resent?: number;
}

export interface TlsStats extends TlsSummary {
  /** The handshake times as an HdrHistogram (compressed base64, µs). */
  handshakeHistogram: string;
}

export interface Transport {
  /**
   * Opens the first connection before any request is sent, so an unreachable target (or, later, a
   * refused protocol) stops the run before measuring. Throws a RunError.
   */
  preflight(): Promise<void>;
  /**
   * Sends one request and calls `done` once: with the outcome when the body is fully drained, or with the
   * error that ended it. Never synchronously, and never retries by itself. A callback rather than a
   * Promise: this is the per-request path, and a Promise with its two closures and a microtask per request
   * was a measurable share of it.
   */
  send(request: PreparedRequest, done: SendCallback): void;
  /** Aborts every request in flight with `reason` (their callbacks get it as the error). */
  abortAll(reason: Error): void;
  stats(): TransportStats;
  close(): Promise<void>;
}

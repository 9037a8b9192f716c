// The undici transport: one Client per connection for the whole run, chosen and configured once (HTTP/1.1,
// h2 over TLS by ALPN, or h2c with prior knowledge), over connections our own connector opens.
// Requests go through `dispatch` with a handler that discards body chunks (no stream per response).
//
// No undici Pool: a free list of clients replaces its dispatch (which looked for a non-busy client on every
// request and cost ~20% of the run). The list holds each client once per request it can carry at a time
// (pipelining, or streams per HTTP/2 session); a send pops one and its end or error pushes it back. The
// engine's semaphore already bounds requests in flight to that capacity; should a plan allow more, sends
// beyond it go round-robin to the clients and wait inside undici, as they would in a Pool. (https with
// protocol auto keeps a Pool: the server's ALPN choice decides each connection's capacity.)
// Imported, not the global: Node's global `performance` is an accessor that runs a check on every read,
// and the request path reads the clock ~4 times per request.
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'undici';
import type { Dispatcher, buildConnector } from 'undici';
import type { Socket } from 'node:net';
import { Connector } from './connector.ts';
import { Deadlines } from './deadlines.ts';
import { InFlightRequest, deliver } from './in-flight-request.ts';
import { KeptResponseBuilder } from './kept-response.ts';
import { connectionMode, preflight, type ConnectionMode } from './preflight.ts';
import type { IncomingHttpHeaders } from 'node:http';
import { MAX_HEAD_BYTES, type PreparedRequest, type SendCallback, type Transport, type TransportOptions, type TransportStats } from './transport.ts';

/**
 * One request in flight: the undici handler, and (passed to the callback) its outcome. Reused: after a
 * response ends and its callback has returned, the handler goes back to the transport's spares, so the
 * steady state allocates none (nor the boxed numbers of its time fields).
 */
class InFlight extends InFlightRequest<InFlight> implements Dispatcher.DispatchHandler {
  /** The request's keepResponse (0: discard), and what is kept of its response so far. */
  private keep = 0;
  private kept: KeptResponseBuilder | null = null;
  controller: Dispatcher.DispatchController | null = null;
  pendingAbort: Error | null = null;
  /** The client carrying this request, or null if it was sent beyond the free list's capacity. */
  client: Client | null = null;
  private readonly owner: UndiciTransport;

  constructor(owner: UndiciTransport) {
    super();
    this.owner = owner;
  }

  /** Readies the handler for one request. */
  start(done: SendCallback, keep: number): void {
    this.begin(done);
    this.keep = keep;
    this.kept = null;
    this.controller = null;
    this.pendingAbort = null;
    this.client = null;
  }

  override abort(reason: Error): void {
    if (this.controller) this.controller.abort(reason);
    else this.pendingAbort = reason;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort) controller.abort(this.pendingAbort);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.headersAt = performance.now();
    this.status = statusCode;
    if (this.keep > 0) this.kept = keptHeaders(headers, new KeptResponseBuilder(this.keep));
    this.owner.deadlines.headers(this, this.headersAt);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
    this.chunked = true;
    if (this.kept !== null) this.kept.body(chunk, 0, chunk.length);
  }

  onResponseEnd(): void {
    this.endAt = performance.now();
    if (this.kept !== null) {
      this.response = this.kept.finish();
      this.kept = null;
    }
    this.owner.settled(this);
    const done = this.done!;
    this.done = null;
    // A callback that throws is rethrown outside undici (thrown here, undici would report it to
    // onResponseError, ignored by then).
    if (!deliver(done, this)) return;
    this.controller = null;
    this.owner.recycle(this);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const done = this.done;
    if (done === null) return;
    this.done = null;
    this.owner.settled(this);
    // Always a tick later: undici fails a connection's queued requests in one loop (asserting the queue
    // is empty after it), so a send made from inside this call would break it. Errors are rare; the
    // success path above calls back at once, as a bare undici loop does. (Not reused: it is rare.)
    process.nextTick(done, null, error);
  }
}

/** undici's header object into `kept`: a repeated header's values (an array) one by one. */
function keptHeaders(headers: IncomingHttpHeaders, kept: KeptResponseBuilder): KeptResponseBuilder {
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const one of value) kept.header(name, one);
    else kept.header(name, value);
  }
  return kept;
}

class UndiciTransport implements Transport {
  readonly deadlines: Deadlines<InFlight>;
  /** Handlers done with (InFlight.onResponseEnd): at most as many as were ever in flight at once. */
  private readonly spares: InFlight[] = [];
  /** https + auto only: the server picks h1 or h2 per connection, so capacity is not known in advance. */
  private readonly pool: Pool | null;
  private readonly clients: Client[];
  /** Free capacity: each client once per request it can take now. */
  private free: Client[] = [];
  private next = 0;
  private closed = false;
  private readonly options: TransportOptions;
  private readonly mode: ConnectionMode;
  private readonly connector: Connector;
  private readonly origin: URL;
  /** h2: streams per session, lowered to the server's SETTINGS_MAX_CONCURRENT_STREAMS by preflight. */
  private streamsPerSession: number | null;
  /** The socket preflight() opened, handed to the pool's first connection attempt. */
  private spare: Socket | null = null;

  constructor(options: TransportOptions) {
    this.options = options;
    this.deadlines = new Deadlines(options);
    this.origin = new URL(options.target);
    this.mode = connectionMode(this.origin, options.protocol);
    this.connector = new Connector({
      origin: this.origin,
      alpn: this.mode.alpn,
      requireH2: this.mode.forcedH2 && this.mode.secure,
      h2c: this.mode.h2c,
      timeoutMs: options.connectTimeoutMs,
      tls: options.tls,
      address: options.address,
    });
    const h2 = this.mode.allowH2;
    this.streamsPerSession = h2 ? options.maxConcurrentStreams : null;
    const clientOptions: Client.Options = {
      // Before a session is up undici bounds a connection by `pipelining`, after by the stream limit:
      // a forced h2 run sets both to the stream limit.
      pipelining: this.mode.forcedH2 ? options.maxConcurrentStreams : options.pipelining,
      // undici's per-request timers are off: one coarse sweep below bounds every request instead.
      headersTimeout: 0,
      bodyTimeout: 0,
      maxHeaderSize: MAX_HEAD_BYTES,
      allowH2: h2,
      ...(h2 ? { h2Options: { maxConcurrentStreams: options.maxConcurrentStreams } } : {}),
      connect: (_connectOptions, callback) => this.connect(callback),
    };
    // With ALPN choosing per connection, a Pool opens sessions only as needed (one h2 session can carry
    // what would take several h1 sockets); everywhere else the capacity is fixed and the free list serves.
    const negotiated = h2 && !this.mode.forcedH2;
    this.pool = negotiated ? new Pool(options.target, { ...clientOptions, connections: options.connections }) : null;
    this.clients = negotiated ? [] : Array.from({ length: options.connections }, () => new Client(options.target, clientOptions));
    this.refill();
  }

  private connect(callback: buildConnector.Callback): void {
    const spare = this.spare;
    this.spare = null;
    if (spare && !spare.destroyed) {
      // undici expects the connector to call back asynchronously, as a real connect does.
      process.nextTick(callback, null, spare);
      return;
    }
    this.connector.open((error, socket) => callback(error as Error & null, socket as Socket & null));
  }

  preflight(): Promise<void> {
    return preflight(this.origin, this.mode, this.connector, this.options).then((outcome) => {
      this.spare = outcome.spare;
      if (outcome.serverStreams !== null && this.streamsPerSession !== null) {
        this.streamsPerSession = Math.min(this.streamsPerSession, outcome.serverStreams);
        this.refill();
      }
    });
  }

  /** Fills the free list: requests per client are the pipelining depth, or the streams of a forced h2 session. */
  private refill(): void {
    const perClient = this.mode.forcedH2 ? (this.streamsPerSession ?? this.options.maxConcurrentStreams) : this.options.pipelining;
    this.free = [];
    for (let slot = 0; slot < perClient; slot++) this.free.push(...this.clients);
  }

  send(request: PreparedRequest, done: SendCallback): void {
    const now = performance.now();
    const handler = this.spares.pop() ?? new InFlight(this);
    handler.start(done, request.keepResponse ?? 0);
    this.deadlines.start(handler, now);
    if (this.pool !== null) {
      this.pool.dispatch(request as Dispatcher.DispatchOptions, handler);
    } else {
      let client = this.free.pop();
      if (client === undefined) client = this.clients[this.next++ % this.clients.length]!;
      else handler.client = client;
      client.dispatch(request as Dispatcher.DispatchOptions, handler);
    }
  }

  /** A handler whose response ended and whose callback has returned, ready for another request. */
  recycle(handler: InFlight): void {
    this.spares.push(handler);
  }

  /** A request ended or failed: it leaves the in-flight set and its client slot is free again. */
  settled(handler: InFlight): void {
    this.deadlines.settle(handler);
    if (handler.client !== null && !this.closed) this.free.push(handler.client);
    handler.client = null;
  }

  abortAll(reason: Error): void {
    this.deadlines.abortAll(reason);
  }

  stats(): TransportStats {
    return { ...this.connector.stats(), streamsPerSession: this.streamsPerSession, sessions: this.mode.forcedH2 ? this.clients.length : null };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.deadlines.close();
    this.spare?.destroy();
    await Promise.all([this.pool?.destroy(), ...this.clients.map((client) => client.destroy())]);
  }
}

export function createUndiciTransport(options: TransportOptions): Transport {
  return new UndiciTransport(options);
}

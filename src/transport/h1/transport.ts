// loadhttp's own HTTP/1.1 transport: a fixed set of connections (opened through the shared Connector, so
// TLS, its counts and the handshake histogram are the same as undici's), each carrying up to `pipelining`
// requests at a time. A free list holds each connection once per request it can take (as the undici
// transport's does); sends beyond that capacity wait here, in order, for the next free slot.
//
// The per-request path allocates nothing of its own in the steady state: request bytes are built once per
// request definition, exchanges come from a free list, reads land in each connection's own buffer, and
// deadlines are fields swept by one timer. (Node's socket write still allocates ~270 bytes per request:
// test/h1-allocation.test.ts.)
import { performance } from 'node:perf_hooks';
import { Connector } from '../connector.ts';
import { Deadlines } from '../deadlines.ts';
import { deliver } from '../in-flight-request.ts';
import { connectionMode, preflight } from '../preflight.ts';
import { MAX_HEAD_BYTES, type PreparedRequest, type SendCallback, type Transport, type TransportOptions, type TransportStats } from '../transport.ts';
import { H1Connection, type ConnectionOwner } from './connection.ts';
import { Exchange, type Carrier, type Encoded, type ExchangeOwner } from './exchange.ts';
import { requestBytes } from './request-bytes.ts';

/** Methods that may be sent again after an unanswered close (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE', 'QUERY']);

class H1Transport implements Transport, ConnectionOwner, ExchangeOwner {
  readonly connector: Connector;
  readonly deadlines: Deadlines<Exchange>;
  private readonly connections: H1Connection[];
  /** Free capacity: each connection once per request it can take now. */
  private readonly free: Carrier[] = [];
  /** Sends beyond the capacity, oldest first (from `waitingFirst`). */
  private waiting: Array<Exchange | null> = [];
  private waitingFirst = 0;
  /** Exchanges done with: at most as many as were ever in flight at once. */
  private readonly spares: Exchange[] = [];
  /** Weak: a flow's templated step sends a new PreparedRequest each time; its bytes must not outlive it. */
  private readonly encoded = new WeakMap<PreparedRequest, Encoded>();
  private readonly options: TransportOptions;
  private readonly origin: URL;
  private resentCount = 0;
  private closing = false;

  constructor(options: TransportOptions) {
    this.options = options;
    this.origin = new URL(options.target);
    const mode = connectionMode(this.origin, 'h1');
    this.connector = new Connector({
      origin: this.origin,
      alpn: mode.alpn,
      requireH2: false,
      h2c: false,
      timeoutMs: options.connectTimeoutMs,
      tls: options.tls,
      address: options.address,
    });
    this.deadlines = new Deadlines(options);
    this.connections = Array.from({ length: options.connections }, () => new H1Connection(this, options.pipelining, MAX_HEAD_BYTES));
    for (let slot = 0; slot < options.pipelining; slot++) this.free.push(...this.connections);
    // Popped from the end: the first connection (the preflight's) is used first.
    this.free.reverse();
  }

  preflight(): Promise<void> {
    const first = this.connections[0]!;
    return preflight(this.origin, connectionMode(this.origin, 'h1'), this.connector, this.options, (callback) => first.preflight(callback)).then(
      () => undefined,
    );
  }

  send(request: PreparedRequest, done: SendCallback): void {
    let encoded = this.encoded.get(request);
    if (encoded === undefined) {
      try {
        encoded = encode(request, this.origin.host);
      } catch (error) {
        process.nextTick(done, null, error);
        return;
      }
      this.encoded.set(request, encoded);
    }
    const exchange = this.spares.pop() ?? new Exchange(this);
    exchange.start(encoded, done);
    this.deadlines.start(exchange, performance.now());
    const connection = this.free.pop();
    if (connection === undefined) this.waiting.push(exchange);
    else connection.send(exchange);
  }

  completed(exchange: Exchange): void {
    this.settle(exchange);
    const done = exchange.done!;
    exchange.done = null;
    if (!deliver(done, exchange)) return;
    exchange.encoded = null;
    this.spares.push(exchange);
  }

  failed(exchange: Exchange, error: Error): void {
    this.settle(exchange);
    const done = exchange.done!;
    exchange.done = null;
    exchange.encoded = null;
    this.spares.push(exchange);
    // Always a tick later: a failure can happen inside send() (a connect error), and callbacks never do.
    process.nextTick(done, null, error);
  }

  resent(count: number): void {
    this.resentCount += count;
  }

  /** The exchange is over: off the deadlines, and its slot goes to the oldest waiting send or back to the free list. */
  private settle(exchange: Exchange): void {
    this.deadlines.settle(exchange);
    const connection = exchange.connection;
    exchange.connection = null;
    if (connection === null || this.closing) return;
    if (this.waitingFirst < this.waiting.length) {
      const next = this.waiting[this.waitingFirst]!;
      this.waiting[this.waitingFirst++] = null;
      if (this.waitingFirst === this.waiting.length) {
        this.waiting.length = 0;
        this.waitingFirst = 0;
      }
      connection.send(next);
    } else {
      this.free.push(connection);
    }
  }

  abort(exchange: Exchange, reason: Error): void {
    if (exchange.done === null) return;
    const connection = exchange.connection;
    if (connection !== null) {
      connection.abort(exchange, reason);
      return;
    }
    const index = this.waiting.indexOf(exchange, this.waitingFirst);
    if (index !== -1) this.waiting.splice(index, 1);
    this.failed(exchange, reason);
  }

  abortAll(reason: Error): void {
    this.deadlines.abortAll(reason);
  }

  stats(): TransportStats {
    return { ...this.connector.stats(), streamsPerSession: null, sessions: null, resent: this.resentCount };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.deadlines.close();
    for (const connection of this.connections) connection.destroy();
  }
}

function encode(request: PreparedRequest, authority: string): Encoded {
  return {
    bytes: requestBytes(request, authority),
    head: request.method === 'HEAD',
    idempotent: IDEMPOTENT.has(request.method),
    keep: request.keepResponse ?? 0,
  };
}

export function createH1Transport(options: TransportOptions): Transport {
  return new H1Transport(options);
}

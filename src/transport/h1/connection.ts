// One HTTP/1.1 connection: its requests in order (written ones awaiting their responses, then ones waiting
// for the socket), keep-alive and pipelining, the read loop, and what happens when the socket closes.
//
// Reads land in one buffer per connection (`onread`: no allocation per read), which the parser reads in
// place. Requests the engine sends while a read is being handled are written after it, together (one
// cork), and only once the read's bytes are all parsed: bytes nobody asked for then never pass for the
// answer to a request written meanwhile.
//
// A closed socket (Connection: close, an idle close, a reset, a protocol error) is replaced by a new one
// when requests remain. Of the requests written on it and unanswered, undici's rules decide (it is the
// oracle of the differential tests): the oldest fails (with the close's cause), unless the close was
// announced (Connection: close) or ours (an abort); the others are written again on the new connection and
// counted as resent (never hidden), except non-idempotent ones, which fail rather than run twice.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Connector, ReadInto } from '../connector.ts';
import type { Deadlines } from '../deadlines.ts';
import { H1ClosedError, H1ProtocolError } from './errors.ts';
import type { Carrier, Exchange } from './exchange.ts';
import { ResponseParser, type ResponseSink } from './response-parser.ts';

/** What a connection needs from its transport. */
export interface ConnectionOwner {
  readonly connector: Connector;
  readonly deadlines: Deadlines<Exchange>;
  /** The exchange's response is complete (its fields are filled in): call back and recycle it. */
  completed(exchange: Exchange): void;
  /** The exchange failed (it is already off the connection). */
  failed(exchange: Exchange, error: Error): void;
  /** Unanswered requests written again on a new connection. */
  resent(count: number): void;
}

/** Bytes per socket read: one buffer per connection, reused for every read. */
const READ_BUFFER_BYTES = 64 * 1024;

const CLOSED = 0;
const CONNECTING = 1;
const OPEN = 2;

export class H1Connection implements ResponseSink, Carrier {
  private socket: Socket | null = null;
  private state = CLOSED;
  /** A ring of the connection's exchanges, oldest first; the first `written` are on the current socket. */
  private readonly ring: Array<Exchange | null>;
  private first = 0;
  private count = 0;
  private written = 0;
  /** Inside the read loop: sends are queued, and written when it ends. */
  private reading = false;
  /** Changes whenever the socket goes: the read loop stops when a callback closed it. */
  private epoch = 0;
  private readonly parser: ResponseParser;
  private readonly owner: ConnectionOwner;
  private readonly onread: ReadInto;

  constructor(owner: ConnectionOwner, capacity: number, maxHeadBytes: number) {
    this.owner = owner;
    this.ring = new Array<Exchange | null>(capacity).fill(null);
    this.parser = new ResponseParser(this, maxHeadBytes);
    this.onread = {
      buffer: Buffer.alloc(0),
      callback: (bytes) => {
        // The buffer serves every socket of this connection in turn: only the current one is read.
        if (this.state === OPEN) this.onRead(bytes);
        return true;
      },
    };
  }

  /** Queues `exchange` (capacity was checked by the transport) and writes it, opening a socket if need be. */
  send(exchange: Exchange): void {
    exchange.connection = this;
    this.ring[(this.first + this.count) % this.ring.length] = exchange;
    this.count++;
    if (this.state === OPEN) {
      if (!this.reading) this.flush();
    } else if (this.state === CLOSED) {
      this.open();
    }
  }

  /** Opens the first connection for the transport's preflight; `callback` gets the socket (or the error). */
  preflight(callback: (error: Error | null, socket: Socket | null) => void): void {
    this.state = CONNECTING;
    this.owner.connector.open((error, socket) => {
      if (socket !== null) this.attach(socket);
      else this.state = CLOSED;
      callback(error, socket);
    }, this.readOptions());
  }

  /** The read buffer is allocated with the first socket: a connection never opened costs none. */
  private readOptions(): ReadInto {
    const onread = this.onread;
    if (onread.buffer.length === 0) onread.buffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
    return onread;
  }

  private open(): void {
    this.state = CONNECTING;
    const epoch = this.epoch;
    this.owner.connector.open((error, socket) => {
      if (epoch !== this.epoch) {
        // Closed (transport closing) while connecting.
        socket?.destroy();
        return;
      }
      if (socket === null) {
        this.state = CLOSED;
        this.failAll(error ?? new Error('no socket'));
        return;
      }
      this.attach(socket);
      this.flush();
    }, this.readOptions());
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    this.state = OPEN;
    this.parser.reset();
    let error: Error | null = null;
    socket.on('error', (e: Error) => (error = e));
    // The server's end is the connection's: handled at once, so nothing is written on a half-closed socket.
    socket.once('end', () => {
      this.closed(socket, null);
      socket.destroy();
    });
    socket.once('close', () => this.closed(socket, error));
  }

  /** Writes the exchanges queued since the last write, as one batch. */
  private flush(): void {
    const socket = this.socket!;
    const pending = this.count - this.written;
    if (pending === 0) return;
    if (pending > 1) socket.cork();
    const ring = this.ring;
    for (let k = this.written; k < this.count; k++) socket.write(ring[(this.first + k) % ring.length]!.encoded!.bytes);
    if (pending > 1) socket.uncork();
    this.written = this.count;
  }

  private onRead(length: number): void {
    const buffer = this.onread.buffer;
    const parser = this.parser;
    const epoch = this.epoch;
    this.reading = true;
    let at = 0;
    while (at < length) {
      if (this.written === 0 && !parser.midResponse) {
        // Bytes with no request written to answer: the connection cannot be trusted (undici: "bad response").
        this.reading = false;
        this.drop(new H1ProtocolError('data received with no request outstanding'));
        return;
      }
      try {
        at = parser.execute(buffer, at, length);
      } catch (error) {
        this.reading = false;
        this.drop(error as Error);
        return;
      }
      if (parser.complete) {
        this.responseEnd();
        // A callback may have closed it (abortAll), or the response closed it: the rest is not read.
        if (this.epoch !== epoch) break;
      } else if (parser.inBody && this.written > 0) {
        this.ring[this.first]!.chunked = true;
      }
    }
    this.reading = false;
    if (this.epoch === epoch && this.state === OPEN) this.flush();
  }

  /** ResponseSink: a final response's head arrived for the oldest written request. */
  onResponseHead(status: number): boolean {
    const exchange = this.ring[this.first]!;
    const now = performance.now();
    exchange.status = status;
    exchange.headersAt = now;
    this.owner.deadlines.headers(exchange, now);
    return exchange.encoded!.head;
  }

  private responseEnd(): void {
    const exchange = this.shift();
    this.written--;
    exchange.bytes = this.parser.bodyBytes;
    exchange.endAt = performance.now();
    // Closed before the callback, so that a send made from it goes to a new socket.
    if (!this.parser.keepAlive) {
      this.detach(true);
      this.resendUnanswered(null);
    }
    this.owner.completed(exchange);
  }

  private shift(): Exchange {
    const exchange = this.ring[this.first]!;
    this.ring[this.first] = null;
    this.first = (this.first + 1) % this.ring.length;
    this.count--;
    return exchange;
  }

  /**
   * The socket closed (by the server, or an error); sockets we close ourselves are detached first. As in
   * undici: an end (or a reset) after the head of a response that said it would close the connection
   * ends a body without a length, and is a protocol error for a body cut short; any other close fails
   * the oldest unanswered request as the connection being reset.
   */
  private closed(socket: Socket, error: Error | null): void {
    if (socket !== this.socket) return;
    const parser = this.parser;
    const ended = error === null || (error as NodeJS.ErrnoException).code === 'ECONNRESET';
    if (ended && this.written > 0 && parser.finishAtClose()) {
      const exchange = this.shift();
      this.written--;
      exchange.bytes = parser.bodyBytes;
      exchange.endAt = performance.now();
      this.detach(false);
      this.resendUnanswered(null);
      this.owner.completed(exchange);
      return;
    }
    let cause: Error;
    if (ended && parser.inBody && !parser.keepAlive) {
      cause = new H1ProtocolError(`the connection closed before the response was complete: ${parser.describeIncomplete()}`);
    } else if (error !== null) {
      cause = error;
    } else if (parser.midResponse) {
      cause = new H1ClosedError(`the server closed the connection before the response was complete: ${parser.describeIncomplete()}`);
    } else {
      const n = this.written;
      cause = new H1ClosedError(`the server closed the connection without answering (${n} request${n === 1 ? '' : 's'} written on it unanswered)`);
    }
    this.detach(false);
    this.resendUnanswered(cause);
  }

  /** Ends the connection on a protocol violation: the oldest written request fails with it. */
  private drop(error: Error): void {
    this.detach(true);
    this.resendUnanswered(error);
  }

  /** Forgets the socket (destroying it if `destroy`); its requests stay queued, none written. */
  private detach(destroy: boolean): void {
    const socket = this.socket;
    this.socket = null;
    this.state = CLOSED;
    this.epoch++;
    this.parser.reset();
    if (destroy) socket?.destroy();
  }

  /**
   * After a close: `cause` (null for an announced or deliberate close) fails the oldest written request;
   * the other written ones are written again on a new connection, or fail if not idempotent. Reconnects
   * if any request remains. The ring is made consistent before any callback: a failure frees a slot, and
   * the transport may send on this connection at once.
   */
  private resendUnanswered(cause: Error | null): void {
    const unanswered = this.written;
    this.written = 0;
    let failures: Array<[Exchange, Error]> | null = null;
    let resent = 0;
    const ring = this.ring;
    const total = this.count;
    let kept = 0;
    for (let k = 0; k < total; k++) {
      const exchange = ring[(this.first + k) % ring.length]!;
      ring[(this.first + k) % ring.length] = null;
      let failure: Error | null = null;
      if (k < unanswered) {
        if (k === 0 && cause !== null) failure = cause;
        else if (!exchange.encoded!.idempotent) failure = cause ?? new H1ClosedError('the connection closed before the response to a pipelined request that is not idempotent (not sent again)');
        else resent++;
      }
      if (failure === null) ring[(this.first + kept++) % ring.length] = exchange;
      else (failures ??= []).push([exchange, failure]);
    }
    this.count = kept;
    if (resent > 0) this.owner.resent(resent);
    if (failures !== null) for (const [exchange, failure] of failures) this.owner.failed(exchange, failure);
    if (this.count > 0 && this.state === CLOSED) this.open();
  }

  /**
   * Ends one exchange with `reason` (a timeout, or the run stopping). Written, it cannot be taken back:
   * the socket is closed, as undici does, and the others written on it are resent.
   */
  abort(exchange: Exchange, reason: Error): void {
    let index = -1;
    for (let k = 0; k < this.count; k++) {
      if (this.ring[(this.first + k) % this.ring.length] === exchange) index = k;
    }
    if (index === -1) return;
    const wasWritten = index < this.written;
    this.remove(index);
    if (wasWritten) {
      this.written--;
      this.detach(true);
      this.resendUnanswered(null);
    }
    this.owner.failed(exchange, reason);
  }

  private remove(index: number): void {
    const ring = this.ring;
    for (let k = index; k < this.count - 1; k++) ring[(this.first + k) % ring.length] = ring[(this.first + k + 1) % ring.length]!;
    ring[(this.first + this.count - 1) % ring.length] = null;
    this.count--;
  }

  private failAll(error: Error): void {
    const failing: Exchange[] = [];
    while (this.count > 0) failing.push(this.shift());
    this.written = 0;
    for (const exchange of failing) this.owner.failed(exchange, error);
  }

  /** The transport is closing: the socket goes, and nothing reconnects. */
  destroy(): void {
    this.detach(true);
  }
}

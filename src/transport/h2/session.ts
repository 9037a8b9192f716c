// One HTTP/2 connection (RFC 9113) as a client: the preface and SETTINGS both ways, streams opened with a
// pre-encoded header block, responses read frame by frame (HPACK-decoded, DATA counted and discarded), flow
// control, PING, RST_STREAM and GOAWAY. Frames written while reading (or in one turn of the event loop) leave in
// one socket write. The state machine follows RFC 9113 §5.1 from the client's side, as python-hyper/h2 does.
//
// The session never calls a request back itself: it tells its owner (the transport) when a stream ended,
// was not processed by the server (GOAWAY: to send again elsewhere), or when the session can take no more.
//
// This file holds the connection's lifecycle (connecting, the states of §5.1, draining, closing, the streams
// failed when it ends) and the dispatch of each inbound frame; the parts with state and reasons of their own
// are beside it: settings.ts (the preface and the SETTINGS exchange), header-block.ts (HEADERS +
// CONTINUATION framing), response-reader.ts (what a stream's frames make of its response, HPACK included),
// request-writer.ts (request HEADERS and bodies under the server's windows), goaway.ts (the server's GOAWAY
// and the errors of the streams it ends), flow-control.ts (the windows we grant).
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import type { ReadInto } from '../connector.ts';
import type { Deadlines } from '../deadlines.ts';
import { codedError } from '../../util/errors.ts';
import { H2ConnectionError, H2_CLOSED, H2_PROTOCOL, resetError } from './errors.ts';
import { CONNECTION_WINDOW, InboundWindow, STREAM_WINDOW } from './flow-control.ts';
import { FrameReader, padLength } from './frame-reader.ts';
import { FrameWriter } from './frame-writer.ts';
import {
  CANCEL,
  CONTINUATION,
  DATA,
  DEFAULT_MAX_FRAME_SIZE,
  FLAG_ACK,
  FLAG_END_STREAM,
  FLAG_PADDED,
  FLOW_CONTROL_ERROR,
  FRAME_SIZE_ERROR,
  GOAWAY,
  HEADERS,
  MAX_STREAM_ID,
  MAX_WINDOW,
  NO_ERROR,
  PING,
  PRIORITY,
  PROTOCOL_ERROR,
  PUSH_PROMISE,
  REFUSED_STREAM,
  RST_STREAM,
  SETTINGS,
  WINDOW_UPDATE,
  errorName,
  readUint32,
  typeName,
  writeUint32,
} from './frames.ts';
import { GoawayReceived } from './goaway.ts';
import { HeaderBlockReader, type HeaderBlockHandler } from './header-block.ts';
import { RequestWriter } from './request-writer.ts';
import { ENDED, FINAL_HEAD, MALFORMED, ResponseReader } from './response-reader.ts';
import { PeerSettings, writePreface } from './settings.ts';
import type { H2Stream, StreamCarrier } from './stream.ts';
import { StreamTable } from './stream-table.ts';

export interface SessionOwner {
  /** performance.now() when the socket read now being handled began; -1 outside reads (set by the session). */
  readAt: number;
  /** The session can take (more) streams: its SETTINGS arrived, or the server raised its limit. */
  ready(session: Session): void;
  /** A stream ended: with the response complete (error null) or failed. The stream has left the session. */
  finished(stream: H2Stream, error: Error | null): void;
  /**
   * The server did not process this stream (above a GOAWAY's last stream id, or REFUSED_STREAM): it may be
   * sent again; `error` is its failure if it may not.
   */
  unprocessed(stream: H2Stream, error: Error): void;
  /** The session takes no new streams (GOAWAY, stream ids used up); it closes once its streams are done. */
  retired(session: Session): void;
  /** The connection is gone; `error` says why (null: closed cleanly, after draining or by the server). */
  closed(session: Session, error: Error | null): void;
}

// Session states.
const CONNECTING = 0;
/** Connected, preface sent, waiting for the server's SETTINGS. */
const OPENING = 1;
const READY = 2;
/** GOAWAY received or stream ids used up: streams in flight finish, no new ones. */
const DRAINING = 3;
const CLOSED = 4;

const EMPTY = Buffer.alloc(0);
/** One read's buffer: a read takes what the socket has, up to this. */
const READ_BUFFER_BYTES = 64 * 1024;

export interface SessionOptions {
  /** Streams we allow at once on this session (the server's SETTINGS may lower it). */
  maxStreams: number;
  deadlines: Deadlines<H2Stream>;
  /** The first stream id (1; tests start near the end of the id space). */
  firstStreamId?: number;
}

export class Session implements StreamCarrier, HeaderBlockHandler {
  private state = CONNECTING;
  private socket: Socket | null = null;
  private readonly owner: SessionOwner;
  private readonly deadlines: Deadlines<H2Stream>;
  private readonly reader: FrameReader;
  private readonly writer = new FrameWriter();
  private readonly peer = new PeerSettings();
  private readonly requests: RequestWriter;
  private readonly headerBlocks: HeaderBlockReader = new HeaderBlockReader(this);
  private readonly responses = new ResponseReader();
  private readonly goaway = new GoawayReceived();
  private readonly streams: StreamTable;
  /** Streams open now. */
  active = 0;
  /** Became READY once (its server spoke HTTP/2 to us). */
  everReady = false;
  private readonly ourMaxStreams: number;
  /** Streams this session may carry at once: ours, or fewer if the server's SETTINGS_MAX_CONCURRENT_STREAMS says so. */
  limit: number;
  private nextId: number;
  private readonly inbound = new InboundWindow();
  private readonly reads: ReadInto = {
    buffer: EMPTY,
    callback: (bytes) => {
      this.read(this.reads.buffer, bytes);
      return true;
    },
  };
  /** Inside a socket read: frames written now are flushed when it ends. */
  private reading = false;
  /** performance.now() when the current (or last) socket read began. */
  private readAt = 0;
  private flushQueued = false;
  /** The socket's error, if any (ECONNRESET...), or the connection error we found (our GOAWAY). */
  private closeError: Error | null = null;
  private protocolError: Error | null = null;

  constructor(owner: SessionOwner, options: SessionOptions) {
    this.owner = owner;
    this.deadlines = options.deadlines;
    this.ourMaxStreams = options.maxStreams;
    this.limit = options.maxStreams;
    this.streams = new StreamTable(options.maxStreams);
    this.nextId = options.firstStreamId ?? 1;
    this.reader = new FrameReader(this, DEFAULT_MAX_FRAME_SIZE);
    this.requests = new RequestWriter(this, this.writer, this.peer);
    // The connection window opens to CONNECTION_WINDOW with the WINDOW_UPDATE sent after the preface.
    this.inbound.reset(CONNECTION_WINDOW);
  }

  /** Streams this session can open now. */
  available(): number {
    return this.state === READY ? this.limit - this.active : 0;
  }

  get opening(): boolean {
    return this.state < READY;
  }

  /**
   * Where the socket opened for this session reads (`onread`): one buffer for every read, no allocation per
   * read. Allocated with the first connection: a session never connected costs none.
   */
  readInto(): ReadInto {
    if (this.reads.buffer.length === 0) this.reads.buffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
    return this.reads;
  }

  /**
   * Starts HTTP/2 on a connected socket (h2c, or TLS that selected h2): preface, SETTINGS, connection window.
   * A socket opened elsewhere (the preflight's) reads through 'data' events instead of readInto().
   */
  attach(socket: Socket, dataEvents = false): void {
    if (this.state !== CONNECTING) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    this.state = OPENING;
    if (dataEvents) socket.on('data', (chunk: Buffer) => this.read(chunk, chunk.length));
    socket.on('error', (error: Error) => (this.closeError ??= error));
    socket.on('close', () => this.gone());
    writePreface(this.writer);
    this.writer.flush(socket);
  }

  /** The connection could not be opened. */
  connectFailed(error: Error): void {
    this.closeError = error;
    this.gone();
  }

  /** Opens a stream for `stream`'s request (the caller checked available() > 0). */
  open(stream: H2Stream): void {
    const id = this.nextId;
    this.nextId += 2;
    stream.id = id;
    stream.session = this;
    stream.bodySent = 0;
    stream.sendWindow = this.peer.initialWindow;
    stream.inbound.reset(STREAM_WINDOW);
    stream.waiting = false;
    this.responses.begin(stream);
    this.streams.add(stream);
    this.active++;
    const body = stream.request!.body;
    const bodiless = body === null || body.length === 0;
    this.requests.headers(id, stream.block!, bodiless);
    if (!bodiless) this.requests.body(stream);
    this.schedule();
    if (this.nextId > MAX_STREAM_ID) this.retire();
  }

  /** Ends a stream early (timeout, the run stopping): RST_STREAM CANCEL. */
  cancel(stream: H2Stream): void {
    if (!this.remove(stream)) return;
    if (this.state !== CLOSED) {
      this.writer.frame32(RST_STREAM, stream.id, CANCEL);
      this.schedule();
    }
    this.afterStream();
  }

  /** Closes the connection at the end of the run (GOAWAY NO_ERROR); resolves once the socket is closed. */
  close(): Promise<void> {
    const socket = this.socket;
    if (socket === null) {
      this.state = CLOSED;
      return Promise.resolve();
    }
    const closed = socket.closed ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve()));
    if (this.state !== CLOSED) this.goodbye(NO_ERROR, '');
    return closed;
  }

  // Reading.

  private read(chunk: Buffer, size: number): void {
    // One clock read per socket read: the arrival time of every response in it (and the send time, for
    // deadlines, of the requests sent from their callbacks). A time read per response would also box a
    // number (an allocation) per call.
    this.readAt = this.owner.readAt = performance.now();
    this.reading = true;
    try {
      this.reader.push(chunk, size);
    } catch (error) {
      if (error instanceof H2ConnectionError) this.fail(error);
      else throw error;
    } finally {
      this.reading = false;
      this.owner.readAt = -1;
    }
    this.flush();
  }

  /** FrameHandler: one frame from the server. */
  frame(type: number, flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (this.headerBlocks.continuing !== 0 && type !== CONTINUATION) {
      throw new H2ConnectionError(PROTOCOL_ERROR, `a ${typeName(type)} frame arrived where a CONTINUATION of stream ${this.headerBlocks.continuing}'s headers was due`);
    }
    if (this.state === OPENING && type !== SETTINGS) {
      throw new H2ConnectionError(PROTOCOL_ERROR, `the server's first frame was ${typeName(type)}, not SETTINGS`);
    }
    switch (type) {
      case DATA:
        return this.data(flags, id, buf, start, end);
      case HEADERS:
        if (id === 0) throw new H2ConnectionError(PROTOCOL_ERROR, 'a HEADERS frame on stream 0');
        return this.headerBlocks.headers(flags, id, buf, start, end);
      case PRIORITY:
        if (id === 0) throw new H2ConnectionError(PROTOCOL_ERROR, 'a PRIORITY frame on stream 0');
        if (end - start !== 5) this.streamFrameSizeError(id, 'PRIORITY', end - start);
        return;
      case RST_STREAM:
        return this.reset(id, buf, start, end);
      case SETTINGS:
        return this.settings(flags, id, buf, start, end);
      case PUSH_PROMISE:
        throw new H2ConnectionError(PROTOCOL_ERROR, 'a PUSH_PROMISE although we disabled server push');
      case PING:
        return this.ping(flags, id, buf, start, end);
      case GOAWAY:
        return this.goawayFrame(id, buf, start, end);
      case WINDOW_UPDATE:
        return this.windowUpdate(id, buf, start, end);
      case CONTINUATION:
        return this.headerBlocks.continuation(flags, id, buf, start, end);
      default:
      // Unknown frame types are ignored (RFC 9113 §4.1).
    }
  }

  private data(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (id === 0) throw new H2ConnectionError(PROTOCOL_ERROR, 'a DATA frame on stream 0');
    const length = end - start;
    // Flow control counts the whole payload, padding included (RFC 9113 §6.9.1).
    if (!this.inbound.receive(length)) {
      throw new H2ConnectionError(FLOW_CONTROL_ERROR, `the server sent ${length} bytes of DATA beyond the connection window we granted`);
    }
    let from = start;
    let to = end;
    if (flags & FLAG_PADDED) {
      to -= padLength(DATA, buf, start, end);
      from++;
    }
    const stream = this.streams.get(id);
    if (stream === undefined) this.closedStream(id, 'DATA');
    else if (!stream.responded) this.streamError(stream, PROTOCOL_ERROR, `DATA on stream ${id} before its response headers`);
    else if (!stream.inbound.receive(length)) {
      this.streamError(stream, FLOW_CONTROL_ERROR, `the server sent DATA beyond stream ${id}'s flow-control window`);
    } else {
      this.responses.body(stream, buf, from, to);
      if (flags & FLAG_END_STREAM) {
        stream.endAt = this.readAt;
        this.complete(stream);
      } else {
        const increment = stream.inbound.due();
        if (increment > 0) this.writer.frame32(WINDOW_UPDATE, id, increment);
      }
    }
    const increment = this.inbound.due();
    if (increment > 0) this.writer.frame32(WINDOW_UPDATE, 0, increment);
  }

  /** HeaderBlockHandler: a complete header block from the server. */
  headerBlock(id: number, flags: number, buf: Buffer, start: number, end: number): void {
    const stream = this.streams.get(id);
    // Every block is decoded, even for a stream we no longer track: the dynamic table must stay in step.
    if (stream === undefined) {
      this.responses.skip(id, buf, start, end);
      return this.closedStream(id, 'HEADERS');
    }
    const verdict = this.responses.head(stream, flags, buf, start, end);
    if (verdict === MALFORMED) return this.streamError(stream, PROTOCOL_ERROR, this.responses.problem);
    const now = this.readAt;
    if (verdict & FINAL_HEAD) {
      stream.headersAt = now;
      this.deadlines.headers(stream, now);
    }
    if (verdict & ENDED) {
      stream.endAt = now;
      this.complete(stream);
    }
  }

  private reset(id: number, buf: Buffer, start: number, end: number): void {
    if (id === 0) throw new H2ConnectionError(PROTOCOL_ERROR, 'a RST_STREAM frame on stream 0');
    if (end - start !== 4) throw new H2ConnectionError(FRAME_SIZE_ERROR, `a RST_STREAM frame of ${end - start} bytes, not 4`);
    const stream = this.streams.get(id);
    if (stream === undefined) return this.closedStream(id, 'RST_STREAM');
    this.remove(stream);
    const code = readUint32(buf, start);
    // After a GOAWAY with an error code the server tears the connection down: its resets are part of that.
    if (this.goaway.failing) this.owner.finished(stream, this.goaway.reset(id, code));
    // REFUSED_STREAM: the server did not process it (RFC 9113 §8.7), so it may be sent again.
    else if (code === REFUSED_STREAM) this.owner.unprocessed(stream, resetError(id, code));
    else this.owner.finished(stream, resetError(id, code));
    this.afterStream();
  }

  private settings(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (id !== 0) throw new H2ConnectionError(PROTOCOL_ERROR, `a SETTINGS frame on stream ${id}`);
    if (flags & FLAG_ACK) {
      if (end !== start) throw new H2ConnectionError(FRAME_SIZE_ERROR, 'a SETTINGS acknowledgement with a payload');
      return;
    }
    const windowGrew = this.peer.apply(buf, start, end, this.streams);
    // An integer no larger than ours: kept unboxed on the per-request path.
    this.limit = Math.min(this.ourMaxStreams, this.peer.maxStreams) | 0;
    this.writer.frame(0, SETTINGS, FLAG_ACK, 0);
    if (this.state === OPENING) {
      this.state = READY;
      this.everReady = true;
    }
    if (windowGrew && this.requests.resume()) this.schedule();
    this.owner.ready(this);
  }

  private ping(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (id !== 0) throw new H2ConnectionError(PROTOCOL_ERROR, `a PING frame on stream ${id}`);
    if (end - start !== 8) throw new H2ConnectionError(FRAME_SIZE_ERROR, `a PING frame of ${end - start} bytes, not 8`);
    if (flags & FLAG_ACK) return;
    const at = this.writer.frame(8, PING, FLAG_ACK, 0);
    buf.copy(this.writer.slab, at, start, end);
  }

  private goawayFrame(id: number, buf: Buffer, start: number, end: number): void {
    if (id !== 0) throw new H2ConnectionError(PROTOCOL_ERROR, `a GOAWAY frame on stream ${id}`);
    this.goaway.read(buf, start, end);
    this.retire();
    // Streams above the last id were not processed: they go back to the transport to be sent again.
    for (const stream of this.streams.list()) {
      const error = this.goaway.unprocessed(stream.id);
      if (error !== null) {
        this.remove(stream);
        this.owner.unprocessed(stream, error);
      }
    }
    this.afterStream();
  }

  private windowUpdate(id: number, buf: Buffer, start: number, end: number): void {
    if (end - start !== 4) throw new H2ConnectionError(FRAME_SIZE_ERROR, `a WINDOW_UPDATE frame of ${end - start} bytes, not 4`);
    const increment = readUint32(buf, start) & 0x7fff_ffff;
    if (id === 0) {
      if (increment === 0) throw new H2ConnectionError(PROTOCOL_ERROR, 'a WINDOW_UPDATE of 0 on the connection');
      if (!this.requests.grow(increment)) throw new H2ConnectionError(FLOW_CONTROL_ERROR, 'the connection window exceeds 2^31-1');
      if (this.requests.resume()) this.schedule();
      return;
    }
    const stream = this.streams.get(id);
    if (stream === undefined) return this.closedStream(id, 'WINDOW_UPDATE');
    if (increment === 0) return this.streamError(stream, PROTOCOL_ERROR, `a WINDOW_UPDATE of 0 on stream ${id}`);
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) return this.streamError(stream, FLOW_CONTROL_ERROR, `stream ${id}'s window exceeds 2^31-1`);
    if (stream.waiting) this.requests.body(stream);
  }

  /** A frame for a stream we do not track: fine for one we closed; a violation for one never opened. */
  private closedStream(id: number, what: string): void {
    if (id % 2 === 0 || id >= this.nextId) {
      throw new H2ConnectionError(PROTOCOL_ERROR, `a ${what} frame on stream ${id}, which we never opened`);
    }
  }

  private streamFrameSizeError(id: number, what: string, length: number): void {
    const stream = this.streams.get(id);
    if (stream !== undefined) this.streamError(stream, FRAME_SIZE_ERROR, `a ${what} frame of ${length} bytes on stream ${id}`);
  }

  // Streams.

  /** The stream ended (END_STREAM, its endAt set: a time is not passed as an argument, where it would be boxed). */
  private complete(stream: H2Stream): void {
    if (!this.responses.finish(stream)) return this.streamError(stream, PROTOCOL_ERROR, this.responses.problem);
    this.remove(stream);
    const request = stream.request!;
    // The server answered before our request body was all sent: stop sending it (RFC 9113 §8.1).
    if (request.body !== null && stream.bodySent < request.body.length) this.writer.frame32(RST_STREAM, stream.id, NO_ERROR);
    this.owner.finished(stream, null);
    this.afterStream();
  }

  /** A stream error (RFC 9113 §5.4.2): RST_STREAM with `code`, the request fails as a protocol error. */
  private streamError(stream: H2Stream, code: number, message: string): void {
    this.remove(stream);
    this.writer.frame32(RST_STREAM, stream.id, code);
    this.owner.finished(stream, codedError(`HTTP/2 protocol error: ${message} (sent RST_STREAM ${errorName(code)})`, H2_PROTOCOL));
    this.afterStream();
  }

  /** Takes a stream off the session; false if it was not on it. */
  private remove(stream: H2Stream): boolean {
    if (stream.session !== this || !this.streams.delete(stream)) return false;
    stream.session = null;
    stream.waiting = false;
    this.active--;
    return true;
  }

  /** After a stream left: a draining session with nothing in flight closes. */
  private afterStream(): void {
    if (this.state === DRAINING && this.active === 0) this.goodbye(NO_ERROR, '');
  }

  private retire(): void {
    if (this.state >= DRAINING) return;
    this.state = DRAINING;
    this.owner.retired(this);
  }

  // Writing.

  /** Frames written outside a socket read go out at the end of this turn of the event loop. */
  private schedule(): void {
    if (this.reading || this.flushQueued) return;
    this.flushQueued = true;
    process.nextTick(flushLater, this);
  }

  flush(): void {
    this.flushQueued = false;
    const socket = this.socket;
    if (socket !== null && !socket.destroyed && this.writer.pending) this.writer.flush(socket);
  }

  // Ending.

  /** A connection error of ours: GOAWAY with its code, the streams fail as protocol errors, the socket closes. */
  private fail(error: H2ConnectionError): void {
    this.protocolError = codedError(`HTTP/2 protocol error from the server: ${error.message} (sent GOAWAY ${errorName(error.h2Code)})`, H2_PROTOCOL);
    this.goodbye(error.h2Code, error.message);
  }

  /** Sends GOAWAY and closes the socket once it is written. */
  private goodbye(code: number, debug: string): void {
    const socket = this.socket!;
    if (!socket.destroyed) {
      const data = Buffer.from(debug.slice(0, 200), 'latin1');
      const at = this.writer.frame(8 + data.length, GOAWAY, 0, 0);
      writeUint32(this.writer.slab, at, 0);
      writeUint32(this.writer.slab, at + 4, code);
      data.copy(this.writer.slab, at + 8);
      this.flush();
      socket.destroySoon();
    }
    this.gone();
  }

  /** The connection is over: streams still on it fail; the owner hears of it once. */
  private gone(): void {
    if (this.state === CLOSED) return;
    const wasLive = this.state;
    this.state = CLOSED;
    this.reader.stopped = true;
    if (this.streams.size > 0) {
      const error =
        this.protocolError ??
        (this.goaway.received
          ? this.goaway.closed()
          : (this.closeError ?? codedError('the server closed the HTTP/2 connection with the response incomplete', H2_CLOSED)));
      for (const stream of this.streams.list()) {
        this.remove(stream);
        this.owner.finished(stream, error);
      }
    }
    this.socket?.destroy();
    // A connection gone before the server's SETTINGS is an error even when closed cleanly: the transport
    // must not take it for a session that served and reconnect at once.
    const error = this.protocolError ?? this.closeError ?? (this.everReady ? null : codedError('the server closed the connection before its SETTINGS', H2_CLOSED));
    this.owner.closed(this, wasLive === DRAINING ? null : error);
  }
}

function flushLater(session: Session): void {
  session.flush();
}

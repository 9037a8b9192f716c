// The HTTP/2 transport of our own: sessions on connections our connector opens (h2c with prior knowledge, or
// TLS that selected h2 in ALPN), requests spread over them round-robin, one stream each.
//
// Sessions: enough to carry the run's in-flight bound at the streams each session may carry. When the server
// allows fewer streams per session than planned (its SETTINGS_MAX_CONCURRENT_STREAMS, at the start or later),
// more sessions are opened so that the asked concurrency is reached rather than left waiting for a slot. A
// session that stops taking streams (GOAWAY, stream ids used up) is replaced at once; streams the server did
// not process (above a GOAWAY's last stream id, or refused with REFUSED_STREAM) are sent again, once, and counted.
//
// The per-request path allocates nothing in steady state: streams come from a free list, the header block is
// built once per request definition, the callback is called with the stream itself as the outcome.
import { performance } from 'node:perf_hooks';
import { Connector } from '../connector.ts';
import { Deadlines } from '../deadlines.ts';
import { deliver } from '../in-flight-request.ts';
import { connectionMode, preflight, type PreflightOutcome } from '../preflight.ts';
import type { PreparedRequest, SendCallback, Transport, TransportOptions, TransportStats } from '../transport.ts';
import { RequestBlocks } from './request-block.ts';
import { Session, type SessionOwner } from './session.ts';
import { H2Stream, type StreamOwner } from './stream.ts';

export class H2Transport implements Transport, SessionOwner, StreamOwner {
  private readonly options: TransportOptions;
  private readonly connector: Connector;
  private readonly runPreflight: () => Promise<PreflightOutcome>;
  private readonly deadlines: Deadlines<H2Stream>;
  private readonly blocks: RequestBlocks;
  /** Sessions that take (or will take, once open) new streams. */
  private readonly sessions: Session[] = [];
  /** Every session whose connection is not closed yet (draining ones included). */
  private readonly all = new Set<Session>();
  /** Requests waiting for a stream (sessions opening or full). */
  private readonly pending: H2Stream[] = [];
  /** Streams done with, ready for the next request. */
  private readonly spares: H2Stream[] = [];
  private cursor = 0;
  /** Streams per session we want, and what the server allows (its latest SETTINGS). */
  private readonly plannedStreams: number;
  private streamsPerSession: number;
  /** The most sessions taking streams at once, over the run. */
  private mostSessions = 0;
  private resent = 0;
  private closing = false;
  private openWaiter: (() => void) | null = null;
  /** Tests start stream ids near the end of the id space. */
  private readonly firstStreamId: number | undefined;
  /** SessionOwner: when the socket read being handled began (-1 outside reads). */
  readAt = -1;

  constructor(options: TransportOptions, connector: Connector, runPreflight: () => Promise<PreflightOutcome>, firstStreamId?: number) {
    this.options = options;
    this.firstStreamId = firstStreamId;
    this.connector = connector;
    this.runPreflight = runPreflight;
    this.deadlines = new Deadlines(options);
    this.blocks = new RequestBlocks(new URL(options.target));
    this.plannedStreams = options.maxConcurrentStreams;
    this.streamsPerSession = options.maxConcurrentStreams;
  }

  async preflight(): Promise<void> {
    await this.begin(await this.runPreflight());
  }

  /**
   * After the preflight: the server's stream limit it saw, and (https + auto, the server chose h2) the
   * connection to use as the first session. Opens the sessions and waits (at most the connect timeout) for
   * their SETTINGS, so the first requests do not wait for connections inside measured latency.
   */
  async begin(outcome: PreflightOutcome): Promise<void> {
    if (outcome.serverStreams !== null) this.streamsPerSession = Math.min(this.plannedStreams, outcome.serverStreams);
    if (outcome.spare !== null) this.newSession().attach(outcome.spare, true);
    this.grow();
    if (!this.sessions.some((session) => session.opening)) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.options.connectTimeoutMs);
      this.openWaiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  send(request: PreparedRequest, done: SendCallback): void {
    let block: Buffer;
    try {
      block = this.blocks.get(request);
    } catch (error) {
      // A header HPACK cannot carry (not latin1): the request fails, a tick later, as every callback is made.
      process.nextTick(done, null, error);
      return;
    }
    const stream = this.spares.pop() ?? new H2Stream(this);
    stream.start(request, block, done);
    // Inside a session's read (a request sent from another's callback), the read's time serves: deadlines
    // are coarse, and it saves a clock read (and a boxed number) per request.
    // (Two stores, not one of a conditional: V8 boxed the merged value.)
    if (this.readAt >= 0) stream.deadline = this.readAt;
    else stream.deadline = performance.now();
    this.deadlines.startSent(stream);
    const session = this.pending.length === 0 ? this.pick() : null;
    if (session !== null) session.open(stream);
    else {
      this.pending.push(stream);
      this.grow();
    }
  }

  /** The next session (round-robin) with a free stream, or null. */
  private pick(): Session | null {
    const list = this.sessions;
    const count = list.length;
    let index = this.cursor;
    for (let i = 0; i < count; i++) {
      if (index >= count) index = 0;
      const session = list[index++]!;
      if (session.available() > 0) {
        this.cursor = index;
        return session;
      }
    }
    return null;
  }

  /**
   * Opens sessions until, at the streams each may carry (what its server allows, or the latest limit seen
   * for one still opening), they can carry the run's in-flight bound; a forced --h2 run also keeps at
   * least the planned sessions.
   */
  private grow(): void {
    if (this.closing) return;
    const bound = this.options.maxInflight;
    const least = this.options.protocol === 'h2' ? this.options.connections : 1;
    while (this.sessions.length < least || (this.sessions.length < bound && this.capacity() < bound)) {
      const session = this.newSession();
      this.connector.open((error, socket) => (socket !== null ? session.attach(socket) : session.connectFailed(error!)), session.readInto());
    }
    this.mostSessions = Math.max(this.mostSessions, this.sessions.length);
  }

  private capacity(): number {
    let streams = 0;
    for (const session of this.sessions) streams += session.opening ? this.streamsPerSession : session.limit;
    return streams;
  }

  private newSession(): Session {
    const session = new Session(this, { maxStreams: this.plannedStreams, deadlines: this.deadlines, firstStreamId: this.firstStreamId });
    this.sessions.push(session);
    this.all.add(session);
    return session;
  }

  /** Hands waiting requests to sessions with free streams. */
  private drain(): void {
    while (this.pending.length > 0) {
      const session = this.pick();
      if (session === null) return;
      session.open(this.pending.shift()!);
    }
  }

  // SessionOwner

  ready(session: Session): void {
    if (session.limit !== this.streamsPerSession) {
      this.streamsPerSession = session.limit;
      this.grow();
    }
    this.drain();
    this.checkOpened();
  }

  finished(stream: H2Stream, error: Error | null): void {
    this.deadlines.settle(stream);
    const done = stream.done;
    if (done === null) return;
    stream.done = null;
    if (this.pending.length > 0) this.drain();
    if (error !== null) {
      // Failures are called back a tick later, out of the session's frame loop (they are rare; the stream is not reused).
      process.nextTick(done, null, error);
      return;
    }
    if (deliver(done, stream)) this.spares.push(stream);
  }

  unprocessed(stream: H2Stream, error: Error): void {
    // Once only, as undici does (RFC 9113 §8.7: a client SHOULD NOT retry a refused request more than once):
    // a server refusing everything ends in failures, not a loop.
    if (stream.resends > 0) return this.finished(stream, error);
    stream.resends++;
    this.resent++;
    const session = this.pick();
    if (session !== null) session.open(stream);
    else {
      this.pending.unshift(stream);
      this.grow();
    }
  }

  retired(session: Session): void {
    this.forget(session);
    this.grow();
  }

  closed(session: Session, error: Error | null): void {
    this.all.delete(session);
    this.forget(session);
    this.checkOpened();
    if (this.closing) return;
    if (error !== null && !session.everReady) {
      // The connection could not be opened (unreachable, refused, not HTTP/2): no new attempt until a request
      // needs one, so a server refusing connections is not hammered; and when no session can take the waiting
      // requests, they fail with the reason rather than wait for their timeout.
      if (!this.sessions.some((other) => !other.opening)) for (const stream of this.pending.splice(0)) this.finished(stream, error);
      return;
    }
    this.grow();
  }

  private forget(session: Session): void {
    const index = this.sessions.indexOf(session);
    if (index >= 0) this.sessions.splice(index, 1);
  }

  private checkOpened(): void {
    if (this.openWaiter !== null && !this.sessions.some((session) => session.opening)) {
      this.openWaiter();
      this.openWaiter = null;
    }
  }

  // StreamOwner

  abort(stream: H2Stream, reason: Error): void {
    if (stream.done === null) return;
    if (stream.session !== null) stream.session.cancel(stream);
    else {
      const index = this.pending.indexOf(stream);
      if (index >= 0) this.pending.splice(index, 1);
    }
    this.finished(stream, reason);
  }

  abortAll(reason: Error): void {
    this.deadlines.abortAll(reason);
  }

  stats(): TransportStats {
    return { ...this.connector.stats(), streamsPerSession: this.streamsPerSession, sessions: this.mostSessions, resent: this.resent };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.deadlines.close();
    const closing = [...this.all].map((session) => session.close());
    this.all.clear();
    await Promise.all(closing);
  }
}

/** The transport for a forced HTTP/2 run (--h2): h2c on http://, h2 alone offered in ALPN on https://. */
export function createH2Transport(options: TransportOptions, firstStreamId?: number): H2Transport {
  const origin = new URL(options.target);
  const mode = connectionMode(origin, options.protocol);
  const connector = new Connector({
    origin,
    alpn: mode.alpn,
    requireH2: mode.secure,
    h2c: !mode.secure,
    timeoutMs: options.connectTimeoutMs,
    tls: options.tls,
    address: options.address,
  });
  return new H2Transport(options, connector, () => preflight(origin, mode, connector, options), firstStreamId);
}

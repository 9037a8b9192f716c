// What a session sends for its requests: each request's header block in HEADERS (and CONTINUATION frames when
// it exceeds the server's SETTINGS_MAX_FRAME_SIZE, RFC 9113 §6.10), and its body in DATA frames as far as the
// server's flow-control windows allow (§6.9); a body that outruns them waits in a list until a WINDOW_UPDATE or
// a larger initial window lets it go on. Apart from the session because sending bodies has state of its own
// (the connection's send window, the streams waiting for window) and changes for reasons of its own; the
// session tells it when windows open. The frames go into the session's FrameWriter, flushed by the session.
import type { FrameWriter } from './frame-writer.ts';
import { CONTINUATION, DATA, DEFAULT_WINDOW, FLAG_END_HEADERS, FLAG_END_STREAM, HEADERS, MAX_WINDOW } from './frames.ts';
import type { PeerSettings } from './settings.ts';
import type { H2Stream, StreamCarrier } from './stream.ts';

export class RequestWriter {
  /** The session whose streams these are: a stream waiting here that has since moved to another session is not resumed here. */
  private readonly carrier: StreamCarrier;
  private readonly writer: FrameWriter;
  private readonly peer: PeerSettings;
  /** The server's connection window for our DATA (request bodies). */
  private sendWindow = DEFAULT_WINDOW;
  /** Streams with body bytes waiting for the server's window. */
  private blocked: H2Stream[] = [];

  constructor(carrier: StreamCarrier, writer: FrameWriter, peer: PeerSettings) {
    this.carrier = carrier;
    this.writer = writer;
    this.peer = peer;
  }

  /** Stream `id`'s header block; `endStream`: the request has no body. */
  headers(id: number, block: Buffer, endStream: boolean): void {
    const w = this.writer;
    const max = this.peer.maxFrameSize;
    const endFlag = endStream ? FLAG_END_STREAM : 0;
    if (block.length <= max) {
      const at = w.frame(block.length, HEADERS, FLAG_END_HEADERS | endFlag, id);
      block.copy(w.slab, at);
      return;
    }
    // A block larger than the server's frame size: HEADERS, then CONTINUATION frames (RFC 9113 §6.10).
    for (let from = 0; from < block.length; from += max) {
      const to = Math.min(from + max, block.length);
      const flags = (to === block.length ? FLAG_END_HEADERS : 0) | (from === 0 ? endFlag : 0);
      const at = w.frame(to - from, from === 0 ? HEADERS : CONTINUATION, flags, id);
      block.copy(w.slab, at, from, to);
    }
  }

  /** Sends as much of the request body as the windows allow; the rest waits for WINDOW_UPDATE. */
  body(stream: H2Stream): void {
    const body = stream.request!.body!;
    const w = this.writer;
    while (stream.bodySent < body.length) {
      const size = Math.min(body.length - stream.bodySent, stream.sendWindow, this.sendWindow, this.peer.maxFrameSize);
      if (size <= 0) {
        if (!stream.waiting) {
          stream.waiting = true;
          this.blocked.push(stream);
        }
        return;
      }
      const last = stream.bodySent + size === body.length;
      const at = w.frame(size, DATA, last ? FLAG_END_STREAM : 0, stream.id);
      body.copy(w.slab, at, stream.bodySent, stream.bodySent + size);
      stream.bodySent += size;
      stream.sendWindow -= size;
      this.sendWindow -= size;
    }
    stream.waiting = false;
  }

  /** The server's WINDOW_UPDATE on the connection; false if the window now exceeds 2^31-1. */
  grow(increment: number): boolean {
    this.sendWindow += increment;
    return this.sendWindow <= MAX_WINDOW;
  }

  /** Sends what the windows now allow of the waiting bodies; true if there were any (frames may have been written). */
  resume(): boolean {
    if (this.blocked.length === 0) return false;
    const blocked = this.blocked;
    this.blocked = [];
    for (const stream of blocked) {
      if (stream.waiting && stream.session === this.carrier) {
        stream.waiting = false;
        this.body(stream);
      }
    }
    return true;
  }
}

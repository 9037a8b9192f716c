// Cuts the bytes a socket delivers into HTTP/2 frames. Whole frames inside a read are handed over in place
// (no copy); only a frame split across reads is gathered in a buffer of our own, which grows to the largest
// frame seen and is then reused (a server that writes one byte at a time still works, just slower). The
// reads land in one buffer reused for every read (the caller's): nothing here outlives the call. The padding
// field that DATA and HEADERS frames may carry is read here too: it is part of the frame's layout, not of
// what the frame says.
import { H2ConnectionError } from './errors.ts';
import { FRAME_HEADER_LENGTH, FRAME_SIZE_ERROR, PROTOCOL_ERROR, typeName } from './frames.ts';

export interface FrameHandler {
  /** One frame; its payload is buf[start, end), valid during the call only. */
  frame(type: number, flags: number, streamId: number, buf: Buffer, start: number, end: number): void;
}

export class FrameReader {
  /** The largest payload we accept (our SETTINGS_MAX_FRAME_SIZE). */
  private readonly maxFrameSize: number;
  private readonly handler: FrameHandler;
  /** A frame split across chunks: its first `held` bytes. */
  private partial: Buffer = Buffer.allocUnsafe(FRAME_HEADER_LENGTH);
  private held = 0;
  /** Set by the handler's owner when the connection is done: the rest of the chunk is dropped. */
  stopped = false;

  constructor(handler: FrameHandler, maxFrameSize: number) {
    this.handler = handler;
    this.maxFrameSize = maxFrameSize;
  }

  /** Hands every complete frame in chunk[0, size) (and any frame it completes) to the handler. Throws H2ConnectionError. */
  push(chunk: Buffer, size: number): void {
    let at = 0;
    if (this.held > 0) {
      at = this.completeHeld(chunk, size);
      if (at < 0) return;
    }
    while (!this.stopped && size - at >= FRAME_HEADER_LENGTH) {
      const length = this.lengthAt(chunk, at);
      const end = at + FRAME_HEADER_LENGTH + length;
      if (end > size) break;
      this.handler.frame(chunk[at + 3]!, chunk[at + 4]!, chunk.readUInt32BE(at + 5) & 0x7fff_ffff, chunk, at + FRAME_HEADER_LENGTH, end);
      at = end;
    }
    if (at < size && !this.stopped) this.hold(chunk, at, size);
  }

  /** Adds the start of chunk[0, size) to the held frame; returns where the chunk's own frames start, or -1 if all of it was taken. */
  private completeHeld(chunk: Buffer, size: number): number {
    let at = 0;
    if (this.held < FRAME_HEADER_LENGTH) {
      const take = Math.min(FRAME_HEADER_LENGTH - this.held, size);
      chunk.copy(this.partial, this.held, 0, take);
      this.held += take;
      at = take;
      if (this.held < FRAME_HEADER_LENGTH) return -1;
    }
    const total = FRAME_HEADER_LENGTH + this.lengthAt(this.partial, 0);
    if (this.partial.length < total) {
      const bigger = Buffer.allocUnsafe(total);
      this.partial.copy(bigger, 0, 0, this.held);
      this.partial = bigger;
    }
    const take = Math.min(total - this.held, size - at);
    chunk.copy(this.partial, this.held, at, at + take);
    this.held += take;
    at += take;
    if (this.held < total) return -1;
    this.held = 0;
    const p = this.partial;
    this.handler.frame(p[3]!, p[4]!, p.readUInt32BE(5) & 0x7fff_ffff, p, FRAME_HEADER_LENGTH, total);
    return this.stopped ? -1 : at;
  }

  private hold(chunk: Buffer, from: number, to: number): void {
    const count = to - from;
    if (this.partial.length < count) this.partial = Buffer.allocUnsafe(Math.max(count, FRAME_HEADER_LENGTH));
    chunk.copy(this.partial, 0, from, to);
    this.held = count;
    // A header that is already complete is checked now, not when its payload has arrived.
    if (count >= FRAME_HEADER_LENGTH) this.lengthAt(this.partial, 0);
  }

  private lengthAt(buf: Buffer, at: number): number {
    const length = (buf[at]! << 16) | (buf[at + 1]! << 8) | buf[at + 2]!;
    if (length > this.maxFrameSize) {
      throw new H2ConnectionError(FRAME_SIZE_ERROR, `a ${typeName(buf[at + 3]!)} frame of ${length} bytes, above our SETTINGS_MAX_FRAME_SIZE of ${this.maxFrameSize}`);
    }
    return length;
  }
}

/** The padding length of a PADDED frame (its first payload byte), checked against the payload (RFC 9113 §6.1). */
export function padLength(type: number, buf: Buffer, start: number, end: number): number {
  if (end === start || buf[start]! >= end - start) {
    throw new H2ConnectionError(PROTOCOL_ERROR, `a ${typeName(type)} frame whose padding is as long as its payload or longer`);
  }
  return buf[start]!;
}

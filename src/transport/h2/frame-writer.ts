// Outgoing frames of one connection, gathered so that everything produced in one turn of the event loop goes
// out in one socket write. Frames are written into a large slab; a flush hands the socket the slab's unsent
// part (a view, no copy) and the next frames go after it. The socket may hold a flushed view until the kernel
// takes it, so a slab is never rewritten: a full one is replaced by a fresh slab (one allocation per ~64 KiB
// sent, not per request).
import type { Socket } from 'node:net';
import { FRAME_HEADER_LENGTH, writeFrameHeader, writeUint32 } from './frames.ts';

const SLAB_SIZE = 64 * 1024;

export class FrameWriter {
  /** The bytes of the frames gathered so far are slab[start, end). */
  slab: Buffer = Buffer.allocUnsafe(SLAB_SIZE);
  private start = 0;
  end = 0;

  /** Makes room for `bytes` more bytes at slab[end]; the caller writes them and advances `end`. */
  reserve(bytes: number): void {
    if (this.end + bytes <= this.slab.length) return;
    const pending = this.end - this.start;
    const fresh = Buffer.allocUnsafe(Math.max(SLAB_SIZE, pending + bytes));
    this.slab.copy(fresh, 0, this.start, this.end);
    this.slab = fresh;
    this.start = 0;
    this.end = pending;
  }

  /** Appends a frame with a payload of up to `length` bytes still to be written by the caller at the returned offset. */
  frame(length: number, type: number, flags: number, streamId: number): number {
    this.reserve(FRAME_HEADER_LENGTH + length);
    writeFrameHeader(this.slab, this.end, length, type, flags, streamId);
    const payload = this.end + FRAME_HEADER_LENGTH;
    this.end = payload + length;
    return payload;
  }

  /** A frame whose payload is one 32-bit value (WINDOW_UPDATE, RST_STREAM). */
  frame32(type: number, streamId: number, value: number): void {
    writeUint32(this.slab, this.frame(4, type, 0, streamId), value);
  }

  bytes(source: Uint8Array, from: number, to: number): void {
    this.reserve(to - from);
    this.slab.set(source.subarray(from, to), this.end);
    this.end += to - from;
  }

  get pending(): boolean {
    return this.end > this.start;
  }

  flush(socket: Socket): void {
    if (this.end === this.start) return;
    socket.write(this.slab.subarray(this.start, this.end));
    this.start = this.end;
    // Little room left: start the next turn's frames on a fresh slab rather than split them.
    if (this.slab.length - this.end < 1024) {
      this.slab = Buffer.allocUnsafe(SLAB_SIZE);
      this.start = this.end = 0;
    }
  }
}

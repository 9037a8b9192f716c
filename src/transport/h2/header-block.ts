// A header block as it arrives (RFC 9113 §4.3, §6.2, §6.10): a HEADERS frame's padding and priority fields
// taken off, and a block split over HEADERS + CONTINUATION frames gathered in a buffer of our own until
// END_HEADERS. Apart from the session because it has its own state (the block being gathered) and changes
// with the framing rules, not with what a block means: its owner gets each complete block, wherever it lies.
// Almost every block fits its HEADERS frame and is handed over in place, with no copy.
import { H2ConnectionError } from './errors.ts';
import { padLength } from './frame-reader.ts';
import { FLAG_END_HEADERS, FLAG_PADDED, FLAG_PRIORITY, FRAME_SIZE_ERROR, HEADERS, PROTOCOL_ERROR } from './frames.ts';

/** The most header block bytes (HEADERS + CONTINUATION) we gather for one response. */
const MAX_HEADER_BLOCK = 1 << 20;

export interface HeaderBlockHandler {
  /** Stream `id`'s complete header block, buf[start, end), valid during the call only; `flags`: its HEADERS frame's. */
  headerBlock(id: number, flags: number, buf: Buffer, start: number, end: number): void;
}

export class HeaderBlockReader {
  private readonly handler: HeaderBlockHandler;
  /** The stream whose block is being gathered (0: none): until its END_HEADERS no other frame may arrive. */
  continuing = 0;
  /** The flags of that block's HEADERS frame. */
  private continuingFlags = 0;
  private block: Buffer = Buffer.allocUnsafe(0);
  private blockLength = 0;

  constructor(handler: HeaderBlockHandler) {
    this.handler = handler;
  }

  /** A HEADERS frame (on a stream other than 0). Throws H2ConnectionError. */
  headers(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    let from = start;
    let to = end;
    if (flags & FLAG_PADDED) {
      to -= padLength(HEADERS, buf, start, end);
      from++;
    }
    if (flags & FLAG_PRIORITY) {
      from += 5;
      if (from > to) throw new H2ConnectionError(FRAME_SIZE_ERROR, 'a HEADERS frame too short for its priority fields');
    }
    if (flags & FLAG_END_HEADERS) {
      this.handler.headerBlock(id, flags, buf, from, to);
      return;
    }
    this.continuing = id;
    this.continuingFlags = flags;
    this.blockLength = 0;
    this.gather(buf, from, to);
  }

  /** A CONTINUATION frame. Throws H2ConnectionError. */
  continuation(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (this.continuing === 0 || id !== this.continuing) {
      throw new H2ConnectionError(PROTOCOL_ERROR, `a CONTINUATION frame on stream ${id} that follows no unfinished HEADERS`);
    }
    this.gather(buf, start, end);
    if (flags & FLAG_END_HEADERS) {
      this.continuing = 0;
      this.handler.headerBlock(id, this.continuingFlags, this.block, 0, this.blockLength);
    }
  }

  private gather(buf: Buffer, start: number, end: number): void {
    const length = this.blockLength + end - start;
    if (length > MAX_HEADER_BLOCK) {
      throw new H2ConnectionError(PROTOCOL_ERROR, `a header block larger than ${MAX_HEADER_BLOCK} bytes on stream ${this.continuing}`);
    }
    if (this.block.length < length) {
      const bigger = Buffer.allocUnsafe(Math.max(length, this.block.length * 2, 4096));
      this.block.copy(bigger, 0, 0, this.blockLength);
      this.block = bigger;
    }
    buf.copy(this.block, this.blockLength, start, end);
    this.blockLength = length;
  }
}

// The server's GOAWAY (RFC 9113 §6.8) as a session keeps it: the last stream id the server may have processed
// and its error code, and the error of every stream it ends. Streams above the last id were not processed
// and go back to the transport to be sent again; after a GOAWAY with an error code, the server's resets and
// the connection's close are part of its teardown, and the streams they end fail as `goaway`. Apart from the
// session because it holds state of its own (the lowest last id seen) and decides which class a run
// reports for these streams; the session decides when to ask.
import { codedError } from '../../util/errors.ts';
import { H2ConnectionError, H2_GOAWAY } from './errors.ts';
import { FRAME_SIZE_ERROR, NO_ERROR, errorName, readUint32 } from './frames.ts';

export class GoawayReceived {
  /** The last stream id the server may process (-1: no GOAWAY received). */
  lastId = -1;
  /** The latest GOAWAY's error code. */
  code = NO_ERROR;

  /** A GOAWAY payload (the frame on stream 0). Throws H2ConnectionError. */
  read(buf: Buffer, start: number, end: number): void {
    if (end - start < 8) throw new H2ConnectionError(FRAME_SIZE_ERROR, `a GOAWAY frame of ${end - start} bytes, under 8`);
    const lastId = readUint32(buf, start) & 0x7fff_ffff;
    this.code = readUint32(buf, start + 4);
    // A second GOAWAY may lower the last stream id, never raise it.
    this.lastId = this.lastId < 0 ? lastId : Math.min(this.lastId, lastId);
  }

  get received(): boolean {
    return this.lastId >= 0;
  }

  /** The server tears the connection down (a GOAWAY with an error code): its resets are part of that. */
  get failing(): boolean {
    return this.code !== NO_ERROR;
  }

  /** The error of a stream the GOAWAY ended; `what` follows its description. */
  error(what: string): Error {
    return codedError(`the server sent GOAWAY ${errorName(this.code)} (last stream ${this.lastId})${what}`, H2_GOAWAY);
  }

  /** Stream `id`, open when the GOAWAY arrived, was not processed: it may be sent again. */
  unprocessed(id: number): Error | null {
    return id > this.lastId ? this.error(`: stream ${id} was not processed`) : null;
  }

  /** A stream the server reset after a failing GOAWAY. */
  reset(id: number, code: number): Error {
    return this.error(`, then reset stream ${id} with ${errorName(code)}`);
  }

  /** A stream still open when the connection closed after the GOAWAY. */
  closed(): Error {
    return this.error(' and the connection closed before the response was complete');
  }
}

// A stream's response as its frames arrive (RFC 9113 §8.1): its head from each header block, decoded by the
// connection's HPACK decoder (:status and content-length; interim 1xx responses skipped; trailers), its body
// counted (and copied, for a request that keeps its response), its length checked against content-length
// at the end. Apart from the session, which decides what a frame means for the connection (flow control,
// the stream's state, what to send back): this decides what it means for the response, and answers with a
// verdict the session acts on. The per-stream state it fills lives on the stream (stream.ts).
import { H2ConnectionError } from './errors.ts';
import { COMPRESSION_ERROR, FLAG_END_STREAM } from './frames.ts';
import { KeptResponseBuilder } from '../kept-response.ts';
import { HpackDecoder, HpackError } from './hpack/decoder.ts';
import type { H2Stream } from './stream.ts';

// head()'s verdict: bits.
/** The final (non-1xx) response head arrived with this block. */
export const FINAL_HEAD = 1;
/** The block ended the stream: the response is complete. */
export const ENDED = 2;
/** Not a valid response: a stream error (PROTOCOL_ERROR); `problem` says why. */
export const MALFORMED = 4;

export class ResponseReader {
  /** The connection's decoder: every block on the connection goes through it, in order. */
  private readonly decoder = new HpackDecoder();
  /** Why the last verdict was MALFORMED (or finish() false). */
  problem = '';

  /** Readies a stream just opened for its response. */
  begin(stream: H2Stream): void {
    stream.status = 0;
    stream.bytes = 0;
    stream.contentLength = -1;
    stream.responded = false;
    stream.kept = stream.keep > 0 ? new KeptResponseBuilder(stream.keep) : null;
  }

  /** A header block for a stream no longer tracked: decoded all the same, to keep the dynamic table in step. */
  skip(id: number, buf: Buffer, start: number, end: number): void {
    this.decode(id, buf, start, end, null);
  }

  /** A header block of `stream` (`flags`: its HEADERS frame's); returns a verdict. Throws H2ConnectionError. */
  head(stream: H2Stream, flags: number, buf: Buffer, start: number, end: number): number {
    const id = stream.id;
    // A kept stream's response headers go to its builder as well (not its trailers: they are not kept).
    this.decode(id, buf, start, end, stream.responded ? null : stream.kept);
    let verdict = 0;
    if (!stream.responded) {
      const status = this.decoder.status;
      if (status === 0) return this.malformed(`response headers without :status on stream ${id}`);
      if (status < 200) {
        // Informational (1xx): the final response follows (with the headers to keep).
        if (stream.kept !== null) stream.kept.clearHeaders();
        if (flags & FLAG_END_STREAM) return this.malformed(`an informational ${status} response ending stream ${id}`);
        return 0;
      }
      stream.responded = true;
      stream.status = status;
      stream.contentLength = this.decoder.contentLength;
      verdict = FINAL_HEAD;
    } else if (!(flags & FLAG_END_STREAM)) {
      return this.malformed(`trailers without END_STREAM on stream ${id}`);
    }
    return flags & FLAG_END_STREAM ? verdict | ENDED : verdict;
  }

  /** Body bytes buf[from, to) of a stream whose head arrived (padding taken off). */
  body(stream: H2Stream, buf: Buffer, from: number, to: number): void {
    stream.bytes += to - from;
    stream.chunked = true;
    if (stream.kept !== null) stream.kept.body(buf, from, to);
  }

  /** The stream ended: false if its body contradicts its content-length (`problem` says how); else its kept response is made. */
  finish(stream: H2Stream): boolean {
    const request = stream.request!;
    if (stream.contentLength >= 0 && stream.bytes !== stream.contentLength && request.method !== 'HEAD' && stream.status !== 204 && stream.status !== 304) {
      this.problem = `stream ${stream.id}: ${stream.bytes} body bytes where content-length said ${stream.contentLength}`;
      return false;
    }
    if (stream.kept !== null) {
      stream.response = stream.kept.finish();
      stream.kept = null;
    }
    return true;
  }

  private decode(id: number, buf: Buffer, start: number, end: number, sink: KeptResponseBuilder | null): void {
    try {
      this.decoder.decode(buf, start, end, sink);
    } catch (error) {
      if (error instanceof HpackError) throw new H2ConnectionError(COMPRESSION_ERROR, `HPACK: ${error.message} (stream ${id})`);
      throw error;
    }
  }

  private malformed(problem: string): number {
    this.problem = problem;
    return MALFORMED;
  }
}

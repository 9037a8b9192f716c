// HTTP/1.1 response parsing (RFC 9112), for a load generator: strict about the framing, and fast because
// it keeps nothing. It reads bytes straight from the connection's read buffer, validates every byte of
// the head as it goes, recognises the three headers that decide the framing (Content-Length,
// Transfer-Encoding, Connection) by comparing bytes (no strings), and counts body bytes without copying
// or decoding them. Only a head split across reads is copied, into a buffer of the parser's own.
//
// execute() stops at the end of each response, so the connection can hand it over (and learn whether the
// connection stays open) before the next response's bytes are read. Interim responses (100 Continue,
// 103 Early Hints) are skipped. Every violation throws H1ProtocolError.
import { H1ProtocolError, excerpt } from './errors.ts';

/** Told about each final response's head as soon as it is complete. */
export interface ResponseSink {
  /** Returns true when the request was HEAD (the response then has no body whatever it says). */
  onResponseHead(status: number): boolean;
}

const HEAD = 0;
const BODY_LENGTH = 1;
const CHUNK_SIZE = 2;
const CHUNK_EXTENSION = 3;
const CHUNK_SIZE_LF = 4;
const CHUNK_DATA = 5;
const CHUNK_DATA_CR = 6;
const CHUNK_DATA_LF = 7;
const TRAILERS = 8;
const BODY_TO_CLOSE = 9;

const CR = 13;
const LF = 10;
const COLON = 58;
const SP = 32;
const HTAB = 9;

/** tchar (RFC 9110 §5.6.2): the bytes a header name may hold. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TOKEN[c.charCodeAt(0)] = 1;

/** The bytes a field value may hold (RFC 9110 §5.5): HTAB, SP, visible and obs-text; not CR, other controls, DEL. */
const VALUE = new Uint8Array(256);
for (let c = 0; c < 256; c++) VALUE[c] = c === HTAB || (c >= SP && c !== 127) ? 1 : 0;

/** Hex digit values, -1 for other bytes. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = HEX['0123456789ABCDEF'.charCodeAt(i)] = i;

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const CONTENT_LENGTH = ascii('content-length');
const TRANSFER_ENCODING = ascii('transfer-encoding');
const CONNECTION = ascii('connection');
const CHUNKED = ascii('chunked');
const CLOSE = ascii('close');
const KEEP_ALIVE = ascii('keep-alive');

/** The error for a header name that stops at `at` on a byte that is neither a token byte nor its colon. */
function invalidName(b: Uint8Array, start: number, at: number, end: number): H1ProtocolError {
  const c = b[at];
  const why = c === SP || c === HTAB ? ': whitespace before the colon or a folded line' : '';
  return new H1ProtocolError(`invalid header ${excerpt(b, start, end)}${why}`);
}

/** A chunk size beyond this (1 TiB) is refused rather than risk losing integer precision. */
const MAX_CHUNK = 2 ** 40;

/** `bytes[start..end)` equals the lower-case `word`, ignoring ASCII case (for letters and '-'). */
function sameWord(bytes: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if ((bytes[start + k]! | 0x20) !== word[k]) return false;
  return true;
}

/** Whether the comma-separated list in `bytes[start..end)` holds `word` (RFC 9110 §5.6.1, case-insensitive). */
function listHas(bytes: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  let i = start;
  while (i < end) {
    while (i < end && (bytes[i] === SP || bytes[i] === HTAB || bytes[i] === 44)) i++;
    let j = i;
    while (j < end && bytes[j] !== 44) j++;
    let last = j;
    while (last > i && (bytes[last - 1] === SP || bytes[last - 1] === HTAB)) last--;
    if (sameWord(bytes, i, last, word)) return true;
    i = j;
  }
  return false;
}

/** The last element of a comma-separated list is `word` (Transfer-Encoding: the final coding is chunked). */
function listEndsWith(bytes: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  let last = end;
  while (last > start && (bytes[last - 1] === SP || bytes[last - 1] === HTAB)) last--;
  let first = last;
  while (first > start && bytes[first - 1] !== 44) first--;
  while (first < last && (bytes[first] === SP || bytes[first] === HTAB)) first++;
  return sameWord(bytes, first, last, word);
}

export class ResponseParser {
  /** The current (or last) final response's status. */
  status = 0;
  /** Body bytes of the current response (decoded from chunks: what the application would receive). */
  bodyBytes = 0;
  /** Whether the connection may carry another response after this one. */
  keepAlive = true;
  /** Set by execute() when it returned at the end of a response. */
  complete = false;
  private state = HEAD;
  /** Bytes left in a Content-Length body or in the current chunk. */
  private remaining = 0;
  /** Bytes of the current chunk-size line, bounded like a head. */
  private lineBytes = 0;
  /** In a chunk extension: inside a quoted string, and just after a backslash in it. */
  private quoted = false;
  private escaped = false;
  /** A head (or trailer section) split across reads, gathered here until its end arrives. */
  private held: Buffer = Buffer.alloc(0);
  private heldLength = 0;
  /** Per head: the framing headers seen. */
  private contentLength = -1;
  private transferEncoding = false;
  private chunked = false;
  private closeToken = false;
  private keepAliveToken = false;
  private http10 = false;
  private readonly sink: ResponseSink;
  private readonly maxHeadBytes: number;

  constructor(sink: ResponseSink, maxHeadBytes: number) {
    this.sink = sink;
    this.maxHeadBytes = maxHeadBytes;
  }

  /** A new connection: forget any partial response. */
  reset(): void {
    this.state = HEAD;
    this.heldLength = 0;
    this.complete = false;
    this.bodyBytes = 0;
  }

  /** Whether bytes of a response have arrived and the response is not complete. */
  get midResponse(): boolean {
    return this.state !== HEAD || this.heldLength > 0;
  }

  /** Whether the response's head has been parsed (the body, or nothing, is still to come). */
  get inBody(): boolean {
    return this.state !== HEAD;
  }

  /** What was missing when the connection closed mid-response, for the error message. */
  describeIncomplete(): string {
    if (this.state === HEAD) return `the response head was incomplete (${this.heldLength} bytes received)`;
    if (this.state === BODY_LENGTH) return `the body was incomplete (${this.bodyBytes} of ${this.bodyBytes + this.remaining} bytes received)`;
    return `the chunked body was incomplete (${this.bodyBytes} bytes received, no last chunk)`;
  }

  /**
   * Parses `bytes[start..end)`. Returns where it stopped: at the end of a response (then `complete` is
   * set and the rest belongs to the next one) or at `end`. Throws H1ProtocolError.
   */
  execute(bytes: Uint8Array, start: number, end: number): number {
    this.complete = false;
    let i = start;
    while (i < end) {
      switch (this.state) {
        case HEAD:
          i = this.headFrom(bytes, i, end);
          break;
        case BODY_LENGTH: {
          const n = Math.min(end - i, this.remaining);
          this.remaining -= n;
          this.bodyBytes += n;
          i += n;
          if (this.remaining === 0) this.finish();
          break;
        }
        case CHUNK_DATA: {
          const n = Math.min(end - i, this.remaining);
          this.remaining -= n;
          this.bodyBytes += n;
          i += n;
          if (this.remaining === 0) this.state = CHUNK_DATA_CR;
          break;
        }
        case BODY_TO_CLOSE:
          this.bodyBytes += end - i;
          i = end;
          break;
        case TRAILERS:
          i = this.trailersFrom(bytes, i, end);
          break;
        default:
          i = this.chunkFraming(bytes, i, end);
      }
      if (this.complete) return i;
    }
    return i;
  }

  /** The connection closed cleanly: ends a body that runs to the close. Returns whether one was ended. */
  finishAtClose(): boolean {
    if (this.state !== BODY_TO_CLOSE) return false;
    this.finish();
    return true;
  }

  private finish(): void {
    this.state = HEAD;
    this.complete = true;
  }

  /** In the HEAD state: parses in place when the whole head is here, else gathers it in `held`. */
  private headFrom(bytes: Uint8Array, start: number, end: number): number {
    if (this.heldLength === 0) {
      const stop = this.parseHead(bytes, start, end);
      if (stop !== -1) return stop;
      this.hold(bytes, start, end);
      this.checkHeldSize();
      return end;
    }
    const before = this.heldLength;
    this.hold(bytes, start, end);
    // Re-parse only once the head's end has arrived, so a head trickled byte by byte costs linear time.
    const from = Math.max(0, before - 3);
    const found = this.held.indexOf('\r\n\r\n', from, 'latin1');
    if (found === -1 || found + 4 > this.heldLength) {
      this.checkHeldSize();
      // Garbage fails as soon as it arrives, not when a blank line (or a timeout) finally comes.
      this.checkPrefix(this.held, 0, this.heldLength);
      return end;
    }
    const stop = this.parseHead(this.held, 0, found + 4);
    this.heldLength = 0;
    if (stop === -1) throw new H1ProtocolError('malformed response head');
    return start + (stop - before);
  }

  /**
   * Appends `bytes[start..end)` to `held`, at most up to the head size limit (plus a blank line's 4
   * bytes): a read may carry the head's end and a body after it, which is not kept.
   */
  private hold(bytes: Uint8Array, start: number, end: number): void {
    const take = Math.min(end - start, this.maxHeadBytes + 4 - this.heldLength);
    const needed = this.heldLength + take;
    if (needed > this.held.length) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(needed, this.held.length * 2, 1024), this.maxHeadBytes + 4));
      this.held.copy(grown, 0, 0, this.heldLength);
      this.held = grown;
    }
    this.held.set(bytes.subarray(start, start + take), this.heldLength);
    this.heldLength += take;
  }

  private checkHeldSize(): void {
    if (this.heldLength > this.maxHeadBytes) throw new H1ProtocolError(`response head larger than ${this.maxHeadBytes} bytes`);
  }

  /**
   * Parses one head from `start`; returns the index after its blank line, or -1 when `end` came first
   * (nothing kept: the caller holds the bytes and calls again with the whole head). An interim (1xx)
   * response's head is parsed and dropped, and parsing goes on with the next head.
   */
  private parseHead(b: Uint8Array, start: number, end: number): number {
    for (;;) {
      const stop = this.parseOneHead(b, start, end);
      if (stop === -1) return -1;
      if (stop - start > this.maxHeadBytes) throw new H1ProtocolError(`response head larger than ${this.maxHeadBytes} bytes`);
      const status = this.status;
      if (status >= 200) {
        this.startBody(status);
        return stop;
      }
      if (status === 101) throw new H1ProtocolError('101 Switching Protocols without an upgrade request');
      // 100 Continue, 103 Early Hints, ...: a final response follows (RFC 9110 §15.2).
      start = stop;
      if (start === end) return stop;
    }
  }

  /** The status line and header lines; -1 if incomplete. Sets status and the framing fields. */
  private parseOneHead(b: Uint8Array, start: number, end: number): number {
    // Status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF
    if (end - start < 13) {
      this.checkPrefix(b, start, end);
      return -1;
    }
    if (
      b[start] !== 72 || b[start + 1] !== 84 || b[start + 2] !== 84 || b[start + 3] !== 80 || b[start + 4] !== 47 ||
      b[start + 5] !== 49 || b[start + 6] !== 46 || (b[start + 7] !== 49 && b[start + 7] !== 48) || b[start + 8] !== SP
    ) {
      throw new H1ProtocolError(`bad status line ${excerpt(b, start, end)}`);
    }
    const d0 = b[start + 9]! - 48;
    const d1 = b[start + 10]! - 48;
    const d2 = b[start + 11]! - 48;
    if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) throw new H1ProtocolError(`bad status line ${excerpt(b, start, end)}`);
    this.status = d0 * 100 + d1 * 10 + d2;
    this.http10 = b[start + 7] === 48;
    let i = start + 12;
    let c = b[i]!;
    if (c === SP) {
      // Reason phrase: HTAB, SP, visible and obs-text bytes.
      for (i++; i < end; i++) {
        c = b[i]!;
        if (c === CR) break;
        if ((c < SP && c !== HTAB) || c === 127) throw new H1ProtocolError(`bad status line ${excerpt(b, start, end)}`);
      }
      if (i >= end) return -1;
    } else if (c !== CR) {
      throw new H1ProtocolError(`bad status line ${excerpt(b, start, end)}`);
    }
    if (i + 1 >= end) return -1;
    if (b[i + 1] !== LF) throw new H1ProtocolError(`bad status line ${excerpt(b, start, end)}: CR without LF`);
    this.contentLength = -1;
    this.transferEncoding = false;
    this.chunked = false;
    this.closeToken = false;
    this.keepAliveToken = false;
    return this.parseFields(b, i + 2, end, true);
  }

  /** A head shorter than a status line: fail early if it already cannot be one. */
  private checkPrefix(b: Uint8Array, start: number, end: number): void {
    const prefix = 'HTTP/1.';
    for (let k = 0; k < prefix.length && start + k < end; k++) {
      if (b[start + k] !== prefix.charCodeAt(k)) throw new H1ProtocolError(`bad status line ${excerpt(b, start, end)}`);
    }
  }

  /**
   * Header (or trailer) lines from `i` up to and including the blank line; returns the index after it, or
   * -1 if incomplete. `framing`: a head's fields (Content-Length etc. are read), not trailers.
   */
  private parseFields(b: Uint8Array, i: number, end: number, framing: boolean): number {
    // Table lookups per byte, the tables in locals: this loop is most of the parser's time.
    const token = TOKEN;
    const value = VALUE;
    for (;;) {
      if (i >= end) return -1;
      if (b[i] === CR) {
        if (i + 1 >= end) return -1;
        if (b[i + 1] !== LF) throw new H1ProtocolError('invalid header: CR without LF');
        return i + 2;
      }
      const nameStart = i;
      while (i < end && token[b[i]!] === 1) i++;
      if (i >= end) return -1;
      if (b[i] !== COLON) throw invalidName(b, nameStart, i, end);
      const nameEnd = i;
      if (nameEnd === nameStart) throw new H1ProtocolError(`invalid header ${excerpt(b, nameStart, end)}: empty name`);
      // Value: OWS, then value bytes up to CRLF.
      i++;
      while (i < end && (b[i] === SP || b[i] === HTAB)) i++;
      const valueStart = i;
      while (i < end && value[b[i]!] === 1) i++;
      if (i + 1 >= end) return -1;
      if (b[i] !== CR) throw new H1ProtocolError(`invalid header ${excerpt(b, nameStart, end)}: control character in the value`);
      if (b[i + 1] !== LF) throw new H1ProtocolError(`invalid header ${excerpt(b, nameStart, end)}: CR without LF`);
      let valueEnd = i;
      while (valueEnd > valueStart && (b[valueEnd - 1] === SP || b[valueEnd - 1] === HTAB)) valueEnd--;
      if (framing) this.framingField(b, nameStart, nameEnd, valueStart, valueEnd);
      i += 2;
    }
  }

  private framingField(b: Uint8Array, nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): void {
    const length = nameEnd - nameStart;
    if (length === 14 && sameWord(b, nameStart, nameEnd, CONTENT_LENGTH)) {
      if (this.contentLength !== -1) throw new H1ProtocolError('duplicate Content-Length');
      if (valueStart === valueEnd || valueEnd - valueStart > 15) throw new H1ProtocolError(`invalid Content-Length ${excerpt(b, valueStart, valueEnd)}`);
      let n = 0;
      for (let k = valueStart; k < valueEnd; k++) {
        const d = b[k]! - 48;
        if (d < 0 || d > 9) throw new H1ProtocolError(`invalid Content-Length ${excerpt(b, valueStart, valueEnd)}`);
        n = n * 10 + d;
      }
      this.contentLength = n;
    } else if (length === 17 && sameWord(b, nameStart, nameEnd, TRANSFER_ENCODING)) {
      this.transferEncoding = true;
      // Only the last Transfer-Encoding field's final coding counts (the list continues across fields).
      this.chunked = listEndsWith(b, valueStart, valueEnd, CHUNKED);
    } else if (length === 10 && sameWord(b, nameStart, nameEnd, CONNECTION)) {
      if (listHas(b, valueStart, valueEnd, CLOSE)) this.closeToken = true;
      if (listHas(b, valueStart, valueEnd, KEEP_ALIVE)) this.keepAliveToken = true;
    }
  }

  /** A final response's head is done: decide how its body is framed (RFC 9112 §6.3). */
  private startBody(status: number): void {
    if (this.transferEncoding && this.contentLength !== -1) {
      throw new H1ProtocolError('both Content-Length and Transfer-Encoding');
    }
    this.bodyBytes = 0;
    this.keepAlive = this.http10 ? this.keepAliveToken && !this.closeToken : !this.closeToken;
    const head = this.sink.onResponseHead(status);
    if (head || status === 204 || status === 304) {
      // A 204/304 announcing a body may be followed by one anyway, which would be read as the next
      // response: like undici, accept the response but do not reuse the connection.
      if (!head && (this.contentLength > 0 || this.transferEncoding)) this.keepAlive = false;
      this.finish();
    } else if (this.chunked) {
      this.state = CHUNK_SIZE;
      this.remaining = 0;
      this.lineBytes = 0;
    } else if (this.transferEncoding || this.contentLength === -1) {
      this.state = BODY_TO_CLOSE;
      this.keepAlive = false;
    } else if (this.contentLength === 0) {
      this.finish();
    } else {
      this.state = BODY_LENGTH;
      this.remaining = this.contentLength;
    }
  }

  /** chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; the last chunk (size 0) is followed by trailers. */
  private chunkFraming(b: Uint8Array, i: number, end: number): number {
    for (; i < end; i++) {
      const c = b[i]!;
      switch (this.state) {
        case CHUNK_SIZE: {
          const digit = HEX[c]!;
          if (digit !== -1) {
            this.remaining = this.remaining * 16 + digit;
            if (this.remaining > MAX_CHUNK) throw new H1ProtocolError('bad chunk size: too large');
            this.lineBytes++;
          } else if (this.lineBytes === 0) {
            throw new H1ProtocolError(`bad chunk size ${excerpt(b, i, end)}`);
          } else if (c === CR) {
            this.state = CHUNK_SIZE_LF;
          } else if (c === 59 /* ; */) {
            this.state = CHUNK_EXTENSION;
            this.quoted = this.escaped = false;
          } else {
            // No whitespace before the ';' (as llhttp, undici's parser, and h11 require).
            throw new H1ProtocolError(`bad chunk size: unexpected ${excerpt(b, i, end)} after the size`);
          }
          break;
        }
        case CHUNK_EXTENSION:
          // chunk-ext = *( ";" name [ "=" ( token / quoted-string ) ] ): checked, not interpreted.
          if (++this.lineBytes > this.maxHeadBytes) throw new H1ProtocolError('bad chunk extension: too long');
          if (this.quoted) {
            if (this.escaped) this.escaped = false;
            else if (c === 34 /* " */) this.quoted = false;
            else if (c === 92 /* \ */) this.escaped = true;
            else if ((c < SP && c !== HTAB) || c === 127) throw new H1ProtocolError('bad chunk extension: control character in a quoted value');
          } else if (c === CR) {
            this.state = CHUNK_SIZE_LF;
          } else if (c === 34) {
            this.quoted = true;
          } else if (TOKEN[c] === 0 && c !== 59 && c !== 61 /* = */) {
            throw new H1ProtocolError(`bad chunk extension ${excerpt(b, i, end)}`);
          }
          break;
        case CHUNK_SIZE_LF:
          if (c !== LF) throw new H1ProtocolError('bad chunk size: CR without LF');
          this.lineBytes = 0;
          if (this.remaining === 0) {
            this.state = TRAILERS;
            return i + 1;
          }
          this.state = CHUNK_DATA;
          return i + 1;
        case CHUNK_DATA_CR:
          if (c !== CR) throw new H1ProtocolError('bad chunk: no CRLF after the chunk data (chunk longer than its size?)');
          this.state = CHUNK_DATA_LF;
          break;
        case CHUNK_DATA_LF:
          if (c !== LF) throw new H1ProtocolError('bad chunk: no CRLF after the chunk data');
          this.state = CHUNK_SIZE;
          this.remaining = 0;
          this.lineBytes = 0;
          break;
      }
    }
    return i;
  }

  /** The trailer section after the last chunk: header lines, then a blank line ending the response. */
  private trailersFrom(b: Uint8Array, start: number, end: number): number {
    if (this.heldLength === 0) {
      const stop = this.parseFields(b, start, end, false);
      if (stop !== -1) {
        this.finish();
        return stop;
      }
      this.hold(b, start, end);
      this.checkHeldSize();
      return end;
    }
    const before = this.heldLength;
    this.hold(b, start, end);
    // An empty trailer section is just CRLF: look for it at the start as well as for CRLF CRLF.
    const empty = this.held[0] === CR && this.heldLength >= 2;
    const found = empty ? -2 : this.held.indexOf('\r\n\r\n', Math.max(0, before - 3), 'latin1');
    if (!empty && (found === -1 || found + 4 > this.heldLength)) {
      this.checkHeldSize();
      return end;
    }
    const stop = this.parseFields(this.held, 0, empty ? 2 : found + 4, false);
    this.heldLength = 0;
    if (stop === -1) throw new H1ProtocolError('malformed trailer section');
    this.finish();
    return start + (stop - before);
  }
}

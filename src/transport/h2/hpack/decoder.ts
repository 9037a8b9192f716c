// HPACK decoder (RFC 7541) for response header blocks: static and dynamic table, size updates, Huffman.
//
// Names and values are decoded as latin1, not UTF-8: header fields are octets (RFC 9110 §5.5 allows obs-text, any
// octet 0x80-0xff), and latin1 maps each octet to one char and back without loss, so lengths and table sizes stay
// exact and a value re-sent by the caller is byte-identical. UTF-8 would turn invalid sequences into U+FFFD and change
// the octet count. Node's HTTP/1 parser reads header values the same way.
//
// Per-response cost: the decoder reads `:status` and `content-length` from the octets themselves and makes a string
// only when a sink wants it or the field enters the dynamic table, so a typical response block decoded without a sink
// allocates nothing beyond the strings of fields added to the dynamic table (and, for a non-Buffer block, one view).
import { HpackError } from './errors.ts';
import { huffmanDecodeInto, huffmanMaxDecodedLength } from './huffman.ts';
import { STATIC_CONTENT_LENGTH, STATIC_STATUS_FIRST, STATIC_STATUS_LAST, STATIC_TABLE } from './static-table.ts';

export { HpackError } from './errors.ts';

export interface HeaderSink {
  header(name: string, value: string): void;
}

export interface HpackDecoderOptions {
  /** The most decoded name + value octets one header block may hold (default 64 KiB). */
  maxHeaderListSize?: number;
}

/** Our SETTINGS_HEADER_TABLE_SIZE unless told otherwise: the RFC's default. */
export const DEFAULT_MAX_TABLE_SIZE = 4096;
export const DEFAULT_MAX_HEADER_LIST_SIZE = 64 * 1024;
/** RFC 7541 §4.1: an entry's size is its name and value octets plus 32. */
const ENTRY_OVERHEAD = 32;
/** Integers above this are absurd for any field of a header block (and stay exact in a double). */
const MAX_INTEGER = 2 ** 28;

// What the decoder does with a field's value besides handing it to the sink.
const KIND_OTHER = 0;
const KIND_STATUS = 1;
const KIND_CONTENT_LENGTH = 2;

const EMPTY = Buffer.alloc(0);
const STATUS_OCTETS = Buffer.from(':status', 'latin1');
const CONTENT_LENGTH_OCTETS = Buffer.from('content-length', 'latin1');

const STATIC_SIZES = STATIC_TABLE.map(([name, value]) => name.length + value.length);
/** For a static index: the :status it carries, or -1. */
const STATIC_STATUS = STATIC_TABLE.map((_, i) => (i + 1 >= STATIC_STATUS_FIRST && i + 1 <= STATIC_STATUS_LAST ? Number(STATIC_TABLE[i]![1]) : -1));

export class HpackDecoder {
  /** After decode: the :status pseudo-header (0 when absent). */
  status = 0;
  /** After decode: content-length (-1 when absent, not a valid number, or given twice with different values). */
  contentLength = -1;

  readonly maxTableSize: number;
  readonly maxHeaderListSize: number;
  /** The table size the peer chose with its last size update (at most maxTableSize). */
  private limit: number;
  private size = 0;

  // The dynamic table: a ring of at most capacity entries (each takes at least 32 octets), newest at `head`.
  private readonly capacity: number;
  private readonly names: string[];
  private readonly values: string[];
  private readonly kinds: Uint8Array;
  /** For a :status or content-length entry, its parsed value (-1 when invalid), so indexing it again parses nothing. */
  private readonly numbers: Float64Array;
  private readonly sizes: Int32Array;
  private head = -1;
  private count = 0;

  // The block being decoded and the position in it.
  private buf: Buffer = EMPTY;
  private pos = 0;
  // Huffman-decoded strings of the block land here, each after the previous.
  private scratch: Buffer = Buffer.allocUnsafe(1024);
  private scratchPos = 0;
  // The last string read: octets [strStart, strEnd) of strBuf (the block itself, scratch, or a cache entry's
  // decoded octets), and its JS string when the cache had it (else null: made from the octets when needed).
  private strBuf: Buffer = this.buf;
  private strStart = 0;
  private strEnd = 0;
  private strString: string | null = null;
  private readonly strings = new StringCache();

  // Per-block state of the two fields we read.
  private statusError = '';
  private contentLengthInvalid = false;

  constructor(maxTableSize: number = DEFAULT_MAX_TABLE_SIZE, options: HpackDecoderOptions = {}) {
    if (!Number.isInteger(maxTableSize) || maxTableSize < 0) throw new RangeError(`HPACK: bad maxTableSize ${maxTableSize}`);
    this.maxTableSize = maxTableSize;
    this.maxHeaderListSize = options.maxHeaderListSize ?? DEFAULT_MAX_HEADER_LIST_SIZE;
    this.limit = maxTableSize;
    this.capacity = Math.max(1, Math.floor(maxTableSize / ENTRY_OVERHEAD));
    this.names = new Array<string>(this.capacity).fill('');
    this.values = new Array<string>(this.capacity).fill('');
    this.kinds = new Uint8Array(this.capacity);
    this.numbers = new Float64Array(this.capacity);
    this.sizes = new Int32Array(this.capacity);
  }

  /** The dynamic table's current size in octets (RFC 7541 §4.1). */
  get dynamicTableSize(): number {
    return this.size;
  }

  /** The dynamic table's entries, newest first (index 62 first): for tests and diagnostics. */
  dynamicTableEntries(): Array<[name: string, value: string]> {
    const out: Array<[string, string]> = [];
    for (let i = 0; i < this.count; i++) {
      const slot = this.slot(i);
      out.push([this.names[slot]!, this.values[slot]!]);
    }
    return out;
  }

  /**
   * Decodes one complete header block. Keeps the dynamic table in sync whatever the sink; calls sink.header for every
   * field when a sink is given. Throws HpackError on any violation (a connection error COMPRESSION_ERROR for the
   * caller). A malformed :status is reported (as HpackError) only after the whole block is decoded, so the table is
   * still in sync then.
   */
  decode(block: Uint8Array, start: number, end: number, sink?: HeaderSink | null): void {
    const buf = Buffer.isBuffer(block) ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength);
    this.buf = buf;
    this.pos = start;
    this.status = 0;
    this.contentLength = -1;
    this.statusError = '';
    this.contentLengthInvalid = false;
    // Every Huffman string of the block fits: the encoded octets of all of them are at most end - start.
    const scratchNeeded = huffmanMaxDecodedLength(end - start);
    if (this.scratch.length < scratchNeeded) this.scratch = Buffer.allocUnsafe(scratchNeeded);
    this.scratchPos = 0;
    let listSize = 0;
    let fieldSeen = false;
    while (this.pos < end) {
      const first = buf[this.pos]!;
      if (first & 0x80) {
        // Indexed header field (§6.1).
        const index = this.readInteger(0x7f, end);
        listSize += this.indexed(index, sink);
      } else if (first & 0x40) {
        // Literal with incremental indexing (§6.2.1).
        listSize += this.literal(this.readInteger(0x3f, end), end, true, sink);
      } else if (first & 0x20) {
        // Dynamic table size update (§6.3): only before the first field; several in a row are allowed.
        if (fieldSeen) throw new HpackError('HPACK: dynamic table size update after a header field');
        const size = this.readInteger(0x1f, end);
        if (size > this.maxTableSize) {
          throw new HpackError(`HPACK: dynamic table size update to ${size} exceeds our maximum ${this.maxTableSize}`);
        }
        this.limit = size;
        this.evictTo(size);
        continue;
      } else {
        // Literal without indexing (0000) or never indexed (0001) (§6.2.2, §6.2.3): the same to a decoder.
        listSize += this.literal(this.readInteger(0x0f, end), end, false, sink);
      }
      fieldSeen = true;
      if (listSize > this.maxHeaderListSize) {
        throw new HpackError(`HPACK: header list exceeds ${this.maxHeaderListSize} octets of names and values`);
      }
    }
    // Hold no reference to the caller's octets between blocks (they are often a whole socket read).
    this.buf = this.strBuf = EMPTY;
    this.strings.release();
    if (this.contentLengthInvalid) this.contentLength = -1;
    if (this.statusError !== '') throw new HpackError(this.statusError);
  }

  /** Returns the field's name + value octets. */
  private indexed(index: number, sink: HeaderSink | null | undefined): number {
    if (index === 0) throw new HpackError('HPACK: indexed header field with index 0');
    if (index <= STATIC_TABLE.length) {
      if (index >= STATIC_STATUS_FIRST && index <= STATIC_STATUS_LAST) this.setStatus(STATIC_STATUS[index - 1]!);
      else if (index === STATIC_CONTENT_LENGTH) this.setContentLength(-1); // its static value is empty
      if (sink) {
        const entry = STATIC_TABLE[index - 1]!;
        sink.header(entry[0], entry[1]);
      }
      return STATIC_SIZES[index - 1]!;
    }
    const slot = this.dynamicSlot(index);
    const kind = this.kinds[slot]!;
    if (kind === KIND_STATUS) this.setStatus(this.numbers[slot]!);
    else if (kind === KIND_CONTENT_LENGTH) this.setContentLength(this.numbers[slot]!);
    if (sink) sink.header(this.names[slot]!, this.values[slot]!);
    return this.sizes[slot]! - ENTRY_OVERHEAD;
  }

  /** A literal field whose name index (0: literal name) was just read. Returns the field's name + value octets. */
  private literal(nameIndex: number, end: number, addToTable: boolean, sink: HeaderSink | null | undefined): number {
    let name = '';
    let nameLength: number;
    let kind = KIND_OTHER;
    if (nameIndex === 0) {
      this.readString(end);
      const nameBuf = this.strBuf;
      const nameStart = this.strStart;
      nameLength = this.strEnd - nameStart;
      if (octetsEqual(nameBuf, nameStart, nameLength, STATUS_OCTETS)) kind = KIND_STATUS;
      else if (octetsEqual(nameBuf, nameStart, nameLength, CONTENT_LENGTH_OCTETS)) kind = KIND_CONTENT_LENGTH;
      if (addToTable || sink) name = this.stringOf();
    } else if (nameIndex <= STATIC_TABLE.length) {
      name = STATIC_TABLE[nameIndex - 1]![0];
      nameLength = name.length;
      if (nameIndex >= STATIC_STATUS_FIRST && nameIndex <= STATIC_STATUS_LAST) kind = KIND_STATUS;
      else if (nameIndex === STATIC_CONTENT_LENGTH) kind = KIND_CONTENT_LENGTH;
    } else {
      const slot = this.dynamicSlot(nameIndex);
      name = this.names[slot]!;
      nameLength = name.length;
      kind = this.kinds[slot]!;
    }
    this.readString(end);
    const valueLength = this.strEnd - this.strStart;
    let number = -1;
    if (kind === KIND_STATUS) this.setStatus((number = parseStatus(this.strBuf, this.strStart, this.strEnd)));
    else if (kind === KIND_CONTENT_LENGTH) this.setContentLength((number = parseDecimal(this.strBuf, this.strStart, this.strEnd)));
    if (addToTable || sink) {
      const value = this.stringOf();
      if (addToTable) this.insert(name, value, kind, number);
      if (sink) sink.header(name, value);
    }
    return nameLength + valueLength;
  }

  /** The last string read, as a JS string: the cache's, or made from its octets (and cached). */
  private stringOf(): string {
    if (this.strString !== null) return this.strString;
    const text = this.strBuf.toString('latin1', this.strStart, this.strEnd);
    this.strings.remember(text, this.strBuf, this.strStart, this.strEnd);
    return text;
  }

  /**
   * Reads a string literal (§5.2) at pos into strBuf/strStart/strEnd without making a JS string. A literal
   * seen lately (servers repeat theirs in every response: nginx sends server, date, content-type as literals
   * each time) comes from the cache: no Huffman decoding, no new string.
   */
  private readString(end: number): void {
    if (this.pos >= end) throw new HpackError('HPACK: truncated string literal');
    const huffman = this.buf[this.pos]! & 0x80;
    const length = this.readInteger(0x7f, end);
    const start = this.pos;
    if (length > end - start) throw new HpackError(`HPACK: string literal of ${length} octets runs past the block end`);
    this.pos = start + length;
    const cached = this.strings.find(this.buf, start, start + length, huffman);
    if (cached !== null) {
      this.strBuf = cached.octets;
      this.strStart = 0;
      this.strEnd = cached.octets.length;
      this.strString = cached.text;
      return;
    }
    this.strString = null;
    if (huffman) {
      const n = huffmanDecodeInto(this.buf, start, start + length, this.scratch, this.scratchPos);
      this.strBuf = this.scratch;
      this.strStart = this.scratchPos;
      this.strEnd = this.scratchPos + n;
      this.scratchPos += n;
    } else {
      this.strBuf = this.buf;
      this.strStart = start;
      this.strEnd = start + length;
    }
  }

  /** Reads an integer (§5.1) whose prefix is the low bits under `mask` of the octet at pos (which exists). */
  private readInteger(mask: number, end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let value = buf[pos++]! & mask;
    if (value === mask) {
      let factor = 1;
      for (;;) {
        if (pos >= end) throw new HpackError('HPACK: truncated integer');
        const octet = buf[pos++]!;
        value += (octet & 0x7f) * factor;
        if ((octet & 0x80) === 0) break;
        factor *= 128;
        if (value > MAX_INTEGER || factor > MAX_INTEGER) throw new HpackError('HPACK: integer too large');
      }
      if (value > MAX_INTEGER) throw new HpackError('HPACK: integer too large');
    }
    this.pos = pos;
    return value;
  }

  private setStatus(status: number): void {
    if (status < 0) this.statusError = 'HPACK: :status is not 3 digits';
    else if (this.status !== 0) this.statusError = 'HPACK: :status appears twice in one header block';
    else this.status = status;
  }

  private setContentLength(length: number): void {
    if (length < 0 || (this.contentLength >= 0 && this.contentLength !== length)) this.contentLengthInvalid = true;
    else this.contentLength = length;
  }

  /** The ring slot of dynamic-table position i (0 = newest). */
  private slot(i: number): number {
    const slot = this.head - i;
    return slot < 0 ? slot + this.capacity : slot;
  }

  private dynamicSlot(index: number): number {
    const i = index - STATIC_TABLE.length - 1;
    if (i >= this.count) {
      throw new HpackError(`HPACK: index ${index} is past the tables (${STATIC_TABLE.length} static + ${this.count} dynamic entries)`);
    }
    return this.slot(i);
  }

  /** Adds an entry (§4.4): evicts the oldest until it fits; an entry larger than the table only empties it. */
  private insert(name: string, value: string, kind: number, number: number): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    if (size > this.limit) {
      this.evictTo(0);
      return;
    }
    this.evictTo(this.limit - size);
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.names[this.head] = name;
    this.values[this.head] = value;
    this.kinds[this.head] = kind;
    this.numbers[this.head] = number;
    this.sizes[this.head] = size;
    this.count++;
    this.size += size;
  }

  private evictTo(size: number): void {
    while (this.size > size) {
      const oldest = this.slot(this.count - 1);
      this.size -= this.sizes[oldest]!;
      this.names[oldest] = '';
      this.values[oldest] = '';
      this.count--;
    }
  }
}

function octetsEqual(buf: Buffer, start: number, length: number, expected: Buffer): boolean {
  if (length !== expected.length) return false;
  for (let i = 0; i < length; i++) if (buf[start + i] !== expected[i]) return false;
  return true;
}

/** A :status value: exactly 3 digits (RFC 9113 §8.3.2), else -1. */
function parseStatus(buf: Buffer, start: number, end: number): number {
  if (end - start !== 3) return -1;
  let status = 0;
  for (let i = start; i < end; i++) {
    const digit = buf[i]! - 0x30;
    if (digit < 0 || digit > 9) return -1;
    status = status * 10 + digit;
  }
  return status;
}

/** A content-length value: 1*DIGIT within Number.MAX_SAFE_INTEGER, else -1. */
function parseDecimal(buf: Buffer, start: number, end: number): number {
  if (end === start || end - start > 15) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const digit = buf[i]! - 0x30;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/** One cached string literal: its encoded octets (as on the wire, Huffman flag apart), decoded octets, string. */
interface CachedString {
  huffman: number;
  encoded: Buffer;
  octets: Buffer;
  text: string;
}

const CACHE_SLOTS = 64;
/** Longer literals are not cached (comparing them would cost what decoding them does). */
const CACHE_MAX_LENGTH = 64;

/**
 * Literals lately decoded, direct-mapped by a hash of their encoded octets; a hit is checked octet by octet.
 * `find` remembers the encoded octets it missed so that `remember` can file the decoded string under them.
 */
class StringCache {
  private readonly slots: Array<CachedString | null> = new Array<CachedString | null>(CACHE_SLOTS).fill(null);
  private missBuf: Buffer = EMPTY;
  private missStart = 0;
  private missEnd = 0;
  private missHuffman = 0;
  private missSlot = -1;

  find(buf: Buffer, start: number, end: number, huffman: number): CachedString | null {
    const length = end - start;
    this.missSlot = -1;
    if (length === 0 || length > CACHE_MAX_LENGTH) return null;
    const slot = (length * 31 + buf[start]! * 7 + buf[end - 1]! + (huffman ? 17 : 0)) & (CACHE_SLOTS - 1);
    const entry = this.slots[slot]!;
    if (entry !== null && entry.huffman === huffman && octetsEqual(buf, start, length, entry.encoded)) return entry;
    this.missBuf = buf;
    this.missStart = start;
    this.missEnd = end;
    this.missHuffman = huffman;
    this.missSlot = slot;
    return null;
  }

  /** The string of the literal `find` last missed, with its decoded octets buf[start, end). */
  remember(text: string, buf: Buffer, start: number, end: number): void {
    if (this.missSlot < 0) return;
    const encoded = Buffer.from(this.missBuf.subarray(this.missStart, this.missEnd));
    this.slots[this.missSlot] = { huffman: this.missHuffman, encoded, octets: Buffer.from(buf.subarray(start, end)), text };
    this.release();
  }

  /** Drops the reference to the block `find` last missed in. */
  release(): void {
    this.missSlot = -1;
    this.missBuf = EMPTY;
  }
}

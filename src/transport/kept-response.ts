// A response kept for a request that asked for it (PreparedRequest.keepResponse), built as it arrives. Every
// transport feeds one the same way (a header at a time, body bytes as they come), so the KeptResponse
// contract (names lower-cased, repeats joined, the body's first N bytes, the truncated flag) lives here
// once. Only kept requests make one: the others pay nothing.
import type { KeptResponse } from './transport.ts';

export class KeptResponseBuilder {
  private headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
  private bytes = 0;
  private truncated = false;
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** One header field (an HPACK HeaderSink too). Pseudo-headers (`:status`) are not kept. */
  header(name: string, value: string): void {
    if (name.charCodeAt(0) === 58 /* : */) return;
    const key = name.toLowerCase();
    const had = Object.hasOwn(this.headers, key) ? this.headers[key] : undefined;
    const text = had === undefined ? value : `${had}${key === 'set-cookie' ? '\n' : ', '}${value}`;
    // defineProperty: a header named __proto__ is an own field like any other.
    Object.defineProperty(this.headers, key, { value: text, enumerable: true, writable: true, configurable: true });
  }

  /** Forgets the headers so far (those of an interim 1xx response). */
  clearHeaders(): void {
    this.headers = {};
  }

  /** Copies (the caller reuses its buffer) what still fits of `bytes[start..end)`. */
  body(bytes: Uint8Array, start: number, end: number): void {
    const room = this.limit - this.bytes;
    if (end - start > room) this.truncated = true;
    const n = Math.min(room, end - start);
    if (n <= 0) return;
    this.chunks.push(Buffer.from(bytes.subarray(start, start + n)));
    this.bytes += n;
  }

  finish(): KeptResponse {
    const body = Buffer.concat(this.chunks, this.bytes);
    this.chunks = [];
    return { headers: this.headers, body, truncated: this.truncated };
  }
}

// HPACK Huffman coding (RFC 7541 §5.2, Appendix B).
//
// Decoding is a state machine, as in nghttp2 but read a whole octet at a time: the states are the 256 internal nodes
// of the code tree, and each (state, octet) pair gives the next state, the octets emitted (at most two: no code is
// shorter than 5 bits), whether EOS was reached (an error inside a string) and whether stopping there is valid
// padding (the bits since the last octet are all ones and fewer than 8). The table (64 Ki entries, 256 KiB) is built
// once at load from HUFFMAN_CODES, so nothing here is a second hand-made copy of the code; an octet per step instead
// of a nibble halves the lookups and branches of the per-response path.
import { HpackError } from './errors.ts';
import { HUFFMAN_CODES } from './huffman-codes.ts';

const EOS = 256;
const COUNT_SHIFT = 24; // bits 24-25: how many octets the step emits (0-2)
const ACCEPT = 1 << 26;
const FAIL = 1 << 27;

/**
 * TRANSITIONS[state << 8 | octet] = next state (bits 0-7) | first emitted octet << 8 | second << 16 | count << 24
 * | ACCEPT | FAIL.
 */
const TRANSITIONS = buildTransitions();

function buildTransitions(): Uint32Array {
  // child[node * 2 + bit]: > 0 an internal node, < 0 the leaf -(symbol + 1), 0 unset (the root is never a child).
  const child: number[] = [0, 0];
  const depth: number[] = [0];
  const allOnes: boolean[] = [true];
  HUFFMAN_CODES.forEach(([code, bits], symbol) => {
    let node = 0;
    for (let i = bits - 1; i >= 0; i--) {
      const bit = (code >>> i) & 1;
      const slot = node * 2 + bit;
      if (i === 0) {
        child[slot] = -(symbol + 1);
        break;
      }
      if (child[slot] === 0) {
        const created = depth.length;
        child[slot] = created;
        child.push(0, 0);
        depth.push(depth[node]! + 1);
        allOnes.push(allOnes[node]! && bit === 1);
      }
      node = child[slot]!;
    }
  });
  const states = depth.length; // 256 for a complete code of 257 symbols
  const table = new Uint32Array(states * 256);
  for (let state = 0; state < states; state++) {
    for (let octet = 0; octet < 256; octet++) {
      let node = state;
      let out = 0;
      let count = 0;
      for (let i = 7; i >= 0; i--) {
        const next = child[node * 2 + ((octet >> i) & 1)]!;
        if (next >= 0) {
          node = next;
          continue;
        }
        const symbol = -next - 1;
        if (symbol === EOS) {
          out |= FAIL;
          break;
        }
        out |= symbol << (8 + 8 * count++);
        node = 0;
      }
      if (allOnes[node]! && depth[node]! <= 7) out |= ACCEPT;
      table[(state << 8) | octet] = (out | (count << COUNT_SHIFT) | node) >>> 0;
    }
  }
  return table;
}

/** The most octets `encodedLength` Huffman-coded octets can decode to (the shortest code is 5 bits). */
export function huffmanMaxDecodedLength(encodedLength: number): number {
  return Math.ceil((encodedLength * 8) / 5);
}

/**
 * Decodes buf[start, end) into out from outStart (which must have huffmanMaxDecodedLength(end - start) octets free);
 * returns the number of octets written. Allocates nothing.
 */
export function huffmanDecodeInto(buf: Uint8Array, start: number, end: number, out: Uint8Array, outStart: number): number {
  let state = 0;
  let t = ACCEPT; // an empty string is valid
  let n = outStart;
  for (let i = start; i < end; i++) {
    t = TRANSITIONS[(state << 8) | buf[i]!]!;
    if (t >= FAIL) throw new HpackError('HPACK: Huffman-coded string contains the EOS symbol'); // FAIL is the top bit
    const count = (t >>> COUNT_SHIFT) & 3;
    if (count !== 0) {
      out[n++] = t >>> 8;
      if (count === 2) out[n++] = t >>> 16;
    }
    state = t & 0xff;
  }
  if ((t & ACCEPT) === 0) {
    throw new HpackError('HPACK: Huffman-coded string ends with invalid padding (longer than 7 bits or not all ones)');
  }
  return n - outStart;
}

let scratch = Buffer.allocUnsafe(256);

/** Decodes a Huffman-coded string; octets become one char each (latin1: header octets, not UTF-8). */
export function huffmanDecode(buf: Uint8Array, start: number, end: number): string {
  const max = huffmanMaxDecodedLength(end - start);
  if (scratch.length < max) scratch = Buffer.allocUnsafe(max);
  const n = huffmanDecodeInto(buf, start, end, scratch, 0);
  return scratch.toString('latin1', 0, n);
}

/** The Huffman-coded length in octets of a latin1 string (chars above 0xff are the caller's error). */
export function huffmanLength(str: string): number {
  let bits = 0;
  for (let i = 0; i < str.length; i++) bits += HUFFMAN_CODES[str.charCodeAt(i) & 0xff]![1];
  return Math.ceil(bits / 8);
}

/** Huffman-codes a latin1 string, padded with the most significant bits of EOS (all ones). */
export function huffmanEncode(str: string): Buffer {
  const out = Buffer.allocUnsafe(huffmanLength(str));
  let n = 0;
  let acc = 0; // pending bits, right-aligned; at most 7 + 30 of them, so kept below 2^53 with arithmetic, not << on int32
  let pending = 0;
  for (let i = 0; i < str.length; i++) {
    const [code, bits] = HUFFMAN_CODES[str.charCodeAt(i) & 0xff]!;
    acc = acc * 2 ** bits + code;
    pending += bits;
    while (pending >= 8) {
      pending -= 8;
      const octet = Math.floor(acc / 2 ** pending);
      out[n++] = octet;
      acc -= octet * 2 ** pending;
    }
  }
  if (pending > 0) out[n++] = acc * 2 ** (8 - pending) + (0xff >> pending);
  return out;
}

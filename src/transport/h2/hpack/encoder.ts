// HPACK encoder for request header blocks (RFC 7541). A block is built once per request definition and re-sent as is,
// so it must not depend on the connection's state: no dynamic table, only static-table indices and literals without
// indexing (the peer's table is never touched, so blocks stay valid in any order on any connection).
import { isSensitiveHeader } from '../../../util/redact.ts';
import { HpackError } from './errors.ts';
import { huffmanEncode, huffmanLength } from './huffman.ts';
import { STATIC_TABLE } from './static-table.ts';

/** name -> its first static index, and value -> static index where name and value both match. */
const STATIC_NAMES = new Map<string, { index: number; values: Map<string, number> }>();
STATIC_TABLE.forEach(([name, value], i) => {
  let entry = STATIC_NAMES.get(name);
  if (!entry) STATIC_NAMES.set(name, (entry = { index: i + 1, values: new Map() }));
  if (value !== '' && !entry.values.has(value)) entry.values.set(value, i + 1);
});

/**
 * A request header block: static-table indices where name and value match, otherwise a literal without indexing
 * (never indexed for sensitive names, so intermediaries do not index credentials either) with an indexed name where the
 * static table has it; each string Huffman-coded when that is shorter. Names must be lower-case (the caller lower-cases).
 * Pseudo-headers go first, each group in the given order. Names and values are latin1 octets.
 */
export function encodeHeaderBlock(fields: ReadonlyArray<readonly [name: string, value: string]>): Buffer {
  const ordered = [...fields.filter(([name]) => name.startsWith(':')), ...fields.filter(([name]) => !name.startsWith(':'))];
  const parts: Buffer[] = [];
  for (const [name, value] of ordered) {
    checkLatin1(name, `header name "${name}"`);
    checkLatin1(value, `value of header "${name}"`);
    const known = STATIC_NAMES.get(name);
    const sensitive = isSensitiveHeader(name);
    const full = sensitive ? undefined : known?.values.get(value);
    if (full !== undefined) {
      parts.push(encodeInteger(0x80, 7, full));
      continue;
    }
    // 0001xxxx never indexed, 0000xxxx without indexing; a 4-bit prefix for the name index (0: literal name).
    const pattern = sensitive ? 0x10 : 0x00;
    if (known) parts.push(encodeInteger(pattern, 4, known.index));
    else parts.push(encodeInteger(pattern, 4, 0), encodeString(name));
    parts.push(encodeString(value));
  }
  return Buffer.concat(parts);
}

/** An integer with an N-bit prefix (§5.1), the prefix octet's high bits set to `pattern`. */
export function encodeInteger(pattern: number, prefixBits: number, value: number): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.of(pattern | value);
  const octets = [pattern | max];
  let rest = value - max;
  while (rest >= 128) {
    octets.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  octets.push(rest);
  return Buffer.from(octets);
}

/** A string literal (§5.2): Huffman-coded when shorter, raw otherwise. */
export function encodeString(str: string): Buffer {
  const huffman = huffmanLength(str);
  if (huffman < str.length) return Buffer.concat([encodeInteger(0x80, 7, huffman), huffmanEncode(str)]);
  return Buffer.concat([encodeInteger(0x00, 7, str.length), Buffer.from(str, 'latin1')]);
}

function checkLatin1(text: string, what: string): void {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) {
      throw new HpackError(`HPACK: the ${what} has a character outside latin1 (U+${code.toString(16).padStart(4, '0')}) at offset ${i}`);
    }
  }
}

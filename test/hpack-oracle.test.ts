// HPACK against an independent implementation (hpack.js, a devDependency used only here): its Huffman and static
// tables row by row, random header lists it encodes (dynamic table, eviction, Huffman on and off, never-indexed)
// decoded by ours, and blocks our encoder makes decoded by it.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { isSensitiveHeader } from '../src/util/redact.ts';
import { HpackDecoder, type HeaderSink } from '../src/transport/h2/hpack/decoder.ts';
import { encodeHeaderBlock } from '../src/transport/h2/hpack/encoder.ts';
import { huffmanDecode, huffmanEncode, huffmanLength } from '../src/transport/h2/hpack/huffman.ts';
import { HUFFMAN_CODES } from '../src/transport/h2/hpack/huffman-codes.ts';
import { STATIC_TABLE } from '../src/transport/h2/hpack/static-table.ts';

interface OracleField {
  name: string;
  value: string;
  neverIndex?: boolean;
  huffman?: boolean;
  incremental?: boolean;
}
interface Compressor {
  write(fields: OracleField[]): void;
  read(): Buffer | null;
}
interface Decompressor {
  write(block: Buffer): void;
  execute(): void;
  read(): OracleField | null;
}
interface HpackJs {
  compressor: { create(options: { table: { maxSize: number } }): Compressor };
  decompressor: { create(options: { table: { maxSize: number } }): Decompressor };
  huffman: { encode: Array<[bits: number, code: number]> };
  'static-table': { table: Array<{ name: string; value: string }> };
}
const hpack = createRequire(import.meta.url)('hpack.js') as HpackJs;

type Fields = Array<[string, string]>;

class Collect implements HeaderSink {
  fields: Fields = [];
  header(name: string, value: string): void {
    this.fields.push([name, value]);
  }
}

function oracleDecode(decompressor: Decompressor, block: Buffer): OracleField[] {
  decompressor.write(block);
  decompressor.execute();
  const out: OracleField[] = [];
  for (let field = decompressor.read(); field !== null; field = decompressor.read()) out.push(field);
  return out;
}

/** The oracle's dynamic table, newest first (it keeps the newest last). */
function oracleTable(decompressor: Decompressor): Fields {
  const table = (decompressor as unknown as { _table: { dynamic: Array<{ name: string; value: string }> } })._table;
  return table.dynamic.map(({ name, value }): [string, string] => [name, value]).reverse();
}

/** A small deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Statics and random names; :status only once, first and valid (our decoder rejects anything else). */
function randomFields(rand: () => number, reused: Fields): Fields {
  const int = (n: number) => Math.floor(rand() * n);
  const staticName = () => {
    const name = STATIC_TABLE[int(STATIC_TABLE.length)]![0];
    return name === ':status' ? 'x-status' : name;
  };
  const text = (max: number, low: number, high: number) =>
    String.fromCharCode(...Array.from({ length: int(max + 1) }, () => low + int(high - low + 1)));
  const fields: Fields = [];
  const count = 1 + int(12);
  for (let i = 0; i < count; i++) {
    const pick = rand();
    if (pick < 0.25 && reused.length > 0) fields.push(reused[int(reused.length)]!); // hits the dynamic table
    else if (pick < 0.45) fields.push(STATIC_TABLE[int(STATIC_TABLE.length)]!.slice() as [string, string]);
    else if (pick < 0.7) fields.push([staticName(), text(40, 0x20, 0x7e)]);
    else fields.push([text(20, 0x61, 0x7a) || 'x', rand() < 0.2 ? text(300, 0x00, 0xff) : text(60, 0x20, 0x7e)]);
  }
  const rest = fields.filter(([name]) => name !== ':status');
  return rand() < 0.7 ? [[':status', String(100 + int(500))], ...rest] : rest;
}

describe('HPACK against hpack.js', () => {
  it('the Huffman code and the static table match row by row', () => {
    assert.equal(HUFFMAN_CODES.length, 257);
    HUFFMAN_CODES.forEach(([code, bits], symbol) => assert.deepEqual([bits, code], hpack.huffman.encode[symbol], `symbol ${symbol}`));
    assert.deepEqual(
      STATIC_TABLE,
      hpack['static-table'].table.map(({ name, value }) => [name, value]),
    );
  });

  it('Huffman round trip of every octet, and lengths as the oracle encodes them', () => {
    const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    const encoded = huffmanEncode(all);
    assert.equal(encoded.length, huffmanLength(all));
    assert.equal(huffmanDecode(encoded, 0, encoded.length), all);
    const rand = random(7);
    for (let i = 0; i < 300; i++) {
      const s = String.fromCharCode(...Array.from({ length: Math.floor(rand() * 50) }, () => Math.floor(rand() * 256)));
      const e = huffmanEncode(s);
      assert.equal(huffmanDecode(e, 0, e.length), s);
      // The oracle's Huffman literal of the same value: 1 + length octets (1 prefix octet while length < 127).
      const compressor = hpack.compressor.create({ table: { maxSize: 4096 } });
      compressor.write([{ name: 'x', value: s, huffman: true, incremental: false }]);
      const block = compressor.read()!;
      if (e.length < 127) assert.deepEqual(block.subarray(block.length - e.length), e, JSON.stringify(s));
    }
  });

  for (const tableSize of [4096, 256, 0]) {
    it(`random header lists encoded by hpack.js decode the same with ours (table ${tableSize})`, () => {
      const rand = random(tableSize + 1);
      const compressor = hpack.compressor.create({ table: { maxSize: tableSize } });
      const oracle = hpack.decompressor.create({ table: { maxSize: tableSize } });
      const decoder = new HpackDecoder(tableSize);
      const reused: Fields = [];
      for (let block = 0; block < 300; block++) {
        const fields = randomFields(rand, reused);
        reused.push(...fields.slice(0, 2));
        if (reused.length > 20) reused.splice(0, reused.length - 20);
        compressor.write(
          fields.map(([name, value]) => ({
            name,
            value,
            huffman: rand() < 0.6,
            incremental: rand() < 0.7,
            neverIndex: rand() < 0.1,
          })),
        );
        const encoded = compressor.read() ?? Buffer.alloc(0); // an empty list makes no output
        const sink = new Collect();
        decoder.decode(encoded, 0, encoded.length, sink);
        assert.deepEqual(sink.fields, fields, `block ${block}`);
        const status = fields[0]?.[0] === ':status' ? Number(fields[0][1]) : 0;
        assert.equal(decoder.status, status);
        assert.deepEqual(oracleDecode(oracle, encoded).map((f) => [f.name, f.value]), fields, `oracle, block ${block}`);
        assert.deepEqual(decoder.dynamicTableEntries(), oracleTable(oracle), `table after block ${block}`);
      }
      assert.ok(tableSize === 0 || decoder.dynamicTableEntries().length > 0, 'the dynamic table was used');
    });
  }

  it('blocks made by our encoder decode the same with hpack.js; sensitive names are never indexed', () => {
    const rand = random(99);
    for (let block = 0; block < 300; block++) {
      const fields = randomFields(rand, []);
      if (rand() < 0.3) fields.push(['authorization', 'Bearer abc.def'], ['cookie', 'a=b']);
      if (rand() < 0.3) fields.unshift(['user-agent', 'loadhttp']);
      fields.push([':path', '/x'], [':method', 'GET']);
      const encoded = encodeHeaderBlock(fields);
      const pseudoFirst = [...fields.filter(([n]) => n.startsWith(':')), ...fields.filter(([n]) => !n.startsWith(':'))];
      const decoded = oracleDecode(hpack.decompressor.create({ table: { maxSize: 4096 } }), encoded);
      assert.deepEqual(decoded.map((f) => [f.name, f.value]), pseudoFirst, `block ${block}`);
      for (const field of decoded) {
        assert.equal(field.neverIndex, isSensitiveHeader(field.name), field.name);
      }
      // Our own decoder agrees and nothing entered its dynamic table (blocks are state-free).
      const decoder = new HpackDecoder();
      const sink = new Collect();
      decoder.decode(encoded, 0, encoded.length, sink);
      assert.deepEqual(sink.fields, pseudoFirst);
      assert.equal(decoder.dynamicTableSize, 0);
    }
  });
});

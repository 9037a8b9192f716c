// HPACK (RFC 7541): the Appendix C examples as literal hex, error cases, and the encoder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HpackDecoder, HpackError, type HeaderSink } from '../src/transport/h2/hpack/decoder.ts';
import { encodeHeaderBlock, encodeInteger, encodeString } from '../src/transport/h2/hpack/encoder.ts';
import { huffmanDecode, huffmanEncode, huffmanLength } from '../src/transport/h2/hpack/huffman.ts';

type Fields = Array<[string, string]>;

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

class Collect implements HeaderSink {
  fields: Fields = [];
  header(name: string, value: string): void {
    this.fields.push([name, value]);
  }
}

function decode(decoder: HpackDecoder, block: Buffer): Fields {
  const sink = new Collect();
  decoder.decode(block, 0, block.length, sink);
  return sink.fields;
}

const isHpackError = (message: RegExp) => (err: unknown) =>
  err instanceof HpackError && err.code === 'LOADHTTP_HPACK' && message.test(err.message);

interface Example {
  id: string;
  block: string;
  fields: Fields;
  table: Fields;
  size: number;
}

// RFC 7541 Appendix C.3 (requests, no Huffman) and C.4 (the same, Huffman): one connection each, 4096-octet table.
const requests: Array<{ block: string; huffmanBlock: string; fields: Fields; table: Fields; size: number }> = [
  {
    block: '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    huffmanBlock: '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
    fields: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
    table: [[':authority', 'www.example.com']],
    size: 57,
  },
  {
    block: '8286 84be 5808 6e6f 2d63 6163 6865',
    huffmanBlock: '8286 84be 5886 a8eb 1064 9cbf',
    fields: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
    table: [['cache-control', 'no-cache'], [':authority', 'www.example.com']],
    size: 110,
  },
  {
    block: '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
    huffmanBlock: '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
    fields: [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
    table: [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], [':authority', 'www.example.com']],
    size: 164,
  },
];

// RFC 7541 Appendix C.5 (responses, no Huffman) and C.6 (Huffman): a 256-octet table, so entries are evicted.
const date1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const date2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
const cookie = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const responses: Array<{ block: string; huffmanBlock: string; fields: Fields; table: Fields; size: number }> = [
  {
    block: `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
            2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`,
    huffmanBlock: `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
                   2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
    fields: [[':status', '302'], ['cache-control', 'private'], ['date', date1], ['location', 'https://www.example.com']],
    table: [['location', 'https://www.example.com'], ['date', date1], ['cache-control', 'private'], [':status', '302']],
    size: 222,
  },
  {
    block: '4803 3330 37c1 c0bf',
    huffmanBlock: '4883 640e ffc1 c0bf',
    fields: [[':status', '307'], ['cache-control', 'private'], ['date', date1], ['location', 'https://www.example.com']],
    table: [[':status', '307'], ['location', 'https://www.example.com'], ['date', date1], ['cache-control', 'private']],
    size: 222,
  },
  {
    block: `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
            54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
            5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31`,
    huffmanBlock: `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
                   77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
                   9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
    fields: [[':status', '200'], ['cache-control', 'private'], ['date', date2], ['location', 'https://www.example.com'], ['content-encoding', 'gzip'], ['set-cookie', cookie]],
    table: [['set-cookie', cookie], ['content-encoding', 'gzip'], ['date', date2]],
    size: 215,
  },
];

function runConnection(examples: typeof requests, huffman: boolean, tableSize: number): void {
  const decoder = new HpackDecoder(tableSize);
  for (const example of examples) {
    assert.deepEqual(decode(decoder, hex(huffman ? example.huffmanBlock : example.block)), example.fields);
    assert.deepEqual(decoder.dynamicTableEntries(), example.table);
    assert.equal(decoder.dynamicTableSize, example.size);
  }
}

describe('HPACK decoder: RFC 7541 Appendix C', () => {
  it('C.2.1 literal with indexing, literal name', () => {
    const decoder = new HpackDecoder();
    assert.deepEqual(decode(decoder, hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')), [['custom-key', 'custom-header']]);
    assert.deepEqual(decoder.dynamicTableEntries(), [['custom-key', 'custom-header']]);
    assert.equal(decoder.dynamicTableSize, 55);
  });
  it('C.2.2 literal without indexing, indexed name', () => {
    const decoder = new HpackDecoder();
    assert.deepEqual(decode(decoder, hex('040c 2f73 616d 706c 652f 7061 7468')), [[':path', '/sample/path']]);
    assert.deepEqual(decoder.dynamicTableEntries(), []);
    assert.equal(decoder.dynamicTableSize, 0);
  });
  it('C.2.3 literal never indexed', () => {
    const decoder = new HpackDecoder();
    assert.deepEqual(decode(decoder, hex('1008 7061 7373 776f 7264 0673 6563 7265 74')), [['password', 'secret']]);
    assert.equal(decoder.dynamicTableSize, 0);
  });
  it('C.2.4 indexed field', () => {
    const decoder = new HpackDecoder();
    assert.deepEqual(decode(decoder, hex('82')), [[':method', 'GET']]);
    assert.equal(decoder.dynamicTableSize, 0);
  });
  it('C.3 requests without Huffman, with the dynamic table after each', () => runConnection(requests, false, 4096));
  it('C.4 requests with Huffman, with the dynamic table after each', () => runConnection(requests, true, 4096));
  it('C.5 responses without Huffman, 256-octet table with eviction', () => runConnection(responses, false, 256));
  it('C.6 responses with Huffman, 256-octet table with eviction', () => runConnection(responses, true, 256));

  it('C.1 integers: 10 and 1337 on a 5-bit prefix, 42 on 8 bits (encoder and decoder)', () => {
    assert.deepEqual(encodeInteger(0, 5, 10), hex('0a'));
    assert.deepEqual(encodeInteger(0, 5, 1337), hex('1f9a0a'));
    assert.deepEqual(encodeInteger(0, 8, 42), hex('2a'));
    // 1337 as a dynamic table size update (001 + 5-bit prefix) is above 256: the decoder reads the full integer.
    assert.throws(() => new HpackDecoder(256).decode(hex('3f9a0a'), 0, 3), isHpackError(/1337 exceeds our maximum 256/));
    const decoder = new HpackDecoder(4096);
    decoder.decode(hex('3f9a0a'), 0, 3);
    assert.equal(decoder.dynamicTableSize, 0);
  });

  it('decodes a block given as a range inside a larger Uint8Array (not a Buffer)', () => {
    const block = hex(responses[0]!.block);
    const bytes = new Uint8Array(block.length + 10);
    bytes.set(block, 5);
    const decoder = new HpackDecoder(256);
    const sink = new Collect();
    decoder.decode(bytes, 5, 5 + block.length, sink);
    assert.deepEqual(sink.fields, responses[0]!.fields);
    assert.equal(decoder.status, 302);
  });
});

describe('HPACK decoder: status and content-length', () => {
  it('reads :status indexed (static), literal, Huffman and from the dynamic table, without a sink', () => {
    const decoder = new HpackDecoder(256);
    decoder.decode(hex('88'), 0, 1);
    assert.equal(decoder.status, 200);
    assert.equal(decoder.contentLength, -1);
    const c5 = responses.map((r) => hex(r.block));
    for (const [i, expected] of [302, 307, 200].entries()) {
      decoder.decode(c5[i]!, 0, c5[i]!.length);
      assert.equal(decoder.status, expected);
    }
    const c6 = new HpackDecoder(256);
    for (const [i, expected] of [302, 307, 200].entries()) {
      const block = hex(responses[i]!.huffmanBlock);
      c6.decode(block, 0, block.length);
      assert.equal(c6.status, expected);
    }
    // Decoding without a sink kept the table as with one.
    assert.deepEqual(c6.dynamicTableEntries(), responses[2]!.table);
  });

  it('reads content-length (literal, Huffman, indexed from the dynamic table); -1 when absent or invalid', () => {
    const cl = (value: string, huffman = false) => encodeLiteral(0x40, 28, value, huffman);
    const decoder = new HpackDecoder();
    let block: Buffer = Buffer.concat([hex('88'), cl('1234')]);
    decoder.decode(block, 0, block.length);
    assert.equal(decoder.contentLength, 1234);
    block = hex('88be'); // the entry just added: index 62
    decoder.decode(block, 0, block.length);
    assert.equal(decoder.contentLength, 1234);
    block = Buffer.concat([hex('88'), cl('98765', true)]);
    decoder.decode(block, 0, block.length);
    assert.equal(decoder.contentLength, 98765);
    for (const bad of ['', '12a', '-1', '1234567890123456', ' 12']) {
      block = Buffer.concat([hex('88'), cl(bad)]);
      decoder.decode(block, 0, block.length);
      assert.equal(decoder.contentLength, -1, JSON.stringify(bad));
    }
    block = Buffer.concat([hex('88'), cl('5'), cl('6')]);
    decoder.decode(block, 0, block.length);
    assert.equal(decoder.contentLength, -1, 'two different values');
    block = Buffer.concat([hex('88'), cl('7'), cl('7')]);
    decoder.decode(block, 0, block.length);
    assert.equal(decoder.contentLength, 7, 'the same value twice');
    block = hex('88');
    decoder.decode(block, 0, block.length);
    assert.equal(decoder.contentLength, -1, 'reset for each block');
    // A literal name "content-length" (not indexed) is recognised too.
    block = Buffer.concat([hex('88 00'), rawString('content-length'), rawString('42')]);
    decoder.decode(block, 0, block.length);
    assert.equal(decoder.contentLength, 42);
  });

  it('rejects a :status that is not 3 digits, after keeping the table in sync', () => {
    for (const bad of ['20', '2000', '2x0', '']) {
      const decoder = new HpackDecoder();
      const block = Buffer.concat([encodeLiteral(0x40, 8, bad, false), encodeLiteral(0x40, 0, 'x', false, 'a')]);
      assert.throws(() => decoder.decode(block, 0, block.length), isHpackError(/:status is not 3 digits/), JSON.stringify(bad));
      assert.equal(decoder.dynamicTableEntries().length, 2);
    }
    const decoder = new HpackDecoder();
    assert.throws(() => decoder.decode(hex('8889'), 0, 2), isHpackError(/:status appears twice/));
  });
});

/** A literal field: pattern (0x40, 0x00, 0x10), name index (0: literal name `name`), value raw or Huffman. */
function encodeLiteral(pattern: number, nameIndex: number, value: string, huffman: boolean, name = ''): Buffer {
  const prefix = pattern === 0x40 ? 6 : 4;
  const parts = [encodeInteger(pattern, prefix, nameIndex)];
  if (nameIndex === 0) parts.push(rawString(name));
  parts.push(huffman ? Buffer.concat([encodeInteger(0x80, 7, huffmanLength(value)), huffmanEncode(value)]) : rawString(value));
  return Buffer.concat(parts);
}

function rawString(value: string): Buffer {
  return Buffer.concat([encodeInteger(0, 7, value.length), Buffer.from(value, 'latin1')]);
}

describe('HPACK decoder: errors', () => {
  const rejects = (block: Buffer, message: RegExp, decoder = new HpackDecoder()) =>
    assert.throws(() => decoder.decode(block, 0, block.length), isHpackError(message));

  it('index 0 and indices past the tables', () => {
    rejects(hex('80'), /index 0/);
    rejects(hex('be'), /index 62 is past the tables/);
    rejects(hex('7e 01 61'), /index 62 is past the tables/); // literal with indexed name 62
    rejects(hex('0f 30 01 61'), /index 63 is past the tables/); // 0f 30: 15 + 48
    const decoder = new HpackDecoder();
    decoder.decode(hex('4001 6101 62'), 0, 5); // a: b at 62
    decoder.decode(hex('be'), 0, 1);
    rejects(hex('bf'), /index 63 is past the tables \(61 static \+ 1 dynamic/, decoder);
  });

  it('truncated integers and strings', () => {
    rejects(hex('ff'), /truncated integer/);
    rejects(hex('ff 80'), /truncated integer/);
    rejects(hex('40'), /truncated string/);
    rejects(hex('4003 6162'), /string literal of 3 octets runs past the block end/);
    rejects(hex('4001 61'), /truncated string/);
    rejects(hex('4001 6103 6162'), /string literal of 3 octets runs past the block end/);
    rejects(hex('4001 61ff'), /truncated integer/);
  });

  it('absurd integers', () => {
    rejects(hex('ff ffffffff7f'), /integer too large/);
    rejects(hex('ff 8080808080 00'), /integer too large/); // over-long encoding of a small number
    rejects(hex('4001 617f ffffff7f'), /integer too large/);
  });

  it('Huffman: padding longer than 7 bits, padding not all ones, EOS inside a string', () => {
    // 'a' is 00011 (5 bits): 00011111 is 'a' and 3 bits of all-ones padding.
    assert.equal(huffmanDecode(hex('1f'), 0, 1), 'a');
    const huffmanName = (octets: string) => hex(`40 8${octets.length / 2} ${octets} 01 61`);
    assert.deepEqual(decode(new HpackDecoder(), huffmanName('1f')), [['a', 'a']]);
    rejects(huffmanName('1fff'), /invalid padding/); // 'a' then 11 ones
    rejects(huffmanName('ff'), /invalid padding/); // 8 ones and no symbol
    rejects(huffmanName('18'), /invalid padding/); // 'a' then 000
    rejects(huffmanName('1e'), /invalid padding/); // 'a' then 110
    rejects(huffmanName('fffffffc'), /EOS/); // 30 ones: EOS, then 00
    rejects(huffmanName('1fffffffff'), /EOS/); // 'a', then EOS (30 ones) and 5 more ones
  });

  it('dynamic table size updates: several at the start, none after a field, none above our maximum', () => {
    const decoder = new HpackDecoder(256);
    const c5 = hex(responses[0]!.block);
    decoder.decode(c5, 0, c5.length);
    assert.equal(decoder.dynamicTableSize, 222);
    // 3f e1 01 = 256, 20 = 0, 3f 81 01 = 160: the table is emptied by 0, then the limit is 160.
    let block: Buffer = Buffer.concat([hex('3fe101 20 3f8101'), c5]);
    decoder.decode(block, 0, block.length);
    // Under 160 octets only the last two entries of the first response fit (63 + 65).
    assert.deepEqual(decoder.dynamicTableEntries(), [['location', 'https://www.example.com'], ['date', date1]]);
    assert.equal(decoder.dynamicTableSize, 128);
    block = hex('3f 60'); // down to 127 (31 + 96): evicts the oldest entry
    decoder.decode(block, 0, block.length);
    assert.deepEqual(decoder.dynamicTableEntries(), [['location', 'https://www.example.com']]);
    rejects(hex('88 20'), /size update after a header field/, decoder);
    rejects(hex('3fe201'), /257 exceeds our maximum 256/, decoder);
    // An entry larger than the whole table empties it and is not added.
    block = hex('3f 01 88'); // limit 32 then ':status 200'
    decoder.decode(block, 0, block.length);
    block = hex('4001 6101 62'); // 'a: b' is 34 octets > 32
    decoder.decode(block, 0, block.length);
    assert.equal(decoder.dynamicTableSize, 0);
    assert.deepEqual(decoder.dynamicTableEntries(), []);
  });

  it('a header list larger than the limit (a constructor option)', () => {
    const big = encodeLiteral(0x00, 0, 'x'.repeat(1000), false, 'big');
    const block = Buffer.concat(Array.from({ length: 70 }, () => big)); // 70 * 1003 octets > 64 KiB
    rejects(block, /header list exceeds 65536 octets/);
    const roomy = new HpackDecoder(4096, { maxHeaderListSize: 100_000 });
    roomy.decode(block, 0, block.length);
    const small = new HpackDecoder(4096, { maxHeaderListSize: 20 });
    small.decode(hex('88'), 0, 1); // ':status' + '200': 10 octets
    rejects(Buffer.concat([hex('88'), encodeLiteral(0x00, 33, date1, false)]), /header list exceeds 20 octets/, small);
  });
});

describe('HPACK encoder: request header blocks', () => {
  it('static indices, literals without indexing with indexed names, Huffman when shorter (C.4.1 fields)', () => {
    const block = encodeHeaderBlock([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']]);
    // As C.4.1 but :authority without indexing (0x01 instead of 0x41): request blocks never touch the table.
    assert.deepEqual(block, hex('8286 8401 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff'));
  });

  it('puts pseudo-headers first, keeps each group in order, raw strings when Huffman is not shorter', () => {
    const block = encodeHeaderBlock([['x-a', '%%'], [':method', 'POST'], [':path', '/p'], ['x-b', 'c']]);
    // 83 :method POST; 04 :path, then '/p' raw (Huffman would also take 2 octets); then literal names.
    const decoder = new HpackDecoder();
    assert.deepEqual(decode(decoder, block), [[':method', 'POST'], [':path', '/p'], ['x-a', '%%'], ['x-b', 'c']]);
    assert.deepEqual(block.subarray(0, 5), hex('83 04 02 2f70'));
  });

  it('never indexes sensitive names, even when name and value match a static entry', () => {
    const block = encodeHeaderBlock([['authorization', 'x'], ['cookie', ''], ['set-cookie', 'a'], ['proxy-authorization', 'b'], ['accept-encoding', 'gzip, deflate']]);
    // 1f 08: never indexed, name index 23 (15 + 8); 1f 11: cookie (32); 1f 28: set-cookie (55); 1f 22: index 49; 90: accept-encoding full match.
    assert.deepEqual(block, hex('1f08 0178 1f11 00 1f28 0161 1f22 0162 90'));
  });

  it('refuses a character outside latin1, naming the header', () => {
    assert.throws(() => encodeHeaderBlock([['x-name', 'caf\u20ac']]), isHpackError(/value of header "x-name" has a character outside latin1 \(U\+20ac\) at offset 3/));
  });
});

describe('HPACK decoder: hostile input', () => {
  it('random octets and every truncation of the C.6 blocks either decode or throw HpackError, nothing else', () => {
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16;
    const check = (decoder: HpackDecoder, block: Buffer) => {
      try {
        decoder.decode(block, 0, block.length, new Collect());
      } catch (err) {
        assert.ok(err instanceof HpackError, `${(err as Error).name}: ${(err as Error).message} for ${block.toString('hex')}`);
      }
    };
    const decoder = new HpackDecoder(256);
    for (let i = 0; i < 20_000; i++) {
      const block = Buffer.from(Array.from({ length: 1 + (next() % 40) }, () => next() & 0xff));
      check(decoder, block);
      assert.ok(decoder.dynamicTableSize <= 256);
    }
    for (const { huffmanBlock } of responses) {
      const block = hex(huffmanBlock);
      for (let end = 0; end < block.length; end++) check(new HpackDecoder(256), block.subarray(0, end));
    }
  });
});

describe('HPACK decoder: literals seen before come from its cache', () => {
  it('gives the same fields and table as a fresh decoder, for repeated and differing literals of the same shape', () => {
    const cached = new HpackDecoder();
    // nginx's habit: the same literals with incremental indexing in every response; the date changes.
    // :status 200 indexed; server (54), date (33), content-length (28): literals with incremental indexing.
    const indexing = [0, 1, 1, 2, 0, 3].map((second) =>
      Buffer.concat([
        encodeInteger(0x80, 7, 8),
        ...([[54, 'nginx/1.22.1'], [33, `Fri, 04 Dec 2026 17:55:0${second} GMT`], [28, '12']] as const).flatMap(([index, value]) => [encodeInteger(0x40, 6, index), encodeString(value)]),
      ]),
    );
    for (const block of indexing) {
      const fresh = new HpackDecoder();
      // Bring the fresh decoder's table to the cached one's state first: replay every earlier block.
      for (const earlier of indexing.slice(0, indexing.indexOf(block))) fresh.decode(earlier, 0, earlier.length);
      assert.deepEqual(decode(cached, block), decode(fresh, block));
      assert.deepEqual(cached.dynamicTableEntries(), fresh.dynamicTableEntries());
      assert.equal(cached.contentLength, 12);
    }
    assert.equal(cached.dynamicTableEntries()[1]![1], 'Fri, 04 Dec 2026 17:55:03 GMT');
  });

  it('tells apart literals that share a cache slot (same length, first and last octet)', () => {
    const decoder = new HpackDecoder();
    for (const value of ['abcz', 'axyz', 'abcz', 'a__z', 'axyz']) {
      const block = encodeHeaderBlock([[':status', '200'], ['x-v', value]]);
      assert.deepEqual(decode(decoder, block), [[':status', '200'], ['x-v', value]]);
    }
  });
});

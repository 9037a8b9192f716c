// The HTTP/1.1 response parser on its own (transport/h1/response-parser.ts): each response gives the same
// statuses, body byte counts and keep-alive verdicts however its bytes are split across reads (at every
// position, and one byte at a time), and every violation throws a protocol error that says what.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseParser } from '../src/transport/h1/response-parser.ts';
import { H1ProtocolError } from '../src/transport/h1/errors.ts';

interface Parsed {
  status: number;
  bodyBytes: number;
  keepAlive: boolean;
}

/** Feeds `text` in the given pieces, like reads into a reused buffer; returns every completed response. */
function parse(text: string, cuts: number[], options: { head?: boolean; maxHead?: number } = {}): { responses: Parsed[]; heads: number[]; parser: ResponseParser } {
  const heads: number[] = [];
  const parser = new ResponseParser({ onResponseHead: (status) => (heads.push(status), options.head ?? false) }, options.maxHead ?? 1024);
  const bytes = Buffer.from(text, 'latin1');
  const responses: Parsed[] = [];
  const read = Buffer.alloc(bytes.length + 64, 0x41); // stale bytes beyond each read's end
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    const length = cut - from;
    bytes.copy(read, 0, from, cut);
    let at = 0;
    while (at < length) {
      at = parser.execute(read, at, length);
      if (parser.complete) responses.push({ status: parser.status, bodyBytes: parser.bodyBytes, keepAlive: parser.keepAlive });
    }
    from = cut;
  }
  return { responses, heads, parser };
}

const everyByte = (n: number): number[] => Array.from({ length: n - 1 }, (_, i) => i + 1);

const CASES: Array<{ name: string; text: string; expect: Parsed[]; head?: boolean }> = [
  {
    name: 'content-length bodies, keep-alive, pipelined',
    text: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n',
    expect: [
      { status: 200, bodyBytes: 5, keepAlive: true },
      { status: 404, bodyBytes: 0, keepAlive: true },
    ],
  },
  {
    name: 'chunked with extensions and trailers',
    text: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;a=b;c="d e\\"f"\r\nhello\r\nA\r\n0123456789\r\n0\r\nx-trailer: 1\r\nx-other: two\r\n\r\n',
    expect: [{ status: 200, bodyBytes: 15, keepAlive: true }],
  },
  {
    name: 'chunked without trailers, then another response',
    text: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n',
    expect: [
      { status: 200, bodyBytes: 3, keepAlive: true },
      { status: 204, bodyBytes: 0, keepAlive: true },
    ],
  },
  {
    name: '103 and 100 before the final response',
    text: 'HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok',
    expect: [{ status: 200, bodyBytes: 2, keepAlive: true }],
  },
  {
    name: 'Connection: close, and a 304 announcing a length',
    text: 'HTTP/1.1 304 Not Modified\r\ncontent-length: 10\r\n\r\nHTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\ncontent-length: 1\r\n\r\nx',
    expect: [
      { status: 304, bodyBytes: 0, keepAlive: false },
      { status: 200, bodyBytes: 1, keepAlive: false },
    ],
  },
  {
    name: 'HTTP/1.0 with keep-alive, no reason phrase',
    text: 'HTTP/1.0 200\r\nconnection: keep-alive\r\ncontent-length: 3\r\n\r\nabc',
    expect: [{ status: 200, bodyBytes: 3, keepAlive: true }],
  },
  {
    name: 'a HEAD response announcing a body',
    text: 'HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n',
    expect: [
      { status: 200, bodyBytes: 0, keepAlive: true },
      { status: 200, bodyBytes: 0, keepAlive: true },
    ],
    head: true,
  },
];

for (const c of CASES) {
  test(`h1 parser: ${c.name}, split at every position and byte by byte`, () => {
    const options = { head: c.head ?? false };
    assert.deepEqual(parse(c.text, [], options).responses, c.expect, 'in one read');
    for (const cut of everyByte(c.text.length)) assert.deepEqual(parse(c.text, [cut], options).responses, c.expect, `split at ${cut}`);
    assert.deepEqual(parse(c.text, everyByte(c.text.length), options).responses, c.expect, 'byte by byte');
  });
}

test('h1 parser: a body without a length ends at the close', () => {
  const text = 'HTTP/1.1 200 OK\r\n\r\nuntil the end';
  for (const cuts of [[], everyByte(text.length)]) {
    const { responses, parser } = parse(text, cuts);
    assert.deepEqual(responses, []);
    assert.ok(parser.midResponse);
    assert.equal(parser.finishAtClose(), true);
    assert.deepEqual({ status: parser.status, bodyBytes: parser.bodyBytes, keepAlive: parser.keepAlive }, { status: 200, bodyBytes: 13, keepAlive: false });
  }
});

test('h1 parser: an incomplete response says what is missing', () => {
  assert.match(parse('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc', []).parser.describeIncomplete(), /3 of 10 bytes/);
  assert.match(parse('HTTP/1.1 200 OK\r\ncontent-le', []).parser.describeIncomplete(), /head was incomplete/);
  assert.equal(parse('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc', []).parser.finishAtClose(), false);
});

const VIOLATIONS: Array<[string, string, RegExp]> = [
  ['HTTP/1.1 2x0 NOPE\r\n\r\n', 'bad status', /bad status line "HTTP\/1.1 2x0 NOPE"/],
  ['HTTP/2.0 200 OK\r\n\r\n', 'wrong version', /bad status line/],
  ['HTTQ', 'garbage', /bad status line/],
  ['HTTP/1.1 200 OK\nfoo: bar\r\n\r\n', 'LF without CR', /bad status line/],
  ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', 'a header without a colon', /invalid header "no colon here"/],
  ['HTTP/1.1 200 OK\r\nname : v\r\n\r\n', 'whitespace before the colon', /whitespace before the colon/],
  ['HTTP/1.1 200 OK\r\na: b\r\n folded\r\n\r\n', 'a folded line', /folded line/],
  ['HTTP/1.1 200 OK\r\na: b\x01c\r\n\r\n', 'a control byte in a value', /control character/],
  ['HTTP/1.1 200 OK\r\ncontent-length: 1x\r\n\r\n', 'a bad content-length', /invalid Content-Length "1x"/],
  ['HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 1\r\n\r\n', 'a duplicate content-length', /duplicate Content-Length/],
  ['HTTP/1.1 200 OK\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n', 'both framings', /both Content-Length and Transfer-Encoding/],
  ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n', 'a bad chunk size', /bad chunk size "z/],
  ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5 ;a\r\n', 'whitespace before a chunk extension', /bad chunk size/],
  ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;a b\r\n', 'whitespace in a chunk extension', /bad chunk extension/],
  ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc\r\n', 'a chunk longer than its size', /no CRLF after the chunk data/],
  ['HTTP/1.1 101 Switching Protocols\r\n\r\n', 'a 101', /101 Switching Protocols/],
  [`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(2000)}\r\n\r\n`, 'a head over the limit', /response head larger than 1024 bytes/],
];

for (const [text, name, message] of VIOLATIONS) {
  test(`h1 parser: ${name} is a protocol error, in one read and byte by byte`, () => {
    for (const cuts of [[], everyByte(text.length)]) {
      assert.throws(
        () => parse(text, cuts),
        (error: unknown) => error instanceof H1ProtocolError && error.code === 'LOADHTTP_H1_PROTOCOL' && message.test(error.message) && /^response does not match the HTTP\/1.1 protocol \(/.test(error.message),
        `${name}, ${cuts.length === 0 ? 'one read' : 'byte by byte'}`,
      );
    }
  });
}

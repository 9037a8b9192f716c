// HPACK on the wire: a raw TCP client speaks just enough HTTP/2 (preface, SETTINGS, HEADERS made by our encoder)
// to a node:http2 server on 127.0.0.1, and our decoder reads the server's response header blocks, the second of
// which uses the dynamic table the first filled.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http2';
import { connect, type AddressInfo } from 'node:net';
import { it } from 'node:test';
import { HpackDecoder, type HeaderSink } from '../src/transport/h2/hpack/decoder.ts';
import { encodeHeaderBlock } from '../src/transport/h2/hpack/encoder.ts';

const FRAME_HEADERS = 0x1;
const FRAME_SETTINGS = 0x4;
const FLAG_END_STREAM = 0x1;
const FLAG_END_HEADERS = 0x4;

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(stream, 5);
  return Buffer.concat([header, payload]);
}

it('decodes node:http2 response header blocks (static, Huffman, dynamic table) from a raw client', async (t) => {
  const server = createServer();
  server.on('stream', (stream, headers) => {
    stream.respond({
      ':status': headers[':path'] === '/missing' ? 404 : 200,
      'content-type': 'text/plain; charset=utf-8',
      'content-length': '5',
      'x-request-path': String(headers[':path']),
      'cache-control': 'no-store',
    });
    stream.end('hello');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;

  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  const request = (path: string) =>
    encodeHeaderBlock([[':method', 'GET'], [':scheme', 'http'], [':authority', `127.0.0.1:${port}`], [':path', path], ['user-agent', 'loadhttp-test']]);
  socket.write(
    Buffer.concat([
      Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'),
      frame(FRAME_SETTINGS, 0, 0, Buffer.alloc(0)),
      frame(FRAME_HEADERS, FLAG_END_STREAM | FLAG_END_HEADERS, 1, request('/a')),
      frame(FRAME_HEADERS, FLAG_END_STREAM | FLAG_END_HEADERS, 3, request('/missing')),
    ]),
  );

  // Collect the response HEADERS blocks of streams 1 and 3 (END_HEADERS set: one frame each, no padding or priority).
  const blocks = new Map<number, Buffer>();
  let pending = Buffer.alloc(0);
  for await (const chunk of socket) {
    pending = Buffer.concat([pending, chunk as Buffer]);
    while (pending.length >= 9) {
      const length = pending.readUIntBE(0, 3);
      if (pending.length < 9 + length) break;
      const type = pending[3]!;
      const flags = pending[4]!;
      const stream = pending.readUInt32BE(5) & 0x7fffffff;
      if (type === FRAME_HEADERS) {
        assert.equal(flags & 0x28, 0, 'no PADDED or PRIORITY flag');
        assert.ok(flags & FLAG_END_HEADERS);
        blocks.set(stream, pending.subarray(9, 9 + length));
      }
      pending = pending.subarray(9 + length);
    }
    if (blocks.size === 2) break;
  }

  const decoder = new HpackDecoder();
  const fields = (block: Buffer) => {
    const out: Array<[string, string]> = [];
    const sink: HeaderSink = { header: (name, value) => out.push([name, value]) };
    decoder.decode(block, 0, block.length, sink);
    return out.filter(([name]) => name !== 'date');
  };
  assert.deepEqual(fields(blocks.get(1)!), [
    [':status', '200'],
    ['content-type', 'text/plain; charset=utf-8'],
    ['content-length', '5'],
    ['x-request-path', '/a'],
    ['cache-control', 'no-store'],
  ]);
  assert.equal(decoder.status, 200);
  assert.equal(decoder.contentLength, 5);
  const tableAfterFirst = decoder.dynamicTableSize;
  assert.ok(tableAfterFirst > 0, 'node indexes its response fields');
  const second = blocks.get(3)!;
  assert.deepEqual(fields(second), [
    [':status', '404'],
    ['content-type', 'text/plain; charset=utf-8'],
    ['content-length', '5'],
    ['x-request-path', '/missing'],
    ['cache-control', 'no-store'],
  ]);
  assert.equal(decoder.status, 404);
  assert.equal(decoder.contentLength, 5);
  // The repeated fields came from the dynamic table: the second block is much shorter than the first.
  assert.ok(second.length < blocks.get(1)!.length / 2, `second block ${second.length} octets, first ${blocks.get(1)!.length}`);
});

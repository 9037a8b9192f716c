// A child-process HTTP/2 target for the allocation test (its allocations must not land in the measuring
// process): a frame server answering as nginx does (the same literal headers with incremental indexing in
// every response), the responses of one read in one write. Prints its URL.
import { encodeInteger, encodeString } from '../../src/transport/h2/hpack/encoder.ts';
import { frame, startFrameServer } from './h2-frame-server.ts';

const block = Buffer.concat([
  Buffer.from([0x88]), // :status 200
  ...([[54, 'nginx/1.22.1'], [33, 'Fri, 04 Dec 2026 17:55:00 GMT'], [31, 'text/plain'], [28, '12']] as const).flatMap(([index, value]) => [encodeInteger(0x40, 6, index), encodeString(value)]),
]);
const server = await startFrameServer({
  corked: true,
  onRequest: (conn, stream) => void conn.write(Buffer.concat([frame(1, 4, stream, block), frame(0, 1, stream, Buffer.from('hello world\n'))])),
});
process.stdout.write(server.url);

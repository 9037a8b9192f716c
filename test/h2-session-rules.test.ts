// The HTTP/2 session's rules that test/h2-transport.test.ts's violation list does not reach, one raw frame server
// each (127.0.0.1): a response head without :status, an interim 1xx ending its stream, trailers without
// END_STREAM, padding and priority fields that do not fit their frame, SETTINGS values the RFC forbids, a short
// GOAWAY. Stream errors fail the request as protocol-error and name the stream; connection errors (our GOAWAY)
// fail it as protocol-error and name the rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyError } from '../src/result/failure-classes.ts';
import { createH2Transport } from '../src/transport/h2/transport.ts';
import type { PreparedRequest, SendOutcome } from '../src/transport/transport.ts';
import { encodeHeaderBlock } from '../src/transport/h2/hpack/encoder.ts';
import { frame, responseBlock, settingsFrame, startFrameServer } from './helpers/h2-frame-server.ts';

const GET: PreparedRequest = { method: 'GET', path: '/', headers: [], body: null, wireBytes: 0 };
const HEADERS = 1;
const DATA = 0;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;

/** What the server writes for the request on `stream`, and what the request's error must say. */
const CASES: Array<[name: string, bytes: (stream: number) => Buffer, pattern: RegExp]> = [
  ['response headers without :status', (s) => frame(HEADERS, END_HEADERS | END_STREAM, s, encodeHeaderBlock([['content-type', 'text/plain']])), /response headers without :status on stream 1 \(sent RST_STREAM PROTOCOL_ERROR/],
  ['an interim 103 ending its stream', (s) => frame(HEADERS, END_HEADERS | END_STREAM, s, responseBlock(103)), /an informational 103 response ending stream 1/],
  [
    'trailers without END_STREAM',
    (s) => Buffer.concat([frame(HEADERS, END_HEADERS, s, responseBlock(200)), frame(HEADERS, END_HEADERS, s, encodeHeaderBlock([['x-trailer', '1']]))]),
    /trailers without END_STREAM on stream 1/,
  ],
  [
    'DATA padding as long as its payload',
    (s) => Buffer.concat([frame(HEADERS, END_HEADERS, s, responseBlock(200)), frame(DATA, PADDED | END_STREAM, s, [3, 0x61, 0x62])]),
    /a DATA frame whose padding is as long as its payload or longer \(sent GOAWAY PROTOCOL_ERROR/,
  ],
  ['HEADERS padding longer than its payload', (s) => frame(HEADERS, END_HEADERS | END_STREAM | PADDED, s, [9, 0x88]), /a HEADERS frame whose padding is as long as its payload or longer/],
  ['HEADERS too short for its priority fields', (s) => frame(HEADERS, END_HEADERS | END_STREAM | PRIORITY, s, [0, 0, 0]), /a HEADERS frame too short for its priority fields \(sent GOAWAY FRAME_SIZE_ERROR/],
  ['SETTINGS_ENABLE_PUSH 1 from the server', () => settingsFrame([[0x2, 1]]), /the server sent SETTINGS_ENABLE_PUSH 1/],
  ['SETTINGS_MAX_FRAME_SIZE under 16384', () => settingsFrame([[0x5, 100]]), /SETTINGS_MAX_FRAME_SIZE 100 outside 16384\.\.16777215/],
  ['SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1', () => settingsFrame([[0x4, 0x8000_0000]]), /SETTINGS_INITIAL_WINDOW_SIZE 2147483648 exceeds 2\^31-1 \(sent GOAWAY FLOW_CONTROL_ERROR/],
  ['a SETTINGS payload not a multiple of 6', () => frame(4, 0, 0, [0, 3, 0, 0, 0]), /a SETTINGS frame of 5 bytes, not a multiple of 6/],
  ['a GOAWAY under 8 bytes', () => frame(7, 0, 0, [0, 0, 0, 1]), /a GOAWAY frame of 4 bytes, under 8/],
];

for (const [name, bytes, pattern] of CASES) {
  test(`h2 session rule: ${name} fails the request as protocol-error`, async () => {
    const server = await startFrameServer({ onRequest: (conn, stream) => void conn.write(bytes(stream)) });
    const t = createH2Transport({
      target: server.url,
      protocol: 'h2',
      connections: 1,
      pipelining: 1,
      maxConcurrentStreams: 100,
      maxInflight: 1,
      tls: { insecure: false, ca: null, cert: null, key: null, servername: null },
      connectTimeoutMs: 2000,
      requestTimeoutMs: 5000,
    });
    try {
      await t.preflight();
      const error = await new Promise<Error | null>((resolve) => t.send(GET, (_outcome: SendOutcome | null, failure: Error | null) => resolve(failure)));
      assert.ok(error !== null, 'the request failed');
      assert.equal(classifyError(error), 'protocol-error');
      assert.match(error.message, pattern);
    } finally {
      await t.close();
      await server.close();
    }
  });
}

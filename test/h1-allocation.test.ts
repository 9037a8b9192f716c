// The HTTP/1.1 transport's per-request path allocates (almost) nothing in the steady state: measured in
// young-generation bytes per request over batches no scavenge interrupted (test/helpers/young-bytes.ts),
// against a target in another process. What remains is Node's own (a WriteWrap per socket write); undici
// allocates ~4.5 KB per request on the same path, so the bound below fails on any object or closure per
// request coming back. Allocation does not depend on timing, so a busy machine does not change it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { youngBytes } from './helpers/young-bytes.ts';

const TARGET = `
const server = require('node:http').createServer((req, res) => res.writeHead(200, { 'content-length': 12 }).end('hello world\\n'));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port)));
`;

test('h1 transport: under 600 young-generation bytes per request in the steady state (undici: several KB)', async () => {
  const target = spawn(process.execPath, ['-e', TARGET], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve) => target.stdout.once('data', (d: Buffer) => resolve(Number(String(d)))));
    const ours = await youngBytes(`http://127.0.0.1:${port}/hello`, 'loadhttp', 20_000, 4, 10_000);
    assert.ok(ours.bytesPerRequest < 600, `loadhttp allocated ${Math.round(ours.bytesPerRequest)} bytes per request`);
    const reference = await youngBytes(`http://127.0.0.1:${port}/hello`, 'undici', 5_000, 4, 5_000);
    assert.ok(reference.bytesPerRequest > 4 * ours.bytesPerRequest, `undici ${Math.round(reference.bytesPerRequest)}, loadhttp ${Math.round(ours.bytesPerRequest)} bytes per request`);
  } finally {
    target.kill();
  }
});

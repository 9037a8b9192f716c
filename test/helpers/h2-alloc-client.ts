// Child process of the allocation test (h2-transport.test.ts): sends bodiless GETs through the h2 transport,
// 32 in flight, to the URL given, and prints the JS heap bytes allocated per request in the steady state.
// Run with --expose-gc and a young generation large enough that no scavenge happens while it counts.
// Arguments: URL, requests counted (twice as many are sent first, to warm up).
import { getHeapSpaceStatistics } from 'node:v8';
import { createH2Transport } from '../../src/transport/h2/transport.ts';
import type { PreparedRequest, SendOutcome } from '../../src/transport/transport.ts';

const [url = '', countText = '20000'] = process.argv.slice(2);
const count = Number(countText);
const transport = createH2Transport({
  target: url,
  protocol: 'h2',
  connections: 1,
  pipelining: 1,
  maxConcurrentStreams: 32,
  maxInflight: 32,
  tls: { insecure: false, ca: null, cert: null, key: null, servername: null },
  connectTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
});
const request: PreparedRequest = { method: 'GET', path: '/', headers: ['user-agent', 'loadhttp-test'], body: null, wireBytes: 40 };

/** Sends `n` requests, 32 at a time; resolves when all are done. */
function run(n: number): Promise<void> {
  let sent = 0;
  let ended = 0;
  return new Promise((resolve, reject) => {
    const done = (outcome: SendOutcome | null, error: Error | null): void => {
      if (outcome === null) return reject(error);
      if (++ended === n) return resolve();
      if (sent < n) {
        sent++;
        transport.send(request, done);
      }
    };
    for (; sent < 32; sent++) transport.send(request, done);
  });
}

const young = (): number => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.space_used_size;

await transport.preflight();
await run(count * 2); // warm up: the JIT, the free lists, the HPACK cache
// Bytes allocated in the young generation over `count` more requests. No gc() in between: a full collection
// makes the next requests re-warm (and allocate) as after a start. The young generation is large enough that
// no scavenge comes in the way; should one come (the count went down), the measure is taken again.
let bytes = -1;
for (let attempt = 0; attempt < 3 && bytes < 0; attempt++) {
  const before = young();
  await run(count);
  bytes = young() - before;
}
await transport.close();
console.log(JSON.stringify({ bytesPerRequest: bytes / count }));

// Micro-benchmark (not a test): what the transport allocates per request in the steady state, for a
// bodiless-ish GET (`/hello`, 12 bytes) over keep-alive, loadhttp's own HTTP/1.1 transport beside undici's.
// The target runs in a child process (its allocations are not ours). After a warmup, the young
// generation's used bytes are read before and after batches of requests that ran without a scavenge in
// between (a PerformanceObserver on 'gc' tells): the difference is what those requests allocated,
// Node's own socket machinery (a WriteWrap per write, ...) included. Scavenges are counted over the
// whole measured stretch too.
// Run: ./node_modules/.bin/node --max-semi-space-size=16 test/bench/allocation.ts [requests] [connections]
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PerformanceObserver, constants, performance, type PerformanceEntry } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import { createTransport } from '../../src/transport/create.ts';
import type { PreparedRequest, SendOutcome, Transport } from '../../src/transport/transport.ts';
import type { TransportChoice } from '../../src/scenario/types.ts';

const N = Number(process.argv[2] ?? 200_000);
const CONNECTIONS = Number(process.argv[3] ?? 8);
const HERE = path.dirname(fileURLToPath(import.meta.url));

let scavenges = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
}).observe({ entryTypes: ['gc'] });

const newSpaceUsed = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

/** Runs `count` requests, CONNECTIONS at a time, with one callback for all (no closure per request). */
function drive(transport: Transport, request: PreparedRequest, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let started = 0;
    let finished = 0;
    const done = (outcome: SendOutcome | null, error: Error | null): void => {
      if (outcome === null) return reject(error);
      if (++finished === count) return resolve();
      if (started < count) {
        started++;
        transport.send(request, done);
      }
    };
    for (; started < Math.min(CONNECTIONS, count); started++) transport.send(request, done);
  });
}

async function measure(url: string, choice: TransportChoice): Promise<{ bytesPerRequest: number; scavengesPer100k: number; rps: number }> {
  const transport = createTransport({
    transport: choice,
    target: url,
    protocol: 'h1',
    connections: CONNECTIONS,
    pipelining: 1,
    maxConcurrentStreams: 100,
    tls: { insecure: false, ca: null, cert: null, key: null, servername: null },
    connectTimeoutMs: 5000,
    requestTimeoutMs: 10_000,
  });
  await transport.preflight();
  const request: PreparedRequest = { method: 'GET', path: '/hello', headers: ['user-agent', 'loadhttp/bench'], body: null, wireBytes: 60 };
  await drive(transport, request, 50_000);
  // Young-generation bytes over batches small enough to fit between two scavenges; batches a scavenge
  // interrupted are left out.
  const batch = 500;
  const samples: number[] = [];
  const before = scavenges;
  const started = performance.now();
  for (let done = 0; done < N; done += batch) {
    const gcs = scavenges;
    const used = newSpaceUsed();
    await drive(transport, request, batch);
    const grown = newSpaceUsed() - used;
    if (scavenges === gcs && grown >= 0) samples.push(grown / batch);
  }
  const seconds = (performance.now() - started) / 1000;
  await transport.close();
  samples.sort((a, b) => a - b);
  return {
    bytesPerRequest: samples[samples.length >> 1] ?? NaN,
    scavengesPer100k: ((scavenges - before) / N) * 100_000,
    rps: N / seconds,
  };
}

const target = spawn(process.execPath, [path.join(HERE, 'target.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const port = await new Promise<number>((resolve) => target.stdout.once('data', (d: Buffer) => resolve(JSON.parse(String(d)).port)));
  const url = `http://127.0.0.1:${port}`;
  console.log(`${N} requests over ${CONNECTIONS} connections to a node:http /hello target (median of ${N / 500} batches)`);
  console.log('| transport | young-generation bytes/request | scavenges per 100k requests | req/s (noisy) |\n|---|--:|--:|--:|');
  for (const choice of ['loadhttp', 'undici'] as const) {
    const r = await measure(url, choice);
    console.log(`| ${choice} | ${Math.round(r.bytesPerRequest)} | ${r.scavengesPer100k.toFixed(1)} | ${Math.round(r.rps)} |`);
  }
} finally {
  target.kill();
}

// What a transport allocates per request in the steady state: the young generation's used bytes, read
// before and after batches of requests that ran without a scavenge in between (a PerformanceObserver on
// 'gc' tells), divided by the batch size; Node's own socket machinery (a WriteWrap per write, ...) is
// included. Used by test/h1-allocation.test.ts, test/h2-transport.test.ts and test/bench/allocation.ts.
import { PerformanceObserver, constants, performance, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { createTransport } from '../../src/transport/create.ts';
import type { TransportChoice } from '../../src/scenario/types.ts';
import type { PreparedRequest, SendOutcome, Transport } from '../../src/transport/transport.ts';

export interface YoungBytes {
  /** Median over the batches no scavenge interrupted. */
  bytesPerRequest: number;
  scavengesPer100k: number;
  rps: number;
}

const BATCH = 500;
const newSpaceUsed = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

/** Runs `count` requests, `concurrency` at a time, with one callback for all (no closure per request). */
function drive(transport: Transport, request: PreparedRequest, count: number, concurrency: number): Promise<void> {
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
    for (; started < Math.min(concurrency, count); started++) transport.send(request, done);
  });
}

/**
 * `requests` GETs of `url` (an origin plus path) after `warmup` ones, over `connections` keep-alive connections
 * (h1), or with `h2`, over that many HTTP/2 sessions of `h2.streams` streams each, all in flight; `h2.batch`:
 * requests per sample (default 500). A batch starts with every request sent outside a socket read and ends
 * with the sessions idle: with dozens of streams in flight, 500 requests are a few rounds and that start and
 * end weigh (~10 bytes per request with 32 streams); 5,000 make them negligible where little is allocated.
 */
export async function youngBytes(
  url: string,
  choice: TransportChoice,
  requests: number,
  connections: number,
  warmup = 50_000,
  h2: { streams: number; batch?: number } | null = null,
): Promise<YoungBytes> {
  let scavenges = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const target = new URL(url);
  const transport = createTransport({
    transport: choice,
    target: target.origin,
    protocol: h2 ? 'h2' : 'h1',
    connections,
    pipelining: 1,
    maxConcurrentStreams: h2?.streams ?? 100,
    maxInflight: connections * (h2?.streams ?? 1),
    tls: { insecure: false, ca: null, cert: null, key: null, servername: null },
    connectTimeoutMs: 5000,
    requestTimeoutMs: 10_000,
  });
  try {
    await transport.preflight();
    const request: PreparedRequest = { method: 'GET', path: target.pathname, headers: ['user-agent', 'loadhttp/test'], body: null, wireBytes: 60 };
    const concurrency = connections * (h2?.streams ?? 1);
    const batch = h2?.batch ?? BATCH;
    await drive(transport, request, warmup, concurrency);
    const samples: number[] = [];
    const before = scavenges;
    const started = performance.now();
    for (let done = 0; done < requests; done += batch) {
      const gcs = scavenges;
      const used = newSpaceUsed();
      await drive(transport, request, batch, concurrency);
      const grown = newSpaceUsed() - used;
      if (scavenges === gcs && grown >= 0) samples.push(grown / batch);
    }
    const seconds = (performance.now() - started) / 1000;
    samples.sort((a, b) => a - b);
    return { bytesPerRequest: samples[samples.length >> 1] ?? NaN, scavengesPer100k: ((scavenges - before) / requests) * 100_000, rps: requests / seconds };
  } finally {
    observer.disconnect();
    await transport.close();
  }
}

// Micro-benchmark (not a test): HPACK decoding of response header blocks, ns per block (wall and CPU), and minor GCs per
// million blocks as a proxy for allocation. Blocks:
// - nginx: what nginx sends (it never indexes): :status 200 indexed, then server, date, content-type,
//   content-length, last-modified, etag, accept-ranges as literals without indexing, indexed names, Huffman values.
// - node: what node:http2 (nghttp2) sends once its dynamic table is warm: every field indexed.
// Each decoded without a sink (the transport's path: status and content-length only) and with a sink.
// Run: ./node_modules/.bin/node test/bench/hpack.mjs [blocks]
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { HpackDecoder } from '../../src/transport/h2/hpack/decoder.ts';
import { encodeHeaderBlock, encodeInteger, encodeString } from '../../src/transport/h2/hpack/encoder.ts';

const N = Number(process.argv[2] ?? 1_000_000);

const nginx = encodeHeaderBlock([
  [':status', '200'],
  ['server', 'nginx/1.24.0'],
  ['date', 'Fri, 04 Dec 2026 17:45:12 GMT'],
  ['content-type', 'text/html'],
  ['content-length', '615'],
  ['last-modified', 'Tue, 11 Apr 2023 01:45:34 GMT'],
  ['etag', '"6434bbbe-267"'],
  ['accept-ranges', 'bytes'],
]);

// node:http2 (nghttp2) indexes what it sends: its first response adds content-length, content-type and date to
// the table; later ones within the same second are all indexed: :status 200 (static 8), then 62-64 (dynamic).
const nodeFirst = Buffer.concat([
  Buffer.of(0x88),
  encodeInteger(0x40, 6, 28), encodeString('615'),
  encodeInteger(0x40, 6, 31), encodeString('text/html; charset=utf-8'),
  encodeInteger(0x40, 6, 33), encodeString('Fri, 04 Dec 2026 17:45:12 GMT'),
]);
const nodeWarm = Buffer.of(0x88, 0x80 | 62, 0x80 | 63, 0x80 | 64);
function nodeDecoder() {
  const decoder = new HpackDecoder();
  decoder.decode(nodeFirst, 0, nodeFirst.length, null);
  return decoder;
}

let gcs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail?.kind === 1) gcs++; // NODE_PERFORMANCE_GC_MINOR
}).observe({ entryTypes: ['gc'] });

const sink = {
  n: 0,
  header(name, value) {
    this.n += name.length + value.length;
  },
};

async function run(label, block, decoder, withSink) {
  const s = withSink ? sink : null;
  for (let i = 0; i < 100_000; i++) decoder.decode(block, 0, block.length, s); // warm up the JIT
  await new Promise((resolve) => setImmediate(resolve));
  gcs = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) decoder.decode(block, 0, block.length, s);
  const cpu = process.cpuUsage(cpu0);
  const ns = ((performance.now() - t0) * 1e6) / N;
  const cpuNs = ((cpu.user + cpu.system) * 1e3) / N; // steadier than wall time on a shared machine
  await new Promise((resolve) => setImmediate(resolve)); // let the GC observer report
  if (decoder.status !== 200) throw new Error(`${label}: status ${decoder.status}`);
  console.log(`${label.padEnd(28)} ${String(block.length).padStart(3)} octets  ${ns.toFixed(0).padStart(5)} ns/block (CPU ${cpuNs.toFixed(0).padStart(5)} ns)  ${String(Math.round((gcs * 1e6) / N)).padStart(4)} minor GCs per 1e6 blocks  content-length ${decoder.contentLength}`);
}

console.log(`HPACK decode, ${N} blocks each (node ${process.version})`);
await run('nginx, no sink', nginx, new HpackDecoder(), false);
await run('nginx, with a sink', nginx, new HpackDecoder(), true);
await run('node (warm table), no sink', nodeWarm, nodeDecoder(), false);
await run('node (warm table), with a sink', nodeWarm, nodeDecoder(), true);
await run('node first block, no sink', nodeFirst, new HpackDecoder(), false);

// Micro-benchmark (not a test): what each transport allocates per request in the steady state, for a GET of
// `/hello` (12 bytes) over keep-alive, loadhttp's own HTTP/1.1 transport beside undici's (see
// test/helpers/young-bytes.ts for how). The target runs in a child process: its allocations are not ours.
// Run: ./node_modules/.bin/node --max-semi-space-size=16 test/bench/allocation.ts [requests] [connections]
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { youngBytes } from '../helpers/young-bytes.ts';

const N = Number(process.argv[2] ?? 200_000);
const CONNECTIONS = Number(process.argv[3] ?? 8);
const HERE = path.dirname(fileURLToPath(import.meta.url));

const target = spawn(process.execPath, [path.join(HERE, 'target.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const port = await new Promise<number>((resolve) => target.stdout.once('data', (d: Buffer) => resolve(JSON.parse(String(d)).port)));
  console.log(`${N} requests over ${CONNECTIONS} connections to a node:http /hello target (median of ${N / 500} batches of 500)`);
  console.log('| transport | young-generation bytes/request | scavenges per 100k requests | req/s (noisy) |\n|---|--:|--:|--:|');
  for (const choice of ['loadhttp', 'undici'] as const) {
    const r = await youngBytes(`http://127.0.0.1:${port}/hello`, choice, N, CONNECTIONS);
    console.log(`| ${choice} | ${Math.round(r.bytesPerRequest)} | ${r.scavengesPer100k.toFixed(1)} | ${Math.round(r.rps)} |`);
  }
} finally {
  target.kill();
}

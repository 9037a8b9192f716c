#!/usr/bin/env node
// `npm run bench:big-body`: how much a large response body raises loadhttp's memory. nginx (from
// nginx.mjs) serves a BIG_BODY_MIB file (default 50) over h1 and h2c; loadhttp fetches it BIG_BODY_COUNT
// times (default 20) over one connection, on each transport, and the same run of `/hello` is the idle
// process it is compared with. Peak RSS is the kernel's (GNU time's maximum resident set size), so the
// re-exec in bin/loadhttp.js (same pid) is measured whole. Bodies are counted, never kept: the figure
// should not grow with the body size.
//   BIG_BODY_MIB=50 BIG_BODY_COUNT=20 npm run bench:big-body
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNginx } from './nginx.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(HERE, '../../bin/loadhttp.js');
const MIB = Number(process.env.BIG_BODY_MIB ?? 50);
const COUNT = Number(process.env.BIG_BODY_COUNT ?? 20);

const work = mkdtempSync(path.join(tmpdir(), 'loadhttp-big-body-'));
chmodSync(work, 0o755); // nginx workers run as another user and must read the files
const nginx = await startNginx(work);
if (!nginx) {
  console.error('bench:big-body needs nginx (Debian: apt-get install nginx-light)');
  process.exit(1);
}
writeFileSync(path.join(work, 'www', 'big.bin'), Buffer.alloc(MIB * 1024 * 1024, 'x'));

/** Peak RSS (MiB) and the result's counts of one bounded run. */
function run(url, proto, transport) {
  const flags = proto === 'h1' ? ['-c', '1'] : ['--h2', '-c', '1', '--connections', '1'];
  const argv = ['-f', '%M', process.execPath, BIN, 'run', '--url', url, ...flags, '-n', String(COUNT), '--transport', transport, '--timeout', '60s', '--json', '-', '-q'];
  const child = spawnSync('/usr/bin/time', argv, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  const peakKib = Number(child.stderr.trim().split('\n').at(-1));
  const result = JSON.parse(child.stdout);
  return { peakMib: peakKib / 1024, completed: result.counts.completed, received: result.bytes.received };
}

try {
  console.log(`${COUNT} responses of ${MIB} MiB over one connection; peak RSS in MiB (the /hello run is the idle process)\n`);
  console.log('| protocol | transport | /hello peak | big body peak | raised by | completed | received MiB |\n|---|---|--:|--:|--:|--:|--:|');
  for (const proto of ['h1', 'h2c']) {
    for (const transport of ['loadhttp', 'undici']) {
      const idle = run(`${nginx.urls[proto]}/hello`, proto, transport);
      const big = run(`${nginx.urls[proto]}/big.bin`, proto, transport);
      const row = [proto, transport, idle.peakMib.toFixed(0), big.peakMib.toFixed(0), (big.peakMib - idle.peakMib).toFixed(0), big.completed, (big.received / 1048576).toFixed(0)];
      console.log(`| ${row.join(' | ')} |`);
    }
  }
} finally {
  nginx.stop();
  rmSync(work, { recursive: true, force: true });
}

#!/usr/bin/env node
// Memory over a long run: loadhttp at a high fixed rate against the built-in target (test/bench/target.mjs,
// its own process) for LONG_RUN_MINUTES (default 5), then RSS at each minute from the result's per-second
// series (rssMb). Flat RSS after the first minute is the expectation: histograms are fixed size and the
// series is the only growth. Build first (npm run build or tsc). Not a test: a figure for docs/performance.md.
//   LONG_RUN_MINUTES=2 LONG_RUN_RATE=5000 node test/bench/long-run.mjs
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const minutes = Number(process.env.LONG_RUN_MINUTES ?? 5);
const rate = Number(process.env.LONG_RUN_RATE ?? 5000);
const target = spawn(process.execPath, [path.join(here, 'target.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
const { port } = await new Promise((resolve) => target.stdout.once('data', (d) => resolve(JSON.parse(String(d)))));
const out = path.join(mkdtempSync(path.join(tmpdir(), 'loadhttp-long-')), 'long.json');
try {
  execFileSync(
    process.execPath,
    [path.join(here, '../../bin/loadhttp.js'), 'run', '--url', `http://127.0.0.1:${port}/hello`, '--rate', String(rate), '-c', '64', '-d', `${minutes}m`, '--json', out, '-q'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
} catch (error) {
  if (error.status !== 0 && error.status !== 99) throw error;
} finally {
  target.kill('SIGTERM');
}
const result = JSON.parse(readFileSync(out, 'utf8'));
const rss = result.series.map((p) => p.rssMb);
const atMinutes = [1, ...Array.from({ length: minutes }, (_, i) => (i + 1) * 60)].map((s) => ({ s, rssMb: rss[Math.min(s, rss.length) - 1] }));
const afterFirst = rss.slice(60);
console.log(
  JSON.stringify(
    {
      minutes,
      targetRps: rate,
      achievedRps: Math.round(result.counts.sent / (result.durationMs / 1000)),
      sent: result.counts.sent,
      failed: result.counts.failed,
      rssMbAt: atMinutes,
      rssMbAfterFirstMinute: afterFirst.length ? { min: Math.min(...afterFirst), max: Math.max(...afterFirst) } : null,
      // One second's reading moves with the garbage collector's sawtooth; a minute's mean does not.
      rssMbMeanPerMinute: Array.from({ length: minutes }, (_, i) => rss.slice(i * 60, (i + 1) * 60)).map((m) => Math.round(m.reduce((a, b) => a + b, 0) / m.length)),
      seriesPoints: result.series.length,
      jsonBytes: readFileSync(out).length,
    },
    null,
    2,
  ),
);

// The live achieved-rate gauge counts what the target gauge counts: arrivals started per second. With a
// 3-step flow at a fixed rate it reads about the target, not the ~3× that counting responses gave; with
// --workers the parts' per-second arrivals add in the merge the endpoint serves. Scraped with a real parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { RunResult } from '../src/result/result.ts';
import { LOGIN_FLOW, startAuthServer } from './helpers/auth-server.ts';
import { runLiveCli } from './helpers/live-cli.ts';

/** One gauge's value in a scrape (undefined when the family or its sample is absent). */
function gauge(families: ReturnType<typeof parsePrometheusTextFormat>, name: string): number | undefined {
  const sample = families.find((f) => f.name === name)?.metrics[0];
  return sample === undefined ? undefined : Number(sample.value);
}

interface Reading {
  target: number;
  achieved: number;
}

/** Scrapes every 200 ms until the CLI lingers, then once more; the target and achieved gauges of each scrape that has both. */
async function scrapeRates(args: string[]): Promise<{ readings: Reading[]; finalHelp: string }> {
  const cli = runLiveCli(args);
  const [, url] = await cli.waitFor(/metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/);
  let lingering = false;
  const linger = cli.waitFor(/serving the final figures/).finally(() => (lingering = true));
  linger.catch(() => {});
  const readings: Reading[] = [];
  let finalHelp = '';
  for (let last = false; ; ) {
    const text = await (await fetch(url!)).text();
    const families = parsePrometheusTextFormat(text);
    const target = gauge(families, 'loadhttp_target_requests_per_second');
    const achieved = gauge(families, 'loadhttp_achieved_requests_per_second');
    if (target !== undefined && achieved !== undefined) readings.push({ target, achieved });
    if (last) {
      finalHelp = families.find((f) => f.name === 'loadhttp_achieved_requests_per_second')?.help ?? '';
      break;
    }
    await sleep(200);
    last = lingering;
  }
  const done = await cli.done;
  assert.equal(done.code, 0, done.stderr);
  return { readings, finalHelp };
}

/**
 * 120 arrivals of a 3-step flow at 30/s (4 s), a queue longer than the run. Summed over the scrapes the
 * achieved gauge is within ±35% of the target: each second's arrivals start as they are scheduled unless
 * every slot is busy (then a little later), whatever the machine's load; responses would read ~3×.
 * The result's series carries the same per-second arrivals: they add up to every arrival started.
 */
async function assertAchievedIsTarget(extra: string[]): Promise<void> {
  const server = await startAuthServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-metrics-arrivals-'));
  const json = path.join(dir, 'result.json');
  try {
    const file = path.join(dir, 'flow.yaml');
    writeFileSync(file, `name: live-arrivals\ntarget: ${server.url}\n${LOGIN_FLOW}`);
    const args = ['run', file, '--rate', '30', '-n', '120', '--max-queued', '200', '--metrics-port', '0', '--metrics-linger', '2s', '--json', json, '-q', ...extra];
    const { readings, finalHelp } = await scrapeRates(args);
    const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    const it = result.iterations!;
    assert.equal(it.failed, 0, JSON.stringify(result.errorExamples));
    assert.equal(result.counts.dropped ?? 0, 0);
    assert.equal(result.counts.sent, 360, 'three steps an arrival');
    assert.ok(readings.length >= 5, `scrapes with both gauges: ${readings.length}`);
    const target = readings.reduce((n, r) => n + r.target, 0);
    const achieved = readings.reduce((n, r) => n + r.achieved, 0);
    const ratio = achieved / target;
    assert.ok(ratio > 0.65 && ratio < 1.35, `achieved ${achieved} against target ${target} over ${readings.length} scrapes: ${JSON.stringify(readings)}`);
    assert.match(finalHelp, /arrivals started/);
    const arrivals = result.series.reduce((n, p) => n + (p.arrivals ?? 0), 0);
    assert.equal(arrivals, it.completed + it.failed + it.interrupted, 'the series counts every arrival started');
    assert.equal(result.series.reduce((n, p) => n + (p.scheduled ?? 0), 0), result.arrival!.scheduled);
    assert.ok(result.series.reduce((n, p) => n + p.requests, 0) > arrivals * 2, 'the series counts the steps\' responses apart');
  } finally {
    await server.close();
  }
}

test('metrics: a 3-step flow at 30/s: the achieved gauge counts arrivals started, about the target (not 3×)', async () => {
  await assertAchievedIsTarget([]);
});

test('metrics: the same with --workers 2: the merged achieved gauge adds the workers\' arrivals', async () => {
  await assertAchievedIsTarget(['--workers', '2']);
});

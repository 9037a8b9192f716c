// The HTML report in a real headless browser (system chromium via playwright-core): it loads with no
// console error and no request but its own file, every chart is drawn with the expected points, a
// request name cannot inject markup, and a real stall run shows its stall in the per-second P99 and in
// the distribution. Screenshots go to test-artifacts/ (the path is printed). Where no browser is
// installed the tests skip, saying how to install one (the stall run still checks the page's data).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPlan } from '../src/engine/run.ts';
import { buildPlan } from '../src/plan/plan.ts';
import { distributionGrid } from '../src/report/html/distribution.ts';
import { renderHtml } from '../src/report/html/render.ts';
import type { RunResult } from '../src/result/result.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { ARTIFACTS, browserMissing, withPage, type LoadedPage } from './helpers/browser.ts';
import { buildResult } from './helpers/build-result.ts';
import { chartsOf } from './helpers/html-data.ts';
import { longResult } from './helpers/long-result.ts';
import { sampleResult } from './helpers/sample-result.ts';
import { freezeOnce, startServer } from './helpers/servers.ts';

const missing = browserMissing();
if (missing) console.log(`# SKIPPED the browser tests of the HTML report: ${missing}`);

function writePage(name: string, html: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.html`);
  writeFileSync(file, html);
  return file;
}

/** No console error, no request but the file itself, and every chart figure drawn with its points. */
async function assertClean(page: LoadedPage, file: string): Promise<void> {
  assert.deepEqual(page.errors, [], 'no console error');
  assert.deepEqual(page.requests, [`file://${file}`], 'no request but the page itself');
  const figures = await page.evaluate(() =>
    Array.from((globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ id: string; dataset: { points: string }; querySelector(s: string): unknown }> } }).document.querySelectorAll('figure.chart'), (f) => ({
      id: f.id,
      points: Number(f.dataset.points),
      canvas: f.querySelector('canvas') !== null,
    })),
  );
  assert.ok(figures.length > 0);
  assert.deepEqual(
    page.charts.map((c) => [c.id, c.points]).sort(),
    figures.map((f) => [f.id, f.points]).sort(),
    'each figure drawn once, with as many points as its data',
  );
  assert.ok(figures.every((f) => f.canvas), 'each chart has its canvas');
}

const chart = (page: LoadedPage, id: string) => {
  const found = page.charts.find((c) => c.id === id);
  assert.ok(found, `chart ${id} drawn`);
  return found;
};
/** The values of the series whose label starts with `label`. */
function column(c: ReturnType<typeof chart>, label: string): Array<number | null> {
  const index = c.labels.findIndex((l) => l.startsWith(label));
  assert.ok(index >= 0, `${c.id} has no series "${label}": ${c.labels.join(', ')}`);
  return c.data[index + 1]!;
}

test('a 10-minute result: the page loads clean, offline, with every chart and the expected points', { skip: missing ?? false }, async () => {
  const result = longResult(1000);
  const file = writePage('ten-minutes', renderHtml(result));
  await withPage(file, 'ten-minutes', async (page) => {
    await assertClean(page, file);
    assert.deepEqual(page.charts.map((c) => [c.id, c.points, c.series]).sort(), [
      ['r0-distribution', distributionGrid(result.counts.completed).length, 4],
      ['r0-generator', 600, 4],
      ['r0-latency', 600, 3],
      ['r0-throughput', 600, 4],
    ]);
    assert.deepEqual(column(chart(page, 'r0-latency'), 'P99'), result.series.map((p) => p.p99));
  });
});

test('--compare-protocols: both runs and their overlaid distributions draw clean', { skip: missing ?? false }, async () => {
  const h1 = sampleResult({ protocol: 'h1' });
  h1.plan = { ...h1.plan, protocol: 'h1' };
  const h2 = sampleResult();
  h2.plan = { ...h2.plan, protocol: 'h2' };
  const file = writePage('protocols', renderHtml([h1, h2]));
  await withPage(file, 'protocols', async (page) => {
    await assertClean(page, file);
    assert.equal(chart(page, 'runs-distribution').series, 2);
    assert.deepEqual(page.charts.map((c) => c.id).filter((id) => id.endsWith('-latency')), ['r0-latency', 'r1-latency']);
  });
});

test('a request named </script> is shown as text and runs nothing', { skip: missing ?? false }, async () => {
  const evil = '</script><img src=x onerror="document.title=\'pwned\'"><!--';
  const result = buildResult({ [evil]: { latenciesUs: [1000, 2000, 40_000] }, ok: { latenciesUs: [3000] } }, { name: evil });
  result.series = [{ t: 1, requests: 4, errors: 0, p50: 2, p90: 40, p99: 40 }];
  const file = writePage('escaping', renderHtml(result));
  await withPage(file, 'escaping', async (page) => {
    await assertClean(page, file);
    const seen = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { title: string; querySelector(s: string): { textContent: string }; querySelectorAll(s: string): ArrayLike<unknown> } }).document;
      return { title: doc.title, h1: doc.querySelector('h1').textContent, images: doc.querySelectorAll('img').length };
    });
    assert.equal(seen.images, 0, 'no injected element');
    assert.equal(seen.title, `loadhttp: ${evil}`, 'the title is the name, as text');
    assert.equal(seen.h1, `loadhttp: ${evil}`);
    assert.ok(chart(page, 'r0-distribution').labels.includes(evil));
  });
});

/** The stall in the per-second P99 and in the distribution, as the page has it (data or drawn). */
function assertStall(perSecondP99: Array<number | null>, latency: Array<number | null>, service: Array<number | null>): void {
  const timed = perSecondP99.filter((v): v is number => v !== null);
  const detail = `per-second P99 ${JSON.stringify(perSecondP99)}`;
  assert.ok(Math.max(...timed) > 700, `the stall's second: ${detail}`);
  assert.ok(Math.min(...timed) < 100, `a quiet second: ${detail}`);
  const top = latency.filter((v): v is number => v !== null).at(-1)!;
  const curve = `latency ${JSON.stringify(latency)}, service time ${JSON.stringify(service)}`;
  assert.ok(latency[0]! < 100, `the fastest requests: ${curve}`);
  assert.ok(top > 700, `the stall, at the top: ${curve}`);
  // From the intended start, the requests queued behind the stall are slow too, so the tail from P90
  // on (x = 10 lies between grid points 16 and 17) is hundreds of ms; their service time is not.
  assert.ok(latency[17]! > 200, `latency at P90.6: ${curve}`);
  assert.ok(service[17]! < 100, `service time at P90.6: ${curve}`);
}

// Not skipped without a browser: the page's chart data is checked anyway, the drawn page where possible.
test('a real 1 s stall (open model) shows in the per-second P99 and in the distribution plot', async (t) => {
  const server = await startServer({ delayMs: freezeOnce(1700, 1000) });
  let result: RunResult;
  try {
    // One request at a time at 100/s, 0.5 s of warmup (a cold first second is slow on its own), then 3 s
    // measured: the stall holds the queue from 1.2 s to 2.2 s, then the queue drains.
    const scenario = parseScenario(`target: ${server.url}\nload: { rate: 100/s, duration: 3s, warmup: 500ms, concurrency: 1 }\nrequests: [{ path: / }]`, '/tmp/stall.yaml');
    result = await runPlan(buildPlan(scenario, {}, 'test'), { version: 'test' });
  } finally {
    await server.close();
  }
  const html = renderHtml(result);
  const data = chartsOf(html);
  const spec = (id: string, label: string) => data.find((c) => c.id === id)!.series.find((s) => s.label.startsWith(label))!.values;
  assert.equal(data.find((c) => c.id === 'r0-distribution')!.x.length, distributionGrid(result.counts.completed).length);
  assertStall(spec('r0-latency', 'P99'), spec('r0-distribution', 'latency ('), spec('r0-distribution', 'service time'));
  if (missing) {
    t.diagnostic(`the page was not drawn: ${missing}`);
    return;
  }
  const file = writePage('stall', html);
  await withPage(file, 'stall', async (page) => {
    await assertClean(page, file);
    const distribution = chart(page, 'r0-distribution');
    assert.equal(distribution.points, distributionGrid(result.counts.completed).length);
    assertStall(column(chart(page, 'r0-latency'), 'P99'), column(distribution, 'latency ('), column(distribution, 'service time'));
  });
});

// The HTML report from the command line: --report on run (and --compare-protocols), merge and compare,
// and `loadhttp report RESULT -o FILE` from a saved result, merged or a --compare-protocols pair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.ts';
import { chartsOf } from './helpers/html-data.ts';
import { startH2Server, startServer } from './helpers/servers.ts';

const chartIds = (html: string): string[] => chartsOf(html).map((c) => c.id);

test('run --report, report -o (and its default name, and stdout), compare --report, merge --report', async () => {
  const server = await startServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-html-'));
  const file = (name: string) => path.join(dir, name);
  try {
    const run = await runCli(['run', '--url', `${server.url}/`, '-c', '2', '-n', '60', '-q', '--json', file('a.json'), '--report', file('a.html')]);
    assert.equal(run.code, 0, run.stderr);
    const page = readFileSync(file('a.html'), 'utf8');
    assert.match(page, /^<!doctype html>/);
    assert.deepEqual(chartIds(page).sort(), ['r0-distribution', 'r0-generator', 'r0-latency', 'r0-throughput']);
    assert.match(page, /60 sent, 60 completed/);

    const fromJson = await runCli(['report', file('a.json'), '-o', file('b.html')]);
    assert.equal(fromJson.code, 0, fromJson.stderr);
    assert.match(fromJson.stderr, /wrote .*b\.html/);
    assert.deepEqual(chartIds(readFileSync(file('b.html'), 'utf8')), chartIds(page), 'the same charts as the run wrote');
    copyFileSync(file('a.json'), file('c.json'));
    assert.equal((await runCli(['report', file('c.json')])).code, 0);
    assert.ok(existsSync(file('c.html')), 'default: the result file with .html');
    // A version 1 result (no per-second P90 or histograms) still reports.
    const v1 = JSON.parse(readFileSync(file('a.json'), 'utf8'));
    v1.schemaVersion = 1;
    for (const point of v1.series) delete point.p90;
    delete v1.histograms.series;
    writeFileSync(file('v1.json'), JSON.stringify(v1));
    const old = await runCli(['report', file('v1.json'), '-o', file('v1.html')]);
    assert.equal(old.code, 0, old.stderr);
    assert.deepEqual(chartIds(readFileSync(file('v1.html'), 'utf8')), chartIds(page));
    const toStdout = await runCli(['report', file('a.json'), '-o', '-']);
    assert.match(toStdout.stdout, /^<!doctype html>[\s\S]*<\/html>\n$/);

    const compare = await runCli(['compare', file('a.json'), file('c.json'), '--report', file('compare.html')]);
    assert.equal(compare.code, 0, compare.stderr);
    assert.match(readFileSync(file('compare.html'), 'utf8'), /<h2>Baseline comparison<\/h2>[\s\S]*OK: no regression/);

    const merge = await runCli(['merge', file('a.json'), file('c.json'), '--report', file('merged.html'), '--json', file('merged.json')]);
    assert.equal(merge.code, 0, merge.stderr);
    const merged = readFileSync(file('merged.html'), 'utf8');
    assert.match(merged, /merged 2 results of run [0-9a-f]+/);
    assert.match(merged, /120 sent, 120 completed/);
    assert.equal((await runCli(['report', file('merged.json'), '-o', file('merged2.html')])).code, 0, 'a merged result reports too');
  } finally {
    await server.close();
  }
});

test('--report refuses stdout and a missing folder before sending; report refuses what is not a result', async () => {
  const server = await startServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-html-'));
  try {
    const dash = await runCli(['run', '--url', `${server.url}/`, '-n', '5', '--report', '-']);
    assert.equal(dash.code, 2);
    assert.match(dash.stderr, /--report: give a file name/);
    const missing = await runCli(['run', '--url', `${server.url}/`, '-n', '5', '--report', path.join(dir, 'nope', 'r.html')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--report: cannot write .*the directory .*nope does not exist/);
    assert.equal(server.stats.requests, 0, 'nothing sent');
    const notResult = await runCli(['report', path.join(dir, 'absent.json'), '-o', path.join(dir, 'x.html')]);
    assert.equal(notResult.code, 2);
    assert.match(notResult.stderr, /report: cannot read .*absent\.json/);
  } finally {
    await server.close();
  }
});

test('--compare-protocols --report: one page with the runs side by side; report reads the pair back', async () => {
  const server = await startH2Server({ tls: true, allowHTTP1: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-html-'));
  try {
    const out = await runCli(['run', '--url', `${server.url}/`, '-c', '4', '-n', '40', '--insecure', '-q', '--compare-protocols', '--json', path.join(dir, 'pair.json'), '--report', path.join(dir, 'pair.html')]);
    assert.equal(out.code, 0, out.stderr);
    const page = readFileSync(path.join(dir, 'pair.html'), 'utf8');
    assert.match(page, /<h2>Protocols side by side<\/h2>/);
    assert.ok(chartIds(page).includes('runs-distribution') && chartIds(page).includes('r1-latency'));
    const again = await runCli(['report', path.join(dir, 'pair.json'), '-o', path.join(dir, 'again.html')]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(chartIds(readFileSync(path.join(dir, 'again.html'), 'utf8')), chartIds(page));
  } finally {
    await server.close();
  }
});

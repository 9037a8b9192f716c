// CI gates end to end on the real binary against real loopback servers with a known delay: threshold
// exit codes (0/99/2), abortOnFail, JUnit parsed back, $GITHUB_STEP_SUMMARY, ::error annotations, and
// `compare` / `--baseline` on a server made slower between runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../src/result/result.ts';
import { runCli } from './helpers/cli.ts';
import { startServer } from './helpers/servers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = () => mkdtempSync(path.join(tmpdir(), 'loadhttp-gate-'));
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as RunResult;

/** A scenario file for `target` with one request named "list" and the given thresholds lines. */
function scenario(dir: string, target: string, thresholds: string, load = '{ concurrency: 4, duration: 1s }'): string {
  const file = path.join(dir, 'gate.yaml');
  writeFileSync(file, `name: gate\ntarget: ${target}\nload: ${load}\nrequests:\n  - name: list\n    path: /items\nthresholds:\n${thresholds}`);
  return file;
}

/** The <testcase> elements of a JUnit file: name, and the failure message/text when failed. */
function parseJunit(xml: string) {
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  const suite = /<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)"/.exec(xml);
  assert.ok(suite, 'a <testsuite> with tests and failures counts');
  const cases = [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)].map((m) => {
    const failure = /<failure message="([^"]*)" type="threshold">([\s\S]*?)<\/failure>/.exec(m[3] ?? '');
    return { name: unescape(m[2] ?? ''), failure: failure ? { message: unescape(failure[1] ?? ''), text: unescape(failure[2] ?? '') } : null };
  });
  return { tests: Number(suite[2]), failures: Number(suite[3]), cases };
}

test('a bad threshold in the scenario: exit 2 with file:line:col, nothing sent; a bad --threshold: exit 2', async () => {
  const server = await startServer();
  const dir = tmp();
  try {
    const file = scenario(dir, server.url, '  - p99 < 250ms\n  - "list.p99 < 100"\n');
    const out = await runCli(['run', file]);
    assert.equal(out.code, 2, out.stderr);
    assert.ok(out.stderr.includes(`${file}:9:20: thresholds[1]: invalid threshold: p99 is a latency and needs a unit`), out.stderr);
    const cli = await runCli(['run', '--url', server.url, '-n', '5', '--threshold', 'p99 <= fast']);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /--threshold: invalid threshold: expected a number, found "f"/);
    const junit = await runCli(['run', '--url', server.url, '-n', '5', '--junit', path.join(dir, 'missing', 'junit.xml')]);
    assert.equal(junit.code, 2);
    assert.match(junit.stderr, /--junit: cannot write .*junit\.xml: the directory .*missing does not exist/);
    assert.equal(server.stats.requests, 0);
  } finally {
    await server.close();
  }
});

test('thresholds that hold: exit 0, the table ends the report, JSON carries the outcomes, no annotations', async () => {
  const server = await startServer({ delayMs: 20 });
  const dir = tmp();
  try {
    const json = path.join(dir, 'r.json');
    const file = scenario(dir, server.url, '  - p50 > 15ms\n  - list.p50 < 1s\n  - errors < 1%\n');
    const out = await runCli(['run', file, '--threshold', 'rps > 1', '--json', json], { env: { GITHUB_ACTIONS: 'true' } });
    assert.equal(out.code, 0, out.stdout + out.stderr);
    const table = out.stdout.slice(out.stdout.indexOf('Thresholds: all 4 passed'));
    assert.ok(table.length > 0 && /p50 > 15ms\s+\d+\.\dms\s+> 15ms\s+pass/.test(table), out.stdout);
    assert.doesNotMatch(out.stdout, /::error/);
    assert.doesNotMatch(out.stdout + out.stderr, /\x1b\[/, 'no colour off a TTY');
    const result = readJson(json);
    assert.equal(result.thresholdsPassed, true);
    assert.deepEqual(result.thresholds?.map((t) => [t.expr, t.passed]), [['p50 > 15ms', true], ['list.p50 < 1s', true], ['errors < 1%', true], ['rps > 1', true]]);
    assert.ok(result.thresholds![0]!.actual! >= 20, `p50 ${result.thresholds![0]!.actual} against a 20 ms server`);
  } finally {
    await server.close();
  }
});

test('a failed threshold: exit 99, JUnit parsed back, Markdown appended to GITHUB_STEP_SUMMARY, ::error annotations', async () => {
  const server = await startServer({ delayMs: 20 });
  const dir = tmp();
  try {
    const junit = path.join(dir, 'junit.xml');
    const stepSummary = path.join(dir, 'step-summary.md');
    writeFileSync(stepSummary, '# an earlier step\n');
    const file = scenario(dir, server.url, '  - p50 < 5ms\n  - list.errors < 1%\n');
    const out = await runCli(['run', file, '--junit', junit], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: stepSummary } });
    assert.equal(out.code, 99, out.stderr);
    assert.match(out.stdout, /Thresholds: 1 of 2 failed/);
    assert.match(out.stdout, /p50 < 5ms\s+\d+\.\dms\s+< 5ms\s+FAIL/);

    const parsed = parseJunit(readFileSync(junit, 'utf8'));
    assert.equal(parsed.tests, 2);
    assert.equal(parsed.failures, 1);
    assert.deepEqual(parsed.cases.map((c) => [c.name, c.failure !== null]), [['p50 < 5ms', true], ['list.errors < 1%', false]]);
    assert.match(parsed.cases[0]!.failure!.message, /^measured \d+\.\dms, limit < 5ms$/);
    assert.match(parsed.cases[0]!.failure!.text, /p50 of all requests: measured/);

    const summary = readFileSync(stepSummary, 'utf8');
    assert.ok(summary.startsWith('# an earlier step\n## loadhttp: gate ❌'), 'appended after the earlier step');
    assert.match(summary, /\| `p50 < 5ms` \| \d+\.\dms \| &lt; 5ms \| ❌ \|/);

    const annotations = out.stdout.split('\n').filter((line) => line.startsWith('::error'));
    assert.equal(annotations.length, 1);
    // It points at the line of the scenario that wrote the threshold, so GitHub shows it there.
    assert.ok(annotations[0]!.startsWith(`::error file=${file},line=8,title=loadhttp threshold failed%3A p50 < 5ms::`), annotations[0]);
    assert.match(annotations[0]!, /::p50 of all requests: measured \d+\.\dms, limit < 5ms$/);
  } finally {
    await server.close();
  }
});

test('abortOnFail stops the run once its delay has passed (stopReason threshold, exit 99)', async () => {
  const server = await startServer({ delayMs: 150 });
  const dir = tmp();
  try {
    const json = path.join(dir, 'r.json');
    const file = scenario(dir, server.url, '  - { expr: p50 < 50ms, abortOnFail: true, delay: 1500ms }\n', '{ concurrency: 4, duration: 30s }');
    const out = await runCli(['run', file, '--json', json, '--summary', path.join(dir, 's.md')]);
    assert.equal(out.code, 99, out.stderr);
    const result = readJson(json);
    assert.equal(result.stopReason, 'threshold');
    assert.equal(result.interrupted, false);
    assert.equal(result.thresholdsPassed, false);
    assert.equal(result.thresholdAbort?.outcome.expr, 'p50 < 50ms');
    assert.ok(result.thresholdAbort!.atMs >= 1500, `checked only after the delay (at ${result.thresholdAbort!.atMs} ms)`);
    assert.ok(result.durationMs < 5000, `stopped early: ${result.durationMs} ms of a 30 s run`);
    assert.match(out.stdout, /stop: an abortOnFail threshold failed/);
    assert.match(out.stdout, /stopped early after [\d.]+s: p50 < 50ms failed/);
    assert.match(readFileSync(path.join(dir, 's.md'), 'utf8'), /Stopped early/);
  } finally {
    await server.close();
  }
});

test('compare and --baseline: a server made 5× slower regresses; the same server twice does not', async () => {
  // Server-dominated latency and a modest rate (~600 req/s), so CPU contention from tests running in
  // parallel cannot move the figures by anything like the 50% allowed.
  let delayMs = 50;
  const server = await startServer({ delayMs: () => delayMs });
  const dir = tmp();
  const run = (name: string, extra: string[] = []) =>
    runCli(['run', '--url', `${server.url}/items`, '-c', '32', '-d', '1s', '-q', '--json', path.join(dir, name), ...extra]);
  try {
    const base = path.join(dir, 'base.json');
    assert.equal((await run('base.json')).code, 0);
    const same = await run('same.json', ['--baseline', base, '--max-regression', '50%']);
    assert.equal(same.code, 0, same.stdout);
    assert.match(same.stdout, /OK: no regression beyond 50/);
    assert.equal(readJson(path.join(dir, 'same.json')).baseline?.comparison.regressed, false);

    // 5× slower: far beyond run-to-run jitter, and still ≥ 100 samples in 1 s (32 users × 4 each, all counted: no warmup).
    delayMs = 250;
    const slow = await run('slow.json', ['--baseline', base, '--max-regression', '50%', '--junit', path.join(dir, 'slow.xml')]);
    assert.equal(slow.code, 99, slow.stdout);
    assert.match(slow.stdout, /REGRESSED: .*total p50/);
    // --junit carries the comparison too: the regressed figures are failed testcases.
    assert.match(readFileSync(path.join(dir, 'slow.xml'), 'utf8'), /<testcase classname="loadhttp\.baseline" name="p50 of all requests" time="0">\s*<failure message="regressed against the baseline: /);
    const regressions = readJson(path.join(dir, 'slow.json')).baseline!.comparison.regressions;
    assert.ok(regressions.some((r) => r.request === null && r.metric === 'rps'), JSON.stringify(regressions));

    const flagged = await runCli(['compare', base, path.join(dir, 'slow.json'), '--max-regression', '50%'], { env: { GITHUB_ACTIONS: 'true' } });
    assert.equal(flagged.code, 99, flagged.stdout + flagged.stderr);
    assert.match(flagged.stdout, /P50 .* REGRESSED/);
    assert.match(flagged.stdout, /^::error title=loadhttp regression against the baseline::total p50/m);
    const quiet = await runCli(['compare', base, path.join(dir, 'same.json'), '--max-regression', '50%']);
    assert.equal(quiet.code, 0, quiet.stdout);
    assert.doesNotMatch(quiet.stdout, /REGRESSED/);
    // Colour as Node's util.styleText decides it: none on a pipe (and NO_COLOR, set by runCli); FORCE_COLOR wins.
    assert.ok(!flagged.stdout.includes('\u001b['), 'no escape codes on a pipe');
    const forced = await runCli(['compare', base, path.join(dir, 'slow.json'), '--max-regression', '50%'], { env: { FORCE_COLOR: '1' } });
    assert.match(forced.stdout, /\u001b\[31m\u001b\[1mREGRESSED/, 'FORCE_COLOR paints regressions red and bold');
  } finally {
    await server.close();
  }
});

test('compare refuses what is not a loadhttp result (exit 2, the reason named)', async () => {
  const dir = tmp();
  const notResult = path.join(dir, 'package.json');
  writeFileSync(notResult, readFileSync(path.join(ROOT, 'package.json')));
  const out = await runCli(['compare', notResult, notResult]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /base: .*package\.json is not a loadhttp result: it has no "tool"/);
  const missing = await runCli(['compare', path.join(dir, 'nope.json'), notResult]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /base: cannot read .*nope\.json: no such file/);
  const badFlag = await runCli(['run', '--url', 'http://127.0.0.1:9/', '--baseline', notResult]);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /--baseline: .*is not a loadhttp result/);
});

test('scenarios/ci-gate.yaml is valid', async () => {
  const out = await runCli(['validate', path.join(ROOT, 'scenarios/ci-gate.yaml')]);
  assert.equal(out.code, 0, out.stderr);
});

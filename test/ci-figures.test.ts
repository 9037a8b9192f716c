// A flow's iteration figures and the per-target figures in the CI outputs, end to end on the real binary
// against real loopback servers: the Markdown summary and the JUnit file show them with the numbers of the
// --json result of the same run; iteration thresholds gate (exit 0 / 99 / 2); a `target[*]` threshold
// becomes a testcase per instance, and the failing one is named; `compare` and `--baseline` compare the
// iterations and each instance, and say what only one run has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IterationStats, RequestStats, RunResult } from '../src/result/result.ts';
import { formatCount, formatMs, formatPercent, formatRate } from '../src/report/format.ts';
import { runCli } from './helpers/cli.ts';
import { closedPort, startServer, type ServerOptions, type TestServer } from './helpers/servers.ts';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'loadhttp-ci-figures-'));
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as RunResult;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A two-step flow over `targets`, with the given thresholds. */
function flowScenario(dir: string, targets: string[], thresholds: string[], load = '{ concurrency: 4, iterations: 120 }'): string {
  const file = path.join(dir, 'shop.yaml');
  const lines = [
    'name: shop',
    targets.length === 1 ? `target: ${targets[0]}` : `targets: [${targets.join(', ')}]`,
    `load: ${load}`,
    'flow:',
    '  - { name: list, path: /items }',
    '  - { name: buy, path: /buy }',
    ...(thresholds.length > 0 ? ['thresholds:', ...thresholds.map((t) => `  - "${t}"`)] : []),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The <testcase> elements of a JUnit file: classname, name, and the failure (message, text) when failed. */
function junitCases(xml: string) {
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  const suite = /<testsuite name="[^"]*" tests="(\d+)" failures="(\d+)"/.exec(xml);
  assert.ok(suite, 'a <testsuite> with tests and failures counts');
  const cases = [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)].map((m) => {
    const failure = /<failure message="([^"]*)" type="([^"]*)">([\s\S]*?)<\/failure>/.exec(m[3] ?? '');
    return {
      classname: m[1]!,
      name: unescape(m[2] ?? ''),
      failure: failure ? { message: unescape(failure[1] ?? ''), type: failure[2]!, text: unescape(failure[3] ?? '') } : null,
    };
  });
  const systemOut = unescape(/<system-out>([\s\S]*?)<\/system-out>/.exec(xml)?.[1] ?? '');
  return { tests: Number(suite[1]), failures: Number(suite[2]), cases, systemOut };
}

/** The Markdown latency-table cells of a row (as the summary writes them) from the JSON's figures. */
function latencyCells(count: number, rps: number, l: RequestStats['latencyMs'], errors: string): string {
  const ms = (v: number) => (l.count > 0 ? formatMs(v) : '–');
  return [formatCount(count), formatRate(rps), ms(l.p50), ms(l.p90), ms(l.p99), ms(l.p999), ms(l.max), errors].join(' | ');
}

function iterationCells(it: IterationStats): string {
  const ended = it.completed + it.failed;
  return latencyCells(ended, it.rps, it.durationMs, formatPercent(it.failed / ended));
}

async function servers(count: number, options: ServerOptions = {}): Promise<TestServer[]> {
  return Promise.all(Array.from({ length: count }, () => startServer(options)));
}

test('a flow over two targets: Markdown and JUnit show the iterations and every instance with the numbers of the JSON; passing iteration thresholds exit 0', async () => {
  // One buy in 8 on the second instance answers 503: some iterations fail, and that instance shows errors.
  let buys = 0;
  const [a] = await servers(1, { delayMs: 1 });
  const [b] = await servers(1, { delayMs: 1, status: (req) => (req.url === '/buy' && ++buys % 8 === 0 ? 503 : 200) });
  const dir = tmp();
  try {
    const targets = [a!.url, b!.url];
    const names = [`127.0.0.1:${a!.port}`, `127.0.0.1:${b!.port}`];
    const file = flowScenario(dir, targets, ['iteration.p99 < 30s', 'iteration.errors < 60%', 'iteration.rps > 0.1', 'target[*].p99 < 30s']);
    const [json, junit, summary] = ['r.json', 'r.xml', 'r.md'].map((f) => path.join(dir, f));
    const out = await runCli(['run', file, '--json', json!, '--junit', junit!, '--summary', summary!, '-q']);
    assert.equal(out.code, 0, out.stdout + out.stderr);
    const result = readJson(json!);
    const it = result.iterations!;
    assert.equal(it.completed + it.failed + it.interrupted, 120);
    assert.ok(it.failed > 0, 'some iterations failed on the 503s');
    assert.deepEqual(Object.keys(result.targets!), names);
    assert.deepEqual(result.thresholds!.map((t) => t.passed), [true, true, true, true]);
    assert.equal(result.thresholds![1]!.actual, it.failed / (it.completed + it.failed), 'iteration.errors is failed / ended');

    const md = readFileSync(summary!, 'utf8');
    assert.ok(md.includes(`- **Iterations:** ${formatCount(it.completed)} completed, ${formatCount(it.failed)} failed, ${formatCount(it.interrupted)} interrupted; ${formatRate(it.rps)} completed/s`), md);
    assert.ok(md.includes(`| **Iteration** | ${iterationCells(it)} |`), md);
    assert.match(md, /\| \*\*Total\*\* \|.*\n\| \*\*Iteration\*\* \|/, 'the iteration row follows the total');
    assert.ok(md.includes('### Targets'), md);
    for (const name of names) {
      const t = result.targets![name]!;
      assert.ok(md.includes(`| \`${name}\` | ${latencyCells(t.counts.sent, t.rps, t.latencyMs, formatPercent(t.errorRate))} |`), `${name}\n${md}`);
    }
    assert.ok(result.targets![names[1]!]!.errorRate > 0 && result.targets![names[0]!]!.errorRate === 0, 'the 503s are the second instance\'s');
    // target[*]: a row per instance under the threshold, each measured on its own.
    for (const name of names) {
      const p99 = result.targets![name]!.latencyMs.p99;
      assert.match(md, new RegExp(`\\| ↳ \`${escapeRe(name)}\` \\| ${escapeRe(formatMs(p99))} \\| &lt; 30s \\| ✅ \\|`), md);
    }

    const x = junitCases(readFileSync(junit!, 'utf8'));
    assert.deepEqual(
      x.cases.map((c) => c.name),
      ['iteration.p99 < 30s', 'iteration.errors < 60%', 'iteration.rps > 0.1', ...names.map((n) => `target[*].p99 < 30s (target ${n})`)],
    );
    assert.equal(x.failures, 0);
    assert.ok(x.systemOut.includes(`iterations: ${formatCount(it.completed)} completed, ${formatCount(it.failed)} failed, ${formatCount(it.interrupted)} interrupted; ${formatRate(it.rps)}/s`), x.systemOut);
    const d = it.durationMs;
    assert.ok(x.systemOut.includes(`iteration duration: p50 ${formatMs(d.p50)}, p99 ${formatMs(d.p99)}, max ${formatMs(d.max)}`), x.systemOut);
    for (const name of names) {
      const t = result.targets![name]!;
      assert.ok(x.systemOut.includes(`target ${name}: ${formatCount(t.counts.sent)} sent, ${formatRate(t.rps)} req/s, errors ${formatPercent(t.errorRate)}`), x.systemOut);
    }
  } finally {
    await Promise.all([a!.close(), b!.close()]);
  }
});

test('an instance that is down: target[*] fails as one JUnit testcase per instance naming the down one, iteration thresholds fail; exit 99', async () => {
  const [up] = await servers(1, { delayMs: 1 });
  const down = await closedPort();
  const dir = tmp();
  try {
    const names = [`127.0.0.1:${up!.port}`, `127.0.0.1:${down}`];
    const file = flowScenario(dir, [up!.url, `http://127.0.0.1:${down}`], ['target[*].errors < 1%', `target[${names[0]}].p99 < 30s`, 'iteration.errors < 1%'], '{ concurrency: 2, iterations: 30 }');
    const [json, junit, summary] = ['r.json', 'r.xml', 'r.md'].map((f) => path.join(dir, f));
    const out = await runCli(['run', file, '--json', json!, '--junit', junit!, '--summary', summary!, '-q'], { env: { GITHUB_ACTIONS: 'true' } });
    assert.equal(out.code, 99, out.stdout + out.stderr);
    const result = readJson(json!);
    assert.deepEqual(result.thresholds!.map((t) => t.passed), [false, true, false]);
    const broken = result.targets![names[1]!]!;
    assert.equal(broken.errorRate, 1);

    const x = junitCases(readFileSync(junit!, 'utf8'));
    assert.deepEqual(
      x.cases.map((c) => [c.name, c.failure !== null]),
      [
        [`target[*].errors < 1% (target ${names[0]})`, false],
        [`target[*].errors < 1% (target ${names[1]})`, true],
        [`target[${names[0]}].p99 < 30s`, false],
        ['iteration.errors < 1%', true],
      ],
    );
    assert.equal(x.failures, 2);
    const failedInstance = x.cases[1]!.failure!;
    assert.equal(failedInstance.type, 'threshold');
    assert.equal(failedInstance.message, `measured ${formatPercent(broken.errorRate)}, limit < 1%`);
    assert.equal(failedInstance.text, `target[*].errors < 1%\nerrors of target ${names[1]}: measured ${formatPercent(broken.errorRate)}, limit < 1%`);
    const it = result.iterations!;
    assert.equal(x.cases[3]!.failure!.text, `iteration.errors < 1%\nerrors of the flow's iterations: measured ${formatPercent(it.failed / (it.completed + it.failed))}, limit < 1%`);

    const md = readFileSync(summary!, 'utf8');
    assert.match(md, new RegExp(`\\| ↳ \`${escapeRe(names[1]!)}\` \\| ${escapeRe(formatPercent(1))} \\| &lt; 1% \\| ❌ \\|`), md);
    assert.match(md, new RegExp(`\\| ↳ \`${escapeRe(names[0]!)}\` \\| ${escapeRe(formatPercent(0))} \\| &lt; 1% \\| ✅ \\|`), md);
    // GitHub annotations name the instance that failed, not "all requests".
    assert.match(out.stdout, new RegExp(`^::error .*title=loadhttp threshold failed%3A target\\[\\*\\].errors < 1%25::errors of target ${escapeRe(names[1]!)}: measured 100`, 'm'));
    assert.doesNotMatch(out.stdout, new RegExp(`::errors of target ${escapeRe(names[0]!)}`));
  } finally {
    await up!.close();
  }
});

test('iteration thresholds: one that fails exits 99 with the measured iteration P99 of the JSON; without a flow they are a usage error (exit 2, nothing sent)', async () => {
  const [server] = await servers(1, { delayMs: 2 });
  const dir = tmp();
  try {
    const file = flowScenario(dir, [server!.url], [], '{ concurrency: 2, iterations: 40 }');
    const json = path.join(dir, 'r.json');
    const out = await runCli(['run', file, '--threshold', 'iteration.p99 < 1us', '--threshold', 'iteration.mean < 30s', '--json', json, '-q']);
    assert.equal(out.code, 99, out.stderr);
    const result = readJson(json);
    const [p99, mean] = result.thresholds!;
    assert.equal(p99!.passed, false);
    assert.equal(p99!.metric, 'iteration.p99');
    assert.equal(p99!.actual, result.iterations!.durationMs.p99, 'the P99 of the iteration durations');
    assert.equal(mean!.passed, true);
    assert.ok(Math.abs(mean!.actual! - result.iterations!.durationMs.mean) < 0.002, `${mean!.actual} vs ${result.iterations!.durationMs.mean}`);
    assert.match(out.stdout, new RegExp(`iteration\\.p99 < 1us\\s+${escapeRe(formatMs(p99!.actual!))}`), out.stdout);
    const sent = server!.stats.requests;

    const noFlow = await runCli(['run', '--url', server!.url, '-n', '5', '--threshold', 'iteration.p99 < 1s']);
    assert.equal(noFlow.code, 2);
    assert.match(noFlow.stderr, /--threshold: invalid threshold: iteration figures need a `flow:`/);
    const typo = await runCli(['run', file, '--threshold', 'iterations.p99 < 1s']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /no request named "iterations" in this plan \(a flow's iterations are "iteration\." \(e\.g\. iteration\.p99, iteration\.errors\)\)/);
    assert.equal(server!.stats.requests, sent, 'nothing sent by the refused runs');
  } finally {
    await server!.close();
  }
});

test('compare and --baseline: a flow over two instances made slower regresses in its iterations and on each instance; what only one run has is named', async () => {
  let delayMs = 1;
  const [a, b] = await servers(2, { delayMs: () => delayMs });
  const dir = tmp();
  try {
    const names = [`127.0.0.1:${a!.port}`, `127.0.0.1:${b!.port}`];
    const file = flowScenario(dir, [a!.url, b!.url], [], '{ concurrency: 4, iterations: 300 }');
    const base = path.join(dir, 'base.json');
    const first = await runCli(['run', file, '--json', base, '-q']);
    assert.equal(first.code, 0, first.stderr);
    delayMs = 12;
    const slow = path.join(dir, 'slow.json');
    const junit = path.join(dir, 'slow.xml');
    const summary = path.join(dir, 'slow.md');
    const html = path.join(dir, 'slow.html');
    const second = await runCli(['run', file, '--json', slow, '--baseline', base, '--max-regression', '50%', '--junit', junit, '--summary', summary, '--report', html, '-q']);
    assert.equal(second.code, 99, second.stdout + second.stderr);
    const comparison = readJson(slow).baseline!.comparison;
    const iterations = comparison.scopes.find((s) => s.kind === 'iterations')!;
    assert.equal(iterations.request, null);
    assert.equal(iterations.baseSamples, readJson(base).iterations!.durationMs.count);
    assert.equal(iterations.rows.find((r) => r.metric === 'p50')!.base, readJson(base).iterations!.durationMs.p50);
    assert.equal(iterations.rows.find((r) => r.metric === 'p50')!.verdict, 'regressed');
    assert.deepEqual(comparison.scopes.filter((s) => s.kind === 'target').map((s) => s.target), names);
    for (const name of names) {
      assert.ok(comparison.regressions.some((r) => r.kind === 'target' && r.target === name && r.metric === 'p50'), `${name}: ${JSON.stringify(comparison.regressions)}`);
    }
    assert.ok(comparison.regressions.some((r) => r.kind === 'iterations' && r.metric === 'p50'));

    const x = junitCases(readFileSync(junit, 'utf8'));
    const failed = (name: string) => x.cases.find((c) => c.classname === 'loadhttp.baseline' && c.name === name)?.failure;
    assert.match(failed("p50 of the flow's iterations")?.message ?? '', /^regressed against the baseline: base .*, current .* \(\+\d+%\)$/);
    for (const name of names) assert.ok(failed(`p50 of target ${name}`), `a failing testcase for ${name}`);
    assert.ok(!x.cases.some((c) => c.name === "max of the flow's iterations"), 'max never fails: no testcase for the new scopes');
    assert.ok(x.cases.some((c) => c.name === "iterations/s of the flow's iterations"));
    const md = readFileSync(summary, 'utf8');
    assert.match(md, /\niteration\s+P50 /, md);
    assert.match(md, /\n\s+iterations\/s\s/, md);
    assert.match(md, new RegExp(`\\ntarget ${escapeRe(names[0]!)}\\s+P50 `), md);
    assert.match(md, /REGRESSED: .*iteration p50.*target 127\.0\.0\.1:\d+ p50/, md);
    const page = readFileSync(html, 'utf8');
    assert.ok(page.includes('<strong>iteration</strong>') && page.includes(`<strong>target ${names[1]}</strong>`), 'the HTML baseline table has the new scopes');

    // A run without a flow, on one of the instances: nothing of either is compared, and the table says so.
    const plain = path.join(dir, 'plain.json');
    const third = await runCli(['run', '--url', a!.url, '-n', '50', '--json', plain, '-q']);
    assert.equal(third.code, 0, third.stderr);
    const compared = await runCli(['compare', base, plain]);
    assert.ok([0, 99].includes(compared.code!), compared.stderr);
    assert.match(compared.stdout, /Iteration figures only in base \(current ran no flow\): not compared/);
    assert.ok(compared.stdout.includes(`Targets only in base (not compared): ${names.join(', ')}`), compared.stdout);
    assert.doesNotMatch(compared.stdout, /\niteration /);
    const back = await runCli(['compare', plain, base]);
    assert.match(back.stdout, /Iteration figures only in current \(base ran no flow\): not compared/);
  } finally {
    await Promise.all([a!.close(), b!.close()]);
  }
});

test('a flow entry beside plain requests: iteration thresholds gate its iterations, and the summary shows them from the JSON', async () => {
  const [server] = await servers(1, { delayMs: 1 });
  const dir = tmp();
  try {
    const file = path.join(dir, 'mix.yaml');
    writeFileSync(
      file,
      `name: mix
target: ${server!.url}
load: { concurrency: 2, iterations: 60 }
requests:
  - { name: health, path: /health, weight: 2 }
  - name: checkout
    weight: 1
    flow:
      - { name: login, path: /login }
      - { name: cart, path: /cart }
thresholds:
  - "iteration.p99 < 30s"
  - "iteration.error_count < 1"
`,
    );
    const [json, summary] = ['r.json', 'r.md'].map((f) => path.join(dir, f));
    const out = await runCli(['run', file, '--json', json!, '--summary', summary!, '-q']);
    assert.equal(out.code, 0, out.stdout + out.stderr);
    const result = readJson(json!);
    const it = result.iterations!;
    assert.ok(it.completed > 0 && it.completed < 60, `the flow entry's iterations only: ${JSON.stringify(it)}`);
    assert.equal(result.thresholds![0]!.actual, it.durationMs.p99);
    const md = readFileSync(summary!, 'utf8');
    assert.ok(md.includes(`| **Iteration** | ${iterationCells(it)} |`), md);
    const failing = await runCli(['run', file, '--threshold', 'iteration.rps > 1000000', '-q']);
    assert.equal(failing.code, 99, failing.stderr);
  } finally {
    await server!.close();
  }
});

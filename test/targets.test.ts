// Several targets: requests balanced over instances (each its own pool), figures per instance in the
// result and the report, thresholds that name one instance or all; an instance that is down stands out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan } from '../src/engine/run.ts';
import { buildPlan } from '../src/plan/plan.ts';
import type { Overrides } from '../src/plan/types.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { renderReport } from '../src/report/table.ts';
import { renderHtml } from '../src/report/html/render.ts';
import { evaluateThresholds } from '../src/judge/thresholds.ts';
import { ScenarioError } from '../src/util/errors.ts';
import { closedPort, startServer } from './helpers/servers.ts';

function plan(targets: string[], extra: string, overrides: Overrides) {
  const scenario = parseScenario(`targets: [${targets.join(', ')}]\n${extra}`, 'targets.yaml', {});
  return buildPlan(scenario, overrides, 'test');
}

test('round-robin over two targets: each gets half (±1 per connection), a table and thresholds per target', async () => {
  const [a, b] = await Promise.all([startServer(), startServer()]);
  try {
    const thresholds = `thresholds:\n  - "target[127.0.0.1:${b.port}].p99 < 5s"\n  - "target[*].errors < 1%"\n  - "target[*].rps > 1000000"\n`;
    const p = plan([a.url, b.url], `balance: round-robin\n${thresholds}`, { concurrency: 4, iterations: 200 });
    const result = await runPlan(p, { version: 'test' });
    assert.equal(result.counts.completed, 200);
    const connections = p.pool.connections;
    assert.ok(Math.abs(a.stats.requests - 100) <= connections, `a got ${a.stats.requests}`);
    assert.ok(Math.abs(b.stats.requests - 100) <= connections, `b got ${b.stats.requests}`);
    assert.equal(a.stats.requests + b.stats.requests, 200);
    const names = [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`];
    assert.deepEqual(Object.keys(result.targets!), names);
    assert.equal(result.targets![names[0]!]!.counts.completed, a.stats.requests, 'per-target counts are what each server saw');
    assert.ok(result.histograms.targets?.[names[1]!]?.latency);
    const report = renderReport(result, { color: false });
    assert.match(report, /Targets \(round-robin/);
    for (const name of names) assert.match(report, new RegExp(`\\n\\s*${name.replace(/\./g, '\\.')}\\s+\\d+`));
    for (const name of names) assert.ok(renderHtml(result).includes(`target ${name}`), 'the HTML report has a row per target');
    const outcomes = evaluateThresholds(result, p.thresholds.map((t) => ({ spec: t.spec, source: t.source })));
    assert.deepEqual(outcomes.map((o) => o.passed), [true, true, false], JSON.stringify(outcomes));
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('an instance that is down stands out: its requests fail as connect-refused, the other serves', async () => {
  const a = await startServer();
  const down = await closedPort();
  try {
    const p = plan([a.url, `http://127.0.0.1:${down}`], 'balance: least-inflight\n', { concurrency: 2, iterations: 40 });
    const result = await runPlan(p, { version: 'test' });
    const healthy = result.targets![`127.0.0.1:${a.port}`]!;
    const broken = result.targets![`127.0.0.1:${down}`]!;
    assert.equal(healthy.counts.failed, 0);
    assert.ok(broken.counts.failed > 0);
    assert.deepEqual(Object.keys(broken.errors), ['connect-refused']);
    assert.equal(healthy.counts.sent + broken.counts.sent, 40);
  } finally {
    await a.close();
  }
});

test('targets and thresholds on them are checked: two or more http origins, known instances', () => {
  const error = (text: string) => {
    try {
      parseScenario(text, 'targets.yaml', {});
    } catch (e) {
      assert.ok(e instanceof ScenarioError, String(e));
      return e.message;
    }
    return '';
  };
  assert.match(error('targets: [http://127.0.0.1:1]\n'), /targets\.yaml:1:10: targets: give at least two origins/);
  assert.match(error('target: http://127.0.0.1:1\ntargets: [http://127.0.0.1:1, http://127.0.0.1:2]\n'), /2:1: targets: give either `target:`/);
  assert.match(error('targets: [http://127.0.0.1:1, http://127.0.0.1:1]\n'), /1:31: targets\[1\]: 127\.0\.0\.1:1 is listed twice/);
  assert.match(error('targets: [http://127.0.0.1:1, https://127.0.0.1:2]\n'), /1:31: targets\[1\]: all targets use one scheme/);
  assert.match(error('targets: [http://127.0.0.1:1, http://127.0.0.1:2]\nbalance: round-robbin\n'), /did you mean `round-robin`\?/);
  assert.match(error('target: http://127.0.0.1:1\nbalance: random\n'), /balance spreads requests over `targets:`/);
  assert.throws(
    () => plan(['http://127.0.0.1:1', 'http://127.0.0.1:2'], 'thresholds: ["target[127.0.0.1:3].p99 < 1s"]\n', {}),
    /no target 127\.0\.0\.1:3 in this plan \(did you mean "127\.0\.0\.1:1"\?\)/,
  );
});

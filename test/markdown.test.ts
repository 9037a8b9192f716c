import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildResult, spread } from './helpers/build-result.ts';
import { flowTargetsResult } from './helpers/flow-targets-result.ts';
import type { RunResult } from '../src/result/result.ts';
import { escapeMarkdown, markdownCode, renderMarkdown } from '../src/report/markdown.ts';
import { evaluateThresholds } from '../src/judge/thresholds.ts';
import { parseThreshold } from '../src/plan/threshold-grammar.ts';
import type { ThresholdOutcome } from '../src/result/verdicts.ts';


function evaluate(result: RunResult, ...exprs: string[]): ThresholdOutcome[] {
  return evaluateThresholds(result, exprs.map((source) => ({ spec: parseThreshold(source), source })));
}

function sample(): RunResult {
  return buildResult(
    {
      list: { latenciesUs: spread(1000, 1000, 100_000), failed: 10, statusCodes: { '200': 1000 } },
      'a|b': { latenciesUs: spread(100, 100, 900) },
      never: { latenciesUs: [], failed: 3 },
    },
    { name: 'checkout | smoke' },
  );
}

/** Splits a GFM table row into cells, honouring escaped pipes. */
function cells(row: string): string[] {
  assert.ok(row.startsWith('| ') && row.endsWith(' |'), row);
  return row
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((c) => c.trim());
}

function table(md: string, header: string): string[][] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${header} |`));
  assert.ok(start >= 0, `no table with header ${header}`);
  const rows: string[][] = [];
  for (let i = start; i < lines.length && lines[i]?.startsWith('|'); i++) rows.push(cells(lines[i] ?? ''));
  const width = rows[0]?.length;
  for (const r of rows) assert.equal(r.length, width, `ragged row ${r.join(' / ')}`);
  return rows;
}

test('title, header facts and a latency table with every request and the total', () => {
  const md = renderMarkdown(sample(), []);
  assert.ok(md.startsWith('## loadhttp: checkout \\| smoke\n'), md.split('\n')[0]);
  assert.match(md, /- \*\*Target:\*\* `http:\/\/127\.0\.0\.1:8080`/);
  assert.match(md, /- \*\*Protocol:\*\* HTTP\/1\.1, 4 connections opened/);
  assert.match(md, /- \*\*Duration:\*\* 10\.00s measured/);
  assert.match(md, /- \*\*Concurrency:\*\* 4/);
  assert.match(md, /- \*\*Requests:\*\* 1,113 sent, 1,100 completed, 13 failed, 0 cancelled/);
  assert.match(md, /- \*\*Failures:\*\* timeout 13/);
  assert.ok(!md.includes('Interrupted'));
  assert.ok(!md.includes('### Thresholds'), 'no thresholds section without thresholds');

  const rows = table(md, 'Request');
  assert.deepEqual(rows[0], ['Request', 'Requests', 'Req/s', 'P50', 'P90', 'P99', 'P99.9', 'Max', 'Errors']);
  assert.match(rows[1]?.join(' ') ?? '', /^:-- --: --:/);
  const byName = new Map(rows.slice(2).map((r) => [r[0], r]));
  assert.deepEqual([...byName.keys()], ['list', 'a\\|b', 'never', '**Total**']);
  const list = byName.get('list');
  assert.equal(list?.[1], '1,010');
  assert.equal(list?.[2], '100');
  assert.match(list?.[3] ?? '', /^50\.\dms$/);
  assert.match(list?.[5] ?? '', /^99\.\dms$/);
  assert.match(list?.[7] ?? '', /^100\.\dms$/);
  assert.equal(list?.[8], '0.99%');
  // A request that never completed shows dashes rather than zero latencies.
  assert.deepEqual(byName.get('never')?.slice(3), ['–', '–', '–', '–', '–', '100.0%']);
  assert.equal(byName.get('**Total**')?.[1], '1,113');
});

test('thresholds table with measured values and ✅/❌', () => {
  const result = sample();
  const outcomes = evaluate(result, 'list.p99 < 250ms', 'list.p50 < 10ms', 'never.p99 < 1s', 'errors < 5%');
  const md = renderMarkdown(result, outcomes);
  assert.match(md, /^## loadhttp: .* ❌$/m);
  assert.match(md, /### Thresholds \(2\/4 passed\)/);
  const rows = table(md, 'Threshold');
  assert.deepEqual(rows[0], ['Threshold', 'Measured', 'Limit', 'Result']);
  const body = rows.slice(2);
  assert.equal(body.length, 4);
  assert.equal(body[0]?.[0], '`list.p99 < 250ms`');
  assert.match(body[0]?.[1] ?? '', /^99\.\dms$/);
  assert.equal(body[0]?.[2], '&lt; 250ms');
  assert.equal(body[0]?.[3], '✅');
  assert.equal(body[1]?.[3], '❌');
  assert.equal(body[2]?.[1], '_no samples_');
  assert.equal(body[2]?.[3], '❌');
  assert.equal(body[3]?.[3], '✅');

  const allPass = renderMarkdown(result, evaluate(result, 'list.p99 < 1s'));
  assert.match(allPass, /^## loadhttp: .* ✅$/m);
});

test('interrupted and errored runs are called out', () => {
  const result = buildResult({ only: { latenciesUs: [], failed: 2 } }, { interrupted: true, error: { class: 'connect-refused', message: 'ECONNREFUSED <host>' } });
  const md = renderMarkdown(result, []);
  assert.match(md, /⚠️ \*\*Interrupted:\*\*/);
  assert.match(md, /❌ \*\*Run error:\*\* connect-refused: ECONNREFUSED &lt;host&gt;/);
  assert.match(md.split('\n')[0] ?? '', /❌$/);
});

test('escaping: pipes, markdown punctuation, HTML and newlines in cells', () => {
  assert.equal(escapeMarkdown('a|b'), 'a\\|b');
  assert.equal(escapeMarkdown('*x* _y_ `z`'), '\\*x\\* \\_y\\_ \\`z\\`');
  assert.equal(escapeMarkdown('<script>&'), '&lt;script&gt;&amp;');
  assert.equal(escapeMarkdown('two\nlines'), 'two lines');
  assert.equal(markdownCode('p99 < 1s'), '`p99 < 1s`');
  assert.equal(markdownCode('a|b'), '`a\\|b`');
  assert.equal(markdownCode('has `tick`'), '`` has `tick` ``');
  // A threshold whose text contains a pipe does not break the table.
  const result = sample();
  const [o] = evaluate(result, 'list.p99 < 1s');
  assert.ok(o);
  const md = renderMarkdown(result, [{ ...o, expr: 'list.p99 < 1s | x' }]);
  const rows = table(md, 'Threshold');
  assert.equal(rows[2]?.[0], '`list.p99 < 1s \\| x`');
});

test('a flow over two targets: the iterations as a fact and a last latency row, a table per instance', () => {
  const md = renderMarkdown(flowTargetsResult(), []);
  assert.ok(md.includes('- **Iterations:** 95 completed, 5 failed, 2 interrupted; 9.5 completed/s\n'), md);
  const latency = md.slice(md.indexOf('### Latency'), md.indexOf('### Targets'));
  assert.equal(
    latency,
    `### Latency

Steps in flow order, then whole iterations (from each iteration's start to its last step's end; errors: failed iterations).

| Request | Requests | Req/s | P50 | P90 | P99 | P99.9 | Max | Errors |
| :-- | --: | --: | --: | --: | --: | --: | --: | --: |
| login | 10 | 1.0 | 1.44ms | 1.89ms | 2.00ms | 2.00ms | 2.00ms | 0% |
| buy | 10 | 1.0 | 1.44ms | 1.89ms | 2.00ms | 2.00ms | 2.00ms | 0% |
| **Total** | 20 | 2.0 | 1.44ms | 1.89ms | 2.00ms | 2.00ms | 2.00ms | 0% |
| **Iteration** | 100 | 9.5 | 100.0ms | 180.0ms | 250.0ms | 300.0ms | 310.0ms | 5.00% |

`,
  );
  assert.ok(
    md.endsWith(`### Targets

least-inflight; latency from the send to each instance; errors: failures and statuses outside 2xx/3xx.

| Target | Requests | Req/s | P50 | P90 | P99 | P99.9 | Max | Errors |
| :-- | --: | --: | --: | --: | --: | --: | --: | --: |
| \`10.9.0.1:8080\` | 60 | 6.0 | 1.50ms | 2.00ms | 2.00ms | 3.00ms | 3.00ms | 0% |
| \`[::1]:8080\` | 40 | 3.6 | 2.50ms | 40.0ms | 40.0ms | 41.0ms | 41.0ms | 10.0% |
`),
    md,
  );
  // Without a flow or several targets, none of it.
  const plain = renderMarkdown(sample(), []);
  assert.ok(!plain.includes('Iteration') && !plain.includes('### Targets'));
});

test('a target[*] threshold gets a row per instance under it; one naming its instance does not', () => {
  const result = flowTargetsResult();
  const outcome = (expr: string, actual: number, passed: boolean): ThresholdOutcome => ({ expr, metric: 'p99', request: null, op: '<', limit: 30, actual, passed, unit: 'ms' });
  const star = outcome('target[*].p99 < 30ms', 40, false);
  const one = outcome('target[10.9.0.1:8080].p99 < 30ms', 2, true);
  const md = renderMarkdown(result, [star, one], [
    [
      { instance: '10.9.0.1:8080', outcome: outcome(star.expr, 2, true) },
      { instance: '[::1]:8080', outcome: outcome(star.expr, 40, false) },
    ],
    [{ instance: '10.9.0.1:8080', outcome: one }],
  ]);
  assert.ok(
    md.includes(`| Threshold | Measured | Limit | Result |
| :-- | --: | :-- | :-: |
| \`target[*].p99 < 30ms\` | 40.0ms | &lt; 30ms | ❌ |
| ↳ \`10.9.0.1:8080\` | 2.00ms | &lt; 30ms | ✅ |
| ↳ \`[::1]:8080\` | 40.0ms | &lt; 30ms | ❌ |
| \`target[10.9.0.1:8080].p99 < 30ms\` | 2.00ms | &lt; 30ms | ✅ |
`),
    md,
  );
});

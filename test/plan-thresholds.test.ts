// Thresholds resolved into the Plan: parsed before anything is sent, errors at the expression's own
// file:line:col (plus the offset inside it), CLI ones as usage errors; plus the pure gate pieces
// (abort checks, exit-code precedence, --max-regression, result-file validation, progress mode).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { regressionAllowance } from '../src/cli/flags.ts';
import { ScenarioError, UsageError } from '../src/util/errors.ts';
import { AbortGate, withVerdicts } from '../src/judge/gate.ts';
import { exitCodeFor } from '../src/cli/exit-codes.ts';
import { buildPlan } from '../src/plan/plan.ts';
import { progressMode } from '../src/cli/progress.ts';
import { MERGEABLE_SCHEMA_VERSIONS, readResultFile } from '../src/result/read-result.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { sampleResult } from './helpers/sample-result.ts';
import { SCHEMA_VERSION } from '../src/result/result.ts';

const FILE = '/scenarios/gate.yaml';
const HEAD = 'target: http://127.0.0.1:9\nrequests:\n  - name: list\n    path: /items\n  - name: create\n    path: /items\n';

function plan(text: string, thresholds?: string[]) {
  return buildPlan(parseScenario(HEAD + text, FILE, {}), thresholds ? { thresholds } : {}, '0.0.0');
}

function scenarioError(text: string): ScenarioError {
  try {
    plan(text);
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `expected a ScenarioError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ScenarioError');
}

test('scenario and --threshold expressions are parsed into the plan, scenario ones first', () => {
  const p = plan('thresholds:\n  - p99 < 250ms\n  - { expr: "list.p50 < 40ms", abortOnFail: true, delay: 2s }\n', ['errors<1%']);
  assert.deepEqual(
    p.thresholds.map((t) => [t.source, t.spec.request, t.spec.metricName, t.spec.limit, t.abortOnFail, t.delayMs, t.origin]),
    [
      ['p99 < 250ms', null, 'p99', 250, false, 0, 'scenario'],
      ['list.p50 < 40ms', 'list', 'p50', 40, true, 2000, 'scenario'],
      ['errors<1%', null, 'errors', 0.01, false, 0, 'cli'],
    ],
  );
  assert.deepEqual(plan('').thresholds, []);
});

test('a malformed scenario threshold points at the offending character in the file', () => {
  // Line 7 is the first threshold line. Plain scalar: the expression starts at col 5.
  let error = scenarioError('thresholds:\n  - p99 < 250\n');
  assert.deepEqual(error.position, { file: FILE, line: 8, col: 14 });
  assert.equal(error.key, 'thresholds[0]');
  assert.match(error.message, /^\/scenarios\/gate\.yaml:8:14: thresholds\[0\]: invalid threshold: p99 is a latency and needs a unit \(add a unit, e\.g\. 250ms\)/);
  assert.match(error.message, /\n {4}p99 < 250\n {13}\^$/);
  // Quoted scalar: one column further for the quote.
  error = scenarioError('thresholds:\n  - p99 < 1s\n  - "p99 = 5ms"\n');
  assert.deepEqual(error.position, { file: FILE, line: 9, col: 10 });
  assert.equal(error.key, 'thresholds[1]');
  assert.match(error.message, /unsupported operator "="/);
  // Map form: the position is the expr value's.
  error = scenarioError('thresholds:\n  - { expr: lag < 1s, abortOnFail: true }\n');
  assert.deepEqual(error.position, { file: FILE, line: 8, col: 13 });
  assert.match(error.message, /unknown metric "lag"/);
});

test('a threshold on a request the plan does not have is refused before the run, with a suggestion', () => {
  const error = scenarioError('thresholds:\n  - lsit.p99 < 100ms\n');
  assert.deepEqual(error.position, { file: FILE, line: 8, col: 5 });
  assert.match(error.message, /no request named "lsit" in this plan \(did you mean "list"\?\)/);
  assert.throws(() => plan('', ['nope.rps > 5']), (e: unknown) => e instanceof UsageError && /requests: list, create/.test(e.message));
});

test('iteration thresholds need a flow: refused at the file\'s line and column without one, with a hint for "iterations."', () => {
  const FLOW = 'target: http://127.0.0.1:9\nflow:\n  - name: login\n    path: /login\n  - name: list\n    path: /items\n';
  const flowPlan = (text: string, cli?: string[]) => buildPlan(parseScenario(FLOW + text, FILE, {}), cli ? { thresholds: cli } : {}, '0.0.0');
  const p = flowPlan('thresholds:\n  - iteration.p99 < 2s\n  - iteration.errors < 1%\n', ['login.p99 < 1s']);
  assert.deepEqual(
    p.thresholds.map((t) => [t.source, t.spec.iteration ?? false, t.spec.request, t.spec.metricName]),
    [
      ['iteration.p99 < 2s', true, null, 'iteration.p99'],
      ['iteration.errors < 1%', true, null, 'iteration.errors'],
      ['login.p99 < 1s', false, 'login', 'p99'],
    ],
  );
  // Without a flow: refused where it is written.
  const error = scenarioError('thresholds:\n  - p99 < 1s\n  - iteration.p99 < 2s\n');
  assert.deepEqual(error.position, { file: FILE, line: 9, col: 5 });
  assert.equal(
    error.message,
    `${FILE}:9:5: thresholds[1]: invalid threshold: iteration figures need a \`flow:\` (without a flow every request is its own: gate requests with p99, errors, <request>.p99)\n    iteration.p99 < 2s\n    ^`,
  );
  assert.throws(() => plan('', ['iteration.errors < 1%']), (e: unknown) => e instanceof UsageError && /^--threshold: invalid threshold: iteration figures need a `flow:`/.test(e.message));
  // "iterations." (plural) is a request name the flow does not have: the hint says how to write it.
  assert.throws(
    () => flowPlan('thresholds:\n  - iterations.p99 < 2s\n'),
    (e: unknown) => e instanceof ScenarioError && /no request named "iterations" in this plan \(a flow's iterations are "iteration\." \(e\.g\. iteration\.p99, iteration\.errors\)\)/.test(e.message),
  );
  // A scenario without a flow whose request is named "iteration" keeps gating that request.
  const named = buildPlan(parseScenario('target: http://127.0.0.1:9\nrequests:\n  - name: iteration\n    path: /\nthresholds: ["iteration.p99 < 2s"]\n', FILE, {}), {}, '0.0.0');
  assert.deepEqual([named.thresholds[0]!.spec.iteration, named.thresholds[0]!.spec.request, named.thresholds[0]!.spec.metricName], [undefined, 'iteration', 'p99']);
});

test('a malformed --threshold is a usage error (exit 2) naming the flag', () => {
  assert.throws(
    () => plan('', ['p99<2x']),
    (e: unknown) =>
      e instanceof UsageError &&
      !(e instanceof ScenarioError) &&
      e.message === '--threshold: invalid threshold: unknown latency unit "x" (use us, ms or s, e.g. 250ms)\n    p99<2x\n         ^',
  );
});

test('AbortGate: waits for the delay, ignores "no samples yet", then trips on a measured failure', () => {
  const p = plan('thresholds:\n  - { expr: list.p50 < 1ms, abortOnFail: true, delay: 5s }\n  - p50 < 1ms\n');
  const gate = new AbortGate(p.thresholds);
  assert.equal(gate.watching, true);
  const result = sampleResult(); // list p50 is well above 1 ms
  assert.equal(gate.check({ ...result, durationMs: 4999 }), false, 'before the delay');
  const noSamples = { ...result, durationMs: 6000, requests: { ...result.requests, list: { ...result.requests.list!, latencyMs: { ...result.requests.list!.latencyMs, count: 0 } } }, histograms: { ...result.histograms, requests: {} } };
  assert.equal(gate.check(noSamples), false, 'no samples is not a crossing');
  assert.equal(gate.check({ ...result, durationMs: 6000 }), true);
  assert.equal(gate.tripped?.outcome.expr, 'list.p50 < 1ms');
  assert.equal(gate.tripped?.atMs, 6000);
  assert.equal(new AbortGate(plan('thresholds:\n  - p50 < 1ms\n').thresholds).watching, false);
});

test('verdicts and exit-code precedence: 3 over 130 over 99 over 0', () => {
  const passing = plan('thresholds:\n  - errors < 100%\n').thresholds;
  const failing = plan('thresholds:\n  - p50 < 1us\n').thresholds;
  const result = sampleResult();
  const ok = withVerdicts(result, passing, null, null);
  assert.equal(ok.thresholdsPassed, true);
  assert.equal(ok.thresholds?.length, 1);
  assert.equal(exitCodeFor(ok), 0);
  const failed = withVerdicts(result, failing, null, null);
  assert.equal(failed.thresholdsPassed, false);
  assert.equal(exitCodeFor(failed), 99);
  assert.equal(exitCodeFor({ ...failed, interrupted: true }), 130);
  assert.equal(exitCodeFor({ ...failed, interrupted: true, error: { class: 'connect-refused', message: 'x' } }), 3);
  // An abort fails the gate even when the final figures pass.
  const aborted = withVerdicts(result, passing, { outcome: ok.thresholds![0]!, atMs: 1000 }, null);
  assert.equal(aborted.thresholdsPassed, false);
  assert.equal(exitCodeFor(aborted), 99);
});

test('--max-regression takes a percentage or a fraction, and refuses an ambiguous bare number', () => {
  assert.equal(regressionAllowance('--max-regression', '10%'), 0.1);
  assert.equal(regressionAllowance('--max-regression', '2.5%'), 0.025);
  assert.equal(regressionAllowance('--max-regression', '0.2'), 0.2);
  assert.throws(() => regressionAllowance('--max-regression', '10'), /ambiguous: write 10% \(or the fraction 0\.1\)/);
  assert.throws(() => regressionAllowance('--max-regression', 'ten'), /is not a percentage/);
});

test('result files: only loadhttp results with a supported schemaVersion are read', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadhttp-gate-'));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const good = write('good.json', JSON.stringify(sampleResult()));
  assert.equal(readResultFile(good, 'base').name, sampleResult().name);
  const cases: Array<[string, RegExp]> = [
    [path.join(dir, 'missing.json'), /^base: cannot read .*missing\.json: no such file$/],
    [write('yaml.json', 'name: x\n'), /is not JSON .*expected a loadhttp result/],
    [write('other.json', '{"name": "k6 summary"}'), /is not a loadhttp result: it has no "tool"/],
    [write('pair.json', JSON.stringify({ compare: 'protocols', runs: [sampleResult(), sampleResult()] })), /holds a --compare-protocols pair of runs/],
    [write('future.json', JSON.stringify({ ...sampleResult(), schemaVersion: 7 })), /schemaVersion 7, .*supported: 1, 2, 3\); it was written by a newer loadhttp/],
    [write('partial.json', JSON.stringify({ ...sampleResult(), requests: undefined })), /not a complete loadhttp result: "requests" is missing/],
    [write('failed.json', JSON.stringify({ ...sampleResult(), error: { class: 'connect-refused', message: 'ECONNREFUSED' } })), /measured nothing \(connect-refused: ECONNREFUSED\)/],
  ];
  for (const [file, message] of cases) {
    assert.throws(() => readResultFile(file, 'base'), (e: unknown) => e instanceof UsageError && message.test(e.message), file);
  }
  // Version 1 (before the firstTry histograms) is still compared; merge wants this version's histograms.
  const v1 = write('v1.json', JSON.stringify({ ...sampleResult(), schemaVersion: 1 }));
  assert.equal(readResultFile(v1, 'base').schemaVersion, 1);
  // Version 2 (before the iteration and target scopes of a comparison) is read everywhere, merge included.
  const v2 = write('v2.json', JSON.stringify({ ...sampleResult(), schemaVersion: 2 }));
  assert.equal(readResultFile(v2, 'base').schemaVersion, 2);
  assert.equal(readResultFile(v2, 'merge', { versions: MERGEABLE_SCHEMA_VERSIONS }).schemaVersion, 2);
  assert.equal(SCHEMA_VERSION, 3);
  assert.throws(
    () => readResultFile(v1, 'merge', { versions: MERGEABLE_SCHEMA_VERSIONS, failed: true }),
    (e: unknown) => e instanceof UsageError && /^merge: .*v1\.json has result schemaVersion 1, .*\(supported: 2, 3\); it was written by an older loadhttp/.test(e.message),
  );
  // merge reads a failed shard's result, to name it.
  const failed = write('failed-shard.json', JSON.stringify({ ...sampleResult(), error: { class: 'connect-refused', message: 'ECONNREFUSED' } }));
  assert.equal(readResultFile(failed, 'merge', { versions: [SCHEMA_VERSION], failed: true }).error?.class, 'connect-refused');
});

test('no spinner in CI, on a non-TTY or on a terminal without a width; lines instead (quiet: nothing)', () => {
  const tty = { isTTY: true, columns: 80 } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;
  const on = { quiet: false, progress: true };
  assert.equal(progressMode(on, tty, {}), 'spinner');
  assert.equal(progressMode(on, tty, { CI: 'true' }), 'lines');
  assert.equal(progressMode(on, tty, { CI: '1' }), 'lines');
  assert.equal(progressMode(on, pipe, {}), 'lines');
  assert.equal(progressMode(on, { isTTY: true, columns: 0 } as NodeJS.WriteStream, {}), 'lines');
  assert.equal(progressMode({ quiet: true, progress: true }, tty, {}), 'off');
});

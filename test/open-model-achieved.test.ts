// The open model's achieved rate counts what its target rate counts: arrivals started per second. With a
// flow an arrival is an iteration of several steps, in a mix an entry picked (a flow's iteration or one
// plain request), so counting the requests sent would report ~3× the target for a 3-step flow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan } from '../src/engine/run.ts';
import { buildPlan } from '../src/plan/plan.ts';
import type { Overrides } from '../src/plan/types.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { renderReport } from '../src/report/table.ts';
import { renderHtml } from '../src/report/html/render.ts';
import { trafficCharts } from '../src/report/html/chart-data.ts';
import type { RunResult } from '../src/result/result.ts';
import { LOGIN_FLOW, startAuthServer, type AuthServer } from './helpers/auth-server.ts';

/** A mix of a plain request (weight 1) and a 3-step flow entry (the steps of LOGIN_FLOW, weight 3). */
const MIX_WITH_FLOW = `requests:
  - name: plain
    method: POST
    path: /login
    json: { user: plain, password: pw-plain }
    weight: 1
  - name: checkout
    weight: 3
    flow:
${LOGIN_FLOW.replace(/^\s*flow:\n/, '').replace(/^(?=.)/gm, '    ')}`;

async function run(server: AuthServer, text: string, overrides: Overrides): Promise<RunResult> {
  const scenario = parseScenario(`target: ${server.url}\n${text}`, 'rate.yaml');
  return runPlan(buildPlan(scenario, overrides, 'test'), { version: 'test' });
}

/**
 * 60 arrivals at 40/s, a queue longer than the run (none dropped however slow the machine): the achieved
 * rate is the arrivals started over the window. Within ±40% of the target: a loaded machine stretches the
 * window a little, while counting requests (3 a flow iteration) lands near +200%.
 */
function assertArrivalRate(result: RunResult, started: number): void {
  const arrival = result.arrival!;
  assert.equal(result.counts.dropped ?? 0, 0);
  assert.equal(arrival.scheduled, 60);
  assert.equal(started, 60, 'every arrival was started');
  assert.ok(result.counts.sent > started * 1.5, `the steps sent (${result.counts.sent}) outnumber the arrivals`);
  assert.equal(Math.round((arrival.achievedRps * arrival.windowMs) / 1000), started, 'achieved = arrivals started / window');
  const ratio = arrival.achievedRps / arrival.targetRps;
  assert.ok(ratio > 0.6 && ratio < 1.4, `achieved ${arrival.achievedRps} against target ${arrival.targetRps}`);
  const rateLine = renderReport(result, { color: false }).split('\n').find((line) => /^\s*rate\s/.test(line)) ?? '';
  assert.match(rateLine, /target 40(\.\d+)? arrivals\/s, achieved [\d.]+ arrivals\/s/);
  assert.match(renderHtml(result), /target 40(\.\d+)? arrivals\/s, achieved [\d.]+ arrivals\/s/, 'the HTML report says so too');
  // The per-second series counts the arrivals started apart from the steps' responses, and the HTML
  // report charts the schedule's arrivals on their own, not on the responses' axis.
  assert.equal(result.series.reduce((n, p) => n + (p.arrivals ?? 0), 0), started, 'the series counts every arrival started');
  const charts = trafficCharts(result, 'r');
  assert.deepEqual(charts.find((c) => c.id === 'r-throughput')!.series.map((s) => s.label), ['completed/s', 'errors/s']);
  const arrivals = charts.find((c) => c.id === 'r-arrivals')!;
  assert.deepEqual(arrivals.series.map((s) => s.label), ['scheduled/s', 'started/s', 'dropped/s']);
  assert.deepEqual(arrivals.axes, ['arrivals/s', 'dropped/s']);
}

test('open model, 3-step flow: achieved counts iterations started per second, as the target does', async () => {
  const server = await startAuthServer();
  try {
    const result = await run(server, LOGIN_FLOW, { rate: 40, iterations: 60, maxQueued: 100 });
    const iterations = result.iterations!;
    assert.equal(iterations.failed, 0, JSON.stringify(result.errorExamples));
    assertArrivalRate(result, iterations.completed + iterations.failed + iterations.interrupted);
    assert.equal(result.counts.sent, 180);
  } finally {
    await server.close();
  }
});

test('open model, mix with a flow entry: achieved counts entries picked per second, as the target does', async () => {
  const server = await startAuthServer();
  try {
    // Mostly the flow entry, so that counting requests would be far off.
    const result = await run(server, MIX_WITH_FLOW, { rate: 40, iterations: 60, maxQueued: 100 });
    const iterations = result.iterations!;
    assert.equal(iterations.failed, 0, JSON.stringify(result.errorExamples));
    const plain = result.requests.plain!.counts.sent;
    assert.ok(plain > 0 && iterations.completed > 0, `plain ${plain}, iterations ${iterations.completed}`);
    assertArrivalRate(result, plain + iterations.completed + iterations.failed + iterations.interrupted);
  } finally {
    await server.close();
  }
});

test('open model, plain mix: achieved is still requests started per second (one a arrival)', async () => {
  const server = await startAuthServer();
  try {
    const result = await run(server, 'requests:\n  - path: /health\n    expect: { status: 401 }\n', { rate: 40, iterations: 60, maxQueued: 100 });
    const arrival = result.arrival!;
    assert.equal(result.counts.sent, 60);
    assert.equal(Math.round((arrival.achievedRps * arrival.windowMs) / 1000), result.counts.sent);
    assert.match(renderReport(result, { color: false }), /target 40(\.\d+)? req\/s, achieved [\d.]+ req\/s/);
    // One request an arrival: the schedule shares the requests' chart.
    assert.equal(result.series.reduce((n, p) => n + (p.arrivals ?? 0), 0), result.counts.sent);
    const charts = trafficCharts(result, 'r');
    assert.deepEqual(charts.find((c) => c.id === 'r-throughput')!.series.map((s) => s.label), ['completed/s', 'scheduled/s', 'started/s', 'errors/s', 'dropped/s']);
    assert.equal(charts.find((c) => c.id === 'r-arrivals'), undefined);
  } finally {
    await server.close();
  }
});

// Flows against a real server that checks tokens: steps in order per iteration, captures (JSON path,
// header, regex) carried into later steps, a failed step or capture ending its iteration, and the
// per-step and iteration figures in the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan } from '../src/engine/run.ts';
import { buildPlan } from '../src/plan/plan.ts';
import type { Overrides } from '../src/plan/types.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { renderReport } from '../src/report/table.ts';
import { renderHtml } from '../src/report/html/render.ts';
import type { RunResult } from '../src/result/result.ts';
import { LOGIN_FLOW, startAuthServer, type AuthServer } from './helpers/auth-server.ts';

async function run(server: AuthServer, scenarioText: string, overrides: Overrides): Promise<RunResult> {
  const scenario = parseScenario(`target: ${server.url}\n${scenarioText}`, 'flow.yaml');
  return runPlan(buildPlan(scenario, overrides, 'test'), { version: 'test' });
}

test('flow: login -> token -> authorised requests; every step in order, per-step and iteration figures', async () => {
  const server = await startAuthServer();
  try {
    const result = await run(server, LOGIN_FLOW, { concurrency: 3, iterations: 30 });
    assert.equal(result.iterations?.completed, 30, JSON.stringify(result.errorExamples));
    assert.equal(result.iterations?.failed, 0);
    assert.equal(result.iterations?.durationMs.count, 30);
    assert.deepEqual(Object.keys(result.requests), ['login', 'me', 'item'], 'steps in flow order');
    for (const step of ['login', 'me', 'item']) assert.equal(result.requests[step]!.counts.completed, 30, step);
    assert.equal(server.refused, 0, 'every authorised request carried a token the server issued');
    assert.equal(server.stats.requests, 90);
    assert.deepEqual(new Set(server.logins), new Set(['u1', 'u2', 'u3']), '{{vu}} numbers the virtual users');
    const mePaths = [...server.stats.byPath.keys()].filter((p) => p.startsWith('/me'));
    assert.ok(mePaths.every((p) => /^\/me\?session=s-u[123]&n=\d+$/.test(p)), `header and regex captures in the path: ${mePaths.join(' ')}`);
    assert.ok(result.histograms.iteration, 'the iteration histogram is in the result');
    assert.ok(result.iterations!.durationMs.p50 >= result.requests.login!.latencyMs.p50);
    const report = renderReport(result, { color: false });
    assert.match(report, /iterations\s+30 completed, 0 failed/);
    assert.match(report, /\n\s*login\s.*\n\s*me\s.*\n\s*item\s.*\n\s*total\s.*\n\s*iteration\s+30\s/, report);
    assert.match(renderHtml(result), /<strong>iteration<\/strong><\/td><td[^>]*>duration<\/td><td[^>]*>30</, 'the HTML report has the iteration row');
  } finally {
    await server.close();
  }
});

test('flow: a wrong token fails its step as an unexpected status and ends the iteration there', async () => {
  const server = await startAuthServer();
  try {
    const wrong = LOGIN_FLOW.replace('path: /me?session={{session}}&n={{n}}\n    headers: { authorization: "Bearer {{token}}" }', 'path: /me\n    headers: { authorization: "Bearer x{{token}}" }');
    assert.notEqual(wrong, LOGIN_FLOW);
    const result = await run(server, wrong, { concurrency: 2, iterations: 10 });
    assert.equal(result.iterations?.completed, 0);
    assert.equal(result.iterations?.failed, 10);
    assert.equal(result.requests.me!.unexpectedStatus, 10);
    assert.deepEqual(result.requests.me!.statusCodes, { '401': 10 });
    assert.equal(result.requests.item!.counts.sent, 0, 'the step after the failed one is never sent');
    assert.equal(server.refused, 10);
  } finally {
    await server.close();
  }
});

test('flow: a capture that finds nothing fails its step as `capture` and ends the iteration', async () => {
  const server = await startAuthServer();
  try {
    const missing = LOGIN_FLOW.replace('{ json: "$.items[0].id", as: item }', '{ json: "$.items[3].id", as: item }');
    const result = await run(server, missing, { concurrency: 1, iterations: 4 });
    assert.equal(result.iterations?.failed, 4);
    assert.deepEqual(result.requests.login!.errors, { capture: 4 });
    assert.match(result.errorExamples.capture![0]!, /capture item: \$\.items\[3\]\.id is not in the response/);
    assert.equal(result.requests.me!.counts.sent, 0);
    assert.equal(server.stats.requests, 4);
  } finally {
    await server.close();
  }
});

test('flow in the open model: the rate is iterations per second, each step recorded, the iteration from its intended start', async () => {
  const server = await startAuthServer();
  try {
    const result = await run(server, LOGIN_FLOW, { rate: 100, iterations: 20 });
    // Arrivals still queued for a slot when the 20th is scheduled are dropped (counted against the first step).
    const dropped = result.requests.login!.counts.dropped ?? 0;
    assert.equal(result.iterations!.completed + dropped, 20, JSON.stringify(result.errorExamples));
    assert.ok(result.iterations!.completed >= 10, `completed ${result.iterations!.completed}`);
    assert.equal(result.iterations!.failed, 0);
    assert.equal(result.requests.item!.counts.completed, result.iterations!.completed);
    assert.equal(server.refused, 0);
    assert.equal(result.arrival?.scheduled, 20);
    assert.ok(result.iterations!.durationMs.p50 >= result.requests.login!.serviceTimeMs!.p50, 'the iteration counts from its intended start');
  } finally {
    await server.close();
  }
});

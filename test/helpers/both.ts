// Differential testing against undici: the same plan runs through loadhttp's own transport and through
// undici (the reference), each against a fresh copy of the same server, and the two must agree on what
// was counted: requests sent, completed, failed and cancelled, failures by class, statuses, body bytes.
import assert from 'node:assert/strict';
import { runPlan } from '../../src/engine/run.ts';
import { buildPlan } from '../../src/plan/plan.ts';
import type { Overrides } from '../../src/plan/types.ts';
import type { RunResult } from '../../src/result/result.ts';
import { emptyScenario } from '../../src/scenario/empty.ts';
import type { TransportChoice } from '../../src/scenario/types.ts';

/** A server started afresh for each transport: its URL, the requests it saw, and how to stop it. */
export interface Started {
  url: string;
  requests: () => number;
  close(): Promise<void>;
}

export interface Run {
  result: RunResult;
  /** Requests the server saw. */
  served: number;
}

export interface BothRuns {
  loadhttp: Run;
  undici: Run;
}

/** Runs `overrides` (url from the server, path `/` unless given) through each transport in turn. */
export async function runBoth(start: () => Promise<Started>, overrides: Overrides, path = '/'): Promise<BothRuns> {
  const runs = {} as BothRuns;
  for (const transport of ['loadhttp', 'undici'] as const) runs[transport] = await runOne(start, overrides, path, transport);
  return runs;
}

export async function runOne(start: () => Promise<Started>, overrides: Overrides, path: string, transport: TransportChoice): Promise<Run> {
  const server = await start();
  try {
    const plan = buildPlan(emptyScenario(), { requestTimeoutMs: 3000, ...overrides, url: `${server.url}${path}`, transport }, 'test');
    const result = await runPlan(plan, { version: 'test' });
    assert.equal(result.transport, transport, 'the run used the transport asked for');
    return { result, served: server.requests() };
  } finally {
    await server.close();
  }
}

/** What the two transports must agree on. */
export function counted(result: RunResult): object {
  return {
    counts: result.counts,
    errors: result.errors,
    statusCodes: result.statusCodes,
    bytesReceived: result.bytes.received,
  };
}

/** Every request sent is completed, failed or cancelled, and every failure has one class. */
export function accountedFor(result: RunResult): void {
  const { sent, completed, failed, cancelled } = result.counts;
  assert.equal(sent, completed + failed + cancelled, 'sent = completed + failed + cancelled');
  assert.equal(Object.values(result.errors).reduce((a, b) => a + b, 0), failed, 'each failure has one class');
}

/** Both runs account for every request, and agree on the counts, classes, statuses and bytes. */
export function assertAgree(runs: BothRuns, label: string): void {
  accountedFor(runs.loadhttp.result);
  accountedFor(runs.undici.result);
  assert.deepEqual(counted(runs.loadhttp.result), counted(runs.undici.result), `${label}: loadhttp (actual) and undici (expected) disagree`);
}

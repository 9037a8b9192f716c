// Scenario + command-line overrides → Plan: every option resolved once (defaults filled, units in ms,
// weights as a cumulative table), frozen. The engine reads nothing else.
import type { Scenario, ScenarioRequest } from '../scenario/types.ts';
import { UsageError } from '../util/errors.ts';
import { deepFreeze } from '../util/freeze.ts';
import { defaultSessions, resolveProtocol } from './protocol.ts';
import { resolveLoadModel } from './load.ts';
import { ADDRESSES, resolveThresholds } from './thresholds.ts';
import { resolveRetry } from './retry.ts';
import type { Overrides, Plan, PlannedRequest } from './types.ts';
import { maskedNames, shownHeaders, substringSecrets, userinfoSecrets } from './secrets.ts';
import { checkSplittable, resolveWorkers } from './split.ts';
import { resolveData, resolveFlow } from './flow.ts';
import { otlpSecrets, resolveMetrics } from './metrics.ts';
import { availableParallelism } from 'node:os';

/** Defaults of the load model (concurrency, queue bound) are in plan-load.ts. */
export const DEFAULTS = {
  durationMs: 10_000,
  gracefulStopMs: 5_000,
  connectTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  /** One connection per VU up to this cap; beyond it VUs share sockets. */
  maxDefaultConnections: 256,
} as const;

export function buildPlan(scenario: Scenario, overrides: Overrides, version: string): Plan {
  const targetUrl = resolveTarget(scenario, overrides);
  const resolved = resolveRequests(scenario, overrides, targetUrl, version);

  // A bound given on the CLI replaces the file's bounds: `-n 100` means 100 requests, not "100 or 30s".
  const cliBound = overrides.durationMs !== undefined || overrides.iterations !== undefined;
  const iterations = (cliBound ? overrides.iterations : scenario.load.iterations) ?? null;
  // Stages bound the run by their total length unless a duration or iteration count is given.
  const stagesMs = resolveLoadModel(scenario, overrides).stagesMs;
  const stagesBound = iterations === null && stagesMs > 0 ? stagesMs : null;
  const durationMs = (cliBound ? overrides.durationMs : scenario.load.durationMs) ?? stagesBound;
  const plan = assemble(scenario, overrides, targetUrl, resolved, durationMs, iterations, version);
  checkSplittable(plan, plan.workers, '--workers');
  return deepFreeze(plan);
}

function assemble(
  scenario: Scenario,
  overrides: Overrides,
  target: URL,
  { requests, secrets }: ResolvedRequests,
  durationMs: number | null,
  iterations: number | null,
  version: string,
): Plan {
  const defaultDuration = durationMs === null && iterations === null;
  const loadModel = resolveLoadModel(scenario, overrides);
  const flow = resolveFlow(scenario, requests, overrides.body !== undefined);
  const pipelining = overrides.pipelining ?? scenario.pool.pipelining ?? 1;
  const chosen = resolveProtocol(scenario, overrides);
  const streams = chosen.maxConcurrentStreams;
  const connections =
    overrides.connections ??
    scenario.pool.connections ??
    defaultSessions(chosen.protocol, loadModel.peakConcurrency, streams) ??
    Math.min(loadModel.peakConcurrency, DEFAULTS.maxDefaultConnections);
  // HTTP/2 sessions carry streams, not pipelined requests: the default bound is sessions × streams.
  const perConnection = chosen.protocol === 'h2' ? streams : pipelining;
  const maxInflight = overrides.maxInflight ?? scenario.pool.maxInflight ?? connections * perConnection;
  return {
    name: scenario.name ?? target.host,
    source: scenario.file,
    target: target.origin,
    // --url replaces the scenario's targets with its one.
    targets: overrides.url === undefined && scenario.targets ? scenario.targets.map((t) => new URL(t).origin) : [target.origin],
    balance: scenario.balance ?? 'round-robin',
    resolve: scenario.resolve ?? 'first',
    protocol: chosen.protocol,
    compareProtocols: chosen.compareProtocols,
    tls: chosen.tls,
    // loadhttp's own unless asked otherwise, for every plan: its transports keep a flow's responses too.
    transport: overrides.transport ?? scenario.transport ?? 'loadhttp',
    load: {
      model: loadModel.model,
      users: loadModel.users,
      inflightCap: loadModel.inflightCap,
      rate: loadModel.rate,
      stages: loadModel.stages,
      maxQueued: loadModel.maxQueued,
      arrivalOffset: 0,
      latencyCorrection: loadModel.latencyCorrection,
      durationMs: defaultDuration ? DEFAULTS.durationMs : durationMs,
      iterations,
      warmupMs: overrides.warmupMs ?? scenario.load.warmupMs ?? 0,
      gracefulStopMs: scenario.load.gracefulStopMs ?? DEFAULTS.gracefulStopMs,
      think: overrides.think ?? scenario.load.think ?? { kind: 'none' },
      defaultDuration,
    },
    pool: { connections, pipelining, maxInflight, maxConcurrentStreams: streams },
    timeouts: {
      connectMs: scenario.timeouts.connectMs ?? DEFAULTS.connectTimeoutMs,
      requestMs: overrides.requestTimeoutMs ?? scenario.timeouts.requestMs ?? DEFAULTS.requestTimeoutMs,
      headersMs: overrides.headersTimeoutMs ?? scenario.timeouts.headersMs ?? null,
      bodyMs: overrides.bodyTimeoutMs ?? scenario.timeouts.bodyMs ?? null,
    },
    requests: flow.requests,
    flow: flow.flow,
    data: resolveData(scenario),
    hooks: scenario.hooks ?? null,
    vuNumbers: { offset: 0, stride: 1 },
    secrets: substringSecrets([...secrets, ...otlpSecrets(scenario.metrics, overrides)]),
    thresholds: resolveThresholds(
      scenario.thresholds,
      overrides.thresholds ?? [],
      requests.map((r) => r.name),
      scenario.resolve === 'all' ? ADDRESSES : scenario.targets && overrides.url === undefined ? scenario.targets.map((t) => new URL(t).host) : [],
      // Iteration thresholds need iteration figures: the recorder keeps them for a plan with a flow.
      flow.flow !== null,
    ),
    workers: resolveWorkers(overrides.workers ?? scenario.workers ?? 1, availableParallelism(), loadModel, iterations),
    metrics: resolveMetrics(scenario.metrics, overrides),
  };
}

function resolveTarget(scenario: Scenario, overrides: Overrides): URL {
  const text = overrides.url ?? scenario.target;
  if (text === undefined) throw new UsageError('no target: give a scenario file with `target:` or --url');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url: "${text}" is not a URL (e.g. http://127.0.0.1:8080/)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url: only http:// and https:// targets are supported, not ${url.protocol}//`);
  }
  return url;
}

interface ResolvedRequests {
  requests: PlannedRequest[];
  /** The plan's secrets (Plan.secrets). */
  secrets: string[];
}

/** What an iteration picks from, by weight: a plain request, or a flow (its steps in order). */
interface Entry {
  weight: number;
  requests: ScenarioRequest[];
}

function entriesOf(scenario: Scenario): Entry[] {
  // A top-level flow is one entry; its steps keep their own weight (1) as the plan shows them.
  if (scenario.flow !== undefined) return [{ weight: 1, requests: scenario.flow }];
  return (scenario.mix ?? scenario.requests).map((entry) =>
    'flow' in entry ? { weight: entry.weight, requests: entry.flow.map((step) => ({ ...step, weight: entry.weight })) } : { weight: entry.weight, requests: [entry] },
  );
}

function resolveRequests(scenario: Scenario, overrides: Overrides, target: URL, version: string): ResolvedRequests {
  let entries = entriesOf(scenario);
  if (entries.length === 0) {
    // No request list: one request to the target URL's own path (the ad-hoc `--url` run).
    const method = (overrides.method ?? 'GET').toUpperCase();
    const path = target.pathname + target.search;
    entries = [{ weight: 1, requests: [{ name: `${method} ${path}`, method, path, headers: {}, body: null, weight: 1, expectStatus: null }] }];
  }
  const change = (update: (r: ScenarioRequest) => ScenarioRequest) => (entries = entries.map((e) => ({ ...e, requests: e.requests.map(update) })));
  if (overrides.method !== undefined) change((r) => ({ ...r, method: overrides.method!.toUpperCase() }));
  if (overrides.body !== undefined) change((r) => ({ ...r, body: overrides.body! }));

  const total = entries.reduce((sum, e) => sum + e.weight, 0);
  let running = 0;
  // Every request of an entry carries the entry's upper bound (the last entry's is exactly 1).
  const bounds = entries.flatMap((e, i) => {
    running += e.weight;
    return e.requests.map(() => (i === entries.length - 1 ? 1 : running / total));
  });
  const list = entries.flatMap((e) => e.requests);
  const redact = scenario.redact ?? [];
  const found = [...userinfoSecrets(target), ...(scenario.fromEnv?.values ?? [])];
  const requests = list.map((r, i): PlannedRequest => {
    const headers: Record<string, string> = {
      'user-agent': `loadhttp/${version}`,
      ...scenario.headers,
      ...r.headers,
      ...overrides.headers,
    };
    // Whether the value sent came from ${ENV}: a -H flag wins over the request's headers, they over the scenario's.
    const fromEnv = (name: string) =>
      !Object.hasOwn(overrides.headers ?? {}, name) &&
      (Object.hasOwn(r.headers, name) ? r.fromEnv : scenario.fromEnv)?.headers.includes(name) === true;
    const shown = shownHeaders(headers, (name) => redact.includes(name) || fromEnv(name));
    found.push(...shown.secrets, ...(r.fromEnv?.values ?? []));
    return {
      name: r.name,
      method: r.method,
      path: r.path,
      headers: Object.entries(headers).flat(),
      shownPath: r.shownPath ?? r.path,
      shownHeaders: shown.shown,
      body: r.body,
      weight: r.weight,
      // A flow's steps all carry its bound: the weighted pick lands on its first step (an open-model drop counts there).
      cumulative: bounds[i]!,
      expectStatus: r.expectStatus,
      retry: resolveRetry(r.method, scenario.retry, r.retry),
    };
  });
  const secrets = substringSecrets(found);
  const names = maskedNames(requests.map((r) => r.name), secrets);
  return { requests: requests.map((r, i) => ({ ...r, name: names[i]! })), secrets };
}

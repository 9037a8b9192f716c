// The plan as results show it: no request bodies, and credentials masked where they stand (the path and
// headers as the plan shows them); the rest of the secrets are masked by the CLI at the output.
import type { Plan, PlannedData } from './types.ts';
import type { DataSummary, FlowSummary, PlanSummary } from '../result/result.ts';
import type { Capture, Think } from '../scenario/types.ts';
import { rowCount } from '../scenario/data-file.ts';

export function summarizePlan(plan: Plan): PlanSummary {
  return {
    name: plan.name,
    source: plan.source,
    target: plan.target,
    protocol: plan.protocol,
    transport: plan.transport,
    concurrency: plan.load.model === 'open' ? plan.load.inflightCap : plan.load.users,
    durationMs: plan.load.durationMs,
    iterations: plan.load.iterations,
    warmupMs: plan.load.warmupMs,
    gracefulStopMs: plan.load.gracefulStopMs,
    defaultDuration: plan.load.defaultDuration,
    think: describeThink(plan.load.think),
    connections: plan.pool.connections,
    pipelining: plan.pool.pipelining,
    maxInflight: plan.pool.maxInflight,
    maxConcurrentStreams: plan.pool.maxConcurrentStreams,
    tls: plan.target.startsWith('https:')
      ? { insecure: plan.tls.insecure, ca: plan.tls.files.ca, cert: plan.tls.files.cert, servername: plan.tls.servername }
      : null,
    timeouts: { ...plan.timeouts },
    requests: plan.requests.map((r) => ({
      name: r.name,
      method: r.method,
      path: r.shownPath,
      weight: r.weight,
      headers: { ...r.shownHeaders },
      bodyBytes: r.body?.length ?? 0,
    })),
    ...(plan.flow && { flow: summarizeFlow(plan) }),
    ...(plan.data && { data: summarizeData(plan.data) }),
    ...(plan.hooks !== null && { hooks: plan.hooks }),
    // With `resolve: all` a single target may be several instances: the balance applies.
    ...((plan.targets.length > 1 || plan.resolve === 'all') && { targets: [...plan.targets], balance: plan.balance }),
    model: plan.load.model,
    rate: plan.load.rate,
    stages: plan.load.stages.map((stage) => ({ ...stage })),
    maxQueued: plan.load.maxQueued,
    latencyCorrection: plan.load.latencyCorrection,
    thresholds: plan.thresholds.map((t) => ({ expr: t.source, abortOnFail: t.abortOnFail, delayMs: t.delayMs, line: t.line })),
  };
}

/** Every flow's steps in plan order (a mix's flow entries one after the other: their names say which entry). */
function summarizeFlow(plan: Plan): FlowSummary {
  const steps = plan.flow!.entries.flatMap((entry) =>
    entry.steps.map((step, i) => ({
      name: plan.requests[entry.first + i]!.name,
      captures: step.captures.map(describeCapture),
      think: step.think === null ? null : describeThink(step.think),
    })),
  );
  const captured = plan.flow!.entries.flatMap((entry) => entry.steps.flatMap((step) => step.captures.map((c) => c.as)));
  return { steps, variables: [...new Set([...(plan.data?.table.columns ?? []), ...captured])] };
}

function describeCapture(capture: Capture): string {
  const from = capture.from === 'json' ? capture.expr : capture.from === 'header' ? `header ${capture.name}` : `regex /${capture.pattern}/`;
  return `${capture.as} <- ${from}`;
}

function summarizeData(data: PlannedData): DataSummary {
  const { table } = data;
  return { file: data.file, format: table.format, rows: rowCount(table), columns: [...table.columns], order: data.order, per: data.per, onExhausted: data.onExhausted };
}

/** The think time in words, for the plan summary. */
function describeThink(think: Think): string {
  switch (think.kind) {
    case 'none':
      return 'none';
    case 'uniform':
      return think.minMs === think.maxMs ? `${think.minMs}ms` : `uniform ${think.minMs}ms..${think.maxMs}ms`;
    case 'exponential':
      return `exponential, mean ${think.meanMs}ms`;
  }
}

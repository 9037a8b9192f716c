// The resolved plan as `loadhttp validate` prints it (a pure function of the plan summary).
import { formatDuration } from '../util/duration.ts';
import { FLOW_STEP_SEPARATOR, type FlowSummary, type PlanSummary } from '../result/result.ts';
import { describeLoad } from './load-text.ts';
import { LATENCY_BUCKETS_S } from './prometheus.ts';

/**
 * What a run would use that its result's plan summary does not record (validate shows it; the result
 * JSON, a public contract, stays as it is). Built by the CLI from the Plan.
 */
export interface PlanSettings {
  /** `resolve: all` (the result shows it as one instance per address). */
  resolveAll: boolean;
  /** A scenario with `protocol: [h1, h2]`: one run per protocol, in this order. */
  compareProtocols: string[] | null;
  workers: number;
  /** The client key file (with `tls.cert`), or null. */
  tlsKey: string | null;
  /** Idle timeouts, null = off. */
  headersTimeoutMs: number | null;
  bodyTimeoutMs: number | null;
  /** Per request (or flow step), in the plan's order. */
  requests: Array<{ expectStatus: number[] | null; retry: RetrySettings | null }>;
  metrics: MetricsSettings | null;
}

export interface RetrySettings {
  attempts: number;
  baseMs: number;
  maxMs: number;
  jitter: string;
  on: string[];
  statuses: number[];
}

export interface MetricsSettings {
  port: number | null;
  host: string;
  lingerMs: number;
  otlp: string | null;
  otlpIntervalMs: number;
  bucketsS: number[] | null;
}

const RESOLVE_ALL = 'resolve: all: every address of each name, resolved at the start, a pool each';

export function renderPlan(plan: PlanSummary, settings?: PlanSettings): string {
  const steps = new Map((plan.flow?.steps ?? []).map((step) => [step.name, step]));
  // A mix with flow entries: some requests are no flow's steps.
  const mixed = plan.requests.some((r) => !steps.has(r.name));
  const counted = !plan.flow ? 'requests' : mixed ? 'iterations (entries picked: a plain request, or a flow run through)' : 'iterations';
  const bound = [
    plan.durationMs !== null ? formatDuration(plan.durationMs) : null,
    plan.iterations !== null ? `${plan.iterations} ${counted}` : null,
  ]
    .filter(Boolean)
    .join(' or ');
  const lines = [
    `name:        ${plan.name}${plan.source ? `  (${plan.source})` : ''}`,
    plan.targets ? `targets:     ${plan.targets.join(', ')} (${plan.balance}; ${settings?.resolveAll ? RESOLVE_ALL : 'a pool each'})` : `target:      ${plan.target}`,
    `protocol:    ${plan.protocol}`,
    ...(plan.transport ? [`transport:   ${plan.transport}${plan.transport === 'undici' ? ' (the reference implementation)' : ''}`] : []),
    ...(settings?.compareProtocols ? [`compare:     one run per protocol: ${settings.compareProtocols.join(', then ')}, side by side`] : []),
    `load:        ${describeLoad(plan)}${settings && settings.workers > 1 ? `; on ${settings.workers} worker threads, each its exact part` : ''}`,
    `bounds:      ${bound}${plan.defaultDuration ? ' (default: no duration or iterations given)' : ''}`,
    `latency:     ${CORRECTION[plan.latencyCorrection ?? 'none']}`,
    `warmup:      ${plan.warmupMs > 0 ? formatDuration(plan.warmupMs) : 'none'}; graceful stop ${formatDuration(plan.gracefulStopMs)}`,
    `pool:        ${pool(plan)}; at most ${plan.maxInflight} requests in flight`,
    ...(plan.tls ? [`tls:         ${tls(plan.tls, settings?.tlsKey ?? null)}`] : []),
    `timeouts:    connect ${formatDuration(plan.timeouts.connectMs)}, request ${formatDuration(plan.timeouts.requestMs)}${settings ? idleTimeouts(settings) : ''}`,
    ...(settings?.metrics ? metricsLines(settings.metrics) : []),
  ];
  if (plan.flow) lines.push(...flowHeader(plan, plan.flow));
  const requests = plan.requests.map((r, i) => ({ ...r, settings: settings?.requests[i] }));
  if (plan.flow && !mixed) {
    lines.push('flow (in order, per iteration):');
    lines.push(...stepLines(requests, steps, '  '));
  } else {
    lines.push(...mixLines(requests, steps));
  }
  if (plan.thresholds && plan.thresholds.length > 0) {
    lines.push('thresholds:');
    for (const t of plan.thresholds) {
      const abort = t.abortOnFail ? `  (abort on fail${t.delayMs > 0 ? ` after ${formatDuration(t.delayMs)}` : ''})` : '';
      lines.push(`  - ${t.expr}${abort}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** A request of the plan with its settings (validate's, when given). */
type ShownRequest = PlanSummary['requests'][number] & { settings: PlanSettings['requests'][number] | undefined };
type StepSummary = FlowSummary['steps'][number];

/** The weighted mix: plain requests, and flow entries (their steps, named `<entry>/<step>`, in order) with their share. */
function mixLines(requests: ShownRequest[], steps: ReadonlyMap<string, StepSummary>): string[] {
  // A flow entry's steps are consecutive and share its name before the separator (which the entry's name cannot contain).
  const groups: Array<{ flow: string | null; weight: number; requests: ShownRequest[] }> = [];
  for (const r of requests) {
    const flow = steps.has(r.name) ? r.name.slice(0, r.name.indexOf(FLOW_STEP_SEPARATOR)) : null;
    const last = groups.at(-1);
    if (flow !== null && last?.flow === flow) last.requests.push(r);
    else groups.push({ flow, weight: r.weight, requests: [r] });
  }
  const totalWeight = groups.reduce((sum, g) => sum + g.weight, 0);
  const lines = ['requests:'];
  for (const group of groups) {
    const share = `weight ${group.weight} (${((group.weight / totalWeight) * 100).toFixed(1)}%)`;
    if (group.flow !== null) {
      lines.push(`  - ${group.flow}: a flow of ${group.requests.length} step${group.requests.length === 1 ? '' : 's'}, in order, per iteration  ${share}`);
      lines.push(...stepLines(group.requests, steps, '      '));
      continue;
    }
    const r = group.requests[0]!;
    lines.push(`  - ${r.name}: ${r.method} ${r.path}  ${share}${r.bodyBytes ? `, body ${r.bodyBytes} B` : ''}`);
    for (const [name, value] of Object.entries(r.headers)) lines.push(`      ${name}: ${value}`);
    lines.push(...requestSettingLines(r.settings, '      '));
  }
  return lines;
}

/** A flow's steps, numbered in order, with their headers, captures, think time and settings. */
function stepLines(requests: ShownRequest[], steps: ReadonlyMap<string, StepSummary>, indent: string): string[] {
  const lines: string[] = [];
  requests.forEach((r, i) => {
    const step = steps.get(r.name)!;
    lines.push(`${indent}${i + 1}. ${r.name}: ${r.method} ${r.path}${r.bodyBytes ? `, body ${r.bodyBytes} B` : ''}${step.think ? `, then think ${step.think}` : ''}`);
    for (const [name, value] of Object.entries(r.headers)) lines.push(`${indent}    ${name}: ${value}`);
    for (const capture of step.captures) lines.push(`${indent}    capture ${capture}`);
    lines.push(...requestSettingLines(r.settings, `${indent}    `));
  });
  return lines;
}

/** With flows: the data file, hooks and variables. */
function flowHeader(plan: PlanSummary, flow: FlowSummary): string[] {
  const lines: string[] = [];
  const data = plan.data;
  if (data) {
    const exhausted = data.order === 'random' ? '' : `; when they run out: ${data.onExhausted}`;
    lines.push(`data:        ${data.file} (${data.format}, ${data.rows} rows; a row per ${data.per}, ${data.order}${exhausted})`);
  }
  if (plan.hooks) lines.push(`hooks:       ${plan.hooks}`);
  lines.push(`variables:   ${[...flow.variables, 'vu', 'iteration', 'uuid', 'randomInt'].join(', ')}`);
  return lines;
}

/** A request's expected statuses (when not the default 2xx/3xx) and its retry policy. */
function requestSettingLines(request: PlanSettings['requests'][number] | undefined, indent: string): string[] {
  const lines: string[] = [];
  if (request?.expectStatus) lines.push(`${indent}expect ${request.expectStatus.join(', ')}`);
  const retry = request?.retry;
  if (retry) {
    const on = [...retry.on, ...retry.statuses.map(String)].join(', ');
    lines.push(`${indent}retry up to ${retry.attempts} tries in all on ${on}; backoff ${formatDuration(retry.baseMs)} doubling to ${formatDuration(retry.maxMs)}, jitter ${retry.jitter}`);
  }
  return lines;
}

function idleTimeouts(settings: PlanSettings): string {
  const idle = (ms: number | null) => (ms === null ? 'off' : formatDuration(ms));
  return `, headers ${idle(settings.headersTimeoutMs)}, body ${idle(settings.bodyTimeoutMs)} (idle)`;
}

function metricsLines(metrics: MetricsSettings): string[] {
  const lines: string[] = [];
  if (metrics.port !== null) {
    const port = metrics.port === 0 ? '<a free port, printed at the start>' : metrics.port;
    lines.push(`metrics:     Prometheus at http://${metrics.host}:${port}/metrics; the final figures served ${formatDuration(metrics.lingerMs)} after the run`);
  }
  if (metrics.otlp !== null) lines.push(`${metrics.port === null ? 'metrics:    ' : '            '} OTLP push to ${metrics.otlp} every ${formatDuration(metrics.otlpIntervalMs)}`);
  const buckets = (metrics.bucketsS ?? LATENCY_BUCKETS_S).map((s) => formatDuration(s * 1000)).join(', ');
  lines.push(`             latency buckets ${buckets}${metrics.bucketsS === null ? ' (the default)' : ''}`);
  return lines;
}

const CORRECTION = {
  none: 'measured from send (closed model, no correction)',
  'intended-start': 'measured from each request\'s intended start (open model; service time kept too)',
  'expected-interval': 'closed model, corrected with the expected interval (--latency-correction)',
} as const;

function pool(plan: PlanSummary): string {
  if (plan.protocol === 'h2') return `${plan.connections} sessions × ${plan.maxConcurrentStreams ?? 100} streams`;
  return `${plan.connections} connections × pipelining ${plan.pipelining}`;
}

function tls(t: NonNullable<PlanSummary['tls']>, key: string | null): string {
  const parts = [t.insecure ? 'INSECURE: certificates not verified' : 'certificates verified'];
  if (t.ca) parts.push(`ca ${t.ca}`);
  if (t.cert) parts.push(`client cert ${t.cert}${key ? `, key ${key}` : ''}`);
  if (t.servername) parts.push(`servername ${t.servername}`);
  return parts.join(', ');
}

// The resolved plan as `loadhttp validate` prints it (a pure function of the plan summary).
import { formatDuration } from '../util/duration.ts';
import { FLOW_STEP_SEPARATOR, type FlowSummary, type PlanSummary } from '../result/result.ts';
import { describeLoad } from './load-text.ts';

/** `resolveAll`: the plan's `resolve: all` (not in the summary: the result shows it as one instance per address). */
const RESOLVE_ALL = 'resolve: all: every address of each name, resolved at the start, a pool each';

export function renderPlan(plan: PlanSummary, resolveAll = false): string {
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
    plan.targets ? `targets:     ${plan.targets.join(', ')} (${plan.balance}; ${resolveAll ? RESOLVE_ALL : 'a pool each'})` : `target:      ${plan.target}`,
    `protocol:    ${plan.protocol}`,
    ...(plan.transport ? [`transport:   ${plan.transport}${plan.transport === 'undici' ? ' (the reference implementation)' : ''}`] : []),
    `load:        ${describeLoad(plan)}`,
    `bounds:      ${bound}${plan.defaultDuration ? ' (default: no duration or iterations given)' : ''}`,
    `latency:     ${CORRECTION[plan.latencyCorrection ?? 'none']}`,
    `warmup:      ${plan.warmupMs > 0 ? formatDuration(plan.warmupMs) : 'none'}; graceful stop ${formatDuration(plan.gracefulStopMs)}`,
    `pool:        ${pool(plan)}; at most ${plan.maxInflight} requests in flight`,
    ...(plan.tls ? [`tls:         ${tls(plan.tls)}`] : []),
    `timeouts:    connect ${formatDuration(plan.timeouts.connectMs)}, request ${formatDuration(plan.timeouts.requestMs)}`,
  ];
  if (plan.flow) lines.push(...flowHeader(plan, plan.flow));
  if (plan.flow && !mixed) {
    lines.push('flow (in order, per iteration):');
    lines.push(...stepLines(plan.requests, steps, '  '));
  } else {
    lines.push(...mixLines(plan.requests, steps));
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

type PlannedRequestSummary = PlanSummary['requests'][number];
type StepSummary = FlowSummary['steps'][number];

/** The weighted mix: plain requests, and flow entries (their steps, named `<entry>/<step>`, in order) with their share. */
function mixLines(requests: PlannedRequestSummary[], steps: ReadonlyMap<string, StepSummary>): string[] {
  // A flow entry's steps are consecutive and share its name before the separator (which the entry's name cannot contain).
  const groups: Array<{ flow: string | null; weight: number; requests: PlannedRequestSummary[] }> = [];
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
  }
  return lines;
}

/** A flow's steps, numbered in order, with their headers, captures and think time. */
function stepLines(requests: PlannedRequestSummary[], steps: ReadonlyMap<string, StepSummary>, indent: string): string[] {
  const lines: string[] = [];
  requests.forEach((r, i) => {
    const step = steps.get(r.name)!;
    lines.push(`${indent}${i + 1}. ${r.name}: ${r.method} ${r.path}${r.bodyBytes ? `, body ${r.bodyBytes} B` : ''}${step.think ? `, then think ${step.think}` : ''}`);
    for (const [name, value] of Object.entries(r.headers)) lines.push(`${indent}    ${name}: ${value}`);
    for (const capture of step.captures) lines.push(`${indent}    capture ${capture}`);
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

const CORRECTION = {
  none: 'measured from send (closed model, no correction)',
  'intended-start': 'measured from each request\'s intended start (open model; service time kept too)',
  'expected-interval': 'closed model, corrected with the expected interval (--latency-correction)',
} as const;

function pool(plan: PlanSummary): string {
  if (plan.protocol === 'h2') return `${plan.connections} sessions × ${plan.maxConcurrentStreams ?? 100} streams`;
  return `${plan.connections} connections × pipelining ${plan.pipelining}`;
}

function tls(t: NonNullable<PlanSummary['tls']>): string {
  const parts = [t.insecure ? 'INSECURE: certificates not verified' : 'certificates verified'];
  if (t.ca) parts.push(`ca ${t.ca}`);
  if (t.cert) parts.push(`client cert ${t.cert}`);
  if (t.servername) parts.push(`servername ${t.servername}`);
  return parts.join(', ');
}

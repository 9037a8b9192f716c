// The resolved plan as `loadhttp validate` prints it (a pure function of the plan summary).
import { formatDuration } from '../util/duration.ts';
import type { FlowSummary, PlanSummary } from '../result/result.ts';
import { describeLoad } from './load-text.ts';

/** `resolveAll`: the plan's `resolve: all` (not in the summary: the result shows it as one instance per address). */
const RESOLVE_ALL = 'resolve: all: every address of each name, resolved at the start, a pool each';

export function renderPlan(plan: PlanSummary, resolveAll = false): string {
  const bound = [
    plan.durationMs !== null ? formatDuration(plan.durationMs) : null,
    plan.iterations !== null ? `${plan.iterations} ${plan.flow ? 'iterations' : 'requests'}` : null,
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
  if (plan.flow) lines.push(...flowLines(plan, plan.flow));
  else lines.push('requests:');
  const totalWeight = plan.requests.reduce((sum, r) => sum + r.weight, 0);
  for (const r of plan.flow ? [] : plan.requests) {
    const share = ((r.weight / totalWeight) * 100).toFixed(1);
    lines.push(`  - ${r.name}: ${r.method} ${r.path}  weight ${r.weight} (${share}%)${r.bodyBytes ? `, body ${r.bodyBytes} B` : ''}`);
    for (const [name, value] of Object.entries(r.headers)) lines.push(`      ${name}: ${value}`);
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

/** A flow: its data file, variables, and steps in order with what each captures. */
function flowLines(plan: PlanSummary, flow: FlowSummary): string[] {
  const lines: string[] = [];
  const data = plan.data;
  if (data) {
    const exhausted = data.order === 'random' ? '' : `; when they run out: ${data.onExhausted}`;
    lines.push(`data:        ${data.file} (${data.format}, ${data.rows} rows; a row per ${data.per}, ${data.order}${exhausted})`);
  }
  if (plan.hooks) lines.push(`hooks:       ${plan.hooks}`);
  lines.push(`variables:   ${[...flow.variables, 'vu', 'iteration', 'uuid', 'randomInt'].join(', ')}`);
  lines.push('flow (in order, per iteration):');
  flow.steps.forEach((step, i) => {
    const r = plan.requests[i]!;
    lines.push(`  ${i + 1}. ${r.name}: ${r.method} ${r.path}${r.bodyBytes ? `, body ${r.bodyBytes} B` : ''}${step.think ? `, then think ${step.think}` : ''}`);
    for (const [name, value] of Object.entries(r.headers)) lines.push(`      ${name}: ${value}`);
    for (const capture of step.captures) lines.push(`      capture ${capture}`);
  });
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

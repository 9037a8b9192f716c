// The resolved plan as `loadhttp validate` prints it (a pure function of the plan summary).
import { formatDuration } from '../duration.ts';
import type { PlanSummary } from './result.ts';

export function renderPlan(plan: PlanSummary): string {
  const bound = [
    plan.durationMs !== null ? formatDuration(plan.durationMs) : null,
    plan.iterations !== null ? `${plan.iterations} requests` : null,
  ]
    .filter(Boolean)
    .join(' or ');
  const lines = [
    `name:        ${plan.name}${plan.source ? `  (${plan.source})` : ''}`,
    `target:      ${plan.target}`,
    `protocol:    ${plan.protocol}`,
    `load:        ${plan.concurrency} virtual users, ${bound}${plan.defaultDuration ? ' (default: no duration or iterations given)' : ''}`,
    `warmup:      ${plan.warmupMs > 0 ? formatDuration(plan.warmupMs) : 'none'}; graceful stop ${formatDuration(plan.gracefulStopMs)}`,
    `think:       ${plan.think}`,
    `pool:        ${plan.connections} connections × pipelining ${plan.pipelining}; at most ${plan.maxInflight} requests in flight`,
    `timeouts:    connect ${formatDuration(plan.timeouts.connectMs)}, request ${formatDuration(plan.timeouts.requestMs)}`,
    'requests:',
  ];
  const totalWeight = plan.requests.reduce((sum, r) => sum + r.weight, 0);
  for (const r of plan.requests) {
    const share = ((r.weight / totalWeight) * 100).toFixed(1);
    lines.push(`  - ${r.name}: ${r.method} ${r.path}  weight ${r.weight} (${share}%)${r.bodyBytes ? `, body ${r.bodyBytes} B` : ''}`);
    for (const [name, value] of Object.entries(r.headers)) lines.push(`      ${name}: ${value}`);
  }
  return lines.join('\n') + '\n';
}

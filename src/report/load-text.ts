// The load model in words, for the banner and the report header: "200 virtual users", "500/s (open
// model) ramping through 3 stages", with the figures a reader needs to interpret latency.
import { formatDuration } from '../util/duration.ts';
import type { PlanSummary } from '../result/result.ts';
import { formatCount } from './format.ts';

type LoadSummary = Pick<PlanSummary, 'concurrency' | 'think' | 'model' | 'rate' | 'stages' | 'maxQueued'>;

const rate = (perSecond: number): string => `${+perSecond.toFixed(3)}/s`;

/** "0 → 100/s over 30s, → 1000/s over 1m" */
function stagesText(start: string, stages: NonNullable<PlanSummary['stages']>, unit: (n: number) => string): string {
  return `${start} ${stages.map((s) => `→ ${unit(s.target)} over ${formatDuration(s.durationMs)}`).join(', ')}`;
}

export function describeLoad(load: LoadSummary): string {
  const stages = load.stages ?? [];
  if (load.model === 'open') {
    const start = rate(load.rate ?? 0);
    const schedule = stages.length > 0 ? `rate ${stagesText(start, stages, rate)}` : `rate ${start}`;
    return `${schedule} (open model), up to ${formatCount(load.concurrency)} in flight, queue ${formatCount(load.maxQueued ?? 0)}`;
  }
  const users = stages.length > 0 ? `virtual users ${stagesText(String(load.concurrency), stages, String)}` : `concurrency ${formatCount(load.concurrency)}`;
  return `${users}, think time: ${load.think || 'none'}`;
}

// A RunResult of a two-step flow over two instances with round literal figures (summaries set by hand, not
// recorded), for the literal-text tests of the renderers (Markdown, JUnit).
import { buildResult, spread } from './build-result.ts';
import type { LatencySummary, RequestStats, RunResult } from '../../src/result/result.ts';

const latency = (p50: number, p99: number, max: number): LatencySummary => ({ count: 60, mean: p50, p50, p90: p99, p99, p999: max, max });

function instance(sent: number, failed: number, l: LatencySummary): RequestStats {
  return {
    counts: { sent, completed: sent - failed, failed, cancelled: 0 },
    unexpectedStatus: 0,
    errorRate: failed / sent,
    rps: (sent - failed) / 10,
    latencyMs: l,
    ttfbMs: l,
    statusCodes: { '200': sent - failed },
    errors: failed > 0 ? { 'connect-refused': failed } : {},
  };
}

/** 100 iterations in 10 s (95 completed, 5 failed, 2 more interrupted); instances 10.9.0.1:8080 and [::1]:8080 (4 of 40 failed). */
export function flowTargetsResult(): RunResult {
  const base = buildResult({ login: { latenciesUs: spread(10, 1000, 2000) }, buy: { latenciesUs: spread(10, 1000, 2000) } });
  return {
    ...base,
    iterations: { completed: 95, failed: 5, interrupted: 2, rps: 9.5, durationMs: { count: 100, mean: 120, p50: 100, p90: 180, p99: 250, p999: 300, max: 310 } },
    targets: { '10.9.0.1:8080': instance(60, 0, latency(1.5, 2, 3)), '[::1]:8080': instance(40, 4, latency(2.5, 40, 41)) },
    plan: { ...base.plan, balance: 'least-inflight', targets: ['http://10.9.0.1:8080', 'http://[::1]:8080'] },
  };
}

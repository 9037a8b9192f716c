// A flow's iterations seen as a request's figures, so that thresholds and comparisons judge them with the
// same rules as requests: an iteration that ended is "sent"; a failed one is an error; its duration is
// the latency. Interrupted iterations (the run stopped them) are left out, as cancelled requests are of
// the error rate.
import type { IterationStats, RequestStats } from './result.ts';

const NO_TIMES = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };

/** errorRate = failed / (completed + failed); rps = completed iterations per second. */
export function iterationsAsRequests(iterations: IterationStats): RequestStats {
  const ended = iterations.completed + iterations.failed;
  return {
    counts: { sent: ended, completed: iterations.completed, failed: iterations.failed, cancelled: 0 },
    unexpectedStatus: 0,
    errorRate: ended === 0 ? 0 : iterations.failed / ended,
    rps: iterations.rps,
    latencyMs: iterations.durationMs,
    ttfbMs: NO_TIMES,
    statusCodes: {},
    errors: {},
  };
}

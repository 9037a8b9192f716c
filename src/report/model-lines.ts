// Report lines about the load model and the generator itself: which latency correction applies, target
// against achieved rate, drops, schedule lag, event-loop delay and CPU, and the saturation verdict.
// Pure functions of RunResult; table.ts places them. Results from older versions lack these fields and
// get no lines.
import { formatCount, formatMs, formatPercent, formatRate } from './format.ts';
import type { LatencySummary, RunResult } from '../result/result.ts';
import type { Paint } from './paint.ts';

/** What the latency table measures, for its title. */
export function latencyMeaning(result: RunResult): string {
  switch (result.latencyCorrection) {
    case 'intended-start':
      return 'intended start → whole response: includes any wait caused by a slow target';
    case 'expected-interval':
      return `request sent → whole response, corrected for coordinated omission (expected interval ${formatMs(result.expectedIntervalMs ?? 0)})`;
    default:
      return 'request sent → whole response';
  }
}

/** Loud lines for the top of the report: a saturated generator, dropped requests. */
export function warningLines(result: RunResult, paint: Paint): string[] {
  const lines: string[] = [];
  const generator = result.generator;
  if (generator?.saturated) {
    const verdict = `!! results are limited by this machine, not the target: ${generator.reasons.join('; ')} !!`;
    lines.push(paint.bold(paint.yellow(verdict)));
    const hint = coldStartHint(result);
    if (hint) lines.push(paint.yellow(hint));
  }
  const dropped = result.counts.dropped ?? 0;
  if (dropped > 0) {
    const scheduled = result.arrival?.scheduled ?? result.counts.sent + dropped;
    // With flows the schedule drops arrivals (iterations, or a mix's entries), each of one or more requests.
    const what = result.plan.flow ? 'arrivals' : 'requests';
    lines.push(
      paint.bold(
        paint.red(
          `!! ${formatCount(dropped)} ${what} DROPPED (${formatPercent(dropped / Math.max(1, scheduled))} of those scheduled): ` +
            `more than ${formatCount(result.arrival?.maxQueued ?? 0)} were waiting for a pool slot, or still waiting at the end; ` +
            'they were never sent and are in no latency figure !!',
        ),
      ),
    );
  }
  return lines;
}

/**
 * A verdict earned mostly in the first second, by a cold process: until the JIT has compiled the request
 * path a request costs several times its later CPU, so a high rate falls behind there and the backlog
 * lands in the percentiles (5,000 req/s here: P99 ~400 ms over 5 s; 2-5 ms in most seconds after it).
 */
export function coldStartHint(result: RunResult): string | null {
  const limit = result.generator?.limits.eventLoopDelayP99Ms;
  const [first, ...rest] = result.series.map((point) => point.eventLoopDelayP99 ?? 0);
  if (limit === undefined || result.warmup.durationMs > 0 || first === undefined || rest.length < 2) return null;
  const later = [...rest].sort((a, b) => a - b)[Math.floor(rest.length / 2)]!;
  if (first <= limit || later > limit) return null;
  return (
    `   most of it in the first second, while the process warmed up (event-loop delay P99 ${formatMs(first)}, ` +
    `then ${formatMs(later)} at the median second): --warmup 1s leaves that second out of the results`
  );
}

const brief = (s: LatencySummary): string =>
  s.count === 0 ? '-' : `P50 ${formatMs(Math.min(s.p50, s.max))}, P99 ${formatMs(Math.min(s.p99, s.max))}, max ${formatMs(s.max)}`;

/** [label, text] pairs for the timing block: service time, schedule, generator. */
export function modelLines(result: RunResult, paint: Paint): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  const service = result.serviceTimeMs;
  if (service && result.latencyCorrection && result.latencyCorrection !== 'none') {
    lines.push(['service', `${brief(service)} (from the actual send, uncorrected)`]);
  }
  const arrival = result.arrival;
  if (arrival) {
    const offBy = arrival.targetRps > 0 ? (arrival.achievedRps - arrival.targetRps) / arrival.targetRps : 0;
    // With flows an arrival is an iteration (or a mix's entry), not a request: both rates count arrivals.
    const unit = result.plan.flow ? 'arrivals/s' : 'req/s';
    const rate = `target ${formatRate(arrival.targetRps)} ${unit}, achieved ${formatRate(arrival.achievedRps)} ${unit} (${offBy >= 0 ? '+' : ''}${(offBy * 100).toFixed(1)}%)`;
    lines.push(['rate', `${rate}, ${formatCount(arrival.dropped)} dropped`]);
    const lag = `${brief(result.scheduleLagMs ?? emptySummary)} (how late requests started against the schedule)`;
    lines.push(['sched. lag', arrival.behind ? paint.yellow(`${lag}: the generator fell behind`) : lag]);
  }
  const generator = result.generator;
  if (generator) {
    const { eventLoopDelayMs: eld, cpuPercent: cpu } = generator;
    const text = `event-loop delay P99 ${formatMs(eld.p99)} (max ${formatMs(eld.max)}), CPU ${Math.round(cpu.mean)}% of a core (busiest second ${Math.round(cpu.max)}%)`;
    lines.push(['generator', generator.saturated ? paint.yellow(text) : text]);
  }
  return lines;
}

const emptySummary: LatencySummary = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };

// The generator watching itself: event-loop delay (perf_hooks.monitorEventLoopDelay) and the CPU time
// of the main thread, over the measured window and per second, and the verdict on whether the figures
// are limited by this machine rather than by the target.
import { monitorEventLoopDelay, performance, type ELDHistogram } from 'node:perf_hooks';
import type { GeneratorStats, SeriesPoint } from '../result/result.ts';

/**
 * The delay monitor's timer period; the histogram holds whole periods, so this is subtracted. 2 ms gives
 * ~500 samples a second, so a P99 over a short run is not just its one worst hiccup (at 10 ms, a cold 1 s
 * run at 100 req/s read 11 ms from start-up alone).
 */
const RESOLUTION_MS = 2;

/**
 * When the generator counts as saturated. Measured on this project's 2-vCPU VM (Node 24, undici 8, a
 * Node hello-world target on the other core, 3 s runs): below the ceiling (1 user, 9.8k req/s; open
 * model at 2k-6k req/s after its first second) the event-loop delay P99 stays at 0.2-3 ms and the
 * schedule lag P99 at ~2.5 ms (P90 ~0.3 ms); at the ceiling (16-256 users, 15-20k req/s) the event-loop delay P99
 * is 21-32 ms (10 ms resolution; 5-12 ms at 2 ms resolution while other jobs shared the VM). CPU time
 * reads 35-87% of a core there, not 100%: the VM's steal time is not counted, so CPU is the weaker
 * signal and its limit only catches a clearly pegged thread. First estimates: re-tune on quiet hardware.
 */
export const SATURATION_LIMITS = {
  /** Event-loop delay P99 over the measured window. */
  eventLoopDelayP99Ms: 10,
  /** Mean CPU time of the main thread, in % of one core. */
  cpuPercent: 90,
  /**
   * Open model: how late requests were issued against the schedule, P90 (not P99: the first requests of
   * a cold process, opening connections, can be late once without the generator falling behind).
   */
  scheduleLagP90Ms: 10,
} as const;

/** Event-loop delay and CPU are judged only over a measured window at least this long. */
export const MIN_JUDGED_WINDOW_MS = 500;

type CpuReader = () => { user: number; system: number };

/** The main thread's CPU time where Node has it (process.threadCpuUsage, Node 23.9+), else the whole process's. */
const readCpu: CpuReader =
  typeof process.threadCpuUsage === 'function' ? () => process.threadCpuUsage() : () => process.cpuUsage();

const cpuMicros = (usage: { user: number; system: number }): number => usage.user + usage.system;
const delayMs = (histogram: ELDHistogram, percentile: number): number =>
  histogram.count === 0 ? 0 : Math.max(0, histogram.percentile(percentile) / 1e6 - RESOLUTION_MS);
const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

export class SelfMonitor {
  private readonly window = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private readonly second = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private startCpu = 0;
  private startAt = 0;
  private lastCpu = 0;
  private lastAt = 0;
  private busiestPercent = 0;
  private running = false;

  start(now = performance.now()): void {
    this.window.enable();
    this.second.enable();
    this.startAt = this.lastAt = now;
    this.startCpu = this.lastCpu = cpuMicros(readCpu());
    this.running = true;
  }

  /** This second's figures for the series (call once a second); starts the next second. */
  sample(now = performance.now()): Partial<SeriesPoint> {
    const cpu = cpuMicros(readCpu());
    const percent = cpuPercent(cpu - this.lastCpu, now - this.lastAt);
    // A short last slice says little about the busiest second.
    if (now - this.lastAt >= 500) this.busiestPercent = Math.max(this.busiestPercent, percent);
    const point = {
      eventLoopDelayP99: round(delayMs(this.second, 99)),
      eventLoopDelayMax: round(delayMs(this.second, 100)),
      cpuPercent: round(percent),
      // process.memoryUsage.rss() reads one figure (no heap walk): cheap once a second.
      rssMb: Math.round(process.memoryUsage.rss() / 1048576),
    };
    this.second.reset();
    this.lastCpu = cpu;
    this.lastAt = now;
    return point;
  }

  /** Stops both monitors and returns the window's figures with the verdict. */
  stop(scheduleLagP90Ms: number | null, now = performance.now()): GeneratorStats {
    if (this.running) {
      this.window.disable();
      this.second.disable();
      this.running = false;
    }
    const mean = cpuPercent(cpuMicros(readCpu()) - this.startCpu, now - this.startAt);
    const eventLoopDelayMs = {
      p50: round(delayMs(this.window, 50)),
      p99: round(delayMs(this.window, 99)),
      max: round(delayMs(this.window, 100)),
    };
    const cpu = { mean: round(mean), max: round(Math.max(this.busiestPercent, mean)) };
    // A window this short says more about start-up (JIT, first connections) than about load: a one-request
    // run read as "100% of a core" from ~12 ms of start-up work alone.
    const judged = now - this.startAt >= MIN_JUDGED_WINDOW_MS;
    const verdict = judge(judged ? eventLoopDelayMs.p99 : null, judged ? cpu.mean : null, scheduleLagP90Ms);
    return { eventLoopDelayMs, cpuPercent: cpu, ...verdict };
  }
}

function cpuPercent(cpuUs: number, wallMs: number): number {
  return wallMs <= 0 ? 0 : (cpuUs / 1000 / wallMs) * 100;
}

/** Which limits were crossed, each in plain words with its number; null: not judged. */
export function judge(
  eventLoopDelayP99Ms: number | null,
  cpuMeanPercent: number | null,
  scheduleLagP90Ms: number | null,
): Pick<GeneratorStats, 'saturated' | 'reasons' | 'limits'> {
  const limits = { ...SATURATION_LIMITS };
  const reasons: string[] = [];
  if (eventLoopDelayP99Ms !== null && eventLoopDelayP99Ms > limits.eventLoopDelayP99Ms) {
    reasons.push(`event-loop delay P99 was ${eventLoopDelayP99Ms} ms (limit ${limits.eventLoopDelayP99Ms} ms)`);
  }
  if (cpuMeanPercent !== null && cpuMeanPercent >= limits.cpuPercent) {
    reasons.push(`the main thread used ${Math.round(cpuMeanPercent)}% of a CPU core (limit ${limits.cpuPercent}%)`);
  }
  if (scheduleLagP90Ms !== null && scheduleLagP90Ms > limits.scheduleLagP90Ms) {
    reasons.push(`requests started late against the schedule: lag P90 was ${scheduleLagP90Ms} ms (limit ${limits.scheduleLagP90Ms} ms)`);
  }
  return { saturated: reasons.length > 0, reasons, limits };
}

// `loadhttp calibrate`: how much load this machine can generate honestly. Runs short closed-model steps
// against a built-in loopback target (in a worker thread) at a few concurrencies, over HTTP/1.1 and h2c,
// and keeps each step's throughput, latency and self-monitoring figures. Bounded: steps × step length.
import { runPlan } from '../engine/run.ts';
import { buildPlan } from '../plan/plan.ts';
import type { RunResult } from '../result/result.ts';
import { emptyScenario } from '../scenario/empty.ts';
import { startCalibrationTarget } from './target.ts';

export type CalibrationProtocol = 'h1' | 'h2c';

export interface CalibrationOptions {
  protocols: CalibrationProtocol[];
  concurrencies: number[];
  /** Measured length of each step (after a short warmup). */
  stepMs: number;
  version: string;
}

export interface CalibrationStep {
  protocol: CalibrationProtocol;
  /** What the connections really spoke (null when none was made). */
  wire: RunResult['protocol'];
  concurrency: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  eventLoopDelayP99Ms: number;
  cpuPercent: number;
  saturated: boolean;
}

export const CALIBRATION_DEFAULTS: Omit<CalibrationOptions, 'version'> = {
  protocols: ['h1', 'h2c'],
  concurrencies: [1, 16, 64],
  stepMs: 1000,
};

const WARMUP_MS = 250;

export async function calibrate(options: CalibrationOptions, onStep: (step: CalibrationStep) => void = () => {}): Promise<CalibrationStep[]> {
  const target = await startCalibrationTarget();
  const steps: CalibrationStep[] = [];
  try {
    for (const protocol of options.protocols) {
      for (const concurrency of options.concurrencies) {
        const plan = buildPlan(
          emptyScenario(),
          {
            url: protocol === 'h1' ? `${target.h1}/` : `${target.h2c}/`,
            protocol: protocol === 'h1' ? 'h1' : 'h2',
            concurrency,
            durationMs: options.stepMs,
            warmupMs: WARMUP_MS,
          },
          options.version,
        );
        const step = toStep(protocol, concurrency, await runPlan(plan, { version: options.version }));
        steps.push(step);
        onStep(step);
      }
    }
  } finally {
    await target.close();
  }
  return steps;
}

function toStep(protocol: CalibrationProtocol, concurrency: number, result: RunResult): CalibrationStep {
  return {
    protocol,
    wire: result.protocol,
    concurrency,
    rps: result.rps,
    p50Ms: result.latencyMs.p50,
    p99Ms: result.latencyMs.p99,
    errors: result.counts.failed + result.unexpectedStatus + (result.error ? 1 : 0),
    eventLoopDelayP99Ms: result.generator?.eventLoopDelayMs.p99 ?? 0,
    cpuPercent: result.generator?.cpuPercent.mean ?? 0,
    saturated: result.generator?.saturated ?? false,
  };
}

/** The best step per protocol: the highest req/s. */
export function ceilings(steps: readonly CalibrationStep[]): CalibrationStep[] {
  const best = new Map<CalibrationProtocol, CalibrationStep>();
  for (const step of steps) {
    const current = best.get(step.protocol);
    if (step.errors === 0 && (!current || step.rps > current.rps)) best.set(step.protocol, step);
  }
  return [...best.values()];
}

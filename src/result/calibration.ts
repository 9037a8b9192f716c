// What `loadhttp calibrate` measures (and writes with --json): one step per protocol and concurrency.
// The command runs the steps (cli/calibrate.ts); the text renderer (report/calibration-text.ts) reads them.
import type { RunResult } from './result.ts';

export type CalibrationProtocol = 'h1' | 'h2c';

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

/** The best step per protocol: the highest req/s without errors. */
export function ceilings(steps: readonly CalibrationStep[]): CalibrationStep[] {
  const best = new Map<CalibrationProtocol, CalibrationStep>();
  for (const step of steps) {
    const current = best.get(step.protocol);
    if (step.errors === 0 && (!current || step.rps > current.rps)) best.set(step.protocol, step);
  }
  return [...best.values()];
}

// `loadhttp calibrate`: how much load this machine can generate honestly. Runs short closed-model steps
// against the built-in calibration target (in a worker thread) at a few concurrencies, over HTTP/1.1 and
// h2c, and keeps each step's throughput, latency and self-monitoring figures. Bounded: steps × step length.
import type { Command } from 'commander';
import { duration, positiveInt } from './flags.ts';
import { stderr, stdout, writeOutput } from './output.ts';
import { startTarget } from './targets/target.ts';
import { runPlan } from '../engine/run.ts';
import { buildPlan } from '../plan/plan.ts';
import { renderCalibration } from '../report/calibration-text.ts';
import type { CalibrationProtocol, CalibrationStep } from '../result/calibration.ts';
import type { RunResult } from '../result/result.ts';
import { emptyScenario } from '../scenario/empty.ts';
import { formatDuration } from '../util/duration.ts';
import { UsageError } from '../util/errors.ts';
import { VERSION } from '../util/version.ts';

export interface CalibrationOptions {
  protocols: CalibrationProtocol[];
  concurrencies: number[];
  /** Measured length of each step (after a short warmup). */
  stepMs: number;
  version: string;
}

export interface CalibrateFlags {
  concurrency?: string;
  duration?: string;
  h1?: boolean;
  h2?: boolean;
  json?: string;
}

export const CALIBRATION_DEFAULTS: Omit<CalibrationOptions, 'version'> = {
  protocols: ['h1', 'h2c'],
  concurrencies: [1, 16, 64],
  stepMs: 1000,
};

const WARMUP_MS = 250;
const MAX_STEPS = 6;
const MAX_STEP_MS = 10_000;
const MAX_USERS = 1024;

/** Flags → CalibrationOptions, bounded so the command always ends in seconds. */
export function calibrateOptions(flags: CalibrateFlags): CalibrationOptions {
  const concurrencies =
    flags.concurrency === undefined
      ? CALIBRATION_DEFAULTS.concurrencies
      : flags.concurrency.split(',').map((part) => positiveInt('--concurrency', part.trim())!);
  if (concurrencies.length > MAX_STEPS) throw new UsageError(`--concurrency: at most ${MAX_STEPS} values (got ${concurrencies.length})`);
  const tooMany = concurrencies.find((n) => n > MAX_USERS);
  if (tooMany !== undefined) throw new UsageError(`--concurrency: ${tooMany} is above ${MAX_USERS} users`);
  const stepMs = duration('--duration', flags.duration) ?? CALIBRATION_DEFAULTS.stepMs;
  if (stepMs > MAX_STEP_MS) throw new UsageError(`--duration: each step runs at most ${MAX_STEP_MS / 1000}s`);
  const protocols = flags.h1 && !flags.h2 ? ['h1' as const] : flags.h2 && !flags.h1 ? ['h2c' as const] : CALIBRATION_DEFAULTS.protocols;
  return { protocols, concurrencies, stepMs, version: VERSION };
}

export async function calibrate(options: CalibrationOptions, onStep: (step: CalibrationStep) => void = () => {}): Promise<CalibrationStep[]> {
  const target = await startTarget('calibration');
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

export function addCalibrateCommand(program: Command): void {
  program
    .command('calibrate')
    .description("find this machine's ceiling: short runs against a built-in loopback target over h1 and h2c")
    .option('-c, --concurrency <list>', 'users per step, comma-separated (default 1,16,64; at most 6 steps)')
    .option('-d, --duration <duration>', 'measured length of each step (default 1s, at most 10s)')
    .option('--h1', 'HTTP/1.1 only')
    .option('--h2', 'h2c (HTTP/2 cleartext) only')
    .option('--json <file>', 'write the steps as JSON ("-" for stdout)')
    .addHelpText('after', '\nExample:\n  $ loadhttp calibrate\n  $ loadhttp calibrate --h1 -c 8,32,128 -d 2s\n')
    .action(async (flags: CalibrateFlags) => {
      const options = calibrateOptions(flags);
      const bound = options.protocols.length * options.concurrencies.length * (options.stepMs + WARMUP_MS);
      stderr.write(`loadhttp calibrate: ${options.protocols.join(' and ')} at ${options.concurrencies.join(', ')} users, about ${formatDuration(Math.ceil(bound / 1000) * 1000)}\n`);
      const steps = await calibrate(options, (step) => stderr.write(`  ${step.protocol} × ${step.concurrency}: ${Math.round(step.rps)} req/s\n`));
      (flags.json === '-' ? stderr : stdout).write(renderCalibration(steps));
      if (flags.json) writeOutput(flags.json, `${JSON.stringify({ steps }, null, 2)}\n`);
    });
}

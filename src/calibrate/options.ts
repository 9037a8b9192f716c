// `loadhttp calibrate` flags → CalibrationOptions, bounded so the command always ends in seconds.
import { duration, positiveInt } from '../cli/flags.ts';
import { UsageError } from '../util/errors.ts';
import { VERSION } from '../util/version.ts';
import { CALIBRATION_DEFAULTS, type CalibrationOptions } from './calibrate.ts';

export interface CalibrateFlags {
  concurrency?: string;
  duration?: string;
  h1?: boolean;
  h2?: boolean;
  json?: string;
}

const MAX_STEPS = 6;
const MAX_STEP_MS = 10_000;
const MAX_USERS = 1024;

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

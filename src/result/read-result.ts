// Reads a result file written by `loadhttp run --json FILE` (for `compare` and `--baseline`), refusing
// anything else with a message that says what the file is instead. Every problem is a UsageError (exit 2).
import { UsageError } from '../util/errors.ts';
import { readTextFile } from '../util/read-file.ts';
import { SCHEMA_VERSION, type RunResult } from './result.ts';

/**
 * Result schema versions this build reads (1 lacks only the firstTry and per-second histograms and the
 * per-second p90: compare never reads them, a report of 1 shows no per-second P90; 2 lacks only the
 * iteration and target scopes of a baseline comparison).
 */
export const SUPPORTED_SCHEMA_VERSIONS: readonly number[] = [1, 2, SCHEMA_VERSION];

/**
 * The versions `merge` reads: those with the firstTry and per-second histograms an exact merge adds (2
 * and 3 differ only in the baseline comparison, which a merge drops).
 */
export const MERGEABLE_SCHEMA_VERSIONS: readonly number[] = [2, SCHEMA_VERSION];

export interface ReadOptions {
  /** Schema versions accepted (default: SUPPORTED_SCHEMA_VERSIONS). */
  versions?: readonly number[];
  /** Accept the result of a run that measured nothing (`merge` reports it as a failed shard). */
  failed?: boolean;
}

const HOW = 'write one with: loadhttp run ... --json FILE';

/** `label` names where the path came from in messages ("--baseline", "base"). */
export function readResultFile(file: string, label: string, options: ReadOptions = {}): RunResult {
  return checkResult(readJson(file, label), file, label, options);
}

/**
 * For `loadhttp report`: a result (merged ones included), or the runs of a --compare-protocols JSON; the
 * result of a run that measured nothing is read too (its report says why).
 */
export function readResultsFile(file: string, label: string): RunResult[] {
  const data = readJson(file, label);
  const options = { failed: true };
  const runs = (data as { compare?: unknown; runs?: unknown }).compare === 'protocols' ? (data as { runs: unknown }).runs : null;
  if (runs === null) return [checkResult(data, file, label, options)];
  if (!Array.isArray(runs) || runs.length === 0) throw new UsageError(`${label}: ${file} is a --compare-protocols result without runs`);
  return runs.map((run, i) => checkResult(run, `${file} (run ${i + 1})`, label, options));
}

function readJson(file: string, label: string): unknown {
  const text = readTextFile(file, (why) => {
    throw new UsageError(`${label}: cannot read ${file}: ${why}`);
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    const why = (error as Error).message.replace(/\s+/g, ' ');
    throw new UsageError(`${label}: ${file} is not JSON (${why}); expected a loadhttp result (${HOW})`);
  }
}

function checkResult(data: unknown, file: string, label: string, options: ReadOptions): RunResult {
  const versions = options.versions ?? SUPPORTED_SCHEMA_VERSIONS;
  const fail = (problem: string): never => {
    throw new UsageError(`${label}: ${file} ${problem}`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail(`is not a loadhttp result (${HOW})`);
  const r = data as Record<string, unknown>;
  if (r.compare === 'protocols') fail('holds a --compare-protocols pair of runs: compare the JSON of a single run');
  const tool = r.tool as Record<string, unknown> | undefined;
  if (typeof tool !== 'object' || tool === null || tool.name !== 'loadhttp') {
    fail(`is not a loadhttp result: it has no "tool": {"name": "loadhttp"} (${HOW})`);
  }
  const version = r.schemaVersion;
  if (typeof version !== 'number' || !versions.includes(version)) {
    const newer = typeof version === 'number' && version > Math.max(...versions);
    const older = typeof version === 'number' && version < Math.min(...versions);
    fail(
      `has result schemaVersion ${JSON.stringify(version)}, which this loadhttp cannot read here ` +
        `(supported: ${versions.join(', ')})${newer ? '; it was written by a newer loadhttp' : ''}` +
        `${older ? '; it was written by an older loadhttp: run it again with this one' : ''}`,
    );
  }
  for (const key of ['counts', 'latencyMs', 'requests', 'plan'] as const) {
    if (typeof r[key] !== 'object' || r[key] === null) fail(`is not a complete loadhttp result: "${key}" is missing`);
  }
  for (const key of ['rps', 'errorRate', 'durationMs'] as const) {
    if (typeof r[key] !== 'number') fail(`is not a complete loadhttp result: "${key}" is missing`);
  }
  const error = r.error as { class?: unknown; message?: unknown } | undefined;
  if (error && !options.failed) fail(`is the result of a run that measured nothing (${String(error.class)}: ${String(error.message)}): nothing to compare`);
  return data as RunResult;
}

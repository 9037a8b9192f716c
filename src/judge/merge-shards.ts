// `loadhttp merge`: result files of the shards of one run → one RunResult, judged again. Checks that the
// files belong together (same plan digest, same run id, same shard count, no shard twice) unless forced,
// names the shards that failed (their result has `error`: refused unless forced, then left out as missing),
// lists the missing shards, measures how far apart the shards started, and re-evaluates the thresholds
// on the merged figures. Pure: the CLI reads the files and writes the outputs.
import { RunError, UsageError } from '../util/errors.ts';
import { unique } from '../util/list.ts';
import { withVerdicts } from './gate.ts';
import { mergeResults } from '../record/merge.ts';
import { parseResultThreshold, type PlannedThreshold } from '../plan/thresholds.ts';
import { describeMergeFailure } from '../result/merge-failure.ts';
import type { MergeSummary, RunResult } from '../result/result.ts';

export interface MergeInput {
  file: string;
  result: RunResult;
}

/** Merges the shard results (in any order) and judges the thresholds of the whole. */
export function mergeShards(inputs: readonly MergeInput[], options: { force: boolean }): RunResult {
  if (inputs.length === 0) throw new UsageError('merge: give the result files of the shards (loadhttp run --shard I/N --json FILE)');
  const sorted = [...inputs].sort((a, b) => (a.result.shard?.index ?? Infinity) - (b.result.shard?.index ?? Infinity));
  const mismatches = findMismatches(sorted);
  if (mismatches.length > 0 && !options.force) {
    throw new UsageError(`merge: these results are not the shards of one run:\n${mismatches.map((m) => `  - ${m}`).join('\n')}\n(--force merges them anyway, as one union)`);
  }
  // A shard that measured nothing has no figures to add: without --force the merge stops (exit 3) and
  // names it; with --force the others are merged and it is missing, like a shard whose file is absent.
  const failed = sorted.filter((i) => i.result.error);
  const failures = failed.map(({ file, result }) => ({ file, shard: result.shard ?? null, error: result.error! }));
  if (failed.length > 0 && (!options.force || failed.length === sorted.length)) {
    const why = failures.map((f) => `  - ${describeMergeFailure(f)}`).join('\n');
    const what = options.force ? 'every result failed: nothing to merge' : 'the figures would be incomplete (--force merges the rest)';
    throw new RunError('shard-failed', `merge: ${failed.length === 1 ? 'a shard' : `${failed.length} shards`} measured nothing:\n${why}\n${what}`);
  }
  const counts = unique(sorted.map((i) => i.result.shard?.count).filter((c): c is number => c !== undefined));
  const shardCount = counts.length === 1 ? counts[0]! : null;
  const good = sorted.filter((i) => !i.result.error);
  const present = new Set(good.map((i) => i.result.shard?.index));
  const missing = shardCount === null ? [] : range(shardCount).filter((i) => !present.has(i));
  const starts = good.map((i) => Date.parse(i.result.measureStartedAt ?? i.result.startedAt));
  const summary: MergeSummary = {
    inputs: good.map(({ file, result }) => ({ file, shard: result.shard ?? null, runId: result.runId ?? null, startedAt: result.startedAt })),
    shardCount,
    missing,
    startSkewMs: Math.max(...starts) - Math.min(...starts),
    failed: failures,
    forced: mismatches.length > 0,
    mismatches,
  };
  const labels = good.map(({ file, result }) => (result.shard ? `shard ${result.shard.index}/${result.shard.count}` : file));
  const merged = mergeResults(good.map((i) => i.result), labels);
  const runIds = unique(sorted.map((i) => i.result.runId).filter((id): id is string => id !== undefined));
  if (runIds.length === 1) merged.runId = runIds[0]!;
  const digests = unique(sorted.map((i) => i.result.planDigest).filter((d): d is string => d !== undefined));
  if (digests.length === 1) merged.planDigest = digests[0]!;
  merged.merged = summary;
  const abort = good.find((i) => i.result.thresholdAbort)?.result.thresholdAbort ?? null;
  return withVerdicts(merged, plannedThresholds(merged), abort, null);
}

/** Why the inputs are not the shards of one run (empty when they are). */
function findMismatches(inputs: readonly MergeInput[]): string[] {
  const problems: string[] = [];
  const differ = (label: string, pick: (r: RunResult) => string | undefined) => {
    const values = unique(inputs.map((i) => pick(i.result) ?? '(none)'));
    if (values.length > 1) {
      problems.push(`different ${label}: ${inputs.map((i) => `${i.file} has ${pick(i.result) ?? '(none)'}`).join(', ')}`);
    }
  };
  differ('scenarios (plan digest)', (r) => r.planDigest);
  differ('run ids', (r) => r.runId);
  differ('shard counts', (r) => (r.shard ? String(r.shard.count) : undefined));
  const seen = new Map<number, string>();
  for (const { file, result } of inputs) {
    if (!result.shard) continue;
    const other = seen.get(result.shard.index);
    if (other !== undefined) problems.push(`shard ${result.shard.index} twice: ${other} and ${file}`);
    seen.set(result.shard.index, file);
  }
  return problems;
}

/** The thresholds as the shards' plans wrote them, parsed again (they parsed before the run, so they parse now). */
function plannedThresholds(result: RunResult): PlannedThreshold[] {
  return (result.plan.thresholds ?? []).map((t) => ({
    spec: parseResultThreshold(t.expr, result),
    source: t.expr,
    abortOnFail: t.abortOnFail,
    delayMs: t.delayMs,
    origin: t.line === null ? 'cli' : 'scenario',
    line: t.line,
  }));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

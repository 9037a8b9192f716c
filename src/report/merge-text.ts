// The first lines of a merged report: how many shards, how far apart they started, what failed, is missing or forced.
import { describeMergeFailure } from '../result/merge-failure.ts';
import type { RunResult } from '../result/result.ts';

/** "merged 3 of 4 shards of run 1a2b… (start skew 12 ms); missing: shard 2" — the report's first line. */
export function describeMerge(result: RunResult): string[] {
  const m = result.merged;
  if (!m) return [];
  const of = m.shardCount === null ? `${m.inputs.length} results` : `${m.inputs.length} of ${m.shardCount} shards`;
  const run = result.runId ? ` of run ${result.runId}` : '';
  const lines = [`merged ${of}${run}; the shards started ${formatSkew(m.startSkewMs)} apart`];
  for (const failure of m.failed ?? []) lines.push(`FAILED: ${describeMergeFailure(failure)}: left out`);
  if (m.missing.length > 0) {
    lines.push(`INCOMPLETE: missing shard${m.missing.length === 1 ? '' : 's'} ${m.missing.join(', ')} of ${m.shardCount}: the figures cover only the shards present`);
  }
  if (m.forced) lines.push(`FORCED: merged as one union of ${m.inputs.length} results that are not one run (${m.mismatches.length} mismatch${m.mismatches.length === 1 ? '' : 'es'})`);
  return lines;
}

function formatSkew(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

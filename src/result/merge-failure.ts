// One line naming a shard that measured nothing, for the merge's error and the merged report alike.
import type { MergeFailure } from './result.ts';

/** "shard 2/4 (shard-2.json): connect-refused: connect ECONNREFUSED 10.0.0.7:8080" */
export function describeMergeFailure(f: MergeFailure): string {
  const name = f.shard ? `shard ${f.shard.index}/${f.shard.count} (${f.file})` : f.file;
  return `${name}: ${f.error.class}: ${f.error.message}`;
}

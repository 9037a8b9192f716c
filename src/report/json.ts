// The JSON form of a run: the single place it is made. Scripts parse it, so the shape is RunResult as is
// (see result.ts for the contract and SCHEMA_VERSION).
import type { RunResult } from '../result/result.ts';

export function renderJson(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

// Parsing of human-friendly durations ("250ms", "30s", "1.5m", "2h") to milliseconds.

const UNITS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PATTERN = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)?$/;

/**
 * Returns milliseconds, or undefined when `text` is not a duration. A bare number is taken as
 * `bareUnit` (seconds on the CLI, where `-d 30` is what wrk users type).
 */
export function parseDuration(text: string | number, bareUnit: 'ms' | 's' = 's'): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * UNITS[bareUnit]! : undefined;
  const match = PATTERN.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]) * UNITS[match[2] ?? bareUnit]!;
  return Number.isFinite(value) ? value : undefined;
}

/** Formats milliseconds back for headers and plans: "30s", "1m30s", "250ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${+ms.toFixed(3)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(3)}s`;
  const minutes = Math.floor(ms / 60_000);
  const rest = ms - minutes * 60_000;
  return rest === 0 ? `${minutes}m` : `${minutes}m${formatDuration(rest)}`;
}

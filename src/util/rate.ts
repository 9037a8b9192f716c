// Parsing of arrival rates ("500/s", "30/m", "2/h", or a bare number per second) to requests per second.

const PER: Record<string, number> = { s: 1, sec: 1, m: 60, min: 60, h: 3600 };
const PATTERN = /^(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min|h))?$/;

/** Requests per second, or undefined when `text` is not a rate > 0. */
export function parseRate(text: string | number): number | undefined {
  const match = typeof text === 'number' ? null : PATTERN.exec(text.trim());
  const value = typeof text === 'number' ? text : match ? Number(match[1]) / PER[match[2] ?? 's']! : NaN;
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

export const RATE_HELP = 'use e.g. 500/s, 30/m, or a bare number of requests per second';

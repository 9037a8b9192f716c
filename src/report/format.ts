// Human units for reports: latency in µs/ms/s, counts, rates, bytes, percentages.
import type { RunResult } from '../result/result.ts';

/** Milliseconds → "850µs", "12.3ms", "1.24s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

/**
 * 1234567 → "1,234,567". By hand rather than toLocaleString: the first locale-aware call loads ICU's data,
 * ~9 MiB of RSS at the end of every run for a thousands separator.
 */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Plain code-point order (status codes, failure class names): no locale, so no ICU data (see above). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Requests per second with sensible precision. */
export function formatRate(rps: number): string {
  return rps >= 100 ? formatCount(rps) : rps.toFixed(1);
}

/** 0.0123 → "1.23%". */
export function formatPercent(fraction: number): string {
  const pct = fraction * 100;
  return pct === 0 ? '0%' : pct < 0.01 ? '<0.01%' : `${pct < 10 ? pct.toFixed(2) : pct.toFixed(1)}%`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Why a run stopped, in words (RunResult.stopReason). */
export function describeStop(reason: RunResult['stopReason']): string {
  const words: Record<RunResult['stopReason'], string> = {
    duration: 'duration reached',
    iterations: 'iterations done',
    interrupted: 'interrupted',
    threshold: 'an abortOnFail threshold failed',
    'data-exhausted': "the data file's rows ran out",
  };
  return words[reason] ?? reason;
}

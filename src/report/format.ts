// Human units for reports: latency in µs/ms/s, counts, rates, bytes, percentages.

/** Milliseconds → "850µs", "12.3ms", "1.24s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
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

// Small helpers over lists, written once.

export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** The distinct values, in first-seen order. */
export const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

/** Part `index` (0-based) of `total` whole units: floor(total / count), plus one for the first total % count parts. */
export function shareOf(total: number, index: number, count: number): number {
  return Math.floor(total / count) + (index < total % count ? 1 : 0);
}

// Small helpers over lists, written once.

export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** The distinct values, in first-seen order. */
export const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

// Deep Object.freeze for plans: a Plan is built once and then only read (Buffers and other typed arrays
// stay mutable: they cannot be frozen; nothing writes to a request body or a data file's shared rows).
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// Deep Object.freeze for plans: a Plan is built once and then only read (Buffers stay mutable: they
// cannot be frozen, and nothing writes to a request body).
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

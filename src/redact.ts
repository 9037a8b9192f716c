// Masking of secrets in anything we print or write: credentials headers, and values that came from ${ENV}.

/** Header names whose values are secrets: masked in reports, never indexed by HPACK. */
export const SENSITIVE_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
export const MASK = '[redacted]';

/** Flat [name, value, ...] headers → an object with sensitive values masked. */
export function redactHeaders(flat: readonly string[], secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!;
    out[name] = SENSITIVE_HEADERS.has(name.toLowerCase()) ? MASK : redactText(flat[i + 1]!, secrets);
  }
  return out;
}

/** Replaces every occurrence of a secret value in `text` (give the longest first: plan.secrets is so ordered). */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join(MASK);
  return out;
}

/** Header names always masked, beside the scenario's `redact:` list. */
export const ALWAYS_REDACTED = ['authorization', 'proxy-authorization', 'cookie'];

/**
 * The values of the named headers in flat [name, value, ...] headers, as secrets: the whole value, and
 * for a `Scheme credentials` value (Bearer, Basic, ...) the credentials alone, since a message may quote
 * only the token.
 */
export function headerSecrets(flat: readonly string[], names: readonly string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    if (!names.includes(flat[i]!.toLowerCase())) continue;
    const value = flat[i + 1]!;
    found.push(value);
    const credentials = /^[A-Za-z][\w-]*\s+(\S.*)$/.exec(value)?.[1];
    if (credentials && credentials.length >= 4) found.push(credentials);
  }
  return found;
}

/**
 * A copy of plain JSON-like data with every secret masked in every string and key. Under a key in
 * `keysOnly` only the keys are masked (encoded histograms: base64 values, large, never a secret; their
 * keys are request names).
 */
export function redactDeep<T>(value: T, secrets: readonly string[], keysOnly: readonly string[] = ['histograms']): T {
  if (secrets.length === 0) return value;
  const walk = (node: unknown, values: boolean): unknown => {
    if (typeof node === 'string') return values ? redactText(node, secrets) : node;
    if (Array.isArray(node)) return node.map((item) => walk(item, values));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        out[redactText(key, secrets)] = walk(child, values && !keysOnly.includes(key));
      }
      return out;
    }
    return node;
  };
  return walk(value, true) as T;
}

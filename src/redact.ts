// Masking of secrets in anything we print or write: credentials headers, and values that came from ${ENV}.

const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
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

/** Replaces every occurrence of a secret value in `text`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join(MASK);
  return out;
}

// Masking of secrets in what we print or write. Which values are secrets is decided by the plan (plan.ts:
// credentials that reach the wire); masking happens once, at the output boundary (the CLI), on string
// values only: keys and numbers are figures (status codes, request names, counts) and are never touched.

export const MASK = '[redacted]';

/**
 * Secrets shorter than this are masked only where they stand (a header value in the plan summary, a query
 * value in a path), never as a substring elsewhere: "500" or "20" would eat status codes and timestamps.
 */
export const MIN_SUBSTRING_SECRET = 4;

const SENSITIVE_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);
const SENSITIVE_PARTS = ['token', 'secret', 'key', 'auth', 'session', 'password'];

/**
 * Whether a header (lower-cased name) carries credentials: its value is a secret wherever it came from,
 * masked in outputs and never indexed by HPACK. A pseudo-header (`:authority`) never is.
 */
export function isSensitiveHeader(name: string): boolean {
  if (name.startsWith(':')) return false;
  return SENSITIVE_NAMES.has(name) || SENSITIVE_PARTS.some((part) => name.includes(part));
}

/**
 * A header value as secrets: the whole value, and for a `Scheme credentials` value (Bearer, Basic, ...)
 * the credentials alone, since a message may quote only the token.
 */
export function headerValueSecrets(value: string): string[] {
  const credentials = /^[A-Za-z][\w-]*\s+(\S.*)$/.exec(value)?.[1];
  return credentials ? [value, credentials] : [value];
}

/** Replaces every occurrence of a secret in `text` (give the longest first: plan.secrets is so ordered). */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= MIN_SUBSTRING_SECRET) out = out.split(secret).join(MASK);
  return out;
}

/**
 * A copy of plain JSON-like data (a result, a plan summary) with every secret masked in every string
 * value. Keys and numbers are kept as they are; so are the values under `histograms` (encoded
 * histograms: base64 that may contain a secret's letters by chance, and never a secret).
 */
export function redactOutput<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return redactText(node, secrets);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        // defineProperty: a "__proto__" key (a request name, say) stays data.
        Object.defineProperty(out, key, { value: key === 'histograms' ? child : walk(child), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return node;
  };
  return walk(value) as T;
}

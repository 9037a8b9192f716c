// Which values of a plan are secrets: the ones that reach the wire in a place that carries credentials.
// That is a header value that came from ${ENV} or whose header name is sensitive, URL userinfo, and what
// ${ENV} put into a query or a body; for the OTLP push too (plan/metrics.ts). A number in `load:` or the target host never is. The outputs mask
// secrets of 4 characters or more wherever they appear (redact.ts); shorter ones only where they stand
// (the header values and the path in the plan summary, the default request name).
import { MASK, MIN_SUBSTRING_SECRET, headerValueSecrets, isSensitiveHeader, redactText } from '../util/redact.ts';
import { UsageError } from '../util/errors.ts';

/**
 * Headers as outputs show them (credentials masked whole) and their secrets. `masked(name)` says whether
 * a header is masked beyond the sensitive names: its value came from ${ENV}, or `redact:` names it.
 */
export function shownHeaders(
  headers: Record<string, string>,
  masked: (name: string) => boolean,
): { shown: Record<string, string>; secrets: string[] } {
  const secrets: string[] = [];
  const shown = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      if (!isSensitiveHeader(name) && !masked(name)) return [name, value];
      secrets.push(...headerValueSecrets(value));
      return [name, MASK];
    }),
  );
  return { shown, secrets };
}

/** URL userinfo (`user:password@`, or a token alone as the user): the whole of it, and the password. */
export function userinfoSecrets(url: URL): string[] {
  if (url.username === '' && url.password === '') return [];
  const parts = url.password === '' ? [url.username] : [`${url.username}:${url.password}`, url.password];
  return parts.flatMap((part) => [part, decoded(part)]);
}

/**
 * The values of a `name=value,name=value` header list (OTEL_EXPORTER_OTLP_HEADERS, values percent-encoded):
 * each as written and decoded, and a `Scheme credentials` value's credentials alone.
 */
export function headerListSecrets(list: string): string[] {
  return list.split(',').flatMap((pair) => {
    const equals = pair.indexOf('=');
    const value = equals < 0 ? '' : pair.slice(equals + 1).trim();
    return value === '' ? [] : [...new Set([value, decoded(value)])].flatMap(headerValueSecrets);
  });
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The secrets masked as substrings in outputs: 4 characters or more, each once, longest first. */
export function substringSecrets(values: Iterable<string>): string[] {
  return [...new Set(values)].filter((v) => v.length >= MIN_SUBSTRING_SECRET).sort((a, b) => b.length - a.length);
}

/**
 * Request names with the secrets masked: a name is a key of the result (never masked at the output),
 * so a label that quotes a secret is masked here, once. Two names that become one are refused.
 */
export function maskedNames(names: readonly string[], secrets: readonly string[]): string[] {
  const masked = names.map((name) => redactText(name, secrets));
  masked.forEach((name, i) => {
    const first = masked.indexOf(name);
    if (first !== i) {
      throw new UsageError(`requests[${first}] and requests[${i}] are both named ${JSON.stringify(name)} once secrets are masked: give them names that differ elsewhere`);
    }
  });
  return masked;
}

// Recorded credentials -> ${ENV} references. Which names carry credentials is the project's one list
// (util/redact.ts: authorization, cookie, x-api-key, names with token, secret, key, auth, session,
// password); it is applied to header names, query parameter names and the field names of JSON and form
// bodies. Every other `${` in recorded text is escaped (`$${`), and every `{{` (`{{{{`), so that the
// loader and the templates of a flow step read the text literally.
import { isSensitiveHeader } from '../../util/redact.ts';
import { escapeTemplate, hasTemplate } from '../template.ts';

export interface EnvVar {
  name: string;
  /** Where the value was found, for the message telling the user what to set. */
  what: string;
}

/** The environment variables an import refers to: one per distinct secret value. */
export class EnvVars {
  readonly list: EnvVar[] = [];
  readonly #byValue = new Map<string, string>();
  /** The request being converted, named in `what` (the same header may hold different values in two requests). */
  request = '';

  /** `${NAME}` for `value`: the same value always gets the same variable; `base` suggests the name. */
  ref(value: string, base: string, what: string): string {
    let name = this.#byValue.get(value);
    if (name === undefined) {
      const stem = envName(base);
      name = stem;
      for (let n = 2; this.list.some((v) => v.name === name); n++) name = `${stem}_${n}`;
      this.#byValue.set(value, name);
      const where = this.request === '' ? what : `${what} (first in ${this.request})`;
      // The value is put in before templates are read: a `{{` in it must be escaped like the rest.
      this.list.push({ name, what: hasTemplate(value) ? `${where}; write each {{ in its value as {{{{` : where });
    }
    return `\${${name}}`;
  }
}

/** "x-api-key" -> "X_API_KEY". */
function envName(base: string): string {
  const name = base.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'SECRET';
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** Recorded text as a scenario string: a literal `${` is written `$${`, a literal `{{` `{{{{`. */
export function literal(text: string): string {
  // A function, not a replacement string: in one, `$$` would stand for a single `$`.
  return escapeTemplate(text.replaceAll('${', () => '$${'));
}

function sensitive(name: string): boolean {
  return isSensitiveHeader(name.toLowerCase());
}

/** A header value for the scenario: a credential becomes a reference (for `Scheme credentials`, the credentials alone). */
export function headerValue(name: string, value: string, env: EnvVars): string {
  if (!sensitive(name) || value.trim() === '') return literal(value);
  const scheme = /^([A-Za-z][\w-]*)\s+(\S.*)$/.exec(value);
  if (scheme && name !== 'cookie') {
    const [, kind, credentials] = scheme as unknown as [string, string, string];
    const lower = kind.toLowerCase();
    const base = lower === 'bearer' ? 'bearer_token' : lower === 'basic' ? 'basic_auth' : `${name}_${kind}`;
    const what = lower === 'basic' ? `base64 of user:password (the Basic credentials of the ${name} header)` : `the ${kind} credentials of the ${name} header`;
    return `${kind} ${env.ref(credentials, base, what)}`;
  }
  return env.ref(value, name, `the ${name} header`);
}

/** A request target (path and query), with the values of sensitive query parameters as references (kept URL-encoded). */
export function pathOf(target: string, env: EnvVars): string {
  const mark = target.indexOf('?');
  const query = mark < 0 ? '' : target.slice(mark + 1);
  if (query === '') return literal(target);
  const params = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return literal(pair);
    const name = decode(pair.slice(0, eq));
    const value = pair.slice(eq + 1);
    if (!sensitive(name) || value === '') return literal(pair);
    return `${literal(pair.slice(0, eq))}=${env.ref(value, name, `the ${name} query parameter (URL-encoded, as recorded)`)}`;
  });
  return `${literal(target.slice(0, mark))}?${params.join('&')}`;
}

/** An application/x-www-form-urlencoded body with the values of sensitive fields as references. */
export function formBody(text: string, env: EnvVars): string {
  return text
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? '' : decode(pair.slice(0, eq).replaceAll('+', ' '));
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      if (!sensitive(name) || value === '') return literal(pair);
      return `${literal(pair.slice(0, eq))}=${env.ref(value, name, `the ${name} form field (URL-encoded, as recorded)`)}`;
    })
    .join('&');
}

/** Parsed JSON with the string values of sensitive fields as references and every other string literal. */
export function jsonBody(data: unknown, env: EnvVars, field?: string): unknown {
  if (typeof data === 'string') {
    return field !== undefined && sensitive(field) && data !== '' ? env.ref(data, field, `the "${field}" field of a JSON body`) : literal(data);
  }
  if (Array.isArray(data)) return data.map((item) => jsonBody(item, env, field));
  if (data !== null && typeof data === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(data)) {
      // defineProperty: a "__proto__" field stays data.
      Object.defineProperty(out, literal(key), { value: jsonBody(value, env, key), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return data;
}

/** Percent-decoded text, or the text as it is when it does not decode. */
export function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

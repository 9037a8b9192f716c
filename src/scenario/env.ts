// ${VAR} substitution in scenario strings. `$${` is a literal `${`.

/** A value substituted from the environment: text.slice(start, end). */
export interface EnvSpan {
  start: number;
  end: number;
}

export type Substitution =
  | { ok: true; text: string; /** Where the substituted values lie in `text`, in order. */ spans: EnvSpan[] }
  | { ok: false; message: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Replaces every ${NAME} in `text` with env[NAME]; a missing variable or a malformed reference fails. */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv = process.env): Substitution {
  if (!text.includes('$')) return { ok: true, text, spans: [] };
  let out = '';
  const spans: EnvSpan[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const end = text.indexOf('}', i + 2);
    if (end < 0) return { ok: false, message: 'unterminated ${ (write $${ for a literal ${)' };
    const name = text.slice(i + 2, end);
    if (!NAME.test(name)) {
      const help = 'use ${NAME}, or $${ for a literal ${';
      return { ok: false, message: `\${${name}} is not a valid environment variable reference (${help})` };
    }
    const value = env[name];
    if (value === undefined) return { ok: false, message: `environment variable ${name} is not set` };
    spans.push({ start: out.length, end: out.length + value.length });
    out += value;
    i = end + 1;
  }
  return { ok: true, text: out, spans };
}

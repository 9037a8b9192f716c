// `{{name}}` templates in a flow step's path, header values and body: the text split into literal parts
// and references (a variable, or a built-in). Parsed here, where a mistake can be reported at its
// position; the plan compiles each templated string once and the engine renders it per send.

export type TemplateRef =
  | { kind: 'var'; name: string }
  | { kind: 'vu' }
  | { kind: 'iteration' }
  | { kind: 'uuid' }
  | { kind: 'randomInt'; min: number; max: number };

/** Literal text and references in order; a string without `{{` is one literal part. */
export type TemplatePart = string | TemplateRef;

/** A template that does not parse: `offset` is where in the text the problem starts. */
export class TemplateSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

export const BUILTINS = ['vu', 'iteration', 'uuid', 'randomInt'] as const;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const INTEGER = /^-?\d+$/;

export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

/** The parts of `text`; throws TemplateSyntaxError for an unclosed `{{`, an empty or malformed reference. */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('{{', at);
    if (open < 0) {
      parts.push(text.slice(at));
      break;
    }
    if (open > at) parts.push(text.slice(at, open));
    const close = text.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateSyntaxError('"{{" without a closing "}}"', open);
    parts.push(parseRef(text.slice(open + 2, close).trim(), open));
    at = close + 2;
  }
  return parts;
}

function parseRef(inner: string, offset: number): TemplateRef {
  const words = inner.split(/\s+/);
  const [head = ''] = words;
  if (head === 'randomInt') {
    const [, min, max] = words;
    if (words.length !== 3 || !INTEGER.test(min!) || !INTEGER.test(max!) || Number(min) > Number(max)) {
      throw new TemplateSyntaxError(`{{${inner}}}: randomInt takes two integers, min <= max (e.g. {{randomInt 1 100}})`, offset);
    }
    return { kind: 'randomInt', min: Number(min), max: Number(max) };
  }
  if (words.length !== 1 || !NAME.test(head)) {
    throw new TemplateSyntaxError(`{{${inner}}} is not a variable name (letters, digits, _ . -; e.g. {{token}})`, offset);
  }
  if (head === 'vu' || head === 'iteration' || head === 'uuid') return { kind: head };
  return { kind: 'var', name: head };
}

/** The variable names a template refers to (built-ins excluded). */
export function variablesOf(parts: readonly TemplatePart[]): string[] {
  return parts.flatMap((part) => (typeof part !== 'string' && part.kind === 'var' ? [part.name] : []));
}

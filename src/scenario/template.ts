// `{{name}}` templates in a flow step's path, header values and body: the text split into literal parts
// and references (a variable, or a built-in). Parsed here, where a mistake can be reported at its
// position; the plan compiles each templated string once and the engine renders it per send.
//
// A literal `{{` is written `{{{{` (the opener doubled, as `$${` writes a literal `${`). Only `{{` is
// special: a lone `{` and every `}` outside a reference are literal. A run of braces is read from the
// left in fours, each a literal `{{`; what is left over is a literal `{` (one), opens a reference (two), or
// both (three: the two braces next to the name open it). So any text is written by doubling every `{{`
// in it (escapeTemplate), and the escaping survives JSON.stringify (braces are not escaped in JSON).

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

/** Whether `text` needs parsing: it has a reference or an escaped `{{` (else it is sent as it stands). */
export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

/** `text` written so that a template reads it back literally: every `{{` doubled. */
export function escapeTemplate(text: string): string {
  return text.replaceAll('{{', '{{{{');
}

const UNCLOSED = '"{{" without a closing "}}" (a literal "{{" is written "{{{{")';

/**
 * The parts of `text`, escapes undone (adjacent literal text is one part); throws TemplateSyntaxError for
 * an unclosed `{{`, an empty or malformed reference.
 */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('{{', at);
    if (open < 0) {
      literal += text.slice(at);
      break;
    }
    let end = open + 2;
    while (text[end] === '{') end++;
    const run = end - open;
    literal += text.slice(at, open) + '{{'.repeat(Math.floor(run / 4)) + (run % 2 === 1 ? '{' : '');
    at = end;
    if (run % 4 < 2) continue;
    const close = text.indexOf('}}', end);
    if (close < 0) throw new TemplateSyntaxError(UNCLOSED, end - 2);
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(parseRef(text.slice(end, close).trim(), end - 2));
    at = close + 2;
  }
  if (literal !== '') parts.push(literal);
  return parts;
}

/** The text a template stands for when it has no reference (its escapes undone), else null. */
export function literalOf(parts: readonly TemplatePart[]): string | null {
  return parts.every((part) => typeof part === 'string') ? parts.join('') : null;
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
    throw new TemplateSyntaxError(`{{${inner}}} is not a variable name (letters, digits, _ . -; e.g. {{token}}; a literal "{{" is written "{{{{")`, offset);
  }
  if (head === 'vu' || head === 'iteration' || head === 'uuid') return { kind: head };
  return { kind: 'var', name: head };
}

/** The variable names a template refers to (built-ins excluded). */
export function variablesOf(parts: readonly TemplatePart[]): string[] {
  return parts.flatMap((part) => (typeof part !== 'string' && part.kind === 'var' ? [part.name] : []));
}

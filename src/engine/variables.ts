// A flow's variables and the rendering of templates with them: one FlowVars per virtual user (closed
// model) or per arrival (open model); a templated step gets a fresh PreparedRequest per send.
import { randomUUID } from 'node:crypto';
import type { TemplatePart, TemplateRef } from '../scenario/template.ts';
import type { StepTemplates } from '../plan/types.ts';
import type { PreparedRequest } from '../transport/transport.ts';
import { prepare } from './prepare.ts';
import { fieldValueProblem } from '../util/field-value.ts';
import { TemplateError } from '../util/errors.ts';

export class FlowVars {
  /** 1-based virtual user number (open model: the arrival's number). */
  readonly vu: number;
  /** 0-based iteration of this virtual user. */
  iteration = 0;
  /** A data row was taken (with `per: vu`, the user's one row). */
  hasRow = false;
  /** Data row columns and captured values. */
  readonly values = new Map<string, string>();

  constructor(vu: number) {
    this.vu = vu;
  }
}

function valueOf(ref: TemplateRef, vars: FlowVars): string {
  switch (ref.kind) {
    case 'var':
      return vars.values.get(ref.name) ?? '';
    case 'vu':
      return String(vars.vu);
    case 'iteration':
      return String(vars.iteration);
    case 'uuid':
      return randomUUID();
    case 'randomInt':
      return String(ref.min + Math.floor(Math.random() * (ref.max - ref.min + 1)));
  }
}

export function render(parts: readonly TemplatePart[], vars: FlowVars, escape: (value: string) => string): string {
  let text = '';
  for (const part of parts) text += typeof part === 'string' ? part : escape(valueOf(part, vars));
  return text;
}

/** In a path: what may not stand there as is (spaces, controls, non-ASCII) percent-encoded as UTF-8. */
function pathValue(value: string): string {
  return value.replace(/[^\x21-\x7e]+/g, (run) => encodeURIComponent(run));
}

/** In a header value: CR, LF and NUL dropped (they would end the header). */
function headerValue(value: string): string {
  return value.replace(/[\r\n\0]/g, '');
}

/** Inside a JSON string (templates in a `json:` body stand in its strings). */
function jsonValue(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

const raw = (value: string): string => value;

/** The step's request with its templates rendered from `vars`; TemplateError when a header value cannot be sent. */
export function renderRequest(base: PreparedRequest, templates: StepTemplates, vars: FlowVars): PreparedRequest {
  let headers = base.headers;
  if (templates.headers.some((parts) => parts !== null)) {
    headers = [...base.headers];
    templates.headers.forEach((parts, i) => {
      if (parts === null) return;
      const value = render(parts, vars, headerValue);
      // The template's own text passed the loader: a variable brought in what no header value can be.
      const problem = fieldValueProblem(value);
      if (problem !== null) throw new TemplateError(`the template of header ${headers[2 * i]} rendered an invalid value: ${problem}`);
      headers[2 * i + 1] = value;
    });
  }
  return prepare(
    {
      method: base.method,
      path: templates.path === null ? base.path : render(templates.path, vars, pathValue),
      headers,
      body: templates.body === null ? base.body : Buffer.from(render(templates.body, vars, templates.jsonBody ? jsonValue : raw), 'utf8'),
    },
    base.keepResponse,
  );
}

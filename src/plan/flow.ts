// A scenario's `flow:` (or the flow entries of its mix) and `data:` as the engine reads them: each step's
// templates compiled once (the parts of its path, header values and body), its captures and think time;
// the data file's rows and the part of them this plan may take (split.ts narrows it for workers and shards).
import type { Scenario, ScenarioStep } from '../scenario/types.ts';
import { hasTemplate, literalOf, parseTemplate, TemplateSyntaxError, type TemplatePart } from '../scenario/template.ts';
import { UsageError } from '../util/errors.ts';
import type { PlannedData, PlannedFlow, PlannedRequest, StepTemplates } from './types.ts';

/**
 * The flows' steps, and the requests with every string of a step that has no reference planned as the
 * text it stands for (a `{{{{` escape undone): such a string is sent as planned, never rendered (a mix's
 * plain requests were read as written already). `bodyOverridden`: --body replaced the steps' bodies
 * (bytes sent as given, not templates).
 */
export function resolveFlow(
  scenario: Scenario,
  requests: readonly PlannedRequest[],
  bodyOverridden: boolean,
): { flow: PlannedFlow | null; requests: PlannedRequest[] } {
  const flows = flowsOf(scenario);
  const planned = [...requests];
  if (flows === null) return { flow: null, requests: planned };
  const entries = flows.map(({ name, first, steps }) => ({
    name,
    first,
    steps: steps.map((step, i) => {
      const templated = !bodyOverridden && (step.bodyKey === 'json' || step.bodyKey === 'body');
      const compiled = compileStep(requests[first + i]!, templated, step.bodyKey === 'json');
      planned[first + i] = compiled.request;
      return { templates: compiled.templates, captures: step.captures, think: step.think };
    }),
  }));
  return { flow: { entries }, requests: planned };
}

/** The top-level flow (its steps are every request), or a mix's flow entries with the index of their first step; null without. */
function flowsOf(scenario: Scenario): Array<{ name: string | null; first: number; steps: readonly ScenarioStep[] }> | null {
  if (scenario.flow !== undefined) return [{ name: null, first: 0, steps: scenario.flow }];
  if (scenario.mix === undefined) return null;
  const flows = [];
  let first = 0;
  for (const entry of scenario.mix) {
    if (!('flow' in entry)) {
      first++;
      continue;
    }
    flows.push({ name: entry.name, first, steps: entry.flow });
    first += entry.flow.length;
  }
  return flows;
}

export function resolveData(scenario: Scenario): PlannedData | null {
  const data = scenario.data;
  if (data === undefined) return null;
  return { file: data.file, order: data.order, per: data.per, onExhausted: data.onExhausted, table: data.table, offset: 0, stride: 1 };
}

/** The step's templates (null when nothing in it has a reference: it is then sent as planned, like a plain request). */
function compileStep(request: PlannedRequest, templatedBody: boolean, jsonBody: boolean): { request: PlannedRequest; templates: StepTemplates | null } {
  const path = compile(request.path, request.name);
  const headerValues: string[] = [];
  const shownHeaders = { ...request.shownHeaders };
  const headers: Array<TemplatePart[] | null> = [];
  for (let i = 1; i < request.headers.length; i += 2) {
    const name = request.headers[i - 1]!;
    const value = compile(request.headers[i]!, request.name);
    headerValues.push(name, value.text);
    headers.push(value.parts);
    // A value shown as sent (not masked) shows the text it stands for.
    if (shownHeaders[name] === request.headers[i]) shownHeaders[name] = value.text;
  }
  const bodyText = templatedBody && request.body !== null ? request.body.toString('utf8') : null;
  const body = bodyText === null ? null : compile(bodyText, request.name);
  const planned: PlannedRequest = {
    ...request,
    path: path.text,
    // The shown path is the path with ${ENV} values masked: its escapes are undone the same way.
    shownPath: path.parts === null && path.text !== request.path ? compile(request.shownPath, request.name).text : request.shownPath,
    headers: headerValues,
    shownHeaders,
    body: body === null || body.text === bodyText ? request.body : Buffer.from(body.text, 'utf8'),
  };
  const templates = { path: path.parts, headers, body: body?.parts ?? null, jsonBody };
  if (templates.path === null && templates.body === null && headers.every((h) => h === null)) return { request: planned, templates: null };
  return { request: planned, templates };
}

/** A string of a step: its parts when it has a reference, else the text to send (escapes undone). */
function compile(text: string, where: string): { text: string; parts: TemplatePart[] | null } {
  if (!hasTemplate(text)) return { text, parts: null };
  let parts: TemplatePart[];
  try {
    parts = parseTemplate(text);
  } catch (error) {
    // The scenario checked its own strings at their keys; this is a template in a -H header.
    if (error instanceof TemplateSyntaxError) throw new UsageError(`step ${JSON.stringify(where)}: ${error.message}`);
    throw error;
  }
  const literal = literalOf(parts);
  return literal === null ? { text, parts } : { text: literal, parts: null };
}

// A scenario's `flow:` and `data:` as the engine reads them: each step's templates compiled once (the
// parts of its path, header values and body), its captures and think time; the data file's rows and the
// part of them this plan may take (split.ts narrows it for workers and shards).
import type { Scenario, TransportChoice } from '../scenario/types.ts';
import { hasTemplate, parseTemplate, TemplateSyntaxError, type TemplatePart } from '../scenario/template.ts';
import { UsageError } from '../util/errors.ts';
import type { PlannedData, PlannedFlow, PlannedRequest, StepTemplates } from './types.ts';

export function resolveFlow(scenario: Scenario, requests: readonly PlannedRequest[]): PlannedFlow | null {
  const steps = scenario.flow;
  if (steps === undefined) return null;
  return {
    steps: steps.map((step, i) => ({
      templates: compileStep(requests[i]!, step.jsonBody),
      captures: step.captures,
      think: step.think,
    })),
  };
}

/**
 * The transport: the one asked for, else loadhttp's own, except for a flow that reads responses
 * (captures, hooks): only the undici transport keeps a response (PreparedRequest.keepResponse) so far,
 * so such a flow takes it, and asking for loadhttp's with one is refused rather than left to fail.
 */
export function chooseTransport(scenario: Scenario, flag: TransportChoice | undefined): TransportChoice {
  const reads = scenario.flow?.some((step) => step.captures.length > 0) === true || scenario.hooks !== undefined;
  const asked = flag ?? scenario.transport;
  if (reads && asked === 'loadhttp') {
    const why = scenario.hooks !== undefined ? 'hooks' : 'captures';
    throw new UsageError(`transport loadhttp: this flow's ${why} need the response's headers and body, which only the undici transport keeps so far; leave out transport (undici is then used) or give transport: undici`);
  }
  return asked ?? (reads ? 'undici' : 'loadhttp');
}

export function resolveData(scenario: Scenario): PlannedData | null {
  const data = scenario.data;
  if (data === undefined) return null;
  return { file: data.file, order: data.order, per: data.per, onExhausted: data.onExhausted, table: data.table, offset: 0, stride: 1 };
}

/** The step's templates, or null when nothing in it has one (it is then sent as planned, like a plain request). */
function compileStep(request: PlannedRequest, jsonBody: boolean): StepTemplates | null {
  const path = compile(request.path, request.name);
  const headers: Array<TemplatePart[] | null> = [];
  for (let i = 1; i < request.headers.length; i += 2) headers.push(compile(request.headers[i]!, request.name));
  const body = request.body === null ? null : compile(request.body.toString('utf8'), request.name);
  if (path === null && body === null && headers.every((h) => h === null)) return null;
  return { path, headers, body, jsonBody };
}

function compile(text: string, where: string): TemplatePart[] | null {
  if (!hasTemplate(text)) return null;
  try {
    return parseTemplate(text);
  } catch (error) {
    // The scenario checked the step's own strings; this is a template in the scenario's `headers:`.
    if (error instanceof TemplateSyntaxError) throw new UsageError(`step ${JSON.stringify(where)}: ${error.message}`);
    throw error;
  }
}

// A scenario's `flow:` (or the flow entries of its mix) and `data:` as the engine reads them: each step's
// templates compiled once (the parts of its path, header values and body), its captures and think time;
// the data file's rows and the part of them this plan may take (split.ts narrows it for workers and shards).
import type { Scenario, ScenarioStep } from '../scenario/types.ts';
import { hasTemplate, parseTemplate, TemplateSyntaxError, type TemplatePart } from '../scenario/template.ts';
import { UsageError } from '../util/errors.ts';
import type { PlannedData, PlannedFlow, PlannedFlowEntry, PlannedRequest, StepTemplates } from './types.ts';

export function resolveFlow(scenario: Scenario, requests: readonly PlannedRequest[]): PlannedFlow | null {
  if (scenario.flow !== undefined) return { entries: [plannedEntry(null, 0, scenario.flow, requests)] };
  if (scenario.mix === undefined) return null;
  const entries: PlannedFlowEntry[] = [];
  let first = 0;
  for (const entry of scenario.mix) {
    if ('flow' in entry) {
      entries.push(plannedEntry(entry.name, first, entry.flow, requests));
      first += entry.flow.length;
    } else {
      first++;
    }
  }
  return { entries };
}

function plannedEntry(name: string | null, first: number, steps: readonly ScenarioStep[], requests: readonly PlannedRequest[]): PlannedFlowEntry {
  return {
    name,
    first,
    steps: steps.map((step, i) => ({ templates: compileStep(requests[first + i]!, step.jsonBody), captures: step.captures, think: step.think })),
  };
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

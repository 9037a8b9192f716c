// `loadhttp validate`: check a scenario file and print the resolved plan; sends nothing.
import type { Command } from 'commander';
import { stdout } from './output.ts';
import { planFor } from './run.ts';
import { summarizePlan } from '../plan/summary.ts';
import { renderPlan, type PlanSettings } from '../report/plan-text.ts';
import type { Plan } from '../plan/types.ts';
import { redactOutput, redactText } from '../util/redact.ts';

export function addValidateCommand(program: Command): void {
  program
    .command('validate')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .description('check a scenario file and print the resolved plan; sends nothing')
    .addHelpText('after', '\nExample:\n  $ loadhttp validate scenarios/api-mix.yaml\n')
    .action(async (file: string) => {
      const plan = await planFor(file, {});
      // The text masked as a whole too: the settings (an OTLP URL) are not part of the summary redactOutput masks.
      stdout.write(redactText(renderPlan(redactOutput(summarizePlan(plan), plan.secrets), planSettings(plan)), plan.secrets));
      stdout.write(`${file}: valid\n`);
    });
}

/** What the plan would use beyond its summary (see PlanSettings). */
function planSettings(plan: Plan): PlanSettings {
  return {
    resolveAll: plan.resolve === 'all',
    compareProtocols: plan.compareProtocols,
    workers: plan.workers,
    tlsKey: plan.tls.files.key,
    headersTimeoutMs: plan.timeouts.headersMs,
    bodyTimeoutMs: plan.timeouts.bodyMs,
    requests: plan.requests.map((r) => ({ expectStatus: r.expectStatus, retry: r.retry })),
    // The OTLP URL as outputs show it (credentials masked where they stand, however short).
    metrics: plan.metrics && { ...plan.metrics, otlp: plan.metrics.shownOtlp },
  };
}

// `loadhttp validate`: check a scenario file and print the resolved plan; sends nothing.
import type { Command } from 'commander';
import { stdout } from './output.ts';
import { planFor } from './run.ts';
import { summarizePlan } from '../plan/summary.ts';
import { renderPlan } from '../report/plan-text.ts';
import { redactOutput } from '../util/redact.ts';

export function addValidateCommand(program: Command): void {
  program
    .command('validate')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .description('check a scenario file and print the resolved plan; sends nothing')
    .addHelpText('after', '\nExample:\n  $ loadhttp validate scenarios/api-mix.yaml\n')
    .action(async (file: string) => {
      const plan = await planFor(file, {});
      stdout.write(renderPlan(redactOutput(summarizePlan(plan), plan.secrets), plan.resolve === 'all'));
      stdout.write(`${file}: valid\n`);
    });
}

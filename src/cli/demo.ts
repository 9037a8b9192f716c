// `loadhttp demo`: start the built-in demo target and run scenarios/demo.yaml against it.
import type { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import type { SetExit } from './output.ts';
import { addRunOptions, planFor, runAndReport, type OutputFlags } from './run.ts';
import type { RunFlags } from './flags.ts';
import { startTarget } from './targets/target.ts';

export function addDemoCommand(program: Command, setExit: SetExit): void {
  addRunOptions(program.command('demo'))
    .description('start a built-in local target and run scenarios/demo.yaml against it for a few seconds')
    .addHelpText('after', '\nExample:\n  $ loadhttp demo\n  $ loadhttp demo -d 10s -c 64\n')
    .action(async (flags: RunFlags & OutputFlags) => {
      const target = await startTarget('demo');
      try {
        const file = fileURLToPath(new URL('../../scenarios/demo.yaml', import.meta.url));
        setExit(await runAndReport(await planFor(file, { ...flags, url: target.h1 }), flags));
      } finally {
        await target.close();
      }
    });
}

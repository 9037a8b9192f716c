// `loadhttp demo`: start the built-in demo target and run scenarios/demo.yaml against it; or, with
// --serve, only start the target and keep it running (something to point `loadhttp run` at).
import type { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { stdout, type SetExit } from './output.ts';
import { addRunOptions, planFor, runAndReport, type OutputFlags } from './run.ts';
import { port, type RunFlags } from './flags.ts';
import { startTarget, type BuiltinTarget } from './targets/target.ts';

interface DemoFlags extends RunFlags, OutputFlags {
  serve?: boolean;
  port?: string;
}

export function addDemoCommand(program: Command, setExit: SetExit): void {
  addRunOptions(program.command('demo'))
    .description('start a built-in local target and run scenarios/demo.yaml against it for a few seconds')
    .option('--serve', 'only start the built-in target and keep it running until Ctrl-C (for loadhttp run --url)')
    .option('--port <port>', 'with --serve: the port on 127.0.0.1 to listen on (default 8080; 0 picks a free one)')
    .addHelpText('after', '\nExample:\n  $ loadhttp demo\n  $ loadhttp demo -d 10s -c 64\n  $ loadhttp demo --serve --port 8080\n')
    .action(async (flags: DemoFlags) => {
      if (flags.serve) return serve(await startTarget('demo', port('--port', flags.port ?? '8080')));
      const target = await startTarget('demo');
      try {
        const file = fileURLToPath(new URL('../../scenarios/demo.yaml', import.meta.url));
        setExit(await runAndReport(await planFor(file, { ...flags, url: target.h1 }), flags));
      } finally {
        await target.close();
      }
    });
}

/** Keeps the target up until Ctrl-C or SIGTERM, then closes it (exit 0: stopping it is how it ends). */
async function serve(target: BuiltinTarget): Promise<void> {
  stdout.write(`loadhttp demo target: ${target.h1}/ (GET /, GET /items?page=1, POST /items, POST /login, GET /me; Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await target.close();
}

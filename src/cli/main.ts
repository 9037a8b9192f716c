// The command line: main() parses argv, runs one command (one file each) and returns the exit code. Only
// src/cli/ reads argv, writes to stdout/stderr and decides the exit code.
import { Command, CommanderError } from 'commander';
import { addCalibrateCommand } from './calibrate.ts';
import { addCompareCommand } from './compare.ts';
import { addDemoCommand } from './demo.ts';
import { EXIT } from './exit-codes.ts';
import { addImportCommand } from './import.ts';
import { addMergeCommand } from './merge.ts';
import { addReportCommand } from './report.ts';
import { stderr, stdout } from './output.ts';
import { addRunCommand } from './run.ts';
import { addValidateCommand } from './validate.ts';
import { RunError, ScenarioError, UsageError } from '../util/errors.ts';
import { VERSION } from '../util/version.ts';

export function buildProgram(): { program: Command; exitCode: () => number } {
  let code: number = EXIT.ok;
  const setExit = (next: number) => {
    code = next;
  };
  const program = new Command('loadhttp')
    .description('HTTP/1.1 and HTTP/2 load tester with trustworthy latency numbers')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const add of [addRunCommand, addValidateCommand, addCompareCommand, addDemoCommand, addMergeCommand, addReportCommand, addCalibrateCommand, addImportCommand]) {
    add(program, setExit);
  }
  return { program, exitCode: () => code };
}

/** Parses argv, runs the command, and returns the exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  const { program, exitCode } = buildProgram();
  // `loadhttp ... | head`: a reader that goes away is not a crash; stop writing quietly, as Unix tools do.
  for (const stream of [stdout, stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(exitCode());
    });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode();
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help / version).
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError || error instanceof ScenarioError) {
      stderr.write(`loadhttp: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof RunError) {
      stderr.write(`loadhttp: ${error.message}\n`);
      return EXIT.noMeasurement;
    }
    throw error;
  }
}

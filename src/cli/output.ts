// What the commands share: the output streams, whether to colour them, and writing an output file.
import { writeFileSync } from 'node:fs';
import { styleText } from 'node:util';

export const stdout = process.stdout;
export const stderr = process.stderr;
export const githubActions = process.env.GITHUB_ACTIONS === 'true';

/** Allowed regression against a baseline when --max-regression is not given. */
export const DEFAULT_MAX_REGRESSION = '10%';

/** Sets the exit code of the command that ran (main returns it). */
export type SetExit = (code: number) => void;

/**
 * Whether text for `stream` gets colour, decided as Node's util.styleText decides it: FORCE_COLOR wins;
 * otherwise a TTY whose colour depth allows it (NO_COLOR, NODE_DISABLE_COLORS and TERM=dumb turn it off).
 * The renderers then take a plain boolean.
 */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return styleText('bold', '.', { stream }) !== '.';
}

/** Writes an output to a file, or to stdout for "-". */
export function writeOutput(target: string, text: string): void {
  if (target === '-') stdout.write(text);
  else writeFileSync(target, text);
}

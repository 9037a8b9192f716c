// Runs the CLI and hands a test the lines it writes to stderr as they come (the metrics URL, the linger).
import type { ChildProcess } from 'node:child_process';
import { runCli, type CliResult } from './cli.ts';

export interface LiveCli {
  done: Promise<CliResult>;
  /** Resolves with the first match of `pattern` in stderr (rejects if the CLI ends first). */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

export function runLiveCli(args: string[], timeoutMs = 60_000): LiveCli {
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = w.pattern.exec(stderr);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  const done = runCli(args, {
    timeoutMs,
    onSpawn: (child: ChildProcess) =>
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        check();
      }),
  });
  return {
    done,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        void done.then((r) => reject(new Error(`the CLI ended (code ${r.code}) before ${pattern}: ${r.stderr}`)));
      }),
  };
}

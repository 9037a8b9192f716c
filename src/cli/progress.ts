// Live progress on stderr while a run goes: an ora spinner on an interactive terminal, a plain line
// every few seconds elsewhere (CI logs), or nothing when quiet. It only reads recorder snapshots.
import { createRequire } from 'node:module';
import type Ora from 'ora';
import { formatDuration } from '../util/duration.ts';
import type { Snapshot } from '../record/recorder.ts';
import { formatCount, formatMs, formatRate } from '../report/format.ts';

export interface Progress {
  update(snapshot: Snapshot): void;
  stop(): void;
}

export type ProgressMode = 'spinner' | 'lines' | 'off';

export function progressMode(options: { quiet: boolean; progress: boolean }, stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): ProgressMode {
  if (options.quiet || !options.progress) return 'off';
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  // The spinner redraws its line in place by the terminal's width; a terminal that reports none (0
  // columns: some container and CI ptys) made ora clear an endless number of lines each frame (15 MB of
  // escape codes in a 2 s run).
  const sized = (stream.columns ?? 0) > 0;
  return stream.isTTY && sized && !ci ? 'spinner' : 'lines';
}

function describe(snapshot: Snapshot, totalMs: number | null): string {
  const elapsed = formatDuration(Math.round(snapshot.elapsedMs / 1000) * 1000);
  const of = totalMs === null ? '' : `/${formatDuration(totalMs)}`;
  return (
    `${elapsed}${of}  ${formatCount(snapshot.counts.completed)} done  ${formatRate(snapshot.currentRps)} req/s` +
    `  p99 ${formatMs(snapshot.p99Ms)}  errors ${formatCount(snapshot.errors)}`
  );
}

const LINE_EVERY_MS = 5000;

export function createProgress(mode: ProgressMode, stream: NodeJS.WriteStream, totalMs: number | null): Progress {
  if (mode === 'off') return { update() {}, stop() {} };
  if (mode === 'lines') {
    let lastLine = 0;
    return {
      update(snapshot) {
        if (snapshot.elapsedMs - lastLine < LINE_EVERY_MS) return;
        lastLine = snapshot.elapsedMs;
        stream.write(`[loadhttp] ${describe(snapshot, totalMs)}\n`);
      },
      stop() {},
    };
  }
  // Loaded here, on an interactive terminal only: ora and its dependencies cost ~0.05 s and ~2 MiB at start-up.
  const ora = (createRequire(import.meta.url)('ora') as { default: typeof Ora }).default;
  const spinner = ora({ stream, text: 'starting…', discardStdin: false, hideCursor: true }).start();
  return {
    update(snapshot) {
      spinner.text = describe(snapshot, totalMs);
    },
    stop() {
      spinner.stop();
    },
  };
}

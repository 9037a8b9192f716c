// Result files for pipelines: --junit FILE, --summary FILE (Markdown), --report FILE (HTML), and the
// Markdown appended to $GITHUB_STEP_SUMMARY when GitHub Actions sets it. Targets are checked before the run, so a typo in a
// path fails at once (exit 2, nothing sent) instead of after a long run.
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../util/errors.ts';
import { outcomesByInstance } from '../judge/thresholds.ts';
import { renderHtml } from '../report/html/render.ts';
import { renderJunit } from '../report/junit.ts';
import { renderMarkdown } from '../report/markdown.ts';
import type { RunResult } from '../result/result.ts';

export interface CiFileTargets {
  junit?: string;
  summary?: string;
}

/** Throws a UsageError naming the flag when `file` cannot be a file we write: no such directory, or a directory. */
export function checkWritableTarget(flag: string, file: string | undefined): void {
  if (file === undefined || file === '-') return;
  const dir = path.dirname(path.resolve(file));
  const kind = (p: string): 'file' | 'dir' | 'missing' => {
    try {
      return statSync(p).isDirectory() ? 'dir' : 'file';
    } catch {
      return 'missing';
    }
  };
  if (kind(dir) !== 'dir') throw new UsageError(`${flag}: cannot write ${file}: the directory ${dir} does not exist`);
  if (kind(file) === 'dir') throw new UsageError(`${flag}: cannot write ${file}: it is a directory`);
}

/** Writes the JUnit and Markdown files asked for, and appends the Markdown to $GITHUB_STEP_SUMMARY if set. */
export function writeCiFiles(result: RunResult, targets: CiFileTargets, env: NodeJS.ProcessEnv): void {
  const outcomes = result.thresholds ?? [];
  const byInstance = outcomesByInstance(result);
  if (targets.junit) write('--junit', targets.junit, () => writeFileSync(targets.junit!, renderJunit(result, outcomes, byInstance)));
  const stepSummary = env.GITHUB_STEP_SUMMARY;
  if (!targets.summary && !stepSummary) return;
  const markdown = renderMarkdown(result, outcomes, byInstance);
  if (targets.summary) write('--summary', targets.summary, () => writeFileSync(targets.summary!, markdown));
  // Appended, never overwritten: other steps of the job write to the same file.
  if (stepSummary) write('GITHUB_STEP_SUMMARY', stepSummary, () => appendFileSync(stepSummary, `${markdown}\n`));
}

/** --report FILE: the HTML report of a result, or of the runs of --compare-protocols side by side. */
export function writeHtmlReport(file: string, input: RunResult | RunResult[]): void {
  const html = renderHtml(input);
  write('--report', file, () => writeFileSync(file, html));
}

/** --report takes a file: the text report already goes to stdout. */
export function checkReportTarget(file: string | undefined): void {
  if (file === '-') throw new UsageError('--report: give a file name (the text report goes to stdout; `loadhttp report RESULT -o -` writes HTML to stdout)');
  checkWritableTarget('--report', file);
}

function write(label: string, file: string, action: () => void): void {
  try {
    action();
  } catch (error) {
    throw new UsageError(`${label}: cannot write ${file}: ${(error as Error).message}`);
  }
}

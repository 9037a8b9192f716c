// `loadhttp merge`: the result files of the shards of one run -> one result, reported and judged as one run.
import type { Command } from 'commander';
import { checkReportTarget, checkWritableTarget, writeCiFiles, writeHtmlReport } from './ci-files.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { githubActions, stderr, stdout, useColor, writeOutput, type SetExit } from './output.ts';
import { mergeShards } from '../judge/merge-shards.ts';
import { outcomesByInstance } from '../judge/thresholds.ts';
import { renderGithubAnnotations } from '../report/annotations.ts';
import { renderJson } from '../report/json.ts';
import { describeMerge } from '../report/merge-text.ts';
import { renderReport } from '../report/table.ts';
import { MERGEABLE_SCHEMA_VERSIONS, readResultFile } from '../result/read-result.ts';

export function addMergeCommand(program: Command, setExit: SetExit): void {
  program
    .command('merge')
    .argument('<results...>', 'result files of the shards (loadhttp run --shard I/N --json FILE)')
    .description('merge the results of the shards of one run exactly, and report and judge them as one run')
    .option('--json <file>', 'write the merged result as JSON ("-" for stdout; the report then goes to stderr)')
    .option('--junit <file>', 'write the thresholds, judged on the merged figures, as JUnit XML')
    .option('--summary <file>', 'write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)')
    .option('--report <file>', 'write an HTML report of the merged result')
    .option('--force', 'merge results of different scenarios or run ids anyway, as one union, and leave out failed shards (the report says so)')
    .option('--partial', 'exit as for a complete run even when shards are missing (default: exit 3)')
    .addHelpText(
      'after',
      `
Histograms and counters add exactly; the per-second series is aligned by wall clock; the thresholds in
the shards' plan are evaluated on the merged figures. The report says which shards are missing and how
far apart the shards started.

Example:
  $ loadhttp merge shard-*.json --json total.json --junit junit.xml

Exit codes: as for run (99 when a threshold fails on the merged figures); 3 when a shard failed (its
result has an error; --force merges the others) or shards are missing (unless --partial); 2 when the
files are not the shards of one run (unless --force).`,
    )
    .action((files: string[], flags: { json?: string; junit?: string; summary?: string; report?: string; force?: boolean; partial?: boolean }) => {
      for (const [flag, target] of [['--json', flags.json], ['--junit', flags.junit], ['--summary', flags.summary]] as const) {
        checkWritableTarget(flag, target);
      }
      checkReportTarget(flags.report);
      // Shards of one run come from one loadhttp: older files lack the first-try and per-second histograms an exact merge adds.
      const inputs = files.map((file) => ({ file, result: readResultFile(file, 'merge', { versions: MERGEABLE_SCHEMA_VERSIONS, failed: true }) }));
      const result = mergeShards(inputs, { force: Boolean(flags.force) });
      const stream = flags.json === '-' ? stderr : stdout;
      stream.write(`${describeMerge(result).join('\n')}\n\n`);
      stream.write(renderReport(result, { color: useColor(stream) }));
      if (flags.json) writeOutput(flags.json, renderJson(result));
      if (flags.report) writeHtmlReport(flags.report, result);
      writeCiFiles(result, flags, process.env);
      if (githubActions) stream.write(renderGithubAnnotations(result, outcomesByInstance(result)));
      const missing = result.merged?.missing ?? [];
      if (missing.length > 0 && !flags.partial) {
        stderr.write(`loadhttp: shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${result.merged?.shardCount} missing: the merged figures are incomplete (--partial accepts them)\n`);
        setExit(EXIT.noMeasurement);
        return;
      }
      setExit(exitCodeFor(result));
    });
}

// `loadhttp report`: the HTML report of a saved result (a run, a merge, or a --compare-protocols pair).
import type { Command } from 'commander';
import { checkWritableTarget } from './ci-files.ts';
import { stderr, writeOutput } from './output.ts';
import { renderHtml } from '../report/html/render.ts';
import { readResultsFile } from '../result/read-result.ts';

export function addReportCommand(program: Command): void {
  program
    .command('report')
    .argument('<result>', 'a result file: loadhttp run --json, loadhttp merge --json, or a --compare-protocols JSON')
    .description('write the HTML report of a saved result: one self-contained page with charts')
    .option('-o, --output <file>', 'the HTML file ("-" for stdout; default: the result file with .html)')
    .addHelpText(
      'after',
      `
The page opens from disk and fetches nothing: its charts (uPlot) and data are inlined.

Examples:
  $ loadhttp report result.json -o report.html
  $ loadhttp merge shard-*.json --json total.json && loadhttp report total.json`,
    )
    .action((file: string, flags: { output?: string }) => {
      const target = flags.output ?? file.replace(/(\.json)?$/i, '.html');
      if (target !== '-') checkWritableTarget('--output', target);
      const runs = readResultsFile(file, 'report');
      writeOutput(target, renderHtml(runs.length === 1 ? runs[0]! : runs, { source: file }));
      if (target !== '-') stderr.write(`loadhttp: wrote ${target}\n`);
    });
}

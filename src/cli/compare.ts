// `loadhttp compare`: two result files, request by request; exit 99 when the current one regressed.
import type { Command } from 'commander';
import { checkReportTarget, writeHtmlReport } from './ci-files.ts';
import { EXIT } from './exit-codes.ts';
import { positiveInt, regressionAllowance } from './flags.ts';
import { DEFAULT_MAX_REGRESSION, githubActions, stdout, useColor, type SetExit } from './output.ts';
import { compareResults } from '../judge/compare.ts';
import { renderRegressionAnnotation } from '../report/annotations.ts';
import { renderComparison } from '../report/compare-text.ts';
import { readResultFile } from '../result/read-result.ts';

export function addCompareCommand(program: Command, setExit: SetExit): void {
  program
    .command('compare')
    .argument('<base>', 'the earlier result (loadhttp run --json FILE)')
    .argument('<current>', 'the result to check against it')
    .description('compare two results request by request; exit 99 when the current one regressed')
    .option('--max-regression <pct>', `allowed worsening of P50/P90/P99 and req/s (default ${DEFAULT_MAX_REGRESSION})`)
    .option('--min-samples <n>', 'fewer responses than this in either run: differences are reported as noise (default 100)')
    .option('--report <file>', 'write an HTML report of the current result with this comparison')
    .addHelpText(
      'after',
      `
Differences within measurement noise (too few samples, overlapping percentile confidence intervals) are
reported as noise and never fail. Max is shown but never decides. A flow's iterations and each target
instance are compared too when both results have them; what only one has is named, not compared.

Example:
  $ loadhttp compare base.json new.json --max-regression 15%

Exit codes: 0 no regression, 99 regression, 2 a file is missing or not a loadhttp result.`,
    )
    .action((baseFile: string, currentFile: string, flags: { maxRegression?: string; minSamples?: string; report?: string }) => {
      const maxRegression = regressionAllowance('--max-regression', flags.maxRegression ?? DEFAULT_MAX_REGRESSION)!;
      const minSamples = positiveInt('--min-samples', flags.minSamples);
      checkReportTarget(flags.report);
      const base = readResultFile(baseFile, 'base');
      const current = readResultFile(currentFile, 'current');
      const comparison = compareResults(base, current, { maxRegression, ...(minSamples !== undefined && { minSamples }) });
      stdout.write(renderComparison(comparison, { color: useColor(stdout) }));
      if (flags.report) writeHtmlReport(flags.report, { ...current, baseline: { file: baseFile, comparison } });
      if (githubActions) stdout.write(renderRegressionAnnotation(comparison));
      setExit(comparison.regressed ? EXIT.thresholds : EXIT.ok);
    });
}

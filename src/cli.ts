// The command line: the only module that reads argv, writes to stdout/stderr and decides the exit code.
import { Command, CommanderError, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { checkWritableTarget, writeCiFiles } from './ci-files.ts';
import { fileURLToPath } from 'node:url';
import { positiveInt, regressionAllowance, toOverrides, type RunFlags } from './cli-options.ts';
import { startDemoTarget } from './demo/target.ts';
import { formatDuration } from './duration.ts';
import { LoadRun } from './engine/run.ts';
import { summarizePlan } from './engine/plan-summary.ts';
import { RunError, ScenarioError, UsageError } from './errors.ts';
import { EXIT } from './exit-codes.ts';
import { AbortGate, exitCodeFor, withVerdicts } from './gate.ts';
import { buildPlan, type Plan } from './plan.ts';
import { createProgress, progressMode } from './progress.ts';
import { renderGithubAnnotations, renderRegressionAnnotation } from './report/annotations.ts';
import { compareResults, renderComparison } from './report/compare.ts';
import { renderJson } from './report/json.ts';
import { renderPlan } from './report/plan-text.ts';
import { describeLoad } from './report/load-text.ts';
import { calibrate } from './calibrate/calibrate.ts';
import { calibrateOptions, type CalibrateFlags } from './calibrate/options.ts';
import { renderCalibration } from './report/calibration-text.ts';
import { SCHEMA_VERSION, type RunResult } from './report/result.ts';
import { renderReport } from './report/table.ts';
import { renderProtocolComparison, renderProtocolComparisonJson } from './report/protocol-compare.ts';
import type { ProtocolChoice } from './scenario/types.ts';
import { readResultFile } from './result-file.ts';
import { redactOutput, redactText } from './redact.ts';
import { emptyScenario } from './scenario/empty.ts';
import { VERSION } from './version.ts';
import { WorkerRun } from './workers/worker-run.ts';
import { shardedPlan, shardSetup, type ShardFlags } from './shard.ts';
import { describeMerge, mergeShards } from './merge-shards.ts';

interface OutputFlags {
  json?: string;
  junit?: string;
  summary?: string;
  baseline?: string;
  maxRegression?: string;
  quiet?: boolean;
  progress: boolean;
}

/** Allowed regression against a baseline when --max-regression is not given. */
const DEFAULT_MAX_REGRESSION = '10%';
const githubActions = process.env.GITHUB_ACTIONS === 'true';

const stdout = process.stdout;
const stderr = process.stderr;
const useColor = (stream: NodeJS.WriteStream) => Boolean(stream.isTTY) && !('NO_COLOR' in process.env);

async function planFor(file: string | undefined, flags: RunFlags): Promise<Plan> {
  // The YAML parser loads only with a scenario file: an ad-hoc --url run saves its ~12 MiB of RSS.
  const scenario = file ? (await import('./scenario/load.ts')).loadScenario(file) : emptyScenario();
  return buildPlan(scenario, toOverrides(flags), VERSION);
}

/** A sharded (or --start-at / --run-id) run: tags for its result, when to begin, whether it is one shard of several. */
interface ShardRun {
  tags: Partial<RunResult>;
  startAt: Date | null;
  sharded: boolean;
}

/** Runs a plan with progress and Ctrl-C handling, writes every output, and returns the exit code. */
async function runAndReport(plan: Plan, output: OutputFlags, onResult?: (result: RunResult) => void, shardRun?: ShardRun): Promise<number> {
  // Everything that can be refused is checked before the first request.
  for (const [flag, file] of [['--json', output.json], ['--junit', output.junit], ['--summary', output.summary]] as const) {
    checkWritableTarget(flag, file);
  }
  const maxRegression = regressionAllowance('--max-regression', output.maxRegression ?? DEFAULT_MAX_REGRESSION)!;
  if (output.maxRegression !== undefined && !output.baseline) throw new UsageError('--max-regression needs --baseline FILE');
  const base = output.baseline ? readResultFile(output.baseline, '--baseline') : null;
  const gate = new AbortGate(plan.thresholds);
  const jsonToStdout = output.json === '-';
  const reportStream = jsonToStdout ? stderr : stdout;
  const mode = progressMode({ quiet: Boolean(output.quiet), progress: output.progress }, stderr, process.env);
  if (!output.quiet) stderr.write(redactText(banner(plan), plan.secrets));

  if (shardRun?.startAt && !(await waitForStart(shardRun.startAt, Boolean(output.quiet)))) {
    stderr.write('loadhttp: interrupted before the start time: nothing was sent\n');
    return EXIT.interrupted;
  }
  const progress = createProgress(mode, stderr, plan.load.durationMs);
  const engine = plan.workers > 1 ? WorkerRun : LoadRun;
  const run = new engine(plan, {
    version: VERSION,
    onProgress: (s) => progress.update(s),
    ...(gate.watching && { onTick: (partial: RunResult) => gate.check(partial) && run.stop('threshold') }),
  });
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    progress.stop();
    stderr.write(`\n${signal}: stopping — finishing requests in flight (press Ctrl-C again to exit at once)\n`);
    run.stop('interrupted');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let measured: RunResult;
  try {
    measured = await run.execute();
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  // A run that measured nothing has nothing to compare; its thresholds still show (and fail).
  const comparison =
    base && !measured.error ? { file: output.baseline!, comparison: compareResults(base, measured, { maxRegression }) } : null;
  measured = { ...measured, ...shardRun?.tags };
  // One shard's figures are a part of the load: `loadhttp merge` judges the thresholds on all of them.
  const judged = withVerdicts(measured, shardRun?.sharded ? [] : plan.thresholds, gate.tripped, comparison);
  // Judged on the figures as measured; every output shows them with the secrets masked.
  const result = redactOutput(judged, plan.secrets);
  onResult?.(result);
  reportStream.write(renderReport(result, { color: useColor(reportStream) }));
  if (output.json) writeOutput(output.json, renderJson(result));
  writeCiFiles(result, output, process.env);
  // The runner reads workflow commands from stderr too: with --json - they stay off the JSON on stdout.
  if (githubActions) reportStream.write(renderGithubAnnotations(result));
  if (result.error) stderr.write(`loadhttp: ${result.error.message}\n`);
  return exitCodeFor(judged);
}

/** --compare-protocols: one full run (and report) per protocol, then the runs side by side; one JSON for all. */
async function compareProtocols(file: string | undefined, flags: RunFlags & OutputFlags, protocols: ProtocolChoice[]): Promise<number> {
  if (flags.junit || flags.summary || flags.baseline) {
    throw new UsageError('--compare-protocols: --junit, --summary and --baseline take a single run (use --json for both runs)');
  }
  checkWritableTarget('--json', flags.json);
  const results: RunResult[] = [];
  const codes: number[] = [];
  for (const protocol of protocols) {
    const plan = await planFor(file, { ...flags, compareProtocols: false, h1: false, h2: false, protocol });
    codes.push(await runAndReport(plan, { ...flags, json: undefined }, (result) => results.push(result)));
    if (results.at(-1)?.interrupted) break;
  }
  const stream = flags.json === '-' ? stderr : stdout;
  stream.write(`\n${renderProtocolComparison(results, { color: useColor(stream) })}`);
  if (flags.json) writeOutput(flags.json, renderProtocolComparisonJson(results));
  for (const severe of [EXIT.interrupted, EXIT.noMeasurement]) if (codes.includes(severe)) return severe;
  return codes.find((c) => c !== EXIT.ok) ?? EXIT.ok;
}

/** Sleeps until `at` (false when Ctrl-C / SIGTERM came first). A start time already past begins at once. */
async function waitForStart(at: Date, quiet: boolean): Promise<boolean> {
  const waitMs = at.getTime() - Date.now();
  if (waitMs <= 0) {
    if (!quiet) stderr.write(`loadhttp: the start time ${at.toISOString()} passed ${Math.round(-waitMs)} ms ago: starting now\n`);
    return true;
  }
  if (!quiet) stderr.write(`loadhttp: waiting ${formatDuration(Math.round(waitMs))} to start at ${at.toISOString()}\n`);
  return new Promise((resolve) => {
    const finish = (started: boolean) => {
      clearTimeout(timer);
      process.off('SIGINT', cancel);
      process.off('SIGTERM', cancel);
      resolve(started);
    };
    const cancel = () => finish(false);
    const timer = setTimeout(() => finish(true), waitMs);
    process.on('SIGINT', cancel);
    process.on('SIGTERM', cancel);
  });
}

function banner(plan: Plan): string {
  const bound = [
    plan.load.durationMs !== null ? formatDuration(plan.load.durationMs) : null,
    plan.load.iterations !== null ? `${plan.load.iterations} requests` : null,
  ]
    .filter(Boolean)
    .join(' or ');
  const note = plan.load.defaultDuration ? ' (default: give -d or -n to change it)' : '';
  const warmup = plan.load.warmupMs > 0 ? ` after ${formatDuration(plan.load.warmupMs)} warmup` : '';
  const load = plan.load.model === 'open' ? describeLoad(summarizePlan(plan)) : `${plan.load.concurrency} virtual users`;
  const workers = plan.workers > 1 ? ` on ${plan.workers} worker threads` : '';
  return `loadhttp: ${plan.target} — ${load}${workers} for ${bound}${warmup}${note}\n`;
}

function writeOutput(target: string, text: string): void {
  if (target === '-') stdout.write(text);
  else writeFileSync(target, text);
}

function addRunOptions(command: Command): Command {
  return command
    .option('--url <url>', 'target URL (overrides the scenario target; without a scenario, the one request to send)')
    .addOption(new Option('--protocol <protocol>', 'protocol: h1 | h2 | auto').choices(['h1', 'h2', 'auto']))
    .addOption(new Option('--transport <transport>', 'HTTP client: loadhttp (our own, default) | undici (the reference)').choices(['loadhttp', 'undici']))
    .option('--h1', 'same as --protocol h1')
    .option('--h2', 'same as --protocol h2 (fails rather than measure HTTP/1.1)')
    .option('-c, --concurrency <n>', 'virtual users')
    .option('-d, --duration <duration>', 'measured duration, e.g. 30s, 5m (a bare number is seconds)')
    .option('-n, --iterations <n>', 'total requests to send (replaces the scenario bounds)')
    .option('--warmup <duration>', 'run this long first, excluded from the results')
    .option('--think <range>', 'pause per user after each response: 50ms..250ms, 100ms or exp:100ms')
    .option('--connections <n>', 'sockets in the shared pool')
    .option('--pipelining <n>', 'HTTP/1.1 pipelining depth per socket')
    .option('--max-inflight <n>', 'requests in flight at once across all users (default: connections × pipelining, h2: sessions × streams)')
    .option('--max-concurrent-streams <n>', 'HTTP/2 streams per session (default 100; the server may lower it)')
    .option('--streams <n>', 'same as --max-concurrent-streams')
    .option('--compare-protocols', 'run the same load over h1, then h2, and print them side by side')
    .option('--insecure', 'https: do not verify the server certificate (the report warns)')
    .option('--ca <file>', 'https: trust the CA certificates in this PEM file (instead of the system ones)')
    .option('--cert <file>', 'https: client certificate (PEM), with --key')
    .option('--key <file>', 'https: client private key (PEM), with --cert')
    .option('--servername <name>', 'https: SNI and certificate name to check (default: the target host)')
    .option('-m, --method <method>', 'HTTP method (for --url runs, or all scenario requests)')
    .option('-H, --header <header>', '"Name: value", repeatable', (value: string, previous: string[] = []) => [...previous, value])
    .option('--body <text>', 'request body; @file reads a file')
    .option('--timeout <duration>', 'overall timeout per request (default 10s)')
    .option('--headers-timeout <duration>', 'idle timeout: longest wait from the send to the response headers (default off)')
    .option('--body-timeout <duration>', 'idle timeout: longest gap between body chunks (default off)')
    .option('--rate <rate>', 'open model: start requests on a fixed schedule, e.g. 500 or 500/s or 30/m (latency from each intended start)')
    .option('--max-queued <n>', 'open model: requests that may wait for a pool slot before more are dropped (default: 10s at the rate, min 10,000)')
    .option('--latency-correction', "closed model: correct latency for coordinated omission (HdrHistogram's expected interval)")
    .option('--json <file>', 'write the full result as JSON ("-" for stdout; the report then goes to stderr)')
    .option(
      '--threshold <expr>',
      'pass/fail gate, e.g. "p99<250ms", "errors<1%", "list.p50<40ms" (repeatable; added to the scenario\'s); exit 99 when one fails',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--junit <file>', 'write the thresholds as JUnit XML (one testcase per threshold)')
    .option('--summary <file>', 'write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)')
    .option('--baseline <file>', 'compare with an earlier --json result; exit 99 on a regression')
    .option('--max-regression <pct>', `allowed regression against --baseline (default ${DEFAULT_MAX_REGRESSION})`)
    .option('-q, --quiet', 'no banner and no progress')
    .option('--no-progress', 'no live progress')
    .option('--workers <n>', 'worker threads generating the load, each with its exact part (auto: the cores less one; default 1)')
    .option('--shard <i/n>', 'run shard I (0 to N-1) of N: its exact part of the load (env LOADHTTP_SHARD); merge with loadhttp merge')
    .option('--shards <n>', 'N shards, this one being $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)')
    .option('--run-id <id>', 'id shared by the shards of one run (env LOADHTTP_RUN_ID; default: from the scenario and --start-at)')
    .option('--start-at <time>', 'wait, then begin at this time: an ISO time with a zone (2026-01-01T12:00:00Z) or +30s');
}

export function buildProgram(): { program: Command; exitCode: () => number } {
  let code: number = EXIT.ok;
  const program = new Command('loadhttp')
    .description('HTTP/1.1 and HTTP/2 load tester with trustworthy latency numbers')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  addRunOptions(program.command('run').argument('[scenario]', 'scenario file (YAML or JSON)'))
    .description('run a load test from a scenario file, command-line flags, or both')
    .addHelpText(
      'after',
      `
Examples:
  $ loadhttp run scenarios/api-mix.yaml
  $ loadhttp run --url http://127.0.0.1:8080/ -c 200 -d 30s
  $ loadhttp run scenarios/api-mix.yaml -d 10s --json result.json
  $ loadhttp run --url http://127.0.0.1:8080/items -m POST -H 'content-type: application/json' --body '{"a":1}' -n 1000

  $ loadhttp run scenarios/ci-gate.yaml --threshold 'p99<250ms' --junit junit.xml --baseline base.json

Exit codes: 0 completed, 2 usage or scenario error, 3 nothing measured (e.g. target unreachable),
130 interrupted (partial results printed), 99 a threshold failed or a regression against --baseline.
When several apply: 3, then 130, then 99.`,
    )
    .action(async (file: string | undefined, flags: RunFlags & OutputFlags & ShardFlags) => {
      if (!file && !flags.url) throw new UsageError('give a scenario file or --url (see loadhttp run --help)');
      const plan = await planFor(file, flags);
      const setup = shardSetup(flags, process.env, new Date());
      if (plan.compareProtocols && (setup.shard || setup.startAt)) throw new UsageError('--compare-protocols runs twice in turn: it cannot be sharded or --start-at');
      if (plan.compareProtocols) {
        code = await compareProtocols(file, flags, plan.compareProtocols);
        return;
      }
      const part = shardedPlan(plan, setup);
      code = await runAndReport(part.plan, flags, undefined, { tags: part.tags, startAt: setup.startAt?.at ?? null, sharded: setup.shard !== null });
    });

  program
    .command('validate')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .description('check a scenario file and print the resolved plan; sends nothing')
    .addHelpText('after', '\nExample:\n  $ loadhttp validate scenarios/api-mix.yaml\n')
    .action(async (file: string) => {
      const plan = await planFor(file, {});
      stdout.write(renderPlan(redactOutput(summarizePlan(plan), plan.secrets)));
      stdout.write(`${file}: valid\n`);
    });

  program
    .command('compare')
    .argument('<base>', 'the earlier result (loadhttp run --json FILE)')
    .argument('<current>', 'the result to check against it')
    .description('compare two results request by request; exit 99 when the current one regressed')
    .option('--max-regression <pct>', `allowed worsening of P50/P90/P99 and req/s (default ${DEFAULT_MAX_REGRESSION})`)
    .option('--min-samples <n>', 'fewer responses than this in either run: differences are reported as noise (default 100)')
    .addHelpText(
      'after',
      `
Differences within measurement noise (too few samples, overlapping percentile confidence intervals) are
reported as noise and never fail. Max is shown but never decides.

Example:
  $ loadhttp compare base.json new.json --max-regression 15%

Exit codes: 0 no regression, 99 regression, 2 a file is missing or not a loadhttp result.`,
    )
    .action((baseFile: string, currentFile: string, flags: { maxRegression?: string; minSamples?: string }) => {
      const maxRegression = regressionAllowance('--max-regression', flags.maxRegression ?? DEFAULT_MAX_REGRESSION)!;
      const minSamples = positiveInt('--min-samples', flags.minSamples);
      const base = readResultFile(baseFile, 'base');
      const current = readResultFile(currentFile, 'current');
      const comparison = compareResults(base, current, { maxRegression, ...(minSamples !== undefined && { minSamples }) });
      stdout.write(renderComparison(comparison, { color: useColor(stdout) }));
      if (githubActions) stdout.write(renderRegressionAnnotation(comparison));
      code = comparison.regressed ? EXIT.thresholds : EXIT.ok;
    });

  addRunOptions(program.command('demo'))
    .description('start a built-in local target and run scenarios/demo.yaml against it for a few seconds')
    .addHelpText('after', '\nExample:\n  $ loadhttp demo\n  $ loadhttp demo -d 10s -c 64\n')
    .action(async (flags: RunFlags & OutputFlags) => {
      const target = await startDemoTarget();
      try {
        const file = fileURLToPath(new URL('../scenarios/demo.yaml', import.meta.url));
        code = await runAndReport(await planFor(file, { ...flags, url: target.url }), flags);
      } finally {
        await target.close();
      }
    });

  program
    .command('merge')
    .argument('<results...>', 'result files of the shards (loadhttp run --shard I/N --json FILE)')
    .description('merge the results of the shards of one run exactly, and report and judge them as one run')
    .option('--json <file>', 'write the merged result as JSON ("-" for stdout; the report then goes to stderr)')
    .option('--junit <file>', 'write the thresholds, judged on the merged figures, as JUnit XML')
    .option('--summary <file>', 'write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)')
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
    .action((files: string[], flags: { json?: string; junit?: string; summary?: string; force?: boolean; partial?: boolean }) => {
      for (const [flag, target] of [['--json', flags.json], ['--junit', flags.junit], ['--summary', flags.summary]] as const) {
        checkWritableTarget(flag, target);
      }
      // Shards of one run come from one loadhttp: older files lack the first-try histograms an exact merge adds.
      const inputs = files.map((file) => ({ file, result: readResultFile(file, 'merge', { versions: [SCHEMA_VERSION], failed: true }) }));
      const result = mergeShards(inputs, { force: Boolean(flags.force) });
      const stream = flags.json === '-' ? stderr : stdout;
      stream.write(`${describeMerge(result).join('\n')}\n\n`);
      stream.write(renderReport(result, { color: useColor(stream) }));
      if (flags.json) writeOutput(flags.json, renderJson(result));
      writeCiFiles(result, flags, process.env);
      if (githubActions) stream.write(renderGithubAnnotations(result));
      const missing = result.merged?.missing ?? [];
      if (missing.length > 0 && !flags.partial) {
        stderr.write(`loadhttp: shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${result.merged?.shardCount} missing: the merged figures are incomplete (--partial accepts them)\n`);
        code = EXIT.noMeasurement;
        return;
      }
      code = exitCodeFor(result);
    });

  program
    .command('calibrate')
    .description("find this machine's ceiling: short runs against a built-in loopback target over h1 and h2c")
    .option('-c, --concurrency <list>', 'users per step, comma-separated (default 1,16,64; at most 6 steps)')
    .option('-d, --duration <duration>', 'measured length of each step (default 1s, at most 10s)')
    .option('--h1', 'HTTP/1.1 only')
    .option('--h2', 'h2c (HTTP/2 cleartext) only')
    .option('--json <file>', 'write the steps as JSON ("-" for stdout)')
    .addHelpText('after', '\nExample:\n  $ loadhttp calibrate\n  $ loadhttp calibrate --h1 -c 8,32,128 -d 2s\n')
    .action(async (flags: CalibrateFlags) => {
      const options = calibrateOptions(flags);
      const bound = options.protocols.length * options.concurrencies.length * (options.stepMs + 250);
      stderr.write(`loadhttp calibrate: ${options.protocols.join(' and ')} at ${options.concurrencies.join(', ')} users, about ${formatDuration(Math.ceil(bound / 1000) * 1000)}\n`);
      const steps = await calibrate(options, (step) => stderr.write(`  ${step.protocol} × ${step.concurrency}: ${Math.round(step.rps)} req/s\n`));
      (flags.json === '-' ? stderr : stdout).write(renderCalibration(steps));
      if (flags.json) writeOutput(flags.json, `${JSON.stringify({ steps }, null, 2)}\n`);
    });

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

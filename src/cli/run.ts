// `loadhttp run`: a scenario file and/or flags -> Plan -> a run with progress and Ctrl-C handling -> the
// report, the output files and the exit code. Also the run flags and runAndReport, which `demo` shares.
import { Command, Option } from 'commander';
import { checkReportTarget, checkWritableTarget, writeCiFiles, writeHtmlReport } from './ci-files.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { regressionAllowance, toOverrides, type RunFlags } from './flags.ts';
import { DEFAULT_MAX_REGRESSION, githubActions, stderr, stdout, useColor, writeOutput, type SetExit } from './output.ts';
import { createProgress, progressMode } from './progress.ts';
import { LiveMetrics } from './live-metrics.ts';
import { LoadRun } from '../engine/run.ts';
import { WorkerRun } from '../engine/workers/worker-run.ts';
import { compareResults } from '../judge/compare.ts';
import { AbortGate, withVerdicts } from '../judge/gate.ts';
import { buildPlan } from '../plan/plan.ts';
import { loadHooks } from '../engine/hooks.ts';
import { shardedPlan, shardSetup, type ShardFlags } from '../plan/shard.ts';
import { summarizePlan } from '../plan/summary.ts';
import type { Plan } from '../plan/types.ts';
import { outcomesByInstance } from '../judge/thresholds.ts';
import { renderGithubAnnotations } from '../report/annotations.ts';
import { renderJson } from '../report/json.ts';
import { describeLoad } from '../report/load-text.ts';
import { renderProtocolComparison, renderProtocolComparisonJson } from '../report/protocol-compare.ts';
import { renderReport } from '../report/table.ts';
import { readResultFile } from '../result/read-result.ts';
import type { RunResult } from '../result/result.ts';
import { emptyScenario } from '../scenario/empty.ts';
import type { ProtocolChoice } from '../scenario/types.ts';
import { formatDuration } from '../util/duration.ts';
import { UsageError } from '../util/errors.ts';
import { redactOutput, redactText } from '../util/redact.ts';
import { VERSION } from '../util/version.ts';

export interface OutputFlags {
  json?: string;
  junit?: string;
  summary?: string;
  report?: string;
  baseline?: string;
  maxRegression?: string;
  quiet?: boolean;
  progress: boolean;
}

export async function planFor(file: string | undefined, flags: RunFlags): Promise<Plan> {
  // The YAML parser loads only with a scenario file: an ad-hoc --url run saves its ~12 MiB of RSS.
  const scenario = file ? (await import('../scenario/load.ts')).loadScenario(file) : emptyScenario();
  const plan = buildPlan(scenario, toOverrides(flags), VERSION);
  // Checked here, before anything is sent (and by validate): the module loads and exports a hook.
  if (plan.hooks !== null) await loadHooks(plan.hooks);
  return plan;
}

/** A sharded (or --start-at / --run-id) run: tags for its result, when to begin, whether it is one shard of several. */
interface ShardRun {
  tags: Partial<RunResult>;
  startAt: Date | null;
  sharded: boolean;
}

export /** Runs a plan with progress and Ctrl-C handling, writes every output, and returns the exit code. */
async function runAndReport(plan: Plan, output: OutputFlags, onResult?: (result: RunResult) => void, shardRun?: ShardRun): Promise<number> {
  // Everything that can be refused is checked before the first request.
  for (const [flag, file] of [['--json', output.json], ['--junit', output.junit], ['--summary', output.summary]] as const) {
    checkWritableTarget(flag, file);
  }
  checkReportTarget(output.report);
  const maxRegression = regressionAllowance('--max-regression', output.maxRegression ?? DEFAULT_MAX_REGRESSION)!;
  if (output.maxRegression !== undefined && !output.baseline) throw new UsageError('--max-regression needs --baseline FILE');
  const base = output.baseline ? readResultFile(output.baseline, '--baseline') : null;
  const gate = new AbortGate(plan.thresholds);
  const jsonToStdout = output.json === '-';
  const reportStream = jsonToStdout ? stderr : stdout;
  const mode = progressMode({ quiet: Boolean(output.quiet), progress: output.progress }, stderr, process.env);
  if (!output.quiet) stderr.write(redactText(banner(plan), plan.secrets));

  // Messages may quote what the run was given (the OTLP URL, what a collector answered): secrets masked.
  const say = (line: string) => stderr.write(`${redactText(line, plan.secrets)}\n`);
  const live = plan.metrics ? await LiveMetrics.start(plan.metrics, metricLabels(shardRun?.tags), VERSION, say) : null;
  try {
    return await measureAndReport(plan, output, { base, maxRegression, gate, reportStream, mode, live, say }, onResult, shardRun);
  } finally {
    await live?.close();
  }
}

/** Each shard labels its series with the run id and its index, so a dashboard sums the shards. */
function metricLabels(tags: Partial<RunResult> | undefined): Record<string, string> {
  return { ...(tags?.runId && { run_id: tags.runId }), ...(tags?.shard && { shard: String(tags.shard.index) }) };
}

interface Checked {
  base: RunResult | null;
  maxRegression: number;
  gate: AbortGate;
  reportStream: NodeJS.WriteStream;
  mode: ReturnType<typeof progressMode>;
  live: LiveMetrics | null;
  say: (line: string) => void;
}

async function measureAndReport(plan: Plan, output: OutputFlags, checked: Checked, onResult?: (result: RunResult) => void, shardRun?: ShardRun): Promise<number> {
  const { base, maxRegression, gate, reportStream, mode, live } = checked;
  if (shardRun?.startAt && !(await waitForStart(shardRun.startAt, Boolean(output.quiet)))) {
    stderr.write('loadhttp: interrupted before the start time: nothing was sent\n');
    return EXIT.interrupted;
  }
  const progress = createProgress(mode, stderr, plan.load.durationMs);
  const engine = plan.workers > 1 ? WorkerRun : LoadRun;
  // The partial result about once a second: abortOnFail thresholds judge it; live metrics serve it (masked).
  const onTick = (partial: RunResult) => {
    live?.update(redactOutput({ ...partial, ...shardRun?.tags }, plan.secrets));
    if (gate.watching && gate.check(partial)) run.stop('threshold');
  };
  const run = new engine(plan, {
    version: VERSION,
    onProgress: (s) => progress.update(s),
    ...((gate.watching || live) && { onTick }),
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
  if (output.report) writeHtmlReport(output.report, result);
  writeCiFiles(result, output, process.env);
  // The runner reads workflow commands from stderr too: with --json - they stay off the JSON on stdout.
  if (githubActions) reportStream.write(renderGithubAnnotations(result, outcomesByInstance(result)));
  if (result.error) stderr.write(`loadhttp: ${result.error.message}\n`);
  // After the result files: the final figures, so that the last scrape (or push) sees the totals.
  await live?.finish(result, checked.say);
  return exitCodeFor(judged);
}

/** --compare-protocols: one full run (and report) per protocol, then the runs side by side; one JSON for all. */
async function compareProtocols(file: string | undefined, flags: RunFlags & OutputFlags, protocols: ProtocolChoice[]): Promise<number> {
  if (flags.junit || flags.summary || flags.baseline) {
    throw new UsageError('--compare-protocols: --junit, --summary and --baseline take a single run (use --json for both runs)');
  }
  checkWritableTarget('--json', flags.json);
  checkReportTarget(flags.report);
  const results: RunResult[] = [];
  const codes: number[] = [];
  for (const protocol of protocols) {
    const plan = await planFor(file, { ...flags, compareProtocols: false, h1: false, h2: false, protocol });
    codes.push(await runAndReport(plan, { ...flags, json: undefined, report: undefined }, (result) => results.push(result)));
    if (results.at(-1)?.interrupted) break;
  }
  const stream = flags.json === '-' ? stderr : stdout;
  stream.write(`\n${renderProtocolComparison(results, { color: useColor(stream) })}`);
  if (flags.json) writeOutput(flags.json, renderProtocolComparisonJson(results));
  if (flags.report && results.length > 0) writeHtmlReport(flags.report, results);
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
  const load = plan.load.model === 'open' ? describeLoad(summarizePlan(plan)) : `${plan.load.users} virtual users`;
  const workers = plan.workers > 1 ? ` on ${plan.workers} worker threads` : '';
  const resolve = plan.resolve === 'all' ? ' (every address)' : '';
  return `loadhttp: ${plan.targets.join(', ')}${resolve} — ${load}${workers} for ${bound}${warmup}${note}\n`;
}

export function addRunOptions(command: Command): Command {
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
    .option('--junit <file>', 'write the thresholds as JUnit XML (a testcase per threshold, per instance for target[...] ones)')
    .option('--summary <file>', 'write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)')
    .option('--report <file>', 'write an HTML report: one self-contained page with charts (opens from disk, no network)')
    .option('--baseline <file>', 'compare with an earlier --json result; exit 99 on a regression')
    .option('--max-regression <pct>', `allowed regression against --baseline (default ${DEFAULT_MAX_REGRESSION})`)
    .option('-q, --quiet', 'no banner and no progress')
    .option('--no-progress', 'no live progress')
    .option('--workers <n>', 'worker threads generating the load, each with its exact part (auto: the cores less one; default 1)')
    .option('--shard <i/n>', 'run shard I (0 to N-1) of N: its exact part of the load (env LOADHTTP_SHARD); merge with loadhttp merge')
    .option('--shards <n>', 'N shards, this one being $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)')
    .option('--run-id <id>', 'id shared by the shards of one run (env LOADHTTP_RUN_ID; default: from the scenario and --start-at)')
    .option('--start-at <time>', 'wait, then begin at this time: an ISO time with a zone (2026-01-01T12:00:00Z) or +30s')
    .option('--metrics-port <port>', 'serve live Prometheus metrics at http://HOST:PORT/metrics while the run lasts (0: a free port, printed)')
    .option('--metrics-host <host>', 'address the metrics endpoint listens on (default 127.0.0.1; 0.0.0.0 for every interface)')
    .option('--metrics-linger <duration>', 'after the run, keep serving the final figures this long (default 5s)')
    .option('--metrics-buckets <list>', 'latency histogram bucket bounds, ascending, e.g. 1ms,5ms,25ms,100ms,1s (default: 1ms to 60s)')
    .option('--otlp <url>', 'push the same metrics over OTLP/HTTP (JSON) to this collector, e.g. http://collector:4318')
    .option('--otlp-interval <duration>', 'how often --otlp pushes (default 5s)');
}

export function addRunCommand(program: Command, setExit: SetExit): void {
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
        setExit(await compareProtocols(file, flags, plan.compareProtocols));
        return;
      }
      const part = shardedPlan(plan, setup);
      setExit(await runAndReport(part.plan, flags, undefined, { tags: part.tags, startAt: setup.startAt?.at ?? null, sharded: setup.shard !== null }));
    });
}

// One load run: builds the transport, recorder and semaphore from the plan, starts the virtual users,
// stops them cleanly (deadline, iteration count or interrupt), and returns the RunResult.
import { performance } from 'node:perf_hooks';
import { CancelledError, RunError } from '../util/errors.ts';
import type { Plan } from '../plan/types.ts';
import { summarizePlan } from '../plan/summary.ts';
import { Recorder, type Recording, type Snapshot } from '../record/recorder.ts';
import { SCHEMA_VERSION, type RunResult } from '../result/result.ts';
import { createTransport } from '../transport/create.ts';
import type { PreparedRequest, Transport, TransportStats, WireProtocol } from '../transport/transport.ts';
import { BalancedTransport, type TargetSink } from '../transport/balanced.ts';
import { namedInstances, resolveInstances, type Instance } from '../transport/resolve.ts';
import { Semaphore } from './semaphore.ts';
import { StopLatch, type StopReason } from './stop.ts';
import { handshakeHistogram, inflightBound, transportFields } from './transport-fields.ts';
import { systemClock } from './clock.ts';
import { Sleeper } from './think.ts';
import type { VuContext } from './vu.ts';
import { createDriver, expectedIntervalThinkUs, type LoadDriver } from './load-driver.ts';
import { SelfMonitor } from '../record/self-monitor.ts';
import { Flow } from './flow.ts';
import { loadHooks } from './hooks.ts';
import { prepare } from './prepare.ts';

export interface RunOptions {
  version: string;
  /** Called about every `progressIntervalMs` with a snapshot of the measured window. */
  onProgress?: (snapshot: Snapshot) => void;
  progressIntervalMs?: number;
  /**
   * Called about every `tickIntervalMs` of the measured window with the result so far (histograms
   * included, `durationMs` = measured time until now). For live checks such as abortOnFail thresholds:
   * the callback decides, and may call stop(). Building it encodes histograms: leave it unset if unused.
   */
  onTick?: (partial: RunResult) => void;
  tickIntervalMs?: number;
  /**
   * The instances, already resolved (a --workers run looks the names up once for all its workers, so that
   * every worker spreads over the same addresses); by default the run resolves them itself.
   */
  instances?: readonly Instance[];
}

/**
 * What LoadRun and WorkerRun (--workers) share, so the CLI drives either the same way: a plan and options,
 * execute(), and stop() (Ctrl-C, an abortOnFail threshold; the first reason given wins).
 */
export abstract class EngineRun {
  protected readonly plan: Plan;
  protected readonly options: RunOptions;
  protected readonly stopping = new StopLatch();

  constructor(plan: Plan, options: RunOptions) {
    this.plan = plan;
    this.options = options;
  }

  /** Stops the run: no new request starts; in-flight ones get the graceful-stop period, then are cancelled. */
  stop(reason: StopReason): void {
    this.stopping.stop(reason);
  }

  abstract execute(): Promise<RunResult>;
}

/** What a LoadRun knows before its first request. */
interface RunStart {
  plan: Plan;
  startedAt: Date;
  warmupRecorder: Recorder | null;
}

export class LoadRun extends EngineRun {
  /** Wall clock at the start of the measured window (RunResult.measureStartedAt), once it has begun. */
  private measureStartedAt: string | null = null;

  async execute(): Promise<RunResult> {
    const plan = this.plan;
    const startedAt = new Date();
    // Hooks are loaded once per run (each worker runs its own LoadRun): only a scenario with hooks pays for them.
    const hooks = plan.hooks === null ? null : await loadHooks(plan.hooks);
    const requests = plan.requests.map((r) => prepare(r));
    // `resolve: all` looks the targets' names up here, once, before anything connects.
    let instances = this.options.instances;
    if (instances === undefined) {
      try {
        instances = await resolveInstances(plan.targets, plan.resolve);
      } catch (error) {
        if (!(error instanceof RunError)) throw error;
        return measuredNothing(plan, this.options.version, startedAt, { class: error.errorClass, message: error.message });
      }
    }
    const recorder = recorderFor(plan, instances);
    // Warmup requests are recorded the same way, into a recorder then set aside: warmup runs the very
    // code the measured window runs (no "measured?" branch anywhere on the request path), and a request
    // still in flight when the window opens is counted where it was sent.
    const warmupRecorder = plan.load.warmupMs > 0 ? recorderFor(plan, instances) : null;
    const transport = transportFor(plan, instances, () => ctx.recorder);
    const base = { plan, startedAt, warmupRecorder };

    try {
      await transport.preflight();
    } catch (error) {
      await transport.close();
      if (!(error instanceof RunError)) throw error;
      return this.result(base, recorder.finish(0), transport.stats(), 0, 0, { class: error.errorClass, message: error.message });
    }

    const semaphore = new Semaphore(inflightBound(plan, transport.stats()));
    const clock = systemClock;
    const sleeper = new Sleeper(clock);
    // Retry backoffs are not think time: they go on through the graceful stop, until in-flight requests are cancelled.
    const backoff = new Sleeper(clock);
    let cancelling = false;
    // Requests still in flight are cancelled: after the graceful stop, or at once when the run fails.
    const cancelAll = (why: string) => {
      cancelling = true;
      backoff.wakeAll();
      transport.abortAll(new CancelledError(why));
    };
    let remaining = plan.load.iterations ?? Infinity;
    const ctx: VuContext = {
      clock,
      transport,
      recorder: warmupRecorder ?? recorder,
      semaphore,
      sleeper,
      requests,
      cumulative: plan.requests.map((r) => r.cumulative),
      think: plan.load.think,
      retry: plan.requests.map((r) => r.retry),
      backoff,
      cancelling: () => cancelling,
      measuring: false,
      stopRun: (reason) => this.stop(reason),
      nextTicket: () => {
        if (this.stopping.reason) return false;
        if (!ctx.measuring) return true;
        if (remaining <= 0) {
          this.stop('iterations');
          return false;
        }
        remaining--;
        return true;
      },
    };

    const timers: NodeJS.Timeout[] = [];
    try {
      const driver = createDriver(plan, ctx, inflightBound(plan, transport.stats()), plan.flow === null ? null : new Flow(plan, ctx, hooks));
      // Registered first: if anything below throws, stopping releases the driver (the schedule's timer thread) too.
      this.stopping.onStop((reason) => {
        driver.stop(reason);
        semaphore.close();
        sleeper.wakeAll();
        timers.push(setTimeout(cancelAll, plan.load.gracefulStopMs, 'the run stopped before the response was complete'));
      });
      return await this.drive(base, ctx, driver, transport, recorder, timers);
    } catch (error) {
      // A failure no request absorbed (a bug; nothing is reported): every resource the run holds is released
      // at once -- users, the schedule's timer thread, sockets -- so that the caller's process exits with the
      // error rather than hanging on them (the timers go in `finally`).
      this.stop('interrupted');
      cancelAll('the run failed');
      await transport.close();
      throw error;
    } finally {
      for (const timer of timers) clearTimeout(timer);
    }
  }

  /** The run proper, from the first request to the result: execute() releases everything if it throws. */
  private async drive(base: RunStart, ctx: VuContext, driver: LoadDriver, transport: Transport, recorder: Recorder, timers: NodeJS.Timeout[]): Promise<RunResult> {
    const plan = this.plan;
    const monitor = new SelfMonitor();
    let measureStart = performance.now();
    const beginMeasuring = () => {
      measureStart = performance.now();
      this.measureStartedAt = new Date(performance.timeOrigin + measureStart).toISOString();
      ctx.measuring = true;
      ctx.recorder = recorder;
      monitor.start(measureStart);
      driver.beginMeasuring(measureStart);
      recorder.start(measureStart, () => ({ ...monitor.sample(), ...driver.perSecond() }));
      if (plan.load.durationMs !== null) timers.push(setTimeout(() => this.stop('duration'), plan.load.durationMs));
    };
    if (plan.load.warmupMs > 0) timers.push(setTimeout(beginMeasuring, plan.load.warmupMs));
    else beginMeasuring();

    if (this.options.onProgress) {
      const report = this.options.onProgress;
      const progress = setInterval(() => ctx.measuring && report(recorder.snapshot(performance.now())), this.options.progressIntervalMs ?? 1000);
      timers.push(progress);
    }
    if (this.options.onTick) {
      const tick = this.options.onTick;
      const live = () => {
        if (!ctx.measuring || this.stopping.reason) return;
        const elapsedMs = performance.now() - measureStart;
        tick(this.result(base, recorder.peek(elapsedMs), transport.stats(), elapsedMs, plan.load.warmupMs, undefined));
      };
      timers.push(setInterval(live, this.options.tickIntervalMs ?? 1000));
    }

    await driver.run();
    const endedAt = performance.now();
    for (const timer of timers) clearTimeout(timer);
    const measuredMs = ctx.measuring ? endedAt - measureStart : 0;
    const recording = recorder.finish(measuredMs);
    const modelFields = driver.fields(recording, monitor);
    await transport.close();
    const result = this.result(base, recording, transport.stats(), measuredMs, plan.load.warmupMs, noSuccess(recording));
    return { ...result, ...modelFields };
  }

  private result(
    base: RunStart,
    recording: Recording,
    stats: TransportStats,
    measuredMs: number,
    warmupMs: number,
    error: RunResult['error'],
  ): RunResult {
    const run = { version: this.options.version, stopReason: this.stopping.reason, measureStartedAt: this.measureStartedAt };
    return assembleResult({ ...base, ...run }, recording, stats, measuredMs, warmupMs, error);
  }
}

/**
 * The plan's transport: one pool to its one instance, or with several instances (targets, or addresses of
 * `resolve: all`) one per instance (the connections shared out between them) behind a BalancedTransport
 * reporting to `sink`.
 */
function transportFor(plan: Plan, instances: readonly Instance[], sink: () => TargetSink): Transport {
  const options = (instance: Instance, connections: number) => ({
    transport: plan.transport,
    target: instance.origin,
    ...(instance.address !== undefined && { address: instance.address }),
    protocol: plan.protocol,
    connections,
    pipelining: plan.pool.pipelining,
    maxConcurrentStreams: plan.pool.maxConcurrentStreams,
    maxInflight: plan.pool.maxInflight,
    tls: plan.tls,
    connectTimeoutMs: plan.timeouts.connectMs,
    requestTimeoutMs: plan.timeouts.requestMs,
    headersTimeoutMs: plan.timeouts.headersMs,
    bodyTimeoutMs: plan.timeouts.bodyMs,
  });
  if (instances.length === 1) return createTransport(options(instances[0]!, plan.pool.connections));
  const each = Math.max(1, Math.ceil(plan.pool.connections / instances.length));
  return new BalancedTransport(instances.map((instance) => createTransport(options(instance, each))), plan.balance, sink);
}

/** With several instances, the recorder keeps figures per instance too. */
function recorderFor(plan: Plan, instances: readonly Instance[]): Recorder {
  return new Recorder(
    plan.requests.map((r) => r.name),
    plan.requests.map((r) => r.expectStatus),
    expectedIntervalThinkUs(plan),
    plan.requests.some((r) => r.retry !== null),
    plan.flow !== null,
    instances.length > 1 ? instances.map((instance) => instance.name) : [],
  );
}

/** What a run knows about itself besides its recording and its transport. */
interface RunFacts {
  plan: Plan;
  startedAt: Date;
  warmupRecorder: Recorder | null;
  version: string;
  stopReason: StopReason | null;
  measureStartedAt: string | null;
}

function assembleResult(
  base: RunFacts,
  recording: Recording,
  stats: TransportStats,
  measuredMs: number,
  warmupMs: number,
  error: RunResult['error'],
): RunResult {
  const { plan } = base;
  const result: RunResult = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'loadhttp', version: base.version, node: process.version },
    name: plan.name,
    target: plan.target,
    protocol: dominantProtocol(stats),
    transport: plan.transport,
    connectionsOpened: stats.opened,
    ...transportFields(stats),
    startedAt: base.startedAt.toISOString(),
    durationMs: Math.round(measuredMs * 1000) / 1000,
    warmup: {
      durationMs: warmupMs,
      sent: base.warmupRecorder?.sentTotals().sent ?? 0,
      ...(plan.requests.some((r) => r.retry !== null) && { retries: base.warmupRecorder?.sentTotals().retries ?? 0 }),
    },
    interrupted: base.stopReason === 'interrupted',
    stopReason: base.stopReason ?? 'duration',
    plan: summarizePlan(plan),
    ...recording.total,
    ...(recording.iterations && { iterations: recording.iterations }),
    ...(recording.targets && { targets: recording.targets }),
    queueWaitMs: recording.queueWaitMs,
    bytes: recording.bytes,
    errorExamples: recording.errorExamples,
    requests: recording.requests,
    series: recording.series,
    histograms: { ...recording.histograms, ...handshakeHistogram(stats) },
  };
  if (error) result.error = error;
  if (base.measureStartedAt) result.measureStartedAt = base.measureStartedAt;
  // Unmasked: thresholds and --baseline judge these figures; the CLI masks secrets as it writes outputs.
  return result;
}

/**
 * The result of a run that measured nothing and has no figures to show, e.g. a --workers run whose worker
 * crashed: the plan, empty figures and the error, so --json is written as for any failed run.
 */
export function measuredNothing(plan: Plan, version: string, startedAt: Date, error: NonNullable<RunResult['error']>): RunResult {
  const facts: RunFacts = { plan, startedAt, warmupRecorder: null, version, stopReason: null, measureStartedAt: null };
  const noConnections: TransportStats = { opened: 0, protocols: {}, streamsPerSession: null, sessions: null, tls: null };
  return assembleResult(facts, recorderFor(plan, namedInstances(plan.targets)).finish(0), noConnections, 0, 0, error);
}

/** Runs a plan to completion. */
export function runPlan(plan: Plan, options: RunOptions): Promise<RunResult> {
  return new LoadRun(plan, options).execute();
}

function dominantProtocol(stats: TransportStats): WireProtocol | null {
  let best: WireProtocol | null = null;
  for (const [protocol, count] of Object.entries(stats.protocols) as Array<[WireProtocol, number]>) {
    if (best === null || count > (stats.protocols[best] ?? 0)) best = protocol;
  }
  return best;
}

/** A run where requests were sent and none completed measured nothing meaningful (exit 3). */
function noSuccess(recording: Recording): RunResult['error'] {
  const { counts, errors } = recording.total;
  if (counts.sent === 0 || counts.completed > 0 || counts.failed === 0) return undefined;
  const [topClass = 'other'] = Object.entries(errors).sort((a, b) => b[1] - a[1])[0] ?? [];
  const example = recording.errorExamples[topClass]?.[0];
  return { class: topClass, message: `no request succeeded (${counts.failed} failed)${example ? `: ${example}` : ''}` };
}

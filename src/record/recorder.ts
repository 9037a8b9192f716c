// The recorder: counters and HDR histograms per request name and in total, failures by class with a few
// example messages, and one snapshot per second. The engine calls it once per outcome; it never formats.
import type { Counts, LatencySummary, RequestStats, RunResult, SeriesPoint } from '../result/result.ts';
import { classifyError, type FailureClass } from '../result/failure-classes.ts';
import type { SendOutcome } from '../transport/transport.ts';
import type { TargetSink } from '../transport/balanced.ts';
import { CancelledError } from '../util/errors.ts';
import { addInto, correctedCopy, createHistogram, encode, percentileMs, percentilesMs, recordUs, recordZeros, summarize, type LatencyHistogram } from '../result/histogram.ts';

const EXAMPLES_PER_CLASS = 3;

/** Mutable counters of one request name (or the total). */
class Bucket {
  sent = 0;
  completed = 0;
  failed = 0;
  cancelled = 0;
  /** Open model: scheduled but never sent (queue full, or still queued when the run stopped). */
  dropped = 0;
  unexpected = 0;
  /** Attempts beyond the first (retries), and logical requests whose first attempt did not succeed. */
  retries = 0;
  firstTryFailures = 0;
  /** Latency of first attempts that got a response (recorded only when a retry policy applies). */
  readonly firstTry = createHistogram();
  readonly statusCodes = new Map<number, number>();
  readonly errors = new Map<FailureClass, number>();
  readonly latency = createHistogram();
  readonly ttfb = createHistogram();
  /**
   * From the actual send (latency counts from the intended start in the open model). Until a service time
   * differs from its latency (never in the closed model) it is the latency histogram itself: two fewer
   * records per request; the first difference copies the latencies so far, which were the service times.
   */
  get service(): LatencyHistogram {
    return this.ownService ?? this.latency;
  }
  private ownService: LatencyHistogram | null = null;

  complete(status: number, unexpected: boolean, latencyUs: number, ttfbUs: number, serviceUs: number): void {
    this.completed++;
    this.statusCodes.set(status, (this.statusCodes.get(status) ?? 0) + 1);
    if (unexpected) this.unexpected++;
    if (this.ownService === null && serviceUs !== latencyUs) {
      this.ownService = createHistogram();
      addInto(this.ownService, this.latency);
    }
    recordUs(this.latency, latencyUs);
    recordUs(this.ttfb, ttfbUs);
    if (this.ownService !== null) recordUs(this.ownService, serviceUs);
  }

  fail(failure: FailureClass): void {
    this.failed++;
    this.errors.set(failure, (this.errors.get(failure) ?? 0) + 1);
  }

  stats(measuredMs: number, latency: LatencyHistogram = this.latency, retrying = false): RequestStats {
    const stats: RequestStats = {
      counts: this.counts(),
      unexpectedStatus: this.unexpected,
      errorRate: this.sent === 0 ? 0 : (this.failed + this.unexpected) / this.sent,
      rps: measuredMs > 0 ? this.completed / (measuredMs / 1000) : 0,
      latencyMs: summarize(latency),
      serviceTimeMs: summarize(this.service),
      ttfbMs: summarize(this.ttfb),
      statusCodes: Object.fromEntries([...this.statusCodes].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v])),
      errors: Object.fromEntries(this.errors),
    };
    if (retrying) {
      stats.counts.retries = this.retries;
      stats.firstTryMs = summarize(this.firstTry);
      stats.firstTryFailures = this.firstTryFailures;
    }
    return stats;
  }

  counts(): Counts {
    return { sent: this.sent, completed: this.completed, failed: this.failed, cancelled: this.cancelled, dropped: this.dropped };
  }
}

export interface Snapshot {
  elapsedMs: number;
  counts: Counts;
  errors: number;
  /** Responses per second over the last full second. */
  currentRps: number;
  p99Ms: number;
}

/**
 * Every figure the recorder holds: the RunResult fields of the same name as they stand in the result (the
 * engine copies them over), and the total (spread into the result's top level).
 */
export interface Recording extends Pick<RunResult, 'iterations' | 'targets' | 'requests' | 'queueWaitMs' | 'bytes' | 'errorExamples' | 'series'> {
  total: RequestStats;
  /**
   * Apart from RunResult['histograms'] on purpose: a recorder always encodes the service time, the schedule
   * lag and the per-second histograms, which the result must mark optional (older files lack them); the
   * handshake histogram comes from the transport, not from here.
   */
  histograms: {
    unit: 'us';
    latency: string;
    ttfb: string;
    queueWait: string;
    serviceTime: string;
    scheduleLag: string;
    /** With a retry policy only: first attempts' latency (see RequestStats.firstTryMs). */
    firstTry?: string;
    /** With a flow only. */
    iteration?: string;
    requests: Record<string, { latency: string; ttfb: string; serviceTime: string; firstTry?: string }>;
    /** With several targets only. */
    targets?: Record<string, { latency: string; ttfb: string }>;
    series: Array<string | null>;
  };
  scheduleLagMs: LatencySummary;
  /** The expected interval used by the closed-model correction, in ms (null when not applied). */
  expectedIntervalMs: number | null;
}

/** The floor of the expected interval: below it the correction would add thousands of values per stall. */
const MIN_EXPECTED_INTERVAL_US = 1000;

export class Recorder implements TargetSink {
  private readonly names: readonly string[];
  private readonly buckets: Bucket[];
  /**
   * The totals. With a single request name (every --url run) it is that request's own bucket, so each
   * request is counted and recorded once, not twice (2 of the 5 histogram records per request).
   */
  private readonly total: Bucket;
  private readonly queueWait = createHistogram();
  private noWait = 0;
  /** Open model: how late the scheduler issued each request against its intended start. */
  private readonly scheduleLag = createHistogram();
  private readonly expectedIntervalThinkUs: number | null;
  private perSecond: (() => Partial<SeriesPoint>) | null = null;
  private readonly examples = new Map<FailureClass, string[]>();
  private readonly expected: Uint8Array[];
  private bytesSent = 0;
  private bytesReceived = 0;
  /** True when some request has a retry policy: the results then carry retries and first-try figures. */
  private readonly retrying: boolean;
  /** A flow's iterations (null without a flow). */
  private readonly iterationCounts: { completed: number; failed: number; interrupted: number } | null;
  private readonly iterationTime = createHistogram();
  /** Several targets: instance names (host:port) and their buckets; empty otherwise. */
  private readonly targetNames: readonly string[];
  private readonly targetBuckets: Bucket[];

  // The current one-second slice of the series.
  private readonly second = createHistogram();
  private secondRequests = 0;
  private secondErrors = 0;
  private readonly series: SeriesPoint[] = [];
  /** Each series point's own histogram, encoded (null: no response that second), for exact merges. */
  private readonly seriesHistograms: Array<string | null> = [];
  private startedAt = 0;
  private ticker: NodeJS.Timeout | null = null;

  /**
   * `expectStatus[i]` lists request i's expected statuses, or null for any 2xx/3xx. With
   * `expectedIntervalThinkUs` (closed model, --latency-correction) the reported latency is corrected with
   * an expected interval of the median service time plus this mean think time.
   */
  constructor(
    names: readonly string[],
    expectStatus: ReadonlyArray<readonly number[] | null>,
    expectedIntervalThinkUs: number | null = null,
    retrying = false,
    flow = false,
    targets: readonly string[] = [],
  ) {
    this.names = names;
    this.targetNames = targets;
    this.targetBuckets = targets.map(() => new Bucket());
    this.iterationCounts = flow ? { completed: 0, failed: 0, interrupted: 0 } : null;
    this.retrying = retrying;
    this.expectedIntervalThinkUs = expectedIntervalThinkUs;
    this.buckets = names.map(() => new Bucket());
    this.total = this.buckets.length === 1 ? this.buckets[0]! : new Bucket();
    this.expected = expectStatus.map((list) => {
      const table = new Uint8Array(1000);
      if (list === null) table.fill(1, 200, 400);
      else for (const status of list) table[status] = 1;
      return table;
    });
  }

  /** Starts the measured window (after warmup) and the per-second series; `perSecond` adds fields to each point. */
  start(now: number, perSecond?: () => Partial<SeriesPoint>): void {
    this.startedAt = now;
    this.perSecond = perSecond ?? null;
    this.ticker = setInterval(() => this.tick(), 1000);
    this.ticker.unref();
  }

  sent(index: number, wireBytes: number): void {
    const bucket = this.buckets[index]!;
    bucket.sent++;
    if (bucket !== this.total) this.total.sent++;
    this.bytesSent += wireBytes;
  }

  /** No wait at all (the common case) is counted here and added to the histogram when it is read. */
  waited(us: number): void {
    if (us <= 0) this.noWait++;
    else recordUs(this.queueWait, us);
  }

  /** Whether `status` is one request `index` expects (its `expect`, or any 2xx/3xx). */
  expects(index: number, status: number): boolean {
    return this.expected[index]![status] === 1;
  }

  /**
   * Several targets: one request settled at instance `target` (TargetSink). Its latency counts from its
   * send to that instance; a status outside 2xx/3xx counts as unexpected there (a request's own `expect`
   * applies to the per-request figures).
   */
  targetSettled(target: number, sentAt: number, outcome: SendOutcome | null, error: Error | null): void {
    const bucket = this.targetBuckets[target]!;
    bucket.sent++;
    if (outcome !== null) {
      const latencyUs = (outcome.endAt - sentAt) * 1000;
      bucket.complete(outcome.status, outcome.status < 200 || outcome.status >= 400, latencyUs, (outcome.headersAt - sentAt) * 1000, latencyUs);
    } else if (error instanceof CancelledError) {
      bucket.cancelled++;
    } else {
      bucket.fail(classifyError(error));
    }
  }

  /** A flow iteration ended; `us` (its duration) is recorded for completed and failed ones. */
  iteration(outcome: 'completed' | 'failed' | 'interrupted', us: number): void {
    this.iterationCounts![outcome]++;
    if (outcome !== 'interrupted') recordUs(this.iterationTime, us);
  }

  /** `serviceUs` is from the actual send; it differs from `latencyUs` in the open model only. */
  completed(index: number, status: number, latencyUs: number, ttfbUs: number, bytes: number, serviceUs = latencyUs): void {
    const unexpected = this.expected[index]![status] !== 1;
    const bucket = this.buckets[index]!;
    bucket.complete(status, unexpected, latencyUs, ttfbUs, serviceUs);
    if (bucket !== this.total) this.total.complete(status, unexpected, latencyUs, ttfbUs, serviceUs);
    recordUs(this.second, latencyUs);
    this.secondRequests++;
    if (unexpected) this.secondErrors++;
    this.bytesReceived += bytes;
  }

  failed(index: number, failure: FailureClass, message: string): void {
    const bucket = this.buckets[index]!;
    bucket.fail(failure);
    if (bucket !== this.total) this.total.fail(failure);
    this.secondErrors++;
    const examples = this.examples.get(failure) ?? [];
    if (examples.length < EXAMPLES_PER_CLASS && !examples.includes(message)) examples.push(message);
    this.examples.set(failure, examples);
  }

  /** One more attempt of a measured request (its outcome is recorded once, by completed/failed/cancelled). */
  retried(index: number): void {
    const bucket = this.buckets[index]!;
    bucket.retries++;
    if (bucket !== this.total) this.total.retries++;
  }

  /** The first attempt of a measured request with a retry policy: its latency when it got a response. */
  firstTry(index: number, latencyUs: number | null, failed: boolean): void {
    const own = this.buckets[index]!;
    for (const bucket of own === this.total ? [own] : [own, this.total]) {
      if (latencyUs !== null) recordUs(bucket.firstTry, latencyUs);
      if (failed) bucket.firstTryFailures++;
    }
  }

  lagged(us: number): void {
    recordUs(this.scheduleLag, us);
  }

  dropped(index: number): void {
    const bucket = this.buckets[index]!;
    bucket.dropped++;
    if (bucket !== this.total) this.total.dropped++;
  }

  cancelled(index: number): void {
    const bucket = this.buckets[index]!;
    bucket.cancelled++;
    if (bucket !== this.total) this.total.cancelled++;
  }

  /** Requests sent and retries, for a warmup's recorder (its other figures are set aside). */
  sentTotals(): { sent: number; retries: number } {
    return { sent: this.total.sent, retries: this.total.retries };
  }

  snapshot(now: number): Snapshot {
    const last = this.series.at(-1);
    return {
      elapsedMs: now - this.startedAt,
      counts: this.total.counts(),
      errors: this.total.failed + this.total.unexpected,
      currentRps: last?.requests ?? 0,
      p99Ms: percentileMs(this.total.latency, 99),
    };
  }

  private tick(): void {
    // With --latency-correction each second is corrected too, with the expected interval known so far
    // (the run's median service time is not known until its end).
    const intervalUs = this.secondRequests ? this.expectedIntervalUs() : null;
    const second = intervalUs === null ? this.second : correctedCopy(this.second, intervalUs);
    const timed = second.totalCount > 0;
    const [p50 = null, p90 = null, p99 = null] = timed ? percentilesMs(second, [50, 90, 99]) : [];
    this.series.push({
      t: this.series.length + 1,
      requests: this.secondRequests,
      errors: this.secondErrors,
      p50,
      p90,
      p99,
      ...this.perSecond?.(),
    });
    this.seriesHistograms.push(timed ? encode(second) : null);
    this.second.reset();
    this.secondRequests = 0;
    this.secondErrors = 0;
  }

  /** Stops the series (keeping a last partial second if it saw anything) and returns every figure. */
  finish(measuredMs: number): Recording {
    if (this.ticker) clearInterval(this.ticker);
    if (this.secondRequests > 0 || this.secondErrors > 0) this.tick();
    return this.collect(measuredMs);
  }

  /**
   * Every figure so far, while the run goes on (the series holds only whole seconds). It encodes the
   * histograms, so call it about once a second, not per request.
   */
  peek(measuredMs: number): Recording {
    return this.collect(measuredMs);
  }

  private collect(measuredMs: number): Recording {
    recordZeros(this.queueWait, this.noWait);
    this.noWait = 0;
    const requests: Record<string, RequestStats> = {};
    const requestHistograms: Recording['histograms']['requests'] = {};
    const firstTry = (bucket: Bucket) => (this.retrying ? { firstTry: encode(bucket.firstTry) } : {});
    const intervalUs = this.expectedIntervalUs();
    const latencyOf = (bucket: Bucket) => (intervalUs === null ? bucket.latency : correctedCopy(bucket.latency, intervalUs));
    this.names.forEach((name, i) => {
      const bucket = this.buckets[i]!;
      const latency = latencyOf(bucket);
      requests[name] = bucket.stats(measuredMs, latency, this.retrying);
      requestHistograms[name] = { latency: encode(latency), ttfb: encode(bucket.ttfb), serviceTime: encode(bucket.service), ...firstTry(bucket) };
    });
    const totalLatency = latencyOf(this.total);
    const iterations = this.iterationCounts;
    const targets: Record<string, RequestStats> = {};
    const targetHistograms: Record<string, { latency: string; ttfb: string }> = {};
    this.targetNames.forEach((name, i) => {
      const bucket = this.targetBuckets[i]!;
      targets[name] = bucket.stats(measuredMs);
      targetHistograms[name] = { latency: encode(bucket.latency), ttfb: encode(bucket.ttfb) };
    });
    const several = this.targetNames.length > 0;
    return {
      ...(several && { targets }),
      total: this.total.stats(measuredMs, totalLatency, this.retrying),
      ...(iterations !== null && {
        iterations: {
          ...iterations,
          rps: measuredMs > 0 ? iterations.completed / (measuredMs / 1000) : 0,
          durationMs: summarize(this.iterationTime),
        },
      }),
      requests,
      queueWaitMs: summarize(this.queueWait),
      bytes: { sent: this.bytesSent, received: this.bytesReceived },
      errorExamples: Object.fromEntries(this.examples),
      series: [...this.series],
      histograms: {
        unit: 'us',
        latency: encode(totalLatency),
        ttfb: encode(this.total.ttfb),
        queueWait: encode(this.queueWait),
        serviceTime: encode(this.total.service),
        scheduleLag: encode(this.scheduleLag),
        ...firstTry(this.total),
        ...(iterations !== null && { iteration: encode(this.iterationTime) }),
        requests: requestHistograms,
        ...(several && { targets: targetHistograms }),
        series: [...this.seriesHistograms],
      },
      scheduleLagMs: summarize(this.scheduleLag),
      expectedIntervalMs: intervalUs === null ? null : intervalUs / 1000,
    };
  }

  /** Closed-model correction: the median service time plus the mean think time, at least 1 ms. */
  private expectedIntervalUs(): number | null {
    if (this.expectedIntervalThinkUs === null || this.total.service.totalCount === 0) return null;
    const medianUs = percentileMs(this.total.service, 50) * 1000;
    return Math.round(Math.max(MIN_EXPECTED_INTERVAL_US, medianUs + this.expectedIntervalThinkUs));
  }
}

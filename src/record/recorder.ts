// The recorder: counters and HDR histograms per request name and in total, failures by class with a few
// example messages, and one snapshot per second. The engine calls it once per outcome; it never formats.
import type { Counts, LatencySummary, RequestStats, SeriesPoint } from '../report/result.ts';
import type { FailureClass } from './classify.ts';
import { createHistogram, encode, percentileMs, recordUs, summarize } from './histogram.ts';

const EXAMPLES_PER_CLASS = 3;

/** Mutable counters of one request name (or the total). */
class Bucket {
  sent = 0;
  completed = 0;
  failed = 0;
  cancelled = 0;
  unexpected = 0;
  readonly statusCodes = new Map<number, number>();
  readonly errors = new Map<FailureClass, number>();
  readonly latency = createHistogram();
  readonly ttfb = createHistogram();

  complete(status: number, unexpected: boolean, latencyUs: number, ttfbUs: number): void {
    this.completed++;
    this.statusCodes.set(status, (this.statusCodes.get(status) ?? 0) + 1);
    if (unexpected) this.unexpected++;
    recordUs(this.latency, latencyUs);
    recordUs(this.ttfb, ttfbUs);
  }

  fail(failure: FailureClass): void {
    this.failed++;
    this.errors.set(failure, (this.errors.get(failure) ?? 0) + 1);
  }

  stats(measuredMs: number): RequestStats {
    return {
      counts: this.counts(),
      unexpectedStatus: this.unexpected,
      errorRate: this.sent === 0 ? 0 : (this.failed + this.unexpected) / this.sent,
      rps: measuredMs > 0 ? this.completed / (measuredMs / 1000) : 0,
      latencyMs: summarize(this.latency),
      ttfbMs: summarize(this.ttfb),
      statusCodes: Object.fromEntries([...this.statusCodes].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v])),
      errors: Object.fromEntries(this.errors),
    };
  }

  counts(): Counts {
    return { sent: this.sent, completed: this.completed, failed: this.failed, cancelled: this.cancelled };
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

export interface Recording {
  total: RequestStats;
  requests: Record<string, RequestStats>;
  queueWaitMs: LatencySummary;
  bytes: { sent: number; received: number };
  errorExamples: Record<string, string[]>;
  series: SeriesPoint[];
  histograms: {
    unit: 'us';
    latency: string;
    ttfb: string;
    queueWait: string;
    requests: Record<string, { latency: string; ttfb: string }>;
  };
}

export class Recorder {
  private readonly names: readonly string[];
  private readonly buckets: Bucket[];
  private readonly total = new Bucket();
  private readonly queueWait = createHistogram();
  private readonly examples = new Map<FailureClass, string[]>();
  private readonly expected: Uint8Array[];
  private bytesSent = 0;
  private bytesReceived = 0;
  warmupSent = 0;

  // The current one-second slice of the series.
  private readonly second = createHistogram();
  private secondRequests = 0;
  private secondErrors = 0;
  private readonly series: SeriesPoint[] = [];
  private startedAt = 0;
  private ticker: NodeJS.Timeout | null = null;

  /** `expectStatus[i]` lists request i's expected statuses, or null for any 2xx/3xx. */
  constructor(names: readonly string[], expectStatus: ReadonlyArray<readonly number[] | null>) {
    this.names = names;
    this.buckets = names.map(() => new Bucket());
    this.expected = expectStatus.map((list) => {
      const table = new Uint8Array(1000);
      if (list === null) table.fill(1, 200, 400);
      else for (const status of list) table[status] = 1;
      return table;
    });
  }

  /** Starts the measured window (after warmup) and the per-second series. */
  start(now: number): void {
    this.startedAt = now;
    this.ticker = setInterval(() => this.tick(), 1000);
    this.ticker.unref();
  }

  sent(index: number, wireBytes: number): void {
    this.buckets[index]!.sent++;
    this.total.sent++;
    this.bytesSent += wireBytes;
  }

  waited(us: number): void {
    recordUs(this.queueWait, us);
  }

  completed(index: number, status: number, latencyUs: number, ttfbUs: number, bytes: number): void {
    const unexpected = this.expected[index]![status] !== 1;
    this.buckets[index]!.complete(status, unexpected, latencyUs, ttfbUs);
    this.total.complete(status, unexpected, latencyUs, ttfbUs);
    recordUs(this.second, latencyUs);
    this.secondRequests++;
    if (unexpected) this.secondErrors++;
    this.bytesReceived += bytes;
  }

  failed(index: number, failure: FailureClass, message: string): void {
    this.buckets[index]!.fail(failure);
    this.total.fail(failure);
    this.secondErrors++;
    const examples = this.examples.get(failure) ?? [];
    if (examples.length < EXAMPLES_PER_CLASS && !examples.includes(message)) examples.push(message);
    this.examples.set(failure, examples);
  }

  cancelled(index: number): void {
    this.buckets[index]!.cancelled++;
    this.total.cancelled++;
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
    this.series.push({
      t: this.series.length + 1,
      requests: this.secondRequests,
      errors: this.secondErrors,
      p50: this.secondRequests ? percentileMs(this.second, 50) : null,
      p99: this.secondRequests ? percentileMs(this.second, 99) : null,
    });
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
    const requests: Record<string, RequestStats> = {};
    const requestHistograms: Record<string, { latency: string; ttfb: string }> = {};
    this.names.forEach((name, i) => {
      const bucket = this.buckets[i]!;
      requests[name] = bucket.stats(measuredMs);
      requestHistograms[name] = { latency: encode(bucket.latency), ttfb: encode(bucket.ttfb) };
    });
    return {
      total: this.total.stats(measuredMs),
      requests,
      queueWaitMs: summarize(this.queueWait),
      bytes: { sent: this.bytesSent, received: this.bytesReceived },
      errorExamples: Object.fromEntries(this.examples),
      series: [...this.series],
      histograms: {
        unit: 'us',
        latency: encode(this.total.latency),
        ttfb: encode(this.total.ttfb),
        queueWait: encode(this.queueWait),
        requests: requestHistograms,
      },
    };
  }
}

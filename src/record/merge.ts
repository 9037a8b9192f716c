// Several RunResults of one load, generated in parts (worker threads, or shards on several machines),
// merged into the RunResult of the whole. Pure.
//
// Exact: counters, status codes and error classes add; every histogram (latency, TTFB, queue wait,
// service time, schedule lag, TLS handshake, first tries; in total and per request) is decoded, added bucket by bucket
// and re-encoded, and every summary is recomputed from the sums (so P99 of the merge is the P99 of all
// requests, not an average of P99s). Rates are recomputed: rps = completed / the longest measured window.
//
// The per-second series is aligned by wall clock (each part's measured window start, rounded to whole
// seconds) and its counts add; each second's p50/p90/p99 come from the sum of the parts' histograms of
// that second (`histograms.series`), so they are exact too. Only parts without those histograms (results
// of schema 1, or built by hand) fall back to an approximation for the seconds they are in: the largest
// p90/p99 (upper bounds) and the request-weighted mean of the p50s; the merge then carries no per-second
// histograms. The generator's self-monitoring keeps the worst part (each part is a separate event loop).
import { sum, unique } from '../util/list.ts';
import { addInto, createHistogram, decode, encode, percentilesMs, summarize, type LatencyHistogram } from '../result/histogram.ts';
import type { Counts, GeneratorStats, IterationStats, LatencySummary, PlanSummary, RequestStats, RunResult, SeriesPoint, TlsSummary } from '../result/result.ts';

const EXAMPLES_PER_CLASS = 3;

/** Merges the parts of one load. `labels[i]` names part i in merged generator reasons ("worker 2"). */
export function mergeResults(parts: readonly RunResult[], labels: readonly string[] = parts.map((_, i) => `part ${i + 1}`)): RunResult {
  if (parts.length === 0) throw new RangeError('nothing to merge');
  if (parts.length === 1) return parts[0]!;
  const first = parts[0]!;
  const durationMs = Math.max(...parts.map((p) => p.durationMs));
  const histograms = mergeHistograms(parts);
  const requestNames = unique(parts.flatMap((p) => Object.keys(p.requests)));
  const requests: Record<string, RequestStats> = {};
  for (const name of requestNames) {
    const present = parts.map((p) => p.requests[name]).filter((r): r is RequestStats => r !== undefined);
    const h = histograms.requests[name]!;
    requests[name] = mergeStats(present, durationMs, h);
  }
  const total = mergeStats(parts, durationMs, histograms);
  const protocols = sumRecords(parts.map((p) => p.protocols ?? {}));
  const series = mergeSeries(parts);
  const merged: RunResult = {
    ...first,
    name: joinDistinct(parts.map((p) => p.name)),
    target: joinDistinct(parts.map((p) => p.target)),
    protocol: dominant(protocols) ?? parts.find((p) => p.protocol !== null)?.protocol ?? null,
    connectionsOpened: sum(parts.map((p) => p.connectionsOpened)),
    protocols,
    ...(first.resent !== undefined && { resent: sum(parts.map((p) => p.resent ?? 0)) }),
    startedAt: earliest(parts.map((p) => p.startedAt)),
    durationMs,
    warmup: mergeWarmup(parts.map((p) => p.warmup)),
    interrupted: parts.some((p) => p.interrupted),
    stopReason: (['interrupted', 'threshold', 'data-exhausted'] as const).find((reason) => parts.some((p) => p.stopReason === reason)) ?? first.stopReason,
    plan: mergePlans(parts.map((p) => p.plan)),
    ...total,
    queueWaitMs: summarize(histograms.queueWait),
    bytes: { sent: sum(parts.map((p) => p.bytes.sent)), received: sum(parts.map((p) => p.bytes.received)) },
    errorExamples: mergeExamples(parts.map((p) => p.errorExamples)),
    requests,
    series: series.points,
    histograms: { ...encodeHistograms(histograms), ...(series.histograms && { series: series.histograms }) },
  };
  const measureStarts = parts.map((p) => p.measureStartedAt).filter((t): t is string => t !== undefined);
  if (measureStarts.length > 0) merged.measureStartedAt = earliest(measureStarts);
  else delete merged.measureStartedAt;
  const streams = parts.map((p) => p.streamsPerSession).filter((s): s is number => typeof s === 'number');
  if (first.streamsPerSession !== undefined) merged.streamsPerSession = streams.length > 0 ? Math.min(...streams) : null;
  // Each worker keeps its own sessions: at once, they add up.
  const sessions = parts.map((p) => p.sessions).filter((s): s is number => typeof s === 'number');
  if (first.sessions !== undefined) merged.sessions = sessions.length > 0 ? sum(sessions) : null;
  if (first.tls !== undefined) merged.tls = mergeTls(parts.map((p) => p.tls ?? null), histograms.handshake);
  if (histograms.scheduleLag.totalCount > 0 || first.scheduleLagMs) merged.scheduleLagMs = summarize(histograms.scheduleLag);
  const intervals = parts.map((p) => p.expectedIntervalMs).filter((v): v is number => v !== undefined);
  if (intervals.length > 0) merged.expectedIntervalMs = Math.max(...intervals);
  if (Object.keys(histograms.targets).length > 0) {
    merged.targets = Object.fromEntries(
      Object.entries(histograms.targets).map(([name, h]) => [
        name,
        mergeStats(parts.map((p) => p.targets?.[name]).filter((t): t is RequestStats => t !== undefined), durationMs, h),
      ]),
    );
  }
  const iterations = mergeIterations(parts, durationMs, histograms.iteration);
  if (iterations) merged.iterations = iterations;
  const arrival = mergeArrival(parts);
  if (arrival) merged.arrival = arrival;
  const generator = mergeGenerator(parts, labels);
  if (generator) merged.generator = generator;
  const error = parts.every((p) => p.error) ? first.error : undefined;
  if (error) merged.error = error;
  else delete merged.error;
  // Verdicts, comparisons and shard tags belong to the parts: the caller judges the merged figures.
  for (const key of ['thresholds', 'thresholdsPassed', 'thresholdAbort', 'baseline', 'shard', 'startAt', 'merged', 'workers'] as const) {
    delete merged[key];
  }
  return merged;
}

/** A flow's iterations: counts add, the duration summary comes from the merged histogram. */
function mergeIterations(parts: readonly RunResult[], durationMs: number, histogram: LatencyHistogram | null): IterationStats | undefined {
  const present = parts.map((p) => p.iterations).filter((i): i is IterationStats => i !== undefined);
  if (present.length === 0 || histogram === null) return undefined;
  const completed = sum(present.map((i) => i.completed));
  return {
    completed,
    failed: sum(present.map((i) => i.failed)),
    interrupted: sum(present.map((i) => i.interrupted)),
    rps: durationMs > 0 ? completed / (durationMs / 1000) : 0,
    durationMs: withExactMax(summarize(histogram), present.map((i) => i.durationMs)),
  };
}

/** One request name's (or the total's) counters from the parts, summaries from the merged histograms. */
function mergeStats(parts: readonly RequestStats[], durationMs: number, h: RequestHistograms): RequestStats {
  const counts = mergeCounts(parts.map((p) => p.counts));
  const unexpectedStatus = sum(parts.map((p) => p.unexpectedStatus));
  const stats: RequestStats = {
    counts,
    unexpectedStatus,
    errorRate: counts.sent === 0 ? 0 : (counts.failed + unexpectedStatus) / counts.sent,
    rps: durationMs > 0 ? counts.completed / (durationMs / 1000) : 0,
    latencyMs: withExactMax(summarize(h.latency), parts.map((p) => p.latencyMs)),
    ttfbMs: withExactMax(summarize(h.ttfb), parts.map((p) => p.ttfbMs)),
    statusCodes: sortedByKey(sumRecords(parts.map((p) => p.statusCodes))),
    errors: sumRecords(parts.map((p) => p.errors)),
  };
  if (h.serviceTime !== null) stats.serviceTimeMs = withExactMax(summarize(h.serviceTime), parts.map((p) => p.serviceTimeMs));
  if (parts.some((p) => p.firstTryFailures !== undefined)) stats.firstTryFailures = sum(parts.map((p) => p.firstTryFailures ?? 0));
  if (h.firstTry !== null) stats.firstTryMs = withExactMax(summarize(h.firstTry), parts.map((p) => p.firstTryMs));
  return stats;
}

/**
 * A decoded histogram knows its largest value only to its bucket (90 ms reads 90.047 ms); the parts'
 * summaries knew it exactly, and the largest of them is the merged maximum.
 */
function withExactMax(summary: LatencySummary, parts: ReadonlyArray<LatencySummary | undefined>): LatencySummary {
  const maxima = parts.filter((p): p is LatencySummary => p !== undefined && p.count > 0).map((p) => p.max);
  return summary.count === 0 || maxima.length === 0 ? summary : { ...summary, max: Math.max(...maxima) };
}

function mergeCounts(list: readonly Counts[]): Counts {
  const counts: Counts = {
    sent: sum(list.map((c) => c.sent)),
    completed: sum(list.map((c) => c.completed)),
    failed: sum(list.map((c) => c.failed)),
    cancelled: sum(list.map((c) => c.cancelled)),
  };
  if (list.some((c) => c.dropped !== undefined)) counts.dropped = sum(list.map((c) => c.dropped ?? 0));
  if (list.some((c) => c.retries !== undefined)) counts.retries = sum(list.map((c) => c.retries ?? 0));
  return counts;
}

interface RequestHistograms {
  latency: LatencyHistogram;
  ttfb: LatencyHistogram;
  serviceTime: LatencyHistogram | null;
  /** With a retry policy only. */
  firstTry: LatencyHistogram | null;
}

interface Histograms extends RequestHistograms {
  queueWait: LatencyHistogram;
  /** With a flow only. */
  iteration: LatencyHistogram | null;
  /** With several targets only (empty otherwise). */
  targets: Record<string, RequestHistograms>;
  scheduleLag: LatencyHistogram;
  handshake: LatencyHistogram | null;
  requests: Record<string, RequestHistograms>;
}

/** Sums one encoded histogram over the parts; null when no part has it and `optional`. */
function added(encoded: ReadonlyArray<string | undefined>, optional: boolean): LatencyHistogram | null {
  const present = encoded.filter((e): e is string => e !== undefined);
  if (optional && present.length === 0) return null;
  const into = createHistogram();
  for (const e of present) addInto(into, decode(e));
  return into;
}

function mergeHistograms(parts: readonly RunResult[]): Histograms {
  const h = parts.map((p) => p.histograms);
  const requests: Histograms['requests'] = {};
  for (const name of unique(parts.flatMap((p) => Object.keys(p.requests)))) {
    const per = h.map((x) => x.requests[name]);
    requests[name] = {
      latency: added(per.map((r) => r?.latency), false)!,
      ttfb: added(per.map((r) => r?.ttfb), false)!,
      serviceTime: added(per.map((r) => r?.serviceTime), true),
      firstTry: added(per.map((r) => r?.firstTry), true),
    };
  }
  return {
    latency: added(h.map((x) => x.latency), false)!,
    ttfb: added(h.map((x) => x.ttfb), false)!,
    queueWait: added(h.map((x) => x.queueWait), false)!,
    serviceTime: added(h.map((x) => x.serviceTime), true),
    firstTry: added(h.map((x) => x.firstTry), true),
    scheduleLag: added(h.map((x) => x.scheduleLag), false)!,
    handshake: added(h.map((x) => x.handshake), true),
    iteration: added(h.map((x) => x.iteration), true),
    requests,
    targets: Object.fromEntries(
      unique(parts.flatMap((p) => Object.keys(p.targets ?? {}))).map((name) => {
        const per = h.map((x) => x.targets?.[name]);
        return [name, { latency: added(per.map((t) => t?.latency), false)!, ttfb: added(per.map((t) => t?.ttfb), false)!, serviceTime: null, firstTry: null }];
      }),
    ),
  };
}

function encodeHistograms(h: Histograms): RunResult['histograms'] {
  const requests: RunResult['histograms']['requests'] = {};
  for (const [name, r] of Object.entries(h.requests)) {
    requests[name] = {
      latency: encode(r.latency),
      ttfb: encode(r.ttfb),
      ...(r.serviceTime && { serviceTime: encode(r.serviceTime) }),
      ...(r.firstTry && { firstTry: encode(r.firstTry) }),
    };
  }
  return {
    unit: 'us',
    latency: encode(h.latency),
    ttfb: encode(h.ttfb),
    queueWait: encode(h.queueWait),
    ...(h.serviceTime && { serviceTime: encode(h.serviceTime) }),
    scheduleLag: encode(h.scheduleLag),
    ...(h.handshake && { handshake: encode(h.handshake) }),
    ...(h.firstTry && { firstTry: encode(h.firstTry) }),
    ...(h.iteration && { iteration: encode(h.iteration) }),
    requests,
    ...(Object.keys(h.targets).length > 0 && {
      targets: Object.fromEntries(Object.entries(h.targets).map(([name, t]) => [name, { latency: encode(t.latency), ttfb: encode(t.ttfb) }])),
    }),
  };
}

/** The whole plan from its parts' shares: the split's whole numbers add back exactly; rates add. */
function mergePlans(plans: readonly PlanSummary[]): PlanSummary {
  const first = plans[0]!;
  const total = (pick: (p: PlanSummary) => number) => sum(plans.map(pick));
  const nullable = (pick: (p: PlanSummary) => number | null | undefined) =>
    plans.every((p) => pick(p) === null || pick(p) === undefined) ? pick(first) : total((p) => pick(p) ?? 0);
  const requests = new Map<string, PlanSummary['requests'][number]>();
  for (const plan of plans) for (const r of plan.requests) if (!requests.has(r.name)) requests.set(r.name, r);
  const thresholds = new Map<string, NonNullable<PlanSummary['thresholds']>[number]>();
  for (const plan of plans) for (const t of plan.thresholds ?? []) if (!thresholds.has(t.expr)) thresholds.set(t.expr, t);
  const merged: PlanSummary = {
    ...first,
    name: joinDistinct(plans.map((p) => p.name)),
    target: joinDistinct(plans.map((p) => p.target)),
    concurrency: total((p) => p.concurrency),
    iterations: nullable((p) => p.iterations) as number | null,
    connections: total((p) => p.connections),
    maxInflight: total((p) => p.maxInflight),
    requests: [...requests.values()],
  };
  if (first.rate !== undefined) merged.rate = first.rate === null ? null : roundRate(total((p) => p.rate ?? 0));
  if (first.maxQueued !== undefined) merged.maxQueued = total((p) => p.maxQueued ?? 0);
  if (first.stages !== undefined) {
    const rates = first.model === 'open';
    merged.stages = first.stages.map((stage, i) => {
      const target = total((p) => p.stages?.[i]?.target ?? 0);
      return { durationMs: stage.durationMs, target: rates ? roundRate(target) : target };
    });
  }
  if (first.thresholds !== undefined) merged.thresholds = [...thresholds.values()];
  return merged;
}

/** Rates divided into parts and added back carry float noise (100/3 × 3 = 100.00000000000001). */
const roundRate = (rate: number): number => Math.round(rate * 1e6) / 1e6;

/** One part's point of a second, with that second's encoded histogram (undefined: the part has none). */
interface PartSecond {
  point: SeriesPoint;
  histogram: string | null | undefined;
}

/**
 * Per-second series aligned by each part's measured-window start (wall clock, whole seconds), with the
 * merged per-second histograms (null when some part had none: see the file comment).
 */
function mergeSeries(parts: readonly RunResult[]): { points: SeriesPoint[]; histograms: Array<string | null> | null } {
  const starts = parts.map((p) => Date.parse(p.measureStartedAt ?? p.startedAt));
  const base = Math.min(...starts);
  const byT = new Map<number, PartSecond[]>();
  parts.forEach((part, i) => {
    const shift = Math.round((starts[i]! - base) / 1000);
    const encoded = part.histograms.series;
    part.series.forEach((point, index) => {
      const t = point.t + shift;
      byT.set(t, [...(byT.get(t) ?? []), { point, histogram: encoded === undefined ? undefined : (encoded[index] ?? null) }]);
    });
  });
  const merged = [...byT.entries()].sort((a, b) => a[0] - b[0]).map(([t, seconds]) => mergePoint(t, seconds));
  const exact = merged.every((m) => m.histogram !== undefined);
  return { points: merged.map((m) => m.point), histograms: exact ? merged.map((m) => m.histogram!) : null };
}

function mergePoint(t: number, seconds: readonly PartSecond[]): { point: SeriesPoint; histogram: string | null | undefined } {
  const points = seconds.map((s) => s.point);
  const histogram = addSecond(seconds);
  const [p50 = null, p90 = null, p99 = null] =
    histogram === undefined ? approximatePercentiles(points) : histogram === null ? [] : percentilesMs(histogram, [50, 90, 99]);
  const point: SeriesPoint = { t, requests: sum(points.map((p) => p.requests)), errors: sum(points.map((p) => p.errors)), p50, p90, p99 };
  const worst = (key: 'eventLoopDelayP99' | 'eventLoopDelayMax' | 'cpuPercent' | 'rssMb' | 'scheduleLagMax') => {
    const values = points.map((p) => p[key]).filter((v): v is number => v !== undefined);
    if (values.length > 0) point[key] = Math.max(...values);
  };
  const added = (key: 'scheduled' | 'arrivals' | 'dropped' | 'vus') => {
    if (points.some((p) => p[key] !== undefined)) point[key] = sum(points.map((p) => p[key] ?? 0));
  };
  worst('eventLoopDelayP99');
  worst('eventLoopDelayMax');
  worst('cpuPercent');
  worst('rssMb');
  worst('scheduleLagMax');
  added('scheduled');
  added('arrivals');
  added('dropped');
  added('vus');
  return { point, histogram: histogram ? encode(histogram) : histogram };
}

/** The sum of the parts' histograms of one second; null when none timed a response; undefined when a timed part has none. */
function addSecond(seconds: readonly PartSecond[]): LatencyHistogram | null | undefined {
  const timed = seconds.filter((s) => s.histogram !== null && !(s.histogram === undefined && s.point.p50 === null));
  if (timed.length === 0) return null;
  if (timed.some((s) => s.histogram === undefined)) return undefined;
  const into = createHistogram();
  for (const s of timed) addInto(into, decode(s.histogram!));
  return into;
}

/** Parts without per-second histograms: the request-weighted mean of the p50s, the largest p90 and p99 (upper bounds). */
function approximatePercentiles(points: readonly SeriesPoint[]): Array<number | null> {
  const timed = points.filter((p) => p.p50 !== null && p.requests > 0);
  const weighted = timed.length === 0 ? null : sum(timed.map((p) => p.p50! * p.requests)) / sum(timed.map((p) => p.requests));
  const largest = (values: ReadonlyArray<number | null | undefined>) => {
    const present = values.filter((v): v is number => typeof v === 'number');
    return present.length === 0 ? null : Math.max(...present);
  };
  return [weighted === null ? null : Math.round(weighted * 1000) / 1000, largest(points.map((p) => p.p90)), largest(points.map((p) => p.p99))];
}

function mergeWarmup(list: ReadonlyArray<RunResult['warmup']>): RunResult['warmup'] {
  const warmup: RunResult['warmup'] = { durationMs: Math.max(...list.map((w) => w.durationMs)), sent: sum(list.map((w) => w.sent)) };
  if (list.some((w) => w.retries !== undefined)) warmup.retries = sum(list.map((w) => w.retries ?? 0));
  return warmup;
}

function mergeArrival(parts: readonly RunResult[]): RunResult['arrival'] {
  const list = parts.map((p) => p.arrival).filter((a) => a !== undefined);
  if (list.length === 0) return undefined;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    windowMs: Math.max(...list.map((a) => a.windowMs)),
    scheduled: sum(list.map((a) => a.scheduled)),
    // The parts ran side by side: their rates add.
    targetRps: round(sum(list.map((a) => a.targetRps))),
    achievedRps: round(sum(list.map((a) => a.achievedRps))),
    dropped: sum(list.map((a) => a.dropped)),
    maxQueued: sum(list.map((a) => a.maxQueued)),
    behind: list.some((a) => a.behind),
  };
}

/** Each part is its own generator: the worst one decides, and each reason says which part it was. */
function mergeGenerator(parts: readonly RunResult[], labels: readonly string[]): GeneratorStats | undefined {
  const present = parts.map((p, i) => [p.generator, labels[i] ?? `part ${i + 1}`] as const).filter(([g]) => g !== undefined);
  if (present.length === 0) return undefined;
  const list = present.map(([g]) => g!);
  return {
    eventLoopDelayMs: {
      p50: Math.max(...list.map((g) => g.eventLoopDelayMs.p50)),
      p99: Math.max(...list.map((g) => g.eventLoopDelayMs.p99)),
      max: Math.max(...list.map((g) => g.eventLoopDelayMs.max)),
    },
    cpuPercent: { mean: Math.max(...list.map((g) => g.cpuPercent.mean)), max: Math.max(...list.map((g) => g.cpuPercent.max)) },
    saturated: list.some((g) => g.saturated),
    reasons: present.flatMap(([g, label]) => g!.reasons.map((reason) => `${label}: ${reason}`)),
    limits: list[0]!.limits,
  };
}

function mergeTls(list: ReadonlyArray<TlsSummary | null>, handshake: LatencyHistogram | null): TlsSummary | null {
  const present = list.filter((t): t is TlsSummary => t !== null);
  if (present.length === 0) return null;
  const first = present[0]!;
  return {
    ...first,
    insecure: present.some((t) => t.insecure),
    clientCertificate: present.some((t) => t.clientCertificate),
    customCa: present.some((t) => t.customCa),
    handshakes: { full: sum(present.map((t) => t.handshakes.full)), resumed: sum(present.map((t) => t.handshakes.resumed)) },
    handshakeMs: handshake ? summarize(handshake) : first.handshakeMs,
  };
}

function mergeExamples(list: ReadonlyArray<Record<string, string[]>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const examples of list) {
    for (const [errorClass, messages] of Object.entries(examples)) {
      const kept = (out[errorClass] ??= []);
      for (const message of messages) if (kept.length < EXAMPLES_PER_CLASS && !kept.includes(message)) kept.push(message);
    }
  }
  return out;
}

function sumRecords<K extends string>(list: ReadonlyArray<Partial<Record<K, number>>>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const record of list) for (const [key, n] of Object.entries(record) as Array<[K, number]>) out[key] = (out[key] ?? 0) + n;
  return out;
}

function sortedByKey(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort((a, b) => Number(a[0]) - Number(b[0])));
}

function dominant<K extends string>(counts: Partial<Record<K, number>>): K | null {
  let best: K | null = null;
  for (const [key, n] of Object.entries(counts) as Array<[K, number]>) if (best === null || n > (counts[best] ?? 0)) best = key;
  return best;
}

const joinDistinct = (values: readonly string[]): string => unique(values).join(' + ');
const earliest = (isoTimes: readonly string[]): string => new Date(Math.min(...isoTimes.map((t) => Date.parse(t)))).toISOString();


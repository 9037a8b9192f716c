// --otlp: the same metric families as the Prometheus endpoint, pushed over OTLP/HTTP (JSON) every few
// seconds by the OpenTelemetry JS SDK. The SDK is loaded (dynamic import) only when --otlp is given. Our
// figures are already aggregated (cumulative counters, HDR histograms), so they reach the SDK's periodic
// reader through a MetricProducer rather than through instruments fed per request: nothing is recorded twice.
import type { DataPoint, Histogram, MetricData, MetricProducer, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { HrTime } from '@opentelemetry/api';
import type { MetricFamily } from '../report/prometheus.ts';

export interface OtlpPush {
  /** Pushes the current figures now (the final ones, after the run) and stops. */
  finish(): Promise<void>;
}

/** Milliseconds since the epoch as OTLP's [seconds, nanoseconds]. */
function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/**
 * Starts pushing `read()` (null: nothing measured yet) to `url` every `intervalMs` (`shownUrl`: the same
 * with its credentials masked, for messages). `startMs` is the start of the cumulative counts (the measured window).
 */
export async function startOtlpPush(
  url: string,
  shownUrl: string,
  intervalMs: number,
  version: string,
  read: () => { families: MetricFamily[]; startMs: number } | null,
  onError: (message: string) => void,
): Promise<OtlpPush> {
  const sdk = await import('@opentelemetry/sdk-metrics');
  const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const { ValueType } = await import('@opentelemetry/api');
  const resource = resourceFromAttributes({ 'service.name': 'loadhttp', 'service.version': version });
  const temporality = sdk.AggregationTemporality.CUMULATIVE;

  const toMetric = (family: MetricFamily, startTime: HrTime, endTime: HrTime): MetricData => {
    const descriptor = { name: family.name, description: family.help, unit: family.unit, valueType: ValueType.DOUBLE };
    const point = <T>(attributes: Record<string, string>, value: T): DataPoint<T> => ({ startTime, endTime, attributes, value });
    if (family.type === 'histogram') {
      const dataPoints = family.samples.map((h) => {
        // OTLP counts each bucket on its own (n bounds, n + 1 buckets); Prometheus' are cumulative.
        const counts = [...h.cumulative, h.count].map((c, i, all) => c - (i === 0 ? 0 : all[i - 1]!));
        return point<Histogram>(h.labels, { buckets: { boundaries: [...h.bounds], counts }, sum: h.sum, count: h.count });
      });
      return { descriptor, aggregationTemporality: temporality, dataPointType: sdk.DataPointType.HISTOGRAM, dataPoints };
    }
    const dataPoints = family.samples.map((s) => point(s.labels, s.value));
    if (family.type === 'gauge') return { descriptor, aggregationTemporality: temporality, dataPointType: sdk.DataPointType.GAUGE, dataPoints };
    return { descriptor, aggregationTemporality: temporality, dataPointType: sdk.DataPointType.SUM, dataPoints, isMonotonic: true };
  };

  const producer: MetricProducer = {
    collect: async () => {
      const now = read();
      const resourceMetrics: ResourceMetrics = { resource, scopeMetrics: [] };
      if (now !== null) {
        const startTime = hrTime(now.startMs);
        const endTime = hrTime(Date.now());
        const metrics = now.families.filter((f) => f.samples.length > 0).map((f) => toMetric(f, startTime, endTime));
        resourceMetrics.scopeMetrics.push({ scope: { name: 'loadhttp', version }, metrics });
      }
      return { resourceMetrics, errors: [] };
    },
  };
  // One push, retries included, never takes longer than the interval (or 10 s): the run's end waits for the
  // last. The exporter gives up a little before the reader would, so that its failure reaches us (a reader's
  // timeout is only logged by the SDK's silent diagnostics).
  const timeoutMillis = Math.min(intervalMs, 10_000);
  const otlp = new OTLPMetricExporter({ url, temporalityPreference: temporality, timeoutMillis: Math.round(timeoutMillis * 0.8) });
  // The SDK keeps a failed export to itself: the first failure of a run is told.
  let told = false;
  const exporter: PushMetricExporter = {
    export: (metrics, done) =>
      otlp.export(metrics, (result) => {
        if (result.code !== 0 && !told) {
          told = true;
          onError(`loadhttp: --otlp: pushing to ${shownUrl} failed: ${result.error?.message ?? 'unknown error'}`);
        }
        done(result);
      }),
    forceFlush: () => otlp.forceFlush(),
    shutdown: () => otlp.shutdown(),
    selectAggregationTemporality: () => temporality,
  };
  const reader = new sdk.PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: intervalMs,
    exportTimeoutMillis: timeoutMillis,
    metricProducers: [producer],
  });
  const provider = new sdk.MeterProvider({ resource, readers: [reader] });
  return {
    finish: async () => {
      await reader.forceFlush({ timeoutMillis });
      await provider.shutdown({ timeoutMillis });
    },
  };
}

// The scenario's `metrics:` section: live metrics while the run lasts (a Prometheus endpoint, an OTLP push).
//   metrics: { port: 9464, host: 127.0.0.1, linger: 5s, otlp: http://collector:4318, otlpInterval: 5s,
//              buckets: [1ms, 5ms, 25ms, 100ms, 500ms, 2s] }
import { asSeq, duration, fail, fields, int, noneFromEnv, nonEmptyStr, opt, shown, substitutedStr, type Ctx, type Field } from './nodes.ts';
import { maskQueryFromEnv } from './requests.ts';
import type { ScenarioMetrics } from './types.ts';

const METRICS_KEYS = ['port', 'host', 'linger', 'otlp', 'otlpInterval', 'buckets'];

export function readMetrics(ctx: Ctx, field: Field): ScenarioMetrics {
  const f = fields(ctx, field.value, field.path, METRICS_KEYS);
  const metrics: ScenarioMetrics = {};
  const port = opt(f, 'port', (c) => {
    const value = int(ctx, c.value, c.path, 0);
    return value > 65535 ? fail(ctx, c.value, c.path, `${value} is not a port (0 to 65535; 0 picks a free one)`) : value;
  });
  if (port !== undefined) metrics.port = port;
  const host = opt(f, 'host', (c) => nonEmptyStr(ctx, c.value, c.path).trim());
  if (host !== undefined) metrics.host = host;
  const lingerMs = opt(f, 'linger', (c) => duration(ctx, c.value, c.path, false));
  if (lingerMs !== undefined) metrics.lingerMs = lingerMs;
  const otlp = opt(f, 'otlp', (c) => {
    const substituted = substitutedStr(ctx, c.value, c.path);
    const text = substituted.text;
    if (text.trim() === '') fail(ctx, c.value, c.path, 'must not be empty');
    if (!isHttpUrl(text.trim())) fail(ctx, c.value, c.path, `${shown(c.value, text)} is not an http: or https: URL (e.g. http://collector:4318)`);
    // What ${ENV} put into the query is a credential (an API key for the collector), as in a request's path.
    const fromEnv = noneFromEnv();
    const masked = maskQueryFromEnv(substituted, fromEnv);
    return { text: text.trim(), shown: masked.trim(), values: fromEnv.values };
  });
  if (otlp !== undefined) {
    metrics.otlp = otlp.text;
    if (otlp.values.length > 0) Object.assign(metrics, { otlpShown: otlp.shown, otlpFromEnv: otlp.values });
  }
  const otlpIntervalMs = opt(f, 'otlpInterval', (c) => duration(ctx, c.value, c.path, true));
  if (otlpIntervalMs !== undefined) metrics.otlpIntervalMs = otlpIntervalMs;
  const bucketsMs = opt(f, 'buckets', (c) => {
    const seq = asSeq(ctx, c.value, c.path, 'a list of durations in ascending order, e.g. [1ms, 5ms, 25ms, 100ms, 1s]');
    if (seq.items.length === 0) fail(ctx, c.value, c.path, 'expected at least one bucket bound, e.g. [1ms, 5ms, 25ms, 100ms, 1s]');
    const list = seq.items.map((item, i) => duration(ctx, item, `${c.path}[${i}]`, true));
    list.forEach((ms, i) => {
      if (i > 0 && ms <= list[i - 1]!) fail(ctx, seq.items[i], `${c.path}[${i}]`, `bucket bounds must ascend: ${ms} ms after ${list[i - 1]} ms`);
    });
    return list;
  });
  if (bucketsMs !== undefined) metrics.bucketsMs = bucketsMs;
  return metrics;
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

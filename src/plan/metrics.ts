// Live metrics, resolved: the scenario's `metrics:` under the --metrics-* and --otlp flags. null when
// neither an endpoint nor a push was asked for (then nothing listens and nothing is pushed).
import type { ScenarioMetrics } from '../scenario/types.ts';
import { MASK } from '../util/redact.ts';
import { headerListSecrets, userinfoSecrets } from './secrets.ts';
import type { Overrides, PlannedMetrics } from './types.ts';

export const METRICS_DEFAULTS = {
  /** Only this machine can scrape unless --metrics-host / metrics.host says otherwise. */
  host: '127.0.0.1',
  /** After the run, the endpoint keeps serving the final figures this long, so the last scrape sees the totals. */
  lingerMs: 5_000,
  otlpIntervalMs: 5_000,
} as const;

export function resolveMetrics(scenario: ScenarioMetrics | undefined, overrides: Overrides): PlannedMetrics | null {
  const port = overrides.metricsPort ?? scenario?.port ?? null;
  const otlp = overrides.otlp ?? scenario?.otlp ?? null;
  if (port === null && otlp === null) return null;
  return {
    port,
    host: overrides.metricsHost ?? scenario?.host ?? METRICS_DEFAULTS.host,
    lingerMs: overrides.metricsLingerMs ?? scenario?.lingerMs ?? METRICS_DEFAULTS.lingerMs,
    otlp: otlp === null ? null : otlpMetricsUrl(otlp),
    shownOtlp: otlp === null ? null : maskedUserinfo(otlpMetricsUrl(overrides.otlp ?? scenario?.otlpShown ?? otlp)),
    otlpIntervalMs: overrides.otlpIntervalMs ?? scenario?.otlpIntervalMs ?? METRICS_DEFAULTS.otlpIntervalMs,
    bucketsS: (overrides.metricsBucketsMs ?? scenario?.bucketsMs)?.map((ms) => ms / 1000) ?? null,
  };
}

/**
 * The collector's base URL (http://collector:4318) gets the OTLP/HTTP metrics path, as
 * OTEL_EXPORTER_OTLP_ENDPOINT does; a URL with a path of its own is used as given.
 */
export function otlpMetricsUrl(text: string): string {
  const url = new URL(text);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/metrics';
  return url.toString();
}

/**
 * The OTLP push's credentials (plan.secrets): its URL's userinfo, what ${ENV} put into its query, and the
 * header values the exporter takes from OTEL_EXPORTER_OTLP_HEADERS / OTEL_EXPORTER_OTLP_METRICS_HEADERS.
 */
export function otlpSecrets(scenario: ScenarioMetrics | undefined, overrides: Overrides, env: NodeJS.ProcessEnv = process.env): string[] {
  const otlp = overrides.otlp ?? scenario?.otlp;
  if (otlp === undefined) return [];
  const fromEnv = overrides.otlp === undefined ? (scenario?.otlpFromEnv ?? []) : [];
  const headers = [env.OTEL_EXPORTER_OTLP_HEADERS, env.OTEL_EXPORTER_OTLP_METRICS_HEADERS].flatMap((list) => (list ? headerListSecrets(list) : []));
  return [...userinfoSecrets(new URL(otlp)), ...fromEnv, ...headers];
}

/** The URL as outputs show it: its userinfo (a credential however short) masked where it stands. */
function maskedUserinfo(href: string): string {
  const url = new URL(href);
  if (url.username === '' && url.password === '') return href;
  const start = url.protocol.length + 2;
  return `${href.slice(0, start)}${MASK}${href.slice(href.indexOf('@', start))}`;
}

// Live metrics of a run (--metrics-port, --otlp, `metrics:`): the latest figures (a partial result about
// once a second, merged over workers by the engine), served at /metrics and/or pushed over OTLP; after the
// run, the final figures, served for the linger period so that the last scrape sees the totals.
import type { PlannedMetrics } from '../plan/types.ts';
import { metricFamilies, renderExposition, type Labels, type MetricFamily } from '../report/prometheus.ts';
import type { RunResult } from '../result/result.ts';
import { formatDuration } from '../util/duration.ts';
import { MetricsEndpoint } from './metrics-endpoint.ts';
import { startOtlpPush, type OtlpPush } from './metrics-otlp.ts';

export class LiveMetrics {
  private readonly config: PlannedMetrics;
  private readonly labels: Labels;
  private endpoint: MetricsEndpoint | null;
  private push: OtlpPush | null = null;
  private latest: RunResult | null = null;

  private constructor(config: PlannedMetrics, labels: Labels, endpoint: MetricsEndpoint | null) {
    this.config = config;
    this.labels = labels;
    this.endpoint = endpoint;
  }

  /** Listens and/or starts pushing before the first request; `say` prints a line for the user. */
  static async start(config: PlannedMetrics, labels: Labels, version: string, say: (line: string) => void): Promise<LiveMetrics> {
    let live: LiveMetrics | null = null;
    const scrape = () => (live?.latest ? renderExposition(live.families(live.latest)) : '# loadhttp: no figures yet (the measured window has not begun)\n');
    const endpoint = config.port === null ? null : await MetricsEndpoint.listen(config.host, config.port, scrape);
    live = new LiveMetrics(config, labels, endpoint);
    if (endpoint) say(`loadhttp: metrics at ${endpoint.url}`);
    if (config.otlp !== null) {
      try {
        const reading = live;
        live.push = await startOtlpPush(config.otlp, config.shownOtlp ?? config.otlp, config.otlpIntervalMs, version, () => reading.read(), say);
      } catch (error) {
        await endpoint?.close();
        throw error;
      }
      say(`loadhttp: pushing metrics over OTLP to ${config.shownOtlp} every ${formatDuration(config.otlpIntervalMs)}`);
    }
    return live;
  }

  /** The figures so far (masked like every output). */
  update(result: RunResult): void {
    this.latest = result;
  }

  /**
   * The final figures: pushed once more, then served for the linger period (a second Ctrl-C or SIGTERM ends
   * it early), then everything stops.
   */
  async finish(result: RunResult, say: (line: string) => void): Promise<void> {
    this.latest = result;
    try {
      await this.push?.finish();
      this.push = null;
      if (this.endpoint && this.config.lingerMs > 0) {
        say(`loadhttp: serving the final figures at ${this.endpoint.url} for ${formatDuration(this.config.lingerMs)} (--metrics-linger)`);
        await linger(this.config.lingerMs);
      }
    } finally {
      await this.close();
    }
  }

  /** Stops pushing and serving (again: a no-op). */
  async close(): Promise<void> {
    const { push, endpoint } = this;
    this.push = null;
    this.endpoint = null;
    await push?.finish();
    await endpoint?.close();
  }

  private read(): { families: MetricFamily[]; startMs: number } | null {
    const result = this.latest;
    if (result === null) return null;
    return { families: this.families(result), startMs: Date.parse(result.measureStartedAt ?? result.startedAt) };
  }

  private families(result: RunResult): MetricFamily[] {
    return metricFamilies(result, this.labels, this.config.bucketsS ?? undefined);
  }
}

function linger(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

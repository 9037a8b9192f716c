// Live metrics: the Prometheus endpoint while the run lasts (parsed with a real parser library: growing,
// never decreasing counters) and after it (totals equal to the --json result), with workers and shard
// labels; the scenario's `metrics:` section and the flags' errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { parseScenario } from '../src/scenario/load.ts';
import { LATENCY_BUCKETS_S } from '../src/report/prometheus.ts';
import type { RunResult } from '../src/result/result.ts';
import { runCli } from './helpers/cli.ts';
import { runLiveCli } from './helpers/live-cli.ts';
import { startServer } from './helpers/servers.ts';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'loadhttp-metrics-'));

function scenarioFile(dir: string, target: string, extra = ''): string {
  const file = path.join(dir, 'scenario.yaml');
  writeFileSync(
    file,
    `name: live-metrics
target: ${target}
requests:
  - { name: items, path: /items, weight: 3 }
  - { name: missing, path: /missing, weight: 1 }
${extra}`,
  );
  return file;
}

/**
 * One scrape, parsed by parse-prometheus-text-format. That library folds a histogram's samples into one
 * and drops their labels (it only knows unlabelled histograms), so the histograms are read a second time
 * with their TYPE lines left out: their _bucket, _sum and _count samples then come as plain families with
 * every label kept.
 */
interface Scrape {
  families: ReturnType<typeof parsePrometheusTextFormat>;
  /** name -> histogram samples by their labels (without le): buckets by le, count, sum. */
  histograms: Map<string, Array<{ labels: Record<string, string>; buckets: Record<string, number>; count: number; sum: number }>>;
}

async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const families = parsePrometheusTextFormat(text);
  const histogramNames = families.filter((f) => f.type === 'HISTOGRAM').map((f) => f.name);
  const untyped = parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram\n/gm, ''));
  const histograms: Scrape['histograms'] = new Map();
  for (const name of histogramNames) {
    // Each request's histogram lines come as families of their own (one per run of equal names).
    const part = (suffix: string) => untyped.filter((f) => f.name === `${name}${suffix}`).flatMap((f) => f.metrics);
    const key = (labels: Record<string, string> = {}) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le'));
    const byLabels = new Map<string, { labels: Record<string, string>; buckets: Record<string, number>; count: number; sum: number }>();
    for (const m of part('_count')) byLabels.set(key(m.labels), { labels: m.labels ?? {}, buckets: {}, count: Number(m.value), sum: NaN });
    for (const m of part('_sum')) byLabels.get(key(m.labels))!.sum = Number(m.value);
    for (const m of part('_bucket')) byLabels.get(key(m.labels))!.buckets[m.labels!.le!] = Number(m.value);
    histograms.set(name, [...byLabels.values()]);
  }
  return { families: families.filter((f) => f.type !== 'HISTOGRAM'), histograms };
}

const samplesOf = (s: Scrape, name: string) => s.families.find((f) => f.name === name)?.metrics ?? [];
const sumOf = (s: Scrape, name: string, where: (labels: Record<string, string>) => boolean = () => true) =>
  samplesOf(s, name)
    .filter((m) => where(m.labels ?? {}))
    .reduce((a, m) => a + Number(m.value), 0);

/** Every counter sample and histogram bucket and count of a scrape, keyed by family and labels. */
function counters(s: Scrape): Map<string, number> {
  const out = new Map<string, number>();
  for (const family of s.families) {
    if (family.type !== 'COUNTER') continue;
    for (const m of family.metrics) out.set(`${family.name}${JSON.stringify(m.labels ?? {})}`, Number(m.value));
  }
  for (const [name, list] of s.histograms) {
    for (const h of list) {
      const key = `${name}${JSON.stringify(h.labels)}`;
      out.set(`${key} count`, h.count);
      for (const [le, count] of Object.entries(h.buckets)) out.set(`${key} le=${le}`, count);
    }
  }
  return out;
}

/**
 * Scrapes every 250 ms until the CLI says it lingers (by then `json` is written); then once more (the final
 * figures) and waits for its end.
 */
async function scrapeRun(args: string[], json: string) {
  const cli = runLiveCli(args);
  const [, url] = await cli.waitFor(/metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/);
  let lingering = false;
  cli.waitFor(/serving the final figures .* for 4s/).then(
    () => (lingering = true),
    () => (lingering = true),
  );
  const during: Scrape[] = [];
  while (!lingering) {
    during.push(await scrape(url!));
    await sleep(250);
  }
  assert.ok(existsSync(json), 'the result file is written before the linger');
  const final = await scrape(url!);
  const done = await cli.done;
  assert.equal(done.code, 0, done.stderr);
  return { url: url!, during, final, stderr: done.stderr };
}

/** The final scrape equals the JSON result: per request and status, failures, sent, latency counts. */
function assertEqualsResult(final: Scrape, result: RunResult, bounds: string[]): void {
  for (const [name, stats] of Object.entries(result.requests)) {
    assert.equal(sumOf(final, 'loadhttp_requests_sent_total', (l) => l.name === name), stats.counts.sent, `${name} sent`);
    for (const [status, count] of Object.entries(stats.statusCodes)) {
      assert.equal(sumOf(final, 'loadhttp_requests_total', (l) => l.name === name && l.status === status && l.class === 'none'), count, `${name} ${status}`);
    }
    assert.equal(sumOf(final, 'loadhttp_requests_total', (l) => l.name === name), stats.counts.completed + stats.counts.failed + stats.counts.cancelled);
    assert.equal(sumOf(final, 'loadhttp_requests_in_flight', (l) => l.name === name), 0);
    // With --latency-correction the endpoint serves the uncorrected histogram (the service time): it only grows.
    const latency = result.latencyCorrection === 'expected-interval' ? stats.serviceTimeMs! : stats.latencyMs;
    const histogram = final.histograms.get('loadhttp_request_duration_seconds')!.find((h) => h.labels.name === name)!;
    assert.equal(histogram.count, latency.count, `${name} latency count`);
    assert.equal(histogram.buckets['+Inf'], latency.count);
    // By bound (an object lists integer keys such as "1" and "60" first).
    const buckets = Object.entries(histogram.buckets).sort((a, b) => Number(a[0].replace('+Inf', 'Infinity')) - Number(b[0].replace('+Inf', 'Infinity'))).map(([, n]) => n);
    assert.deepEqual(Object.keys(histogram.buckets).sort(), [...bounds, '+Inf'].sort());
    assert.ok(buckets.every((b, i) => i === 0 || b >= buckets[i - 1]!), `cumulative buckets: ${buckets.join(', ')}`);
    const mean = histogram.sum / histogram.count;
    assert.ok(Math.abs(mean * 1000 - latency.mean) <= latency.mean * 0.01 + 0.01, `${name} mean ${mean * 1000} ms vs ${latency.mean}`);
  }
  assert.equal(sumOf(final, 'loadhttp_requests_sent_total'), result.counts.sent);
  assert.equal(sumOf(final, 'loadhttp_bytes_received_total'), result.bytes.received);
}

/** While the run lasts, counters grow between scrapes; no counter or bucket ever goes down. */
function assertGrowing(during: Scrape[], final: Scrape): void {
  const withFigures = during.filter((s) => s.families.length > 0);
  assert.ok(withFigures.length >= 3, `scrapes with figures during the run: ${withFigures.length}`);
  const sent = withFigures.map((s) => sumOf(s, 'loadhttp_requests_sent_total'));
  assert.ok(sent.at(-1)! > sent[0]!, `sent grows during the run: ${sent.join(', ')}`);
  const all = [...withFigures, final].map(counters);
  for (let i = 1; i < all.length; i++) {
    for (const [key, value] of all[i - 1]!) {
      const next = all[i]!.get(key);
      assert.ok(next !== undefined && next >= value, `${key} went from ${value} to ${next} (scrape ${i})`);
    }
  }
}

test('metrics: /metrics during the run shows growing counters; after the run the totals equal the --json result', async () => {
  const server = await startServer({ delayMs: 2, status: (req) => (req.url === '/missing' ? 404 : 200) });
  const dir = tmp();
  const json = path.join(dir, 'result.json');
  try {
    const file = scenarioFile(dir, server.url, 'metrics: { port: 0, linger: 4s }\n');
    const { final, during, stderr } = await scrapeRun(['run', file, '-c', '4', '-d', '3s', '--json', json, '-q'], json);
    const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    assert.ok(result.counts.completed > 50, `completed ${result.counts.completed}`);
    assertGrowing(during, final);
    assertEqualsResult(final, result, LATENCY_BUCKETS_S.map(String));
    assert.equal(sumOf(final, 'loadhttp_requests_total', (l) => l.name === 'missing' && l.status === '404'), result.requests.missing!.statusCodes['404']);
    const info = samplesOf(final, 'loadhttp_info')[0]!;
    assert.equal(info.labels!.scenario, 'live-metrics');
    assert.equal(info.labels!.run_id, result.runId, 'the run id, derived from the scenario');
    assert.equal(info.labels!.shard, undefined, 'no shard label on a run that is not sharded');
    assert.ok(samplesOf(final, 'loadhttp_generator_cpu_ratio').length === 1);
    assert.match(stderr, /serving the final figures at http:\/\/127\.0\.0\.1:\d+\/metrics for 4s \(--metrics-linger\)/);
  } finally {
    await server.close();
  }
});

test('metrics: --workers 2 serves the merged figures (warmup and --latency-correction never make a counter go down); a shard labels every series with the run id and its index', async () => {
  const server = await startServer({ delayMs: 2, status: (req) => (req.url === '/missing' ? 404 : 200) });
  const dir = tmp();
  const json = path.join(dir, 'result.json');
  try {
    const file = scenarioFile(dir, server.url);
    const args = ['run', file, '-c', '4', '-d', '3s', '--warmup', '1s', '--latency-correction', '--workers', '2', '--shard', '1/2', '--run-id', 'nightly-7'];
    const metrics = ['--metrics-port', '0', '--metrics-linger', '4s', '--metrics-buckets', '1ms,5ms,50ms,1s'];
    const { final, during } = await scrapeRun([...args, ...metrics, '--json', json, '-q'], json);
    const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    assert.equal(result.workers, 2);
    assert.equal(result.latencyCorrection, 'expected-interval');
    assert.ok(result.warmup.sent > 0, 'warmup requests were sent, and are in no counter');
    assertGrowing(during, final);
    assertEqualsResult(final, result, ['0.001', '0.005', '0.05', '1']);
    const labelled = [...final.families.flatMap((f) => f.metrics.map((m) => ({ name: f.name, labels: m.labels ?? {} }))), ...[...final.histograms].flatMap(([name, list]) => list.map((h) => ({ name, labels: h.labels })))];
    assert.ok(labelled.length > 20);
    for (const { name, labels } of labelled) {
      assert.equal(labels.run_id, 'nightly-7', name);
      assert.equal(labels.shard, '1', name);
    }
  } finally {
    await server.close();
  }
});

test('metrics: a flow over two targets with --workers 2: iterations by outcome and per-instance families, growing, and equal to the --json result at the end', async () => {
  // The second instance answers one buy in 6 with 503: failed iterations, and failures on that instance only.
  let buys = 0;
  const a = await startServer({ delayMs: 2 });
  const b = await startServer({ delayMs: 2, status: (req) => (req.url === '/buy' && ++buys % 6 === 0 ? 503 : 200) });
  const dir = tmp();
  const json = path.join(dir, 'result.json');
  try {
    const file = path.join(dir, 'flow.yaml');
    writeFileSync(file, `name: flow-metrics\ntargets: [${a.url}, ${b.url}]\nflow:\n  - { name: list, path: /items }\n  - { name: buy, path: /buy }\nmetrics: { port: 0, linger: 4s }\n`);
    const { final, during } = await scrapeRun(['run', file, '-c', '4', '-d', '3s', '--workers', '2', '--json', json, '-q'], json);
    const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    assert.equal(result.workers, 2);
    const it = result.iterations!;
    assert.ok(it.completed > 20 && it.failed > 0, JSON.stringify(it));
    assertGrowing(during, final);
    assertEqualsResult(final, result, LATENCY_BUCKETS_S.map(String));
    const iterationsDuring = during.map((s) => sumOf(s, 'loadhttp_iterations_total', (l) => l.outcome === 'completed')).filter((n) => n > 0);
    assert.ok(iterationsDuring.length >= 3 && iterationsDuring.at(-1)! > iterationsDuring[0]!, `completed iterations grow while the run lasts: ${iterationsDuring.join(', ')}`);
    for (const outcome of ['completed', 'failed', 'interrupted'] as const) {
      assert.equal(sumOf(final, 'loadhttp_iterations_total', (l) => l.outcome === outcome), it[outcome], outcome);
    }
    const [duration] = final.histograms.get('loadhttp_iteration_duration_seconds')!;
    assert.equal(duration!.count, it.durationMs.count);
    assert.equal(duration!.count, it.completed + it.failed);
    assert.ok(Math.abs((duration!.sum / duration!.count) * 1000 - it.durationMs.mean) <= it.durationMs.mean * 0.01 + 0.01, `${duration!.sum / duration!.count} s vs ${it.durationMs.mean} ms`);
    const instances = final.histograms.get('loadhttp_instance_request_duration_seconds')!;
    assert.deepEqual(instances.map((h) => h.labels.target).sort(), Object.keys(result.targets!).sort());
    for (const [target, stats] of Object.entries(result.targets!)) {
      for (const [status, count] of Object.entries(stats.statusCodes)) {
        assert.equal(sumOf(final, 'loadhttp_instance_requests_total', (l) => l.target === target && l.status === status && l.class === 'none'), count, `${target} ${status}`);
      }
      assert.equal(sumOf(final, 'loadhttp_instance_requests_total', (l) => l.target === target), stats.counts.completed + stats.counts.failed + stats.counts.cancelled, target);
      assert.equal(instances.find((h) => h.labels.target === target)!.count, stats.latencyMs.count, `${target} latency count`);
    }
    assert.equal(sumOf(final, 'loadhttp_instance_requests_total', (l) => l.target === `127.0.0.1:${b.port}` && l.status === '503'), result.targets![`127.0.0.1:${b.port}`]!.statusCodes['503']);
    assert.equal(sumOf(final, 'loadhttp_instance_requests_total', (l) => l.target === `127.0.0.1:${a.port}` && l.status === '503'), 0);
    assert.equal(sumOf(final, 'loadhttp_instance_requests_total'), sumOf(final, 'loadhttp_requests_total'), 'the instances split the same requests');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('metrics: a busy --metrics-port is a usage error before anything is sent; bad values name the flag', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as { port: number }).port;
  const server = await startServer();
  try {
    const taken = await runCli(['run', '--url', server.url, '-n', '5', '--metrics-port', String(port)]);
    assert.equal(taken.code, 2, taken.stderr);
    assert.match(taken.stderr, new RegExp(`--metrics-port: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
    assert.equal(server.stats.requests, 0);
    const bad = await runCli(['run', '--url', server.url, '-n', '5', '--metrics-port', '70000']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--metrics-port: 70000 is not a port/);
    const otlp = await runCli(['run', '--url', server.url, '-n', '5', '--otlp', 'collector:4318']);
    assert.equal(otlp.code, 2);
    assert.match(otlp.stderr, /--otlp: "collector:4318" is not an http: or https: URL/);
    const buckets = await runCli(['run', '--url', server.url, '-n', '5', '--metrics-port', '0', '--metrics-buckets', '10ms,2ms']);
    assert.equal(buckets.code, 2);
    assert.match(buckets.stderr, /--metrics-buckets: bounds must ascend/);
  } finally {
    busy.close();
    await server.close();
  }
});

test('metrics: the scenario section is checked with file:line:col and did-you-mean', () => {
  const base = 'target: http://127.0.0.1:8080\nrequests: [{ path: / }]\n';
  const ok = parseScenario(`${base}metrics: { port: 9464, host: 0.0.0.0, linger: 2s, otlp: http://collector:4318, otlpInterval: 10s, buckets: [1ms, 20ms, 1s] }\n`, 's.yaml');
  assert.deepEqual(ok.metrics, { port: 9464, host: '0.0.0.0', lingerMs: 2000, otlp: 'http://collector:4318', otlpIntervalMs: 10_000, bucketsMs: [1, 20, 1000] });
  assert.throws(() => parseScenario(`${base}metrics: { buckets: [5ms, 1ms] }\n`, 's.yaml'), /s\.yaml:3:27.*bucket bounds must ascend: 1 ms after 5 ms/s);
  assert.throws(() => parseScenario(`${base}metrics:\n  prot: 9464\n`, 's.yaml'), /s\.yaml:4:3.*unknown key `prot`.*did you mean `port`/s);
  assert.throws(() => parseScenario(`${base}metrics: { port: 99999 }\n`, 's.yaml'), /s\.yaml:3:18.*99999 is not a port/s);
  assert.throws(() => parseScenario(`${base}metrics: { otlp: collector }\n`, 's.yaml'), /s\.yaml:3:18.*not an http: or https: URL/s);
});

test('metrics: every metric the example Grafana dashboard queries is one the exposition has', async () => {
  const { metricFamilies } = await import('../src/report/prometheus.ts');
  const { sampleResult } = await import('./helpers/sample-result.ts');
  const known = new Set(metricFamilies(sampleResult()).flatMap((f) => (f.type === 'histogram' ? [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`] : [f.name])));
  const dashboard = JSON.parse(readFileSync(new URL('../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/loadhttp_[a-z_]+/g) ?? [])));
  assert.ok(used.size >= 8);
  for (const name of used) assert.ok(known.has(name), `${name} is not exposed`);
});

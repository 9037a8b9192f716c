// --otlp: a test receiver (node:http on 127.0.0.1, POST /v1/metrics, the JSON encoding of OTLP) gets the
// metrics every interval during the run, and a last push after it whose totals equal the --json result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult } from '../src/result/result.ts';
import { runCli } from './helpers/cli.ts';
import { startServer } from './helpers/servers.ts';

interface KeyValue {
  key: string;
  value: { stringValue?: string };
}
interface OtlpPoint {
  attributes?: KeyValue[];
  asDouble?: number;
  asInt?: string | number;
  count?: string | number;
  sum?: number;
  bucketCounts?: Array<string | number>;
  explicitBounds?: number[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
}
interface OtlpMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: OtlpPoint[]; isMonotonic?: boolean; aggregationTemporality?: number };
  gauge?: { dataPoints: OtlpPoint[] };
  histogram?: { dataPoints: OtlpPoint[]; aggregationTemporality?: number };
}
interface Export {
  resourceMetrics: Array<{ resource: { attributes: KeyValue[] }; scopeMetrics: Array<{ scope: { name: string }; metrics: OtlpMetric[] }> }>;
}

/** A collector stand-in: every export request's decoded body, in order. */
async function receiver(): Promise<{ server: Server; url: string; exports: Export[]; contentTypes: string[] }> {
  const exports: Export[] = [];
  const contentTypes: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/metrics') {
        res.writeHead(404).end();
        return;
      }
      contentTypes.push(req.headers['content-type'] ?? '');
      exports.push(JSON.parse(body) as Export);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}`, exports, contentTypes };
}

const attrs = (p: OtlpPoint) => Object.fromEntries((p.attributes ?? []).map((a) => [a.key, a.value.stringValue ?? '']));
const num = (v: string | number | undefined) => Number(v ?? NaN);
const pointValue = (p: OtlpPoint) => (p.asDouble !== undefined ? p.asDouble : num(p.asInt));

function metricsOf(e: Export): Map<string, OtlpMetric> {
  return new Map(e.resourceMetrics.flatMap((r) => r.scopeMetrics.filter((s) => s.scope.name === 'loadhttp').flatMap((s) => s.metrics.map((m) => [m.name, m] as const))));
}

function total(metrics: Map<string, OtlpMetric>, name: string, where: (a: Record<string, string>) => boolean = () => true): number {
  const m = metrics.get(name);
  const points = m?.sum?.dataPoints ?? m?.gauge?.dataPoints ?? [];
  return points.filter((p) => where(attrs(p))).reduce((a, p) => a + pointValue(p), 0);
}

test('otlp: pushes during the run and after it; the last push equals the --json result', async () => {
  const target = await startServer({ delayMs: 2, status: (req) => (req.url === '/missing' ? 404 : 200) });
  const collector = await receiver();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-otlp-'));
  const json = path.join(dir, 'result.json');
  const file = path.join(dir, 'scenario.yaml');
  writeFileSync(file, `name: otlp\ntarget: ${target.url}\nrequests:\n  - { name: items, path: /items, weight: 3 }\n  - { name: missing, path: /missing }\n`);
  try {
    const run = await runCli(['run', file, '-c', '4', '-d', '3s', '--otlp', collector.url, '--otlp-interval', '1s', '--json', json, '-q']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`pushing metrics over OTLP to ${collector.url}/v1/metrics every 1s`));
    const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    const withFigures = collector.exports.map(metricsOf).filter((m) => m.size > 0);
    assert.ok(withFigures.length >= 3, `pushes with figures: ${withFigures.length} of ${collector.exports.length}`);
    assert.ok(collector.contentTypes.every((t) => t.startsWith('application/json')), collector.contentTypes.join(', '));
    const sent = withFigures.map((m) => total(m, 'loadhttp_requests_sent_total'));
    assert.ok(sent.every((n, i) => i === 0 || n >= sent[i - 1]!), `monotonic: ${sent.join(', ')}`);
    assert.ok(sent.at(-1)! > sent[0]!, `grows: ${sent.join(', ')}`);

    const last = withFigures.at(-1)!;
    const requests = last.get('loadhttp_requests_total')!;
    assert.equal(requests.sum!.isMonotonic, true);
    assert.equal(requests.sum!.aggregationTemporality, 2, 'cumulative');
    assert.equal(last.get('loadhttp_request_duration_seconds')!.unit, 's');
    for (const [name, stats] of Object.entries(result.requests)) {
      assert.equal(total(last, 'loadhttp_requests_sent_total', (a) => a.name === name), stats.counts.sent, `${name} sent`);
      for (const [status, count] of Object.entries(stats.statusCodes)) {
        assert.equal(total(last, 'loadhttp_requests_total', (a) => a.name === name && a.status === status), count, `${name} ${status}`);
      }
      const histogram = last.get('loadhttp_request_duration_seconds')!.histogram!.dataPoints.find((p) => attrs(p).name === name)!;
      assert.equal(num(histogram.count), stats.latencyMs.count, `${name} latency count`);
      const buckets = histogram.bucketCounts!.map(num);
      assert.equal(buckets.length, histogram.explicitBounds!.length + 1);
      assert.equal(buckets.reduce((a, b) => a + b, 0), stats.latencyMs.count, 'buckets add up to the count');
      assert.ok(Math.abs((histogram.sum! / num(histogram.count)) * 1000 - stats.latencyMs.mean) <= stats.latencyMs.mean * 0.01 + 0.01);
    }
    assert.equal(total(last, 'loadhttp_requests_sent_total'), result.counts.sent);
    const service = collector.exports[0]!.resourceMetrics[0]!.resource.attributes.find((a) => a.key === 'service.name');
    assert.equal(service?.value.stringValue, 'loadhttp');
  } finally {
    collector.server.close();
    await target.close();
  }
});

test('otlp: a flow over two targets pushes iterations by outcome, their duration and per-instance families; the last push equals the --json result', async () => {
  let buys = 0;
  const a = await startServer({ delayMs: 2 });
  const b = await startServer({ delayMs: 2, status: (req) => (req.url === '/buy' && ++buys % 5 === 0 ? 503 : 200) });
  const collector = await receiver();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-otlp-'));
  const json = path.join(dir, 'result.json');
  const file = path.join(dir, 'flow.yaml');
  writeFileSync(file, `name: otlp-flow\ntargets: [${a.url}, ${b.url}]\nflow:\n  - { name: list, path: /items }\n  - { name: buy, path: /buy }\n`);
  try {
    const run = await runCli(['run', file, '-c', '4', '-d', '3s', '--otlp', collector.url, '--otlp-interval', '1s', '--json', json, '-q']);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    const it = result.iterations!;
    assert.ok(it.completed > 20 && it.failed > 0, JSON.stringify(it));
    const withFigures = collector.exports.map(metricsOf).filter((m) => m.size > 0);
    assert.ok(withFigures.length >= 3, `pushes with figures: ${withFigures.length}`);
    const completed = withFigures.map((m) => total(m, 'loadhttp_iterations_total', (x) => x.outcome === 'completed'));
    assert.ok(completed.every((n, i) => i === 0 || n >= completed[i - 1]!) && completed.at(-1)! > completed[0]!, `monotonic and growing: ${completed.join(', ')}`);

    const last = withFigures.at(-1)!;
    const iterations = last.get('loadhttp_iterations_total')!;
    assert.equal(iterations.sum!.isMonotonic, true);
    for (const outcome of ['completed', 'failed', 'interrupted'] as const) {
      assert.equal(total(last, 'loadhttp_iterations_total', (x) => x.outcome === outcome), it[outcome], outcome);
    }
    const duration = last.get('loadhttp_iteration_duration_seconds')!;
    assert.equal(duration.unit, 's');
    const [point] = duration.histogram!.dataPoints;
    assert.equal(num(point!.count), it.durationMs.count);
    assert.equal(point!.bucketCounts!.map(num).reduce((x, y) => x + y, 0), it.durationMs.count, 'buckets add up to the count');
    for (const [target, stats] of Object.entries(result.targets!)) {
      for (const [status, count] of Object.entries(stats.statusCodes)) {
        assert.equal(total(last, 'loadhttp_instance_requests_total', (x) => x.target === target && x.status === status), count, `${target} ${status}`);
      }
      const h = last.get('loadhttp_instance_request_duration_seconds')!.histogram!.dataPoints.find((p) => attrs(p).target === target)!;
      assert.equal(num(h.count), stats.latencyMs.count, `${target} latency count`);
    }
    assert.equal(total(last, 'loadhttp_instance_requests_total', (x) => x.status === '503'), result.statusCodes['503']);
  } finally {
    collector.server.close();
    await Promise.all([a.close(), b.close()]);
  }
});

test('otlp: a collector that is down is told once on stderr; the run and its results are not affected', async () => {
  const target = await startServer();
  const collector = await receiver();
  const down = collector.url;
  collector.server.close();
  try {
    const run = await runCli(['run', '--url', target.url, '-c', '2', '-d', '1500ms', '--otlp', down, '--otlp-interval', '500ms', '-q', '--json', '-']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr.match(/--otlp: pushing to .* failed/g)?.length, 1, run.stderr);
    assert.ok((JSON.parse(run.stdout) as RunResult).counts.completed > 0);
  } finally {
    await target.close();
  }
});

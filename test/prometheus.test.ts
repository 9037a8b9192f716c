// The Prometheus text exposition of a result: well-formed families, counters equal to the result's,
// latency histogram buckets counted exactly from the encoded HDR histograms, escaped label values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LATENCY_BUCKETS_S, escapeLabelValue, renderPrometheus } from '../src/report/prometheus.ts';
import { buildResult, withFlowAndTargets } from './helpers/build-result.ts';
import { sampleResult } from './helpers/sample-result.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the text format: HELP and TYPE once per family, before its samples. */
function parse(text: string): { types: Map<string, string>; samples: Sample[] } {
  assert.ok(text.endsWith('\n'));
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      const seen = kind === 'HELP' ? helped : types;
      assert.ok(!seen.has(name!), `${kind} ${name} twice`);
      if (kind === 'HELP') helped.add(name!);
      else types.set(name!, rest!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g)) {
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch));
    }
    const family = m[1]!.replace(/_(bucket|sum|count)$/, (suffix) => (types.get(m[1]!.slice(0, -suffix.length)) === 'histogram' ? '' : suffix));
    assert.ok(types.has(family), `${m[1]} before its TYPE`);
    samples.push({ name: m[1]!, labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
  }
  return { types, samples };
}

const total = (samples: Sample[], name: string): number => samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);

test('prometheus: counters and responses equal the result\'s, per request and summed', () => {
  const result = sampleResult({
    thresholds: [{ expr: 'p99<250ms', metric: 'p99', request: null, op: '<', limit: 250, actual: 44, passed: true, unit: 'ms' }],
    protocols: { h2: 8 },
  });
  const { types, samples } = parse(renderPrometheus(result, { job: 'nightly' }));
  assert.equal(types.get('loadhttp_requests_total'), 'counter');
  assert.equal(types.get('loadhttp_request_duration_seconds'), 'histogram');
  assert.equal(total(samples, 'loadhttp_requests_sent_total'), result.counts.sent);
  const ended = samples.filter((s) => s.name === 'loadhttp_requests_total');
  const sum = (list: Sample[]) => list.reduce((a, s) => a + s.value, 0);
  assert.equal(sum(ended.filter((s) => s.labels.class === 'none')), result.counts.completed);
  assert.equal(sum(ended.filter((s) => s.labels.status === 'none' && s.labels.class !== 'cancelled')), result.counts.failed);
  assert.equal(sum(ended), result.counts.completed + result.counts.failed + result.counts.cancelled);
  assert.equal(ended.find((s) => s.labels.name === 'list' && s.labels.status === '503')!.value, 4);
  assert.equal(ended.find((s) => s.labels.class === 'timeout')!.labels.name, 'create');
  const inFlight = result.counts.sent - result.counts.completed - result.counts.failed - result.counts.cancelled;
  assert.equal(total(samples, 'loadhttp_requests_in_flight'), inFlight);
  assert.equal(total(samples, 'loadhttp_request_duration_seconds_count'), result.latencyMs.count);
  assert.equal(samples.find((s) => s.name === 'loadhttp_threshold_passed')!.labels.threshold, 'p99<250ms');
  assert.equal(samples.find((s) => s.name === 'loadhttp_connections_opened_total')!.labels.protocol, 'h2');
  assert.equal(samples.find((s) => s.name === 'loadhttp_info')!.labels.scenario, result.name);
  assert.ok(samples.every((s) => s.labels.job === 'nightly'), 'the extra labels on every sample');
  assert.throws(() => renderPrometheus(result, { 'bad-name': 'x' }), RangeError);
});

test('prometheus: with --latency-correction the histogram is the uncorrected one (it only grows between scrapes)', () => {
  const raw = buildResult({ only: { latenciesUs: [1_000, 2_000] } });
  const withCorrection = buildResult({ only: { latenciesUs: [1_000, 2_000, 3_000, 4_000] } });
  const only = { latency: withCorrection.histograms.requests.only!.latency, ttfb: raw.histograms.requests.only!.ttfb, serviceTime: raw.histograms.requests.only!.latency };
  const corrected = { ...withCorrection, latencyCorrection: 'expected-interval' as const, histograms: { ...withCorrection.histograms, requests: { only } } };
  const { samples } = parse(renderPrometheus(corrected));
  assert.equal(samples.find((s) => s.name === 'loadhttp_request_duration_seconds_count')!.value, 2);
});

test('prometheus: latency buckets are cumulative counts of the recorded values at or below each bound', () => {
  const latencies = [500, 1_000, 1_001, 2_400, 30_000, 2_000_000, 70_000_000];
  const result = buildResult({ only: { latenciesUs: latencies } });
  const { samples } = parse(renderPrometheus(result));
  const buckets = samples.filter((s) => s.name === 'loadhttp_request_duration_seconds_bucket');
  assert.deepEqual(buckets.map((b) => b.labels.le), [...LATENCY_BUCKETS_S.map(String), '+Inf']);
  const expected = [...LATENCY_BUCKETS_S.map((le) => latencies.filter((us) => us <= le * 1e6).length), latencies.length];
  assert.deepEqual(buckets.map((b) => b.value), expected);
  assert.deepEqual(expected.slice(0, 3), [2, 4, 4], '1 ms holds 0.5 and 1.0 ms, not 1.001 ms');
  const sum = samples.find((s) => s.name === 'loadhttp_request_duration_seconds_sum')!.value;
  const exact = latencies.reduce((a, b) => a + b, 0) / 1e6;
  assert.ok(Math.abs(sum - exact) / exact < 0.001, `sum ${sum} vs ${exact}`);
  assert.equal(samples.find((s) => s.name === 'loadhttp_request_duration_seconds_count')!.value, latencies.length);
});

test('prometheus: label values are escaped; a hostile request name stays one label', () => {
  const name = 'a "quoted" \\ name\nwith a line feed';
  assert.equal(escapeLabelValue(name), 'a \\"quoted\\" \\\\ name\\nwith a line feed');
  const { samples } = parse(renderPrometheus(buildResult({ [name]: { latenciesUs: [1000] } })));
  assert.equal(samples.find((s) => s.name === 'loadhttp_requests_sent_total')!.labels.name, name);
});

test('prometheus: other bucket bounds count the same HDR data; bounds must ascend', () => {
  const result = buildResult({ only: { latenciesUs: [500, 3_000, 40_000, 900_000] } });
  const { samples } = parse(renderPrometheus(result, {}, [0.001, 0.05, 1]));
  const buckets = samples.filter((s) => s.name === 'loadhttp_request_duration_seconds_bucket');
  assert.deepEqual(buckets.map((b) => [b.labels.le, b.value]), [['0.001', 1], ['0.05', 3], ['1', 4], ['+Inf', 4]]);
  assert.throws(() => renderPrometheus(result, {}, [0.05, 0.001]), RangeError);
});

test('prometheus: a flow\'s iterations by outcome and their duration; per-instance requests and latency with a target label', () => {
  const result = withFlowAndTargets(buildResult({ login: { latenciesUs: [1000, 2000] } }), {
    iterationsUs: [800, 3000, 3000, 70_000_000],
    failed: 1,
    interrupted: 2,
    targets: { '10.9.0.1:8080': { latenciesUs: [1000, 1000, 4000] }, '10.9.0.2:8080': { latenciesUs: [2000], failed: 2, errors: { 'connect-refused': 2 } } },
  });
  const text = renderPrometheus(result, { run_id: 'r1' });
  const { types, samples } = parse(text);
  assert.equal(types.get('loadhttp_iterations_total'), 'counter');
  assert.equal(types.get('loadhttp_iteration_duration_seconds'), 'histogram');
  assert.ok(
    text.includes(`loadhttp_iterations_total{run_id="r1",outcome="completed"} 3
loadhttp_iterations_total{run_id="r1",outcome="failed"} 1
loadhttp_iterations_total{run_id="r1",outcome="interrupted"} 2
`),
    text,
  );
  const buckets = samples.filter((s) => s.name === 'loadhttp_iteration_duration_seconds_bucket').map((s) => [s.labels.le, s.value]);
  assert.deepEqual(buckets.slice(0, 3), [['0.001', 1], ['0.0025', 1], ['0.005', 3]]);
  assert.deepEqual(buckets.slice(-2), [['60', 3], ['+Inf', 4]], 'the 70 s iteration is above every bound');
  assert.equal(total(samples, 'loadhttp_iteration_duration_seconds_count'), 4);
  assert.ok(
    text.includes(`loadhttp_instance_requests_total{run_id="r1",target="10.9.0.1:8080",status="200",class="none"} 3
loadhttp_instance_requests_total{run_id="r1",target="10.9.0.2:8080",status="200",class="none"} 1
loadhttp_instance_requests_total{run_id="r1",target="10.9.0.2:8080",status="none",class="connect-refused"} 2
`),
    text,
  );
  const instance = (target: string, le: string) => samples.find((s) => s.name === 'loadhttp_instance_request_duration_seconds_bucket' && s.labels.target === target && s.labels.le === le)?.value;
  assert.deepEqual([instance('10.9.0.1:8080', '0.001'), instance('10.9.0.1:8080', '0.0025'), instance('10.9.0.1:8080', '0.005')], [2, 2, 3]);
  assert.deepEqual([instance('10.9.0.2:8080', '0.001'), instance('10.9.0.2:8080', '0.0025')], [0, 1]);
  // A run without a flow or several targets has none of these families.
  const plain = renderPrometheus(sampleResult());
  assert.doesNotMatch(plain, /loadhttp_iteration|loadhttp_instance_/);
});

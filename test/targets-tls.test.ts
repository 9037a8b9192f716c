// Several https:// targets: each instance its own TLS pool with the scenario's tls: settings, through both
// transports; protocol auto lets each instance's ALPN choice decide (a mix is said in the report); --h2
// stops the run when any instance does not speak HTTP/2; the TLS figures add up over the instances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan } from '../src/engine/run.ts';
import { buildPlan } from '../src/plan/plan.ts';
import type { Overrides } from '../src/plan/types.ts';
import type { RunResult } from '../src/result/result.ts';
import { renderReport } from '../src/report/table.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { renderJunit } from '../src/report/junit.ts';
import { parseScenario } from '../src/scenario/load.ts';
import type { TransportChoice } from '../src/scenario/types.ts';
import { CERTS, startH2Server, startServer, startTlsH1Server } from './helpers/servers.ts';

const TRANSPORTS: readonly TransportChoice[] = ['loadhttp', 'undici'];

interface Instance {
  url: string;
  port: number;
  served(): number;
  close(): Promise<void>;
}

const h1Only = async (): Promise<Instance> => {
  const s = await startTlsH1Server();
  return { url: s.url, port: s.port, served: () => s.stats.requests, close: () => s.close() };
};
const h2 = async (): Promise<Instance> => {
  const s = await startH2Server({ tls: true, allowHTTP1: true });
  return { url: s.url, port: s.port, served: () => s.stats.requests, close: () => s.close() };
};

async function run(instances: Instance[], transport: TransportChoice, overrides: Overrides): Promise<RunResult> {
  const text = `targets: [${instances.map((i) => i.url).join(', ')}]\nbalance: round-robin\ntls:\n  ca: ${CERTS.caFile}\n`;
  const plan = buildPlan(parseScenario(text, 'targets.yaml', {}), { requestTimeoutMs: 3000, transport, ...overrides }, 'test');
  return runPlan(plan, { version: 'test' });
}

async function withInstances<T>(start: Array<() => Promise<Instance>>, body: (instances: Instance[]) => Promise<T>): Promise<T> {
  const instances = await Promise.all(start.map((s) => s()));
  try {
    return await body(instances);
  } finally {
    await Promise.all(instances.map((i) => i.close()));
  }
}

/** Each instance served its half (round-robin; ±1 per connection for requests in flight at the turn), and the result says so. */
function assertShared(result: RunResult, instances: Instance[], total: number, connections: number): void {
  assert.equal(result.error, undefined, result.error?.message);
  assert.equal(result.counts.completed, total);
  const names = instances.map((i) => `127.0.0.1:${i.port}`);
  assert.deepEqual(Object.keys(result.targets ?? {}), names);
  for (const [k, instance] of instances.entries()) {
    assert.ok(Math.abs(instance.served() - total / instances.length) <= connections, `${names[k]} served ${instance.served()}`);
    assert.equal(result.targets![names[k]!]!.counts.completed, instance.served(), 'per-target counts are what each server saw');
    assert.ok(result.histograms.targets?.[names[k]!]?.latency, 'a histogram per target');
  }
  const report = renderReport(result, { color: false });
  for (const name of names) assert.match(report, new RegExp(`\\n\\s*${name.replace(/\./g, '\\.')}\\s+\\d+`), 'a Targets row per instance');
}

/** Real TLS figures, added up over the instances: every connection a handshake, verified against the CA. */
function assertTls(result: RunResult, alpn: string[]): void {
  const tls = result.tls;
  assert.ok(tls, 'TLS figures with several https:// targets');
  assert.equal(tls.insecure, false);
  assert.equal(tls.customCa, true);
  assert.deepEqual(tls.alpnOffered, alpn);
  assert.equal(tls.servername, null, 'no SNI for IP targets');
  const handshakes = tls.handshakes.full + tls.handshakes.resumed;
  assert.ok(handshakes >= result.connectionsOpened && handshakes >= 2, JSON.stringify(tls.handshakes));
  assert.ok(tls.handshakes.full >= 2, 'each instance made at least one full handshake');
  assert.equal(tls.handshakeMs.count, handshakes, 'one handshake time per handshake, from every instance');
  assert.ok(result.histograms.handshake);
  assert.match(renderReport(result, { color: false }), /handshakes\s+\d+ full, \d+ resumed/);
}

for (const transport of TRANSPORTS) {
  test(`${transport}: two https targets speaking HTTP/1.1 only: ALPN picks h1 for each, round-robin, TLS figures of both`, async () => {
    await withInstances([h1Only, h1Only], async (instances) => {
      const result = await run(instances, transport, { concurrency: 4, connections: 4, iterations: 120 });
      assertShared(result, instances, 120, 2);
      assert.equal(result.protocol, 'h1');
      assert.deepEqual(Object.keys(result.protocols ?? {}), ['h1']);
      // loadhttp's pools open their connections offering http/1.1 once ALPN chose it (undici keeps offering both).
      assertTls(result, transport === 'loadhttp' ? ['http/1.1'] : ['h2', 'http/1.1']);
    });
  });

  test(`${transport}: two https targets speaking h2: ALPN picks h2 for each, round-robin`, async () => {
    await withInstances([h2, h2], async (instances) => {
      const result = await run(instances, transport, { concurrency: 4, iterations: 120 });
      assertShared(result, instances, 120, 4);
      assert.equal(result.protocol, 'h2');
      assert.deepEqual(Object.keys(result.protocols ?? {}), ['h2']);
      assertTls(result, ['h2', 'http/1.1']);
    });
  });

  test(`${transport}: https targets that negotiate different protocols: each speaks its own, and the report says so`, async () => {
    await withInstances([h2, h1Only], async (instances) => {
      const result = await run(instances, transport, { concurrency: 2, connections: 2, iterations: 60 });
      assertShared(result, instances, 60, 2);
      assert.ok((result.protocols?.h1 ?? 0) > 0 && (result.protocols?.h2 ?? 0) > 0, JSON.stringify(result.protocols));
      assert.match(
        renderReport(result, { color: false }),
        new RegExp(`protocol\\s+mixed h\\d and h\\d via ${transport}, \\d+ connections opened \\(h\\d: \\d+, h\\d: \\d+; the targets negotiated different protocols\\)`),
      );
      const note = /\(mixed: h\d: \d+, h\d: \d+; the targets negotiated different protocols\)/;
      assert.match(renderMarkdown(result, []), note, 'the Markdown summary says so too');
      assert.match(renderJunit(result, []), note, 'and the JUnit summary');
    });
  });

  test(`${transport}: --h2 with one https target that speaks HTTP/1.1 only stops the run, naming it`, async () => {
    await withInstances([h2, h1Only], async (instances) => {
      const result = await run(instances, transport, { protocol: 'h2', concurrency: 2, iterations: 20 });
      assert.equal(result.error?.class, 'protocol-error', JSON.stringify(result.error));
      assert.match(result.error!.message, new RegExp(`https://127\\.0\\.0\\.1:${instances[1]!.port} does not speak HTTP/2`));
      assert.equal(result.counts.sent, 0, 'nothing measured');
      assert.equal(instances[0]!.served() + instances[1]!.served(), 0);
    });
  });
  test(`${transport}: --h2 over http:// targets (h2c) stops the run when one speaks HTTP/1.1 only`, async () => {
    const h2c = async (): Promise<Instance> => {
      const s = await startH2Server({ tls: false });
      return { url: s.url, port: s.port, served: () => s.stats.requests, close: () => s.close() };
    };
    const plain = async (): Promise<Instance> => {
      const s = await startServer();
      return { url: s.url, port: s.port, served: () => s.stats.requests, close: () => s.close() };
    };
    await withInstances([h2c, plain], async (instances) => {
      const text = `targets: [${instances.map((i) => i.url).join(', ')}]\n`;
      const plan = buildPlan(parseScenario(text, 'targets.yaml', {}), { transport, protocol: 'h2', iterations: 10, requestTimeoutMs: 3000 }, 'test');
      const result = await runPlan(plan, { version: 'test' });
      assert.equal(result.error?.class, 'protocol-error', JSON.stringify(result.error));
      assert.match(result.error!.message, new RegExp(`http://127\\.0\\.0\\.1:${instances[1]!.port} does not speak h2c`));
      assert.equal(result.counts.sent, 0);
    });
  });
}

test('targets: all of one scheme; a mix is refused at its position', () => {
  assert.throws(
    () => parseScenario('targets: [https://127.0.0.1:1, http://127.0.0.1:2]\n', 'targets.yaml', {}),
    /targets\.yaml:1:32: targets\[1\]: all targets use one scheme: targets\[0\] is https:\/\/, this one http:\/\//,
  );
  const scenario = parseScenario('targets: [https://127.0.0.1:1, https://127.0.0.1:2]\n', 'targets.yaml', {});
  assert.deepEqual(scenario.targets, ['https://127.0.0.1:1', 'https://127.0.0.1:2']);
});

// resolve: all: a host name with several addresses is spread over all of them, each address its own pool and
// its own per-target figures (address:port), while Host / :authority, SNI and the certificate check keep the
// name. The names live in a private network namespace (helpers/netns.ts) whose /etc/hosts gives them
// several addresses that exist only there; the test skips, saying why, where such namespaces cannot be made.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlan } from '../src/plan/plan.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { ScenarioError } from '../src/util/errors.ts';
import { runCli } from './helpers/cli.ts';
import { namespaceUnavailable, runInNamespace } from './helpers/netns.ts';
import type { ResolveRunConfig, ResolveRunOutput } from './helpers/resolve-run.ts';
import { CERTS } from './helpers/servers.ts';

const SCRIPT = fileURLToPath(new URL('./helpers/resolve-run.ts', import.meta.url));
const HOSTS = [
  '10.9.0.1 svc.test localhost one.test',
  '10.9.0.2 svc.test localhost',
  'fd00::1 svc6.test',
  'fd00::2 svc6.test',
  '',
].join('\n');
const ADDRESSES = ['10.9.0.1', '10.9.0.2', 'fd00::1', 'fd00::2'];
const unavailable = namespaceUnavailable();

async function inNamespace(t: TestContext, config: ResolveRunConfig): Promise<ResolveRunOutput | null> {
  if (unavailable !== null) {
    t.skip(`needs a private network namespace: ${unavailable}`);
    return null;
  }
  const run = await runInNamespace(HOSTS, ADDRESSES, SCRIPT, [JSON.stringify(config)]);
  assert.equal(run.code, 0, `the namespace script failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as ResolveRunOutput;
}

/** Two servers on the two addresses of one name, each served its half (±1 per connection), and named by its address. */
function assertSpread(out: ResolveRunOutput, names: string[], authority: string, total: number, connections: number): void {
  assert.equal(out.code, 0, out.stderr);
  const result = out.result!;
  assert.equal(result.counts.completed, total);
  assert.deepEqual(Object.keys(result.targets), names, 'one entry per address');
  assert.deepEqual(Object.keys(result.histograms.targets), names);
  for (const [k, server] of out.servers.entries()) {
    assert.ok(Math.abs(server.requests - total / 2) <= connections, `${server.host} served ${server.requests}`);
    assert.equal(result.targets[names[k]!].counts.completed, server.requests, 'per-address counts are what each server saw');
    assert.deepEqual(server.authorities, { [authority]: server.requests }, 'Host / :authority keep the name');
  }
}

for (const transport of ['loadhttp', 'undici']) {
  test(`${transport}: resolve: all spreads a name over its two IPv4 addresses, one pool and one entry each`, async (t) => {
    const scenario = [
      'target: http://svc.test:18080',
      'resolve: all',
      'balance: round-robin',
      'load: { concurrency: 4, iterations: 200 }',
      'thresholds: ["target[10.9.0.2:18080].p99 < 5s", "target[*].errors < 1%"]',
      '',
    ].join('\n');
    const servers = [{ host: '10.9.0.1', port: 18080, tls: false }, { host: '10.9.0.2', port: 18080, tls: false }];
    const out = await inNamespace(t, { servers, scenario, args: ['--transport', transport] });
    if (out === null) return;
    assertSpread(out, ['10.9.0.1:18080', '10.9.0.2:18080'], 'svc.test:18080', 200, 2);
    assert.deepEqual(out.result!.plan.targets, ['http://svc.test:18080']);
    assert.equal(out.result!.plan.balance, 'round-robin');
    assert.deepEqual(out.result!.thresholds.map((th: { passed: boolean }) => th.passed), [true, true]);
  });

  test(`${transport}: resolve: all over https: SNI and the certificate check use the name; h2 by ALPN, or h1 when asked`, async (t) => {
    // The fixture certificate names localhost and 127.0.0.1, not 10.9.0.x: verification passes only if it checks the name.
    const base = ['target: https://localhost:18443', 'resolve: all', `tls: { ca: ${CERTS.caFile} }`, 'load: { concurrency: 4, iterations: 100 }', ''];
    const servers = [{ host: '10.9.0.1', port: 18443, tls: true }, { host: '10.9.0.2', port: 18443, tls: true }];
    for (const protocol of ['auto', 'h1'] as const) {
      const out = await inNamespace(t, { servers, scenario: base.join('\n'), args: ['--transport', transport, '--protocol', protocol] });
      if (out === null) return;
      assertSpread(out, ['10.9.0.1:18443', '10.9.0.2:18443'], 'localhost:18443', 100, 4);
      const result = out.result!;
      assert.equal(result.protocol, protocol === 'auto' ? 'h2' : 'h1', `${protocol}: ${JSON.stringify(result.protocols)}`);
      assert.equal(result.tls.servername, 'localhost');
      assert.equal(result.tls.insecure, false);
      assert.ok(result.tls.handshakes.full >= 2, 'a full handshake with each address');
      for (const server of out.servers) assert.deepEqual(Object.keys(server.servernames), ['localhost'], 'SNI is the name');
    }
  });
}

test('resolve: all with --workers 2: each worker looks the name up, the merged result keeps one entry per address', async (t) => {
  const scenario = 'target: http://svc.test:18080\nresolve: all\nload: { concurrency: 4, iterations: 200 }\n';
  const servers = [{ host: '10.9.0.1', port: 18080, tls: false }, { host: '10.9.0.2', port: 18080, tls: false }];
  const out = await inNamespace(t, { servers, scenario, args: ['--workers', '2'] });
  if (out === null) return;
  assertSpread(out, ['10.9.0.1:18080', '10.9.0.2:18080'], 'svc.test:18080', 200, 2);
});

test('resolve: all over IPv6 addresses: named [address]:port', async (t) => {
  const scenario = 'target: http://svc6.test:18080\nresolve: all\nload: { concurrency: 2, iterations: 40 }\n';
  const servers = [{ host: 'fd00::1', port: 18080, tls: false }, { host: 'fd00::2', port: 18080, tls: false }];
  const out = await inNamespace(t, { servers, scenario, args: [] });
  if (out === null) return;
  assertSpread(out, ['[fd00::1]:18080', '[fd00::2]:18080'], 'svc6.test:18080', 40, 2);
});

test('resolve: all with a name of one address behaves as resolve: first: one pool, no per-target figures', async (t) => {
  const servers = [{ host: '10.9.0.1', port: 18080, tls: false }, { host: '10.9.0.2', port: 18080, tls: false }];
  const runs: ResolveRunOutput[] = [];
  for (const resolve of ['all', 'first']) {
    const scenario = `target: http://one.test:18080\nresolve: ${resolve}\nload: { concurrency: 2, iterations: 30 }\n`;
    const out = await inNamespace(t, { servers, scenario, args: [] });
    if (out === null) return;
    assert.equal(out.code, 0, out.stderr);
    runs.push(out);
  }
  for (const out of runs) {
    assert.equal(out.result!.counts.completed, 30);
    assert.equal(out.result!.targets, undefined);
    assert.equal(out.result!.histograms.targets, undefined);
    assert.deepEqual(out.servers.map((s) => s.requests), [30, 0]);
  }
});

test('a name that does not resolve: the same exit code (3) and message as an unreachable target without resolve: all', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-resolve-'));
  const outcomes = [];
  for (const resolve of ['all', 'first']) {
    const file = path.join(dir, `${resolve}.yaml`);
    writeFileSync(file, `target: http://nonexistent.invalid:8080\nresolve: ${resolve}\nload: { iterations: 5 }\n`);
    const run = await runCli(['run', file, '--json', '-', '--quiet'], { timeoutMs: 30_000 });
    assert.equal(run.code, 3, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.match(result.error.message, /^cannot connect to http:\/\/nonexistent\.invalid:8080: getaddrinfo \w+ nonexistent\.invalid/);
    assert.match(run.stderr, /cannot connect to http:\/\/nonexistent\.invalid:8080/);
    outcomes.push(result.error);
  }
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(outcomes[0], outcomes[1]);
});

test('two targets that resolve to the same address and port are refused before anything is sent (exit 3)', async (t) => {
  const scenario = 'targets: [http://svc.test:18080, http://one.test:18080]\nresolve: all\nload: { iterations: 10 }\n';
  const servers = [{ host: '10.9.0.1', port: 18080, tls: false }, { host: '10.9.0.2', port: 18080, tls: false }];
  const out = await inNamespace(t, { servers, scenario, args: [] });
  if (out === null) return;
  assert.equal(out.code, 3, out.stderr);
  assert.match(out.result!.error.message, /^http:\/\/svc\.test:18080 and http:\/\/one\.test:18080 both resolve to 10\.9\.0\.1:18080/);
  assert.deepEqual(out.servers.map((s) => s.requests), [0, 0]);
});

test('resolve: and the keys it changes are checked: did-you-mean, balance with one name, thresholds on addresses', () => {
  const error = (text: string) => {
    try {
      parseScenario(text, 'r.yaml', {});
    } catch (e) {
      assert.ok(e instanceof ScenarioError, String(e));
      return e.message;
    }
    return '';
  };
  assert.match(error('target: http://svc.test:8080\nresolve: al\n'), /r\.yaml:2:10: resolve: .*did you mean `all`\?/);
  assert.match(error('target: http://svc.test:8080\nresolv: all\n'), /r\.yaml:2:1: resolv: unknown key `resolv`; did you mean `resolve`\?/);
  assert.match(error('target: http://svc.test:8080\nbalance: random\n'), /2:1: balance: balance spreads requests over `targets:` \(give several\) or, with `resolve: all`/);
  assert.equal(error('target: http://svc.test:8080\nresolve: all\nbalance: least-inflight\n'), '');
  const plan = (thresholds: string) =>
    buildPlan(parseScenario(`target: http://svc.test:8080\nresolve: all\nthresholds: [${thresholds}]\n`, 'r.yaml', {}), {}, 'test');
  assert.throws(() => plan('"target[svc.test:8080].p99 < 1s"'), /svc\.test:8080 is not an address \(with `resolve: all` each instance is named by its address/);
  for (const ok of ['10.0.0.1:8080', '[fd00::1]:8080', '10.0.0.1', '*']) assert.doesNotThrow(() => plan(`"target[${ok}].p99 < 1s"`), ok);
  assert.throws(() => plan('"target[fd00::1:8080].p99 < 1s"'), /is not an address/);
});

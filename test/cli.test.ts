// The real binary, spawned on this Node: exit codes, messages, --json, SIGINT, validate, demo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode, summarize } from '../src/result/histogram.ts';
import type { RunResult } from '../src/result/result.ts';
import { BIN, runCli } from './helpers/cli.ts';
import { closedPort, startServer } from './helpers/servers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = () => mkdtempSync(path.join(tmpdir(), 'loadhttp-cli-'));

test('--version prints the package version', async () => {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const out = await runCli(['--version']);
  assert.equal(out.code, 0);
  assert.equal(out.stdout.trim(), version);
});

test('--help on every command shows examples', async () => {
  for (const command of ['run', 'validate', 'demo']) {
    const out = await runCli([command, '--help']);
    assert.equal(out.code, 0, command);
    assert.match(out.stdout, /Example/, command);
  }
});

test('an ad-hoc --url run prints the report and writes --json; server count equals sent', async () => {
  const server = await startServer({ delayMs: 1 });
  const dir = tmp();
  try {
    const json = path.join(dir, 'out.json');
    const out = await runCli(['run', '--url', `${server.url}/ping`, '-c', '4', '-n', '300', '--json', json]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /P99/);
    assert.match(out.stdout, /protocol\s+h1 via loadhttp, 4 connections opened/);
    const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    assert.equal(result.transport, 'loadhttp');
    assert.equal(result.plan.transport, 'loadhttp');
    for (const key of ['schemaVersion', 'target', 'protocol', 'transport', 'connectionsOpened', 'durationMs', 'interrupted', 'counts', 'unexpectedStatus', 'errorRate', 'rps', 'latencyMs', 'statusCodes', 'errors', 'requests', 'series', 'histograms']) {
      assert.ok(key in result, `JSON has ${key}`);
    }
    assert.equal(result.schemaVersion, 2);
    assert.equal(result.counts.sent, 300);
    assert.equal(server.stats.requests, 300);
    assert.equal(server.stats.byPath.get('/ping'), 300);
    assert.equal(summarize(decode(result.histograms.latency)).count, 300);
  } finally {
    await server.close();
  }
});

test('--transport undici runs on the reference transport, says so in the report, JSON and validate', async () => {
  const server = await startServer();
  const dir = tmp();
  try {
    const out = await runCli(['run', '--url', server.url, '-n', '20', '--transport', 'undici', '--json', '-']);
    assert.equal(out.code, 0, out.stderr);
    const result = JSON.parse(out.stdout) as RunResult;
    assert.equal(result.transport, 'undici');
    assert.equal(result.counts.completed, 20);
    assert.match(out.stderr, /protocol\s+h1 via undici/);
    const bad = await runCli(['run', '--url', server.url, '-n', '1', '--transport', 'curl']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--transport.*curl.*loadhttp, undici/);
    const file = path.join(dir, 'undici.yaml');
    writeFileSync(file, `target: ${server.url}\ntransport: undici\n`);
    const validate = await runCli(['validate', file]);
    assert.equal(validate.code, 0, validate.stderr);
    assert.match(validate.stdout, /transport:\s+undici \(the reference implementation\)/);
    writeFileSync(file, `target: ${server.url}\n`);
    assert.match((await runCli(['validate', file])).stdout, /transport:\s+loadhttp\n/);
  } finally {
    await server.close();
  }
});

test('--json - writes JSON to stdout and the report to stderr', async () => {
  const server = await startServer();
  try {
    const out = await runCli(['run', '--url', server.url, '-n', '20', '--json', '-']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal((JSON.parse(out.stdout) as RunResult).counts.completed, 20);
    assert.match(out.stderr, /Latency/);
  } finally {
    await server.close();
  }
});

test('an unreachable target exits 3 with a clear message, and --json still says what happened', async () => {
  const port = await closedPort();
  const json = path.join(tmp(), 'fail.json');
  const out = await runCli(['run', '--url', `http://127.0.0.1:${port}/`, '-d', '2s', '--json', json]);
  assert.equal(out.code, 3);
  assert.match(out.stderr, new RegExp(`cannot connect to http://127.0.0.1:${port}: .*ECONNREFUSED`));
  const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
  assert.equal(result.error?.class, 'connect-refused');
  assert.equal(result.counts.sent, 0);
});

test('a scenario error exits 2 naming file:line:col, and sends nothing', async () => {
  const server = await startServer();
  const file = path.join(tmp(), 'bad.yaml');
  writeFileSync(file, `target: ${server.url}\nload:\n  concurency: 5\nrequests: [{ path: / }]\n`);
  try {
    const out = await runCli(['run', file]);
    assert.equal(out.code, 2);
    assert.match(out.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')}:3:3: .*concurency.*did you mean .?concurrency`));
    assert.equal(server.stats.requests, 0);
  } finally {
    await server.close();
  }
});

test('bad flags exit 2 with the flag named', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['run', '--url', 'http://127.0.0.1:1/', '-c', 'many'], /--concurrency: "many"/],
    [['run', '--url', 'http://127.0.0.1:1/', '-d', '10x'], /--duration: "10x"/],
    [['run', '--url', 'ftp://127.0.0.1/'], /only http:\/\/ and https:\/\//],
    [['run', '--url', 'http://127.0.0.1:1/', '-H', 'nocolon'], /--header: "nocolon"/],
    [['run'], /give a scenario file or --url/],
    [['frobnicate'], /unknown command/],
  ];
  for (const [args, message] of cases) {
    const out = await runCli(args);
    assert.equal(out.code, 2, args.join(' '));
    assert.match(out.stderr, message, args.join(' '));
  }
});

test('SIGINT prints the partial results marked interrupted and exits 130', async () => {
  const server = await startServer({ delayMs: 2 });
  const json = path.join(tmp(), 'int.json');
  try {
    const out = await runCli(['run', '--url', server.url, '-c', '4', '-d', '60s', '--json', json], {
      onSpawn: (child) => {
        // Interrupt once the run is under way (the banner is on stderr before the first request).
        child.stderr!.once('data', () => setTimeout(() => child.kill('SIGINT'), 700));
      },
    });
    assert.equal(out.code, 130, out.stderr);
    assert.match(out.stdout, /INTERRUPTED/);
    assert.match(out.stdout, /P99/);
    const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    assert.equal(result.interrupted, true);
    assert.ok(result.counts.completed > 0);
    assert.equal(result.counts.sent, result.counts.completed + result.counts.failed + result.counts.cancelled);
    assert.equal(server.stats.requests, result.counts.sent);
  } finally {
    await server.close();
  }
});

test('every example scenario validates, and validate sends nothing', async () => {
  const files = readdirSync(path.join(ROOT, 'scenarios')).filter((f) => /\.(ya?ml|json)$/.test(f));
  assert.ok(files.length >= 4, `examples: ${files.join(', ')}`);
  for (const file of files) {
    const out = await runCli(['validate', path.join(ROOT, 'scenarios', file)], { env: { API_TOKEN: 'secret-token' } });
    assert.equal(out.code, 0, `${file}: ${out.stderr}`);
    assert.match(out.stdout, /valid/);
    assert.doesNotMatch(out.stdout, /secret-token/, 'secrets are masked in the printed plan');
  }
});

test('the demo runs against its built-in target', async () => {
  const out = await runCli(['demo', '-d', '1s', '--warmup', '0'], { timeoutMs: 20_000 });
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /demo-items-api/);
  assert.match(out.stdout, /list/);
  assert.match(out.stdout, /create/);
});

test('demo --serve keeps the built-in target up for loadhttp run --url, until Ctrl-C (exit 0)', async () => {
  let said = '';
  let server: ChildProcess | undefined;
  let resolveUrl: (url: string) => void;
  const url = new Promise<string>((resolve) => (resolveUrl = resolve));
  const served = runCli(['demo', '--serve', '--port', '0'], {
    timeoutMs: 30_000,
    onSpawn: (child) => {
      server = child;
      child.stdout!.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        const found = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(said);
        if (found) resolveUrl(found[1]!);
      });
    },
  });
  const target = await url;
  const run = await runCli(['run', '--url', `${target}/items/42`, '-n', '20', '-c', '2', '-q', '--json', '-']);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as RunResult;
  assert.deepEqual([result.counts.completed, result.statusCodes], [20, { '200': 20 }]);
  const { port } = new URL(target);
  const busy = await runCli(['demo', '--serve', '--port', port]);
  assert.equal(busy.code, 2);
  assert.match(busy.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
  server!.kill('SIGINT');
  const out = await served;
  assert.equal(out.code, 0, out.stderr);
});

/** The bin's minimum (bin/loadhttp.js, package.json engines). */
const MIN_NODE = [22, 19] as const;

/**
 * The first `node` on PATH older than MIN_NODE, outside any node_modules/.bin (npm puts the pinned
 * Node 24 there), with its version; null if every one found is new enough.
 */
function olderNodeOnPath(): { node: string; version: string } | null {
  const seen = new Set<string>();
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '' || dir.split(path.sep).includes('node_modules')) continue;
    const candidate = path.join(dir, 'node');
    let real: string;
    try {
      accessSync(candidate, constants.X_OK);
      real = realpathSync(candidate);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    const probe = spawnSync(real, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    const version = probe.stdout?.trim() ?? '';
    const [major = NaN, minor = NaN] = version.split('.').map(Number);
    if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) return { node: real, version };
  }
  return null;
}

test('the bin refuses an old Node with one clear line and exit 2', (t) => {
  const old = olderNodeOnPath();
  if (!old) return t.skip(`no node older than ${MIN_NODE.join('.')} on PATH (outside node_modules/.bin) to run the bin with`);
  const out = spawnSync(old.node, [BIN, '--version'], { encoding: 'utf8' });
  assert.equal(out.status, 2, `${old.node} (v${old.version}): ${out.stderr}`);
  assert.equal(out.stderr, `loadhttp needs Node.js >= 22.19 (this is v${old.version}); install a current Node, or run it through npm scripts, which use the Node 24 this package pins\n`);
  assert.equal(out.stdout, '');
});

test('the bin caps V8\'s young generation at 16 MiB unless the user chose a size', async () => {
  // A preload reports the flags the CLI really ran with (after the bin re-executed Node).
  const dir = tmp();
  const preload = path.join(dir, 'flags.cjs');
  writeFileSync(preload, "process.on('exit', () => process.stderr.write('FLAGS ' + JSON.stringify(process.execArgv) + '\\n'));\n");
  const flags = (out: { stderr: string }): string[] => JSON.parse(/FLAGS (.*)/.exec(out.stderr)?.[1] ?? 'null') as string[];
  const run = (execArgv: string[], env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [...execArgv, '--require', preload, BIN, '--version'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  const plain = await run([]);
  assert.equal(plain.code, 0);
  assert.deepEqual(flags(plain).filter((flag) => flag.startsWith('--max-semi-space-size')), ['--max-semi-space-size=16']);
  assert.ok(flags(plain).includes(preload), 'the user\'s own flags are kept');
  const chosen = await run(['--max-semi-space-size=32']);
  assert.deepEqual(flags(chosen).filter((flag) => flag.startsWith('--max-semi-space-size')), ['--max-semi-space-size=32']);
  const fromEnv = await run([], { NODE_OPTIONS: '--max-semi-space-size=8' });
  assert.deepEqual(flags(fromEnv).filter((flag) => flag.startsWith('--max-semi-space-size')), []);
});

test('validate prints the load model, latency correction and thresholds of the plan', async () => {
  const gate = await runCli(['validate', path.join(ROOT, 'scenarios', 'ci-gate.yaml')]);
  assert.equal(gate.code, 0, gate.stderr);
  assert.match(gate.stdout, /thresholds:\n {2}- p99 < 250ms/);
  assert.match(gate.stdout, /abort on fail/);
  const file = path.join(tmp(), 'open.yaml');
  writeFileSync(file, 'target: http://127.0.0.1:9\nload: { rate: 200/s, duration: 5s }\nrequests: [{ path: / }]\n');
  const open = await runCli(['validate', file]);
  assert.equal(open.code, 0, open.stderr);
  assert.match(open.stdout, /rate 200\/s \(open model\)/);
  assert.match(open.stdout, /intended start/);
});

test('a reader that closes the pipe early is not a crash', async () => {
  const child = spawn(process.execPath, [BIN, 'validate', path.join(ROOT, 'scenarios', 'ci-gate.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE/);
});

test('a second SIGINT exits at once (130), without waiting for the graceful stop', async () => {
  // Every response hangs, and the graceful stop would wait 30 s for them.
  const server = await startServer({ delayMs: 60_000 });
  const file = path.join(tmp(), 'hang.yaml');
  writeFileSync(file, `target: ${server.url}\nload: { concurrency: 2, duration: 60s, gracefulStop: 30s }\ntimeouts: { request: 60s }\nrequests: [{ path: / }]\n`);
  try {
    const started = performance.now();
    const out = await runCli(['run', file], {
      onSpawn: (child) => {
        child.stderr!.once('data', () =>
          setTimeout(() => {
            child.kill('SIGINT');
            setTimeout(() => child.kill('SIGINT'), 300);
          }, 500),
        );
      },
    });
    assert.equal(out.code, 130, out.stderr);
    assert.ok(performance.now() - started < 10_000, 'did not wait for the 30 s graceful stop');
    assert.match(out.stderr, /press Ctrl-C again to exit at once/);
  } finally {
    await server.close();
  }
});

test('validate shows every setting the run would use: workers, compare, idle timeouts, tls key, expect, retry, live metrics; secrets masked', () => {
  const dir = tmp();
  const file = path.join(dir, 'all.yaml');
  const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
  writeFileSync(
    file,
    `target: https://127.0.0.1:9443
protocol: [h1, h2]
workers: 2
tls: { ca: ${fixtures}ca.pem, cert: ${fixtures}client.pem, key: ${fixtures}client-key.pem }
timeouts: { headers: 2s }
metrics: { port: 0, linger: 2s, otlp: "http://127.0.0.1:4318/\${OTLP_TOKEN}", buckets: [1ms, 10ms, 1s] }
headers: { authorization: "Bearer \${API_TOKEN}" }
requests:
  - { name: a, path: /a, expect: { status: [200, 204] }, retry: { attempts: 3, on: [connect-refused], statuses: [503] } }
  - { name: b, path: /b }
`,
  );
  const r = spawnSync(process.execPath, [BIN, 'validate', file], { encoding: 'utf8', env: { ...process.env, API_TOKEN: 'tok-secret-1', OTLP_TOKEN: 'otlp-path' } });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, /compare:\s+one run per protocol: h1, then h2/);
  assert.match(out, /load:.*; on 2 worker threads, each its exact part\n/);
  assert.match(out, /timeouts:\s+connect 5s, request 10s, headers 2s, body off \(idle\)/);
  assert.match(out, /client cert \S+client\.pem, key \S+client-key\.pem/);
  assert.match(out, /metrics:\s+Prometheus at http:\/\/127\.0\.0\.1:<a free port, printed at the start>\/metrics; the final figures served 2s after the run/);
  assert.match(out, /OTLP push to http:\/\/127\.0\.0\.1:4318\/otlp-path every 5s/);
  assert.match(out, /latency buckets 1ms, 10ms, 1s\n/);
  assert.match(out, /- a: GET \/a .*\n(?: {6}.*\n)*? {6}expect 200, 204\n {6}retry up to 3 tries in all on connect-refused, 503; backoff 100ms doubling to 2s, jitter full\n/);
  assert.doesNotMatch(out.split('- b:')[1]!, /expect|retry/, 'b has neither');
  assert.doesNotMatch(out, /tok-secret-1/);
  assert.match(out, /authorization: \[redacted\]/);
});

// The OTLP endpoint's credentials are secrets like the target's: its URL's userinfo, what ${ENV} put into its
// query, and the header values the exporter sends from OTEL_EXPORTER_OTLP_HEADERS. validate, the run's lines
// on stderr (where a collector's own error message may quote them), the report and --json show [redacted];
// the collector still receives the real URL and headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.ts';
import { closedPort, startServer } from './helpers/servers.ts';

const PASSWORD = 'pw-9f2e71';
const KEY = 'otlp-key-5e1d';
const BEARER = 'otel-token-77aa';

/** A collector that refuses every push, quoting in its reason phrase the key and the header it was sent. */
async function refusingCollector() {
  const seen: Array<{ url: string; authorization: string }> = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const authorization = req.headers.authorization ?? '';
      seen.push({ url: req.url ?? '', authorization });
      const key = new URL(req.url ?? '/', 'http://x').searchParams.get('api_key');
      res.writeHead(403, `unknown api_key ${key} for ${authorization}`).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { port, seen, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
}

test('otlp: userinfo, ${ENV} in its query and OTEL_EXPORTER_OTLP_HEADERS are masked by validate, the run and its results', async () => {
  const target = await startServer();
  const collector = await refusingCollector();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-otlp-secrets-'));
  const file = path.join(dir, 'otlp.yaml');
  const json = path.join(dir, 'result.json');
  writeFileSync(
    file,
    `target: ${target.url}\nmetrics: { otlp: "http://loadgen:\${OTLP_PASSWORD}@127.0.0.1:${collector.port}/v1/metrics?api_key=\${OTLP_KEY}&region=eu", otlpInterval: 300ms }\nrequests: [{ path: / }]\n`,
  );
  const env = { OTLP_PASSWORD: PASSWORD, OTLP_KEY: KEY, OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${BEARER}` };
  const shown = `http://[redacted]@127.0.0.1:${collector.port}/v1/metrics?api_key=[redacted]&region=eu`;
  const leaks = (text: string) => [PASSWORD, KEY, BEARER, 'loadgen:'].filter((secret) => text.includes(secret));
  try {
    const validate = await runCli(['validate', file], { env });
    assert.equal(validate.code, 0, validate.stderr);
    assert.ok(validate.stdout.includes(`OTLP push to ${shown} every 300ms`), validate.stdout);
    assert.deepEqual(leaks(validate.stdout + validate.stderr), []);

    const run = await runCli(['run', file, '-c', '2', '-d', '1s', '--json', json], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stderr.includes(`pushing metrics over OTLP to ${shown} every 300ms`), run.stderr);
    // The collector's reason phrase quoted the key and the bearer token: masked in the line that tells of it.
    assert.match(run.stderr, /--otlp: pushing to http:\/\/\[redacted\]@127\.0\.0\.1:\d+\/v1\/metrics\?api_key=\[redacted\]&region=eu failed: unknown api_key \[redacted\] for \[redacted\]/);
    assert.deepEqual(leaks(run.stdout + run.stderr + readFileSync(json, 'utf8')), []);
    // What went to the collector is the real thing.
    assert.ok(collector.seen.length > 0);
    assert.equal(collector.seen[0]!.url, `/v1/metrics?api_key=${KEY}&region=eu`);
    assert.equal(collector.seen[0]!.authorization, `Bearer ${BEARER}`);
  } finally {
    await collector.close();
    await target.close();
  }
});

test('otlp: --otlp with userinfo shorter than 4 characters is still masked where it stands', async () => {
  const target = await startServer();
  const down = await closedPort();
  try {
    const run = await runCli(['run', '--url', target.url, '-n', '20', '--otlp', `http://u:p1@127.0.0.1:${down}`, '--otlp-interval', '300ms', '-q', '--json', '-']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stderr.includes(`pushing metrics over OTLP to http://[redacted]@127.0.0.1:${down}/v1/metrics every 300ms`), run.stderr);
    assert.match(run.stderr, new RegExp(`--otlp: pushing to http://\\[redacted\\]@127\\.0\\.0\\.1:${down}/v1/metrics failed`));
    assert.doesNotMatch(run.stderr, /u:p1/);
  } finally {
    await target.close();
  }
});

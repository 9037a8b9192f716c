// TLS on the real binary against real servers using the fixture certificates (test/fixtures): verification
// on by default, --insecure with a warning, tls.ca / servername from a scenario, client certificates,
// session resumption counted, the handshake histogram; and the scenario's `tls:` section errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decode } from '../src/result/histogram.ts';
import type { RunResult } from '../src/result/result.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { runCli, type CliResult } from './helpers/cli.ts';
import { CERTS, startH2Server, startTlsH1Server } from './helpers/servers.ts';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'loadhttp-tls-'));

async function run(args: string[]): Promise<CliResult & { json: RunResult }> {
  const file = path.join(tmp(), 'out.json');
  const out = await runCli(['run', '-q', ...args, '--json', file]);
  return { ...out, json: JSON.parse(readFileSync(file, 'utf8')) as RunResult };
}

test('an untrusted (test CA) certificate fails without --insecure (exit 3), works with it, with a warning', async () => {
  const server = await startH2Server({ tls: true });
  try {
    const refused = await run(['--url', `${server.url}/`, '-n', '10']);
    assert.equal(refused.code, 3);
    assert.equal(refused.json.error?.class, 'tls');
    assert.match(refused.stderr, /cannot connect to https:\/\/127\.0\.0\.1:\d+: unable to verify the first certificate/);
    assert.match(refused.stderr, /--ca \/ tls\.ca, or skip verification with --insecure/);
    assert.equal(server.stats.requests, 0);

    const insecure = await run(['--url', `${server.url}/`, '-n', '10', '--insecure']);
    assert.equal(insecure.code, 0, insecure.stderr);
    assert.equal(insecure.json.tls?.insecure, true);
    assert.match(insecure.stdout, /!! TLS certificate verification was OFF \(--insecure\)/);
    assert.match(insecure.stdout, /tls\s+NOT verified \(--insecure\); ALPN offered h2, http\/1\.1/);
    assert.equal(server.stats.requests, 10);
  } finally {
    await server.close();
  }
});

test('scenario tls.ca (relative to the file) and servername verify the server; a wrong name is refused', async () => {
  const server = await startH2Server({ tls: true });
  const dir = tmp();
  copyFileSync(CERTS.caFile, path.join(dir, 'ca.pem'));
  const scenario = (servername: string) => {
    const file = path.join(dir, `${servername}.yaml`);
    writeFileSync(file, `target: ${server.url}\ntls:\n  ca: ./ca.pem\n  servername: ${servername}\nload:\n  iterations: 10\n`);
    return file;
  };
  try {
    const ok = await run([scenario('localhost')]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.json.tls?.insecure, false);
    assert.equal(ok.json.tls?.customCa, true);
    assert.equal(ok.json.tls?.servername, 'localhost');
    assert.equal(ok.json.plan.tls?.ca, path.join(dir, 'ca.pem'));
    assert.match(ok.stdout, /tls\s+verified against the given CA, SNI localhost/);
    assert.doesNotMatch(ok.stdout, /verification was OFF/);

    const wrong = await run([scenario('other.example')]);
    assert.equal(wrong.code, 3);
    assert.equal(wrong.json.error?.class, 'tls');
    assert.match(wrong.stderr, /other\.example.*ERR_TLS_CERT_ALTNAME_INVALID.*--servername \/ tls\.servername/);
  } finally {
    await server.close();
  }
});

test('client certificates: refused without --cert/--key, accepted with them', async () => {
  const server = await startH2Server({ tls: true, requireClientCert: true });
  try {
    const without = await run(['--url', `${server.url}/`, '-n', '5', '--ca', CERTS.caFile, '--h2']);
    assert.equal(without.code, 3);
    assert.match(without.stderr, /TLS: tlsv13 alert certificate required .*give --cert and --key/);
    assert.equal(server.stats.requests, 0);

    const withCert = await run(['--url', `${server.url}/`, '-n', '5', '--ca', CERTS.caFile, '--cert', CERTS.clientCertFile, '--key', CERTS.clientKeyFile]);
    assert.equal(withCert.code, 0, withCert.stderr);
    assert.equal(withCert.json.tls?.clientCertificate, true);
    assert.equal(server.stats.requests, 5);

    const half = await runCli(['run', '--url', `${server.url}/`, '-n', '5', '--cert', CERTS.clientCertFile]);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /needs both --cert and --key/);
    const notPem = await runCli(['run', '--url', `${server.url}/`, '-n', '5', '--ca', CERTS.clientKeyFile]);
    assert.equal(notPem.code, 2);
    assert.match(notPem.stderr, /--ca: .*client-key\.pem: holds "PRIVATE KEY", expected a "-----BEGIN CERTIFICATE-----" block/);
  } finally {
    await server.close();
  }
});

test('TLS sessions are resumed across connections and counted; handshake time is its own histogram', async () => {
  const server = await startTlsH1Server();
  try {
    const out = await run(['--url', `${server.url}/`, '-c', '4', '--connections', '4', '-n', '40', '--ca', CERTS.caFile]);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(out.json.tls?.handshakes, { full: 1, resumed: 3 });
    assert.equal(server.stats.tlsResumed, 3);
    assert.equal(out.json.tls?.handshakeMs.count, 4);
    assert.equal(decode(out.json.histograms.handshake!).totalCount, 4);
    // Handshakes are not requests: latency counts the 40 requests only.
    assert.equal(out.json.latencyMs.count, 40);
    assert.match(out.stdout, /handshakes\s+1 full, 3 resumed; time P50 /);
  } finally {
    await server.close();
  }
});

test('scenario tls: unknown keys suggest, cert needs key, files must exist and be PEM; protocol lists compare', () => {
  const dir = tmp();
  copyFileSync(CERTS.caFile, path.join(dir, 'ca.pem'));
  const file = path.join(dir, 's.yaml');
  const parse = (text: string) => parseScenario(text, file, {});
  const error = (text: string) => {
    try {
      parse(text);
    } catch (e) {
      return (e as Error).message;
    }
    return assert.fail('no error');
  };
  assert.equal(error('tls:\n  insecur: true\n'), `${file}:2:3: tls.insecur: unknown key \`insecur\`; did you mean \`insecure\`?`);
  assert.equal(error('tls:\n  cert: ./ca.pem\n'), `${file}:2:3: tls.cert: a client certificate needs both \`cert\` and \`key\` (only \`cert\` is given)`);
  assert.match(error('tls:\n  ca: ./missing.pem\n'), new RegExp(`^${file}:2:7: tls\\.ca: cannot read .*missing\\.pem: no such file \\(paths are relative to the scenario file\\)$`));
  assert.match(error('tls:\n  key: ./ca.pem\n  cert: ./ca.pem\n'), /2:8: tls\.key: .*ca\.pem: holds "CERTIFICATE", expected a "-----BEGIN PRIVATE KEY-----" block/);
  assert.equal(error('tls:\n  insecure: yes\n'), `${file}:2:13: tls.insecure: expected true or false, got "yes"`);
  const ok = parse('tls:\n  ca: ./ca.pem\n  insecure: false\n');
  assert.equal(ok.tls.ca?.file, path.join(dir, 'ca.pem'));
  assert.match(ok.tls.ca?.pem ?? '', /BEGIN CERTIFICATE/);
  assert.equal(ok.tls.insecure, false);

  assert.deepEqual(parse('protocol: [h1, h2]\n').compareProtocols, ['h1', 'h2']);
  assert.equal(parse('protocol: [h1, h2]\n').protocol, undefined);
  assert.equal(error('protocol: [h2]\n'), `${file}:1:11: protocol: a list of protocols compares them: give at least two (e.g. [h1, h2])`);
  assert.equal(error('protocol: [h2, h3]\n'), `${file}:1:16: protocol[1]: "h3" is not a protocol (accepted: h1, h2, auto)`);
});

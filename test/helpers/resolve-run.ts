// Runs inside a private network namespace (netns.ts): starts the servers it is given (http, or https with
// h2 and http/1.1 offered in ALPN, on the fixture certificate), runs the loadhttp CLI on a scenario with
// --json -, and prints one JSON line: the CLI's exit code, stderr and result, and what each server saw
// (requests, Host / :authority values, TLS SNI names). Every server stops when the CLI is done.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { BIN } from './cli.ts';
import { CERTS } from './servers.ts';

export interface ResolveRunConfig {
  servers: Array<{ host: string; port: number; tls: boolean }>;
  scenario: string;
  args: string[];
}

export interface SeenByServer {
  host: string;
  requests: number;
  /** Host header (HTTP/1.1) or :authority (HTTP/2) values, counted. */
  authorities: Record<string, number>;
  /** TLS SNI names the server was sent, counted ("" for none). */
  servernames: Record<string, number>;
}

export interface ResolveRunOutput {
  code: number | null;
  stderr: string;
  result: Record<string, any> | null;
  servers: SeenByServer[];
}

const count = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);

function start(spec: ResolveRunConfig['servers'][number]): Promise<{ server: Server; seen: SeenByServer }> {
  const seen: SeenByServer = { host: spec.host, requests: 0, authorities: {}, servernames: {} };
  const handle = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    seen.requests++;
    count(seen.authorities, String(req.headers.host ?? req.headers[':authority']));
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'text/plain');
      res.end('ok\n');
    });
  };
  const server = spec.tls
    ? createSecureServer({ cert: CERTS.cert, key: CERTS.key, allowHTTP1: true }, handle)
    : createHttpServer({ keepAliveTimeout: 60_000 }, handle);
  if (spec.tls) server.on('secureConnection', (socket: TLSSocket) => count(seen.servernames, String((socket as TLSSocket & { servername?: string | false }).servername || '')));
  return new Promise((resolve) => server.listen(spec.port, spec.host, () => resolve({ server, seen })));
}

function runCli(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'run', file, '--json', '-', '--quiet', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(killer), resolve({ code, stdout, stderr }))));
}

const config = JSON.parse(process.argv[2]!) as ResolveRunConfig;
const started = await Promise.all(config.servers.map(start));
const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-resolve-'));
const file = path.join(dir, 'scenario.yaml');
writeFileSync(file, config.scenario);
const cli = await runCli(file, config.args);
rmSync(dir, { recursive: true, force: true });
for (const { server } of started) (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
let result: ResolveRunOutput['result'] = null;
try {
  result = JSON.parse(cli.stdout);
} catch {
  // Left null: the test shows stderr.
}
const output: ResolveRunOutput = { code: cli.code, stderr: cli.stderr, result, servers: started.map((s) => s.seen) };
process.stdout.write(`${JSON.stringify(output)}\n`);
process.exit(0);

// Hooks (`hooks: ./hooks.mjs`) on the real CLI: a beforeRequest that signs each request, checked by the
// server; an afterResponse that throws, counted as hook-error with its message; a module that exports
// no hook refused before anything is sent.
import type { ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult } from '../src/result/result.ts';
import { runCli } from './helpers/cli.ts';
import { startServer } from './helpers/servers.ts';

const SECRET = 'test-signing-key';
const sign = (method: string, url: string, body: string) => createHmac('sha256', SECRET).update(`${method} ${url}\n${body}`).digest('hex');

const HOOKS = `
import { createHmac } from 'node:crypto';
export function beforeRequest(request, vars) {
  const body = request.body === null ? '' : String(request.body);
  request.headers['x-signature'] = createHmac('sha256', '${SECRET}').update(request.method + ' ' + request.path + '\\n' + body).digest('hex');
  vars.signedBy = 'vu' + vars.vu;
}
export async function afterResponse(response, vars) {
  if (response.name === 'check' && !response.body.toString().includes('"ok":true')) throw new Error('the server said no for ' + vars.signedBy);
}
`;

async function signedServer() {
  const seen = { good: 0, bad: 0 };
  const server = await startServer({
    handler: (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const good = req.headers['x-signature'] === sign(req.method ?? '', req.url ?? '', body);
        if (good) seen.good++;
        else seen.bad++;
        const ok = !(req.url ?? '').includes('fail');
        res.writeHead(good ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ ok }));
      });
    },
  });
  return { server, seen };
}

function files(target: string, checkPath: string, hooks = HOOKS): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-hooks-'));
  writeFileSync(path.join(dir, 'hooks.mjs'), hooks);
  const file = path.join(dir, 'flow.yaml');
  writeFileSync(
    file,
    `target: ${target}
hooks: ./hooks.mjs
flow:
  - name: create
    method: POST
    path: /items?n={{iteration}}
    json: { name: "item-{{vu}}" }
  - name: check
    path: ${checkPath}
`,
  );
  return file;
}

test('hooks: a beforeRequest signature the server verifies on every request; validate names the module', async () => {
  const { server, seen } = await signedServer();
  try {
    const file = files(server.url, '/check');
    const r = await runCli(['run', file, '-c', '2', '-n', '10', '--json', '-', '-q']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as RunResult;
    assert.equal(seen.bad, 0, 'every request carried a valid signature');
    assert.equal(seen.good, 20);
    assert.equal(result.iterations?.completed, 10);
    const validate = await runCli(['validate', file]);
    assert.match(validate.stdout, /hooks:\s+\S+hooks\.mjs/);
  } finally {
    await server.close();
  }
});

test('hooks: an afterResponse that throws fails the step as hook-error with its message', async () => {
  const { server } = await signedServer();
  try {
    const r = await runCli(['run', files(server.url, '/fail'), '-c', '1', '-n', '3', '--json', '-', '-q']);
    const result = JSON.parse(r.stdout) as RunResult;
    assert.deepEqual(result.requests.check!.errors, { 'hook-error': 3 });
    assert.match(result.errorExamples['hook-error']![0]!, /afterResponse threw on step "check": the server said no for vu1/);
    assert.equal(result.iterations?.failed, 3);
    assert.equal(result.requests.create!.counts.completed, 3);
  } finally {
    await server.close();
  }
});

test('hooks: a module without any hook, or a throwing beforeRequest, are refused or counted', async () => {
  const { server, seen } = await signedServer();
  try {
    const none = await runCli(['run', files(server.url, '/check', 'export const x = 1;\n'), '-n', '1', '-q']);
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /hooks\.mjs exports none of beforeRequest, afterResponse, onError \(exports: x\)/);
    const throwing = await runCli(['run', files(server.url, '/check', 'export function beforeRequest() { throw new Error("no key"); }\n'), '-n', '2', '--json', '-', '-q']);
    const result = JSON.parse(throwing.stdout) as RunResult;
    assert.deepEqual(result.errors, { 'hook-error': 2 });
    assert.equal(result.counts.sent, 2);
    assert.equal(seen.good + seen.bad, 0, 'nothing reached the server');
  } finally {
    await server.close();
  }
});

test('hooks: a beforeRequest that throws on every request in a duration-bound run ends at its duration (exit 3), and Ctrl-C still works', async () => {
  // Each iteration failed without waiting on anything, so the users ran on in one endless microtask run:
  // the duration's timer and SIGINT never got a turn, and the process spun at 100% CPU until killed.
  const { server, seen } = await signedServer();
  try {
    const file = files(server.url, '/check', 'export function beforeRequest() { throw new Error("no key"); }\n');
    const started = Date.now();
    const r = await runCli(['run', file, '-c', '2', '-d', '1s', '--json', '-', '-q'], { timeoutMs: 15_000 });
    assert.equal(r.code, 3, `exit code (signal ${r.signal}): ${r.stderr}`);
    assert.ok(Date.now() - started < 10_000, `ended after ${Date.now() - started} ms`);
    const result = JSON.parse(r.stdout) as RunResult;
    assert.equal(result.stopReason, 'duration');
    assert.ok(result.errors['hook-error']! > 0 && result.counts.completed === 0, JSON.stringify(result.counts));
    assert.match(r.stderr, /no request succeeded .*beforeRequest threw on step "create": no key/);
    let child: ChildProcess | null = null;
    const interrupted = runCli(['run', file, '-c', '2', '-d', '60s', '-q'], { timeoutMs: 15_000, onSpawn: (c) => (child = c) });
    setTimeout(() => child?.kill('SIGINT'), 1500);
    assert.equal((await interrupted).code, 3, 'nothing succeeded: 3 wins over 130');
    assert.equal(seen.good + seen.bad, 0, 'nothing reached the server');
  } finally {
    await server.close();
  }
});

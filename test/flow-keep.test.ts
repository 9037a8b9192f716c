// Flows that read responses on loadhttp's own transports, end to end through the CLI against the login API
// (test/helpers/auth-server.ts): captures (JSON path, header, regex) over HTTP/1.1 with `transport: loadhttp`,
// and over h2c with `--h2`; an afterResponse hook that reads the kept headers and body and hands a value to
// the next step. Every authorised request must carry what was captured from its own login.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult } from '../src/result/result.ts';
import { LOGIN_FLOW, startAuthServer, type AuthServer } from './helpers/auth-server.ts';
import { runCli } from './helpers/cli.ts';

const CAPTURING_FLOW = `transport: loadhttp\n${LOGIN_FLOW}`;

/** The scenario (and hooks module, if any) in a fresh folder; returns the scenario's path. */
function scenarioFile(server: AuthServer, text: string, hooks?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-keep-'));
  if (hooks !== undefined) writeFileSync(path.join(dir, 'hooks.mjs'), hooks);
  const file = path.join(dir, 'flow.yaml');
  writeFileSync(file, `target: ${server.url}\n${text}`);
  return file;
}

async function runFlow(file: string, extra: string[]): Promise<RunResult> {
  const r = await runCli(['run', file, '-c', '3', '-n', '30', '--json', '-', '-q', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as RunResult;
}

function assertCaptured(server: AuthServer, result: RunResult, protocol: 'h1' | 'h2c'): void {
  assert.equal(result.transport, 'loadhttp', 'loadhttp\'s own transport ran the flow');
  assert.equal(result.protocol, protocol);
  assert.equal(result.iterations?.completed, 30, JSON.stringify(result.errorExamples));
  assert.equal(result.iterations?.failed, 0);
  for (const step of ['login', 'me', 'item']) assert.equal(result.requests[step]!.counts.completed, 30, step);
  assert.equal(server.refused, 0, 'every authorised request carried a token captured from the JSON body');
  assert.equal(server.stats.requests, 90);
  const mePaths = [...server.stats.byPath.keys()].filter((p) => p.startsWith('/me'));
  assert.ok(mePaths.length > 0 && mePaths.every((p) => /^\/me\?session=s-u[123]&n=\d+$/.test(p)), `header and regex captures in the path: ${mePaths.join(' ')}`);
  const itemPaths = [...server.stats.byPath.keys()].filter((p) => p.startsWith('/items/'));
  assert.ok(itemPaths.length > 0 && itemPaths.every((p) => /^\/items\/4\d$/.test(p)), `a JSON path capture in the path: ${itemPaths.join(' ')}`);
}

test('flow captures over loadhttp\'s own HTTP/1.1 transport (transport: loadhttp)', async () => {
  const server = await startAuthServer();
  try {
    const result = await runFlow(scenarioFile(server, CAPTURING_FLOW), []);
    assertCaptured(server, result, 'h1');
  } finally {
    await server.close();
  }
});

test('flow captures over loadhttp\'s own HTTP/2 transport (--h2, h2c)', async () => {
  const server = await startAuthServer({ h2c: true });
  try {
    const result = await runFlow(scenarioFile(server, CAPTURING_FLOW), ['--h2']);
    assertCaptured(server, result, 'h2c');
  } finally {
    await server.close();
  }
});

const HOOKS = `
export function afterResponse(response, vars) {
  if (response.name !== 'login') return;
  if (response.headers['x-session'] !== 's-u' + vars.vu) throw new Error('x-session: ' + response.headers['x-session']);
  if (response.truncated) throw new Error('truncated');
  vars.token = JSON.parse(response.body.toString()).token;
}
export function beforeRequest(request, vars) {
  if (request.name === 'me') request.headers.authorization = 'Bearer ' + vars.token;
}
`;

const HOOKED_FLOW = `
transport: loadhttp
hooks: ./hooks.mjs
flow:
  - name: login
    method: POST
    path: /login
    json: { user: "u{{vu}}", password: "pw-u{{vu}}" }
  - name: me
    path: /me
`;

for (const h2 of [false, true]) {
  test(`an afterResponse hook reads the kept headers and body (its token signs the next step) over loadhttp's own transport (${h2 ? 'h2c' : 'HTTP/1.1'})`, async () => {
    const server = await startAuthServer({ h2c: h2 });
    try {
      const result = await runFlow(scenarioFile(server, HOOKED_FLOW, HOOKS), h2 ? ['--h2'] : []);
      assert.equal(result.transport, 'loadhttp');
      assert.equal(result.protocol, h2 ? 'h2c' : 'h1');
      assert.equal(result.iterations?.completed, 30, JSON.stringify(result.errorExamples));
      assert.equal(result.requests.me!.counts.completed, 30);
      assert.equal(server.refused, 0, 'every /me carried the token the hook read from the login body');
    } finally {
      await server.close();
    }
  });
}

// Data files on the real CLI: `unique` rows across worker threads and shards (no row used twice, the
// server records them), the run stopping when the rows run out; sequential rows wrapping; JSON lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult } from '../src/result/result.ts';
import { runCli } from './helpers/cli.ts';
import { startAuthServer } from './helpers/auth-server.ts';

const USERS = 40;

function scenario(dir: string, target: string, data: string, file = 'users.csv'): string {
  const rows = Array.from({ length: USERS }, (_, i) => `user${i},pw-user${i}`);
  writeFileSync(path.join(dir, 'users.csv'), `user,password\n${rows.join('\n')}\n`);
  writeFileSync(path.join(dir, 'users.jsonl'), Array.from({ length: USERS }, (_, i) => JSON.stringify({ user: `user${i}`, password: `pw-user${i}` })).join('\n'));
  const file_ = path.join(dir, 'flow.yaml');
  writeFileSync(
    file_,
    `target: ${target}
data: { file: ${file}, ${data} }
flow:
  - name: login
    method: POST
    path: /login
    json: { user: "{{user}}", password: "{{password}}" }
    capture: [{ json: $.token, as: token }]
    expect: { status: 200 }
  - name: me
    path: /me
    headers: { authorization: "Bearer {{token}}" }
`,
  );
  return file_;
}

test('data order unique: two shards of --workers 2 use every row exactly once, then stop (data-exhausted)', async () => {
  const server = await startAuthServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-data-'));
  try {
    const file = scenario(dir, server.url, 'order: unique');
    const shard = (n: number) => runCli(['run', file, '-c', '4', '-d', '20s', '--workers', '2', '--shard', `${n}/2`, '--run-id', 'data', '--json', '-', '-q']);
    const runs = await Promise.all([shard(0), shard(1)]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const results = runs.map((r) => JSON.parse(r.stdout) as RunResult);
    assert.equal(server.logins.length, USERS, 'every row once');
    assert.equal(new Set(server.logins).size, USERS, `no row twice: ${server.logins.join(' ')}`);
    assert.equal(server.refused, 0);
    for (const result of results) {
      assert.equal(result.stopReason, 'data-exhausted');
      assert.equal(result.iterations!.completed, USERS / 2);
      assert.equal(result.plan.data?.rows, USERS);
    }
  } finally {
    await server.close();
  }
});

test('data order sequential wraps by default; JSON lines give the same variables', async () => {
  const server = await startAuthServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-data-'));
  try {
    const file = scenario(dir, server.url, 'order: sequential', 'users.jsonl');
    const r = await runCli(['run', file, '-c', '1', '-n', `${USERS + 5}`, '--json', '-', '-q']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as RunResult;
    assert.equal(result.iterations!.completed, USERS + 5);
    assert.deepEqual(server.logins.slice(0, 3), ['user0', 'user1', 'user2'], 'in file order');
    assert.deepEqual(server.logins.slice(USERS, USERS + 2), ['user0', 'user1'], 'then from the start again');
  } finally {
    await server.close();
  }
});

test('data per vu: each virtual user keeps its row for all its iterations', async () => {
  const server = await startAuthServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-data-'));
  try {
    const file = scenario(dir, server.url, 'order: unique, per: vu');
    const r = await runCli(['run', file, '-c', '3', '-n', '30', '--json', '-', '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(new Set(server.logins), new Set(['user0', 'user1', 'user2']));
    assert.equal(server.logins.length, 30);
  } finally {
    await server.close();
  }
});

test('{{vu}} numbers the virtual users of the whole run: --workers 2 gives four distinct users to -c 4', async () => {
  const server = await startAuthServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-data-'));
  try {
    const file = path.join(dir, 'vu.yaml');
    writeFileSync(file, `target: ${server.url}\nflow:\n  - method: POST\n    path: /login\n    json: { user: "u{{vu}}", password: "pw-u{{vu}}" }\n`);
    const r = await runCli(['run', file, '-c', '4', '-n', '40', '--workers', '2', '--json', '-', '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([...new Set(server.logins)].sort(), ['u1', 'u2', 'u3', 'u4']);
  } finally {
    await server.close();
  }
});

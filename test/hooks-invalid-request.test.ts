// A beforeRequest hook that leaves its request unsendable (a header name with a space, a line break or a
// character above U+00FF in a value, a header without a value) fails that step as hook-error, with a message naming the hook, the step
// and the header, on either transport (and h2's writer checks none of this): nothing reaches the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult } from '../src/result/result.ts';
import { runCli } from './helpers/cli.ts';
import { startServer } from './helpers/servers.ts';

function scenario(target: string, hook: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-hook-check-'));
  writeFileSync(path.join(dir, 'hooks.mjs'), `export function beforeRequest(request) {\n  ${hook}\n}\n`);
  const file = path.join(dir, 'flow.yaml');
  writeFileSync(file, `target: ${target}\nhooks: ./hooks.mjs\nflow:\n  - name: create\n    method: POST\n    path: /items\n    body: x\n`);
  return file;
}

const cases = [
  { hook: `request.headers['bad name'] = 'x';`, message: /beforeRequest returned an invalid request on step "create": invalid header name "bad name"/ },
  { hook: `request.headers['x-note'] = 'a\\r\\nx-injected: 1';`, message: /beforeRequest returned an invalid request on step "create": invalid value for header x-note: it contains a line break or NUL/ },
  { hook: `request.headers['x-price'] = '5 €';`, message: /beforeRequest returned an invalid request on step "create": invalid value for header x-price: it contains "€" \(U\+20AC\), above U\+00FF/ },
  { hook: `request.headers['x-id'] = undefined;`, message: /beforeRequest returned an invalid request on step "create": the value of header "x-id" is undefined, not a string or number/ },
  { hook: `request.path = '/a b';`, message: /beforeRequest returned an invalid request on step "create": invalid request path "\/a b"/ },
];

for (const transport of ['loadhttp', 'undici']) {
  test(`${transport}: a request beforeRequest left unsendable fails as hook-error naming the hook and the header`, async () => {
    const server = await startServer();
    try {
      for (const { hook, message } of cases) {
        const r = await runCli(['run', scenario(server.url, hook), '--transport', transport, '-n', '2', '--json', '-', '-q']);
        assert.equal(r.code, 3, `${hook}: ${r.stderr}`);
        const result = JSON.parse(r.stdout) as RunResult;
        assert.deepEqual(result.errors, { 'hook-error': 2 }, `${hook}: ${JSON.stringify(result.errorExamples)}`);
        assert.equal(result.counts.sent, result.counts.failed);
        assert.match(result.errorExamples['hook-error']![0]!, message, hook);
      }
      assert.equal(server.stats.requests, 0, 'nothing reached the server');
    } finally {
      await server.close();
    }
  });
}

test('a beforeRequest that only changes what it may still sends its request (a numeric header, a deleted body)', async () => {
  const server = await startServer();
  try {
    const hook = `request.headers['x-n'] = 7; request.headers['X-Upper'] = 'y'; delete request.body; request.method = 'put';`;
    const r = await runCli(['run', scenario(server.url, hook), '-n', '2', '--json', '-', '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as RunResult).counts.completed, 2);
    assert.equal(server.stats.requests, 2);
  } finally {
    await server.close();
  }
});

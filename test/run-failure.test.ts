// A run that fails with an exception mid-way (not a failed request: a bug, or a failure nothing absorbed)
// releases everything it holds -- its users, timers, sockets and the open model's timer thread -- so the
// process exits with the error's code at once. Before, the other users ran on until the duration ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from './helpers/servers.ts';

const CHILD = fileURLToPath(new URL('./helpers/throwing-run.ts', import.meta.url));

test('an in-process run that throws mid-way rejects with the error and holds nothing: the process exits at once', async () => {
  const server = await startServer({ delayMs: 5 });
  try {
    const started = performance.now();
    const child = spawn(process.execPath, [CHILD, server.url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    const ms = performance.now() - started;
    assert.equal(out, 'rejected: injected failure of the data source\n');
    assert.equal(code, 7, 'the exit code the caller chose');
    assert.ok(ms < 10_000, `exited after ${Math.round(ms)} ms; the run's duration was 30 s`);
  } finally {
    await server.close();
  }
});

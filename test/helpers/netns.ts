// A private network for tests that need a host name with several addresses: an unprivileged user + network +
// mount namespace (unshare -rnm) with only a loopback interface carrying the given addresses, and its own
// /etc/hosts (bind-mounted), so dns.lookup (the system resolver) answers from it. The addresses exist only
// inside that namespace; a script runs there on this same Node and prints what it found.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Why a namespace cannot be made here (a test skips with it), or null when it can. */
export function namespaceUnavailable(): string | null {
  for (const tool of ['unshare', 'ip', 'mount']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `\`${tool}\` is not installed`;
  }
  const probe = spawnSync('unshare', ['-rnm', 'sh', '-c', 'ip link set lo up && ip addr add 10.9.0.1/32 dev lo'], { timeout: 10_000 });
  if (probe.status !== 0) {
    return `unprivileged user+network+mount namespaces are not allowed here (unshare -rnm: ${probe.stderr.toString().trim() || `exit ${probe.status}`})`;
  }
  return null;
}

export interface NamespaceRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `script` (a .ts file) on this Node inside a fresh namespace whose loopback carries `addresses` (IPv4
 * or IPv6) and whose /etc/hosts is `hosts`. Killed after `timeoutMs`.
 */
export function runInNamespace(hosts: string, addresses: readonly string[], script: string, args: readonly string[], timeoutMs = 60_000): Promise<NamespaceRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-netns-'));
  const hostsFile = path.join(dir, 'hosts');
  writeFileSync(hostsFile, hosts);
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const setup = [
    'ip link set lo up',
    ...addresses.map((a) => `ip addr add ${a}/${a.includes(':') ? 128 : 32} dev lo`),
    `mount --bind ${quote(hostsFile)} /etc/hosts`,
    // IPv6 addresses are usable once duplicate address detection is done ("tentative" otherwise).
    ...(addresses.some((a) => a.includes(':')) ? ['while ip -6 addr show dev lo | grep -q tentative; do sleep 0.05; done'] : []),
    `exec ${[process.execPath, script, ...args].map(quote).join(' ')}`,
  ].join(' && ');
  const child = spawn('unshare', ['-rnm', 'sh', '-c', setup], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', CI: 'true' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}

// The benchmarks' nginx target: one worker (pinned where `pin` says), keep-alive without limits, on
// 127.0.0.1 at a random port: h1 on port, h2c (prior knowledge) on port+1, h2 over TLS on port+2 when
// openssl can make a certificate. `/hello` returns 12 bytes, `/16k.bin` 16 KiB from a file, and
// `/nginx_status` nginx's request counter (stub_status), which counts requests the same way whatever
// the client. Returns null when nginx is not installed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;

/** `work`: a directory nginx's workers can read (mode 755); `pinned(argv)` wraps the command (taskset). */
export async function startNginx(work, pinned = (argv) => argv) {
  const nginx = which('nginx');
  if (!nginx) return null;
  const port = 18000 + Math.floor(Math.random() * 1000);
  const tls = which('openssl') && spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${work}/key.pem`, '-out', `${work}/cert.pem`, '-days', '2', '-subj', '/CN=localhost']).status === 0;
  const locations = `root ${work}/www; default_type text/plain; location = /hello { return 200 "hello world\\n"; }
    location = /nginx_status { stub_status; }`;
  mkdirSync(path.join(work, 'www'));
  writeFileSync(path.join(work, 'www', '16k.bin'), Buffer.alloc(16384, 'x'));
  const conf = path.join(work, 'nginx.conf');
  writeFileSync(conf, `worker_processes 1; daemon off; pid ${work}/nginx.pid; error_log ${work}/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000000; keepalive_timeout 120s;
  client_body_temp_path ${work}/tmp; proxy_temp_path ${work}/tmp; fastcgi_temp_path ${work}/tmp;
  uwsgi_temp_path ${work}/tmp; scgi_temp_path ${work}/tmp;
  server { listen 127.0.0.1:${port}; ${locations} }
  server { listen 127.0.0.1:${port + 1} http2; http2_max_concurrent_streams 256; ${locations} }
  ${tls ? `server { listen 127.0.0.1:${port + 2} ssl http2; http2_max_concurrent_streams 256; ssl_certificate ${work}/cert.pem; ssl_certificate_key ${work}/key.pem; ${locations} }` : ''} }\n`);
  mkdirSync(path.join(work, 'tmp'));
  const argv = pinned([nginx, '-c', conf, '-e', `${work}/error.log`]);
  const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
  await waitForPort(port);
  const h1 = `http://127.0.0.1:${port}`;
  return {
    name: 'nginx (1 worker)',
    urls: { h1, h2c: `http://127.0.0.1:${port + 1}`, ...(tls ? { h2: `https://127.0.0.1:${port + 2}` } : {}) },
    /** Requests nginx has served so far, this one included. */
    requestsServed: async () => Number(/\n\s*\d+\s+\d+\s+(\d+)/.exec(await (await fetch(`${h1}/nginx_status`)).text())[1]),
    stop: () => child.kill('SIGQUIT'),
  };
}

export async function waitForPort(port) {
  for (let i = 0; i < 50; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/hello`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`target did not start on ${port}`);
}

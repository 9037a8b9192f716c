#!/usr/bin/env node
// `npm run bench`: loadhttp beside the bare undici loop (the ceiling) and whatever peers are installed
// (autocannon from node_modules, wrk, h2load), with equal settings, against nginx if installed (else the
// built-in node target), the target pinned to CPU 1 and each generator to CPU 0 where there are 2+ cores.
// Prints req/s, the ratio to the ceiling, CPU µs per request (user+sys of the generator) and peak RSS.
// Protocols: h1 (BENCH_CONNS sockets), and with nginx h2c (prior knowledge) and h2 over TLS (BENCH_SESSIONS
// sessions × BENCH_STREAMS streams; the TLS certificate is made with openssl).
// Not a test: figures depend on the machine; compare ratios within one run.
//   BENCH_SECONDS=6 BENCH_CONNS=64 BENCH_ROUNDS=2 BENCH_PATHS=/hello,/16k.bin BENCH_PROTOCOLS=h1,h2c,h2 npm run bench
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNS = Number(process.env.BENCH_CONNS ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PATHS = (process.env.BENCH_PATHS ?? '/hello,/16k.bin').split(',');
const PROTOCOLS = (process.env.BENCH_PROTOCOLS ?? 'h1,h2c,h2').split(',');
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 4);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 32);
const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;
const pin = cpus().length >= 2 && which('taskset');
const pinned = (cpu, argv) => (pin ? ['taskset', '-c', String(cpu), ...argv] : argv);
const work = mkdtempSync(path.join(tmpdir(), 'loadhttp-bench-'));
chmodSync(work, 0o755); // nginx workers run as another user and must read the files

async function startTarget() {
  const nginx = which('nginx');
  if (nginx) {
    const port = 18000 + Math.floor(Math.random() * 1000);
    const tls = which('openssl') && spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${work}/key.pem`, '-out', `${work}/cert.pem`, '-days', '2', '-subj', '/CN=localhost']).status === 0;
    const locations = `root ${work}/www; default_type text/plain; location = /hello { return 200 "hello world\\n"; }`;
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
    const argv = pinned(1, [nginx, '-c', conf, '-e', `${work}/error.log`]);
    const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
    await waitForPort(port);
    const urls = { h1: `http://127.0.0.1:${port}`, h2c: `http://127.0.0.1:${port + 1}`, ...(tls ? { h2: `https://127.0.0.1:${port + 2}` } : {}) };
    return { name: 'nginx (1 worker)', urls, stop: () => child.kill('SIGQUIT') };
  }
  const argv = pinned(1, [process.execPath, path.join(HERE, 'target.mjs')]);
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(JSON.parse(String(d)).port)));
  return { name: 'node:http (built-in, h1 only)', urls: { h1: `http://127.0.0.1:${port}` }, stop: () => child.kill('SIGTERM') };
}

async function waitForPort(port) {
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

const node = process.execPath;
/** Connections and streams (h1: pipelining 1) per protocol. */
const shape = (proto) => (proto === 'h1' ? { conns: CONNS, streams: 1 } : { conns: SESSIONS, streams: STREAMS });
const loadhttpFlags = (proto) => {
  const { conns, streams } = shape(proto);
  return proto === 'h1' ? ['-c', conns] : ['--h2', '-c', conns * streams, '--connections', conns, '--streams', streams, '--insecure'];
};
const generators = [
  {
    name: 'undici bare loop (ceiling)',
    protocols: ['h1', 'h2c', 'h2'],
    argv: (url, proto) => [node, path.join(HERE, 'ceiling.mjs'), proto, url, shape(proto).conns, shape(proto).streams, SECONDS],
    parse: (out) => JSON.parse(out),
  },
  {
    name: 'loadhttp',
    protocols: ['h1', 'h2c', 'h2'],
    argv: (url, proto) => [node, path.join(ROOT, 'bin/loadhttp.js'), 'run', '--url', url, ...loadhttpFlags(proto), '-d', `${SECONDS}s`, '--json', '-', '-q'],
    parse: (out) => {
      const r = JSON.parse(out);
      return { requests: r.statusCodes['200'] ?? 0, duration_s: r.durationMs / 1000, errors: r.counts.failed + r.unexpectedStatus };
    },
  },
];
const autocannon = path.join(ROOT, 'node_modules/.bin/autocannon');
if (existsSync(autocannon)) {
  generators.push({
    name: 'autocannon',
    protocols: ['h1'],
    argv: (url) => [node, autocannon, '-c', CONNS, '-d', SECONDS, '-j', url],
    parse: (out) => {
      const r = JSON.parse(out.trim().split('\n').at(-1));
      return { requests: r['2xx'], duration_s: r.duration, errors: r.errors + r.non2xx };
    },
  });
}
if (which('wrk')) {
  generators.push({
    name: 'wrk (C)',
    protocols: ['h1'],
    argv: (url) => ['wrk', '-t1', `-c${CONNS}`, `-d${SECONDS}s`, url],
    parse: (out) => ({ requests: Number(/(\d+) requests in/.exec(out)[1]), duration_s: Number(/in ([\d.]+)s/.exec(out)[1]), errors: 0 }),
  });
}
if (which('h2load')) {
  generators.push({
    name: 'h2load (C)',
    protocols: ['h1', 'h2c', 'h2'],
    argv: (url, proto) => ['h2load', ...(proto === 'h1' ? ['--h1'] : []), '-c', shape(proto).conns, '-m', shape(proto).streams, '-D', SECONDS, url],
    parse: (out) => ({
      requests: Number(/status codes: (\d+) 2xx/.exec(out)[1]),
      duration_s: Number(/finished in ([\d.]+)s/.exec(out)[1]),
      errors: Number(/(\d+) errored/.exec(out)[1]),
    }),
  });
}

function runOne(generator, url, proto) {
  const timeFile = path.join(work, 'time.txt');
  const argv = ['/usr/bin/time', '-f', '%U %S %M', '-o', timeFile, ...pinned(0, generator.argv(url, proto).map(String))];
  const out = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: (SECONDS + 30) * 1000, maxBuffer: 64 << 20 });
  if (out.status !== 0) throw new Error(`${generator.name} failed (${out.status}): ${out.stderr.slice(0, 500)}`);
  const [user, sys, rssKiB] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  const r = generator.parse(out.stdout);
  return { rps: r.requests / r.duration_s, cpuUsPerReq: ((user + sys) * 1e6) / r.requests, rssMiB: rssKiB / 1024, errors: r.errors };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const target = await startTarget();
try {
  console.log(`target: ${target.name}; h1 ${CONNS} connections, h2 ${SESSIONS} sessions × ${STREAMS} streams; ${SECONDS}s, ${ROUNDS} rounds, pinned: ${pin ? 'yes' : 'no'}; node ${process.version}; ${cpus()[0]?.model ?? '?'}`);
  for (const proto of PROTOCOLS.filter((p) => target.urls[p])) for (const p of PATHS) {
    const active = generators.filter((g) => g.protocols.includes(proto));
    const runs = new Map(active.map((g) => [g.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? active : [...active].reverse();
      for (const g of order) runs.get(g.name).push(runOne(g, target.urls[proto] + p, proto));
    }
    const ceiling = median(runs.get(active[0].name).map((r) => r.rps));
    console.log(`\n${proto} ${p}\n| generator | req/s | vs ceiling | CPU µs/req | peak RSS MiB | errors |\n|---|--:|--:|--:|--:|--:|`);
    for (const g of active) {
      const rs = runs.get(g.name);
      const rps = median(rs.map((r) => r.rps));
      console.log(`| ${g.name} | ${Math.round(rps).toLocaleString('en-US')} | ${(rps / ceiling).toFixed(2)} | ${median(rs.map((r) => r.cpuUsPerReq)).toFixed(1)} | ${Math.round(median(rs.map((r) => r.rssMiB)))} | ${Math.max(...rs.map((r) => r.errors))} |`);
    }
  }
} finally {
  target.stop();
}

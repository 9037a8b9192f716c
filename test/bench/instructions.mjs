#!/usr/bin/env node
// `npm run bench:instructions`: CPU instructions per request in the steady state, for machines where
// `perf stat` has no counters (VMs such as this project's). valgrind's callgrind counts the instructions a
// process executes, whatever else the machine does: the same run reads the same within ~1-2%, where req/s
// on a shared VM moves ±20%.
//
// Each generator runs under callgrind against nginx with instrumentation off (valgrind's no-op mode, ~5×
// slower than native) for INS_WARMUP seconds, so the JIT has compiled the request path. Then counting is
// switched on for INS_WINDOW seconds, and the instructions counted (all threads: the JIT's and the GC's
// included) are divided by the requests nginx served in the window (its stub_status counter: the same
// count whatever the client, retries and errors included). Start-up, JIT warmup and the end of the run
// are outside the window.
//
// INS_PROFILE=N also prints each generator's N costliest functions in the window, instructions per
// request: Node runs with --perf-basic-prof, whose map of the JIT's code (/tmp/perf-PID.map) turns
// callgrind's bare addresses into JS function names; Node's own C++ and builtins have symbols.
//
// One caveat, in every row alike: under callgrind a process runs ~30-50× slower than natively, so work
// done per second of wall time (a progress tick, an event-loop delay monitor, keep-alive timers) weighs
// 30-50× more per request than in a real run.
// INS_SCENARIO=FILE runs the loadhttp rows with that scenario (its requests, against nginx's /hello: --url
// replaces its target), e.g. test/bench/mix-flow.yaml, a plain mix beside a flow entry, against
// test/bench/mix-plain.yaml, the same requests as a plain mix.
//   INS_WARMUP=60 INS_WINDOW=20 INS_PATHS=/hello,/16k.bin INS_PROTOCOLS=h1,h2c,h2 INS_CONNS=64 \
//   INS_SESSIONS=4 INS_STREAMS=32 INS_PROFILE=0 INS_GENERATORS=undici,loadhttp,h2load npm run bench:instructions
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startNginx, which } from './nginx.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const WARMUP = Number(process.env.INS_WARMUP ?? 60);
const WINDOW = Number(process.env.INS_WINDOW ?? 20);
const PATHS = (process.env.INS_PATHS ?? '/hello').split(',');
const PROTOCOLS = (process.env.INS_PROTOCOLS ?? 'h1').split(',');
const CONNS = Number(process.env.INS_CONNS ?? 64);
const SESSIONS = Number(process.env.INS_SESSIONS ?? 4);
const STREAMS = Number(process.env.INS_STREAMS ?? 32);
const PROFILE = Number(process.env.INS_PROFILE ?? 0);
/** Only the generators whose names start with one of these (comma-separated); default all. */
const ONLY = process.env.INS_GENERATORS?.split(',') ?? null;
const SCENARIO = process.env.INS_SCENARIO ? path.resolve(process.env.INS_SCENARIO) : null;
/** Every generator is told to run this long, and is stopped once its window is counted. */
const BOUND_S = WARMUP + WINDOW + 60;

for (const tool of ['valgrind', 'callgrind_control', 'nginx']) {
  if (!which(tool)) {
    console.error(`bench:instructions needs ${tool} (Debian: apt-get install valgrind nginx-light)`);
    process.exit(1);
  }
}

const node = process.execPath;
const shape = (proto) => (proto === 'h1' ? { conns: CONNS, streams: 1 } : { conns: SESSIONS, streams: STREAMS });
const generators = [
  {
    name: 'undici bare loop (ceiling)',
    protocols: ['h1', 'h2c', 'h2'],
    // The same V8 cap bin/loadhttp.js sets (see run.mjs).
    argv: (url, proto) => [node, '--max-semi-space-size=16', path.join(HERE, 'ceiling.mjs'), proto, url, shape(proto).conns, shape(proto).streams, BOUND_S],
  },
  ...['loadhttp', 'undici'].map((transport) => ({
    name: transport === 'loadhttp' ? 'loadhttp' : 'loadhttp --transport undici',
    protocols: ['h1', 'h2c', 'h2'],
    argv: (url, proto) => {
      const { conns, streams } = shape(proto);
      const flags = proto === 'h1' ? ['-c', conns] : ['--h2', '-c', conns * streams, '--connections', conns, '--streams', streams, '--insecure'];
      return [node, path.join(ROOT, 'bin/loadhttp.js'), 'run', ...(SCENARIO ? [SCENARIO] : []), '--url', url, ...flags, '--transport', transport, '-d', `${BOUND_S}s`, '-q'];
    },
  })),
  {
    name: 'naive node:net loop (raw-h1.mjs)',
    protocols: ['h1'],
    argv: (url) => [node, path.join(HERE, 'raw-h1.mjs'), url, CONNS, BOUND_S],
  },
];
// HTTP/2 yardsticks: the bare node:http2 loop (what undici's h2 runs on), a frame-level h2c loop without HPACK
// decoding (an upper bound for a JS transport), and h2load (C, nghttp2).
generators.push(
  {
    name: 'node:http2 bare loop',
    protocols: ['h2c', 'h2'],
    argv: (url, proto) => [node, '--max-semi-space-size=16', path.join(HERE, 'node-http2.mjs'), url, shape(proto).conns, shape(proto).streams, BOUND_S],
  },
  {
    name: 'frame-level h2c loop (no HPACK decoding)',
    protocols: ['h2c'],
    argv: (url, proto) => [node, '--max-semi-space-size=16', path.join(HERE, 'frame-h2c.mjs'), url, shape(proto).conns, shape(proto).streams, BOUND_S],
  },
);
if (which('h2load')) {
  generators.push({
    name: 'h2load',
    protocols: ['h2c', 'h2'],
    argv: (url, proto) => ['h2load', '-t1', '-c', shape(proto).conns, '-m', shape(proto).streams, '-D', BOUND_S, url],
  });
}
const autocannon = path.join(ROOT, 'node_modules/.bin/autocannon');
if (existsSync(autocannon)) {
  generators.push({ name: 'autocannon', protocols: ['h1'], argv: (url) => [node, autocannon, '-c', CONNS, '-d', BOUND_S, url] });
}

const work = mkdtempSync(path.join(tmpdir(), 'loadhttp-instr-'));
chmodSync(work, 0o755); // nginx workers run as another user and must read the files

/** Total instructions in a callgrind dump ("totals:" or "summary:" line). */
function readTotal(file) {
  const line = readFileSync(file, 'utf8').split('\n').find((l) => /^(totals|summary):/.test(l));
  if (!line) throw new Error(`no totals in ${file}`);
  return Number(line.split(/\s+/)[1]);
}

/**
 * The costliest functions of a dump, instructions per request: callgrind_annotate's flat list, with the
 * JIT's code (bare addresses) named from the process's perf map and summed by function.
 */
function profile(dumpFile, pid, requests) {
  const text = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', dumpFile], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const mapFile = `/tmp/perf-${pid}.map`;
  const code = existsSync(mapFile)
    ? readFileSync(mapFile, 'utf8').split('\n').filter(Boolean).map((line) => {
        const [start, size, ...name] = line.split(' ');
        return { start: parseInt(start, 16), end: parseInt(start, 16) + parseInt(size, 16), name: `JS ${name.join(' ').replace(/^JS:[*~^+']*/, '')}` };
      }).sort((a, b) => a.start - b.start)
    : [];
  const nameOf = (address) => {
    let lo = 0;
    let hi = code.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (code[mid].start <= address) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && address < code[hi].end ? code[hi].name : 'JIT code (not in the map)';
  };
  const costs = new Map();
  for (const line of text.split('\n')) {
    const match = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (!match || match[2].startsWith('PROGRAM TOTALS')) continue;
    const address = /^\?\?\?:0x([0-9a-f]+)/.exec(match[2]);
    const name = address ? nameOf(parseInt(address[1], 16)) : match[2].replace(/ \[[^\]]*\]$/, '').replace(/^\?\?\?:/, '');
    costs.set(name, (costs.get(name) ?? 0) + Number(match[1].replaceAll(',', '')));
  }
  rmSync(mapFile, { force: true });
  return [...costs].sort((a, b) => b[1] - a[1]).slice(0, PROFILE).map(([name, ir]) => ({ name, perRequest: ir / requests }));
}

/** One generator under callgrind: instructions and requests over the window. */
async function measure(name, argv, target) {
  const out = path.join(work, `cg.${name.replace(/\W+/g, '_')}`);
  // --trace-children: bin/loadhttp.js re-executes Node with its V8 flags (execve); the count follows it.
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--trace-children=yes', '--smc-check=all-non-file',
    `--callgrind-out-file=${out}.%p`, argv[0], ...(PROFILE > 0 && argv[0] === node ? ['--perf-basic-prof'] : []), ...argv.slice(1).map(String)],
    // In the scratch folder: with --perf-basic-prof V8 also writes an isolate-*.log into the working directory.
    { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const control = (...args) => execFileSync('callgrind_control', [...args, String(child.pid)], { stdio: 'ignore' });
  try {
    await Promise.race([sleep(WARMUP * 1000), exited.then(() => { throw new Error(`${name} exited during the warmup: ${stderr.trim().slice(-600)}`); })]);
    control('--instr=on');
    const before = await target.requestsServed();
    await sleep(WINDOW * 1000);
    const after = await target.requestsServed();
    control('--dump');
    // The status request that read `after` is the one request in the window no generator sent.
    const requests = after - before - 1;
    const dump = readdirSync(work).find((f) => f.startsWith(`${path.basename(out)}.${child.pid}.`));
    if (!dump) throw new Error(`${name}: callgrind wrote no dump`);
    if (!(requests > 0)) throw new Error(`${name}: no request was served in the window`);
    const dumpFile = path.join(work, dump);
    return { instructions: readTotal(dumpFile), requests, top: PROFILE > 0 ? profile(dumpFile, child.pid, requests) : [] };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

const target = await startNginx(work);
try {
  console.log(`callgrind, steady state: ${WARMUP} s warmup uncounted, then ${WINDOW} s counted; h1 ${CONNS} connections, h2 ${SESSIONS} sessions × ${STREAMS} streams; node ${process.version}`);
  for (const proto of PROTOCOLS.filter((p) => target.urls[p])) for (const p of PATHS) {
    const active = generators.filter((g) => g.protocols.includes(proto) && (ONLY === null || ONLY.some((prefix) => g.name.startsWith(prefix))));
    const rows = [];
    for (const g of active) {
      try {
        rows.push({ name: g.name, ...(await measure(g.name, g.argv(target.urls[proto] + p, proto), target)) });
      } catch (err) {
        console.error(`  skipped ${g.name}: ${process.env.INS_DEBUG ? err.message : err.message.split('\n')[0]}`);
      }
    }
    const ceiling = rows.find((r) => r.name === generators[0].name);
    const ours = rows.find((r) => r.name === 'loadhttp');
    const cost = (r) => r.instructions / r.requests;
    // The last column reads as speed: loadhttp does the work of one request in 1/x of this row's instructions.
    console.log(`\n${proto} ${p}\n| generator | requests counted | instructions/request | ÷ ceiling's | loadhttp's speed × this |\n|---|--:|--:|--:|--:|`);
    for (const r of rows) {
      const ratio = ceiling ? (cost(r) / cost(ceiling)).toFixed(3) : '–';
      const speed = ours ? (cost(r) / cost(ours)).toFixed(2) : '–';
      console.log(`| ${r.name} | ${r.requests.toLocaleString('en-US')} | ${Math.round(cost(r)).toLocaleString('en-US')} | ${ratio} | ${speed} |`);
    }
    for (const r of rows.filter((r) => r.top.length > 0)) {
      console.log(`\n${r.name}: costliest functions in the window, instructions per request\n${r.top.map((f) => `${Math.round(f.perRequest).toString().padStart(8)}  ${f.name}`).join('\n')}`);
    }
  }
} finally {
  target.stop();
}

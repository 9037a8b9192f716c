#!/usr/bin/env node
// `npm run bench`: loadhttp beside the bare undici loop (the ceiling) and whatever peers are installed
// (autocannon from node_modules, wrk, h2load; for h2c and h2 also the bare node:http2 loop), with equal
// settings, against nginx if installed (else the built-in node target), the target pinned to CPU 1 and
// each generator to CPU 0 where there are 2+ cores.
// Prints req/s, the ratio to the ceiling and loadhttp's ratio to each generator (medians of per-round pairs), CPU µs per request (user+sys
// of the generator), CPU instructions per request where `perf stat` counters work, and peak RSS.
// Protocols: h1 (BENCH_CONNS sockets), and with nginx h2c (prior knowledge) and h2 over TLS (BENCH_SESSIONS
// sessions × BENCH_STREAMS streams; the TLS certificate is made with openssl).
// Then two h1 `/hello` sections: a fixed rate (BENCH_RATE req/s over 64 connections: achieved rate, P50/P99,
// CPU per request, with and without a BENCH_RATE_WARMUP s warmup, beside a paced bare undici loop; 0 skips
// it) and many users (BENCH_VUS users, one connection each: RSS against the ceiling with as many
// connections; 0 skips it).
// Not a test: figures depend on the machine; compare ratios within one run.
//   BENCH_SECONDS=6 BENCH_CONNS=64 BENCH_ROUNDS=2 BENCH_PATHS=/hello,/16k.bin BENCH_PROTOCOLS=h1,h2c,h2 \
//   BENCH_RATE=5000 BENCH_RATE_WARMUP=3 BENCH_RATE_SECONDS=20 BENCH_VUS=1000 npm run bench
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNginx, which } from './nginx.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNS = Number(process.env.BENCH_CONNS ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PATHS = (process.env.BENCH_PATHS ?? '/hello,/16k.bin').split(',');
const PROTOCOLS = (process.env.BENCH_PROTOCOLS ?? 'h1,h2c,h2').split(',');
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 4);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 32);
const RATE = Number(process.env.BENCH_RATE ?? 5000);
/** Seconds of warmup for the fixed-rate rows that have one (see there). */
const RATE_WARMUP = Number(process.env.BENCH_RATE_WARMUP ?? 3);
/**
 * Seconds measured in the fixed-rate rows. At 5,000 req/s a 4 s window holds 20,000 requests, so 200 late
 * ones make its P99: one V8 optimizing compile or VM hiccup does. Over 20 s loadhttp's P99 after the
 * warmup read 3.3 and 5.1 ms where 4 s windows read 9.3 ms (h2load's: 2.2 and 2.7 ms).
 */
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 20);
const VUS = Number(process.env.BENCH_VUS ?? 1000);
/**
 * The V8 young-generation cap bin/loadhttp.js runs with (see there). The bare loops run with it too, so
 * their ratios to loadhttp compare the code on top of undici, not V8 settings: without it the bare loop's
 * young generation grows in the h2 rows and with many connections (h2c 16 KiB: peak RSS 212-220 MiB
 * against 170-178 with the cap; req/s within the noise, 3 pairs of 5 s runs).
 */
const CEILING_V8 = ['--max-semi-space-size=16'];
/** The fixed-rate section's connections: the setting the performance issue states its targets for. */
const RATE_CONNS = 64;
const pin = cpus().length >= 2 && which('taskset');
const pinned = (cpu, argv) => (pin ? ['taskset', '-c', String(cpu), ...argv] : argv);
const work = mkdtempSync(path.join(tmpdir(), 'loadhttp-bench-'));
chmodSync(work, 0o755); // nginx workers run as another user and must read the files

async function startTarget() {
  const nginx = await startNginx(work, (argv) => pinned(1, argv));
  if (nginx) return nginx;
  const argv = pinned(1, [process.execPath, path.join(HERE, 'target.mjs')]);
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(JSON.parse(String(d)).port)));
  return { name: 'node:http (built-in, h1 only)', urls: { h1: `http://127.0.0.1:${port}` }, stop: () => child.kill('SIGTERM') };
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
    argv: (url, proto) => [node, ...CEILING_V8, path.join(HERE, 'ceiling.mjs'), proto, url, shape(proto).conns, shape(proto).streams, SECONDS],
    parse: (out) => JSON.parse(out),
  },
  {
    // What undici's HTTP/2 runs on: the yardstick of the HTTP/2 transport of our own.
    name: 'node:http2 bare loop',
    protocols: ['h2c', 'h2'],
    argv: (url, proto) => [node, ...CEILING_V8, path.join(HERE, 'node-http2.mjs'), url, shape(proto).conns, shape(proto).streams, SECONDS],
    parse: (out) => JSON.parse(out),
  },
  {
    name: 'loadhttp',
    protocols: ['h1', 'h2c', 'h2'],
    argv: (url, proto) => [node, path.join(ROOT, 'bin/loadhttp.js'), 'run', '--url', url, ...loadhttpFlags(proto), '-d', `${SECONDS}s`, '--json', '-', '-q'],
    parse: (out) => parseLoadhttp(out),
  },
  {
    name: 'loadhttp --transport undici',
    protocols: ['h1', 'h2c', 'h2'],
    argv: (url, proto) => [node, path.join(ROOT, 'bin/loadhttp.js'), 'run', '--url', url, ...loadhttpFlags(proto), '--transport', 'undici', '-d', `${SECONDS}s`, '--json', '-', '-q'],
    parse: (out) => parseLoadhttp(out),
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
    parse: (out) => parseH2load(out),
  });
}

/**
 * Instructions from `perf stat -x,` output (lines "value,unit,event,..."): summed over every line whose
 * event names instructions (a hybrid CPU prints cpu_core/instructions/ and cpu_atom/instructions/;
 * instructions:u when perf_event_paranoid limits it to user space). The value reads "<not supported>" or
 * "<not counted>" where the counter does not work (this VM): null unless at least one line has a number.
 */
function readInstructions(text) {
  let total = null;
  for (const line of text.split('\n')) {
    const [value, , event] = line.split(',');
    if (!/instructions/.test(event ?? '') || !/^\d+(\.\d+)?$/.test(value)) continue;
    total = (total ?? 0) + Number(value);
  }
  return total;
}

// Probed once: `perf stat` exits 0 even when the counter is "<not supported>", so the number is the test.
const perf = which('perf') && readInstructions(spawnSync('perf', ['stat', '-x,', '-e', 'instructions', 'true'], { encoding: 'utf8' }).stderr ?? '') !== null;

/**
 * Runs one generator, pinned to CPU 0, and measures it: /usr/bin/time gives user+sys and peak RSS of the
 * generator alone, and with counters `perf stat` wraps /usr/bin/time (its own few instructions are noise;
 * inside it perf's CPU and RSS would count as the generator's). `parse` turns stdout into
 * { requests, duration_s, errors, ...extra figures }.
 */
function measure(name, argv, parse, seconds = SECONDS) {
  const timeFile = path.join(work, 'time.txt');
  const perfFile = path.join(work, 'perf.txt');
  rmSync(timeFile, { force: true });
  rmSync(perfFile, { force: true });
  const timed = ['/usr/bin/time', '-f', '%U %S %M', '-o', timeFile, ...argv.map(String)];
  const full = pinned(0, perf ? ['perf', 'stat', '-x,', '-e', 'instructions', '-o', perfFile, '--', ...timed] : timed);
  const out = spawnSync(full[0], full.slice(1), { encoding: 'utf8', timeout: (seconds + 30) * 1000, maxBuffer: 64 << 20 });
  if (out.status !== 0) throw new Error(`${name} failed (${out.error?.code ?? out.status}): ${(out.stderr ?? '').trim().slice(0, 300)}`);
  const [user, sys, rssKiB] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  // `sent`: every request the process made (loadhttp's warmup included), for the per-request costs.
  const { requests, duration_s, errors, sent = requests, ...extra } = parse(out.stdout);
  if (!(requests > 0)) throw new Error(`${name}: no successful request`);
  const instructions = perf && existsSync(perfFile) ? readInstructions(readFileSync(perfFile, 'utf8')) : null;
  return {
    rps: requests / duration_s,
    cpuUsPerReq: ((user + sys) * 1e6) / sent,
    instrPerReq: instructions === null ? null : instructions / sent,
    rssMiB: rssKiB / 1024,
    errors,
    ...extra,
  };
}

/**
 * ROUNDS rounds of every entry ({ name, run }), the order reversed every other round so neither side always
 * runs on a warmer (or busier) machine. A run that fails is reported on stderr and left out: a broken or
 * missing peer costs its row, not the whole bench. Returns name → the results of the runs that worked.
 */
function rounds(entries) {
  const runs = new Map(entries.map((e) => [e.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const e of round % 2 === 0 ? entries : [...entries].reverse()) {
      try {
        runs.get(e.name).push({ ...e.run(), round });
      } catch (err) {
        console.error(`  skipped a run of ${e.name}: ${err.message.split('\n')[0]}`);
      }
    }
  }
  for (const [name, rs] of runs) if (rs.length === 0) runs.delete(name);
  return runs;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Median of one figure over a generator's runs; null when it has none (no runs, or no perf counter). */
const med = (rs, key) => {
  const xs = (rs ?? []).map((r) => r[key]).filter((x) => x !== null && x !== undefined && Number.isFinite(x));
  return xs.length > 0 ? median(xs) : null;
};
const fmt = (x, digits) => (x === null ? '–' : x.toFixed(digits));
const fmtInt = (x) => (x === null ? '–' : Math.round(x).toLocaleString('en-US'));
/**
 * The median over rounds of a/b's req/s, each round's runs paired (they ran minutes apart at most, so
 * the machine's slow drifts cancel); '–' when no round has both.
 */
const pairedRatio = (a, b) => {
  const xs = (a ?? []).flatMap((ra) => (b ?? []).filter((rb) => rb.round === ra.round).map((rb) => ra.rps / rb.rps));
  return xs.length > 0 ? median(xs).toFixed(2) : '–';
};
/** Nearest-rank percentile of a sorted array. */
const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];

/** Figures of a loadhttp --json result; latencyMs is corrected to the intended start in the open model. */
function parseLoadhttp(out) {
  const r = JSON.parse(out);
  return {
    requests: r.statusCodes['200'] ?? 0,
    duration_s: r.durationMs / 1000,
    errors: r.counts.failed + r.unexpectedStatus,
    p50: r.latencyMs.p50,
    p99: r.latencyMs.p99,
    serviceP50: r.serviceTimeMs?.p50 ?? null,
    serviceP99: r.serviceTimeMs?.p99 ?? null,
    dropped: r.counts.dropped ?? 0,
    connections: r.connectionsOpened,
    sent: r.counts.sent + (r.warmup?.sent ?? 0),
  };
}

/** Figures of h2load's summary on stdout. */
function parseH2load(out) {
  return {
    requests: Number(/status codes: (\d+) 2xx/.exec(out)[1]),
    duration_s: Number(/finished in ([\d.]+)s/.exec(out)[1]),
    errors: Number(/(\d+) errored/.exec(out)[1]),
  };
}

const target = await startTarget();
try {
  console.log(`target: ${target.name}; h1 ${CONNS} connections, h2 ${SESSIONS} sessions × ${STREAMS} streams; ${SECONDS}s, ${ROUNDS} rounds, pinned: ${pin ? 'yes' : 'no'}; perf counters: ${perf ? 'instructions' : 'not available'}; node ${process.version}; ${cpus()[0]?.model ?? '?'}`);
  for (const proto of PROTOCOLS.filter((p) => target.urls[p])) for (const p of PATHS) {
    const active = generators.filter((g) => g.protocols.includes(proto));
    const url = target.urls[proto] + p;
    const runs = rounds(active.map((g) => ({ name: g.name, run: () => measure(g.name, g.argv(url, proto), g.parse) })));
    const ceiling = runs.get(active[0].name);
    const loadhttp = runs.get('loadhttp');
    console.log(`\n${proto} ${p}\n| generator | req/s | vs ceiling | loadhttp ÷ this | CPU µs/req |${perf ? ' instr/req |' : ''} peak RSS MiB | errors |\n|---|--:|--:|--:|--:|${perf ? '--:|' : ''}--:|--:|`);
    for (const g of active.filter((g) => runs.has(g.name))) {
      const rs = runs.get(g.name);
      console.log(`| ${g.name} | ${fmtInt(med(rs, 'rps'))} | ${pairedRatio(rs, ceiling)} | ${pairedRatio(loadhttp, rs)} | ${fmt(med(rs, 'cpuUsPerReq'), 1)} |${perf ? ` ${fmtInt(med(rs, 'instrPerReq'))} |` : ''} ${fmtInt(med(rs, 'rssMiB'))} | ${Math.max(...rs.map((r) => r.errors))} |`);
    }
  }

  // Fixed rate, h1 /hello: latency at a rate every generator can keep, and what each request costs. h2load's
  // --rps is per client, so the rate is split over its connections; its per-request log (--log-file:
  // start µs since the epoch, status, µs until the end of the response; -1 for failed streams) gives the
  // percentiles its summary does not print. loadhttp's P50/P99 are from each request's intended start (the
  // schedule), the peers' from the actual send: loadhttp's service time (from the send) is printed below.
  // autocannon's -R is not paced: each connection sends its share of a second back to back, then waits for
  // the next second; its latencies are whole milliseconds.
  if (RATE > 0 && target.urls.h1) {
    const url = `${target.urls.h1}/hello`;
    const h2loadLog = path.join(work, 'h2load.log');
    const entries = [
      {
        name: 'loadhttp',
        from: 'intended start',
        run: () => measure('loadhttp', [node, path.join(ROOT, 'bin/loadhttp.js'), 'run', '--url', url, '--rate', RATE, '-c', RATE_CONNS, '-d', `${RATE_SECONDS}s`, '--json', '-', '-q'], parseLoadhttp, RATE_SECONDS),
      },
      // Its first seconds run cold: the JIT compiles the request path ~2 s into a load at this rate (V8's
      // --trace-opt: ~0.3 s of TurboFan work in half a second, which shares the one core when pinned).
      // The same run after a warmup of RATE_WARMUP seconds shows the steady state, beside the paced bare
      // undici loop with the same warmup: what Node and undici alone do at this rate. CPU per request
      // counts the warmup's requests.
      {
        name: `loadhttp --warmup ${RATE_WARMUP}s`,
        from: 'intended start',
        run: () => measure('loadhttp', [node, path.join(ROOT, 'bin/loadhttp.js'), 'run', '--url', url, '--rate', RATE, '-c', RATE_CONNS, '-d', `${RATE_SECONDS}s`, '--warmup', `${RATE_WARMUP}s`, '--json', '-', '-q'], parseLoadhttp, RATE_SECONDS + RATE_WARMUP),
      },
      {
        name: `undici paced loop --warmup ${RATE_WARMUP}s`,
        from: 'intended start',
        run: () => measure('paced ceiling', [node, ...CEILING_V8, path.join(HERE, 'paced-ceiling.mjs'), url, RATE, RATE_CONNS, RATE_SECONDS, RATE_WARMUP], (out) => {
          const { p50_ms, p99_ms, ...rest } = JSON.parse(out);
          return { ...rest, p50: p50_ms, p99: p99_ms };
        }, RATE_SECONDS + RATE_WARMUP),
      },
    ];
    if (which('h2load')) {
      entries.push({
        name: 'h2load (C)',
        from: 'send',
        run: () => {
          rmSync(h2loadLog, { force: true });
          return measure('h2load (C)', ['h2load', '--h1', '-c', RATE_CONNS, '-m', 1, '--rps', RATE / RATE_CONNS, '-D', RATE_SECONDS, '--log-file', h2loadLog, url], (out) => {
            const latencies = readFileSync(h2loadLog, 'utf8').split('\n')
              .map((line) => line.split('\t'))
              .filter(([, status, us]) => Number(status) >= 200 && Number(status) < 300 && us !== undefined)
              .map(([, , us]) => Number(us) / 1000)
              .sort((a, b) => a - b);
            if (latencies.length === 0) throw new Error(`h2load: no 2xx row in ${h2loadLog}`);
            return { ...parseH2load(out), p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
          }, RATE_SECONDS);
        },
      });
    }
    if (existsSync(autocannon)) {
      entries.push({
        name: 'autocannon',
        from: 'send',
        run: () => measure('autocannon', [node, autocannon, '-c', RATE_CONNS, '-R', RATE, '-d', RATE_SECONDS, '-j', url], (out) => {
          const r = JSON.parse(out.trim().split('\n').at(-1));
          return { requests: r['2xx'], duration_s: r.duration, errors: r.errors + r.non2xx, p50: r.latency.p50, p99: r.latency.p99 };
        }, RATE_SECONDS),
      });
    }
    const runs = rounds(entries);
    console.log(`\nh1 /hello at ${RATE.toLocaleString('en-US')} req/s, ${RATE_CONNS} connections\n| generator | achieved req/s | P50 ms | P99 ms | latency from | CPU µs/req |${perf ? ' instr/req |' : ''} peak RSS MiB | errors |\n|---|--:|--:|--:|---|--:|${perf ? '--:|' : ''}--:|--:|`);
    for (const e of entries.filter((e) => runs.has(e.name))) {
      const rs = runs.get(e.name);
      console.log(`| ${e.name} | ${fmtInt(med(rs, 'rps'))} | ${fmt(med(rs, 'p50'), 2)} | ${fmt(med(rs, 'p99'), 2)} | ${e.from} | ${fmt(med(rs, 'cpuUsPerReq'), 1)} |${perf ? ` ${fmtInt(med(rs, 'instrPerReq'))} |` : ''} ${fmtInt(med(rs, 'rssMiB'))} | ${Math.max(...rs.map((r) => r.errors))} |`);
    }
    // The issue's targets, read off the table above (skipped for a peer that did not run).
    const h2 = runs.get('h2load (C)');
    const ac = runs.get('autocannon');
    const paced = runs.get(`undici paced loop --warmup ${RATE_WARMUP}s`);
    for (const name of ['loadhttp', `loadhttp --warmup ${RATE_WARMUP}s`]) {
      const mine = runs.get(name);
      if (!mine) continue;
      console.log(`${name}: service time (from the send) P50 ${fmt(med(mine, 'serviceP50'), 2)} ms, P99 ${fmt(med(mine, 'serviceP99'), 2)} ms; dropped ${Math.max(...mine.map((r) => r.dropped))}`);
      if (h2) {
        const bound = 2 * med(h2, 'p99') + 1;
        console.log(`  target P99 ≤ 2 × h2load's + 1 ms = ${bound.toFixed(2)} ms: ${med(mine, 'p99') <= bound ? 'met' : 'not met'} (${fmt(med(mine, 'p99'), 2)} ms)`);
      }
      if (ac) {
        console.log(`  target CPU/req ≤ autocannon's ${fmt(med(ac, 'cpuUsPerReq'), 1)} µs: ${med(mine, 'cpuUsPerReq') <= med(ac, 'cpuUsPerReq') ? 'met' : 'not met'} (${fmt(med(mine, 'cpuUsPerReq'), 1)} µs)`);
      }
      if (paced && name !== 'loadhttp') {
        const times = (key) => (med(mine, key) / med(paced, key)).toFixed(2);
        console.log(`  ÷ the paced undici loop: P50 ${times('p50')}×, P99 ${times('p99')}×, CPU/req ${times('cpuUsPerReq')}×`);
      }
    }
  }

  // Many users, h1 /hello: memory with BENCH_VUS users. loadhttp caps its default pool at 256 sockets, so
  // --connections gives each user its own, like the ceiling's one Client per connection.
  if (VUS > 0 && target.urls.h1) {
    const url = `${target.urls.h1}/hello`;
    const entries = [
      {
        name: 'undici bare loop (ceiling)',
        // One Client per connection, each connecting on its first request.
        run: () => measure('ceiling', [node, ...CEILING_V8, path.join(HERE, 'ceiling.mjs'), 'h1', url, VUS, 1, SECONDS], (out) => ({ ...JSON.parse(out), connections: VUS })),
      },
      { name: 'loadhttp', run: () => measure('loadhttp', [node, path.join(ROOT, 'bin/loadhttp.js'), 'run', '--url', url, '-c', VUS, '--connections', VUS, '-d', `${SECONDS}s`, '--json', '-', '-q'], parseLoadhttp) },
    ];
    const runs = rounds(entries);
    const ceilingRss = med(runs.get(entries[0].name), 'rssMiB');
    console.log(`\nh1 /hello, ${VUS.toLocaleString('en-US')} users, one connection each\n| generator | connections | req/s | CPU µs/req | peak RSS MiB | RSS ÷ ceiling's | errors |\n|---|--:|--:|--:|--:|--:|--:|`);
    for (const e of entries.filter((e) => runs.has(e.name))) {
      const rs = runs.get(e.name);
      const rss = med(rs, 'rssMiB');
      console.log(`| ${e.name} | ${fmtInt(med(rs, 'connections'))} | ${fmtInt(med(rs, 'rps'))} | ${fmt(med(rs, 'cpuUsPerReq'), 1)} | ${fmtInt(rss)} | ${ceilingRss === null ? '–' : (rss / ceilingRss).toFixed(2)} | ${Math.max(...rs.map((r) => r.errors))} |`);
    }
    const mine = med(runs.get('loadhttp'), 'rssMiB');
    if (mine !== null) {
      const bound = ceilingRss === null ? 150 : Math.min(150, 1.2 * ceilingRss);
      console.log(`target RSS ≤ 150 MiB and ≤ 1.2 × the ceiling's${ceilingRss === null ? ' (ceiling did not run)' : ''} = ${bound.toFixed(0)} MiB: ${mine <= bound ? 'met' : 'not met'} (${mine.toFixed(0)} MiB)`);
    }
  }
} finally {
  target.stop();
}

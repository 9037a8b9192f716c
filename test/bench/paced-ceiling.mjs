#!/usr/bin/env node
// The paced ceiling: a bare undici loop that sends at a fixed rate, each request at its scheduled time,
// with nothing of a load tester around it. It is what the fixed-rate comparison measures loadhttp
// against: the latency (from each request's intended start, as loadhttp counts it) and the CPU per request
// that Node and undici alone cost at that rate, on this machine.
//
//   node paced-ceiling.mjs URL RATE CONNECTIONS SECONDS [WARMUP_SECONDS]
// The schedule runs WARMUP_SECONDS + SECONDS; only requests due after the warmup are measured. One libuv
// timer issues whatever has come due (1 ms resolution); a request with every connection busy waits for
// the next free one (still timed from its intended start).
// Prints one JSON line: {"requests", "sent", "duration_s", "errors", "p50_ms", "p99_ms"}.
import { Client } from 'undici';

const [url, rate = '5000', conns = '64', secs = '5', warmupSecs = '0'] = process.argv.slice(2);
const target = new URL(url);
const clients = Array.from({ length: Number(conns) }, () => new Client(target.origin, { pipelining: 1, headersTimeout: 0, bodyTimeout: 0 }));
const free = [...clients];
const waiting = [];
const request = { path: target.pathname + target.search, method: 'GET', headers: { 'user-agent': 'loadhttp-bench' } };
const interval = 1000 / Number(rate);
const start = performance.now() + 20;
const measureFrom = start + Number(warmupSecs) * 1000;
const end = measureFrom + Number(secs) * 1000;
const latencies = [];
let next = start;
let sent = 0;
let errors = 0;
let inflight = 0;

function send(intendedAt) {
  const client = free.pop();
  if (client === undefined) return void waiting.push(intendedAt);
  sent++;
  inflight++;
  let status = 0;
  client.dispatch(request, {
    onRequestStart() {},
    onResponseStart(_controller, statusCode) { status = statusCode; },
    onResponseData() {},
    onResponseEnd() {
      if (intendedAt >= measureFrom) {
        if (status >= 200 && status < 300) latencies.push(performance.now() - intendedAt);
        else errors++;
      }
      settle(client);
    },
    onResponseError() {
      if (intendedAt >= measureFrom) errors++;
      settle(client);
    },
  });
}

function settle(client) {
  inflight--;
  free.push(client);
  if (waiting.length > 0) send(waiting.shift());
  else if (next >= end && inflight === 0) finish();
}

function tick() {
  const now = performance.now();
  while (next <= now && next < end) {
    send(next);
    next += interval;
  }
  if (next < end) setTimeout(tick, Math.max(0, next - performance.now()));
}

function finish() {
  latencies.sort((a, b) => a - b);
  const at = (q) => +(latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? NaN).toFixed(3);
  const measured = (performance.now() - measureFrom) / 1000;
  console.log(JSON.stringify({ requests: latencies.length, sent, duration_s: +measured.toFixed(3), errors, p50_ms: at(0.5), p99_ms: at(0.99) }));
  for (const client of clients) client.destroy();
}

setTimeout(tick, start - performance.now());

#!/usr/bin/env node
// The platform ceiling: a bare undici dispatch loop with nothing of a load tester around it (no scheduling,
// no histograms, no report): the most anything built on undici can do on one core. Same as
// ../shared/bench/ceiling.mjs, but using this repo's undici so `npm run bench` needs nothing else.
//   node ceiling.mjs URL CONNECTIONS SECONDS   → one JSON line {"requests", "duration_s", "errors"}
import { Client } from 'undici';

const [url = 'http://127.0.0.1:18080/hello', conns = '64', secs = '5'] = process.argv.slice(2);
const target = new URL(url);
const options = { pipelining: 1, headersTimeout: 0, bodyTimeout: 0, allowH2: false };
const clients = Array.from({ length: Number(conns) }, () => new Client(target.origin, options));
const request = { path: target.pathname + target.search, method: 'GET' };
const end = performance.now() + Number(secs) * 1000;
let ok = 0;
let errors = 0;

function loop(client) {
  return new Promise((resolve) => {
    let status = 0;
    const next = () => (performance.now() < end ? client.dispatch(request, handler) : resolve());
    const handler = {
      onRequestStart() {},
      onResponseStart(_controller, statusCode) { status = statusCode; },
      onResponseData() {},
      onResponseEnd() { if (status >= 200 && status < 300) ok++; else errors++; next(); },
      onResponseError() { errors++; next(); },
    };
    client.dispatch(request, handler);
  });
}

const started = performance.now();
await Promise.all(clients.map(loop));
const duration = (performance.now() - started) / 1000;
await Promise.all(clients.map((c) => c.close()));
console.log(JSON.stringify({ requests: ok, duration_s: +duration.toFixed(3), errors }));

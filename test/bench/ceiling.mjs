#!/usr/bin/env node
// The platform ceiling: a bare undici dispatch loop with nothing of a load tester around it (no scheduling,
// no histograms, no report): the most anything built on undici can do on one core. Same as
// ../shared/bench/ceiling.mjs, but using this repo's undici so `npm run bench` needs nothing else, and
// sending the same user-agent header loadhttp sends (undici processes each header per request; a loop
// without it would run ~2% faster and the comparison would not be like for like).
//   node ceiling.mjs h1|h2c|h2 URL CONNECTIONS STREAMS SECONDS → one JSON line {"requests", "duration_s", "errors"}
//   (h1: STREAMS is the pipelining depth, normally 1; h2/h2c: streams in flight per session)
import { readFileSync } from 'node:fs';
import { Client } from 'undici';

const [mode = 'h1', url = 'http://127.0.0.1:18080/hello', conns = '64', streams = '1', secs = '5'] = process.argv.slice(2);
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const target = new URL(url);
const options = {
  pipelining: Number(streams),
  headersTimeout: 0,
  bodyTimeout: 0,
  allowH2: mode !== 'h1',
  ...(mode === 'h2c' ? { useH2c: true } : {}),
  ...(mode === 'h2' ? { connect: { rejectUnauthorized: false, ALPNProtocols: ['h2'] } } : {}),
};
const clients = Array.from({ length: Number(conns) }, () => new Client(target.origin, options));
const request = { path: target.pathname + target.search, method: 'GET', headers: ['user-agent', `loadhttp/${version}`] };
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
await Promise.all(clients.flatMap((client) => Array.from({ length: Number(streams) }, () => loop(client))));
const duration = (performance.now() - started) / 1000;
await Promise.all(clients.map((c) => c.close()));
console.log(JSON.stringify({ requests: ok, duration_s: +duration.toFixed(3), errors }));

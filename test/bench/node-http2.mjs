#!/usr/bin/env node
// Yardstick (the same as ../shared/bench/node-http2.mjs): a bare node:http2 client loop (SESSIONS x STREAMS in flight), no recording. undici's h2 runs on
// node:http2, so this is the ceiling of anything built on either.
//   node node-http2.mjs URL SESSIONS STREAMS SECONDS   -> {"requests","duration_s","rps","errors"}
import http2 from 'node:http2';
const [url = 'http://127.0.0.1:18081/hello', sessions = '4', streams = '32', secs = '5'] = process.argv.slice(2);
const u = new URL(url);
const end = performance.now() + Number(secs) * 1000;
let ok = 0, errors = 0;
const opts = u.protocol === 'https:' ? { rejectUnauthorized: false } : {};
const hdr = { ':method': 'GET', ':path': u.pathname + u.search, ':authority': u.host, ':scheme': u.protocol.slice(0, -1) };
function loop(s) {
  return new Promise((resolve) => {
    const go = () => {
      const st = s.request(hdr, { endStream: true });
      let status = 0;
      st.on('response', (h) => { status = h[':status']; });
      st.on('data', () => {});
      st.on('end', () => { if (status >= 200 && status < 300) ok++; else errors++; if (performance.now() < end) go(); else resolve(); });
      st.on('error', () => { errors++; if (performance.now() < end) go(); else resolve(); });
    };
    go();
  });
}
const ss = await Promise.all(Array.from({ length: +sessions }, () => new Promise((res, rej) => { const s = http2.connect(u.origin, opts); s.once('connect', () => res(s)); s.once('error', rej); })));
const t0 = performance.now();
await Promise.all(ss.flatMap((s) => Array.from({ length: +streams }, () => loop(s))));
const d = (performance.now() - t0) / 1000;
ss.forEach((s) => s.close());
console.log(JSON.stringify({ requests: ok, duration_s: +d.toFixed(3), rps: Math.round(ok / d), errors }));

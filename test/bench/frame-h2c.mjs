#!/usr/bin/env node
// Yardstick (the same as ../shared/bench/frame-h2c.mjs): a frame-level h2c client written on node:net, to show what an HTTP/2 transport of our own could
// reach. It is NOT a client: the request header block is pre-encoded once; response headers are not HPACK-decoded
// (only END_STREAM is read); flow control is a crude connection WINDOW_UPDATE; no recording. An upper bound.
//   node frame-h2c.mjs URL SESSIONS STREAMS SECONDS    -> {"requests","duration_s","rps","errors"}
import net from 'node:net';
const [url = 'http://127.0.0.1:18081/hello', sessions = '4', streams = '32', secs = '5'] = process.argv.slice(2);
const u = new URL(url);
const end = performance.now() + Number(secs) * 1000;
let ok = 0, errors = 0;
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
function frame(type, flags, sid, payload) {
  const b = Buffer.alloc(9 + payload.length);
  b.writeUIntBE(payload.length, 0, 3); b[3] = type; b[4] = flags; b.writeUInt32BE(sid, 5); payload.copy(b, 9); return b;
}
function lit(idx, value) { // literal without indexing, indexed name (4-bit prefix), no huffman
  const v = Buffer.from(value); return Buffer.concat([Buffer.from([idx < 15 ? idx : 15, ...(idx >= 15 ? [idx - 15] : [])]), Buffer.from([v.length]), v]);
}
// :method GET (2), :scheme http (6), :path (4) literal, :authority (1) literal
const block = Buffer.concat([Buffer.from([0x82, 0x86]), lit(4, u.pathname + u.search), lit(1, u.host)]);
function session() {
  return new Promise((resolve) => {
    const s = net.connect(+u.port, u.hostname); s.setNoDelay(true);
    let next = 1, inflight = 0, buf = null, recvd = 0, done = false;
    const settings = frame(4, 0, 0, Buffer.from([0, 3, 0, 0, 0, 100, 0, 4, 0x7f, 0xff, 0xff, 0xff]));
    const wu = Buffer.alloc(4); wu.writeUInt32BE(0x7fff0000);
    s.write(Buffer.concat([PREFACE, settings, frame(8, 0, 0, wu)]));
    const send = (n) => {
      const parts = [];
      for (let i = 0; i < n; i++) { const h = Buffer.allocUnsafe(9 + block.length); h.writeUIntBE(block.length, 0, 3); h[3] = 1; h[4] = 5; h.writeUInt32BE(next, 5); block.copy(h, 9); next += 2; parts.push(h); }
      inflight += n; s.write(n === 1 ? parts[0] : Buffer.concat(parts));
    };
    send(+streams);
    s.on('data', (chunk) => {
      buf = buf && buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let off = 0, finished = 0;
      while (buf.length - off >= 9) {
        const len = buf.readUIntBE(off, 3), type = buf[off + 3], flags = buf[off + 4];
        if (buf.length - off < 9 + len) break;
        if (type === 4 && !(flags & 1)) s.write(frame(4, 1, 0, Buffer.alloc(0)));
        else if (type === 0) { recvd += len; if (flags & 1) finished++; }
        else if (type === 1 && (flags & 1)) finished++;
        else if (type === 6 && !(flags & 1)) s.write(frame(6, 1, 0, buf.subarray(off + 9, off + 17)));
        else if (type === 7) { errors++; }
        off += 9 + len;
      }
      buf = off < buf.length ? buf.subarray(off) : null;
      if (recvd > 1 << 20) { const w = Buffer.alloc(4); w.writeUInt32BE(recvd); s.write(frame(8, 0, 0, w)); recvd = 0; }
      if (finished) { ok += finished; inflight -= finished; if (performance.now() < end) send(finished); else if (inflight === 0 && !done) { done = true; s.destroy(); resolve(); } }
    });
    s.on('error', () => { errors++; resolve(); });
  });
}
const t0 = performance.now();
await Promise.all(Array.from({ length: +sessions }, session));
const d = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ requests: ok, duration_s: +d.toFixed(3), rps: Math.round(ok / d), errors }));

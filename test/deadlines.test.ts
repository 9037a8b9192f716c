// The shared timeout sweep (transport/deadlines.ts) on its own: each timeout fires with its own error
// class, body data pushes the body timeout forward, and settled requests are left alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Deadlines, type Deadlined } from '../src/transport/deadlines.ts';

class Entry implements Deadlined<Entry> {
  prev: Entry | null = null;
  next: Entry | null = null;
  linked = false;
  deadline = 0;
  idleDeadline = 0;
  phase = 0;
  chunked = false;
  aborted: Error | null = null;
  abortedAt = 0;
  owner: Deadlines<Entry> | null = null;
  abort(reason: Error): void {
    this.aborted = reason;
    this.abortedAt = performance.now();
    this.owner!.settle(this);
  }
}

function entry(deadlines: Deadlines<Entry>): Entry {
  const e = new Entry();
  e.owner = deadlines;
  return e;
}

test('deadlines: headers, body and request timeouts fire with their own errors; data keeps a body alive', async () => {
  const deadlines = new Deadlines<Entry>({ requestTimeoutMs: 400, headersTimeoutMs: 100, bodyTimeoutMs: 100 });
  try {
    const start = performance.now();
    const noHeaders = entry(deadlines);
    const stalledBody = entry(deadlines);
    const flowing = entry(deadlines);
    const settled = entry(deadlines);
    for (const e of [noHeaders, stalledBody, flowing, settled]) deadlines.start(e, start);
    deadlines.headers(stalledBody, start);
    deadlines.headers(flowing, start);
    deadlines.settle(settled);
    assert.equal(deadlines.inFlight.size, 3);
    const feeder = setInterval(() => (flowing.chunked = true), 20);
    await sleep(600);
    clearInterval(feeder);
    assert.equal(noHeaders.aborted?.name, 'HeadersTimeoutError');
    assert.equal(stalledBody.aborted?.name, 'BodyTimeoutError');
    assert.equal(flowing.aborted?.name, 'RequestTimeoutError');
    assert.equal(settled.aborted, null);
    assert.ok(noHeaders.abortedAt - start >= 100 && noHeaders.abortedAt - start < 250, `headers after ${noHeaders.abortedAt - start} ms`);
    assert.ok(flowing.abortedAt - start >= 400 && flowing.abortedAt - start < 550, `request after ${flowing.abortedAt - start} ms`);
    assert.equal(deadlines.inFlight.size, 0);
  } finally {
    deadlines.close();
  }
});

test('deadlines: abortAll ends every request in flight once', () => {
  const deadlines = new Deadlines<Entry>({ requestTimeoutMs: 1000 });
  try {
    const entries = [1, 2, 3].map(() => entry(deadlines));
    for (const e of entries) deadlines.start(e, performance.now());
    const reason = new Error('stop');
    deadlines.abortAll(reason);
    assert.ok(entries.every((e) => e.aborted === reason));
    assert.equal(deadlines.inFlight.size, 0);
  } finally {
    deadlines.close();
  }
});

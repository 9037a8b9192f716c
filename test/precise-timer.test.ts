// The open model's wake-up timer: a worker thread only when the schedule has gaps it would serve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COARSE_RATE, PreciseTimer } from '../src/engine/precise-timer.ts';

/** Wakes the timer `aheadMs` from now and resolves with how late (ms) onDue ran; fails after 2 s. */
function wakeOnce(make: (onDue: () => void) => PreciseTimer, aheadMs: number): Promise<{ timer: PreciseTimer; lateMs: number }> {
  return new Promise((resolve, reject) => {
    let at = 0;
    const timer = make(() => {
      // The scheduler re-checks the clock on every wake-up, so an early one only re-arms; count the due one.
      if (performance.now() < at) return timer.wakeAt(at);
      clearTimeout(guard);
      timer.close();
      resolve({ timer, lateMs: performance.now() - at });
    });
    const guard = setTimeout(() => reject(new Error('onDue never ran')), 2000);
    // A worker takes tens of ms to start; until then the libuv timer stands in, so both paths must fire.
    setTimeout(() => {
      at = performance.now() + aheadMs;
      timer.wakeAt(at);
    }, 100);
  });
}

test(`a schedule that never drops below ${COARSE_RATE}/s starts no worker, and its wake-ups still come`, async () => {
  const { timer, lateMs } = await wakeOnce((onDue) => new PreciseTimer(onDue, COARSE_RATE), 0.5);
  assert.equal(timer.hasWorker, false);
  assert.ok(lateMs >= 0 && lateMs < 1000, `late by ${lateMs} ms`);
});

test('a schedule with gaps of 1 ms or more (a lower rate, a pause, a ramp to 0) gets the worker, which wakes it', async () => {
  for (const lowest of [COARSE_RATE - 1, 0]) {
    const { timer, lateMs } = await wakeOnce((onDue) => new PreciseTimer(onDue, lowest), 20);
    assert.equal(timer.hasWorker, true, `lowest rate ${lowest}/s`);
    assert.ok(lateMs >= 0 && lateMs < 1000, `late by ${lateMs} ms`);
  }
});

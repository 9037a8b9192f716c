// The generator watching itself: event-loop delay and CPU per second, and the saturation verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MIN_JUDGED_WINDOW_MS, SATURATION_LIMITS, SelfMonitor, judge } from '../src/record/self-monitor.ts';

const busy = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test('an idle window: small event-loop delay, little CPU, no verdict', async () => {
  const monitor = new SelfMonitor();
  monitor.start();
  await sleep(300);
  const point = monitor.sample();
  const stats = monitor.stop(null);
  assert.ok(stats.eventLoopDelayMs.p99 < SATURATION_LIMITS.eventLoopDelayP99Ms, JSON.stringify(stats));
  assert.ok(stats.cpuPercent.mean < 50, JSON.stringify(stats));
  assert.equal(stats.saturated, false);
  assert.deepEqual(stats.reasons, []);
  assert.ok(point.eventLoopDelayP99! < SATURATION_LIMITS.eventLoopDelayP99Ms);
});

test('a blocked event loop: delay P99 and CPU cross the limits, and the reasons say so with numbers', async () => {
  const monitor = new SelfMonitor();
  monitor.start();
  const started = performance.now();
  while (performance.now() - started < MIN_JUDGED_WINDOW_MS + 20) {
    busy(60);
    await sleep(1);
  }
  const point = monitor.sample();
  const stats = monitor.stop(null);
  assert.ok(stats.eventLoopDelayMs.p99 > 40, JSON.stringify(stats));
  assert.ok(stats.eventLoopDelayMs.max >= stats.eventLoopDelayMs.p99);
  assert.ok(stats.cpuPercent.mean > 60, JSON.stringify(stats));
  assert.ok(point.eventLoopDelayMax! > 40 && point.cpuPercent! > 60, JSON.stringify(point));
  assert.equal(stats.saturated, true);
  assert.match(stats.reasons[0]!, /^event-loop delay P99 was \d+(\.\d)? ms \(limit 10 ms\)$/);
});

test('the verdict: each limit on its own, and schedule lag only where there is a schedule', () => {
  assert.deepEqual(judge(5, 40, null).reasons, []);
  assert.deepEqual(judge(5, 40, 2).reasons, []);
  assert.match(judge(38, 40, null).reasons.join(), /event-loop delay P99 was 38 ms/);
  assert.match(judge(5, 97, null).reasons.join(), /the main thread used 97% of a CPU core/);
  assert.match(judge(5, 40, 25).reasons.join(), /lag P90 was 25 ms/);
  assert.equal(judge(38, 97, 25).reasons.length, 3);
  assert.deepEqual(judge(5, 40, null).limits, { ...SATURATION_LIMITS });
});

test('a window shorter than the judged minimum is not judged on delay or CPU, only on schedule lag', () => {
  const monitor = new SelfMonitor();
  const start = performance.now();
  monitor.start(start);
  busy(40);
  const stats = monitor.stop(null, start + 40);
  assert.ok(stats.cpuPercent.mean > 60, JSON.stringify(stats));
  assert.equal(stats.saturated, false, JSON.stringify(stats));
  const lagging = new SelfMonitor();
  lagging.start(start);
  assert.match(lagging.stop(25, start + 40).reasons.join(), /lag P90 was 25 ms/);
  assert.deepEqual(judge(null, null, null).reasons, []);
});

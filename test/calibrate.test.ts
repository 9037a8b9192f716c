// `loadhttp calibrate`: short bounded steps against the built-in target, over h1 and h2c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate, calibrateOptions } from '../src/cli/calibrate.ts';
import { ceilings } from '../src/result/calibration.ts';
import { UsageError } from '../src/util/errors.ts';
import { renderCalibration } from '../src/report/calibration-text.ts';

test('calibrate runs each protocol at each concurrency and names the ceiling', async () => {
  const steps = await calibrate({ protocols: ['h1', 'h2c'], concurrencies: [1, 8], stepMs: 200, version: 'test' });
  assert.deepEqual(
    steps.map((s) => [s.protocol, s.wire, s.concurrency]),
    [
      ['h1', 'h1', 1],
      ['h1', 'h1', 8],
      ['h2c', 'h2c', 1],
      ['h2c', 'h2c', 8],
    ],
  );
  for (const step of steps) {
    assert.equal(step.errors, 0);
    assert.ok(step.rps > 100, `${step.protocol} × ${step.concurrency}: ${step.rps} req/s`);
    assert.ok(step.p50Ms > 0 && step.p99Ms >= step.p50Ms);
  }
  const best = ceilings(steps);
  assert.deepEqual(best.map((s) => s.protocol), ['h1', 'h2c']);
  const text = renderCalibration(steps);
  assert.match(text, /^protocol\s+users\s+req\/s/);
  assert.match(text, new RegExp(`h1: this machine generates up to ~[\\d,]+ req/s \\(${best[0]!.concurrency} users`));
});

test('calibrate options: defaults, one protocol, and bounds', () => {
  const defaults = calibrateOptions({});
  assert.deepEqual([defaults.protocols, defaults.concurrencies, defaults.stepMs], [['h1', 'h2c'], [1, 16, 64], 1000]);
  assert.deepEqual(calibrateOptions({ h1: true, concurrency: '2, 4', duration: '500ms' }).concurrencies, [2, 4]);
  assert.deepEqual(calibrateOptions({ h2: true }).protocols, ['h2c']);
  assert.throws(() => calibrateOptions({ concurrency: '1,2,3,4,5,6,7' }), UsageError);
  assert.throws(() => calibrateOptions({ concurrency: '1,x' }), /--concurrency: "x" is not a whole number/);
  assert.throws(() => calibrateOptions({ duration: '1m' }), /at most 10s/);
});

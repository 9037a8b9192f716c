// The layering of src/, checked by dependency-cruiser with the rules in .dependency-cruiser.cjs: no import
// circles, and no import that goes up the stage list (util, result, scenario, plan, transport, record,
// engine, judge, report, cli). The second test runs the same rules over a small fixture tree that breaks
// them, so a rule that stopped matching would fail here rather than pass quietly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

function cruise(cwd: string): { modules: number; violations: Violation[] } {
  const run = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.ok(run.stdout, `dependency-cruiser printed nothing (exit ${run.status}): ${run.stderr}`);
  const output = JSON.parse(run.stdout) as { modules: unknown[]; summary: { violations: Violation[] } };
  return { modules: output.modules.length, violations: output.summary.violations };
}

test('src/ has no import circles and no import against the flow', () => {
  const { modules, violations } = cruise(ROOT);
  assert.ok(modules > 50, `only ${modules} modules cruised: is the .ts parser missing?`);
  assert.deepEqual(
    violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`),
    [],
  );
});

test('the rules catch an upward import and a circle', () => {
  const { violations } = cruise(join(ROOT, 'test', 'fixtures', 'layers'));
  const found = new Set(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`));
  assert.ok(found.has('no-upward-from-util: src/util/format.ts -> src/report/render.ts'), [...found].join('\n'));
  assert.ok(found.has('no-circular: src/plan/a.ts -> src/plan/b.ts'), [...found].join('\n'));
  // The legal import (report -> result) is not reported: nothing but these two.
  assert.equal(found.size, 2, [...found].join('\n'));
});

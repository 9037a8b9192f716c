// One check for the loader's errors: `load` must throw a ScenarioError whose message starts with
// `file:line:col: ` (`where` is "line:col") and matches `message`.
import assert from 'node:assert/strict';
import { ScenarioError } from '../../src/util/errors.ts';

export function assertScenarioErrorAt(load: () => unknown, file: string, where: string, message: RegExp): void {
  assert.throws(load, (error: unknown) => {
    assert.ok(error instanceof ScenarioError, String(error));
    assert.ok(error.message.startsWith(`${file}:${where}: `), `position: ${error.message}`);
    assert.match(error.message, message);
    return true;
  });
}

// Run as a child process by run-failure.test.ts: an in-process run (runPlan, as calibrate and any embedding
// use it) of a closed-model flow against the server at argv[2], where the flow's data source throws on its
// fifth row -- standing in for any bug below the run that reaches it as an exception. The run must reject
// with that error and leave nothing behind: this process then exits with the code set here, at once, not
// when the run's 30 s duration would have ended.
import { buildPlan } from '../../src/plan/plan.ts';
import { runPlan } from '../../src/engine/run.ts';
import { Flow } from '../../src/engine/flow.ts';
import { parseScenario } from '../../src/scenario/load.ts';

const [target] = process.argv.slice(2);
const scenario = parseScenario(`target: ${target}\nload: { concurrency: 4, duration: 30s }\nflow:\n  - { name: a, path: /a }\n  - { name: b, path: /b }\n`, 'throwing.yaml');
let rows = 0;
Flow.prototype.takeRow = () => {
  if (++rows === 5) throw new Error('injected failure of the data source');
  return true;
};
runPlan(buildPlan(scenario, {}, 'test'), { version: 'test', onProgress: () => {} }).then(
  () => console.log('resolved'),
  (error: Error) => {
    console.log(`rejected: ${error.message}`);
    process.exitCode = 7;
  },
);

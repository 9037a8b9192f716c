// Preloaded into the CLI under test with NODE_OPTIONS=--import=<this file>, for a --workers run: writes
// each worker thread's own RunResult (the 'result' message it posts before the merge) to the file named
// by LOADHTTP_TEST_WORKER_RESULTS, as a JSON array, when the process exits. It only listens: Node's
// 'worker_threads' diagnostics channel hands over every Worker the CLI creates, and a second 'message'
// listener sees what the CLI's own sees. (Node runs it in the workers too: there it does nothing.)
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { isMainThread, type Worker } from 'node:worker_threads';

const file = process.env.LOADHTTP_TEST_WORKER_RESULTS;
if (isMainThread && file) {
  const results: unknown[] = [];
  subscribe('worker_threads', (message) => {
    (message as { worker: Worker }).worker.on('message', (m: { type: string; result?: unknown }) => {
      if (m.type === 'result') results.push(m.result);
    });
  });
  process.on('exit', () => writeFileSync(file, JSON.stringify(results)));
}

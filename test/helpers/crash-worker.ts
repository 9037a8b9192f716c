// Preloaded into the CLI under test with NODE_OPTIONS=--import=<this file>. Node runs --import modules in
// every worker thread too, before the worker's own module: in worker index 1 of a --workers run this
// schedules an uncaught exception mid-run, a real crash of a real worker thread, while the CLI itself
// carries no test hook. The main thread and the other workers are left alone.
import { isMainThread, workerData } from 'node:worker_threads';

if (!isMainThread && (workerData as { index?: unknown } | null)?.index === 1) {
  setTimeout(() => {
    throw new Error('injected crash of worker index 1');
  }, 300);
}

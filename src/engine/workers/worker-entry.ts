// One worker thread of a --workers run: runs its part of the plan with the ordinary engine (its own
// transport, recorder and event loop) and posts progress snapshots, live partial results (only when the
// main thread watches abortOnFail thresholds) and, at the end, its RunResult (encoded histograms).
import { parentPort, workerData } from 'node:worker_threads';
import { LoadRun } from '../run.ts';
import type { Plan } from '../../plan/types.ts';
import type { ToMain, ToWorker, WorkerSetup } from './messages.ts';

const setup = workerData as WorkerSetup;
const port = parentPort!;
const post = (message: ToMain) => port.postMessage(message);

/** Structured cloning turns Buffers into plain Uint8Arrays: the transport wants Buffers back. */
function revive(plan: Plan): Plan {
  const requests = plan.requests.map((r) => ({ ...r, body: r.body === null ? null : Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength) }));
  return { ...plan, requests };
}

const run = new LoadRun(revive(setup.plan), {
  version: setup.version,
  instances: setup.instances,
  onProgress: (snapshot) => post({ type: 'progress', snapshot }),
  ...(setup.live && { onTick: (partial) => post({ type: 'tick', partial }) }),
});
port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') run.stop(message.reason);
});

// The main thread ends this worker once it has the result.
post({ type: 'result', result: await run.execute() });

// Starts a built-in loopback target (targets/target-worker.ts) in a worker thread, so that it does not
// share the load generator's event loop: `demo` (a small items API over HTTP/1.1, for `loadhttp demo`)
// or `calibration` (the smallest response over HTTP/1.1 and h2c, for `loadhttp calibrate`).
import { Worker } from 'node:worker_threads';
import { UsageError } from '../../util/errors.ts';

export type TargetKind = 'demo' | 'calibration';

export interface TargetSetup {
  kind: TargetKind;
  /** The HTTP/1.1 listener's port (0: a free one). */
  port: number;
}

/** What the worker posts once it listens (h2c: the calibration target only), or why it could not. */
export type TargetReady = { h1: number; h2c: number | null } | { error: string };

export interface BuiltinTarget {
  /** http://127.0.0.1:PORT of the HTTP/1.1 listener. */
  h1: string;
  /** http://127.0.0.1:PORT of the h2c (HTTP/2 with prior knowledge) listener; null for the demo. */
  h2c: string | null;
  close(): Promise<void>;
}

/** Starts the target, its HTTP/1.1 listener on `port` (0: a free one). */
export function startTarget(kind: TargetKind, port = 0): Promise<BuiltinTarget> {
  const file = import.meta.url.endsWith('.ts') ? './target-worker.ts' : './target-worker.js';
  const worker = new Worker(new URL(file, import.meta.url), { workerData: { kind, port } satisfies TargetSetup });
  const url = (p: number) => `http://127.0.0.1:${p}`;
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (ready: TargetReady) => {
      if ('error' in ready) {
        void worker.terminate();
        reject(new UsageError(ready.error));
        return;
      }
      resolve({
        h1: url(ready.h1),
        h2c: ready.h2c === null ? null : url(ready.h2c),
        close: () =>
          new Promise<void>((done) => {
            worker.once('exit', () => done());
            worker.postMessage('close');
          }),
      });
    });
  });
}

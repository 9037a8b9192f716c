// Starts a built-in loopback target (targets/target-worker.ts) in a worker thread, so that it does not
// share the load generator's event loop: `demo` (a small items API over HTTP/1.1, for `loadhttp demo`)
// or `calibration` (the smallest response over HTTP/1.1 and h2c, for `loadhttp calibrate`).
import { Worker } from 'node:worker_threads';

export type TargetKind = 'demo' | 'calibration';

/** The ports a target worker posts once it listens (h2c: the calibration target only). */
export interface TargetPorts {
  h1: number;
  h2c: number | null;
}

export interface BuiltinTarget {
  /** http://127.0.0.1:PORT of the HTTP/1.1 listener. */
  h1: string;
  /** http://127.0.0.1:PORT of the h2c (HTTP/2 with prior knowledge) listener; null for the demo. */
  h2c: string | null;
  close(): Promise<void>;
}

export function startTarget(kind: TargetKind): Promise<BuiltinTarget> {
  const file = import.meta.url.endsWith('.ts') ? './target-worker.ts' : './target-worker.js';
  const worker = new Worker(new URL(file, import.meta.url), { workerData: kind });
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (ports: TargetPorts) => {
      resolve({
        h1: url(ports.h1),
        h2c: ports.h2c === null ? null : url(ports.h2c),
        close: () =>
          new Promise<void>((done) => {
            worker.once('exit', () => done());
            worker.postMessage('close');
          }),
      });
    });
  });
}

// Starts the calibration target (calibrate/target-worker.ts) in a worker thread.
import { Worker } from 'node:worker_threads';

export interface CalibrationTarget {
  h1: string;
  h2c: string;
  close(): Promise<void>;
}

export function startCalibrationTarget(): Promise<CalibrationTarget> {
  const file = import.meta.url.endsWith('.ts') ? './target-worker.ts' : './target-worker.js';
  const worker = new Worker(new URL(file, import.meta.url));
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (ports: { h1Port: number; h2cPort: number }) => {
      resolve({
        h1: `http://127.0.0.1:${ports.h1Port}`,
        h2c: `http://127.0.0.1:${ports.h2cPort}`,
        close: () =>
          new Promise<void>((done) => {
            worker.once('exit', () => done());
            worker.postMessage('close');
          }),
      });
    });
  });
}

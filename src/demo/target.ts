// Starts the built-in demo target (a small items API on a free loopback port) in a worker thread.
import { Worker } from 'node:worker_threads';

export interface DemoTarget {
  url: string;
  close(): Promise<void>;
}

export function startDemoTarget(): Promise<DemoTarget> {
  const worker = new Worker(new URL(import.meta.url.endsWith('.ts') ? './target-worker.ts' : './target-worker.js', import.meta.url));
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message: { port: number }) => {
      resolve({
        url: `http://127.0.0.1:${message.port}`,
        close: () =>
          new Promise<void>((done) => {
            worker.once('exit', () => done());
            worker.postMessage('close');
          }),
      });
    });
  });
}

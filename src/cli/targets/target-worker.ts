// A built-in target's servers, run in a worker thread (see target.ts), on loopback. demo: the items API
// of demo-routes.ts over HTTP/1.1. calibration: the smallest possible response over HTTP/1.1 and over
// h2c (HTTP/2 with prior knowledge).
import { createServer, type RequestListener } from 'node:http';
import { createServer as createH2cServer } from 'node:http2';
import type { AddressInfo, Server } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { handle } from './demo-routes.ts';
import type { TargetReady, TargetSetup } from './target.ts';

const { kind, port } = workerData as TargetSetup;
const BODY = 'ok\n';
const smallest: RequestListener = (_req, res) => res.writeHead(200, { 'content-length': BODY.length }).end(BODY);

const h1 = createServer(kind === 'demo' ? handle : smallest);
h1.keepAliveTimeout = 30_000;
const h2c =
  kind === 'calibration'
    ? createH2cServer({ settings: { maxConcurrentStreams: 256 } }, (_req, res) => res.writeHead(200, { 'content-length': BODY.length }).end(BODY))
    : null;

const listen = (server: Server, at: number) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

let ready: TargetReady;
try {
  ready = { h1: await listen(h1, port), h2c: h2c ? await listen(h2c, 0) : null };
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  ready = { error: `cannot listen on 127.0.0.1:${port}: ${code === 'EADDRINUSE' ? 'the port is in use' : (error as Error).message}` };
}
parentPort?.postMessage(ready);
parentPort?.on('message', (message: unknown) => {
  if (message === 'close') {
    h1.closeAllConnections();
    h2c?.close();
    process.exit(0);
  }
});

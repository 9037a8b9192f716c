// The calibration target, in a worker thread so it does not share the generator's event loop: the
// smallest possible response over HTTP/1.1 and over h2c (HTTP/2 with prior knowledge), each on a free
// loopback port.
import { createServer } from 'node:http';
import { createServer as createH2cServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';

const BODY = 'ok\n';
const h1 = createServer((_req, res) => res.writeHead(200, { 'content-length': BODY.length }).end(BODY));
h1.keepAliveTimeout = 30_000;
const h2c = createH2cServer({ settings: { maxConcurrentStreams: 256 } }, (_req, res) =>
  res.writeHead(200, { 'content-length': BODY.length }).end(BODY),
);

const listen = (server: { listen: (port: number, host: string, cb: () => void) => void; address: () => unknown }) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

const [h1Port, h2cPort] = await Promise.all([listen(h1), listen(h2c)]);
parentPort?.postMessage({ h1Port, h2cPort });
parentPort?.on('message', (message: unknown) => {
  if (message === 'close') {
    h1.closeAllConnections();
    h2c.close();
    process.exit(0);
  }
});

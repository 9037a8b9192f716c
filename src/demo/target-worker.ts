// Runs the demo target in a worker thread so that it does not share the load generator's event loop.
import { createServer } from 'node:http';
import { parentPort } from 'node:worker_threads';
import { handle } from './routes.ts';

const server = createServer(handle);
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') parentPort?.postMessage({ port: address.port });
});
parentPort?.on('message', (message: unknown) => {
  if (message === 'close') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});

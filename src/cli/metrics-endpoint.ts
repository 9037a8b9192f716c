// The live Prometheus endpoint: GET /metrics answers with the exposition of the latest figures (a partial
// result, about once a second while the run lasts, then the final one). The result is rendered per scrape,
// never per request; nothing here touches the request path.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../util/errors.ts';

/** Prometheus' text format 0.0.4 (OpenMetrics scrapers accept it too). */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class MetricsEndpoint {
  private readonly server: Server;
  /** What a scrape answers: the text of the latest figures, rendered per scrape. */
  private readonly render: () => string;
  readonly url: string;

  private constructor(server: Server, url: string, render: () => string) {
    this.server = server;
    this.url = url;
    this.render = render;
  }

  /** Listens on host:port (port 0: a free one; `url` names the one in use). */
  static async listen(host: string, port: number, render: () => string): Promise<MetricsEndpoint> {
    let endpoint: MetricsEndpoint | null = null;
    const server = createServer((req, res) => endpoint?.answer(req.method ?? 'GET', req.url ?? '/', res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const why = error.code === 'EADDRINUSE' ? 'the port is in use' : error.code === 'EADDRNOTAVAIL' ? 'no such local address' : error.message;
        reject(new UsageError(`--metrics-port: cannot listen on ${host}:${port}: ${why}`));
      });
      server.listen(port, host, resolve);
    });
    // A scrape's keep-alive socket must not hold the process open after the run.
    server.unref();
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    endpoint = new MetricsEndpoint(server, `http://${shownHost}:${address.port}/metrics`, render);
    return endpoint;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(method: string, url: string, res: import('node:http').ServerResponse): void {
    const path = url.split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('loadhttp serves its metrics at /metrics\n');
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const body = this.render();
    res.writeHead(200, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
    res.end(method === 'HEAD' ? undefined : body);
  }
}

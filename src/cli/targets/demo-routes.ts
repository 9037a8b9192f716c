// The built-in demo target's HTTP handler: a tiny "items API" with small, realistic-looking delays.
import type { IncomingMessage, ServerResponse } from 'node:http';

const ITEMS = Array.from({ length: 100 }, (_, i) => ({ id: i + 1, name: `item-${i + 1}` }));

/** A small page, so scenarios written for a web server (scenarios/ci-gate.yaml) run against the demo too. */
const PAGE = '<!doctype html><title>loadhttp demo</title><p>hello from the loadhttp demo target</p>\n';

function reply(res: ServerResponse, status: number, body: unknown, delayMs: number, type?: string): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const send = () => {
    res.writeHead(status, {
      'content-type': type ?? (typeof body === 'string' ? 'text/plain' : 'application/json'),
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
  if (delayMs > 0) setTimeout(send, delayMs);
  else send();
}

/** Handles one request; every response has a known shape so the demo's report is easy to read. */
export function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://demo');
  let received = 0;
  req.on('data', (chunk: Buffer) => (received += chunk.length));
  req.on('end', () => {
    if (url.pathname === '/') return reply(res, 200, 'hello from the loadhttp demo target\n', 0);
    if (url.pathname === '/index.html') return reply(res, 200, PAGE, 0, 'text/html');
    if (url.pathname === '/items' && req.method === 'GET') {
      const page = Number(url.searchParams.get('page') ?? '1');
      return reply(res, 200, ITEMS.slice((page - 1) * 5, page * 5), 1 + Math.random() * 4);
    }
    const one = /^\/items\/(\d+)$/.exec(url.pathname);
    if (one && req.method === 'GET') {
      const item = ITEMS[Number(one[1]) - 1];
      return item ? reply(res, 200, item, 1 + Math.random() * 2) : reply(res, 404, { error: 'no such item' }, 0);
    }
    if (url.pathname === '/items' && req.method === 'POST') {
      return reply(res, 201, { id: ITEMS.length + 1, receivedBytes: received }, 3 + Math.random() * 6);
    }
    if (url.pathname === '/slow') return reply(res, 200, 'slow\n', 50);
    reply(res, 404, { error: 'not found' }, 0);
  });
}

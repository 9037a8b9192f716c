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

function login(res: ServerResponse, body: string): void {
  let credentials: { user?: unknown; password?: unknown } = {};
  try {
    credentials = JSON.parse(body) as typeof credentials;
  } catch {
    // An unreadable body is a wrong password below.
  }
  const { user, password } = credentials;
  if (typeof user !== 'string' || password !== `pw-${user}`) return reply(res, 403, { error: 'wrong user or password' }, 0);
  res.setHeader('x-session', `session-${user}`);
  reply(res, 200, { token: `demo-token-${user}`, user }, 2 + Math.random() * 3);
}

/** Handles one request; every response has a known shape so the demo's report is easy to read. */
export function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://demo');
  let received = 0;
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    chunks.push(chunk);
  });
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
    // A login for flows (scenarios/login-flow.yaml): a token for any user whose password is "pw-<user>".
    if (url.pathname === '/login' && req.method === 'POST') return login(res, Buffer.concat(chunks).toString('utf8'));
    if (url.pathname === '/me') {
      const user = /^Bearer demo-token-(.+)$/.exec(req.headers.authorization ?? '')?.[1];
      return user === undefined ? reply(res, 401, { error: 'no valid token' }, 0) : reply(res, 200, { user, favourite: ITEMS[user.length % ITEMS.length] }, 1);
    }
    reply(res, 404, { error: 'not found' }, 0);
  });
}

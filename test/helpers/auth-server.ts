// A small API with a login, for flow tests: POST /login {user, password} gives a token (JSON), a session
// (x-session header) and an id in the body text; GET /me and /items/:id need `authorization: Bearer
// <token>` of a token it issued (401 otherwise). It records every user that logged in, in order.
import { createServer as createH2Server, type ServerHttp2Session } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServer, type Handler, type ServerStats, type TestServer } from './servers.ts';

export interface AuthServer extends TestServer {
  /** Users that logged in, in arrival order (one entry per login). */
  logins: string[];
  /** Requests refused for a missing or unknown token. */
  refused: number;
}

/** HTTP/1.1 (node:http), or with `h2c` HTTP/2 in cleartext (node:http2, its compatibility API: the same handler). */
export async function startAuthServer(options: { h2c?: boolean } = {}): Promise<AuthServer> {
  const tokens = new Map<string, string>();
  const logins: string[] = [];
  let issued = 0;
  const start = options.h2c ? startH2cServer : startServer;
  const server = await start({
    handler: (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const json = (status: number, data: unknown, headers: Record<string, string> = {}) =>
          res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(data));
        if (req.method === 'POST' && url.pathname === '/login') {
          let credentials: { user?: string; password?: string };
          try {
            credentials = JSON.parse(body) as typeof credentials;
          } catch {
            return json(400, { error: 'not JSON' });
          }
          const { user = '', password } = credentials;
          if (password !== `pw-${user}`) return json(403, { error: 'wrong password' });
          logins.push(user);
          const token = `tok-${++issued}`;
          tokens.set(token, user);
          return json(200, { token, user, items: [{ id: 40 + (issued % 5) }], note: `id=${issued}` }, { 'x-session': `s-${user}` });
        }
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const user = token === undefined ? undefined : tokens.get(token);
        if (user === undefined) {
          auth.refused++;
          return json(401, { error: 'unknown token' });
        }
        if (url.pathname === '/me') return json(200, { user, session: url.searchParams.get('session') });
        const item = /^\/items\/(\d+)$/.exec(url.pathname);
        if (item) return json(200, { id: Number(item[1]), owner: user });
        return json(404, { error: 'no such path' });
      });
    },
  });
  const auth: AuthServer = Object.assign(server, { logins, refused: 0 });
  return auth;
}

/** An h2c server running a node:http handler through node:http2's compatibility API, counting like startServer. */
async function startH2cServer(options: { handler: Handler }): Promise<TestServer> {
  const stats: ServerStats = { requests: 0, sockets: 0, inFlight: 0, maxInFlight: 0, byPath: new Map(), serviceMs: [] };
  const sessions = new Set<ServerHttp2Session>();
  const server = createH2Server((req, res) => {
    stats.requests++;
    stats.byPath.set(req.url, (stats.byPath.get(req.url) ?? 0) + 1);
    options.handler(req as unknown as IncomingMessage, res as unknown as ServerResponse, stats);
  });
  server.on('session', (session: ServerHttp2Session) => {
    stats.sockets++;
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    close: () =>
      new Promise<void>((done) => {
        for (const session of sessions) session.destroy();
        server.close(() => done());
      }),
  };
}

/** The flow this server is made for: login (captures by JSON path, header and regex), then authorised requests. */
export const LOGIN_FLOW = `
flow:
  - name: login
    method: POST
    path: /login
    json: { user: "u{{vu}}", password: "pw-u{{vu}}" }
    capture:
      - { json: $.token, as: token }
      - { json: "$.items[0].id", as: item }
      - { header: x-session, as: session }
      - { regex: 'id=(\\d+)', as: n }
    expect: { status: [200] }
  - name: me
    path: /me?session={{session}}&n={{n}}
    headers: { authorization: "Bearer {{token}}" }
  - name: item
    path: /items/{{item}}
    headers: { authorization: "Bearer {{token}}" }
`;

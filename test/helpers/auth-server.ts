// A small API with a login, for flow tests: POST /login {user, password} gives a token (JSON), a session
// (x-session header) and an id in the body text; GET /me and /items/:id need `authorization: Bearer
// <token>` of a token it issued (401 otherwise). It records every user that logged in, in order.
import { startServer, type TestServer } from './servers.ts';

export interface AuthServer extends TestServer {
  /** Users that logged in, in arrival order (one entry per login). */
  logins: string[];
  /** Requests refused for a missing or unknown token. */
  refused: number;
}

export async function startAuthServer(): Promise<AuthServer> {
  const tokens = new Map<string, string>();
  const logins: string[] = [];
  let issued = 0;
  const server = await startServer({
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

#!/usr/bin/env node
// Benchmark target when nginx is not installed: a minimal node:http server, `/hello` (12 bytes) and
// `/16k.bin` (16 KiB). Prints {"port": N} once listening; stops on SIGTERM.
import { createServer } from 'node:http';

const hello = Buffer.from('hello world\n');
const big = Buffer.alloc(16384, 'x');
const server = createServer((req, res) => {
  const body = req.url === '/16k.bin' ? big : hello;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));

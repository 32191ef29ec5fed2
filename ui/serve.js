#!/usr/bin/env node
// Serves the trading screen (index.html and dist/) on http://127.0.0.1:PORT (default 8000):
// a static file server for loopback only. `scripts/dev.sh` starts it next to the node.
// Usage: node serve.js [--port 8000]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const i = process.argv.indexOf('--port');
const port = i > 0 ? Number(process.argv[i + 1]) : 8000;
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`ui: --port ${process.argv[i + 1]}: a TCP port`);
  process.exit(2);
}
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.png': 'image/png' };
const files = new Set(['/index.html', '/dist/app.js']);
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const p = url.pathname === '/' ? '/index.html' : url.pathname;
  if (req.method !== 'GET' || !files.has(p)) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  fs.readFile(path.join(here, p), (err, data) => {
    if (err) { res.writeHead(500); res.end(String(err)); return; }
    res.writeHead(200, { 'content-type': types[path.extname(p)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(data);
  });
});
server.on('error', (e) => {
  console.error(`ui: cannot serve on 127.0.0.1:${port}: ${e.code === 'EADDRINUSE' ? 'the port is in use (OPTIONCHAIN_UI_PORT=N to move it)' : e.message}`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => console.log(`ui: the trading screen is on http://127.0.0.1:${port}`));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

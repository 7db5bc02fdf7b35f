// A portal stand-in that answers every request after a fixed delay (50 ms by default): closer to
// a real portal than the end-to-end tests' server, which answers at once, so that a constant cost
// of the rewrite shows at the size it has beside a real page load. HTTPS only (the timed loads
// are https), a self-signed certificate for every host (the browser ignores certificate errors).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_HOSTS } from '../../tests/e2e/lib/portal-server.mjs';

function certificate(hosts) {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-switch-bench-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=tenant-switch-bench',
        '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`, '-keyout', key, '-out', cert,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts the server on 127.0.0.1; `{port, delayMs, requests, close()}`. */
export async function startSlowServer({ delayMs = 50 } = {}) {
  const requests = [];
  const sockets = new Set();
  const server = createServer(certificate(ALL_HOSTS), (request, response) => {
    requests.push({ host: (request.headers.host ?? '').replace(/:\d+$/, ''), path: request.url ?? '/' });
    setTimeout(() => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>portal</title><link rel="icon" href="data:,"></head><body><p>portal</p></body></html>');
    }, delayMs);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    delayMs,
    requests,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

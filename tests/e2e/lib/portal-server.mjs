// A local HTTPS server standing in for the Defender portal hosts (and any other host the browser
// maps to it). It records every request it receives, so a test can prove what the browser actually
// sent: a declarativeNetRequest redirect happens inside the browser, and the un-rewritten request
// never arrives here. One port answers both http and https (the first byte of a connection tells
// a TLS handshake from plain HTTP), because the browser maps every port of a host to it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PORTAL_HOSTS = [
  'securitycenter.windows.com',
  'securitycenter.microsoft.com',
  'security.microsoft.com',
];
export const MTO_HOST = 'mto.security.microsoft.com';
export const LOOKALIKE_HOST = 'securitycenter.windows.com.example.net';
/** A host that is not a portal: stands in for "another site" that links to the portal. */
export const OTHER_HOST = 'intranet.example.org';
export const ALL_HOSTS = [...PORTAL_HOSTS, MTO_HOST, LOOKALIKE_HOST, OTHER_HOST];

function makeCertificate(dir, hosts) {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-subj', '/CN=tenant-switch-test',
      '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
      '-keyout', key, '-out', cert,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page every request gets: its own address, and a same-site link to follow. */
function page(host, path) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${escapeHtml(host)}</title><link rel="icon" href="data:,"></head><body>
<p id="where">${escapeHtml(host + path)}</p>
<a id="same-site" href="/same-site/page?x=1#frag">same-site link</a>
</body></html>`;
}

/**
 * Starts the server on 127.0.0.1 (a free port unless `port` is given).
 * Returns `{port, requests, clear(), requestsTo(host), close()}`; each request is recorded as
 * `{scheme, host, hostHeader, path, url, time}`, where `url` is `<scheme>://<Host header><path>`.
 */
export async function startPortalServer({ port = 0, hosts = ALL_HOSTS } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-switch-cert-'));
  let tls;
  try {
    tls = makeCertificate(dir, hosts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const requests = [];
  const answer = (scheme) => (request, response) => {
    const hostHeader = request.headers.host ?? '';
    const host = hostHeader.replace(/:\d+$/, '');
    const path = request.url ?? '/';
    const url = `${scheme}://${hostHeader}${path}`;
    requests.push({ scheme, host, hostHeader, path, url, time: Date.now() });
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(page(host, path));
  };
  const https = createHttpsServer(tls, answer('https'));
  const http = createHttpServer(answer('http'));
  const sockets = new Set();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('readable', () => {
      const first = socket.read(1);
      if (first === null) return;
      socket.unshift(first);
      const TLS_HANDSHAKE = 0x16;
      (first[0] === TLS_HANDSHAKE ? https : http).emit('connection', socket);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    requests,
    clear() {
      requests.length = 0;
    },
    /** The recorded requests for `host`, excluding the browser's favicon fetches. */
    requestsTo(host) {
      return requests.filter((r) => r.host === host && r.path !== '/favicon.ico');
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

// A local HTTPS server standing in for the Defender portal hosts (and any other host the browser
// maps to it). It records every request it receives, so a test can prove what the browser actually
// sent: a declarativeNetRequest redirect happens inside the browser, and the un-rewritten request
// never arrives here. One port answers both http and https (the first byte of a connection tells
// a TLS handshake from plain HTTP), because the browser maps every port of a host to it.
//
// Besides the plain page every path gets, a few paths reproduce what the real portal does to a
// `tid` (see `portalRoutes` below): a page whose script drops the `tid` from the address after
// load, the legacy hosts' redirects to security.microsoft.com, and a sign-in hop through a
// stand-in for login.microsoftonline.com that comes back without the `tid`, by form POST or by GET.
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
/** The sign-in stand-in: the portal sends a visitor without a session there and gets them back. */
export const LOGIN_HOST = 'login.microsoftonline.com';
/** The opt-in portal (issue 12): rewritten only once the user turns it on and grants its host. */
export const PURVIEW_HOST = 'purview.microsoft.com';
/** The other admin portals of the popup's "Open in portal" menu (src/portals.rs), served as plain pages. */
export const ADMIN_PORTAL_HOSTS = [
  PURVIEW_HOST,
  'entra.microsoft.com',
  'intune.microsoft.com',
  'portal.azure.com',
  'admin.cloud.microsoft',
  'admin.teams.microsoft.com',
  'app.powerbi.com',
  'admin.powerplatform.microsoft.com',
];
export const ALL_HOSTS = [...PORTAL_HOSTS, MTO_HOST, LOOKALIKE_HOST, OTHER_HOST, LOGIN_HOST, ...ADMIN_PORTAL_HOSTS];
/** Where the legacy hosts send everyone (the real ones answer 301/302 there). */
export const PORTAL_HOME = 'security.microsoft.com';
/** The portal path the sign-in stand-in posts its form to (the OpenID Connect redirect URI). */
export const SIGN_IN_CALLBACK = '/auth/callback';

/** The value of the first `tid` parameter of `url` (any letter case, as the portal reads it), or null. */
export function tidOf(url) {
  for (const [name, value] of new URL(url).searchParams) {
    if (name.toLowerCase() === 'tid') return value;
  }
  return null;
}

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
 * A portal page as the analyst works in it: links without a `tid` of every kind a tab is opened
 * by (`#blank` target=_blank; `#plain` for a click, middle-click or Ctrl+click; `#open` a button
 * calling `window.open(its data-url)`), and `#explicit` naming a tenant (its `tid` is set by the
 * test). With `strip` its script replaces the address without `tid` once loaded, as the real
 * portal's does, so the address no longer says which tenant the tab is in.
 */
function portalPage(host, path, { strip }) {
  const script = `
document.getElementById('open').addEventListener('click', (event) => {
  window.open(event.currentTarget.dataset.url, '_blank');
});
${strip ? `addEventListener('load', () => {
  const url = new URL(location.href);
  for (const name of [...url.searchParams.keys()]) if (name.toLowerCase() === 'tid') url.searchParams.delete(name);
  history.replaceState(history.state, '', url.href);
  document.documentElement.dataset.stripped = 'true';
});` : ''}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${escapeHtml(host)}</title><link rel="icon" href="data:,"></head><body>
<p id="where">${escapeHtml(host + path)}</p>
<a id="same-site" href="/same-site/page?x=1#frag">same-site link</a>
<a id="blank" target="_blank" href="/opened/blank">new tab</a>
<a id="plain" href="/opened/plain">plain link</a>
<button id="open" type="button" data-url="/opened/window-open">window.open</button>
<a id="explicit" href="/explicit">link naming a tenant</a>
<script>${script}</script>
</body></html>`;
}

/**
 * A single-page portal: its title names the view (`Incidents - Microsoft Defender`), and its
 * buttons do what the real portal's scripts do: `#navigate` moves to another view with
 * `history.pushState` and a new title, `#retitle` replaces the `<title>` element itself, and
 * `#rebuild` replaces the whole body. `#top` is a full-width button at the top edge, to show that
 * nothing the extension draws takes its clicks.
 */
function spaPage(path) {
  const script = `
const views = ['Alerts', 'Advanced hunting', 'Action center'];
let next = 0;
document.getElementById('navigate').addEventListener('click', () => {
  const view = views[next++ % views.length];
  history.pushState({}, '', '/spa/' + view.toLowerCase().replace(/ /g, '-'));
  document.title = view + ' - Microsoft Defender';
});
document.getElementById('retitle').addEventListener('click', () => {
  const title = document.createElement('title');
  title.textContent = 'Settings - Microsoft Defender';
  document.querySelector('title').replaceWith(title);
});
document.getElementById('rebuild').addEventListener('click', () => {
  const body = document.createElement('body');
  body.innerHTML = '<p id="rebuilt">rebuilt</p>';
  document.body.replaceWith(body);
});
document.getElementById('top').addEventListener('click', () => {
  document.documentElement.dataset.topClicks = String(Number(document.documentElement.dataset.topClicks ?? 0) + 1);
});`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Incidents - Microsoft Defender</title><link rel="icon" href="data:,">
<style>html, body { margin: 0; background: #ffffff; } #top { display: block; width: 100%; height: 40px; margin: 0;
border: 0; background: #ffffff; color: #ffffff; }</style></head><body>
<button id="top" type="button">top</button>
<p id="where">${escapeHtml(path)}</p>
<button id="navigate" type="button">navigate</button>
<button id="retitle" type="button">retitle</button>
<button id="rebuild" type="button">rebuild</button>
<script>${script}</script>
</body></html>`;
}

/** The sign-in stand-in's answer by form POST: a form that posts itself to the portal on load. */
function formPostPage(action, fields) {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Working...</title><link rel="icon" href="data:,"></head><body>
<form id="back" method="post" action="${escapeHtml(action)}">${inputs}</form>
<script>addEventListener('load', () => document.getElementById('back').submit());</script>
</body></html>`;
}

/**
 * What the real portal does to a `tid`, by path (every other path gets the plain page):
 * - on a portal host, `/spa/<any>`: `spaPage`, a single-page app that changes its title;
 * - on a portal host, `/strip/<any>`: `portalPage` whose script drops the `tid` after load;
 *   `/links/<any>`: the same page, address left alone.
 * - on a legacy host (securitycenter.*), `/moved/<rest>`: 302 to
 *   `https://security.microsoft.com/<rest>` with the query (its `tid` included);
 *   `/moved-bare/<rest>`: the same without the query.
 * - on a portal host, `/signin/<rest>?mode=post|get`: 302 to the sign-in stand-in, which comes back
 *   to `https://security.microsoft.com/<rest>` without the `tid`: `mode=get` by a 302, `mode=post`
 *   by a form POST to `SIGN_IN_CALLBACK` (fields `code`, `return`), answered by a 303 to the return
 *   path. A POST the browser redirected would arrive with a `tid` in its address, or not at all.
 * Returns `{status, headers, body}`, or null for the plain page.
 */
function route({ method, host, path, body }) {
  const url = new URL(path, `https://${host}`);
  const portal = PORTAL_HOSTS.includes(host);
  const legacy = portal && host !== PORTAL_HOME;
  const redirect = (location, status = 302) => ({ status, headers: { location }, body: '' });
  if (method === 'POST') {
    const fields = new URLSearchParams(body ?? '');
    if (portal && url.pathname === SIGN_IN_CALLBACK && fields.get('return')) {
      return redirect(`https://${PORTAL_HOME}${fields.get('return')}`, 303);
    }
    return null;
  }
  if (portal && url.pathname.startsWith('/spa/')) return { body: spaPage(path) };
  if (portal && url.pathname.startsWith('/strip/')) return { body: portalPage(host, path, { strip: true }) };
  if (portal && url.pathname.startsWith('/links/')) return { body: portalPage(host, path, { strip: false }) };
  if (legacy && url.pathname.startsWith('/moved/')) {
    return redirect(`https://${PORTAL_HOME}/${url.pathname.slice('/moved/'.length)}${url.search}`);
  }
  if (legacy && url.pathname.startsWith('/moved-bare/')) {
    return redirect(`https://${PORTAL_HOME}/${url.pathname.slice('/moved-bare/'.length)}`);
  }
  if (portal && url.pathname.startsWith('/signin/')) {
    const back = `/${url.pathname.slice('/signin/'.length)}`;
    const mode = url.searchParams.get('mode') === 'post' ? 'form_post' : 'query';
    return redirect(`https://${LOGIN_HOST}/authorize?response_mode=${mode}&return=${encodeURIComponent(back)}`);
  }
  if (host === LOGIN_HOST && url.pathname === '/authorize') {
    const back = url.searchParams.get('return') ?? '/';
    if (url.searchParams.get('response_mode') === 'form_post') {
      return { body: formPostPage(`https://${PORTAL_HOME}${SIGN_IN_CALLBACK}`, { code: 'stand-in-code', return: back }) };
    }
    return redirect(`https://${PORTAL_HOME}${back}`);
  }
  return null;
}

/**
 * Starts the server on 127.0.0.1 (a free port unless `port` is given).
 * Returns `{port, requests, clear(), requestsTo(host), close()}`; each request is recorded as
 * `{method, scheme, host, hostHeader, path, url, time, body?}`, where `url` is
 * `<scheme>://<Host header><path>` and `body` the request body as text (form posts).
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
    const entry = { method: request.method, scheme, host, hostHeader, path, url, time: Date.now() };
    requests.push(entry);
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      if (chunks.length) entry.body = Buffer.concat(chunks).toString('utf8');
      const { status = 200, headers = {}, body = page(host, path) } = route(entry) ?? {};
      response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
      response.end(body);
    });
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

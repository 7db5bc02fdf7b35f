// Navigation figures: how many un-rewritten requests reach the portal over 200 mixed navigations,
// and what the rewrite adds to a page load, for Tenant Switch (declarativeNetRequest) and for the
// comparison extension (benches/comparison-extension: JavaScript listeners plus tabs.update).
//
// The portal stand-in, the browser launcher and the fixtures are the end-to-end tests' own
// (tests/e2e/lib/), so the benchmark drives exactly the setup the tests prove correct.
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../../tests/e2e/lib/browser.mjs';
import { CONTOSO, addTenant, setDefaultTenant } from '../../tests/e2e/lib/fixtures.mjs';
import { OTHER_HOST, PORTAL_HOSTS } from '../../tests/e2e/lib/portal-server.mjs';
import { startSlowServer } from './slow-server.mjs';
import { sleep, summarize } from './stats.mjs';

export const COMPARISON_DIR = fileURLToPath(new URL('../comparison-extension/', import.meta.url));

const PATHS = ['/', '/x', '/alerts?view=timeline', '/incidents/42#overview', '/machines?a=1&b=2', '/advanced-hunting'];
const KINDS = ['typed', 'link', 'same-site'];

/** Whether a URL or request path has a `tid` query parameter (any letter case). */
export function hasTid(urlOrPath) {
  const query = String(urlOrPath).split('#')[0].split('?').slice(1).join('?');
  return [...new URLSearchParams(query).keys()].some((key) => key.toLowerCase() === 'tid');
}

/** Requests the portal hosts received without a tenant (favicon fetches aside). */
function unrewritten(server) {
  return server.requests.filter(
    (r) => PORTAL_HOSTS.includes(r.host) && r.path !== '/favicon.ico' && !hasTid(r.path),
  );
}

/**
 * Waits until the tab shows the rewritten portal page at `path`, fully loaded; false after
 * `timeout`. Matching the path as well keeps a previous rewritten page from counting. Playwright
 * gives up waiting when a navigation is aborted, which is exactly what a JavaScript redirect does
 * to the first one, so the wait starts again until the deadline.
 */
async function settled(page, path, timeout = 5000) {
  const deadline = performance.now() + timeout;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    try {
      await page.waitForURL((url) => url.pathname === path && hasTid(url.href), {
        waitUntil: 'load',
        timeout: left,
      });
      return true;
    } catch {
      await sleep(5);
    }
  }
}

/** Starts a navigation; a JavaScript redirect may abort it, which is part of what is measured. */
async function go(page, url) {
  await page.goto(url, { waitUntil: 'commit' }).catch(() => {});
}

/**
 * Loads a page that is not itself measured. Chromium occasionally aborts a navigation that starts
 * while its own HTTPS-upgrade fallback for an earlier http:// load is still settling; a retry
 * then succeeds.
 */
async function gotoRetrying(page, url, attempts = 3) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await page.goto(url, { waitUntil: 'load' });
    } catch (error) {
      if (attempt >= attempts) throw error;
      await sleep(100);
    }
  }
}

/** One navigation of `kind` to `url`; resolves once the rewritten page has loaded. */
async function navigate(page, kind, url) {
  let path = new URL(url).pathname;
  if (kind === 'typed') {
    await gotoRetrying(page, 'about:blank');
    await go(page, url);
  } else if (kind === 'link') {
    await gotoRetrying(page, `https://${OTHER_HOST}/links`);
    await page.evaluate((href) => {
      const link = document.createElement('a');
      link.id = 'bench-link';
      link.href = href;
      link.textContent = 'portal';
      document.body.append(link);
    }, url);
    await page.click('#bench-link', { noWaitAfter: true });
  } else {
    // The stand-in's page links to /same-site/page?x=1#frag on its own host, with no tid.
    await page.click('#same-site', { noWaitAfter: true });
    path = '/same-site/page';
  }
  return settled(page, path);
}

/**
 * 200 navigations of mixed kinds (typed, a link on another site, a same-site link), over the
 * three portal hosts, http and https, several paths. Returns what the server saw.
 */
export async function mixedNavigations(browser, server, count = 200) {
  const page = await browser.context.newPage();
  const byKind = Object.fromEntries(KINDS.map((kind) => [kind, 0]));
  let rewritten = 0;
  const failures = [];
  server.clear();
  for (let i = 0; i < count; i += 1) {
    const kind = KINDS[i % KINDS.length];
    const host = PORTAL_HOSTS[Math.floor(i / KINDS.length) % PORTAL_HOSTS.length];
    const scheme = i % 10 === 9 ? 'http' : 'https';
    const path = PATHS[Math.floor(i / 9) % PATHS.length];
    byKind[kind] += 1;
    const url = `${scheme}://${host}${path}`;
    try {
      if (await navigate(page, kind, url)) rewritten += 1;
      else failures.push(`${kind} ${url}: never reached a rewritten page`);
    } catch (error) {
      failures.push(`${kind} ${url}: ${String(error.message).split('\n')[0]}`);
    }
  }
  await sleep(200);
  const wasted = unrewritten(server);
  await page.close();
  return {
    navigations: count,
    byKind,
    rewritten,
    failures,
    portalRequests: server.requests.filter((r) => PORTAL_HOSTS.includes(r.host)).length,
    unrewritten: wasted.length,
    unrewrittenSample: wasted.slice(0, 5).map((r) => r.url),
  };
}

/**
 * Loads `url` from about:blank; returns node-side and in-page timings of the final page. A
 * JavaScript redirect can load the page more than once (tabs.onUpdated may report the same URL
 * twice), so the load counts as done only after `QUIET_MS` without another navigation, and its
 * time is that of the last load event.
 */
const QUIET_MS = 250;
async function timedLoad(page, url) {
  await gotoRetrying(page, 'about:blank');
  const loads = [];
  const onLoad = () => loads.push(performance.now());
  page.on('load', onLoad);
  const start = performance.now();
  await go(page, url);
  const path = new URL(url).pathname;
  let ok = await settled(page, path);
  for (let seen = -1; ok && seen !== loads.length; ) {
    seen = loads.length;
    await sleep(QUIET_MS);
    ok = await settled(page, path);
  }
  page.off('load', onLoad);
  const wall = (loads.at(-1) ?? NaN) - start;
  const timing = await page
    .evaluate(() => {
      const entry = performance.getEntriesByType('navigation')[0];
      return entry ? { load: entry.loadEventEnd - entry.startTime, redirects: entry.redirectCount } : null;
    })
    .catch(() => null);
  return { ok, wall, loads: loads.length, inPage: timing?.load ?? NaN, redirects: timing?.redirects ?? NaN };
}

/**
 * Interleaved page loads: each round loads every variant once, in an order that alternates, so
 * drift on a shared machine hits every variant alike. `variants` is `[{name, url, before?}]`;
 * `before` runs outside the timed window (e.g. to switch the comparison extension's mode).
 */
export async function interleavedLoads(browser, variants, { rounds = 40, warmup = 5 } = {}) {
  const page = await browser.context.newPage();
  const samples = Object.fromEntries(variants.map((v) => [v.name, { wall: [], inPage: [], failed: 0, redirects: [], loads: [] }]));
  for (let round = -warmup; round < rounds; round += 1) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      await variant.before?.();
      const sample = await timedLoad(page, variant.url);
      if (round < 0) continue;
      const into = samples[variant.name];
      if (!sample.ok) {
        into.failed += 1;
        continue;
      }
      into.wall.push(sample.wall);
      into.inPage.push(sample.inPage);
      into.redirects.push(sample.redirects);
      into.loads.push(sample.loads);
    }
  }
  await page.close();
  return Object.fromEntries(
    Object.entries(samples).map(([name, s]) => [
      name,
      {
        wall: summarize(s.wall),
        inPage: summarize(s.inPage),
        failed: s.failed,
        redirects: summarize(s.redirects),
        // Page loads per navigation: 1 when the rewrite happens before the request leaves.
        loads: summarize(s.loads),
      },
    ]),
  );
}

const TARGET = 'https://security.microsoft.com/x';
const DIRECT = `${TARGET}?tid=${CONTOSO.id}`;

/** Tenant Switch itself: 200 mixed navigations, then rewritten vs already-rewritten loads. */
export async function benchTenantSwitch(server, options) {
  const browser = await launchBrowser({ server, extensionDir: options.extensionDir });
  try {
    await browser.sendOk(addTenant(CONTOSO));
    await browser.sendOk(setDefaultTenant(CONTOSO.id));
    const mixed = await mixedNavigations(browser, server);
    const loads = await interleavedLoads(
      browser,
      [
        { name: 'direct', url: DIRECT },
        { name: 'rewritten', url: TARGET },
      ],
      options,
    );
    // Let the background finish the last navigation's effects (badges) before the browser closes.
    await sleep(500);
    return { mixed, loads, errors: browser.errors };
  } finally {
    await browser.close();
  }
}

/**
 * The same interleaved loads against a stand-in that answers every request after `delayMs`
 * (benches/browser/slow-server.mjs), in a browser of its own: what the rewrite adds beside a page
 * that takes as long as a real portal's first byte.
 */
export async function benchSlowPortal(options, delayMs = 50) {
  const slow = await startSlowServer({ delayMs });
  try {
    const browser = await launchBrowser({ server: slow, extensionDir: options.extensionDir });
    try {
      await browser.sendOk(addTenant(CONTOSO));
      await browser.sendOk(setDefaultTenant(CONTOSO.id));
      const loads = await interleavedLoads(
        browser,
        [
          { name: 'direct', url: DIRECT },
          { name: 'rewritten', url: TARGET },
        ],
        options,
      );
      const wasted = slow.requests.filter((r) => r.host === 'security.microsoft.com' && r.path !== '/favicon.ico' && !hasTid(r.path)).length;
      await sleep(500);
      return { delayMs, loads, unrewritten: wasted, errors: browser.errors };
    } finally {
      await browser.close();
    }
  } finally {
    await slow.close();
  }
}

/** The comparison extension in both of its modes, each beside the direct load in one browser. */
export async function benchComparison(server, options) {
  const browser = await launchBrowser({ server, extensionDir: COMPARISON_DIR });
  try {
    const setMode = async (mode) => {
      await browser.inWorker((config) => chrome.storage.local.set(config), { tenantId: CONTOSO.id, mode });
      await sleep(20);
    };
    const mixed = {};
    for (const mode of ['webNavigation', 'tabs']) {
      await setMode(mode);
      mixed[mode] = await mixedNavigations(browser, server);
    }
    const loads = await interleavedLoads(
      browser,
      [
        { name: 'direct', url: DIRECT },
        { name: 'webNavigation', url: TARGET, before: () => setMode('webNavigation') },
        { name: 'tabs', url: TARGET, before: () => setMode('tabs') },
      ],
      options,
    );
    return { mixed, loads, errors: browser.errors };
  } finally {
    await browser.close();
  }
}

// Launches headless Debian Chromium with dist/extension loaded and every test host mapped to the
// local portal server (see TOOLCHAIN.md "The extension in a real browser"). Collects console
// errors, uncaught errors and CSP violations from the service worker and every page, so a test can
// assert that none happened.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startPortalServer } from './portal-server.mjs';

export const EXTENSION_DIR = fileURLToPath(new URL('../../../dist/extension/', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** A fresh, empty profile directory; `removeProfile` deletes it. */
export function makeProfile() {
  return mkdtempSync(join(tmpdir(), 'tenant-switch-profile-'));
}

export function removeProfile(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Polls `probe` until it returns a value that `done` accepts; returns that value. */
export async function waitFor(probe, done = Boolean, { timeout = 5000, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  let value;
  for (;;) {
    value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/**
 * Launches the browser. `server` is the running portal server (its port gets every test host);
 * `profileDir` an existing profile to reuse (a browser restart), else a fresh one that `close`
 * removes; `lang` the browser's UI language, e.g. 'en-US' or 'de'; `args` extra command-line
 * switches (e.g. '--restore-last-session').
 */
export async function launchBrowser({ server, profileDir, lang = 'en-US', extensionDir = EXTENSION_DIR, args = [] } = {}) {
  const ownProfile = profileDir === undefined;
  const profile = ownProfile ? makeProfile() : profileDir;
  // Every host name goes to the portal server, so even a navigation to a look-alike or an
  // unrelated host is recorded there instead of failing to resolve.
  const mapping = `MAP * 127.0.0.1:${server.port}`;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: lang,
    env: { ...process.env, LANGUAGE: lang.replace('-', '_') },
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      `--host-resolver-rules=${mapping}`,
      '--ignore-certificate-errors',
      `--lang=${lang}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
  });

  /** `{source, type, text}` for every console error, uncaught error and CSP violation seen. */
  const errors = [];
  context.on('console', (message) => {
    if (message.type() !== 'error') return;
    const source = message.worker()?.url() ?? message.page()?.url() ?? 'unknown';
    errors.push({ source, type: 'console', text: message.text() });
  });
  context.on('weberror', (webError) => {
    const source = webError.page()?.url() ?? 'unknown';
    errors.push({ source, type: 'uncaught', text: String(webError.error()) });
  });

  // Turn CSP violations and uncaught errors into console errors, which the listener above
  // records: in every page from its start, in the service worker from when the test first sees it
  // (DevTools-evaluated test code itself is exempt from the CSP, so only the extension's own code
  // can trip this).
  function reportErrorsToConsole() {
    if (globalThis.__tenantSwitchTestReporting) return;
    globalThis.__tenantSwitchTestReporting = true;
    globalThis.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI} in ${e.sourceFile}:${e.lineNumber}`),
    );
    globalThis.addEventListener('error', (e) => console.error(`Uncaught: ${e.message}`));
    globalThis.addEventListener('unhandledrejection', (e) => console.error(`Unhandled rejection: ${e.reason}`));
  }
  await context.addInitScript(reportErrorsToConsole);
  const watched = new WeakSet();
  async function watch(serviceWorker) {
    if (watched.has(serviceWorker)) return serviceWorker;
    watched.add(serviceWorker);
    await serviceWorker.evaluate(reportErrorsToConsole);
    return serviceWorker;
  }

  async function worker() {
    const running = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
    if (running) return watch(running);
    const started = context.waitForEvent('serviceworker', { timeout: 10_000 });
    // A worker the browser stopped while idle starts again for a message (once the extension's
    // id is known: at launch the worker is starting anyway).
    if (extensionOrigin) send({ what: 'getState' }).catch(() => {});
    return watch(await started);
  }

  let extensionOrigin = null;
  const extensionId = new URL((await worker()).url()).host;
  extensionOrigin = `chrome-extension://${extensionId}`;

  /** Evaluates `fn(arg)` in the extension's service worker. */
  async function inWorker(fn, arg) {
    return (await worker()).evaluate(fn, arg);
  }

  /** Opens an extension page (e.g. 'popup.html') in a new tab. */
  async function openExtensionPage(path) {
    const page = await context.newPage();
    await page.goto(`${extensionOrigin}/${path}`);
    return page;
  }

  /**
   * Opens the popup's document as a tab over `front` (a page, e.g. a portal tab; none: the
   * popup is its own current tab, "Not a portal tab") and waits for its first answer.
   *
   * The popup finds "This tab" with `tabs.query({active: true, currentWindow: true})`. A page
   * opened by Playwright becomes the active tab itself, so the popup is opened by the extension
   * as a background tab (`tabs.create({active: false})`) in `front`'s window while `front` is
   * the active tab, exactly what the toolbar popup sees. Once it has drawn, it is brought to the
   * front for the keyboard and the clipboard; it keeps the tab it found. `view: 'tab'`
   * (popup.html?view=tab) stays open after a choice; `view: 'popup'` is the toolbar's own
   * document, which closes itself after one. (`chrome.action.openPopup()` does open the real
   * toolbar popup in headless Chromium 156, but Playwright gets no page for it to drive.)
   */
  async function openPopup({ front = null, view = 'tab' } = {}) {
    const url = `${extensionOrigin}/popup.html${view === 'tab' ? '?view=tab' : ''}`;
    let page;
    if (front) {
      await front.bringToFront();
      const frontTab = await tabIdOf(front);
      [page] = await Promise.all([
        context.waitForEvent('page'),
        inWorker(
          async ({ address, tabId }) => {
            const { windowId, index } = await chrome.tabs.get(tabId);
            await chrome.tabs.create({ url: address, active: false, windowId, index: index + 1 });
          },
          { address: url, tabId: frontTab },
        ),
      ]);
      await page.waitForURL(url);
    } else {
      page = await context.newPage();
      await page.goto(url);
    }
    // "This tab" is drawn from the first answer, whatever else the answer holds.
    await page.locator('#this-tab:not(:empty)').waitFor();
    await page.bringToFront();
    return page;
  }

  // Messages go from an extension page to the worker, the same path the popup and options use.
  // The page is an extension resource with no script of its own, so nothing else runs there.
  let messenger;
  async function send(message) {
    if (!messenger || messenger.isClosed()) {
      messenger = await context.newPage();
      await messenger.goto(`${extensionOrigin}/manifest.json`);
    }
    return messenger.evaluate((m) => chrome.runtime.sendMessage(m), message);
  }

  /** Sends `message` and fails unless the background answered `{ok: true}`; returns the state. */
  async function sendOk(message) {
    const answer = await send(message);
    if (!answer?.ok) throw new Error(`${JSON.stringify(message)} answered ${JSON.stringify(answer)}`);
    return answer.state;
  }

  /**
   * The extension's tab ID for `page`: the one tab at its address (the host permissions reveal
   * a portal tab's); otherwise (an address open in several tabs, or hidden on a site the
   * extension has no access to) the active tab after bringing `page` to the front. A previously active tab at another address that the
   * browser still reports as active is waited out, so it never stands in for `page`.
   */
  async function tabIdOf(page) {
    const url = page.url();
    const tabs = await inWorker(() => chrome.tabs.query({}));
    const byUrl = tabs.filter((t) => t.url === url);
    if (byUrl.length === 1) return byUrl[0].id;
    await page.bringToFront();
    const front = () => inWorker(() => chrome.tabs.query({ active: true, lastFocusedWindow: true }));
    const active = await waitFor(front, (found) => found.length === 1 && (found[0].url === undefined || found[0].url === url));
    if (active.length !== 1) throw new Error(`cannot tell the tab of ${url}`);
    return active[0].id;
  }

  /** What the toolbar action shows for one tab: `{text, title, color: [r, g, b, a]}`. */
  async function badge(tabId) {
    return inWorker(
      async (id) => ({
        text: await chrome.action.getBadgeText({ tabId: id }),
        title: await chrome.action.getTitle({ tabId: id }),
        color: await chrome.action.getBadgeBackgroundColor({ tabId: id }),
      }),
      tabId,
    );
  }

  /**
   * Sets the extension's site access as a user does on chrome://extensions: 'ON_CLICK' withholds
   * the portal host permissions, 'ON_ALL_SITES' grants them again.
   */
  async function setSiteAccess(hostAccess) {
    const page = await context.newPage();
    try {
      await page.goto('chrome://extensions');
      await page.evaluate(
        (config) => chrome.developerPrivate.updateExtensionConfiguration(config),
        { extensionId, hostAccess },
      );
    } finally {
      await page.close();
    }
  }

  /**
   * A new tab at `url` with no opener, as when the analyst opens a tab on an address: Playwright's
   * `newPage()` gives its tab the active tab as opener (as Chromium does for Ctrl+T), so a tab
   * opened that way would inherit the active portal tab's tenant until its first page commits.
   */
  async function openTab(url) {
    const [page] = await Promise.all([
      context.waitForEvent('page'),
      inWorker((address) => chrome.tabs.create({ url: address }), url),
    ]);
    return page;
  }

  async function dynamicRules() {
    return inWorker(() => chrome.declarativeNetRequest.getDynamicRules());
  }

  async function sessionRules() {
    return inWorker(() => chrome.declarativeNetRequest.getSessionRules());
  }

  /** What the session keeps in storage.session (the tabs' tenants, the revision). */
  async function sessionStorage() {
    return inWorker(() => chrome.storage.session.get(null));
  }

  async function storage() {
    return inWorker(() => chrome.storage.local.get(null));
  }

  async function close() {
    await context.close();
    if (ownProfile) removeProfile(profile);
  }

  return {
    context,
    extensionId,
    extensionOrigin,
    profile,
    errors,
    worker,
    inWorker,
    openExtensionPage,
    openPopup,
    openTab,
    send,
    sendOk,
    tabIdOf,
    badge,
    setSiteAccess,
    dynamicRules,
    sessionRules,
    sessionStorage,
    storage,
    close,
  };
}

/**
 * `launchBrowser` with a portal server of its own, closed with the browser: Chromium with the
 * extension (dist/extension, or the EXTENSION_DIR environment variable) and every host mapped to
 * that server. `errors` collects console errors, uncaught errors and CSP violations of every page
 * and the service worker.
 */
export async function launchWithServer(lang) {
  const server = await startPortalServer();
  const extensionDir = process.env.EXTENSION_DIR;
  const browser = await launchBrowser({ server, lang, ...(extensionDir ? { extensionDir } : {}) });
  return {
    ...browser,
    server,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

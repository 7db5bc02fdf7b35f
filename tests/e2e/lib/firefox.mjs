// Launches headless Debian Firefox ESR with dist/extension installed, driven by puppeteer-core over
// WebDriver BiDi (Playwright cannot drive stock Firefox; see TOOLCHAIN.md "The extension in a real
// browser"). Every test host resolves to 127.0.0.1 through the pref `network.dns.localDomains`; the
// port stays the URL's own, so the portal server must listen on 127.0.0.1:443, unless the pref
// `network.socket.forcePort` (`forcePortPrefs(port)`) sends ports 443 and 80 to its own port.
//
// Two Firefox traps this file works around:
// - puppeteer's `page.goto` waits for navigation events that Firefox does not report for
//   moz-extension:// pages, and it can fail with "A new navigation interrupted an unfinished
//   navigation" when declarativeNetRequest redirects the load. `navigate` below therefore sends
//   BiDi's own `browsingContext.navigate` (a top-level load with no initiator, as a typed URL is)
//   and reads the address from the document itself.
// - Headless Firefox has no permission doorhanger to click. The pref
//   `extensions.webextOptionalPermissionPrompts` = false makes Firefox grant a
//   `permissions.request` without showing one; Firefox still refuses a request that does not come
//   from a user gesture, so a test that clicks a button proves the page asks the way a person does.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { waitForNoPolicyNaming } from './firefox-policy.mjs';

export const EXTENSION_DIR = fileURLToPath(new URL('../../../dist/extension/', import.meta.url));
export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
/** The manifest's `browser_specific_settings.gecko.id`. */
export const EXTENSION_ID = 'tenant-switch@tenant-switch.invalid';
/** Fixed with the pref `extensions.webextensions.uuids`, so extension page URLs are known. */
export const EXTENSION_UUID = '5e1f0c2a-7b3d-4c8e-9a6f-0d2b4c6e8a1f';
export const EXTENSION_ORIGIN = `moz-extension://${EXTENSION_UUID}`;

/**
 * Errors Firefox reports that no extension code can prevent, left out of `errors()`:
 * - its remote-settings loader failing without network (a Firefox module, logged to stdout);
 * - a content script's or an extension page's message the background had not answered yet when
 *   the page went away (a tab closed or navigated right after it opened, an options page closed
 *   while it redrew after a change): Firefox reports the rejection it can no longer hand to the
 *   script's own `.then` or `.catch`.
 */
export const FIREFOX_NOISE = [
  /^console\.error: RSLoader: /,
  /\/(content\/portal-tenant|browser-adapter)\.js:\d+ Promise (resolved after context unloaded$|rejected after context unloaded: Actor 'Conduits' destroyed before query 'RuntimeMessage' was resolved)/m,
];

/**
 * Rules as they were added: Firefox returns every absent rule field as null, and a query
 * parameter's `replaceOnly` as false when it was not given.
 */
export function withoutNulls(value) {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k, v]) => v !== null && !(k === 'replaceOnly' && v === false))
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

/** Prefs that send every connection to ports 443 and 80 to `port` (the portal server's). */
export function forcePortPrefs(port) {
  return { 'network.socket.forcePort': `443=${port};80=${port}` };
}

/**
 * Launches Firefox. `hosts` are the host names that resolve to 127.0.0.1; `prefs` are extra
 * preferences. `extensionDir` is installed as a temporary add-on; `null` installs nothing (an
 * enterprise policy installs the extension instead). `withPolicy`: the caller has just written
 * a policies.json for this Firefox (lib/firefox-policy.mjs). Throws (never skips) when Firefox
 * is missing or does not start, or when the extension does not install.
 */
export async function launchFirefox({ hosts, prefs = {}, extensionDir = EXTENSION_DIR, withPolicy = false } = {}) {
  if (!existsSync(FIREFOX)) {
    throw new Error(`${FIREFOX} is missing: run "apt-get install -y firefox-esr" (./build.sh test does)`);
  }
  // Firefox reads policies.json at start; a policy test's file exists only while its own Firefox
  // starts. Any other Firefox waits for it to go, or it would start under that policy.
  if (!withPolicy) await waitForNoPolicyNaming(EXTENSION_ID);
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    acceptInsecureCerts: true,
    // Lets BiDi open and script moz-extension:// pages.
    args: ['--remote-allow-system-access'],
    env: { ...process.env, LANGUAGE: 'en_US', LANG: 'en_US.UTF-8' },
    extraPrefsFirefox: {
      'network.dns.localDomains': hosts.join(','),
      'extensions.webextensions.uuids': JSON.stringify({ [EXTENSION_ID]: EXTENSION_UUID }),
      'extensions.webextOptionalPermissionPrompts': false,
      'intl.locale.requested': 'en-US',
      // manifest.json, the messaging page, shows as plain text instead of in the JSON viewer.
      'devtools.jsonview.enabled': false,
      'devtools.console.stdout.content': true,
      ...prefs,
    },
  });

  // Puppeteer does not see moz-extension:// documents as pages (their console and error events
  // never reach it), so errors are read from Firefox itself: console.error calls of every page,
  // the background included, from its stdout (pref devtools.console.stdout.content), and uncaught
  // errors, unhandled rejections and CSP violations from its console service (see `errors`).
  const consoleErrors = [];
  function collectFrom(stream) {
    if (!stream) throw new Error("cannot read Firefox's output, so its console errors would go unseen");
    let pending = '';
    stream.on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) if (line.startsWith('console.error:')) consoleErrors.push(line);
    });
  }
  collectFrom(browser.process()?.stdout);
  collectFrom(browser.process()?.stderr);

  let installedId = null;
  try {
    if (extensionDir !== null) installedId = await browser.installExtension(extensionDir);
  } catch (error) {
    await browser.close();
    throw error;
  }

  /** Opens a new tab (about:blank) whose errors are recorded. */
  async function newPage() {
    return browser.newPage();
  }

  /**
   * Loads `url` in `page` as a typed URL; resolves when the new document is complete with the
   * address it ended up at (fragment included). A URL that differs from the current one only in
   * its fragment would not load a new document: navigate to 'about:blank' first.
   */
  async function navigate(page, url) {
    const context = page.mainFrame().browsingContext;
    if (typeof context?.navigate !== 'function') {
      throw new Error('puppeteer-core no longer exposes the BiDi browsing context: update navigate()');
    }
    // Marks the current document, so the loop below can tell the new one from it.
    await page.evaluate(() => {
      globalThis.__tenantSwitchOldDocument = true;
    }).catch(() => {});
    try {
      await context.navigate(url, 'complete');
    } catch (error) {
      // A declarativeNetRequest redirect can look to BiDi like a second navigation; the load
      // itself goes on, and the loop below waits for it.
      if (!/interrupted an unfinished navigation/.test(error.message)) throw error;
    }
    const deadline = Date.now() + 5000;
    for (;;) {
      const where = await page
        .evaluate(() =>
          !globalThis.__tenantSwitchOldDocument && document.readyState === 'complete' ? location.href : null,
        )
        .catch(() => null);
      // A fresh about:blank can stand in for a moment while the real load is still on its way.
      if (where !== null && (where !== 'about:blank' || url === 'about:blank')) return where;
      if (Date.now() > deadline) throw new Error(`${url} did not finish loading`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Runs `action` (a click, a reload) in `page` and resolves when the document it brings is
   * complete, with its address; the same wait as `navigate`.
   */
  async function loadBy(page, action) {
    await page.evaluate(() => {
      globalThis.__tenantSwitchOldDocument = true;
    });
    await action();
    const deadline = Date.now() + 5000;
    for (;;) {
      const where = await page
        .evaluate(() => (!globalThis.__tenantSwitchOldDocument && document.readyState === 'complete' ? location.href : null))
        .catch(() => null);
      if (where !== null && where !== 'about:blank') return where;
      if (Date.now() > deadline) throw new Error('no new document loaded');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Opens an extension page (e.g. 'options.html') in a new tab. */
  async function openExtensionPage(path) {
    const page = await newPage();
    await navigate(page, `${EXTENSION_ORIGIN}/${path}`);
    return page;
  }

  // Messages go from an extension page to the background, the same path the popup and options
  // use. manifest.json has no script of its own, so nothing else runs in that page.
  let messenger;
  async function send(message) {
    if (!messenger || messenger.isClosed()) messenger = await openExtensionPage('manifest.json');
    return messenger.evaluate((m) => browser.runtime.sendMessage(m), message);
  }

  /** Sends `message` and fails unless the background answered `{ok: true}`; returns the state. */
  async function sendOk(message) {
    const answer = await send(message);
    if (!answer?.ok) throw new Error(`${JSON.stringify(message)} answered ${JSON.stringify(answer)}`);
    return answer.state;
  }

  /** Evaluates `fn(arg)` in an extension page, with the extension's `browser.*` APIs. */
  async function inExtension(fn, arg) {
    await send({ what: 'getState' });
    return messenger.evaluate(fn, arg);
  }

  /**
   * Every error seen so far: `console.error` lines of any page, and each error (not warning) in
   * Firefox's console service raised by the extension's own files or its manifest (Firefox's own
   * modules log internal noise there, e.g. when an extension page closes). Reads the console service through
   * the browser window's own scope, which `--remote-allow-system-access` opens to BiDi.
   */
  async function errors() {
    const session = browser.connection;
    if (typeof session?.send !== 'function') {
      throw new Error('puppeteer-core no longer exposes the BiDi connection: update errors()');
    }
    const tree = await session.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
    const chromeWindow = tree.result.contexts[0].context;
    const answer = await session.send('script.evaluate', {
      target: { context: chromeWindow },
      awaitPromise: false,
      expression: `JSON.stringify(Services.console.getMessageArray()
        .filter((m) => m instanceof Ci.nsIScriptError && !(m.flags & Ci.nsIScriptError.warningFlag))
        .filter((m) => m.sourceName.startsWith(${JSON.stringify(EXTENSION_ORIGIN)}) ||
          m.errorMessage.startsWith('Reading manifest'))
        .map((m) => m.category + ' ' + m.sourceName + ':' + m.lineNumber + ' ' + m.errorMessage))`,
    });
    if (answer.result.type !== 'success') throw new Error(`reading the console failed: ${JSON.stringify(answer.result)}`);
    return [...consoleErrors, ...JSON.parse(answer.result.result.value)].filter((line) => !FIREFOX_NOISE.some((noise) => noise.test(line)));
  }

  return {
    browser,
    installedId,
    errors,
    newPage,
    navigate,
    openExtensionPage,
    send,
    sendOk,
    inExtension,
    loadBy,
    dynamicRules: () => inExtension(() => browser.declarativeNetRequest.getDynamicRules()),
    /** The session rules, without the null fields Firefox fills in (as Chromium returns them). */
    sessionRules: async () => withoutNulls(await inExtension(() => browser.declarativeNetRequest.getSessionRules())),
    /** The dynamic rules as `sessionRules` gives them: the rule objects as the core made them. */
    dynamicRulesAsAdded: async () => withoutNulls(await inExtension(() => browser.declarativeNetRequest.getDynamicRules())),
    /** What the session keeps in storage.session (the tabs' tenants, the revision). */
    sessionStorage: () => inExtension(() => browser.storage.session.get(null)),
    /** `[{id, url, openerTabId}]` of every tab (`url` only where the extension may see it). */
    tabs: () => inExtension(() => browser.tabs.query({}).then((tabs) => tabs.map(({ id, url, openerTabId }) => ({ id, url, openerTabId })))),
    /** What the toolbar button shows for one tab: `{text, title}`. */
    badge: (tabId) =>
      inExtension(
        async (id) => ({ text: await browser.action.getBadgeText({ tabId: id }), title: await browser.action.getTitle({ tabId: id }) }),
        tabId,
      ),
    close: () => browser.close(),
  };
}

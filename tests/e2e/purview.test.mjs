// The Purview rewrite opt-in (issue 12), end to end from the options page's checkbox "Rewrite
// Microsoft Purview addresses" to what the stand-in portal (lib/portal-server.mjs) received.
// Purview's host is the manifest's only optional host permission: it is asked for when the box is
// checked (a user gesture) and given back when it is unchecked.
//
// Three setups, because headless Chromium cannot grant an optional host permission: its prompt
// has no window to click, and its test hooks (developerPrivate's site access) grant only
// permissions the manifest requires.
// 1. Chromium, the extension as built: `chrome.permissions.request` of the options page is
//    replaced by a stand-in that records what it was asked (and whether a click was handling)
//    and answers as the test says. A refusal stores nothing; a "grant" the browser never made is
//    shown as the truth: on, but without access, so nothing is rewritten.
// 2. Chromium, a copy of the build that asks for Purview's host at install (so the request from
//    the click is answered true by the browser itself, without a prompt): turning the box on
//    installs rules that cover purview.microsoft.com, registers the content scripts there, and
//    navigations reach the stand-in with the tab's tid; the tab's tenant, badge and title follow.
//    Turning it off removes the rules and the scripts and hands the access back: the worker's
//    `permissions.remove` is recorded (a required permission cannot really be removed).
// 3. Firefox ESR, the extension as built: the pref extensions.webextOptionalPermissionPrompts
//    lets Firefox grant a request from a click without a prompt, so the whole path is real, the
//    permission given back included, and so is the access withdrawn in the browser.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, launchWithServer, waitFor } from './lib/browser.mjs';
import { editedCopy } from './lib/extension-copy.mjs';
import { forcePortPrefs, launchFirefox } from './lib/firefox.mjs';
import { CONTOSO, DEFAULT_SETTINGS, FABRIKAM, addTenant, replaceStoredSettings, setDefaultTenant, storedSettings } from './lib/fixtures.mjs';
import { ALL_HOSTS, PURVIEW_HOST, startPortalServer, tidOf } from './lib/portal-server.mjs';

const PURVIEW_ORIGINS = [`https://${PURVIEW_HOST}/*`, `http://${PURVIEW_HOST}/*`];
const CHECKBOX = 'Rewrite Microsoft Purview addresses';
const isolate = (text) => `\u2068${text}\u2069`;
/** Contoso for new tabs, Fabrikam beside it. */
const SETTINGS = { ...DEFAULT_SETTINGS, tenants: [CONTOSO, FABRIKAM], defaultTenant: CONTOSO.id, recentTenants: [CONTOSO.id] };
/** Contoso's colour (derived from its ID), as the badge reports it. */
const CONTOSO_BADGE = '156,31,138,255';

/** Whether any of `rules` names Purview's host. */
const coversPurview = (rules) => rules.some((rule) => JSON.stringify(rule.condition).includes(PURVIEW_HOST));

/** The tids of the requests the stand-in received for Purview's host, path included. */
const purviewRequests = (server) =>
  server.requestsTo(PURVIEW_HOST).map((request) => ({ path: new URL(request.url).pathname, tid: tidOf(request.url) }));

describe('Chromium, the extension as built: the page asks for exactly Purview\'s host, from the click', () => {
  let browser;
  let page;
  const box = () => page.getByRole('checkbox', { name: CHECKBOX, exact: true });

  before(async () => {
    browser = await launchWithServer('en-US');
    await replaceStoredSettings(browser, SETTINGS);
    browser.errors.length = 0;
    page = await browser.context.newPage();
    // The browser's prompt stands in: what it was asked, whether a click was being handled, and
    // the answer the test gives.
    await page.addInitScript(() => {
      window.permissionRequests = [];
      chrome.permissions.request = (request) =>
        new Promise((resolve) => {
          window.permissionRequests.push({ request, activation: navigator.userActivation.isActive });
          window.answerPermission = resolve;
        });
    });
    await page.goto(`${browser.extensionOrigin}/options.html`);
    await box().waitFor();
    await waitFor(() => box().isEnabled());
  });
  after(async () => {
    await browser?.close();
  });

  /** Clicks the box and answers the request it makes with `granted`; returns what was asked. */
  async function clickAndAnswer(granted) {
    const before = await page.evaluate(() => window.permissionRequests.length);
    await box().click();
    await waitFor(() => page.evaluate(() => window.permissionRequests.length), (n) => n === before + 1);
    const asked = await page.evaluate(() => window.permissionRequests.at(-1));
    await page.evaluate((answer) => window.answerPermission(answer), granted);
    return asked;
  }

  test('off at first; a refused request stores nothing, and the page says the access was not granted', async () => {
    assert.equal(await box().isChecked(), false);
    const asked = await clickAndAnswer(false);
    assert.deepEqual(asked, { request: { origins: PURVIEW_ORIGINS }, activation: true });
    await page
      .getByRole('status')
      .getByText(`Access to ${PURVIEW_HOST} was not granted, so Microsoft Purview addresses are not rewritten.`)
      .waitFor();
    assert.equal(await box().isChecked(), false);
    assert.deepEqual((await storedSettings(browser)).portalRewrite, []);
    assert.equal(coversPurview([...(await browser.dynamicRules()), ...(await browser.sessionRules())]), false);
    assert.deepEqual(browser.errors, []);
  });

  test('a grant the browser did not make: stored, but shown off with the missing access said; refusing again turns it off', async () => {
    await clickAndAnswer(true);
    await waitFor(() => storedSettings(browser), (settings) => settings.portalRewrite.includes('purview'));
    assert.deepEqual((await storedSettings(browser)).portalRewrite, ['purview']);
    const missing = page.getByRole('alert').filter({ hasText: 'Rewriting Microsoft Purview addresses is on' });
    await missing.waitFor();
    assert.equal(
      await missing.textContent(),
      `Rewriting Microsoft Purview addresses is on, but Tenant Switch may not access ${PURVIEW_HOST}, so nothing there is rewritten. Check the box to grant access.`,
    );
    // The box says what happens, not what was asked for; the alert describes it.
    assert.equal(await box().isChecked(), false);
    assert.ok((await box().getAttribute('aria-describedby')).split(' ').includes(await missing.getAttribute('id')));
    const { portals } = await browser.send({ what: 'getPortals' });
    const purview = portals.find((portal) => portal.id === 'purview');
    assert.deepEqual([purview.rewriteOn, purview.access], [true, false]);
    assert.equal(coversPurview([...(await browser.dynamicRules()), ...(await browser.sessionRules())]), false);

    await clickAndAnswer(false);
    await waitFor(() => storedSettings(browser), (settings) => settings.portalRewrite.length === 0);
    assert.deepEqual((await storedSettings(browser)).portalRewrite, []);
    await missing.waitFor({ state: 'hidden' });
    assert.equal(await box().isChecked(), false);
    assert.deepEqual(browser.errors, []);
  });
});

describe('Chromium, with Purview\'s host granted (a copy of the build that asks for it at install)', () => {
  let server;
  let browser;
  let copy;

  before(async () => {
    copy = editedCopy((manifest) => ({
      ...manifest,
      host_permissions: [...manifest.host_permissions, ...manifest.optional_host_permissions],
      optional_host_permissions: undefined,
    }));
    server = await startPortalServer();
    browser = await launchBrowser({ server, extensionDir: copy.dir });
    await replaceStoredSettings(browser, SETTINGS);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    copy?.remove();
  });

  test('on: rules, content scripts, the tid at the stand-in, the tab\'s tenant, badge and title; off: all gone, the access handed back', async () => {
    browser.errors.length = 0;
    // The access the background gives back is recorded (the copy's host cannot really be removed).
    await browser.inWorker(() => {
      globalThis.removedAccess = [];
      chrome.permissions.remove = async (permissions) => {
        globalThis.removedAccess.push(permissions);
        return true;
      };
    });
    const page = await browser.openExtensionPage('options.html');
    const box = page.getByRole('checkbox', { name: CHECKBOX, exact: true });
    await waitFor(() => box.isEnabled());
    assert.equal(await box.isChecked(), false);

    await box.click();
    await page.getByRole('status').getByText('Microsoft Purview addresses are rewritten now.').waitFor();
    assert.equal(await box.isChecked(), true);
    assert.deepEqual((await storedSettings(browser)).portalRewrite, ['purview']);
    assert.equal(coversPurview(await browser.dynamicRules()), true);
    const scripts = await browser.inWorker(() => chrome.scripting.getRegisteredContentScripts());
    assert.deepEqual(
      scripts.map(({ id, matches, js, world }) => ({ id, matches: [...matches].sort(), js, world })).sort((a, b) => a.id.localeCompare(b.id)),
      [
        { id: 'purview.open', matches: [...PURVIEW_ORIGINS].sort(), js: ['content/portal-open.js'], world: 'MAIN' },
        { id: 'purview.tenant', matches: [...PURVIEW_ORIGINS].sort(), js: ['content/portal-tenant.js'], world: 'ISOLATED' },
      ],
    );

    // A new tab typed to Purview goes to the tenant for new tabs, as Defender does.
    server.clear();
    const purview = await browser.context.newPage();
    await purview.goto(`https://${PURVIEW_HOST}/home`);
    assert.equal(tidOf(purview.url()), CONTOSO.id);
    assert.deepEqual(purviewRequests(server), [{ path: '/home', tid: CONTOSO.id }]);
    const tabId = await browser.tabIdOf(purview);
    const tabs = await waitFor(() => browser.sessionStorage(), (session) => session.tabs?.[tabId]?.tenant === CONTOSO.id);
    assert.deepEqual(tabs.tabs[tabId], { portal: true, tenant: CONTOSO.id });
    const badge = await waitFor(() => browser.badge(tabId), (b) => b.text === 'CONT');
    assert.deepEqual([badge.text, String(badge.color)], ['CONT', CONTOSO_BADGE]);
    // The content script registered at run time prefixes the title.
    assert.equal(await waitFor(() => purview.title(), (title) => title.includes('Contoso')), `${isolate('Contoso')} · ${PURVIEW_HOST}`);

    // The tab keeps its tenant while the tenant for new tabs changes.
    await browser.sendOk(setDefaultTenant(FABRIKAM.id));
    server.clear();
    await purview.goto(`https://${PURVIEW_HOST}/compliance`);
    assert.deepEqual(purviewRequests(server), [{ path: '/compliance', tid: CONTOSO.id }]);
    await browser.sendOk(setDefaultTenant(CONTOSO.id));

    // Off: stored, no rule and no script for Purview, the access handed back.
    await page.bringToFront();
    await box.click();
    await page
      .getByRole('status')
      .getByText(`Microsoft Purview addresses are no longer rewritten, and the access to ${PURVIEW_HOST} was given back.`)
      .waitFor();
    assert.equal(await box.isChecked(), false);
    assert.deepEqual((await storedSettings(browser)).portalRewrite, []);
    assert.equal(coversPurview([...(await browser.dynamicRules()), ...(await browser.sessionRules())]), false);
    assert.deepEqual(await browser.inWorker(() => chrome.scripting.getRegisteredContentScripts()), []);
    assert.deepEqual(await browser.inWorker(() => globalThis.removedAccess), [{ origins: PURVIEW_ORIGINS }]);
    server.clear();
    const after = await browser.context.newPage();
    await after.goto(`https://${PURVIEW_HOST}/home`);
    assert.deepEqual(purviewRequests(server), [{ path: '/home', tid: null }]);
    assert.deepEqual(browser.errors, []);
  });
});

describe('Firefox ESR, the extension as built: the optional permission granted from the click', () => {
  let server;
  let firefox;
  let options;

  before(async () => {
    server = await startPortalServer();
    firefox = await launchFirefox({ hosts: ALL_HOSTS, prefs: forcePortPrefs(server.port) });
    await firefox.sendOk(addTenant(CONTOSO));
    await firefox.sendOk(setDefaultTenant(CONTOSO.id));
    options = await firefox.openExtensionPage('options.html');
    await options.waitForSelector('#portal-rewrite-purview:not([disabled])');
  });
  after(async () => {
    await firefox?.close();
    await server?.close();
  });

  const granted = () => firefox.inExtension((origins) => browser.permissions.contains({ origins }), PURVIEW_ORIGINS);
  const stored = async () => (await firefox.inExtension(() => browser.storage.local.get('settings'))).settings;
  const checked = () => options.$eval('#portal-rewrite-purview', (box) => box.checked);
  const allRules = async () => [...(await firefox.dynamicRules()), ...(await firefox.sessionRules())];
  /** Loads Purview in a fresh tab; what the stand-in received. */
  async function visitPurview(path) {
    const tab = await firefox.newPage();
    server.clear();
    const landed = await firefox.navigate(tab, `https://${PURVIEW_HOST}${path}`);
    const seen = { landed: tidOf(landed), requests: purviewRequests(server) };
    await tab.close();
    return seen;
  }

  test('on from the click: Firefox grants purview.microsoft.com and navigations get the tid; off: the rules and the permission are gone', async () => {
    assert.equal(await granted(), false);
    assert.equal(await checked(), false);
    // Clicked by its accessible name.
    await options.locator(`::-p-aria(${CHECKBOX})`).click();
    assert.equal(await waitFor(granted), true);
    await waitFor(checked);
    assert.equal(await checked(), true);
    // The grant comes before the page tells the background; the opt-in is stored and the
    // rules installed after it.
    await waitFor(async () => (await stored()).portalRewrite.includes('purview'));
    assert.deepEqual((await stored()).portalRewrite, ['purview']);
    assert.equal(coversPurview(await waitFor(() => firefox.dynamicRules(), coversPurview)), true);
    assert.deepEqual(await visitPurview('/home'), { landed: CONTOSO.id, requests: [{ path: '/home', tid: CONTOSO.id }] });

    await options.locator(`::-p-aria(${CHECKBOX})`).click();
    assert.equal(await waitFor(async () => !(await granted())), true);
    await waitFor(async () => (await stored()).portalRewrite.length === 0);
    assert.deepEqual((await stored()).portalRewrite, []);
    assert.equal(await checked(), false);
    assert.equal(coversPurview(await waitFor(allRules, (rules) => !coversPurview(rules))), false);
    assert.deepEqual(await firefox.inExtension(() => browser.scripting.getRegisteredContentScripts()), []);
    assert.deepEqual(await visitPurview('/home'), { landed: null, requests: [{ path: '/home', tid: null }] });
  });

  test('the access withdrawn in the browser (as about:addons does): the rules go and the opt-in is turned off', async () => {
    await options.locator(`::-p-aria(${CHECKBOX})`).click();
    await waitFor(checked);
    // The click ticks the box at once; the rules come once the background has the opt-in.
    assert.equal(coversPurview(await waitFor(() => firefox.dynamicRules(), coversPurview)), true);
    assert.equal(await firefox.inExtension((origins) => browser.permissions.remove({ origins }), PURVIEW_ORIGINS), true);
    await waitFor(async () => (await stored()).portalRewrite.length === 0);
    assert.deepEqual((await stored()).portalRewrite, []);
    assert.equal(coversPurview(await waitFor(allRules, (rules) => !coversPurview(rules))), false);
    await waitFor(async () => !(await checked()));
    assert.equal(await checked(), false);
    assert.deepEqual(await visitPurview('/home'), { landed: null, requests: [{ path: '/home', tid: null }] });
  });

  test('no console errors, uncaught errors or CSP violations, background included', async () => {
    assert.deepEqual(await firefox.errors(), []);
  });
});

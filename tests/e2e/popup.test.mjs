// The popup (the tenant picker), end to end in headless Chromium with the real extension
// (dist/extension, or EXTENSION_DIR) and the local stand-in portal server, driven through its
// accessible names. The popup's document is opened as a tab over a portal tab, the way the
// toolbar shows it (lib/browser.mjs `openPopup` says how): popup.html?view=tab stays open after a
// choice, popup.html (the toolbar's document) closes itself. The stand-in server records what the
// browser really sent, so a switch is proved by the request that reached it. Every test ends by
// asserting that no console error, uncaught error or CSP violation happened anywhere.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';

import { EXTENSION_DIR, launchWithServer as launch, waitFor } from './lib/browser.mjs';
import { DEFAULT_SETTINGS, replaceStoredSettings, storedSettings } from './lib/fixtures.mjs';

const PORTAL = 'https://security.microsoft.com';
const CONTOSO = { name: 'Contoso', id: '6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b', domain: 'contoso.onmicrosoft.com' };
const FABRIKAM = { name: 'Fabrikam, Inc.', id: '2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710', domain: 'fabrikam.com' };
const MUELLER = { name: 'Müller GmbH', id: '7dfa6e4e-e3fd-4d5e-8767-79dd3e728d12', domain: 'mueller.de' };
const NORTHWIND = { name: 'Northwind Traders', id: '9d4c3b2a-1e0f-4a5b-8c7d-6e5f4a3b2c1d', domain: 'northwind.example' };
const ADATUM = { name: 'Adatum Corporation', id: 'a705f0ac-19b2-45d1-9a2a-956d5d3a7db9' };
const TAILSPIN = { name: 'Tailspin Toys', id: 'e9a9eef0-0629-4a1b-be7c-11806cc85fc9' };
const WOODGROVE = { name: 'Woodgrove Bank', id: '55ed8edf-52e1-45c2-aa1e-57b712b66376' };
const ALL = [CONTOSO, FABRIKAM, MUELLER, NORTHWIND, ADATUM, TAILSPIN, WOODGROVE];
const UNKNOWN_ID = '11111111-2222-4333-8444-555555555555';

/** Contoso … Woodgrove; Fabrikam gets new tabs; Fabrikam and Northwind were picked recently. */
const SETTINGS = {
  ...DEFAULT_SETTINGS,
  tenants: ALL,
  defaultTenant: FABRIKAM.id,
  recentTenants: [FABRIKAM.id, NORTHWIND.id],
};
const isolate = (text) => `\u2068${text}\u2069`;
const portalUrl = (path, id) => `${PORTAL}${path}${path.includes('?') ? '&' : '?'}tid=${id}`;

/**
 * The accessible name of each element (its aria-labelledby text, else its text). The labels are
 * looked up inside the element first: a list redrawn meanwhile leaves the element detached.
 */
const namesOf = (locator) =>
  locator.evaluateAll((elements) =>
    elements.map((element) => {
      const by = element.getAttribute('aria-labelledby');
      const label = (id) => (element.querySelector(`[id="${id}"]`) ?? document.getElementById(id))?.textContent;
      return by ? by.split(' ').map(label).join(' ') : element.textContent;
    }),
  );

const listbox = (page, name = 'Tenants') => page.getByRole('listbox', { name });
const optionNames = (page, name) => namesOf(listbox(page, name).getByRole('option'));
/** The listbox as `[[group label or null, [option names]]]`, in order. */
const grouped = (page, name) =>
  listbox(page, name)
    .getByRole('group')
    .evaluateAll((groups) =>
      groups.map((group) => {
        const label = (element) => {
          const id = element.getAttribute('aria-labelledby');
          return id && element.querySelector(`[id="${id}"]`)?.textContent;
        };
        return [label(group) || null, [...group.querySelectorAll('[role="option"]')].map(label)];
      }),
    );

/** The highlighted option as the search box announces it, and every option marked selected. */
async function highlighted(page, search = page.getByRole('combobox')) {
  return search.evaluate((box) => {
    const name = (option) => document.getElementById(option.getAttribute('aria-labelledby')).textContent;
    const active = box.getAttribute('aria-activedescendant');
    const option = active && document.getElementById(active);
    return {
      active: option ? name(option) : null,
      selected: [...document.querySelectorAll('[role="option"][aria-selected="true"]')].map(name),
    };
  });
}

/** What a "This tab" / "New tabs" group says (its tenant's short label is decoration, hidden). */
const groupText = (page, name) =>
  page
    .getByRole('group', { name })
    .locator('.context-value')
    .evaluate((value) => [...value.childNodes].filter((node) => node.getAttribute?.('aria-hidden') !== 'true').map((node) => node.textContent).join(''));

/** Presses `key` in a page that closes itself in answer; resolves when it has closed. */
async function pressAndClose(page, key) {
  const closed = page.waitForEvent('close');
  await page.keyboard.press(key).catch((error) => {
    if (!page.isClosed() && !/closed/.test(error.message)) throw error;
  });
  await closed;
}

describe('popup (English)', () => {
  let browser;

  before(async () => {
    browser = await launch('en-US');
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    for (const page of browser.context.pages()) await page.close();
    await replaceStoredSettings(browser, SETTINGS);
    browser.server.clear();
    browser.errors.length = 0;
  });

  /** A portal tab in `tenant`'s tid (explicit in the link), loaded. */
  async function portalTab(path, id) {
    const page = await browser.context.newPage();
    await page.goto(portalUrl(path, id));
    return page;
  }

  const portalRequests = () => browser.server.requestsTo('security.microsoft.com').map((request) => request.path);

  function noErrors() {
    assert.deepEqual(browser.errors, []);
  }

  test('the toolbar opens popup.html, the document these tests open as a tab', () => {
    const manifest = JSON.parse(readFileSync(new URL('manifest.json', `file://${EXTENSION_DIR}`), 'utf8'));
    assert.equal(manifest.action.default_popup, 'popup.html');
  });

  test('over a portal tab: This tab, New tabs, the groups, the highlight on the tab\'s tenant; Enter changes nothing', async () => {
    const portal = await portalTab('/incidents/42?view=list', CONTOSO.id);
    const popup = await browser.openPopup({ front: portal });
    const search = popup.getByRole('combobox', { name: 'Search tenants' });
    assert.equal(await search.evaluate((box) => box === document.activeElement), true);
    assert.equal(await groupText(popup, 'This tab'), 'Contoso');
    assert.equal(await groupText(popup, 'New tabs'), 'Fabrikam, Inc.');
    assert.deepEqual(await grouped(popup), [
      [null, ['Home tenant']],
      ['Recent', ['Fabrikam, Inc.', 'Northwind Traders']],
      ['All tenants', ['Adatum Corporation', 'Contoso', 'Müller GmbH', 'Tailspin Toys', 'Woodgrove Bank']],
    ]);
    // The ID is the option's description (read out and searchable), the domain its second line.
    const description = await popup
      .getByRole('option', { name: 'Northwind Traders' })
      .evaluate((option) => option.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id).textContent));
    assert.deepEqual(description, [`Tenant ID: ${NORTHWIND.id}`, 'northwind.example']);
    assert.deepEqual(await highlighted(popup, search), { active: 'Contoso', selected: ['Contoso'] });

    browser.server.clear();
    await search.press('Enter');
    await popup.getByRole('status').getByText(`This tab is already in ${isolate('Contoso')}.`).waitFor();
    // Nothing reloaded, nothing changed, and the popup opened as a tab stays open.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(portalRequests(), []);
    assert.equal(portal.url(), portalUrl('/incidents/42?view=list', CONTOSO.id));
    assert.deepEqual(await storedSettings(browser), SETTINGS);
    assert.equal(popup.isClosed(), false);
    noErrors();
  });

  test('the toolbar popup closes after a choice, also when Enter changes nothing', async () => {
    const portal = await portalTab('/incidents', CONTOSO.id);
    const popup = await browser.openPopup({ front: portal, view: 'popup' });
    assert.deepEqual((await highlighted(popup)).active, 'Contoso');
    await pressAndClose(popup, 'Enter');
    assert.deepEqual(portalRequests(), [`/incidents?tid=${CONTOSO.id}`]);
    assert.deepEqual(await storedSettings(browser), SETTINGS);
    noErrors();
  });

  test('Enter on another tenant moves the portal tab to it at the same page and sets New tabs', async () => {
    const portal = await portalTab('/incidents/42?view=list', CONTOSO.id);
    const popup = await browser.openPopup({ front: portal });
    const search = popup.getByRole('combobox', { name: 'Search tenants' });
    await search.press('ArrowUp');
    await search.press('ArrowUp');
    assert.deepEqual(await highlighted(popup, search), { active: 'Northwind Traders', selected: ['Northwind Traders'] });
    browser.server.clear();
    await search.press('Enter');
    const switched = portalUrl('/incidents/42?view=list', NORTHWIND.id);
    // The switch is answered only after its storage write and tab update (seconds at most).
    await portal.waitForURL(switched, { timeout: 5000 });
    assert.deepEqual(portalRequests(), [`/incidents/42?view=list&tid=${NORTHWIND.id}`]);
    await popup.getByRole('status').getByText(`${isolate('Northwind Traders')} for this tab and new tabs.`).waitFor({ timeout: 5000 });
    await waitFor(() => groupText(popup, 'New tabs'), (text) => text === 'Northwind Traders');
    assert.equal(await groupText(popup, 'This tab'), 'Northwind Traders');
    assert.equal(await groupText(popup, 'New tabs'), 'Northwind Traders');
    const settings = await storedSettings(browser);
    assert.equal(settings.defaultTenant, NORTHWIND.id);
    assert.deepEqual(settings.recentTenants, [NORTHWIND.id, FABRIKAM.id]);
    assert.equal(popup.isClosed(), false);

    // The toolbar's document, over the same tab: the highlight is on its new tenant; a choice
    // switches the tab and closes the popup.
    const toolbar = await browser.openPopup({ front: portal, view: 'popup' });
    assert.equal((await highlighted(toolbar)).active, 'Northwind Traders');
    await toolbar.keyboard.type('fabrikam');
    await waitFor(() => highlighted(toolbar), (h) => h.active === 'Fabrikam, Inc.');
    browser.server.clear();
    await pressAndClose(toolbar, 'Enter');
    await portal.waitForURL(portalUrl('/incidents/42?view=list', FABRIKAM.id));
    assert.deepEqual(portalRequests(), [`/incidents/42?view=list&tid=${FABRIKAM.id}`]);
    assert.equal((await storedSettings(browser)).defaultTenant, FABRIKAM.id);
    noErrors();
  });

  test('Shift+Enter opens the highlighted tenant in a new tab; the portal tab and New tabs stay', async () => {
    const portal = await portalTab('/incidents', CONTOSO.id);
    const popup = await browser.openPopup({ front: portal });
    const search = popup.getByRole('combobox', { name: 'Search tenants' });
    await search.fill('woodgrove');
    await waitFor(() => highlighted(popup, search), (h) => h.active === 'Woodgrove Bank');
    browser.server.clear();
    const [opened] = await Promise.all([browser.context.waitForEvent('page'), search.press('Shift+Enter')]);
    await opened.waitForURL(`${PORTAL}/?tid=${WOODGROVE.id}`);
    assert.deepEqual(portalRequests(), [`/?tid=${WOODGROVE.id}`]);
    await popup.getByRole('status').getByText(`Opened ${isolate('Woodgrove Bank')} in a new tab.`).waitFor({ timeout: 5000 });
    assert.equal(portal.url(), portalUrl('/incidents', CONTOSO.id));
    assert.equal((await storedSettings(browser)).defaultTenant, FABRIKAM.id);
    assert.equal(popup.isClosed(), false);
    noErrors();
  });

  test('typing filters: every word in any order, folded umlauts, domains, ID prefixes, a portal link; the core ranks', async () => {
    const popup = await browser.openPopup();
    // Not a portal tab: the highlight starts on the tenant for new tabs.
    assert.equal(await groupText(popup, 'This tab'), 'Not a portal tab');
    assert.deepEqual(await highlighted(popup), { active: 'Fabrikam, Inc.', selected: ['Fabrikam, Inc.'] });
    const search = popup.getByRole('combobox', { name: 'Search tenants' });
    const cases = [
      ['fab inc', ['Fabrikam, Inc.']],
      ['inc fab', ['Fabrikam, Inc.']],
      ['mueller', ['Müller GmbH']],
      ['muller', ['Müller GmbH']],
      ['MÜLLER', ['Müller GmbH']],
      ['northwind.example', ['Northwind Traders']],
      ['9d4c3b2a', ['Northwind Traders']],
      ['home', ['Home tenant']],
      [portalUrl('/incidents', TAILSPIN.id), ['Tailspin Toys']],
    ];
    const found = [];
    for (const [query, expected] of cases) {
      await search.fill(query);
      const names = await waitFor(() => optionNames(popup), (n) => JSON.stringify(n) === JSON.stringify(expected), { timeout: 2000 });
      // One ranked group while a query is typed; its best match is highlighted.
      const groups = names.length ? (await grouped(popup)).map(([label]) => label) : ['Matches'];
      const { active } = await highlighted(popup, search);
      found.push([query, names, groups, active ?? null]);
    }
    assert.deepEqual(
      found,
      cases.map(([query, expected]) => [query, expected, ['Matches'], expected[0]]),
    );
    // A query with several matches is drawn in exactly the order the session ranks them.
    await search.fill('o');
    const answer = await browser.send({ what: 'picker', query: 'o', tab: null });
    const ranked = answer.picker.items.map((item) => (item.id ? item.name : 'Home tenant'));
    assert.ok(ranked.length > 3, JSON.stringify(ranked));
    assert.deepEqual(await waitFor(() => optionNames(popup), (n) => n.length === ranked.length), ranked);

    await search.fill('zzz');
    await popup.getByRole('status').getByText('No tenant matches.').waitFor();
    assert.equal(await popup.getByRole('option').count(), 0);
    for (const name of ['Open Defender portal', 'Copy tenant ID', 'Copy portal link']) {
      assert.equal(await popup.getByRole('button', { name }).isDisabled(), true, name);
    }
    // Clearing the query brings the groups and the first highlight back.
    await search.fill('');
    await waitFor(() => highlighted(popup, search), (h) => h.active === 'Fabrikam, Inc.');
    assert.equal((await grouped(popup)).length, 3);
    noErrors();
  });

  test('arrow keys move the highlight (aria-activedescendant, aria-selected); a click chooses', async () => {
    await replaceStoredSettings(browser, { ...SETTINGS, defaultTenant: null, recentTenants: [] });
    const popup = await browser.openPopup();
    const search = popup.getByRole('combobox', { name: 'Search tenants' });
    const order = ['Home tenant', 'Adatum Corporation', 'Contoso', 'Fabrikam, Inc.', 'Müller GmbH', 'Northwind Traders', 'Tailspin Toys', 'Woodgrove Bank'];
    assert.deepEqual(await optionNames(popup), order);
    const expectHighlight = async (name) => assert.deepEqual(await highlighted(popup, search), { active: name, selected: [name] });
    await expectHighlight('Home tenant');
    await search.press('ArrowUp');
    await expectHighlight('Home tenant');
    await search.press('ArrowDown');
    await search.press('ArrowDown');
    await expectHighlight('Contoso');
    await search.press('ArrowUp');
    await expectHighlight('Adatum Corporation');
    await search.press('PageDown');
    await expectHighlight('Woodgrove Bank');
    await search.press('Control+Home');
    await expectHighlight('Home tenant');
    await search.press('Control+End');
    await expectHighlight('Woodgrove Bank');
    // The highlighted row is drawn as such, and the home tenant has no ID to copy.
    const styled = await popup
      .getByRole('option', { name: 'Woodgrove Bank' })
      .evaluate((option) => getComputedStyle(option).backgroundColor !== getComputedStyle(option.parentElement).backgroundColor);
    assert.equal(styled, true);
    await search.press('Control+Home');
    assert.equal(await popup.getByRole('button', { name: 'Copy tenant ID' }).isDisabled(), true);

    await popup.getByRole('option', { name: 'Müller GmbH' }).click();
    await popup.getByRole('status').getByText(`New portal tabs open in ${isolate('Müller GmbH')}.`).waitFor();
    await expectHighlight('Müller GmbH');
    assert.equal(await groupText(popup, 'New tabs'), 'Müller GmbH');
    assert.equal((await storedSettings(browser)).defaultTenant, MUELLER.id);
    // The click left the keyboard in the search box.
    assert.equal(await search.evaluate((box) => box === document.activeElement), true);
    noErrors();
  });

  test('Open Defender portal, Copy tenant ID and Copy portal link act on the highlighted row', async () => {
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const portal = await portalTab('/incidents', CONTOSO.id);
    const popup = await browser.openPopup({ front: portal });
    const search = popup.getByRole('combobox', { name: 'Search tenants' });
    await search.press('ArrowDown');
    assert.equal((await highlighted(popup, search)).active, 'Müller GmbH');
    const clipboard = () => popup.evaluate(() => navigator.clipboard.readText());

    await popup.getByRole('button', { name: 'Copy tenant ID' }).click();
    await popup.getByRole('status').getByText('Copied.').waitFor();
    assert.equal(await clipboard(), MUELLER.id);
    await popup.evaluate(() => navigator.clipboard.writeText(''));
    await popup.getByRole('button', { name: 'Copy portal link' }).click();
    await waitFor(clipboard, (text) => text !== '');
    assert.equal(await clipboard(), `${PORTAL}/?tid=${MUELLER.id}`);

    browser.server.clear();
    const [opened] = await Promise.all([
      browser.context.waitForEvent('page'),
      popup.getByRole('button', { name: 'Open Defender portal' }).click(),
    ]);
    await opened.waitForURL(`${PORTAL}/?tid=${MUELLER.id}`);
    assert.deepEqual(portalRequests(), [`/?tid=${MUELLER.id}`]);
    // The portal tab the popup was opened over stays where it was.
    assert.equal(portal.url(), portalUrl('/incidents', CONTOSO.id));
    assert.equal(popup.isClosed(), false);

    // The home tenant's link has no tid.
    await search.press('Control+Home');
    assert.equal((await highlighted(popup, search)).active, 'Home tenant');
    await popup.getByRole('button', { name: 'Copy portal link' }).click();
    await waitFor(clipboard, (text) => !text.includes('tid='));
    assert.equal(await clipboard(), `${PORTAL}/`);
    noErrors();
  });

  test('a portal tab in a tid not in the list: "Add this tenant" opens the options page with the ID filled in', async () => {
    const portal = await portalTab('/incidents', UNKNOWN_ID);
    const popup = await browser.openPopup({ front: portal });
    const here = popup.getByRole('group', { name: 'This tab' });
    assert.equal(await here.locator('.context-value').textContent(), 'Unknown tenant 1111…');
    await here.getByText(`Tenant ID ${UNKNOWN_ID} is not in your list.`).waitFor();
    const [options] = await Promise.all([
      browser.context.waitForEvent('page'),
      here.getByRole('button', { name: 'Add this tenant' }).click(),
    ]);
    await options.getByLabel('Tenant ID').waitFor();
    await waitFor(() => options.getByLabel('Tenant ID').inputValue(), (value) => value !== '');
    assert.equal(await options.getByLabel('Tenant ID').inputValue(), UNKNOWN_ID);
    assert.equal(await options.getByLabel('Tenant name', { exact: true }).evaluate((input) => input === document.activeElement), true);
    // The popup opened as a tab stays open.
    assert.equal(popup.isClosed(), false);

    // A tab in a tenant of the list has no such button.
    const known = await browser.openPopup({ front: await portalTab('/', CONTOSO.id) });
    assert.equal(await known.getByRole('button', { name: 'Add this tenant' }).count(), 0);
    noErrors();
  });

  test('Enter right after opening changes no tenant, whatever the tab is in', async () => {
    // A tab in the home tenant, one in an unknown tid, one not on the portal: in each, Enter
    // straight after opening leaves the tab and New tabs as they were.
    await replaceStoredSettings(browser, SETTINGS);
    const unknown = await portalTab('/incidents', UNKNOWN_ID);
    for (const front of [unknown, null]) {
      browser.server.clear();
      const popup = await browser.openPopup({ front });
      await popup.keyboard.press('Enter');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(portalRequests(), [], front ? 'unknown tid' : 'not a portal tab');
      assert.deepEqual(await storedSettings(browser), SETTINGS, front ? 'unknown tid' : 'not a portal tab');
      await popup.close();
    }
    noErrors();
  });

  test('300 tenants: 50 rows drawn, "Showing 50 of 300 tenants: type to narrow the list"; the tab\'s tenant is drawn too', async () => {
    const tenants = Array.from({ length: 300 }, (_, i) => ({
      name: `Customer ${String(i).padStart(3, '0')}`,
      id: `${(i + 1).toString(16).padStart(8, '0')}-0c6e-4b8e-9e0a-2c1d3e4f5a6b`,
    }));
    await replaceStoredSettings(browser, { ...DEFAULT_SETTINGS, tenants });
    const first = await browser.openPopup();
    await first.getByRole('status').getByText('Showing 50 of 300 tenants: type to narrow the list.').waitFor();
    const drawn = await optionNames(first);
    assert.equal(drawn.length, 51);
    assert.deepEqual([drawn[0], drawn[1], drawn.at(-1)], ['Home tenant', 'Customer 000', 'Customer 049']);

    // Over a tab in a tenant past the first 50, that tenant is drawn (and counted) at the end.
    const portal = await portalTab('/', tenants[250].id);
    const popup = await browser.openPopup({ front: portal });
    await popup.getByRole('status').getByText('Showing 51 of 300 tenants: type to narrow the list.').waitFor();
    const names = await optionNames(popup);
    assert.equal(names.length, 52);
    assert.deepEqual(names.slice(-2), ['Customer 049', 'Customer 250']);
    assert.equal((await highlighted(popup)).active, 'Customer 250');
    // The highlighted row is scrolled into the listbox's view.
    const visible = await popup.getByRole('option', { name: 'Customer 250' }).evaluate((option) => {
      const box = option.closest('[role="listbox"]').getBoundingClientRect();
      const row = option.getBoundingClientRect();
      return row.top >= box.top && row.bottom <= box.bottom + 1;
    });
    assert.equal(visible, true);

    // The browser shows a toolbar popup at most 600 px tall: everything fits without scrolling.
    await popup.setViewportSize({ width: 380, height: 300 });
    assert.ok((await popup.evaluate(() => document.documentElement.scrollHeight)) <= 600);

    const search = popup.getByRole('combobox', { name: 'Search tenants' });
    await search.fill('customer 1');
    await popup.getByRole('status').getByText('Showing 50 of 100 tenants: type to narrow the list.').waitFor();
    await search.fill('customer 15');
    await waitFor(() => optionNames(popup), (n) => n.length === 11);
    assert.equal(await popup.locator('#count').textContent(), '');
    noErrors();
  });

  test('unusable stored settings: the problem banner links to the recovery, and nothing can be picked', async () => {
    await replaceStoredSettings(browser, { schemaVersion: 99, tenants: 'from a newer version' });
    const popup = await browser.openPopup();
    const banner = popup.getByRole('alert').filter({ hasText: 'Your stored settings cannot be used' });
    await banner.waitFor();
    assert.match(await banner.textContent(), /They were kept unchanged\. See Manage tenants\./);
    assert.equal(await popup.getByRole('option').count(), 0);
    for (const name of ['Open Defender portal', 'Copy tenant ID', 'Copy portal link']) {
      assert.equal(await popup.getByRole('button', { name }).isDisabled(), true, name);
    }
    // The page drew the answer without an error of its own.
    assert.equal(await popup.locator('#status').textContent(), '');
    const [options] = await Promise.all([
      browser.context.waitForEvent('page'),
      banner.getByRole('link', { name: 'Open Manage tenants to recover' }).click(),
    ]);
    await options.waitForURL(/options\.html$/);
    noErrors();
  });

  test('withheld host access: an alert with a button that asks again; it goes when access is back', async () => {
    await browser.setSiteAccess('ON_CLICK');
    try {
      const popup = await browser.openPopup();
      const banner = popup.getByRole('alert').filter({ hasText: 'may not access the Defender portal sites' });
      await banner.waitFor();
      await banner.getByRole('button', { name: 'Allow access to the Defender portal' }).waitFor();
      await browser.setSiteAccess('ON_ALL_SITES');
      await banner.waitFor({ state: 'hidden' });
    } finally {
      await browser.setSiteAccess('ON_ALL_SITES');
    }
    noErrors();
  });

  test('hostile and very long names render as text, never sideways scroll and never overlap', async () => {
    const HOSTILE = '<img src=x onerror="window.hacked=1"><b>bold</b>';
    const names = [HOSTILE, 'שלום Contoso', 'W'.repeat(100), '\uFDFD'.repeat(100)];
    const tenants = names.map((name, i) => ({ name, id: `${(i + 0xa1).toString(16).padStart(8, '0')}-0c6e-4b8e-9e0a-2c1d3e4f5a6b`, domain: `${'x'.repeat(60)}.example` }));
    await replaceStoredSettings(browser, {
      ...DEFAULT_SETTINGS,
      tenants,
      defaultTenant: tenants[3].id,
      recentTenants: tenants.map((t) => t.id),
    });
    const portal = await portalTab('/incidents', tenants[2].id);
    const popup = await browser.openPopup({ front: portal });
    await popup.setViewportSize({ width: 380, height: 800 });
    assert.deepEqual(await optionNames(popup), ['Home tenant', ...names]);
    assert.equal(await groupText(popup, 'This tab'), 'W'.repeat(100));
    const layout = await popup.evaluate(() => {
      const main = document.querySelector('main');
      const width = document.documentElement.clientWidth;
      const outside = [...main.querySelectorAll('*')]
        .filter((element) => !element.closest('.visually-hidden') && element.getClientRects().length)
        .filter((element) => element.getBoundingClientRect().right > width + 0.5 || element.getBoundingClientRect().left < -0.5)
        .map((element) => element.id || element.className || element.tagName);
      // What is visible of each button and each option (options scrolled out of the listbox are clipped).
      const view = document.getElementById('tenants').getBoundingClientRect();
      const clip = (rect) => {
        const top = Math.max(rect.top, view.top);
        const bottom = Math.min(rect.bottom, view.bottom);
        return { left: rect.left, right: rect.right, top, bottom: Math.max(top, bottom) };
      };
      const boxes = [...document.querySelectorAll('button, [role="option"]')]
        .filter((element) => element.getClientRects().length)
        .map((element) => {
          const rect = element.getBoundingClientRect();
          return { name: element.id, rect: element.getAttribute('role') === 'option' ? clip(rect) : rect };
        });
      const overlaps = [];
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) {
          const x = Math.min(a.rect.right, b.rect.right) - Math.max(a.rect.left, b.rect.left);
          const y = Math.min(a.rect.bottom, b.rect.bottom) - Math.max(a.rect.top, b.rect.top);
          if (x > 0.5 && y > 0.5) overlaps.push([a.name, b.name]);
        }
      }
      const list = document.getElementById('tenants');
      return {
        pageScrolls: document.documentElement.scrollWidth > width,
        listScrolls: list.scrollWidth > list.clientWidth,
        outside,
        overlaps,
        injected: document.querySelectorAll('#tenants img, #tenants b, .context img').length,
        hacked: window.hacked ?? null,
      };
    });
    assert.deepEqual(layout, { pageScrolls: false, listScrolls: false, outside: [], overlaps: [], injected: 0, hacked: null });
    noErrors();
  });
});

describe('popup (German)', () => {
  let browser;

  before(async () => {
    browser = await launch('de');
    await replaceStoredSettings(browser, SETTINGS);
  });
  after(async () => {
    await browser?.close();
  });

  test('a German browser gets a German popup: groups, the home tenant, buttons, Enter on the tab\'s own tenant', async () => {
    // Debian's chromium speaks German only with chromium-l10n installed.
    const portal = await browser.context.newPage();
    await portal.goto(portalUrl('/incidents', CONTOSO.id));
    const popup = await browser.openPopup({ front: portal });
    assert.equal(await popup.evaluate(() => chrome.i18n.getUILanguage()), 'de');
    assert.equal(await popup.evaluate(() => document.documentElement.lang), 'de');
    const search = popup.getByRole('combobox', { name: 'Mandanten suchen' });
    assert.equal(await groupText(popup, 'Dieser Tab'), 'Contoso');
    assert.equal(await groupText(popup, 'Neue Tabs'), 'Fabrikam, Inc.');
    assert.deepEqual(await grouped(popup, 'Mandanten'), [
      [null, ['Eigener Mandant']],
      ['Zuletzt verwendet', ['Fabrikam, Inc.', 'Northwind Traders']],
      ['Alle Mandanten', ['Adatum Corporation', 'Contoso', 'Müller GmbH', 'Tailspin Toys', 'Woodgrove Bank']],
    ]);
    assert.deepEqual(await highlighted(popup, search), { active: 'Contoso', selected: ['Contoso'] });
    const description = await popup
      .getByRole('option', { name: 'Contoso' })
      .evaluate((option) => option.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id).textContent));
    assert.deepEqual(description, [`Mandanten-ID: ${CONTOSO.id}`, 'contoso.onmicrosoft.com']);
    for (const name of ['Defender-Portal öffnen', 'Mandanten-ID kopieren', 'Portallink kopieren']) {
      assert.equal(await popup.getByRole('button', { name }).count(), 1, name);
    }
    assert.equal(await popup.getByRole('link', { name: 'Mandanten verwalten' }).count(), 1);
    await search.press('Enter');
    await popup.getByRole('status').getByText(`Dieser Tab ist bereits in ${isolate('Contoso')}.`).waitFor();
    await search.fill('mueller');
    await waitFor(() => optionNames(popup, 'Mandanten'), (n) => n[0] === 'Müller GmbH');
    assert.deepEqual((await grouped(popup, 'Mandanten')).map(([label]) => label), ['Treffer']);
    await search.fill('eigener');
    assert.deepEqual(await waitFor(() => optionNames(popup, 'Mandanten'), (n) => n[0] === 'Eigener Mandant'), ['Eigener Mandant']);
    assert.deepEqual(browser.errors, []);
  });

  test('300 tenants with long names: the German popup says how many it shows and fits in 600 px', async () => {
    const tenants = Array.from({ length: 300 }, (_, i) => ({
      name: `Kunde ${String(i).padStart(3, '0')} Versicherungsgesellschaft Deutschland GmbH`,
      id: `${(i + 1).toString(16).padStart(8, '0')}-0c6e-4b8e-9e0a-2c1d3e4f5a6b`,
      domain: `kunde${i}versicherung.onmicrosoft.com`,
    }));
    await replaceStoredSettings(browser, { ...DEFAULT_SETTINGS, tenants, defaultTenant: tenants[0].id, recentTenants: [tenants[0].id, tenants[1].id] });
    const portal = await browser.context.newPage();
    await portal.goto(portalUrl('/', tenants[1].id));
    const popup = await browser.openPopup({ front: portal });
    await popup.getByRole('status').getByText('50 von 300 Mandanten angezeigt: zum Eingrenzen tippen.').waitFor();
    await popup.setViewportSize({ width: 380, height: 300 });
    const height = await popup.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height <= 600, `${height} px`);
    assert.deepEqual(browser.errors, []);
  });
});

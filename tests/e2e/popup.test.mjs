// The toolbar popup, driven by its accessible names in headless Chromium with the real extension
// (dist/extension, or EXTENSION_DIR) loaded. The popup page is opened as a tab: the same document
// the toolbar shows.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { launchWithServer as launch } from './lib/browser.mjs';
import { DEFAULT_SETTINGS, replaceStoredSettings, storedSettings } from './lib/fixtures.mjs';

const tenant = (n, name, domain) => ({
  name,
  id: `${n.toString(16).padStart(8, '0')}-0c6e-4b8e-9e0a-2c1d3e4f5a6b`,
  ...(domain ? { domain } : {}),
});
const CONTOSO = tenant(1, 'Contoso', 'contoso.onmicrosoft.com');
const FABRIKAM = tenant(2, 'Fabrikam');
const NORTHWIND = tenant(3, 'Northwind Traders', 'northwind.example');
const ADATUM = tenant(4, 'Adatum');
const LITWARE = tenant(5, 'Litware');
const PROSEWARE = tenant(6, 'Proseware');
const TAILSPIN = tenant(7, 'Tailspin Toys');
const WOODGROVE = tenant(8, 'Woodgrove Bank');
const ALL = [CONTOSO, FABRIKAM, NORTHWIND, ADATUM, LITWARE, PROSEWARE, TAILSPIN, WOODGROVE];

/** Accessible names of the listbox's options, in order. */
async function optionNames(page, listbox = 'Tenants') {
  const options = page.getByRole('listbox', { name: listbox }).getByRole('option');
  await options.first().waitFor();
  return options.evaluateAll((elements) =>
    elements.map((element) => document.getElementById(element.getAttribute('aria-labelledby')).textContent),
  );
}

async function selectedNames(page) {
  return page
    .getByRole('option', { selected: true })
    .evaluateAll((elements) =>
      elements.map((element) => document.getElementById(element.getAttribute('aria-labelledby')).textContent),
    );
}

/** The text an option's aria-describedby points at (its ID and domain). */
const optionDescription = (page, name) =>
  page
    .getByRole('option', { name })
    .evaluate((element) =>
      element
        .getAttribute('aria-describedby')
        .split(' ')
        .map((id) => document.getElementById(id).textContent)
        .join(' '),
    );

describe('popup (English)', () => {
  let browser;

  before(async () => {
    browser = await launch('en-US');
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    browser.errors.length = 0;
    await replaceStoredSettings(browser, DEFAULT_SETTINGS);
    for (const page of browser.context.pages()) await page.close();
  });

  /** Adds tenants through the background, as the options page does. */
  async function addTenants(tenants) {
    for (const t of tenants) {
      await browser.sendOk({ what: 'applyOperation', operation: { op: 'addTenant', tenant: t } });
    }
  }

  test('with no tenants: "No tenant" selected, the search box focused, a hint to add tenants', async () => {
    const page = await browser.openExtensionPage('popup.html');
    const search = page.getByRole('searchbox', { name: 'Search tenants' });
    await search.waitFor();
    assert.deepEqual(await optionNames(page), ['No tenant']);
    assert.deepEqual(await selectedNames(page), ['No tenant']);
    assert.equal(await search.evaluate((element) => element === document.activeElement), true);
    await page.getByText('No tenants yet. Open Manage tenants and add', { exact: false }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Copy tenant ID' }).isDisabled(), true);
    assert.deepEqual(browser.errors, []);
  });

  test('empty query lists "No tenant", up to 5 recent tenants, then A to Z', async () => {
    await addTenants(ALL);
    for (const t of [CONTOSO, FABRIKAM, NORTHWIND, LITWARE, PROSEWARE, TAILSPIN]) {
      await browser.sendOk({ what: 'switchTenant', id: t.id });
    }
    const page = await browser.openExtensionPage('popup.html');
    assert.deepEqual(await optionNames(page), [
      'No tenant',
      'Tailspin Toys',
      'Proseware',
      'Litware',
      'Northwind Traders',
      'Fabrikam',
      'Adatum',
      'Contoso',
      'Woodgrove Bank',
    ]);
    assert.deepEqual(await selectedNames(page), ['Tailspin Toys']);
    // The ID and domain are the option's description.
    const description = await optionDescription(page, 'Northwind Traders');
    assert.equal(description, `Tenant ID: ${NORTHWIND.id} northwind.example`);
    assert.deepEqual(browser.errors, []);
  });

  test('typing lists only matches, best first; Enter makes the best match active', async () => {
    await addTenants(ALL);
    const page = await browser.openExtensionPage('popup.html');
    const search = page.getByRole('searchbox', { name: 'Search tenants' });
    await optionNames(page);
    await search.fill('ware');
    assert.deepEqual(await optionNames(page), ['Litware', 'Proseware']);
    await search.fill('fab');
    assert.deepEqual(await optionNames(page), ['Fabrikam']);
    await search.press('Enter');
    await page.getByRole('option', { name: 'Fabrikam', selected: true }).waitFor();
    assert.deepEqual(await selectedNames(page), ['Fabrikam']);
    const settings = await storedSettings(browser);
    assert.equal(settings.activeTenant, FABRIKAM.id);
    assert.deepEqual(settings.recentTenants, [FABRIKAM.id]);
    await search.fill('zzz');
    await page.getByText('No tenant matches.').waitFor();
    assert.equal(await page.getByRole('option').count(), 0);
    assert.deepEqual(browser.errors, []);
  });

  test('arrow keys move the highlight (aria-activedescendant), Enter and click choose', async () => {
    await addTenants([CONTOSO, FABRIKAM, ADATUM]);
    const page = await browser.openExtensionPage('popup.html');
    const search = page.getByRole('searchbox', { name: 'Search tenants' });
    assert.deepEqual(await optionNames(page), ['No tenant', 'Adatum', 'Contoso', 'Fabrikam']);
    const highlighted = () =>
      search.evaluate((element) => {
        const option = document.getElementById(element.getAttribute('aria-activedescendant'));
        return {
          name: document.getElementById(option.getAttribute('aria-labelledby')).textContent,
          styled: getComputedStyle(option).backgroundColor !== 'rgba(0, 0, 0, 0)',
        };
      });
    assert.deepEqual(await highlighted(), { name: 'No tenant', styled: true });
    await search.press('ArrowDown');
    await search.press('ArrowDown');
    assert.deepEqual(await highlighted(), { name: 'Contoso', styled: true });
    await search.press('ArrowUp');
    assert.deepEqual(await highlighted(), { name: 'Adatum', styled: true });
    await search.press('Enter');
    await page.getByRole('option', { name: 'Adatum', selected: true }).waitFor();
    assert.equal((await storedSettings(browser)).activeTenant, ADATUM.id);

    await page.getByRole('option', { name: 'Fabrikam' }).click();
    await page.getByRole('option', { name: 'Fabrikam', selected: true }).waitFor();
    assert.deepEqual(await selectedNames(page), ['Fabrikam']);
    await page.getByRole('option', { name: 'No tenant' }).click();
    await page.getByRole('option', { name: 'No tenant', selected: true }).waitFor();
    assert.equal((await storedSettings(browser)).activeTenant, null);
    assert.deepEqual(browser.errors, []);
  });

  test('buttons open the portal and copy the tenant ID and portal link; "Manage tenants" opens the options', async () => {
    await addTenants([CONTOSO]);
    const page = await browser.openExtensionPage('popup.html');
    await page.getByRole('option', { name: 'Contoso' }).click();
    await page.getByRole('option', { name: 'Contoso', selected: true }).waitFor();

    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Copy tenant ID' }).click();
    await page.getByRole('status').getByText('Copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), CONTOSO.id);
    await page.getByRole('button', { name: 'Copy portal link' }).click();
    await page.waitForFunction(() => navigator.clipboard.readText().then((text) => text.startsWith('https://')));
    assert.equal(
      await page.evaluate(() => navigator.clipboard.readText()),
      `https://security.microsoft.com/?tid=${CONTOSO.id}`,
    );

    const [portal] = await Promise.all([
      browser.context.waitForEvent('page'),
      page.getByRole('button', { name: 'Open Defender portal' }).click(),
    ]);
    await portal.waitForURL(`https://security.microsoft.com/?tid=${CONTOSO.id}`);
    assert.deepEqual(
      browser.server.requestsTo('security.microsoft.com').map((request) => request.path),
      [`/?tid=${CONTOSO.id}`],
    );

    const [options] = await Promise.all([
      browser.context.waitForEvent('page'),
      page.getByRole('link', { name: 'Manage tenants' }).click(),
    ]);
    await options.waitForURL(/options\.html$/);
    assert.deepEqual(browser.errors, []);
  });

  test('with 10,000 tenants only the best matches are rendered, with a count', async () => {
    // Seeded straight into storage (no bulk operation exists; 10,000 messages would be slow): the
    // background re-reads settings written by anyone else.
    const tenants = Array.from({ length: 10_000 }, (_, i) =>
      tenant(i + 16, `Tenant ${String(i).padStart(5, '0')}`),
    );
    const last = tenants.at(-1);
    await browser.inWorker(
      (settings) => chrome.storage.local.set({ settings }),
      { ...DEFAULT_SETTINGS, tenants, activeTenant: last.id },
    );
    const page = await browser.openExtensionPage('popup.html');
    const names = await optionNames(page);
    // "No tenant", the first 50 tenants A to Z, and the active tenant, which is always rendered.
    assert.equal(names.length, 52);
    assert.deepEqual(names.slice(0, 3), ['No tenant', 'Tenant 00000', 'Tenant 00001']);
    assert.equal(names.at(-1), 'Tenant 09999');
    assert.deepEqual(await selectedNames(page), ['Tenant 09999']);
    await page.getByText('Showing 50 of 10,000').waitFor();

    const search = page.getByRole('searchbox', { name: 'Search tenants' });
    await search.fill('Tenant 0999');
    assert.deepEqual((await optionNames(page)).length, 10);
    await search.fill('Tenant 01');
    await page.getByText('Showing 50 of 1,000').waitFor();
    assert.equal(await page.getByRole('option').count(), 50);
    assert.deepEqual(browser.errors, []);
  });
});

describe('popup (German)', () => {
  let browser;

  before(async () => {
    browser = await launch('de');
    await browser.inWorker(
      (settings) => chrome.storage.local.set({ settings }),
      { ...DEFAULT_SETTINGS, tenants: [CONTOSO, FABRIKAM], activeTenant: CONTOSO.id, recentTenants: [CONTOSO.id] },
    );
  });
  after(async () => {
    await browser?.close();
  });

  test('the main screen speaks German', async () => {
    const page = await browser.openExtensionPage('popup.html');
    await page.getByRole('searchbox', { name: 'Mandanten suchen' }).waitFor();
    assert.deepEqual(await optionNames(page, 'Mandanten'), ['Kein Mandant', 'Contoso', 'Fabrikam']);
    const listbox = page.getByRole('listbox', { name: 'Mandanten' });
    assert.equal(await listbox.count(), 1);
    for (const name of ['Defender-Portal öffnen', 'Mandanten-ID kopieren', 'Portallink kopieren']) {
      assert.equal(await page.getByRole('button', { name }).count(), 1, name);
    }
    assert.equal(await page.getByRole('link', { name: 'Mandanten verwalten' }).count(), 1);
    const description = await optionDescription(page, 'Contoso');
    assert.equal(description, `Mandanten-ID: ${CONTOSO.id} contoso.onmicrosoft.com`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
    assert.deepEqual(browser.errors, []);
  });
});

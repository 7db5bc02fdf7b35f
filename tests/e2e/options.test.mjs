// The options page, driven by its accessible names in headless Chromium with the real extension
// (dist/extension, or EXTENSION_DIR) loaded; storage is read back through the service worker.
// Also checks that every core error name has a localised message with the right placeholders.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchWithServer as launch } from './lib/browser.mjs';
import { DEFAULT_SETTINGS, replaceStoredSettings, storedSettings } from './lib/fixtures.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

const ID = '6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b';

/** Waits until the stored settings satisfy `predicate` (the background answers after writing). */
async function waitForStored(browser, predicate, timeout = 5000) {
  const end = Date.now() + timeout;
  for (;;) {
    const settings = await storedSettings(browser);
    if (predicate(settings)) return settings;
    if (Date.now() > end) assert.fail(`stored settings never matched: ${JSON.stringify(settings)}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('messages', () => {
  const locales = readdirSync(join(ROOT, 'extension/_locales'));
  const messages = Object.fromEntries(
    locales.map((locale) => [
      locale,
      JSON.parse(readFileSync(join(ROOT, `extension/_locales/${locale}/messages.json`), 'utf8')),
    ]),
  );
  const placeholders = (entry) => Object.keys(entry.placeholders ?? {}).length;

  test('every core error name has a message in every locale, with one placeholder per detail', async () => {
    // i18n.js loads in Node too: the adapter touches `chrome` only when called.
    const { ERROR_DETAILS } = await import('../../extension/i18n.js');
    const names = readdirSync(join(ROOT, 'src'))
      .filter((file) => file.endsWith('.rs'))
      .flatMap((file) => [...readFileSync(join(ROOT, 'src', file), 'utf8').matchAll(/rename = "([A-Z]\w+)"/g)])
      .map((match) => match[1]);
    assert.ok(names.includes('TenantIdInvalidCharacter'));
    for (const locale of locales) {
      for (const name of names) {
        const entry = messages[locale][`error_${name}`];
        assert.ok(entry, `${locale}: error_${name} is missing`);
        assert.equal(placeholders(entry), ERROR_DETAILS[name]?.length ?? 0, `${locale}: error_${name}`);
      }
    }
  });

  test('every locale has every message, with the same placeholders', () => {
    for (const locale of locales) {
      assert.deepEqual(Object.keys(messages[locale]).sort(), Object.keys(messages.en).sort(), locale);
      for (const [key, entry] of Object.entries(messages.en)) {
        assert.deepEqual(messages[locale][key].placeholders, entry.placeholders, `${locale}: ${key}`);
      }
    }
  });

  test('every data-i18n key in the pages exists', () => {
    for (const page of ['popup.html', 'options.html']) {
      const html = readFileSync(join(ROOT, 'extension', page), 'utf8');
      for (const [, key] of html.matchAll(/data-i18n(?:-[a-z-]+)?="(\w+)"/g)) {
        assert.ok(messages.en[key], `${page}: ${key}`);
      }
    }
  });
});

describe('options page (English)', () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch('en-US');
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    browser.errors.length = 0;
    for (const open of browser.context.pages()) await open.close();
    await replaceStoredSettings(browser, DEFAULT_SETTINGS);
    page = await browser.openExtensionPage('options.html');
    await page.getByRole('button', { name: 'Add tenant' }).waitFor();
  });

  async function add(name, id, domain) {
    await page.getByLabel('Tenant name').fill(name);
    await page.getByLabel('Tenant ID').fill(id);
    if (domain !== undefined) await page.getByLabel('Primary domain').fill(domain);
    await page.getByRole('button', { name: 'Add tenant' }).click();
  }

  const item = (name) => page.getByRole('listitem').filter({ hasText: name });

  test('adds a tenant with the ID stored canonical', async () => {
    await add('Contoso', ` {${ID.toUpperCase()}} `, 'contoso.onmicrosoft.com');
    // The name is isolated (U+2068 … U+2069) inside the sentence.
    await page.getByRole('status').getByText('Added \u2068Contoso\u2069.').waitFor();
    assert.equal(await item('Contoso').getByText(ID).count(), 1);
    assert.equal(await item('Contoso').getByText('contoso.onmicrosoft.com').count(), 1);
    assert.deepEqual((await storedSettings(browser)).tenants, [
      { name: 'Contoso', id: ID, domain: 'contoso.onmicrosoft.com' },
    ]);
    // The form is cleared for the next tenant.
    assert.equal(await page.getByLabel('Tenant name').inputValue(), '');
    assert.deepEqual(browser.errors, []);
  });

  test('invalid input shows a specific message and saves nothing', async () => {
    const alert = page.locator('#add-error');
    await add('Contoso', `${ID.slice(0, -1)}x`);
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.equal(
      await alert.textContent(),
      '“x” (position 36) cannot be in a tenant ID: it has only the digits 0–9, the letters a–f and hyphens.',
    );
    assert.equal(await page.getByLabel('Tenant ID').getAttribute('aria-invalid'), 'true');
    await add('Contoso', ID.slice(0, -1));
    assert.equal(await alert.textContent(), 'A tenant ID has 32 hex digits; this one has 31.');
    await add('  ', ID);
    assert.equal(await alert.textContent(), 'Enter the tenant name.');
    await add('Contoso', 'contoso.onmicrosoft.com');
    assert.equal(
      await alert.textContent(),
      'contoso.onmicrosoft.com is a domain name. Enter the tenant ID (a GUID) from the Microsoft Entra admin center, Overview, Tenant ID.',
    );
    assert.deepEqual(await storedSettings(browser), DEFAULT_SETTINGS);
    assert.equal(await page.getByRole('listitem').count(), 0);
    await page.getByText('No tenants yet. Add the first one above.').waitFor();
    assert.deepEqual(browser.errors, []);
  });

  test('edits in place: Cancel keeps the tenant, Save stores the change', async () => {
    await add('Contoso', ID);
    await item('Contoso').getByRole('button', { name: 'Edit' }).click();
    const row = page.getByRole('listitem').filter({ has: page.getByRole('button', { name: 'Save' }) });
    await row.getByLabel('Tenant name').fill('Changed');
    await row.getByRole('button', { name: 'Cancel' }).click();
    await item('Contoso').getByRole('button', { name: 'Edit' }).waitFor();
    assert.deepEqual((await storedSettings(browser)).tenants, [{ name: 'Contoso', id: ID }]);
    // Focus returns to the row's Edit button.
    assert.equal(await item('Contoso').getByRole('button', { name: 'Edit' }).evaluate((b) => b === document.activeElement), true);

    await item('Contoso').getByRole('button', { name: 'Edit' }).click();
    await row.getByLabel('Tenant ID').fill('not a guid');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByRole('alert').getByText('cannot be in a tenant ID', { exact: false }).waitFor();
    assert.deepEqual((await storedSettings(browser)).tenants, [{ name: 'Contoso', id: ID }]);

    await row.getByLabel('Tenant name').fill('Contoso Ltd');
    await row.getByLabel('Tenant ID').fill(ID.toUpperCase());
    await row.getByLabel('Primary domain').fill('contoso.com');
    await row.getByRole('button', { name: 'Save' }).click();
    await item('Contoso Ltd').getByRole('button', { name: 'Edit' }).waitFor();
    assert.deepEqual((await storedSettings(browser)).tenants, [{ name: 'Contoso Ltd', id: ID, domain: 'contoso.com' }]);
    assert.deepEqual(browser.errors, []);
  });

  test('Delete removes the tenant; Undo adds it back (active again if it was)', async () => {
    await add('Contoso', ID, 'contoso.onmicrosoft.com');
    await item('Contoso').waitFor();
    await page.evaluate((id) => chrome.runtime.sendMessage({ what: 'switchTenant', id }), ID);
    await item('Contoso').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Undo' }).waitFor();
    assert.equal(await page.getByRole('listitem').count(), 0);
    let settings = await storedSettings(browser);
    assert.deepEqual([settings.tenants, settings.activeTenant], [[], null]);

    await page.getByRole('button', { name: 'Undo' }).click();
    await item('Contoso').waitFor();
    settings = await storedSettings(browser);
    assert.deepEqual(settings.tenants, [{ name: 'Contoso', id: ID, domain: 'contoso.onmicrosoft.com' }]);
    assert.equal(settings.activeTenant, ID);
    assert.deepEqual(browser.errors, []);
  });

  test('the filter shows only matching tenants', async () => {
    const tenants = ['Contoso', 'Fabrikam', 'Northwind Traders'].map((name, i) => ({
      name,
      id: `${String(i + 1).padStart(8, '0')}-0c6e-4b8e-9e0a-2c1d3e4f5a6b`,
    }));
    await replaceStoredSettings(browser, { ...DEFAULT_SETTINGS, tenants });
    await item('Northwind Traders').waitFor();
    const names = () => page.getByRole('listitem').locator('.name').allTextContents();
    assert.deepEqual(await names(), ['Contoso', 'Fabrikam', 'Northwind Traders']);
    await page.getByLabel('Filter tenants').fill('fab');
    await page.waitForFunction(() => document.querySelectorAll('#tenant-list > li').length === 1);
    assert.deepEqual(await names(), ['Fabrikam']);
    await page.getByLabel('Filter tenants').fill('zzz');
    await page.getByText('No tenant matches the filter.').waitFor();
    assert.equal(await page.getByRole('listitem').count(), 0);
    assert.deepEqual(browser.errors, []);
  });

  test('"Automatic tenant rewrite" is on by default and switches off', async () => {
    const checkbox = page.getByRole('checkbox', { name: 'Automatic tenant rewrite' });
    // Disabled until the page has the background's state; then it shows the stored value.
    await page.waitForFunction(() => !document.getElementById('automatic-rewrite').disabled);
    assert.equal(await checkbox.isChecked(), true);
    await checkbox.uncheck();
    await waitForStored(browser, (settings) => settings.automaticRewrite === false);
    await checkbox.check();
    await waitForStored(browser, (settings) => settings.automaticRewrite === true);
    assert.deepEqual(browser.errors, []);
  });

  test('10,000 tenants: one page of 100 rows at a time', async () => {
    const tenants = Array.from({ length: 10_000 }, (_, i) => ({
      name: `Tenant ${String(i).padStart(5, '0')}`,
      id: `${(i + 16).toString(16).padStart(8, '0')}-0c6e-4b8e-9e0a-2c1d3e4f5a6b`,
    }));
    // Written straight to storage (there is no bulk operation); the background re-reads it.
    await replaceStoredSettings(browser, { ...DEFAULT_SETTINGS, tenants });
    await page.getByText('Showing 1–100 of 10,000').waitFor();
    assert.equal(await page.getByRole('listitem').count(), 100);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Showing 101–200 of 10,000').waitFor();
    assert.equal(await page.getByRole('listitem').first().locator('.name').textContent(), 'Tenant 00100');
    await page.getByLabel('Filter tenants').fill('Tenant 0999');
    await page.waitForFunction(() => document.querySelectorAll('#tenant-list > li').length === 10);
    assert.deepEqual(browser.errors, []);
  });

  test('unusable stored settings: an alert says the data was kept; nothing is overwritten', async () => {
    const stored = { schemaVersion: 99, tenants: 'from a newer version' };
    await replaceStoredSettings(browser, stored);
    await page.reload();
    const banner = page.getByRole('alert').filter({ hasText: 'Your stored settings cannot be used' });
    await banner.waitFor();
    assert.match(await banner.textContent(), /They were kept exactly as found/);
    assert.deepEqual(await storedSettings(browser), stored);
    assert.deepEqual(browser.errors, []);
  });

  test('withheld host access: an alert whose button asks again from the click', async () => {
    // Chromium refuses to remove required host permissions programmatically (only the user can
    // withhold them), so the page is shown the state the background reports then: hostAccess false.
    await page.addInitScript(() => {
      const send = chrome.runtime.sendMessage.bind(chrome.runtime);
      chrome.runtime.sendMessage = async (message) => {
        const answer = await send(message);
        if (answer?.ok) answer.state.hostAccess = window.granted === true;
        return answer;
      };
      chrome.permissions.request = async (request) => {
        window.requested = { ...request, userGesture: navigator.userActivation.isActive };
        window.granted = true;
        return true;
      };
    });
    await page.reload();
    const banner = page.getByRole('alert').filter({ hasText: 'may not access the Defender portal' });
    await banner.waitFor();
    await banner.getByRole('button', { name: 'Allow access to the Defender portal' }).click();
    await banner.waitFor({ state: 'hidden' });
    const requested = await page.evaluate(() => window.requested);
    assert.deepEqual(requested, {
      origins: await browser.inWorker(() => chrome.runtime.getManifest().host_permissions),
      userGesture: true,
    });
    assert.deepEqual(browser.errors, []);
  });
});

describe('options page (German)', () => {
  let browser;

  before(async () => {
    browser = await launch('de');
  });
  after(async () => {
    await browser?.close();
  });

  test('labels, buttons and messages are German', async () => {
    await replaceStoredSettings(browser, DEFAULT_SETTINGS);
    const page = await browser.openExtensionPage('options.html');
    await page.getByRole('heading', { name: 'Mandanten verwalten' }).waitFor();
    await page.getByLabel('Mandantenname').fill('Contoso');
    await page.getByLabel('Mandanten-ID').fill(`${ID.slice(0, -1)}x`);
    await page.getByLabel('Primäre Domäne').fill('contoso.onmicrosoft.com');
    await page.getByRole('button', { name: 'Mandant hinzufügen' }).click();
    assert.equal(
      await page.locator('#add-error').textContent(),
      '„x“ (Position 36) kann nicht in einer Mandanten-ID vorkommen: Sie besteht nur aus den Ziffern 0–9, den Buchstaben a–f und Bindestrichen.',
    );
    await page.getByLabel('Mandanten-ID').fill(ID);
    await page.getByRole('button', { name: 'Mandant hinzufügen' }).click();
    const row = page.getByRole('listitem').filter({ hasText: 'Contoso' });
    for (const name of ['Bearbeiten', 'Löschen']) await row.getByRole('button', { name }).waitFor();
    await page.getByLabel('Mandanten filtern').waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'Automatische Mandantenumleitung' }).isChecked(), true);
    assert.deepEqual(browser.errors, []);
  });
});

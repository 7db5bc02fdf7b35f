// The options page, end to end in headless Chromium with the real extension (dist/extension, or
// EXTENSION_DIR) loaded, driven through its accessible names: the tenant table (filter, paging,
// each row's colour and favourite, edit in place, delete with undo), the add form (initial
// domain, tags, aliases), the switches and page options, the Portals section, export, backups,
// the recovery of unusable stored settings and the first-import card. Storage is read back
// through the service worker. Every test ends by asserting that no console error, uncaught error
// or CSP violation happened anywhere. Import has its own suite (import.test.mjs); the Purview
// rewrite opt-in too (purview.test.mjs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';

import { launchWithServer as launch, waitFor } from './lib/browser.mjs';
import { DEFAULT_SETTINGS, replaceStoredSettings, storedSettings } from './lib/fixtures.mjs';

const CONTOSO = { name: 'Contoso', id: '6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b', domain: 'contoso.onmicrosoft.com' };
const FABRIKAM = { name: 'Fabrikam', id: '2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710' };
const NORTHWIND = { name: 'Northwind Traders', id: '9d4c3b2a-1e0f-4a5b-8c7d-6e5f4a3b2c1d', domain: 'northwind.example' };
const WINGTIP = { name: 'Wingtip Toys', id: 'd708583a-d261-4b39-9b5b-56551220159e', domain: 'wingtip.example' };

/** Contoso, Fabrikam (new tabs, recent), Northwind Traders (recent), in this stored order. */
const THREE = {
  ...DEFAULT_SETTINGS,
  tenants: [CONTOSO, FABRIKAM, NORTHWIND],
  defaultTenant: FABRIKAM.id,
  recentTenants: [FABRIKAM.id, NORTHWIND.id],
};
const isolate = (text) => `\u2068${text}\u2069`;
/** The colour each tenant has until one is chosen (derived from its ID): name, rgb(). */
const CONTOSO_COLOUR = ['Magenta', 'rgb(156, 31, 138)'];
const FABRIKAM_COLOUR = ['Brown', 'rgb(122, 74, 36)'];
const NORTHWIND_COLOUR = ['Indigo', 'rgb(61, 68, 184)'];
/** The add form's errors for the fields of issues 12 and 13, as _locales/en words them. */
const ERRORS = {
  initialDomainNotOnMicrosoft:
    'wingtip.example is not an initial domain: the initial domain ends in .onmicrosoft.com (for example contoso.onmicrosoft.com).',
  initialDomainInvalidLabel:
    '“-wingtip” cannot come before .onmicrosoft.com: use 1 to 63 letters a–z, digits and hyphens, not starting or ending with a hyphen.',
  tagInvalidCharacter: `The tag “${isolate('on call')}” contains “ ”: tags hold only letters, digits, hyphens, underscores and dots.`,
  tagTooLong: `The tag “${isolate('x'.repeat(25))}” has 25 characters; at most 24 are allowed.`,
  tagTooMany: '11 tags: a tenant has at most 10.',
  duplicateAlias: `“${isolate('northwind traders')}” is already the name or an alias of ${isolate('Northwind Traders')} (9d4c3b2a-1e0f-4a5b-8c7d-6e5f4a3b2c1d).`,
  aliasInvalid: `The alias “${isolate('\u202Eevil')}” cannot be used: The tenant name contains the text direction character U+202E (position 1), which can make it look like another name.`,
  aliasTooMany: '6 aliases: a tenant has at most 5.',
};
const numbered = (count) =>
  Array.from({ length: count }, (_, i) => ({
    name: `Customer ${String(i).padStart(3, '0')}`,
    id: `${(i + 1).toString(16).padStart(8, '0')}-0c6e-4b8e-9e0a-2c1d3e4f5a6b`,
  }));

/** Waits until the stored settings satisfy `predicate`; fails with what is stored otherwise. */
async function waitForStored(browser, predicate) {
  const settings = await waitFor(() => storedSettings(browser), predicate);
  assert.ok(predicate(settings), `stored settings never matched: ${JSON.stringify(settings)}`);
  return settings;
}

/**
 * The table's body rows as the cells' text: `[[label, colour, favourite, name, domain, id,
 * actions], ...]`; the colour is its choice's shown option, the favourite `yes` or `no`.
 */
const tableRows = (page) =>
  page
    .getByRole('table', { name: 'Tenants' })
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) =>
        [...row.cells].map((cell) => {
          const select = cell.querySelector('select');
          if (select) return select.selectedOptions[0]?.textContent ?? '';
          const box = cell.querySelector('input[type="checkbox"]');
          if (box) return box.checked ? 'yes' : 'no';
          return cell.textContent;
        }),
      ),
    );
const tenantNames = async (page) => (await tableRows(page)).map((cells) => cells[3]);
/** The stored settings' tenant list, default and recent tenants (what a list change touches). */
const listPart = ({ tenants, defaultTenant, recentTenants }) => ({ tenants, defaultTenant, recentTenants });
/** The table row of the tenant named `name`. */
const rowOf = (page, name) =>
  page.getByRole('table', { name: 'Tenants' }).getByRole('row').filter({ has: page.getByText(name, { exact: true }) });

/** Clicks `name` and returns the download's `{name, text}`. */
async function download(page, click) {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

/** `{alertText, nextToField, invalid, describedBy}` for the add form's field labelled `label`. */
const fieldError = (page, label) =>
  page.getByLabel(label, { exact: true }).evaluate((input) => {
    const alert = input.nextElementSibling;
    const describedBy = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    return {
      alert: alert?.getAttribute('role') === 'alert' ? alert.textContent : null,
      invalid: input.getAttribute('aria-invalid') === 'true',
      described: describedBy.includes(alert?.id),
    };
  });

describe('messages of the pages', () => {
  const ROOT = new URL('../../extension/', import.meta.url);
  const messages = Object.fromEntries(
    ['en', 'de'].map((locale) => [locale, JSON.parse(readFileSync(new URL(`_locales/${locale}/messages.json`, ROOT), 'utf8'))]),
  );

  test('every locale has every message, with the same placeholders', () => {
    assert.deepEqual(Object.keys(messages.de).sort(), Object.keys(messages.en).sort());
    for (const [key, entry] of Object.entries(messages.en)) {
      assert.deepEqual(messages.de[key].placeholders, entry.placeholders, key);
    }
  });

  test('every data-i18n key of the popup and the options page exists, and every t() key of their scripts', () => {
    for (const file of ['popup.html', 'options.html', 'popup.js', 'options.js']) {
      const text = readFileSync(new URL(file, ROOT), 'utf8');
      const keys = [...text.matchAll(/data-i18n(?:-[a-z-]+)?="(\w+)"|\bt\('(\w+)'/g)].map((m) => m[1] ?? m[2]);
      assert.ok(keys.length > 10, file);
      for (const key of keys) assert.ok(messages.en[key], `${file}: ${key}`);
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

  async function open(settings = THREE, { path = 'options.html' } = {}) {
    for (const each of browser.context.pages()) await each.close();
    await replaceStoredSettings(browser, settings);
    browser.errors.length = 0;
    page = await browser.openExtensionPage(path);
    await page.getByRole('button', { name: 'Add tenant' }).waitFor();
    // The list is drawn once the first answer is in.
    await page.locator('#list-status').or(page.locator('#tenant-rows tr').first()).first().waitFor({ state: 'attached' });
    await waitFor(() => page.locator('#list-summary').textContent(), Boolean);
    return page;
  }
  beforeEach(async () => {
    await open();
  });

  function noErrors() {
    assert.deepEqual(browser.errors, []);
  }

  test('the list is a table: Label, Colour, Favourite, Tenant name, Primary domain, Tenant ID, Actions; A to Z; New tabs marked', async () => {
    const table = page.getByRole('table', { name: 'Tenants' });
    assert.deepEqual(await table.getByRole('columnheader').allTextContents(), [
      'Label',
      'Colour',
      'Favourite',
      'Tenant name',
      'Primary domain',
      'Tenant ID',
      'Actions',
    ]);
    assert.deepEqual(await tableRows(page), [
      ['CONT', `${CONTOSO_COLOUR[0]} (auto)`, 'no', 'Contoso', 'contoso.onmicrosoft.com', CONTOSO.id, 'EditDelete'],
      ['FABR', `${FABRIKAM_COLOUR[0]} (auto)`, 'no', 'Fabrikam New tabs', '', FABRIKAM.id, 'EditDelete'],
      ['NT', `${NORTHWIND_COLOUR[0]} (auto)`, 'no', 'Northwind Traders', 'northwind.example', NORTHWIND.id, 'EditDelete'],
    ]);
    // The label is drawn in the tenant's colour.
    assert.equal(
      await rowOf(page, 'Contoso').locator('.label').evaluate((label) => getComputedStyle(label).backgroundColor),
      CONTOSO_COLOUR[1],
    );
    // Each row's buttons and choices are named by their action or column and described by the
    // tenant's name.
    const row = rowOf(page, 'Contoso');
    for (const control of [
      row.getByRole('button', { name: 'Edit' }),
      row.getByRole('combobox', { name: 'Colour', exact: true }),
      row.getByRole('checkbox', { name: 'Favourite', exact: true }),
    ]) {
      assert.equal(await control.evaluate((node) => document.getElementById(node.getAttribute('aria-describedby')).textContent), 'Contoso');
    }
    assert.equal(await page.locator('#list-summary').textContent(), '3 tenants');
    noErrors();
  });

  test('Add tenant: the form keeps what was typed while the save is in flight, then clears', async () => {
    // The background's answers to applyOperation are held until the test lets them through.
    await page.addInitScript(() => {
      const send = chrome.runtime.sendMessage.bind(chrome.runtime);
      window.held = [];
      chrome.runtime.sendMessage = async (message) => {
        const answer = await send(message);
        if (message.what !== 'applyOperation') return answer;
        return new Promise((resolve) => window.held.push(() => resolve(answer)));
      };
    });
    await page.reload();
    await page.getByRole('button', { name: 'Add tenant' }).waitFor();
    await rowOf(page, 'Contoso').waitFor();
    await page.getByLabel('Tenant name', { exact: true }).fill('Wingtip Toys');
    await page.getByLabel('Tenant ID', { exact: true }).fill(` {${WINGTIP.id.toUpperCase()}} `);
    await page.getByLabel('Primary domain', { exact: true }).fill('wingtip.example');
    await page.getByRole('button', { name: 'Add tenant' }).click();
    await page.getByRole('status').getByText('Saving…').waitFor();
    await waitFor(() => page.evaluate(() => window.held.length), (n) => n === 1);
    // Stored already (the list below redrew from the background's change), answer not yet in.
    await rowOf(page, 'Wingtip Toys').waitFor();
    assert.deepEqual(
      [await page.getByLabel('Tenant name', { exact: true }).inputValue(), await page.getByLabel('Tenant ID', { exact: true }).inputValue(), await page.getByLabel('Primary domain', { exact: true }).inputValue()],
      ['Wingtip Toys', ` {${WINGTIP.id.toUpperCase()}} `, 'wingtip.example'],
    );
    // It cannot be sent twice meanwhile, even though the list redrew.
    assert.equal(await page.getByRole('button', { name: 'Add tenant' }).isDisabled(), true);

    await page.evaluate(() => window.held.shift()());
    await page.getByRole('status').getByText(`Added ${isolate('Wingtip Toys')}.`).waitFor();
    assert.equal(await page.getByLabel('Tenant name', { exact: true }).inputValue(), '');
    assert.equal(await page.getByLabel('Tenant name', { exact: true }).evaluate((input) => input === document.activeElement), true);
    assert.equal(await page.getByRole('button', { name: 'Add tenant' }).isEnabled(), true);
    assert.deepEqual((await storedSettings(browser)).tenants, [...THREE.tenants, WINGTIP]);
    assert.deepEqual(await tenantNames(page), ['Contoso', 'Fabrikam New tabs', 'Northwind Traders', 'Wingtip Toys']);
    noErrors();
  });

  test('a wrong entry is announced in an alert next to its field, which is marked invalid; nothing is saved', async () => {
    const before = await storedSettings(browser);
    const add = async (name, id, domain = '', { initialDomain = '', tags = '', aliases = '' } = {}) => {
      await page.getByLabel('Tenant name', { exact: true }).fill(name);
      await page.getByLabel('Tenant ID', { exact: true }).fill(id);
      await page.getByLabel('Primary domain', { exact: true }).fill(domain);
      await page.getByLabel('Initial domain', { exact: true }).fill(initialDomain);
      await page.getByLabel('Tags', { exact: true }).fill(tags);
      await page.getByLabel('Aliases', { exact: true }).fill(aliases);
      await page.getByRole('button', { name: 'Add tenant' }).click();
    };
    const FIELDS = ['Tenant name', 'Tenant ID', 'Primary domain', 'Initial domain', 'Tags', 'Aliases'];
    const cases = [
      [['Wingtip', `${WINGTIP.id.slice(0, -1)}x`], 'Tenant ID', '“x” (position 36) cannot be in a tenant ID: it has only the digits 0–9, the letters a–f and hyphens.'],
      [['Wingtip', 'contoso.onmicrosoft.com'], 'Tenant ID', 'contoso.onmicrosoft.com is a domain name. Enter the tenant ID (a GUID) from the Microsoft Entra admin center, Overview, Tenant ID.'],
      [['  ', WINGTIP.id], 'Tenant name', 'Enter the tenant name.'],
      [['contoso', WINGTIP.id], 'Tenant name', `The name ${isolate('contoso')} is already used by ${isolate('Contoso')} (${CONTOSO.id}).`],
      [['Wingtip', WINGTIP.id, 'wing_tip.example'], 'Primary domain', '“_” (position 5) cannot be in a domain: use letters a–z, digits, hyphens and dots (xn-- form for international names).'],
      [['Wingtip', WINGTIP.id, '', { initialDomain: 'wingtip.example' }], 'Initial domain', ERRORS.initialDomainNotOnMicrosoft],
      [['Wingtip', WINGTIP.id, '', { initialDomain: '-wingtip.onmicrosoft.com' }], 'Initial domain', ERRORS.initialDomainInvalidLabel],
      [['Wingtip', WINGTIP.id, '', { tags: 'EU, on call' }], 'Tags', ERRORS.tagInvalidCharacter],
      [['Wingtip', WINGTIP.id, '', { tags: `EU; ${'x'.repeat(25)}` }], 'Tags', ERRORS.tagTooLong],
      [['Wingtip', WINGTIP.id, '', { tags: Array.from({ length: 11 }, (_, i) => `t${i}`).join(',') }], 'Tags', ERRORS.tagTooMany],
      [['Wingtip', WINGTIP.id, '', { aliases: 'WT, northwind traders' }], 'Aliases', ERRORS.duplicateAlias],
      [['Wingtip', WINGTIP.id, '', { aliases: 'WT, \u202Eevil' }], 'Aliases', ERRORS.aliasInvalid],
      [['Wingtip', WINGTIP.id, '', { aliases: 'a1; a2; a3; a4; a5; a6' }], 'Aliases', ERRORS.aliasTooMany],
    ];
    const seen = [];
    for (const [entry, field, message] of cases) {
      await add(...entry);
      await waitFor(() => fieldError(page, field), (error) => error.alert === message, { timeout: 2000 });
      seen.push([field, await fieldError(page, field)]);
      // Only that field is marked.
      const others = FIELDS.filter((label) => label !== field);
      for (const other of others) assert.equal((await fieldError(page, other)).invalid, false, `${other} after ${message}`);
      // The focus goes to the field to correct, and what was typed stays.
      assert.equal(await page.getByLabel(field, { exact: true }).evaluate((input) => input === document.activeElement), true);
      assert.equal(await page.getByLabel('Tenant name', { exact: true }).inputValue(), entry[0]);
    }
    assert.deepEqual(
      seen,
      cases.map(([, field, message]) => [field, { alert: message, invalid: true, described: true }]),
    );
    assert.deepEqual(await storedSettings(browser), before);

    // Corrected: the alert goes with the mark, and every field is stored as the core keeps it.
    await add('Wingtip Toys', WINGTIP.id, 'wingtip.example', {
      initialDomain: 'WingTip.onmicrosoft.com',
      tags: 'EU, P1;on-call',
      aliases: 'Wingtip Toys, Inc.; WT',
    });
    await rowOf(page, 'Wingtip Toys').waitFor();
    assert.equal(await page.locator('#add-error').textContent(), '');
    assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);
    const wingtip = (await storedSettings(browser)).tenants.find((tenant) => tenant.id === WINGTIP.id);
    assert.deepEqual(wingtip, {
      ...WINGTIP,
      initialDomain: 'wingtip.onmicrosoft.com',
      tags: ['EU', 'P1', 'on-call'],
      aliases: ['Wingtip Toys, Inc.', 'WT'],
    });
    // The table shows the tags and the aliases under the name.
    const cell = rowOf(page, 'Wingtip Toys').getByRole('cell').nth(3);
    assert.deepEqual(await cell.locator('.tag').allTextContents(), ['EU', 'P1', 'on-call']);
    assert.equal(await cell.locator('.aliases').textContent(), `Also: ${isolate('Wingtip Toys, Inc.')}, ${isolate('WT')}`);

    // A name that is another tenant's alias is the name's problem.
    await add('wt', '3c1e7c44-58a9-4d63-b1f0-93c5e8d2a710');
    const taken = await waitFor(() => fieldError(page, 'Tenant name'), (error) => error.alert);
    assert.deepEqual(taken, {
      alert: `“${isolate('wt')}” is already the name or an alias of ${isolate('Wingtip Toys')} (${WINGTIP.id}).`,
      invalid: true,
      described: true,
    });
    noErrors();
  });

  test('Filter tenants narrows the table; no match says so', async () => {
    const filter = page.getByLabel('Filter tenants');
    await filter.fill('fab');
    await waitFor(() => tenantNames(page), (names) => names.length === 1);
    assert.deepEqual(await tenantNames(page), ['Fabrikam New tabs']);
    await filter.fill('northwind.example');
    await waitFor(() => tenantNames(page), (names) => names[0] === 'Northwind Traders');
    assert.deepEqual(await tenantNames(page), ['Northwind Traders']);
    await filter.fill('zzz');
    await page.getByText('No tenant matches the filter.').waitFor();
    assert.deepEqual(await tableRows(page), []);
    await filter.fill('');
    await waitFor(() => tenantNames(page), (names) => names.length === 3);
    noErrors();
  });

  test('320 tenants: pages of 100 with Previous page / Next page; the filter starts again at page one', async () => {
    await open({ ...DEFAULT_SETTINGS, tenants: numbered(320) });
    const status = page.locator('#list-status');
    const previous = page.getByRole('button', { name: 'Previous page' });
    const next = page.getByRole('button', { name: 'Next page' });
    await page.getByText('Showing 1–100 of 320').waitFor();
    assert.equal((await tableRows(page)).length, 100);
    assert.equal(await previous.isDisabled(), true);
    await next.click();
    await page.getByText('Showing 101–200 of 320').waitFor();
    assert.equal((await tenantNames(page))[0], 'Customer 100');
    await next.click();
    await next.click();
    await page.getByText('Showing 301–320 of 320').waitFor();
    assert.deepEqual((await tenantNames(page)).slice(-1), ['Customer 319']);
    assert.equal(await next.isDisabled(), true);
    await previous.click();
    await page.getByText('Showing 201–300 of 320').waitFor();
    // A filter starts again at page one, best match first.
    await page.getByLabel('Filter tenants').fill('customer 1');
    await page.getByText(/^Showing 1–100 of \d+$/).waitFor();
    assert.ok((await tenantNames(page)).slice(0, 100).every((name) => name.startsWith('Customer 1')));
    // Fewer matches than a page: no pager.
    await page.getByLabel('Filter tenants').fill('customer 31');
    await waitFor(() => tenantNames(page), (names) => names[0] === 'Customer 031' || names.length < 20);
    assert.ok((await tenantNames(page)).every((name) => name.includes('31')));
    assert.equal(await status.textContent(), '');
    assert.equal(await next.isVisible(), false);
    noErrors();
  });

  test('Edit in place: Cancel and Escape keep the tenant, a wrong ID is announced at its field, Save stores', async () => {
    const row = () => page.getByRole('table', { name: 'Tenants' }).getByRole('row').filter({ has: page.getByRole('button', { name: 'Save' }) });
    await rowOf(page, 'Contoso').getByRole('button', { name: 'Edit' }).click();
    assert.equal(await row().getByLabel('Tenant name').inputValue(), 'Contoso');
    assert.equal(await row().getByLabel('Tenant name').evaluate((input) => input === document.activeElement), true);
    await row().getByLabel('Tenant name').fill('Changed');
    await row().getByRole('button', { name: 'Cancel' }).click();
    await rowOf(page, 'Contoso').getByRole('button', { name: 'Edit' }).waitFor();
    assert.equal(await rowOf(page, 'Contoso').getByRole('button', { name: 'Edit' }).evaluate((b) => b === document.activeElement), true);

    await rowOf(page, 'Contoso').getByRole('button', { name: 'Edit' }).click();
    await row().getByLabel('Tenant name').fill('Changed');
    await page.keyboard.press('Escape');
    await rowOf(page, 'Contoso').getByRole('button', { name: 'Edit' }).waitFor();
    assert.deepEqual(listPart(await storedSettings(browser)), listPart(THREE));

    await rowOf(page, 'Contoso').getByRole('button', { name: 'Edit' }).click();
    await row().getByLabel('Tenant ID').fill('not a guid');
    await row().getByRole('button', { name: 'Save' }).click();
    const alert = row().getByRole('alert');
    await alert.getByText('cannot be in a tenant ID', { exact: false }).waitFor();
    const marked = await row().getByLabel('Tenant ID').evaluate((input) => [input.getAttribute('aria-invalid'), input.nextElementSibling?.getAttribute('role')]);
    assert.deepEqual(marked, ['true', 'alert']);
    assert.deepEqual(listPart(await storedSettings(browser)), listPart(THREE));

    await row().getByLabel('Tenant name').fill('Contoso Ltd');
    await row().getByLabel('Tenant ID').fill(CONTOSO.id.toUpperCase());
    await row().getByLabel('Primary domain').fill('contoso.com');
    await row().getByLabel('Initial domain').fill('contoso.onmicrosoft.com');
    await row().getByLabel('Tags').fill('EU');
    await row().getByLabel('Aliases').fill('CTS, Contoso Holding');
    await row().getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText(`Saved ${isolate('Contoso Ltd')}.`).waitFor();
    await rowOf(page, 'Contoso Ltd').waitFor();
    const saved = { name: 'Contoso Ltd', id: CONTOSO.id, domain: 'contoso.com', initialDomain: 'contoso.onmicrosoft.com', tags: ['EU'], aliases: ['CTS', 'Contoso Holding'] };
    assert.deepEqual((await storedSettings(browser)).tenants, [saved, FABRIKAM, NORTHWIND]);

    // Edit shows what is stored, and a wrong initial domain is announced at its field.
    await rowOf(page, 'Contoso Ltd').getByRole('button', { name: 'Edit' }).click();
    const values = [];
    for (const label of ['Initial domain', 'Tags', 'Aliases']) values.push(await row().getByLabel(label).inputValue());
    assert.deepEqual(values, ['contoso.onmicrosoft.com', 'EU', 'CTS, Contoso Holding']);
    await row().getByLabel('Initial domain').fill('contoso.com');
    await row().getByRole('button', { name: 'Save' }).click();
    await row().getByRole('alert').getByText('is not an initial domain', { exact: false }).waitFor();
    assert.deepEqual(
      await row().getByLabel('Initial domain').evaluate((input) => [input.getAttribute('aria-invalid'), input.nextElementSibling?.getAttribute('role')]),
      ['true', 'alert'],
    );
    assert.deepEqual((await storedSettings(browser)).tenants, [saved, FABRIKAM, NORTHWIND]);
    noErrors();
  });

  test('Delete, then Undo: the tenant comes back at the same place, for new tabs and in the recent tenants', async () => {
    await rowOf(page, 'Fabrikam').getByRole('button', { name: 'Delete' }).click();
    const undo = page.getByRole('button', { name: 'Undo' });
    await page.getByRole('status').getByText(`Deleted ${isolate('Fabrikam')}.`).waitFor();
    assert.equal(await undo.evaluate((button) => button === document.activeElement), true);
    assert.deepEqual(await tenantNames(page), ['Contoso', 'Northwind Traders']);
    let settings = await storedSettings(browser);
    assert.deepEqual([settings.tenants, settings.defaultTenant, settings.recentTenants], [[CONTOSO, NORTHWIND], null, [NORTHWIND.id]]);

    await undo.click();
    await page.getByRole('status').getByText(`Restored ${isolate('Fabrikam')}.`).waitFor();
    assert.deepEqual(await tenantNames(page), ['Contoso', 'Fabrikam New tabs', 'Northwind Traders']);
    settings = await storedSettings(browser);
    assert.deepEqual(listPart(settings), listPart(THREE));
    noErrors();
  });

  test('an edit in progress whose tenant another page deleted says so', async () => {
    await rowOf(page, 'Northwind Traders').getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Save' }).waitFor();
    await page.locator('#edit-name').fill('Northwind Traders Ltd');
    await browser.sendOk({ what: 'applyOperation', operation: { op: 'deleteTenant', id: NORTHWIND.id } });
    await page
      .getByRole('status')
      .getByText(`${isolate('Northwind Traders Ltd')} was deleted elsewhere while you edited it; your changes were not saved.`)
      .waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 0);
    assert.deepEqual(await tenantNames(page), ['Contoso', 'Fabrikam New tabs']);
    noErrors();
  });

  test('"Automatic tenant rewrite" switches the rules off and on and shows what is stored', async () => {
    const checkbox = page.getByRole('checkbox', { name: 'Automatic tenant rewrite' });
    await waitFor(() => checkbox.isEnabled());
    assert.equal(await checkbox.isChecked(), true);
    assert.ok((await browser.dynamicRules()).length > 0);
    await checkbox.uncheck();
    await waitForStored(browser, (settings) => settings.automaticRewrite === false);
    assert.deepEqual(await waitFor(() => browser.dynamicRules(), (rules) => rules.length === 0), []);
    await page.reload();
    await waitFor(() => checkbox.isEnabled());
    assert.equal(await checkbox.isChecked(), false);
    await checkbox.check();
    await waitForStored(browser, (settings) => settings.automaticRewrite === true);
    assert.ok((await waitFor(() => browser.dynamicRules(), (rules) => rules.length > 0)).length > 0);
    noErrors();
  });

  /** Opens a Defender portal tab in `tenant` (an explicit tid); resolves to `{portal, tabId}`. */
  async function portalTab(tenant) {
    const portal = await browser.context.newPage();
    await portal.goto(`https://security.microsoft.com/?tid=${tenant.id}`);
    return { portal, tabId: await browser.tabIdOf(portal) };
  }
  const badgeColour = async (tabId) => String((await browser.badge(tabId)).color);

  test('Colour: a row\'s choice is stored and marks its label and the badge of a portal tab in that tenant; Automatic goes back', async () => {
    const { portal, tabId } = await portalTab(CONTOSO);
    assert.equal(await waitFor(() => badgeColour(tabId), (colour) => colour === '156,31,138,255'), '156,31,138,255');
    await page.bringToFront();
    const colour = () => rowOf(page, 'Contoso').getByRole('combobox', { name: 'Colour', exact: true });
    // Every colour of the palette is offered by name, after "Automatic" naming the derived one.
    assert.deepEqual(await colour().locator('option').allTextContents(), [
      `${CONTOSO_COLOUR[0]} (auto)`,
      'Blue', 'Teal', 'Green', 'Olive', 'Orange', 'Red', 'Rose', 'Magenta', 'Purple', 'Indigo', 'Slate', 'Brown',
    ]);

    // By keyboard: the next colour is stored, and the focus stays on the choice when the list
    // is drawn again.
    await colour().focus();
    // Marked, to know when the list has been drawn again (the new select has no mark).
    await colour().evaluate((select) => select.classList.add('before-redraw'));
    await page.keyboard.press('ArrowDown');
    await waitForStored(browser, (settings) => settings.tenantColours[CONTOSO.id] === 'blue');
    await waitFor(async () => (await tableRows(page))[0][1] === 'Blue');
    const redrawn = await waitFor(() => page.evaluate(() => !document.querySelector('.colour-choice.before-redraw')));
    assert.equal(redrawn, true, 'the list is drawn again after the change');
    // Asked of the document, not of a located element: a later redraw may replace the select
    // between the locator finding it and the check.
    assert.equal(await page.evaluate(() => document.activeElement?.id), `colour-${CONTOSO.id}`);

    await colour().selectOption({ label: 'Teal' });
    await waitForStored(browser, (settings) => settings.tenantColours[CONTOSO.id] === 'teal');
    const label = () => rowOf(page, 'Contoso').locator('.label').evaluate((node) => getComputedStyle(node).backgroundColor);
    assert.equal(await waitFor(label, (value) => value === 'rgb(0, 103, 107)'), 'rgb(0, 103, 107)');
    assert.equal(await waitFor(() => badgeColour(tabId), (value) => value === '0,103,107,255'), '0,103,107,255');
    assert.equal((await tableRows(page))[0][1], 'Teal');
    // The badge's text and the table's label are the same.
    assert.equal((await browser.badge(tabId)).text, 'CONT');

    // Another choice while the tab is open: the badge follows.
    await colour().selectOption({ label: 'Red' });
    assert.equal(await waitFor(() => badgeColour(tabId), (value) => value === '179,38,30,255'), '179,38,30,255');

    // Automatic: back to the colour derived from the tenant ID, nothing stored for it.
    await colour().selectOption({ label: 'Automatic' });
    await waitForStored(browser, (settings) => !(CONTOSO.id in settings.tenantColours));
    assert.equal(await waitFor(() => badgeColour(tabId), (value) => value === '156,31,138,255'), '156,31,138,255');
    assert.equal(await waitFor(label, (value) => value === CONTOSO_COLOUR[1]), CONTOSO_COLOUR[1]);
    await waitFor(async () => (await tableRows(page))[0][1] === `${CONTOSO_COLOUR[0]} (auto)`);
    assert.equal((await tableRows(page))[0][1], `${CONTOSO_COLOUR[0]} (auto)`);
    await portal.close();
    noErrors();
  });

  test('Favourite: the row\'s checkbox stores it and the popup lists the tenant under Favourites', async () => {
    const favourite = () => rowOf(page, 'Northwind Traders').getByRole('checkbox', { name: 'Favourite', exact: true });
    assert.equal(await favourite().isChecked(), false);
    await favourite().check();
    await waitForStored(browser, (settings) => settings.favourites.includes(NORTHWIND.id));
    assert.deepEqual((await storedSettings(browser)).favourites, [NORTHWIND.id]);
    const { picker } = await browser.send({ what: 'picker', query: '', tab: null });
    const groups = Object.fromEntries(picker.groups.map(({ kind, size }) => [kind, size]));
    assert.equal(groups.favourites, 1);
    const first = picker.groups.findIndex(({ kind }) => kind === 'favourites');
    const start = picker.groups.slice(0, first).reduce((n, { size }) => n + size, 0);
    assert.equal(picker.items[start].id, NORTHWIND.id);

    await page.reload();
    await waitFor(() => favourite().isChecked());
    assert.equal(await favourite().isChecked(), true);
    await favourite().uncheck();
    await waitForStored(browser, (settings) => settings.favourites.length === 0);
    noErrors();
  });

  test('page options: the three checkboxes store what they show, and portal pages follow them', async () => {
    const names = [
      'Show the tenant in the tab title',
      'Show a colour line on portal pages',
      'Show a banner with the tenant name instead of the line',
    ];
    const boxes = names.map((name) => page.getByRole('checkbox', { name, exact: true }));
    await waitFor(() => boxes[0].isEnabled());
    const shown = async () => Promise.all(boxes.map((box) => box.isChecked()));
    assert.deepEqual(await shown(), [true, true, false]);
    const { portal } = await portalTab(CONTOSO);
    const title = () => portal.title();
    assert.equal(await waitFor(title, (text) => text.includes('Contoso')), `${isolate('Contoso')} · security.microsoft.com`);

    await page.bringToFront();
    await boxes[0].uncheck();
    await boxes[2].check();
    const stored = await waitForStored(browser, (settings) => !settings.pageOptions.titlePrefix && settings.pageOptions.banner);
    assert.deepEqual(stored.pageOptions, { titlePrefix: false, colourLine: true, banner: true });
    // The content script hears it: the open portal tab's title loses the tenant.
    assert.equal(await waitFor(title, (text) => text === 'security.microsoft.com'), 'security.microsoft.com');
    assert.deepEqual((await browser.send({ what: 'pageTenant' })).page, stored.pageOptions);

    await page.reload();
    await waitFor(() => boxes[0].isEnabled());
    assert.deepEqual(await shown(), [false, true, true]);
    await boxes[0].check();
    await boxes[2].uncheck();
    await waitForStored(browser, (settings) => settings.pageOptions.titlePrefix && !settings.pageOptions.banner);
    assert.equal(await waitFor(title, (text) => text.includes('Contoso')), `${isolate('Contoso')} · security.microsoft.com`);
    await portal.close();
    noErrors();
  });

  test('Portals: "Show … in the menu" for every portal; one unchecked leaves the popup\'s menu; the page says how to add the initial domain', async () => {
    const section = page.getByRole('region', { name: 'Portals' });
    const expected = [
      'Microsoft Defender', 'Incidents', 'Alerts', 'Advanced hunting', 'Action center', 'Microsoft Purview',
      'Microsoft Entra admin center', 'Microsoft Intune admin center', 'Azure portal', 'Microsoft 365 admin center',
      'Exchange admin center', 'Microsoft Teams admin center', 'Power BI admin portal', 'Power Platform admin center',
    ].map((name) => `Show ${name} in the menu`);
    const menuBoxes = section.getByRole('checkbox', { name: /^Show .* in the menu$/ });
    await waitFor(() => menuBoxes.count(), (n) => n === expected.length);
    const names = await menuBoxes.evaluateAll((boxes) => boxes.map((box) => box.labels[0].textContent.trim()));
    assert.deepEqual(names, expected);
    for (const box of await menuBoxes.all()) assert.equal(await box.isChecked(), true);
    // Grouped: Defender and its deep links, then the admin portals.
    assert.deepEqual(await section.getByRole('group').evaluateAll((groups) => groups.map((g) => g.querySelector('legend').textContent)), [
      'Microsoft Defender',
      'Admin portals',
      'Rewrite other portals',
    ]);
    // Only the existing checkbox is named "Automatic tenant rewrite".
    assert.equal(await page.getByRole('checkbox', { name: 'Automatic tenant rewrite' }).count(), 1);

    // The initial-domain portals say what they need and how to add it.
    const m365 = section.getByRole('checkbox', { name: 'Show Microsoft 365 admin center in the menu' });
    const description = await m365.evaluate((box) =>
      box.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id).textContent),
    );
    assert.deepEqual(description, [
      "Needs the tenant's initial domain.",
      'Microsoft 365 admin center, Exchange admin center, and Microsoft Teams admin center open a customer by its initial domain (name.onmicrosoft.com). To add it, choose Edit on the tenant and fill in Initial domain. A primary domain that ends in .onmicrosoft.com serves as both.',
      "Works only through a partner relationship (GDAP or DAP), not as a guest in the customer's tenant.",
    ]);

    const menu = async () => (await browser.send({ what: 'portalMenu', id: CONTOSO.id })).menu.items.map((item) => item.id);
    assert.ok((await menu()).includes('powerBi'));
    const powerBi = section.getByRole('checkbox', { name: 'Show Power BI admin portal in the menu' });
    await powerBi.uncheck();
    await waitForStored(browser, (settings) => settings.hiddenPortals.includes('powerBi'));
    assert.deepEqual((await storedSettings(browser)).hiddenPortals, ['powerBi']);
    const without = await menu();
    assert.ok(!without.includes('powerBi'), JSON.stringify(without));
    assert.equal(without.length, expected.length - 1);

    await page.reload();
    await waitFor(() => powerBi.isEnabled());
    assert.equal(await powerBi.isChecked(), false);
    await powerBi.check();
    await waitForStored(browser, (settings) => settings.hiddenPortals.length === 0);
    assert.ok((await menu()).includes('powerBi'));
    noErrors();
  });

  test('"Sync tenants across my browsers" turns sync on (the list goes to storage.sync) and off', async () => {
    const checkbox = page.getByRole('checkbox', { name: 'Sync tenants across my browsers' });
    await waitFor(() => checkbox.isEnabled());
    assert.equal(await checkbox.isChecked(), false);
    await checkbox.check();
    await waitFor(() => browser.storage(), (local) => local.syncEnabled === true);
    const synced = await waitFor(
      () => browser.inWorker(() => chrome.storage.sync.get(null)),
      (items) => Object.keys(items).some((key) => key === 'syncGeneration'),
    );
    assert.ok(synced.syncGeneration, JSON.stringify(synced));
    await page.reload();
    await waitFor(() => checkbox.isEnabled());
    assert.equal(await checkbox.isChecked(), true);
    await checkbox.uncheck();
    await waitFor(() => browser.storage(), (local) => local.syncEnabled === false);
    assert.equal((await browser.storage()).syncEnabled, false);
    await browser.inWorker(() => chrome.storage.sync.clear());
    noErrors();
  });

  test('Export tenants (JSON) and Export as CSV download the list', async () => {
    const json = await download(page, () => page.getByRole('button', { name: 'Export tenants' }).click());
    assert.equal(json.name, 'tenant-switch-tenants.json');
    assert.deepEqual(JSON.parse(json.text), {
      format: 'tenant-switch',
      version: 2,
      tenants: [CONTOSO, FABRIKAM, NORTHWIND],
    });
    const csv = await download(page, () => page.getByRole('button', { name: 'Export as CSV' }).click());
    assert.equal(csv.name, 'tenant-switch-tenants.csv');
    assert.equal(
      csv.text,
      // Export format 2: initial domain, tags and aliases after the first three columns.
      `\ufeffname,tenant id,domain,initial domain,tags,aliases\r\nContoso,${CONTOSO.id},contoso.onmicrosoft.com,,,\r\nFabrikam,${FABRIKAM.id},,,,\r\nNorthwind Traders,${NORTHWIND.id},northwind.example,,,\r\n`,
    );
    noErrors();
  });

  test('Restore previous list after a deletion, and again to undo the restore', async () => {
    // A session that has kept no backup yet: a browser of its own (a session keeps the backups it
    // knows of, whatever a test writes into storage behind its back).
    const shared = browser;
    browser = await launch('en-US');
    try {
      await open();
      await restoreTwice();
    } finally {
      await browser.close();
      browser = shared;
    }
  });

  async function restoreTwice() {
    const restore = page.getByRole('button', { name: 'Restore previous list' });
    assert.equal(await restore.isDisabled(), true);
    assert.equal(
      await page.locator('#restore-info').textContent(),
      'No previous list yet. One is kept before each deletion, import or restore (at most three).',
    );
    await rowOf(page, 'Contoso').getByRole('button', { name: 'Delete' }).click();
    await waitFor(() => restore.isEnabled());
    assert.match(await page.locator('#restore-info').textContent(), /^Previous list: saved .+ before a deletion, 3 tenants\.$/);
    await restore.click();
    await page.getByRole('status').getByText(/^Restored the list saved .+ \(3 tenants\)\. Restore again to undo this\.$/).waitFor();
    await waitFor(() => tenantNames(page), (names) => names.length === 3);
    assert.deepEqual((await storedSettings(browser)).tenants, THREE.tenants);
    await waitFor(async () => /before a restore, 2 tenants/.test(await page.locator('#restore-info').textContent()));
    await restore.click();
    // Going back to 2 tenants removes one: the page asks first.
    await page.getByRole('button', { name: 'Restore and remove 1 tenant' }).click();
    await waitForStored(browser, (settings) => settings.tenants.length === 2);
    await waitFor(() => tenantNames(page), (names) => names.length === 2);
    noErrors();
  }

  /** Makes a backup (a deletion), then writes settings the core cannot read, and reloads. */
  async function breakSettings(stored = { schemaVersion: 99, tenants: 'from a newer version' }) {
    await browser.sendOk({ what: 'applyOperation', operation: { op: 'deleteTenant', id: NORTHWIND.id } });
    await browser.inWorker((value) => chrome.storage.local.set({ settings: value }), stored);
    await waitFor(() => browser.send({ what: 'getState' }), (answer) => answer.state.usable === false);
    await page.reload();
    const banner = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'Your stored settings cannot be used' }) });
    await banner.waitFor();
    return banner;
  }

  test('unusable stored settings: the problem banner, the kept copy (Download, Discard), Restore previous list', async () => {
    const stored = { schemaVersion: 99, tenants: 'from a newer version' };
    const banner = await breakSettings(stored);
    assert.equal(
      await banner.locator('#problem-text').textContent(),
      'Your stored settings cannot be used: The stored settings are schema version 99, written by a newer Tenant Switch; this version reads up to 5. Update Tenant Switch. They were kept exactly as found (and copied to a backup), nothing was deleted. Until this is resolved no portal address is rewritten and no change can be saved.',
    );
    for (const name of ['Restore previous list', 'Import a file instead', 'Start with an empty list']) {
      assert.equal(await banner.getByRole('button', { name }).isEnabled(), true, name);
    }
    // Export is refused in words rather than giving an empty list.
    await page.getByRole('button', { name: 'Export tenants' }).click();
    await page.locator('#export-error').getByText('cannot be read', { exact: false }).waitFor();

    const kept = page.getByRole('region', { name: 'Kept copies of unreadable settings' });
    const copy = await download(page, () => kept.getByRole('button', { name: 'Download' }).click());
    assert.match(copy.name, /^tenant-switch-stored-settings-\d+\.json$/);
    assert.deepEqual(JSON.parse(copy.text), stored);

    await banner.getByRole('button', { name: 'Restore previous list' }).click();
    await banner.waitFor({ state: 'hidden' });
    await waitFor(() => tenantNames(page), (names) => names.length === 3);
    assert.deepEqual((await storedSettings(browser)).tenants, THREE.tenants);
    // The kept copy stays until it is discarded.
    await kept.getByRole('button', { name: 'Discard kept copy' }).click();
    await page.getByRole('status').getByText('The kept copy was discarded.').waitFor();
    await kept.waitFor({ state: 'hidden' });
    assert.deepEqual((await browser.storage()).keptCopies ?? [], []);
    noErrors();
  });

  test('unusable stored settings: Start with an empty list, then the first-import card', async () => {
    const banner = await breakSettings();
    await banner.getByRole('button', { name: 'Start with an empty list' }).click();
    await banner.waitFor({ state: 'hidden' });
    await page.getByRole('status').getByText('Started with an empty list. The kept copy stays until you discard it.').waitFor();
    const card = page.getByRole('region', { name: 'Start with your customer list' });
    await card.waitFor();
    assert.deepEqual((await storedSettings(browser)).tenants, []);
    assert.equal(await page.getByRole('region', { name: 'Kept copies of unreadable settings' }).isVisible(), true);
    noErrors();
  });

  test('unusable stored settings: Import a file instead replaces them', async () => {
    const banner = await breakSettings();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      banner.getByRole('button', { name: 'Import a file instead' }).click(),
    ]);
    await chooser.setFiles({ name: 'tenants.csv', mimeType: 'text/csv', buffer: Buffer.from(`name,tenant id\nWingtip Toys,${WINGTIP.id}\n`) });
    await page.getByRole('heading', { name: `Preview of ${isolate('tenants.csv')}` }).waitFor();
    assert.equal(await page.locator('#import-counts').textContent(), '1 new, 0 changed, 0 unchanged, 0 rejected');
    await page.getByRole('button', { name: 'Apply import' }).click();
    await banner.waitFor({ state: 'hidden' });
    await waitFor(() => tenantNames(page), (names) => names[0] === 'Wingtip Toys');
    assert.deepEqual((await storedSettings(browser)).tenants, [{ name: 'Wingtip Toys', id: WINGTIP.id }]);
    noErrors();
  });

  test('an empty list puts import first: the card\'s button opens the file chooser', async () => {
    await open(DEFAULT_SETTINGS);
    const card = page.getByRole('region', { name: 'Start with your customer list' });
    await card.waitFor();
    // Above the list.
    const above = await card.evaluate((element) => element.compareDocumentPosition(document.getElementById('tenant-table')) & Node.DOCUMENT_POSITION_FOLLOWING);
    assert.ok(above);
    await page.getByText('No tenants yet. Add the first one above.').waitFor();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      card.getByRole('button', { name: 'Import a CSV from Partner Center, CIPP or Excel' }).click(),
    ]);
    assert.equal(chooser.isMultiple(), false);
    await chooser.setFiles({ name: 'first.csv', mimeType: 'text/csv', buffer: Buffer.from(`name,tenant id\nContoso,${CONTOSO.id}\n`) });
    await page.getByRole('button', { name: 'Apply import' }).click();
    await card.waitFor({ state: 'hidden' });
    await rowOf(page, 'Contoso').waitFor();
    assert.equal(await page.locator('#list-summary').textContent(), '1 tenant');
    // The empty list the import replaced is kept, and says it holds nothing.
    assert.match(await page.locator('#restore-info').textContent(), /holds no tenants/);
    noErrors();
  });

  test('the popup\'s "Add this tenant" link fills in the tenant ID', async () => {
    await open(THREE, { path: `options.html#add=${WINGTIP.id}` });
    assert.equal(await page.getByLabel('Tenant ID', { exact: true }).inputValue(), WINGTIP.id);
    assert.equal(await page.getByLabel('Tenant name', { exact: true }).evaluate((input) => input === document.activeElement), true);
    noErrors();
  });

  test('hostile and very long names render as text, never sideways scroll and never overlap a row button', async () => {
    const HOSTILE = '<img src=x onerror="window.hacked=1"><b>bold</b>';
    const names = [HOSTILE, 'שלום Contoso', 'W'.repeat(100), '\uFDFD'.repeat(100)];
    const tenants = names.map((name, i) => ({
      name,
      id: `${(i + 0xa1).toString(16).padStart(8, '0')}-0c6e-4b8e-9e0a-2c1d3e4f5a6b`,
      domain: `${'x'.repeat(60)}.example`,
    }));
    for (const width of [1280, 800]) {
      await open({ ...DEFAULT_SETTINGS, tenants });
      await page.setViewportSize({ width, height: 900 });
      assert.deepEqual((await tenantNames(page)).sort(), [...names].sort());
      const layout = await page.evaluate(() => {
        const overlap = (a, b) =>
          Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
        const overlaps = [];
        for (const row of document.querySelectorAll('#tenant-rows tr')) {
          const buttons = [...row.querySelectorAll('button')].map((button) => button.getBoundingClientRect());
          // Nothing in a cell reaches into another cell (a label into the name), and no text
          // into a button.
          for (const cell of row.cells) {
            const box = cell.getBoundingClientRect();
            for (const text of cell.querySelectorAll('bdi, code, .label, .marker')) {
              const rect = text.getBoundingClientRect();
              if (buttons.some((button) => overlap(rect, button))) overlaps.push(`${text.textContent.slice(0, 12)} on a button`);
              if (rect.left < box.left - 0.5 || rect.right > box.right + 0.5) overlaps.push(`${text.textContent.slice(0, 12)} out of its cell`);
            }
          }
        }
        const wrap = document.querySelector('.table-wrap');
        return {
          pageScrolls: document.documentElement.scrollWidth > document.documentElement.clientWidth,
          tableScrolls: wrap.scrollWidth > wrap.clientWidth,
          overlaps,
          injected: document.querySelectorAll('#tenant-rows img, #tenant-rows b').length,
          hacked: window.hacked ?? null,
        };
      });
      assert.deepEqual(layout, { pageScrolls: false, tableScrolls: false, overlaps: [], injected: 0, hacked: null }, `${width}px`);
    }
    noErrors();
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

  test('a German browser gets German labels, columns, buttons and messages', async () => {
    await replaceStoredSettings(browser, THREE);
    const page = await browser.openExtensionPage('options.html');
    await page.getByRole('heading', { name: 'Mandanten verwalten' }).waitFor();
    assert.equal(await page.evaluate(() => chrome.i18n.getUILanguage()), 'de');
    const table = page.getByRole('table', { name: 'Mandanten' });
    await table.getByRole('row').nth(3).waitFor();
    assert.deepEqual(await table.getByRole('columnheader').allTextContents(), [
      'Kürzel',
      'Farbe',
      'Favorit',
      'Mandantenname',
      'Primäre Domäne',
      'Mandanten-ID',
      'Aktionen',
    ]);
    await page.getByText('Neue Tabs', { exact: true }).waitFor();
    await page.getByLabel('Mandantenname', { exact: true }).fill('Wingtip');
    await page.getByLabel('Mandanten-ID', { exact: true }).fill(`${WINGTIP.id.slice(0, -1)}x`);
    await page.getByLabel('Primäre Domäne', { exact: true }).fill('wingtip.example');
    await page.getByRole('button', { name: 'Mandant hinzufügen' }).click();
    const error = await waitFor(() => fieldError(page, 'Mandanten-ID'), (e) => e.alert);
    assert.deepEqual(error, {
      alert: '„x“ (Position 36) kann nicht in einer Mandanten-ID vorkommen: Sie besteht nur aus den Ziffern 0–9, den Buchstaben a–f und Bindestrichen.',
      invalid: true,
      described: true,
    });
    await page.getByLabel('Mandanten-ID', { exact: true }).fill(WINGTIP.id);
    await page.getByRole('button', { name: 'Mandant hinzufügen' }).click();
    await page.getByRole('status').getByText(`${isolate('Wingtip')} wurde hinzugefügt.`).waitFor();
    const row = table.getByRole('row').filter({ has: page.getByText('Wingtip', { exact: true }) });
    for (const name of ['Bearbeiten', 'Löschen']) await row.getByRole('button', { name }).waitFor();
    assert.equal(await page.locator('#list-summary').textContent(), '4 Mandanten');
    await page.getByLabel('Mandanten filtern').waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'Automatische Mandantenumleitung' }).isChecked(), true);
    for (const name of ['Mandanten exportieren', 'Als CSV exportieren', 'Vorherige Liste wiederherstellen']) {
      await page.getByRole('button', { name }).waitFor({ state: 'attached' });
    }
    // The controls of issues 11 to 13, by their German names.
    await row.getByRole('combobox', { name: 'Farbe', exact: true }).waitFor();
    await row.getByRole('checkbox', { name: 'Favorit', exact: true }).waitFor();
    for (const label of ['Anfängliche Domäne', 'Schlagwörter', 'Aliasse']) await page.getByLabel(label, { exact: true }).first().waitFor();
    for (const name of [
      'Mandanten im Tab-Titel anzeigen',
      'Farblinie auf Portalseiten anzeigen',
      'Banner mit dem Mandantennamen statt der Linie anzeigen',
      'Microsoft Entra Admin Center im Menü anzeigen',
      'Info-Center im Menü anzeigen',
      'Power BI-Verwaltungsportal im Menü anzeigen',
      'Microsoft Purview-Adressen umschreiben',
    ]) {
      await page.getByRole('checkbox', { name, exact: true }).waitFor();
    }
    assert.deepEqual(browser.errors, []);
  });
});

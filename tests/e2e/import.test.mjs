// Import, export and backups through the options page, driven by accessible names in headless
// Chromium with the real extension loaded, the stored result read back through the service
// worker: the preview's rows (renamed with both names, a domain change with both domains,
// rejected rows with the file's values, line and reason, unchanged rows on request), its filter
// and pages, "Add and update" and "Make my list match this file", Apply and Cancel, the exports
// and their re-import, the size and binary-file refusals, and "Restore previous list" (an empty
// kept list is worded, and a restore that removes tenants is confirmed in the page first).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';

import { launchBrowser, waitFor } from './lib/browser.mjs';
import { DEFAULT_SETTINGS, replaceStoredSettings } from './lib/fixtures.mjs';
import { startPortalServer } from './lib/portal-server.mjs';

const CONTOSO = '6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b';
const FABRIKAM = '0b7d3c2e-5a4f-4e1d-8c9b-7a6f5e4d3c2b';
const NORTHWIND = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const ADATUM = 'd0bd8401-04a0-4f53-bc15-761e19021d19';
const WINGTIP = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

/** Contoso (the tenant for new tabs, recent), Fabrikam, Northwind Traders. */
const THREE = {
  schemaVersion: 2,
  tenants: [
    { name: 'Contoso', id: CONTOSO, domain: 'contoso.onmicrosoft.com' },
    { name: 'Fabrikam', id: FABRIKAM },
    { name: 'Northwind Traders', id: NORTHWIND },
  ],
  defaultTenant: CONTOSO,
  automaticRewrite: true,
  recentTenants: [CONTOSO],
};
const EMPTY = { ...THREE, tenants: [], defaultTenant: null, recentTenants: [] };

/** Settings in the current schema, for tenants with initial domains, tags and aliases. */
const schema5 = (tenants) => ({ ...DEFAULT_SETTINGS, tenants });

/**
 * A re-import as Partner Center or CIPP gives it, saved by German Excel: semicolons, CRLF, a
 * quoted name with the delimiter in it. Line 2 renames Contoso and moves it to its custom
 * domain, 3 is unchanged, 4 is new, 5-7 are rejected (invalid ID, second row with an ID, a name
 * another tenant of the list has).
 */
const REIMPORT_CSV = [
  'Company Name;Tenant ID;Default Domain Name',
  `Contoso Ltd;${CONTOSO.toUpperCase()};contoso.com`,
  `Fabrikam;${FABRIKAM};`,
  `"Adatum; Corp";{${ADATUM}};Adatum.com`,
  '"Bad, ID";x;bad.example',
  `Adatum again;${ADATUM};`,
  `northwind traders;${WINGTIP};`,
  '',
].join('\r\n');

test('every import, export and backup error has a message in every locale, its placeholders named and ordered as its fields', async () => {
  const { default: FIELDS } = await import('../../dist/extension/error-fields.js');
  for (const name of ['ImportRowAliasTaken', 'ImportPreviewNone', 'ImportPreviewChanged', 'ImportRowManagedName']) {
    assert.ok(FIELDS[name], `${name} is in the catalogue`);
  }
  for (const locale of readdirSync(new URL('../../extension/_locales/', import.meta.url))) {
    const messages = JSON.parse(
      readFileSync(new URL(`../../extension/_locales/${locale}/messages.json`, import.meta.url), 'utf8'),
    );
    for (const [name, fields] of Object.entries(FIELDS).filter(([name]) => /^(Import|Export|Backup)/.test(name))) {
      const entry = messages[`error_${name}`];
      assert.ok(entry, `${locale}: error_${name} is missing`);
      const placeholders = Object.entries(entry.placeholders ?? {}).map(([key, { content }]) => [content, key]);
      assert.deepEqual(
        placeholders.sort().map(([, key]) => key),
        fields,
        `${locale}: error_${name}`,
      );
    }
  }
});

describe('import, export and backups (English)', () => {
  let server;
  let browser;
  let page;

  before(async () => {
    server = await startPortalServer();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /**
   * A fresh browser (the session keeps backups and the held import in memory, so every test
   * starts its own) with `items` in storage and the options page open.
   */
  async function openOptions(items = { settings: THREE }) {
    if (browser) {
      assert.deepEqual(browser.errors, []);
      await browser.close();
    }
    browser = await launchBrowser({ server, ...(process.env.EXTENSION_DIR ? { extensionDir: process.env.EXTENSION_DIR } : {}) });
    await browser.inWorker(async (value) => {
      await chrome.storage.local.clear();
      await chrome.storage.local.set(value);
    }, items);
    page = await browser.openExtensionPage('options.html');
    await page.getByRole('button', { name: 'Add tenant' }).waitFor();
    // The backups line is drawn once the page has asked the background.
    await waitFor(async () => (await page.locator('#restore-info').textContent()) !== '');
  }

  const chooseFile = (name, content, mimeType = 'text/csv') =>
    page.getByLabel('Import tenants').setInputFiles({ name, mimeType, buffer: Buffer.from(content) });

  /** Chooses a file and waits for its preview. */
  async function preview(name, content, mimeType) {
    await chooseFile(name, content, mimeType);
    await page.getByRole('heading', { name: `Preview of \u2068${name}\u2069` }).waitFor();
  }
  const counts = () => page.locator('#import-counts').textContent();
  const table = () => page.getByRole('table', { name: /^Preview of/ });
  /**
   * The drawn preview rows as `[[row, change, tenant, id, details], ...]`, each cell as a screen
   * reader reads it: lines apart, the arrow (hidden from it) left out.
   */
  const previewRows = () =>
    table()
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => [...row.cells].map((cell) => cell.innerText.replace(/\s*→\s*/g, ' ').replace(/\s+/g, ' ').trim())),
      );
  const storage = () => browser.storage();
  const storedTenants = async () => (await storage()).settings?.tenants;

  /**
   * Nothing was imported or restored: the list is `tenants` and no backup was kept. (The
   * session stores the settings again on its own once, with the tenants' short labels.)
   */
  async function assertNothingStored(tenants, defaultTenant) {
    const stored = await storage();
    assert.deepEqual(stored.settings.tenants, tenants);
    if (defaultTenant !== undefined) assert.equal(stored.settings.defaultTenant, defaultTenant);
    assert.deepEqual(stored.backups ?? [], []);
    assert.deepEqual(Object.keys(stored).filter((key) => key.startsWith('backup.')), []);
  }

  async function waitForStored(predicate) {
    const settings = await waitFor(async () => (await storage()).settings, predicate);
    assert.ok(predicate(settings), `stored settings never matched: ${JSON.stringify(settings)}`);
    return settings;
  }

  /**
   * The drawn preview rows once `accept(rows)` holds (or as they are when it never does: the
   * caller's assertion then says what was drawn).
   */
  const rowsWhere = (accept) => waitFor(previewRows, accept);

  /** The text of the rows status line once it says `expected` (a string or a pattern). */
  async function rowsStatus(expected) {
    const status = page.locator('#import-rows-status');
    const matches = (text) => (typeof expected === 'string' ? text === expected : expected.test(text));
    const text = await waitFor(() => status.textContent(), matches);
    assert.ok(matches(text), `rows status: ${text}`);
    return text;
  }

  beforeEach(async () => {
    await openOptions();
  });

  test('a re-import preview shows a renamed tenant with both names, a domain change with both domains, and rejected rows with the file\'s values', async () => {
    await preview('customers.csv', REIMPORT_CSV);
    assert.equal(await counts(), '1 new, 1 changed, 1 unchanged, 3 rejected');
    // Rejected rows make the counts an alert.
    await page.getByRole('alert').filter({ hasText: '1 new, 1 changed, 1 unchanged, 3 rejected' }).waitFor();
    // The renamed tenant shows both names, the domain change both domains, through the names
    // a screen reader reads ("becomes"; the arrow is hidden from it).
    const renamed = table().getByRole('row', { name: /^Line 2 / });
    await renamed.getByRole('cell', { name: 'Contoso becomes Contoso Ltd', exact: true }).waitFor();
    await renamed.getByRole('cell', { name: 'Primary domain: contoso.onmicrosoft.com becomes contoso.com', exact: true }).waitFor();
    assert.equal(await renamed.getByRole('cell', { name: 'Renamed, Domain changed' }).count(), 1);
    assert.deepEqual(await previewRows(), [
      ['Line 2', 'Renamed, Domain changed', 'Contoso becomes Contoso Ltd', CONTOSO, 'Primary domain: contoso.onmicrosoft.com becomes contoso.com'],
      ['Line 4', 'New', 'Adatum; Corp', ADATUM, 'Primary domain: adatum.com'],
      [
        'Line 5',
        'Rejected',
        'Bad, ID',
        'x',
        '“x” (position 1) cannot be in a tenant ID: it has only the digits 0–9, the letters a–f and hyphens. Primary domain: bad.example',
      ],
      ['Line 6', 'Rejected', 'Adatum again', ADATUM, `Tenant ID ${ADATUM} appears earlier in this file (line 4); only the first is imported.`],
      [
        'Line 7',
        'Rejected',
        'northwind traders',
        WINGTIP,
        `The name \u2068northwind traders\u2069 is already used by tenant ${NORTHWIND} (already in your list).`,
      ],
    ]);
    // The unchanged row is only counted, and listed on request.
    await page.getByLabel('Show', { exact: true }).selectOption({ label: 'Unchanged (1)' });
    await rowsStatus('Rows 1–1 of 1');
    assert.deepEqual(await previewRows(), [['Line 3', 'Unchanged', 'Fabrikam', FABRIKAM, '']]);
    // The status line says "Rows 1–1 of 1" before and after each of the next two changes, so
    // the rows themselves are waited for.
    await page.getByLabel('Show', { exact: true }).selectOption({ label: 'Renamed (1)' });
    await rowsStatus('Rows 1–1 of 1');
    assert.deepEqual(
      (await rowsWhere((rows) => rows.length === 1 && rows[0][0] !== 'Line 3')).map((row) => row[0]),
      ['Line 2'],
    );
    // The filter searches names, domains and IDs of every row, rejected ones by their values.
    await page.getByLabel('Show', { exact: true }).selectOption({ label: 'All rows (6)' });
    await page.getByLabel('Filter rows').fill('bad.example');
    await rowsStatus('Rows 1–1 of 1');
    assert.deepEqual(
      (await rowsWhere((rows) => rows.length === 1 && rows[0][0] !== 'Line 2')).map((row) => row[2]),
      ['Bad, ID'],
    );
    await page.getByLabel('Filter rows').fill('nothing like it');
    await rowsStatus('No rows match.');
    for (const name of ['Apply import', 'Cancel import']) await page.getByRole('button', { name }).waitFor();
    for (const name of ['Add and update', 'Make my list match this file']) {
      assert.equal(await page.getByRole('radio', { name }).count(), 1);
    }
    assert.equal(await page.getByRole('radio', { name: 'Add and update' }).isChecked(), true);
    // A preview changes nothing.
    await assertNothingStored(THREE.tenants, CONTOSO);
    assert.deepEqual(browser.errors, []);
  });

  test('Apply import adds and updates (stored canonical), keeps unmentioned tenants and a backup', async () => {
    await preview('customers.csv', REIMPORT_CSV);
    await page.getByRole('button', { name: 'Apply import' }).click();
    await page
      .getByRole('status')
      .getByText('Import applied: 1 new, 1 changed, 1 unchanged, 3 rejected. Your list as it was is kept: Restore previous list brings it back.')
      .waitFor();
    assert.deepEqual(await storedTenants(), [
      { name: 'Contoso Ltd', id: CONTOSO, domain: 'contoso.com' },
      { name: 'Fabrikam', id: FABRIKAM },
      { name: 'Northwind Traders', id: NORTHWIND },
      { name: 'Adatum; Corp', id: ADATUM, domain: 'adatum.com' },
    ]);
    await page.getByRole('row').filter({ hasText: 'Adatum; Corp' }).first().waitFor();
    const stored = await storage();
    assert.deepEqual(stored.backups.map(({ reason, count }) => [reason, count]), [['import', 3]]);
    assert.deepEqual(stored[`backup.${stored.backups[0].id}`].tenants, THREE.tenants);
    assert.equal(await page.getByRole('button', { name: 'Restore previous list' }).isEnabled(), true);
    // The applied preview is gone: the background holds no file any more.
    assert.equal((await browser.send({ what: 'importRows' })).error?.name, 'ImportPreviewNone');
    assert.deepEqual(browser.errors, []);
  });

  test('"Make my list match this file" lists the missing tenants, removes exactly them after Apply import, and keeps a backup', async () => {
    const four = {
      ...THREE,
      tenants: [...THREE.tenants, { name: 'Wingtip Toys', id: WINGTIP, domain: 'wingtiptoys.com' }],
      defaultTenant: NORTHWIND,
      recentTenants: [NORTHWIND, CONTOSO],
    };
    await openOptions({ settings: four });
    const file = `name,tenant id,domain\r\nContoso,${CONTOSO},contoso.onmicrosoft.com\r\nFabrikam,${FABRIKAM},\r\n`;
    await preview('partner-center.csv', file);
    assert.equal(await counts(), '0 new, 0 changed, 2 unchanged, 0 rejected');
    await rowsStatus('No rows match.');
    await page.getByRole('radio', { name: 'Make my list match this file' }).check();
    await waitFor(counts, (text) => text.includes('to remove'));
    assert.equal(await counts(), '0 new, 0 changed, 2 unchanged, 0 rejected, 2 to remove');
    await rowsStatus('Rows 1–2 of 2');
    assert.deepEqual(await previewRows(), [
      ['Not in the file', 'Removed', 'Northwind Traders', NORTHWIND, ''],
      ['Not in the file', 'Removed', 'Wingtip Toys', WINGTIP, 'Primary domain: wingtiptoys.com'],
    ]);
    assert.equal(await page.getByLabel('Show', { exact: true }).locator('option:checked').textContent(), 'All changes (2)');
    // Nothing happens before Apply import.
    await assertNothingStored(four.tenants, NORTHWIND);
    await page.getByRole('button', { name: 'Apply import' }).click();
    await page
      .getByRole('status')
      .getByText('Import applied: 0 new, 0 changed, 2 unchanged, 0 rejected, 2 removed. Your list as it was is kept: Restore previous list brings it back.')
      .waitFor();
    const stored = await storage();
    assert.deepEqual(stored.settings.tenants, [
      { name: 'Contoso', id: CONTOSO, domain: 'contoso.onmicrosoft.com' },
      { name: 'Fabrikam', id: FABRIKAM },
    ]);
    // Northwind was the tenant for new tabs: the home tenant is now.
    assert.equal(stored.settings.defaultTenant, null);
    assert.deepEqual(stored.settings.recentTenants, [CONTOSO]);
    assert.deepEqual(stored.backups.map(({ reason, count }) => [reason, count]), [['import', 4]]);
    assert.deepEqual(stored[`backup.${stored.backups[0].id}`].tenants, four.tenants);
    // The next file starts from "Add and update" again.
    assert.equal(await page.getByRole('radio', { name: 'Add and update' }).isChecked(), true);
    assert.deepEqual(browser.errors, []);
  });

  test('the empty kept list is worded and never wipes the list without a confirmation in the page', async () => {
    await openOptions({ settings: EMPTY });
    await preview('customers.csv', `name,tenant id\nContoso,${CONTOSO}\nFabrikam,${FABRIKAM}\nNorthwind Traders,${NORTHWIND}\n`);
    await page.getByRole('button', { name: 'Apply import' }).click();
    await waitForStored((s) => s.tenants.length === 3);
    const info = page.locator('#restore-info');
    await waitFor(() => info.textContent(), (text) => text.includes('no tenants'));
    assert.match(
      await info.textContent(),
      /^Previous list: saved .+ before an import\. It holds no tenants: restoring it would empty your list\.$/,
    );
    const restore = page.getByRole('button', { name: 'Restore previous list' });
    await restore.click();
    const question = page.getByRole('alert').filter({ hasText: 'Restoring the list saved' });
    await question.waitFor();
    assert.match(
      await question.textContent(),
      /^Restoring the list saved .+ removes 3 tenants from your list: \u2068Contoso\u2069, \u2068Fabrikam\u2069, \u2068Northwind Traders\u2069\. The saved list holds no tenants\.$/,
    );
    const confirm = page.getByRole('button', { name: 'Restore and remove 3 tenants' });
    assert.equal(await confirm.evaluate((button) => button === document.activeElement), true);
    // Asking changed nothing; declining changes nothing either.
    assert.equal((await storedTenants()).length, 3);
    await page.getByRole('button', { name: 'Keep my list' }).click();
    await page.getByRole('status').getByText('Nothing was restored.').waitFor();
    assert.equal(await question.count(), 0);
    assert.equal((await storedTenants()).length, 3);
    // Only the confirmation in the page empties the list, and the list it replaced is kept.
    await restore.click();
    await confirm.click();
    await waitForStored((s) => s.tenants.length === 0);
    await page.getByRole('status').getByText(/^Restored the list saved .+ \(0 tenants\)\. Restore again to undo this\.$/).waitFor();
    const stored = await storage();
    assert.deepEqual(stored.backups.map(({ reason, count }) => [reason, count]), [['restore', 3]]);
    assert.deepEqual(browser.errors, []);
  });

  test('Cancel import changes nothing and forgets the file', async () => {
    await preview('customers.csv', REIMPORT_CSV);
    await page.getByRole('button', { name: 'Cancel import' }).click();
    await page.getByRole('status').getByText('Import cancelled. Nothing was changed.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Apply import' }).isVisible(), false);
    assert.equal(await page.getByLabel('Import tenants').inputValue(), '');
    await waitFor(async () => (await browser.send({ what: 'importTenants' })).error?.name, (name) => name === 'ImportPreviewNone');
    await assertNothingStored(THREE.tenants, CONTOSO);
    assert.deepEqual(browser.errors, []);
  });

  /** Clicks the button `name` and returns the download's `{name, bytes, text}`. */
  async function downloadOf(name) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
    const bytes = readFileSync(await download.path());
    return { name: download.suggestedFilename(), bytes, text: bytes.toString('utf8') };
  }

  test('Export tenants (version 2) and Export as CSV carry initial domains, tags and aliases and re-import as unchanged', async () => {
    const tagged = [
      {
        name: 'Contoso',
        id: CONTOSO,
        domain: 'contoso.com',
        initialDomain: 'contoso.onmicrosoft.com',
        tags: ['EU', 'on-call'],
        aliases: ['CTS', 'Semi;colon'],
      },
      { name: '=Fabrikam', id: FABRIKAM },
    ];
    await openOptions({ settings: schema5(tagged) });
    const json = await downloadOf('Export tenants');
    assert.equal(json.name, 'tenant-switch-tenants.json');
    assert.equal(
      json.text,
      [
        '{',
        '  "format": "tenant-switch",',
        '  "version": 2,',
        '  "tenants": [',
        `    {"name": "Contoso", "id": "${CONTOSO}", "domain": "contoso.com", "initialDomain": "contoso.onmicrosoft.com", "tags": ["EU", "on-call"], "aliases": ["CTS", "Semi;colon"]},`,
        `    {"name": "=Fabrikam", "id": "${FABRIKAM}"}`,
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
    const csv = await downloadOf('Export as CSV');
    assert.equal(csv.name, 'tenant-switch-tenants.csv');
    assert.equal(
      csv.text,
      '\ufeffname,tenant id,domain,initial domain,tags,aliases\r\n' +
        `Contoso,${CONTOSO},contoso.com,contoso.onmicrosoft.com,EU; on-call,CTS | Semi;colon\r\n` +
        `'=Fabrikam,${FABRIKAM},,,,\r\n`,
    );
    for (const file of [json, csv]) {
      await preview(file.name, file.bytes, 'application/octet-stream');
      assert.equal(await counts(), '0 new, 0 changed, 2 unchanged, 0 rejected');
    }
    // Both re-import into an empty list exactly.
    for (const file of [json, csv]) {
      await openOptions({ settings: EMPTY });
      await preview(file.name, file.bytes, 'application/octet-stream');
      await page.getByRole('button', { name: 'Apply import' }).click();
      assert.deepEqual((await waitForStored((s) => s.tenants.length === 2)).tenants, tagged, file.name);
    }
    assert.deepEqual(browser.errors, []);
  });

  test('a file over 10 MB is refused before it is read; a binary file and a file without an ID column get a clear message', async () => {
    await chooseFile('huge.csv', Buffer.alloc(10 * 1024 * 1024 + 1, 'a'));
    const alert = page.locator('#import-error');
    assert.equal(await alert.getAttribute('role'), 'alert');
    await waitFor(async () => (await alert.textContent()) !== '');
    assert.equal(await alert.textContent(), 'This file has 10,485,761 bytes; files up to 10,485,760 bytes (10 MB) can be imported.');
    assert.equal(await page.locator('#import-preview').isVisible(), false);
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await chooseFile('customers.xlsx', png, 'application/octet-stream');
    await page
      .getByRole('alert')
      .getByText('This file is not text (an Excel workbook, perhaps). In Excel, save it as “CSV UTF-8” or “Unicode text” and import that file.')
      .waitFor();
    await chooseFile('names.csv', 'Name;Customer\r\nContoso;x\r\n');
    await page.getByRole('alert').getByText('The header row has no column for the Tenant ID. Columns found: Name, Customer.').waitFor();
    assert.equal(await page.locator('#import-preview').isVisible(), false);
    await assertNothingStored(THREE.tenants, CONTOSO);
    assert.deepEqual(browser.errors, []);
  });

  test('Restore previous list after a delete needs no confirmation (it removes nothing), and again undoes the restore with one', async () => {
    const restore = page.getByRole('button', { name: 'Restore previous list' });
    assert.equal(await restore.isDisabled(), true);
    assert.equal(
      await page.locator('#restore-info').textContent(),
      'No previous list yet. One is kept before each deletion, import or restore (at most three).',
    );
    assert.equal((await browser.send({ what: 'restoreBackup' })).error?.name, 'BackupNone');
    await browser.sendOk({ what: 'applyOperation', operation: { op: 'deleteTenant', id: CONTOSO } });
    await waitFor(() => restore.isEnabled());
    assert.match(await page.locator('#restore-info').textContent(), /^Previous list: saved .+ before a deletion, 3 tenants\.$/);
    await restore.click();
    await page.getByRole('status').getByText(/^Restored the list saved .+ \(3 tenants\)\. Restore again to undo this\.$/).waitFor();
    assert.deepEqual(await storedTenants(), THREE.tenants);
    // Restoring again would remove Contoso: asked first.
    await waitFor(async () => /before a restore, 2 tenants/.test(await page.locator('#restore-info').textContent()));
    await restore.click();
    // One tenant is removed and the saved list holds two: each count with its own grammar.
    await page
      .getByRole('alert')
      .filter({ hasText: 'removes 1 tenant from your list: \u2068Contoso\u2069. The saved list holds 2 tenants.' })
      .waitFor();
    assert.deepEqual(await storedTenants(), THREE.tenants);
    await page.getByRole('button', { name: 'Restore and remove 1 tenant' }).click();
    await waitForStored((s) => s.tenants.length === 2);
    assert.deepEqual(await storedTenants(), THREE.tenants.slice(1));
    assert.deepEqual(browser.errors, []);
  });

  test('10,000 rows: the preview draws at most 100 rows, pages and filters them in the background, and applies', async () => {
    const hex = (n) => n.toString(16).padStart(12, '0');
    const lines = ['name,tenant id,domain'];
    for (let n = 1; n <= 10_000; n += 1) lines.push(`Customer ${n},00000000-0000-4000-8000-${hex(n)},customer${n}.onmicrosoft.com`);
    await openOptions({ settings: EMPTY });
    const started = performance.now();
    await preview('ten-thousand.csv', `${lines.join('\n')}\n`);
    const previewed = performance.now();
    assert.equal(await counts(), '10,000 new, 0 changed, 0 unchanged, 0 rejected');
    await rowsStatus('Rows 1–100 of 10,000');
    assert.equal(await table().locator('tbody tr').count(), 100);
    await page.getByRole('button', { name: 'Next rows' }).click();
    await rowsStatus('Rows 101–200 of 10,000');
    assert.equal((await previewRows())[0][2], 'Customer 101');
    // One filter keystroke: the background filters its held rows and answers one page.
    let nines = 0;
    for (let n = 1; n <= 10_000; n += 1) if (`${n} ${hex(n)}`.includes('9')) nines += 1;
    const typed = performance.now();
    await page.getByLabel('Filter rows').press('9');
    await rowsStatus(`Rows 1–100 of ${nines.toLocaleString('en-US')}`);
    const filtered = performance.now();
    await page.getByLabel('Filter rows').fill('customer 9999');
    await rowsStatus('Rows 1–1 of 1');
    await page.getByLabel('Filter rows').fill('');
    await rowsStatus('Rows 1–100 of 10,000');
    await page.getByRole('button', { name: 'Apply import' }).click();
    await page.getByRole('status').getByText(/^Import applied: 10,000 new/).waitFor({ timeout: 30_000 });
    const applied = performance.now();
    console.log(
      `10,000 rows: preview ${Math.round(previewed - started)} ms, filter keystroke ${Math.round(filtered - typed)} ms, apply ${Math.round(applied - filtered)} ms`,
    );
    const tenants = await storedTenants();
    assert.equal(tenants.length, 10_000);
    assert.deepEqual(tenants[9_999], {
      name: 'Customer 10000',
      id: `00000000-0000-4000-8000-${hex(10_000)}`,
      domain: 'customer10000.onmicrosoft.com',
    });
    assert.deepEqual(browser.errors, []);
  });
});

describe('import, export and backups (German)', () => {
  let server;
  let browser;

  before(async () => {
    server = await startPortalServer();
    browser = await launchBrowser({ server, lang: 'de', ...(process.env.EXTENSION_DIR ? { extensionDir: process.env.EXTENSION_DIR } : {}) });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the modes, the preview and its reasons are German', async () => {
    await replaceStoredSettings(browser, THREE);
    const page = await browser.openExtensionPage('options.html');
    await page.getByRole('button', { name: 'Mandant hinzufügen' }).waitFor();
    await page.getByLabel('Mandanten importieren').setInputFiles({ name: 'kunden.csv', mimeType: 'text/csv', buffer: Buffer.from(REIMPORT_CSV) });
    await page.getByRole('heading', { name: 'Vorschau für \u2068kunden.csv\u2069' }).waitFor();
    assert.equal(await page.locator('#import-counts').textContent(), '1 neu, 1 geändert, 1 unverändert, 3 abgelehnt');
    const renamed = page.getByRole('row', { name: /^Zeile 2 / });
    await renamed.getByRole('cell', { name: 'Contoso wird zu Contoso Ltd', exact: true }).waitFor();
    await renamed.getByRole('cell', { name: 'Umbenannt, Domäne geändert', exact: true }).waitFor();
    await page
      .getByRole('row', { name: /^Zeile 6 / })
      .getByText(`Die Mandanten-ID ${ADATUM} kommt weiter oben in dieser Datei vor (Zeile 4); nur der erste Eintrag wird importiert.`)
      .waitFor();
    await page.getByRole('radio', { name: 'Meine Liste an diese Datei angleichen' }).check();
    // Northwind Traders is not in the file: it would be removed, which frees its name for line 7.
    await page.locator('#import-counts').getByText('2 neu, 1 geändert, 1 unverändert, 2 abgelehnt, 1 zu entfernen').waitFor();
    await page.getByRole('row', { name: /^Nicht in der Datei Wird entfernt Northwind Traders/ }).waitFor();
    assert.equal(await page.getByRole('radio', { name: 'Hinzufügen und aktualisieren' }).isChecked(), false);
    await page.getByLabel('Zeilen filtern').waitFor();
    for (const name of ['Import übernehmen', 'Import abbrechen', 'Mandanten exportieren', 'Als CSV exportieren', 'Vorherige Liste wiederherstellen']) {
      await page.getByRole('button', { name }).waitFor({ state: 'attached' });
    }
    assert.deepEqual(browser.errors, []);
  });
});

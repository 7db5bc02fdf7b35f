// Import, export and backups through the options page, driven by accessible names in headless
// Chromium with the real extension loaded: the preview (counts and rejected rows with their lines
// and localised reasons), Cancel and Apply, the downloads of both exports and their re-import, the
// size and binary-file refusals, and "Restore previous list" after a delete and an import.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';

import { launchBrowser, waitFor } from './lib/browser.mjs';
import { replaceStoredSettings } from './lib/fixtures.mjs';
import { startPortalServer } from './lib/portal-server.mjs';

const CONTOSO = '6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b';
const FABRIKAM = '0b7d3c2e-5a4f-4e1d-8c9b-7a6f5e4d3c2b';
const NORTHWIND = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const ADATUM = 'd0bd8401-04a0-4f53-bc15-761e19021d19';
const WINGTIP = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

/** Contoso (active, recent), Fabrikam, Northwind Traders. */
const THREE = {
  schemaVersion: 1,
  tenants: [
    { name: 'Contoso', id: CONTOSO, domain: 'contoso.onmicrosoft.com' },
    { name: 'Fabrikam', id: FABRIKAM },
    { name: 'Northwind Traders', id: NORTHWIND },
  ],
  activeTenant: CONTOSO,
  automaticRewrite: true,
  recentTenants: [CONTOSO],
};

/**
 * German Excel's CSV: semicolons, CRLF, a quoted name with the delimiter in it. Lines 2-4 are
 * unchanged, renamed and new; 5-7 are rejected (invalid ID, second row with an ID, a name
 * another tenant of the list has).
 */
const MIXED_CSV = [
  'Company Name;Tenant ID;Default Domain Name',
  `Contoso;${CONTOSO.toUpperCase()};contoso.onmicrosoft.com`,
  `Fabrikam Group;${FABRIKAM};`,
  `"Adatum; Corp";{${ADATUM}};Adatum.com`,
  '"Bad, ID";x;',
  `Adatum again;${ADATUM};`,
  `northwind traders;${WINGTIP};`,
  '',
].join('\r\n');

test('every rejected-row error and BackupNone has a message in every locale, one placeholder per detail', async () => {
  // Row errors are serialised by hand in src/import.rs, so the options test's scan of
  // `rename = "..."` does not see them.
  const { ERROR_DETAILS } = await import('../../extension/i18n.js');
  const source = readFileSync(new URL('../../src/import.rs', import.meta.url), 'utf8');
  const names = [...source.matchAll(/serialize_entry\("name", "([A-Z]\w+)"\)/g)].map((m) => m[1]);
  assert.deepEqual(names, [
    'ImportRowDuplicateId',
    'ImportRowNameTaken',
    'ImportRowManagedTenant',
    'ImportRowManagedName',
    'ImportRowNotObject',
    'ImportRowWrongType',
  ]);
  for (const locale of readdirSync(new URL('../../extension/_locales/', import.meta.url))) {
    const messages = JSON.parse(
      readFileSync(new URL(`../../extension/_locales/${locale}/messages.json`, import.meta.url), 'utf8'),
    );
    for (const name of [...names, 'BackupNone']) {
      const entry = messages[`error_${name}`];
      assert.ok(entry, `${locale}: error_${name} is missing`);
      assert.equal(Object.keys(entry.placeholders ?? {}).length, ERROR_DETAILS[name]?.length ?? 0, `${locale}: ${name}`);
    }
  }
});

describe('import, export and backups (English)', () => {
  let server;
  let browser;
  let page;

  before(async () => {
    server = await startPortalServer();
    browser = await launchBrowser({ server, ...(process.env.EXTENSION_DIR ? { extensionDir: process.env.EXTENSION_DIR } : {}) });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const setStorage = (items) =>
    browser.inWorker(async (value) => {
      await chrome.storage.local.clear();
      await chrome.storage.local.set(value);
    }, items);

  async function openOptions(items = { settings: THREE }) {
    browser.errors.length = 0;
    for (const open of browser.context.pages()) await open.close();
    await setStorage(items);
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
  /** The rejected rows of the preview as `[[row, reason], ...]`. */
  const rejectedRows = () =>
    page.locator('#import-rejected-rows tr').evaluateAll((rows) =>
      rows.map((row) => [...row.cells].map((cell) => cell.textContent)),
    );
  const storedSettings = async () => (await browser.storage()).settings;

  async function waitForStored(predicate) {
    const settings = await waitFor(storedSettings, predicate);
    assert.ok(predicate(settings), `stored settings never matched: ${JSON.stringify(settings)}`);
    return settings;
  }

  beforeEach(async () => {
    await openOptions();
  });

  test('the preview counts rows and lists every rejected row with its line and reason', async () => {
    await preview('customers.csv', MIXED_CSV);
    assert.equal(await counts(), '1 new, 1 renamed, 1 unchanged, 3 rejected');
    // Rejected rows make the counts an alert.
    assert.equal(
      await page.getByRole('alert').filter({ hasText: '3 rejected' }).textContent(),
      '1 new, 1 renamed, 1 unchanged, 3 rejected',
    );
    assert.deepEqual(await rejectedRows(), [
      ['Line 5', '“x” (position 1) cannot be in a tenant ID: it has only the digits 0–9, the letters a–f and hyphens.'],
      ['Line 6', `Tenant ID ${ADATUM} appears earlier in this file (line 4); only the first is imported.`],
      ['Line 7', `The name \u2068northwind traders\u2069 is already used by tenant ${NORTHWIND} (already in your list).`],
    ]);
    await page.getByRole('button', { name: 'Apply import' }).waitFor();
    await page.getByRole('button', { name: 'Cancel import' }).waitFor();
    // A preview changes nothing.
    assert.deepEqual(await browser.storage(), { settings: THREE });
    assert.deepEqual(browser.errors, []);
  });

  test('Cancel import changes nothing', async () => {
    const before = await browser.storage();
    await preview('customers.csv', MIXED_CSV);
    await page.getByRole('button', { name: 'Cancel import' }).click();
    await page.getByRole('status').getByText('Import cancelled. Nothing was changed.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Apply import' }).isVisible(), false);
    assert.deepEqual(await browser.storage(), before);
    assert.equal(await page.getByLabel('Import tenants').inputValue(), '');
    assert.deepEqual(browser.errors, []);
  });

  test('Apply import adds and renames (stored canonical) and never deletes unmentioned tenants', async () => {
    await preview('customers.csv', MIXED_CSV);
    await page.getByRole('button', { name: 'Apply import' }).click();
    await page
      .getByRole('status')
      .getByText('Import applied: 1 new, 1 renamed, 1 unchanged, 3 rejected.')
      .waitFor();
    const settings = await storedSettings();
    assert.deepEqual(settings, {
      ...THREE,
      tenants: [
        { name: 'Contoso', id: CONTOSO, domain: 'contoso.onmicrosoft.com' },
        { name: 'Fabrikam Group', id: FABRIKAM },
        { name: 'Northwind Traders', id: NORTHWIND },
        { name: 'Adatum; Corp', id: ADATUM, domain: 'adatum.com' },
      ],
    });
    await page.getByRole('listitem').filter({ hasText: 'Adatum; Corp' }).waitFor();
    // The list before the import is kept as a backup.
    const { tenantListBackups } = await browser.storage();
    assert.equal(tenantListBackups.length, 1);
    assert.equal(tenantListBackups[0].reason, 'import');
    assert.deepEqual(tenantListBackups[0].tenants, THREE.tenants);
    assert.equal(await page.getByRole('button', { name: 'Restore previous list' }).isEnabled(), true);
    assert.deepEqual(browser.errors, []);
  });

  test('Export tenants and Export as CSV download files that re-import as unchanged', async () => {
    const json = await downloadOf('Export tenants');
    assert.equal(json.name, 'tenant-switch-tenants.json');
    assert.equal(
      json.text,
      [
        '{',
        '  "format": "tenant-switch",',
        '  "version": 1,',
        '  "tenants": [',
        `    {"name": "Contoso", "id": "${CONTOSO}", "domain": "contoso.onmicrosoft.com"},`,
        `    {"name": "Fabrikam", "id": "${FABRIKAM}"},`,
        `    {"name": "Northwind Traders", "id": "${NORTHWIND}"}`,
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
    const csv = await downloadOf('Export as CSV');
    assert.equal(csv.name, 'tenant-switch-tenants.csv');
    assert.equal(
      csv.text,
      `\ufeffname,tenant id,domain\r\nContoso,${CONTOSO},contoso.onmicrosoft.com\r\nFabrikam,${FABRIKAM},\r\nNorthwind Traders,${NORTHWIND},\r\n`,
    );
    for (const file of [json, csv]) {
      await preview(file.name, file.bytes, 'application/octet-stream');
      assert.equal(await counts(), '0 new, 0 renamed, 3 unchanged, 0 rejected');
      assert.equal(await page.locator('#import-rejected').isVisible(), false);
    }
    // Applying an import that changes nothing keeps no backup.
    await page.getByRole('button', { name: 'Apply import' }).click();
    await page.getByRole('status').getByText('Import applied: 0 new, 0 renamed, 3 unchanged, 0 rejected.').waitFor();
    assert.deepEqual(await browser.storage(), { settings: THREE });
    assert.deepEqual(browser.errors, []);
  });

  /** Clicks the button `name` and returns the download's `{name, bytes, text}`. */
  async function downloadOf(name) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name }).click(),
    ]);
    const bytes = readFileSync(await download.path());
    return { name: download.suggestedFilename(), bytes, text: bytes.toString('utf8') };
  }

  test('=Contoso round-trips through the CSV export', async () => {
    const tricky = [
      { name: '=Contoso', id: CONTOSO },
      { name: '@Fabrikam, "Group"', id: FABRIKAM, domain: 'fabrikam.com' },
    ];
    await openOptions({ settings: { ...THREE, tenants: tricky, activeTenant: null, recentTenants: [] } });
    const csv = await downloadOf('Export as CSV');
    assert.equal(
      csv.text,
      `\ufeffname,tenant id,domain\r\n'=Contoso,${CONTOSO},\r\n"'@Fabrikam, ""Group""",${FABRIKAM},fabrikam.com\r\n`,
    );
    await openOptions({ settings: { ...THREE, tenants: [], activeTenant: null, recentTenants: [] } });
    await preview(csv.name, csv.bytes);
    assert.equal(await counts(), '2 new, 0 renamed, 0 unchanged, 0 rejected');
    await page.getByRole('button', { name: 'Apply import' }).click();
    const settings = await waitForStored((s) => s.tenants.length === 2);
    assert.deepEqual(settings.tenants, tricky);
    assert.deepEqual(browser.errors, []);
  });

  test('a file over 10 MB is refused before it is read', async () => {
    const size = 10 * 1024 * 1024 + 1;
    await chooseFile('huge.csv', Buffer.alloc(size, 'a'));
    const alert = page.locator('#import-error');
    assert.equal(await alert.getAttribute('role'), 'alert');
    await waitFor(async () => (await alert.textContent()) !== '');
    assert.equal(
      await alert.textContent(),
      'This file has 10,485,761 bytes; files up to 10,485,760 bytes (10 MB) can be imported.',
    );
    assert.equal(await page.locator('#import-preview').isVisible(), false);
    assert.deepEqual(await browser.storage(), { settings: THREE });
    assert.deepEqual(browser.errors, []);
  });

  test('a binary file gets a clear message', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await chooseFile('customers.xlsx', png, 'application/octet-stream');
    await page
      .getByRole('alert')
      .getByText('This file is not text (an Excel workbook, perhaps). In Excel, save it as “CSV UTF-8” or “Unicode text” and import that file.')
      .waitFor();
    assert.equal(await page.locator('#import-preview').isVisible(), false);
    // A header without an ID column is named too.
    await chooseFile('names.csv', 'Name;Customer\r\nContoso;x\r\n');
    await page
      .getByRole('alert')
      .getByText('The header row has no column for the Tenant ID. Columns found: Name, Customer.')
      .waitFor();
    assert.deepEqual(await browser.storage(), { settings: THREE });
    assert.deepEqual(browser.errors, []);
  });

  test('Restore previous list after a delete, and again to undo the restore', async () => {
    const restore = page.getByRole('button', { name: 'Restore previous list' });
    assert.equal(await restore.isDisabled(), true);
    assert.equal(
      await page.locator('#restore-info').textContent(),
      'No previous list yet. One is kept before each deletion, import or restore (at most three).',
    );
    await page.getByRole('listitem').filter({ hasText: 'Contoso' }).getByRole('button', { name: 'Delete' }).click();
    let settings = await waitForStored((s) => s.tenants.length === 2);
    assert.equal(settings.activeTenant, null);
    await waitFor(() => restore.isEnabled());
    assert.match(
      await page.locator('#restore-info').textContent(),
      /^Previous list: saved .+ before a deletion, 3 tenants\.$/,
    );

    await restore.click();
    await page.getByRole('status').getByText(/^Restored the list saved .+ \(3 tenants\)\. Restore again to undo this\.$/).waitFor();
    settings = await storedSettings();
    // The list is back; the active tenant stays "No tenant", as the delete left it.
    assert.deepEqual(settings.tenants, THREE.tenants);
    assert.equal(settings.activeTenant, null);
    let { tenantListBackups } = await browser.storage();
    assert.deepEqual(
      tenantListBackups.map(({ reason, tenants }) => [reason, tenants.length]),
      // The restored backup is used up; the list it replaced is the only backup now.
      [['restore', 2]],
    );

    // Restoring again undoes the restore.
    await waitFor(async () => /before a restore, 2 tenants/.test(await page.locator('#restore-info').textContent()));
    await restore.click();
    settings = await waitForStored((s) => s.tenants.length === 2);
    assert.deepEqual(settings.tenants, THREE.tenants.slice(1));
    ({ tenantListBackups } = await browser.storage());
    assert.deepEqual(tenantListBackups.map(({ tenants }) => tenants.length), [3]);
    assert.deepEqual(browser.errors, []);
  });

  test('Restore previous list after an import; the active tenant it lacks becomes No tenant', async () => {
    await preview('customers.csv', MIXED_CSV);
    await page.getByRole('button', { name: 'Apply import' }).click();
    await waitForStored((s) => s.tenants.length === 4);
    await browser.sendOk({ what: 'switchTenant', id: ADATUM });
    const restore = page.getByRole('button', { name: 'Restore previous list' });
    await waitFor(async () => /before an import, 3 tenants/.test(await page.locator('#restore-info').textContent()));
    await restore.click();
    const settings = await waitForStored((s) => s.tenants.length === 3);
    assert.deepEqual(settings, { ...THREE, activeTenant: null, recentTenants: [CONTOSO] });
    assert.deepEqual(browser.errors, []);
  });

  test('at most 3 backups are kept, newest first; no backup means Restore is refused', async () => {
    const answer = await browser.send({ what: 'restoreTenantList' });
    assert.equal(answer.ok, false);
    assert.equal(answer.error.name, 'BackupNone');
    const add = (name, id) => browser.sendOk({ what: 'applyOperation', operation: { op: 'addTenant', tenant: { name, id } } });
    const remove = (id) => browser.sendOk({ what: 'applyOperation', operation: { op: 'deleteTenant', id } });
    await add('Adatum', ADATUM);
    await remove(ADATUM);
    await remove(NORTHWIND);
    await remove(FABRIKAM);
    await remove(CONTOSO);
    const { tenantListBackups } = await browser.storage();
    assert.deepEqual(
      tenantListBackups.map(({ reason, tenants }) => [reason, tenants.map((t) => t.name)]),
      [
        ['deleteTenant', ['Contoso']],
        ['deleteTenant', ['Contoso', 'Fabrikam']],
        ['deleteTenant', ['Contoso', 'Fabrikam', 'Northwind Traders']],
      ],
    );
    assert.ok(tenantListBackups.every(({ savedAt }) => typeof savedAt === 'number'));
    assert.deepEqual(
      (await browser.send({ what: 'getTenantListBackups' })).backups.map(({ reason, count }) => [reason, count]),
      [['deleteTenant', 1], ['deleteTenant', 2], ['deleteTenant', 3]],
    );
    // An invalid backup is refused by the core and nothing changes.
    const broken = [{ savedAt: 1, reason: 'import', tenants: [{ name: 'A', id: CONTOSO }, { name: 'a', id: FABRIKAM }] }];
    await browser.inWorker((value) => chrome.storage.local.set({ tenantListBackups: value }), broken);
    const before = await browser.storage();
    const refused = await browser.send({ what: 'restoreTenantList' });
    assert.equal(refused.error.name, 'SettingsDuplicateTenantName');
    assert.deepEqual(await browser.storage(), before);
    assert.deepEqual(browser.errors, []);
  });

  test('10,000 rows import through the page', async () => {
    const hex = (n) => n.toString(16).padStart(12, '0');
    const lines = ['name,tenant id,domain'];
    for (let n = 1; n <= 10_000; n += 1) {
      lines.push(`Customer ${n},00000000-0000-4000-8000-${hex(n)},customer${n}.onmicrosoft.com`);
    }
    await openOptions({ settings: { ...THREE, tenants: [], activeTenant: null, recentTenants: [] } });
    const started = performance.now();
    await preview('ten-thousand.csv', `${lines.join('\n')}\n`);
    const previewed = performance.now();
    assert.equal(await counts(), '10,000 new, 0 renamed, 0 unchanged, 0 rejected');
    await page.getByRole('button', { name: 'Apply import' }).click();
    await page
      .getByRole('status')
      .getByText('Import applied: 10,000 new, 0 renamed, 0 unchanged, 0 rejected.')
      .waitFor({ timeout: 30_000 });
    const applied = performance.now();
    console.log(
      `10,000 rows: preview ${Math.round(previewed - started)} ms, apply ${Math.round(applied - previewed)} ms`,
    );
    const settings = await storedSettings();
    assert.equal(settings.tenants.length, 10_000);
    assert.deepEqual(settings.tenants[9_999], {
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

  test('the preview and its reasons are German', async () => {
    await replaceStoredSettings(browser, THREE);
    const page = await browser.openExtensionPage('options.html');
    await page.getByRole('button', { name: 'Mandant hinzufügen' }).waitFor();
    await page.getByLabel('Mandanten importieren').setInputFiles({
      name: 'kunden.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(MIXED_CSV),
    });
    await page.getByRole('heading', { name: 'Vorschau für \u2068kunden.csv\u2069' }).waitFor();
    assert.equal(await page.locator('#import-counts').textContent(), '1 neu, 1 umbenannt, 1 unverändert, 3 abgelehnt');
    const rows = await page.locator('#import-rejected-rows tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.cells].map((cell) => cell.textContent)),
    );
    assert.deepEqual(rows[1], [
      'Zeile 6',
      `Die Mandanten-ID ${ADATUM} kommt weiter oben in dieser Datei vor (Zeile 4); nur der erste Eintrag wird importiert.`,
    ]);
    for (const name of ['Import übernehmen', 'Import abbrechen', 'Mandanten exportieren', 'Als CSV exportieren', 'Vorherige Liste wiederherstellen']) {
      await page.getByRole('button', { name }).waitFor({ state: 'attached' });
    }
    assert.deepEqual(browser.errors, []);
  });
});

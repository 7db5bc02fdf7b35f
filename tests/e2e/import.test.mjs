// Import through the options page, end to end in headless Chromium with the real extension
// loaded: the preview of every import fixture (counts, each rejected row with its line or entry
// and its reason, as a person reads them), Cancel and Apply, a file over the size limit, files
// that are not readable text and a file the browser cannot read; and the "both" half of the link
// builder fixture set (tests/fixtures/link-builder/manifest.json): against an empty list the
// extension's import preview gives exactly the manifest's hand-checked tenants and line errors,
// on the page and in the session's answer. Every test asserts no console error, uncaught error or
// CSP violation. Export and backups are in options.test.mjs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { launchWithServer as launch, waitFor } from './lib/browser.mjs';
import { DEFAULT_SETTINGS, replaceStoredSettings, storedSettings } from './lib/fixtures.mjs';
import { fromImportPreview, loadLinkBuilderFixtures } from './lib/link-builder-fixtures.mjs';

const IMPORT_FIXTURES = new URL('../fixtures/import/', import.meta.url);
const fixture = (name) => readFileSync(new URL(name, IMPORT_FIXTURES));

/** The list tests/fixtures/import/*.expected.json are judged against (its README). */
const CONTOSO = { name: 'Contoso', id: '6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b', domain: 'contoso.onmicrosoft.com' };
const FABRIKAM = { name: 'Fabrikam', id: '2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710', domain: 'fabrikam.com' };
const NORTHWIND = { name: 'Northwind Traders', id: '9d4c3b2a-1e0f-4a5b-8c7d-6e5f4a3b2c1d' };
const EXISTING = { ...DEFAULT_SETTINGS, tenants: [CONTOSO, FABRIKAM, NORTHWIND], defaultTenant: CONTOSO.id, recentTenants: [CONTOSO.id] };
const isolate = (text) => `\u2068${text}\u2069`;
const ALREADY = '(already in your list)';

/**
 * What the page shows for each import fixture against EXISTING, read off the files by hand: the
 * counts line and the rejected rows, or the alert for a file that cannot be read at all.
 * (policy-clash.csv is judged against policy tenants too: policy.test.mjs.)
 */
const PREVIEWS = {
  'partner-center.csv': { counts: '2 new, 1 renamed, 1 unchanged, 0 rejected', rejected: [] },
  'lighthouse.csv': {
    counts: '1 new, 0 renamed, 2 unchanged, 1 rejected',
    rejected: [['Line 5', '“l” (position 1) cannot be in a tenant ID: it has only the digits 0–9, the letters a–f and hyphens.']],
  },
  'cipp.csv': {
    counts: '2 new, 1 renamed, 1 unchanged, 1 rejected',
    rejected: [['Line 5', `The name ${isolate('northwind traders')} is already used by tenant ${NORTHWIND.id} ${ALREADY}.`]],
  },
  'german-excel.csv': {
    counts: '3 new, 0 renamed, 0 unchanged, 1 rejected',
    rejected: [['Line 6', 'Tenant ID 7dfa6e4e-e3fd-4d5e-8767-79dd3e728d12 appears earlier in this file (line 2); only the first is imported.']],
  },
  'excel-unicode-text.txt': {
    counts: '2 new, 0 renamed, 0 unchanged, 1 rejected',
    rejected: [['Line 3', `The name ${isolate('ＣＯＮＴＯＳＯ')} is already used by tenant ${CONTOSO.id} ${ALREADY}.`]],
  },
  'quoted.csv': {
    counts: '4 new, 0 renamed, 0 unchanged, 5 rejected',
    rejected: [
      ['Line 6', 'Tenant ID 4478466a-6532-41cb-ac23-c9e2a718bb9f appears earlier in this file (line 4); only the first is imported.'],
      ['Line 7', '00000000-0000-0000-0000-000000000000 is a placeholder, not a tenant ID.'],
      ['Line 8', 'Enter the tenant name.'],
      ['Line 9', '“_” (position 6) cannot be in a domain: use letters a–z, digits, hyphens and dots (xn-- form for international names).'],
      ['Line 10', `The name ${isolate('gamma')} is already used by tenant 4478466a-6532-41cb-ac23-c9e2a718bb9f (earlier in this file, line 4).`],
    ],
  },
  'tenant-switch.json': {
    counts: '1 new, 1 renamed, 1 unchanged, 1 rejected',
    rejected: [['Entry 4', 'A tenant ID has 32 hex digits; this one has 20.']],
  },
  'plain-array.json': {
    counts: '1 new, 1 renamed, 0 unchanged, 6 rejected',
    rejected: [
      ['Entry 3', 'This entry is a JSON string, not a tenant {name, id, domain}.'],
      ['Entry 4', 'The Tenant name should be text, found a JSON number.'],
      ['Entry 5', 'The Tenant ID should be text, found a JSON array.'],
      ['Entry 6', 'Enter the tenant name.'],
      ['Entry 7', `The name ${isolate('RELECLOUD')} is already used by tenant 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d (earlier in this file, entry 1).`],
      ['Entry 8', 'Tenant ID 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d appears earlier in this file (entry 1); only the first is imported.'],
    ],
  },
  'no-id-column.csv': { alert: 'The header row has no column for the Tenant ID. Columns found: Company name, Primary domain name.' },
  'windows-1252.csv': { alert: 'Line 3 is not UTF-8 text. In Excel, save the file as “CSV UTF-8” or “Unicode text”.' },
  'spreadsheet.xlsx': { alert: 'This file is not text (an Excel workbook, perhaps). In Excel, save it as “CSV UTF-8” or “Unicode text” and import that file.' },
};
/** The words the page uses for a file that cannot be read at all (the link builder manifest's `error`s). */
const FILE_ALERTS = {
  ImportMissingColumn: PREVIEWS['no-id-column.csv'].alert,
  ImportNotUtf8: PREVIEWS['windows-1252.csv'].alert,
  ImportBinaryFile: PREVIEWS['spreadsheet.xlsx'].alert,
};

/** A core error as the manifest writes it: without the English `message` answers add for logs. */
const withoutMessage = (error) => {
  const rest = { ...error };
  delete rest.message;
  return rest;
};

describe('import (English)', () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch('en-US');
  });
  after(async () => {
    await browser?.close();
  });

  async function openOptions(settings = EXISTING) {
    for (const each of browser.context.pages()) await each.close();
    await replaceStoredSettings(browser, settings);
    browser.errors.length = 0;
    page = await browser.openExtensionPage('options.html');
    await page.getByRole('button', { name: 'Add tenant' }).waitFor();
    await waitFor(() => page.locator('#list-summary').textContent(), Boolean);
  }

  const chooseFile = (name, content, mimeType = 'text/csv') =>
    page.getByLabel('Import tenants').setInputFiles({ name, mimeType, buffer: Buffer.from(content) });

  /** Chooses a file; what the page then shows: `{counts, rejected}` or `{alert}`. */
  async function shown(name, content) {
    await chooseFile(name, content, 'application/octet-stream');
    const heading = page.getByRole('heading', { name: `Preview of ${isolate(name)}` });
    const alert = page.locator('#import-error');
    await heading.or(alert.filter({ hasText: /./ })).first().waitFor();
    if (!(await heading.isVisible())) {
      assert.equal(await alert.getAttribute('role'), 'alert');
      return { alert: await alert.textContent() };
    }
    const rejected = await page
      .getByRole('table', { name: 'Rejected rows (these are not imported)' })
      .getByRole('row')
      .evaluateAll((rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent)));
    return { counts: await page.locator('#import-counts').textContent(), rejected };
  }

  function noErrors() {
    assert.deepEqual(browser.errors, []);
  }

  test('the preview of each import fixture: counts, and every rejected row with its line or entry and reason', async () => {
    await openOptions();
    const seen = {};
    for (const name of Object.keys(PREVIEWS)) {
      seen[name] = await shown(name, fixture(name));
      if (seen[name].rejected?.length) {
        // Rejected rows make the counts an alert.
        assert.equal(await page.getByRole('alert').filter({ hasText: seen[name].counts }).count(), 1, name);
      }
    }
    assert.deepEqual(seen, PREVIEWS);
    // A preview changes nothing.
    assert.deepEqual(await storedSettings(browser), EXISTING);
    noErrors();
  });

  test('Cancel import closes the preview and changes nothing', async () => {
    await openOptions();
    await shown('partner-center.csv', fixture('partner-center.csv'));
    const before = await browser.storage();
    await page.getByRole('button', { name: 'Cancel import' }).click();
    await page.getByRole('status').getByText('Import cancelled. Nothing was changed.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Apply import' }).isVisible(), false);
    assert.equal(await page.getByLabel('Import tenants').inputValue(), '');
    assert.deepEqual(await browser.storage(), before);
    noErrors();
  });

  test('Apply import adds and renames, keeps the tenants the file does not name, and keeps the list before as a backup', async () => {
    await openOptions();
    await shown('partner-center.csv', fixture('partner-center.csv'));
    await page.getByRole('button', { name: 'Apply import' }).click();
    await page.getByRole('status').getByText('Import applied: 2 new, 1 renamed, 1 unchanged, 0 rejected.').waitFor();
    const settings = await storedSettings(browser);
    assert.deepEqual(settings.tenants, [
      CONTOSO,
      { name: 'Fabrikam Inc.', id: FABRIKAM.id, domain: 'fabrikam.com' },
      NORTHWIND,
      { name: 'Adatum Corporation, Ltd.', id: 'a705f0ac-19b2-45d1-9a2a-956d5d3a7db9', domain: 'adatum.onmicrosoft.com' },
      { name: 'Wide World Importers', id: 'd708583a-d261-4b39-9b5b-56551220159e', domain: 'wideworldimporters.onmicrosoft.com' },
    ]);
    assert.equal(settings.defaultTenant, CONTOSO.id);
    const names = await page
      .getByRole('table', { name: 'Tenants' })
      .locator('tbody tr bdi.name')
      .allTextContents();
    assert.deepEqual(names, ['Adatum Corporation, Ltd.', 'Contoso', 'Fabrikam Inc.', 'Northwind Traders', 'Wide World Importers']);
    await waitFor(() => page.getByRole('button', { name: 'Restore previous list' }).isEnabled());
    assert.match(await page.locator('#restore-info').textContent(), /before an import, 3 tenants\.$/);
    // The focus goes back to the file field for the next file.
    assert.equal(await page.getByLabel('Import tenants').evaluate((input) => input === document.activeElement), true);
    noErrors();
  });

  test('a file over 10 MB is refused before it is read', async () => {
    await openOptions();
    const size = 10 * 1024 * 1024 + 1;
    assert.deepEqual(await shown('huge.csv', Buffer.alloc(size, 'a')), {
      alert: 'This file has 10,485,761 bytes; files up to 10,485,760 bytes (10 MB) can be imported.',
    });
    assert.equal(await page.locator('#import-preview').isVisible(), false);
    assert.deepEqual(await storedSettings(browser), EXISTING);
    noErrors();
  });

  test('a file the browser cannot read: the reason in an alert, no preview', async () => {
    await openOptions();
    await page.evaluate(() => {
      File.prototype.arrayBuffer = () =>
        Promise.reject(new DOMException('The requested file could not be read.', 'NotReadableError'));
    });
    assert.deepEqual(await shown('gone.csv', 'name,tenant id\n'), {
      alert: 'The file could not be read: The requested file could not be read.',
    });
    assert.equal(await page.locator('#import-preview').isVisible(), false);
    noErrors();
  });

  test('an import error clears when the next file previews', async () => {
    await openOptions();
    await shown('spreadsheet.xlsx', fixture('spreadsheet.xlsx'));
    const next = await shown('lighthouse.csv', fixture('lighthouse.csv'));
    assert.equal(next.counts, PREVIEWS['lighthouse.csv'].counts);
    assert.equal(await page.locator('#import-error').textContent(), '');
    noErrors();
  });

  // The "both" half of issue 15: the page and the extension read these files alike.
  const both = loadLinkBuilderFixtures().filter((f) => f.reads === 'both');

  test('every link builder fixture marked "both" previews exactly the manifest\'s tenants and line errors', async () => {
    assert.ok(both.length >= 16, `${both.length} "both" fixtures`);
    await openOptions(DEFAULT_SETTINGS);
    const mismatches = [];
    for (const { file, name, bytes, expected } of both) {
      const page_ = await shown(name, bytes);
      // The session's own answer, asked from the page as the page asks it.
      const answer = await page.evaluate((data) => chrome.runtime.sendMessage({ what: 'previewImport', data }), bytes.toString('base64'));
      const label = (row) => (row.line !== undefined ? `Line ${row.line}` : `Entry ${row.entry}`);
      if (expected.error) {
        const got = { ok: answer.ok, error: answer.ok ? null : withoutMessage(answer.error), alert: page_.alert };
        const want = { ok: false, error: expected.error, alert: FILE_ALERTS[expected.error.name] };
        try {
          assert.deepEqual(got, want);
        } catch {
          mismatches.push({ file, got, want });
        }
        continue;
      }
      const got = {
        preview: fromImportPreview(answer.preview),
        counts: page_.counts,
        lines: page_.rejected.map(([line]) => line),
      };
      const want = {
        preview: expected,
        counts: `${expected.tenants.length} new, 0 renamed, 0 unchanged, ${expected.rejected.length} rejected`,
        lines: expected.rejected.map(label),
      };
      try {
        assert.deepEqual(got, want);
      } catch {
        mismatches.push({ file, got, want });
      }
      // Each rejected row's reason is worded, never the raw error.
      for (const [line, reason] of page_.rejected) {
        if (!reason || /Something went wrong|\$\w+\$|undefined/.test(reason)) mismatches.push({ file, line, reason });
      }
    }
    assert.deepEqual(mismatches, []);
    // Nothing was imported by previewing.
    assert.deepEqual(await storedSettings(browser), DEFAULT_SETTINGS);
    noErrors();
  });

  test('a "both" fixture applied against an empty list stores exactly the manifest\'s tenants', async () => {
    const { name, bytes, expected } = both.find((f) => f.file === '../import/quoted.csv');
    await openOptions(DEFAULT_SETTINGS);
    await shown(name, bytes);
    await page.getByRole('button', { name: 'Apply import' }).click();
    await page.getByRole('status').getByText('Import applied: 4 new, 0 renamed, 0 unchanged, 5 rejected.').waitFor();
    const tenants = expected.tenants.map((row) => {
      const tenant = { ...row };
      delete tenant.line;
      return tenant;
    });
    assert.deepEqual((await storedSettings(browser)).tenants, tenants);
    noErrors();
  });
});

describe('import (German)', () => {
  let browser;

  before(async () => {
    browser = await launch('de');
  });
  after(async () => {
    await browser?.close();
  });

  test('the preview, its reasons and the buttons are German', async () => {
    await replaceStoredSettings(browser, EXISTING);
    const page = await browser.openExtensionPage('options.html');
    await page.getByRole('button', { name: 'Mandant hinzufügen' }).waitFor();
    await page.getByLabel('Mandanten importieren').setInputFiles({ name: 'kunden.csv', mimeType: 'text/csv', buffer: fixture('quoted.csv') });
    await page.getByRole('heading', { name: `Vorschau für ${isolate('kunden.csv')}` }).waitFor();
    assert.equal(await page.locator('#import-counts').textContent(), '4 neu, 0 umbenannt, 0 unverändert, 5 abgelehnt');
    const rows = await page
      .getByRole('table', { name: 'Abgelehnte Zeilen (diese werden nicht importiert)' })
      .getByRole('row')
      .evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((cell) => cell.textContent)));
    assert.deepEqual(rows[0], [
      'Zeile 6',
      'Die Mandanten-ID 4478466a-6532-41cb-ac23-c9e2a718bb9f kommt weiter oben in dieser Datei vor (Zeile 4); nur der erste Eintrag wird importiert.',
    ]);
    assert.equal(rows.length, 5);
    for (const name of ['Import übernehmen', 'Import abbrechen']) await page.getByRole('button', { name }).waitFor();
    await page.getByLabel('Mandanten importieren').setInputFiles({ name: 'mappe.xlsx', mimeType: 'application/octet-stream', buffer: fixture('spreadsheet.xlsx') });
    await page.getByRole('alert').getByText('Excel', { exact: false }).first().waitFor();
    assert.deepEqual(browser.errors, []);
  });
});

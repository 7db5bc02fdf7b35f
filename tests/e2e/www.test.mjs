// End-to-end tests of the link builder page (dist/www/index.html, built by ./build.sh) in
// headless Chromium, served over HTTP from 127.0.0.1 and opened from file://. The tests drive the
// page by its accessible names, as a person would, and prove that it made no request beyond its
// own file, opened no dialog and logged no error. Every file of tests/fixtures/link-builder/ is
// dropped on the page (and pasted, when it is UTF-8 text) and must give exactly its hand-checked
// tenants and rejected rows, worded by the extension's own errorMessage.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

import { markdownToHtml } from '../../www/markdown.mjs';
import { waitFor } from './lib/browser.mjs';
import { loadLinkBuilderFixtures } from './lib/link-builder-fixtures.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PAGE = join(ROOT, 'dist', 'www', 'index.html');

const CONTOSO = '1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b';
const PLAIN = '6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b';
const HOSTILE = '2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c';
const TAILSPIN = '3d4e5f60-7182-493a-8bcd-2e3f4a5b6c7d';
const EXPLICIT = '4e5f6071-8293-4a4b-9cde-3f4a5b6c7d8e';
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

// What an analyst pastes: a bare ID (upper case), CSV lines with and without a domain, a hostile
// name, two bad rows and a blank line. Line numbers count the blank line.
const PASTED = [
  '6F1C2B6A-0C6E-4B8E-9E0A-2C1D3E4F5A6B',
  `Contoso,{${CONTOSO}},contoso.onmicrosoft.com`,
  `${HOSTILE_NAME},${HOSTILE}`,
  'Fabrikam,not-a-guid',
  'fabrikam.onmicrosoft.com',
  '',
  `Tailspin & "Co",${TAILSPIN.toUpperCase()}`,
].join('\n');

const link = (id) => `https://security.microsoft.com/?tid=${id}`;

// ---- the strings the page must show, from the same _locales files ----

const MESSAGES = {};
function messagesFor(lang) {
  MESSAGES[lang] ??= JSON.parse(readFileSync(join(ROOT, 'extension', '_locales', lang, 'messages.json'), 'utf8'));
  return MESSAGES[lang];
}

/** chrome.i18n.getMessage for the tests: `$NAME$` -> its placeholder's `$n` -> args[n-1]. */
function expected(lang, key, args = []) {
  const entry = messagesFor(lang)[key] ?? messagesFor('en')[key];
  assert.ok(entry, `${lang}: message ${key} exists`);
  const placeholders = Object.fromEntries(
    Object.entries(entry.placeholders ?? {}).map(([name, value]) => [name.toLowerCase(), value.content]),
  );
  return entry.message.replace(/\$(\w+)\$/g, (_, name) =>
    placeholders[name.toLowerCase()].replace(/\$(\d)/g, (__, n) => String(args[Number(n) - 1])),
  );
}

// The extension's own wording of core errors (i18n.js), over a chrome.i18n that reads the same
// messages.json files. i18n.js picks up `chrome` when it is first imported. It is imported from
// the built extension, where the error fields it imports (error-fields.js, generated from the
// core's catalogue by the build) sit beside it; extension/ has no such file.
let wordingLanguage = 'en';
globalThis.chrome = {
  i18n: {
    getMessage(key, substitutions = []) {
      const entry = messagesFor(wordingLanguage)[key];
      return entry ? expected(wordingLanguage, key, substitutions) : '';
    },
    getUILanguage: () => wordingLanguage,
  },
};
const BUILT_I18N = join(ROOT, 'dist', 'extension', 'i18n.js');
assert.ok(existsSync(BUILT_I18N), 'dist/extension/i18n.js is missing: run ./build.sh first');
const { errorMessage } = await import(pathToFileURL(BUILT_I18N).href);

const COLUMN_LABELS = { name: 'tenantNameLabel', id: 'tenantIdLabel', domain: 'domainLabel' };

/**
 * A rejected row's or unreadable file's error as the options page words it, written out here
 * from the messages themselves: the column label and the earlier row filled in, then the
 * error's own message (errorMessage).
 */
function importWords(lang, error) {
  wordingLanguage = lang;
  const number = (n) => new Intl.NumberFormat(lang).format(n);
  const details = { ...error };
  const column = (key) => expected(lang, COLUMN_LABELS[key]);
  if (error.name === 'ImportMissingColumn') {
    details.column = column(error.column);
    details.found = error.found.join(', ');
  }
  if (error.name === 'ImportRowWrongType') {
    details.field = column(error.field);
  }
  // "(line 4)" for a repeated ID; " (line 4 of this file)" or " (already in your list)" for a
  // name or alias that is taken.
  if (['ImportRowDuplicateId', 'ImportRowNameTaken', 'ImportRowAliasTaken'].includes(error.name)) {
    const inFile = error.name !== 'ImportRowDuplicateId';
    const phrase = (key, n) => (inFile ? expected(lang, 'importInFile', [expected(lang, key, [number(n)])]) : expected(lang, key, [number(n)]));
    details.firstLine = error.firstLine !== undefined ? phrase('importFirstLine', error.firstLine) : '';
    details.firstEntry = error.firstEntry !== undefined ? phrase('importFirstEntry', error.firstEntry) : '';
    if (inFile && error.firstLine === undefined && error.firstEntry === undefined) details.firstLine = expected(lang, 'importInList');
  }
  return errorMessage(details);
}

// ---- browser and server ----

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let browser;
let server;
let serverRequests = [];
let httpUrl;

function startServer() {
  return new Promise((resolve) => {
    const instance = createServer((request, response) => {
      serverRequests.push(request.url);
      if (request.url === '/' || request.url === '/index.html') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(readFileSync(PAGE));
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('not found');
      }
    });
    instance.listen(0, '127.0.0.1', () => resolve(instance));
  });
}

before(async () => {
  assert.ok(existsSync(PAGE), 'dist/www/index.html exists: run ./build.sh first');
  server = await startServer();
  httpUrl = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

/**
 * Opens the page in a fresh context and records what a test must check afterwards: every
 * request the browser made, dialogs and console errors.
 */
async function openPage(url, { locale = 'en-US', clipboard = true } = {}) {
  const context = await browser.newContext({ locale, acceptDownloads: true });
  if (clipboard) {
    const origin = url.startsWith('http') ? new URL(url).origin : undefined;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], origin ? { origin } : {});
  }
  const seen = { requests: [], dialogs: [], errors: [] };
  context.on('request', (request) => seen.requests.push(request.url()));
  const page = await context.newPage();
  page.on('dialog', async (dialog) => {
    seen.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      seen.errors.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => seen.errors.push(`pageerror: ${error.message}`));
  serverRequests = [];
  await page.goto(url);
  return { context, page, seen };
}

/**
 * No request beyond the page's own file (blob: is the bookmarks download), no dialog, no error,
 * nothing stored.
 */
async function assertQuiet({ context, page, seen }, url) {
  assert.deepEqual(
    await page.evaluate(async () => [localStorage.length, sessionStorage.length, (await globalThis.indexedDB.databases()).length]),
    [0, 0, 0],
    'nothing stored',
  );
  assert.deepEqual(await context.cookies(), [], 'no cookie');
  const foreign = seen.requests.filter((request) => request !== url && !request.startsWith('blob:'));
  assert.deepEqual(foreign, [], 'no request beyond the page itself');
  assert.deepEqual(seen.dialogs, [], 'no dialog');
  assert.deepEqual(seen.errors, [], 'no console error or warning');
  if (url.startsWith('http')) {
    assert.ok(serverRequests.length > 0, 'the server saw the page');
    assert.deepEqual(serverRequests.filter((path) => path !== '/'), [], 'the server saw only the page');
  }
}

/** The table of links, named by its section's heading ("Portal links", "Portal-Links"). */
function linksTable(page) {
  return page.getByRole('table', { name: /^Portal[ -]links$/i });
}

async function tableRows(page) {
  // Without the rows an open "All portals" list adds below its tenant's row.
  return linksTable(page)
    .locator('tbody tr:not(.portal-row)')
    .evaluateAll((rows) => rows.map((row) => [...row.cells].slice(0, 4).map((cell) => cell.textContent)));
}

/** The table's header cells and every row's first four cells, as text. */
async function tableHeader(page) {
  return linksTable(page).locator('thead th').allTextContents();
}

/** Types `query` into the "Tenant" combobox and clicks the option named `option`. */
async function chooseTenant(page, query, option, label = 'Tenant') {
  const tenant = page.getByRole('combobox', { name: label, exact: true });
  await tenant.fill(query);
  await page.getByRole('listbox', { name: label, exact: true }).getByRole('option', { name: option, exact: true }).click();
}

/** The text of the combobox option that aria-activedescendant points to. */
async function activeOption(page) {
  const id = await page.getByRole('combobox', { name: 'Tenant', exact: true }).getAttribute('aria-activedescendant');
  return id === null ? null : page.locator(`[id="${id}"]`).textContent();
}

/** Drops a file with `bytes` on the text area, as a file dragged from the desktop. */
async function dropFile(page, name, bytes, label = 'Tenant IDs or CSV') {
  const dataTransfer = await page.evaluateHandle(
    ({ fileName, data }) => {
      const binary = atob(data);
      const array = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i += 1) {
        array[i] = binary.charCodeAt(i);
      }
      const transfer = new DataTransfer();
      transfer.items.add(new File([array], fileName));
      return transfer;
    },
    { fileName: name, data: bytes.toString('base64') },
  );
  await page.getByLabel(label).dispatchEvent('drop', { dataTransfer });
}

/**
 * What the page shows for the text it read, in the manifest's terms: the table's rows and the
 * alert's heading and list (an unreadable file: the heading alone).
 */
async function shown(page) {
  const problems = page.locator('#problems');
  return {
    rows: (await linksTable(page).isVisible()) ? await tableRows(page) : [],
    heading: await problems.locator('p').allTextContents(),
    lines: await problems.getByRole('listitem').allTextContents(),
  };
}

/** What the page must show for a fixture's `expected`, worded in `lang`. */
function shownFor(lang, expectedResult) {
  if (expectedResult.error) {
    return { rows: [], heading: [importWords(lang, expectedResult.error)], lines: [] };
  }
  const json = expectedResult.format === 'json';
  const number = (n) => new Intl.NumberFormat(lang).format(n);
  const at = (row) => number(row.line ?? row.entry);
  const count = expectedResult.rejected.length;
  return {
    rows: expectedResult.tenants.map((tenant) => [at(tenant), tenant.name ?? '', tenant.id, link(tenant.id)]),
    heading: count > 0 ? [expected(lang, json ? 'www_entryProblemCount' : 'www_problemCount', [number(count)])] : [],
    lines: expectedResult.rejected.map((row) =>
      expected(lang, json ? 'www_entryError' : 'www_lineError', [at(row), importWords(lang, row.error)]),
    ),
  };
}

/** The file's text when it is UTF-8 (byte order mark kept), else null: what can be pasted. */
function utf8Text(bytes) {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return text.includes('\0') ? null : text;
  } catch {
    return null;
  }
}

/** `n` tenants named "Customer 0001" to "Customer n" as CSV lines without a header. */
function manyTenants(n) {
  return Array.from({ length: n }, (_, i) => {
    const k = i + 1;
    const hex = k.toString(16).padStart(8, '0');
    return `Customer ${String(k).padStart(4, '0')},${hex}-0000-4000-8000-${k.toString(16).padStart(12, '0')},c${k}.example`;
  }).join('\n');
}

/**
 * Pastes `text` into the text area from the clipboard, as a person would (one input event;
 * Playwright's fill inserts a long text line by line).
 */
async function paste(page, text) {
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.getByLabel('Tenant IDs or CSV').focus();
  await page.keyboard.press('ControlOrMeta+V');
}

/**
 * What the clipboard holds once it holds `expected` (the page writes it asynchronously, and the
 * clipboard may still hold an earlier copy), or what it holds when it never does.
 */
async function readClipboard(page, expected) {
  return waitFor(() => page.evaluate(() => navigator.clipboard.readText()), (text) => text === expected);
}

async function downloadBookmarks(page, name) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'tenant-switch-bookmarks.html');
  return readFileSync(await download.path(), 'utf8');
}

/**
 * The folders of the bookmarks file for PASTED: one per tenant, named by its name or its ID,
 * names escaped; every tenant has the 11 portals that need no initial domain, Contoso (whose
 * primary domain is its initial domain) all 14.
 */
const EXPECTED_FOLDERS = [
  '    <DT><H3>Tenant Switch</H3>',
  `        <DT><H3>${PLAIN}</H3>`,
  '        <DT><H3>Contoso</H3>',
  '        <DT><H3>&lt;img src=x onerror=alert(1)&gt;</H3>',
  '        <DT><H3>Tailspin &amp; &quot;Co&quot;</H3>',
];

/** The `<H3>` lines of a bookmarks file, and how many links each tenant folder holds. */
function folders(file) {
  const lines = file.split('\n');
  const counts = [];
  for (const line of lines) {
    if (line.startsWith('        <DT><H3>')) {
      counts.push(0);
    } else if (line.startsWith('            <DT><A HREF=')) {
      counts[counts.length - 1] += 1;
    }
  }
  return { headings: lines.filter((line) => line.includes('<H3>')), counts };
}

/** initial-domains.csv (link-builder fixtures) and its bookmarks file, written out by hand. */
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'link-builder');
const INITIAL_DOMAINS = readFileSync(join(FIXTURES, 'initial-domains.csv'), 'utf8');
const INITIAL_DOMAINS_BOOKMARKS = readFileSync(join(FIXTURES, 'initial-domains.bookmarks.html'), 'utf8');
const CONTOSO_CIPP = '6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b';
const TAILSPIN_CIPP = 'e9a9eef0-0629-4a1b-be7c-11806cc85fc9';

/**
 * Contoso of initial-domains.csv (ID, custom primary domain contoso.com, initial domain
 * contoso.onmicrosoft.com): every portal's link by its accessible name, written out from the
 * sources (README), not from the core's templates.
 */
const CONTOSO_PORTALS = [
  ['Microsoft Defender', `https://security.microsoft.com/?tid=${CONTOSO_CIPP}`],
  ['Incidents', `https://security.microsoft.com/incidents?tid=${CONTOSO_CIPP}`],
  ['Alerts', `https://security.microsoft.com/alerts?tid=${CONTOSO_CIPP}`],
  ['Advanced hunting', `https://security.microsoft.com/v2/advanced-hunting?tid=${CONTOSO_CIPP}`],
  ['Action center', `https://security.microsoft.com/action-center?tid=${CONTOSO_CIPP}`],
  ['Microsoft Purview', `https://purview.microsoft.com/?tid=${CONTOSO_CIPP}`],
  ['Microsoft Entra admin center', 'https://entra.microsoft.com/contoso.com'],
  ['Microsoft Intune admin center', 'https://intune.microsoft.com/contoso.com'],
  ['Azure portal', 'https://portal.azure.com/contoso.com'],
  ['Microsoft 365 admin center', 'https://admin.cloud.microsoft/?delegatedOrg=contoso.onmicrosoft.com'],
  [
    'Exchange admin center',
    'https://admin.cloud.microsoft/exchange?landingpage=homepage&form=mac_sidebar&delegatedOrg=contoso.onmicrosoft.com#',
  ],
  ['Microsoft Teams admin center', 'https://admin.teams.microsoft.com/?delegatedOrg=contoso.onmicrosoft.com'],
  ['Power BI admin portal', `https://app.powerbi.com/admin-portal?ctid=${CONTOSO_CIPP}`],
  ['Power Platform admin center', `https://admin.powerplatform.microsoft.com/account/login/${CONTOSO_CIPP}`],
];
const PARTNER_ONLY = ['Microsoft 365 admin center', 'Exchange admin center', 'Microsoft Teams admin center'];

/** The accessible description of `locator`: the text of the elements its aria-describedby names. */
async function description(locator) {
  return locator.evaluate((node) =>
    (node.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );
}

// ---- the user guide's Markdown renderer (markdown-it, build time) ----

describe('www/markdown.mjs', () => {
  test('converts the constructs the guide uses, headings moved down by the offset', () => {
    const markdown = [
      '## Install *now*',
      '',
      'Open `chrome://extensions` and read [the docs](https://example.org/a?b=1&c=2).',
      '',
      '- one',
      '  continued',
      '- **two**',
      '',
      '| key | effect |',
      '|---|---|',
      '| `tenants` | listed |',
      '',
      '```json',
      '{"a": "<b>"}',
      '```',
    ].join('\n');
    assert.equal(
      markdownToHtml(markdown, { headingOffset: 1 }),
      [
        '<h3>Install <em>now</em></h3>',
        '<p>Open <code>chrome://extensions</code> and read <a href="https://example.org/a?b=1&amp;c=2">the docs</a>.</p>',
        '<ul>\n<li>one\ncontinued</li>\n<li><strong>two</strong></li>\n</ul>',
        '<table>\n<thead>\n<tr>\n<th>key</th>\n<th>effect</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td><code>tenants</code></td>\n<td>listed</td>\n</tr>\n</tbody>\n</table>',
        '<pre><code class="language-json">{&quot;a&quot;: &quot;&lt;b&gt;&quot;}\n</code></pre>',
        '',
      ].join('\n'),
    );
  });

  test('escapes raw HTML, refuses other link schemes and loads no images', () => {
    assert.equal(
      markdownToHtml(
        '<script>alert(1)</script> [x](javascript:alert(1)) [y](JAVASCRIPT:alert(1)) [d](data:text/html,x) `<i>` ![p](https://example.org/p.png)',
      ),
      '<p>&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1)) [y](JAVASCRIPT:alert(1)) [d](data:text/html,x) <code>&lt;i&gt;</code> !<a href="https://example.org/p.png">p</a></p>\n',
    );
    assert.equal(
      markdownToHtml('[m](mailto:soc@example.org) [r](docs/size.md) [a](#install) [h](http://example.org/)'),
      '<p><a href="mailto:soc@example.org">m</a> <a href="docs/size.md">r</a> <a href="#install">a</a> <a href="http://example.org/">h</a></p>\n',
    );
  });
});

// ---- the page, from both places it is used ----

for (const where of ['http', 'file']) {
  describe(`link builder page over ${where}`, () => {
    const url = () => (where === 'http' ? httpUrl : pathToFileURL(PAGE).href);

    test('pasted IDs and CSV give one link per valid tenant and a line-numbered error per bad row', async () => {
      const { context, page, seen } = await openPage(url());
      await page.getByLabel('Tenant IDs or CSV').fill(PASTED);

      assert.deepEqual(await tableRows(page), [
        ['1', '', PLAIN, link(PLAIN)],
        ['2', 'Contoso', CONTOSO, link(CONTOSO)],
        ['3', HOSTILE_NAME, HOSTILE, link(HOSTILE)],
        ['7', 'Tailspin & "Co"', TAILSPIN, link(TAILSPIN)],
      ]);
      assert.equal(await page.getByRole('link', { name: link(CONTOSO) }).getAttribute('href'), link(CONTOSO));
      // The hostile name is text: no element was made from it.
      assert.equal(await page.locator('img').count(), 0);

      const alert = page.getByRole('alert').filter({ hasText: expected('en', 'www_problemCount', [2]) });
      assert.deepEqual(await alert.getByRole('listitem').allTextContents(), [
        expected('en', 'www_lineError', [4, expected('en', 'error_TenantIdInvalidCharacter', ['n', 1])]),
        expected('en', 'www_lineError', [5, expected('en', 'error_TenantIdDomainName', ['fabrikam.onmicrosoft.com'])]),
      ]);
      assert.equal(
        await page.getByRole('status').filter({ hasText: expected('en', 'www_tenantCount', [4]) }).count(),
        1,
      );
      await assertQuiet({ context, page, seen }, url());
      await context.close();
    });

    test('"Copy link" copies the link, by mouse and by keyboard', async () => {
      const { context, page, seen } = await openPage(url());
      await page.getByLabel('Tenant IDs or CSV').fill(PASTED);
      const contoso = page.getByRole('row').filter({ hasText: 'Contoso' });
      await contoso.getByRole('button', { name: 'Copy link' }).click();
      assert.equal(await readClipboard(page, link(CONTOSO)), link(CONTOSO));
      await page.getByText(expected('en', 'www_copied', [link(CONTOSO)])).waitFor();

      await page.getByRole('link', { name: link(TAILSPIN) }).focus();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      assert.equal(await readClipboard(page, link(TAILSPIN)), link(TAILSPIN));
      await assertQuiet({ context, page, seen }, url());
      await context.close();
    });

    test('without the Clipboard API the copy falls back to the copy command', async () => {
      const { context, page, seen } = await openPage(url());
      // The clipboard is the browser's, shared with earlier tests: start from a known text.
      await page.evaluate(async () => {
        await navigator.clipboard.writeText('before');
        Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
      });
      await page.getByLabel('Tenant IDs or CSV').fill(PASTED);
      await page.getByRole('row').filter({ hasText: 'Contoso' }).getByRole('button', { name: 'Copy link' }).click();
      await page.getByText(expected('en', 'www_copied', [link(CONTOSO)])).waitFor();
      const clipboard = await context.newPage();
      await clipboard.goto(url());
      assert.equal(await readClipboard(clipboard, link(CONTOSO)), link(CONTOSO));
      await assertQuiet({ context, page, seen }, url());
      await context.close();
    });

    test('when nothing can copy, the link is selected for Ctrl+C', async () => {
      const { context, page, seen } = await openPage(url());
      await page.evaluate(() => {
        Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
        globalThis.document.execCommand = () => false;
      });
      await page.getByLabel('Tenant IDs or CSV').fill(PASTED);
      const button = page.getByRole('row').filter({ hasText: 'Contoso' }).getByRole('button', { name: 'Copy link' });
      await button.click();
      await page.getByText(expected('en', 'www_copyFailed')).waitFor();
      assert.equal(await page.evaluate(() => globalThis.getSelection().toString()), link(CONTOSO));
      await assertQuiet({ context, page, seen }, url());
      await context.close();
    });

    test('"Rewritten URL" is the core\'s rewrite for the tenant chosen in the "Tenant" combobox', async () => {
      const { context, page, seen } = await openPage(url());
      await page.getByLabel('Tenant IDs or CSV').fill(PASTED);
      const portalUrl = page.getByLabel('Portal URL', { exact: true });
      const rewritten = page.getByLabel('Rewritten URL', { exact: true });
      const tenant = page.getByRole('combobox', { name: 'Tenant', exact: true });

      await portalUrl.fill('https://security.microsoft.com/incidents?filters=a%20b#/queue');
      await chooseTenant(page, 'cont', `Contoso (${CONTOSO})`);
      assert.equal(await tenant.inputValue(), `Contoso (${CONTOSO})`);
      assert.equal(
        await rewritten.inputValue(),
        `https://security.microsoft.com/incidents?filters=a%20b&tid=${CONTOSO}#/queue`,
      );
      // The hostile name is an option's text, nothing more.
      await chooseTenant(page, '<img', `${HOSTILE_NAME} (${HOSTILE})`);
      assert.equal(await page.locator('img').count(), 0);
      assert.equal(
        await rewritten.inputValue(),
        `https://security.microsoft.com/incidents?filters=a%20b&tid=${HOSTILE}#/queue`,
      );

      const explicit = `https://security.microsoft.com/machines?tid=${EXPLICIT}#x`;
      await portalUrl.fill(explicit);
      assert.equal(await rewritten.inputValue(), explicit);

      await portalUrl.fill('https://security.microsoft.com.example.net/');
      assert.equal(await rewritten.inputValue(), '');
      assert.equal(
        await page.getByRole('alert').filter({ hasText: expected('en', 'error_PortalNotPortalUrl') }).count(),
        1,
      );
      assert.equal(await portalUrl.getAttribute('aria-invalid'), 'true');

      await portalUrl.fill('https://securitycenter.windows.com/');
      assert.equal(await rewritten.inputValue(), `https://securitycenter.windows.com/?tid=${HOSTILE}`);
      assert.equal(await portalUrl.getAttribute('aria-invalid'), null);
      await page.getByRole('button', { name: 'Copy rewritten URL' }).click();
      const copiedUrl = `https://securitycenter.windows.com/?tid=${HOSTILE}`;
      assert.equal(await readClipboard(page, copiedUrl), copiedUrl);

      // Editing the choice away leaves no tenant, so nothing is rewritten.
      await tenant.fill('Contoso (');
      assert.equal(await rewritten.inputValue(), '');
      await assertQuiet({ context, page, seen }, url());
      await context.close();
    });

    test('the "Tenant" combobox is operable by keyboard alone', async () => {
      const { context, page, seen } = await openPage(url());
      await page.getByLabel('Tenant IDs or CSV').fill(PASTED);
      await page.getByLabel('Portal URL', { exact: true }).fill('https://security.microsoft.com/');
      const tenant = page.getByRole('combobox', { name: 'Tenant', exact: true });
      const listbox = page.getByRole('listbox', { name: 'Tenant', exact: true });
      await tenant.focus();
      assert.equal(await tenant.getAttribute('aria-expanded'), 'false');

      // Arrow Down opens the list on the first option; every pasted tenant is there, in line order.
      await page.keyboard.press('ArrowDown');
      assert.equal(await tenant.getAttribute('aria-expanded'), 'true');
      assert.deepEqual(await listbox.getByRole('option').allTextContents(), [
        PLAIN,
        `Contoso (${CONTOSO})`,
        `${HOSTILE_NAME} (${HOSTILE})`,
        `Tailspin & "Co" (${TAILSPIN})`,
      ]);
      assert.equal(await activeOption(page), PLAIN);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      assert.equal(await activeOption(page), `Tailspin & "Co" (${TAILSPIN})`);
      await page.keyboard.press('ArrowDown');
      assert.equal(await activeOption(page), PLAIN, 'Arrow Down wraps to the first option');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('Enter');
      assert.equal(await tenant.getAttribute('aria-expanded'), 'false');
      assert.equal(await tenant.inputValue(), `Tailspin & "Co" (${TAILSPIN})`);
      assert.equal(await page.getByLabel('Rewritten URL').inputValue(), link(TAILSPIN));

      // Typing filters with the core's search (a later word, then the ID) and Enter takes the best.
      await tenant.fill('');
      await page.keyboard.type('co');
      assert.deepEqual(await listbox.getByRole('option').allTextContents(), [
        `Contoso (${CONTOSO})`,
        `Tailspin & "Co" (${TAILSPIN})`,
      ]);
      await page.keyboard.press('Enter');
      assert.equal(await page.getByLabel('Rewritten URL').inputValue(), link(CONTOSO));
      await tenant.fill('2C3D4E5F');
      assert.deepEqual(await listbox.getByRole('option').allTextContents(), [`${HOSTILE_NAME} (${HOSTILE})`]);
      // Escape closes the list, a second Escape clears the field.
      await page.keyboard.press('Escape');
      assert.equal(await tenant.getAttribute('aria-expanded'), 'false');
      assert.equal(await tenant.getAttribute('aria-activedescendant'), null);
      await page.keyboard.press('Escape');
      assert.equal(await tenant.inputValue(), '');
      assert.equal(await page.getByLabel('Rewritten URL').inputValue(), '');
      await tenant.fill('nobody');
      await page.getByText(expected('en', 'www_tenantNoMatch', ['nobody'])).waitFor();
      assert.equal(await tenant.getAttribute('aria-expanded'), 'false');
      await assertQuiet({ context, page, seen }, url());
      await context.close();
    });

    test('"Download bookmarks" saves a folder of portal links per tenant, names escaped', async () => {
      const { context, page, seen } = await openPage(url());
      await page.getByRole('button', { name: 'Download bookmarks' }).click();
      await page.getByRole('alert').filter({ hasText: expected('en', 'www_bookmarksEmpty') }).waitFor();

      // Exactly the hand-written file for the tenants with and without an initial domain.
      await page.getByLabel('Tenant IDs or CSV').fill(INITIAL_DOMAINS);
      assert.equal(await downloadBookmarks(page, 'Download bookmarks'), INITIAL_DOMAINS_BOOKMARKS);

      await page.getByLabel('Tenant IDs or CSV').fill(PASTED);
      const file = await downloadBookmarks(page, 'Download bookmarks');
      assert.deepEqual(folders(file), { headings: EXPECTED_FOLDERS, counts: [11, 14, 11, 11] });
      assert.ok(
        file.includes(
          `            <DT><A HREF="https://admin.teams.microsoft.com/?delegatedOrg=contoso.onmicrosoft.com">Microsoft Teams admin center</A>\n`,
        ),
        'a primary domain that is an initial domain serves as both',
      );
      assert.ok(file.startsWith('<!DOCTYPE NETSCAPE-Bookmark-file-1>\n') && file.endsWith('    </DL><p>\n</DL><p>\n'));
      await assertQuiet({ context, page, seen }, url());
      await context.close();
    });

    test('"All portals" lists the core\'s link to every portal for a tenant, by accessible name', async () => {
      const { context, page, seen } = await openPage(url());
      await page.getByLabel('Tenant IDs or CSV').fill(INITIAL_DOMAINS);
      const contoso = linksTable(page).getByRole('row').filter({ hasText: CONTOSO_CIPP });
      const button = contoso.getByRole('button', { name: 'All portals' });
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
      assert.equal(await description(button), 'Contoso');
      // Nothing is drawn for a closed list.
      assert.equal(await linksTable(page).getByRole('list').count(), 0);

      await button.click();
      assert.equal(await button.getAttribute('aria-expanded'), 'true');
      // The list is in a row of its own below Contoso's.
      const list = linksTable(page).getByRole('list', { name: 'Portals for Contoso', exact: true });
      assert.equal(await button.getAttribute('aria-controls'), await list.locator('..').getAttribute('id'));
      const links = list.getByRole('link');
      assert.deepEqual(
        await links.evaluateAll((nodes) => nodes.map((node) => [node.textContent, node.getAttribute('href')])),
        CONTOSO_PORTALS,
      );
      for (const [name, href] of CONTOSO_PORTALS) {
        const portal = list.getByRole('link', { name, exact: true });
        assert.equal(await portal.getAttribute('href'), href, name);
        assert.equal(await portal.getAttribute('aria-disabled'), null, name);
        assert.equal(
          await description(portal),
          PARTNER_ONLY.includes(name) ? `Contoso ${expected('en', 'www_portalPartnerOnly')}` : 'Contoso',
          `${name}: described by the tenant, and the partner relationship where it needs one`,
        );
      }
      // The Defender deep links are listed under Microsoft Defender.
      const defender = list.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Microsoft Defender', exact: true }) });
      assert.deepEqual(await defender.getByRole('list').getByRole('link').allTextContents(), [
        'Incidents',
        'Alerts',
        'Advanced hunting',
        'Action center',
      ]);
      // Without an initial domain the delegatedOrg portals are disabled links that say why.
      const tailspin = linksTable(page).getByRole('row').filter({ hasText: TAILSPIN_CIPP });
      await tailspin.getByRole('button', { name: 'All portals' }).focus();
      await page.keyboard.press('Enter');
      const tailspinList = linksTable(page).getByRole('list', { name: 'Portals for Tailspin Toys', exact: true });
      for (const name of PARTNER_ONLY) {
        const portal = tailspinList.getByRole('link', { name, exact: true, disabled: true });
        assert.equal(await portal.getAttribute('href'), null, name);
        assert.equal(
          await description(portal),
          `Tailspin Toys ${expected('en', 'www_portalNeedsInitialDomain')} ${expected('en', 'www_portalPartnerOnly')}`,
        );
        await tailspinList.getByText(expected('en', 'www_portalNeedsInitialDomain')).first().waitFor();
      }
      assert.equal(await tailspinList.getByRole('link', { disabled: false }).count(), 11);
      assert.equal(
        await tailspinList.getByRole('link', { name: 'Azure portal', exact: true }).getAttribute('href'),
        'https://portal.azure.com/tailspin.example',
      );

      // An open list stays open while the filter redraws the table, and closes again.
      await page.getByRole('searchbox', { name: 'Filter links' }).fill('contoso');
      assert.equal(await list.getByRole('link').count(), 14);
      await page.getByRole('searchbox', { name: 'Filter links' }).fill('');
      await contoso.getByRole('button', { name: 'All portals' }).click();
      assert.equal(await contoso.getByRole('button', { name: 'All portals' }).getAttribute('aria-expanded'), 'false');
      assert.equal(await list.count(), 0);
      assert.equal(await contoso.getByRole('button', { name: 'All portals' }).getAttribute('aria-controls'), null);
      assert.deepEqual((await tableRows(page)).map((row) => row[1]), ['Contoso', 'Fabrikam', 'Tailspin Toys', 'Adatum']);
      await assertQuiet({ context, page, seen }, url());
      await context.close();
    });

    test('every fixture, dropped and pasted, gives exactly its expected tenants and rejected rows', async () => {
      const { context, page, seen } = await openPage(url());
      const textarea = page.getByLabel('Tenant IDs or CSV');
      for (const fixture of loadLinkBuilderFixtures()) {
        const want = shownFor('en', fixture.expected);
        await dropFile(page, fixture.name, fixture.bytes);
        await page.getByText(expected('en', 'www_fileRead', [fixture.name])).waitFor();
        assert.deepEqual(await shown(page), want, `${fixture.file} dropped`);
        if (!fixture.expected.error) {
          const header = expected('en', fixture.expected.format === 'json' ? 'www_columnEntry' : 'www_columnLine');
          assert.equal((await tableHeader(page))[0], header, `${fixture.file}: first column`);
        }
        const text = utf8Text(fixture.bytes);
        if (text !== null) {
          await textarea.fill(text);
          assert.deepEqual(await shown(page), want, `${fixture.file} pasted`);
        } else {
          assert.ok(fixture.reads === 'both' && /\.(txt|csv|xlsx)$/.test(fixture.name), `${fixture.file} is dropped only`);
        }
      }
      assert.equal(await page.locator('img').count(), 0, 'the hostile name stayed text');
      await assertQuiet({ context, page, seen }, url());
      await context.close();
    });

    test('a chosen file is read on this computer, UTF-16 included', async () => {
      const { context, page, seen } = await openPage(url());
      const fixture = loadLinkBuilderFixtures().find((f) => f.name === 'excel-unicode-text.txt');
      await page.getByLabel('Or read a file').setInputFiles({
        name: fixture.name,
        mimeType: 'text/plain',
        buffer: fixture.bytes,
      });
      await page.getByText(expected('en', 'www_fileRead', [fixture.name])).waitFor();
      assert.deepEqual(await shown(page), shownFor('en', fixture.expected));
      // The text area shows the file's text; editing it reads the text from then on.
      const textarea = page.getByLabel('Tenant IDs or CSV');
      assert.match(await textarea.inputValue(), /^Tenant name\tDirectory ID\t/);
      await textarea.fill(`${await textarea.inputValue()}Fourth Coffee\tnot-a-guid\n`);
      assert.equal(await page.locator('#file-status').textContent(), '');
      assert.deepEqual((await shown(page)).lines, [
        expected('en', 'www_lineError', [6, importWords('en', { name: 'TenantIdInvalidCharacter', character: 'n', position: 1 })]),
      ]);
      await assertQuiet({ context, page, seen }, url());
      await context.close();
    });

    test('1,000 tenants: 100 rows a page, "Filter links" ranks with the core\'s search', async () => {
      const { context, page, seen } = await openPage(url());
      await paste(page, manyTenants(1000));
      await page.getByText(expected('en', 'www_tenantCount', ['1,000'])).waitFor();
      let rows = await tableRows(page);
      assert.equal(rows.length, 100);
      assert.deepEqual(rows[0].slice(0, 2), ['1', 'Customer 0001']);
      assert.deepEqual(rows[99].slice(0, 2), ['100', 'Customer 0100']);
      // At the browser's default 1,280 px the table fits the page: "All portals" is in view
      // without scrolling sideways (a link breaks before its "?tid=").
      const sideways = await page.evaluate(() => {
        const scroller = document.querySelector('.table-scroll');
        return scroller.scrollWidth - scroller.clientWidth;
      });
      assert.equal(sideways, 0, 'the links table is wider than the page');
      const status = page.locator('#page-status');
      assert.equal(await status.textContent(), expected('en', 'www_pageStatus', ['1', '100', '1,000']));
      const pages = page.getByRole('navigation', { name: 'Pages of links' });
      const previous = pages.getByRole('button', { name: 'Previous page' });
      const next = pages.getByRole('button', { name: 'Next page' });
      assert.equal(await previous.getAttribute('aria-disabled'), 'true');

      await next.click();
      rows = await tableRows(page);
      assert.deepEqual([rows.length, rows[0][1], rows[99][1]], [100, 'Customer 0101', 'Customer 0200']);
      assert.equal(await status.textContent(), expected('en', 'www_pageStatus', ['101', '200', '1,000']));
      // To the last page by keyboard; the button stays focused and does nothing there.
      await next.focus();
      for (let i = 0; i < 9; i += 1) {
        await page.keyboard.press('Enter');
      }
      rows = await tableRows(page);
      assert.deepEqual([rows.length, rows[0][1], rows[99][1]], [100, 'Customer 0901', 'Customer 1000']);
      assert.equal(await next.getAttribute('aria-disabled'), 'true');
      assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Next page');
      await previous.click();
      assert.equal((await tableRows(page))[0][1], 'Customer 0801');

      const filter = page.getByRole('searchbox', { name: 'Filter links' });
      // The phrase first (a prefix of the name), then every word somewhere: Customer 0099 has
      // "customer" and "099" (src/search.rs, as the core's own test of the page says).
      await filter.fill('customer 099');
      rows = await tableRows(page);
      // The ten names holding the phrase, A to Z; then, ranked below every phrase match, the one
      // name that holds both words apart ("Customer 0099": a query's words in any order match).
      assert.deepEqual(
        rows.map((row) => row[1]),
        [...Array.from({ length: 10 }, (_, i) => `Customer 099${i}`), 'Customer 0099'],
      );
      assert.equal(await status.textContent(), expected('en', 'www_pageStatus', ['1', '11', '11']));
      assert.equal(await pages.isVisible(), false);
      await filter.fill('c77.example');
      assert.deepEqual((await tableRows(page)).map((row) => row[1]), ['Customer 0077']);
      await filter.fill('000003e8');
      assert.deepEqual((await tableRows(page)).map((row) => row[0]), ['1,000']);
      await filter.fill('nobody');
      assert.equal(await linksTable(page).isVisible(), false);
      assert.equal(await status.textContent(), expected('en', 'www_filterNoMatch', ['nobody']));
      await filter.fill('');
      assert.equal((await tableRows(page))[0][1], 'Customer 0001');

      // The combobox lists 50 at a time and says so; typing narrows it.
      const tenant = page.getByRole('combobox', { name: 'Tenant', exact: true });
      await tenant.click();
      assert.equal(await page.getByRole('option').count(), 50);
      assert.match(await tenant.getAttribute('aria-describedby'), /tenant-more/);
      await page.getByText(expected('en', 'www_tenantOptionsMore', ['50', '1,000'])).waitFor();
      await chooseTenant(page, 'customer 0500', `Customer 0500 (000001f4-0000-4000-8000-0000000001f4)`);
      await page.getByLabel('Portal URL', { exact: true }).fill('https://security.microsoft.com/');
      assert.equal(await page.getByLabel('Rewritten URL').inputValue(), link('000001f4-0000-4000-8000-0000000001f4'));
      assert.ok((await page.locator('tr, li').count()) < 200, 'the page stays small');
      await assertQuiet({ context, page, seen }, url());
      await context.close();
    });

    test('in German', async () => {
      const { context, page, seen } = await openPage(url(), { locale: 'de-DE' });
      assert.equal(await page.locator('html').getAttribute('lang'), 'de');
      assert.equal(await page.title(), expected('de', 'www_pageTitle'));
      await page.getByLabel('Mandanten-IDs oder CSV').fill(PASTED);
      const alert = page.getByRole('alert').filter({ hasText: expected('de', 'www_problemCount', [2]) });
      assert.deepEqual(await alert.getByRole('listitem').allTextContents(), [
        expected('de', 'www_lineError', [4, expected('de', 'error_TenantIdInvalidCharacter', ['n', 1])]),
        expected('de', 'www_lineError', [5, expected('de', 'error_TenantIdDomainName', ['fabrikam.onmicrosoft.com'])]),
      ]);
      await page.getByRole('row').filter({ hasText: 'Contoso' }).getByRole('button', { name: 'Link kopieren' }).click();
      assert.equal(await readClipboard(page, link(CONTOSO)), link(CONTOSO));

      await page.getByLabel('Portal-URL', { exact: true }).fill('https://security.microsoft.com/');
      await chooseTenant(page, 'cont', `Contoso (${CONTOSO})`, 'Mandant');
      assert.equal(await page.getByLabel('Umgeschriebene URL').inputValue(), link(CONTOSO));
      await page.getByLabel('Portal-URL', { exact: true }).fill('notaurl');
      await page.getByRole('alert').filter({ hasText: expected('de', 'error_PortalInvalidUrl') }).waitFor();

      // The bookmarks hold the portals by their German names; "Alle Portale" lists them.
      const file = await downloadBookmarks(page, 'Lesezeichen herunterladen');
      assert.deepEqual(folders(file), { headings: EXPECTED_FOLDERS, counts: [11, 14, 11, 11] });
      assert.ok(file.includes(`<DT><A HREF="https://security.microsoft.com/incidents?tid=${CONTOSO}">Vorfälle</A>\n`));
      assert.ok(file.includes(`<DT><A HREF="https://portal.azure.com/contoso.onmicrosoft.com">Azure-Portal</A>\n`));
      const contoso = linksTable(page).getByRole('row').filter({ hasText: CONTOSO });
      await contoso.getByRole('button', { name: 'Alle Portale' }).click();
      const portals = linksTable(page).getByRole('list', { name: 'Portale für Contoso', exact: true });
      assert.equal(
        await portals.getByRole('link', { name: 'Microsoft Entra Admin Center', exact: true }).getAttribute('href'),
        'https://entra.microsoft.com/contoso.onmicrosoft.com',
      );
      const hostile = linksTable(page).getByRole('row').filter({ hasText: HOSTILE });
      await hostile.getByRole('button', { name: 'Alle Portale' }).click();
      const teams = linksTable(page)
        .getByRole('list', { name: `Portale für ${HOSTILE_NAME}`, exact: true })
        .getByRole('link', { name: 'Microsoft Teams Admin Center', exact: true, disabled: true });
      assert.equal(
        await description(teams),
        `${HOSTILE_NAME} ${expected('de', 'www_portalNeedsInitialDomain')} ${expected('de', 'www_portalPartnerOnly')}`,
      );

      // Rejected rows are worded as the extension words them in German, too.
      const fixture = loadLinkBuilderFixtures().find((f) => f.name === 'name-id-lines.csv');
      await dropFile(page, fixture.name, fixture.bytes, 'Mandanten-IDs oder CSV');
      await page.getByText(expected('de', 'www_fileRead', [fixture.name])).waitFor();
      assert.deepEqual(await shown(page), shownFor('de', fixture.expected));
      await page.getByRole('searchbox', { name: 'Links filtern' }).fill('contoso');
      assert.deepEqual((await tableRows(page)).map((row) => row[1]), ['Contoso']);
      await assertQuiet({ context, page, seen }, url());
      await context.close();
    });
  });
}

test('the user guide on the page is the README\'s marked section', async () => {
  const html = readFileSync(PAGE, 'utf8');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const marked = /<!-- user-guide:start -->([\s\S]*?)<!-- user-guide:end -->/.exec(readme);
  assert.ok(marked && marked[1].trim() !== '', 'README.md has a user guide between the markers');
  assert.ok(html.includes(markdownToHtml(marked[1], { headingOffset: 1 })), 'the guide as converted is in the page');
  assert.match(html, /<h3>What Tenant Switch does<\/h3>/);
});

test('the page\'s Content-Security-Policy blocks any request the page might try', async () => {
  const { context, page } = await openPage(httpUrl);
  const outcome = await page.evaluate((target) => fetch(target).then(() => 'loaded', () => 'blocked'), `${httpUrl}probe`);
  assert.equal(outcome, 'blocked');
  assert.deepEqual(serverRequests, ['/']);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp, /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'; style-src 'sha256-[A-Za-z0-9+/=]+'; /);
  await context.close();
});

// Hostile input, end to end in headless Chromium with the real extension: tenant names carrying
// HTML or script are drawn as inert text (options page, popup, badge tooltip, problem banner);
// names that could disguise themselves (bidirectional overrides, zero-width characters) or swamp
// the pages (100 KB) are refused everywhere a name can come from: the options form, the
// background's message path, an import file, another browser through sync, and a hand-edited
// store (refused as a whole and kept); the enterprise policy's path is in policy.test.mjs, which
// owns the browser's policy file. Look-alike and spoofed portal hosts are never rewritten and
// never sent anywhere else. Every test also proves that no dialog opened and no console error,
// uncaught error or CSP violation was reported (an inline handler that a page let through would
// trip the CSP, an <img src=x> would fail to load: both are console errors).
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { message } from './lib/locales.mjs';
import { PORTAL_HOSTS, startPortalServer } from './lib/portal-server.mjs';
import { FIXTURE_TENANTS } from './lib/session-fixtures.mjs';
import { generationItems, liveEntry } from './lib/sync-items.mjs';

const CONTOSO = { name: 'Contoso', id: FIXTURE_TENANTS.Contoso, domain: 'contoso.onmicrosoft.com' };
const WOODGROVE = { name: 'Woodgrove Bank', id: FIXTURE_TENANTS.Woodgrove };

/** Names an attacker would smuggle into a tenant list (a shared CSV, a colleague's export). */
const HTML_TENANTS = [
  { name: '<img src=x onerror=alert(1)>', id: '10000000-0000-4000-8000-000000000001' },
  { name: '<script>alert(2)</script>', id: '10000000-0000-4000-8000-000000000002' },
  { name: '"><svg onload=alert(3)>', id: '10000000-0000-4000-8000-000000000003' },
  { name: 'javascript:alert(4)', id: '10000000-0000-4000-8000-000000000004' },
];
const [IMG, SCRIPT, SVG, JS_URL] = HTML_TENANTS;

const BIDI_NAME = 'Invoice\u202Etxt.exe';
const ZERO_WIDTH_NAME = 'Conto\u200Bso';
const HUGE_NAME = 'x'.repeat(100 * 1024);
const NEW_ID = '20000000-0000-4000-8000-000000000001';

const EMPTY = { schemaVersion: 2, tenants: [], defaultTenant: null, automaticRewrite: true, recentTenants: [] };
const isolate = (text) => `\u2068${text}\u2069`;
const operation = (op) => ({ what: 'applyOperation', operation: op });
const base64 = (text) => Buffer.from(text).toString('base64');

let server;
let browser;
/** Every dialog any page opened (alert, confirm, prompt, beforeunload): none may ever open. */
const dialogs = [];

before(async () => {
  server = await startPortalServer();
  browser = await launchBrowser({ server });
  browser.context.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  // Every page but the harness's messenger (an extension page showing manifest.json), which
  // would otherwise be reopened for the next message.
  for (const page of browser.context.pages()) {
    if (!page.url().endsWith('/manifest.json')) await page.close();
  }
});

afterEach(() => {
  assert.deepEqual(dialogs, [], 'no dialog opened');
  assert.deepEqual(browser.errors, [], 'no console error, uncaught error or CSP violation');
});

/** The fields of an error besides its English message. */
const fieldsOf = (error) => Object.fromEntries(Object.entries(error).filter(([key]) => key !== 'message'));

/**
 * Writes `settings` straight into storage from the worker, as a hand edit or another program
 * would (no validation), and waits until the background has judged it: usable or not as
 * `usable` says. Returns the state.
 */
async function storeByHand(settings, usable = true) {
  await browser.inWorker((value) => chrome.storage.local.set({ settings: value }), settings);
  return waitFor(
    () => browser.sendOk({ what: 'getState' }),
    (state) => state.usable === usable && (!usable || isDeepStrictEqual(state.tenantCount, settings.tenants.length)),
  );
}

/** Proves the page drew no element from a name: only the pages' own markup is there. */
async function assertNoInjectedMarkup(page) {
  assert.deepEqual(
    await page.evaluate(() => [...document.body.querySelectorAll('img, script, svg, iframe, object, embed')].map((e) => e.outerHTML)),
    [],
  );
  assert.deepEqual(
    await page.evaluate(() =>
      [...document.body.querySelectorAll('*')].flatMap((e) =>
        e.getAttributeNames().filter((a) => a.startsWith('on') || (a === 'href' && /^javascript:/i.test(e.getAttribute(a)))),
      ),
    ),
    [],
  );
}

const listedNames = (page) => page.locator('#tenant-rows bdi.name').allTextContents();

describe('tenant names carrying HTML or script are inert text', () => {
  before(async () => {
    await storeByHand(EMPTY);
  });

  test('options page: added through the form, listed, edited, deleted and restored as literal text', async () => {
    const page = await browser.openExtensionPage('options.html');
    const submit = page.getByRole('button', { name: message('addTenant') });
    await submit.waitFor();
    for (const tenant of HTML_TENANTS) {
      await page.getByLabel(message('tenantNameLabel'), { exact: true }).fill(tenant.name);
      await page.getByLabel(message('tenantIdLabel'), { exact: true }).fill(tenant.id);
      await submit.click();
      await page.locator('#add-status').getByText(message('added', [isolate(tenant.name)]), { exact: true }).waitFor();
    }
    assert.deepEqual((await browser.storage()).settings.tenants, HTML_TENANTS);

    // A to Z by name, each name exactly as typed.
    await waitFor(() => listedNames(page), (names) => names.length === 4);
    assert.deepEqual(await listedNames(page), [SVG.name, IMG.name, SCRIPT.name, JS_URL.name]);

    await page.locator(`#edit-${SCRIPT.id}`).click();
    await page.locator('#edit-name').fill(`${SCRIPT.name}<b>`);
    await page.getByRole('button', { name: message('save'), exact: true }).click();
    await page.locator('#undo-bar').getByText(message('saved', [isolate(`${SCRIPT.name}<b>`)]), { exact: true }).waitFor();
    await page.locator(`#delete-${SVG.id}`).click();
    await page.locator('#undo-bar').getByText(message('deleted', [isolate(SVG.name)]), { exact: true }).waitFor();
    await page.getByRole('button', { name: message('undo'), exact: true }).click();
    await page.locator('#undo-bar').getByText(message('restored', [isolate(SVG.name)]), { exact: true }).waitFor();
    await waitFor(() => listedNames(page), (names) => names.length === 4);
    assert.deepEqual(await listedNames(page), [SVG.name, IMG.name, `${SCRIPT.name}<b>`, JS_URL.name]);
    await assertNoInjectedMarkup(page);
    // Give an injected handler (onerror fires after a failed load) time to run, if there were one.
    await page.waitForTimeout(300);
    await browser.sendOk(operation({ op: 'editTenant', id: SCRIPT.id, tenant: SCRIPT }));
  });

  test('popup: listed, searched and chosen as literal text', async () => {
    await browser.sendOk(operation({ op: 'setDefaultTenant', id: IMG.id }));
    // Opened as a page (view=tab), so that a choice does not close it.
    const page = await browser.openExtensionPage('popup.html?view=tab');
    await page.getByRole('option', { selected: true }).waitFor();
    const listed = () =>
      page
        .getByRole('option')
        .evaluateAll((items) => items.map((item) => document.getElementById(item.getAttribute('aria-labelledby')).textContent));
    // The home tenant, the recent tenant, then A to Z.
    assert.deepEqual(await listed(), [message('noTenant'), IMG.name, SVG.name, SCRIPT.name, JS_URL.name]);

    const search = page.getByRole('combobox', { name: message('searchLabel') });
    await search.fill('<script>');
    await page.waitForFunction((name) => document.querySelector('#option-0-name')?.textContent === name, SCRIPT.name);
    await search.press('Enter');
    // No portal tab behind the popup: the choice is for new tabs.
    await page.locator('#status').getByText(message('pickedForNewTabs', [isolate(SCRIPT.name)]), { exact: true }).waitFor();
    assert.equal((await browser.storage()).settings.defaultTenant, SCRIPT.id);
    await assertNoInjectedMarkup(page);
    await page.waitForTimeout(300);
  });

  test('badge tooltip: the name as literal text', async () => {
    const portal = await browser.context.newPage();
    await portal.goto(`https://security.microsoft.com/alerts?tid=${SVG.id}`);
    const tab = await browser.tabIdOf(portal);
    const title = message('badgeTooltip', [SVG.name, SVG.id]);
    assert.equal((await waitFor(() => browser.badge(tab), (b) => b.title === title)).title, title);
    // The tooltip reaches the worker as plain text only: the worker has no DOM to inject into.
  });

  test('a problem banner quoting hand-edited markup shows it as text', async () => {
    const unknownField = { ...EMPTY, [IMG.name]: 1 };
    const { problem } = await storeByHand(unknownField, false);
    assert.deepEqual(fieldsOf(problem.error), { name: 'SettingsUnknownField', path: IMG.name });
    const options = await browser.openExtensionPage('options.html');
    const banner = options.locator('#problem-text');
    await waitFor(() => banner.textContent(), Boolean);
    assert.equal(await banner.textContent(), message('problemBanner', [`The stored settings contain the unknown field ${IMG.name}.`]));
    await assertNoInjectedMarkup(options);

    const duplicate = {
      ...EMPTY,
      tenants: [
        { name: '<b onmouseover=alert(5)>x</b>', id: CONTOSO.id },
        { name: '<B ONMOUSEOVER=ALERT(5)>X</B>', id: IMG.id },
      ],
    };
    await storeByHand(duplicate, false);
    const popup = await browser.openExtensionPage('popup.html?view=tab');
    const popupBanner = popup.locator('#problem-text');
    await waitFor(() => popupBanner.textContent(), (text) => text.includes('ALERT'));
    assert.equal(
      await popupBanner.textContent(),
      message('problemBannerShort', [
        `The name ${isolate('<B ONMOUSEOVER=ALERT(5)>X</B>')} is already used by ${isolate('<b onmouseover=alert(5)>x</b>')} (${CONTOSO.id}).`,
      ]),
    );
    await assertNoInjectedMarkup(popup);
    await popup.waitForTimeout(300);
  });
});

describe('names that could disguise themselves are refused', () => {
  const CASES = [
    {
      label: 'a right-to-left override',
      name: BIDI_NAME,
      error: { name: 'TenantNameBidiControl', codePoint: 'U+202E', position: 8 },
      text: 'The tenant name contains the text direction character U+202E (position 8), which can make it look like another name.',
    },
    {
      label: 'a zero-width space',
      name: ZERO_WIDTH_NAME,
      error: { name: 'TenantNameInvisibleCharacter', codePoint: 'U+200B', position: 6 },
      text: 'The tenant name contains the invisible character U+200B (position 6).',
    },
    {
      label: '100 KB of text',
      name: HUGE_NAME,
      error: { name: 'TenantNameTooLong', length: 102_400 },
      text: 'The tenant name has 102,400 characters; at most 100 are allowed.',
    },
  ];
  const KNOWN = { ...EMPTY, tenants: [CONTOSO], defaultTenant: CONTOSO.id, recentTenants: [CONTOSO.id] };
  const snapshot = async () => ({
    local: await browser.storage(),
    rules: [await browser.dynamicRules(), await browser.sessionRules()],
  });

  before(async () => {
    await storeByHand(KNOWN);
  });

  for (const { label, name, error, text } of CASES) {
    test(`${label}: refused by the options form (add and edit), nothing saved`, async () => {
      const before = await snapshot();
      const page = await browser.openExtensionPage('options.html');
      await page.locator(`#edit-${CONTOSO.id}`).waitFor();
      const nameField = page.getByLabel(message('tenantNameLabel'), { exact: true });
      await nameField.fill(name);
      await page.getByLabel(message('tenantIdLabel'), { exact: true }).fill(NEW_ID);
      await page.getByRole('button', { name: message('addTenant') }).click();
      await waitFor(() => page.locator('#add-error').textContent(), Boolean);
      assert.equal(await page.locator('#add-error').textContent(), text);
      assert.equal(await nameField.getAttribute('aria-invalid'), 'true');
      assert.equal(await nameField.inputValue(), name, 'the typed text stays to be corrected');

      await page.locator(`#edit-${CONTOSO.id}`).click();
      await page.locator('#edit-name').fill(name);
      await page.getByRole('button', { name: message('save'), exact: true }).click();
      const editError = page.locator('tr.editing p.error');
      await waitFor(() => editError.textContent(), Boolean);
      assert.equal(await editError.textContent(), text);
      assert.equal(await page.locator('#edit-name').getAttribute('aria-invalid'), 'true');
      assert.deepEqual(await snapshot(), before);
    });

    test(`${label}: refused by the background's message path, nothing saved`, async () => {
      const before = await snapshot();
      for (const op of [
        { op: 'addTenant', tenant: { name, id: NEW_ID } },
        { op: 'editTenant', id: CONTOSO.id, tenant: { ...CONTOSO, name } },
      ]) {
        const answer = await browser.send(operation(op));
        assert.equal(answer.ok, false, op.op);
        assert.deepEqual(fieldsOf(answer.error), error, op.op);
      }
      assert.deepEqual(await snapshot(), before);
    });
  }

  test('in an import file (CSV and JSON): each such row rejected with the reason, the rest imported', async () => {
    const csv = ['name,tenant id', `${BIDI_NAME},${NEW_ID}`, `${ZERO_WIDTH_NAME},20000000-0000-4000-8000-000000000002`, `${WOODGROVE.name},${WOODGROVE.id}`].join('\n');
    const preview = await browser.send({ what: 'previewImport', data: base64(csv) });
    assert.deepEqual(preview.preview.counts, { new: 1, renamed: 0, domainChanged: 0, tagsChanged: 0, changed: 0, unchanged: 0, rejected: 2, removed: 0 });
    assert.deepEqual(
      preview.preview.rows.filter((row) => row.status === 'rejected').map((row) => [row.line, fieldsOf(row.error)]),
      [
        [2, CASES[0].error],
        [3, CASES[1].error],
      ],
    );
    const json = JSON.stringify({ format: 'tenant-switch', version: 1, tenants: [{ name: HUGE_NAME, id: NEW_ID }] });
    const jsonPreview = await browser.send({ what: 'previewImport', data: base64(json) });
    assert.deepEqual(jsonPreview.preview.rows.map((row) => [row.entry, row.status, fieldsOf(row.error)]), [[1, 'rejected', CASES[2].error]]);

    // The import applies the file last shown in a preview: the CSV again.
    await browser.send({ what: 'previewImport', data: base64(csv) });
    const applied = await browser.send({ what: 'importTenants' });
    assert.equal(applied.ok, true);
    assert.deepEqual((await browser.storage()).settings.tenants, [CONTOSO, WOODGROVE]);

    // The options page's preview shows the file's own values of the rejected rows as literal
    // text (isolated, so the direction override stays inside its cell), with the reason.
    const page = await browser.openExtensionPage('options.html');
    await page.locator(`#edit-${CONTOSO.id}`).waitFor();
    await page.locator('#import-file').setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('heading', { name: 'Preview of \u2068customers.csv\u2069' }).waitFor();
    const rejected = await page
      .getByRole('table', { name: /^Preview of/ })
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent.trim())))
      .then((rows) => rows.filter((cells) => cells[1] === 'Rejected'));
    assert.deepEqual(
      rejected.map((cells) => [cells[0], cells[2], cells[4]]),
      [
        [message('importRowLine', ['2']), BIDI_NAME, CASES[0].text],
        [message('importRowLine', ['3']), ZERO_WIDTH_NAME, CASES[1].text],
      ],
    );
    await assertNoInjectedMarkup(page);
    await browser.sendOk(operation({ op: 'deleteTenant', id: WOODGROVE.id }));
  });

  test('from another browser through sync: the generation is refused and written over, never applied', async () => {
    await browser.sendOk({ what: 'setSyncEnabled', enabled: true });
    const sync = () => browser.inWorker(() => chrome.storage.sync.get(null));
    const written = await waitFor(sync, (items) => items.syncGeneration);
    const own = written[written.syncGeneration.chunks[0]];
    // As a browser writes a generation (src/sync.rs): the new items first, the ones it no longer
    // uses removed after. (Clearing first would show this browser an empty area for a moment,
    // which it fills with its own list, racing the items written next.)
    const replaceSync = (items) =>
      browser.inWorker(async (items) => {
        const stale = Object.keys(await chrome.storage.sync.get(null)).filter((key) => !(key in items));
        await chrome.storage.sync.set(items);
        await chrome.storage.sync.remove(stale);
      }, items);

    // A benign tenant written the same way is applied: the items are made as a browser makes them.
    await replaceSync(generationItems(5, [...own, liveEntry(WOODGROVE, Date.now())]));
    await waitFor(async () => (await browser.storage()).settings.tenants.length, (n) => n === 2, { timeout: 10_000 });
    assert.deepEqual((await browser.storage()).settings.tenants, [CONTOSO, WOODGROVE]);

    const hostile = { name: BIDI_NAME, id: NEW_ID };
    const current = await waitFor(sync, (items) => items.syncGeneration?.generation > 5 || items.syncGeneration?.generation === 5);
    const entries = current[current.syncGeneration.chunks[0]];
    await replaceSync(generationItems(10, [...entries, liveEntry(hostile, Date.now())]));
    // This browser writes its own list over what it cannot read.
    const over = await waitFor(sync, (items) => items.syncGeneration && items.syncGeneration.generation !== 10, { timeout: 10_000 });
    assert.notEqual(over.syncGeneration.generation, 10, 'the generation holding the name was written over');
    const synced = over.syncGeneration.chunks.flatMap((key) => over[key]);
    assert.deepEqual(synced.map((entry) => entry[0]).sort(), [CONTOSO.id, WOODGROVE.id].sort());
    assert.deepEqual((await browser.storage()).settings.tenants, [CONTOSO, WOODGROVE]);
    assert.ok(!JSON.stringify(await browser.storage()).includes('Invoice'));

    await browser.sendOk({ what: 'setSyncEnabled', enabled: false });
    await browser.sendOk(operation({ op: 'deleteTenant', id: WOODGROVE.id }));
  });

  test('one stored by hand: the whole store is refused and kept, the name is drawn nowhere', async () => {
    const edited = { ...KNOWN, tenants: [CONTOSO, { name: BIDI_NAME, id: NEW_ID }], defaultTenant: NEW_ID, recentTenants: [NEW_ID, CONTOSO.id] };
    const { problem } = await storeByHand(edited, false);
    assert.deepEqual(fieldsOf(problem.error), {
      name: 'SettingsInvalidTenant',
      index: 1,
      error: { name: 'TenantNameBidiControl', position: 8, codePoint: 'U+202E' },
    });
    const reason = `The stored tenant tenants[1] is invalid: ${CASES[0].text}`;
    const stored = await browser.storage();
    assert.deepEqual(stored.settings, edited);
    assert.deepEqual(stored.keptCopies[0].data, edited);
    assert.deepEqual([await browser.dynamicRules(), await browser.sessionRules()], [[], []]);

    const options = await browser.openExtensionPage('options.html');
    await waitFor(() => options.locator('#problem-text').textContent(), Boolean);
    assert.equal(await options.locator('#problem-text').textContent(), message('problemBanner', [reason]));
    assert.equal(await options.locator('#tenant-rows tr').count(), 0);
    assert.ok(!(await options.locator('body').innerText()).includes('Invoice'));

    const popup = await browser.openExtensionPage('popup.html?view=tab');
    await waitFor(() => popup.locator('#problem-text').textContent(), Boolean);
    assert.equal(await popup.locator('#problem-text').textContent(), message('problemBannerShort', [reason]));
    assert.ok(!(await popup.locator('body').innerText()).includes('Invoice'));

    // The badge of a tab in that tenant does not name it either.
    const tab = await browser.context.newPage();
    await tab.goto(`https://security.microsoft.com/alerts?tid=${NEW_ID}`);
    const badge = await browser.badge(await browser.tabIdOf(tab));
    assert.ok(!badge.title.includes('Invoice') && !badge.text.includes('Inv'), JSON.stringify(badge));

    const refused = await browser.send(operation({ op: 'setDefaultTenant', id: CONTOSO.id }));
    assert.equal(refused.error.name, 'SettingsUnusable');
    assert.deepEqual((await browser.storage()).settings, edited);
    await storeByHand(KNOWN);
  });
});

describe('look-alike and spoofed portal hosts are never rewritten or sent elsewhere', () => {
  const TID = CONTOSO.id;
  // Each: the URL typed, the Host header the server must see, the path it must see.
  const SPOOFS = [
    ['https://securitycenter.windows.com.example.net/alerts', 'securitycenter.windows.com.example.net', '/alerts'],
    ['https://example.net/securitycenter.windows.com', 'example.net', '/securitycenter.windows.com'],
    ['https://security.microsoft.com@example.net/', 'example.net', '/'],
    ['https://security.microsoft.com:443@example.net/incidents', 'example.net', '/incidents'],
    ['https://security.microsoft.com./alerts', 'security.microsoft.com.', '/alerts'],
    ['https://SECURITYCENTER.WINDOWS.COM./machines', 'securitycenter.windows.com.', '/machines'],
    ['https://security.microsoft.com:8443/alerts', 'security.microsoft.com:8443', '/alerts'],
    ['http://security.microsoft.com:443/alerts', 'security.microsoft.com:443', '/alerts'],
    ['https://\u0455ecurity.microsoft.com/', 'xn--ecurity-iog.microsoft.com', '/'],
    ['https://mto.security.microsoft.com/', 'mto.security.microsoft.com', '/'],
  ];

  before(async () => {
    await storeByHand({ ...EMPTY, tenants: [CONTOSO], defaultTenant: TID, recentTenants: [TID] });
    assert.notEqual((await browser.dynamicRules()).length, 0);
  });

  for (const [input, hostHeader, path] of SPOOFS) {
    test(`${JSON.stringify(input)} goes to ${hostHeader} unchanged`, async () => {
      const page = await browser.context.newPage();
      server.clear();
      const response = await page.goto(input);
      assert.equal(response.request().redirectedFrom(), null, 'no redirect');
      const seen = server.requests.filter((r) => r.path !== '/favicon.ico').map((r) => r.hostHeader + r.path);
      assert.deepEqual(seen, [hostHeader + path]);
      assert.ok(!page.url().includes('tid='), page.url());

      // Picking a tenant with the spoofed URL as the tab's address reloads nothing anywhere.
      server.clear();
      const tabId = await browser.tabIdOf(page);
      const answer = await browser.send({ what: 'pickTenant', id: TID, tab: { id: tabId, url: input }, view: 'tab' });
      assert.equal(answer.reloaded, false, JSON.stringify(answer));
      const navigated = await page.waitForEvent('framenavigated', { timeout: 300 }).then(() => true, () => false);
      assert.equal(navigated, false);
      assert.deepEqual(server.requests.filter((r) => r.path !== '/favicon.ico'), []);
      assert.equal(page.url(), response.url());
    });
  }

  test('upper case is the portal host itself: rewritten onto that same host only', async () => {
    const page = await browser.context.newPage();
    server.clear();
    await page.goto('https://SECURITY.MICROSOFT.COM/Alerts');
    assert.equal(page.url(), `https://security.microsoft.com/Alerts?tid=${TID}`);
    const seen = server.requests.filter((r) => r.path !== '/favicon.ico').map((r) => r.hostHeader + r.path);
    assert.deepEqual(seen, [`security.microsoft.com/Alerts?tid=${TID}`]);
    assert.ok(seen.every((s) => PORTAL_HOSTS.includes(s.split('/')[0])));
  });
});

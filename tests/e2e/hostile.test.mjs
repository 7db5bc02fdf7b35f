// Hostile input, end to end in headless Chromium with the real extension: tenant names carrying
// HTML or script are drawn as inert text (popup, options page, badge tooltip, problem banner);
// names that could disguise themselves (bidirectional overrides, zero-width characters) or swamp
// the pages (100 KB) are refused at the options form and at the background's message path, and a
// hand-edited store holding one is refused as a whole; look-alike and spoofed portal hosts are
// never rewritten and never sent anywhere else. Every test also proves that no dialog opened and no
// console error, uncaught error or CSP violation was reported (an inline handler that the page let
// through would trip the CSP, an <img src=x> would fail to load: both are console errors).
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import core from './lib/core.mjs';
import { CONTOSO, replaceStoredSettings, setActiveTenant } from './lib/fixtures.mjs';
import { OTHER_HOST, PORTAL_HOSTS, startPortalServer } from './lib/portal-server.mjs';

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

const DEFAULTS = { schemaVersion: 1, tenants: [], activeTenant: null, automaticRewrite: true, recentTenants: [] };

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

/** The core's error for `fn`, as plain data: what the background answers and the pages show. */
function coreError(fn) {
  try {
    fn();
  } catch (error) {
    return { ...error, name: error.name, message: error.message };
  }
  assert.fail('the core accepted it');
}

/**
 * Writes `settings` straight into storage from the worker, as a hand edit or another program
 * would (no validation), and waits until the background has judged it: the rules are the core's
 * for it (none when rejected) and `getState` answers what the core makes of it.
 */
async function storeByHand(settings) {
  await replaceStoredSettings(browser, settings);
  let expected;
  try {
    expected = { settings: core.loadSettings(settings), problem: null };
  } catch (error) {
    expected = { settings: null, problem: { ...error, name: error.name, message: error.message } };
  }
  const rules = expected.settings ? core.buildRules(expected.settings) : [];
  assert.deepEqual(await waitFor(() => browser.dynamicRules(), (r) => isDeepStrictEqual(r, rules)), rules);
  const state = await browser.sendOk({ what: 'getState' });
  assert.deepEqual({ settings: state.settings, problem: state.problem }, expected);
  return expected;
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

describe('tenant names carrying HTML or script are inert text', () => {
  before(async () => {
    await storeByHand(DEFAULTS);
  });

  test('options page: added through the form, listed, edited and deleted as literal text', async () => {
    const page = await browser.openExtensionPage('options.html');
    await page.getByRole('button', { name: 'Add tenant' }).waitFor();
    for (const tenant of HTML_TENANTS) {
      await page.getByLabel('Tenant name').fill(tenant.name);
      await page.getByLabel('Tenant ID').fill(tenant.id);
      await page.getByRole('button', { name: 'Add tenant' }).click();
      await page.getByRole('status').getByText(`Added \u2068${tenant.name}\u2069.`, { exact: true }).waitFor();
    }
    const stored = (await browser.storage()).settings;
    assert.deepEqual(stored.tenants, HTML_TENANTS);

    // A to Z by name, each name exactly as typed.
    const names = await page.locator('#tenant-list bdi.name').allTextContents();
    assert.deepEqual(names, [SVG.name, IMG.name, SCRIPT.name, JS_URL.name]);

    // Edit one: the status names it literally.
    await page.locator(`#edit-${SCRIPT.id}`).click();
    await page.locator('#edit-name').fill(`${SCRIPT.name}<b>`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText(`Saved \u2068${SCRIPT.name}<b>\u2069.`, { exact: true }).waitFor();
    // Delete one and undo: both messages name it literally.
    await page.locator(`#delete-${SVG.id}`).click();
    await page.getByRole('status').getByText(`Deleted \u2068${SVG.name}\u2069.`, { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('status').getByText(`Restored \u2068${SVG.name}\u2069.`, { exact: true }).waitFor();

    assert.deepEqual(await page.locator('#tenant-list bdi.name').allTextContents(), [
      SVG.name,
      IMG.name,
      `${SCRIPT.name}<b>`,
      JS_URL.name,
    ]);
    await assertNoInjectedMarkup(page);
    // Give an injected handler (onerror fires after a failed load) time to run, if there were one.
    await page.waitForTimeout(300);

    await browser.sendOk({
      what: 'applyOperation',
      operation: { op: 'editTenant', id: SCRIPT.id, tenant: SCRIPT },
    });
  });

  test('popup: listed, searched and chosen as literal text', async () => {
    await browser.sendOk(setActiveTenant(IMG.id));
    const page = await browser.openExtensionPage('popup.html');
    const nameOf = (option) => page.locator(`#${option}-name`);
    await page.getByRole('option', { selected: true }).waitFor();
    const listed = await page
      .getByRole('option')
      .evaluateAll((items) => items.map((item) => document.getElementById(item.getAttribute('aria-labelledby')).textContent));
    // "No tenant", the recent (active) tenant, then A to Z.
    assert.deepEqual(listed, ['No tenant', IMG.name, SVG.name, SCRIPT.name, JS_URL.name]);

    // A search for markup finds the name and shows it as typed.
    await page.getByRole('searchbox', { name: 'Search tenants' }).fill('<script>');
    await page.waitForFunction((name) => document.querySelector('#option-0-name')?.textContent === name, SCRIPT.name);
    assert.equal(await nameOf('option-0').textContent(), SCRIPT.name);
    await page.getByRole('searchbox', { name: 'Search tenants' }).press('Enter');
    await page.getByRole('status').getByText(`Active tenant: \u2068${SCRIPT.name}\u2069`, { exact: true }).waitFor();
    assert.equal((await browser.storage()).settings.activeTenant, SCRIPT.id);

    await assertNoInjectedMarkup(page);
    await page.waitForTimeout(300);
  });

  test('badge tooltip: the name as literal text, for the active tenant and a mismatched tab', async () => {
    await browser.sendOk(setActiveTenant(SCRIPT.id));
    const other = await browser.context.newPage();
    await other.goto(`https://${OTHER_HOST}/`);
    const otherTab = await browser.tabIdOf(other);
    const active = `Tenant: ${SCRIPT.name} (${SCRIPT.id})`;
    assert.equal((await waitFor(() => browser.badge(otherTab), (b) => b.title === active)).title, active);

    const portal = await browser.context.newPage();
    await portal.goto(`https://security.microsoft.com/alerts?tid=${SVG.id}`);
    const portalTab = await browser.tabIdOf(portal);
    const mismatch = `Tenant: ${SVG.name} (${SVG.id}). This tab is not in the active tenant.`;
    assert.equal((await waitFor(() => browser.badge(portalTab), (b) => b.title === mismatch)).title, mismatch);

    // The tooltip reaches the worker as plain text only: the worker has no DOM to inject into,
    // and no script was run there (the error collector watches it too).
    await browser.sendOk(setActiveTenant(null));
  });

  test('a problem banner quoting hand-edited markup shows it as text', async () => {
    const unknownField = { ...DEFAULTS, [IMG.name]: 1 };
    const { problem } = await storeByHand(unknownField);
    assert.deepEqual(problem, {
      name: 'SettingsUnknownField',
      path: IMG.name,
      message: `stored settings: unknown field ${IMG.name}`,
    });
    const options = await browser.openExtensionPage('options.html');
    const banner = options.locator('#problem');
    await banner.waitFor();
    assert.equal(
      await banner.textContent(),
      `Your stored settings cannot be used: The stored settings contain the unknown field ${IMG.name}. ` +
        'They were kept exactly as found (and copied to a backup), nothing was deleted. ' +
        'Until this is resolved no portal address is rewritten and no change can be saved.',
    );
    await assertNoInjectedMarkup(options);

    const duplicate = {
      ...DEFAULTS,
      tenants: [
        { name: '<b onmouseover=alert(5)>x</b>', id: CONTOSO.id },
        { name: '<B ONMOUSEOVER=ALERT(5)>X</B>', id: IMG.id },
      ],
    };
    await storeByHand(duplicate);
    const popup = await browser.openExtensionPage('popup.html');
    const popupBanner = popup.locator('#problem');
    await popupBanner.waitFor();
    assert.equal(
      await popupBanner.textContent(),
      'Your stored settings cannot be used: The name \u2068<B ONMOUSEOVER=ALERT(5)>X</B>\u2069 is already used by ' +
        `\u2068<b onmouseover=alert(5)>x</b>\u2069 (${CONTOSO.id}). They were kept unchanged. See Manage tenants.`,
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
      message:
        'The tenant name contains the text direction character U+202E (position 8), which can make it look like another name.',
    },
    {
      label: 'a zero-width space',
      name: ZERO_WIDTH_NAME,
      message: 'The tenant name contains the invisible character U+200B (position 6).',
    },
    {
      label: '100 KB of text',
      name: HUGE_NAME,
      message: 'The tenant name has 102,400 characters; at most 100 are allowed.',
    },
  ];
  const KNOWN = { ...DEFAULTS, tenants: [CONTOSO], activeTenant: CONTOSO.id, recentTenants: [CONTOSO.id] };
  const NEW_ID = '20000000-0000-4000-8000-000000000001';

  before(async () => {
    await storeByHand(KNOWN);
  });

  for (const { label, name, message } of CASES) {
    test(`${label}: refused by the options form (add and edit), nothing saved`, async () => {
      const before = await browser.storage();
      const rules = await browser.dynamicRules();
      const page = await browser.openExtensionPage('options.html');
      await page.locator(`#edit-${CONTOSO.id}`).waitFor();

      await page.getByLabel('Tenant name').fill(name);
      await page.getByLabel('Tenant ID').fill(NEW_ID);
      await page.getByRole('button', { name: 'Add tenant' }).click();
      const addError = page.locator('#add-error');
      await waitFor(() => addError.textContent(), (text) => text !== '');
      assert.equal(await addError.textContent(), message);
      assert.equal(await page.getByLabel('Tenant name').getAttribute('aria-invalid'), 'true');
      // The typed text stays in the form to be corrected.
      assert.equal(await page.getByLabel('Tenant name').inputValue(), name);

      await page.locator(`#edit-${CONTOSO.id}`).click();
      await page.locator('#edit-name').fill(name);
      await page.getByRole('button', { name: 'Save' }).click();
      const editError = page.locator('li.editing p.error');
      await waitFor(() => editError.textContent(), (text) => text !== '');
      assert.equal(await editError.textContent(), message);
      assert.equal(await page.locator('#edit-name').getAttribute('aria-invalid'), 'true');

      assert.deepEqual(await browser.storage(), before);
      assert.deepEqual(await browser.dynamicRules(), rules);
      assert.deepEqual(await page.locator('#tenant-list bdi.name').allTextContents(), []);
      await page.getByRole('button', { name: 'Cancel' }).click();
      assert.deepEqual(await page.locator('#tenant-list bdi.name').allTextContents(), ['Contoso']);
    });

    test(`${label}: refused by the background's message path, nothing saved`, async () => {
      const before = await browser.storage();
      const rules = await browser.dynamicRules();
      const expected = coreError(() => core.validateTenant({ name, id: NEW_ID }));

      for (const operation of [
        { op: 'addTenant', tenant: { name, id: NEW_ID } },
        { op: 'editTenant', id: CONTOSO.id, tenant: { ...CONTOSO, name } },
      ]) {
        const answer = await browser.send({ what: 'applyOperation', operation });
        assert.deepEqual(answer, { ok: false, error: expected }, operation.op);
      }
      assert.deepEqual(await browser.storage(), before);
      assert.deepEqual(await browser.dynamicRules(), rules);
    });
  }

  test('one stored by hand: the whole store is refused and kept, the name is drawn nowhere', async () => {
    const edited = {
      ...KNOWN,
      tenants: [CONTOSO, { name: BIDI_NAME, id: NEW_ID }],
      activeTenant: NEW_ID,
      recentTenants: [NEW_ID, CONTOSO.id],
    };
    const { problem } = await storeByHand(edited);
    assert.deepEqual(problem, {
      name: 'SettingsInvalidTenant',
      index: 1,
      error: { name: 'TenantNameBidiControl', position: 8, codePoint: 'U+202E' },
      message:
        'stored settings: tenants[1]: bidirectional control character U+202E at position 8 in the tenant name: it can make the name display as another',
    });
    const reason =
      'The stored tenant tenants[1] is invalid: The tenant name contains the text direction character U+202E ' +
      '(position 8), which can make it look like another name.';

    const stored = await browser.storage();
    assert.deepEqual(stored.settings, edited);
    assert.deepEqual(stored.settingsRejected.data, edited);
    assert.deepEqual(stored.settingsRejected.error, problem);
    assert.deepEqual(await browser.dynamicRules(), []);

    const options = await browser.openExtensionPage('options.html');
    await options.locator('#problem').waitFor();
    assert.equal(
      await options.locator('#problem').textContent(),
      `Your stored settings cannot be used: ${reason} They were kept exactly as found (and copied to a backup), ` +
        'nothing was deleted. Until this is resolved no portal address is rewritten and no change can be saved.',
    );
    assert.equal(await options.locator('#tenant-list li').count(), 0);
    assert.ok(!(await options.locator('body').innerText()).includes('Invoice'));

    const popup = await browser.openExtensionPage('popup.html');
    await popup.locator('#problem').waitFor();
    assert.equal(
      await popup.locator('#problem').textContent(),
      `Your stored settings cannot be used: ${reason} They were kept unchanged. See Manage tenants.`,
    );
    await popup.getByRole('option').first().waitFor();
    assert.deepEqual(await popup.locator('#tenants bdi.name').allTextContents(), ['No tenant']);
    assert.ok(!(await popup.locator('body').innerText()).includes('Invoice'));

    // The badge does not name it either.
    const tab = await browser.context.newPage();
    await tab.goto(`https://security.microsoft.com/alerts?tid=${NEW_ID}`);
    const tabId = await browser.tabIdOf(tab);
    const none = { text: '', title: 'Tenant Switch', color: [0x1f, 0x5f, 0xbf, 255] };
    assert.deepEqual(await waitFor(() => browser.badge(tabId), (b) => isDeepStrictEqual(b, none)), none);

    // Nothing from it applies, and it stays as found after a refused change.
    const refused = await browser.send(setActiveTenant(CONTOSO.id));
    assert.deepEqual(refused, { ok: false, error: problem });
    assert.deepEqual(await browser.storage(), stored);
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
    await storeByHand({ ...DEFAULTS, tenants: [CONTOSO], activeTenant: TID, recentTenants: [TID] });
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

      // switchTenant with the spoofed URL as the tab's URL: no reload to anywhere.
      server.clear();
      const tabId = await browser.tabIdOf(page);
      await browser.sendOk({ what: 'switchTenant', id: TID, tabId, url: input });
      await page.waitForTimeout(150);
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
    await page.close();
  });
});

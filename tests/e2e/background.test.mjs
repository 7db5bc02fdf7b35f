// The background service worker, end to end: the single-writer message path, rule installation,
// the per-tab badge, switching a portal tab's tenant, rejected stored settings and a browser
// restart. State is set the way the pages set it: messages from an extension page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, makeProfile, removeProfile, waitFor } from './lib/browser.mjs';
import core from './lib/core.mjs';
import { CONTOSO, FABRIKAM, UNKNOWN_ID, addTenant, setActiveTenant, storedState } from './lib/fixtures.mjs';
import { OTHER_HOST, startPortalServer } from './lib/portal-server.mjs';

const BLUE = [0x1f, 0x5f, 0xbf, 255];
const RED = [0xc6, 0x28, 0x28, 255];

let server;
let profile;
let browser;
const errors = [];

async function relaunch() {
  if (browser) {
    errors.push(...browser.errors);
    await browser.close();
  }
  browser = await launchBrowser({ server, profileDir: profile });
}

before(async () => {
  server = await startPortalServer();
  profile = makeProfile();
  await relaunch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  removeProfile(profile);
});

async function storedSettings() {
  return (await browser.storage()).settings;
}

/** Opens `url` in a new tab; returns the page and its tab ID. */
async function openTab(url) {
  const page = await browser.context.newPage();
  await page.goto(url);
  return { page, tabId: await browser.tabIdOf(page) };
}

/** The badge of `tabId` once it equals `expected` (or whatever it is after the timeout). */
async function badgeOnce(tabId, expected) {
  return waitFor(
    () => browser.badge(tabId),
    (badge) => JSON.stringify(badge) === JSON.stringify(expected),
  );
}

test('a new install: default settings, no rules, host access, nothing stored yet', async () => {
  const answer = await browser.send({ what: 'getState' });
  assert.equal(answer.ok, true);
  assert.deepEqual(storedState(answer.state), {
    settings: { schemaVersion: 1, tenants: [], activeTenant: null, automaticRewrite: true, recentTenants: [] },
    problem: null,
    hostAccess: true,
  });
  // No policy is installed and sync is opt-in.
  assert.deepEqual(answer.state.policy.managedTenants, []);
  assert.equal(answer.state.sync.enabled, false);
  assert.deepEqual(await browser.dynamicRules(), []);
  assert.deepEqual(await browser.storage(), {});
});

test('each operation is stored and its rules are installed before the answer', async () => {
  // The ID in another accepted form is stored canonical.
  const braced = `{${CONTOSO.id.toUpperCase()}}`;
  let state = await browser.sendOk(addTenant({ ...CONTOSO, id: braced }));
  assert.deepEqual(state.settings.tenants, [CONTOSO]);
  assert.deepEqual(await storedSettings(), state.settings);
  assert.deepEqual(await browser.dynamicRules(), []);

  state = await browser.sendOk(setActiveTenant(CONTOSO.id));
  assert.deepEqual(state.settings, {
    schemaVersion: 1,
    tenants: [CONTOSO],
    activeTenant: CONTOSO.id,
    automaticRewrite: true,
    recentTenants: [CONTOSO.id],
  });
  assert.deepEqual(await storedSettings(), state.settings);
  const rules = await browser.dynamicRules();
  assert.notEqual(rules.length, 0);
  assert.deepEqual(rules, core.buildRules(state.settings));
});

test('an invalid operation is refused with the core error and changes nothing', async () => {
  const before = await browser.storage();
  const answer = await browser.send(addTenant({ name: 'Bad', id: 'not-a-guid' }));
  assert.equal(answer.ok, false);
  let expected;
  try {
    core.validateTenant({ name: 'Bad', id: 'not-a-guid' });
  } catch (error) {
    expected = { ...error, name: error.name, message: error.message };
  }
  assert.ok(expected, 'the core rejects the tenant');
  assert.deepEqual(answer.error, expected);
  assert.deepEqual(await browser.storage(), before);

  const unknown = await browser.send({ what: 'noSuchMessage' });
  assert.equal(unknown.ok, false);
  assert.equal(unknown.error.name, 'MessageUnknown');
});

test('messages sent at once from two pages are all applied, none lost', async () => {
  const pages = [
    await browser.openExtensionPage('manifest.json'),
    await browser.openExtensionPage('manifest.json'),
  ];
  const names = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon', 'Zeta'];
  const ids = names.map((_, i) => `00000000-0000-4000-8000-00000000000${i}`);
  const answers = await Promise.all(
    names.map((name, i) =>
      pages[i % 2].evaluate((m) => chrome.runtime.sendMessage(m), addTenant({ name, id: ids[i] })),
    ),
  );
  assert.ok(answers.every((a) => a.ok));
  const stored = (await storedSettings()).tenants.map((t) => t.id);
  assert.deepEqual(stored.sort(), [CONTOSO.id, ...ids].sort());
  await browser.sendOk(addTenant(FABRIKAM));
  await Promise.all(pages.map((p) => p.close()));
});

test('the badge shows each tab its tenant; a mismatch is flagged', async () => {
  const other = await openTab(`https://${OTHER_HOST}/`);
  assert.deepEqual(await badgeOnce(other.tabId, { text: 'CONT', title: `Tenant: Contoso (${CONTOSO.id})`, color: BLUE }), {
    text: 'CONT',
    title: `Tenant: Contoso (${CONTOSO.id})`,
    color: BLUE,
  });

  // A portal tab opened without a tid lands in the active tenant, and says so.
  const portal = await openTab('https://security.microsoft.com/alerts');
  assert.equal(portal.page.url(), `https://security.microsoft.com/alerts?tid=${CONTOSO.id}`);
  const contoso = { text: 'CONT', title: `Tenant: Contoso (${CONTOSO.id})`, color: BLUE };
  assert.deepEqual(await badgeOnce(portal.tabId, contoso), contoso);

  const fabrikamUrl = `https://security.microsoft.com/incidents?tid=${FABRIKAM.id}`;
  const fabrikam = await openTab(fabrikamUrl);
  const expectedText = core.tabBadge(await storedSettings(), fabrikamUrl).text;
  const mismatch = {
    text: expectedText,
    title: `Tenant: Fabrikam (${FABRIKAM.id}). This tab is not in the active tenant.`,
    color: RED,
  };
  assert.deepEqual(await badgeOnce(fabrikam.tabId, mismatch), mismatch);
  assert.equal(expectedText, 'FABR');

  const unknown = await openTab(`https://securitycenter.windows.com/?tid=${UNKNOWN_ID}`);
  const unknownBadge = { text: '?', title: `Tenant ID ${UNKNOWN_ID} is not in your tenant list.`, color: RED };
  assert.deepEqual(await badgeOnce(unknown.tabId, unknownBadge), unknownBadge);

  // A change redraws every tab without a navigation; "No tenant" shows no badge off the portal.
  await browser.sendOk(setActiveTenant(FABRIKAM.id));
  const fabrikamOk = { text: 'FABR', title: `Tenant: Fabrikam (${FABRIKAM.id})`, color: BLUE };
  assert.deepEqual(await badgeOnce(fabrikam.tabId, fabrikamOk), fabrikamOk);
  assert.deepEqual(await badgeOnce(other.tabId, fabrikamOk), fabrikamOk);
  await browser.sendOk(setActiveTenant(null));
  const none = { text: '', title: 'Tenant Switch', color: BLUE };
  assert.deepEqual(await badgeOnce(other.tabId, none), none);

  await browser.sendOk(setActiveTenant(CONTOSO.id));
  for (const tab of [other, portal, fabrikam, unknown]) await tab.page.close();
});

test('switchTenant reloads a portal tab, same page, in the chosen tenant', async () => {
  const { page, tabId } = await openTab(`https://security.microsoft.com/alerts?x=1#list`);
  const start = page.url();
  assert.equal(start, `https://security.microsoft.com/alerts?x=1&tid=${CONTOSO.id}#list`);

  server.clear();
  const state = await browser.sendOk({ what: 'switchTenant', id: FABRIKAM.id, tabId, url: start });
  assert.equal(state.settings.activeTenant, FABRIKAM.id);
  assert.deepEqual(state.settings.recentTenants.slice(0, 2), [FABRIKAM.id, CONTOSO.id]);
  const target = core.switchTenant(start, FABRIKAM.id);
  assert.equal(target, `https://security.microsoft.com/alerts?x=1&tid=${FABRIKAM.id}#list`);
  await page.waitForURL(target);
  await page.waitForLoadState('load');
  const seen = server.requests.filter((r) => r.host === 'security.microsoft.com').map((r) => r.url);
  assert.deepEqual(seen, [`https://security.microsoft.com/alerts?x=1&tid=${FABRIKAM.id}`]);

  // To "No tenant": the tid goes, and no rule puts one back. The tab's URL is read by the worker.
  server.clear();
  await browser.sendOk({ what: 'switchTenant', id: null, tabId });
  await page.waitForURL('https://security.microsoft.com/alerts?x=1#list');
  await page.waitForLoadState('load');
  const home = server.requests.filter((r) => r.host === 'security.microsoft.com').map((r) => r.url);
  assert.deepEqual(home, ['https://security.microsoft.com/alerts?x=1']);

  await browser.sendOk(setActiveTenant(CONTOSO.id));
  await page.close();
});

test('withheld host access is reported; the rules stay and work again once access is back', async () => {
  const page = await browser.context.newPage();
  try {
    await browser.setSiteAccess('ON_CLICK');
    const withheld = await browser.sendOk({ what: 'getState' });
    assert.equal(withheld.hostAccess, false);
    assert.deepEqual(await browser.dynamicRules(), core.buildRules(withheld.settings));
    // What the report is for: without host access the browser silently stops rewriting.
    await page.goto('https://security.microsoft.com/alerts');
    assert.equal(page.url(), 'https://security.microsoft.com/alerts');
  } finally {
    await browser.setSiteAccess('ON_ALL_SITES');
  }
  assert.equal((await browser.sendOk({ what: 'getState' })).hostAccess, true);
  await page.goto('https://security.microsoft.com/alerts');
  assert.equal(page.url(), `https://security.microsoft.com/alerts?tid=${CONTOSO.id}`);
  await page.close();
});

test('after a browser restart the first navigation is rewritten', async () => {
  const settings = await storedSettings();
  assert.equal(settings.activeTenant, CONTOSO.id);
  await relaunch();
  const page = await browser.context.newPage();
  server.clear();
  await page.goto('https://securitycenter.microsoft.com/machines');
  assert.equal(page.url(), `https://securitycenter.microsoft.com/machines?tid=${CONTOSO.id}`);
  const seen = server.requests.filter((r) => r.host === 'securitycenter.microsoft.com').map((r) => r.url);
  assert.deepEqual(seen, [`https://securitycenter.microsoft.com/machines?tid=${CONTOSO.id}`]);
  assert.deepEqual(await storedSettings(), settings);
  await page.close();
});

test('stored settings the core rejects: kept, copied, rules removed, problem reported', async () => {
  const corrupt = { schemaVersion: 99, tenants: 'from the future' };
  let problem;
  try {
    core.loadSettings(corrupt);
  } catch (error) {
    problem = { ...error, name: error.name, message: error.message };
  }
  assert.equal(problem?.name, 'SettingsNewerVersion');

  // Something other than the background writes the settings (a newer version, a bad sync).
  await browser.inWorker((value) => chrome.storage.local.set({ settings: value }), corrupt);
  assert.deepEqual(await waitFor(() => browser.dynamicRules(), (r) => r.length === 0), []);

  assert.deepEqual(storedState(await browser.sendOk({ what: 'getState' })), {
    settings: null,
    problem,
    hostAccess: true,
  });
  const stored = await browser.storage();
  assert.deepEqual(stored.settings, corrupt);
  assert.deepEqual(stored.settingsRejected.data, corrupt);
  assert.deepEqual(stored.settingsRejected.error, problem);
  assert.equal(typeof stored.settingsRejected.savedAt, 'number');

  // Operations are refused with the problem, and nothing is overwritten.
  const refused = await browser.send(setActiveTenant(null));
  assert.deepEqual(refused, { ok: false, error: problem });
  assert.deepEqual((await browser.storage()).settings, corrupt);

  // Nothing is rewritten.
  const page = await browser.context.newPage();
  await page.goto('https://security.microsoft.com/alerts');
  assert.equal(page.url(), 'https://security.microsoft.com/alerts');
  await page.close();

  // After a restart: still refused, the backup kept as it was, still no rules.
  await relaunch();
  assert.deepEqual(storedState(await browser.sendOk({ what: 'getState' })), {
    settings: null,
    problem,
    hostAccess: true,
  });
  assert.deepEqual(await browser.storage(), stored);
  assert.deepEqual(await browser.dynamicRules(), []);
});

test('no console errors, uncaught errors or CSP violations', () => {
  assert.deepEqual([...errors, ...browser.errors], []);
});

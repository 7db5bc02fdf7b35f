// The background service worker and its session, end to end at the message level: a new install,
// each operation stored with its rules in place before the answer, refusals that change nothing,
// concurrent writers, what picking a tenant does to the tab it is picked on, the badge of every
// tab, withheld host access, undo of a deletion (also across a worker restart) and a browser
// restart. State is set the way the pages set it: messages from an extension page.
//
// Oracles: expected rules come from the session's hand-checked fixtures (lib/session-fixtures.mjs),
// expected badge tooltips from _locales/en (lib/locales.mjs), what the browser sent from the local
// portal server's request log; never from the build under test.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { launchBrowser, makeProfile, removeProfile, waitFor } from './lib/browser.mjs';
import { DEFAULT_SETTINGS } from './lib/fixtures.mjs';
import { message } from './lib/locales.mjs';
import { OTHER_HOST, startPortalServer } from './lib/portal-server.mjs';
import { stopWorker } from './lib/service-worker.mjs';
import { FIXTURE_TENANTS, defaultRules, sortRules } from './lib/session-fixtures.mjs';

// The session fixtures' tenants, whose badge labels the fixtures give: CONT, FABR, FC.
const CONTOSO = { name: 'Contoso', id: FIXTURE_TENANTS.Contoso, domain: 'contoso.onmicrosoft.com' };
const FABRIKAM = { name: 'Fabrikam, Inc.', id: FIXTURE_TENANTS.Fabrikam };
const FOURTH_COFFEE = { name: 'Fourth Coffee', id: FIXTURE_TENANTS.FourthCoffee, domain: 'fourthcoffee.com' };
const UNLISTED_ID = FIXTURE_TENANTS.Unlisted;

// A tenant's badge is in its own colour, derived from its ID (src/colours.rs); these are the
// colours the session fixtures give these tenants (restart.json, rewrite-off.json,
// rule-priorities.json).
const COLOR = {
  [CONTOSO.id]: [0x9c, 0x1f, 0x8a, 255],
  [FABRIKAM.id]: [0x7a, 0x4a, 0x24, 255],
  [FOURTH_COFFEE.id]: [0xa3, 0x17, 0x4e, 255],
  grey: [0x5f, 0x63, 0x68, 255],
  red: [0xb3, 0x26, 0x1e, 255],
  amber: [0x8a, 0x53, 0x00, 255],
};
/** The stored settings (schema 5) of this file's tenants, as the fixtures store them. */
const LABELS = { [CONTOSO.id]: 'CONT', [FABRIKAM.id]: 'FABR', [FOURTH_COFFEE.id]: 'FC' };
const stored5 = (fields) => ({
  ...DEFAULT_SETTINGS,
  ...fields,
  tenantLabels: Object.fromEntries((fields.tenants ?? []).map((t) => [t.id, LABELS[t.id]])),
});
/** A tenant as answers give it: its label and its derived colour, neither chosen nor a favourite. */
const COLOUR_NAMES = { [CONTOSO.id]: ['#9c1f8a', 'magenta'] };
const answered = (tenant) => ({
  ...tenant,
  label: LABELS[tenant.id],
  colour: COLOUR_NAMES[tenant.id][0],
  colourName: COLOUR_NAMES[tenant.id][1],
  colourChosen: false,
  favourite: false,
  managed: false,
});
/** A badge as chrome.action reports it: the text, the tooltip from _locales/en, the colour. */
const badgeOf = (text, color, titleKey, args = []) => ({ text, title: message(titleKey, args), color: COLOR[color] });

const operation = (op) => ({ what: 'applyOperation', operation: op });
const addTenant = (tenant) => operation({ op: 'addTenant', tenant });
const setDefaultTenant = (id) => operation({ op: 'setDefaultTenant', id });
/** What the popup sends for a choice; `tab` is `{id, url}` of the tab in front, or null. */
const pick = (id, tab, { newTab = false, view = 'popup' } = {}) => ({ what: 'pickTenant', id, tab, newTab, view });

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

// Each test starts with no tab but extension pages, so that no tab left by another test is in
// front when a test opens one (a tab opened while a portal tab is in front inherits its tenant).
beforeEach(async () => {
  for (const page of browser.context.pages()) {
    if (!page.url().startsWith(browser.extensionOrigin)) await page.close();
  }
});

const storedSettings = async () => (await browser.storage()).settings;
const rules = async () => ({ dynamic: sortRules(await browser.dynamicRules()), session: sortRules(await browser.sessionRules()) });

let home;
/** Opens `url` in a new tab, opened while an extension page is in front; returns the page and its tab ID. */
async function openTab(url) {
  if (!home || home.isClosed()) home = await browser.openExtensionPage('manifest.json');
  await home.bringToFront();
  const page = await browser.context.newPage();
  await page.goto(url);
  return { page, tabId: await browser.tabIdOf(page) };
}

/** The badge of `tabId` once it equals `expected` (or whatever it is after the timeout). */
function badgeOnce(tabId, expected) {
  return waitFor(() => browser.badge(tabId), (badge) => isDeepStrictEqual(badge, expected));
}

/** An answer without its state, to compare what a message answered besides it. */
function besidesState(answer) {
  const { state, ...rest } = answer;
  assert.equal(typeof state, answer.ok ? 'object' : 'undefined');
  return rest;
}

/** The requests for the portal host that reached the server, as URLs. */
const portalRequests = () => server.requestsTo('security.microsoft.com').map((r) => r.url);

/** Resolves false when `page` navigates within `ms`, true when it stays put. */
async function staysPut(page, ms = 500) {
  try {
    await page.waitForEvent('framenavigated', { timeout: ms });
    return false;
  } catch {
    return true;
  }
}

test('a new install: usable, nothing stored but the policy seen, no rules', async () => {
  const answer = await browser.send({ what: 'getState' });
  assert.equal(answer.ok, true);
  const { state } = answer;
  assert.deepEqual(
    {
      usable: state.usable,
      problem: state.problem,
      keptCopies: state.keptCopies,
      setAsideCount: state.setAsideCount,
      hostAccess: state.hostAccess,
      rulesError: state.rulesError,
      defaultTenant: state.defaultTenant,
      automaticRewrite: state.automaticRewrite,
      tenantCount: state.tenantCount,
      backups: state.backups,
      undo: state.undo,
      sync: state.sync,
    },
    {
      usable: true,
      problem: null,
      keptCopies: [],
      setAsideCount: 0,
      hostAccess: true,
      rulesError: null,
      defaultTenant: null,
      automaticRewrite: true,
      tenantCount: 0,
      backups: [],
      undo: null,
      sync: { enabled: false, allowed: true, problem: null, held: [], lastError: null },
    },
  );
  assert.equal(state.policy.inForce, false);
  // The browser answers the policy read on its own time; then only that is stored.
  const policy = await waitFor(async () => (await browser.sendOk({ what: 'getState' })).policy, (p) => p.current);
  assert.equal(policy.current, true);
  const stored = await browser.storage();
  assert.deepEqual(Object.keys(stored), ['lastPolicy']);
  assert.deepEqual(stored.lastPolicy, { managed: null, seenAt: policy.seenAt });
  assert.equal(typeof policy.seenAt, 'number');
  assert.deepEqual(await rules(), { dynamic: [], session: [] });
});

test('each operation is stored and its rules are in place before the answer', async () => {
  // The ID and domain in other accepted forms are stored canonical.
  let state = await browser.sendOk(
    addTenant({ ...CONTOSO, id: `{${CONTOSO.id.toUpperCase()}}`, domain: 'Contoso.onmicrosoft.com' }),
  );
  assert.equal(state.tenantCount, 1);
  assert.deepEqual(await storedSettings(), stored5({ tenants: [CONTOSO] }));
  // No tenant for new tabs and no tab in a tenant: nothing to rewrite, so no rule at all.
  assert.deepEqual(await rules(), { dynamic: [], session: [] });

  state = await browser.sendOk(setDefaultTenant(CONTOSO.id));
  assert.deepEqual(state.defaultTenant, answered(CONTOSO));
  assert.deepEqual(
    await storedSettings(),
    stored5({ tenants: [CONTOSO], defaultTenant: CONTOSO.id, recentTenants: [CONTOSO.id] }),
  );
  assert.deepEqual(await rules(), { dynamic: defaultRules(CONTOSO.id), session: [] });

  await browser.sendOk(addTenant(FOURTH_COFFEE));
  await browser.sendOk(addTenant({ name: 'Fabrikam', id: FABRIKAM.id }));
  state = await browser.sendOk(operation({ op: 'editTenant', id: FABRIKAM.id, tenant: FABRIKAM }));
  assert.equal(state.tenantCount, 3);
  assert.deepEqual((await storedSettings()).tenants, [CONTOSO, FOURTH_COFFEE, FABRIKAM]);
  // The label stays what it was when the tenant was added, whatever the new name.
  assert.deepEqual((await storedSettings()).tenantLabels, { [CONTOSO.id]: 'CONT', [FOURTH_COFFEE.id]: 'FC', [FABRIKAM.id]: 'FABR' });

  state = await browser.sendOk(operation({ op: 'setAutomaticRewrite', enabled: false }));
  assert.equal(state.automaticRewrite, false);
  assert.equal((await storedSettings()).automaticRewrite, false);
  assert.deepEqual(await rules(), { dynamic: [], session: [] });
  await browser.sendOk(operation({ op: 'setAutomaticRewrite', enabled: true }));
  assert.equal((await storedSettings()).automaticRewrite, true);
  assert.deepEqual(await rules(), { dynamic: defaultRules(CONTOSO.id), session: [] });
});

test('an invalid operation or message is refused with the core error and changes nothing', async () => {
  const before = { local: await browser.storage(), session: await browser.sessionStorage(), rules: await rules() };
  const refusals = [
    [
      addTenant({ name: 'Bad', id: 'not-a-guid' }),
      { name: 'TenantIdInvalidCharacter', character: 'n', position: 1 },
    ],
    [
      addTenant({ name: 'contoso', id: '20000000-0000-4000-8000-000000000001' }),
      { name: 'SettingsDuplicateTenantName', tenantName: 'contoso', existingName: 'Contoso', existingId: CONTOSO.id },
    ],
    [
      addTenant({ name: 'Other', id: CONTOSO.id }),
      { name: 'SettingsDuplicateTenantId', id: CONTOSO.id, existingName: 'Contoso' },
    ],
    [operation({ op: 'deleteTenant', id: UNLISTED_ID }), { name: 'SettingsUnknownTenant', id: UNLISTED_ID }],
    [pick(UNLISTED_ID, null), { name: 'SettingsUnknownTenant', id: UNLISTED_ID }],
    [{ what: 'applyOperation' }, { name: 'SettingsInvalidOperation', reason: 'the message has no operation' }],
    [{ what: 'picker', query: 5 }, { name: 'MessageInvalid', what: 'picker', field: 'query', expected: 'a string' }],
    [{ what: 'noSuchMessage' }, { name: 'MessageUnknown', what: 'noSuchMessage' }],
    [{ what: 'undoDelete' }, { name: 'UndoNone' }],
    [{ what: 'restoreBackup' }, { name: 'BackupNone' }],
    [{ what: 'resetSettings' }, { name: 'SettingsUsable' }],
  ];
  for (const [sent, expected] of refusals) {
    const answer = await browser.send(sent);
    assert.equal(answer.ok, false, JSON.stringify(sent));
    const { message: text, ...fields } = answer.error;
    assert.deepEqual(fields, expected, JSON.stringify(sent));
    assert.equal(typeof text, 'string', 'the answer carries the English message for logs');
    assert.equal(Object.keys(answer).length, 2, 'no state with a refusal');
  }
  assert.deepEqual({ local: await browser.storage(), session: await browser.sessionStorage(), rules: await rules() }, before);
});

test('messages sent at once from two pages are all applied, none lost', async () => {
  const pages = [await browser.openExtensionPage('manifest.json'), await browser.openExtensionPage('manifest.json')];
  const names = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon', 'Zeta'];
  const ids = names.map((_, i) => `00000000-0000-4000-8000-00000000000${i + 1}`);
  const sendFrom = (page, sent) => page.evaluate((m) => chrome.runtime.sendMessage(m), sent);
  try {
    await concurrentWriters(pages, names, ids, sendFrom);
  } finally {
    // Back to the three tenants the next tests use, whatever this test found.
    const left = new Set((await storedSettings()).tenants.map((t) => t.id));
    for (const id of ids) if (left.has(id)) await browser.sendOk(operation({ op: 'deleteTenant', id }));
    await browser.sendOk(operation({ op: 'editTenant', id: FOURTH_COFFEE.id, tenant: FOURTH_COFFEE }));
    await browser.sendOk(operation({ op: 'editTenant', id: FABRIKAM.id, tenant: FABRIKAM }));
    await Promise.all(pages.map((p) => p.close()));
  }
  assert.deepEqual((await storedSettings()).tenants, [CONTOSO, FOURTH_COFFEE, FABRIKAM]);
});

async function concurrentWriters(pages, names, ids, sendFrom) {
  const answers = await Promise.all([
    ...names.map((name, i) => sendFrom(pages[i % 2], addTenant({ name, id: ids[i] }))),
    // An edit of an existing tenant from each page at the same time.
    sendFrom(pages[0], operation({ op: 'editTenant', id: FOURTH_COFFEE.id, tenant: { ...FOURTH_COFFEE, name: 'Fourth Coffee Ltd' } })),
    sendFrom(pages[1], operation({ op: 'editTenant', id: FABRIKAM.id, tenant: { ...FABRIKAM, name: 'Fabrikam Inc' } })),
  ]);
  assert.deepEqual(answers.map((a) => a.ok), answers.map(() => true));
  const stored = await storedSettings();
  assert.deepEqual(
    stored.tenants.map((t) => [t.id, t.name]).sort(),
    [
      [CONTOSO.id, 'Contoso'],
      [FOURTH_COFFEE.id, 'Fourth Coffee Ltd'],
      [FABRIKAM.id, 'Fabrikam Inc'],
      ...names.map((name, i) => [ids[i], name]),
    ].sort(),
  );
  // Every answer's state counted the tenants stored before it: each one saw a different count.
  const counts = answers.slice(0, names.length).map((a) => a.state.tenantCount).sort();
  assert.deepEqual(counts, [4, 5, 6, 7, 8, 9]);
}

/** Makes `id` the tenant for new tabs, as the options page does. */
const useDefault = (id) => browser.sendOk(setDefaultTenant(id));

/** A portal tab opened at `url` without a tid, so the default rule puts it in the default tenant. */
async function portalTabIn(tenant, path = '/alerts?x=1#list') {
  await useDefault(tenant.id);
  const tab = await openTab(`https://security.microsoft.com${path}`);
  const hash = path.includes('#') ? path.slice(path.indexOf('#')) : '';
  const withoutHash = path.replace(/#.*/, '');
  const join = withoutHash.includes('?') ? '&' : '?';
  assert.equal(tab.page.url(), `https://security.microsoft.com${withoutHash}${join}tid=${tenant.id}${hash}`);
  return tab;
}

test('pickTenant on a portal tab: the tab reloads at the same page in the new tenant, new tabs get it', async () => {
  const { page, tabId } = await portalTabIn(CONTOSO);
  server.clear();
  const answer = await browser.send(pick(FABRIKAM.id, { id: tabId, url: page.url() }));
  const target = `https://security.microsoft.com/alerts?x=1&tid=${FABRIKAM.id}#list`;
  await page.waitForURL(target);
  await page.waitForLoadState('load');
  assert.deepEqual(portalRequests(), [`https://security.microsoft.com/alerts?x=1&tid=${FABRIKAM.id}`]);
  const settings = await storedSettings();
  assert.equal(settings.defaultTenant, FABRIKAM.id);
  assert.deepEqual(settings.recentTenants.slice(0, 2), [FABRIKAM.id, CONTOSO.id]);
  assert.deepEqual((await browser.sessionStorage()).tabs[tabId], { tenant: FABRIKAM.id, portal: true });
  assert.deepEqual((await rules()).dynamic, defaultRules(FABRIKAM.id));
  // The toolbar popup closes after the choice.
  assert.deepEqual(besidesState(answer), { ok: true, changed: true, reloaded: true, close: true });
  await page.close();
});

test('pickTenant of the tenant the tab is already in changes nothing and reloads nothing', async () => {
  const { page, tabId } = await portalTabIn(FABRIKAM);
  const before = { local: await browser.storage(), rules: await rules() };
  server.clear();
  const answer = await browser.send(pick(FABRIKAM.id, { id: tabId, url: page.url() }));
  assert.deepEqual(besidesState(answer), { ok: true, changed: false, close: true });
  assert.equal(await staysPut(page), true, 'no reload');
  assert.deepEqual(portalRequests(), []);
  assert.deepEqual({ local: await browser.storage(), rules: await rules() }, before);
  await page.close();
});

test('pickTenant of the home tenant on a portal tab: reloaded without tid, and it stays home', async () => {
  const { page, tabId } = await portalTabIn(CONTOSO);
  server.clear();
  const answer = await browser.send(pick(null, { id: tabId, url: page.url() }));
  await page.waitForURL('https://security.microsoft.com/alerts?x=1#list');
  await page.waitForLoadState('load');
  assert.deepEqual(portalRequests(), ['https://security.microsoft.com/alerts?x=1']);
  assert.equal((await storedSettings()).defaultTenant, null);
  assert.deepEqual((await browser.sessionStorage()).tabs[tabId], { tenant: 'home', portal: true });
  assert.deepEqual(besidesState(answer), { ok: true, changed: true, reloaded: true, close: true });
  await page.close();
});

test('pickTenant with newTab opens a new tab in that tenant and changes nothing else', async () => {
  const { page, tabId } = await portalTabIn(CONTOSO);
  const before = { local: await browser.storage(), rules: (await rules()).dynamic };
  server.clear();
  const opened = browser.context.waitForEvent('page');
  const answer = await browser.send(pick(FOURTH_COFFEE.id, { id: tabId, url: page.url() }, { newTab: true, view: 'tab' }));
  const tab = await opened;
  await tab.waitForURL(`https://security.microsoft.com/?tid=${FOURTH_COFFEE.id}`);
  assert.deepEqual(portalRequests(), [`https://security.microsoft.com/?tid=${FOURTH_COFFEE.id}`]);
  // The tab it was picked on, the tenant for new tabs and the default rules stay as they were.
  assert.equal(page.url(), `https://security.microsoft.com/alerts?x=1&tid=${CONTOSO.id}#list`);
  assert.deepEqual({ local: await browser.storage(), rules: (await rules()).dynamic }, before);
  const newTabId = await browser.tabIdOf(tab);
  // The worker writes the new tab's entry once it has handled the tab's events.
  assert.equal(
    await waitFor(async () => (await browser.sessionStorage()).tabs[newTabId]?.tenant),
    FOURTH_COFFEE.id,
  );
  // Opened from the popup shown as a page (view: tab), which stays open.
  assert.deepEqual(besidesState(answer), { ok: true, opened: true, close: false });
  await tab.close();
  await page.close();
});

test('pickTenant from the popup opened as a tab (view: tab) answers close: false', async () => {
  await useDefault(CONTOSO.id);
  const answer = await browser.send(pick(FABRIKAM.id, null, { view: 'tab' }));
  assert.deepEqual(besidesState(answer), { ok: true, changed: true, reloaded: false, close: false });
  assert.equal((await storedSettings()).defaultTenant, FABRIKAM.id);
});

test('badges: each portal tab shows its own tenant; unknown and invalid tids are flagged', async () => {
  await useDefault(CONTOSO.id);
  const contoso = await openTab('https://security.microsoft.com/alerts');
  const fabrikam = await openTab(`https://securitycenter.windows.com/?tid=${FABRIKAM.id}`);
  const unknown = await openTab(`https://security.microsoft.com/?tid=${UNLISTED_ID}`);
  const invalid = await openTab('https://security.microsoft.com/?tid=not-a-tenant');
  const expected = [
    [contoso, badgeOf('CONT', CONTOSO.id, 'badgeTooltip', [CONTOSO.name, CONTOSO.id])],
    [fabrikam, badgeOf('FABR', FABRIKAM.id, 'badgeTooltip', [FABRIKAM.name, FABRIKAM.id])],
    [unknown, badgeOf('?', 'red', 'badgeTooltipUnknown', [UNLISTED_ID])],
    [invalid, badgeOf('?', 'red', 'badgeTooltipInvalid')],
  ];
  for (const [tab, badge] of expected) assert.deepEqual(await badgeOnce(tab.tabId, badge), badge, tab.page.url());

  // A link with an explicit tid moves the Contoso tab to Fabrikam, and the badge says so.
  await contoso.page.goto(`https://security.microsoft.com/incidents?tid=${FABRIKAM.id}`);
  const switched = badgeOf('FABR', FABRIKAM.id, 'badgeTooltipSwitched', [CONTOSO.name, FABRIKAM.name]);
  assert.deepEqual(await badgeOnce(contoso.tabId, switched), switched);

  // Another tenant for new tabs changes no portal tab's badge.
  await useDefault(FOURTH_COFFEE.id);
  for (const [tab, badge] of expected.slice(1)) assert.deepEqual(await browser.badge(tab.tabId), badge);
  assert.deepEqual(await browser.badge(contoso.tabId), switched);
  for (const { page } of [contoso, fabrikam, unknown, invalid]) await page.close();
});

test('badges: a home-tenant portal tab shows HOME', async () => {
  const { page, tabId } = await portalTabIn(CONTOSO);
  // Only what the browser shows counts here, not the answer (its own test is above).
  await browser.send(pick(null, { id: tabId, url: page.url() }));
  await page.waitForURL('https://security.microsoft.com/alerts?x=1#list');
  const home = badgeOf(message('badgeHome'), 'grey', 'badgeTooltipHome');
  assert.deepEqual(await badgeOnce(tabId, home), home);
  await page.close();
});

test('badges: a portal tab keeps its badge across a reload and a link within its tenant', async () => {
  const { page, tabId } = await portalTabIn(CONTOSO, '/alerts');
  const inContoso = badgeOf('CONT', CONTOSO.id, 'badgeTooltip', [CONTOSO.name, CONTOSO.id]);
  assert.deepEqual(await badgeOnce(tabId, inContoso), inContoso);
  await page.reload();
  assert.deepEqual(await badgeOnce(tabId, inContoso), inContoso, 'after a reload');
  await page.locator('#same-site').click();
  await page.waitForURL(`https://security.microsoft.com/same-site/page?x=1&tid=${CONTOSO.id}#frag`);
  assert.deepEqual(await badgeOnce(tabId, inContoso), inContoso, 'after a link in the same tenant');
  await page.close();
});

test('badges: a tab on another site shows the tenant for new tabs in grey', async () => {
  await useDefault(CONTOSO.id);
  const other = await openTab(`https://${OTHER_HOST}/`);
  const newTabsContoso = badgeOf('CONT', 'grey', 'badgeTooltipNewTabs', [CONTOSO.name]);
  assert.deepEqual(await badgeOnce(other.tabId, newTabsContoso), newTabsContoso);
  await useDefault(null);
  const newTabsHome = badgeOf('', 'grey', 'badgeTooltipNewTabsHome');
  assert.deepEqual(await badgeOnce(other.tabId, newTabsHome), newTabsHome);
  await other.page.close();
});

test('withheld host access is reported on the badges; rewriting works again once it is back', async () => {
  await useDefault(CONTOSO.id);
  const portal = await openTab(`https://security.microsoft.com/?tid=${FABRIKAM.id}`);
  const page = await browser.context.newPage();
  try {
    await browser.setSiteAccess('ON_CLICK');
    const withheld = await waitFor(() => browser.sendOk({ what: 'getState' }), (s) => s.hostAccess === false);
    assert.equal(withheld.hostAccess, false);
    const noAccess = badgeOf('!', 'amber', 'badgeTooltipNoAccess');
    assert.deepEqual(await badgeOnce(portal.tabId, noAccess), noAccess);
    // The rules stay as they were; the browser just does not apply them without access, which
    // is exactly what the report is for.
    assert.deepEqual((await rules()).dynamic, defaultRules(CONTOSO.id));
    server.clear();
    await page.goto('https://security.microsoft.com/alerts');
    assert.equal(page.url(), 'https://security.microsoft.com/alerts');
    assert.deepEqual(portalRequests(), ['https://security.microsoft.com/alerts']);
  } finally {
    await browser.setSiteAccess('ON_ALL_SITES');
  }
  const back = await waitFor(() => browser.sendOk({ what: 'getState' }), (s) => s.hostAccess === true);
  assert.equal(back.hostAccess, true);
  const inFabrikam = badgeOf('FABR', FABRIKAM.id, 'badgeTooltip', [FABRIKAM.name, FABRIKAM.id]);
  assert.deepEqual(await badgeOnce(portal.tabId, inFabrikam), inFabrikam);
  server.clear();
  const fresh = await browser.context.newPage();
  await fresh.goto('https://security.microsoft.com/alerts');
  assert.equal(fresh.url(), `https://security.microsoft.com/alerts?tid=${CONTOSO.id}`);
  assert.deepEqual(portalRequests(), [`https://security.microsoft.com/alerts?tid=${CONTOSO.id}`]);
  for (const p of [page, fresh, portal.page]) await p.close();
});

test('undo of a deletion restores its place, the recent tenants and the default, also after a worker restart', async () => {
  await useDefault(CONTOSO.id);
  await useDefault(FOURTH_COFFEE.id);
  const before = await storedSettings();
  assert.deepEqual(before.tenants.map((t) => t.name), ['Contoso', 'Fourth Coffee', 'Fabrikam, Inc.']);
  assert.equal(before.defaultTenant, FOURTH_COFFEE.id);
  assert.deepEqual(before.recentTenants.slice(0, 2), [FOURTH_COFFEE.id, CONTOSO.id]);

  const deleted = await browser.send(operation({ op: 'deleteTenant', id: FOURTH_COFFEE.id }));
  assert.equal(deleted.ok, true);
  assert.deepEqual(deleted.undo, { id: FOURTH_COFFEE.id, name: FOURTH_COFFEE.name });
  assert.deepEqual(deleted.state.undo, { id: FOURTH_COFFEE.id, name: FOURTH_COFFEE.name });
  const after = await browser.storage();
  assert.deepEqual(after.settings, {
    ...before,
    tenants: [CONTOSO, FABRIKAM],
    defaultTenant: null,
    recentTenants: before.recentTenants.filter((id) => id !== FOURTH_COFFEE.id),
    // A deleted tenant's label goes with it (tests/fixtures/session/backups-and-undo.json); the
    // undo brings it back.
    tenantLabels: { [CONTOSO.id]: 'CONT', [FABRIKAM.id]: 'FABR' },
  });
  // The list as it was is kept as a backup in the same write.
  const [backup] = after.backups;
  assert.deepEqual([backup.reason, backup.count], ['deleteTenant', 3]);
  assert.deepEqual(after[`backup.${backup.id}`], { savedAt: backup.savedAt, reason: 'deleteTenant', tenants: before.tenants });

  // The undo lives in storage.session: a worker restart in between does not lose it.
  const awake = await stopWorker(browser);
  const undone = await awake({ what: 'undoDelete' });
  assert.equal(undone.ok, true, JSON.stringify(undone));
  assert.deepEqual(undone.restored, { id: FOURTH_COFFEE.id, name: FOURTH_COFFEE.name });
  assert.equal(undone.state.undo, null);
  assert.deepEqual(await storedSettings(), before);
  assert.deepEqual((await rules()).dynamic, defaultRules(FOURTH_COFFEE.id));
  assert.equal('undo' in (await browser.sessionStorage()), false);
  assert.equal((await browser.send({ what: 'undoDelete' })).error.name, 'UndoNone');
});

test('after a browser restart the first navigation is rewritten, nothing rewritten in storage', async () => {
  await useDefault(CONTOSO.id);
  const stored = await browser.storage();
  assert.equal(stored.settings.defaultTenant, CONTOSO.id);
  await relaunch();
  const page = await browser.context.newPage();
  server.clear();
  await page.goto('https://securitycenter.microsoft.com/machines');
  assert.equal(page.url(), `https://securitycenter.microsoft.com/machines?tid=${CONTOSO.id}`);
  const seen = server.requestsTo('securitycenter.microsoft.com').map((r) => r.url);
  assert.deepEqual(seen, [`https://securitycenter.microsoft.com/machines?tid=${CONTOSO.id}`]);
  const now = await browser.storage();
  assert.deepEqual({ ...now, lastPolicy: undefined }, { ...stored, lastPolicy: undefined });
  await page.close();
});

test('no console errors, uncaught errors or CSP violations', () => {
  assert.deepEqual([...errors, ...browser.errors], []);
});

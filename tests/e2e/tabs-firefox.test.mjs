// Every tab keeps its tenant in Firefox ESR (puppeteer-core over WebDriver BiDi): the core of the
// issue's scenario (tab A stays in Fourth Coffee after Contoso is picked for new tabs, tabs opened
// from it inherit it, an explicit tid wins, the sign-in form POST is not redirected), with the
// per-tab session rules (condition.tabIds) doing it, and the 200-open measurement. As in
// tabs.test.mjs, every assertion is on what the stand-in portal received, the rules, the badges
// and storage.session. The stand-in listens on a free port: network.socket.forcePort sends
// Firefox's ports 443 and 80 there, so nothing here needs port 443.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { forcePortPrefs, launchFirefox } from './lib/firefox.mjs';
import { CONTOSO, FABRIKAM, FOURTH_COFFEE, WOODGROVE, addTenant, pickTenant } from './lib/fixtures.mjs';
import { ALL_HOSTS, LOGIN_HOST, SIGN_IN_CALLBACK, startPortalServer } from './lib/portal-server.mjs';
import { OPEN_KINDS, assertMeasurement, measureOpens, portalRequests, until } from './lib/tab-tenants.mjs';

const PORTAL = 'https://security.microsoft.com';
const FC = FOURTH_COFFEE.id;
const DEFAULT_RULES = JSON.parse(readFileSync(new URL('../fixtures/rules/default-tenant.json', import.meta.url), 'utf8'));
const SELECTORS = { 'target=_blank': '#blank', 'middle-click': '#plain', 'Ctrl+click': '#plain', 'window.open': '#open' };

describe('every tab keeps its tenant (Firefox ESR)', () => {
  let server;
  let firefox;
  let tabA;

  before(async () => {
    server = await startPortalServer();
    firefox = await launchFirefox({ hosts: ALL_HOSTS, prefs: forcePortPrefs(server.port) });
    for (const tenant of [CONTOSO, FABRIKAM, FOURTH_COFFEE, WOODGROVE]) await firefox.sendOk(addTenant(tenant));
  });

  after(async () => {
    await firefox?.close();
    await server?.close();
  });

  /** What the stand-in received on the portal and sign-in hosts while `action` ran. */
  async function during(action) {
    const from = server.requests.length;
    await action();
    return server.requests
      .slice(from)
      .filter((r) => (r.host.endsWith('.microsoft.com') || r.host.endsWith('.windows.com') || r.host === LOGIN_HOST) &&
        r.path !== '/favicon.ico')
      .map((r) => (r.body === undefined ? `${r.method} ${r.url}` : `${r.method} ${r.url} ${r.body}`));
  }

  /** Waits for a /strip/ page's script to have dropped the tid. */
  async function settled(page) {
    const href = await page.evaluate(() => location.href);
    if (new URL(href).pathname.startsWith('/strip/')) {
      await until(() => page.evaluate(() => document.documentElement.dataset.stripped === 'true').catch(() => false));
    }
    return page.evaluate(() => location.href);
  }

  async function go(page, url) {
    await firefox.navigate(page, url);
    return settled(page);
  }

  async function tabIdOf(page) {
    const href = await page.evaluate(() => location.href);
    const found = (await firefox.tabs()).filter((t) => t.url === href);
    assert.equal(found.length, 1, `one tab shows ${href}`);
    return found[0].id;
  }

  async function open(url) {
    const page = await firefox.newPage();
    await go(page, url);
    return { page, tabId: await tabIdOf(page) };
  }

  /** Clicks `selector` of `page` (pointed at `href` first, when given); waits for the new page. */
  async function click(page, selector, href) {
    if (href) await page.$eval(selector, (link, value) => link.setAttribute('href', value), href);
    await firefox.loadBy(page, () => page.click(selector));
    return settled(page);
  }

  /** Fails unless storage.session comes to say `expected` of `tabId` (within 5 s). */
  async function tabIs(tabId, expected, message) {
    const read = async () => (await firefox.sessionStorage()).tabs?.[tabId];
    await until(async () => isDeepStrictEqual(await read(), expected));
    assert.deepEqual(await read(), expected, message);
  }

  /** Opens a tab from `page` the way `kind` says, at `path`; resolves to the new page. */
  async function openFrom(page, kind, path) {
    await page.bringToFront();
    const selector = SELECTORS[kind];
    await page.$eval(selector, (e, p) => (e.localName === 'button' ? (e.dataset.url = p) : e.setAttribute('href', p)), path);
    const created = new Promise((resolve) => firefox.browser.once('targetcreated', resolve));
    if (kind === 'middle-click') {
      await page.click(selector, { button: 'middle' });
    } else if (kind === 'Ctrl+click') {
      await page.keyboard.down('Control');
      await page.click(selector);
      await page.keyboard.up('Control');
    } else {
      await page.click(selector);
    }
    return (await created).page();
  }

  /** The session rules as `{<tenant id or "home">: tab IDs}`. */
  async function tabGroups() {
    const groups = {};
    for (const rule of await firefox.sessionRules()) {
      assert.equal(rule.priority, 2);
      const key = rule.action.type === 'allow' ? 'home' : rule.action.redirect.transform.queryTransform.addOrReplaceParams[0].value;
      groups[key] = [...new Set([...(groups[key] ?? []), ...rule.condition.tabIds])].sort((a, b) => a - b);
    }
    return groups;
  }

  test('tab A loads in Fourth Coffee; with Contoso picked for new tabs, its session rule (tabIds) keeps it there', async () => {
    await firefox.sendOk(pickTenant(FC));
    let opened;
    assert.deepEqual(await during(async () => {
      opened = await open(`${PORTAL}/strip/tab-a`);
    }), [`GET ${PORTAL}/strip/tab-a?tid=${FC}`]);
    tabA = opened;
    assert.equal(await tabA.page.evaluate(() => location.href), `${PORTAL}/strip/tab-a`);
    const own = `This tab: ${FOURTH_COFFEE.name} (${FC})`;
    assert.equal(await until(async () => (await firefox.badge(tabA.tabId)).title === own && own), own);
    const state = await firefox.sendOk(pickTenant(CONTOSO.id));
    assert.equal(state.defaultTenant.id, CONTOSO.id);
    await tabIs(tabA.tabId, { tenant: FC, portal: true });
    assert.deepEqual(await firefox.dynamicRulesAsAdded(), DEFAULT_RULES);
    const rules = await firefox.sessionRules();
    assert.equal(rules.length, 6, 'one redirect per portal host and scheme');
    assert.ok(rules.every((rule) => isDeepStrictEqual(rule.condition.tabIds, [tabA.tabId])), 'Firefox keeps tabIds');
    assert.deepEqual(await tabGroups(), { [FC]: [tabA.tabId] });

    // A typed address without tid: only the tab rule can give it Fourth Coffee.
    assert.deepEqual(await during(() => go(tabA.page, `${PORTAL}/strip/tab-a-typed`)), [`GET ${PORTAL}/strip/tab-a-typed?tid=${FC}`]);
  });

  test("tab A's links, reloads after the portal dropped the tid and the legacy redirects stay in Fourth Coffee", async () => {
    const { page } = tabA;
    assert.deepEqual(await during(() => click(page, '#same-site')), [`GET ${PORTAL}/same-site/page?x=1&tid=${FC}`]);
    await go(page, `${PORTAL}/strip/tab-a`);
    assert.deepEqual(await during(() => firefox.loadBy(page, () => page.reload()).then(() => settled(page))), [
      `GET ${PORTAL}/strip/tab-a?tid=${FC}`,
    ]);
    assert.deepEqual(await during(() => go(page, 'https://securitycenter.windows.com/moved-bare/alerts')), [
      `GET https://securitycenter.windows.com/moved-bare/alerts?tid=${FC}`,
      `GET ${PORTAL}/alerts?tid=${FC}`,
    ]);
    assert.deepEqual(await during(() => go(page, 'http://securitycenter.microsoft.com/moved/incidents?x=1')), [
      `GET https://securitycenter.microsoft.com/moved/incidents?x=1&tid=${FC}`,
      `GET ${PORTAL}/incidents?x=1&tid=${FC}`,
    ], 'http upgraded in the same redirect, then the legacy host redirects with the query');
    await go(page, `${PORTAL}/strip/tab-a`);
    await tabIs(tabA.tabId, { tenant: FC, portal: true });
  });

  test('the way back from sign-in stays in Fourth Coffee; the form POST is not redirected', async () => {
    const { page } = tabA;
    const back = async (mode) => {
      await firefox.navigate(page, `${PORTAL}/signin/incidents?mode=${mode}`).catch(() => {});
      await until(async () => new URL(await page.evaluate(() => location.href).catch(() => PORTAL)).pathname === '/incidents' &&
        (await page.evaluate(() => document.readyState).catch(() => '')) === 'complete');
    };
    assert.deepEqual(await during(() => back('get')), [
      `GET ${PORTAL}/signin/incidents?mode=get&tid=${FC}`,
      `GET https://${LOGIN_HOST}/authorize?response_mode=query&return=%2Fincidents`,
      `GET ${PORTAL}/incidents?tid=${FC}`,
    ]);
    assert.deepEqual(await during(() => back('post')), [
      `GET ${PORTAL}/signin/incidents?mode=post&tid=${FC}`,
      `GET https://${LOGIN_HOST}/authorize?response_mode=form_post&return=%2Fincidents`,
      `POST ${PORTAL}${SIGN_IN_CALLBACK} code=stand-in-code&return=%2Fincidents`,
      `GET ${PORTAL}/incidents?tid=${FC}`,
    ]);
    await tabIs(tabA.tabId, { tenant: FC, portal: true });
    await go(page, `${PORTAL}/strip/tab-a`);
  });

  test('tabs opened from tab A in each way inherit Fourth Coffee', async () => {
    for (const kind of OPEN_KINDS) {
      const path = `/opened/scenario/${kind.replace(/[^a-z.]+/gi, '-')}`;
      let opened;
      const seen = await during(async () => {
        opened = await openFrom(tabA.page, kind, path);
        await until(() => portalRequests(server, path).length > 0);
      });
      assert.deepEqual(seen, [`GET ${PORTAL}${path}?tid=${FC}`], kind);
      await until(async () => (await opened.evaluate(() => document.readyState === 'complete' && location.href).catch(() => false)) === `${PORTAL}${path}?tid=${FC}`);
      const openedId = await tabIdOf(opened);
      await tabIs(openedId, { tenant: FC, portal: true }, kind);
      assert.deepEqual(await during(() => go(opened, `${PORTAL}/opened/next`)), [`GET ${PORTAL}/opened/next?tid=${FC}`], kind);
      await opened.close();
    }
  });

  test('a new tab goes to Contoso, the tenant for new tabs', async () => {
    let tab;
    assert.deepEqual(await during(async () => {
      tab = await open(`${PORTAL}/links/new`);
    }), [`GET ${PORTAL}/links/new?tid=${CONTOSO.id}`]);
    await tabIs(tab.tabId, { tenant: CONTOSO.id, portal: true });
    await tab.page.close();
  });

  test('an explicit tid in a link switches tab A, and the badge and the picker say so', async () => {
    const { page, tabId } = tabA;
    assert.deepEqual(await during(() => click(page, '#explicit', `/links/switched?tid=${FABRIKAM.id}`)), [
      `GET ${PORTAL}/links/switched?tid=${FABRIKAM.id}`,
    ]);
    await tabIs(tabId, { tenant: FABRIKAM.id, portal: true, switchedFrom: FC });
    const switched = `This tab: switched from ${FOURTH_COFFEE.name} to ${FABRIKAM.name} by a link.`;
    assert.equal(await until(async () => (await firefox.badge(tabId)).title === switched && switched), switched);
    const url = `${PORTAL}/links/switched?tid=${FABRIKAM.id}`;
    const picker = (await firefox.send({ what: 'picker', query: '', tab: { id: tabId, url } })).picker;
    assert.deepEqual([picker.thisTab.tenant.id, picker.thisTab.switchedFrom.tenant.id], [FABRIKAM.id, FC]);
    assert.deepEqual(await during(() => go(page, `${PORTAL}/strip/tab-a`)), [`GET ${PORTAL}/strip/tab-a?tid=${FABRIKAM.id}`]);
    await tabIs(tabId, { tenant: FABRIKAM.id, portal: true });
  });

  test('the switch is still said after the portal drops the tid from the address', async () => {
    // The real portal's script replaces the address without tid right after load; that is no
    // navigation, so "switched from" has to stay until the tab's next page.
    const { page, tabId } = tabA;
    assert.deepEqual(await during(() => click(page, '#explicit', `/strip/switched?tid=${WOODGROVE.id}`)), [
      `GET ${PORTAL}/strip/switched?tid=${WOODGROVE.id}`,
    ]);
    await tabIs(tabId, { tenant: WOODGROVE.id, portal: true, switchedFrom: FABRIKAM.id },
      'storage.session: the address change of history.replaceState cleared switchedFrom');
  });

  test("a tab's badge is still there after its next page in the same tenant", async () => {
    // Firefox, like Chromium, clears a tab's badge and title at every new document; the session
    // has to set them again even when they did not change.
    const { page, tabId } = await open(`${PORTAL}/strip/badge-first?tid=${WOODGROVE.id}`);
    try {
      const own = `This tab: ${WOODGROVE.name} (${WOODGROVE.id})`;
      assert.equal(await until(async () => (await firefox.badge(tabId)).title === own && own), own, 'the first page');
      await go(page, `${PORTAL}/strip/badge-second`);
      await tabIs(tabId, { tenant: WOODGROVE.id, portal: true });
      await until(async () => (await firefox.badge(tabId)).title === own, 2000);
      assert.deepEqual(await firefox.badge(tabId), { text: 'WB', title: own },
        'the second page: Firefox cleared the badge and nothing set it again');
    } finally {
      await page.close();
    }
  });

  test('the measurement: 200 tabs opened from two tabs in different tenants reach the portal in their tenant', async () => {
    const a = await open(`${PORTAL}/strip/opener-fourth-coffee?tid=${FC}`);
    const b = await open(`${PORTAL}/strip/opener-woodgrove?tid=${WOODGROVE.id}`);
    const result = await measureOpens({
      server,
      openers: [
        { name: 'Fourth Coffee', tenant: FC, page: a.page },
        { name: 'Woodgrove', tenant: WOODGROVE.id, page: b.page },
      ],
      picks: [CONTOSO.id, FABRIKAM.id, null],
      pick: (id) => firefox.sendOk(pickTenant(id)),
      open: ({ page }, kind, path) => openFrom(page, kind, path),
      close: (opened) => opened.close(),
    });
    assertMeasurement('Firefox ESR', result);
    await tabIs(a.tabId, { tenant: FC, portal: true });
    await tabIs(b.tabId, { tenant: WOODGROVE.id, portal: true });
    await a.page.close();
    await b.page.close();
  });

  test('no console errors, uncaught errors or CSP violations, background included', async () => {
    assert.deepEqual(await firefox.errors(), []);
  });
});

// The same package in Firefox ESR: dist/extension installed into headless Firefox (puppeteer-core
// over WebDriver BiDi), a local server standing in for the portal hosts (on a free port: the pref
// network.socket.forcePort sends Firefox's ports 443 and 80 there). Every assertion is on the
// address the document ended up at and on what the server received. Each visit is a fresh tab:
// a tab keeps the tenant it loaded with (tabs-firefox.test.mjs).
//
// Host access in Firefox: MV3 host permissions are opt-in there. Firefox 127 and later grant the
// manifest's host_permissions at install (the pref extensions.originControls.grantByDefault, true by
// default), and the user can withdraw them in about:addons ("Permissions" tab) at any time, which is
// what the extension's role="alert" banner is for. The last describe block withdraws them, checks
// that rewriting stops and the banner shows, and grants them again by clicking the banner's button.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import core from './lib/core.mjs';
import { EXTENSION_ID, forcePortPrefs, launchFirefox } from './lib/firefox.mjs';
import { CONTOSO, FABRIKAM, addTenant, requestUrl, setDefaultTenant } from './lib/fixtures.mjs';
import { ALL_HOSTS, LOOKALIKE_HOST, MTO_HOST, startPortalServer } from './lib/portal-server.mjs';

const TID = CONTOSO.id;
const TYPED = 'https://security.microsoft.com/x?y=1#f';

let server;
let firefox;
let tab;

before(async () => {
  server = await startPortalServer();
  firefox = await launchFirefox({ hosts: ALL_HOSTS, prefs: forcePortPrefs(server.port) });
});

after(async () => {
  await firefox?.close();
  await server?.close();
});

/**
 * Opens a fresh tab (so no tab rule applies) and navigates it to `url` as if typed; returns where
 * it landed and what the server saw.
 */
async function visit(url) {
  if (tab) {
    const href = await tab.evaluate(() => location.href).catch(() => null);
    const [gone] = (await firefox.tabs()).filter((t) => t.url === href).map((t) => t.id);
    await tab.close();
    // Gone from the tab rules before the next tab loads anything.
    for (let i = 0; i < 100 && gone !== undefined && ((await firefox.sessionStorage()).tabs ?? {})[gone]; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  tab = await firefox.newPage();
  server.clear();
  const landed = await firefox.navigate(tab, url);
  const hosts = new Set([new URL(url).host, new URL(landed).host]);
  const requests = server.requests.filter((r) => hosts.has(r.hostHeader) && r.path !== '/favicon.ico');
  return { url: landed, requests: requests.map((r) => r.url) };
}

test('the extension installs in Firefox ESR and its background answers', async () => {
  assert.equal(firefox.installedId, EXTENSION_ID);
  const version = await firefox.browser.version();
  assert.match(version, /^firefox\/\d+/);
  const answer = await firefox.send({ what: 'getState' });
  assert.equal(answer.ok, true);
  assert.equal(answer.state.problem, null);
  // Granted at install (see the top of this file), so rewriting works without a prompt.
  assert.equal(answer.state.hostAccess, true);
  assert.deepEqual(await firefox.dynamicRules(), []);
});

test('the toolbar popup\'s keyboard shortcut, Alt+Shift+K, is assigned in Firefox too (commands.getAll)', async () => {
  const commands = await firefox.inExtension(() => browser.commands.getAll());
  const action = commands.find((command) => command.name === '_execute_action');
  assert.equal(action?.shortcut, 'Alt+Shift+K');
});

describe('with a tenant for new tabs', () => {
  before(async () => {
    await firefox.sendOk(addTenant(CONTOSO));
    await firefox.sendOk(addTenant(FABRIKAM));
    const state = await firefox.sendOk(setDefaultTenant(TID));
    assert.equal(state.defaultTenant.id, TID);
  });

  test('a typed portal URL lands at the core\'s withTenant output; no request lacked tid', async () => {
    const expected = core.withTenant(TYPED, TID);
    assert.equal(expected, `https://security.microsoft.com/x?y=1&tid=${TID}#f`);
    const seen = await visit(TYPED);
    assert.equal(seen.url, expected);
    assert.deepEqual(seen.requests, [requestUrl(expected)]);
  });

  test('each of the three portal hosts is rewritten', async () => {
    for (const host of ['securitycenter.windows.com', 'securitycenter.microsoft.com', 'security.microsoft.com']) {
      const seen = await visit(`https://${host}/machines`);
      assert.equal(seen.url, `https://${host}/machines?tid=${TID}`);
      assert.deepEqual(seen.requests, [`https://${host}/machines?tid=${TID}`]);
    }
  });

  test('an explicit tid is kept', async () => {
    const url = `https://security.microsoft.com/alerts?tid=${FABRIKAM.id}#f`;
    assert.equal(core.withTenant(url, TID), url);
    const seen = await visit(url);
    assert.equal(seen.url, url);
    assert.deepEqual(seen.requests, [requestUrl(url)]);
  });

  test('mto.security.microsoft.com and a look-alike host are untouched', async () => {
    for (const url of [`https://${MTO_HOST}/x?y=1#f`, `https://${LOOKALIKE_HOST}/alerts`]) {
      const seen = await visit(url);
      assert.equal(seen.url, url);
      assert.deepEqual(seen.requests, [requestUrl(url)]);
    }
  });
});

describe('host access withdrawn, as in about:addons', () => {
  let options;

  before(async () => {
    // about:addons' permission toggle removes the permission through the same
    // ExtensionPermissions store as permissions.remove.
    const removed = await firefox.inExtension(() =>
      browser.permissions.remove({ origins: browser.runtime.getManifest().host_permissions }),
    );
    assert.equal(removed, true);
    options = await firefox.openExtensionPage('options.html');
  });

  after(async () => {
    await options?.close();
  });

  test('rewriting stops and the options page shows the role="alert" banner', async () => {
    assert.equal((await firefox.send({ what: 'getState' })).state.hostAccess, false);
    const seen = await visit(TYPED);
    assert.equal(seen.url, TYPED);
    assert.deepEqual(seen.requests, [requestUrl(TYPED)]);
    const banner = await options.$eval('#host-access', (e) => ({ hidden: e.hidden, role: e.getAttribute('role') }));
    assert.deepEqual(banner, { hidden: false, role: 'alert' });
  });

  test('a request without a user gesture is refused; the banner button grants access', async () => {
    const refused = await options.evaluate(() =>
      browser.permissions.request({ origins: ['https://security.microsoft.com/*'] }).then(
        () => 'granted',
        (error) => error.message,
      ),
    );
    assert.match(refused, /user input/);

    await options.locator('button#request-host-access').click();
    const granted = await options.waitForFunction(
      () => document.getElementById('host-access').hidden,
      { timeout: 5000 },
    );
    assert.ok(granted);
    assert.equal((await firefox.send({ what: 'getState' })).state.hostAccess, true);
    const seen = await visit(TYPED);
    assert.equal(seen.url, core.withTenant(TYPED, TID));
    assert.deepEqual(seen.requests, [requestUrl(core.withTenant(TYPED, TID))]);
  });
});

test('with "No tenant" for new tabs nothing is rewritten', async () => {
  // The tab of the last visit, in Contoso, goes first: its tab rules would keep rules installed.
  await visit('https://intranet.example.org/');
  const state = await firefox.sendOk(setDefaultTenant(null));
  assert.equal(state.defaultTenant, null);
  assert.deepEqual(await firefox.dynamicRules(), []);
  assert.deepEqual(await firefox.sessionRules(), []);
  const seen = await visit(TYPED);
  assert.equal(seen.url, TYPED);
  assert.deepEqual(seen.requests, [requestUrl(TYPED)]);
});

test('no console errors, uncaught errors or CSP violations, background included', async () => {
  assert.deepEqual(await firefox.errors(), []);
});

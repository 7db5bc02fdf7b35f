// The README's Firefox policies.json, for real, in Debian's Firefox ESR: written into Firefox's
// distribution folder before Firefox starts, it force-installs the store package
// (dist/tenant-switch-<version>.zip, from a file:/// URL instead of addons.mozilla.org) through
// ExtensionSettings and hands the 3rdparty policy to the extension's storage.managed. Every
// assertion is on what a person sees (the options page and the popup, read through labels and
// visible text), on chrome.storage contents, and on what the local stand-in for the portal
// received; nothing here depends on how the background does its work.
//
// The policy file is machine-wide, so it exists only while Firefox starts: lib/firefox-policy.mjs
// removes it as soon as Firefox is up, and on exit, pass or fail; every other Firefox launch of
// the tests waits while it exists. Writing it needs root (CI is root): without it this test fails
// with the reason instead of skipping. The portal server listens on a free port: the pref
// network.socket.forcePort sends Firefox's port 443 there.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { EXTENSION_ID, EXTENSION_ORIGIN, launchFirefox } from './lib/firefox.mjs';
import {
  readmeFirefoxPolicies,
  requireFirefoxPolicySlot,
  waitForNoPolicyNaming,
  writeFirefoxPolicies,
} from './lib/firefox-policy.mjs';
import { ALL_HOSTS, startPortalServer } from './lib/portal-server.mjs';

const README_POLICIES = readmeFirefoxPolicies();
const MANAGED = README_POLICIES.policies['3rdparty'].Extensions[EXTENSION_ID];
const MANAGED_TEXT = 'Managed by your organisation';
const VERSION = JSON.parse(readFileSync(new URL('../../dist/extension/manifest.json', import.meta.url), 'utf8')).version;
const ZIP = new URL(`../../dist/tenant-switch-${VERSION}.zip`, import.meta.url);

/** The user's own list, as an earlier release stored it: automatic rewrite turned off. */
const NORTHWIND = { name: 'Northwind', id: '3c2b1a0f-9e8d-4c7b-8a69-5f4e3d2c1b0a' };
const STORED_SETTINGS = {
  schemaVersion: 1,
  tenants: [NORTHWIND],
  activeTenant: null,
  automaticRewrite: false,
  recentTenants: [],
};

async function poll(read, accept, what, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: still ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Opens an extension page, waiting until the policy has installed the extension. */
async function openWhenInstalled(firefox, path) {
  const page = await firefox.newPage();
  await poll(() => firefox.navigate(page, `${EXTENSION_ORIGIN}/${path}`), (url) => url.startsWith(EXTENSION_ORIGIN), `${path} opens`);
  return page;
}

/** The options page's tenant list as a person reads it: each item's text and its buttons. */
function tenantItems(page) {
  return page.$$eval('#tenant-rows > tr', (rows) =>
    rows.map((row) => ({
      name: row.querySelector('bdi.name')?.innerText.trim(),
      text: row.innerText,
      buttons: [...row.querySelectorAll('.row-actions button')].map((button) => button.innerText.trim()),
    })),
  );
}

/** The checkbox whose label reads `label`: its state as assistive technology reports it. */
function checkbox(page, label) {
  return page.evaluate((wanted) => {
    const found = [...document.querySelectorAll('input[type="checkbox"]')].filter(
      (input) => [...input.labels].some((l) => l.innerText.trim() === wanted),
    );
    if (found.length !== 1) throw new Error(`${found.length} checkboxes labelled "${wanted}"`);
    return { checked: found[0].checked, disabled: found[0].disabled };
  }, label);
}

describe('Firefox ESR with the README policies.json (ExtensionSettings + 3rdparty)', () => {
  let xpiDir;
  let server;
  let firefox;
  let options;
  let tab;

  before(async () => {
    await waitForNoPolicyNaming(EXTENSION_ID);
    requireFirefoxPolicySlot();
    // The store package under the name a published add-on has; Firefox installs it from here.
    xpiDir = mkdtempSync(join(tmpdir(), 'tenant-switch-xpi-'));
    const xpi = join(xpiDir, 'tenant-switch.xpi');
    copyFileSync(ZIP, xpi);
    const policies = structuredClone(README_POLICIES);
    policies.policies.ExtensionSettings[EXTENSION_ID].install_url = pathToFileURL(xpi).href;

    server = await startPortalServer();
    const removePolicies = writeFirefoxPolicies(policies);
    try {
      firefox = await launchFirefox({
        hosts: ALL_HOSTS,
        extensionDir: null,
        withPolicy: true,
        prefs: {
          // Firefox force-installs only signed add-ons; Mozilla signs the published one. ESR
          // honours this pref; release builds do not.
          'xpinstall.signatures.required': false,
          'network.socket.forcePort': `443=${server.port};80=${server.port}`,
        },
      });
    } finally {
      // Firefox read the file while starting; nothing else should.
      removePolicies();
    }
    options = await openWhenInstalled(firefox, 'options.html');
    tab = await firefox.newPage();
  });

  after(async () => {
    try {
      await firefox?.close();
      await server?.close();
    } finally {
      if (xpiDir) rmSync(xpiDir, { recursive: true, force: true });
    }
  });

  test('Firefox installs the package from the policy and hands the 3rdparty policy to storage.managed', async () => {
    const seen = await options.evaluate(async () => ({
      managed: await browser.storage.managed.get(null),
      version: browser.runtime.getManifest().version,
    }));
    assert.deepEqual(seen, { managed: MANAGED, version: VERSION });
  });

  test('options: the policy tenants are listed, marked as managed, without Edit or Delete', async () => {
    const items = await poll(() => tenantItems(options), (list) => list.length >= MANAGED.tenants.length, 'the tenant list');
    for (const tenant of MANAGED.tenants) {
      const item = items.find(({ name }) => name === tenant.name);
      assert.ok(item, `${tenant.name} is listed: ${JSON.stringify(items)}`);
      assert.match(item.text, new RegExp(MANAGED_TEXT));
      assert.match(item.text, new RegExp(tenant.id));
      if (tenant.domain) assert.match(item.text, new RegExp(tenant.domain.replaceAll('.', '\\.')));
      assert.deepEqual(item.buttons, [], `${tenant.name} has no buttons`);
    }
  });

  test('forceAutomaticRewrite: automatic rewrite stays on and cannot be changed, even over a stored "off"', async () => {
    await options.evaluate((settings) => browser.storage.local.set({ settings }), STORED_SETTINGS);
    // The user's own tenant shows up with Edit and Delete: the stored list was read.
    const items = await poll(
      () => tenantItems(options),
      (list) => list.some(({ name }) => name === NORTHWIND.name),
      'Northwind on the options page',
    );
    assert.deepEqual(items.find(({ name }) => name === NORTHWIND.name).buttons, ['Edit', 'Delete']);
    assert.equal(items.filter(({ text }) => text.includes(MANAGED_TEXT)).length, MANAGED.tenants.length);
    assert.deepEqual(await checkbox(options, 'Automatic tenant rewrite'), { checked: true, disabled: true });
    // A real click, as a person would try it.
    await (await options.$('#automatic-rewrite')).click();
    assert.deepEqual(await checkbox(options, 'Automatic tenant rewrite'), { checked: true, disabled: true });
  });

  test('disableSync: the sync checkbox is off and disabled', async () => {
    assert.deepEqual(await checkbox(options, 'Sync tenants across my browsers'), { checked: false, disabled: true });
  });

  test('a policy tenant picked in the popup gets every portal navigation; the server sees its tid', async () => {
    const [, fabrikam] = MANAGED.tenants;
    // As a page (view=tab), so that the choice does not close it.
    const popup = await openWhenInstalled(firefox, 'popup.html?view=tab');
    const option = await poll(
      () => popup.$$('[role="option"]').then((all) => Promise.all(all.map(async (handle) => ({ handle, text: await handle.evaluate((e) => e.innerText) })))),
      (all) => all.some(({ text }) => text.includes(fabrikam.name)),
      'Fabrikam in the popup',
    ).then((all) => all.find(({ text }) => text.includes(fabrikam.name)));
    assert.match(option.text, new RegExp(MANAGED_TEXT));
    await option.handle.click();
    await poll(
      () => popup.$$eval('[role="option"][aria-selected="true"]', (all) => all.map((e) => e.innerText)),
      (selected) => selected.length === 1 && selected[0].includes(fabrikam.name),
      'Fabrikam selected',
    );

    // The user's own setting says "off"; the policy forces the rewrite anyway.
    const typed = 'https://security.microsoft.com/incidents';
    const expected = `${typed}?tid=${fabrikam.id}`;
    const landed = await poll(
      async () => {
        await firefox.navigate(tab, 'about:blank');
        server.clear();
        return firefox.navigate(tab, typed);
      },
      (url) => url === expected,
      'the rewritten portal address',
      10_000,
    );
    assert.equal(landed, expected);
    assert.deepEqual(
      server.requests.filter((r) => r.hostHeader === 'security.microsoft.com' && r.path !== '/favicon.ico').map((r) => r.url),
      [expected],
    );
    await popup.close();
  });

  test('the policy tenants are never copied into the stored list or its backups', async () => {
    const local = await options.evaluate(() => browser.storage.local.get(null));
    assert.deepEqual(local.lastPolicy?.managed, MANAGED);
    const rest = Object.fromEntries(Object.entries(local).filter(([key]) => key !== 'lastPolicy'));
    const stored = JSON.stringify(rest);
    for (const tenant of MANAGED.tenants) {
      // `lastPolicy` is the policy as last read, so that a worker start applies it before
      // storage.managed answers (ARCHITECTURE.md); the user's list and its backups never hold it.
      const holding = Object.keys(rest).filter((key) => JSON.stringify(rest[key]).includes(tenant.name));
      assert.deepEqual(holding, [], `${tenant.name} in storage.local`);
      if (tenant.domain) assert.equal(stored.includes(tenant.domain), false);
    }
  });

  test('no errors in any extension page or the background', async () => {
    assert.deepEqual(await firefox.errors(), []);
  });
});

describe('Firefox ESR: storage.managed for a temporary add-on (about:debugging)', () => {
  let firefox;

  before(async () => {
    await waitForNoPolicyNaming(EXTENSION_ID);
    requireFirefoxPolicySlot();
    const removePolicies = writeFirefoxPolicies({ policies: { '3rdparty': README_POLICIES.policies['3rdparty'] } });
    try {
      // Installed as `about:debugging` > "Load Temporary Add-on" does.
      firefox = await launchFirefox({ hosts: ALL_HOSTS, withPolicy: true });
    } finally {
      removePolicies();
    }
  });

  after(async () => {
    await firefox?.close();
  });

  test('reads the 3rdparty policy and lists the policy tenants as managed', async () => {
    assert.equal(firefox.installedId, EXTENSION_ID);
    const options = await openWhenInstalled(firefox, 'options.html');
    assert.deepEqual(await options.evaluate(() => browser.storage.managed.get(null)), MANAGED);
    const items = await poll(() => tenantItems(options), (list) => list.length === MANAGED.tenants.length, 'the tenant list');
    assert.ok(items.every(({ text, buttons }) => text.includes(MANAGED_TEXT) && buttons.length === 0));
  });
});

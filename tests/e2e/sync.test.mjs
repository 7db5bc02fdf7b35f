// Opt-in sync through storage.sync, end to end in two Chromium profiles. Without a signed-in
// account Chromium keeps storage.sync locally in each profile, with its quotas; the test plays the
// browser account by copying one profile's storage.sync items into the other's. Sync is turned on
// through the options page's checkbox, by its accessible name.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, waitFor } from './lib/browser.mjs';
import { CONTOSO, FABRIKAM, addTenant, setActiveTenant } from './lib/fixtures.mjs';
import { startPortalServer } from './lib/portal-server.mjs';

const NORTHWIND = { name: 'Northwind', id: '3c9e7d1a-2b4f-4a6c-9d8e-1f2a3b4c5d6e' };
const WOODGROVE = { name: 'Woodgrove', id: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' };
const LITWARE = { name: 'Litware', id: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a' };
const ADATUM = { name: 'Adatum', id: '2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b' };
const SYNC_LABEL = 'Sync tenants across my browsers';

let server;

async function launch() {
  const extensionDir = process.env.EXTENSION_DIR;
  return launchBrowser({ server, ...(extensionDir ? { extensionDir } : {}) });
}

const syncItems = (browser) => browser.inWorker(() => chrome.storage.sync.get(null));
const localItems = (browser) => browser.inWorker(() => chrome.storage.local.get(null));
const names = (settings) => settings.tenants.map((tenant) => tenant.name).sort();

/**
 * What the browser account does: makes `to`'s storage.sync hold exactly `items` (another
 * profile's). The receiving extension sees it as a storage.sync change, as with real sync.
 */
async function mirror(items, to) {
  await to.inWorker(async (items) => {
    const present = Object.keys(await chrome.storage.sync.get(null));
    const gone = present.filter((key) => !(key in items));
    if (gone.length) await chrome.storage.sync.remove(gone);
    await chrome.storage.sync.set(items);
  }, items);
}

async function waitForSettings(browser, predicate, what) {
  const settings = await waitFor(async () => (await localItems(browser)).settings, predicate, {
    timeout: 10_000,
  });
  assert.ok(predicate(settings), `${what}: ${JSON.stringify(settings)}`);
  return settings;
}

async function waitForGeneration(browser, predicate, what) {
  const items = await waitFor(() => syncItems(browser), (i) => predicate(i.syncGeneration), {
    timeout: 10_000,
  });
  assert.ok(predicate(items.syncGeneration), `${what}: ${JSON.stringify(items.syncGeneration)}`);
  return items;
}

/** Opens the options page and turns sync on with its checkbox. */
async function turnSyncOn(browser) {
  const page = await browser.openExtensionPage('options.html');
  const checkbox = page.getByRole('checkbox', { name: SYNC_LABEL });
  assert.equal(await checkbox.isChecked(), false, 'sync is off by default');
  await checkbox.check();
  return page;
}

/** The entries of a complete generation, by tenant ID (chunks as the manifest lists them). */
function entriesOf(items) {
  const entries = {};
  for (const key of items.syncGeneration.chunks) {
    for (const entry of items[key]) entries[entry[0]] = entry;
  }
  return entries;
}

before(async () => {
  server = await startPortalServer();
});

after(async () => {
  await server?.close();
});

describe('two profiles', () => {
  let a;
  let b;

  before(async () => {
    [a, b] = await Promise.all([launch(), launch()]);
  });

  after(async () => {
    await a?.close();
    await b?.close();
  });

  test('turning sync on writes the own list, without the active tenant, within the quotas', async () => {
    await a.sendOk(addTenant(CONTOSO));
    await a.sendOk(addTenant(FABRIKAM));
    await a.sendOk(setActiveTenant(CONTOSO.id));
    assert.deepEqual(await syncItems(a), {}, 'nothing is synced before the user opts in');

    const page = await turnSyncOn(a);
    const hint = await page.locator('#sync-hint').textContent();
    assert.match(hint, /browser account/);
    const items = await waitForGeneration(a, (m) => m?.generation === 1, 'A wrote generation 1');
    assert.deepEqual(Object.keys(items).sort(), ['syncChunk.1.0', 'syncGeneration']);
    assert.deepEqual(items.syncGeneration.chunks, ['syncChunk.1.0']);
    assert.equal(items.syncGeneration.version, 1);
    assert.match(items.syncGeneration.checksum, /^[0-9a-f]{16}$/);
    const chunk = items['syncChunk.1.0'];
    // In tenant ID order: [id, modified, name, domain?].
    assert.deepEqual(
      chunk.map((entry) => [entry[0], entry[2], entry[3]]),
      [
        [FABRIKAM.id, 'Fabrikam', undefined],
        [CONTOSO.id, 'Contoso', CONTOSO.domain],
      ],
    );
    assert.match(chunk[0][1], /^\d{13}$/);
    const text = JSON.stringify(items);
    assert.ok(!/activeTenant|recentTenants|automaticRewrite/.test(text), text);

    // The browser counts an item as its key plus its JSON, as the core does for ASCII text.
    for (const [key, value] of Object.entries(items)) {
      const counted = await a.inWorker((k) => chrome.storage.sync.getBytesInUse(k), key);
      assert.equal(counted, key.length + JSON.stringify(value).length, key);
    }
    const local = await localItems(a);
    assert.equal(local.syncEnabled, true);
    assert.equal(local.settings.activeTenant, CONTOSO.id);
    await page.close();
  });

  test('a second profile merges the synced list and keeps its own tenants and active tenant', async () => {
    await b.sendOk(addTenant(NORTHWIND));
    await b.sendOk(addTenant(WOODGROVE));
    await b.sendOk(setActiveTenant(NORTHWIND.id));

    // The account brings A's items to B before B opts in: nothing happens until it does.
    await mirror(await syncItems(a), b);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(names((await localItems(b)).settings), ['Northwind', 'Woodgrove']);

    const page = await turnSyncOn(b);
    const merged = await waitForSettings(b, (s) => s?.tenants.length === 4, 'B merged A');
    assert.deepEqual(names(merged), ['Contoso', 'Fabrikam', 'Northwind', 'Woodgrove']);
    assert.equal(merged.activeTenant, NORTHWIND.id, 'the active tenant is not synced');
    assert.deepEqual(
      merged.tenants.find((t) => t.id === CONTOSO.id),
      CONTOSO,
      'the domain came along',
    );
    const items = await waitForGeneration(b, (m) => m?.generation === 2, 'B wrote generation 2');
    assert.deepEqual(Object.keys(entriesOf(items)).length, 4);

    // The account brings B's generation back to A.
    await mirror(items, a);
    const converged = await waitForSettings(a, (s) => s?.tenants.length === 4, 'A merged B');
    assert.deepEqual(names(converged), ['Contoso', 'Fabrikam', 'Northwind', 'Woodgrove']);
    assert.equal(converged.activeTenant, CONTOSO.id);
    // A has nothing B lacks: it does not write again.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal((await syncItems(a)).syncGeneration.generation, 2);
    await page.close();
  });

  test('a deletion in one profile reaches the other as a deletion marker', async () => {
    await b.sendOk({ what: 'applyOperation', operation: { op: 'deleteTenant', id: FABRIKAM.id } });
    const items = await waitForGeneration(b, (m) => m?.generation === 3, 'B wrote the deletion');
    const marker = entriesOf(items)[FABRIKAM.id];
    assert.equal(marker.length, 2, `a deletion marker: ${JSON.stringify(marker)}`);
    assert.match(marker[1], /^\d{13}$/);
    // Only the chunk holding Fabrikam (A's chunk 1.0) was written again; B's chunk 2.0 is kept,
    // and the replaced chunk is gone once the manifest names the new one.
    assert.deepEqual(Object.keys(items).sort(), ['syncChunk.2.0', 'syncChunk.3.0', 'syncGeneration']);

    await mirror(items, a);
    const after = await waitForSettings(a, (s) => s?.tenants.length === 3, 'A applied the deletion');
    assert.deepEqual(names(after), ['Contoso', 'Northwind', 'Woodgrove']);
    assert.equal(after.activeTenant, CONTOSO.id);
    const state = (await localItems(a)).syncState;
    assert.deepEqual(
      state.entries.find((entry) => entry[0] === FABRIKAM.id),
      marker,
      'A keeps the deletion marker',
    );
  });

  test('an interrupted write keeps local data and the previous generation for readers', async () => {
    const before = await syncItems(a);
    // storage.sync.set fails for the manifest, as a quota or network error would.
    await a.inWorker(() => {
      const area = chrome.storage.sync;
      globalThis.__originalSyncSet = area.set;
      area.set = function set(items) {
        if ('syncGeneration' in items) return Promise.reject(new Error('simulated network failure'));
        return globalThis.__originalSyncSet.call(area, items);
      };
    });
    await a.sendOk(addTenant(LITWARE));
    const state = await waitFor(
      async () => (await a.sendOk({ what: 'getState' })).sync,
      (sync) => sync?.lastError,
      { timeout: 10_000 },
    );
    assert.equal(state.lastError.message, 'simulated network failure');
    assert.equal(state.enabled, true);

    const local = await localItems(a);
    assert.deepEqual(names(local.settings), ['Contoso', 'Litware', 'Northwind', 'Woodgrove']);
    const half = await syncItems(a);
    // The new chunk was written; the manifest and every chunk it names are as before.
    assert.deepEqual(half.syncGeneration, before.syncGeneration);
    for (const key of before.syncGeneration.chunks) assert.deepEqual(half[key], before[key]);
    const stray = Object.keys(half).filter((key) => !(key in before));
    assert.equal(stray.length, 1, JSON.stringify(Object.keys(half)));

    // A reader given exactly that sees the previous complete generation: nothing changes in B.
    const bBefore = (await localItems(b)).settings;
    await mirror(half, b);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual((await localItems(b)).settings, bBefore);

    // Once writes work again, the next change writes a complete generation with both changes.
    await a.inWorker(() => {
      chrome.storage.sync.set = globalThis.__originalSyncSet;
    });
    await a.sendOk(addTenant(ADATUM));
    const items = await waitForGeneration(a, (m) => m?.generation > before.syncGeneration.generation, 'A wrote again');
    const entries = entriesOf(items);
    assert.equal(entries[LITWARE.id][2], 'Litware');
    assert.equal(entries[ADATUM.id][2], 'Adatum');
    assert.ok(!(stray[0] in items) || items.syncGeneration.chunks.includes(stray[0]));
    assert.equal((await a.sendOk({ what: 'getState' })).sync.lastError, null);
  });

  test('no page or worker logged an error', () => {
    assert.deepEqual([...a.errors, ...b.errors], []);
  });
});

describe('a list too large for sync', () => {
  let browser;

  before(async () => {
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
  });

  test('is refused with how many tenants fit, and sync stays off', async () => {
    // 600 tenants of about 108 bytes each: sync holds 467 of them in half of its 102,400 bytes
    // (the other half is room to write the next generation beside the current one).
    const hex = (n) => n.toString(16).padStart(12, '0');
    const tenants = Array.from({ length: 600 }, (_, i) => {
      const n = String(i + 1).padStart(4, '0');
      return {
        name: `Customer ${n} GmbH`,
        id: `00000000-0000-4000-8000-${hex(i + 1)}`,
        domain: `customer${n}.onmicrosoft.com`,
      };
    });
    await browser.inWorker(async (tenants) => {
      await chrome.storage.local.set({
        settings: {
          schemaVersion: 1,
          tenants,
          activeTenant: null,
          automaticRewrite: true,
          recentTenants: [],
        },
      });
    }, tenants);
    await waitFor(async () => (await browser.sendOk({ what: 'getState' })).settings?.tenants.length === 600);

    const page = await browser.openExtensionPage('options.html');
    const checkbox = page.getByRole('checkbox', { name: SYNC_LABEL });
    // A click, not check(): the page unchecks the box again when the background refuses.
    await checkbox.click();
    const alert = page.getByRole('alert').filter({ hasText: 'too large to sync' });
    await alert.waitFor();
    assert.equal(
      await alert.textContent(),
      'Your list of 600 tenants is too large to sync: your browser account can hold 467 of them. ' +
        'Sync stays off; your list is unchanged.',
    );
    assert.equal(await checkbox.isChecked(), false);
    const local = await localItems(browser);
    assert.equal(local.syncEnabled, false);
    assert.deepEqual(local.syncProblem, {
      name: 'SyncTooLarge',
      message: 'the list of 600 tenants is too large for sync: 467 tenants fit',
      tenants: 600,
      fit: 467,
    });
    assert.equal(local.settings.tenants.length, 600);
    assert.deepEqual(await syncItems(browser), {}, 'nothing was written to storage.sync');

    // A reload still says why sync is off.
    await page.reload();
    await page.getByRole('alert').filter({ hasText: '467' }).waitFor();
    assert.equal(await page.getByRole('checkbox', { name: SYNC_LABEL }).isChecked(), false);
    assert.deepEqual(browser.errors, []);
  });
});

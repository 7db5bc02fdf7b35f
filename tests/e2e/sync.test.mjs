// Opt-in sync through storage.sync, end to end in two Chromium profiles, run by the session's
// schedule (src/session/sync.rs). Without a signed-in account Chromium keeps storage.sync locally
// in each profile, with its quotas; the test plays the browser account by copying one profile's
// storage.sync items into the other's.
//
// No test waits a fixed time for something not to happen: each watches the worker's reads of
// storage.sync (a counter the test puts around chrome.storage.sync.get in the worker) and, once
// the step it expects has read, sends a message, which the background handles only after that
// step's effects are done. Then it looks at what the step wrote, or did not.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, waitFor } from './lib/browser.mjs';
import { message } from './lib/locales.mjs';
import { startPortalServer } from './lib/portal-server.mjs';
import { FIXTURE_TENANTS } from './lib/session-fixtures.mjs';

const CONTOSO = { name: 'Contoso', id: FIXTURE_TENANTS.Contoso, domain: 'contoso.onmicrosoft.com' };
const FABRIKAM = { name: 'Fabrikam, Inc.', id: FIXTURE_TENANTS.Fabrikam };
const NORTHWIND = { name: 'Northwind', id: '3c9e7d1a-2b4f-4a6c-9d8e-1f2a3b4c5d6e' };
const WOODGROVE = { name: 'Woodgrove', id: FIXTURE_TENANTS.Woodgrove };
const LITWARE = { name: 'Litware', id: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a' };
const ADATUM = { name: 'Adatum', id: '2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b' };

const operation = (op) => ({ what: 'applyOperation', operation: op });
const addTenant = (tenant) => operation({ op: 'addTenant', tenant });
const setDefaultTenant = (id) => operation({ op: 'setDefaultTenant', id });

let server;

async function launch() {
  const extensionDir = process.env.EXTENSION_DIR;
  return launchBrowser({ server, ...(extensionDir ? { extensionDir } : {}) });
}

/** The test's own reads of storage.sync go around the read counter (countSyncReads). */
const syncItems = (browser) =>
  browser.inWorker(() => (globalThis.__testSyncGet ?? ((keys) => chrome.storage.sync.get(keys)))(null));
const localItems = (browser) => browser.inWorker(() => chrome.storage.local.get(null));
const names = (settings) => settings.tenants.map((tenant) => tenant.name).sort();

/**
 * What the browser account does: makes `to`'s storage.sync hold exactly `items` (another
 * profile's). The receiving extension sees it as a storage.sync change, as with real sync.
 * Returns the time just before the change.
 */
async function mirror(items, to) {
  const at = Date.now();
  await to.inWorker(async (items) => {
    const read = globalThis.__testSyncGet ?? ((keys) => chrome.storage.sync.get(keys));
    const present = Object.keys(await read(null));
    const gone = present.filter((key) => !(key in items));
    if (gone.length) await chrome.storage.sync.remove(gone);
    await chrome.storage.sync.set(items);
  }, items);
  return at;
}

/** Records, in the worker, when the session reads storage.sync (its sync steps and sync enable). */
function countSyncReads(browser) {
  return browser.inWorker(() => {
    if (globalThis.__syncReads) return;
    globalThis.__syncReads = [];
    const area = chrome.storage.sync;
    const get = area.get.bind(area);
    globalThis.__testSyncGet = get;
    area.get = (keys) => {
      globalThis.__syncReads.push(Date.now());
      return get(keys);
    };
  });
}

/**
 * Waits until the session has read storage.sync at `since` or later (a step began), then sends
 * a message: its answer comes only after that step and everything it wrote.
 */
async function stepAfter(browser, since, timeout = 10_000) {
  const reads = await waitFor(
    () => browser.inWorker(() => globalThis.__syncReads ?? null),
    (times) => times === null || times.some((t) => t >= since),
    { timeout, interval: 50 },
  );
  assert.ok(reads !== null, 'the read counter is gone: the worker restarted during the test');
  assert.ok(reads.some((t) => t >= since), `no sync step since ${since}`);
  await browser.sendOk({ what: 'getState' });
}

async function waitForSettings(browser, predicate, what) {
  const settings = await waitFor(async () => (await localItems(browser)).settings, predicate, { timeout: 10_000 });
  assert.ok(predicate(settings), `${what}: ${JSON.stringify(settings)}`);
  return settings;
}

/** storage.sync once `predicate(items)` holds. */
async function waitForItems(browser, predicate, what) {
  const items = await waitFor(() => syncItems(browser), predicate, { timeout: 10_000 });
  assert.ok(predicate(items), `${what}: ${JSON.stringify(items)}`);
  return items;
}

/** The entries of a complete generation, by tenant ID (chunks as the manifest lists them). */
function entriesOf(items) {
  const entries = {};
  for (const key of items.syncGeneration.chunks) {
    for (const entry of items[key] ?? []) entries[entry[0]] = entry;
  }
  return entries;
}

/** Whether `items` holds a generation and nothing but it: every named chunk, no other key. */
function settled(items) {
  const manifest = items.syncGeneration;
  if (!manifest) return false;
  const expected = [...manifest.chunks, 'syncGeneration'].sort();
  return JSON.stringify(Object.keys(items).sort()) === JSON.stringify(expected);
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
    await Promise.all([countSyncReads(a), countSyncReads(b)]);
  });

  after(async () => {
    await a?.close();
    await b?.close();
  });

  test('turning sync on writes the own list, without the tenant for new tabs, within the quotas', async () => {
    await a.sendOk(addTenant(CONTOSO));
    await a.sendOk(addTenant(FABRIKAM));
    await a.sendOk(setDefaultTenant(CONTOSO.id));
    assert.deepEqual(await syncItems(a), {}, 'nothing is synced before the user opts in');

    const page = await a.openExtensionPage('options.html');
    const checkbox = page.getByRole('checkbox', { name: message('syncLabel') });
    // The box is usable once the page has drawn what the background says.
    await waitFor(() => checkbox.isEnabled());
    assert.equal(await checkbox.isChecked(), false, 'sync is off by default');
    await checkbox.check();
    const items = await waitForItems(a, (i) => i.syncGeneration?.generation === 1 && settled(i), 'A wrote generation 1');
    assert.deepEqual(Object.keys(items).sort(), ['syncChunk.1.0', 'syncGeneration']);
    // Sync format 2 (initial domains, tags and aliases; tests/fixtures/session/sync.json).
    assert.equal(items.syncGeneration.version, 2);
    assert.match(items.syncGeneration.checksum, /^[0-9a-f]{16}$/);
    const chunk = items['syncChunk.1.0'];
    // In tenant ID order: [id, modified, name, domain?].
    assert.deepEqual(
      chunk.map((entry) => [entry[0], entry[2], entry[3]]),
      [
        [FABRIKAM.id, FABRIKAM.name, undefined],
        [CONTOSO.id, CONTOSO.name, CONTOSO.domain],
      ],
    );
    assert.match(chunk[0][1], /^\d{13}$/);
    const text = JSON.stringify(items);
    assert.ok(!/defaultTenant|activeTenant|recentTenants|automaticRewrite/.test(text), text);

    // The browser counts an item as its key plus its JSON, as the core does for ASCII text.
    for (const [key, value] of Object.entries(items)) {
      const counted = await a.inWorker((k) => chrome.storage.sync.getBytesInUse(k), key);
      assert.equal(counted, key.length + JSON.stringify(value).length, key);
    }
    const local = await localItems(a);
    assert.equal(local.syncEnabled, true);
    assert.equal(local.settings.defaultTenant, CONTOSO.id);
    assert.equal((await a.sendOk({ what: 'getState' })).sync.enabled, true);
    await page.close();
  });

  test('a second profile merges the synced list and keeps its own tenants and tenant for new tabs', async () => {
    await b.sendOk(addTenant(NORTHWIND));
    await b.sendOk(addTenant(WOODGROVE));
    await b.sendOk(setDefaultTenant(NORTHWIND.id));

    // The account brings A's items to B before B opts in: B does not even read them.
    await mirror(await syncItems(a), b);
    await b.sendOk({ what: 'getState' });
    assert.deepEqual(await b.inWorker(() => globalThis.__syncReads), []);
    assert.deepEqual(names((await localItems(b)).settings), ['Northwind', 'Woodgrove']);

    const enabled = await b.send({ what: 'setSyncEnabled', enabled: true });
    assert.equal(enabled.ok, true, JSON.stringify(enabled.error));
    const merged = await waitForSettings(b, (s) => s?.tenants.length === 4, 'B merged A');
    assert.deepEqual(names(merged), ['Contoso', 'Fabrikam, Inc.', 'Northwind', 'Woodgrove']);
    assert.equal(merged.defaultTenant, NORTHWIND.id, 'the tenant for new tabs is not synced');
    assert.deepEqual(merged.tenants.find((t) => t.id === CONTOSO.id), CONTOSO, 'the domain came along');
    const items = await waitForItems(b, (i) => i.syncGeneration?.generation === 2 && settled(i), 'B wrote generation 2');
    assert.equal(Object.keys(entriesOf(items)).length, 4);

    // The account brings B's generation back to A.
    await mirror(items, a);
    const converged = await waitForSettings(a, (s) => s?.tenants.length === 4, 'A merged B');
    const mergedAt = Date.now();
    assert.deepEqual(names(converged), ['Contoso', 'Fabrikam, Inc.', 'Northwind', 'Woodgrove']);
    assert.equal(converged.defaultTenant, CONTOSO.id);
    // The merge changed A's list, so A runs another step; A has nothing B lacks, so it writes nothing.
    await stepAfter(a, mergedAt);
    assert.deepEqual(await syncItems(a), items);
  });

  test('a deletion in one profile reaches the other as a deletion marker', async () => {
    await b.sendOk(operation({ op: 'deleteTenant', id: FABRIKAM.id }));
    const items = await waitForItems(
      b,
      (i) => i.syncGeneration && settled(i) && entriesOf(i)[FABRIKAM.id]?.length === 2,
      'B wrote the deletion',
    );
    const marker = entriesOf(items)[FABRIKAM.id];
    assert.match(marker[1], /^\d{13}$/);
    assert.equal(items.syncGeneration.generation, 3);
    assert.equal(Object.keys(entriesOf(items)).length, 4, 'three tenants and one marker');

    await mirror(items, a);
    const after = await waitForSettings(a, (s) => s?.tenants.length === 3, 'A applied the deletion');
    assert.deepEqual(names(after), ['Contoso', 'Northwind', 'Woodgrove']);
    assert.equal(after.defaultTenant, CONTOSO.id);
    const local = await localItems(a);
    assert.deepEqual(local.syncState.entries.find((entry) => entry[0] === FABRIKAM.id), marker, 'A keeps the deletion marker');
    // A deletion from sync keeps the list as it was, like any other.
    const state = await a.sendOk({ what: 'getState' });
    assert.deepEqual([state.backups[0].reason, state.backups[0].count], ['sync', 4]);
  });

  test('an interrupted write keeps local data and the previous generation for readers', async () => {
    const before = await syncItems(a);
    assert.ok(settled(before));
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
    const state = await waitFor(() => a.sendOk({ what: 'getState' }), (s) => s.sync.lastError, { timeout: 10_000 });
    assert.match(state.sync.lastError?.message ?? '', /simulated network failure/);
    assert.equal(state.sync.enabled, true);

    assert.deepEqual(names((await localItems(a)).settings), ['Contoso', 'Litware', 'Northwind', 'Woodgrove']);
    const half = await syncItems(a);
    // The new chunk was written; the manifest and every chunk it names are as before.
    assert.deepEqual(half.syncGeneration, before.syncGeneration);
    for (const key of before.syncGeneration.chunks) assert.deepEqual(half[key], before[key]);
    const stray = Object.keys(half).filter((key) => !(key in before));
    assert.equal(stray.length, 1, JSON.stringify(Object.keys(half)));

    // A reader given exactly that sees the previous complete generation: nothing changes in B.
    const bBefore = await localItems(b);
    const mirroredAt = await mirror(half, b);
    await stepAfter(b, mirroredAt);
    const bAfter = await localItems(b);
    assert.deepEqual(bAfter.settings, bBefore.settings);
    assert.deepEqual(bAfter.syncState, bBefore.syncState);

    // Once writes work again, the next change writes a complete generation with both changes.
    await a.inWorker(() => {
      chrome.storage.sync.set = globalThis.__originalSyncSet;
    });
    await a.sendOk(addTenant(ADATUM));
    const items = await waitForItems(
      a,
      (i) => i.syncGeneration?.generation > before.syncGeneration.generation && settled(i),
      'A wrote again',
    );
    const entries = entriesOf(items);
    const why = JSON.stringify({ before, half, items, syncState: (await localItems(a)).syncState });
    assert.equal(entries[LITWARE.id]?.[2], 'Litware', why);
    assert.equal(entries[ADATUM.id]?.[2], 'Adatum', JSON.stringify(items));
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
      return { name: `Customer ${n} GmbH`, id: `00000000-0000-4000-8000-${hex(i + 1)}`, domain: `customer${n}.onmicrosoft.com` };
    });
    await browser.inWorker(
      (tenants) =>
        chrome.storage.local.set({
          settings: { schemaVersion: 2, tenants, defaultTenant: null, automaticRewrite: true, recentTenants: [] },
        }),
      tenants,
    );
    await waitFor(async () => (await browser.sendOk({ what: 'getState' })).tenantCount === 600);

    const page = await browser.openExtensionPage('options.html');
    const checkbox = page.getByRole('checkbox', { name: message('syncLabel') });
    // A click, not check(): the page unchecks the box again when the background refuses.
    await checkbox.click();
    const expected = message('error_SyncTooLarge', ['467', '600']);
    const alert = page.getByRole('alert').filter({ hasText: expected });
    await alert.waitFor();
    assert.equal(await alert.textContent(), expected);
    assert.equal(await checkbox.isChecked(), false);
    const local = await localItems(browser);
    assert.equal(local.syncEnabled, false);
    assert.deepEqual({ ...local.syncProblem, message: undefined }, { name: 'SyncTooLarge', tenants: 600, fit: 467, message: undefined });
    assert.equal(local.settings.tenants.length, 600);
    assert.deepEqual(await syncItems(browser), {}, 'nothing was written to storage.sync');

    // A reload still says why sync is off.
    await page.reload();
    await page.getByRole('alert').filter({ hasText: expected }).waitFor();
    assert.equal(await page.getByRole('checkbox', { name: message('syncLabel') }).isChecked(), false);
    assert.deepEqual(browser.errors, []);
  });
});

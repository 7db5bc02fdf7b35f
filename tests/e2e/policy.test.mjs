// Enterprise policy, for real: a test copy of the extension with a fixed key (so it has a known
// ID), Chromium's mandatory policy file naming that ID, and the real session, storage, rules and
// pages. Writing /etc/chromium/policies/managed needs root (CI is root): without it this test
// fails with the reason instead of skipping.
//
// What it proves: the policy's tenants are listed and marked, bad entries (also names that could
// disguise themselves) are skipped and reported, a policy tenant shadows the user's own entry with
// its ID, changes to policy tenants and turning forced rewrite off are refused, imports clash
// with policy tenants, a chosen policy tenant rewrites, and a withdrawn one goes without a
// restart. And issue 10's point: a worker start does not wait for storage.managed; it starts from
// lastPolicy in storage.local, applies the browser's answer when it comes, and the state says
// which policy is in force (policy.current, policy.seenAt).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';

import { launchBrowser, waitFor } from './lib/browser.mjs';
import { DEFAULT_SETTINGS } from './lib/fixtures.mjs';
import { message } from './lib/locales.mjs';
import { keyedExtensionCopy, reloadPolicies, removePolicy, requireRoot, writePolicy } from './lib/policy.mjs';
import { startPortalServer } from './lib/portal-server.mjs';
import { restartWorker } from './lib/service-worker.mjs';
import { FIXTURE_TENANTS, defaultRules, sortRules } from './lib/session-fixtures.mjs';

const MANAGED_CONTOSO = { name: 'Managed Contoso', id: FIXTURE_TENANTS.Contoso };
const MANAGED_NORTHWIND = { name: 'Managed Northwind', id: '3c2b1a0f-9e8d-4c7b-8a69-5f4e3d2c1b0a', domain: 'northwind.example' };
/** The user's own entry with a policy tenant's ID: hidden behind the policy's. */
const MY_CONTOSO = { name: 'My Contoso', id: MANAGED_CONTOSO.id };
const FABRIKAM = { name: 'Fabrikam, Inc.', id: FIXTURE_TENANTS.Fabrikam };
const BIDI = { name: 'Invoice\u202Etxt.exe', id: '20000000-0000-4000-8000-000000000001' };
const ZERO_WIDTH = { name: 'Conto\u200Bso', id: '20000000-0000-4000-8000-000000000002' };

const POLICY = {
  tenants: [MANAGED_CONTOSO, MANAGED_NORTHWIND, { name: 'Broken', id: 'not-a-guid' }, BIDI, ZERO_WIDTH],
  forceAutomaticRewrite: true,
};
const OWN_SETTINGS = {
  ...DEFAULT_SETTINGS,
  tenants: [MY_CONTOSO, FABRIKAM],
  automaticRewrite: false,
};
/**
 * OWN_SETTINGS as the session stores them once the policy is in force: the labels of the
 * effective list, by tenant ID, so policy tenants have them too (ARCHITECTURE.md "Storage
 * layout"); "Managed Contoso" shadows "My Contoso" and gives that ID its label. The labels follow
 * src/labels.rs: a one-word name's first four letters, else the words' initials.
 */
const OWN_SETTINGS_STORED = {
  ...OWN_SETTINGS,
  tenantLabels: { [MANAGED_CONTOSO.id]: 'MC', [FABRIKAM.id]: 'FABR', [MANAGED_NORTHWIND.id]: 'MN' },
};

const operation = (op) => ({ what: 'applyOperation', operation: op });
const pick = (id) => ({ what: 'pickTenant', id, tab: null, view: 'tab' });
const fieldsOf = (error) => Object.fromEntries(Object.entries(error).filter(([key]) => key !== 'message'));

describe('enterprise policy (Chromium managed policy file)', () => {
  let copy;
  let server;
  let browser;

  const state = () => browser.sendOk({ what: 'getState' });
  const stateOnce = (done, timeout = 5000) => waitFor(state, done, { timeout, interval: 100 });
  const rows = async () => (await browser.send({ what: 'listTenants', query: '', page: 0 })).list.rows;

  before(async () => {
    requireRoot();
    copy = keyedExtensionCopy();
    writePolicy(copy.extensionId, POLICY);
    server = await startPortalServer();
    browser = await launchBrowser({ server, extensionDir: copy.dir });
    assert.equal(browser.extensionId, copy.extensionId, 'the key gives the ID the policy names');
    // The user's list as it was before the administrator pushed the policy.
    await browser.inWorker((settings) => chrome.storage.local.set({ settings }), OWN_SETTINGS);
    await stateOnce((s) => s.ownTenantCount === 2 && s.policy.current);
  });

  after(async () => {
    try {
      await browser?.close();
      await server?.close();
    } finally {
      removePolicy();
      copy?.remove();
    }
  });

  test('the policy is read, merged and reported: tenants marked, bad entries skipped, rewrite forced', async () => {
    assert.deepEqual(await browser.inWorker(() => chrome.storage.managed.get(null)), POLICY);
    const { policy, ...rest } = await state();
    assert.deepEqual(
      { ...policy, seenAt: typeof policy.seenAt, problems: policy.problems.map(fieldsOf) },
      {
        inForce: true,
        current: true,
        seenAt: 'number',
        syncDisabled: false,
        forceAutomaticRewrite: true,
        problems: [
          { name: 'PolicyInvalidTenant', index: 2, error: { name: 'TenantIdInvalidCharacter', character: 'n', position: 1 } },
          { name: 'PolicyInvalidTenant', index: 3, error: { name: 'TenantNameBidiControl', codePoint: 'U+202E', position: 8 } },
          { name: 'PolicyInvalidTenant', index: 4, error: { name: 'TenantNameInvisibleCharacter', codePoint: 'U+200B', position: 6 } },
        ],
      },
    );
    assert.deepEqual(
      [rest.tenantCount, rest.ownTenantCount, rest.managedCount, rest.automaticRewrite, rest.automaticRewriteForced],
      [3, 2, 2, true, true],
    );
    assert.deepEqual(
      (await rows()).map((row) => [row.name, row.managed]),
      [
        ['Fabrikam, Inc.', false],
        ['Managed Contoso', true],
        ['Managed Northwind', true],
      ],
    );
    // Names that could disguise themselves are listed nowhere, not even in the picker.
    const picker = await browser.send({ what: 'picker', query: '', tab: null });
    assert.ok(!JSON.stringify(picker.picker).includes('Invoice'));
    assert.ok(!JSON.stringify(picker.picker).includes(ZERO_WIDTH.id));
    assert.deepEqual((await browser.storage()).lastPolicy, { seenAt: policy.seenAt, managed: POLICY });
  });

  test('options: managed tenants are marked and have no Edit or Delete; the bad entries are noted', async () => {
    const page = await browser.openExtensionPage('options.html');
    const row = (name) => page.locator('#tenant-rows tr').filter({ hasText: name });
    await row('Managed Northwind').waitFor();
    for (const name of ['Managed Contoso', 'Managed Northwind']) {
      assert.match(await row(name).innerText(), new RegExp(message('managedTenant')));
      assert.equal(await row(name).getByRole('button').count(), 0, `${name} has no buttons`);
    }
    assert.equal(await row('My Contoso').count(), 0, 'the shadowed entry is hidden');
    assert.equal(await row('Fabrikam').getByRole('button', { name: message('edit') }).count(), 1);
    assert.equal(await page.locator('#list-summary').textContent(), '3 tenants, 2 of them managed by your organisation');
    const note = page.getByRole('note');
    await note.getByText(message('policyInForce'), { exact: true }).waitFor();
    assert.equal(await note.locator('li').count(), 4, 'the policy in force and three ignored entries');
    assert.ok(!(await page.locator('body').innerText()).includes('Invoice'));
    const checkbox = page.locator('#automatic-rewrite');
    assert.deepEqual([await checkbox.isChecked(), await checkbox.isDisabled()], [true, true]);
    await page.close();
  });

  test('policy tenants are never copied into the stored settings', async () => {
    const stored = await browser.storage();
    assert.deepEqual(stored.settings, OWN_SETTINGS_STORED);
    // A policy tenant's ID is stored only as the key of its label, never as a tenant.
    assert.equal(JSON.stringify(stored.settings.tenants).includes(MANAGED_NORTHWIND.id), false);
  });

  test('changing a policy tenant or turning forced rewrite off is refused', async () => {
    const refusals = [
      [{ op: 'deleteTenant', id: MANAGED_CONTOSO.id }, 'PolicyTenantManaged'],
      [{ op: 'editTenant', id: MANAGED_NORTHWIND.id, tenant: { name: 'X', id: MANAGED_NORTHWIND.id } }, 'PolicyTenantManaged'],
      [{ op: 'addTenant', tenant: { name: 'Y', id: MANAGED_NORTHWIND.id } }, 'PolicyTenantManaged'],
      [{ op: 'setAutomaticRewrite', enabled: false }, 'PolicyAutomaticRewriteForced'],
    ];
    for (const [op, name] of refusals) {
      const answer = await browser.send(operation(op));
      assert.equal(answer.ok, false, JSON.stringify(op));
      assert.equal(answer.error.name, name, JSON.stringify(op));
    }
    assert.deepEqual((await browser.storage()).settings, OWN_SETTINGS_STORED);
  });

  test('import: rows that clash with a policy tenant are rejected in the preview and when applied', async () => {
    const ADATUM = { name: 'Adatum', id: 'd0bd8401-04a0-4f53-bc15-761e19021d19' };
    const csv = ['name,tenant id', `Imported Northwind,${MANAGED_NORTHWIND.id}`, `managed contoso,9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d`, `${ADATUM.name},${ADATUM.id}`].join('\n');
    const data = Buffer.from(csv).toString('base64');
    const preview = await browser.send({ what: 'previewImport', data });
    assert.deepEqual(preview.preview.counts, { new: 1, renamed: 0, domainChanged: 0, tagsChanged: 0, changed: 0, unchanged: 0, rejected: 2, removed: 0 });
    assert.deepEqual(
      preview.preview.rows.filter((r) => r.status === 'rejected').map((r) => [r.line, r.error.name]),
      [
        [2, 'ImportRowManagedTenant'],
        [3, 'ImportRowManagedName'],
      ],
    );
    const applied = await browser.send({ what: 'importTenants' });
    assert.deepEqual(applied.imported.counts, preview.preview.counts);
    assert.deepEqual((await browser.storage()).settings.tenants, [MY_CONTOSO, FABRIKAM, ADATUM]);
    await browser.sendOk(operation({ op: 'deleteTenant', id: ADATUM.id }));
  });

  test('picking a policy tenant: kept as managedActiveTenant, and portal navigations go to it', async () => {
    const answer = await browser.send(pick(MANAGED_NORTHWIND.id));
    assert.equal(answer.ok, true, JSON.stringify(answer.error));
    const stored = await browser.storage();
    assert.equal(stored.managedActiveTenant, MANAGED_NORTHWIND.id);
    assert.equal(stored.settings.defaultTenant, null);
    assert.equal(answer.state.defaultTenant.id, MANAGED_NORTHWIND.id);
    assert.deepEqual(sortRules(await browser.dynamicRules()), defaultRules(MANAGED_NORTHWIND.id));
    const page = await browser.context.newPage();
    server.clear();
    await page.goto('https://security.microsoft.com/incidents');
    assert.equal(page.url(), `https://security.microsoft.com/incidents?tid=${MANAGED_NORTHWIND.id}`);
    assert.deepEqual(server.requestsTo('security.microsoft.com').map((r) => r.url), [
      `https://security.microsoft.com/incidents?tid=${MANAGED_NORTHWIND.id}`,
    ]);
    await page.close();
  });

  test("a policy tenant with the user's own ID, when picked, is stored in the user's settings", async () => {
    const answer = await browser.send(pick(MANAGED_CONTOSO.id));
    assert.equal(answer.ok, true, JSON.stringify(answer.error));
    assert.deepEqual([answer.state.defaultTenant.name, answer.state.defaultTenant.managed], ['Managed Contoso', true]);
    const stored = await browser.storage();
    assert.equal(stored.settings.defaultTenant, MY_CONTOSO.id);
    assert.ok(stored.managedActiveTenant === null || stored.managedActiveTenant === undefined, String(stored.managedActiveTenant));
    await browser.sendOk(pick(MANAGED_NORTHWIND.id));
  });

  test('the policy withdraws the chosen tenant: the home tenant, no rules, the pages say so, no restart', async () => {
    const popup = await browser.openExtensionPage('popup.html?view=tab');
    const options = await browser.openExtensionPage('options.html');
    assert.deepEqual(sortRules(await browser.dynamicRules()), defaultRules(MANAGED_NORTHWIND.id));

    writePolicy(copy.extensionId, { tenants: [MANAGED_CONTOSO] });
    await reloadPolicies(browser.context);
    const after = await stateOnce((s) => s.defaultTenantRemoved !== null);
    assert.equal(after.defaultTenantRemoved, MANAGED_NORTHWIND.id);
    assert.equal(after.defaultTenant, null);
    assert.deepEqual([after.automaticRewriteForced, after.automaticRewrite], [false, false]);
    assert.deepEqual(await browser.dynamicRules(), []);

    const told = message('policyActiveTenantRemoved', [MANAGED_NORTHWIND.id]);
    await popup.locator('#notice').getByText(told, { exact: true }).waitFor();
    await options.getByRole('alert').filter({ hasText: told }).waitFor();
    const page = await browser.context.newPage();
    server.clear();
    await page.goto('https://security.microsoft.com/incidents');
    assert.equal(page.url(), 'https://security.microsoft.com/incidents');
    await page.close();

    // Choosing a tenant again ends the notice.
    const chosen = await browser.sendOk(pick(FABRIKAM.id));
    assert.equal(chosen.defaultTenantRemoved, null);
    await popup.close();
    await options.close();
  });

  test('a worker start does not wait for the browser: it starts from lastPolicy, then applies the answer', async () => {
    const current = await state();
    assert.equal(current.policy.current, true);
    // The policy as an earlier worker last saw it, different from what the browser holds now.
    const LAST_SEEN = { name: 'Last Seen Ltd', id: FIXTURE_TENANTS.Woodgrove };
    const lastSeenAt = 1_767_225_600_000;
    await browser.inWorker(
      (last) => chrome.storage.local.set({ lastPolicy: last }),
      { seenAt: lastSeenAt, managed: { tenants: [LAST_SEEN], forceAutomaticRewrite: true } },
    );
    // The message that wakes the new worker is answered before the browser's policy arrives.
    const first = await restartWorker(browser);
    assert.equal(first.ok, true);
    assert.deepEqual(
      { ...first.state.policy, problems: undefined },
      { inForce: true, current: false, seenAt: lastSeenAt, syncDisabled: false, forceAutomaticRewrite: true, problems: undefined },
    );
    assert.deepEqual([first.state.managedCount, first.state.automaticRewriteForced], [1, true]);

    // Then the browser answers, and its policy is in force and stored for the next start.
    const applied = await stateOnce((s) => s.policy.current);
    assert.equal(applied.policy.current, true);
    assert.ok(applied.policy.seenAt > lastSeenAt);
    assert.deepEqual([applied.managedCount, applied.automaticRewriteForced], [1, false]);
    assert.deepEqual((await rows()).map((r) => r.name), ['Fabrikam, Inc.', 'Managed Contoso']);
    assert.deepEqual((await browser.storage()).lastPolicy, { seenAt: applied.policy.seenAt, managed: { tenants: [MANAGED_CONTOSO] } });
    const options = await browser.openExtensionPage('options.html');
    await options.getByRole('note').getByText(message('policyInForce'), { exact: true }).waitFor();
    await options.close();
  });

  test('"Reload policies" applies a change at once; sync disabled by policy is refused', async () => {
    writePolicy(copy.extensionId, { tenants: [], forceAutomaticRewrite: true, disableSync: true });
    await reloadPolicies(browser.context);
    const changed = await stateOnce((s) => s.managedCount === 0 && s.policy.syncDisabled);
    assert.deepEqual(
      [changed.policy.forceAutomaticRewrite, changed.automaticRewrite, changed.sync.allowed],
      [true, true, false],
    );
    const refused = await browser.send({ what: 'setSyncEnabled', enabled: true });
    assert.equal(refused.error?.name, 'SyncDisabledByPolicy');
    assert.ok(isDeepStrictEqual((await browser.storage()).settings.tenants, OWN_SETTINGS.tenants));
    assert.deepEqual(browser.errors, []);
  });
});

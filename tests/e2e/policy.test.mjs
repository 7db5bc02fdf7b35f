// Enterprise policy, for real: a test copy of the extension with a fixed key (so it has a known
// ID), Chromium's mandatory policy file naming that ID, and the real popup, options page,
// storage and rules. Writing /etc/chromium/policies/managed needs root (CI is root): without it
// this test fails with the reason instead of skipping.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, waitFor } from './lib/browser.mjs';
import {
  POLICY_FILE,
  keyedExtensionCopy,
  reloadPolicies,
  removePolicy,
  requireRoot,
  writePolicy,
} from './lib/policy.mjs';
import { startPortalServer } from './lib/portal-server.mjs';

const MANAGED_CONTOSO = { name: 'Managed Contoso', id: '6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b' };
const MANAGED_NORTHWIND = {
  name: 'Managed Northwind',
  id: '3c2b1a0f-9e8d-4c7b-8a69-5f4e3d2c1b0a',
  domain: 'northwind.example',
};
/** The user's own entry with a policy tenant's ID: hidden behind the policy's. */
const MY_CONTOSO = { name: 'My Contoso', id: MANAGED_CONTOSO.id };
const FABRIKAM = { name: 'Fabrikam', id: '0b8f4e2a-1d3c-4f5e-8a7b-9c0d1e2f3a4b' };

const POLICY = {
  tenants: [MANAGED_CONTOSO, MANAGED_NORTHWIND, { name: 'Broken', id: 'not-a-guid' }],
  forceAutomaticRewrite: true,
};
const MANAGED_TEXT = 'Managed by your organisation';

describe('enterprise policy (Chromium managed policy file)', () => {
  let copy;
  let server;
  let browser;

  before(async () => {
    requireRoot();
    copy = keyedExtensionCopy();
    writePolicy(copy.extensionId, POLICY);
    server = await startPortalServer();
    browser = await launchBrowser({ server, extensionDir: copy.dir });
    assert.equal(browser.extensionId, copy.extensionId, 'the key gives the ID the policy names');
    // The user's list as it was before the administrator pushed the policy.
    await browser.inWorker(
      (settings) => chrome.storage.local.set({ settings }),
      {
        schemaVersion: 1,
        tenants: [MY_CONTOSO, FABRIKAM],
        activeTenant: null,
        automaticRewrite: false,
        recentTenants: [],
      },
    );
    await waitFor(async () => (await browser.sendOk({ what: 'getState' })).settings.tenants.length === 2);
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

  test('the browser hands the policy to the extension; the core merges it, shadows and reports', async () => {
    assert.deepEqual(await browser.inWorker(() => chrome.storage.managed.get(null)), POLICY);
    const { policy } = await browser.sendOk({ what: 'getState' });
    assert.deepEqual(policy, {
      settings: {
        schemaVersion: 1,
        tenants: [MANAGED_CONTOSO, MANAGED_NORTHWIND, FABRIKAM],
        activeTenant: null,
        automaticRewrite: true,
        recentTenants: [],
      },
      managedTenants: [MANAGED_CONTOSO.id, MANAGED_NORTHWIND.id],
      shadowedTenants: [MY_CONTOSO.id],
      nameClashes: [],
      activeTenantRemoved: null,
      automaticRewriteForced: true,
      syncDisabled: false,
      problems: [
        {
          name: 'PolicyInvalidTenant',
          index: 2,
          error: { name: 'TenantIdInvalidCharacter', character: 'n', position: 1 },
        },
      ],
    });
  });

  test('policy tenants are never copied into storage.local', async () => {
    const stored = await browser.storage();
    assert.deepEqual(stored.settings.tenants, [MY_CONTOSO, FABRIKAM]);
    assert.equal(JSON.stringify(stored).includes(MANAGED_NORTHWIND.id), false);
  });

  test('options: managed tenants are marked and have no Edit or Delete; the bad entry is noted', async () => {
    const page = await browser.openExtensionPage('options.html');
    const item = (name) => page.getByRole('listitem').filter({ hasText: name });
    await item('Managed Northwind').waitFor();
    for (const name of ['Managed Contoso', 'Managed Northwind']) {
      assert.match(await item(name).innerText(), new RegExp(MANAGED_TEXT));
      assert.equal(await item(name).getByRole('button').count(), 0, `${name} has no buttons`);
    }
    assert.equal(await item('My Contoso').count(), 0, 'the shadowed user entry is hidden');
    assert.equal(await item('Fabrikam').getByRole('button', { name: 'Edit' }).count(), 1);
    assert.doesNotMatch(await item('Fabrikam').innerText(), new RegExp(MANAGED_TEXT));
    await page.getByRole('note').getByText('Policy tenant number 2', { exact: false }).waitFor();
    const checkbox = page.getByLabel('Automatic tenant rewrite');
    assert.equal(await checkbox.isChecked(), true);
    assert.equal(await checkbox.isDisabled(), true);
    await page.close();
  });

  test('the background refuses to change a managed tenant or turn forced rewrite off', async () => {
    const refusals = [
      [{ op: 'deleteTenant', id: MANAGED_CONTOSO.id }, 'PolicyTenantManaged'],
      [{ op: 'editTenant', id: MANAGED_NORTHWIND.id, tenant: { name: 'X', id: MANAGED_NORTHWIND.id } }, 'PolicyTenantManaged'],
      [{ op: 'addTenant', tenant: { name: 'Y', id: MANAGED_NORTHWIND.id } }, 'PolicyTenantManaged'],
      [{ op: 'setAutomaticRewrite', enabled: false }, 'PolicyAutomaticRewriteForced'],
    ];
    for (const [operation, name] of refusals) {
      const answer = await browser.send({ what: 'applyOperation', operation });
      assert.equal(answer.ok, false);
      assert.equal(answer.error.name, name, JSON.stringify(operation));
    }
    assert.deepEqual((await browser.storage()).settings.tenants, [MY_CONTOSO, FABRIKAM]);
  });

  test('import: rows that clash with a policy tenant are rejected in the preview and when applied', async () => {
    const ADATUM = { name: 'Adatum', id: 'd0bd8401-04a0-4f53-bc15-761e19021d19' };
    const OTHER_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    const csv = [
      'name,tenant id',
      `Imported Northwind,${MANAGED_NORTHWIND.id}`,
      `managed contoso,${OTHER_ID}`,
      `${ADATUM.name},${ADATUM.id}`,
    ].join('\n');
    const page = await browser.openExtensionPage('options.html');
    await page.getByRole('listitem').filter({ hasText: 'Managed Northwind' }).waitFor();
    await page
      .getByLabel('Import tenants')
      .setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('heading', { name: 'Preview of \u2068customers.csv\u2069' }).waitFor();
    assert.equal(
      await page.locator('#import-counts').textContent(),
      '1 new, 0 renamed, 0 unchanged, 2 rejected',
    );
    const rejected = await page.locator('#import-rejected-rows tr').evaluateAll((rows) =>
      rows.map((row) => [...row.cells].map((cell) => cell.textContent)),
    );
    assert.deepEqual(rejected, [
      [
        'Line 2',
        `Tenant ID ${MANAGED_NORTHWIND.id} belongs to \u2068Managed Northwind\u2069, a tenant your organisation manages: it cannot be imported.`,
      ],
      [
        'Line 3',
        `The name \u2068managed contoso\u2069 is used by tenant ${MANAGED_CONTOSO.id}, which your organisation manages.`,
      ],
    ]);
    // The background judges the file again under the policy it holds, with the same result.
    await page.getByRole('button', { name: 'Apply import' }).click();
    await page
      .getByRole('status')
      .getByText('Import applied: 1 new, 0 renamed, 0 unchanged, 2 rejected.')
      .waitFor();
    assert.deepEqual((await browser.storage()).settings.tenants, [MY_CONTOSO, FABRIKAM, ADATUM]);
    await page.close();
    // Back to the user's list as it was, for the tests after this one.
    await browser.inWorker(
      (tenants) =>
        chrome.storage.local.get('settings').then(({ settings }) =>
          chrome.storage.local.set({ settings: { ...settings, tenants } })),
      [MY_CONTOSO, FABRIKAM],
    );
    await waitFor(async () => (await browser.sendOk({ what: 'getState' })).settings.tenants.length === 2);
    assert.deepEqual(browser.errors, []);
  });

  test('popup: picking a policy tenant rewrites portal navigations to it', async () => {
    const popup = await browser.openExtensionPage('popup.html');
    const option = popup.getByRole('option', { name: 'Managed Northwind' });
    await option.waitFor();
    assert.match(await option.innerText(), new RegExp(MANAGED_TEXT));
    await option.click();
    await popup.getByRole('option', { name: 'Managed Northwind', selected: true }).waitFor();

    const stored = await browser.storage();
    assert.equal(stored.managedActiveTenant, MANAGED_NORTHWIND.id);
    assert.equal(stored.settings.activeTenant, null);

    const page = await browser.context.newPage();
    server.clear();
    await page.goto('https://security.microsoft.com/incidents');
    assert.equal(page.url(), `https://security.microsoft.com/incidents?tid=${MANAGED_NORTHWIND.id}`);
    assert.deepEqual(
      server.requests.filter((r) => r.path !== '/favicon.ico').map((r) => r.url),
      [`https://security.microsoft.com/incidents?tid=${MANAGED_NORTHWIND.id}`],
    );
    await page.close();
    await popup.close();
  });

  test('a policy tenant shadows the user entry with its ID when chosen', async () => {
    const popup = await browser.openExtensionPage('popup.html');
    await popup.getByRole('option', { name: 'Managed Contoso' }).click();
    await popup.getByRole('option', { name: 'Managed Contoso', selected: true }).waitFor();
    assert.equal(await popup.getByRole('option', { name: 'My Contoso' }).count(), 0);
    const stored = await browser.storage();
    // The user has this ID themselves, so the choice is in their own settings.
    assert.equal(stored.settings.activeTenant, MY_CONTOSO.id);
    assert.equal(stored.managedActiveTenant, null);
    await popup.getByRole('option', { name: 'Managed Northwind' }).click();
    await popup.getByRole('option', { name: 'Managed Northwind', selected: true }).waitFor();
    await popup.close();
  });

  test('policy drops the active tenant: "No tenant", rules cleared, the user is told, no restart', async () => {
    const popup = await browser.openExtensionPage('popup.html');
    const options = await browser.openExtensionPage('options.html');
    assert.equal((await browser.dynamicRules()).length > 0, true);

    writePolicy(copy.extensionId, { tenants: [MANAGED_CONTOSO] });
    // Chromium watches its policy folder and reloads a changed file after a few seconds by
    // itself; the extension gets storage.onChanged('managed') and applies it at once.
    const state = await waitFor(
      async () => (await browser.sendOk({ what: 'getState' })).policy,
      (policy) => policy.activeTenantRemoved !== null,
      { timeout: 20_000, interval: 250 },
    );
    assert.equal(state.activeTenantRemoved, MANAGED_NORTHWIND.id, `${POLICY_FILE} was not reloaded`);
    assert.equal(state.settings.activeTenant, null);
    assert.equal(state.automaticRewriteForced, false);
    assert.deepEqual(await browser.dynamicRules(), []);

    const told = `Your organisation no longer provides the tenant ${MANAGED_NORTHWIND.id}`;
    for (const page of [popup, options]) {
      await page.getByRole('alert').filter({ hasText: told }).waitFor();
    }
    await popup.getByRole('option', { name: 'No tenant', selected: true }).waitFor();
    assert.equal(await popup.getByRole('option', { name: 'Managed Northwind' }).count(), 0);
    // Managed Contoso is still listed, so the user's own entry with its ID stays hidden.
    await options.getByRole('listitem').filter({ hasText: 'My Contoso' }).waitFor({ state: 'detached' });

    const page = await browser.context.newPage();
    server.clear();
    await page.goto('https://security.microsoft.com/incidents');
    assert.equal(page.url(), 'https://security.microsoft.com/incidents');
    await page.close();

    // Choosing a tenant again ends the notice.
    await popup.getByRole('option', { name: 'Fabrikam' }).click();
    await popup.getByRole('option', { name: 'Fabrikam', selected: true }).waitFor();
    assert.equal((await browser.sendOk({ what: 'getState' })).policy.activeTenantRemoved, null);
    assert.equal(await popup.getByRole('alert').filter({ hasText: told }).count(), 0);
  });

  test('"Reload policies" on chrome://policy applies a change at once', async () => {
    writePolicy(copy.extensionId, { tenants: [], forceAutomaticRewrite: true });
    await reloadPolicies(browser.context);
    const policy = await waitFor(
      async () => (await browser.sendOk({ what: 'getState' })).policy,
      (p) => p.managedTenants.length === 0,
      { timeout: 3000 },
    );
    assert.deepEqual(policy.managedTenants, []);
    assert.equal(policy.automaticRewriteForced, true);
    assert.deepEqual(browser.errors, []);
  });
});

// Shared test data and small helpers for the end-to-end tests.
import { readFileSync } from 'node:fs';

export const URL_FIXTURE = JSON.parse(
  readFileSync(new URL('../../fixtures/urls.json', import.meta.url), 'utf8'),
);

/** The tenant every fixture row is rewritten to. */
export const CONTOSO = { name: 'Contoso', id: URL_FIXTURE.tenant, domain: 'contoso.onmicrosoft.com' };
/** A second tenant, the one the fixture uses as an explicit tenant. */
export const FABRIKAM = { name: 'Fabrikam', id: '0b8f4e2a-1d3c-4f5e-8a7b-9c0d1e2f3a4b' };
/** A tenant ID in no tenant list. */
export const UNKNOWN_ID = '11111111-2222-4333-8444-555555555555';

export const addTenant = (tenant) => ({ what: 'applyOperation', operation: { op: 'addTenant', tenant } });
/** Sets the tenant for new tabs (the default), as the options page or a test does. */
export const setDefaultTenant = (id) => ({ what: 'applyOperation', operation: { op: 'setDefaultTenant', id } });
/** Picks a tenant as the popup does: `tab` is `{id, url}` of the tab in front, or null. */
export const pickTenant = (id, tab = null, { newTab = false } = {}) => ({ what: 'pickTenant', id, tab, newTab, view: 'tab' });
export const deleteTenant = (id) => ({ what: 'applyOperation', operation: { op: 'deleteTenant', id } });
export const setAutomaticRewrite = (enabled) => ({
  what: 'applyOperation',
  operation: { op: 'setAutomaticRewrite', enabled },
});

/** The URL a request for `url` carries on the wire: no user-info, no fragment. */
export function requestUrl(url) {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}${u.search}`;
}

/**
 * The part of the background's state that says whether the stored settings are usable and what
 * is in force; policy and sync have their own tests (policy.test.mjs, sync.test.mjs).
 */
export function storedState({ usable, problem, hostAccess, defaultTenant, automaticRewrite, tenantCount }) {
  return { usable, problem, hostAccess, defaultTenant: defaultTenant?.id ?? null, automaticRewrite, tenantCount };
}

/**
 * The settings of a new install, as the core stores them (schema 5: ARCHITECTURE.md "Storage
 * layout", tests/fixtures/session/fresh-install.json). Stored with tenants but no `tenantLabels`,
 * it is still a value the core reads: the labels are assigned at load and written at the next
 * change.
 */
export const DEFAULT_SETTINGS = {
  schemaVersion: 5,
  tenants: [],
  defaultTenant: null,
  automaticRewrite: true,
  recentTenants: [],
  favourites: [],
  tenantColours: {},
  tenantLabels: {},
  pageOptions: { titlePrefix: true, colourLine: true, banner: false },
  hiddenPortals: [],
  portalRewrite: [],
};

/** The settings in the extension's storage, read through its service worker. */
export const storedSettings = async (browser) =>
  (await browser.inWorker(() => chrome.storage.local.get('settings'))).settings;

/**
 * Replaces everything in the extension's storage with `settings`, written through its service
 * worker (bypassing the background's validation, as a hand edit or an older release would).
 */
export const replaceStoredSettings = (browser, settings) =>
  browser.inWorker(async (value) => {
    await chrome.storage.local.clear();
    await chrome.storage.local.set({ settings: value });
  }, settings);

/** The tenant tab A is in, in the scenario (tests/fixtures/session/tenants.json). */
export const FOURTH_COFFEE = { name: 'Fourth Coffee', id: '4c0ffee0-1234-4abc-8def-0123456789ab', domain: 'fourthcoffee.com' };
/** A fourth tenant, for a second tab in a tenant of its own. */
export const WOODGROVE = { name: 'Woodgrove Bank', id: '7c1e5a3d-2b4f-4e6a-9d8c-0f1e2d3c4b5a' };

// The background service worker: the single writer of the settings and the rewrite rules.
//
// Pages send one message per operation; operations run one at a time through `enqueue`, and a
// page is answered only after storage is written and the dynamic rules are replaced, so a choice
// is in force for the very next navigation and two open pages never lose each other's changes.
// The core (WebAssembly) decides everything; this file only moves data between it and the
// browser (through browser-adapter.js).

import init, * as core from './core/tenant_switch.js';
import * as browser from './browser-adapter.js';
import { readPolicy, onPolicyChanged } from './policy-manager.js';
import { createSyncManager } from './sync-manager.js';

// No top-level await in a module service worker: every handler awaits this instead. The User
// Timing marks are read by the start-up benchmark (benches/browser/startup.mjs).
performance.mark('tenant-switch:wasm-start');
const ready = init().then((wasm) => {
  performance.measure('tenant-switch:wasm-ready', 'tenant-switch:wasm-start');
  return wasm;
});

const BADGE_COLOR = '#1f5fbf';
const BADGE_COLOR_MISMATCH = '#c62828';

let queue = Promise.resolve();

/** Runs `task` after every task queued before it; resolves or rejects with its result. */
function enqueue(task) {
  const run = queue.then(() => ready).then(task);
  queue = run.catch(() => {});
  return run;
}

// What the last load from storage found: exactly one of `settings` and `problem` is non-null.
let current = { settings: null, problem: null };
// The JSON of the settings this worker last wrote, to tell its own writes from anyone else's.
let lastWritten;

/** Converts anything thrown (core errors carry a stable `name` and details) to plain data. */
function errorData(error) {
  if (error instanceof Error) {
    return { ...error, name: error.name, message: error.message };
  }
  return { name: 'Error', message: String(error) };
}

/**
 * Reads the settings from storage through the core. Stored settings the core rejects are copied
 * to `settingsRejected` (once per distinct value) and never overwritten.
 */
async function load() {
  const { settings: stored, settingsRejected } = await browser.storageGet([
    'settings',
    'settingsRejected',
  ]);
  try {
    current = { settings: core.loadSettings(stored), problem: null };
  } catch (error) {
    const problem = errorData(error);
    current = { settings: null, problem };
    if (JSON.stringify(settingsRejected?.data) !== JSON.stringify(stored)) {
      await browser.storageSet({
        settingsRejected: { savedAt: Date.now(), error: problem, data: stored },
      });
    }
  }
  await loadPolicy();
  fresh = true;
  return current;
}

// Whether `current` and `policy` are what storage and policy hold: set by load(), cleared when
// anything but this worker changes them (which also queues a full sync). Reading 10,000 tenants
// from storage and validating them again for every message would cost hundreds of milliseconds.
let fresh = false;

/** Loads the settings unless what is in memory is known to be current. */
async function loadIfStale() {
  if (!fresh) await load();
}

// Enterprise policy: the managed object as read, the user's stored choice of a policy tenant
// they do not have themselves, and the core's view of the settings under both.
let policy = { managed: {}, managedActiveTenant: null, effective: null };

async function loadPolicy() {
  const [managed, { managedActiveTenant = null }] = await Promise.all([
    readPolicy(),
    browser.storageGet('managedActiveTenant'),
  ]);
  policy = { ...policy, managed, managedActiveTenant };
  refreshPolicyView();
}

// The settings validated once in the core and merged with the policy: the rules and the badge
// of every tab event are built from it. Validating 10,000 tenants costs tens of milliseconds, so
// it is done once per change of the settings or the policy, not once per use.
let loaded = null;

/** Rebuilds `loaded` and `policy.effective`; call whenever `current` or `policy` changed. */
function refreshPolicyView() {
  loaded?.free();
  loaded = current.settings
    ? core.LoadedSettings.underPolicy(current.settings, policy.managed, policy.managedActiveTenant)
    : null;
  policy.effective = loaded ? loaded.policyView() : null;
}

/** Applies `operation` under the policy; stores the choice of a policy tenant when it changed. */
async function applyUnderPolicy(operation) {
  const { settings, managedActiveTenant } = core.applyPolicyOperation(
    current.settings,
    policy.managed,
    policy.managedActiveTenant,
    operation,
  );
  if (managedActiveTenant !== policy.managedActiveTenant) {
    await browser.storageSet({ managedActiveTenant });
    policy.managedActiveTenant = managedActiveTenant;
  }
  return settings;
}

/**
 * Replaces every dynamic rule with the rules of `loaded` (none when the settings are unusable).
 */
async function installRules() {
  const existing = await browser.getDynamicRules();
  const addRules = loaded ? loaded.buildRules() : [];
  await browser.updateDynamicRules({
    removeRuleIds: existing.map((rule) => rule.id),
    addRules,
  });
}

async function state() {
  return {
    settings: current.settings,
    problem: current.problem,
    policy: policy.effective,
    sync: await syncManager.status(),
    hostAccess: await browser.hasHostAccess(),
  };
}

/** What one tab's toolbar badge shows, from the core's `tabBadge`. */
function badgeFor(url) {
  const badge = loaded ? loaded.tabBadge(url ?? null) : null;
  if (!badge) {
    return { text: '', color: BADGE_COLOR, title: browser.getMessage('extName') };
  }
  let title;
  if (badge.id === null) {
    // A portal tab without a tid: the analyst's home tenant, while another tenant is active.
    title = browser.getMessage('badgeTooltipHome');
  } else if (!badge.known) {
    title = browser.getMessage('badgeTooltipUnknown', [badge.id]);
  } else if (badge.mismatch) {
    title = browser.getMessage('badgeTooltipMismatch', [badge.name, badge.id]);
  } else {
    title = browser.getMessage('badgeTooltip', [badge.name, badge.id]);
  }
  return {
    text: badge.text,
    color: badge.mismatch ? BADGE_COLOR_MISMATCH : BADGE_COLOR,
    title,
  };
}

async function updateBadge(tab) {
  if (tab.id === undefined || tab.id < 0) return;
  await browser.setTabBadge(tab.id, badgeFor(tab.url));
}

async function updateAllBadges() {
  const tabs = await browser.queryTabs({});
  await Promise.all(tabs.map(updateBadge));
}

/** Loads the settings, installs their rules and redraws the badges: on install, start and wake. */
async function sync() {
  await load();
  await installRules();
  performance.mark('tenant-switch:rules-applied');
  await updateAllBadges();
}

/** Validates `operation` with the core, stores the result and installs its rules. */
async function change(operation) {
  await loadUsable();
  const settings = await applyUnderPolicy(operation);
  await store(settings, operation?.op === 'deleteTenant' ? 'deleteTenant' : null);
}

/** Loads the settings; refuses to go on while the stored settings are unusable. */
async function loadUsable() {
  await loadIfStale();
  if (current.problem) throw Object.assign(new Error(current.problem.message), current.problem);
}

/**
 * Stores settings the core made from `current.settings` and installs their rules. With a
 * `backupReason` (a destructive change), the tenant list as it was goes to the front of
 * `tenantListBackups` in the same write; `backups` replaces that list when given (a restore).
 */
async function store(settings, backupReason, backups) {
  const items = { settings };
  if (backups || backupReason) {
    const { tenantListBackups: stored } = await browser.storageGet('tenantListBackups');
    const usable = readBackups(stored);
    items.tenantListBackups =
      backups ?? withBackup(usable, backupReason, current.settings.tenants);
    // Backups of another shape (edited by hand, or corrupt) are set aside in the same write,
    // never silently overwritten.
    if (stored !== undefined && (!Array.isArray(stored) || usable.length !== stored.length)) {
      items.tenantListBackupsRejected = { savedAt: Date.now(), data: stored };
    }
  }
  lastWritten = JSON.stringify(settings);
  try {
    await browser.storageSet(items);
  } catch (error) {
    // Nothing was written (e.g. the quota is exceeded), so no echo of this write will come.
    lastWritten = undefined;
    throw error;
  }
  current = { settings, problem: null };
  refreshPolicyView();
  await installRules();
}

const MAX_BACKUPS = 3;

/** The stored backups, newest first; entries of another shape are left out (never restored). */
function readBackups(stored) {
  if (!Array.isArray(stored)) return [];
  return stored.filter(
    (backup) => typeof backup?.savedAt === 'number' && Array.isArray(backup?.tenants),
  );
}

function withBackup(backups, reason, tenants) {
  return [{ savedAt: Date.now(), reason, tenants }, ...backups].slice(0, MAX_BACKUPS);
}

/** `{savedAt, reason, count}` of each backup, newest first: what the options page shows. */
async function backupSummaries() {
  const { tenantListBackups: stored } = await browser.storageGet('tenantListBackups');
  return readBackups(stored).map(({ savedAt, reason, tenants }) => ({
    savedAt,
    reason: String(reason),
    count: tenants.length,
  }));
}

/** The file's bytes from the base64 a page sent (runtime messages carry JSON, not bytes). */
function bytesFromBase64(data) {
  if (typeof data !== 'string') {
    throw Object.assign(new Error('importTenants needs the file as base64 in `data`'), {
      name: 'InvalidArgument',
      argument: 'data',
      reason: typeof data,
    });
  }
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(data);
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Imports a file in one step, judged against the settings and the policy tenants as they are now
 * (rows that clash with a policy tenant are rejected); `{preview}`.
 */
async function importTenants({ data }) {
  const bytes = bytesFromBase64(data);
  await loadUsable();
  const { settings, preview } = core.importTenants(current.settings, bytes, policy.managed);
  // Only new and renamed rows change the list (an import never removes a tenant).
  const changed = preview.counts.new + preview.counts.renamed > 0;
  await store(settings, changed ? 'import' : null);
  return { preview };
}

/**
 * Restores the newest backup. The list it replaces becomes the newest backup instead, so a
 * second restore undoes the first. The core validates the backup and fixes up the active and
 * recent tenants.
 */
async function restoreTenantList() {
  await loadUsable();
  const { tenantListBackups: stored } = await browser.storageGet('tenantListBackups');
  const [newest, ...older] = readBackups(stored);
  if (!newest) {
    throw Object.assign(new Error('there is no previous tenant list to restore'), {
      name: 'BackupNone',
    });
  }
  const settings = core.replaceTenants(current.settings, newest.tenants);
  await store(settings, null, withBackup(older, 'restore', current.settings.tenants));
}

async function switchTenant({ id, tabId, url }) {
  await change({ op: 'setActiveTenant', id: id ?? null });
  if (tabId === undefined || tabId === null) return;
  const tabUrl = url ?? (await browser.getTab(tabId)).url;
  if (tabUrl && core.isPortalUrl(tabUrl)) {
    // The rules are in place already, so the reload lands in the chosen tenant.
    await browser.updateTab(tabId, { url: core.switchTenant(tabUrl, id ?? null) });
  }
}

// Opt-in sync of the user's own tenant list (sync-manager.js). It runs in this queue and writes
// through `store`, keeping a backup when a deletion from another browser removes tenants here.
const syncManager = createSyncManager({
  core,
  enqueue,
  load: async () => {
    await loadUsable();
    return current.settings;
  },
  apply: async (settings, { deleted }) => {
    await store(settings, deleted.length ? 'sync' : null);
    await updateAllBadges();
  },
  // An administrator's policy can disable sync (read fresh: policy changes without a restart).
  allowed: async () => {
    const managed = await readPolicy();
    await ready;
    return !core.parsePolicy(managed).policy.disableSync;
  },
});

/** Handles one message; `{state, ...}` (some messages answer more than the state). */
async function dispatch(message) {
  let extra = {};
  switch (message?.what) {
    case 'getState':
      await loadIfStale();
      break;
    case 'applyOperation':
      await change(message.operation);
      await updateAllBadges();
      break;
    case 'switchTenant':
      await switchTenant(message);
      await updateAllBadges();
      break;
    case 'importTenants':
      extra = await importTenants(message);
      await updateAllBadges();
      break;
    case 'restoreTenantList':
      await restoreTenantList();
      await updateAllBadges();
      break;
    case 'getTenantListBackups':
      extra = { backups: await backupSummaries() };
      break;
    case 'setSyncEnabled':
      await syncManager.setEnabled(message.enabled === true);
      break;
    default:
      throw Object.assign(new Error(`Unknown message: ${message?.what}`), {
        name: 'MessageUnknown',
        what: String(message?.what),
      });
  }
  return { ...extra, state: await state() };
}

browser.onMessage((message) =>
  enqueue(() => dispatch(message)).then(
    (answer) => ({ ok: true, ...answer }),
    (error) => ({ ok: false, error: errorData(error) }),
  ),
);

function logFailure(error) {
  console.error('Tenant Switch:', error);
}

// Listening is what makes the browser start the worker on install and on browser start; the
// wake-up sync at the end of this file then does the work.
browser.onInstalled(() => {});
browser.onStartup(() => {});

// Settings written by anyone but this worker (another instance, devtools) are re-checked at once.
// Only the first echo of this worker's own write is skipped: a later write of the same value by
// hand (restoring settings after a rejected edit, say) must install the rules again, and a
// removal of the settings is never this worker's own.
browser.onStorageChanged((changes) => {
  if (!('settings' in changes)) return;
  const own = lastWritten !== undefined && JSON.stringify(changes.settings.newValue) === lastWritten;
  lastWritten = undefined;
  if (own) return;
  fresh = false;
  enqueue(sync).catch(logFailure);
});

browser.onTabUpdated((tabId, changeInfo, tab) => {
  if (changeInfo.url === undefined && changeInfo.status !== 'complete') return;
  enqueue(() => updateBadge(tab)).catch(logFailure);
});

browser.onTabActivated(({ tabId }) => {
  enqueue(async () => {
    // The tab may be gone already (activated, then closed at once): nothing to draw then.
    const tab = await browser.getTab(tabId).catch(() => null);
    if (tab) await updateBadge(tab);
  }).catch(logFailure);
});

// A changed policy (the browser reloads it by itself) applies at once, without a restart.
onPolicyChanged(() => {
  fresh = false;
  enqueue(sync).catch(logFailure);
});

// Every start of the worker (install, browser start, or a wake for a message or a tab event)
// begins with a full sync, before any queued message is handled.
enqueue(sync).catch(logFailure);
// Then, when the user turned sync on, one sync step catches up with storage.sync.
syncManager.start();

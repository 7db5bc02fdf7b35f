// The only module that touches the browser's extension APIs. Everything else (background.js,
// popup.js, options.js) goes through these small functions, so a browser difference is fixed in
// one place. Firefox exposes promise-based `browser.*`; Chromium's MV3 `chrome.*` returns promises
// too, so the same calls work on both.

const api = globalThis.browser ?? globalThis.chrome;

// --- storage.local --------------------------------------------------------------------------

/** Reads `keys` (a string or an array of strings) from storage.local. */
export function storageGet(keys) {
  return api.storage.local.get(keys);
}

/** Writes the given `{key: value}` pairs to storage.local. */
export function storageSet(items) {
  return api.storage.local.set(items);
}

/** Calls `listener(changes)` whenever storage.local changes. */
export function onStorageChanged(listener) {
  api.storage.onChanged.addListener((changes, areaName) => {
    if (areaName === 'local') listener(changes);
  });
}

// --- storage.managed (enterprise policy, read-only) -----------------------------------------

/**
 * Everything the administrator's policy sets for this extension; `{}` when none. Firefox throws
 * when no policy names the extension at all, which means the same thing.
 */
export async function getManaged() {
  try {
    return (await api.storage.managed.get(null)) ?? {};
  } catch {
    return {};
  }
}

/** Calls `listener(changes)` whenever the browser reloads a changed policy. */
export function onManagedChanged(listener) {
  api.storage.onChanged.addListener((changes, areaName) => {
    if (areaName === 'managed') listener(changes);
  });
}

// --- storage.sync (opt-in sync of the tenant list; see sync-manager.js) ----------------------

/** Everything in storage.sync: the manifest and chunk items sync-manager.js wrote. */
export function syncGet(keys = null) {
  return api.storage.sync.get(keys);
}

/** Writes `{key: value}` pairs to storage.sync; rejects (and writes nothing) over a quota. */
export function syncSet(items) {
  return api.storage.sync.set(items);
}

/** Removes `keys` from storage.sync. */
export function syncRemove(keys) {
  return api.storage.sync.remove(keys);
}

/** Bytes storage.sync counts for `keys` (`null`: everything). Firefox may lack it: `null` then. */
export async function syncBytesInUse(keys = null) {
  if (typeof api.storage.sync.getBytesInUse !== 'function') return null;
  return api.storage.sync.getBytesInUse(keys);
}

/**
 * storage.sync's limits as the browser publishes them, `{quotaBytes, quotaBytesPerItem, maxItems,
 * writesPerMinute, writesPerHour}`, with Chromium's documented values where a browser omits one.
 */
export function syncQuotas() {
  const sync = api.storage.sync;
  return {
    quotaBytes: sync.QUOTA_BYTES ?? 102400,
    quotaBytesPerItem: sync.QUOTA_BYTES_PER_ITEM ?? 8192,
    maxItems: sync.MAX_ITEMS ?? 512,
    writesPerMinute: sync.MAX_WRITE_OPERATIONS_PER_MINUTE ?? 120,
    writesPerHour: sync.MAX_WRITE_OPERATIONS_PER_HOUR ?? 1800,
  };
}

/** Calls `listener(changes)` whenever storage.sync changes (written here or by another browser). */
export function onSyncChanged(listener) {
  api.storage.onChanged.addListener((changes, areaName) => {
    if (areaName === 'sync') listener(changes);
  });
}

// --- declarativeNetRequest ------------------------------------------------------------------

export function getDynamicRules() {
  return api.declarativeNetRequest.getDynamicRules();
}

/** `update` is `{removeRuleIds, addRules}` as declarativeNetRequest defines it. */
export function updateDynamicRules(update) {
  return api.declarativeNetRequest.updateDynamicRules(update);
}

// --- toolbar action (per tab) ---------------------------------------------------------------

/**
 * Sets one tab's badge. `badge` is `{text, color, title}`; an empty `text` hides the badge.
 * A tab may close while this runs; that is not an error worth reporting.
 */
export async function setTabBadge(tabId, { text, color, title }) {
  try {
    await Promise.all([
      api.action.setBadgeText({ tabId, text }),
      api.action.setBadgeBackgroundColor({ tabId, color }),
      api.action.setTitle({ tabId, title }),
    ]);
  } catch (error) {
    if (!/tab/i.test(String(error?.message))) throw error;
  }
}

// --- tabs (no `tabs` permission: `url` is present only for the portal hosts) ----------------

export function queryTabs(queryInfo = {}) {
  return api.tabs.query(queryInfo);
}

export function getTab(tabId) {
  return api.tabs.get(tabId);
}

export function updateTab(tabId, properties) {
  return api.tabs.update(tabId, properties);
}

export function createTab(properties) {
  return api.tabs.create(properties);
}

/** Calls `listener(tabId, changeInfo, tab)` when a tab changes. */
export function onTabUpdated(listener) {
  api.tabs.onUpdated.addListener(listener);
}

/** Calls `listener({tabId, windowId})` when a tab becomes the active one of its window. */
export function onTabActivated(listener) {
  api.tabs.onActivated.addListener(listener);
}

// --- runtime --------------------------------------------------------------------------------

/** Sends a message to the background; resolves with its answer. */
export function sendMessage(message) {
  return api.runtime.sendMessage(message);
}

/**
 * Answers messages with `handler(message, sender)`, which returns a promise of the answer.
 * Uses `sendResponse` plus `return true`, which both Chromium and Firefox honour.
 */
export function onMessage(handler) {
  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== api.runtime.id) return false;
    Promise.resolve(handler(message, sender)).then(sendResponse);
    return true;
  });
}

export function onInstalled(listener) {
  api.runtime.onInstalled.addListener(listener);
}

export function onStartup(listener) {
  api.runtime.onStartup.addListener(listener);
}

/** The host permission patterns of the manifest: the portal hosts. */
export function portalOrigins() {
  return [...(api.runtime.getManifest().host_permissions ?? [])];
}

export function extensionUrl(path) {
  return api.runtime.getURL(path);
}

export function openOptionsPage() {
  return api.runtime.openOptionsPage();
}

// --- permissions ----------------------------------------------------------------------------

/** Whether every portal host permission is granted (a user or policy can withhold them). */
export function hasHostAccess(origins = portalOrigins()) {
  return api.permissions.contains({ origins });
}

/** Asks the user for the portal host permissions again; needs a user gesture. */
export function requestHostAccess(origins = portalOrigins()) {
  return api.permissions.request({ origins });
}

/** Calls `listener()` when permissions are granted or withdrawn (e.g. the user's site access). */
export function onPermissionsChanged(listener) {
  api.permissions.onAdded.addListener(() => listener());
  api.permissions.onRemoved.addListener(() => listener());
}

// --- i18n -----------------------------------------------------------------------------------

export function getMessage(name, substitutions) {
  return api.i18n.getMessage(name, substitutions);
}

export function getUILanguage() {
  return api.i18n.getUILanguage();
}

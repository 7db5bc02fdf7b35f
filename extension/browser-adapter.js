// The only module that touches the browser's extension APIs. Everything else (background.js,
// popup.js, options.js, the content scripts' own small calls aside) goes through these small
// functions, so a browser difference is fixed in one place. Firefox exposes promise-based
// `browser.*`; Chromium's MV3 `chrome.*` returns promises too, so the same calls work on both.

const api = globalThis.browser ?? globalThis.chrome;

// --- storage (local, session, sync) -------------------------------------------------------

/** Reads `keys` (an array, or `null` for everything) from `storage.<area>`. */
export function storageGet(area, keys) {
  return api.storage[area].get(keys);
}

/** Writes `{key: value}` pairs to `storage.<area>` in one write. */
export function storageSet(area, items) {
  return api.storage[area].set(items);
}

/** Removes `keys` from `storage.<area>`. */
export function storageRemove(area, keys) {
  return api.storage[area].remove(keys);
}

/** Calls `listener(area, changes)` whenever any storage area changes (`managed` included). */
export function onStorageChanged(listener) {
  api.storage.onChanged.addListener((changes, area) => listener(area, changes));
}

/** `storage.local`'s quota without `unlimitedStorage`, when the browser publishes it. */
export function localQuotaBytes() {
  return api.storage.local.QUOTA_BYTES;
}

/** `storage.sync`'s limits as the browser publishes them (the core fills in what is missing). */
export function syncLimits() {
  const sync = api.storage.sync;
  return {
    quotaBytes: sync.QUOTA_BYTES,
    quotaBytesPerItem: sync.QUOTA_BYTES_PER_ITEM,
    maxItems: sync.MAX_ITEMS,
    maxWriteOperationsPerMinute: sync.MAX_WRITE_OPERATIONS_PER_MINUTE,
    maxWriteOperationsPerHour: sync.MAX_WRITE_OPERATIONS_PER_HOUR,
  };
}

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

// --- declarativeNetRequest ('dynamic' or 'session' rules) ----------------------------------

const RULES = {
  dynamic: { get: 'getDynamicRules', update: 'updateDynamicRules' },
  session: { get: 'getSessionRules', update: 'updateSessionRules' },
};

export function getRules(kind) {
  return api.declarativeNetRequest[RULES[kind].get]();
}

/** `update` is `{removeRuleIds, addRules}` as declarativeNetRequest defines it. */
export function updateRules(kind, update) {
  return api.declarativeNetRequest[RULES[kind].update](update);
}

export async function removeAllRules(kind) {
  const rules = await getRules(kind);
  return updateRules(kind, { removeRuleIds: rules.map((rule) => rule.id), addRules: [] });
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

export function updateTab(tabId, properties) {
  return api.tabs.update(tabId, properties);
}

export function createTab(properties) {
  return api.tabs.create(properties);
}

/** Sends `message` to the content script of a tab; a tab without one is not an error. */
export async function sendToTab(tabId, message) {
  try {
    await api.tabs.sendMessage(tabId, message);
  } catch {
    // No content script there (not a portal page, or still loading): nothing to tell.
  }
}

export function onTabCreated(listener) {
  api.tabs.onCreated.addListener(listener);
}

/** Calls `listener(tabId, changeInfo, tab)` when a tab changes. */
export function onTabUpdated(listener) {
  api.tabs.onUpdated.addListener(listener);
}

export function onTabRemoved(listener) {
  api.tabs.onRemoved.addListener(listener);
}

/** Calls `listener(addedTabId, removedTabId)` when a prerendered tab replaces another. */
export function onTabReplaced(listener) {
  api.tabs.onReplaced?.addListener(listener);
}

// --- runtime --------------------------------------------------------------------------------

/** Sends a message to the background; resolves with its answer. */
export function sendMessage(message) {
  return api.runtime.sendMessage(message);
}

/**
 * Answers messages with `handler(message, sender)`, which returns a promise of the answer.
 * Uses `sendResponse` plus `return true`, which both Chromium and Firefox honour. Only this
 * extension's own pages and content scripts are answered.
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

/** Whether the API permission `name` (e.g. `unlimitedStorage`) is granted. */
export function hasPermission(name) {
  return api.permissions.contains({ permissions: [name] });
}

/** Every origin the extension may access now (`permissions.getAll().origins`). */
export async function grantedOrigins() {
  return (await api.permissions.getAll()).origins ?? [];
}

/** Gives up access to `origins` (an optional host permission the user turned off). */
export function removeHostAccess(origins) {
  return api.permissions.remove({ origins });
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

// --- content scripts registered at run time (opt-in portals) -------------------------------

/** The IDs of the content scripts registered at run time. */
export async function registeredScripts() {
  if (!api.scripting?.getRegisteredContentScripts) return [];
  return (await api.scripting.getRegisteredContentScripts()).map((script) => script.id);
}

/** Registers content scripts (`scripting.registerContentScripts`). */
export function registerScripts(scripts) {
  return api.scripting.registerContentScripts(scripts);
}

/** Unregisters the content scripts with these IDs. */
export function unregisterScripts(ids) {
  return api.scripting.unregisterContentScripts({ ids });
}

// --- i18n -----------------------------------------------------------------------------------

export function getMessage(name, substitutions) {
  return api.i18n.getMessage(name, substitutions);
}

export function getUILanguage() {
  return api.i18n.getUILanguage();
}

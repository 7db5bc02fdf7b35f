// The background service worker: the single writer of the settings and the rewrite rules.
//
// Pages send one message per operation; operations run one at a time through `enqueue`, and a
// page is answered only after storage is written and the dynamic rules are replaced, so a choice
// is in force for the very next navigation and two open pages never lose each other's changes.
// The core (WebAssembly) decides everything; this file only moves data between it and the
// browser (through browser-adapter.js).

import init, * as core from './core/tenant_switch.js';
import * as browser from './browser-adapter.js';

// No top-level await in a module service worker: every handler awaits this instead.
const ready = init();

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
  return current;
}

/** Replaces every dynamic rule with the core's rules (none when the settings are unusable). */
async function installRules() {
  const existing = await browser.getDynamicRules();
  const addRules = current.settings ? core.buildRules(current.settings) : [];
  await browser.updateDynamicRules({
    removeRuleIds: existing.map((rule) => rule.id),
    addRules,
  });
}

async function state() {
  return {
    settings: current.settings,
    problem: current.problem,
    hostAccess: await browser.hasHostAccess(),
  };
}

/** What one tab's toolbar badge shows, from the core's `tabBadge`. */
function badgeFor(url) {
  const badge = current.settings ? core.tabBadge(current.settings, url ?? null) : null;
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
  await updateAllBadges();
}

/** Validates `operation` with the core, stores the result and installs its rules. */
async function change(operation) {
  await load();
  if (current.problem) throw Object.assign(new Error(current.problem.message), current.problem);
  const settings = core.applyOperation(current.settings, operation);
  lastWritten = JSON.stringify(settings);
  await browser.storageSet({ settings });
  current = { settings, problem: null };
  await installRules();
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

async function dispatch(message) {
  switch (message?.what) {
    case 'getState':
      await load();
      break;
    case 'applyOperation':
      await change(message.operation);
      await updateAllBadges();
      break;
    case 'switchTenant':
      await switchTenant(message);
      await updateAllBadges();
      break;
    default:
      throw Object.assign(new Error(`Unknown message: ${message?.what}`), {
        name: 'MessageUnknown',
        what: String(message?.what),
      });
  }
  return state();
}

browser.onMessage((message) =>
  enqueue(() => dispatch(message)).then(
    (answer) => ({ ok: true, state: answer }),
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
browser.onStorageChanged((changes) => {
  if (!('settings' in changes)) return;
  if (JSON.stringify(changes.settings.newValue) === lastWritten) return;
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

// Every start of the worker (install, browser start, or a wake for a message or a tab event)
// begins with a full sync, before any queued message is handled.
enqueue(sync).catch(logFailure);

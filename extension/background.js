// The background service worker: an effect runner. The core's session (Rust, WebAssembly)
// decides everything; this file feeds it every event (page messages, tab events, storage
// changes, timers, the answers to its reads), each stamped with `now`, and carries out the
// effects it returns, in order, one event at a time. A failed effect that the session asked to
// hear about stops its batch and goes back to the session as an event. See ARCHITECTURE.md.

import init, { Engine, startKeys, watchedKeys } from './core/tenant_switch.js';
import * as browser from './browser-adapter.js';

// No top-level await in a module service worker: the queue waits for the module instead. The
// User Timing marks are read by the start-up benchmark (benches/browser/startup.mjs).
performance.mark('tenant-switch:wasm-start');
const ready = init().then(() => performance.measure('tenant-switch:wasm-ready', 'tenant-switch:wasm-start'));

let engine = null;
let queue = Promise.resolve();
let nextMessage = 1;
const replies = new Map();
const timers = new Map();

const log = (error) => console.error('Tenant Switch:', error);

/** Runs `task` after everything queued before it. */
function enqueue(task) {
  const run = queue.then(task);
  queue = run.catch(log);
  return run;
}

/** Hands one event to the session and carries out what it answers. */
function feed(event) {
  return enqueue(() => handle(event));
}

async function handle(event) {
  const steps = engine.handle(JSON.stringify({ ...event, now: Date.now() }));
  await perform(JSON.parse(steps));
}

async function start() {
  await ready;
  // What the browser holds at this wake, read at once; each key is a field of the session's input.
  const reads = {
    local: browser.storageGet('local', JSON.parse(startKeys())),
    session: browser.storageGet('session', null),
    dynamicRules: browser.getRules('dynamic'),
    sessionRules: browser.getRules('session'),
    tabs: browser.queryTabs({}).then((tabs) => tabs.map(tabInfo)),
    hostAccess: browser.hasHostAccess(),
    origins: browser.grantedOrigins(),
    contentScripts: browser.registeredScripts(),
    unlimitedStorage: browser.hasPermission('unlimitedStorage'),
  };
  const values = await Promise.all(Object.values(reads));
  const input = Object.fromEntries(Object.keys(reads).map((key, index) => [key, values[index]]));
  engine = Engine.start(
    JSON.stringify({
      ...input,
      now: Date.now(),
      localQuotaBytes: browser.localQuotaBytes(),
      syncLimits: browser.syncLimits(),
      labels: { noTenant: browser.getMessage('noTenant') },
    }),
  );
  await perform(JSON.parse(engine.initial()));
  performance.mark('tenant-switch:rules-applied');
}

const tabInfo = ({ id, url, pendingUrl, openerTabId }) => ({ id, url, pendingUrl, openerTabId });
const text = ({ key, args }) => browser.getMessage(key, args);

/** Carries out one effect. */
const effects = {
  storageSet: ({ area, items }) => browser.storageSet(area, items),
  storageRemove: ({ area, keys }) => browser.storageRemove(area, keys),
  read: async ({ area, keys, token }) => ({ type: 'read', token, values: await browser.storageGet(area, keys) }),
  // The browser answers this slowly at a start (about 1.8 s): never make the queue wait for it.
  readPolicy: () => void browser.getManaged().then((managed) => feed({ type: 'policyRead', managed }), log),
  updateDynamicRules: ({ removeRuleIds, addRules }) => browser.updateRules('dynamic', { removeRuleIds, addRules }),
  updateSessionRules: ({ removeRuleIds, addRules }) => browser.updateRules('session', { removeRuleIds, addRules }),
  removeAllRules: () => Promise.all([browser.removeAllRules('dynamic'), browser.removeAllRules('session')]),
  setBadge: ({ tabId, text: label, color, title }) => browser.setTabBadge(tabId, { text: text(label), color, title: text(title) }),
  updateTab: ({ tabId, url }) => browser.updateTab(tabId, { url }),
  createTab: ({ url, active, openerTabId }) => browser.createTab({ url, active, openerTabId }),
  sendToTab: ({ tabId, message }) => browser.sendToTab(tabId, message),
  registerContentScripts: ({ scripts }) => browser.registerScripts(scripts),
  unregisterContentScripts: ({ ids }) => browser.unregisterScripts(ids),
  removeHostAccess: ({ origins }) => browser.removeHostAccess(origins),
  setTimer: ({ name, delayMs }) => {
    clearTimeout(timers.get(name));
    timers.set(name, setTimeout(() => feed({ type: 'timer', name }), delayMs));
  },
  answer: ({ to, value }) => {
    replies.get(to)?.(value);
    replies.delete(to);
  },
};

/** Carries out `steps` in order; a read's values (the only follow-up) and a reported failure go back in. */
async function perform(steps) {
  for (const step of steps) {
    let followUp;
    try {
      followUp = await effects[step.type](step);
    } catch (error) {
      if (!step.report) {
        log(error);
        continue;
      }
      await handle({ type: 'effectFailed', report: step.report, error: { message: String(error?.message ?? error) } });
      return;
    }
    if (step.type === 'read') await handle(followUp);
  }
}

// Listening is what wakes the worker; every wake starts the session before any event.
enqueue(start);

browser.onMessage((message, sender) => {
  const id = nextMessage++;
  const answer = new Promise((resolve) => replies.set(id, resolve));
  feed({ type: 'message', id, message, sender: { tabId: sender.tab?.id, url: sender.url } }).catch((error) =>
    replies.get(id)?.({ ok: false, error: { name: error?.name ?? 'Error', message: String(error?.message ?? error) } }),
  );
  return answer;
});
browser.onInstalled(() => {});
browser.onStartup(() => {});
browser.onTabCreated((tab) => feed({ type: 'tabCreated', tab: tabInfo(tab) }));
browser.onTabUpdated((tabId, { url, status }, tab) => {
  // The browser hides the address of a page that is not on a portal host.
  if (url !== undefined || status !== undefined) feed({ type: 'tabUpdated', tabId, url, status, hidden: tab.url === undefined });
});
browser.onTabRemoved((tabId) => feed({ type: 'tabRemoved', tabId }));
browser.onTabReplaced((addedTabId, removedTabId) => feed({ type: 'tabReplaced', addedTabId, removedTabId }));
browser.onPermissionsChanged(async () =>
  feed({ type: 'hostAccess', granted: await browser.hasHostAccess(), origins: await browser.grantedOrigins() }),
);
// Only the keys the session reads from storage changes cross into it (never its own
// `storage.session` writes, never the backups' lists).
const watched = ready.then(() => JSON.parse(watchedKeys()));
browser.onStorageChanged(async (area, changes) => {
  if (area === 'managed') return feed({ type: 'policyChanged' });
  const prefixes = (await watched)[area] ?? [];
  const relevant = Object.entries(changes).filter(([key]) => prefixes.some((prefix) => key.startsWith(prefix)));
  if (relevant.length) feed({ type: 'storageChanged', area, changes: Object.fromEntries(relevant) });
});

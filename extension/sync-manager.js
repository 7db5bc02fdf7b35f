// Opt-in sync of the user's tenant list through storage.sync (see ARCHITECTURE.md, "Sync").
//
// The core (src/sync.rs) decides everything: what changed locally, how a remote generation merges
// into the local list, which chunk items to write and whether the list fits. This module only
// moves data, always inside the background's single-writer queue:
//
//   storage.sync ──get──► core.syncReceive(model, items, settings, now) ──► apply(settings)
//                                    │                                        (the background's
//                                    ▼                                         write path)
//   storage.sync ◄─remove/set/set/remove── core.syncPlan(items, model, quotas)
//
// Local storage stays the source of truth: a failed or partial write to storage.sync leaves the
// previous generation complete for readers (the manifest is written last) and is retried later.
//
// storage.local keys owned here: `syncEnabled` (the opt-in, off when missing), `syncState` (the
// core's sync model: per-tenant timestamps and deletion markers), `syncProblem` (why sync was
// turned off, e.g. SyncTooLarge, shown by the options page).

import * as browser from './browser-adapter.js';

/** Quiet time after a change before writing: several quick edits become one write. */
const WRITE_DELAY_MS = 1500;
/** Quiet time after a storage.sync change before reading: the items of one write arrive together. */
const READ_DELAY_MS = 300;
/** When a write failed (quota, network), the next attempt. */
const RETRY_DELAY_MS = 60_000;
/**
 * How long another browser's generation may stay incomplete before this browser writes over it:
 * its writer may have stopped half-way, or its chunks may have been replaced meanwhile.
 */
const STALLED_MS = 30_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Keys of storage.sync this extension writes (the manifest and the chunks). */
function isSyncKey(key) {
  return key === 'syncGeneration' || key.startsWith('syncChunk.');
}

function errorData(error) {
  if (error instanceof Error) return { ...error, name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/**
 * Creates the sync manager of the background.
 *
 * - `core`: the wasm core (`syncReceive`, `syncPlan`).
 * - `enqueue(task)`: the background's single-writer queue.
 * - `load()`: the user's own stored settings (never the policy's), or throws when they are
 *   unusable.
 * - `apply(settings, {deleted})`: stores settings the core reconciled, through the background's
 *   write path; `deleted` lists tenant IDs a remote deletion removed here.
 * - `allowed()`: false while an administrator's policy disables sync.
 * - `now()`: the clock, milliseconds since the epoch.
 */
export function createSyncManager({ core, enqueue, load, apply, allowed = () => true, now = Date.now }) {
  // Times of recent write operations to storage.sync, for the per-minute and per-hour budget.
  // Kept in memory: after a worker restart the browser still enforces its own limit, and a
  // write it refuses is retried like any failed write.
  const writeLog = [];
  let timer = null;
  let timerDue = Infinity;
  let lastError = null;
  let held = [];
  /** `{generation, since}` of an incomplete generation seen in storage.sync. */
  let stalled = null;

  function schedule(delay) {
    const due = now() + delay;
    // An earlier run already scheduled covers this request.
    if (timer !== null && timerDue <= due) return;
    clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(() => {
      timer = null;
      timerDue = Infinity;
      enqueue(step).catch((error) => console.error('Tenant Switch sync:', error));
    }, delay);
  }

  async function enabled() {
    const { syncEnabled } = await browser.storageGet('syncEnabled');
    return syncEnabled === true && (await allowed());
  }

  /** `core.syncReceive`, rebuilding an unreadable model from the settings (only timestamps lost). */
  function receive(model, items, settings) {
    try {
      return core.syncReceive(model ?? null, items, settings, now());
    } catch (error) {
      if (error?.name !== 'SyncStateInvalid' && error?.name !== 'SyncStateNewerFormat') throw error;
      return core.syncReceive(null, items, settings, now());
    }
  }

  async function applyReceived(settings, received) {
    if (!received.settingsChanged) return;
    const kept = new Set(received.settings.tenants.map((tenant) => tenant.id));
    const deleted = settings.tenants.map((tenant) => tenant.id).filter((id) => !kept.has(id));
    await apply(received.settings, { deleted });
  }

  /** Milliseconds until `count` more write operations fit both budgets (0: now). */
  function budgetWait(count) {
    const quotas = browser.syncQuotas();
    const time = now();
    while (writeLog.length && time - writeLog[0] >= HOUR_MS) writeLog.shift();
    const waitFor = (windowMs, limit) => {
      const recent = writeLog.filter((at) => time - at < windowMs);
      const excess = recent.length + count - limit;
      if (excess <= 0) return 0;
      // Enough of the oldest operations in the window must age out of it.
      return recent[Math.min(excess, recent.length) - 1] + windowMs - time;
    };
    return Math.max(waitFor(MINUTE_MS, quotas.writesPerMinute), waitFor(HOUR_MS, quotas.writesPerHour));
  }

  /** Runs a write plan in the core's order; the manifest is set only after every chunk is. */
  async function write(plan) {
    const steps = [];
    if (plan.removeFirst.length) steps.push(() => browser.syncRemove(plan.removeFirst));
    if (Object.keys(plan.chunks).length) steps.push(() => browser.syncSet(plan.chunks));
    steps.push(() => browser.syncSet(plan.manifest));
    if (plan.removeAfter.length) steps.push(() => browser.syncRemove(plan.removeAfter));
    const wait = budgetWait(steps.length);
    if (wait > 0) {
      schedule(wait);
      return false;
    }
    for (const run of steps) {
      writeLog.push(now());
      await run();
    }
    return true;
  }

  /** Turns sync off because the list cannot be synced; the previous generation stays for others. */
  async function stop(problem) {
    clearTimeout(timer);
    timer = null;
    timerDue = Infinity;
    await browser.storageSet({ syncEnabled: false, syncState: null, syncProblem: problem });
  }

  /**
   * One sync step: read storage.sync, merge and apply what another browser wrote, then write
   * what this browser has that storage.sync lacks (only the chunks that changed).
   */
  async function step() {
    if (!(await enabled())) return;
    const settings = await load();
    const [{ syncState }, items] = await Promise.all([
      browser.storageGet('syncState'),
      browser.syncGet(null),
    ]);
    const received = receive(syncState, items, settings);
    held = received.held;
    await applyReceived(settings, received);
    if (JSON.stringify(received.model) !== JSON.stringify(syncState)) {
      await browser.storageSet({ syncState: received.model });
    }
    if (received.status === 'incomplete') {
      // Another browser's generation is still arriving: merge it when it is complete, or write
      // over it if it never completes.
      if (stalled?.generation !== received.generation) {
        stalled = { generation: received.generation, since: now() };
      }
      const waited = now() - stalled.since;
      if (waited < STALLED_MS) {
        schedule(STALLED_MS - waited);
        return;
      }
    } else if (!received.needsWrite) {
      // storage.sync holds this browser's entries already. Stray chunks (another browser's write
      // in progress, or a failed write) are left until there is something to write.
      stalled = null;
      return;
    }
    stalled = null;
    let plan;
    try {
      plan = core.syncPlan(items, received.model, storageQuotas());
    } catch (error) {
      if (error?.name === 'SyncTooLarge' || error?.name === 'SyncNewerFormat') {
        await stop(errorData(error));
        return;
      }
      throw error;
    }
    if (plan.unchanged) return;
    try {
      if (await write(plan)) lastError = null;
    } catch (error) {
      lastError = errorData(error);
      schedule(RETRY_DELAY_MS);
    }
  }

  return {
    /** Listens for changes and catches up once; call when the worker starts. */
    start() {
      browser.onSyncChanged((changes) => {
        if (Object.keys(changes).some(isSyncKey)) schedule(READ_DELAY_MS);
      });
      // Every writer of the settings (pages' operations, imports, restores, other instances)
      // shows up here; the core tells what changed.
      browser.onStorageChanged((changes) => {
        if ('settings' in changes) schedule(WRITE_DELAY_MS);
      });
      enqueue(async () => {
        if (await enabled()) schedule(0);
      }).catch((error) => console.error('Tenant Switch sync:', error));
    },

    /** `{enabled, allowed, problem, held, lastError}` for the pages' state. */
    async status() {
      const { syncEnabled, syncProblem } = await browser.storageGet(['syncEnabled', 'syncProblem']);
      return {
        enabled: syncEnabled === true && (await allowed()),
        allowed: await allowed(),
        problem: syncProblem ?? null,
        held,
        lastError,
      };
    },

    /**
     * Turns sync on or off; run inside the queue. Turning it on merges what storage.sync holds
     * and writes this browser's list at once. A list too large for sync throws `SyncTooLarge`
     * (with `tenants` and `fit`), is remembered in `syncProblem` and leaves sync off and the
     * settings untouched. Turning it off leaves storage.sync to the other browsers.
     */
    async setEnabled(enable) {
      if (!enable) {
        await stop(null);
        return;
      }
      if (!(await allowed())) {
        throw Object.assign(new Error('sync is turned off by policy'), { name: 'SyncDisabledByPolicy' });
      }
      const settings = await load();
      const items = await browser.syncGet(null);
      const received = core.syncReceive(null, items, settings, now());
      let plan;
      try {
        plan = core.syncPlan(items, received.model, storageQuotas());
      } catch (error) {
        await stop(errorData(error));
        throw error;
      }
      held = received.held;
      await applyReceived(settings, received);
      await browser.storageSet({ syncEnabled: true, syncState: received.model, syncProblem: null });
      if (plan.unchanged) return;
      try {
        if (await write(plan)) lastError = null;
      } catch (error) {
        // Sync is on and local data is intact; the write is tried again.
        lastError = errorData(error);
        schedule(RETRY_DELAY_MS);
      }
    },
  };
}

/** The storage quotas the core plans chunks within (the write rates are this file's concern). */
function storageQuotas() {
  const { quotaBytes, quotaBytesPerItem, maxItems } = browser.syncQuotas();
  return { quotaBytes, quotaBytesPerItem, maxItems };
}

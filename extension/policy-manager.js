// Enterprise policy in the background: reads what the administrator set through
// `chrome.storage.managed` and reports changes. The core (`effectiveSettings`,
// `applyPolicyOperation`) decides what the policy means; this file only fetches it.

import * as browser from './browser-adapter.js';

/** The managed policy object as the browser holds it (`{}` without a policy). */
export function readPolicy() {
  return browser.getManaged();
}

/**
 * Calls `listener()` when the browser loads a changed policy, so it applies without a restart.
 * Chromium reloads policy files on its own (about every few minutes, or at once from
 * chrome://policy "Reload policies") and then fires storage.onChanged for the area `managed`.
 */
export function onPolicyChanged(listener) {
  browser.onManagedChanged(() => listener());
}

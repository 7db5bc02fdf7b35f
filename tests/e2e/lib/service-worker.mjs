// Stopping the extension's service worker as the browser does when it has been idle: the next
// event (a message from a page) starts it again, and the session is built afresh from what the
// browser holds (storage.local, storage.session, the installed rules). Done through the DevTools
// protocol, as benches/browser/startup.mjs measures a wake.

const STOP_TIMEOUT_MS = 10_000;

/**
 * Stops the running service worker of `browser` (from lib/browser.mjs) and waits until the
 * browser reports it stopped. Returns `awake(message?)`, which wakes a new worker with `message`
 * (default `getState`), waits until Playwright has let go of the old one (so `inWorker` reaches
 * the new one) and resolves with the answer.
 */
export async function stopWorker(browser) {
  // Playwright keeps the same Worker object for the restarted worker; a mark in the old global
  // tells the instances apart.
  await browser.inWorker(() => {
    globalThis.__tenantSwitchStopped = true;
  });
  const page = await browser.context.newPage();
  try {
    await page.goto(`${browser.extensionOrigin}/manifest.json`);
    const cdp = await browser.context.newCDPSession(page);
    let stopped;
    const isStopped = new Promise((resolve) => {
      stopped = resolve;
    });
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      const ours = versions.filter((v) => v.scriptURL.startsWith(browser.extensionOrigin));
      if (ours.length && ours.every((v) => v.runningStatus === 'stopped')) stopped();
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await within(isStopped, 'the service worker did not stop');
    await cdp.detach();
  } finally {
    await page.close();
  }
  return async function awake(message = { what: 'getState' }) {
    const answer = await browser.send(message);
    const fresh = await browser.inWorker(reportErrorsToConsole);
    if (!fresh) throw new Error('the service worker answered without restarting');
    return answer;
  };
}

/**
 * What lib/browser.mjs installs in every worker it first sees, for the new instance (whose
 * Playwright object it has seen already): uncaught errors and rejections become console errors,
 * which the browser's error collector records. True when this is a new instance.
 */
function reportErrorsToConsole() {
  if (globalThis.__tenantSwitchStopped) return false;
  if (!globalThis.__tenantSwitchTestReporting) {
    globalThis.__tenantSwitchTestReporting = true;
    globalThis.addEventListener('error', (e) => console.error(`Uncaught: ${e.message}`));
    globalThis.addEventListener('unhandledrejection', (e) => console.error(`Unhandled rejection: ${e.reason}`));
  }
  return true;
}

/** Stops the worker and wakes a new one with a `getState` message; returns that answer. */
export async function restartWorker(browser) {
  const awake = await stopWorker(browser);
  return awake();
}

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${STOP_TIMEOUT_MS / 1000} s`)), STOP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

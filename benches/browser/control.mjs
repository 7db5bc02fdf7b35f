// What every browser benchmark shares: the benchmark's copy of the extension (dist/extension plus
// the empty page that is the floor of the page figures), stopping the service worker through the
// DevTools protocol, and filling the tenant list through the background's own messages.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXTENSION_DIR } from '../../tests/e2e/lib/browser.mjs';
import { sleep } from './stats.mjs';
import { syntheticTenant } from './tenants.mjs';

const FLOOR_DIR = fileURLToPath(new URL('./floor/', import.meta.url));
/** The benchmark's copy of the extension: never zipped, never shipped. */
export const BENCH_EXTENSION_DIR = fileURLToPath(new URL('../../target/bench/extension/', import.meta.url));
/** The floor: an extension page with the popup's stylesheets and one module script, no background. */
export const EMPTY_PAGE = 'empty.html';

/**
 * Copies dist/extension to target/bench/extension and adds the floor's files (benches/browser/
 * floor/), so the empty page is served by the same extension, in the same renderer, as the popup.
 */
export function prepareBenchExtension() {
  if (!existsSync(`${EXTENSION_DIR}/manifest.json`)) throw new Error(`${EXTENSION_DIR} has no manifest: run ./build.sh first`);
  rmSync(BENCH_EXTENSION_DIR, { recursive: true, force: true });
  mkdirSync(BENCH_EXTENSION_DIR, { recursive: true });
  cpSync(EXTENSION_DIR, BENCH_EXTENSION_DIR, { recursive: true });
  for (const name of readdirSync(FLOOR_DIR)) {
    if (existsSync(`${BENCH_EXTENSION_DIR}/${name}`)) throw new Error(`the floor's ${name} would replace the extension's own`);
    cpSync(`${FLOOR_DIR}/${name}`, `${BENCH_EXTENSION_DIR}/${name}`);
  }
  return BENCH_EXTENSION_DIR;
}

/**
 * Stops and watches the extension's service worker through the DevTools protocol
 * (`ServiceWorker.stopAllWorkers`, as chrome://serviceworker-internals does), on a CDP session of
 * an extension page that stays open.
 */
export async function workerControl(browser) {
  const page = await browser.openExtensionPage('manifest.json');
  const cdp = await browser.context.newCDPSession(page);
  let status = 'running';
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const version of versions) {
      if (version.scriptURL.startsWith(browser.extensionOrigin)) status = version.runningStatus;
    }
  });
  await cdp.send('ServiceWorker.enable');
  return {
    page,
    get status() {
      return status;
    },
    /** Stops the worker and waits until the browser says it has stopped (then 100 ms more). */
    async stop() {
      await cdp.send('ServiceWorker.stopAllWorkers');
      for (let waited = 0; status !== 'stopped' && waited < 5000; waited += 10) await sleep(10);
      if (status !== 'stopped') throw new Error(`the service worker did not stop (status ${status})`);
      await sleep(100);
    },
    /** The running worker as Playwright sees it (the newest one after a restart). */
    current() {
      return browser.context
        .serviceWorkers()
        .filter((worker) => worker.url().startsWith(browser.extensionOrigin))
        .at(-1);
    },
  };
}

const base64 = (text) => Buffer.from(text, 'utf8').toString('base64');

/**
 * Fills the list to `count` synthetic tenants (benches/browser/tenants.mjs) through the
 * background's `importTenants` message, the way a user's file arrives, so the stored layout is
 * whatever the current build writes (the benchmark never writes the settings itself). Tenants
 * are numbered, so growing from `have` imports tenants `have`..`count-1` only. Sets tenant 0 as
 * the tenant for new tabs, so the rewrite rules exist. Returns the background's state.
 */
export async function growTenants(browser, count) {
  let state = await browser.sendOk({ what: 'getState' });
  const have = state.ownTenantCount ?? state.tenantCount;
  if (have > count) throw new Error(`the list has ${have} tenants already, more than ${count}`);
  const CHUNK = 25_000;
  for (let first = have; first < count; first += CHUNK) {
    const rows = [];
    for (let i = first; i < Math.min(count, first + CHUNK); i += 1) rows.push(syntheticTenant(i));
    // As the options page does it: the file's preview first, then "Apply import" of that preview.
    await browser.sendOk({ what: 'previewImport', data: base64(JSON.stringify(rows)) });
    state = await browser.sendOk({ what: 'importTenants' });
  }
  if (count > 0 && state.defaultTenant?.id !== syntheticTenant(0).id && state.defaultTenant !== syntheticTenant(0).id) {
    state = await browser.sendOk({ what: 'applyOperation', operation: { op: 'setDefaultTenant', id: syntheticTenant(0).id } });
  }
  if (state.tenantCount !== count) throw new Error(`imported ${count} tenants, the background has ${state.tenantCount}`);
  return state;
}

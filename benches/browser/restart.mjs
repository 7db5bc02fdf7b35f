// The first page after a browser restart: the popup with 300 tenants against the floor (the
// empty page, benches/browser/floor/) opened first after a restart of its own. One profile for
// the whole run; restarts alternate between the two pages, so both see the same profile state.
//
// "Restart" is closing the browser and launching it again on the same profile: storage.local
// and the dynamic rules stay, storage.session, the session rules and the worker are gone. The
// launcher returns once the extension's service worker has appeared, as it does for every test.
import { launchBrowser, makeProfile, removeProfile } from '../../tests/e2e/lib/browser.mjs';
import { EMPTY_PAGE, growTenants } from './control.mjs';
import { pageProbe } from './pages.mjs';
import { summarize } from './stats.mjs';

async function firstOpen(server, extensionDir, profileDir, path) {
  const browser = await launchBrowser({ server, extensionDir, profileDir });
  try {
    await browser.context.addInitScript(pageProbe);
    const page = await browser.context.newPage();
    await page.goto(`${browser.extensionOrigin}/${path}`);
    await page.waitForFunction(() => Number.isFinite(globalThis.__bench?.ready), null, { timeout: 30_000 });
    return { ready: await page.evaluate(() => globalThis.__bench.ready), errors: browser.errors };
  } finally {
    await browser.close();
  }
}

export async function benchRestart(server, { extensionDir, tenants = 300, samples = 8, warmup = 1 } = {}) {
  const profile = makeProfile();
  const errors = [];
  try {
    const setup = await launchBrowser({ server, extensionDir, profileDir: profile });
    try {
      await growTenants(setup, tenants);
    } finally {
      errors.push(...setup.errors);
      await setup.close();
    }
    const popup = [];
    const floor = [];
    for (let i = -warmup; i < samples; i += 1) {
      const order = i % 2 === 0 ? ['popup.html', EMPTY_PAGE] : [EMPTY_PAGE, 'popup.html'];
      for (const path of order) {
        const result = await firstOpen(server, extensionDir, profile, path);
        errors.push(...result.errors);
        if (i >= 0) (path === EMPTY_PAGE ? floor : popup).push(result.ready);
      }
    }
    const result = { tenants, popup: summarize(popup), floor: summarize(floor), errors };
    result.ratio = result.popup.median / result.floor.median;
    return result;
  } finally {
    removeProfile(profile);
  }
}

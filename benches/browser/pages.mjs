// Page figures: the popup and the options page against the floor (an empty page of the same
// extension, benches/browser/floor/), keystrokes in the popup, and adding a tenant.
//
// Pages are opened as tabs (chrome-extension://ID/popup.html), as the end-to-end tests do:
// headless Chromium has no toolbar to click. An init script observes every page from its first
// moment; all times are performance.now() inside the page, so "opened" is the page's navigation
// start. The floor and the page it is compared with are opened alternately in the same browser,
// under the same condition (worker awake, or stopped just before each open), and every ratio is
// of the two medians of the same series.
import { launchBrowser } from '../../tests/e2e/lib/browser.mjs';
import { EMPTY_PAGE, growTenants, workerControl } from './control.mjs';
import { sleep, summarize } from './stats.mjs';
import { syntheticTenant } from './tenants.mjs';

/**
 * Runs in every page. "Ready" is, for the popup and the empty page, the first moment the list has
 * a row and the search box has the focus; for the options page, the first moment the tenant
 * table has a row. Also times keystrokes (keydown's timeStamp to the list's next DOM update and
 * to the frame after it) and the add form (the click's timeStamp to the answer drawn, to the
 * first storage.local change the page hears of, and to the list redrawn).
 */
export function pageProbe() {
  const kind = /\/(popup|empty|options)\.html$/.exec(location.pathname)?.[1];
  if (!kind) return;
  const probe = { kind, ready: NaN, keystrokes: [], frames: [], pending: null, adds: [] };
  globalThis.__bench = probe;
  const $ = (id) => document.getElementById(id);
  let add = null;
  const check = () => {
    if (!Number.isNaN(probe.ready)) return;
    const ready =
      kind === 'options'
        ? $('tenant-rows')?.children.length > 0
        : $('tenants')?.children.length > 0 && document.activeElement === $('search');
    if (ready) probe.ready = performance.now();
  };
  new MutationObserver((records) => {
    const now = performance.now();
    check();
    const key = probe.pending;
    if (key !== null && records.some((r) => r.target.id === 'tenants')) {
      probe.pending = null;
      probe.keystrokes.push(now - key);
      requestAnimationFrame(() => probe.frames.push(performance.now() - key));
    }
    if (add) {
      // The form is reset and "Added …" shown right after the answer arrives.
      if (Number.isNaN(add.answered) && $('add-name')?.value === '' && $('add-status')?.textContent && !$('add-error')?.textContent) {
        add.answered = now - add.click;
      } else if (!Number.isNaN(add.answered) && records.some((r) => r.target.id === 'tenant-rows')) {
        add.listed = now - add.click;
        add = null;
      }
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
  document.addEventListener('focusin', check, true);
  // The event's timeStamp is when the input event was created, before any handler ran.
  addEventListener('keydown', (event) => (probe.pending = event.timeStamp), true);
  addEventListener(
    'click',
    (event) => {
      if (kind !== 'options' || !event.target.closest?.('#add button[type="submit"]')) return;
      add = { click: event.timeStamp, answered: NaN, stored: NaN, listed: NaN };
      probe.adds.push(add);
    },
    true,
  );
  globalThis.chrome?.storage?.onChanged.addListener((changes, area) => {
    const last = probe.adds.at(-1);
    if (area === 'local' && last && Number.isNaN(last.stored)) last.stored = performance.now() - last.click;
  });
}

/** Opens `path` in a new tab and waits until the probe calls it ready; returns the page. */
async function openReady(browser, path) {
  const page = await browser.context.newPage();
  await page.goto(`${browser.extensionOrigin}/${path}`);
  await page.waitForFunction(() => Number.isFinite(globalThis.__bench?.ready), null, { timeout: 20_000 });
  return page;
}

async function readyTime(browser, path) {
  const page = await openReady(browser, path);
  try {
    return await page.evaluate(() => globalThis.__bench.ready);
  } finally {
    await page.close();
  }
}

/**
 * `opens` alternating opens of `path` and of the floor (after `warmup` of each); with `stopped`,
 * the worker is stopped before every open. Returns both summaries and the ratio of medians.
 */
async function againstFloor(browser, control, path, { opens, warmup, stopped }) {
  const page = [];
  const floor = [];
  for (let i = -warmup; i < opens; i += 1) {
    const order = i % 2 === 0 ? [path, EMPTY_PAGE] : [EMPTY_PAGE, path];
    for (const each of order) {
      if (stopped) await control.stop();
      const ms = await readyTime(browser, each);
      if (i >= 0) (each === path ? page : floor).push(ms);
    }
  }
  const result = { page: summarize(page), floor: summarize(floor) };
  result.ratio = result.page.median / result.floor.median;
  return result;
}

const QUERY = 'contoso bank';

/** Types QUERY one key at a time, then clears it (Ctrl+A, Backspace); every keystroke timed. */
async function typeQuery(page) {
  const count = () => page.evaluate(() => globalThis.__bench.keystrokes.length);
  const press = async (key) => {
    const before = await count();
    await page.keyboard.press(key);
    await page.waitForFunction((n) => globalThis.__bench.keystrokes.length > n, before, { timeout: 10_000 });
    await sleep(30);
  };
  for (const character of QUERY) await press(character === ' ' ? 'Space' : character);
  await page.keyboard.press('Control+A');
  await press('Backspace');
  return page.evaluate(() => ({ keystrokes: globalThis.__bench.keystrokes, frames: globalThis.__bench.frames }));
}

async function typing(browser, tenants, runs) {
  const keystrokes = [];
  const frames = [];
  const first = [];
  for (let run = 0; run < runs; run += 1) {
    const page = await openReady(browser, 'popup.html');
    const result = await typeQuery(page);
    keystrokes.push(...result.keystrokes);
    frames.push(...result.frames);
    first.push(result.keystrokes[0]);
    await page.close();
  }
  return { tenants, query: QUERY, keystroke: summarize(keystrokes), nextFrame: summarize(frames), firstLetter: summarize(first) };
}

/**
 * Adds `samples` tenants one at a time through the options page's form (the tenants the synthetic
 * list would have next, so the list stays the synthetic one). Each is timed from the click.
 */
async function adding(browser, tenants, samples, warmup) {
  const page = await openReady(browser, 'options.html');
  const rows = [];
  try {
    for (let i = -warmup; i < samples; i += 1) {
      const tenant = syntheticTenant(tenants + warmup + i);
      await page.fill('#add-name', tenant.name);
      await page.fill('#add-id', tenant.id);
      await page.fill('#add-domain', tenant.domain);
      await page.click('#add button[type="submit"]');
      await page.waitForFunction(
        () => {
          const add = globalThis.__bench.adds.at(-1);
          return add && Number.isFinite(add.listed) && Number.isFinite(add.stored);
        },
        null,
        { timeout: 20_000 },
      );
      const add = await page.evaluate(() => globalThis.__bench.adds.at(-1));
      if (i >= 0) rows.push(add);
      await sleep(50);
    }
  } finally {
    await page.close();
  }
  const column = (key) => summarize(rows.map((row) => row[key]));
  return { tenants, answered: column('answered'), stored: column('stored'), listed: column('listed') };
}

export async function benchPages(
  server,
  { extensionDir, sizes = [0, 2000, 10_000], opens = 12, warmup = 2, typingRuns = 5, typingSizes = [10_000, 50_000], addSamples = 10 } = {},
) {
  const browser = await launchBrowser({ server, extensionDir });
  await browser.context.addInitScript(pageProbe);
  try {
    const control = await workerControl(browser);
    const popup = {};
    const typed = {};
    let options = null;
    let add = null;
    const largest = Math.max(...sizes);
    for (const size of sizes) {
      await growTenants(browser, size);
      popup[size] = {
        awake: await againstFloor(browser, control, 'popup.html', { opens, warmup, stopped: false }),
        stopped: await againstFloor(browser, control, 'popup.html', { opens, warmup, stopped: true }),
      };
      if (size === largest) {
        options = { tenants: size, ...(await againstFloor(browser, control, 'options.html', { opens, warmup, stopped: false })) };
      }
    }
    for (const size of [...typingSizes].sort((a, b) => a - b)) {
      // The adds run at the largest page size, before the list grows for typing.
      if (size > largest && add === null) add = await adding(browser, largest, addSamples, 2);
      const { tenantCount } = await browser.sendOk({ what: 'getState' });
      await growTenants(browser, Math.max(size, tenantCount));
      typed[size] = await typing(browser, size, typingRuns);
    }
    add ??= await adding(browser, (await browser.sendOk({ what: 'getState' })).tenantCount, addSamples, 2);
    return { popup, options, typing: typed, add, errors: browser.errors };
  } finally {
    await browser.close();
  }
}

// Popup figures: popup opened to list rendered and search box focused, at 0, 2,000 and 10,000
// tenants, and one keystroke to the updated list at 10,000 tenants.
//
// The popup is opened as a tab (chrome-extension://ID/popup.html), as the end-to-end tests do:
// headless Chromium has no toolbar to click. An init script observes the page from its first
// moment; all times are performance.now() inside the popup, so "opened" is the popup
// navigation's start.
import { launchBrowser } from '../../tests/e2e/lib/browser.mjs';
import { sleep, summarize } from './stats.mjs';
import { syntheticSettings } from './tenants.mjs';

/** Runs in every page; records the popup's ready time and each keystroke's list update. */
function popupProbe() {
  if (!location.pathname.endsWith('/popup.html')) return;
  const probe = { ready: NaN, keystrokes: [], frames: [], pending: null };
  globalThis.__popupBench = probe;
  const check = () => {
    const list = document.getElementById('tenants');
    const search = document.getElementById('search');
    if (Number.isNaN(probe.ready) && list?.children.length > 0 && document.activeElement === search) {
      probe.ready = performance.now();
    }
  };
  new MutationObserver((records) => {
    check();
    const key = probe.pending;
    if (key === null || !records.some((r) => r.target.id === 'tenants')) return;
    probe.pending = null;
    probe.keystrokes.push(performance.now() - key);
    requestAnimationFrame(() => probe.frames.push(performance.now() - key));
  }).observe(document, { childList: true, subtree: true });
  document.addEventListener('focusin', check, true);
  // The event's timeStamp is when the input event was created, before any handler ran.
  addEventListener('keydown', (event) => (probe.pending = event.timeStamp), true);
}

async function storeSettings(browser, count) {
  const settings = syntheticSettings(count);
  await browser.inWorker((value) => chrome.storage.local.set({ settings: value }), settings);
  // Messages queue behind the background's re-sync, so this answers with the new tenant list.
  const state = await browser.sendOk({ what: 'getState' });
  if (state.settings.tenants.length !== count) {
    throw new Error(`stored ${count} tenants, the background has ${state.settings.tenants.length}`);
  }
}

async function openPopup(browser) {
  const page = await browser.context.newPage();
  await page.goto(`${browser.extensionOrigin}/popup.html`);
  await page.waitForFunction(() => Number.isFinite(globalThis.__popupBench?.ready), null, { timeout: 10_000 });
  return page;
}

const QUERY = 'contoso bank';

/** Types QUERY one key at a time, then clears it (Ctrl+A, Backspace); all keystrokes timed. */
async function typeQuery(page) {
  const count = () => page.evaluate(() => globalThis.__popupBench.keystrokes.length);
  const press = async (key) => {
    const before = await count();
    await page.keyboard.press(key);
    await page.waitForFunction((n) => globalThis.__popupBench.keystrokes.length > n, before, { timeout: 5000 });
    await sleep(30);
  };
  for (const character of QUERY) await press(character === ' ' ? 'Space' : character);
  await page.keyboard.press('Control+A');
  await press('Backspace');
  return page.evaluate(() => ({
    keystrokes: globalThis.__popupBench.keystrokes,
    frames: globalThis.__popupBench.frames,
  }));
}

export async function benchPopup(server, { sizes = [0, 2000, 10_000], opens = 12, warmup = 2, typingRuns = 5 } = {}) {
  const browser = await launchBrowser({ server });
  await browser.context.addInitScript(popupProbe);
  try {
    const ready = {};
    let typing = null;
    for (const size of sizes) {
      await storeSettings(browser, size);
      const times = [];
      for (let i = -warmup; i < opens; i += 1) {
        const page = await openPopup(browser);
        const ms = await page.evaluate(() => globalThis.__popupBench.ready);
        if (i >= 0) times.push(ms);
        await page.close();
      }
      ready[size] = summarize(times);
    }
    const largest = Math.max(...sizes);
    await storeSettings(browser, largest);
    const keystrokes = [];
    const frames = [];
    const first = [];
    for (let run = 0; run < typingRuns; run += 1) {
      const page = await openPopup(browser);
      const result = await typeQuery(page);
      keystrokes.push(...result.keystrokes);
      frames.push(...result.frames);
      first.push(result.keystrokes[0]);
      await page.close();
    }
    typing = {
      tenants: largest,
      query: QUERY,
      keystroke: summarize(keystrokes),
      nextFrame: summarize(frames),
      firstLetter: summarize(first),
    };
    return { ready, typing, errors: browser.errors };
  } finally {
    await browser.close();
  }
}

// Service worker cold start: from the worker's start to the rewrite rules being in force (with
// one tenant and with 10,000), and WebAssembly instantiation alone.
//
// Each sample removes the dynamic rules, stops the worker (DevTools protocol), then wakes it with
// a message from an extension page that polls getDynamicRules until the rules are back. The page
// and the worker run in the extension's one renderer process, so their clocks
// (performance.timeOrigin + now) are comparable: "worker start" is the worker's own time origin.
// When background.js sets the User Timing marks below, they are reported as well; they are the
// worker's own account and do not depend on polling.
import { launchBrowser } from '../../tests/e2e/lib/browser.mjs';
import { growTenants, workerControl } from './control.mjs';
import { summarize } from './stats.mjs';

export const MARK_RULES_APPLIED = 'tenant-switch:rules-applied';
export const MEASURE_WASM = 'tenant-switch:wasm-ready';

async function removeRules(page) {
  await page.evaluate(async () => {
    const ids = (await chrome.declarativeNetRequest.getDynamicRules()).map((rule) => rule.id);
    await chrome.declarativeNetRequest.updateDynamicRules({ removeRuleIds: ids });
  });
}

/** Wakes the stopped worker with a message; times the rules' return from the page's side. */
function wakeAndWatch(page) {
  return page.evaluate(async () => {
    const start = performance.now();
    let answered = NaN;
    const answer = chrome.runtime.sendMessage({ what: 'getState' }).then(() => {
      answered = performance.now();
    });
    let rulesAt = NaN;
    while (performance.now() - start < 5000) {
      if ((await chrome.declarativeNetRequest.getDynamicRules()).length > 0) {
        rulesAt = performance.now();
        break;
      }
      // Leave the browser process room to serve the worker's own calls.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await answer;
    return { origin: performance.timeOrigin, start, rulesAt, answered };
  });
}

function workerClock() {
  const entries = (type) =>
    performance.getEntriesByType(type).map(({ name, startTime, duration }) => ({ name, startTime, duration }));
  return { origin: performance.timeOrigin, marks: entries('mark'), measures: entries('measure') };
}

/** A fresh extension page imports the glue and runs init(): fetch, compile, instantiate. */
async function wasmInit(browser) {
  const page = await browser.openExtensionPage('manifest.json');
  try {
    return await page.evaluate(async () => {
      const glue = await import(chrome.runtime.getURL('core/tenant_switch.js'));
      const start = performance.now();
      await glue.default();
      return performance.now() - start;
    });
  } finally {
    await page.close();
  }
}

/** `samples` cold starts (after `warmup`) with the list as it is. */
async function coldStarts(browser, control, { samples, warmup }) {
  const page = control.page;
  const rows = [];
  for (let i = -warmup; i < samples; i += 1) {
    await removeRules(page);
    await control.stop();
    const outside = await wakeAndWatch(page);
    const inside = await control.current().evaluate(workerClock);
    if (i < 0) continue;
    const rulesMark = inside.marks.find((m) => m.name === MARK_RULES_APPLIED);
    const wasmMeasure = inside.measures.find((m) => m.name === MEASURE_WASM);
    rows.push({
      wakeToWorkerStart: inside.origin - (outside.origin + outside.start),
      workerStartToRulesSeen: outside.origin + outside.rulesAt - inside.origin,
      wakeToRulesSeen: outside.rulesAt - outside.start,
      wakeToAnswer: outside.answered - outside.start,
      workerStartToRulesMark: rulesMark?.startTime ?? NaN,
      wasmInWorker: wasmMeasure?.duration ?? NaN,
    });
  }
  const column = (key) => summarize(rows.map((row) => row[key]));
  return {
    marksPresent: rows.some((row) => Number.isFinite(row.workerStartToRulesMark)),
    wakeToWorkerStart: column('wakeToWorkerStart'),
    workerStartToRulesSeen: column('workerStartToRulesSeen'),
    wakeToRulesSeen: column('wakeToRulesSeen'),
    wakeToAnswer: column('wakeToAnswer'),
    workerStartToRulesMark: column('workerStartToRulesMark'),
    wasmInWorker: column('wasmInWorker'),
  };
}

export async function benchStartup(server, { extensionDir, sizes = [1, 10_000], samples = 15, warmup = 2 } = {}) {
  const browser = await launchBrowser({ server, extensionDir });
  try {
    const control = await workerControl(browser);
    const bySize = {};
    for (const size of sizes) {
      await growTenants(browser, size);
      bySize[size] = await coldStarts(browser, control, { samples, warmup });
    }
    const wasmPage = [];
    for (let i = -warmup; i < samples; i += 1) {
      const ms = await wasmInit(browser);
      if (i >= 0) wasmPage.push(ms);
    }
    return { bySize, wasmInitInPage: summarize(wasmPage), errors: browser.errors };
  } finally {
    await browser.close();
  }
}

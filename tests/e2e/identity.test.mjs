// The tenant on the portal page, end to end in headless Chromium (issue 11): the tab's tenant in
// the title, kept through the portal's own title changes and single-page navigations; a line in
// the tenant's colour along the top edge, or a banner with its name; the unknown-tenant and
// home-tenant wording; the three page options; and a German pass of the title.
//
// What a person sees is asserted as such: titles through `page.title()`, the line and the banner
// through the pixels of a screenshot (they live in a closed shadow root, out of the page's reach),
// and that they never take a click through the portal's own button under them. The expected
// colours are the palette's, written out here, not read from the extension.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from './lib/browser.mjs';
import { CONTOSO, FABRIKAM, UNKNOWN_ID, addTenant } from './lib/fixtures.mjs';
import { readPng, rgb } from './lib/png.mjs';
import { startPortalServer } from './lib/portal-server.mjs';

const PORTAL = 'https://security.microsoft.com';
const TEAL = '#00676b';
const ROSE = '#a3174e';
const GREY = '#5f6368';
const FIRST = 'Incidents - Microsoft Defender';
const isolate = (name) => `\u2068${name}\u2069`;
const titled = (name, title = FIRST) => `${isolate(name)} \u00b7 ${title}`;

const setColour = (id, colour) => ({ what: 'applyOperation', operation: { op: 'setTenantColour', id, colour } });
const setPageOption = (option, enabled) => ({ what: 'applyOperation', operation: { op: 'setPageOption', option, enabled } });

/** The top rows of what the page shows: `{at(x, y)}` as `[r, g, b]`. */
async function topEdge(page) {
  const png = readPng(await page.screenshot({ clip: { x: 0, y: 0, width: 300, height: 40 } }));
  return { at: (x, y) => png.pixel(x, y).slice(0, 3), png };
}

const near = (actual, expected, what) =>
  assert.ok(
    actual.every((value, i) => Math.abs(value - expected[i]) <= 3),
    `${what}: ${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`,
  );

describe('the tenant on the portal page', () => {
  let server;
  let browser;
  const pages = [];

  /** A portal tab opened on an address (no opener, so it inherits no tenant), loaded. */
  async function open(path, tid) {
    const url = tid ? `${PORTAL}${path}?tid=${tid}` : `${PORTAL}${path}`;
    const page = await browser.openTab(url);
    pages.push(page);
    await page.waitForURL(url);
    await page.waitForLoadState('load');
    return page;
  }

  async function titleOf(page, expected) {
    await page.waitForFunction((want) => document.title === want, expected, { timeout: 5000 }).catch(() => {});
    return page.title();
  }

  before(async () => {
    server = await startPortalServer();
    browser = await launchBrowser({ server });
    for (const tenant of [CONTOSO, FABRIKAM]) await browser.sendOk(addTenant(tenant));
    await browser.sendOk(setColour(CONTOSO.id, 'teal'));
    await browser.sendOk(setColour(FABRIKAM.id, 'rose'));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('two portal tabs in two tenants carry their names in the title, also after the portal changes it', async () => {
    const contoso = await open('/spa/incidents', CONTOSO.id);
    const fabrikam = await open('/spa/incidents', FABRIKAM.id);
    assert.equal(await titleOf(contoso, titled('Contoso')), titled('Contoso'));
    assert.equal(await titleOf(fabrikam, titled('Fabrikam')), titled('Fabrikam'));

    // A single-page navigation with a new title, the <title> element replaced, the body rebuilt.
    await contoso.click('#navigate');
    assert.equal(await titleOf(contoso, titled('Contoso', 'Alerts - Microsoft Defender')), titled('Contoso', 'Alerts - Microsoft Defender'));
    await fabrikam.click('#retitle');
    assert.equal(await titleOf(fabrikam, titled('Fabrikam', 'Settings - Microsoft Defender')), titled('Fabrikam', 'Settings - Microsoft Defender'));
    await contoso.click('#rebuild');
    await contoso.evaluate(() => { document.title = 'Rebuilt - Microsoft Defender'; });
    assert.equal(await titleOf(contoso, titled('Contoso', 'Rebuilt - Microsoft Defender')), titled('Contoso', 'Rebuilt - Microsoft Defender'));
    assert.notEqual(await contoso.title(), await fabrikam.title());
    // The prefix is put in front once, never twice.
    assert.equal((await contoso.title()).split('\u00b7').length, 2);
  });

  test('a line in the tenant colour along the top edge, at most 4 px, that takes no click', async () => {
    const page = await open('/spa/incidents', CONTOSO.id);
    await titleOf(page, titled('Contoso'));
    const edge = await topEdge(page);
    for (const x of [0, 150, 299]) {
      for (const y of [0, 3]) near(edge.at(x, y), rgb(TEAL), `pixel ${x},${y}`);
    }
    near(edge.at(150, 4), [255, 255, 255], 'below the line');
    // The portal's own button under the line still gets the click.
    await page.mouse.click(150, 2);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.topClicks), '1');
    // After the body is rebuilt the line is still there.
    await page.click('#rebuild');
    near((await topEdge(page)).at(150, 1), rgb(TEAL), 'after the rebuild');
  });

  test('a banner with the name instead of the line: at most 24 px, no click taken, text drawn', async () => {
    await browser.sendOk(setPageOption('banner', true));
    try {
      const page = await open('/spa/incidents', FABRIKAM.id);
      await titleOf(page, titled('Fabrikam'));
      await page.waitForTimeout(200);
      const edge = await topEdge(page);
      near(edge.at(299, 0), rgb(ROSE), 'banner top right');
      near(edge.at(299, 23), rgb(ROSE), 'banner bottom right');
      near(edge.at(299, 24), [255, 255, 255], 'below the banner');
      // The name is drawn in white on the banner: some pixels in its left part are light.
      let light = 0;
      for (let x = 8; x < 80; x += 1) {
        for (let y = 6; y < 18; y += 1) if (edge.at(x, y)[0] > 200) light += 1;
      }
      assert.ok(light > 20, `the banner shows text (${light} light pixels)`);
      await page.mouse.click(150, 12);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.topClicks), '1');
    } finally {
      await browser.sendOk(setPageOption('banner', false));
    }
  });

  test('a tab that is already open follows a change of colour or name at once', async () => {
    const page = await open('/spa/incidents', CONTOSO.id);
    await titleOf(page, titled('Contoso'));
    await browser.sendOk(setColour(CONTOSO.id, 'rose'));
    await page.waitForTimeout(300);
    near((await topEdge(page)).at(150, 1), rgb(ROSE), 'the new colour');
    await browser.sendOk(setColour(CONTOSO.id, 'teal'));
    await browser.sendOk({
      what: 'applyOperation',
      operation: { op: 'editTenant', id: CONTOSO.id, tenant: { ...CONTOSO, name: 'Contoso Ltd' } },
    });
    assert.equal(await titleOf(page, titled('Contoso Ltd')), titled('Contoso Ltd'));
    await browser.sendOk({ what: 'applyOperation', operation: { op: 'editTenant', id: CONTOSO.id, tenant: CONTOSO } });
    assert.equal(await titleOf(page, titled('Contoso')), titled('Contoso'));
  });

  test('a tid that is not in the list says "Unknown tenant" with the first characters, in grey', async () => {
    const page = await open('/spa/incidents', UNKNOWN_ID);
    const expected = titled(`Unknown tenant ${UNKNOWN_ID.slice(0, 4)}\u2026`);
    assert.equal(await titleOf(page, expected), expected);
    near((await topEdge(page)).at(150, 1), rgb(GREY), 'the unknown tenant line');
  });

  test('a portal tab in the home tenant says "Home tenant" and draws no line', async () => {
    const page = await open('/spa/incidents');
    assert.equal(await titleOf(page, titled('Home tenant')), titled('Home tenant'));
    near((await topEdge(page)).at(150, 1), [255, 255, 255], 'no line');
  });

  test('with the title option off the portal keeps its own title; with the line off nothing is drawn', async () => {
    const page = await open('/spa/incidents', FABRIKAM.id);
    await titleOf(page, titled('Fabrikam'));
    await browser.sendOk(setPageOption('titlePrefix', false));
    await browser.sendOk(setPageOption('colourLine', false));
    try {
      assert.equal(await titleOf(page, FIRST), FIRST);
      await page.click('#navigate');
      assert.equal(await titleOf(page, 'Alerts - Microsoft Defender'), 'Alerts - Microsoft Defender');
      near((await topEdge(page)).at(150, 1), [255, 255, 255], 'no line');
    } finally {
      await browser.sendOk(setPageOption('titlePrefix', true));
      await browser.sendOk(setPageOption('colourLine', true));
    }
    assert.equal(await titleOf(page, titled('Fabrikam', 'Alerts - Microsoft Defender')), titled('Fabrikam', 'Alerts - Microsoft Defender'));
  });

  test('hostile names are text in the title', async () => {
    const hostile = { name: '<img src=x onerror=alert(1)> Evil', id: '22222222-3333-4444-8555-666666666666' };
    await browser.sendOk(addTenant(hostile));
    const page = await open('/spa/incidents', hostile.id);
    assert.equal(await titleOf(page, titled(hostile.name)), titled(hostile.name));
    assert.equal(await page.locator('img').count(), 0);
  });

  test('no errors in any page or the worker', () => {
    assert.deepEqual(browser.errors, []);
  });
});

describe('the tenant on the portal page, in German', () => {
  let server;
  let browser;

  before(async () => {
    server = await startPortalServer();
    browser = await launchBrowser({ server, lang: 'de' });
    await browser.sendOk(addTenant(CONTOSO));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('"Eigener Mandant" and "Unbekannter Mandant" in the title', async () => {
    const home = await browser.openTab(`${PORTAL}/spa/incidents`);
    await home.waitForURL(`${PORTAL}/spa/incidents`);
    await home.waitForLoadState('load');
    const homeTitle = titled('Eigener Mandant');
    await home.waitForFunction((want) => document.title === want, homeTitle).catch(() => {});
    assert.equal(await home.title(), homeTitle);

    const unknown = await browser.context.newPage();
    await unknown.goto(`${PORTAL}/spa/incidents?tid=${UNKNOWN_ID}`);
    const unknownTitle = titled(`Unbekannter Mandant ${UNKNOWN_ID.slice(0, 4)}\u2026`);
    await unknown.waitForFunction((want) => document.title === want, unknownTitle).catch(() => {});
    assert.equal(await unknown.title(), unknownTitle);
  });
});

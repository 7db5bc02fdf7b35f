// Takes the documentation screenshots of the popup and the options page, in English and German,
// from the built extension (run ./build.sh first):
//
//   node scripts/screenshots.mjs [output directory, default docs/screenshots]
//
// EXTENSION_DIR overrides the extension directory (default dist/extension), as in the tests.
//
// Writes popup-en.png, popup-de.png, options-en.png and options-de.png. The tenants are the
// fictional companies Microsoft uses in its documentation.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchBrowser } from '../tests/e2e/lib/browser.mjs';
import { startPortalServer } from '../tests/e2e/lib/portal-server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = resolve(process.argv[2] ?? join(ROOT, 'docs/screenshots'));

const NAMES = [
  ['Contoso', 'contoso.onmicrosoft.com'],
  ['Fabrikam', 'fabrikam.com'],
  ['Northwind Traders', 'northwindtraders.com'],
  ['Adatum Corporation', 'adatum.com'],
  ['Litware', 'litwareinc.com'],
  ['Proseware', undefined],
  ['Tailspin Toys', 'tailspintoys.com'],
  ['Woodgrove Bank', 'woodgrovebank.com'],
  ['Wide World Importers', 'wideworldimporters.com'],
  ['Alpine Ski House', undefined],
  ['Coho Winery', 'cohowinery.com'],
  ['Fourth Coffee', 'fourthcoffee.com'],
];
const TENANTS = NAMES.map(([name, domain], i) => ({
  name,
  id: `${(0x6f1c2b6a + i * 0x1011).toString(16)}-0c6e-4b8e-9e0a-${(0x2c1d3e4f5a6b + i).toString(16)}`,
  ...(domain ? { domain } : {}),
}));
/** Most recent last: the popup lists recent tenants most recent first. */
const CHOSEN = ['Litware', 'Northwind Traders', 'Fabrikam', 'Contoso'];

async function shoot(lang, suffix) {
  const server = await startPortalServer();
  const extensionDir = process.env.EXTENSION_DIR;
  const browser = await launchBrowser({ server, lang, ...(extensionDir ? { extensionDir } : {}) });
  try {
    for (const tenant of TENANTS) {
      await browser.sendOk({ what: 'applyOperation', operation: { op: 'addTenant', tenant } });
    }
    for (const name of CHOSEN) {
      const { id } = TENANTS.find((t) => t.name === name);
      await browser.sendOk({ what: 'switchTenant', id });
    }

    const popup = await browser.context.newPage();
    await popup.setViewportSize({ width: 380, height: 800 });
    await popup.goto(`${browser.extensionOrigin}/popup.html`);
    await popup.getByRole('option').first().waitFor();
    await popup.keyboard.press('ArrowDown');
    await popup.keyboard.press('ArrowDown');
    await popup.locator('main').screenshot({ path: join(OUT, `popup-${suffix}.png`) });

    const options = await browser.context.newPage();
    await options.setViewportSize({ width: 900, height: 800 });
    await options.goto(`${browser.extensionOrigin}/options.html`);
    await options.getByRole('listitem').first().waitFor();
    await options.screenshot({ path: join(OUT, `options-${suffix}.png`), fullPage: true });

    if (browser.errors.length > 0) throw new Error(`errors in ${lang}: ${JSON.stringify(browser.errors)}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

mkdirSync(OUT, { recursive: true });
await shoot('en-US', 'en');
await shoot('de', 'de');
console.log(`screenshots written to ${OUT}`);

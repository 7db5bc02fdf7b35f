// Takes the documentation screenshots of the popup and the options page from the built extension
// (run ./build.sh first), in English and German, light and dark (emulated prefers-color-scheme),
// with 300 tenants:
//
//   node scripts/screenshots.mjs [output directory, default docs/screenshots]
//
// EXTENSION_DIR overrides the extension directory (default dist/extension), as in the tests.
// Writes popup-<en|de>-<light|dark>.png and options-<en|de>-<light|dark>.png. The names are made
// from the fictional companies Microsoft uses in its documentation; the tenant IDs are made up.
// A German run needs a German Chromium (Debian: chromium-l10n).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchWithServer } from '../tests/e2e/lib/browser.mjs';
import { replaceStoredSettings } from '../tests/e2e/lib/fixtures.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = resolve(process.argv[2] ?? join(ROOT, 'docs/screenshots'));
const COUNT = 300;

const COMPANIES = [
  'Contoso', 'Fabrikam', 'Northwind Traders', 'Adatum', 'Litware', 'Proseware', 'Tailspin Toys',
  'Woodgrove Bank', 'Wide World Importers', 'Alpine Ski House', 'Coho Winery', 'Fourth Coffee',
  'Wingtip Toys', 'Relecloud', 'Lamna Healthcare', 'Trey Research', 'Blue Yonder Airlines',
  'City Power & Light', 'Humongous Insurance', 'Lucerne Publishing', 'Margie\'s Travel',
  'Southridge Video', 'VanArsdel', 'Graphic Design Institute', 'Bellows College',
];
const PARTS = ['', 'Europe', 'Deutschland GmbH', 'UK Ltd', 'Nordics', 'Benelux', 'Schweiz AG', 'Inc.',
  'Healthcare', 'Logistics', 'Retail', 'Österreich'];
const slug = (text) => text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '');

/** 300 tenants with distinct names, IDs and domains, the same on every run. */
function tenants() {
  const list = [];
  for (const part of PARTS) {
    for (const company of COMPANIES) {
      if (list.length === COUNT) return list;
      const name = part ? `${company} ${part}` : company;
      const n = list.length + 1;
      const hex = (value, width) => value.toString(16).padStart(width, '0').slice(-width);
      const id = `${hex(n * 0x9e3779b1, 8)}-${hex(n * 0x85eb, 4)}-4${hex(n * 0x2c1, 3)}-8${hex(n * 0x51f, 3)}-${hex(n * 0x27d4eb2f165, 12)}`;
      list.push({ name, id, domain: `${slug(company)}${part ? slug(part).slice(0, 6) : ''}.onmicrosoft.com` });
    }
  }
  return list;
}

async function shoot(lang, suffix) {
  const browser = await launchWithServer(lang);
  try {
    const all = tenants();
    const byName = (name) => all.find((tenant) => tenant.name === name);
    const recent = ['Contoso', 'Fabrikam Deutschland GmbH', 'Northwind Traders', 'Woodgrove Bank'].map((n) => byName(n).id);
    await replaceStoredSettings(browser, {
      schemaVersion: 2,
      tenants: all,
      defaultTenant: recent[0],
      automaticRewrite: true,
      recentTenants: recent,
    });
    // The popup is shown over a portal tab in Fabrikam Deutschland, with Contoso for new tabs.
    const portal = await browser.context.newPage();
    await portal.goto(`https://security.microsoft.com/incidents?tid=${recent[1]}`);

    for (const scheme of ['light', 'dark']) {
      const popup = await browser.openPopup({ front: portal });
      await popup.setViewportSize({ width: 380, height: 600 });
      await popup.emulateMedia({ colorScheme: scheme });
      // The toolbar popup is as tall as its content (at most 600 px): shoot the document.
      await popup.screenshot({ path: join(OUT, `popup-${suffix}-${scheme}.png`), fullPage: true });
      await popup.close();

      const options = await browser.context.newPage();
      await options.setViewportSize({ width: 1280, height: 860 });
      await options.emulateMedia({ colorScheme: scheme });
      await options.goto(`${browser.extensionOrigin}/options.html`);
      await options.locator('#tenant-rows tr').first().waitFor();
      await options.locator('#list-status:not(:empty)').waitFor();
      await options.screenshot({ path: join(OUT, `options-${suffix}-${scheme}.png`) });
      await options.close();
    }
    if (browser.errors.length > 0) throw new Error(`errors in ${lang}: ${JSON.stringify(browser.errors)}`);
  } finally {
    await browser.close();
  }
}

mkdirSync(OUT, { recursive: true });
await shoot('en-US', 'en');
await shoot('de', 'de');
console.log(`screenshots written to ${OUT}`);

// Screenshots of the link builder page (dist/www/index.html; run ./build.sh first) with about 300
// pasted tenants, in English and German, light and dark, to look at before a release:
//
//   node scripts/www-screenshots.mjs [output directory, default tests/.tmp/www-screenshots]
//
// Per language and scheme: `<lang>-<scheme>-links.png` (the top of the page: the pasted text,
// the rejected lines, the filter and the first rows) and `<lang>-<scheme>-rewrite.png` (the
// pager and the Tenant combobox open). The tenants are made-up names after the fictional
// companies Microsoft uses in its documentation.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = resolve(process.argv[2] ?? join(ROOT, 'tests/.tmp/www-screenshots'));
const PAGE = pathToFileURL(join(ROOT, 'dist/www/index.html')).href;

const COMPANIES = [
  'Contoso', 'Fabrikam', 'Northwind Traders', 'Adatum', 'Litware', 'Proseware', 'Tailspin Toys',
  'Woodgrove Bank', 'Wide World Importers', 'Alpine Ski House', 'Coho Winery', 'Fourth Coffee',
  'Lamna Healthcare', 'Relecloud', 'Trey Research', 'Wingtip Toys', 'Margie\'s Travel',
  'Munson\'s Pickles', 'Graphic Design Institute', 'Humongous Insurance',
];
const PLACES = ['', ' Europe', ' UK', ' GmbH', ' Japan', ' Canada', ' Nordics', ' Iberia', ' Benelux', ' Asia Pacific', ' US East', ' US West', ' France', ' Italia', ' Polska'];

function pastedText() {
  const lines = [];
  let n = 0;
  for (const place of PLACES) {
    for (const company of COMPANIES) {
      n += 1;
      const id = `${(0x1f2e3d4c + n * 7919).toString(16).padStart(8, '0')}-5b6a-4978-8695-${(0xa4b3c2d1e0f9 + n).toString(16)}`;
      const slug = `${company}${place}`.toLowerCase().replace(/[^a-z]/g, '');
      const name = `${company}${place}`;
      lines.push(/[,"]/.test(name) ? `"${name.replaceAll('"', '""')}",${id},${slug}.onmicrosoft.com` : `${name},${id},${slug}.onmicrosoft.com`);
    }
  }
  // A few lines an analyst gets wrong.
  lines.splice(3, 0, 'Contoso Labs,contoso.onmicrosoft.com');
  lines.splice(40, 0, 'Northwind Holding,9d4c3b2a-1e0f-4a5b-8c7d');
  return `${lines.join('\n')}\n`;
}

async function shoot(browser, locale, colorScheme) {
  const lang = locale.slice(0, 2);
  const context = await browser.newContext({
    locale,
    colorScheme,
    viewport: { width: 1280, height: 1000 },
    deviceScaleFactor: 1,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  await page.goto(PAGE);
  const text = pastedText();
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.locator('#tenants').focus();
  await page.keyboard.press('ControlOrMeta+V');
  await page.locator('#links tbody tr').first().waitFor();
  await page.evaluate(() => globalThis.scrollTo(0, 0));
  await page.screenshot({ path: join(OUT, `${lang}-${colorScheme}-links.png`) });

  await page.locator('#pager').scrollIntoViewIfNeeded();
  await page.locator('#portal-url').fill('https://security.microsoft.com/incidents?filters=status%3DActive');
  await page.locator('#tenant').click();
  await page.keyboard.type('wood');
  await page.keyboard.press('ArrowDown');
  await page.locator('#pager').evaluate((node) => node.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(OUT, `${lang}-${colorScheme}-rewrite.png`) });
  await context.close();
}

mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
try {
  for (const locale of ['en-US', 'de-DE']) {
    for (const scheme of ['light', 'dark']) {
      await shoot(browser, locale, scheme);
    }
  }
} finally {
  await browser.close();
}
process.stdout.write(`screenshots in ${OUT}\n`);

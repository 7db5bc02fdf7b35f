// The synthetic tenant list the benchmarks store: the same generator as benches/core.rs, so the
// native search figures and the popup figures describe the same 10,000 tenants.

const COMPANIES = [
  'Contoso', 'Fabrikam', 'Northwind', 'Adventure Works', 'Tailspin', 'Wingtip', 'Litware',
  'Proseware', 'Woodgrove', 'Alpine Ski', 'Blue Yonder', 'Coho Vineyard', 'Humongous', 'Lucerne',
  "Margie's Travel", 'Trey Research', 'Wide World', 'Graphic Design', 'A. Datum', 'Relecloud',
];
const TRADES = [
  'Bank', 'Health', 'Traders', 'Works', 'Airlines', 'Toys', 'Insurance', 'Energy', 'Logistics',
  'Foods', 'Media', 'Labs', 'Retail', 'Pharma', 'Motors', 'Capital',
];
const REGIONS = ['EU', 'US', 'APAC', 'UK', 'DE', 'NL', 'FR', 'JP'];

/** The "lowbias32" integer hash, as in benches/core.rs. */
function mix(x) {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

const hex = (n, width) => n.toString(16).padStart(width, '0');

/** Tenant number `i`: `{name, id, domain}` as stored. */
export function syntheticTenant(i) {
  const company = COMPANIES[i % COMPANIES.length];
  const trade = TRADES[Math.floor(i / COMPANIES.length) % TRADES.length];
  const region = REGIONS[Math.floor(i / (COMPANIES.length * TRADES.length)) % REGIONS.length];
  const [a, b, c, d] = [0, 1, 2, 3].map((k) => mix(i * 4 + k + 1));
  const id = [
    hex(a, 8),
    hex(b >>> 16, 4),
    hex((b & 0x0fff) | 0x4000, 4),
    hex(((c >>> 16) & 0x3fff) | 0x8000, 4),
    hex(c & 0xffff, 4) + hex(d, 8),
  ].join('-');
  const slug = `${company}${trade}${i}`.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  return { name: `${company} ${trade} ${region} ${i}`, id, domain: `${slug}.onmicrosoft.com` };
}

/** Stored settings (schema 1) with `count` synthetic tenants, the first one active. */
export function syntheticSettings(count) {
  const tenants = Array.from({ length: count }, (_, i) => syntheticTenant(i));
  return {
    schemaVersion: 1,
    tenants,
    activeTenant: tenants[0]?.id ?? null,
    automaticRewrite: true,
    recentTenants: tenants.slice(0, 5).map((tenant) => tenant.id),
  };
}

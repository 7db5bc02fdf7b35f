// Runs every browser benchmark in headless Debian Chromium and prints one JSON document.
// BENCH_QUICK=1 cuts the repetitions (a smoke run, not for BENCHMARKS.md).
import { startPortalServer } from '../../tests/e2e/lib/portal-server.mjs';
import { benchComparison, benchTenantSwitch } from './navigation.mjs';
import { benchPopup } from './popup.mjs';
import { benchStartup } from './startup.mjs';

const quick = process.env.BENCH_QUICK === '1';
const loads = quick ? { rounds: 6, warmup: 2 } : { rounds: 40, warmup: 5 };

const log = (text) => process.stderr.write(`    ${text}\n`);
const server = await startPortalServer();
const results = { quick };
try {
  log('Tenant Switch: 200 mixed navigations, then interleaved loads');
  results.tenantSwitch = await benchTenantSwitch(server, loads);
  log('comparison extension (webNavigation and tabs.onUpdated): the same');
  results.comparison = await benchComparison(server, loads);
  log('service worker cold start');
  results.startup = await benchStartup(server, quick ? { samples: 5 } : { samples: 20 });
  log('popup at 0, 2,000 and 10,000 tenants; typing at 10,000');
  results.popup = await benchPopup(server, quick ? { opens: 3, typingRuns: 1 } : { opens: 12, typingRuns: 5 });
} finally {
  await server.close();
}
console.log(JSON.stringify(results, null, 2));

// Runs every browser benchmark in headless Debian Chromium and prints one JSON document.
// BENCH_QUICK=1 cuts the repetitions (a smoke run: its figures are not the ones to quote).
// Each part runs in a browser of its own, on the benchmark's copy of the extension
// (target/bench/extension: dist/extension plus the empty page that is the page figures' floor).
import { startPortalServer } from '../../tests/e2e/lib/portal-server.mjs';
import { prepareBenchExtension } from './control.mjs';
import { benchComparison, benchSlowPortal, benchTenantSwitch } from './navigation.mjs';
import { benchPages } from './pages.mjs';
import { benchRestart } from './restart.mjs';
import { benchStartup } from './startup.mjs';

const quick = process.env.BENCH_QUICK === '1';
const extensionDir = prepareBenchExtension();
const loads = quick ? { rounds: 6, warmup: 2 } : { rounds: 40, warmup: 5 };

const log = (text) => process.stderr.write(`    ${new Date().toISOString().slice(11, 19)} ${text}\n`);
const server = await startPortalServer();
const results = { quick };
const started = performance.now();
try {
  log('Tenant Switch: 200 mixed navigations, then interleaved loads');
  results.tenantSwitch = await benchTenantSwitch(server, { ...loads, extensionDir });
  log('the same loads against a stand-in that answers after 50 ms');
  results.slowPortal = await benchSlowPortal({ ...loads, extensionDir }, 50);
  log('comparison extension (webNavigation and tabs.onUpdated): the same');
  results.comparison = await benchComparison(server, loads);
  log('service worker cold start, 1 and 10,000 tenants');
  results.startup = await benchStartup(server, { extensionDir, ...(quick ? { samples: 5, warmup: 1 } : { samples: 20 }) });
  log('popup and options page against the empty page; keystrokes at 10,000 and 50,000; adding at 10,000');
  results.pages = await benchPages(
    server,
    quick ? { extensionDir, opens: 3, warmup: 1, typingRuns: 1, addSamples: 3 } : { extensionDir, opens: 12, warmup: 2, typingRuns: 5, addSamples: 12 },
  );
  log('first page after a browser restart: popup (300 tenants) and the empty page');
  results.restart = await benchRestart(server, { extensionDir, ...(quick ? { samples: 2, warmup: 0 } : { samples: 8, warmup: 1 }) });
} finally {
  await server.close();
}
results.seconds = (performance.now() - started) / 1000;
log(`browser runs took ${results.seconds.toFixed(0)} s`);
console.log(JSON.stringify(results, null, 2));

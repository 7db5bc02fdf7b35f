// Turns the raw results of scripts/bench.sh into the table BENCHMARKS.md quotes: every figure,
// its budget and whether it is met. Budgets are judged on medians; the spread is shown beside.
// Usage: node benches/report.mjs DIR   (DIR holds machine.json, criterion.json, sizes.json,
// breakdown.json, browser.json; prints Markdown)
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'target/bench';
const load = (name) => {
  const file = join(dir, name);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
};
const machine = load('machine.json');
const criterion = load('criterion.json') ?? [];
const sizes = load('sizes.json');
const breakdown = load('breakdown.json');
const browser = load('browser.json');

const num = (x, digits) => (Number.isFinite(x) ? x.toFixed(digits ?? (Math.abs(x) < 10 ? 2 : 1)) : 'n/a');
const ms = (s) => (s && s.n > 0 ? `${num(s.median)} ms (p10 ${num(s.p10)}, p90 ${num(s.p90)}, n ${s.n})` : 'not measured');
const verdict = (ok) => (ok === null ? 'n/a' : ok ? 'met' : '**missed**');
const ratioOf = (a, b) => (a && b && a.n && b.n ? a.median / b.median : NaN);
const kb = (bytes) => `${bytes.toLocaleString('en-US')} B (${num(bytes / 1000, 1)} KB)`;
const duration = (ns) => (ns >= 1e6 ? `${num(ns / 1e6)} ms` : ns >= 1e3 ? `${num(ns / 1e3)} µs` : `${num(ns)} ns`);

const rows = [];
const row = (figure, measured, budget, ok) => rows.push([figure, measured, budget, ok === undefined ? '' : verdict(ok)]);

// Navigation
const ts = browser?.tenantSwitch;
const cmp = browser?.comparison;
if (ts) {
  const m = ts.mixed;
  row(
    `un-rewritten requests reaching the portal, ${m.navigations} mixed navigations (typed ${m.byKind.typed}, link from another site ${m.byKind.link}, same-site link ${m.byKind['same-site']})`,
    `${m.unrewritten} (rewritten page reached: ${m.rewritten}/${m.navigations})`,
    '0',
    m.unrewritten === 0,
  );
  const inPage = ratioOf(ts.loads.rewritten.inPage, ts.loads.direct.inPage);
  row(
    'navigation overhead: load of `/x` rewritten ÷ load of `/x?tid=…` (navigation timing in the page)',
    `${num(inPage, 3)} (${ms(ts.loads.rewritten.inPage)} vs ${ms(ts.loads.direct.inPage)})`,
    '≤ 1.05',
    Number.isFinite(inPage) ? inPage <= 1.05 : null,
  );
  const wall = ratioOf(ts.loads.rewritten.wall, ts.loads.direct.wall);
  row(
    'the same, timed from the test (start of navigation to last load event; comparable with the alternative)',
    `${num(wall, 3)} (${ms(ts.loads.rewritten.wall)} vs ${ms(ts.loads.direct.wall)})`,
    'report',
  );
}
if (cmp) {
  for (const [mode, label] of [
    ['webNavigation', 'webNavigation.onBeforeNavigate + tabs.update'],
    ['tabs', 'tabs.onUpdated + tabs.update'],
  ]) {
    const m = cmp.mixed[mode];
    const l = cmp.loads[mode];
    const r = ratioOf(l.wall, cmp.loads.direct.wall);
    row(
      `alternative (${label}): wasted requests over ${m.navigations} mixed navigations`,
      `${m.unrewritten} (rewritten page reached: ${m.rewritten}/${m.navigations})`,
      'report beside ours',
    );
    row(
      `alternative (${label}): load ratio, timed from the test`,
      `${num(r, 3)} (${ms(l.wall)} vs ${ms(cmp.loads.direct.wall)}; page loads per navigation: median ${num(l.loads.median, 0)}, max ${num(l.loads.max, 0)})`,
      'report beside ours',
    );
  }
}

// Service worker
const st = browser?.startup;
if (st) {
  const startToRules = st.marksPresent ? st.workerStartToRulesMark : st.workerStartToRulesSeen;
  row(
    `service worker cold start: worker start to rules applied (${st.marksPresent ? "background.js's own mark" : 'rules seen from an extension page, polled every ~1 ms'})`,
    ms(startToRules),
    '< 50 ms',
    startToRules?.n ? startToRules.median < 50 : null,
  );
  row('  wake message sent to worker start (context, no budget)', ms(st.wakeToWorkerStart), 'report');
  const wasm = st.marksPresent && st.wasmInWorker?.n ? st.wasmInWorker : st.wasmInitInPage;
  row(
    `WebAssembly instantiation alone (${st.marksPresent && st.wasmInWorker?.n ? "in the worker, background.js's measure" : 'init() of the same glue and .wasm in a fresh extension page: fetch, compile, instantiate'})`,
    ms(wasm),
    '< 10 ms',
    wasm?.n ? wasm.median < 10 : null,
  );
}

// Popup
const pp = browser?.popup;
if (pp) {
  for (const [size, s] of Object.entries(pp.ready)) {
    const n = Number(size);
    row(
      `popup ready (opened to list rendered and search box focused), ${n.toLocaleString('en-US')} tenants`,
      ms(s),
      n === 10_000 ? '< 100 ms' : 'report',
      n === 10_000 ? s.median < 100 : undefined,
    );
  }
  row(
    `one keystroke to updated list, ${pp.typing.tenants.toLocaleString('en-US')} tenants (typing "${pp.typing.query}", then clearing it)`,
    `${ms(pp.typing.keystroke)}; to the next frame ${ms(pp.typing.nextFrame)}`,
    '< 16 ms',
    pp.typing.keystroke.median < 16,
  );
}

// Criterion
const bench = (id) => criterion.find((b) => b.id === id);
const searches = criterion.filter((b) => b.id.startsWith('search_10000/picker/'));
for (const id of ['tenant_id_parse/canonical', 'tenant_id_parse/portal_url', 'with_tenant/home', 'with_tenant/deep_link', 'build_rules/tenants/1', 'build_rules/tenants/10000']) {
  const b = bench(id);
  if (b) row(`core, native: \`${id}\``, `${duration(b.median)} (95% CI ${duration(b.low)} – ${duration(b.high)})`, 'report');
}
if (searches.length) {
  const worst = searches.reduce((a, b) => (b.median > a.median ? b : a));
  const sorted = searches.map((b) => b.median).sort((a, b) => a - b);
  row(
    `core, native: search over 10,000 tenants (TenantPicker::search, ${searches.length} queries)`,
    `median of queries ${duration(sorted[Math.floor(sorted.length / 2)])}; worst \`${worst.id.split('/').at(-1)}\` ${duration(worst.median)}`,
    '< 1 ms',
    worst.median < 1e6,
  );
}
for (const id of ['open_10000/settings_load', 'open_10000/picker_new']) {
  const b = bench(id);
  if (b) row(`core, native: \`${id}\` (paid when the popup opens)`, duration(b.median), 'report');
}

// Sizes
if (sizes) {
  row('core .wasm, raw (dist/extension/core/tenant_switch_bg.wasm)', kb(sizes.wasmRaw), '≤ 160 KB', sizes.wasmRaw <= 160_000);
  row('core .wasm, gzip -9', kb(sizes.wasmGzip), 'report');
  row(`whole zip (${sizes.zipName})`, kb(sizes.zipRaw), '≤ 250 KB', sizes.zipRaw <= 250_000);
}

const lines = [];
if (machine) {
  lines.push(
    `Machine: ${machine.cpu}, ${machine.nproc} cores, ${machine.memory} memory; ${machine.os}; ` +
      `${machine.chromium}; Node ${machine.node}; ${machine.rustc}. Run ${machine.date}.`,
    '',
  );
}
lines.push('| figure | measured (median; spread) | budget | verdict |', '|---|---|---|---|');
for (const r of rows) lines.push(`| ${r.join(' | ')} |`);

if (criterion.length) {
  lines.push('', 'Criterion, every benchmark (median and 95% confidence interval):', '', '| benchmark | median | 95% CI |', '|---|---|---|');
  for (const b of criterion) lines.push(`| \`${b.id}\` | ${duration(b.median)} | ${duration(b.low)} – ${duration(b.high)} |`);
}
if (breakdown) {
  lines.push('', 'Where the .wasm bytes go (a build with names, otherwise the shipped steps):', '', '| part | bytes |', '|---|---|');
  for (const s of breakdown.sections.filter((s) => s.size >= 1024)) lines.push(`| section \`${s.name}\` | ${s.size.toLocaleString('en-US')} |`);
  for (const c of breakdown.crates.slice(0, 10)) lines.push(`| code: ${c.name} | ${c.size.toLocaleString('en-US')} |`);
  lines.push('', '| largest functions | bytes |', '|---|---|');
  for (const f of breakdown.largestFunctions.slice(0, 10)) lines.push(`| \`${f.name.replace(/\|/g, '\\|').slice(0, 110)}\` | ${f.size.toLocaleString('en-US')} |`);
}
const errors = ['tenantSwitch', 'comparison', 'startup', 'popup'].flatMap((k) => browser?.[k]?.errors ?? []);
lines.push('', `Console errors, uncaught errors and CSP violations seen by the harness during the browser runs: ${errors.length}${errors.length ? ` (first: ${JSON.stringify(errors[0])})` : ''}.`);
if (browser?.quick) lines.push('', '**BENCH_QUICK=1: reduced repetitions, not for BENCHMARKS.md.**');
console.log(lines.join('\n'));

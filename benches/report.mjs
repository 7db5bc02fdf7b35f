// Turns the raw results of scripts/bench.sh into the table BENCHMARKS.md quotes: every figure,
// its goal (issue 14; issue 5's budgets where 14 sets none) and whether the median meets it. Goals
// are reported, never enforced: nothing here fails a run. Page timings are judged as ratios to the
// floor (the empty page) measured in the same browser in the same run, never as absolute times.
// Usage: node benches/report.mjs DIR   (DIR holds machine.json, criterion.json, sizes.json,
// breakdown.json, browser.json and optionally twiggy.txt; prints Markdown)
import { existsSync, readFileSync } from 'node:fs';
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
const spread = (s) => `p10 ${num(s.p10)}, p90 ${num(s.p90)}, n ${s.n}`;
const ms = (s) => (s && s.n > 0 ? `${num(s.median)} ms (${spread(s)})` : 'not measured');
const verdict = (ok) => (ok === null || ok === undefined ? '' : Number.isNaN(ok) ? 'n/a' : ok ? 'met' : '**missed**');
const ratioOf = (a, b) => (a?.n && b?.n ? a.median / b.median : NaN);
const kb = (bytes) => `${bytes.toLocaleString('en-US')} B (${num(bytes / 1000, 1)} KB)`;
const count = (n) => Number(n).toLocaleString('en-US');
const duration = (ns) => (ns >= 1e6 ? `${num(ns / 1e6)} ms` : ns >= 1e3 ? `${num(ns / 1e3)} µs` : `${num(ns)} ns`);
/** `ok` is true/false, or NaN when the figure is missing. */
const judge = (value, test) => (Number.isFinite(value) ? test(value) : NaN);

const rows = [];
const row = (figure, measured, goal, ok) => rows.push([figure, measured, goal, verdict(ok)]);
const against = (what, s) => `${num(s.ratio ?? ratioOf(s.page, s.floor), 2)}× (${what} ${ms(s.page)}; empty page ${ms(s.floor)})`;

// --- pages against the floor ----------------------------------------------------------------
const pages = browser?.pages;
if (pages) {
  for (const [size, conditions] of Object.entries(pages.popup)) {
    const n = Number(size);
    const limit = n === 0 ? 1.3 : n >= 10_000 ? 1.5 : null;
    for (const [condition, label] of [
      ['awake', 'worker awake'],
      ['stopped', 'worker stopped first (DevTools protocol)'],
    ]) {
      const s = conditions[condition];
      row(
        `popup ready ÷ empty page, ${count(n)} tenants, ${label}`,
        against('popup', s),
        limit ? `≤ ${limit}×` : 'report',
        limit ? judge(s.ratio, (r) => r <= limit) : undefined,
      );
    }
  }
  if (pages.options) {
    row(`options page ready ÷ empty page, ${count(pages.options.tenants)} tenants, worker awake`, against('options', pages.options), '≤ 2×', judge(pages.options.ratio, (r) => r <= 2));
  }
}
const restart = browser?.restart;
if (restart) {
  row(
    `first popup after a browser restart, ${count(restart.tenants)} tenants ÷ the empty page opened first after a restart`,
    `${num(restart.ratio, 2)}× (popup ${ms(restart.popup)}; empty page ${ms(restart.floor)})`,
    '≤ 3×',
    judge(restart.ratio, (r) => r <= 3),
  );
}
if (pages?.add) {
  const a = pages.add;
  row(`adding one tenant at ${count(a.tenants)} tenants (options page): click to the answer drawn`, ms(a.answered), '< 50 ms', judge(a.answered.median, (m) => m < 50));
  row('  the same: click to stored (first storage.local change the page hears of)', ms(a.stored), 'report');
  row('  the same: click to the list redrawn with it', ms(a.listed), 'report');
}
for (const [size, t] of Object.entries(pages?.typing ?? {})) {
  const n = Number(size);
  row(
    `one keystroke to the updated list, ${count(n)} tenants (typing "${t.query}", then clearing it)`,
    `${ms(t.keystroke)}; to the next frame ${ms(t.nextFrame)}`,
    n >= 50_000 ? '< 16 ms' : 'report',
    n >= 50_000 ? judge(t.keystroke.median, (m) => m < 16) : undefined,
  );
}

// --- service worker -------------------------------------------------------------------------
const st = browser?.startup;
for (const [size, s] of Object.entries(st?.bySize ?? {})) {
  const n = Number(size);
  const toRules = s.marksPresent ? s.workerStartToRulesMark : s.workerStartToRulesSeen;
  const how = s.marksPresent ? "background.js's own mark" : 'rules seen from an extension page';
  row(
    `service worker cold start (worker stopped, rules removed): worker start to rules applied, ${count(n)} tenant${n === 1 ? '' : 's'} (${how})`,
    ms(toRules),
    n >= 10_000 ? '< 40 ms' : '< 50 ms (issue 5)',
    judge(toRules?.median, (m) => m < (n >= 10_000 ? 40 : 50)),
  );
  row(`  the same, ${count(n)}: wake message to rules seen from the page; to the message's answer`, `${ms(s.wakeToRulesSeen)}; ${ms(s.wakeToAnswer)}`, 'report');
  row(`  the same, ${count(n)}: wake message to worker start`, ms(s.wakeToWorkerStart), 'report');
  if (s.wasmInWorker?.n) {
    row(`  WebAssembly instantiation in the worker (background.js's measure), ${count(n)}`, ms(s.wasmInWorker), '< 10 ms (issue 5)', judge(s.wasmInWorker.median, (m) => m < 10));
  }
}
if (st?.wasmInitInPage) row('WebAssembly init() of the same glue and .wasm in a fresh extension page', ms(st.wasmInitInPage), 'report');

// --- navigation -----------------------------------------------------------------------------
const ts = browser?.tenantSwitch;
const loadFigures = (loads, stand) => {
  const inPage = ratioOf(loads.rewritten.inPage, loads.direct.inPage);
  const added = loads.rewritten.inPage.median - loads.direct.inPage.median;
  row(
    `navigation overhead, ${stand}: load of \`/x\` rewritten ÷ load of \`/x?tid=…\` (the page's navigation timing)`,
    `${num(inPage, 3)}; added ${num(added)} ms (${ms(loads.rewritten.inPage)} vs ${ms(loads.direct.inPage)})`,
    'report',
  );
  const wall = ratioOf(loads.rewritten.wall, loads.direct.wall);
  row(
    `  the same, ${stand}, timed from the test (navigation start to the last load event)`,
    `${num(wall, 3)}; added ${num(loads.rewritten.wall.median - loads.direct.wall.median)} ms (${ms(loads.rewritten.wall)} vs ${ms(loads.direct.wall)})`,
    'report',
  );
};
if (ts) {
  const m = ts.mixed;
  row(
    `un-rewritten requests reaching the portal, ${m.navigations} mixed navigations (typed ${m.byKind.typed}, link from another site ${m.byKind.link}, same-site link ${m.byKind['same-site']})`,
    `${m.unrewritten} (rewritten page reached: ${m.rewritten}/${m.navigations})`,
    '0',
    m.unrewritten === 0,
  );
  loadFigures(ts.loads, 'stand-in answering at once');
}
if (browser?.slowPortal) loadFigures(browser.slowPortal.loads, `stand-in answering after ${browser.slowPortal.delayMs} ms`);
const cmp = browser?.comparison;
if (cmp) {
  for (const [mode, label] of [
    ['webNavigation', 'webNavigation.onBeforeNavigate + tabs.update'],
    ['tabs', 'tabs.onUpdated + tabs.update'],
  ]) {
    const m = cmp.mixed[mode];
    const l = cmp.loads[mode];
    row(`alternative (${label}): wasted requests over ${m.navigations} mixed navigations`, `${m.unrewritten} (rewritten page reached: ${m.rewritten}/${m.navigations})`, 'report beside ours');
    row(
      `alternative (${label}): load ratio, timed from the test`,
      `${num(ratioOf(l.wall, cmp.loads.direct.wall), 3)} (${ms(l.wall)} vs ${ms(cmp.loads.direct.wall)}; page loads per navigation: median ${num(l.loads.median, 0)}, max ${num(l.loads.max, 0)})`,
      'report beside ours',
    );
  }
}

// --- core, native ---------------------------------------------------------------------------
const bench = (id) => criterion.find((b) => b.id === id);
for (const id of [
  'session/start/10000',
  'session/add_tenant/10000',
  'session/tab_event/10000',
  'session/picker_message/10000',
  'session/picker_message/50000',
  'open_10000/settings_load',
]) {
  const b = bench(id);
  if (b) row(`core, native: \`${id}\``, `${duration(b.median)} (95% CI ${duration(b.low)} – ${duration(b.high)})`, 'report');
}
const searches = criterion.filter((b) => b.id.startsWith('search_10000/picker/'));
if (searches.length) {
  const worst = searches.reduce((a, b) => (b.median > a.median ? b : a));
  const sorted = searches.map((b) => b.median).sort((a, b) => a - b);
  row(
    `core, native: search over 10,000 tenants (TenantPicker::search, ${searches.length} queries)`,
    `median of queries ${duration(sorted[Math.floor(sorted.length / 2)])}; worst \`${worst.id.split('/').at(-1)}\` ${duration(worst.median)}`,
    '< 1 ms (issue 5)',
    worst.median < 1e6,
  );
}

// --- sizes ----------------------------------------------------------------------------------
if (sizes) {
  row('core .wasm, raw (dist/extension/core/tenant_switch_bg.wasm)', kb(sizes.wasmRaw), '≤ 160 KB (aim 100 KB)', sizes.wasmRaw <= 160_000);
  row('core .wasm, gzip -9', kb(sizes.wasmGzip), 'report');
  row(`whole zip (${sizes.zipName})`, kb(sizes.zipRaw), '≤ 250 KB (aim 150 KB)', sizes.zipRaw <= 250_000);
}

const lines = [];
if (machine) {
  lines.push(
    `Machine: ${machine.cpu}, ${machine.nproc} cores, ${machine.memory} memory; ${machine.os}; ` +
      `${machine.chromium}; Node ${machine.node}; ${machine.rustc}. Run ${machine.date}` +
      `${machine.commit ? ` on ${machine.commit}` : ''}.`,
    '',
  );
}
lines.push('| figure | measured (median; spread) | goal | verdict |', '|---|---|---|---|');
for (const r of rows) lines.push(`| ${r.join(' | ')} |`);

if (criterion.length) {
  lines.push('', 'Criterion, every benchmark (median and 95% confidence interval):', '', '| benchmark | median | 95% CI |', '|---|---|---|');
  for (const b of criterion) lines.push(`| \`${b.id}\` | ${duration(b.median)} | ${duration(b.low)} – ${duration(b.high)} |`);
}
if (breakdown) {
  lines.push('', 'Where the .wasm bytes go (the shipped steps on the same compiled module, names kept):', '', '| part | bytes |', '|---|---|');
  for (const s of breakdown.sections.filter((s) => s.size >= 1024)) lines.push(`| section \`${s.name}\` | ${s.size.toLocaleString('en-US')} |`);
  for (const c of breakdown.crates.slice(0, 12)) lines.push(`| code: ${c.name} | ${c.size.toLocaleString('en-US')} |`);
  lines.push('', '| largest functions | bytes |', '|---|---|');
  for (const f of breakdown.largestFunctions.slice(0, 12)) lines.push(`| \`${f.name.replace(/\|/g, '\\|').slice(0, 110)}\` | ${f.size.toLocaleString('en-US')} |`);
}
const twiggy = join(dir, 'twiggy.txt');
if (existsSync(twiggy)) lines.push('', '`twiggy top` of the same named module:', '', '```', readFileSync(twiggy, 'utf8').trim(), '```');
const parts = ['tenantSwitch', 'slowPortal', 'comparison', 'startup', 'pages', 'restart'];
const errors = parts.flatMap((k) => browser?.[k]?.errors ?? []);
const where = parts.filter((k) => browser?.[k]?.errors?.length).map((k) => `${k} ${browser[k].errors.length}`);
lines.push(
  '',
  `Console errors, uncaught errors and CSP violations seen by the harness during the browser runs: ${errors.length}` +
    `${errors.length ? ` (${where.join(', ')}; first: ${JSON.stringify(errors[0])})` : ''}.`,
);
if (browser?.seconds) lines.push('', `Browser runs: ${num(browser.seconds, 0)} s.`);
if (browser?.quick) lines.push('', '**BENCH_QUICK=1: reduced repetitions (a quick run); the full run is `./build.sh bench`.**');
console.log(lines.join('\n'));

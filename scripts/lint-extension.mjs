#!/usr/bin/env node
// Runs `web-ext lint` (Mozilla's addons-linter, the checks addons.mozilla.org runs on upload) on
// the built extension and fails on every error, notice and warning except the one a single
// package for Chrome, Edge and Firefox cannot avoid. `./build.sh test` runs it.
//
//   node scripts/lint-extension.mjs [DIR]    DIR defaults to dist/extension
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Findings that are expected, by code, with the reason. Anything else fails the step.
 * The manifest names `background.service_worker` (Chrome and Edge, which have no background
 * pages in Manifest V3) next to `background.scripts` (Firefox); Firefox ignores the first.
 */
export const ALLOWED = new Map([
  [
    'BACKGROUND_SERVICE_WORKER_IGNORED',
    'one package for all three browsers: Firefox runs background.scripts and ignores background.service_worker',
  ],
]);

/**
 * The problems in a `web-ext lint --output json` report: every error and notice, and every
 * warning whose code is not in ALLOWED (or that an allowed code reports outside manifest.json).
 * An empty list means the package passes.
 */
export function judgeLint(report) {
  if (!report || !Array.isArray(report.errors) || !Array.isArray(report.warnings) || !Array.isArray(report.notices)) {
    return ['the linter report has no errors/warnings/notices lists: did web-ext change its JSON output?'];
  }
  const describe = (kind, finding) =>
    `${kind} ${finding.code}${finding.file ? ` in ${finding.file}` : ''}: ${finding.message}`;
  return [
    ...report.errors.map((finding) => describe('error', finding)),
    ...report.notices.map((finding) => describe('notice', finding)),
    ...report.warnings
      .filter((finding) => !(ALLOWED.has(finding.code) && finding.file === 'manifest.json'))
      .map((finding) => describe('warning', finding)),
  ];
}

/** Runs web-ext lint on `dir` and returns its parsed JSON report. */
export function lint(dir) {
  const webExt = join(ROOT, 'node_modules', '.bin', 'web-ext');
  if (!existsSync(webExt)) throw new Error(`${relative(ROOT, webExt)} is missing: run ./build.sh (npm ci) first`);
  const run = spawnSync(webExt, ['lint', '--source-dir', dir, '--output', 'json', '--no-config-discovery'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  // web-ext exits non-zero when the linter found errors; the JSON report is on stdout either way.
  const start = run.stdout.indexOf('{');
  try {
    return JSON.parse(run.stdout.slice(start));
  } catch {
    throw new Error(`web-ext lint printed no JSON report (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
}

function main() {
  const dir = process.argv[2] ?? join(ROOT, 'dist', 'extension');
  if (!existsSync(join(dir, 'manifest.json'))) {
    console.error(`lint-extension: ${join(dir, 'manifest.json')} is missing: run ./build.sh first`);
    return 1;
  }
  const report = lint(dir);
  const problems = judgeLint(report);
  const allowed = report.warnings.filter((finding) => ALLOWED.has(finding.code) && finding.file === 'manifest.json');
  for (const finding of allowed) console.log(`    allowed: ${finding.code} (${ALLOWED.get(finding.code)})`);
  if (problems.length > 0) {
    console.error(`web-ext lint found ${problems.length} problem(s) in ${dir}:`);
    for (const problem of problems) console.error(`  - ${problem}`);
    return 1;
  }
  console.log(`    web-ext lint: ${report.summary.errors} errors, ${report.summary.notices} notices, ` +
    `${report.summary.warnings} warnings (all allowed)`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();

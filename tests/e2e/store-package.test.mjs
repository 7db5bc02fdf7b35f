// The package for the Chrome Web Store and Edge Add-ons (and, signed, for Firefox):
// dist/tenant-switch-<version>.zip, as ./build.sh makes it. Read entry by entry from the zip
// itself, not from dist/extension/, because the zip is what a store receives.
//
// 1. It holds exactly the shipped files: the files under extension/ plus the WebAssembly core and
//    the generated error-fields.js, nothing a test or a developer left behind (a key, a source
//    map, a fixture, a dotfile).
// 2. Its manifest carries no `key` (the stores assign the ID; the policy tests' keyed copy must
//    never leak into the package) and every file the manifest names is in the zip.
// 3. `web-ext lint`'s verdict (scripts/lint-extension.mjs, run by ./build.sh test) fails on any
//    finding but the one allowed warning.
// Each checker is also run on bad input, so that a checker that stopped finding anything fails.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ALLOWED, judgeLint } from '../../scripts/lint-extension.mjs';
import { readZip } from './lib/zip.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dist');

/**
 * The files the build adds to extension/'s own: the core's ES-module glue and its module, and
 * the error catalogue's fields that i18n.js imports (scripts/error-fields.mjs).
 */
const BUILT_FILES = ['core/tenant_switch.js', 'core/tenant_switch_bg.wasm', 'error-fields.js'];

/**
 * What a shipped file may be called: the extension's pages, scripts, data, icons, content
 * scripts and core.
 */
const SHIPPED_NAME =
  /^(?:[a-z][a-z0-9_-]*\.(?:html|js|css|json)|_locales\/[a-z]{2}(?:_[A-Z]{2})?\/messages\.json|icons\/[a-z0-9-]+\.png|content\/[a-z][a-z0-9-]*\.js|core\/tenant_switch(?:\.js|_bg\.wasm))$/;

/** Names that must never ship, whatever directory they turn up in. */
const NEVER_SHIPPED = [
  [/(?:^|\/)\./, 'a dotfile or dot directory'],
  [/(?:^|\/)(?:tests?|fixtures?|__tests__|node_modules)\//, 'a test, fixture or dependency directory'],
  [/\.(?:test|spec)\.[cm]?[jt]s$/, 'a test file'],
  [/\.map$/, 'a source map'],
  [/\.(?:pem|key|crx|p12|pfx)$/i, 'a key or signed package'],
  [/\.(?:ts|rs|toml|py|sh|md|zip|xpi|log)$/, 'a source, build or documentation file'],
];

/** Manifest keys a store package must not have. */
const FORBIDDEN_MANIFEST_KEYS = ['key', 'update_url'];

function filesUnder(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) found.push(relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
  }
  return found.sort();
}

/** Every file the manifest refers to. */
function manifestFiles(manifest) {
  const files = [
    manifest.background?.service_worker,
    ...(manifest.background?.scripts ?? []),
    manifest.action?.default_popup,
    manifest.options_ui?.page,
    manifest.storage?.managed_schema,
    ...Object.values(manifest.icons ?? {}),
    ...Object.values(manifest.action?.default_icon ?? {}),
    ...(manifest.content_scripts ?? []).flatMap((script) => [...(script.js ?? []), ...(script.css ?? [])]),
  ];
  if (manifest.default_locale) files.push(`_locales/${manifest.default_locale}/messages.json`);
  return [...new Set(files.filter((file) => typeof file === 'string'))].sort();
}

/**
 * What is wrong with a package of these entry names and this manifest, given the names it
 * should hold exactly. An empty list means the package is fit for a store.
 */
export function packageProblems(names, manifest, expected) {
  const problems = [];
  for (const name of names) {
    if (!SHIPPED_NAME.test(name)) problems.push(`${name}: not a file the extension ships`);
    for (const [pattern, what] of NEVER_SHIPPED) {
      if (pattern.test(name)) problems.push(`${name}: ${what}`);
    }
  }
  const have = new Set(names);
  for (const name of expected) if (!have.has(name)) problems.push(`${name}: missing`);
  const want = new Set(expected);
  for (const name of names) if (!want.has(name)) problems.push(`${name}: not one of the expected files`);
  if (names.length !== have.size) problems.push('some entries appear twice');
  for (const key of FORBIDDEN_MANIFEST_KEYS) if (key in manifest) problems.push(`manifest.json has "${key}"`);
  for (const file of manifestFiles(manifest)) {
    if (!have.has(file)) problems.push(`manifest.json names ${file}, which is not in the package`);
  }
  return problems;
}

function crateVersion() {
  return execFileSync('python3', [join(ROOT, 'scripts', 'cargo_toml.py'), 'version'], { encoding: 'utf8' }).trim();
}

describe('store package (dist/tenant-switch-<version>.zip)', () => {
  const version = crateVersion();
  const zipPath = join(DIST, `tenant-switch-${version}.zip`);

  test('exists once, named after the version in Cargo.toml', () => {
    assert.ok(existsSync(zipPath), `${relative(ROOT, zipPath)} is missing: run ./build.sh first`);
    const zips = readdirSync(DIST).filter((name) => /^tenant-switch-.*\.zip$/.test(name));
    assert.deepEqual(zips, [`tenant-switch-${version}.zip`]);
  });

  test('holds exactly the shipped files, and its manifest has no key', () => {
    const entries = readZip(zipPath);
    const names = entries.map((entry) => entry.name);
    const manifest = JSON.parse(entries.find((entry) => entry.name === 'manifest.json').data().toString('utf8'));
    const expected = [...filesUnder(join(ROOT, 'extension')), ...BUILT_FILES].sort();
    assert.deepEqual(packageProblems(names, manifest, expected), []);
    assert.equal(manifest.version, version);
    assert.equal(manifest.manifest_version, 3);
    // The entries are the built directory's files, byte for byte.
    assert.deepEqual(names.slice().sort(), filesUnder(join(DIST, 'extension')));
  });

  test('the checker finds what it looks for', () => {
    const manifest = {
      manifest_version: 3,
      key: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA',
      background: { service_worker: 'background.js', scripts: ['background.js'] },
      options_ui: { page: 'options.html' },
      content_scripts: [{ matches: ['https://security.microsoft.com/*'], js: ['content/portal-tenant.js'] }],
    };
    const expected = ['background.js', 'manifest.json'];
    const problems = packageProblems(
      ['manifest.json', 'background.js', 'tests/e2e/policy.test.mjs', 'extension.pem', '.DS_Store', 'core/tenant_switch.js.map', 'content/notes.md'],
      manifest,
      expected,
    );
    for (const expectedProblem of [
      'tests/e2e/policy.test.mjs: a test, fixture or dependency directory',
      'tests/e2e/policy.test.mjs: a test file',
      'extension.pem: a key or signed package',
      '.DS_Store: a dotfile or dot directory',
      'core/tenant_switch.js.map: a source map',
      'core/tenant_switch.js.map: not one of the expected files',
      'content/notes.md: not a file the extension ships',
      'manifest.json has "key"',
      'manifest.json names options.html, which is not in the package',
      'manifest.json names content/portal-tenant.js, which is not in the package',
    ]) {
      assert.ok(problems.includes(expectedProblem), `not reported: ${expectedProblem}\n${problems.join('\n')}`);
    }
    assert.deepEqual(packageProblems(['manifest.json'], { manifest_version: 3 }, ['manifest.json', 'popup.html']), [
      'popup.html: missing',
    ]);
  });
});

describe('web-ext lint verdict (scripts/lint-extension.mjs)', () => {
  const finding = (code, file = 'manifest.json') => ({ code, file, message: `${code} happened` });
  const report = (findings = {}) => ({ errors: [], notices: [], warnings: [], ...findings });

  test('passes a report with only the allowed warning', () => {
    assert.deepEqual([...ALLOWED.keys()], ['BACKGROUND_SERVICE_WORKER_IGNORED']);
    assert.deepEqual(judgeLint(report({ warnings: [finding('BACKGROUND_SERVICE_WORKER_IGNORED')] })), []);
  });

  test('fails on any error, notice or other warning, and on the allowed code outside the manifest', () => {
    assert.deepEqual(
      judgeLint(
        report({
          errors: [finding('MANIFEST_FIELD_REQUIRED')],
          notices: [finding('UNKNOWN_MINIFIED_FILE', 'background.js')],
          warnings: [
            finding('BACKGROUND_SERVICE_WORKER_IGNORED'),
            finding('KEY_FIREFOX_UNSUPPORTED_BY_MIN_VERSION'),
            finding('BACKGROUND_SERVICE_WORKER_IGNORED', 'other.json'),
          ],
        }),
      ),
      [
        'error MANIFEST_FIELD_REQUIRED in manifest.json: MANIFEST_FIELD_REQUIRED happened',
        'notice UNKNOWN_MINIFIED_FILE in background.js: UNKNOWN_MINIFIED_FILE happened',
        'warning KEY_FIREFOX_UNSUPPORTED_BY_MIN_VERSION in manifest.json: KEY_FIREFOX_UNSUPPORTED_BY_MIN_VERSION happened',
        'warning BACKGROUND_SERVICE_WORKER_IGNORED in other.json: BACKGROUND_SERVICE_WORKER_IGNORED happened',
      ],
    );
    assert.equal(judgeLint({ summary: {} }).length, 1, 'an unreadable report is a problem, not a pass');
  });
});

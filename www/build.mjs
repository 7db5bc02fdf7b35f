// Builds dist/www/index.html: the link builder page as one self-contained file.
//
// One file because the page must work from file:// (no module scripts, no fetch there) and from any
// static host: the wasm-bindgen `no-modules` glue, the .wasm as base64, the _locales strings and
// the page script are inlined into a classic script; the user guide is converted from the same
// Markdown the README carries. A Content-Security-Policy with hashes of the inline script and
// style allows nothing else to load or run.
//
// Usage: node www/build.mjs   (after the wasm build has written pkg/classic/)

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { markdownToHtml } from './markdown.mjs';

const WWW = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(WWW);
const OUT = join(ROOT, 'dist', 'www');
const LANGUAGES = ['en', 'de'];
const GUIDE_START = '<!-- user-guide:start -->';
const GUIDE_END = '<!-- user-guide:end -->';
/**
 * Extension messages the page words the import's errors with, exactly as the options page does
 * (no second string for the same case).
 */
const SHARED_KEYS = [
  'importFirstLine',
  'importFirstEntry',
  'importInFile',
  'importInList',
  'importReadFailed',
  'tenantNameLabel',
  'tenantIdLabel',
  'domainLabel',
];

function fail(text) {
  process.stderr.write(`www/build.mjs: ${text}\n`);
  process.exit(1);
}

function read(path, encoding = 'utf8') {
  if (!existsSync(path)) {
    fail(`${relative(ROOT, path)} is missing`);
  }
  return readFileSync(path, encoding);
}

function readJson(path) {
  try {
    return JSON.parse(read(path).replace(/^\uFEFF/, ''));
  } catch (error) {
    return fail(`${relative(ROOT, path)}: ${error.message}`);
  }
}

/**
 * The messages the page uses (`www_*`, the core's `error_*` and SHARED_KEYS), per language, from
 * the extension's _locales (one set of strings for both), descriptions dropped. Every `www_*`
 * and shared string must exist in every language.
 */
function loadMessages() {
  const messages = {};
  for (const lang of LANGUAGES) {
    const merged = readJson(join(ROOT, 'extension', '_locales', lang, 'messages.json'));
    messages[lang] = {};
    for (const [key, entry] of Object.entries(merged).sort(([a], [b]) => a.localeCompare(b))) {
      if (!/^(?:www|error)_\w+$/.test(key) && !SHARED_KEYS.includes(key)) {
        continue;
      }
      if (typeof entry?.message !== 'string') {
        fail(`${lang}: ${key} has no message`);
      }
      messages[lang][key] = entry.placeholders
        ? { message: entry.message, placeholders: entry.placeholders }
        : { message: entry.message };
    }
  }
  for (const key of SHARED_KEYS) {
    if (!messages.en[key]) {
      fail(`en: ${key} is missing`);
    }
  }
  for (const key of Object.keys(messages.en)) {
    for (const lang of LANGUAGES) {
      if ((key.startsWith('www_') || SHARED_KEYS.includes(key)) && !messages[lang][key]) {
        fail(`${lang}: ${key} is missing`);
      }
    }
  }
  return messages;
}

/**
 * The extension's table of which error details fill which placeholder (`ERROR_DETAILS` in
 * extension/i18n.js), read as data so the page words every core error exactly as the extension.
 */
function loadErrorDetails() {
  const path = join(ROOT, 'extension', 'i18n.js');
  if (!existsSync(path)) {
    return {};
  }
  const match = /export const ERROR_DETAILS = (\{[\s\S]*?\n\});/.exec(read(path));
  if (!match) {
    return fail('extension/i18n.js: no `export const ERROR_DETAILS = {...};` table found');
  }
  const json = match[1]
    .replace(/\/\/.*$/gm, '')
    .replace(/'/g, '"')
    .replace(/([{,]\s*)(\w+)\s*:/g, '$1"$2":')
    .replace(/,(\s*[}\]])/g, '$1');
  try {
    return JSON.parse(json);
  } catch (error) {
    return fail(`extension/i18n.js: ERROR_DETAILS is not a plain table of names to detail lists (${error.message})`);
  }
}

/** The user guide's Markdown: the README's marked section, so the README and the page never drift. */
function loadGuide() {
  const text = read(join(ROOT, 'README.md'));
  const start = text.indexOf(GUIDE_START);
  const end = text.indexOf(GUIDE_END);
  if (start === -1 || end <= start || text.slice(start + GUIDE_START.length, end).trim() === '') {
    return fail(`README.md: no user guide between ${GUIDE_START} and ${GUIDE_END}`);
  }
  return { source: 'README.md', markdown: text.slice(start + GUIDE_START.length, end) };
}

/** Nothing that could end the inline `<script>` early: `<` in JSON becomes `\u003c`. */
function scriptJson(value) {
  return JSON.stringify(value).replaceAll('<', '\\u003c').replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029');
}

/** Escapes text for HTML element content and double-quoted attribute values. */
function escapeHtml(text) {
  return String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function sha256(text) {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function build() {
  const glue = read(join(ROOT, 'pkg', 'classic', 'tenant_switch.js'));
  const wasm = read(join(ROOT, 'pkg', 'classic', 'tenant_switch_bg.wasm'), null);
  if (!glue.includes('initSync')) {
    fail('pkg/classic/tenant_switch.js has no initSync: build it with wasm-bindgen --target no-modules');
  }
  const messages = loadMessages();
  const guide = loadGuide();
  const page = read(join(WWW, 'link-builder.js'));
  const style = read(join(WWW, 'style.css'));

  const script = [
    glue,
    `const WWW_DATA = ${scriptJson({ wasm: wasm.toString('base64'), messages, errorDetails: loadErrorDetails() })};`,
    page,
  ].join('\n');
  if (/<\/script|<!--/i.test(script)) {
    fail('the page script contains "</script" or "<!--", which would break the inline <script>');
  }
  if (/<\/style/i.test(style)) {
    fail('www/style.css contains "</style"');
  }

  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)} 'wasm-unsafe-eval'`,
    `style-src ${sha256(style)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  const values = {
    csp,
    style,
    script,
    userGuide: markdownToHtml(guide.markdown, { headingOffset: 1 }),
  };
  const template = read(join(WWW, 'index.html'));
  const html = template.replace(/\{\{(\w+)\}\}/g, (whole, key) => {
    if (key in values) {
      return values[key];
    }
    if (messages.en[key]) {
      return escapeHtml(messages.en[key].message);
    }
    return fail(`www/index.html: unknown placeholder ${whole}`);
  });

  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'index.html'), html);
  process.stdout.write(
    `    dist/www/index.html: ${html.length} bytes (wasm ${wasm.length} bytes inlined; user guide from ${guide.source})\n`,
  );
}

build();

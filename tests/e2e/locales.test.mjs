// The error contract and the message catalogue, without a browser (ARCHITECTURE.md, "Errors
// across the boundary"; issue 10, "One error contract"):
//
// 1. Every error in dist/extension/error-fields.js (written by the build from the core's
//    catalogue) has an `error_<Name>` message in _locales/en and _locales/de whose placeholders
//    are named exactly as its fields and numbered $1, $2, … in the order of that list; every
//    `error_*` message but error_Unknown names a real error. The errors the session fixtures
//    expect (hand-checked) have exactly the fields the catalogue lists.
// 2. Every message key the code uses exists in both languages: data-i18n attributes in the
//    pages, t()/getMessage() calls in the extension's scripts, __MSG_…__ in the manifest and the
//    keys the session emits in setBadge (src/session). A call that names its key some other way
//    fails here until the table of such calls below says which keys it can take.
// 3. Every message with placeholders uses each of them, defines each it uses, numbers them
//    $1..$n, and the code passes as many arguments as it has placeholders.
//
// Only source text and messages.json are read: no code of the extension runs, so nothing here
// takes the code under test as its oracle.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LANGUAGES, readMessages } from './lib/locales.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXTENSION = join(ROOT, 'extension');
const ERROR_FIELDS_FILE = join(ROOT, 'dist', 'extension', 'error-fields.js');
assert.ok(existsSync(ERROR_FIELDS_FILE), `${relative(ROOT, ERROR_FIELDS_FILE)} is missing: run ./build.sh first`);
const { default: ERROR_FIELDS } = await import(ERROR_FIELDS_FILE);
const MESSAGES = Object.fromEntries(LANGUAGES.map((lang) => [lang, readMessages(lang)]));

// ---------------------------------------------------------------------------------------------
// Reading messages and source text

/** The `$name$` references of a message's text, lower case (Chrome compares them so). */
function referencesOf(text) {
  return [...text.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1].toLowerCase());
}

/** What is wrong with one message's placeholders, as sentences (none: fine). */
function placeholderProblems(key, entry) {
  const problems = [];
  const placeholders = entry.placeholders ?? {};
  const names = Object.keys(placeholders);
  const defined = names.map((name) => name.toLowerCase());
  const used = referencesOf(entry.message);
  for (const name of used) if (!defined.includes(name)) problems.push(`${key}: $${name}$ is not a placeholder`);
  for (const name of defined) if (!used.includes(name)) problems.push(`${key}: placeholder ${name} is not in the text`);
  const contents = names.map((name) => placeholders[name].content).sort();
  const numbered = names.map((_, i) => `$${i + 1}`).sort();
  if (JSON.stringify(contents) !== JSON.stringify(numbered)) {
    problems.push(`${key}: placeholders are ${JSON.stringify(contents)}, not $1..$${names.length} once each`);
  }
  // Numbered substitutions belong in placeholders, where translators see their names.
  if (/\$[1-9]/.test(entry.message.replace(/\$\$/g, ''))) problems.push(`${key}: the text uses $n directly`);
  return problems;
}

/** `text` from `start` (just after an opening bracket) to its closing one, split at top-level commas. */
function argumentsFrom(text, start) {
  const args = [];
  let depth = 0;
  let current = '';
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      current += text.slice(i, j + 1);
      i = j;
    } else if ('([{'.includes(c)) {
      depth += 1;
      current += c;
    } else if (')]}'.includes(c)) {
      if (depth === 0) {
        if (current.trim()) args.push(current.trim());
        return args;
      }
      depth -= 1;
      current += c;
    } else if (c === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
    } else {
      current += c;
    }
  }
  throw new Error(`unclosed call at ${start}`);
}

/** Every call of `name(` in `text` (not `.name(` of another object unless `member`), as `{line, args}`. */
function callsOf(text, pattern) {
  return [...text.matchAll(pattern)].map((m) => ({
    line: text.slice(0, m.index).split('\n').length,
    args: argumentsFrom(text, m.index + m[0].length),
  }));
}

const STRING = /^(['"])([^'"\\]*)\1$/;
/** How many arguments a literal array (`[a, b]`), `vec![a, b]` or `Vec::new()` holds; null when not literal. */
function arity(expression) {
  if (expression === undefined || expression === 'Vec::new()') return 0;
  const literal = expression.match(/^(?:vec!)?\[/);
  if (!literal) return null;
  return argumentsFrom(expression, literal[0].length).length;
}

// ---------------------------------------------------------------------------------------------
// Where the code names message keys

/** `portal_<id>` for every row of the core's portal catalogue (its `id: "…"` fields). */
const PORTAL_KEYS = [...readFileSync(join(ROOT, 'src', 'portals.rs'), 'utf8').split('pub const CATALOGUE')[1].matchAll(/\bid: "([A-Za-z0-9]+)"/g)].map(
  (m) => `portal_${m[1]}`,
);

/**
 * Calls whose key is not a literal, and the keys each can take: a template prefix and its
 * values, or an expression in a file and where its keys are written down. A new call of this
 * kind fails the test until it is listed here.
 */
const INDIRECT_KEYS = {
  'popup.js': {
    // The groups the session's picker returns (src/session/view.rs); "home" has no heading.
    '`group_${group.kind}`': ['group_favourites', 'group_recent', 'group_all', 'group_matches'],
    // The portal catalogue's IDs and groups (src/portals.rs CATALOGUE), as portalMenu answers them.
    '`portal_${item.id}`': PORTAL_KEYS,
    '`portal_${portal}`': PORTAL_KEYS,
    '`portalGroup_${kind}`': ['portalGroup_defender', 'portalGroup_admin'],
  },
  'options.js': {
    // Backup reasons the session stores (src/session/store.rs, BackupEntry::reason).
    '`backupReason_${newest.reason}`': ['backupReason_deleteTenant', 'backupReason_import', 'backupReason_restore', 'backupReason_sync'],
    // editRow's field labels and COLUMN_LABELS, both written as literals in options.js.
    label: ['tenantNameLabel', 'tenantIdLabel', 'domainLabel', 'initialDomainLabel', 'tagsLabel', 'aliasesLabel'],
    // The palette's colour names (PALETTE in options.js, src/colours.rs).
    '`colour_${colour}`': [
      'colour_blue', 'colour_teal', 'colour_green', 'colour_olive', 'colour_orange', 'colour_red',
      'colour_rose', 'colour_magenta', 'colour_purple', 'colour_indigo', 'colour_slate', 'colour_brown',
    ],
  },
  'error-wording.js': {
    '`error_${name}`': [],
    'COLUMN_LABELS[key]': ['tenantNameLabel', 'tenantIdLabel', 'domainLabel', 'importColumnInitialDomain', 'importColumnTags', 'importColumnAliases'],
    // phrase('importFirstLine' | 'importFirstEntry', n)
    key: ['importFirstLine', 'importFirstEntry'],
  },
  'options-import.js': {
    // detail()'s literal labels.
    key: ['importDetailAliases', 'importDetailDomain', 'importDetailInitialDomain', 'importDetailTags'],
    removalKey: ['importCountsRemoval', 'importCountsRemoved'],
    // The changes, statuses and filters of the preview rows (src/session/importing.rs).
    '`importChange_${c}`': ['importChange_name', 'importChange_domain', 'importChange_initialDomain', 'importChange_tags', 'importChange_aliases'],
    '`importStatus_${row.status}`': ['importStatus_new', 'importStatus_unchanged', 'importStatus_rejected', 'importStatus_removed'],
    '`importShow_${show}`': [
      'importShow_changes', 'importShow_new', 'importShow_changed', 'importShow_renamed', 'importShow_domainChanged',
      'importShow_tagsChanged', 'importShow_unchanged', 'importShow_rejected', 'importShow_removed', 'importShow_all',
    ],
    '`backupReason_${newest.reason}`': ['backupReason_deleteTenant', 'backupReason_import', 'backupReason_restore', 'backupReason_sync'],
  },
  'portal-settings.js': {
    // The portal catalogue's IDs and groups (src/portals.rs CATALOGUE, Group).
    '`portal_${id}`': [
      'portal_defender', 'portal_defenderIncidents', 'portal_defenderAlerts', 'portal_defenderHunting',
      'portal_defenderActionCenter', 'portal_purview', 'portal_entra', 'portal_intune', 'portal_azure',
      'portal_m365', 'portal_exchange', 'portal_teams', 'portal_powerBi', 'portal_powerPlatform',
    ],
    '`portalGroup_${group}`': ['portalGroup_defender', 'portalGroup_admin'],
  },
  // The generic functions themselves: their callers are checked instead.
  'i18n.js': {
    key: [],
    'element.dataset.i18n': [],
    'element.dataset[data]': [],
  },
  'browser-adapter.js': { name: [] },
  // The content script's own `t(key, args)` wrapper: its callers name their keys as literals.
  'content/portal-tenant.js': { key: [] },
  // The session's setBadge texts, checked from src/session below.
  'background.js': { key: [] },
};

function extensionScripts() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '_locales' && entry.name !== 'icons') walk(path);
      else if (entry.name.endsWith('.js')) files.push(path);
    }
  };
  walk(EXTENSION);
  return files;
}

/** `{key, args, where}` for every message the extension's scripts and pages ask for. */
function keysUsedByExtension() {
  const uses = [];
  const unlisted = [];
  for (const file of extensionScripts()) {
    const name = relative(EXTENSION, file);
    const text = readFileSync(file, 'utf8');
    for (const { line, args } of callsOf(text, /(?<![\w$.])t\(|\bgetMessage\(/g)) {
      const [first, second] = args;
      const where = `${name}:${line}`;
      const literals = [...first.matchAll(/(['"])([A-Za-z0-9_@]+)\1/g)].map((m) => m[2]);
      if (STRING.test(first) || /^[^`]*\?[^`]*:[^`]*$/.test(first)) {
        for (const key of literals) uses.push({ key, args: arity(second), where });
      } else if (INDIRECT_KEYS[name]?.[first]) {
        for (const key of INDIRECT_KEYS[name][first]) uses.push({ key, args: null, where });
      } else {
        unlisted.push(`${where}: ${first}`);
      }
    }
  }
  for (const page of readdirSync(EXTENSION).filter((f) => f.endsWith('.html'))) {
    const text = readFileSync(join(EXTENSION, page), 'utf8');
    for (const m of text.matchAll(/\sdata-i18n(?:-[a-z-]+)?="([^"]+)"/g)) {
      uses.push({ key: m[1], args: 0, where: `${page}:${text.slice(0, m.index).split('\n').length}` });
    }
  }
  const manifest = readFileSync(join(EXTENSION, 'manifest.json'), 'utf8');
  for (const m of manifest.matchAll(/__MSG_(\w+)__/g)) uses.push({ key: m[1], args: 0, where: 'manifest.json' });
  return { uses, unlisted };
}

/** `{key, args, where}` for every text the session hands to setBadge (src/session/*.rs). */
function keysUsedBySession() {
  const uses = [];
  const dir = join(ROOT, 'src', 'session');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.rs') && f !== 'tests.rs')) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const { line, args } of callsOf(text, /(?<!fn )\bBadgeView::new\(/g)) {
      // BadgeView::new(text, colour, title key, title args): the text is badgeLabel's argument.
      uses.push({ key: 'badgeLabel', args: 1, where: `${file}:${line}` });
      const key = args[2]?.match(STRING)?.[2];
      if (key) uses.push({ key, args: arity(args[3]), where: `${file}:${line}` });
    }
    for (const { line, args } of callsOf(text, /(?<!fn )\b(?:Text::new|with_text_key)\(/g)) {
      const key = args[0]?.match(STRING)?.[2];
      if (key) uses.push({ key, args: args.length > 1 ? arity(args[1]) : 0, where: `${file}:${line}` });
    }
  }
  return uses;
}

/** Every `{name, ...}` error object in the session fixtures' expected effects. */
function fixtureErrors() {
  const found = [];
  const dir = join(ROOT, 'tests', 'fixtures', 'session');
  const visit = (value, where) => {
    if (Array.isArray(value)) value.forEach((item) => visit(item, where));
    else if (value && typeof value === 'object') {
      if (typeof value.name === 'string' && typeof value.message === 'string' && /^[A-Z]/.test(value.name)) {
        found.push({ error: value, where });
      }
      for (const item of Object.values(value)) visit(item, where);
    }
  };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    visit(JSON.parse(readFileSync(join(dir, file), 'utf8')), file);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------

describe('the error contract', () => {
  const names = Object.keys(ERROR_FIELDS);

  test('the catalogue lists errors, each with its fields', () => {
    assert.ok(names.length > 50, `${names.length} errors`);
    for (const name of names) assert.ok(Array.isArray(ERROR_FIELDS[name]), name);
  });

  for (const lang of LANGUAGES) {
    test(`_locales/${lang}: each error's message has placeholders named as its fields, numbered in their order`, () => {
      const problems = [];
      for (const name of names) {
        const entry = MESSAGES[lang][`error_${name}`];
        if (!entry) {
          problems.push(`error_${name} is missing`);
          continue;
        }
        const fields = ERROR_FIELDS[name];
        const placeholders = entry.placeholders ?? {};
        const expected = Object.fromEntries(fields.map((field, i) => [field, `$${i + 1}`]));
        const actual = Object.fromEntries(Object.entries(placeholders).map(([key, value]) => [key, value.content]));
        if (JSON.stringify(Object.entries(actual).sort()) !== JSON.stringify(Object.entries(expected).sort())) {
          problems.push(`error_${name}: placeholders ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
        }
        problems.push(...placeholderProblems(`error_${name}`, entry));
      }
      assert.deepEqual(problems, []);
    });

    test(`_locales/${lang}: every error_* message but error_Unknown names a real error`, () => {
      const orphans = Object.keys(MESSAGES[lang])
        .filter((key) => key.startsWith('error_') && key !== 'error_Unknown')
        .filter((key) => !(key.slice('error_'.length) in ERROR_FIELDS));
      assert.deepEqual(orphans, []);
      assert.ok(MESSAGES[lang].error_Unknown, 'error_Unknown, for an error without its own message');
    });
  }

  for (const lang of LANGUAGES) {
    test(`_locales/${lang}: no message key is defined twice (the browser would keep only one of them)`, () => {
      const text = readFileSync(join(EXTENSION, '_locales', lang, 'messages.json'), 'utf8');
      const keys = [...text.matchAll(/^ {2}"([^"]+)": \{/gm)].map((match) => match[1]);
      assert.ok(keys.length > 100, `${keys.length} keys`);
      assert.deepEqual(keys.filter((key, i) => keys.indexOf(key) !== i), []);
    });
  }

  test('no error has a detail field named "message": that name is the English text for logs', () => {
    // Answers add `message` (English, for logs) to every error; a detail field of that name is
    // overwritten by it, and the localised message then shows English text.
    assert.deepEqual(names.filter((name) => ERROR_FIELDS[name].includes('message')), []);
  });

  test('the errors the session fixtures expect have exactly the fields the catalogue lists', () => {
    const found = fixtureErrors();
    assert.ok(found.length > 10, `${found.length} errors in the fixtures`);
    const problems = [];
    for (const { error, where } of found) {
      const fields = ERROR_FIELDS[error.name];
      if (!fields) {
        problems.push(`${where}: ${error.name} is not in the catalogue`);
        continue;
      }
      const details = Object.keys(error).filter((key) => key !== 'name' && key !== 'message').sort();
      const listed = fields.filter((field) => field !== 'message').sort();
      if (JSON.stringify(details) !== JSON.stringify(listed)) {
        problems.push(`${where}: ${error.name} has ${JSON.stringify(details)}, the catalogue ${JSON.stringify(listed)}`);
      }
    }
    assert.deepEqual([...new Set(problems)], []);
  });
});

describe('the message catalogue', () => {
  const { uses, unlisted } = keysUsedByExtension();
  const sessionUses = keysUsedBySession();
  const all = [...uses, ...sessionUses];

  test('the scanners find the keys the code uses', () => {
    const keys = new Set(all.map((use) => use.key));
    for (const key of ['extName', 'problemBanner', 'group_recent', 'tenantNameLabel', 'badgeTooltipProblem', 'badgeHome', 'noTenant']) {
      assert.ok(keys.has(key), `${key} not found`);
    }
    assert.ok(sessionUses.length >= 12, `${sessionUses.length} setBadge texts in src/session`);
    assert.deepEqual(argumentsFrom("t('a', [b(c, d), e]))", 2), ["'a'", '[b(c, d), e]']);
    assert.equal(arity('vec![id.to_string(), x]'), 2);
    assert.equal(arity('Vec::new()'), 0);
  });

  test('every call names its key as a literal, or is listed with the keys it can take', () => {
    assert.deepEqual(unlisted, []);
  });

  for (const lang of LANGUAGES) {
    test(`_locales/${lang} has every message the pages, scripts, manifest and session use`, () => {
      // @@-messages (@@bidi_dir, @@ui_locale, …) are the browser's own.
      const missing = all.filter(({ key }) => !key.startsWith('@@') && !MESSAGES[lang][key]).map(({ key, where }) => `${key} (${where})`);
      assert.deepEqual([...new Set(missing)], []);
    });

    test(`_locales/${lang}: every message with placeholders uses them all and numbers them $1..$n`, () => {
      const problems = Object.entries(MESSAGES[lang])
        .filter(([key]) => !key.startsWith('error_'))
        .flatMap(([key, entry]) => placeholderProblems(key, entry));
      assert.deepEqual(problems, []);
    });
  }

  test('the code passes as many arguments as each message has placeholders', () => {
    const problems = all
      .filter(({ args, key }) => args !== null && MESSAGES.en[key])
      .filter(({ key, args }) => Object.keys(MESSAGES.en[key].placeholders ?? {}).length !== args)
      .map(({ key, args, where }) => `${where}: ${key} gets ${args}, has ${Object.keys(MESSAGES.en[key].placeholders ?? {}).length}`);
    assert.deepEqual(problems, []);
  });

  test('English and German define the same messages with the same placeholders', () => {
    const shape = (messages) =>
      Object.fromEntries(
        Object.entries(messages)
          .map(([key, entry]) => [key, Object.entries(entry.placeholders ?? {}).map(([name, p]) => `${name}=${p.content}`).sort()])
          .sort(([a], [b]) => a.localeCompare(b)),
      );
    assert.deepEqual(shape(MESSAGES.de), shape(MESSAGES.en));
  });
});

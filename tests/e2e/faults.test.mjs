// Faults, end to end in headless Chromium with the real extension (issue 10, "Fail closed, lose
// nothing"): stored settings the core rejects (also when no copy of them can be written), a
// second rejected value, recovery from inside the product, a storage write or a rule update
// that fails, an update from the first release's storage layout, the sync write budget across a
// worker restart, and a 50,000-tenant list.
//
// Oracles: expected errors and texts are written out here (hand-checked English of
// _locales/en), expected rules come from the session's fixtures, what the browser sent from the
// portal server's request log.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { EXTENSION_DIR, launchBrowser, launchWithServer, makeProfile, removeProfile, waitFor } from './lib/browser.mjs';
import { editedCopy, extensionPlace, installBuild, installStandIn } from './lib/extension-copy.mjs';
import { DEFAULT_SETTINGS } from './lib/fixtures.mjs';
import { message } from './lib/locales.mjs';
import { startPortalServer } from './lib/portal-server.mjs';
import { restartWorker } from './lib/service-worker.mjs';
import { FIXTURE_TENANTS, defaultRules, sortRules } from './lib/session-fixtures.mjs';

const CONTOSO = { name: 'Contoso', id: FIXTURE_TENANTS.Contoso, domain: 'contoso.onmicrosoft.com' };
const FABRIKAM = { name: 'Fabrikam, Inc.', id: FIXTURE_TENANTS.Fabrikam };
const FOURTH_COFFEE = { name: 'Fourth Coffee', id: FIXTURE_TENANTS.FourthCoffee, domain: 'fourthcoffee.com' };
const WOODGROVE = { name: 'Woodgrove Bank', id: FIXTURE_TENANTS.Woodgrove };

/** What the core stores (schema 5) once Contoso and Fabrikam are added and Contoso is the default. */
const GOOD = {
  ...DEFAULT_SETTINGS,
  tenants: [CONTOSO, FABRIKAM],
  defaultTenant: CONTOSO.id,
  recentTenants: [CONTOSO.id],
  tenantLabels: { [CONTOSO.id]: 'CONT', [FABRIKAM.id]: 'FABR' },
};
/** Contoso's badge colour, derived from its ID (tests/fixtures/session/restart.json). */
const CONTOSO_COLOUR = [0x9c, 0x1f, 0x8a, 255];
const RED = [0xb3, 0x26, 0x1e, 255];
const PROBLEM_BADGE = { text: '!', title: message('badgeTooltipProblem'), color: RED };

const operation = (op) => ({ what: 'applyOperation', operation: op });
const addTenant = (tenant) => operation({ op: 'addTenant', tenant });
const setDefaultTenant = (id) => operation({ op: 'setDefaultTenant', id });
const csv = (tenants) =>
  Buffer.from(['name,tenant id', ...tenants.map((t) => `${t.name},${t.id}`)].join('\n')).toString('base64');

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The fields of an error besides its English `message` for logs. */
function fieldsOf(error) {
  const { message: text, ...fields } = error ?? {};
  assert.equal(typeof text, 'string', `an English message: ${JSON.stringify(error)}`);
  return fields;
}

const rulesOf = async (browser) => ({
  dynamic: sortRules(await browser.dynamicRules()),
  session: sortRules(await browser.sessionRules()),
});

/** Writes `value` as the stored settings from the worker, as a hand edit or another program would. */
const writeSettings = (browser, value) => browser.inWorker((v) => chrome.storage.local.set({ settings: v }), value);

/** The state once `done(state)` holds (or whatever it is after the timeout). */
const stateOnce = (browser, done, timeout = 5000) =>
  waitFor(() => browser.sendOk({ what: 'getState' }), done, { timeout });

/** Where a navigation to the portal lands, and what the server received for it. */
async function visitPortal(browser, server) {
  const page = await browser.context.newPage();
  try {
    server.clear();
    await page.goto('https://security.microsoft.com/alerts');
    return { url: page.url(), requests: server.requestsTo('security.microsoft.com').map((r) => r.url) };
  } finally {
    await page.close();
  }
}
const UNTOUCHED = { url: 'https://security.microsoft.com/alerts', requests: ['https://security.microsoft.com/alerts'] };
const IN_CONTOSO = {
  url: `https://security.microsoft.com/alerts?tid=${CONTOSO.id}`,
  requests: [`https://security.microsoft.com/alerts?tid=${CONTOSO.id}`],
};

/** Every change a user can ask for while the settings are unusable, each refused in words. */
const REFUSED_WHILE_UNUSABLE = [
  addTenant(WOODGROVE),
  setDefaultTenant(null),
  operation({ op: 'setAutomaticRewrite', enabled: false }),
  operation({ op: 'deleteTenant', id: CONTOSO.id }),
  { what: 'pickTenant', id: null, tab: null, view: 'popup' },
  { what: 'setSyncEnabled', enabled: true },
];

let server;
/** Errors of browsers this file closed already, checked at the end with the rest. */
const earlierErrors = [];

before(async () => {
  server = await startPortalServer();
});

after(async () => {
  await server?.close();
});

describe('stored settings the core rejects', () => {
  let browser;
  let portal;

  before(async () => {
    browser = await launchBrowser({ server });
    await browser.sendOk(addTenant(CONTOSO));
    await browser.sendOk(addTenant(FABRIKAM));
    await browser.sendOk(setDefaultTenant(CONTOSO.id));
    assert.deepEqual((await browser.storage()).settings, GOOD);
    portal = await browser.context.newPage();
    await portal.goto('https://security.microsoft.com/incidents');
  });

  after(async () => {
    earlierErrors.push(...browser.errors);
    await browser?.close();
  });

  /** Puts GOOD back by hand and waits until it is in force again. */
  async function good() {
    await writeSettings(browser, GOOD);
    await stateOnce(browser, (s) => s.usable);
    assert.deepEqual(
      await waitFor(() => rulesOf(browser), (r) => r.dynamic.length > 0),
      { dynamic: defaultRules(CONTOSO.id), session: (await rulesOf(browser)).session },
    );
  }

  const CASES = [
    ['a torn JSON text instead of an object', '{"schemaVersion":5,"tenants":[{"name":"Cont', { name: 'SettingsNotAnObject', found: 'string' }],
    ['a number', 42, { name: 'SettingsNotAnObject', found: 'number' }],
    ['an array', [], { name: 'SettingsNotAnObject', found: 'array' }],
    [
      'automaticRewrite a string',
      { ...GOOD, automaticRewrite: 'yes' },
      { name: 'SettingsWrongShape', path: 'automaticRewrite', expected: 'boolean', found: 'string' },
    ],
    [
      'schemaVersion a string',
      { ...GOOD, schemaVersion: '2' },
      { name: 'SettingsWrongShape', path: 'schemaVersion', expected: 'number', found: 'string' },
    ],
    [
      'a half-written write: the last tenant cut short',
      { ...GOOD, tenants: [CONTOSO, { name: 'Fabr' }] },
      { name: 'SettingsMissingField', path: 'tenants[1].id' },
    ],
    [
      'a half-written write: the fields after tenants missing',
      { schemaVersion: 5, tenants: [CONTOSO, FABRIKAM] },
      { name: 'SettingsMissingField', path: 'defaultTenant' },
    ],
    [
      'a half-written write: the portal choices missing',
      Object.fromEntries(Object.entries(GOOD).filter(([key]) => key !== 'hiddenPortals' && key !== 'portalRewrite')),
      { name: 'SettingsMissingField', path: 'hiddenPortals' },
    ],
    ['a newer schema version', { schemaVersion: 6, tenants: [], profiles: [] }, { name: 'SettingsNewerVersion', found: 6, supported: 5 }],
    ['an unknown field', { ...GOOD, colour: 'teal' }, { name: 'SettingsUnknownField', path: 'colour' }],
  ];

  for (const [label, stored, expected] of CASES) {
    test(`${label}: rules removed, kept as found with a copy, every badge says so, changes refused`, async () => {
      await good();
      const tab = await browser.tabIdOf(portal);
      await writeSettings(browser, stored);
      assert.deepEqual(await waitFor(() => rulesOf(browser), (r) => r.dynamic.length + r.session.length === 0), {
        dynamic: [],
        session: [],
      });
      const state = await stateOnce(browser, (s) => !s.usable);
      assert.equal(state.usable, false);
      assert.deepEqual(fieldsOf(state.problem.error), expected);
      assert.deepEqual([state.problem.copyKept, state.problem.copyError], [true, null]);
      assert.deepEqual(fieldsOf(state.keptCopies[0].error), expected);

      const storage = await browser.storage();
      assert.deepEqual(storage.settings, stored, 'kept exactly as found');
      assert.deepEqual(storage.keptCopies[0].data, stored);
      assert.deepEqual(storage.keptCopies[0].error, state.problem.error);
      assert.equal(storage.keptCopies[0].savedAt, state.keptCopies[0].savedAt);

      assert.deepEqual(await waitFor(() => browser.badge(tab), (b) => isDeepStrictEqual(b, PROBLEM_BADGE)), PROBLEM_BADGE);
      for (const sent of REFUSED_WHILE_UNUSABLE) {
        const answer = await browser.send(sent);
        assert.equal(answer.ok, false, JSON.stringify(sent));
        assert.equal(answer.error.name, 'SettingsUnusable', JSON.stringify(sent));
      }
      // `lastPolicy` may arrive meanwhile: the policy read after a worker start answers late.
      const withoutPolicy = (local) => Object.fromEntries(Object.entries(local).filter(([key]) => key !== 'lastPolicy'));
      assert.deepEqual(withoutPolicy(await browser.storage()), withoutPolicy(storage), 'nothing was overwritten');
      assert.deepEqual(await visitPortal(browser, server), UNTOUCHED);
    });
  }

  test('the pages say what is wrong in words', async () => {
    await good();
    const popup = await browser.openExtensionPage('popup.html');
    const options = await browser.openExtensionPage('options.html');
    await popup.getByRole('option').first().waitFor();
    await options.locator('#tenant-rows tr').first().waitFor();
    await writeSettings(browser, { ...GOOD, automaticRewrite: 'yes' });
    const reason = 'In the stored settings, automaticRewrite should be of type boolean but is string.';
    // The pages redraw when the session's revision changes.
    const text = (page, id) => waitFor(async () => ((await page.locator(`#${id}`).isVisible()) ? page.locator(`#${id}-text`).textContent() : ''), Boolean);
    assert.equal(await text(popup, 'problem'), message('problemBannerShort', [reason]));
    assert.equal(await text(options, 'problem'), message('problemBanner', [reason]));
    assert.equal(await options.locator('#problem-copy').textContent(), message('problemCopyKept'));
    assert.match(await options.locator('#kept-list li p').first().textContent(), new RegExp(`: ${escapeRegExp(reason)}$`));
    await popup.close();
    await options.close();
  });

  test('a second rejected value is kept beside the first; the same value is not kept twice', async () => {
    await good();
    const before = (await browser.storage()).keptCopies ?? [];
    const first = { ...GOOD, firstOddity: 1 };
    const second = { ...GOOD, secondOddity: 2 };
    await writeSettings(browser, first);
    await stateOnce(browser, (s) => !s.usable);
    await writeSettings(browser, second);
    await waitFor(async () => (await browser.storage()).keptCopies?.[0]?.data, (data) => isDeepStrictEqual(data, second));
    let kept = (await browser.storage()).keptCopies;
    assert.deepEqual(kept.slice(0, 2).map((copy) => copy.data), [second, first]);
    assert.ok(kept[0].savedAt >= kept[1].savedAt, 'newest first');
    assert.equal(kept.length, Math.min(5, before.length + 2), 'at most five are kept');

    // The first value again: it is the problem again, and its copy is there already.
    await writeSettings(browser, first);
    const state = await stateOnce(browser, (s) => s.problem?.error.name === 'SettingsUnknownField' && s.problem.error.path === 'firstOddity');
    assert.equal(state.problem.copyKept, true);
    kept = (await browser.storage()).keptCopies;
    assert.deepEqual(kept.slice(0, 2).map((copy) => copy.data), [second, first]);
  });

  test('putting good settings back by hand ends it: rules back, the kept copies stay', async () => {
    const kept = (await browser.storage()).keptCopies;
    assert.ok(kept.length > 0);
    await good();
    assert.deepEqual((await browser.storage()).keptCopies, kept);
    assert.deepEqual(await visitPortal(browser, server), IN_CONTOSO);
    const tab = await browser.tabIdOf(portal);
    const inContoso = { text: 'CONT', title: message('badgeTooltip', [CONTOSO.name, CONTOSO.id]), color: CONTOSO_COLOUR };
    assert.deepEqual(await waitFor(() => browser.badge(tab), (b) => isDeepStrictEqual(b, inContoso)), inContoso);
  });
});

describe('recovery from inside the product while the settings cannot be read', () => {
  let browser;

  before(async () => {
    browser = await launchBrowser({ server });
    for (const tenant of [CONTOSO, FABRIKAM, FOURTH_COFFEE]) await browser.sendOk(addTenant(tenant));
    await browser.sendOk(setDefaultTenant(CONTOSO.id));
    // A deletion keeps the list of three as a backup.
    await browser.sendOk(operation({ op: 'deleteTenant', id: FOURTH_COFFEE.id }));
  });

  after(async () => {
    earlierErrors.push(...browser.errors);
    await browser?.close();
  });

  async function reject(value) {
    await writeSettings(browser, value);
    const state = await stateOnce(browser, (s) => !s.usable && s.keptCopies.length > 0 && s.problem?.copyKept);
    assert.equal(state.usable, false);
    return state;
  }

  test('export is refused with ExportUnavailable; the kept copy can be downloaded', async () => {
    const bad = { schemaVersion: 2, tenants: 'broken' };
    const state = await reject(bad);
    const refused = await browser.send({ what: 'exportTenants', format: 'json' });
    assert.deepEqual(fieldsOf(refused.error), { name: 'ExportUnavailable' });
    const [copy] = state.keptCopies;
    const file = await browser.send({ what: 'exportKeptCopy', savedAt: copy.savedAt });
    assert.equal(file.file.type, 'application/json');
    assert.deepEqual(JSON.parse(file.file.text), bad);
  });

  test('"Restore previous list" works while unusable; the kept copy stays', async () => {
    const before = await browser.sendOk({ what: 'getState' });
    assert.equal(before.usable, false);
    const [backup] = before.backups;
    assert.deepEqual([backup.reason, backup.count], ['deleteTenant', 3]);
    const answer = await browser.send({ what: 'restoreBackup' });
    assert.equal(answer.ok, true, JSON.stringify(answer.error));
    assert.deepEqual(answer.restored, { savedAt: backup.savedAt, count: 3 });
    assert.equal(answer.state.usable, true);
    const stored = await browser.storage();
    assert.deepEqual(stored.settings.tenants, [CONTOSO, FABRIKAM, FOURTH_COFFEE]);
    assert.deepEqual(stored.keptCopies.map((c) => c.data), [{ schemaVersion: 2, tenants: 'broken' }]);
    // The unreadable value was no list: nothing to keep as a backup of it.
    assert.deepEqual(answer.state.backups, []);
    assert.equal(`backup.${backup.id}` in stored, false);
  });

  test('an import replaces unusable settings, judged against an empty list; the kept copy stays', async () => {
    await reject({ schemaVersion: 2, tenants: [], defaultTenant: null, automaticRewrite: 'no', recentTenants: [] });
    const data = csv([CONTOSO, WOODGROVE]);
    const preview = await browser.send({ what: 'previewImport', data });
    assert.deepEqual(preview.preview.counts, {
      new: 2, renamed: 0, domainChanged: 0, tagsChanged: 0, changed: 0, unchanged: 0, rejected: 0, removed: 0,
    });
    const answer = await browser.send({ what: 'importTenants' });
    assert.equal(answer.ok, true, JSON.stringify(answer.error));
    assert.equal(answer.state.usable, true);
    const stored = await browser.storage();
    assert.deepEqual(stored.settings.tenants, [{ name: CONTOSO.name, id: CONTOSO.id }, WOODGROVE]);
    assert.equal(stored.keptCopies.length, 2);
  });

  test('"Start with an empty list" works while unusable; the kept copies stay; a copy can be discarded', async () => {
    await reject({ schemaVersion: 2, tenants: [], extra: true });
    const answer = await browser.send({ what: 'resetSettings' });
    assert.equal(answer.ok, true, JSON.stringify(answer.error));
    assert.equal(answer.state.usable, true);
    assert.equal(answer.state.tenantCount, 0);
    let kept = (await browser.storage()).keptCopies;
    assert.equal(kept.length, 3);

    const discarded = kept[1];
    const after = await browser.send({ what: 'discardKeptCopy', savedAt: discarded.savedAt });
    assert.equal(after.ok, true);
    assert.deepEqual(after.state.keptCopies.map((c) => c.savedAt), [kept[0].savedAt, kept[2].savedAt]);
    kept = (await browser.storage()).keptCopies;
    assert.deepEqual(kept.map((c) => c.savedAt), after.state.keptCopies.map((c) => c.savedAt));
    const gone = await browser.send({ what: 'exportKeptCopy', savedAt: discarded.savedAt });
    assert.deepEqual(fieldsOf(gone.error), { name: 'KeptCopyNone' });
  });
});

describe('no copy can be written: storage.local full (a copy without unlimitedStorage)', () => {
  let copy;
  let browser;
  let portal;
  const bad = { schemaVersion: 2, tenants: 'x'.repeat(20_000) };

  before(async () => {
    copy = editedCopy((manifest) => ({
      ...manifest,
      permissions: manifest.permissions.filter((permission) => permission !== 'unlimitedStorage'),
    }));
    browser = await launchBrowser({ server, extensionDir: copy.dir });
    await browser.sendOk(addTenant(CONTOSO));
    await browser.sendOk(setDefaultTenant(CONTOSO.id));
    portal = await browser.context.newPage();
    await portal.goto('https://security.microsoft.com/incidents');
    assert.equal(portal.url(), `https://security.microsoft.com/incidents?tid=${CONTOSO.id}`);
  });

  after(async () => {
    earlierErrors.push(...browser.errors);
    await browser?.close();
    copy?.remove();
  });

  test('the rules go first, every badge says so, the pages say no copy could be kept', async () => {
    // A test-only filler leaves room for the rejected value but not for a copy of it.
    const quota = await browser.inWorker(async (bad) => {
      const quota = chrome.storage.local.QUOTA_BYTES;
      const used = await chrome.storage.local.getBytesInUse(null);
      const room = JSON.stringify(bad).length + 4_000;
      await chrome.storage.local.set({ testFiller: 'x'.repeat(quota - used - room - 'testFiller'.length - 2) });
      return quota;
    }, bad);
    assert.equal(quota, 10 * 1024 * 1024);
    await writeSettings(browser, bad);
    const state = await stateOnce(browser, (s) => !s.usable && s.problem?.copyError);
    assert.deepEqual(fieldsOf(state.problem.error), { name: 'SettingsWrongShape', path: 'tenants', expected: 'array', found: 'string' });
    assert.equal(state.problem.copyKept, false);
    assert.equal(state.problem.copyError.name, 'StorageWriteFailed');
    assert.match(state.problem.copyError.message, /quota exceeded/i);
    assert.deepEqual(state.keptCopies, []);
    assert.deepEqual(await rulesOf(browser), { dynamic: [], session: [] });
    assert.deepEqual(await visitPortal(browser, server), UNTOUCHED);
    const tab = await browser.tabIdOf(portal);
    assert.deepEqual(await waitFor(() => browser.badge(tab), (b) => isDeepStrictEqual(b, PROBLEM_BADGE)), PROBLEM_BADGE);
    const stored = await browser.storage();
    assert.deepEqual(stored.settings, bad);
    assert.equal('keptCopies' in stored, false);

    // What the browser says when a write does not fit, asked the same way.
    const refusal = await browser.inWorker((bytes) =>
      chrome.storage.local.set({ probe: 'x'.repeat(bytes) }).then(() => 'stored', (error) => error.message),
    quota);
    assert.match(refusal, /quota exceeded/i);
    const options = await browser.openExtensionPage('options.html');
    const copyText = await waitFor(() => options.locator('#problem-copy').textContent(), Boolean);
    assert.equal(copyText, message('problemCopyFailed', [message('error_StorageWriteFailed', [refusal])]));
    await options.close();
  });

  test('nothing may replace the value that could not be kept, except a forced start over', async () => {
    for (const sent of [
      { what: 'resetSettings' },
      { what: 'restoreBackup' },
      // An import starts with its preview, which is refused already.
      { what: 'previewImport', data: csv([WOODGROVE]) },
    ]) {
      const answer = await browser.send(sent);
      assert.deepEqual(fieldsOf(answer.error), { name: 'SettingsNotKept' }, sent.what);
    }
    assert.deepEqual(fieldsOf((await browser.send({ what: 'exportTenants', format: 'csv' })).error), { name: 'ExportUnavailable' });
    // The rejected value itself can still be downloaded.
    const file = await browser.send({ what: 'exportKeptCopy' });
    assert.deepEqual(JSON.parse(file.file.text), bad);
    assert.deepEqual((await browser.storage()).settings, bad);

    await browser.inWorker(() => chrome.storage.local.remove('testFiller'));
    const reset = await browser.send({ what: 'resetSettings', force: true });
    assert.equal(reset.ok, true, JSON.stringify(reset.error));
    assert.equal(reset.state.usable, true);
  });
});

describe('a storage write or a rule update that fails', () => {
  let browser;

  before(async () => {
    browser = await launchBrowser({ server });
    await browser.sendOk(addTenant(CONTOSO));
    await browser.sendOk(addTenant(FABRIKAM));
    await browser.sendOk(setDefaultTenant(CONTOSO.id));
  });

  after(async () => {
    earlierErrors.push(...browser.errors);
    await browser?.close();
  });

  /** Makes the worker's next `method` call on `path` reject with `text`. */
  const failNext = (path, method, text) =>
    browser.inWorker(
      ([path, method, text]) => {
        const target = path.split('.').reduce((object, key) => object[key], chrome);
        const original = target[method];
        target[method] = function failOnce() {
          target[method] = original;
          return Promise.reject(new Error(text));
        };
      },
      [path, method, text],
    );

  test('a failed write answers the error in words; settings, rules and tabs stay as they were', async () => {
    const before = { local: await browser.storage(), rules: await rulesOf(browser) };
    await failNext('storage.local', 'set', 'QUOTA_BYTES quota exceeded');
    const answer = await browser.send(setDefaultTenant(FABRIKAM.id));
    assert.equal(answer.ok, false);
    assert.deepEqual(fieldsOf(answer.error), { name: 'StorageWriteFailed', reason: 'QUOTA_BYTES quota exceeded' });
    assert.match(answer.error.message, /QUOTA_BYTES quota exceeded/);
    assert.deepEqual({ local: await browser.storage(), rules: await rulesOf(browser) }, before);
    assert.equal((await browser.sendOk({ what: 'getState' })).defaultTenant.id, CONTOSO.id);
    assert.deepEqual(await visitPortal(browser, server), IN_CONTOSO);
    // The next change starts from what is stored, not from the one that failed.
    const next = await browser.sendOk(addTenant(WOODGROVE));
    assert.equal(next.defaultTenant.id, CONTOSO.id);
    assert.deepEqual((await browser.storage()).settings.tenants, [CONTOSO, FABRIKAM, WOODGROVE]);
  });

  test('a refused rule update removes every rule, is answered, and the pages say why', async () => {
    // The browser refuses to add rules (removing them still works) until the test lets it.
    await browser.inWorker(() => {
      const dnr = chrome.declarativeNetRequest;
      const accept = dnr.updateDynamicRules.bind(dnr);
      globalThis.__acceptRules = dnr.updateDynamicRules;
      dnr.updateDynamicRules = (update) =>
        update.addRules?.length ? Promise.reject(new Error('Rule limit exceeded')) : accept(update);
    });
    const answered = await Promise.race([
      browser.send(setDefaultTenant(FABRIKAM.id)),
      new Promise((resolve) => setTimeout(() => resolve('no answer within 5 s'), 5000)),
    ]);
    const state = await stateOnce(browser, (s) => s.rulesError !== null);
    assert.equal(state.rulesError?.name, 'StorageWriteFailed');
    assert.match(state.rulesError.message, /Rule limit exceeded/);
    assert.deepEqual(await rulesOf(browser), { dynamic: [], session: [] });
    assert.deepEqual(await visitPortal(browser, server), UNTOUCHED);
    const options = await browser.openExtensionPage('options.html');
    const shown = await waitFor(() => options.locator('#rules-error').textContent(), Boolean);
    assert.match(shown, new RegExp(`^${escapeRegExp(message('rulesFailed', ['']))}.*Rule limit exceeded`));
    await options.close();
    assert.notEqual(answered, 'no answer within 5 s', 'the page that asked for the change gets an answer');
  });

  test('once the browser accepts rules again, the next change installs them and the problem is gone', async () => {
    await browser.inWorker(() => {
      if (globalThis.__acceptRules) chrome.declarativeNetRequest.updateDynamicRules = globalThis.__acceptRules;
    });
    const state = await browser.sendOk(setDefaultTenant(CONTOSO.id));
    assert.deepEqual((await rulesOf(browser)).dynamic, defaultRules(CONTOSO.id));
    assert.deepEqual(await visitPortal(browser, server), IN_CONTOSO);
    assert.equal(state.rulesError, null, 'the pages no longer say that nothing is rewritten');
  });
});

// Skipped: in Debian's Chromium 156 an unpacked extension updated in place (the stand-in's
// folder replaced by this build, the browser relaunched, or chrome.runtime.reload()) keeps a
// worker that gets no events, or runs the old script: every message hangs. The same reading and
// migration of the first release's storage is proven by the core's fixtures
// (tests/fixtures/session/migration-v1.json; previous_releases_storage_starts_a_usable_session
// in src/session/tests.rs reads tests/fixtures/previous-release/*.json).
const UPDATE_IN_PLACE = { skip: 'an in-place update of an unpacked extension leaves this Chromium without a working worker' };
describe("an extension update over a profile holding the first release's storage", UPDATE_IN_PLACE, () => {
  const FIXTURES = new URL('../fixtures/previous-release/', import.meta.url);
  const read = (file) => JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8'));
  const NORTHWIND = { name: 'Northwind Traders', id: '3d7e1f20-5a4b-4c6d-9e8f-0a1b2c3d4e5f', domain: 'northwind.example' };
  const V1_FABRIKAM = { name: 'Fabrikam', id: FABRIKAM.id };
  const PREVIOUS_VERSION = '0.0.1';
  const CURRENT_VERSION = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')).version;
  /** A rule as an earlier release may have left it: the update must replace it with its own. */
  const OLD_RULE = {
    id: 1,
    priority: 1,
    action: { type: 'redirect', redirect: { transform: { queryTransform: { addOrReplaceParams: [{ key: 'tid', value: FIXTURE_TENANTS.Unlisted }] } } } },
    condition: { urlFilter: '|https://security.microsoft.com/', resourceTypes: ['main_frame'] },
  };

  /**
   * Writes `local` as the whole storage.local of an earlier release (a stand-in that runs no
   * code of this build, with an old rule installed), then updates the extension in place to the
   * current build. Returns the updated browser; `done()` closes it and removes everything.
   */
  async function updateFrom(local) {
    const place = extensionPlace();
    const profile = makeProfile();
    installStandIn(place.dir, PREVIOUS_VERSION);
    const old = await launchBrowser({ server, profileDir: profile, extensionDir: place.dir });
    try {
      assert.equal(await old.inWorker(() => chrome.runtime.getManifest().version), PREVIOUS_VERSION);
      await old.inWorker(async ([local, rule]) => {
        await chrome.storage.local.clear();
        await chrome.storage.local.set(local);
        await chrome.declarativeNetRequest.updateDynamicRules({ addRules: [rule] });
      }, [local, OLD_RULE]);
      assert.deepEqual(await old.storage(), local);
      earlierErrors.push(...old.errors);
    } finally {
      await old.close();
    }
    installBuild(place.dir);
    const updated = await launchBrowser({ server, profileDir: profile, extensionDir: place.dir });
    assert.equal(await updated.inWorker(() => chrome.runtime.getManifest().version), CURRENT_VERSION);
    assert.notEqual(CURRENT_VERSION, PREVIOUS_VERSION);
    return {
      browser: updated,
      async done() {
        earlierErrors.push(...updated.errors);
        await updated.close();
        removeProfile(profile);
        place.remove();
      },
    };
  }

  // Labels as src/labels.rs specifies them: the first four letters of a one-word name, the
  // initials of a longer one.
  const LABELS = { [CONTOSO.id]: 'CONT', [FABRIKAM.id]: 'FABR', [NORTHWIND.id]: 'NT' };
  /** The v1 settings of v1-release.json and v1-storage.json, as this build stores them. */
  const V1_AS_SCHEMA_5 = {
    ...DEFAULT_SETTINGS,
    tenants: [CONTOSO, V1_FABRIKAM, NORTHWIND],
    defaultTenant: FABRIKAM.id,
    recentTenants: [FABRIKAM.id, CONTOSO.id],
    tenantLabels: LABELS,
  };
  const SETTINGS_CASES = [
    [
      'v0-prototype.json',
      // IDs canonical, the active tenant kept as the tenant for new tabs and made the recent one.
      {
        ...DEFAULT_SETTINGS,
        tenants: [
          { name: 'Contoso', id: CONTOSO.id },
          V1_FABRIKAM,
          { name: NORTHWIND.name, id: NORTHWIND.id },
        ],
        defaultTenant: FABRIKAM.id,
        recentTenants: [FABRIKAM.id],
        tenantLabels: LABELS,
      },
    ],
    ['v1-release.json', V1_AS_SCHEMA_5],
  ];

  for (const [file, expected] of SETTINGS_CASES) {
    test(`${file}: read, rules of this build installed, written as schema 5 with its labels at the first start`, async () => {
      const stored = read(file);
      const { browser, done } = await updateFrom({ settings: stored });
      try {
        assert.deepEqual(await waitFor(() => rulesOf(browser), (r) => isDeepStrictEqual(r.dynamic, defaultRules(FABRIKAM.id))), {
          dynamic: defaultRules(FABRIKAM.id),
          session: [],
        });
        const state = await browser.sendOk({ what: 'getState' });
        assert.deepEqual([state.usable, state.defaultTenant?.id, state.tenantCount], [true, FABRIKAM.id, 3]);
        const list = await browser.send({ what: 'listTenants', query: '', page: 0 });
        assert.deepEqual(list.list.rows.map((r) => [r.name, r.id]).sort(), expected.tenants.map((t) => [t.name, t.id]).sort());
        // The first start of this version stores the labels it assigned, so they stay
        // (tests/fixtures/session/migration-v1.json): the whole value as schema 5.
        assert.notDeepEqual(stored, expected);
        assert.deepEqual(await waitFor(async () => (await browser.storage()).settings, (s) => isDeepStrictEqual(s, expected)), expected);
        const page = await browser.context.newPage();
        server.clear();
        await page.goto('https://securitycenter.windows.com/machines');
        assert.equal(page.url(), `https://securitycenter.windows.com/machines?tid=${FABRIKAM.id}`);
        await page.close();

        await browser.sendOk(operation({ op: 'setAutomaticRewrite', enabled: true }));
        assert.deepEqual((await browser.storage()).settings, expected);
      } finally {
        await done();
      }
    });
  }

  test("v1-storage.json: the kept copy, the backups and what was set aside all move, nothing is lost", async () => {
    const local = read('v1-storage.json');
    const { browser, done } = await updateFrom(local);
    try {
      assert.deepEqual(await waitFor(() => rulesOf(browser), (r) => isDeepStrictEqual(r.dynamic, defaultRules(FABRIKAM.id))), {
        dynamic: defaultRules(FABRIKAM.id),
        session: [],
      });
      const stored = await waitFor(() => browser.storage(), (s) => !('tenantListBackups' in s) && 'lastPolicy' in s);
      const [backups, impossible, valid] = [local.tenantListBackups[0], local.tenantListBackups[1], local.tenantListBackups[2]];
      assert.deepEqual(Object.keys(stored).sort(), ['backup.1', 'backup.2', 'backups', 'keptCopies', 'lastPolicy', 'setAside', 'settings']);
      assert.deepEqual(stored.settings, V1_AS_SCHEMA_5, 'the settings are read and stored as schema 5 with their labels');
      assert.deepEqual(stored.keptCopies, [local.settingsRejected]);
      assert.deepEqual(
        stored.backups.map(({ bytes, ...entry }) => (assert.ok(bytes > 0), entry)),
        [
          { id: 1, savedAt: backups.savedAt, reason: 'deleteTenant', count: 4 },
          { id: 2, savedAt: valid.savedAt, reason: 'import', count: 1 },
        ],
      );
      assert.deepEqual(stored['backup.1'], backups);
      assert.deepEqual(stored['backup.2'], valid);
      assert.deepEqual(
        stored.setAside.map(({ savedAt, ...rest }) => (assert.equal(typeof savedAt, 'number'), rest)),
        [
          { key: 'tenantListBackups', data: impossible },
          { key: 'tenantListBackups', data: local.tenantListBackupsRejected.data },
        ],
      );
      assert.equal(stored.setAside[1].savedAt, local.tenantListBackupsRejected.savedAt);

      const state = await browser.sendOk({ what: 'getState' });
      assert.deepEqual(
        state.backups,
        [
          { id: 1, savedAt: backups.savedAt, reason: 'deleteTenant', count: 4 },
          { id: 2, savedAt: valid.savedAt, reason: 'import', count: 1 },
        ],
      );
      assert.deepEqual(state.keptCopies.map((c) => [c.savedAt, c.error.name]), [[local.settingsRejected.savedAt, 'SettingsUnknownField']]);
      assert.equal(state.setAsideCount, 2);
      assert.equal(state.defaultTenant.id, FABRIKAM.id);

      // The options page shows dates it can draw: no "Invalid time value" from the impossible one.
      const options = await browser.openExtensionPage('options.html');
      const info = await waitFor(() => options.locator('#restore-info').textContent(), (t) => t.includes('4'));
      assert.equal(info, message('restoreAvailable', [new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(backups.savedAt), message('backupReason_deleteTenant'), '4']));
      await options.close();

      // What moved can be used: the kept copy downloads as found, the backup restores.
      const kept = await browser.send({ what: 'exportKeptCopy', savedAt: local.settingsRejected.savedAt });
      assert.deepEqual(JSON.parse(kept.file.text), local.settingsRejected.data);
      const restored = await browser.send({ what: 'restoreBackup', id: 1 });
      assert.deepEqual(restored.restored, { savedAt: backups.savedAt, count: 4 });
      const after = await browser.storage();
      assert.equal(after.settings.schemaVersion, 5);
      assert.deepEqual(after.settings.tenants, backups.tenants);
      assert.equal(after.settings.defaultTenant, FABRIKAM.id);
      // The list it replaced is the newest backup now.
      assert.deepEqual([after.backups[0].reason, after.backups[0].count], ['restore', 3]);
      assert.deepEqual(after[`backup.${after.backups[0].id}`].tenants, local.settings.tenants);
    } finally {
      await done();
    }
  });
});

describe('the sync write budget survives a worker restart', () => {
  let browser;

  before(async () => {
    browser = await launchWithServer();
  });

  after(async () => {
    earlierErrors.push(...browser.errors);
    await browser?.close();
  });

  test('a write that the stored budget does not allow waits until it does', async () => {
    await browser.sendOk(addTenant(CONTOSO));
    await browser.sendOk({ what: 'setSyncEnabled', enabled: true });
    await waitFor(async () => (await browser.inWorker(() => chrome.storage.sync.get('syncGeneration'))).syncGeneration, Boolean);
    const limit = await browser.inWorker(() => chrome.storage.sync.MAX_WRITE_OPERATIONS_PER_MINUTE);
    assert.equal(limit, 120);

    // The last minute's budget spent 52 s ago, as an earlier worker recorded it: the next write
    // may go only once those writes are a minute old, 8 s from now.
    const spentAt = Date.now() - 52_000;
    const freeAt = spentAt + 60_000;
    await browser.inWorker((log) => chrome.storage.local.set({ syncWriteLog: log }), Array(limit).fill(spentAt));
    await restartWorker(browser);
    await browser.sendOk(addTenant(FABRIKAM));

    const generation = async () => (await browser.inWorker(() => chrome.storage.sync.get('syncGeneration'))).syncGeneration.generation;
    const written = await waitFor(generation, (g) => g === 2, { timeout: 20_000, interval: 100 });
    const seenAt = Date.now();
    assert.equal(written, 2, 'the list was written once the budget allowed it');
    assert.ok(seenAt >= freeAt, `written ${freeAt - seenAt} ms before the stored budget allowed it`);
    const log = (await browser.storage()).syncWriteLog;
    assert.ok(log.filter((at) => at > spentAt).every((at) => at >= freeAt), JSON.stringify(log.slice(-4)));
  });
});

describe('a list of 50,000 tenants', () => {
  let browser;

  before(async () => {
    browser = await launchWithServer();
  });

  after(async () => {
    earlierErrors.push(...browser.errors);
    await browser?.close();
  });

  test('is imported, and tenants are deleted afterwards with their backups (unlimitedStorage)', async () => {
    const hex = (n) => n.toString(16).padStart(12, '0');
    const tenants = Array.from({ length: 50_000 }, (_, i) => {
      const n = String(i + 1).padStart(5, '0');
      return { name: `Customer ${n}`, id: `00000000-0000-4000-8000-${hex(i + 1)}`, domain: `customer${n}.onmicrosoft.com` };
    });
    const text = ['name,tenant id,domain', ...tenants.map((t) => `${t.name},${t.id},${t.domain}`)].join('\n');
    const preview = await browser.send({ what: 'previewImport', data: Buffer.from(text).toString('base64') });
    assert.equal(preview.ok, true, JSON.stringify(preview.error));
    const imported = await browser.send({ what: 'importTenants' });
    assert.equal(imported.ok, true, JSON.stringify(imported.error));
    assert.deepEqual(imported.imported.counts, { new: 50_000, renamed: 0, domainChanged: 0, tagsChanged: 0, changed: 0, unchanged: 0, rejected: 0, removed: 0 });
    assert.equal(imported.state.tenantCount, 50_000);

    for (const tenant of [tenants[0], tenants[49_999]]) {
      const deleted = await browser.send(operation({ op: 'deleteTenant', id: tenant.id }));
      assert.equal(deleted.ok, true, JSON.stringify(deleted.error));
      assert.equal(deleted.backupSkipped, undefined, 'with unlimitedStorage the backup is kept');
    }
    const state = await browser.sendOk({ what: 'getState' });
    assert.equal(state.tenantCount, 49_998);
    assert.deepEqual(state.backups.map((b) => [b.reason, b.count]), [['deleteTenant', 49_999], ['deleteTenant', 50_000], ['import', 0]]);
    const bytes = await browser.inWorker(() => chrome.storage.local.getBytesInUse(null));
    assert.ok(bytes > 10 * 1024 * 1024, `${bytes} bytes: beyond what storage.local holds without unlimitedStorage`);
    const settings = (await browser.storage()).settings;
    assert.equal(settings.tenants.length, 49_998);
    assert.deepEqual(settings.tenants[0], tenants[1]);
  });
});

test('no console errors, uncaught errors or CSP violations', () => {
  assert.deepEqual(earlierErrors, []);
});

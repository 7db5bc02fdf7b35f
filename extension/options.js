// The options page: add, edit, delete (with undo) and filter tenants, import (with a preview),
// export, restore the previous list, and switch automatic rewrite. Every change is one message to the background, which validates it with the core and
// stores it; the page checks input with the core first only to answer at once.

import init, * as core from './core/tenant_switch.js';
import {
  onManagedChanged,
  onStorageChanged,
  requestHostAccess,
  sendMessage,
} from './browser-adapter.js';
import { errorMessage, formatNumber, localize, t, uiLanguage } from './i18n.js';

/** Rows drawn per page: a few hundred DOM rows at most, whatever the size of the list. */
const PAGE_SIZE = 100;

const $ = (id) => document.getElementById(id);
const addForm = $('add');
const filter = $('filter');
const list = $('tenant-list');
const byName = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

let state = null;
// The core's search over the list, built on the first filter query after each state: building it
// validates every tenant again (about 50 ms for 10,000), which an unfiltered list never needs.
let picker = null;
let pickerSettings = null;
let tenantsById = new Map();
let sorted = [];
let page = 0;
/** `{id, draft: {name, id, domain}, error}` while a tenant is edited in place, else null. */
let editing = null;
/** The IDs of the tenants the enterprise policy manages (no Edit, no Delete). */
let managed = new Set();

const isolate = (text) => `\u2068${text}\u2069`;
const element = (tag, properties = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
};

async function send(message) {
  const answer = await sendMessage(message);
  if (!answer?.ok) throw answer?.error ?? new Error('no answer');
  setState(answer.state);
  return answer.state;
}

const applyOperation = (operation) => send({ what: 'applyOperation', operation });

function setState(next) {
  state = next;
  // Under an enterprise policy the list is the core's merged view: policy tenants are marked
  // managed, a user tenant with a policy tenant's ID is hidden behind it.
  const settings = state.policy?.settings ?? state.settings ?? null;
  managed = new Set(state.policy?.managedTenants ?? []);
  const tenants = settings?.tenants ?? [];
  tenantsById = new Map(tenants.map((tenant) => [tenant.id, tenant]));
  sorted = [...tenants].sort((a, b) => byName.compare(a.name, b.name) || (a.id < b.id ? -1 : 1));
  picker?.free();
  picker = null;
  pickerSettings = settings;
  if (editing && !tenantsById.has(editing.id)) editing = null;

  $('problem').hidden = !state.problem;
  $('problem').textContent = state.problem ? t('problemBanner', [errorMessage(state.problem)]) : '';
  $('host-access').hidden = state.hostAccess !== false;
  $('automatic-rewrite').checked = settings?.automaticRewrite ?? true;
  $('automatic-rewrite').disabled = state.policy?.automaticRewriteForced === true;
  renderPolicy();
  renderSync();
  renderList();
}

async function refresh() {
  const answer = await sendMessage({ what: 'getState' });
  if (answer?.ok) setState(answer.state);
  else say(errorMessage(answer?.error));
}

/** The tenants the filter lets through: A to Z, or best match first as the core ranks them. */
function filtered() {
  const query = filter.value;
  if (!query.trim() || !pickerSettings) return sorted;
  picker ??= new core.TenantPicker(pickerSettings, t('noTenant'));
  const { items } = picker.search(query, sorted.length + 1);
  return items.flatMap(({ id }) => (id !== null && tenantsById.has(id) ? [tenantsById.get(id)] : []));
}

function renderList() {
  const focused = document.activeElement;
  const focus = list.contains(focused)
    ? { id: focused.id, start: focused.selectionStart, end: focused.selectionEnd }
    : null;

  const tenants = filtered();
  const pages = Math.max(1, Math.ceil(tenants.length / PAGE_SIZE));
  page = Math.min(page, pages - 1);
  const first = page * PAGE_SIZE;
  const rows = tenants.slice(first, first + PAGE_SIZE);
  list.replaceChildren(
    ...rows.map((tenant) => (editing?.id === tenant.id ? editRow(tenant) : tenantRow(tenant))),
  );

  $('list-status').textContent =
    tenants.length === 0
      ? t(sorted.length === 0 ? 'noTenantsYet' : 'noFilterMatches')
      : tenants.length > PAGE_SIZE
        ? t('listShowing', [first + 1, first + rows.length, tenants.length].map(formatNumber))
        : '';
  $('previous-page').disabled = page === 0;
  $('next-page').disabled = page >= pages - 1;
  $('previous-page').parentElement.hidden = pages === 1;

  if (focus?.id && $(focus.id)) {
    const target = $(focus.id);
    target.focus();
    if (typeof focus.start === 'number') target.setSelectionRange(focus.start, focus.end);
  }
}

/** The policy notices: a withdrawn active tenant (an alert), ignored entries and name clashes. */
function renderPolicy() {
  let notes = $('policy-notes');
  if (!notes) {
    notes = element('div', { id: 'policy-notes' });
    $('problem').after(notes);
  }
  const policy = state.policy;
  const removed = policy?.activeTenantRemoved ?? null;
  const alert = element('p', {
    id: 'policy-removed',
    className: 'banner',
    textContent: removed === null ? '' : t('policyActiveTenantRemoved', [removed]),
  });
  alert.setAttribute('role', 'alert');
  alert.hidden = removed === null;
  const lines = [
    ...(policy?.problems ?? []).map((problem) => t('policyProblem', [errorMessage(problem)])),
    ...(policy?.nameClashes ?? []).map(({ name, shownAs }) =>
      t('policyNameClash', [isolate(name), isolate(shownAs)]),
    ),
  ];
  const note = element('div', { id: 'policy-problems', className: 'banner' });
  note.setAttribute('role', 'note');
  note.hidden = lines.length === 0;
  note.append(
    element('p', { textContent: t('policyProblemsHeading') }),
    element('ul', {}, ...lines.map((text) => element('li', { textContent: text }))),
  );
  notes.replaceChildren(alert, note);
}

function tenantRow(tenant) {
  const nameId = `name-${tenant.id}`;
  const details = element(
    'div',
    { className: 'tenant' },
    element('bdi', { className: 'name', id: nameId, textContent: tenant.name }),
  );
  if (tenant.id === (state.policy?.settings ?? state.settings)?.activeTenant) {
    details.append(element('span', { className: 'active-marker', textContent: t('activeMarker') }));
  }
  details.append(element('code', { className: 'id', textContent: tenant.id }));
  if (tenant.domain) {
    details.append(element('bdi', { className: 'domain', textContent: tenant.domain }));
  }
  if (managed.has(tenant.id)) {
    // The administrator's tenant: no Edit or Delete, the policy is the only place to change it.
    details.append(element('span', { className: 'managed-marker', textContent: t('managedTenant') }));
    return element('li', { className: 'managed' }, details);
  }

  const edit = element('button', { type: 'button', id: `edit-${tenant.id}`, textContent: t('edit') });
  edit.setAttribute('aria-describedby', nameId);
  edit.addEventListener('click', () => {
    // The stored tenant, not the merged view's (which may show a name clash renamed).
    const own = state.settings?.tenants.find(({ id }) => id === tenant.id) ?? tenant;
    editing = { id: tenant.id, draft: { ...own, domain: own.domain ?? '' }, error: '' };
    renderList();
    $('edit-name').focus();
  });
  const remove = element('button', { type: 'button', id: `delete-${tenant.id}`, textContent: t('delete') });
  remove.setAttribute('aria-describedby', nameId);
  remove.addEventListener('click', handle(() => deleteTenant(tenant)));

  return element('li', {}, details, element('div', { className: 'row-actions' }, edit, remove));
}

function editRow(tenant) {
  const { draft } = editing;
  const form = element('form', { className: 'tenant-fields', noValidate: true });
  for (const [field, label] of [
    ['name', 'tenantNameLabel'],
    ['id', 'tenantIdLabel'],
    ['domain', 'domainLabel'],
  ]) {
    const input = element('input', {
      id: `edit-${field}`,
      name: field,
      value: draft[field],
      autocomplete: 'off',
      dir: field === 'name' ? 'auto' : 'ltr',
    });
    if (editing.errorField === field) input.setAttribute('aria-invalid', 'true');
    input.addEventListener('input', () => {
      draft[field] = input.value;
    });
    form.append(element('label', { htmlFor: input.id, textContent: t(label) }), input);
  }
  const error = element('p', { className: 'error', textContent: editing.error });
  error.setAttribute('role', 'alert');
  const cancel = element('button', { type: 'button', textContent: t('cancel') });
  cancel.addEventListener('click', () => stopEditing(tenant.id));
  form.append(
    error,
    element(
      'div',
      { className: 'row-actions' },
      element('button', { type: 'submit', textContent: t('save') }),
      cancel,
    ),
  );
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') stopEditing(tenant.id);
  });
  form.addEventListener(
    'submit',
    handle(async (event) => {
      event.preventDefault();
      const changed = tenantFrom(draft);
      try {
        core.validateTenant(changed);
        await applyOperation({ op: 'editTenant', id: tenant.id, tenant: changed });
      } catch (problem) {
        editing = { ...editing, error: errorMessage(problem), errorField: fieldOf(problem) };
        renderList();
        $(`edit-${editing.errorField ?? 'name'}`)?.focus();
        return;
      }
      const id = core.parseTenantId(changed.id);
      say(t('saved', [isolate(changed.name.trim())]));
      stopEditing(id);
    }),
  );
  return element('li', { className: 'editing' }, form);
}

function stopEditing(id) {
  editing = null;
  renderList();
  ($(`edit-${id}`) ?? filter).focus();
}

/** The operation's tenant from form values; an empty domain means none. */
function tenantFrom({ name, id, domain }) {
  return domain.trim() ? { name, id, domain } : { name, id };
}

/** Which input an error is about, from its name's prefix. */
function fieldOf(problem) {
  const name = String(problem?.name ?? '');
  if (name.startsWith('TenantName')) return 'name';
  if (name.startsWith('TenantId')) return 'id';
  if (name.startsWith('Domain')) return 'domain';
  return null;
}

async function deleteTenant(tenant) {
  const wasActive = state.settings?.activeTenant === tenant.id;
  await applyOperation({ op: 'deleteTenant', id: tenant.id });
  const undo = element('button', { type: 'button', textContent: t('undo') });
  undo.addEventListener(
    'click',
    handle(async () => {
      await applyOperation({ op: 'addTenant', tenant });
      if (wasActive) await applyOperation({ op: 'setActiveTenant', id: tenant.id });
      say(t('restored', [isolate(tenant.name)]));
      ($(`edit-${tenant.id}`) ?? filter).focus();
    }),
  );
  say(t('deleted', [isolate(tenant.name)]), undo);
  undo.focus();
}

/** Puts a message (and an optional button) in the list's status line. */
function say(text, button) {
  const bar = $('undo-bar');
  bar.replaceChildren(element('span', { textContent: text }));
  if (button) bar.append(' ', button);
}

function handle(handler) {
  return (event) => {
    Promise.resolve(handler(event)).catch((problem) => say(errorMessage(problem)));
  };
}

addForm.addEventListener(
  'submit',
  handle(async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(['name', 'id', 'domain'].map((f) => [f, addForm.elements[f]]));
    for (const input of Object.values(fields)) input.removeAttribute('aria-invalid');
    const tenant = tenantFrom(Object.fromEntries(Object.entries(fields).map(([f, i]) => [f, i.value])));
    try {
      core.validateTenant(tenant);
      await applyOperation({ op: 'addTenant', tenant });
    } catch (problem) {
      $('add-error').textContent = errorMessage(problem);
      const field = fields[fieldOf(problem) ?? 'name'];
      if (fieldOf(problem)) field.setAttribute('aria-invalid', 'true');
      field.focus();
      return;
    }
    $('add-error').textContent = '';
    addForm.reset();
    say(t('added', [isolate(tenant.name.trim())]));
    fields.name.focus();
  }),
);

filter.addEventListener('input', () => {
  page = 0;
  renderList();
});
$('previous-page').addEventListener('click', () => {
  page -= 1;
  renderList();
});
$('next-page').addEventListener('click', () => {
  page += 1;
  renderList();
});
$('automatic-rewrite').addEventListener(
  'change',
  handle(async (event) => {
    $('settings-error').textContent = '';
    try {
      await applyOperation({ op: 'setAutomaticRewrite', enabled: event.target.checked });
    } catch (problem) {
      event.target.checked = !event.target.checked;
      $('settings-error').textContent = errorMessage(problem);
    }
  }),
);
$('request-host-access').addEventListener(
  'click',
  handle(async () => {
    // Straight from the click: the browser shows the permission prompt only for a user gesture.
    const granted = await requestHostAccess();
    if (!granted) say(t('hostAccessDenied'));
    await refresh();
  }),
);

// --- import, export, backups --------------------------------------------------------------

/** The largest file offered to the core (src/import.rs IMPORT_SIZE_LIMIT); checked before reading. */
const IMPORT_SIZE_LIMIT = 10 * 1024 * 1024;
const COLUMN_LABELS = { name: 'tenantNameLabel', id: 'tenantIdLabel', domain: 'domainLabel' };
const importFile = $('import-file');
/** `{name, bytes}` of the file shown in the preview, until it is applied or cancelled. */
let pendingImport = null;
/** The newest backup's summary `{savedAt, reason, count}`, or null. */
let newestBackup = null;

/** Sends `message`; the whole answer (some carry more than the state). Throws the error. */
async function request(message) {
  const answer = await sendMessage(message);
  if (!answer?.ok) throw answer?.error ?? new Error('no answer');
  return answer;
}

/**
 * errorMessage for import errors: the core names a column by key and an earlier row by line or
 * entry; the messages take the localised column label and position.
 */
function importErrorMessage(error) {
  const details = { ...error, name: error?.name, message: error?.message };
  const column = (key) => (COLUMN_LABELS[key] ? t(COLUMN_LABELS[key]) : String(key));
  if (details.name === 'ImportMissingColumn') {
    details.column = column(error.column);
    details.found = (error.found ?? []).join(', ');
  }
  if (details.name === 'ImportRowWrongType') details.field = column(error.field);
  if (details.name === 'ImportRowDuplicateId' || details.name === 'ImportRowNameTaken') {
    const position =
      typeof error.firstLine === 'number'
        ? t('importFirstLine', [formatNumber(error.firstLine)])
        : typeof error.firstEntry === 'number'
          ? t('importFirstEntry', [formatNumber(error.firstEntry)])
          : null;
    details.first =
      details.name === 'ImportRowDuplicateId'
        ? position
        : position
          ? t('importInFile', [position])
          : t('importInList');
  }
  return errorMessage(details);
}

/**
 * The policy tenants as a managed policy object (`{tenants}`) for the core, which rejects import
 * rows that clash with them. The page has the core's merged view, in which policy tenants are
 * listed exactly as the policy gives them.
 */
function policyTenants() {
  const tenants = (state.policy?.managedTenants ?? []).map((id) => tenantsById.get(id));
  return { tenants: tenants.filter(Boolean) };
}

function base64(bytes) {
  if (typeof bytes.toBase64 === 'function') return bytes.toBase64();
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

const countsOf = ({ new: added, renamed, unchanged, rejected }) =>
  [added, renamed, unchanged, rejected].map(formatNumber);

function closeImport() {
  pendingImport = null;
  importFile.value = '';
  $('import-preview').hidden = true;
  $('import-rejected-rows').replaceChildren();
}

function showPreview(name, preview) {
  const rejected = preview.rows.filter((row) => row.status === 'rejected');
  $('import-preview-heading').textContent = t('importPreviewHeading', [isolate(name)]);
  const counts = $('import-counts');
  counts.textContent = t('importCounts', countsOf(preview.counts));
  if (rejected.length) counts.setAttribute('role', 'alert');
  else counts.removeAttribute('role');
  $('import-rejected-rows').replaceChildren(
    ...rejected.map((row) =>
      element(
        'tr',
        {},
        element('th', {
          scope: 'row',
          textContent:
            row.line !== undefined
              ? t('importRowLine', [formatNumber(row.line)])
              : t('importRowEntry', [formatNumber(row.entry)]),
        }),
        element('td', { textContent: importErrorMessage(row.error) }),
      ),
    ),
  );
  $('import-rejected').hidden = rejected.length === 0;
  $('import-preview').hidden = false;
}

importFile.addEventListener(
  'change',
  handle(async () => {
    const file = importFile.files?.[0];
    $('import-error').textContent = '';
    $('transfer-status').textContent = '';
    pendingImport = null;
    $('import-preview').hidden = true;
    if (!file) return;
    // The file is judged against the list as the background has it, so that must be known.
    if (!state) await refresh();
    if (!state?.settings) {
      closeImport();
      $('import-error').textContent = state?.problem
        ? t('problemBanner', [errorMessage(state.problem)])
        : t('error_Unknown', ['no settings']);
      return;
    }
    if (file.size > IMPORT_SIZE_LIMIT) {
      closeImport();
      $('import-error').textContent = importErrorMessage({
        name: 'ImportTooLarge',
        size: file.size,
        limit: IMPORT_SIZE_LIMIT,
      });
      return;
    }
    let bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (problem) {
      closeImport();
      $('import-error').textContent = t('importReadFailed', [problem?.message ?? String(problem)]);
      return;
    }
    try {
      const preview = core.previewImport(state.settings, bytes, policyTenants());
      pendingImport = { name: file.name, bytes };
      showPreview(file.name, preview);
    } catch (problem) {
      closeImport();
      $('import-error').textContent = importErrorMessage(problem);
    }
  }),
);

$('apply-import').addEventListener(
  'click',
  handle(async () => {
    if (!pendingImport) return;
    try {
      // The background judges the file again against the list as it is then, in its queue.
      const answer = await request({ what: 'importTenants', data: base64(pendingImport.bytes) });
      setState(answer.state);
      closeImport();
      $('transfer-status').textContent = t('importApplied', countsOf(answer.preview.counts));
    } catch (problem) {
      $('import-error').textContent = importErrorMessage(problem);
    }
    importFile.focus();
  }),
);

$('cancel-import').addEventListener('click', () => {
  closeImport();
  $('import-error').textContent = '';
  $('transfer-status').textContent = t('importCancelled');
  importFile.focus();
});

/** Saves `text` as a download named `filename`, without a native dialog of the page's own. */
function download(text, filename, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = element('a', { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

$('export-json').addEventListener(
  'click',
  handle(() => {
    download(core.exportJson(state?.settings), 'tenant-switch-tenants.json', 'application/json');
  }),
);
$('export-csv').addEventListener(
  'click',
  handle(() => {
    download(core.exportCsv(state?.settings), 'tenant-switch-tenants.csv', 'text/csv;charset=utf-8');
  }),
);

const formatDate = (ms) =>
  new Intl.DateTimeFormat(uiLanguage(), { dateStyle: 'medium', timeStyle: 'short' }).format(ms);

function renderBackups(backups) {
  newestBackup = backups[0] ?? null;
  $('restore-list').disabled = !newestBackup;
  $('restore-info').textContent = newestBackup
    ? t('restoreAvailable', [
        formatDate(newestBackup.savedAt),
        t(`backupReason_${newestBackup.reason}`) || newestBackup.reason,
        formatNumber(newestBackup.count),
      ])
    : t('restoreNone');
}

async function refreshBackups() {
  renderBackups((await request({ what: 'getTenantListBackups' })).backups);
}

$('restore-list').addEventListener(
  'click',
  handle(async () => {
    const restoring = newestBackup;
    if (!restoring) return;
    try {
      const answer = await request({ what: 'restoreTenantList' });
      setState(answer.state);
      $('transfer-status').textContent = t('listRestored', [
        formatDate(restoring.savedAt),
        formatNumber(restoring.count),
      ]);
    } catch (problem) {
      $('import-error').textContent = errorMessage(problem);
    }
    await refreshBackups();
  }),
);

// --- sync (sync-manager.js in the background) ----------------------------------------------

/** The sync checkbox and its messages, from `state.sync` `{enabled, allowed, problem, held}`. */
function renderSync() {
  const sync = state?.sync;
  const box = $('sync-enabled');
  box.checked = sync?.enabled === true;
  box.disabled = !sync || sync.allowed === false;
  // Why sync was turned off (e.g. the list is too large): shown until the user tries again.
  $('sync-error').textContent = sync?.problem ? errorMessage(sync.problem) : '';
  $('sync-status').textContent = sync?.held?.length
    ? t('syncHeld', [formatNumber(sync.held.length)])
    : '';
}

$('sync-enabled').addEventListener(
  'change',
  handle(async (event) => {
    const enabled = event.target.checked;
    $('sync-error').textContent = '';
    try {
      await send({ what: 'setSyncEnabled', enabled });
    } catch (problem) {
      event.target.checked = !enabled;
      $('sync-error').textContent = errorMessage(problem);
    }
  }),
);

localize();
const update = () => refresh().catch((problem) => say(errorMessage(problem)));
await init();
onStorageChanged(update);
// A changed enterprise policy changes the list too (the background re-reads it per request).
onManagedChanged(update);
window.addEventListener('focus', update);
await update();
const updateBackups = () => refreshBackups().catch((problem) => say(errorMessage(problem)));
onStorageChanged(updateBackups);
await updateBackups();

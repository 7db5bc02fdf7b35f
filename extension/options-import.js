// The options page's import, export and backups. The background holds the import preview after
// `previewImport`, so this page asks for one page of rows at a time (`importRows`, at most 100:
// a filter keystroke never sends the file again), applies exactly what it showed
// (`importTenants`) and draws the answers. A restore that would remove tenants is confirmed
// here, in the page, before anything changes (the background answers `confirmRestore` first).

import { errorMessage, formatNumber, importErrorMessage, t, uiLanguage } from './i18n.js';

const $ = (id) => document.getElementById(id);
const element = (tag, properties = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
};
const isolate = (text) => `\u2068${text}\u2069`;
const formatDate = (ms) =>
  new Intl.DateTimeFormat(uiLanguage(), { dateStyle: 'medium', timeStyle: 'short' }).format(ms);

/** The `show` filters, in the order the select lists them. */
const SHOWS = ['changes', 'new', 'changed', 'renamed', 'domainChanged', 'tagsChanged', 'unchanged', 'rejected', 'removed', 'all'];
const FILTER_COUNTS = {
  new: (c) => c.new,
  changed: (c) => c.changed,
  renamed: (c) => c.renamed,
  domainChanged: (c) => c.domainChanged,
  tagsChanged: (c) => c.tagsChanged,
  unchanged: (c) => c.unchanged,
  rejected: (c) => c.rejected,
  removed: (c) => c.removed,
  changes: (c) => c.new + c.changed + c.rejected + c.removed,
  all: (c) => c.new + c.changed + c.unchanged + c.rejected + c.removed,
};

/** What the page needs from options.js. */
let host = { request: async () => ({}), refreshList: async () => {}, save: () => {} };
let state = null;
/** `{name, preview}` while a preview is shown: `preview` is the background's last page. */
let shown = null;
/** Raised for every rows request, so that a slow answer never replaces a newer one. */
let asked = 0;
/** The restore the page asks about: the background's `confirmRestore`. */
let question = null;

function base64(bytes) {
  if (typeof bytes.toBase64 === 'function') return bytes.toBase64();
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** "2 new, 1 changed, 3 unchanged, 1 rejected", with the removals in "match" mode. */
function countsText(counts, mode, removalKey = 'importCountsRemoval') {
  const text = t('importCounts', [counts.new, counts.changed, counts.unchanged, counts.rejected].map(formatNumber));
  return mode === 'match' ? t(removalKey, [text, formatNumber(counts.removed)]) : text;
}

const importFile = () => $('import-file');
const mode = () => document.querySelector('input[name="import-mode"]:checked')?.value ?? 'merge';

/** Hides the preview; after an apply or a cancel also the file, and the mode goes back to "Add
 * and update", so that the next file never removes tenants unless asked again. */
function closeImport({ keepFile = false } = {}) {
  shown = null;
  asked += 1;
  if (!keepFile) {
    importFile().value = '';
    for (const input of document.querySelectorAll('input[name="import-mode"]')) input.checked = input.value === 'merge';
  }
  $('import-preview').hidden = true;
  $('import-rows').replaceChildren();
  $('import-filter').value = '';
  $('import-show').value = 'changes';
}

// --- the preview ----------------------------------------------------------------------------

/** A value that changed: old, a hidden "becomes" for screen readers, new. */
function change(before, after) {
  const arrow = element('span', { className: 'arrow', textContent: ' → ' });
  arrow.setAttribute('aria-hidden', 'true');
  const none = before === t('importDetailNone');
  return element(
    'span',
    { className: 'change' },
    element('bdi', { className: none ? 'before none' : 'before', textContent: before }),
    arrow,
    element('span', { className: 'visually-hidden', textContent: ` ${t('importBecomes')} ` }),
    element('bdi', { className: 'after', textContent: after }),
  );
}

const listText = (list) => (list?.length ? list.join(', ') : t('importDetailNone'));

/** One line of the details cell: "Primary domain: contoso.com" or "…: old → new". */
function detail(key, before, after) {
  const line = element('div', {}, element('span', { className: 'detail-label', textContent: `${t(key)} ` }));
  if (after === undefined) line.append(element('bdi', { textContent: before }));
  else line.append(change(before, after));
  return line;
}

function previewRow(row) {
  const position =
    row.line !== undefined
      ? t('importRowLine', [formatNumber(row.line)])
      : row.entry !== undefined
        ? t('importRowEntry', [formatNumber(row.entry)])
        : t('importNotInFile');
  const tenant = row.tenant ?? {};
  const status = element('td', { className: `status status-${row.status}` });
  const name = element('td');
  const id = element('td', {}, element('code', { className: 'id', textContent: tenant.id ?? row.values?.id ?? '' }));
  const details = element('td', { className: 'details' });
  const fields = (of) => {
    if (of.domain) details.append(detail('importDetailDomain', of.domain));
    if (of.initialDomain) details.append(detail('importDetailInitialDomain', of.initialDomain));
    if (of.tags?.length) details.append(detail('importDetailTags', listText(of.tags)));
    if (of.aliases?.length) details.append(detail('importDetailAliases', listText(of.aliases)));
  };
  switch (row.status) {
    case 'changed': {
      const previous = row.previous;
      status.textContent = row.changes.map((c) => t(`importChange_${c}`)).join(', ');
      name.append(row.changes.includes('name') ? change(previous.name, tenant.name) : element('bdi', { textContent: tenant.name }));
      const none = t('importDetailNone');
      for (const [field, key, text] of [
        ['domain', 'importDetailDomain', (v) => v ?? none],
        ['initialDomain', 'importDetailInitialDomain', (v) => v ?? none],
        ['tags', 'importDetailTags', listText],
        ['aliases', 'importDetailAliases', listText],
      ]) {
        if (row.changes.includes(field)) details.append(detail(key, text(previous[field]), text(tenant[field])));
      }
      break;
    }
    case 'rejected': {
      // The file's own values, and why the row is not imported.
      status.textContent = t('importStatus_rejected');
      name.append(element('bdi', { textContent: row.values?.name ?? '' }));
      const reason = element('div', { className: 'error', textContent: importErrorMessage(row.error) });
      details.append(reason);
      if (row.values) fields(row.values);
      break;
    }
    default:
      status.textContent = t(`importStatus_${row.status}`);
      name.append(element('bdi', { textContent: tenant.name ?? '' }));
      fields(tenant);
  }
  return element(
    'tr',
    { className: `import-${row.status}` },
    element('th', { scope: 'row', textContent: position }),
    status,
    name,
    id,
    details,
  );
}

function drawPreview(preview) {
  shown.preview = preview;
  const { counts } = preview;
  $('import-preview-heading').textContent = t('importPreviewHeading', [isolate(shown.name)]);
  const summary = $('import-counts');
  summary.textContent = countsText(counts, preview.mode);
  // Rejected rows make the counts an alert.
  if (counts.rejected) summary.setAttribute('role', 'alert');
  else summary.removeAttribute('role');
  for (const input of document.querySelectorAll('input[name="import-mode"]')) input.checked = input.value === preview.mode;
  const select = $('import-show');
  const selected = preview.show;
  select.replaceChildren(
    ...SHOWS.filter((show) => show !== 'removed' || preview.mode === 'match').map((show) =>
      element('option', { value: show, textContent: t(`importShow_${show}`, [formatNumber(FILTER_COUNTS[show](counts))]) }),
    ),
  );
  select.value = selected === 'removed' && preview.mode !== 'match' ? 'changes' : selected;
  $('import-rows').replaceChildren(...preview.rows.map(previewRow));
  const first = preview.offset + 1;
  const last = preview.offset + preview.rows.length;
  $('import-rows-status').textContent = preview.total
    ? t('importRowsShowing', [first, last, preview.total].map(formatNumber))
    : t('importRowsNone');
  $('import-previous-rows').disabled = preview.offset === 0;
  $('import-next-rows').disabled = last >= preview.total;
  $('import-pager').hidden = preview.total <= preview.limit;
  $('import-preview').hidden = false;
}

/** Asks for the rows the controls select; draws the answer unless a newer one was asked for. */
async function showRows({ offset = 0 } = {}) {
  if (!shown) return;
  const ask = ++asked;
  const message = { what: 'importRows', mode: mode(), show: $('import-show').value, query: $('import-filter').value, offset };
  try {
    const { preview } = await host.request(message);
    if (ask === asked && shown) drawPreview(preview);
  } catch (problem) {
    if (ask !== asked) return;
    if (problem?.name === 'ImportPreviewNone') closeImport();
    $('import-error').textContent = importErrorMessage(problem);
  }
}

async function chooseFile() {
  const file = importFile().files?.[0];
  $('import-error').textContent = '';
  $('transfer-status').textContent = '';
  closeImport({ keepFile: true });
  if (!file) return;
  const limit = state?.importSizeLimit ?? Infinity;
  if (file.size > limit) {
    closeImport();
    $('import-error').textContent = importErrorMessage({ name: 'ImportTooLarge', size: file.size, limit });
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
    const { preview } = await host.request({ what: 'previewImport', data: base64(bytes), mode: mode() });
    shown = { name: file.name, preview };
    asked += 1;
    drawPreview(preview);
  } catch (problem) {
    closeImport();
    $('import-error').textContent = importErrorMessage(problem);
  }
}

async function applyImport() {
  if (!shown) return;
  $('import-error').textContent = '';
  try {
    const { imported } = await host.request({ what: 'importTenants', mode: shown.preview.mode });
    closeImport();
    const counts = countsText(imported.counts, imported.mode, 'importCountsRemoved');
    const changed = imported.counts.new + imported.counts.changed + imported.counts.removed > 0;
    $('transfer-status').textContent = [t('importApplied', [counts]), changed ? t('importBackupKept') : '']
      .filter(Boolean)
      .join(' ');
    await host.refreshList();
  } catch (problem) {
    $('import-error').textContent = importErrorMessage(problem);
    // The background judged the file again: show what it would do now.
    if (problem?.name === 'ImportPreviewChanged') await showRows();
    if (problem?.name === 'ImportPreviewNone') closeImport();
  }
  importFile().focus();
}

async function cancelImport() {
  closeImport();
  $('import-error').textContent = '';
  $('transfer-status').textContent = t('importCancelled');
  importFile().focus();
  await host.request({ what: 'discardImport' });
}

// --- backups ----------------------------------------------------------------------------------

/** The backups line and the restore button, from the background's state. */
export function drawTransferState(next) {
  state = next;
  const newest = state.backups[0] ?? null;
  $('restore-list').disabled = !newest;
  const reason = newest ? t(`backupReason_${newest.reason}`) || newest.reason : '';
  $('restore-info').textContent = !newest
    ? t('restoreNone')
    : newest.count === 0
      ? t('restoreAvailableEmpty', [formatDate(newest.savedAt), reason])
      : newest.count === 1
        ? t('restoreAvailableOne', [formatDate(newest.savedAt), reason])
        : t('restoreAvailable', [formatDate(newest.savedAt), reason, formatNumber(newest.count)]);
  if (question && newest?.id !== question.id) closeQuestion();
}

function closeQuestion() {
  question = null;
  $('restore-confirm').hidden = true;
}

function ask(confirmRestore) {
  question = confirmRestore;
  const { removing } = confirmRestore;
  const names = removing.tenants.map((tenant) => isolate(tenant.name)).join(', ');
  const more = removing.total - removing.tenants.length;
  const date = formatDate(confirmRestore.savedAt);
  const listed = more > 0 ? t('restoreConfirmMore', [names, formatNumber(more)]) : names;
  const removes =
    removing.total === 1
      ? t('restoreConfirmTextOne', [date, listed])
      : t('restoreConfirmText', [date, formatNumber(removing.total), listed]);
  const { count } = confirmRestore;
  const holds =
    count === 0
      ? t('restoreConfirmHoldsNone')
      : count === 1
        ? t('restoreConfirmHoldsOne')
        : t('restoreConfirmHolds', [formatNumber(count)]);
  $('restore-confirm-text').textContent = `${removes} ${holds}`;
  $('restore-confirm-button').textContent =
    removing.total === 1 ? t('restoreConfirmButtonOne') : t('restoreConfirmButton', [formatNumber(removing.total)]);
  $('restore-confirm').hidden = false;
  $('restore-confirm-button').focus();
}

/** Restores the newest backup (`confirm`: the removals the page showed are confirmed). */
async function restore({ confirm = false } = {}) {
  const id = confirm ? question?.id : state?.backups[0]?.id;
  if (id === undefined) return;
  $('import-error').textContent = '';
  try {
    const answer = await host.request({ what: 'restoreBackup', id, confirm });
    if (answer.confirmRestore) return ask(answer.confirmRestore);
    closeQuestion();
    const { savedAt, count } = answer.restored;
    $('transfer-status').textContent =
      count === 1 ? t('listRestoredOne', [formatDate(savedAt)]) : t('listRestored', [formatDate(savedAt), formatNumber(count)]);
    await host.refreshList();
  } catch (problem) {
    closeQuestion();
    $('import-error').textContent = errorMessage(problem);
  }
}

// --- setup ------------------------------------------------------------------------------------

/**
 * Wires the import, export and backup controls. `request(message)` sends a message and returns
 * the answer (throwing the core's error), `refreshList()` redraws the tenant list, `save(file)`
 * downloads `{name, type, text}`.
 */
export function setupTransfer(dependencies) {
  host = dependencies;
  const handle = (handler) => (event) => {
    Promise.resolve(handler(event)).catch((problem) => {
      $('import-error').textContent = errorMessage(problem);
    });
  };
  importFile().addEventListener('change', handle(chooseFile));
  for (const input of document.querySelectorAll('input[name="import-mode"]')) {
    input.addEventListener('change', handle(() => showRows()));
  }
  $('import-show').addEventListener('change', handle(() => showRows()));
  $('import-filter').addEventListener('input', handle(() => showRows()));
  $('import-previous-rows').addEventListener(
    'click',
    handle(() => showRows({ offset: Math.max(0, shown.preview.offset - shown.preview.limit) })),
  );
  $('import-next-rows').addEventListener('click', handle(() => showRows({ offset: shown.preview.offset + shown.preview.limit })));
  $('apply-import').addEventListener('click', handle(applyImport));
  $('cancel-import').addEventListener('click', handle(cancelImport));
  for (const [id, format] of [
    ['export-json', 'json'],
    ['export-csv', 'csv'],
  ]) {
    $(id).addEventListener(
      'click',
      handle(async () => {
        $('export-error').textContent = '';
        try {
          host.save((await host.request({ what: 'exportTenants', format })).file);
        } catch (problem) {
          $('export-error').textContent = errorMessage(problem);
        }
      }),
    );
  }
  $('restore-list').addEventListener('click', handle(() => restore()));
  $('problem-restore').addEventListener('click', handle(() => restore()));
  $('restore-confirm-button').addEventListener('click', handle(() => restore({ confirm: true })));
  $('restore-cancel').addEventListener('click', () => {
    closeQuestion();
    $('transfer-status').textContent = t('restoreCancelled');
    $('restore-list').focus();
  });
  $('problem-import').addEventListener('click', () => importFile().click());
  $('first-import-button').addEventListener('click', () => importFile().click());
}

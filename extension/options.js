// The options page: the tenant list (filtered and paged by the background; each row's colour
// and favourite), add, edit, delete with undo, recovery from unreadable settings, and the
// switches; import, export and backups are options-import.js, the page options and the Portals
// section portal-settings.js. Every change is one message to the background, whose session
// validates, stores and answers; this page draws the answers. It loads no WebAssembly of its
// own.

import { onStorageChanged, requestHostAccess, sendMessage } from './browser-adapter.js';
import { errorMessage, formatNumber, localize, t, uiLanguage } from './i18n.js';
import { drawTransferState, setupTransfer } from './options-import.js';
import { portalSettings } from './portal-settings.js';

const $ = (id) => document.getElementById(id);
const addForm = $('add');
const filter = $('filter');
const rows = $('tenant-rows');

let state = null;
let list = null;
let page = 0;
/** `{id, draft: {name, id, domain, initialDomain, tags, aliases}, error, errorField}` while a tenant is edited in place. */
let editing = null;
/** A tenant is being added: the form keeps what was typed and cannot be sent twice. */
let adding = false;

const isolate = (text) => `\u2068${text}\u2069`;
const element = (tag, properties = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
};
const formatDate = (ms) =>
  new Intl.DateTimeFormat(uiLanguage(), { dateStyle: 'medium', timeStyle: 'short' }).format(ms);

/** Sends `message`; the whole answer. Throws the core's error. */
async function request(message) {
  const answer = await sendMessage(message);
  if (!answer?.ok) throw answer?.error ?? new Error('no answer');
  if (answer.state) drawState(answer.state);
  return answer;
}

/** A domain as text with a line-break opportunity after each dot, so a long one wraps there. */
function breakAfterDots(domain) {
  return domain.split(/(?<=\.)/).flatMap((part, index) => (index ? [document.createElement('wbr'), part] : [part]));
}

/** "12 tenants", "1 tenant", "12 tenants, 2 of them managed by your organisation". */
function listSummary(count, managed) {
  if (managed === 0) return count === 1 ? t('listSummaryOne') : t('listSummaryUser', [formatNumber(count)]);
  return count === 1 ? t('listSummaryOneManaged') : t('listSummary', [formatNumber(count), formatNumber(managed)]);
}

function handle(handler) {
  return (event) => {
    Promise.resolve(handler(event)).catch((problem) => say(errorMessage(problem)));
  };
}

/** A message (and an optional button) in the list's status line. */
function say(text, button) {
  const bar = $('undo-bar');
  bar.replaceChildren(element('span', { textContent: text }));
  if (button) bar.append(' ', button);
}

/**
 * Shows `text` in the form's alert `alert`, right after the field it is about (`input`, marked
 * invalid and described by it), or before the form's buttons when it is about no one field.
 */
function showFieldError(alert, input, text, fallbackAnchor) {
  const form = alert.closest('form');
  for (const field of form.querySelectorAll('input')) {
    field.removeAttribute('aria-invalid');
    const described = (field.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && id !== alert.id);
    if (described.length) field.setAttribute('aria-describedby', described.join(' '));
    else field.removeAttribute('aria-describedby');
  }
  if (!text) {
    alert.textContent = '';
    return;
  }
  if (input) {
    input.after(alert);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', [alert.id, input.getAttribute('aria-describedby')].filter(Boolean).join(' '));
  } else {
    fallbackAnchor.before(alert);
  }
  alert.textContent = text;
}

// --- state ----------------------------------------------------------------------------------

function drawState(next) {
  state = next;
  drawProblem();
  drawPolicy();
  $('host-access').hidden = state.hostAccess !== false;
  $('rules-error').hidden = !state.rulesError;
  $('rules-error').textContent = state.rulesError ? t('rulesFailed', [errorMessage(state.rulesError)]) : '';
  $('first-import').hidden = !state.usable || state.tenantCount > 0;
  const rewrite = $('automatic-rewrite');
  rewrite.checked = state.automaticRewrite;
  rewrite.disabled = !state.usable || state.automaticRewriteForced;
  addForm.querySelector('button[type="submit"]').disabled = !state.usable || adding;
  $('list-summary').textContent = state.usable ? listSummary(state.tenantCount, state.managedCount) : '';
  drawTransferState(state);
  drawSync();
}

function drawProblem() {
  const problem = state.problem;
  $('problem').hidden = !problem;
  if (problem) {
    $('problem-text').textContent = t('problemBanner', [errorMessage(problem.error)]);
    $('problem-copy').textContent = problem.copyError
      ? t('problemCopyFailed', [errorMessage(problem.copyError)])
      : t('problemCopyKept');
    $('problem-restore').disabled = state.backups.length === 0;
  }
  const kept = state.keptCopies;
  const unkept = problem?.copyError ? [{ savedAt: null, error: problem.error }] : [];
  $('kept').hidden = kept.length + unkept.length === 0;
  $('kept-list').replaceChildren(
    ...[...unkept, ...kept].map((copy) => {
      const when = copy.savedAt === null ? t('keptNotSaved') : t('keptSavedAt', [formatDate(copy.savedAt)]);
      const download = element('button', { type: 'button', textContent: t('downloadKeptCopy') });
      download.addEventListener(
        'click',
        handle(async () => save((await request({ what: 'exportKeptCopy', savedAt: copy.savedAt })).file)),
      );
      const item = element('li', {}, element('p', { textContent: `${when}: ${errorMessage(copy.error)}` }));
      const actions = element('div', { className: 'row-actions' }, download);
      if (copy.savedAt !== null) {
        const discard = element('button', { type: 'button', className: 'danger', textContent: t('discardKeptCopy') });
        discard.addEventListener(
          'click',
          handle(async () => {
            await request({ what: 'discardKeptCopy', savedAt: copy.savedAt });
            say(t('keptCopyDiscarded'));
          }),
        );
        actions.append(discard);
      }
      item.append(actions);
      return item;
    }),
  );
}

function drawPolicy() {
  const policy = state.policy;
  const notes = [];
  if (state.defaultTenantRemoved) {
    const removed = element('p', { className: 'banner', textContent: t('policyActiveTenantRemoved', [state.defaultTenantRemoved]) });
    removed.setAttribute('role', 'alert');
    notes.push(removed);
  }
  const lines = [
    ...policy.problems.map((problem) => t('policyProblem', [errorMessage(problem)])),
    ...state.nameClashes.map(({ name, shownAs }) => t('policyNameClash', [isolate(name), isolate(shownAs)])),
  ];
  if (policy.inForce) {
    lines.unshift(policy.current ? t('policyInForce') : t('policyLastSeen', [formatDate(policy.seenAt ?? Date.now())]));
  }
  if (lines.length) {
    const note = element('div', { className: 'banner' });
    note.setAttribute('role', 'note');
    note.append(
      element('p', { textContent: t('policyProblemsHeading') }),
      element('ul', {}, ...lines.map((text) => element('li', { textContent: text }))),
    );
    notes.push(note);
  }
  $('policy-notes').replaceChildren(...notes);
}

function drawSync() {
  const sync = state.sync;
  const box = $('sync-enabled');
  box.checked = sync.enabled;
  box.disabled = !sync.allowed || !state.usable;
  $('sync-error').textContent = sync.problem
    ? errorMessage(sync.problem)
    : sync.lastError
      ? t('syncRetrying', [errorMessage(sync.lastError)])
      : '';
  const held = sync.held.length;
  $('sync-status').textContent = held === 1 ? t('syncHeldOne') : held ? t('syncHeld', [formatNumber(held)]) : '';
}

// --- the list -------------------------------------------------------------------------------

async function refreshList() {
  const answer = await request({ what: 'listTenants', query: filter.value, page });
  list = answer.list;
  page = list.page;
  drawList();
}

function drawList() {
  const focused = document.activeElement;
  const focus = rows.contains(focused) ? { id: focused.id, start: focused.selectionStart, end: focused.selectionEnd } : null;
  if (editing && !list.rows.some((row) => row.id === editing.id) && !filter.value) {
    // Another page deleted the tenant being edited: say so instead of letting it vanish.
    say(t('editedTenantGone', [isolate(editing.draft.name)]));
    editing = null;
  }
  rows.replaceChildren(...list.rows.map((row) => (editing?.id === row.id ? editRow(row) : tenantRow(row))));
  $('list-status').textContent =
    list.total === 0
      ? t(state?.tenantCount ? 'noFilterMatches' : 'noTenantsYet')
      : list.total > list.pageSize
        ? t('listShowing', [list.first + 1, list.first + list.rows.length, list.total].map(formatNumber))
        : '';
  $('previous-page').disabled = list.page === 0;
  $('next-page').disabled = list.page >= list.pages - 1;
  $('previous-page').parentElement.hidden = list.pages === 1;
  if (focus?.id && $(focus.id)) {
    const target = $(focus.id);
    target.focus();
    if (typeof focus.start === 'number') target.setSelectionRange(focus.start, focus.end);
  }
}

/** The palette's colour names, in the order the core offers them (src/colours.rs PALETTE). */
const PALETTE = ['blue', 'teal', 'green', 'olive', 'orange', 'red', 'rose', 'magenta', 'purple', 'indigo', 'slate', 'brown'];

/**
 * The row's colour choice: a select named by the column header "Colour" and described by the
 * tenant's name. "Automatic" (the colour derived from the tenant ID) says which colour that is.
 */
function colourChoice(row, nameId) {
  const select = element('select', { id: `colour-${row.id}`, className: 'colour-choice' });
  select.setAttribute('aria-labelledby', 'column-colour');
  select.setAttribute('aria-describedby', nameId);
  const colourName = (colour) => t(`colour_${colour}`) || colour;
  // While none is chosen, the row's colour is the derived one: "Automatic" names it.
  const automatic = row.colourChosen ? t('colourAutomaticShort') : t('colourAutomatic', [colourName(row.colourName)]);
  select.append(
    element('option', { value: '', textContent: automatic }),
    ...PALETTE.map((colour) => element('option', { value: colour, textContent: colourName(colour) })),
  );
  select.value = row.colourChosen ? row.colourName : '';
  select.addEventListener(
    'change',
    handle(async () => {
      const colour = select.value || null;
      try {
        await request({ what: 'applyOperation', operation: { op: 'setTenantColour', id: row.id, colour } });
      } catch (problem) {
        select.value = row.colourChosen ? row.colourName : '';
        throw problem;
      }
      await refreshList();
    }),
  );
  return select;
}

/** The row's favourite: a checkbox named by the column header "Favourite", described by the name. */
function favouriteChoice(row, nameId) {
  const box = element('input', { type: 'checkbox', id: `favourite-${row.id}`, checked: Boolean(row.favourite) });
  box.setAttribute('aria-labelledby', 'column-favourite');
  box.setAttribute('aria-describedby', nameId);
  box.addEventListener(
    'change',
    handle(async () => {
      const favourite = box.checked;
      try {
        await request({ what: 'applyOperation', operation: { op: 'setFavourite', id: row.id, favourite } });
      } catch (problem) {
        box.checked = !favourite;
        throw problem;
      }
      await refreshList();
    }),
  );
  return box;
}

function tenantRow(row) {
  const nameId = `name-${row.id}`;
  const label = element('span', { className: 'label', textContent: row.label });
  label.setAttribute('aria-hidden', 'true');
  if (row.colour) label.style.setProperty('--tenant-colour', row.colour);
  const name = element('td', {}, element('bdi', { className: 'name', id: nameId, textContent: row.name, title: row.name }));
  if (row.isDefault) name.append(' ', element('span', { className: 'marker', textContent: t('defaultMarker') }));
  if (row.managed) name.append(' ', element('span', { className: 'marker managed', textContent: t('managedTenant') }));
  if (row.tags?.length || row.aliases?.length) {
    const extra = element('div', { className: 'tenant-extra' });
    if (row.tags?.length) {
      extra.append(
        element(
          'span',
          { className: 'tags' },
          element('span', { className: 'visually-hidden', textContent: `${t('tagsLabel')}: ` }),
          ...row.tags.map((tag) => element('bdi', { className: 'tag', textContent: tag })),
        ),
      );
    }
    if (row.aliases?.length) {
      extra.append(element('span', { className: 'aliases', textContent: t('aliasesInline', [row.aliases.map(isolate).join(', ')]) }));
    }
    name.append(extra);
  }
  // The buttons sit in a box of their own: a flex table cell would leave the row's grid.
  const buttons = element('div', { className: 'row-actions' });
  const actions = element('td', { className: 'actions' }, buttons);
  if (!row.managed) {
    const edit = element('button', { type: 'button', id: `edit-${row.id}`, textContent: t('edit') });
    edit.setAttribute('aria-describedby', nameId);
    edit.addEventListener('click', () => {
      const draft = {
        name: row.ownName ?? row.name,
        id: row.id,
        domain: row.domain ?? '',
        initialDomain: row.initialDomain ?? '',
        tags: joinList(row.tags),
        aliases: joinList(row.aliases),
      };
      editing = { id: row.id, draft, error: '', errorField: null };
      drawList();
      $('edit-name').focus();
    });
    const remove = element('button', { type: 'button', id: `delete-${row.id}`, className: 'danger', textContent: t('delete') });
    remove.setAttribute('aria-describedby', nameId);
    remove.addEventListener('click', handle(() => deleteTenant(row)));
    buttons.append(edit, remove);
  }
  return element(
    'tr',
    { className: row.managed ? 'managed' : '' },
    element('td', {}, label),
    element('td', {}, colourChoice(row, nameId)),
    element('td', { className: 'favourite' }, favouriteChoice(row, nameId)),
    name,
    element('td', {}, element('bdi', { className: 'domain' }, ...breakAfterDots(row.domain ?? ''))),
    element('td', {}, element('code', { className: 'id', textContent: row.id })),
    actions,
  );
}

function editRow(row) {
  const { draft } = editing;
  const form = element('form', { className: 'tenant-fields', noValidate: true });
  for (const [field, label] of [
    ['name', 'tenantNameLabel'],
    ['id', 'tenantIdLabel'],
    ['domain', 'domainLabel'],
    ['initialDomain', 'initialDomainLabel'],
    ['tags', 'tagsLabel'],
    ['aliases', 'aliasesLabel'],
  ]) {
    const input = element('input', {
      id: `edit-${field}`,
      name: field,
      value: draft[field],
      autocomplete: 'off',
      spellcheck: false,
      dir: field === 'name' || field === 'aliases' ? 'auto' : 'ltr',
    });
    input.addEventListener('input', () => {
      draft[field] = input.value;
    });
    form.append(element('label', { htmlFor: input.id, textContent: t(label) }), input);
  }
  const error = element('p', { className: 'error', id: 'edit-error' });
  error.setAttribute('role', 'alert');
  const cancel = element('button', { type: 'button', textContent: t('cancel') });
  cancel.addEventListener('click', () => stopEditing(row.id));
  const buttons = element('div', { className: 'row-actions' }, element('button', { type: 'submit', className: 'primary', textContent: t('save') }), cancel);
  form.append(error, buttons);
  showFieldError(error, editing.errorField && form.elements[editing.errorField], editing.error, buttons);
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') stopEditing(row.id);
  });
  form.addEventListener(
    'submit',
    handle(async (event) => {
      event.preventDefault();
      const changed = tenantFrom(draft);
      try {
        await request({ what: 'applyOperation', operation: { op: 'editTenant', id: row.id, tenant: changed } });
      } catch (problem) {
        editing = { ...editing, error: errorMessage(problem), errorField: fieldOf(problem, changed) };
        drawList();
        $(`edit-${editing.errorField ?? 'name'}`)?.focus();
        return;
      }
      editing = null;
      say(t('saved', [isolate(changed.name.trim())]));
      await refreshList();
      filter.focus();
    }),
  );
  return element('tr', { className: 'editing' }, element('td', { colSpan: 7 }, form));
}

function stopEditing(id) {
  editing = null;
  drawList();
  ($(`edit-${id}`) ?? filter).focus();
}

/**
 * The entries of a tags or aliases field, blank ones dropped. Tags split at commas and
 * semicolons (a tag holds neither); aliases at semicolons when there is one, so that an alias
 * may hold a comma ("Fabrikam, Inc.; FAB"), else at commas.
 */
function splitList(text, { commaInEntries = false } = {}) {
  const separator = !commaInEntries ? /[,;]/ : text.includes(';') ? ';' : ',';
  return text
    .split(separator)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** The field's text for `entries`, so that splitList gives them back. */
function joinList(entries = []) {
  return entries.join(entries.some((entry) => entry.includes(',')) ? '; ' : ', ');
}

/** The operation's tenant from form values; an empty optional field means none. */
function tenantFrom({ name, id, domain, initialDomain = '', tags = '', aliases = '' }) {
  const tenant = { name, id };
  if (domain.trim()) tenant.domain = domain;
  if (initialDomain.trim()) tenant.initialDomain = initialDomain;
  const tagList = splitList(tags);
  if (tagList.length) tenant.tags = tagList;
  const aliasList = splitList(aliases, { commaInEntries: true });
  if (aliasList.length) tenant.aliases = aliasList;
  return tenant;
}

/** Which input an error about `tenant` (as sent) is about, from its name's prefix. */
function fieldOf(problem, tenant) {
  const name = String(problem?.name ?? '');
  if (name.startsWith('TenantName') || name === 'SettingsDuplicateTenantName') return 'name';
  if (name.startsWith('TenantId') || name === 'SettingsDuplicateTenantId') return 'id';
  if (name.startsWith('Domain')) return 'domain';
  if (name.startsWith('InitialDomain')) return 'initialDomain';
  if (name.startsWith('Tag')) return 'tags';
  if (name === 'SettingsDuplicateAlias') {
    // The clash may be this tenant's name with another tenant's alias.
    return problem.alias === tenant?.name.trim() ? 'name' : 'aliases';
  }
  if (name.startsWith('Alias')) return 'aliases';
  return null;
}

async function deleteTenant(row) {
  await request({ what: 'applyOperation', operation: { op: 'deleteTenant', id: row.id } });
  const undo = element('button', { type: 'button', textContent: t('undo') });
  undo.addEventListener(
    'click',
    handle(async () => {
      await request({ what: 'undoDelete' });
      // Drawn first, then said: what is announced is already on the page.
      await refreshList();
      say(t('restored', [isolate(row.name)]));
      ($(`edit-${row.id}`) ?? filter).focus();
    }),
  );
  await refreshList();
  say(t('deleted', [isolate(row.name)]), undo);
  undo.focus();
}

addForm.addEventListener(
  'submit',
  handle(async (event) => {
    event.preventDefault();
    if (adding) return;
    const fields = Object.fromEntries(
      ['name', 'id', 'domain', 'initialDomain', 'tags', 'aliases'].map((f) => [f, addForm.elements[f]]),
    );
    const tenant = tenantFrom(Object.fromEntries(Object.entries(fields).map(([f, i]) => [f, i.value])));
    const submit = addForm.querySelector('button[type="submit"]');
    // What was typed stays in the form while the background stores it, and it is sent once.
    adding = true;
    submit.disabled = true;
    $('add-status').textContent = t('saving');
    try {
      await request({ what: 'applyOperation', operation: { op: 'addTenant', tenant } });
    } catch (problem) {
      $('add-status').textContent = '';
      const field = fieldOf(problem, tenant) && fields[fieldOf(problem, tenant)];
      showFieldError($('add-error'), field, errorMessage(problem), submit);
      (field || fields.name).focus();
      return;
    } finally {
      adding = false;
      submit.disabled = !state?.usable;
    }
    showFieldError($('add-error'), null, '', submit);
    addForm.reset();
    $('add-status').textContent = t('added', [isolate(tenant.name.trim())]);
    fields.name.focus();
    await refreshList();
  }),
);
// A stale message goes when the user starts the next entry.
addForm.addEventListener('input', () => {
  $('add-status').textContent = '';
});

filter.addEventListener(
  'input',
  handle(() => {
    page = 0;
    return refreshList();
  }),
);
$('previous-page').addEventListener(
  'click',
  handle(() => {
    page -= 1;
    return refreshList();
  }),
);
$('next-page').addEventListener(
  'click',
  handle(() => {
    page += 1;
    return refreshList();
  }),
);
$('automatic-rewrite').addEventListener(
  'change',
  handle(async (event) => {
    $('settings-error').textContent = '';
    try {
      await request({ what: 'applyOperation', operation: { op: 'setAutomaticRewrite', enabled: event.target.checked } });
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
  }),
);

// --- import, export, backups: options-import.js ---------------------------------------------

/** Saves `file` (`{name, type, text}`) as a download, without a native dialog of the page's own. */
function save({ name, type, text }) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = element('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

setupTransfer({ request, refreshList, save });
$('problem-reset').addEventListener(
  'click',
  handle(async () => {
    await request({ what: 'resetSettings' });
    say(t('startedEmpty'));
    await refreshList();
  }),
);

// --- sync -----------------------------------------------------------------------------------

$('sync-enabled').addEventListener(
  'change',
  handle(async (event) => {
    const enabled = event.target.checked;
    $('sync-error').textContent = '';
    try {
      await request({ what: 'setSyncEnabled', enabled });
    } catch (problem) {
      event.target.checked = !enabled;
      $('sync-error').textContent = errorMessage(problem);
    }
  }),
);

// --- start ----------------------------------------------------------------------------------

localize();
const add = new URLSearchParams(location.hash.slice(1)).get('add');
if (add) {
  // "Add this tenant" in the popup: the tab's tenant ID, ready for a name.
  addForm.elements.id.value = add;
  addForm.elements.name.focus();
}
const portals = portalSettings({ request });
const update = () =>
  refreshList()
    .then(() => portals.refresh(state))
    .catch((problem) => say(errorMessage(problem)));
onStorageChanged((area, changes) => {
  if (area === 'session' && 'revision' in changes) update();
});
await update();

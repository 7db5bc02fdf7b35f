// The options page: add, edit, delete (with undo) and filter tenants, and switch automatic
// rewrite. Every change is one message to the background, which validates it with the core and
// stores it; the page checks input with the core first only to answer at once.

import init, * as core from './core/tenant_switch.js';
import {
  onStorageChanged,
  requestHostAccess,
  sendMessage,
} from './browser-adapter.js';
import { errorMessage, formatNumber, localize, t } from './i18n.js';

/** Rows drawn per page: a few hundred DOM rows at most, whatever the size of the list. */
const PAGE_SIZE = 100;

const $ = (id) => document.getElementById(id);
const addForm = $('add');
const filter = $('filter');
const list = $('tenant-list');
const byName = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

let state = null;
let picker = null;
let tenantsById = new Map();
let sorted = [];
let page = 0;
/** `{id, draft: {name, id, domain}, error}` while a tenant is edited in place, else null. */
let editing = null;

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
  const settings = state.settings ?? null;
  const tenants = settings?.tenants ?? [];
  tenantsById = new Map(tenants.map((tenant) => [tenant.id, tenant]));
  sorted = [...tenants].sort((a, b) => byName.compare(a.name, b.name) || (a.id < b.id ? -1 : 1));
  picker?.free();
  picker = settings ? new core.TenantPicker(settings, t('noTenant')) : null;
  if (editing && !tenantsById.has(editing.id)) editing = null;

  $('problem').hidden = !state.problem;
  $('problem').textContent = state.problem ? t('problemBanner', [errorMessage(state.problem)]) : '';
  $('host-access').hidden = state.hostAccess !== false;
  $('automatic-rewrite').checked = settings?.automaticRewrite ?? true;
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
  if (!query.trim() || !picker) return sorted;
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

function tenantRow(tenant) {
  const nameId = `name-${tenant.id}`;
  const details = element(
    'div',
    { className: 'tenant' },
    element('bdi', { className: 'name', id: nameId, textContent: tenant.name }),
  );
  if (tenant.id === state.settings?.activeTenant) {
    details.append(element('span', { className: 'active-marker', textContent: t('activeMarker') }));
  }
  details.append(element('code', { className: 'id', textContent: tenant.id }));
  if (tenant.domain) {
    details.append(element('bdi', { className: 'domain', textContent: tenant.domain }));
  }

  const edit = element('button', { type: 'button', id: `edit-${tenant.id}`, textContent: t('edit') });
  edit.setAttribute('aria-describedby', nameId);
  edit.addEventListener('click', () => {
    editing = { id: tenant.id, draft: { ...tenant, domain: tenant.domain ?? '' }, error: '' };
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

localize();
const update = () => refresh().catch((problem) => say(errorMessage(problem)));
await init();
onStorageChanged(update);
window.addEventListener('focus', update);
await update();

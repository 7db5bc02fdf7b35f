// The toolbar popup: a tenant picker. The background's session decides what is listed, in which
// groups, which row is highlighted first and what a choice does; this page draws its answers and
// sends the analyst's keys and clicks. It loads no WebAssembly of its own.

import {
  createTab,
  extensionUrl,
  onStorageChanged,
  openOptionsPage,
  queryTabs,
  requestHostAccess,
  sendMessage,
} from './browser-adapter.js';
import { errorMessage, formatNumber, localize, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const search = $('search');
const list = $('tenants');
/** `popup` in the toolbar; `tab` when opened as a page (popup.html?view=tab): it stays open. */
const view = new URLSearchParams(location.search).get('view') === 'tab' ? 'tab' : 'popup';

let tab = null;
let picker = null;
/** The highlighted row's index; -1 when no row is (then Enter chooses nothing). */
let highlighted = -1;
/** Answers arrive in order of asking; only the newest query's answer is drawn. */
let asked = 0;

const isolate = (text) => `\u2068${text}\u2069`;
const element = (tag, properties = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
};

function say(text) {
  $('status').textContent = text;
}

async function request(message) {
  const answer = await sendMessage(message);
  if (!answer?.ok) throw answer?.error ?? new Error('no answer');
  return answer;
}

/** A tenant as the page names it; `null` is the home tenant. */
function tenantName(tenant) {
  return tenant ? tenant.name ?? tenant.id : t('noTenant');
}

function labelled(tenant) {
  const value = [];
  const label = element('span', { className: tenant ? 'label' : 'label home', textContent: tenant ? tenant.label : t('badgeHome') });
  label.setAttribute('aria-hidden', 'true');
  if (!tenant || tenant.label) value.push(label);
  value.push(element('bdi', { textContent: tenantName(tenant), title: tenantName(tenant) }));
  return value;
}

function drawContext(answer) {
  const here = answer.thisTab;
  const value = $('this-tab');
  let note = '';
  $('add-this-tenant').hidden = true;
  if (here.kind === 'notPortal') {
    value.replaceChildren(t('notPortalTab'));
  } else if (here.kind === 'home') {
    value.replaceChildren(...labelled(null));
  } else if (here.kind === 'notKnown') {
    value.replaceChildren(t('tenantNotKnownAfterRestart'));
  } else if (here.tenant.known === false) {
    value.replaceChildren(t('unknownTenant', [here.tenant.id.slice(0, 4)]));
    note = t('unknownTenantNote', [here.tenant.id]);
    $('add-this-tenant').hidden = false;
    $('add-this-tenant').dataset.id = here.tenant.id;
  } else {
    value.replaceChildren(...labelled(here.tenant));
  }
  if (here.switchedFrom) {
    const from = here.switchedFrom.kind === 'tenant' ? tenantName(here.switchedFrom.tenant) : t('noTenant');
    note = t('switchedFromTo', [isolate(from), isolate(tenantName(here.tenant))]);
  }
  $('this-tab-note').textContent = note;
  $('new-tabs').replaceChildren(...labelled(answer.newTabs));
}

function option(item, index) {
  const node = element('div', { id: `option-${index}` });
  node.setAttribute('role', 'option');
  node.dataset.index = String(index);
  const text = tenantName(item.id && item);
  const name = element('bdi', { className: 'name', id: `option-${index}-name`, textContent: text, title: text });
  node.setAttribute('aria-labelledby', name.id);
  const label = element('span', { className: item.id ? 'label' : 'label home', textContent: item.id ? item.label : t('badgeHome') });
  label.setAttribute('aria-hidden', 'true');
  const described = [];
  const details = [];
  if (item.id) {
    // The tenant ID is searchable and read out, but is not the visible second line.
    const id = element('span', { className: 'visually-hidden', id: `option-${index}-id`, textContent: t('tenantDetails', [item.id]) });
    described.push(id);
  } else {
    described.push(element('span', { className: 'details', id: `option-${index}-id`, textContent: t('noTenantDescription') }));
  }
  if (item.domain) details.push(element('bdi', { className: 'details', id: `option-${index}-domain`, textContent: item.domain }));
  if (item.managed) details.push(element('span', { className: 'details', id: `option-${index}-managed`, textContent: t('managedTenant') }));
  node.setAttribute('aria-describedby', [...described, ...details].map((n) => n.id).join(' '));
  const current = picker.thisTab.kind === 'tenant' ? picker.thisTab.tenant.id : picker.thisTab.kind === 'home' ? null : undefined;
  if (current !== undefined && (item.id ?? null) === current) node.classList.add('current');
  node.append(label, name, ...described, ...details);
  return node;
}

function drawList() {
  const items = picker.items;
  const nodes = [];
  let index = 0;
  for (const group of picker.groups) {
    const labelId = `group-${group.kind}`;
    const groupNode = element('div');
    groupNode.setAttribute('role', 'group');
    if (group.kind !== 'home') {
      groupNode.setAttribute('aria-labelledby', labelId);
      const heading = element('div', { id: labelId, className: 'group-label', textContent: t(`group_${group.kind}`) });
      heading.setAttribute('role', 'presentation');
      groupNode.append(heading);
    }
    for (let n = 0; n < group.size; n += 1, index += 1) groupNode.append(option(items[index], index));
    nodes.push(groupNode);
  }
  list.replaceChildren(...nodes);
  const more = picker.tenantsTotal > picker.tenantsShown;
  $('count').textContent = items.length === 0
    ? t('noMatches')
    : more
      ? t('showingCountNarrow', [formatNumber(picker.tenantsShown), formatNumber(picker.tenantsTotal)])
      : '';
  highlight(Math.min(highlighted, items.length - 1));
}

function highlight(index) {
  highlighted = Math.max(-1, index);
  for (const node of list.querySelectorAll('[aria-selected="true"]')) node.setAttribute('aria-selected', 'false');
  const node = $(`option-${highlighted}`);
  for (const each of list.querySelectorAll('[role="option"]')) if (each !== node) each.setAttribute('aria-selected', 'false');
  const item = picker?.items[highlighted];
  $('copy-id').disabled = !item?.id;
  $('open-portal').disabled = !item;
  $('copy-link').disabled = !item;
  if (!node) {
    search.removeAttribute('aria-activedescendant');
    return;
  }
  node.setAttribute('aria-selected', 'true');
  search.setAttribute('aria-activedescendant', node.id);
  node.scrollIntoView({ block: 'nearest' });
}

function drawState(state) {
  $('problem').hidden = state.usable;
  $('problem-text').textContent = state.problem ? t('problemBannerShort', [errorMessage(state.problem.error)]) : '';
  $('host-access').hidden = state.hostAccess !== false;
  $('empty').hidden = !state.usable || state.tenantCount > 0;
  const removed = state.defaultTenantRemoved;
  $('notice').hidden = !removed && !state.rulesError;
  $('notice').textContent = removed
    ? t('policyActiveTenantRemoved', [removed])
    : state.rulesError
      ? t('rulesFailed', [errorMessage(state.rulesError)])
      : '';
}

/** Asks for the picker for what is typed and draws it; `first` also moves the highlight. */
async function refresh({ first = false } = {}) {
  const mine = ++asked;
  const answer = await request({ what: 'picker', query: search.value, tab });
  if (mine !== asked) return;
  picker = answer.picker;
  // The session says which row starts highlighted: none when the tab's tenant has no row.
  if (first || search.value.trim()) highlighted = picker.highlight ?? -1;
  drawState(answer.state);
  drawContext(picker);
  drawList();
}

function done(answer) {
  if (answer.close) window.close();
}

/** After opening another page: the toolbar popup goes, the popup opened as a tab stays. */
function leave() {
  if (view === 'popup') window.close();
}

async function choose(index, { newTab = false } = {}) {
  const item = picker?.items[index];
  if (!item) return;
  const answer = await request({ what: 'pickTenant', id: item.id, tab, newTab, view });
  const name = isolate(tenantName(item.id && item));
  if (answer.changed === false) say(t('alreadyInTenant', [name]));
  else if (answer.opened) say(t('openedInNewTab', [name]));
  else if (answer.reloaded) say(t('activeTenantIs', [name]));
  else say(t('pickedForNewTabs', [name]));
  done(answer);
  await refresh({ first: true });
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    say(t('copied'));
  } catch {
    say(t('copyFailed'));
  }
}

function activate(handler) {
  return (event) => {
    Promise.resolve(handler(event)).catch((error) => say(errorMessage(error)));
  };
}

search.addEventListener(
  'input',
  activate(() => {
    // A new query starts from the session's highlight (its best match, or the tab's tenant).
    return refresh({ first: true });
  }),
);
search.addEventListener(
  'keydown',
  activate((event) => {
    const count = picker?.items.length ?? 0;
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    if (event.key in moves) {
      event.preventDefault();
      highlight(Math.min(count - 1, Math.max(0, highlighted + moves[event.key])));
    } else if ((event.key === 'Home' || event.key === 'End') && event.ctrlKey) {
      event.preventDefault();
      highlight(event.key === 'Home' ? 0 : count - 1);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      return choose(highlighted, { newTab: event.shiftKey });
    }
  }),
);
// Keep the focus (and so the keyboard) in the search box when an option is clicked.
list.addEventListener('mousedown', (event) => event.preventDefault());
list.addEventListener(
  'click',
  activate((event) => {
    const node = event.target.closest('[role="option"]');
    if (node) return choose(Number(node.dataset.index), { newTab: event.shiftKey });
  }),
);
$('open-portal').addEventListener(
  'click',
  activate(() => choose(highlighted, { newTab: true })),
);
$('copy-id').addEventListener(
  'click',
  activate(() => copy(picker.items[highlighted].id)),
);
$('copy-link').addEventListener(
  'click',
  activate(async () => copy((await request({ what: 'portalLink', id: picker.items[highlighted].id ?? null })).url)),
);
$('add-this-tenant').addEventListener(
  'click',
  activate(() => {
    const id = $('add-this-tenant').dataset.id;
    return createTab({ url: extensionUrl(`options.html#add=${encodeURIComponent(id)}`) }).then(leave);
  }),
);
for (const link of [$('manage'), $('problem-manage')]) {
  link.addEventListener(
    'click',
    activate((event) => {
      event.preventDefault();
      return openOptionsPage().then(leave);
    }),
  );
}
$('request-host-access').addEventListener(
  'click',
  activate(async () => {
    // Straight from the click: the browser shows the permission prompt only for a user gesture.
    const granted = await requestHostAccess();
    if (!granted) say(t('hostAccessDenied'));
  }),
);

localize();
search.focus();
const [current] = await queryTabs({ active: true, currentWindow: true });
tab = current ? { id: current.id, url: current.url ?? null } : null;
// Whatever the background changes (another page, a tab, a policy) shows up here at once.
onStorageChanged((area, changes) => {
  if (area === 'session' && 'revision' in changes) refresh().catch((error) => say(errorMessage(error)));
});
await refresh({ first: true }).catch((error) => say(errorMessage(error)));

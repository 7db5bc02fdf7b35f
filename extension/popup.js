// The toolbar popup: a tenant picker. The core's TenantPicker decides which tenants are listed and
// in what order; this page draws at most LIMIT of them and sends the choice to the background.

import init, * as core from './core/tenant_switch.js';
import {
  createTab,
  onManagedChanged,
  onStorageChanged,
  openOptionsPage,
  queryTabs,
  requestHostAccess,
  sendMessage,
} from './browser-adapter.js';
import { errorMessage, formatNumber, localize, t } from './i18n.js';

/** Rows drawn at most: enough to scroll through, few enough to stay instant with any list. */
const LIMIT = 50;

const $ = (id) => document.getElementById(id);
const search = $('search');
const list = $('tenants');

let state = null;
let picker = null;
let tenantsById = new Map();
/** The tenant IDs (null for "No tenant") of the drawn options, in order. */
let shown = [];
let highlighted = 0;

/** Wraps a name in Unicode isolates so a right-to-left name cannot reorder the sentence. */
const isolate = (text) => `\u2068${text}\u2069`;

function activeId() {
  return (state?.policy?.settings ?? state?.settings)?.activeTenant ?? null;
}

function displayName(id) {
  return id === null ? t('noTenant') : (tenantsById.get(id)?.name ?? id);
}

function setState(next) {
  state = next;
  // Under an enterprise policy the picker lists the core's merged view (policy tenants too).
  const settings = state.policy?.settings ?? state.settings ?? null;
  tenantsById = new Map((settings?.tenants ?? []).map((tenant) => [tenant.id, tenant]));
  picker?.free();
  picker = settings ? new core.TenantPicker(settings, t('noTenant')) : null;

  $('problem').hidden = !state.problem;
  $('problem').textContent = state.problem ? t('problemBannerShort', [errorMessage(state.problem)]) : '';
  $('host-access').hidden = state.hostAccess !== false;
  $('empty').hidden = tenantsById.size > 0 || Boolean(state.problem);
  $('copy-id').disabled = activeId() === null;
  showPolicyNotice();
  render();
}

/** Asks the background for the state (or takes an answer already on its way) and redraws. */
async function refresh(pending = sendMessage({ what: 'getState' })) {
  const answer = await pending;
  if (answer?.ok) setState(answer.state);
  else say(errorMessage(answer?.error));
}

function render() {
  const query = search.value;
  // One more than LIMIT, so that "No tenant" does not take a tenant's place.
  const result = picker ? picker.search(query, LIMIT + 1) : { items: [{ id: null }], total: 1 };
  const withNoTenant = result.items.some((item) => item.id === null);
  shown = result.items.map((item) => item.id).slice(0, withNoTenant ? LIMIT + 1 : LIMIT);
  const tenantsShown = shown.length - (withNoTenant ? 1 : 0);
  const tenantsTotal = result.total - (withNoTenant ? 1 : 0);
  const active = activeId();
  // The active tenant is always in the unfiltered list, even when it is past the first LIMIT.
  if (!query.trim() && !shown.includes(active)) shown.push(active);

  list.replaceChildren(...shown.map((id, index) => option(id, index, active)));
  $('count').textContent =
    tenantsTotal > tenantsShown
      ? t('showingCount', [formatNumber(tenantsShown), formatNumber(tenantsTotal)])
      : result.total === 0
        ? t('noMatches')
        : '';
  highlight(Math.min(highlighted, shown.length - 1));
}

function option(id, index, active) {
  const item = document.createElement('li');
  item.id = `option-${index}`;
  item.setAttribute('role', 'option');
  item.setAttribute('aria-selected', String(id === active));
  item.setAttribute('aria-labelledby', `${item.id}-name`);
  item.dataset.index = String(index);

  const name = document.createElement('bdi');
  name.id = `${item.id}-name`;
  name.className = 'name';
  name.textContent = displayName(id);

  // The ID and the domain are the option's description, each on a line of its own.
  const tenant = id === null ? null : tenantsById.get(id);
  const lines = [
    line(`${item.id}-id`, id === null ? t('noTenantDescription') : t('tenantDetails', [id])),
  ];
  if (tenant?.domain) lines.push(line(`${item.id}-domain`, tenant.domain));
  if (state?.policy?.managedTenants.includes(id)) lines.push(line(`${item.id}-managed`, t('managedTenant')));
  item.setAttribute('aria-describedby', lines.map((element) => element.id).join(' '));

  item.append(name, ...lines);
  return item;
}

/** Tells the user when the policy tenant they had chosen was withdrawn by their organisation. */
function showPolicyNotice() {
  let notice = $('policy-removed');
  const removed = state?.policy?.activeTenantRemoved ?? null;
  if (!notice) {
    notice = document.createElement('p');
    notice.id = 'policy-removed';
    notice.className = 'banner';
    notice.setAttribute('role', 'alert');
    document.querySelector('main').prepend(notice);
  }
  notice.hidden = removed === null;
  notice.textContent = removed === null ? '' : t('policyActiveTenantRemoved', [removed]);
}

function line(id, text) {
  const element = document.createElement('span');
  element.id = id;
  element.className = 'details';
  element.dir = 'auto';
  element.textContent = text;
  return element;
}

function highlight(index) {
  highlighted = Math.max(0, index);
  for (const element of list.querySelectorAll('.highlighted')) element.classList.remove('highlighted');
  const element = list.children[highlighted];
  if (!element) {
    search.removeAttribute('aria-activedescendant');
    return;
  }
  element.classList.add('highlighted');
  search.setAttribute('aria-activedescendant', element.id);
  element.scrollIntoView({ block: 'nearest' });
}

async function choose(index) {
  if (index < 0 || index >= shown.length) return;
  const id = shown[index];
  const [tab] = await queryTabs({ active: true, currentWindow: true });
  const answer = await sendMessage({ what: 'switchTenant', id, tabId: tab?.id, url: tab?.url });
  if (!answer?.ok) {
    say(errorMessage(answer?.error));
    return;
  }
  highlighted = index;
  setState(answer.state);
  say(t('activeTenantIs', [isolate(displayName(id))]));
}

function say(text) {
  $('status').textContent = text;
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

search.addEventListener('input', () => {
  highlighted = 0;
  render();
});
search.addEventListener(
  'keydown',
  activate((event) => {
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    if (event.key in moves) {
      event.preventDefault();
      highlight(Math.min(shown.length - 1, Math.max(0, highlighted + moves[event.key])));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      return choose(highlighted);
    }
  }),
);
// Keep the focus (and so the keyboard) in the search box when an option is clicked.
list.addEventListener('mousedown', (event) => event.preventDefault());
list.addEventListener(
  'click',
  activate((event) => {
    const item = event.target.closest('[role="option"]');
    if (item) return choose(Number(item.dataset.index));
  }),
);
$('open-portal').addEventListener(
  'click',
  activate(() => createTab({ url: core.portalUrl(activeId()) })),
);
$('copy-id').addEventListener(
  'click',
  activate(() => copy(activeId())),
);
$('copy-link').addEventListener(
  'click',
  activate(() => copy(core.portalUrl(activeId()))),
);
$('manage').addEventListener(
  'click',
  activate((event) => {
    event.preventDefault();
    return openOptionsPage();
  }),
);
$('request-host-access').addEventListener(
  'click',
  activate(async () => {
    // Straight from the click: the browser shows the permission prompt only for a user gesture.
    const granted = await requestHostAccess();
    if (!granted) say(t('hostAccessDenied'));
    return refresh();
  }),
);

localize();
search.focus();
const update = (pending) => refresh(pending).catch((error) => say(errorMessage(error)));
// The state is fetched while the core compiles: with thousands of tenants both take a while.
const firstState = sendMessage({ what: 'getState' });
await init();
onStorageChanged(() => update());
// A changed enterprise policy changes the list too (the background re-reads it per request).
onManagedChanged(() => update());
window.addEventListener('focus', () => update());
await update(firstState);

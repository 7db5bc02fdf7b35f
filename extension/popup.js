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

/** Apple keyboards use ⌘ where others use Ctrl. */
const mac = /mac/i.test(navigator.userAgentData?.platform ?? navigator.platform ?? '');

let tab = null;
let picker = null;
/** The highlighted row's index; -1 when no row is (then Enter chooses nothing). */
let highlighted = -1;
/** Answers arrive in order of asking; only the newest query's answer is drawn. */
let asked = 0;
/**
 * A refresh that starts from the session's highlight (the first draw, a new query, a choice) is
 * still to be drawn: when a newer refresh (a storage change) overtakes it, that one starts over.
 */
let startOver = false;

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

/** A tenant's short label, in the tenant's colour (the badge's and the page line's colour too). */
function labelChip(tenant) {
  const label = element('span', { className: tenant ? 'label' : 'label home', textContent: tenant ? tenant.label : t('badgeHome') });
  label.setAttribute('aria-hidden', 'true');
  // The core's palette colour (`#rrggbb`), never text the analyst typed.
  if (tenant?.colour) label.style.setProperty('--tenant-colour', tenant.colour);
  return label;
}

function labelled(tenant) {
  const value = [];
  const label = labelChip(tenant);
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
  const label = labelChip(item.id ? item : null);
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
  if (item.tags?.length) details.push(tagChips(item.tags, `option-${index}-tags`));
  if (item.favourite) {
    node.classList.add('favourite');
    details.push(element('span', { className: 'visually-hidden', id: `option-${index}-favourite`, textContent: t('favouriteTenant') }));
  }
  node.setAttribute('aria-describedby', [...described, ...details].map((n) => n.id).join(' '));
  const current = picker.thisTab.kind === 'tenant' ? picker.thisTab.tenant.id : picker.thisTab.kind === 'home' ? null : undefined;
  if (current !== undefined && (item.id ?? null) === current) node.classList.add('current');
  node.append(label, name, ...described, ...details);
  return node;
}

/** A row's tags as small chips of text; read out as "Tags: EU, P1". */
function tagChips(tags, id) {
  const chips = element('span', { className: 'tags details', id });
  chips.append(element('span', { className: 'visually-hidden', textContent: `${t('tagsLabel')}: ` }));
  tags.forEach((tag, at) => {
    if (at > 0) chips.append(element('span', { className: 'visually-hidden', textContent: ', ' }));
    chips.append(element('bdi', { className: 'tag', textContent: tag }));
  });
  return chips;
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
  // The admin portals and favourites are for customer tenants: never the home tenant.
  $('open-in-portal').disabled = !item?.id;
  $('favourite').disabled = !item?.id;
  $('favourite').setAttribute('aria-pressed', String(Boolean(item?.favourite)));
  // The menu is for one tenant: it goes when the highlight leaves that tenant.
  if (menuFor !== null && item?.id !== menuFor.id) closeMenu();
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

/**
 * Asks for the picker for what is typed and draws it. `first` moves the highlight where the
 * session says; otherwise it stays on the same tenant (`keep`: on that one), wherever its row
 * went (a new favourite moves up to "Favourites").
 */
async function refresh({ first = false, keep } = {}) {
  const mine = ++asked;
  if (first) startOver = true;
  const answer = await request({ what: 'picker', query: search.value, tab });
  if (mine !== asked) return;
  // `null` is the home tenant's row, `undefined` no row.
  const wanted = keep !== undefined ? keep : picker?.items[highlighted] && (picker.items[highlighted].id ?? null);
  picker = answer.picker;
  const fresh = startOver && keep === undefined;
  startOver = false;
  if (fresh) {
    // The session says which row starts highlighted: none when the tab's tenant has no row.
    highlighted = picker.highlight ?? -1;
  } else if (wanted !== undefined) {
    const at = picker.items.findIndex((item) => (item.id ?? null) === wanted);
    highlighted = at >= 0 ? at : picker.highlight ?? -1;
  }
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
  // The chosen row stays highlighted while a redraw for the change itself may come first.
  highlighted = index;
  const answer = await request({ what: 'pickTenant', id: item.id, tab, newTab, view });
  const name = isolate(tenantName(item.id && item));
  const said =
    answer.changed === false
      ? t('alreadyInTenant', [name])
      : answer.opened
        ? t('openedInNewTab', [name])
        : answer.reloaded
          ? t('activeTenantIs', [name])
          : t('pickedForNewTabs', [name]);
  // Only the popup opened as a tab draws the new state, first, and then says it (what is
  // announced is already on the page); the toolbar popup says it and goes.
  if (!answer.close) await refresh({ first: true });
  say(said);
  done(answer);
}

/** Makes the highlighted tenant a favourite, or no longer one (the button and Ctrl+D / ⌘D). */
async function toggleFavourite() {
  const item = picker?.items[highlighted];
  if (!item?.id) return;
  const favourite = !item.favourite;
  await request({ what: 'applyOperation', operation: { op: 'setFavourite', id: item.id, favourite } });
  // Drawn first, then said: when the status is announced, the button already tells the same.
  await refresh({ keep: item.id });
  say(t(favourite ? 'favouriteAdded' : 'favouriteRemoved', [isolate(tenantName(item))]));
}

// --- "Open in portal": a menu button ------------------------------------------------------------

const menuButton = $('open-in-portal');
const menu = $('portal-menu');
/** The tenant the open menu is for (`{id, name}`), or null when it is closed. */
let menuFor = null;

const menuItems = () => [...menu.querySelectorAll('[role="menuitem"]')];

function closeMenu({ focusButton = false } = {}) {
  menuFor = null;
  menu.hidden = true;
  menu.replaceChildren();
  menuButton.setAttribute('aria-expanded', 'false');
  if (focusButton) menuButton.focus();
}

function focusItem(index) {
  const items = menuItems();
  if (!items.length) return;
  const at = (index + items.length) % items.length;
  for (const [n, item] of items.entries()) item.tabIndex = n === at ? 0 : -1;
  items[at].focus();
}

/** One menu item: the portal's name, and why it cannot be opened or what it needs. */
function menuItem(item) {
  const node = element('div', { id: `portal-${item.id}`, className: 'menu-item' });
  node.setAttribute('role', 'menuitem');
  node.tabIndex = -1;
  node.dataset.portal = item.id;
  const name = element('span', { className: 'menu-name', id: `portal-${item.id}-name`, textContent: t(`portal_${item.id}`) });
  node.setAttribute('aria-labelledby', name.id);
  const notes = [];
  if (item.missing) {
    // The one identifier a tenant can lack (the core says so: `missing: 'initialDomain'`).
    node.setAttribute('aria-disabled', 'true');
    notes.push(element('span', { className: 'menu-note', id: `portal-${item.id}-missing`, textContent: t('portalNeedsInitialDomain') }));
  }
  if (item.partnerOnly) {
    notes.push(element('span', { className: 'menu-note', id: `portal-${item.id}-partner`, textContent: t('portalPartnerOnly') }));
  }
  if (notes.length) node.setAttribute('aria-describedby', notes.map((note) => note.id).join(' '));
  node.append(name, ...notes);
  return node;
}

function drawMenu(answer) {
  const groups = [];
  for (const kind of ['defender', 'admin']) {
    const items = answer.items.filter((item) => item.group === kind);
    if (!items.length) continue;
    const group = element('div', { className: 'menu-group' });
    group.setAttribute('role', 'group');
    const label = element('div', { className: 'menu-group-label', id: `portal-group-${kind}`, textContent: t(`portalGroup_${kind}`) });
    label.setAttribute('role', 'presentation');
    group.setAttribute('aria-labelledby', label.id);
    group.append(label, ...items.map(menuItem));
    groups.push(group);
  }
  menu.replaceChildren(...groups);
  menu.setAttribute('aria-label', t('portalMenuLabel', [isolate(tenantName(answer.tenant))]));
}

/** Opens the menu for the highlighted tenant, its first item (or, with `last`, its last) focused. */
async function openMenu({ last = false } = {}) {
  const item = picker?.items[highlighted];
  if (!item?.id) return;
  const { menu: answer } = await request({ what: 'portalMenu', id: item.id });
  // The highlight may have moved while the session answered.
  if (picker?.items[highlighted]?.id !== item.id) return;
  drawMenu(answer);
  menuFor = { id: item.id, name: tenantName(answer.tenant) };
  menu.hidden = false;
  // Over the list, above the button: as tall as the room above it allows, scrolling beyond.
  menu.style.maxHeight = `${Math.max(120, Math.floor(menuButton.getBoundingClientRect().top) - 8)}px`;
  menuButton.setAttribute('aria-expanded', 'true');
  focusItem(last ? -1 : 0);
}

async function activateItem(node) {
  const tenant = menuFor;
  if (!tenant || !node) return;
  if (node.getAttribute('aria-disabled') === 'true') {
    // A disabled item stays in the menu (and in the keyboard's path); it only says why.
    say(node.querySelector('.menu-note')?.textContent ?? '');
    return;
  }
  const portal = node.dataset.portal;
  const answer = await request({ what: 'openPortal', id: tenant.id, portal, view });
  closeMenu({ focusButton: true });
  say(t('portalOpened', [t(`portal_${portal}`), isolate(tenant.name)]));
  done(answer);
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
$('favourite').addEventListener('click', activate(toggleFavourite));
// The Favourite key works wherever the focus is in the popup (it does not type a character, and
// the browser's own Ctrl+D, "bookmark this tab", has nothing to bookmark here).
document.addEventListener(
  'keydown',
  activate((event) => {
    const accel = mac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
    if (!accel || event.altKey || event.shiftKey || event.key.toLowerCase() !== 'd') return;
    event.preventDefault();
    if (menuFor === null) return toggleFavourite();
  }),
);
menuButton.addEventListener(
  'click',
  activate(() => (menuFor === null ? openMenu() : closeMenu({ focusButton: true }))),
);
menuButton.addEventListener(
  'keydown',
  activate((event) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    return openMenu({ last: event.key === 'ArrowUp' });
  }),
);
menu.addEventListener(
  'keydown',
  activate((event) => {
    const items = menuItems();
    const at = items.indexOf(document.activeElement);
    const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: -1 };
    if (event.key in moves) {
      event.preventDefault();
      focusItem(moves[event.key]);
    } else if (event.key === 'Escape' || event.key === 'Tab') {
      event.preventDefault();
      closeMenu({ focusButton: true });
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      return activateItem(items[at]);
    } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      // Type-ahead: the next item whose name starts with the key.
      const wanted = event.key.toLocaleLowerCase();
      const next = [...items.slice(at + 1), ...items.slice(0, at + 1)].find((item) =>
        item.querySelector('.menu-name').textContent.toLocaleLowerCase().startsWith(wanted),
      );
      if (next) focusItem(items.indexOf(next));
    }
  }),
);
menu.addEventListener(
  'click',
  activate((event) => activateItem(event.target.closest('[role="menuitem"]'))),
);
// A click or focus anywhere else closes the menu.
document.addEventListener('focusin', (event) => {
  if (menuFor !== null && !menu.contains(event.target) && event.target !== menuButton) closeMenu();
});
document.addEventListener('pointerdown', (event) => {
  if (menuFor !== null && !menu.contains(event.target) && !menuButton.contains(event.target)) closeMenu();
});
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
const favouriteKey = t(mac ? 'favouriteShortcutMac' : 'favouriteShortcut');
$('search-hint').textContent = t('searchHint', [favouriteKey]);
$('favourite').setAttribute('aria-keyshortcuts', mac ? 'Meta+D' : 'Control+D');
$('favourite').title = favouriteKey;
search.focus();
const [current] = await queryTabs({ active: true, currentWindow: true });
tab = current ? { id: current.id, url: current.url ?? null } : null;
// Whatever the background changes (another page, a tab, a policy) shows up here at once.
onStorageChanged((area, changes) => {
  if (area === 'session' && 'revision' in changes) refresh().catch((error) => say(errorMessage(error)));
});
await refresh({ first: true }).catch((error) => say(errorMessage(error)));

// The options page's settings for the portals: what the content script shows on portal pages
// (the three page options), which portals the popup's "Open in portal" menu lists, and the
// rewrite opt-in of the portals that take `?tid=` as Defender does (Purview). The catalogue and
// every choice come from the background (`getPortals`, the state); this module only draws them
// and sends one operation per change. The host permission an opt-in needs is asked for here,
// straight from the click: the browser shows its prompt only for a user gesture.

import { requestHostAccess, sendMessage } from './browser-adapter.js';
import { errorMessage, t, uiLanguage } from './i18n.js';

const $ = (id) => document.getElementById(id);
const PAGE_OPTIONS = ['titlePrefix', 'colourLine', 'banner'];

/** A portal's name as the pages show it (`_locales` `portal_<id>`), or its ID. */
export const portalName = (id) => t(`portal_${id}`) || id;

const listOf = (items) => new Intl.ListFormat(uiLanguage(), { type: 'conjunction' }).format(items);

function element(tag, properties = {}, ...children) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

/** `<label class="check"><input type="checkbox">text</label>`, described by `hints` (ids). */
function checkbox(id, text, hints = []) {
  const input = element('input', { type: 'checkbox', id });
  if (hints.length) input.setAttribute('aria-describedby', hints.join(' '));
  return { input, label: element('label', { className: 'check' }, input, element('span', { textContent: text })) };
}

/**
 * Wires the page options and the Portals section. `request(message)` sends a message and
 * resolves with the answer (drawing its state), or throws the core's error. Returns
 * `{refresh(state)}`, to call whenever what the background holds may have changed.
 */
export function portalSettings({ request }) {
  let state = null;
  /** The last `getPortals` answer's portals, by ID order. */
  let portals = [];
  /** The checkbox of each portal's "Show … in the menu" and of each opt-in rewrite. */
  const shownBoxes = new Map();
  const rewriteBoxes = new Map();
  /** Opt-in changes in flight: the box keeps what the user chose until the answer is in. */
  const busy = new Set();

  // --- page options --------------------------------------------------------------------

  for (const option of PAGE_OPTIONS) {
    const box = $(`page-option-${option}`);
    box.addEventListener('change', async () => {
      const enabled = box.checked;
      $('page-options-error').textContent = '';
      try {
        await request({ what: 'applyOperation', operation: { op: 'setPageOption', option, enabled } });
      } catch (problem) {
        box.checked = !enabled;
        $('page-options-error').textContent = errorMessage(problem);
      }
    });
  }

  /** The page options as stored (`null` while the settings cannot be read). */
  async function pageOptions() {
    return state?.pageOptions ?? null;
  }

  function drawPageOptions(options) {
    for (const option of PAGE_OPTIONS) {
      const box = $(`page-option-${option}`);
      box.checked = Boolean(options?.[option]);
      box.disabled = !options || !state?.usable;
    }
  }

  // --- the portals -----------------------------------------------------------------------

  /** Builds the checkboxes once per catalogue; later answers only update them. */
  function build() {
    shownBoxes.clear();
    rewriteBoxes.clear();
    const groups = new Map();
    for (const portal of portals) {
      if (!groups.has(portal.group)) groups.set(portal.group, []);
      groups.get(portal.group).push(portal);
    }
    $('portal-groups').replaceChildren(
      ...[...groups].map(([group, members]) => {
        const set = element('fieldset', { className: 'options-group' }, element('legend', { textContent: t(`portalGroup_${group}`) || group }));
        for (const portal of members) {
          const hints = [];
          const notes = [];
          if (portal.identifier === 'initialDomain') {
            hints.push(`portal-needs-${portal.id}`, 'initial-domain-howto');
            notes.push(element('p', { className: 'hint', id: `portal-needs-${portal.id}`, textContent: t('portalSettingsNeedsInitialDomain') }));
          }
          if (portal.partnerOnly) {
            hints.push(`portal-partner-${portal.id}`);
            notes.push(element('p', { className: 'hint', id: `portal-partner-${portal.id}`, textContent: t('portalSettingsPartnerOnly') }));
          }
          const { input, label } = checkbox(`portal-shown-${portal.id}`, t('portalShown', [portalName(portal.id)]), hints);
          input.addEventListener('change', () => setShown(portal, input).catch(fail));
          shownBoxes.set(portal.id, input);
          set.append(element('div', { className: 'portal-choice' }, label, ...notes));
        }
        return set;
      }),
    );

    const needing = portals.filter((portal) => portal.identifier === 'initialDomain').map((portal) => portalName(portal.id));
    $('initial-domain-howto').textContent = needing.length ? t('initialDomainHowTo', [listOf(needing)]) : '';

    const optIn = portals.filter((portal) => portal.rewrite === 'optIn');
    const rewrite = $('portal-rewrite');
    rewrite.replaceChildren(rewrite.querySelector('legend'));
    for (const portal of optIn) {
      const hosts = listOf(portal.hosts ?? []);
      const hint = element('p', { className: 'hint', id: `portal-rewrite-hint-${portal.id}`, textContent: t('portalRewriteHint', [hosts]) });
      const access = element('p', { className: 'banner', id: `portal-rewrite-access-${portal.id}`, hidden: true });
      const { input, label } = checkbox(`portal-rewrite-${portal.id}`, t('portalRewrite', [portalName(portal.id)]), [
        hint.id,
        access.id,
      ]);
      // A click, not a change: Firefox counts only the click itself as the user's gesture that
      // permissions.request needs (the box is already toggled when it runs).
      input.addEventListener('click', () => setRewrite(portal, input).catch(fail));
      rewriteBoxes.set(portal.id, input);
      rewrite.append(element('div', { className: 'portal-choice' }, label, hint, access));
    }
    rewrite.hidden = optIn.length === 0;
  }

  function drawPortals() {
    const known = [...shownBoxes.keys()].join() === portals.map((portal) => portal.id).join();
    if (!known) build();
    const usable = Boolean(state?.usable);
    for (const portal of portals) {
      const shown = shownBoxes.get(portal.id);
      shown.checked = portal.shown;
      shown.disabled = !usable;
      const box = rewriteBoxes.get(portal.id);
      if (!box) continue;
      // Checked only while it really happens: opted in and the host granted.
      if (!busy.has(portal.id)) box.checked = Boolean(portal.rewriteOn && portal.access);
      box.disabled = !usable || busy.has(portal.id);
      const note = $(`portal-rewrite-access-${portal.id}`);
      const missing = portal.rewriteOn && !portal.access;
      note.hidden = !missing;
      note.textContent = missing ? t('portalRewriteNoAccess', [portalName(portal.id), listOf(portal.hosts ?? [])]) : '';
      if (missing) note.setAttribute('role', 'alert');
      else note.removeAttribute('role');
    }
  }

  const say = (text) => {
    $('portals-status').textContent = text;
  };
  const fail = (problem) => {
    $('portals-error').textContent = errorMessage(problem);
  };

  async function setShown(portal, box) {
    const shown = box.checked;
    say('');
    $('portals-error').textContent = '';
    try {
      await request({ what: 'applyOperation', operation: { op: 'setPortalShown', portal: portal.id, shown } });
    } catch (problem) {
      box.checked = !shown;
      fail(problem);
    }
    await refreshPortals();
  }

  async function setRewrite(portal, box) {
    const enabled = box.checked;
    const name = portalName(portal.id);
    const hosts = listOf(portal.hosts ?? []);
    say('');
    $('portals-error').textContent = '';
    busy.add(portal.id);
    try {
      if (enabled) {
        // Called before anything is awaited: the request must come from the click.
        let granted = false;
        try {
          granted = await requestHostAccess(portal.origins);
        } catch (problem) {
          fail({ message: problem?.message ?? String(problem) });
        }
        if (!granted) {
          box.checked = false;
          say(t('portalAccessDenied', [hosts, name]));
          // Opted in without the access (it was withdrawn meanwhile): refusing it again is
          // turning the opt-in off, so that a later grant for another reason changes nothing.
          const now = portals.find((each) => each.id === portal.id);
          if (now?.rewriteOn) {
            await request({ what: 'applyOperation', operation: { op: 'setPortalRewrite', portal: portal.id, enabled: false } });
          }
          return;
        }
      }
      try {
        await request({ what: 'applyOperation', operation: { op: 'setPortalRewrite', portal: portal.id, enabled } });
      } catch (problem) {
        box.checked = !enabled;
        fail(problem);
        return;
      }
      say(enabled ? t('portalRewriteOn', [name]) : t('portalRewriteOff', [name, hosts]));
    } finally {
      busy.delete(portal.id);
      await refreshPortals();
    }
  }

  async function refreshPortals() {
    const answer = await sendMessage({ what: 'getPortals' });
    if (!answer?.ok) throw answer?.error ?? new Error('no answer');
    portals = answer.portals;
    drawPortals();
  }

  return {
    async refresh(next) {
      state = next;
      const [options] = await Promise.all([pageOptions(), refreshPortals()]);
      drawPageOptions(options);
    },
  };
}

// Content script on the portal hosts (isolated world, from document_start). It keeps the tab's
// tenant at the source: a link the page shows without a `tid` gets the tab's `tid` the moment it
// is activated (click, middle-click, Ctrl+click, keyboard, context menu, drag), and so does a URL
// the page passes to `window.open` (portal-open.js, in the page's own world, hands over only that
// URL). A rule added for a new tab can lose the race with the tab's first request; a link that
// names its tenant cannot.
//
// It reads the tab's `tid` from its own address at document_start, before the portal's scripts
// can drop it, and sends nothing anywhere: it only changes the `href` of a portal link without a
// `tid`, inside the portal's own page, and only while the extension rewrites (the background
// says so: `pageTenant`, `tabTenant`). Whether a URL is a portal URL and whether it names a
// tenant is decided as the core decides it (src/portal.rs); the browser's rules stay the
// authority for every navigation. It also shows the tab's tenant in the title and as a line or
// banner in its colour (below).
(() => {
  'use strict';

  const api = globalThis.browser ?? globalThis.chrome;
  // The portal hosts the extension rewrites now: the Defender hosts, and an opt-in portal's
  // (Purview) while it is turned on. The background says which (`hosts`); until it answers, the
  // manifest's own host permissions.
  const manifest = api.runtime.getManifest();
  let hosts = new Set(manifest.host_permissions.map((pattern) => new URL(pattern.replace(/\*$/, '')).hostname));

  /** The value of the first `tid` parameter (any letter case, as the portal reads it), or null. */
  function tidOf(url) {
    for (const [name, value] of url.searchParams) {
      if (name.toLowerCase() === 'tid') return value;
    }
    return null;
  }

  const here = () => new URL(location.href);
  let tabTenant = tidOf(here());

  // With automatic rewrite off (or the settings unusable, or no host access) the extension
  // changes no address, so links stay as the page has them. The background says so with the
  // tab's tenant (`pageTenant`, `tabTenant`); until the first answer, links get the tab's tid
  // (rewrite is on by default).
  let rewriting = true;

  /** `href` with the tab's tid added, or null when it is not a portal URL or names a tenant. */
  function withTabTenant(href) {
    let url;
    try {
      url = new URL(href, location.href);
    } catch {
      return null;
    }
    const portal =
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      hosts.has(url.hostname) &&
      url.port === '' &&
      url.username === '' &&
      url.password === '';
    const tenant = tidOf(here()) ?? tabTenant;
    if (!rewriting || !portal || tidOf(url) !== null || !tenant) return null;
    // Appended as text, as the core's rewrite does, so the rest of the query stays as it was.
    const query = url.search === '' ? '?' : `${url.search}&`;
    url.search = `${query}tid=${encodeURIComponent(tenant)}`;
    return url.href;
  }

  function link(event) {
    for (const node of event.composedPath()) {
      if (node instanceof HTMLAnchorElement || node instanceof HTMLAreaElement) return node;
      if (node instanceof SVGAElement) return node;
    }
    return null;
  }

  function tag(event) {
    const anchor = link(event);
    if (!anchor) return;
    const href = anchor instanceof SVGAElement ? anchor.href.baseVal : anchor.href;
    const rewritten = href && withTabTenant(href);
    if (rewritten) anchor.setAttribute('href', rewritten);
  }

  for (const type of ['mousedown', 'click', 'auxclick', 'contextmenu', 'dragstart']) {
    addEventListener(type, tag, { capture: true });
  }
  addEventListener(
    'keydown',
    (event) => {
      if (event.key === 'Enter') tag(event);
    },
    { capture: true },
  );

  // window.open from the page: portal-open.js dispatches the URL, cancels nothing itself, and
  // takes the answer from a data attribute read synchronously right after.
  document.addEventListener('tenant-switch:open', (event) => {
    const rewritten = typeof event.detail === 'string' && withTabTenant(event.detail);
    if (!rewritten) return;
    event.preventDefault();
    document.documentElement.setAttribute('data-tenant-switch-open', rewritten);
  });

  // --- the tenant on the page ------------------------------------------------------------
  // The tab's tenant in the title (`Contoso · Incidents - Microsoft Defender`) and as a line in
  // its colour along the top edge, or a banner with its name. The background decides what the
  // tab is in and what to show (`pageTenant`, and `tabTenant` whenever that changes); this only
  // draws it. Names are text (document.title, textContent), isolated with U+2068/U+2069 so that a
  // right-to-left name cannot reorder the title around it.
  const SEPARATOR = ' \u00b7 ';
  const NEUTRAL = '#5f6368';
  let shown = null; // {prefix, colour, banner, line}
  let applied = null; // the prefix currently in front of the title

  /** What the identity `{tab, page}` from the background means for this page. */
  function describe({ tab, page }) {
    if (!page || !tab) return null;
    const t = (key, args) => api.i18n.getMessage(key, args);
    let name;
    let colour = null;
    switch (tab.kind) {
      case 'tenant':
        if (tab.tenant.known === false) {
          name = t('unknownTenant', [String(tab.tenant.id).replace(/-/g, '').slice(0, 4)]);
          colour = NEUTRAL;
        } else {
          name = tab.tenant.name;
          colour = tab.tenant.colour;
        }
        break;
      case 'home':
        name = t('noTenant');
        break;
      case 'notKnown':
        name = t('tenantNotKnownAfterRestart');
        break;
      default:
        return null;
    }
    return {
      prefix: page.titlePrefix ? `\u2068${name}\u2069${SEPARATOR}` : null,
      name,
      colour,
      line: Boolean(colour) && page.colourLine && !page.banner,
      banner: Boolean(colour) && page.banner,
    };
  }

  /** The portal's own title, without a prefix this script put in front of it. */
  function ownTitle() {
    const title = document.title;
    return applied && title.startsWith(applied) ? title.slice(applied.length) : title;
  }

  function applyTitle() {
    const own = ownTitle();
    const prefix = shown?.prefix ?? null;
    const wanted = prefix ? prefix + own : own;
    applied = prefix;
    if (document.title !== wanted) document.title = wanted;
  }

  // The portal sets its title as it navigates (a single-page app): put the prefix back each time.
  const titleWatch = new MutationObserver(() => {
    if (shown?.prefix && !document.title.startsWith(shown.prefix)) applyTitle();
  });
  function watchTitle() {
    titleWatch.disconnect();
    titleWatch.observe(document.head ?? document.documentElement, { childList: true, subtree: true, characterData: true });
  }

  // The line or banner lives in a closed shadow root on an element of its own, outside the body
  // the portal renders, and never takes a click.
  let host = null;
  let bar = null;
  function drawBar() {
    const wanted = shown && (shown.line || shown.banner);
    if (!wanted) {
      host?.remove();
      return;
    }
    if (!host) {
      host = document.createElement('tenant-switch-identity');
      const root = host.attachShadow({ mode: 'closed' });
      const style = document.createElement('style');
      style.textContent = `
        :host { all: initial; }
        div {
          position: fixed; top: 0; left: 0; right: 0; z-index: 2147483647;
          pointer-events: none; box-sizing: border-box; overflow: hidden;
          color: #fff; font: 600 12px/24px system-ui, sans-serif;
          white-space: nowrap; text-overflow: ellipsis; padding: 0 8px;
        }
        div.line { height: 4px; padding: 0; }
        div.banner { height: 24px; }`;
      bar = document.createElement('div');
      bar.setAttribute('aria-hidden', 'true');
      root.append(style, bar);
    }
    bar.className = shown.banner ? 'banner' : 'line';
    bar.style.background = shown.colour;
    bar.dir = 'auto';
    bar.textContent = shown.banner ? shown.name : '';
    if (host.parentNode !== document.documentElement) document.documentElement.append(host);
  }
  // A portal that rebuilds the document's children takes the element with it: put it back.
  new MutationObserver(() => {
    if (host && (shown?.line || shown?.banner) && host.parentNode !== document.documentElement) {
      document.documentElement.append(host);
    }
    if (document.head) watchTitle();
  }).observe(document.documentElement, { childList: true });

  function show(identity) {
    rewriting = identity.rewriting === true;
    if (Array.isArray(identity.hosts)) hosts = new Set(identity.hosts);
    if (identity?.tab?.kind === 'tenant' && identity.tab.tenant.known !== false && !tidOf(here())) {
      tabTenant = identity.tab.tenant.id;
    }
    shown = describe(identity ?? {});
    applyTitle();
    watchTitle();
    drawBar();
  }

  // The tab's tenant as the extension knows it (also for a page whose address never had a tid),
  // and again whenever it changes (a switch, a rename, another colour, the page options).
  api.runtime.onMessage.addListener((message) => {
    if (message?.what === 'tabTenant') show(message);
  });
  api.runtime
    .sendMessage({ what: 'pageTenant' })
    .then((answer) => {
      if (answer?.ok) show(answer);
    })
    .catch(() => {});
})();

// Content script on the portal hosts (isolated world, from document_start). It keeps the tab's
// tenant at the source: a link the page shows without a `tid` gets the tab's `tid` the moment it
// is activated (click, middle-click, Ctrl+click, keyboard, context menu, drag), and so does a URL
// the page passes to `window.open` (portal-open.js, in the page's own world, hands over only that
// URL). A rule added for a new tab can lose the race with the tab's first request; a link that
// names its tenant cannot.
//
// It reads the tab's `tid` from its own address at document_start, before the portal's scripts
// can drop it, and sends nothing anywhere: it only changes the `href` of a portal link without a
// `tid`, inside the portal's own page, and only while the extension rewrites (it asks the
// background: `getState`, `pageTenant`). Whether a URL is a portal URL and whether it names a
// tenant is decided as the core decides it (src/portal.rs); the browser's rules stay the
// authority for every navigation.
(() => {
  'use strict';

  const api = globalThis.browser ?? globalThis.chrome;
  // The portal hosts are the manifest's host permissions ("https://security.microsoft.com/*").
  const hosts = new Set(
    api.runtime.getManifest().host_permissions.map((pattern) => new URL(pattern.replace(/\*$/, '')).hostname),
  );

  /** The value of the first `tid` parameter (any letter case, as the portal reads it), or null. */
  function tidOf(url) {
    for (const [name, value] of url.searchParams) {
      if (name.toLowerCase() === 'tid') return value;
    }
    return null;
  }

  const here = () => new URL(location.href);
  let tabTenant = tidOf(here());

  // With automatic rewrite off (or the settings unusable) the extension changes no address, so
  // links stay as the page has them. Asked at start and again whenever the settings or the policy
  // change; until the first answer, links get the tab's tid (rewrite is on by default).
  let rewriting = true;
  function askRewriting() {
    api.runtime
      .sendMessage({ what: 'getState' })
      .then((answer) => {
        if (answer?.ok) rewriting = answer.state.usable && answer.state.automaticRewrite && answer.state.hostAccess;
      })
      .catch(() => {});
  }
  askRewriting();
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'managed' || (area === 'local' && 'settings' in changes)) askRewriting();
  });

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

  // The tab's tenant as the extension knows it, for a page whose address never had a tid.
  api.runtime
    .sendMessage({ what: 'pageTenant' })
    .then((answer) => {
      if (answer?.tab?.kind === 'tenant' && !tabTenant) tabTenant = answer.tab.tenant.id;
    })
    .catch(() => {});
})();

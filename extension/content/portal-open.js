// Content script on the portal hosts in the page's own world (from document_start): wraps
// `window.open`, the one way a page opens a tab that an isolated content script cannot see. It
// passes only the URL to portal-tenant.js (a synchronous DOM event) and opens what comes back:
// the same URL with the tab's tid when it is a portal URL without one. Everything else about the
// call stays as the page made it.
(() => {
  'use strict';

  const open = window.open;
  const ANSWER = 'data-tenant-switch-open';
  function openWithTenant(url, ...rest) {
    let target = url;
    if (url !== undefined && url !== null && String(url) !== '') {
      const asked = new CustomEvent('tenant-switch:open', { detail: String(url), cancelable: true });
      if (!document.dispatchEvent(asked)) target = document.documentElement.getAttribute(ANSWER) ?? url;
      document.documentElement.removeAttribute(ANSWER);
    }
    return open.call(this, target, ...rest);
  }
  Object.defineProperty(window, 'open', { value: openWithTenant, writable: true, configurable: true });
})();

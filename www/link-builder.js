// The link builder page: moves what the user pasted into the wasm core and draws what it returns.
//
// A classic script (module scripts and fetch do not work from file://). www/build.mjs inlines it
// after the wasm-bindgen `no-modules` glue, which defines the global `wasm_bindgen`, and after
// `WWW_DATA` = { wasm: <base64 of the .wasm>, messages: { en, de } (from _locales),
// errorDetails: { <error name>: [detail, ...] } (the extension's table in extension/i18n.js) }.
// Every decision about tenant IDs, names and URLs is the core's; data is only ever set as text.

/* global wasm_bindgen, WWW_DATA */

(function linkBuilder() {
  'use strict';

  const lang = /^de\b/i.test(navigator.language || '') ? 'de' : 'en';
  const $ = (id) => document.getElementById(id);

  // ---- strings: chrome.i18n.getMessage semantics over the embedded _locales ----

  function entryFor(key) {
    return WWW_DATA.messages[lang][key] || WWW_DATA.messages.en[key] || null;
  }

  /** The message `key` with `$1`..`$9` and named placeholders filled from `args`. */
  function message(key, args = []) {
    const entry = entryFor(key);
    if (!entry) {
      return '';
    }
    const byArgs = (text) => text.replace(/\$(\d)/g, (_, n) => String(args[Number(n) - 1] ?? ''));
    const placeholders = entry.placeholders || {};
    return entry.message.replace(/\$\$|\$(\w+)\$|\$(\d)/g, (whole, name, digit) => {
      if (whole === '$$') {
        return '$';
      }
      if (digit) {
        return String(args[Number(digit) - 1] ?? '');
      }
      const placeholder = Object.keys(placeholders).find((k) => k.toLowerCase() === name.toLowerCase());
      return placeholder === undefined ? '' : byArgs(String(placeholders[placeholder].content));
    });
  }

  function formatDetail(value) {
    if (typeof value === 'number') {
      return new Intl.NumberFormat(lang).format(value);
    }
    // A nested core error, such as the TenantId* error inside PortalInvalidTenant.
    if (typeof value?.name === 'string') {
      return errorText(value);
    }
    return value === undefined || value === null ? '' : String(value);
  }

  /**
   * The user's words for an error from the core (a JS Error or a plain `{name, ...}`), worded as
   * the extension words it: `error_<name>` with the details that `WWW_DATA.errorDetails` (the
   * extension's table) lists for that name as `$1`, `$2`, ...
   */
  function errorText(error) {
    const name = typeof error?.name === 'string' ? error.name : '';
    if (/^\w+$/.test(name) && entryFor(`error_${name}`)) {
      const fields = WWW_DATA.errorDetails[name] ?? [];
      return message(`error_${name}`, fields.map((field) => formatDetail(error[field])));
    }
    const text = error?.message || name || String(error);
    return entryFor('error_Unknown') ? message('error_Unknown', [text]) : message('www_unexpectedError', [text]);
  }

  function localise() {
    document.documentElement.lang = lang;
    for (const element of document.querySelectorAll('[data-i18n]')) {
      element.textContent = message(element.dataset.i18n);
    }
    $('guide-language').hidden = lang === 'en';
  }

  // ---- the core ----

  function decodeBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes;
  }

  function startCore() {
    wasm_bindgen.initSync({ module: decodeBase64(WWW_DATA.wasm) });
    return wasm_bindgen;
  }

  // ---- reading the pasted text ----

  /**
   * The pasted tenants: `{ tenants: [{line, name, id, domain}], problems: [{line, error}] }`, in
   * line order. `name` is null when the line held only an ID.
   */
  function readTenants(core, text) {
    if (typeof core.parseImport === 'function') {
      return fromImport(core.parseImport(text));
    }
    return readLines(core, text);
  }

  /**
   * Adapts the core import parser's answer, expected as
   * `{ rows: [{ line, tenant: {name, id, domain?} }], errors: [{ line, error: {name, ...} }] }`.
   */
  function fromImport(result) {
    return {
      tenants: result.rows.map(({ line, tenant }) => ({
        line,
        name: tenant.name,
        id: tenant.id,
        domain: tenant.domain ?? null,
      })),
      problems: result.errors.map(({ line, error }) => ({ line, error })),
    };
  }

  /**
   * Stand-in until the core's import parser is wired: one tenant ID per line, or
   * `name,id[,domain]`; every field is judged by the core.
   */
  function readLines(core, text) {
    const tenants = [];
    const problems = [];
    text.split(/\r\n|\r|\n/).forEach((raw, index) => {
      const line = index + 1;
      if (raw.trim() === '') {
        return;
      }
      const fields = raw.split(',');
      try {
        if (fields.length === 1) {
          tenants.push({ line, name: null, id: core.parseTenantId(raw), domain: null });
        } else {
          const [name, id, domain] = fields;
          const candidate = { name, id };
          if (domain !== undefined && domain.trim() !== '') {
            candidate.domain = domain;
          }
          const tenant = core.validateTenant(candidate);
          tenants.push({ line, name: tenant.name, id: tenant.id, domain: tenant.domain ?? null });
        }
      } catch (error) {
        problems.push({ line, error });
      }
    });
    return { tenants, problems };
  }

  // ---- drawing ----

  function element(tag, text, attributes = {}) {
    const node = document.createElement(tag);
    if (text !== null) {
      node.textContent = text;
    }
    for (const [name, value] of Object.entries(attributes)) {
      node.setAttribute(name, value);
    }
    return node;
  }

  function showStatus(text) {
    $('copy-status').textContent = text;
  }

  function drawProblems(problems) {
    const box = $('problems');
    const lines = problems.map(({ line, error }) => message('www_lineError', [line, errorText(error)]));
    const signature = JSON.stringify(lines);
    // role="alert" speaks on every change: only touch it when what it says changes.
    if (box.dataset.signature === signature) {
      return;
    }
    box.dataset.signature = signature;
    box.replaceChildren();
    if (lines.length > 0) {
      box.append(element('p', message('www_problemCount', [lines.length])));
      const list = element('ul', null);
      list.append(...lines.map((text) => element('li', text)));
      box.append(list);
    }
  }

  function drawTable(tenants) {
    const body = $('links').querySelector('tbody');
    body.replaceChildren();
    tenants.forEach((tenant, index) => {
      const nameId = `tenant-name-${index}`;
      const row = element('tr', null);
      row.append(element('td', String(tenant.line)));
      row.append(element('td', tenant.name ?? '', { id: nameId, class: 'name' }));
      row.append(element('td', tenant.id, { class: 'id' }));
      const linkCell = element('td', null, { class: 'link' });
      const anchor = element('a', tenant.link, { href: tenant.link, rel: 'noreferrer' });
      linkCell.append(anchor);
      row.append(linkCell);
      const buttonCell = element('td', null);
      const button = element('button', message('www_copyLink'), {
        type: 'button',
        'aria-describedby': nameId,
      });
      button.addEventListener('click', () => copy(tenant.link, button, anchor));
      buttonCell.append(button);
      row.append(buttonCell);
      body.append(row);
    });
    $('links').hidden = tenants.length === 0;
    $('tenant-count').textContent = tenants.length > 0 ? message('www_tenantCount', [tenants.length]) : '';
  }

  function drawTenantSelect(tenants) {
    const select = $('tenant');
    const previous = select.value;
    select.replaceChildren();
    if (tenants.length === 0) {
      select.append(element('option', message('www_noTenantsOption'), { value: '' }));
      return;
    }
    for (const tenant of tenants) {
      const label = tenant.name === null ? tenant.id : `${tenant.name} (${tenant.id})`;
      select.append(element('option', label, { value: tenant.id }));
    }
    if (tenants.some((tenant) => tenant.id === previous)) {
      select.value = previous;
    }
  }

  // ---- actions ----

  /** The legacy copy command on a throwaway field: for browsers or pages without the Clipboard API. */
  function legacyCopy(text) {
    const area = element('textarea', null, { readonly: '', class: 'offscreen', 'aria-hidden': 'true' });
    area.value = text;
    document.body.append(area);
    area.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }

  /**
   * Copies `text`; when the browser refuses, selects `shown` (where the text is on the page) so
   * the user can press Ctrl+C. Focus goes back to `button` either way.
   */
  async function copy(text, button, shown) {
    let copied;
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      copied = legacyCopy(text);
      button.focus();
    }
    showStatus(copied ? message('www_copied', [text]) : message('www_copyFailed'));
    if (!copied) {
      if (typeof shown.select === 'function') {
        shown.select();
      } else {
        window.getSelection()?.selectAllChildren(shown);
      }
    }
  }

  function escapeHtml(text) {
    return String(text)
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&#39;');
  }

  /** The Netscape bookmark file that Chrome, Edge and Firefox import: one folder of links. */
  function bookmarksFile(folder, tenants) {
    return [
      '<!DOCTYPE NETSCAPE-Bookmark-file-1>',
      '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
      '<TITLE>Bookmarks</TITLE>',
      '<H1>Bookmarks</H1>',
      '<DL><p>',
      `    <DT><H3>${escapeHtml(folder)}</H3>`,
      '    <DL><p>',
      ...tenants.map(
        (tenant) => `        <DT><A HREF="${escapeHtml(tenant.link)}">${escapeHtml(tenant.name ?? tenant.id)}</A>`,
      ),
      '    </DL><p>',
      '</DL><p>',
      '',
    ].join('\n');
  }

  function download(fileName, text) {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/html;charset=utf-8' }));
    const link = element('a', null, { href: url, download: fileName, class: 'offscreen' });
    document.body.append(link);
    link.click();
    link.remove();
    // Some browsers read the blob after click() returns.
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ---- wiring ----

  function start() {
    localise();
    let core;
    try {
      core = startCore();
    } catch (error) {
      $('start-error').textContent = message('www_startFailed', [error && error.message ? error.message : String(error)]);
      return;
    }

    let tenants = [];
    const input = $('tenants');
    const portalUrl = $('portal-url');
    const tenantSelect = $('tenant');

    function rewrite() {
      const url = portalUrl.value;
      const id = tenantSelect.value;
      let result = '';
      let problem = '';
      if (url.trim() !== '' && id !== '') {
        try {
          result = core.withTenant(url, id);
        } catch (error) {
          problem = errorText(error);
        }
      }
      $('rewritten').value = result;
      if ($('rewrite-error').textContent !== problem) {
        $('rewrite-error').textContent = problem;
      }
      if (problem) {
        portalUrl.setAttribute('aria-invalid', 'true');
      } else {
        portalUrl.removeAttribute('aria-invalid');
      }
    }

    function update() {
      const read = readTenants(core, input.value);
      tenants = read.tenants.map((tenant) => ({ ...tenant, link: core.portalUrl(tenant.id) }));
      drawProblems(read.problems);
      drawTable(tenants);
      drawTenantSelect(tenants);
      $('bookmarks-error').textContent = '';
      rewrite();
    }

    input.addEventListener('input', update);
    portalUrl.addEventListener('input', rewrite);
    tenantSelect.addEventListener('change', rewrite);
    $('copy-rewritten').addEventListener('click', () => {
      if ($('rewritten').value !== '') {
        copy($('rewritten').value, $('copy-rewritten'), $('rewritten'));
      }
    });
    $('download-bookmarks').addEventListener('click', () => {
      if (tenants.length === 0) {
        $('bookmarks-error').textContent = message('www_bookmarksEmpty');
        return;
      }
      $('bookmarks-error').textContent = '';
      download('tenant-switch-bookmarks.html', bookmarksFile(message('www_bookmarksFolder'), tenants));
    });
    update();
  }

  start();
})();

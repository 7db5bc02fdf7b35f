// The link builder page: moves what the user pasted or dropped into the wasm core and draws what
// it returns.
//
// A classic script (module scripts and fetch do not work from file://). www/build.mjs inlines it
// after the wasm-bindgen `no-modules` glue, which defines the global `wasm_bindgen`, and after
// `WWW_DATA` = { wasm: <base64 of the .wasm>, messages: { en, de } (from _locales),
// errorDetails: { <error name>: [detail, ...] } (generated from the core, as the extension's) },
// and after `errorWording` (extension/error-wording.js).
// Every decision is the core's (src/wasm_www.rs): how the text is read, which rows are rejected
// and why, which tenants a filter finds and in what order, what a page holds, each tenant's
// portal links and which of them it lacks an identifier for, the bookmark file. The page only
// words them (portal names are the _locales messages `portal_<id>`). Data is only ever set as
// text.

/* global wasm_bindgen, WWW_DATA, errorWording */

(function linkBuilder() {
  'use strict';

  const lang = /^de\b/i.test(navigator.language || '') ? 'de' : 'en';
  const $ = (id) => document.getElementById(id);
  /** Links per page of the table. */
  const PAGE_SIZE = 100;
  /** Options the Tenant combobox lists at once; typing narrows them. */
  const OPTION_LIMIT = 50;

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

  const numberFormat = new Intl.NumberFormat(lang);
  const formatNumber = (n) => numberFormat.format(n);

  // The extension's own wording of core errors (extension/error-wording.js, inlined before this
  // script by www/build.mjs): every error reads the same here as in the options page.
  const { errorText, importErrorText } = errorWording({
    t: message,
    formatNumber,
    fields: WWW_DATA.errorDetails,
  });

  function localise() {
    document.documentElement.lang = lang;
    for (const element of document.querySelectorAll('[data-i18n]')) {
      element.textContent = message(element.dataset.i18n);
    }
    for (const element of document.querySelectorAll('[data-i18n-aria-label]')) {
      element.setAttribute('aria-label', message(element.dataset.i18nAriaLabel));
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

  // ---- drawing helpers ----

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

  /** Sets a live region's text only when it changes, so it is not announced again. */
  function say(node, text) {
    if (node.textContent !== text) {
      node.textContent = text;
    }
  }

  const positionOf = (row) => (row.line !== undefined ? row.line : row.entry);

  /** What a tenant is called in lists of its own: its name, or its ID when it has none. */
  const titleOf = (tenant) => tenant.name ?? tenant.id;

  /** `{<portal id>: localised name}` for every portal the _locales name (`portal_<id>`). */
  function portalNames() {
    const names = {};
    for (const key of Object.keys(WWW_DATA.messages.en)) {
      if (key.startsWith('portal_')) {
        names[key.slice('portal_'.length)] = message(key);
      }
    }
    return names;
  }

  /** What a tenant is called in the Tenant combobox. */
  const optionLabel = (tenant) => (tenant.name === undefined ? tenant.id : `${tenant.name} (${tenant.id})`);

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
    $('copy-status').textContent = copied ? message('www_copied', [text]) : message('www_copyFailed');
    if (!copied) {
      if (typeof shown.select === 'function') {
        shown.select();
      } else {
        window.getSelection()?.selectAllChildren(shown);
      }
    }
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

  // ---- the page ----

  function start() {
    localise();
    let core;
    try {
      core = startCore();
    } catch (error) {
      $('start-error').textContent = message('www_startFailed', [error && error.message ? error.message : String(error)]);
      return;
    }

    const input = $('tenants');
    const fileInput = $('tenant-file');
    const filter = $('filter');
    const portalUrl = $('portal-url');
    const combo = $('tenant');
    const listbox = $('tenant-options');
    const encoder = new TextEncoder();

    /** The core's LinkList of what was pasted, or null when the text could not be read. */
    let list = null;
    /** `{format, count, rejected}` of `list`, or null. */
    let summary = null;
    /** Why the whole text could not be read, in the user's words; '' when it could. */
    let readError = '';
    /** The first link shown in the table, as the core last confirmed it. */
    let offset = 0;
    /** IDs of the tenants whose "All portals" list is open: it stays open across redraws. */
    let openPortals = new Set();
    /** The tenant chosen in the combobox, `{id, label}`, or null. */
    let chosen = null;
    /** The combobox's current options, `{id, label}`, and the index of the active one. */
    let options = [];
    let active = -1;

    // -- reading --

    /** Reads `bytes` (the text area's text as UTF-8, or a dropped file) with the core. */
    function read(bytes) {
      list?.free();
      list = null;
      summary = null;
      readError = '';
      openPortals = new Set();
      try {
        list = new core.LinkList(bytes);
        summary = list.summary();
      } catch (error) {
        readError = importErrorText(error);
      }
      offset = 0;
      drawProblems();
      drawLinks();
      refreshChosen();
      $('bookmarks-error').textContent = '';
    }

    async function readFile(file) {
      $('file-error').textContent = '';
      try {
        core.checkFileSize(file.size);
      } catch (error) {
        $('file-error').textContent = importErrorText(error);
        return;
      }
      let bytes;
      try {
        bytes = new Uint8Array(await file.arrayBuffer());
      } catch (error) {
        $('file-error').textContent = message('importReadFailed', [error?.message ?? String(error)]);
        return;
      }
      // The file's own bytes are what is read (so a file gives what the extension's import
      // gives); the text area shows their text, or nothing when they are not text.
      let text = '';
      try {
        text = core.decodePasted(bytes);
      } catch {
        // The list below reports why.
      }
      input.value = text;
      $('file-status').textContent = message('www_fileRead', [file.name]);
      read(bytes);
    }

    // -- the rejected rows, or why nothing could be read --

    function drawProblems() {
      const box = $('problems');
      let heading = readError;
      let lines = [];
      if (summary && summary.rejected.length > 0) {
        const json = summary.format === 'json';
        heading = message(json ? 'www_entryProblemCount' : 'www_problemCount', [formatNumber(summary.rejected.length)]);
        lines = summary.rejected.map((row) =>
          message(json ? 'www_entryError' : 'www_lineError', [formatNumber(positionOf(row)), importErrorText(row.error)]),
        );
      }
      const signature = JSON.stringify([heading, lines]);
      // role="alert" speaks on every change: only touch it when what it says changes.
      if (box.dataset.signature === signature) {
        return;
      }
      box.dataset.signature = signature;
      box.replaceChildren();
      if (heading) {
        box.append(element('p', heading));
      }
      if (lines.length > 0) {
        const items = element('ul', null);
        items.append(...lines.map((text) => element('li', text)));
        box.append(items);
      }
    }

    // -- the table of links, filtered and paged --

    function drawLinks() {
      const count = summary ? summary.count : 0;
      const query = filter.value;
      const page = list && count > 0 ? list.page(query, offset, PAGE_SIZE) : { total: 0, offset: 0, tenants: [] };
      offset = page.offset;
      const table = $('links');
      const body = table.querySelector('tbody');
      body.replaceChildren();
      $('column-position').textContent = message(summary?.format === 'json' ? 'www_columnEntry' : 'www_columnLine');
      page.tenants.forEach((tenant, index) => {
        const nameId = `tenant-name-${index}`;
        const idId = `tenant-id-${index}`;
        const row = element('tr', null);
        row.append(element('td', formatNumber(positionOf(tenant)), { class: 'position' }));
        row.append(element('td', tenant.name ?? '', { id: nameId, class: 'name' }));
        row.append(element('td', tenant.id, { id: idId, class: 'id' }));
        const linkCell = element('td', null, { class: 'link' });
        const anchor = element('a', null, { href: tenant.link, rel: 'noreferrer' });
        // The address may break before its query ("?tid=…") and nowhere else, so that the
        // table fits the page with its last column in view.
        const query = tenant.link.indexOf('?');
        if (query > 0) {
          anchor.append(
            element('span', tenant.link.slice(0, query)),
            document.createElement('wbr'),
            element('span', tenant.link.slice(query)),
          );
        } else {
          anchor.textContent = tenant.link;
        }
        linkCell.append(anchor);
        row.append(linkCell);
        const buttonCell = element('td', null);
        const button = element('button', message('www_copyLink'), {
          type: 'button',
          'aria-describedby': tenant.name === undefined ? idId : nameId,
        });
        button.addEventListener('click', () => copy(tenant.link, button, anchor));
        buttonCell.append(button);
        row.append(buttonCell);
        const portals = portalDisclosure(tenant, index, tenant.name === undefined ? idId : nameId);
        row.append(portals.cell);
        body.append(row);
        portals.restore();
      });
      table.hidden = page.tenants.length === 0;
      say($('tenant-count'), count > 0 ? message('www_tenantCount', [formatNumber(count)]) : '');
      $('filter-field').hidden = count === 0;

      let status = '';
      if (count > 0 && query.trim() !== '' && page.total === 0) {
        status = message('www_filterNoMatch', [query]);
      } else if (page.total > PAGE_SIZE || (count > 0 && query.trim() !== '')) {
        status = message('www_pageStatus', [
          formatNumber(page.total === 0 ? 0 : page.offset + 1),
          formatNumber(page.offset + page.tenants.length),
          formatNumber(page.total),
        ]);
      }
      say($('page-status'), status);
      $('pager').hidden = page.total <= PAGE_SIZE;
      setEnabled($('previous-page'), page.offset > 0);
      setEnabled($('next-page'), page.offset + page.tenants.length < page.total);
    }

    // -- each tenant's links to every portal: a disclosure, drawn when it is opened --

    /**
     * The "All portals" disclosure of one row: a button that shows the tenant's list in a row of
     * its own below (the whole table's width, for 14 links with notes), drawn when opened and
     * removed when closed. `titleId` is the cell that names the tenant, which the button and
     * every link are described by (many rows have a link called "Microsoft Entra admin center").
     * Returns the cell and `restore`, to call once the row is in the table.
     */
    function portalDisclosure(tenant, index, titleId) {
      const cell = element('td', null, { class: 'portals' });
      const panelId = `portals-${index}`;
      const button = element('button', message('www_showPortals'), {
        type: 'button',
        class: 'disclosure',
        'aria-expanded': 'false',
        'aria-describedby': titleId,
      });
      let panelRow = null;
      const show = (open) => {
        button.setAttribute('aria-expanded', String(open));
        if (open && panelRow === null) {
          const row = cell.closest('tr');
          panelRow = element('tr', null, { class: 'portal-row' });
          const panelCell = element('td', null, { colspan: String(row.cells.length) });
          const panel = element('div', null, { id: panelId, class: 'portal-panel' });
          panel.append(portalList(tenant, index, titleId));
          panelCell.append(panel);
          panelRow.append(panelCell);
          row.after(panelRow);
          button.setAttribute('aria-controls', panelId);
        } else if (!open && panelRow !== null) {
          panelRow.remove();
          panelRow = null;
          button.removeAttribute('aria-controls');
        }
      };
      button.addEventListener('click', () => {
        const open = button.getAttribute('aria-expanded') !== 'true';
        if (open) {
          openPortals.add(tenant.id);
        } else {
          openPortals.delete(tenant.id);
        }
        show(open);
      });
      cell.append(button);
      // After a redraw (filter, page), once the row is in the table: open again if it was.
      const restore = () => show(openPortals.has(tenant.id));
      return { cell, restore };
    }

    /**
     * The core's links of one tenant, as the extension's "Open in portal" menu lists them: the
     * Defender portal with its deep links nested under it, then the other portals. A portal the
     * tenant lacks an identifier for is a disabled link with the reason beside it; the
     * delegatedOrg portals say that they need a partner relationship.
     */
    function portalList(tenant, index, titleId) {
      const items = list.portalLinks(tenant.id);
      const top = element('ul', null, { class: 'portal-list', 'aria-label': message('www_portalsOf', [titleOf(tenant)]) });
      let head = null;
      let nested = null;
      items.forEach((item, position) => {
        const notes = [];
        if (item.missing === 'initialDomain') {
          notes.push(message('www_portalNeedsInitialDomain'));
        }
        if (item.partnerOnly) {
          notes.push(message('www_portalPartnerOnly'));
        }
        const noteId = `portal-note-${index}-${position}`;
        const described = notes.length > 0 ? `${titleId} ${noteId}` : titleId;
        const name = message(`portal_${item.id}`);
        const link =
          item.url === undefined
            ? element('a', name, { role: 'link', 'aria-disabled': 'true', 'aria-describedby': described })
            : element('a', name, { href: item.url, rel: 'noreferrer', 'aria-describedby': described });
        const entry = element('li', null);
        entry.append(link);
        if (notes.length > 0) {
          entry.append(element('span', notes.join(' '), { id: noteId, class: 'hint portal-note' }));
        }
        // The first row of the Defender group heads it; its deep links are listed under it.
        if (item.group === 'defender' && head !== null) {
          if (nested === null) {
            nested = element('ul', null);
            head.append(nested);
          }
          nested.append(entry);
        } else {
          top.append(entry);
          head = item.group === 'defender' ? entry : null;
          nested = null;
        }
      });
      return top;
    }

    /** aria-disabled rather than disabled, so a button keeps focus when it reaches the end. */
    function setEnabled(button, enabled) {
      if (enabled) {
        button.removeAttribute('aria-disabled');
      } else {
        button.setAttribute('aria-disabled', 'true');
      }
    }

    function turnPage(step, button) {
      if (button.getAttribute('aria-disabled') === 'true') {
        return;
      }
      offset = Math.max(0, offset + step * PAGE_SIZE);
      drawLinks();
    }

    // -- the Tenant combobox (ARIA combobox with a listbox popup, list autocomplete) --

    function isOpen() {
      return combo.getAttribute('aria-expanded') === 'true';
    }

    /** Lists the tenants matching what is typed (all of them when a chosen tenant is shown). */
    function openOptions(activate) {
      const query = chosen && combo.value === chosen.label ? '' : combo.value;
      const count = summary ? summary.count : 0;
      const result = list && count > 0 ? list.page(query, 0, OPTION_LIMIT) : { total: 0, tenants: [] };
      options = result.tenants.map((tenant) => ({ id: tenant.id, label: optionLabel(tenant) }));
      listbox.replaceChildren(
        ...options.map((option, index) => {
          const item = element('li', option.label, {
            role: 'option',
            id: `tenant-option-${index}`,
            'aria-selected': String(chosen?.id === option.id),
          });
          // Keeps focus in the combobox, so choosing by mouse does not close the list first.
          item.addEventListener('mousedown', (event) => event.preventDefault());
          item.addEventListener('click', () => choose(index));
          return item;
        }),
      );
      let hint = '';
      if (count === 0) {
        hint = message('www_noTenantsOption');
      } else if (result.total === 0) {
        hint = message('www_tenantNoMatch', [query]);
      } else if (result.total > options.length) {
        hint = message('www_tenantOptionsMore', [formatNumber(options.length), formatNumber(result.total)]);
      }
      say($('tenant-more'), hint);
      const expanded = options.length > 0;
      listbox.hidden = !expanded;
      combo.setAttribute('aria-expanded', String(expanded));
      const current = options.findIndex((option) => option.id === chosen?.id);
      if (activate === 'first') {
        setActive(current >= 0 ? current : 0);
      } else if (activate === 'last') {
        setActive(current >= 0 ? current : options.length - 1);
      } else {
        setActive(-1);
      }
    }

    function closeOptions() {
      listbox.hidden = true;
      combo.setAttribute('aria-expanded', 'false');
      setActive(-1);
    }

    function setActive(index) {
      active = index >= 0 && index < options.length ? index : -1;
      for (const [i, item] of [...listbox.children].entries()) {
        item.classList.toggle('active', i === active);
      }
      if (active >= 0) {
        combo.setAttribute('aria-activedescendant', `tenant-option-${active}`);
        listbox.children[active].scrollIntoView({ block: 'nearest' });
      } else {
        combo.removeAttribute('aria-activedescendant');
      }
    }

    function choose(index) {
      chosen = options[index] ?? null;
      if (chosen) {
        combo.value = chosen.label;
      }
      closeOptions();
      rewrite();
    }

    /** After the text changed: the chosen tenant stays chosen while the text still has it. */
    function refreshChosen() {
      if (chosen) {
        const found = list?.page(chosen.id, 0, 5).tenants.find((tenant) => tenant.id === chosen.id);
        if (found) {
          const showsChosen = combo.value === chosen.label;
          chosen = { id: found.id, label: optionLabel(found) };
          if (showsChosen) {
            combo.value = chosen.label;
          }
        } else {
          chosen = null;
        }
      }
      if (isOpen()) {
        openOptions();
      } else {
        say($('tenant-more'), summary && summary.count > 0 ? '' : message('www_noTenantsOption'));
      }
      rewrite();
    }

    function onComboKey(event) {
      const open = isOpen();
      switch (event.key) {
        case 'ArrowDown':
          event.preventDefault();
          if (!open || event.altKey) {
            openOptions(event.altKey ? undefined : 'first');
          } else {
            setActive(active + 1 < options.length ? active + 1 : 0);
          }
          break;
        case 'ArrowUp':
          event.preventDefault();
          if (event.altKey) {
            closeOptions();
          } else if (!open) {
            openOptions('last');
          } else {
            setActive(active > 0 ? active - 1 : options.length - 1);
          }
          break;
        case 'Enter':
          if (open && active >= 0) {
            event.preventDefault();
            choose(active);
          }
          break;
        case 'Escape':
          if (open) {
            event.preventDefault();
            closeOptions();
          } else if (combo.value !== '') {
            event.preventDefault();
            combo.value = '';
            chosen = null;
            rewrite();
          }
          break;
        default:
          break;
      }
    }

    // -- the URL rewrite --

    function rewrite() {
      const url = portalUrl.value;
      let result = '';
      let problem = '';
      if (url.trim() !== '' && chosen) {
        try {
          result = core.withTenant(url, chosen.id);
        } catch (error) {
          problem = errorText(error);
        }
      }
      $('rewritten').value = result;
      say($('rewrite-error'), problem);
      if (problem) {
        portalUrl.setAttribute('aria-invalid', 'true');
      } else {
        portalUrl.removeAttribute('aria-invalid');
      }
    }

    // -- wiring --

    input.addEventListener('input', () => {
      $('file-status').textContent = '';
      $('file-error').textContent = '';
      fileInput.value = '';
      read(encoder.encode(input.value));
    });
    fileInput.addEventListener('change', () => {
      const file = fileInput.files?.[0];
      if (file) {
        readFile(file);
      }
    });
    const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');
    input.addEventListener('dragover', (event) => {
      if (hasFiles(event)) {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        input.classList.add('drop-target');
      }
    });
    input.addEventListener('dragleave', () => input.classList.remove('drop-target'));
    input.addEventListener('drop', (event) => {
      input.classList.remove('drop-target');
      const file = event.dataTransfer?.files?.[0];
      if (hasFiles(event) && file) {
        event.preventDefault();
        event.stopPropagation();
        fileInput.value = '';
        readFile(file);
      }
    });
    // A file dropped anywhere else must not make the browser open it in place of the page.
    for (const type of ['dragover', 'drop']) {
      window.addEventListener(type, (event) => {
        if (hasFiles(event)) {
          event.preventDefault();
          if (type === 'dragover') {
            event.dataTransfer.dropEffect = 'none';
          }
        }
      });
    }

    filter.addEventListener('input', () => {
      offset = 0;
      drawLinks();
    });
    $('previous-page').addEventListener('click', (event) => turnPage(-1, event.currentTarget));
    $('next-page').addEventListener('click', (event) => turnPage(1, event.currentTarget));

    combo.addEventListener('input', () => {
      if (chosen && combo.value !== chosen.label) {
        chosen = null;
        rewrite();
      }
      openOptions(combo.value.trim() === '' ? undefined : 'first');
    });
    combo.addEventListener('keydown', onComboKey);
    combo.addEventListener('click', () => (isOpen() ? closeOptions() : openOptions()));
    combo.addEventListener('blur', closeOptions);

    portalUrl.addEventListener('input', rewrite);
    $('copy-rewritten').addEventListener('click', () => {
      if ($('rewritten').value !== '') {
        copy($('rewritten').value, $('copy-rewritten'), $('rewritten'));
      }
    });
    $('download-bookmarks').addEventListener('click', () => {
      if (!list || !summary || summary.count === 0) {
        $('bookmarks-error').textContent = message('www_bookmarksEmpty');
        return;
      }
      $('bookmarks-error').textContent = '';
      download('tenant-switch-bookmarks.html', list.bookmarksFile(message('www_bookmarksFolder'), portalNames()));
    });
    read(encoder.encode(input.value));
  }

  start();
})();

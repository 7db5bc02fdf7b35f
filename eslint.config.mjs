// ESLint flat config: the browser shells (extension/, www/ page scripts) and the Node.js build
// scripts, tests and benchmarks. `./build.sh test` runs `eslint --max-warnings 0 .`.
import js from '@eslint/js';
import globals from 'globals';

// Markup built from strings is how a tenant name could become HTML: the pages build DOM nodes
// and set textContent instead (issue 3: names are always rendered as text).
const noHtmlStrings = [
  'error',
  {
    selector: "AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]",
    message: 'Build DOM nodes and set textContent; never assign HTML strings.',
  },
  {
    selector: "CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln)$/]",
    message: 'Build DOM nodes and set textContent; never insert HTML strings.',
  },
];

// Native dialogs block the page and cannot be localised or tested; the pages use inline UI.
const noNativeDialogs = ['alert', 'confirm', 'prompt'].map((name) => ({
  name,
  message: 'Use an inline role="alert" message or an Undo button, not a native dialog.',
}));

export default [
  {
    ignores: ['pkg/', 'dist/', 'target/', 'node_modules/', 'tests/.tmp/', '.tools/'],
  },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',
      'no-var': 'error',
    },
  },
  {
    files: ['extension/**/*.js'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.webextensions, ...globals.serviceworker },
    },
    rules: {
      'no-restricted-syntax': noHtmlStrings,
      'no-restricted-globals': [
        'error',
        ...noNativeDialogs,
        // ARCHITECTURE.md: browser-adapter.js is the only file that touches chrome.* / browser.*.
        { name: 'chrome', message: 'Go through browser-adapter.js.' },
        { name: 'browser', message: 'Go through browser-adapter.js.' },
      ],
    },
  },
  {
    files: ['extension/browser-adapter.js'],
    rules: { 'no-restricted-globals': ['error', ...noNativeDialogs] },
  },
  {
    // The www page's own scripts are classic scripts (it must work from file://) on the
    // `wasm_bindgen` global of pkg/classic (each file declares it with a `/* global */` comment).
    files: ['www/**/*.js'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'script',
      globals: { ...globals.browser },
    },
    rules: {
      'no-restricted-syntax': noHtmlStrings,
      'no-restricted-globals': ['error', ...noNativeDialogs],
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**/*.js', 'tests/**/*.js'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals.node },
    },
  },
  {
    // Browser-driving tests and benchmarks hand functions to page.evaluate() / worker.evaluate(),
    // which run in the extension's pages and service worker.
    files: ['tests/e2e/**/*.mjs', 'benches/**/*.mjs'],
    languageOptions: {
      globals: { ...globals.node, ...globals.browser, ...globals.webextensions },
    },
  },
  {
    // Extensions that benchmarks compare against: plain WebExtension code, not Tenant Switch
    // (classic service worker scripts).
    files: ['benches/**/*.js'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'script',
      globals: { ...globals.browser, ...globals.webextensions, ...globals.serviceworker },
    },
  },
];

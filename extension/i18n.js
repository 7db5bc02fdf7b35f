// Localisation for the extension pages: fills the DOM from `data-i18n*` attributes and turns a
// core error `{name, ...details}` into the localised `error_<name>` message of `_locales/`.

import { getMessage, getUILanguage } from './browser-adapter.js';
// Generated from the core at build time (scripts/error-fields.mjs): each error's detail fields
// in the order its message numbers its placeholders.
import ERROR_FIELDS from './error-fields.js';
import { errorWording } from './error-wording.js';

/** The localised message `key`, with `substitutions` (any values) for its placeholders. */
export function t(key, substitutions = []) {
  return getMessage(key, substitutions.map(String));
}

const wording = errorWording({ t, formatNumber, fields: ERROR_FIELDS });

/** The localised, specific message for a core error (a JS `Error` or a plain `{name, ...}`). */
export const errorMessage = wording.errorText;

/** errorMessage for the import's errors, with the column and the earlier row worded. */
export const importErrorMessage = wording.importErrorText;

/** The language of the strings shown, as a BCP 47 tag (from the locale that supplied them). */
export function uiLanguage() {
  return getMessage('languageTag') || getUILanguage() || 'en';
}

/** `n` written the UI language's way ("8,000" / "8.000"). */
export function formatNumber(n) {
  return new Intl.NumberFormat(uiLanguage()).format(n);
}

/**
 * Fills `root` from its attributes: `data-i18n` sets the text, `data-i18n-title`,
 * `data-i18n-placeholder` and `data-i18n-aria-label` set those attributes. Also sets the
 * document's language and direction.
 */
export function localize(root = document) {
  for (const element of root.querySelectorAll('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const [data, attribute] of [
    ['i18nTitle', 'title'],
    ['i18nPlaceholder', 'placeholder'],
    ['i18nAriaLabel', 'aria-label'],
  ]) {
    const selector = `[data-${data.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`;
    for (const element of root.querySelectorAll(selector)) {
      element.setAttribute(attribute, t(element.dataset[data]));
    }
  }
  if (root === document) {
    document.documentElement.lang = uiLanguage();
    document.documentElement.dir = getMessage('@@bidi_dir') || 'ltr';
  }
}

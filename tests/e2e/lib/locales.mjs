// The extension's _locales as data, and Chrome's own substitution rules, for tests that check a
// text the browser shows (a badge tooltip, a banner) against the message it must come from. This
// reads extension/_locales directly and substitutes as chrome.i18n.getMessage is documented to
// (https://developer.chrome.com/docs/extensions/reference/api/i18n): it shares no code with
// extension/i18n.js, so a test built on it does not take the code under test as its oracle.
import { readFileSync } from 'node:fs';

const LOCALES_DIR = new URL('../../../extension/_locales/', import.meta.url);

/** The languages the extension ships. */
export const LANGUAGES = ['en', 'de'];

/** `messages.json` of `lang`, as parsed JSON. */
export function readMessages(lang) {
  return JSON.parse(readFileSync(new URL(`${lang}/messages.json`, LOCALES_DIR), 'utf8'));
}

const cache = new Map();
function messagesOf(lang) {
  if (!cache.has(lang)) cache.set(lang, readMessages(lang));
  return cache.get(lang);
}

/**
 * The text of message `key` in `lang` with `args` for `$1`, `$2`, …: each `$name$` in the
 * message is replaced by its placeholder's content (names compare without regard to case), then
 * each `$n` by the n-th argument (an empty string when it is missing) and `$$` by `$`.
 * Throws when `key` is not a message of `lang`.
 */
export function message(key, args = [], lang = 'en') {
  const entry = messagesOf(lang)[key];
  if (!entry) throw new Error(`_locales/${lang} has no message ${key}`);
  const placeholders = Object.fromEntries(
    Object.entries(entry.placeholders ?? {}).map(([name, value]) => [name.toLowerCase(), value.content]),
  );
  const expanded = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name) => placeholders[name.toLowerCase()] ?? whole);
  return expanded.replace(/\$(\$|[1-9])/g, (_, what) => (what === '$' ? '$' : String(args[Number(what) - 1] ?? '')));
}

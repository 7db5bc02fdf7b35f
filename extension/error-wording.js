// How an error from the core becomes the user's words: `error_<name>` from _locales with the
// error's details in the order the core's catalogue numbers them. One wording for both places
// that show the core's errors: the extension's pages (i18n.js) and the link builder page
// (www/build.mjs inlines this file, without its `export`s, into the page's classic script).
// It knows no browser API: the caller passes its message lookup and its number format.

/** The import's columns by the core's key (`ImportMissingColumn`, `ImportRowWrongType`). */
const COLUMN_LABELS = {
  name: 'tenantNameLabel',
  id: 'tenantIdLabel',
  domain: 'domainLabel',
  initialDomain: 'importColumnInitialDomain',
  tags: 'importColumnTags',
  aliases: 'importColumnAliases',
};

/** Errors whose row names where the first row with that ID, name or alias is. */
const FIRST_ROW_ERRORS = ['ImportRowDuplicateId', 'ImportRowNameTaken', 'ImportRowAliasTaken'];

/**
 * The wording functions over `t(key, args)` (chrome.i18n.getMessage semantics: `''` for an
 * unknown key; `args` any values), `formatNumber(n)` and `fields` (`{<error name>: [detail
 * field, ...]}`, generated from the core by scripts/error-fields.mjs).
 */
export function errorWording({ t, formatNumber, fields }) {
  function detail(value) {
    if (typeof value === 'number') return formatNumber(value);
    // A nested core error (for example the TenantId* error inside PortalInvalidTenant).
    if (typeof value?.name === 'string') return errorText(value);
    return value === undefined || value === null ? '' : String(value);
  }

  /** The specific message for a core error (a JS `Error` or a plain `{name, ...}`). */
  function errorText(error) {
    const name = typeof error?.name === 'string' ? error.name : '';
    const details = (fields[name] ?? []).map((field) => {
      const text = detail(error?.[field]);
      // Names, aliases and tags (text as the user typed it) are isolated so that a right-to-left
      // name or a direction character in it cannot reorder the sentence around it.
      return /name$|^alias$|^tag$/i.test(field) ? `\u2068${text}\u2069` : text;
    });
    const specific = /^\w+$/.test(name) ? t(`error_${name}`, details) : '';
    return specific || t('error_Unknown', [error?.message || name || String(error)]);
  }

  /**
   * errorText for the import's errors: the core names a column by key and an earlier row by line
   * or entry; they are worded in the UI's language before the message is filled ("line 4",
   * "line 4 of this file", "already in your list").
   */
  function importErrorText(error) {
    const details = { ...error, name: error?.name, message: error?.message };
    const column = (key) => (COLUMN_LABELS[key] ? t(COLUMN_LABELS[key], []) : String(key));
    if (details.name === 'ImportMissingColumn') {
      details.column = column(error.column);
      details.found = (error.found ?? []).join(', ');
    }
    if (details.name === 'ImportRowWrongType') details.field = column(error.field);
    if (FIRST_ROW_ERRORS.includes(details.name)) {
      const inFile = details.name !== 'ImportRowDuplicateId';
      const phrase = (key, n) => {
        const where = t(key, [formatNumber(n)]);
        return inFile ? t('importInFile', [where]) : where;
      };
      details.firstLine = typeof error.firstLine === 'number' ? phrase('importFirstLine', error.firstLine) : '';
      details.firstEntry = typeof error.firstEntry === 'number' ? phrase('importFirstEntry', error.firstEntry) : '';
      if (inFile && !details.firstLine && !details.firstEntry) details.firstLine = t('importInList', []);
    }
    return errorText(details);
  }

  return { errorText, importErrorText };
}

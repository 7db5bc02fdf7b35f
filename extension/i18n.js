// Localisation for the extension pages: fills the DOM from `data-i18n*` attributes and turns a
// core error `{name, ...details}` into the localised `error_<name>` message of `_locales/`.

import { getMessage, getUILanguage } from './browser-adapter.js';

/**
 * The details each error message takes, in placeholder order ($1, $2, …). An error name that is
 * missing here has no details. tests/e2e/options.test.mjs checks this table against the error
 * names in src/*.rs and the placeholders in every messages.json.
 */
export const ERROR_DETAILS = {
  TenantIdInvalidCharacter: ['character', 'position'],
  TenantIdWrongLength: ['found'],
  TenantIdMisplacedHyphen: ['position'],
  TenantIdDomainName: ['domain'],
  TenantNameTooLong: ['length'],
  TenantNameControlCharacter: ['codePoint', 'position'],
  TenantNameBidiControl: ['codePoint', 'position'],
  TenantNameZeroWidthCharacter: ['codePoint', 'position'],
  DomainInvalidCharacter: ['character', 'position'],
  DomainTooLong: ['length'],
  DomainEmptyLabel: ['position'],
  DomainLabelTooLong: ['label', 'length'],
  DomainLabelHyphen: ['label'],
  DomainSingleLabel: ['domain'],
  DomainNumericTld: ['tld'],
  PortalInvalidTenant: ['value', 'error'],
  SettingsWrongShape: ['path', 'expected', 'found'],
  SettingsMissingField: ['path'],
  SettingsUnknownField: ['path'],
  SettingsInvalidVersion: ['found'],
  SettingsNewerVersion: ['found', 'supported'],
  SettingsInvalidTenant: ['index', 'error'],
  SettingsInvalidReference: ['path', 'error'],
  SettingsDuplicateTenantId: ['id', 'existingName'],
  SettingsDuplicateTenantName: ['tenantName', 'existingName', 'existingId'],
  SettingsUnknownActiveTenant: ['id'],
  SettingsUnknownRecentTenant: ['id', 'index'],
  SettingsDuplicateRecentTenant: ['id', 'index'],
  SettingsTooManyRecentTenants: ['found', 'max'],
  SettingsUnknownTenant: ['id'],
  SettingsInvalidOperation: ['message'],
  InvalidArgument: ['argument', 'reason'],
  PolicyWrongShape: ['path', 'expected'],
  PolicyUnknownField: ['path'],
  PolicyInvalidTenant: ['index', 'error'],
  PolicyDuplicateTenantId: ['index', 'id', 'firstIndex'],
  PolicyDuplicateTenantName: ['index', 'tenantName', 'firstIndex'],
  PolicyTenantManaged: ['id'],
  ImportTooLarge: ['size', 'limit'],
  ImportNotUtf8: ['line'],
  ImportInvalidJson: ['line', 'column', 'message'],
  ImportUnsupportedVersion: ['found', 'supported'],
  ImportJsonWrongType: ['field', 'expected', 'found'],
  ImportMissingColumn: ['column', 'found'],
  ImportInvalidCsv: ['line', 'message'],
  ExportCsvFailed: ['message'],
  SyncTooLarge: ['tenants', 'fit'],
  SyncStorageFull: ['bytesNeeded', 'bytesAvailable'],
  SyncNewerFormat: ['found', 'supported'],
  SyncStateNewerFormat: ['found', 'supported'],
  SyncStateInvalid: ['reason'],
  // Rejected import rows. `first` and the column names are filled in by the options page
  // (`importErrorMessage`), since the core gives a line or an entry and a column key.
  ImportRowDuplicateId: ['id', 'first'],
  ImportRowNameTaken: ['tenantName', 'id', 'first'],
  ImportRowManagedTenant: ['id', 'tenantName'],
  ImportRowManagedName: ['tenantName', 'id'],
  ImportRowNotObject: ['found'],
  ImportRowWrongType: ['field', 'found'],
};

/** The localised message `key`, with `substitutions` (any values) for its placeholders. */
export function t(key, substitutions = []) {
  return getMessage(key, substitutions.map(String));
}

/** The localised, specific message for a core error (a JS `Error` or a plain `{name, ...}`). */
export function errorMessage(error) {
  const name = typeof error?.name === 'string' ? error.name : '';
  const details = (ERROR_DETAILS[name] ?? []).map((field) => {
    const text = formatDetail(error?.[field]);
    // Names are isolated so that a right-to-left name cannot reorder the sentence around it.
    return /name$/i.test(field) ? `\u2068${text}\u2069` : text;
  });
  const specific = name && getMessage(`error_${name}`, details);
  return specific || t('error_Unknown', [error?.message ?? name ?? String(error)]);
}

function formatDetail(value) {
  if (typeof value === 'number') return formatNumber(value);
  // A nested core error (for example the TenantId* error inside PortalInvalidTenant).
  if (typeof value?.name === 'string') return errorMessage(value);
  return value === undefined || value === null ? '' : String(value);
}

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

#!/usr/bin/env node
// Group Policy templates (ADMX with en-US and de-DE ADML) for Tenant Switch's own policy in
// Google Chrome and Microsoft Edge, one set per store ID. ./build.sh runs it:
//
//   node scripts/admx.mjs OUT_DIR VERSION      (writes OUT_DIR/chrome/..., OUT_DIR/edge/...)
//
// Every policy comes from extension/managed_schema.json, the schema the browsers hand
// chrome.storage.managed through: one policy per top-level property, named like it, with the
// schema's title and description; a key added to the schema (or to the tenant entries) needs no
// change here. The extension IDs come from policy/store-ids.json; the German texts and the fixed
// wording from policy/admx-strings.json. tests/e2e/admx.test.mjs checks the output against the
// schema on its own, so the two cannot drift.
//
// How a value type becomes registry data, as Chrome's and Edge's policy loader reads it for an
// extension (Chromium components/policy/core/common/registry_dict.cc): a boolean is a REG_DWORD
// 0 or 1 (an ADMX enabledValue/disabledValue); a list or an object is JSON text in one REG_SZ
// (an ADMX <text>; the loader parses JSON for a list or dict schema, and it ignores REG_MULTI_SZ,
// so <multiText> would not work); a string is a REG_SZ; an integer is a REG_DWORD (<decimal>).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The browsers, each with the store whose ID its registry path holds. */
export const TARGETS = [
  {
    name: 'chrome',
    storeKey: 'chromeWebStore',
    browser: 'Google Chrome',
    registryRoot: 'Software\\Policies\\Google\\Chrome',
    policyPage: 'chrome://policy',
    namespace: 'TenantSwitch.Policies.Chrome',
    prefix: 'tenantswitchchrome',
    category: 'TenantSwitchChrome',
    file: 'tenant-switch-chrome',
    // Windows' MDM stack may write ingested ADMX policies here (see intuneRows).
    admxIngestion: true,
  },
  {
    name: 'edge',
    storeKey: 'edgeAddons',
    browser: 'Microsoft Edge',
    registryRoot: 'Software\\Policies\\Microsoft\\Edge',
    policyPage: 'edge://policy',
    namespace: 'TenantSwitch.Policies.Edge',
    prefix: 'tenantswitchedge',
    category: 'TenantSwitchEdge',
    file: 'tenant-switch-edge',
    // "Ingested policies aren't allowed to write to ... Software\Policies\Microsoft", with a list
    // of exceptions that does not include Edge's policy key:
    // https://learn.microsoft.com/windows/client-management/win32-and-centennial-app-policy-configuration
    admxIngestion: false,
  },
];

export const LANGUAGES = ['en-US', 'de-DE'];

/**
 * The longest text a <text> element accepts. ADMX's default is 1,023 characters (about ten
 * tenants); the attribute is an xs:unsignedInt, and Chrome's own templates use 1,000,000
 * (Chromium components/policy/tools/template_writers/writers/admx_writer.py).
 */
export const TEXT_MAX_LENGTH = 1000000;

/** A Chrome Web Store or Edge Add-ons extension ID: 32 letters a to p. */
export const EXTENSION_ID = /^[a-p]{32}$/;

/** The name the Intune examples give the ingested template (ADMXInstall/{AppName}/...). */
export const INTUNE_APP_NAME = 'TenantSwitch';

const ADMX_NAMESPACE = 'http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions';
/** Policy names are ADMX item names and registry value names: keep them plain. */
const POLICY_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The registry key an extension's policy lives under (HKLM or HKCU). */
export function policyKey(target, extensionId) {
  return `${target.registryRoot}\\3rdparty\\extensions\\${extensionId}\\policy`;
}

/** How a schema property is stored: 'boolean', 'integer', 'text' (REG_SZ) or 'json' (REG_SZ). */
export function valueKind(property, name) {
  switch (property?.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'string':
      return 'text';
    case 'array':
    case 'object':
      return 'json';
    default:
      throw new Error(
        `managed_schema.json: property "${name}" has type ${JSON.stringify(property?.type)}, ` +
          'which scripts/admx.mjs cannot express yet (boolean, integer, string, array, object)',
      );
  }
}

/** Text escaped for XML element content. */
function xml(text) {
  return String(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Text escaped for a double-quoted XML attribute. */
function attribute(text) {
  return xml(text).replaceAll('"', '&quot;');
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in values)) throw new Error(`admx-strings.json: unknown placeholder ${whole} in "${template}"`);
    return values[name];
  });
}

/** The schema's texts with their paths (see admx-strings.json), in schema order. */
export function schemaTexts(schema) {
  const texts = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    for (const field of ['title', 'description']) {
      if (typeof property[field] === 'string') texts.push({ path: `${name}.${field}`, text: property[field] });
    }
    for (const { path, sub } of nestedKeys(name, property)) {
      for (const field of ['title', 'description']) {
        if (typeof sub[field] === 'string') texts.push({ path: `${path}.${field}`, text: sub[field] });
      }
    }
  }
  return texts;
}

/** The keys of a list's entries or of an object, one level down, with their schema paths. */
function nestedKeys(name, property) {
  const holder = property.type === 'array' ? property.items : property;
  const prefix = property.type === 'array' ? `${name}.items` : name;
  if (holder?.type !== 'object' || !holder.properties) return [];
  return Object.entries(holder.properties).map(([key, sub]) => ({ key, path: `${prefix}.${key}`, sub }));
}

/**
 * All files of the templates, as a Map from a path relative to the output directory to its
 * text, plus warnings (placeholder IDs, missing or stale translations).
 */
export function generateTemplates({ schema, storeIds, strings, version }) {
  const warnings = [];
  const policies = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    if (!POLICY_NAME.test(name)) throw new Error(`managed_schema.json: "${name}" cannot be an ADMX policy name`);
    return { name, property, kind: valueKind(property, name) };
  });
  if (policies.length === 0) throw new Error('managed_schema.json has no properties');

  const translated = new Map();
  for (const language of LANGUAGES.filter((l) => l !== 'en-US')) {
    for (const { path, text } of schemaTexts(schema)) {
      const entry = strings[language]?.schema?.[path];
      if (entry?.en === text && typeof entry.de === 'string') {
        translated.set(`${language} ${path}`, entry.de);
      } else {
        warnings.push(`${language}: ${entry ? 'stale' : 'no'} translation of ${path} in policy/admx-strings.json; using the English text`);
      }
    }
  }
  const schemaText = (language, path, english) => (language === 'en-US' ? english : translated.get(`${language} ${path}`) ?? english);

  if (storeIds.placeholders) {
    warnings.push('policy/store-ids.json holds placeholder extension IDs: replace them at publication (see README)');
  }

  const files = new Map();
  for (const target of TARGETS) {
    const id = storeIds[target.storeKey];
    if (!EXTENSION_ID.test(id ?? '')) {
      throw new Error(`policy/store-ids.json: ${target.storeKey} ${JSON.stringify(id)} is not an extension ID (32 letters a-p)`);
    }
    const key = policyKey(target, id);
    const header = `<!-- Tenant Switch ${version}: made by scripts/admx.mjs from extension/managed_schema.json for ${target.browser}, extension ID ${id}. Do not edit; rebuild. -->`;
    files.set(`${target.name}/${target.file}.admx`, admx(target, policies, key, header));
    for (const language of LANGUAGES) {
      files.set(
        `${target.name}/${language}/${target.file}.adml`,
        adml(target, policies, { id, key, language, strings, schemaText, header, examples: strings.examples ?? {} }),
      );
    }
    files.set(`${target.name}/README.txt`, readme(target, policies, { id, key, version, placeholders: storeIds.placeholders }));
  }
  return { files, warnings };
}

function admx(target, policies, key, header) {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    header,
    `<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="${ADMX_NAMESPACE}">`,
    '  <policyNamespaces>',
    `    <target prefix="${target.prefix}" namespace="${target.namespace}"/>`,
    '  </policyNamespaces>',
    '  <resources minRequiredRevision="1.0"/>',
    // Its own supportedOn and category, no `using` of windows.admx or google.admx: Intune's
    // "Import ADMX" then needs no other file first.
    '  <supportedOn>',
    '    <definitions>',
    `      <definition name="SUPPORTED_${target.category}" displayName="$(string.SUPPORTED_${target.category})"/>`,
    '    </definitions>',
    '  </supportedOn>',
    '  <categories>',
    `    <category name="${target.category}" displayName="$(string.${target.category})"/>`,
    '  </categories>',
    '  <policies>',
  ];
  for (const { name, kind } of policies) {
    const presentation = kind === 'boolean' ? '' : ` presentation="$(presentation.${name})"`;
    const valueName = kind === 'boolean' ? ` valueName="${name}"` : '';
    lines.push(
      `    <policy name="${name}" class="Both" displayName="$(string.${name})" explainText="$(string.${name}_Explain)"${presentation} key="${attribute(key)}"${valueName}>`,
      `      <parentCategory ref="${target.category}"/>`,
      `      <supportedOn ref="SUPPORTED_${target.category}"/>`,
    );
    if (kind === 'boolean') {
      lines.push(
        '      <enabledValue>',
        '        <decimal value="1"/>',
        '      </enabledValue>',
        '      <disabledValue>',
        '        <decimal value="0"/>',
        '      </disabledValue>',
      );
    } else if (kind === 'integer') {
      lines.push(
        '      <elements>',
        `        <decimal id="${name}" valueName="${name}" minValue="0" maxValue="2000000000" required="true"/>`,
        '      </elements>',
      );
    } else {
      lines.push(
        '      <elements>',
        `        <text id="${name}" valueName="${name}" maxLength="${TEXT_MAX_LENGTH}" required="true"/>`,
        '      </elements>',
      );
    }
    lines.push('    </policy>');
  }
  lines.push('  </policies>', '</policyDefinitions>', '');
  return lines.join('\n');
}

const REG_TYPES = { boolean: 'REG_DWORD 0/1', integer: 'REG_DWORD', text: 'REG_SZ', json: 'REG_SZ, JSON' };

function explain(policy, context) {
  const { language, strings, schemaText, key, target, examples } = context;
  const words = strings[language];
  const { name, property, kind } = policy;
  const paragraphs = [schemaText(language, `${name}.description`, property.description ?? '')];
  if (kind === 'boolean') paragraphs.push(words.booleanExplain);
  if (kind === 'json') {
    const keys = nestedKeys(name, property);
    const intro =
      property.type === 'object' ? words.jsonObject : keys.length > 0 ? words.jsonArrayOfObjects : words.jsonArray;
    const keyLines = keys.map(({ key: subKey, path, sub }) =>
      fill(words.keyLine, {
        key: subKey,
        type: words.types[sub.type] ?? sub.type ?? '?',
        description: schemaText(language, `${path}.description`, sub.description ?? ''),
      }),
    );
    paragraphs.push([intro, ...keyLines].join('\n'));
    if (name in examples) paragraphs.push(`${words.example}\n${JSON.stringify(examples[name])}`);
    const maxLength = new Intl.NumberFormat(language).format(TEXT_MAX_LENGTH);
    paragraphs.push(fill(words.jsonLimit, { maxLength }));
    if (property.type === 'array') paragraphs.push(words.checked);
  }
  paragraphs.push(fill(words.registry, { registryKey: key, valueName: name, regType: REG_TYPES[kind] }));
  paragraphs.push(fill(words.reload, { browser: target.browser, policyPage: target.policyPage }));
  return paragraphs.filter((text) => text !== '').join('\n\n');
}

function adml(target, policies, context) {
  const { id, language, strings, schemaText, header } = context;
  const words = strings[language];
  if (!words) throw new Error(`policy/admx-strings.json has no texts for ${language}`);
  const values = { browser: target.browser, store: words.stores[target.storeKey], id };
  const stringEntries = [
    [target.category, fill(words.category, values)],
    [`SUPPORTED_${target.category}`, fill(words.supportedOn, values)],
  ];
  for (const policy of policies) {
    stringEntries.push([policy.name, schemaText(language, `${policy.name}.title`, policy.property.title ?? policy.name)]);
    stringEntries.push([`${policy.name}_Explain`, explain(policy, { ...context, target })]);
  }
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    header,
    `<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="${ADMX_NAMESPACE}">`,
    `  <displayName>${xml(fill(words.displayName, values))}</displayName>`,
    `  <description>${xml(fill(words.description, values))}</description>`,
    '  <resources>',
    '    <stringTable>',
    ...stringEntries.map(([stringId, text]) => `      <string id="${stringId}">${xml(text)}</string>`),
    '    </stringTable>',
    '    <presentationTable>',
  ];
  for (const { name, kind } of policies) {
    if (kind === 'boolean') continue;
    const label = xml(kind === 'json' ? words.jsonLabel : kind === 'integer' ? words.numberLabel : words.textLabel);
    const control =
      kind === 'integer'
        ? `<decimalTextBox refId="${name}">${label}</decimalTextBox>`
        : `<textBox refId="${name}"><label>${label}</label></textBox>`;
    lines.push(`      <presentation id="${name}">`, `        ${control}`, '      </presentation>');
  }
  lines.push('    </presentationTable>', '  </resources>', '</policyDefinitionResources>', '');
  return lines.join('\n');
}

/**
 * The rows of an Intune custom profile (Windows 10 and later, Templates > Custom) that ingest
 * this ADMX and set each policy for the device (HKLM): `[{ name, omaUri, dataType, value }]`.
 * The area of an ingested policy is {AppName}~{SettingType}~{category path of the ADMX}.
 */
export function intuneRows(target, policies) {
  const area = `${INTUNE_APP_NAME}~Policy~${target.category}`;
  return [
    {
      name: `Ingest ${target.file}.admx`,
      omaUri: `./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/${INTUNE_APP_NAME}/Policy/${target.category}`,
      dataType: 'String',
      value: `the whole text of ${target.file}.admx`,
    },
    ...policies.map(({ name, kind }) => ({
      name,
      omaUri: `./Device/Vendor/MSFT/Policy/Config/${area}/${name}`,
      dataType: 'String',
      value:
        kind === 'boolean'
          ? '<enabled/> (true) or <disabled/> (false)'
          : `<enabled/><data id="${name}" value="..."/> (the value XML-escaped: " as &quot;, & as &amp;, < as &lt;)`,
    })),
  ];
}

function readme(target, policies, { id, key, version, placeholders }) {
  const lines = [
    `Tenant Switch ${version}: Group Policy templates for ${target.browser}`,
    `Made by scripts/admx.mjs from extension/managed_schema.json. Extension ID: ${id}`,
    ...(placeholders ? ['', 'THE EXTENSION ID IS A PLACEHOLDER (policy/store-ids.json): these templates apply to nothing.'] : []),
    '',
    'Files (copy into C:\\Windows\\PolicyDefinitions or the domain\'s central store):',
    `  ${target.file}.admx`,
    ...LANGUAGES.map((language) => `  ${language}\\${target.file}.adml`),
    '',
    `Registry key (HKLM or HKCU): ${key}`,
    ...policies.map(({ name, kind }) => `  ${name}: ${REG_TYPES[kind]}`),
    '',
  ];
  if (target.admxIngestion) {
    lines.push('Intune custom profile (Windows 10 and later > Templates > Custom), one row each:');
    for (const row of intuneRows(target, policies)) {
      lines.push(`  ${row.name}`, `    OMA-URI:   ${row.omaUri}`, `    Data type: ${row.dataType}`, `    Value:     ${row.value}`);
    }
  } else {
    lines.push(
      'Intune: Windows does not let ingested ADMX policies write under Software\\Policies\\Microsoft,',
      'so neither a custom OMA-URI profile nor "Import ADMX" can set these values. Use Group Policy,',
      'or an Intune platform script that writes the registry values (see the README, "Enterprise deployment").',
    );
  }
  lines.push('');
  return lines.join('\r\n');
}

function readJson(path) {
  return JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
}

function main() {
  const [outDir, version] = process.argv.slice(2);
  if (!outDir || !version) {
    console.error('usage: node scripts/admx.mjs OUT_DIR VERSION');
    return 2;
  }
  const { files, warnings } = generateTemplates({
    schema: readJson('extension/managed_schema.json'),
    storeIds: readJson('policy/store-ids.json'),
    strings: readJson('policy/admx-strings.json'),
    version,
  });
  rmSync(outDir, { recursive: true, force: true });
  for (const [path, text] of files) {
    mkdirSync(dirname(join(outDir, path)), { recursive: true });
    writeFileSync(join(outDir, path), text);
  }
  for (const warning of warnings) console.log(`    warning: ${warning}`);
  console.log(`    ${files.size} files for ${TARGETS.map((t) => t.browser).join(' and ')}`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();

// The Group Policy templates in dist/policy-templates/ (scripts/admx.mjs, run by ./build.sh)
// against extension/managed_schema.json, so that the two cannot drift: the checker below derives
// what it expects from the schema, the store IDs and the translations on its own, without the
// generator's code, and reads the templates with a strict XML parser.
//
// - every file is well-formed XML in the Group Policy namespace;
// - every $(string.X) and $(presentation.X) the ADMX names exists in each ADML, and every ADML
//   string is used; each presentation control refers to an element of its policy;
// - one policy per schema property, named like it, in the registry key that holds the store's
//   extension ID; booleans as REG_DWORD 1/0, lists and objects as one REG_SZ of JSON (<text>,
//   never <multiText>, which Chrome's loader ignores), long enough for a large tenant list;
// - the English texts are the schema's; the German ones are current translations of them and
//   use Microsoft's term "Mandanten-ID".
// The checker is also run on drifted copies (schema and templates), which it must reject; one of
// them shows that new schema keys reach the templates without a change to the generator.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { generateTemplates } from '../../scripts/admx.mjs';
import { child, childrenNamed, descendants, parseXml } from './lib/xml.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'dist', 'policy-templates');
const readJson = (path) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

const SCHEMA = readJson('extension/managed_schema.json');
const STORE_IDS = readJson('policy/store-ids.json');
const STRINGS = readJson('policy/admx-strings.json');

const GP_NAMESPACE = 'http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions';
/** Where Chrome and Edge read an extension's policy (Chrome: "3rdparty", Edge: the same). */
const BROWSERS = {
  chrome: { storeKey: 'chromeWebStore', registry: 'Software\\Policies\\Google\\Chrome' },
  edge: { storeKey: 'edgeAddons', registry: 'Software\\Policies\\Microsoft\\Edge' },
};
const LANGUAGES = ['en-US', 'de-DE'];
/** A list of a few hundred tenants at about 100 characters each must fit. */
const MIN_JSON_LENGTH = 100000;

function readTree(dir) {
  const files = new Map();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
      files.set(path, readFileSync(join(entry.parentPath, entry.name), 'utf8'));
    }
  }
  return files;
}

/** The texts of the schema a translation must cover, by path (as in admx-strings.json). */
function schemaTexts(schema) {
  const texts = [];
  const add = (path, node) => {
    for (const field of ['title', 'description']) {
      if (typeof node?.[field] === 'string') texts.push([`${path}.${field}`, node[field]]);
    }
  };
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    add(name, property);
    const holder = property.type === 'array' ? property.items : property;
    const prefix = property.type === 'array' ? `${name}.items` : name;
    if (holder?.type === 'object') {
      for (const [key, sub] of Object.entries(holder.properties ?? {})) add(`${prefix}.${key}`, sub);
    }
  }
  return texts;
}

function itemKeys(property) {
  const holder = property.type === 'array' ? property.items : property;
  return holder?.type === 'object' ? Object.entries(holder.properties ?? {}) : [];
}

/**
 * Everything that is wrong with the template `files` (path -> text) for this schema, these store
 * IDs and these translations. An empty list means they match.
 */
function checkTemplates({ schema, storeIds, strings, files }) {
  const problems = [];
  const namespaces = new Set();
  const properties = Object.entries(schema.properties ?? {});

  for (const [browser, { storeKey, registry }] of Object.entries(BROWSERS)) {
    const id = storeIds[storeKey];
    if (!/^[a-p]{32}$/.test(id ?? '')) problems.push(`${browser}: store ID ${JSON.stringify(id)} is not an extension ID`);
    const expectedKey = `${registry}\\3rdparty\\extensions\\${id}\\policy`;

    const admxPaths = [...files.keys()].filter((path) => path.startsWith(`${browser}/`) && path.endsWith('.admx'));
    if (admxPaths.length !== 1) {
      problems.push(`${browser}: ${admxPaths.length} ADMX files, expected 1`);
      continue;
    }
    const admxPath = admxPaths[0];
    const base = admxPath.slice(browser.length + 1, -'.admx'.length);
    const parsed = (path) => {
      if (!files.has(path)) {
        problems.push(`${path}: missing`);
        return null;
      }
      try {
        return parseXml(files.get(path));
      } catch (error) {
        problems.push(`${path}: ${error.message}`);
        return null;
      }
    };
    const admx = parsed(admxPath);
    if (!admx) continue;
    if (admx.name !== 'policyDefinitions' || admx.namespace !== GP_NAMESPACE) {
      problems.push(`${admxPath}: root is {${admx.namespace}}${admx.name}, not the Group Policy policyDefinitions`);
    }
    const order = admx.children.map((c) => c.name);
    const expectedOrder = ['policyNamespaces', 'resources', 'supportedOn', 'categories', 'policies'];
    if (order.join() !== expectedOrder.join()) problems.push(`${admxPath}: sections ${order.join(', ')}, expected ${expectedOrder.join(', ')}`);
    const target = child(child(admx, 'policyNamespaces'), 'target');
    if (!target?.attributes.namespace) problems.push(`${admxPath}: no target namespace`);
    else if (namespaces.has(target.attributes.namespace)) problems.push(`${admxPath}: namespace ${target.attributes.namespace} used twice`);
    else namespaces.add(target.attributes.namespace);
    if (childrenNamed(child(admx, 'policyNamespaces'), 'using').length > 0) {
      problems.push(`${admxPath}: depends on another ADMX (<using>), which Intune's Import ADMX needs uploaded first`);
    }
    const categories = new Set(childrenNamed(child(admx, 'categories'), 'category').map((c) => c.attributes.name));
    const supported = new Set(
      childrenNamed(child(child(admx, 'supportedOn'), 'definitions'), 'definition').map((d) => d.attributes.name),
    );

    // References into the ADML files.
    const stringRefs = new Set();
    const presentationRefs = new Set();
    for (const element of descendants(admx)) {
      for (const value of Object.values(element.attributes)) {
        for (const match of value.matchAll(/\$\(string\.([^)]+)\)/g)) stringRefs.add(match[1]);
        for (const match of value.matchAll(/\$\(presentation\.([^)]+)\)/g)) presentationRefs.add(match[1]);
      }
    }
    if (descendants(admx).some((e) => e.name === 'multiText')) {
      problems.push(`${admxPath}: uses <multiText> (REG_MULTI_SZ), which Chrome and Edge do not read for an extension`);
    }

    const policyElements = childrenNamed(child(admx, 'policies'), 'policy');
    const policies = new Map(policyElements.map((p) => [p.attributes.name, p]));
    for (const name of policies.keys()) {
      if (!schema.properties?.[name]) problems.push(`${admxPath}: policy ${name} is not in managed_schema.json`);
    }
    for (const [name, property] of properties) {
      const policy = policies.get(name);
      if (!policy) {
        problems.push(`${admxPath}: no policy for managed_schema.json property ${name}`);
        continue;
      }
      const where = `${admxPath}: policy ${name}`;
      if (policy.attributes.key !== expectedKey) problems.push(`${where}: key ${policy.attributes.key}, expected ${expectedKey}`);
      if (!policy.attributes.key?.includes(id)) problems.push(`${where}: key does not hold the store ID ${id}`);
      if (!['Machine', 'User', 'Both'].includes(policy.attributes.class)) problems.push(`${where}: class ${policy.attributes.class}`);
      if (!categories.has(child(policy, 'parentCategory')?.attributes.ref)) problems.push(`${where}: unknown category`);
      if (!supported.has(child(policy, 'supportedOn')?.attributes.ref)) problems.push(`${where}: unknown supportedOn`);
      const elements = child(policy, 'elements')?.children ?? [];
      if (property.type === 'boolean') {
        const enabled = child(child(policy, 'enabledValue'), 'decimal')?.attributes.value;
        const disabled = child(child(policy, 'disabledValue'), 'decimal')?.attributes.value;
        if (policy.attributes.valueName !== name || enabled !== '1' || disabled !== '0' || elements.length > 0) {
          problems.push(`${where}: a boolean must be REG_DWORD "${name}", 1 when enabled and 0 when disabled`);
        }
      } else if (['string', 'array', 'object'].includes(property.type)) {
        const [text, ...rest] = elements;
        if (text?.name !== 'text' || rest.length > 0 || text.attributes.valueName !== name) {
          problems.push(`${where}: a ${property.type} must be one <text> element with valueName "${name}" (REG_SZ)`);
        } else {
          if (text.attributes.expandable === 'true') problems.push(`${where}: REG_EXPAND_SZ instead of REG_SZ`);
          const maxLength = Number(text.attributes.maxLength ?? 1023);
          if (property.type !== 'string' && !(maxLength >= MIN_JSON_LENGTH)) {
            problems.push(`${where}: maxLength ${maxLength} is too short for a large list (${MIN_JSON_LENGTH} expected)`);
          }
        }
      } else if (property.type === 'integer') {
        if (elements[0]?.name !== 'decimal' || elements[0].attributes.valueName !== name) {
          problems.push(`${where}: an integer must be one <decimal> element with valueName "${name}" (REG_DWORD)`);
        }
      } else {
        problems.push(`${where}: managed_schema.json type ${property.type} has no known registry form`);
      }
      if (elements.length > 0 && policy.attributes.presentation !== `$(presentation.${name})`) {
        problems.push(`${where}: has elements but no presentation $(presentation.${name})`);
      }
    }

    for (const language of LANGUAGES) {
      const admlPath = `${browser}/${language}/${base}.adml`;
      const adml = parsed(admlPath);
      if (!adml) continue;
      if (adml.name !== 'policyDefinitionResources' || adml.namespace !== GP_NAMESPACE) {
        problems.push(`${admlPath}: root is not the Group Policy policyDefinitionResources`);
      }
      const resources = child(adml, 'resources');
      const stringsById = new Map(childrenNamed(child(resources, 'stringTable'), 'string').map((s) => [s.attributes.id, s.text]));
      const presentations = new Map(
        childrenNamed(child(resources, 'presentationTable'), 'presentation').map((p) => [p.attributes.id, p]),
      );
      for (const ref of stringRefs) if (!stringsById.has(ref)) problems.push(`${admlPath}: no string ${ref}`);
      for (const stringId of stringsById.keys()) if (!stringRefs.has(stringId)) problems.push(`${admlPath}: string ${stringId} is never used`);
      for (const ref of presentationRefs) if (!presentations.has(ref)) problems.push(`${admlPath}: no presentation ${ref}`);
      for (const [presentationId, presentation] of presentations) {
        if (!presentationRefs.has(presentationId)) problems.push(`${admlPath}: presentation ${presentationId} is never used`);
        const policy = policyElements.find((p) => p.attributes.presentation === `$(presentation.${presentationId})`);
        const elementIds = new Set((child(policy, 'elements')?.children ?? []).map((e) => e.attributes.id));
        for (const control of presentation.children) {
          if (!elementIds.has(control.attributes.refId)) {
            problems.push(`${admlPath}: presentation ${presentationId} control ${control.name} refers to ${control.attributes.refId}, no element of its policy`);
          }
        }
      }
      for (const [stringId, text] of stringsById) {
        const placeholder = text.match(/\{[a-zA-Z]+\}/);
        if (placeholder) problems.push(`${admlPath}: string ${stringId} has an unfilled ${placeholder[0]}`);
      }

      // The texts: the schema's own in English, current translations of it in German.
      const wording = (path, english) => {
        if (language === 'en-US') return english;
        const entry = strings[language]?.schema?.[path];
        if (!entry) problems.push(`${admlPath}: policy/admx-strings.json has no ${language} translation of ${path}`);
        else if (entry.en !== english) problems.push(`${admlPath}: the ${language} translation of ${path} is stale (the schema now says "${english}")`);
        return entry?.de;
      };
      for (const [path, english] of schemaTexts(schema)) wording(path, english);
      for (const [name, property] of properties) {
        if (!policies.has(name)) continue;
        const title = wording(`${name}.title`, property.title);
        const displayId = policies.get(name).attributes.displayName?.match(/^\$\(string\.(.+)\)$/)?.[1];
        if (title !== undefined && stringsById.get(displayId) !== title) {
          problems.push(`${admlPath}: policy ${name} is called "${stringsById.get(displayId)}", not "${title}"`);
        }
        const explainId = policies.get(name).attributes.explainText?.match(/^\$\(string\.(.+)\)$/)?.[1];
        const explain = stringsById.get(explainId) ?? '';
        const description = wording(`${name}.description`, property.description);
        if (description !== undefined && !explain.includes(description)) {
          problems.push(`${admlPath}: the explanation of ${name} lacks its description "${description}"`);
        }
        const prefix = property.type === 'array' ? `${name}.items` : name;
        for (const [key, sub] of itemKeys(property)) {
          const keyDescription = wording(`${prefix}.${key}.description`, sub.description);
          if (!explain.includes(`${key} (`)) problems.push(`${admlPath}: the explanation of ${name} does not list the key ${key}`);
          if (keyDescription !== undefined && !explain.includes(keyDescription)) {
            problems.push(`${admlPath}: the explanation of ${name} lacks the description of ${key}`);
          }
        }
      }
      const all = [...stringsById.values()].join('\n');
      if (language === 'de-DE') {
        if (!all.includes('Mandanten-ID')) problems.push(`${admlPath}: does not say "Mandanten-ID"`);
        if (/tenant ID/i.test(all)) problems.push(`${admlPath}: says "tenant ID" in German text`);
      }
    }
  }
  return [...new Set(problems)];
}

/** The templates the generator makes from these inputs (as the build does, but in memory). */
function generate(schema, storeIds = STORE_IDS) {
  return generateTemplates({ schema, storeIds, strings: STRINGS, version: '0.0.0-test' }).files;
}

const clone = (value) => JSON.parse(JSON.stringify(value));

describe('Group Policy templates (dist/policy-templates)', () => {
  test('the built templates match managed_schema.json, the store IDs and the translations', () => {
    assert.ok(existsSync(OUT), `${relative(ROOT, OUT)} is missing: run ./build.sh first`);
    const files = readTree(OUT);
    assert.deepEqual(
      [...files.keys()].sort(),
      [
        'chrome/README.txt',
        'chrome/de-DE/tenant-switch-chrome.adml',
        'chrome/en-US/tenant-switch-chrome.adml',
        'chrome/tenant-switch-chrome.admx',
        'edge/README.txt',
        'edge/de-DE/tenant-switch-edge.adml',
        'edge/en-US/tenant-switch-edge.adml',
        'edge/tenant-switch-edge.admx',
      ],
    );
    assert.deepEqual(checkTemplates({ schema: SCHEMA, storeIds: STORE_IDS, strings: STRINGS, files }), []);
  });

  test('the built templates are what the generator makes from the committed inputs now', () => {
    const built = readTree(OUT);
    for (const [path, text] of generate(SCHEMA)) {
      // Only the version in the header comment may differ.
      const strip = (s) => s.replace(/<!-- Tenant Switch \S+:/, '<!-- Tenant Switch V:').replace(/^Tenant Switch \S+:/, 'Tenant Switch V:');
      assert.equal(strip(built.get(path) ?? ''), strip(text), `${path} is stale: run ./build.sh`);
    }
  });

  test('the example in the explanations is a valid value for managed_schema.json', () => {
    for (const [name, value] of Object.entries(STRINGS.examples)) {
      const property = SCHEMA.properties[name];
      assert.ok(property, `example for ${name}, which the schema does not have`);
      assert.equal(property.type, Array.isArray(value) ? 'array' : typeof value);
      for (const entry of Array.isArray(value) ? value : [value]) {
        for (const [key, item] of Object.entries(entry)) {
          const sub = (property.type === 'array' ? property.items : property).properties[key];
          assert.ok(sub, `example key ${name}.${key} is not in the schema`);
          assert.equal(typeof item, sub.type, `${name}.${key}`);
        }
      }
    }
  });

  test('placeholder store IDs are marked as placeholders (replace them at publication)', () => {
    const ids = [STORE_IDS.chromeWebStore, STORE_IDS.edgeAddons];
    if (ids.includes('abcdefghijklmnopabcdefghijklmnop') || ids.includes('ponmlkjihgfedcbaponmlkjihgfedcba')) {
      assert.equal(STORE_IDS.placeholders, true);
    }
    assert.notEqual(STORE_IDS.chromeWebStore, STORE_IDS.edgeAddons);
  });
});

describe("the README's Intune example (between the intune-example markers)", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  /** The README's table rows: `[{ name, omaUri, value }]`, code spans unwrapped. */
  function rows() {
    const block = /<!-- intune-example:start -->([\s\S]*?)<!-- intune-example:end -->/.exec(readme);
    assert.ok(block, 'README.md has no intune-example block');
    return block[1]
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| Name ') && !line.startsWith('|---'))
      .map((line) => {
        const [name, omaUri, value] = line.slice(2, -2).split(' | ').map((cell) => cell.replace(/^`(.*)`$/, '$1'));
        return { name, omaUri, value };
      });
  }

  /** The tenant list of the README's .reg example (Chrome's key). */
  function regTenants() {
    const match = /\\Google\\Chrome\\3rdparty\\extensions\\<CHROME-ID>\\policy\]\n"tenants"="((?:[^"\\]|\\.)*)"/.exec(readme);
    assert.ok(match, 'README.md has no .reg example for Chrome');
    return JSON.parse(match[1].replace(/\\(.)/g, '$1'));
  }

  test('ingests the built Chrome template and sets each of its policies, with the same list as the .reg example', () => {
    const admx = parseXml(readFileSync(join(OUT, 'chrome', 'tenant-switch-chrome.admx'), 'utf8'));
    const categories = childrenNamed(child(admx, 'categories'), 'category');
    assert.equal(categories.length, 1, 'one category, so the area is {AppName}~Policy~{category}');
    const policies = new Map(childrenNamed(child(admx, 'policies'), 'policy').map((p) => [p.attributes.name, p]));

    const [ingest, ...settings] = rows();
    const install = /^\.\/Device\/Vendor\/MSFT\/Policy\/ConfigOperations\/ADMXInstall\/(\w+)\/Policy\/(\w+)$/.exec(ingest.omaUri);
    assert.ok(install, `first row ingests the ADMX: ${ingest.omaUri}`);
    assert.match(ingest.value, /tenant-switch-chrome\.admx/);
    const area = `${install[1]}~Policy~${categories[0].attributes.name}`;

    assert.deepEqual(settings.map((row) => row.omaUri.split('/').pop()).sort(), Object.keys(SCHEMA.properties).sort());
    for (const { omaUri, value } of settings) {
      const name = omaUri.split('/').pop();
      assert.equal(omaUri, `./Device/Vendor/MSFT/Policy/Config/${area}/${name}`);
      const policy = policies.get(name);
      assert.ok(policy, `${name} is a policy of the template`);
      const text = child(child(policy, 'elements'), 'text');
      if (!text) {
        assert.match(value, /^<(?:enabled|disabled)\/>$/, `${name} is a boolean: <enabled/> or <disabled/>`);
        continue;
      }
      const payload = parseXml(`<payload>${value}</payload>`);
      assert.deepEqual(payload.children.map((c) => c.name), ['enabled', 'data']);
      const data = payload.children[1];
      assert.equal(data.attributes.id, text.attributes.id, `${name}: data id is the <text> element's id`);
      assert.ok(data.attributes.value.length <= Number(text.attributes.maxLength));
      assert.deepEqual(JSON.parse(data.attributes.value), regTenants());
    }
  });
});

describe('the checker rejects drift', () => {
  const templates = generate(SCHEMA);
  const check = (schema, files = templates, storeIds = STORE_IDS) => checkTemplates({ schema, storeIds, strings: STRINGS, files });

  test('a schema with a new property, a changed type or a changed title', () => {
    const added = clone(SCHEMA);
    added.properties.tags = { title: 'Tags', description: 'Tags for every tenant.', type: 'array', items: { type: 'string' } };
    assert.ok(check(added).includes('chrome/tenant-switch-chrome.admx: no policy for managed_schema.json property tags'));

    const retyped = clone(SCHEMA);
    retyped.properties.disableSync.type = 'string';
    assert.ok(
      check(retyped).includes(
        'edge/tenant-switch-edge.admx: policy disableSync: a string must be one <text> element with valueName "disableSync" (REG_SZ)',
      ),
    );

    const retitled = clone(SCHEMA);
    retitled.properties.forceAutomaticRewrite.title = 'Always rewrite';
    const problems = check(retitled);
    assert.ok(problems.includes('chrome/en-US/tenant-switch-chrome.adml: policy forceAutomaticRewrite is called "Force automatic rewrite on", not "Always rewrite"'));
    assert.ok(problems.some((p) => p.includes('de-DE translation of forceAutomaticRewrite.title is stale')));
  });

  test('templates with a wrong ID, a missing string, a multiText or broken XML', () => {
    const tamper = (path, change) => new Map([...templates].map(([p, text]) => [p, p === path ? change(text) : text]));
    const otherId = tamper('chrome/tenant-switch-chrome.admx', (t) => t.replaceAll(STORE_IDS.chromeWebStore, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'));
    assert.ok(check(SCHEMA, otherId).some((p) => p.includes('policy tenants: key') && p.includes('bbbbbbbb')));

    const noString = tamper('edge/de-DE/tenant-switch-edge.adml', (t) => t.replace(/<string id="disableSync">[^<]*<\/string>/, ''));
    assert.ok(check(SCHEMA, noString).includes('edge/de-DE/tenant-switch-edge.adml: no string disableSync'));

    const multi = tamper('chrome/tenant-switch-chrome.admx', (t) => t.replace('<text id="tenants"', '<multiText id="tenants"'));
    assert.ok(check(SCHEMA, multi).some((p) => p.includes('<multiText>')));

    const broken = tamper('chrome/en-US/tenant-switch-chrome.adml', (t) => t.replace('</stringTable>', ''));
    assert.ok(check(SCHEMA, broken).some((p) => p.startsWith('chrome/en-US/tenant-switch-chrome.adml: not well-formed XML')));
  });

  test('new schema keys reach the templates without a change to the generator; only German is then missing', () => {
    const grown = clone(SCHEMA);
    grown.properties.tenants.items.properties.ticketQueue = { type: 'string', description: 'Queue of the ticket system.' };
    grown.properties.defaultTags = { title: 'Default tags', description: 'Tags for new tenants.', type: 'array', items: { type: 'string' } };
    const files = generate(grown);
    // The old schema does not know the new policy ...
    assert.ok(check(SCHEMA, files).includes('chrome/tenant-switch-chrome.admx: policy defaultTags is not in managed_schema.json'));
    // ... the new one is fully covered, except for the German texts nobody has written yet.
    const untranslated = ['tenants.items.ticketQueue.description', 'defaultTags.title', 'defaultTags.description'];
    assert.deepEqual(
      check(grown, files).sort(),
      ['chrome', 'edge']
        .flatMap((browser) =>
          untranslated.map(
            (path) => `${browser}/de-DE/tenant-switch-${browser}.adml: policy/admx-strings.json has no de-DE translation of ${path}`,
          ),
        )
        .sort(),
    );
    const english = [...files].filter(([path]) => path.includes('en-US')).map(([, text]) => text).join('\n');
    assert.match(english, /ticketQueue \(text\): Queue of the ticket system\./);
    assert.match(english, /<string id="defaultTags">Default tags<\/string>/);
  });

  test('an ID that is not an extension ID', () => {
    assert.throws(() => generate(SCHEMA, { ...STORE_IDS, edgeAddons: 'not-an-id' }), /edgeAddons "not-an-id" is not an extension ID/);
    assert.ok(check(SCHEMA, templates, { ...STORE_IDS, chromeWebStore: 'Z'.repeat(32) }).includes(`chrome: store ID "${'Z'.repeat(32)}" is not an extension ID`));
  });
});

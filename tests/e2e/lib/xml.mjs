// A strict XML parser for the tests: Python's xml.etree.ElementTree (expat), which refuses any
// document that is not well-formed, run on the text and handed back as plain objects. Python 3
// is a build requirement already (build.sh, scripts/cargo_toml.py); npm needs no XML package.
import { spawnSync } from 'node:child_process';

const TO_JSON = String.raw`
import json, sys
import xml.etree.ElementTree as ET

def convert(element):
    namespace, _, name = element.tag[1:].partition('}') if element.tag.startswith('{') else ('', '', element.tag)
    return {
        'name': name,
        'namespace': namespace,
        'attributes': dict(element.attrib),
        'text': element.text or '',
        'children': [convert(child) for child in element],
    }

try:
    root = ET.fromstring(sys.stdin.buffer.read())
except ET.ParseError as error:
    print(str(error), file=sys.stderr)
    sys.exit(3)
json.dump(convert(root), sys.stdout)
`;

/**
 * Parses `text` as XML; returns the root element `{ name, namespace, attributes, text, children }`
 * (`name` without its namespace). Throws an Error naming line and column when it is not
 * well-formed.
 */
export function parseXml(text) {
  if (!parsed.has(text)) parsed.set(text, parseUncached(text));
  // A fresh copy, so that a caller who changes the tree cannot change the cache.
  return structuredClone(parsed.get(text));
}

/** Trees by document text: the drift tests check the same files many times. */
const parsed = new Map();

function parseUncached(text) {
  const run = spawnSync('python3', ['-c', TO_JSON], { input: text, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  if (run.status === 3) throw new Error(`not well-formed XML: ${run.stderr.trim()}`);
  if (run.status !== 0) throw new Error(`python3 failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** The children of `element` called `name`. */
export function childrenNamed(element, name) {
  return (element?.children ?? []).filter((child) => child.name === name);
}

/** The one child of `element` called `name`, or undefined. */
export function child(element, name) {
  return childrenNamed(element, name)[0];
}

/** Every element in the tree under (and including) `element`. */
export function descendants(element) {
  return [element, ...element.children.flatMap((c) => descendants(c))];
}

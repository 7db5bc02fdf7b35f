// What the core's .wasm is made of: bytes per section, and the code section's bytes per crate and
// per function, read from a build that keeps its `name` section (scripts/bench.sh makes one with
// the same wasm-bindgen and wasm-opt steps as the shipped file, plus wasm-opt -g).
// Usage: node benches/wasm-breakdown.mjs NAMED.wasm [TOP]   (prints JSON)
import { readFileSync } from 'node:fs';
import { SECTION_NAMES, readUleb } from '../scripts/wasm-size.mjs';

function readName(bytes, offset) {
  const [length, start] = readUleb(bytes, offset);
  return [new TextDecoder().decode(bytes.subarray(start, start + length)), start + length];
}

function parse(bytes) {
  const sections = [];
  let importedFunctions = 0;
  let bodies = [];
  const names = new Map();
  let offset = 8;
  while (offset < bytes.length) {
    const id = bytes[offset];
    const [size, start] = readUleb(bytes, offset + 1);
    const end = start + size;
    let name = SECTION_NAMES[id] ?? `unknown ${id}`;
    if (id === 0) {
      const [custom, payload] = readName(bytes, start);
      name = `custom "${custom}"`;
      if (custom === 'name') {
        let at = payload;
        while (at < end) {
          const kind = bytes[at];
          const [length, body] = readUleb(bytes, at + 1);
          if (kind === 1) {
            let [count, p] = readUleb(bytes, body);
            for (; count > 0; count -= 1) {
              let index;
              let fn;
              [index, p] = readUleb(bytes, p);
              [fn, p] = readName(bytes, p);
              names.set(index, fn);
            }
          }
          at = body + length;
        }
      }
    } else if (id === 2) {
      let [count, p] = readUleb(bytes, start);
      for (; count > 0; count -= 1) {
        [, p] = readName(bytes, p);
        [, p] = readName(bytes, p);
        const kind = bytes[p];
        p += 1;
        if (kind === 0) {
          importedFunctions += 1;
          [, p] = readUleb(bytes, p);
        } else if (kind === 1) {
          p += 1;
          const [flags, q] = readUleb(bytes, p);
          [, p] = readUleb(bytes, q);
          if (flags & 1) [, p] = readUleb(bytes, p);
        } else if (kind === 2) {
          const [flags, q] = readUleb(bytes, p);
          [, p] = readUleb(bytes, q);
          if (flags & 1) [, p] = readUleb(bytes, p);
        } else {
          p += 2;
        }
      }
    } else if (id === 10) {
      let [count, p] = readUleb(bytes, start);
      bodies = [];
      for (; count > 0; count -= 1) {
        const [length, body] = readUleb(bytes, p);
        bodies.push(body + length - p);
        p = body + length;
      }
    }
    sections.push({ name, size });
    offset = end;
  }
  const functions = bodies.map((size, i) => ({
    name: names.get(importedFunctions + i) ?? `func[${importedFunctions + i}]`,
    size,
  }));
  return { sections, functions };
}

/**
 * Who a function's bytes belong to: the first crate named in its demangled symbol (v0 symbols
 * carry a `[hash]` after the crate name), or wasm-bindgen for its export shims, into which the
 * optimiser inlines the exported function's own callees.
 */
function crateOf(symbol) {
  if (/ shim/.test(symbol)) return 'wasm-bindgen export shims (with inlined callees)';
  if (/^__wbindgen|^__wbg|^__externref/.test(symbol)) return 'wasm-bindgen runtime';
  const match = /([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/.exec(symbol);
  if (match) return match[1];
  if (/^func\[/.test(symbol)) return '(no name)';
  return `(other: ${symbol.slice(0, 32)})`;
}

const file = process.argv[2];
const top = Number(process.argv[3] ?? 15);
if (!file) {
  console.error('usage: node benches/wasm-breakdown.mjs NAMED.wasm [TOP]');
  process.exit(2);
}
const { sections, functions } = parse(readFileSync(file));
const byCrate = new Map();
for (const fn of functions) byCrate.set(crateOf(fn.name), (byCrate.get(crateOf(fn.name)) ?? 0) + fn.size);
const code = functions.reduce((sum, fn) => sum + fn.size, 0);
console.log(
  JSON.stringify(
    {
      sections: sections.filter((s) => !s.name.startsWith('custom')),
      codeBytes: code,
      functions: functions.length,
      crates: [...byCrate].map(([name, size]) => ({ name, size })).sort((a, b) => b.size - a.size).slice(0, top),
      largestFunctions: [...functions].sort((a, b) => b.size - a.size).slice(0, top),
    },
    null,
    2,
  ),
);

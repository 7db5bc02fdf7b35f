// Prints how the bytes of a .wasm file split over the module's sections, so a size change can be
// traced to code, data (tables, strings) or metadata. (build.sh prints the raw and gzip sizes.)
// Usage: node scripts/wasm-size.mjs FILE.wasm
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const SECTION_NAMES = [
  'custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start',
  'element', 'code', 'data', 'data count', 'tag',
];

/** Reads an unsigned LEB128 number at `offset`; returns [value, offset after it]. */
export function readUleb(bytes, offset) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[offset];
    offset += 1;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, offset];
}

export function sections(bytes) {
  const found = [];
  let offset = 8; // magic number and version
  while (offset < bytes.length) {
    const id = bytes[offset];
    const [size, start] = readUleb(bytes, offset + 1);
    let name = SECTION_NAMES[id] ?? `unknown ${id}`;
    if (id === 0) {
      const [length, nameStart] = readUleb(bytes, start);
      name = `custom "${bytes.subarray(nameStart, nameStart + length).toString('utf8')}"`;
    }
    found.push({ name, size });
    offset = start + size;
  }
  return found;
}

// Run as a script (not when benches/wasm-breakdown.mjs imports the parser above).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node scripts/wasm-size.mjs FILE.wasm');
    process.exit(2);
  }
  const bytes = readFileSync(file);
  const kib = (n) => (n / 1024).toFixed(1);
  const parts = sections(bytes)
    .filter((section) => section.size >= 1024)
    .map((section) => `${section.name} ${kib(section.size)} KiB`);
  console.log(`    sections of 1 KiB or more: ${parts.join(', ')}`);
}

// The link builder fixture set (tests/fixtures/link-builder/manifest.json, see its README): every
// file the page must read, marked "both" (the extension's import reads it alike) or "page only",
// with its hand-checked tenants and rejected rows.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const FOLDER = new URL('../../fixtures/link-builder/', import.meta.url);

/**
 * `[{file, name, path, bytes, reads, expected}]` in manifest order: `file` as the manifest names
 * it, `name` its base name, `bytes` a Buffer, `expected` `{format, tenants, rejected}` or
 * `{error}`.
 */
export function loadLinkBuilderFixtures() {
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', FOLDER), 'utf8'));
  return manifest.fixtures.map(({ file, reads, expected }) => {
    const path = fileURLToPath(new URL(file, FOLDER));
    return { file, name: basename(path), path, bytes: readFileSync(path), reads, expected };
  });
}

/**
 * An import preview (`previewImport` against an empty tenant list) in the manifest's `expected`
 * shape, to compare the extension with a "both" fixture: new rows become tenants, rejected rows
 * stay rejected rows. A preview against an empty list has no renamed or unchanged rows.
 */
export function fromImportPreview(preview) {
  const position = (row) => (row.line !== undefined ? { line: row.line } : { entry: row.entry });
  return {
    format: preview.format,
    tenants: preview.rows
      .filter((row) => row.status !== 'rejected')
      .map((row) => ({ ...position(row), ...row.tenant })),
    rejected: preview.rows
      .filter((row) => row.status === 'rejected')
      .map((row) => ({ ...position(row), error: row.error })),
  };
}

// Copies of the built extension for tests that need it installed differently: with a changed
// manifest (a permission withheld, an older version number), or a stand-in for an earlier
// release at the same place. An unpacked extension's ID comes from its directory, so a profile
// that loads another build from the same directory sees it as an update of the same extension,
// with its storage. Nothing is ever written to dist/.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTENSION_DIR } from './browser.mjs';

/** A fresh directory for an extension; `remove()` deletes it with everything in it. */
export function extensionPlace() {
  const root = mkdtempSync(join(tmpdir(), 'tenant-switch-copy-'));
  const dir = join(root, 'extension');
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Puts the current build into `dir` (replacing what was there), its manifest passed through `edit`. */
export function installBuild(dir, edit = (manifest) => manifest) {
  rmSync(dir, { recursive: true, force: true });
  cpSync(EXTENSION_DIR, dir, { recursive: true });
  const path = join(dir, 'manifest.json');
  writeFileSync(path, JSON.stringify(edit(JSON.parse(readFileSync(path, 'utf8'))), null, 2));
}

/** A copy of the current build with its manifest passed through `edit`: `{dir, remove()}`. */
export function editedCopy(edit) {
  const place = extensionPlace();
  installBuild(place.dir, edit);
  return place;
}

/**
 * Puts into `dir` a stand-in for an earlier release: the current build's files and manifest
 * under `version`, with a service worker that does nothing, so that the test can write storage
 * exactly as that release left it without any code of this build reacting to it. The manifest
 * is the same otherwise: an update that asks for more permissions than the stand-in had leaves
 * this Chromium's relaunched worker without events (the browser would ask the user first).
 */
export function installStandIn(dir, version) {
  installBuild(dir, (manifest) => ({ ...manifest, version }));
  writeFileSync(join(dir, 'background.js'), '// Stands in for an earlier release: storage is written by the test.\n');
}

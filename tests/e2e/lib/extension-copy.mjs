// Copies of the built extension for tests that need it installed differently: with a changed
// manifest (a permission withheld, an older version number), or a stand-in for an earlier
// release at the same place. An unpacked extension's ID comes from its directory, so a profile
// that loads another build from the same directory sees it as an update of the same extension,
// with its storage. Nothing is ever written to dist/.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 * Puts into `dir` a stand-in for an earlier release: the current manifest's name, permissions
 * and hosts under `version`, and a service worker that does nothing, so that the test can write
 * storage exactly as that release left it without any code of this build reacting to it.
 */
export function installStandIn(dir, version) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const current = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8'));
  const manifest = {
    manifest_version: 3,
    name: 'Tenant Switch (earlier release stand-in)',
    version,
    permissions: current.permissions,
    host_permissions: current.host_permissions,
    background: { service_worker: 'background.js' },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, 'background.js'), '// Stands in for an earlier release: storage is written by the test.\n');
}

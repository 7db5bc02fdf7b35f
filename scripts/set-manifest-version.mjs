// Stamps Cargo.toml's version into a built manifest.json, so the crate, the extension and its zip
// always carry one version. Usage: node scripts/set-manifest-version.mjs MANIFEST VERSION
import { readFileSync, writeFileSync } from 'node:fs';

const [manifestPath, version] = process.argv.slice(2);
if (!manifestPath || !version) {
  console.error('usage: node scripts/set-manifest-version.mjs MANIFEST VERSION');
  process.exit(2);
}
// Browsers accept only one to four dot-separated integers here (no "-beta" suffixes).
if (!/^\d+(\.\d+){0,3}$/.test(version)) {
  console.error(`version ${JSON.stringify(version)} is not a valid extension version (1 to 4 integers)`);
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
manifest.version = version;
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

// Enterprise policy for the end-to-end tests: a test copy of dist/extension with a fixed `key`
// (so Chromium gives it a known extension ID that a policy can name), and Chromium's managed
// policy file on Linux. The key pair is made fresh for each run; nothing is written to dist/.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTENSION_DIR } from './browser.mjs';

/** Where Debian's Chromium reads mandatory policy files (every *.json in it). */
export const POLICY_DIR = process.env.CHROMIUM_POLICY_DIR ?? '/etc/chromium/policies/managed';
export const POLICY_FILE = join(POLICY_DIR, 'tenant-switch-test.json');

/**
 * The extension ID Chromium derives from a manifest `key`: SHA-256 of the DER public key, the
 * first 32 hex digits written with the letters a-p for 0-f.
 */
export function extensionIdFromKey(publicKeyDer) {
  const hex = createHash('sha256').update(publicKeyDer).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}

/**
 * Copies dist/extension into a temporary directory and adds a fresh public key to its manifest.
 * Returns `{dir, extensionId, remove()}`.
 */
export function keyedExtensionCopy() {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const root = mkdtempSync(join(tmpdir(), 'tenant-switch-keyed-'));
  const dir = join(root, 'extension');
  cpSync(EXTENSION_DIR, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.key = der.toString('base64');
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return {
    dir,
    extensionId: extensionIdFromKey(der),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Fails at once, with the reason, when this process cannot write Chromium's policy folder. */
export function requireRoot() {
  if (typeof process.getuid === 'function' && process.getuid() !== 0 && !process.env.CHROMIUM_POLICY_DIR) {
    throw new Error(
      `the managed-policy test writes ${POLICY_FILE} and must run as root (CI does); ` +
        'run it with sudo, or point CHROMIUM_POLICY_DIR at a policy folder this user may write',
    );
  }
}

/** Writes `policy` (this extension's `3rdparty` object) as Chromium's mandatory policy. */
export function writePolicy(extensionId, policy) {
  mkdirSync(POLICY_DIR, { recursive: true });
  const file = { '3rdparty': { extensions: { [extensionId]: policy } } };
  writeFileSync(POLICY_FILE, JSON.stringify(file, null, 2));
}

export function removePolicy() {
  rmSync(POLICY_FILE, { force: true });
}

/**
 * Makes Chromium read its policy files now, as the "Reload policies" button of chrome://policy
 * does; without it Chromium notices a changed file by itself only after a while.
 */
export async function reloadPolicies(context) {
  const page = await context.newPage();
  try {
    await page.goto('chrome://policy');
    await page.locator('#reload-policies').click();
  } finally {
    await page.close();
  }
}

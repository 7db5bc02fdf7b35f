// Firefox's enterprise policy file for the end-to-end tests: policies.json in the distribution
// folder of Debian's Firefox ESR, which Firefox reads once, at start. The file is machine-wide
// (any Firefox started while it exists gets the policy, other test runs included), so a test
// writes it just before it starts Firefox and removes it as soon as Firefox is up; an exit and
// signal handler removes it too, should the test die first. Only a file this process wrote, with
// the content it wrote, is ever removed.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where Debian's firefox-esr looks for policies.json: its installation's `distribution` folder
 * (/usr/lib/firefox-esr/distribution, a link to /usr/share/firefox-esr/distribution).
 */
export const DISTRIBUTION_DIR = process.env.FIREFOX_DISTRIBUTION_DIR ?? '/usr/lib/firefox-esr/distribution';
export const POLICIES_FILE = join(DISTRIBUTION_DIR, 'policies.json');
/** Firefox on Linux prefers this system-wide file; while it exists, the one above is ignored. */
export const SYSTEM_POLICIES_FILE = '/etc/firefox/policies/policies.json';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** The README's Firefox example: the first JSON block under "### Firefox (`policies.json`)". */
export function readmeFirefoxPolicies() {
  const readme = readFileSync(README, 'utf8');
  const section = readme.split('\n### Firefox (`policies.json`)\n')[1];
  const block = section && /```json\n([\s\S]*?)\n```/.exec(section);
  if (!block) throw new Error('README.md has no JSON block under "### Firefox (`policies.json`)"');
  return JSON.parse(block[1]);
}

/**
 * Waits (up to `timeout` ms) while a policies.json that names `extensionId` exists: another
 * test's file, which any Firefox starting now would read. Throws when it does not go away.
 */
export async function waitForNoPolicyNaming(extensionId, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    let text = '';
    try {
      text = readFileSync(POLICIES_FILE, 'utf8');
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    if (!text.includes(extensionId)) return;
    if (Date.now() > deadline) {
      throw new Error(`${POLICIES_FILE} names ${extensionId} and has not gone away: a policy test still running, or one that died?`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Fails at once, with the reason, when this process cannot (or must not) write the file. */
export function requireFirefoxPolicySlot() {
  if (typeof process.getuid === 'function' && process.getuid() !== 0 && !process.env.FIREFOX_DISTRIBUTION_DIR) {
    throw new Error(
      `the Firefox policy test writes ${POLICIES_FILE} and must run as root (CI does); ` +
        'run it with sudo, or point FIREFOX_DISTRIBUTION_DIR at the distribution folder of a Firefox this user may write',
    );
  }
  if (existsSync(SYSTEM_POLICIES_FILE)) {
    throw new Error(`${SYSTEM_POLICIES_FILE} exists: Firefox would read it instead of ${POLICIES_FILE}`);
  }
  if (existsSync(POLICIES_FILE)) {
    throw new Error(`${POLICIES_FILE} exists already (another test run, or a real policy): not overwriting it`);
  }
}

/**
 * Writes `policies` ({ policies: {...} }) as Firefox's policies.json. Returns `remove()`, which
 * deletes the file if it still holds what was written; it also runs when the process exits or
 * is interrupted.
 */
export function writeFirefoxPolicies(policies) {
  const text = `${JSON.stringify(policies, null, 2)}\n`;
  mkdirSync(dirname(POLICIES_FILE), { recursive: true });
  writeFileSync(POLICIES_FILE, text, { flag: 'wx' });
  const remove = () => {
    try {
      if (readFileSync(POLICIES_FILE, 'utf8') === text) rmSync(POLICIES_FILE, { force: true });
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
  };
  const onSignal = (signal) => {
    remove();
    // No listener left for this signal: re-sending it ends the process the default way.
    process.kill(process.pid, signal);
  };
  process.on('exit', remove);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    remove();
    process.off('exit', remove);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

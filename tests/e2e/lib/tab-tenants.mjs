// What the per-tab tests of both browsers share: reading the tenant of each request the stand-in
// portal received, and the measurement of the issue (tabs opened from portal tabs in two tenants
// while the tenant for new tabs keeps changing: how many requests reached the portal with the
// wrong tenant or none). The browser-specific part (how a link is clicked, how a tab is closed)
// comes in as functions, so Chromium and Firefox run exactly the same measurement.
import assert from 'node:assert/strict';
import { PORTAL_HOSTS, tidOf } from './portal-server.mjs';

/** The kinds of opening a tab from a portal page, in the order the measurement cycles them. */
export const OPEN_KINDS = ['target=_blank', 'middle-click', 'Ctrl+click', 'window.open'];

/**
 * The requests the stand-in received on the portal hosts whose path starts with `prefix`, as
 * `{method, url, tid}` (`tid` null when the address had none).
 */
export function portalRequests(server, prefix = '/') {
  return server.requests
    .filter((r) => PORTAL_HOSTS.includes(r.host) && r.path.startsWith(prefix))
    .map((r) => ({ method: r.method, url: r.url, tid: tidOf(r.url) }));
}

/** Polls until `probe()` is truthy (returns it) or `timeout` ms pass (returns the last value). */
export async function until(probe, timeout = 5000, interval = 25) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/**
 * The measurement. `openers` are portal tabs, each `{name, tenant}` (its tenant ID) plus
 * whatever `open` needs; `total` opens cycle through `OPEN_KINDS` (so each kind gets total/4) and
 * alternate between the openers every full cycle, and every `every` opens `pick(id)` changes the
 * tenant for new tabs to the next of `picks` (none of them an opener's tenant, so a leak shows).
 * `open(opener, kind, path)` makes the opener open `path` (a portal path without a tid) the way
 * `kind` says and resolves to a handle of the new tab; `close(handle)` closes it.
 *
 * Returns `{opens, wrong, none, missing, duplicates, byKind, ms}`: `wrong` and `none` list the
 * requests that reached the stand-in with another tenant or without one; `missing` the opens whose
 * request never arrived (within 10 s); `duplicates` the opens that reached it more than once.
 */
export async function measureOpens({ server, openers, picks, pick, open, close, total = 200, every = 10 }) {
  const started = Date.now();
  const result = { opens: 0, wrong: [], none: [], missing: [], duplicates: [], byKind: {} };
  for (const kind of OPEN_KINDS) result.byKind[kind] = { opens: 0, wrong: 0, none: 0, missing: 0 };
  for (let i = 0; i < total; i += 1) {
    if (i % every === 0) await pick(picks[(i / every) % picks.length]);
    const kind = OPEN_KINDS[i % OPEN_KINDS.length];
    const opener = openers[Math.floor(i / OPEN_KINDS.length) % openers.length];
    const path = `/opened/${kind.replace(/[^a-z.]+/gi, '-').toLowerCase()}/${i}`;
    const matching = () => portalRequests(server, path).filter((r) => new URL(r.url).pathname === path);
    const handle = await open(opener, kind, path);
    const seen = await until(() => matching().length > 0 && matching(), 10_000);
    await close(handle);
    const requests = seen || [];
    const tally = result.byKind[kind];
    result.opens += 1;
    tally.opens += 1;
    if (requests.length === 0) {
      result.missing.push({ i, kind, opener: opener.name, path });
      tally.missing += 1;
    }
    if (requests.length > 1) result.duplicates.push({ i, kind, opener: opener.name, requests });
    for (const request of matching()) {
      const entry = { i, kind, opener: opener.name, url: request.url };
      if (request.tid === null) {
        result.none.push(entry);
        tally.none += 1;
      } else if (request.tid !== opener.tenant) {
        result.wrong.push(entry);
        tally.wrong += 1;
      }
    }
  }
  result.ms = Date.now() - started;
  return result;
}

/** One line per kind for the test's log: opens, wrong, none, missing. */
export function describeMeasurement(browserName, result) {
  const kinds = Object.entries(result.byKind)
    .map(([kind, t]) => `${kind}: ${t.opens} opens, ${t.wrong} wrong, ${t.none} none, ${t.missing} missing`)
    .join('; ');
  return `${browserName}: ${result.opens} opens in ${(result.ms / 1000).toFixed(1)} s; ` +
    `wrong tenant ${result.wrong.length}, no tenant ${result.none.length}, missing ${result.missing.length}, ` +
    `twice ${result.duplicates.length} (${kinds})`;
}

/**
 * Logs the measurement and asserts what the issue asks of it in either browser: no request with
 * the wrong tenant or none, every opened tab seen once, 50 opens of each kind, within 3 minutes.
 */
export function assertMeasurement(browserName, result) {
  console.log(describeMeasurement(browserName, result));
  assert.deepEqual(
    { wrong: result.wrong, none: result.none, missing: result.missing, duplicates: result.duplicates },
    { wrong: [], none: [], missing: [], duplicates: [] },
  );
  assert.equal(result.opens, 200);
  for (const kind of OPEN_KINDS) assert.equal(result.byKind[kind].opens, 50, kind);
  assert.ok(result.ms < 180_000, `took ${result.ms} ms`);
}

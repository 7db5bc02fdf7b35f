// Expected declarativeNetRequest rules taken from the session's hand-checked fixtures
// (tests/fixtures/session/*.json: events in, exact effects out), so that a browser test compares
// what the browser holds with data written down once and checked by a person, not with whatever
// the build under test computes.
import { readFileSync } from 'node:fs';

function fixture(name) {
  return JSON.parse(readFileSync(new URL(`../../fixtures/session/${name}.json`, import.meta.url), 'utf8'));
}

/** The tenant IDs the session fixtures use, by name (Contoso, Fabrikam, FourthCoffee, …). */
export const FIXTURE_TENANTS = fixture('tenants');

/** The effects of the event of `name` whose note starts with `note`. */
function effectsOf(name, note) {
  const step = fixture(name).events.find((event) => event.note?.startsWith(note));
  if (!step) throw new Error(`tests/fixtures/session/${name}.json has no event noted "${note}"`);
  return step.expect;
}

/** `value` with every occurrence of the text `from` replaced by `to`, as JSON. */
function replaced(value, pairs) {
  let text = JSON.stringify(value);
  for (const [from, to] of pairs) text = text.split(from).join(to);
  return JSON.parse(text);
}

const byId = (rules) => [...rules].sort((a, b) => a.id - b.id);

// fresh-install.json: Contoso is chosen for new tabs (dynamic rules 1-8), then tab 7 commits the
// portal in Contoso (session rules 1000-1005 for that one tab).
const FRESH_DEFAULT = effectsOf('fresh-install', 'choose Contoso for new tabs').find((e) => e.type === 'updateDynamicRules');
const FRESH_TAB = effectsOf('fresh-install', 'it commits the portal').find((e) => e.type === 'updateSessionRules');

/**
 * The dynamic rules while `id` is the tenant for new tabs: explicit `tid` allowed (3) and
 * upgraded over http (4), and the redirect adding `id` on each portal host and scheme (1).
 */
export function defaultRules(id) {
  return byId(replaced(FRESH_DEFAULT.addRules, [[FIXTURE_TENANTS.Contoso, id]]));
}

/**
 * The session rules of one tab group: the redirect adding `id` for the tabs `tabIds`, with rule
 * IDs from `firstRuleId` (1000 for the first group).
 */
export function tabRules(id, tabIds, firstRuleId = 1000) {
  return byId(
    FRESH_TAB.addRules.map((rule) => ({
      ...replaced(rule, [[FIXTURE_TENANTS.Contoso, id]]),
      id: rule.id - 1000 + firstRuleId,
      condition: { ...rule.condition, tabIds },
    })),
  );
}

/** `rules` as the browser lists them, in rule ID order. */
export const sortRules = byId;

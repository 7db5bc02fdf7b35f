//! The declarativeNetRequest rules that rewrite portal navigations inside the browser.
//!
//! The session ([`crate::session`]) installs exactly what [`default_rules`] and [`tab_rules`]
//! return, so that the browser redirects precisely the top-level navigations
//! [`crate::portal::with_tenant`] changes, each to the right tenant. All rules match `main_frame`
//! requests only; the redirects only `GET` ones, so a sign-in form posted back to the portal is
//! never redirected. Higher priority wins, across the extension's dynamic and session rules:
//!
//! | priority | ruleset | rule | what it does |
//! |---|---|---|---|
//! | 4 | dynamic, ID 2 | explicit tenant over `http:` | `upgradeScheme`: the same URL over `https:` |
//! | 3 | dynamic, ID 1 | explicit tenant | `allow`: a URL that names its tenant keeps it |
//! | 2 | session, IDs from 1000 | the tab's own tenant | per tab group: redirect adding `tid=<the tab's tenant>` (`tabIds`), or `allow` for tabs in the home tenant |
//! | 1 | dynamic, IDs 3 to 8 | the default tenant | redirect adding `tid=<tenant for new tabs>` |
//!
//! Without automatic rewrite there is no rule at all; with "No tenant" for new tabs there are no
//! default redirects (IDs 3 to 8), and tabs without a tenant of their own load the home tenant.
//!
//! A redirect rule exists per portal host and scheme: `urlFilter` `|https://<host>/` or
//! `|http://<host>/`, in the order of [`PORTAL_HOSTS`]. The `http:` ones also set the scheme to
//! `https`, so the upgrade and the tenant happen in one redirect.
//!
//! Why this shape:
//! - A `urlFilter` starting with `|` matches from the start of the URL as the browser serialises
//!   it, so `|https://security.microsoft.com/` needs the host to end right where the path starts:
//!   subdomains, trailing-dot hosts, explicit non-default ports and user-info never match, exactly
//!   as [`crate::portal::is_portal_url`] says. (`|http*://` would let `*` run into the query of a
//!   subdomain URL, hence one rule per scheme.) URL filters are indexed, not compiled, so they
//!   cost no regex memory.
//! - Chrome compiles each `regexFilter` with RE2 within 2 KB of memory, and in practice rejects
//!   programs of roughly 40 instructions: a regex with a host name in it is already at the edge.
//!   The explicit-tenant rules therefore leave the host to `requestDomains` (which also admits
//!   subdomains, harmlessly: with `declarativeNetRequestWithHostAccess` a rule acts only on
//!   hosts the extension has access to, the three portal hosts) and only check the query:
//!   [`EXPLICIT_TENANT_REGEX`], and with `http:` in front [`EXPLICIT_TENANT_HTTP_REGEX`].
//! - That regex spells out [`crate::portal`]'s definition of an explicit tenant: after the first
//!   `?` and before any `#`, a parameter whose name percent-decodes to `tid`. The rules set
//!   `isUrlFilterCaseSensitive: false` explicitly (browser defaults have differed), which gives
//!   "in any letter case".
//! - Per-tab rules are session rules (`tabIds` works only there): they live as long as the
//!   browser session, like the tabs they belong to. One group of rules serves every tab in the
//!   same tenant, so the number of rules grows with the tenants open, not with the tabs.
//!
//! The rules are checked against every row of `tests/fixtures/urls.json` by the end-to-end test
//! in a real browser, not here: the core has no RE2.

use serde::{Deserialize, Serialize};

use crate::portal::{Scope, OPT_IN_HOSTS, PORTAL_HOSTS};
use crate::tenant_id::TenantId;

/// One declarativeNetRequest rule (`chrome.declarativeNetRequest.Rule`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Unique among the extension's dynamic rules; at least 1.
    pub id: u32,
    /// Higher wins when several rules match; at least 1.
    pub priority: u32,
    /// What happens to a matching request.
    pub action: RuleAction,
    /// Which requests match.
    pub condition: RuleCondition,
}

/// `Rule.action`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleAction {
    /// The kind of action.
    #[serde(rename = "type")]
    pub kind: RuleActionType,
    /// Where to redirect; only for [`RuleActionType::Redirect`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<Redirect>,
}

/// `RuleActionType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleActionType {
    /// Block the request.
    Block,
    /// Redirect the request.
    Redirect,
    /// Let the request through, overriding lower-priority rules.
    Allow,
    /// Upgrade `http` to `https`.
    UpgradeScheme,
    /// Allow every request in the frame tree.
    AllowAllRequests,
}

/// `RuleAction.redirect`: exactly one field is set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Redirect {
    /// Changes to the request URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<UrlTransform>,
    /// A whole new URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// `URLTransform`: the parts of the request URL to change; `None` keeps a part as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UrlTransform {
    /// New scheme (`http` or `https`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// New host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// New path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// New query (empty, or starting with `?`); excludes `query_transform`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Parameter-wise changes to the query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_transform: Option<QueryTransform>,
    /// New fragment (empty, or starting with `#`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fragment: Option<String>,
}

/// `QueryTransform`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryTransform {
    /// Parameters to add, or to replace where the key exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_or_replace_params: Option<Vec<QueryKeyValue>>,
    /// Keys of parameters to remove.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_params: Option<Vec<String>>,
}

/// `QueryKeyValue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryKeyValue {
    /// The parameter name.
    pub key: String,
    /// The parameter value.
    pub value: String,
    /// Replace only, never add (Chrome 119+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_only: Option<bool>,
}

/// `RuleCondition`: all fields that are set must match.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleCondition {
    /// A URL pattern in the filter syntax; excludes `regex_filter`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_filter: Option<String>,
    /// An RE2 regular expression over the whole URL; excludes `url_filter`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex_filter: Option<String>,
    /// Whether `url_filter`/`regex_filter` match case-sensitively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_url_filter_case_sensitive: Option<bool>,
    /// Request hosts (and their subdomains) the rule is limited to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_domains: Option<Vec<String>>,
    /// Resource types the rule applies to. When absent the browser matches every type
    /// except `main_frame`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_types: Option<Vec<ResourceType>>,
    /// HTTP methods the rule applies to (lowercase).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_methods: Option<Vec<String>>,
    /// Tabs the rule applies to (session rules only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tab_ids: Option<Vec<i64>>,
}

/// `ResourceType` (the ones this extension has a use for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResourceType {
    /// A top-level navigation.
    #[serde(rename = "main_frame")]
    MainFrame,
    /// A navigation inside a frame.
    #[serde(rename = "sub_frame")]
    SubFrame,
}

/// Priority of the redirects to the tenant for new tabs.
const DEFAULT_PRIORITY: u32 = 1;
/// Priority of the per-tab rules: above the default, so a tab keeps its own tenant.
const TAB_PRIORITY: u32 = 2;
/// Priority of the explicit-tenant allow rule: above everything that adds a tenant.
const EXPLICIT_PRIORITY: u32 = 3;
/// Priority of the upgrade of an explicit tenant over `http:`: above the allow rule.
const UPGRADE_PRIORITY: u32 = 4;
/// ID of the explicit-tenant allow rule (dynamic).
const EXPLICIT_RULE_ID: u32 = 1;
/// ID of the explicit-tenant upgrade rule (dynamic).
const UPGRADE_RULE_ID: u32 = 2;
/// ID of the first redirect to the default tenant (dynamic); the others follow, up to
/// `DEFAULT_FIRST_ID + IDS_PER_GROUP - 1`.
const DEFAULT_FIRST_ID: u32 = 3;
/// The first session rule ID. Dynamic and session rules never share an ID, so that a rule is
/// always known by its ID alone.
pub const TAB_FIRST_ID: u32 = 1000;
/// The most hosts the rules may cover: Defender's and every opt-in portal's.
pub const MAX_HOSTS: usize = PORTAL_HOSTS.len() + OPT_IN_HOSTS.len();
/// Rule IDs each tab group takes (a tenant group uses as many as its scope has hosts and
/// schemes, a home group one), whatever the scope, so that IDs never move.
pub const IDS_PER_GROUP: u32 = (MAX_HOSTS * SCHEMES.len()) as u32;
/// The most tab groups the session rules may hold (the browser allows 5,000 session rules).
pub const MAX_TAB_GROUPS: usize = 600;
/// The session rule that blocks portal navigations without a `tid` in the tabs of groups past
/// [`MAX_TAB_GROUPS`]: below the first group's IDs, above every dynamic rule's.
pub const OVERFLOW_RULE_ID: u32 = TAB_FIRST_ID - 1;
/// The schemes of portal URLs, one redirect rule each per host.
const SCHEMES: [&str; 2] = ["https", "http"];

/// The allow rule's `regexFilter` (RE2, matched case-insensitively): the URL's query has a
/// parameter whose name percent-decodes to `tid`. `^[^?#]*\?` finds the first `?` (the start of
/// the query; later ones are part of it), `([^#]*&)?` skips whole earlier parameters without
/// entering the fragment, and `([=&#]|$)` ends the name.
pub const EXPLICIT_TENANT_REGEX: &str =
    r"^[^?#]*\?([^#]*&)?(t|%[57]4)(i|%[46]9)(d|%[46]4)([=&#]|$)";

/// [`EXPLICIT_TENANT_REGEX`] for `http:` URLs only: the upgrade rule's `regexFilter`.
pub const EXPLICIT_TENANT_HTTP_REGEX: &str =
    r"^http:[^?#]*\?([^#]*&)?(t|%[57]4)(i|%[46]9)(d|%[46]4)([=&#]|$)";

/// What the tabs of one group get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TabGroup {
    /// Tabs in the analyst's home tenant: allowed through without a `tid`.
    Home,
    /// Tabs in this tenant: redirected to it.
    Tenant(TenantId),
}

/// The dynamic rules: the explicit-tenant rules, and the redirects to `default` (the tenant
/// for tabs that have none yet) unless it is `None` (the home tenant). IDs and order as the
/// [module docs](self) say. The session installs them only while automatic rewrite is on and
/// some rule redirects (a default tenant, or a tab in a tenant).
///
/// # Examples
/// ```
/// use tenant_switch::portal::Scope;
/// use tenant_switch::rules::default_rules;
/// assert_eq!(default_rules(None, &Scope::defender()).len(), 2);
/// ```
pub fn default_rules(default: Option<TenantId>, scope: &Scope) -> Vec<Rule> {
    let explicit = |id, priority, kind, regex: &str| Rule {
        id,
        priority,
        action: RuleAction {
            kind,
            redirect: None,
        },
        condition: RuleCondition {
            regex_filter: Some(regex.to_owned()),
            is_url_filter_case_sensitive: Some(false),
            request_domains: Some(hosts(scope)),
            resource_types: Some(vec![ResourceType::MainFrame]),
            ..RuleCondition::default()
        },
    };
    let mut rules = vec![
        explicit(
            EXPLICIT_RULE_ID,
            EXPLICIT_PRIORITY,
            RuleActionType::Allow,
            EXPLICIT_TENANT_REGEX,
        ),
        explicit(
            UPGRADE_RULE_ID,
            UPGRADE_PRIORITY,
            RuleActionType::UpgradeScheme,
            EXPLICIT_TENANT_HTTP_REGEX,
        ),
    ];
    if let Some(tenant) = default {
        rules.extend(redirects(
            DEFAULT_FIRST_ID,
            DEFAULT_PRIORITY,
            tenant,
            None,
            scope,
        ));
    }
    rules
}

/// The session rules for tabs grouped by what they get, in the order given: each tenant group
/// takes [`IDS_PER_GROUP`] IDs from [`TAB_FIRST_ID`] on (a home group uses the first of its
/// IDs), so the same groups always give the same rules. The tabs of groups past
/// [`MAX_TAB_GROUPS`] (600 different tenants open at once) get one rule, [`OVERFLOW_RULE_ID`],
/// that blocks their portal navigations without a `tid`: they fail closed instead of going to
/// the tenant for new tabs. A link with its own `tid` still opens (the allow rule is above).
///
/// # Examples
/// ```
/// use tenant_switch::portal::Scope;
/// use tenant_switch::rules::{tab_rules, TabGroup, TAB_FIRST_ID};
/// let rules = tab_rules(&[(TabGroup::Home, vec![7, 9])], &Scope::defender());
/// assert_eq!(rules.len(), 1);
/// assert_eq!(rules[0].id, TAB_FIRST_ID);
/// assert_eq!(rules[0].condition.tab_ids, Some(vec![7, 9]));
/// ```
pub fn tab_rules(groups: &[(TabGroup, Vec<i64>)], scope: &Scope) -> Vec<Rule> {
    let mut rules = Vec::new();
    for (slot, (group, tabs)) in (0u32..).zip(groups.iter().take(MAX_TAB_GROUPS)) {
        let first = TAB_FIRST_ID + slot * IDS_PER_GROUP;
        match group {
            TabGroup::Home => rules.push(Rule {
                id: first,
                priority: TAB_PRIORITY,
                action: RuleAction {
                    kind: RuleActionType::Allow,
                    redirect: None,
                },
                condition: tab_pages(scope, tabs.clone()),
            }),
            TabGroup::Tenant(tenant) => {
                rules.extend(redirects(first, TAB_PRIORITY, *tenant, Some(tabs), scope));
            }
        }
    }
    let overflow: Vec<i64> = groups
        .iter()
        .skip(MAX_TAB_GROUPS)
        .flat_map(|(_, tabs)| tabs.iter().copied())
        .collect();
    if !overflow.is_empty() {
        rules.push(Rule {
            id: OVERFLOW_RULE_ID,
            priority: TAB_PRIORITY,
            action: RuleAction {
                kind: RuleActionType::Block,
                redirect: None,
            },
            condition: RuleCondition {
                request_methods: Some(vec!["get".to_owned()]),
                ..tab_pages(scope, overflow)
            },
        });
    }
    rules
}

/// Top-level pages on the hosts of `scope` in the tabs `tabs`.
fn tab_pages(scope: &Scope, tabs: Vec<i64>) -> RuleCondition {
    RuleCondition {
        request_domains: Some(hosts(scope)),
        resource_types: Some(vec![ResourceType::MainFrame]),
        tab_ids: Some(tabs),
        ..RuleCondition::default()
    }
}

/// Per host of `scope` and scheme a redirect adding `tid=<tenant>` (and `https:`), IDs from
/// `first`.
fn redirects(
    first: u32,
    priority: u32,
    tenant: TenantId,
    tabs: Option<&Vec<i64>>,
    scope: &Scope,
) -> Vec<Rule> {
    let targets = scope
        .hosts()
        .flat_map(|host| SCHEMES.iter().map(move |scheme| (*scheme, host)));
    (first..)
        .zip(targets)
        .map(|(id, (scheme, host))| Rule {
            id,
            priority,
            action: RuleAction {
                kind: RuleActionType::Redirect,
                redirect: Some(Redirect {
                    transform: Some(UrlTransform {
                        scheme: (scheme == "http").then(|| "https".to_owned()),
                        query_transform: Some(QueryTransform {
                            add_or_replace_params: Some(vec![QueryKeyValue {
                                key: "tid".to_owned(),
                                value: tenant.to_string(),
                                replace_only: None,
                            }]),
                            remove_params: None,
                        }),
                        ..UrlTransform::default()
                    }),
                    url: None,
                }),
            },
            condition: RuleCondition {
                url_filter: Some(format!("|{scheme}://{host}/")),
                is_url_filter_case_sensitive: Some(false),
                resource_types: Some(vec![ResourceType::MainFrame]),
                request_methods: Some(vec!["get".to_owned()]),
                tab_ids: tabs.cloned(),
                ..RuleCondition::default()
            },
        })
        .collect()
}

fn hosts(scope: &Scope) -> Vec<String> {
    scope.hosts().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn fixture(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap()
    }

    const CONTOSO: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";
    const FABRIKAM: &str = "0b8f4e2a-1d3c-4f5e-8a7b-9c0d1e2f3a4b";

    fn id(text: &str) -> TenantId {
        TenantId::parse(text).unwrap()
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn default_tenant_rules_as_json() {
        assert_eq!(
            serde_json::to_value(default_rules(Some(id(CONTOSO)), &Scope::defender())).unwrap(),
            fixture(include_str!("../tests/fixtures/rules/default-tenant.json"))
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn home_default_keeps_only_the_explicit_rules() {
        assert_eq!(
            serde_json::to_value(default_rules(None, &Scope::defender())).unwrap(),
            fixture(include_str!("../tests/fixtures/rules/home-default.json"))
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn tab_rules_as_json() {
        let groups = vec![
            (TabGroup::Home, vec![4]),
            (TabGroup::Tenant(id(FABRIKAM)), vec![7, 12]),
        ];
        assert_eq!(
            serde_json::to_value(tab_rules(&groups, &Scope::defender())).unwrap(),
            fixture(include_str!("../tests/fixtures/rules/tab-groups.json"))
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn an_opted_in_portal_gets_the_same_rules_after_the_defender_ones() {
        let purview = Scope::with_portals(["purview"]);
        assert_eq!(
            serde_json::to_value(default_rules(Some(id(CONTOSO)), &purview)).unwrap(),
            fixture(include_str!(
                "../tests/fixtures/rules/default-tenant-purview.json"
            ))
        );
        let groups = vec![
            (TabGroup::Home, vec![4]),
            (TabGroup::Tenant(id(FABRIKAM)), vec![7, 12]),
        ];
        let rules = tab_rules(&groups, &purview);
        // The second group starts where it starts without Purview: IDs never move.
        let fabrikam: Vec<u32> = rules.iter().skip(1).map(|rule| rule.id).collect();
        assert_eq!(fabrikam, (1008..1016).collect::<Vec<u32>>());
        assert_eq!(
            rules[0].condition.request_domains.as_deref(),
            Some(
                &[
                    "securitycenter.windows.com".to_owned(),
                    "securitycenter.microsoft.com".to_owned(),
                    "security.microsoft.com".to_owned(),
                    "purview.microsoft.com".to_owned()
                ][..]
            )
        );
        assert_eq!(
            rules[7].condition.url_filter.as_deref(),
            Some("|https://purview.microsoft.com/")
        );
        assert_eq!(
            rules[8].condition.url_filter.as_deref(),
            Some("|http://purview.microsoft.com/")
        );
        // Unknown or not opt-in portals add nothing.
        assert_eq!(Scope::with_portals(["entra", "nope"]), Scope::defender());
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn only_the_tenant_value_depends_on_the_tenant() {
        let fabrikam =
            serde_json::to_string(&default_rules(Some(id(FABRIKAM)), &Scope::defender())).unwrap();
        let contoso =
            serde_json::to_string(&default_rules(Some(id(CONTOSO)), &Scope::defender())).unwrap();
        assert_eq!(fabrikam.replace(FABRIKAM, CONTOSO), contoso);
        assert_eq!(fabrikam.matches(FABRIKAM).count(), 6);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn ids_are_unique_and_the_rulesets_never_share_one() {
        let dynamic = default_rules(Some(id(CONTOSO)), &Scope::defender());
        let groups: Vec<(TabGroup, Vec<i64>)> = (0..MAX_TAB_GROUPS + 5)
            .map(|n| {
                let tenant = id(&format!("00000000-0000-4000-8000-{n:012x}"));
                (TabGroup::Tenant(tenant), vec![n as i64 + 1])
            })
            .collect();
        let session = tab_rules(&groups, &Scope::defender());
        // Six redirects per group, and the one rule for the tabs of the five groups past it.
        assert_eq!(session.len(), MAX_TAB_GROUPS * 6 + 1);
        let purview = Scope::with_portals(["purview"]);
        let widest = tab_rules(&groups, &purview);
        assert_eq!(widest.len(), MAX_TAB_GROUPS * IDS_PER_GROUP as usize + 1);
        assert!(
            widest.len() <= 5000,
            "the browser allows 5,000 session rules"
        );
        assert!(
            session.len() <= 5000,
            "the browser allows 5,000 session rules"
        );
        let mut ids: Vec<u32> = dynamic.iter().chain(&session).map(|r| r.id).collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count);
        assert!(dynamic.iter().all(|r| r.id < TAB_FIRST_ID));
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn rules_read_back_as_themselves_and_ignore_fields_a_browser_adds() {
        let rules = tab_rules(
            &[(TabGroup::Tenant(id(CONTOSO)), vec![3])],
            &Scope::defender(),
        );
        let json = serde_json::to_string(&rules).unwrap();
        let back: Vec<Rule> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, rules);
        let mut installed = serde_json::to_value(&rules[0]).unwrap();
        installed["condition"]["domainType"] = json!("thirdParty");
        let read: Rule = serde_json::from_value(installed).unwrap();
        assert_eq!(read, rules[0]);
    }

    /// 600 different tenants open in tabs at once is the most the session rules can hold; a
    /// tab of a further tenant must not go to the tenant for new tabs: its navigations without
    /// a `tid` are blocked, GET only (a sign-in form post is not touched), on the scope's hosts.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn tabs_of_groups_past_the_limit_are_blocked_not_sent_to_the_default() {
        let mut groups: Vec<(TabGroup, Vec<i64>)> = (0..MAX_TAB_GROUPS)
            .map(|n| {
                let tenant = id(&format!("00000000-0000-4000-8000-{n:012x}"));
                (TabGroup::Tenant(tenant), vec![n as i64 + 1])
            })
            .collect();
        assert!(tab_rules(&groups, &Scope::defender())
            .iter()
            .all(|rule| rule.id != OVERFLOW_RULE_ID));
        groups.push((TabGroup::Tenant(id(CONTOSO)), vec![7001, 7002]));
        groups.push((TabGroup::Home, vec![7003]));
        let rules = tab_rules(&groups, &Scope::defender());
        let overflow: Vec<&Rule> = rules
            .iter()
            .filter(|rule| rule.id == OVERFLOW_RULE_ID)
            .collect();
        assert_eq!(
            serde_json::to_value(overflow).unwrap(),
            json!([{
                "id": 999,
                "priority": 2,
                "action": {"type": "block"},
                "condition": {
                    "requestDomains": ["securitycenter.windows.com", "securitycenter.microsoft.com", "security.microsoft.com"],
                    "resourceTypes": ["main_frame"],
                    "requestMethods": ["get"],
                    "tabIds": [7001, 7002, 7003]
                }
            }])
        );
        assert!(!rules.iter().any(|rule| rule.id != OVERFLOW_RULE_ID
            && rule
                .condition
                .tab_ids
                .as_ref()
                .is_some_and(|tabs| tabs.contains(&7001))));
    }
}

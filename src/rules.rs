//! The declarativeNetRequest dynamic rules that rewrite portal navigations inside the browser.
//!
//! The shell installs exactly what [`build_rules`] returns (after removing every dynamic rule it
//! had), so that the browser redirects precisely the top-level navigations
//! [`crate::portal::with_tenant`] changes. All rules match `main_frame` requests only.
//!
//! | ID | priority | action | condition |
//! |---|---|---|---|
//! | 1 | 2 | `allow` | `requestDomains`: the portal hosts; `regexFilter`: the query has a `tid` parameter |
//! | `2 + 2i` | 1 | `redirect`, adding `tid=<active tenant>` by `queryTransform.addOrReplaceParams` | `urlFilter` `\|https://<host i>/` |
//! | `3 + 2i` | 1 | the same | `urlFilter` `\|http://<host i>/` |
//!
//! where `i` is the host's index in [`PORTAL_HOSTS`] (0, 1, 2), so IDs run 1 to 7, in that order.
//! The allow rule's higher priority keeps an explicit tenant from being replaced.
//!
//! Why this shape:
//! - A `urlFilter` starting with `|` matches from the start of the URL as the browser serialises
//!   it, so `|https://security.microsoft.com/` needs the host to end right where the path starts:
//!   subdomains, trailing-dot hosts, explicit non-default ports and user-info never match, exactly
//!   as [`crate::portal::is_portal_url`] says. (`|http*://` would let `*` run into the query of a
//!   subdomain URL, hence one rule per scheme.) URL filters are indexed, not compiled, so they
//!   cost no regex memory.
//! - Chrome compiles each `regexFilter` with RE2 within 2 KB of memory, and in practice rejects
//!   programs of roughly 40 instructions: a regex with a host name in it
//!   (`^https?://securitycenter\.microsoft\.com/`, 38 instructions) is already at the edge. The
//!   allow rule's regex therefore leaves the host to `requestDomains` (which also admits
//!   subdomains, harmlessly: no redirect rule matches them) and only checks the query:
//!   [`EXPLICIT_TENANT_REGEX`], 30 RE2 instructions.
//! - That regex spells out [`crate::portal`]'s definition of an explicit tenant: after the first
//!   `?` and before any `#`, a parameter whose name percent-decodes to `tid`. The rules set
//!   `isUrlFilterCaseSensitive: false` explicitly (browser defaults have differed), which gives
//!   "in any letter case".
//!
//! The rules are checked against every row of `tests/fixtures/urls.json` by the end-to-end test
//! in a real browser, not here: the core has no RE2.

use serde::{Deserialize, Serialize};

use crate::portal::PORTAL_HOSTS;
use crate::settings::Settings;
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

/// Priority of the redirect rules.
const REDIRECT_PRIORITY: u32 = 1;
/// Priority of the allow rule: above the redirects, so an explicit tenant wins.
const ALLOW_PRIORITY: u32 = 2;
/// ID of the allow rule; the redirect rules follow it.
const ALLOW_RULE_ID: u32 = 1;
/// The schemes of portal URLs, one redirect rule each per host.
const SCHEMES: [&str; 2] = ["https", "http"];

/// The allow rule's `regexFilter` (RE2, matched case-insensitively): the URL's query has a
/// parameter whose name percent-decodes to `tid`. `^[^?#]*\?` finds the first `?` (the start of
/// the query; later ones are part of it), `([^#]*&)?` skips whole earlier parameters without
/// entering the fragment, and `([=&#]|$)` ends the name.
pub const EXPLICIT_TENANT_REGEX: &str =
    r"^[^?#]*\?([^#]*&)?(t|%[57]4)(i|%[46]9)(d|%[46]4)([=&#]|$)";

/// The rules for `settings`: none when automatic rewrite is off or there is no active tenant
/// (the analyst's home tenant), otherwise [`rules_for_tenant`] for the active tenant.
///
/// # Examples
/// ```
/// use tenant_switch::rules::build_rules;
/// use tenant_switch::settings::Settings;
/// assert!(build_rules(&Settings::default()).is_empty());
/// ```
pub fn build_rules(settings: &Settings) -> Vec<Rule> {
    match settings.active_tenant() {
        Some(tenant) if settings.automatic_rewrite() => rules_for_tenant(&tenant.id()),
        _ => Vec::new(),
    }
}

/// The rules that send every top-level portal navigation without an explicit tenant to
/// `tenant`: the allow rule, then per portal host and scheme a redirect rule, numbered and
/// ordered as the [module docs](self) say.
///
/// # Examples
/// ```
/// use tenant_switch::rules::{all_rule_ids, rules_for_tenant};
/// use tenant_switch::tenant_id::TenantId;
/// let tenant = TenantId::parse("6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b").unwrap();
/// let ids: Vec<u32> = rules_for_tenant(&tenant).iter().map(|rule| rule.id).collect();
/// assert_eq!(ids, all_rule_ids());
/// ```
pub fn rules_for_tenant(tenant: &TenantId) -> Vec<Rule> {
    let mut rules = vec![Rule {
        id: ALLOW_RULE_ID,
        priority: ALLOW_PRIORITY,
        action: RuleAction {
            kind: RuleActionType::Allow,
            redirect: None,
        },
        condition: RuleCondition {
            regex_filter: Some(EXPLICIT_TENANT_REGEX.to_owned()),
            is_url_filter_case_sensitive: Some(false),
            request_domains: Some(PORTAL_HOSTS.iter().map(|&host| host.to_owned()).collect()),
            resource_types: Some(vec![ResourceType::MainFrame]),
            ..RuleCondition::default()
        },
    }];
    let redirect = RuleAction {
        kind: RuleActionType::Redirect,
        redirect: Some(Redirect {
            transform: Some(UrlTransform {
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
    };
    let targets = PORTAL_HOSTS
        .iter()
        .flat_map(|host| SCHEMES.iter().map(move |scheme| (scheme, host)));
    for (id, (scheme, host)) in (ALLOW_RULE_ID + 1..).zip(targets) {
        rules.push(Rule {
            id,
            priority: REDIRECT_PRIORITY,
            action: redirect.clone(),
            condition: RuleCondition {
                url_filter: Some(format!("|{scheme}://{host}/")),
                is_url_filter_case_sensitive: Some(false),
                resource_types: Some(vec![ResourceType::MainFrame]),
                ..RuleCondition::default()
            },
        });
    }
    rules
}

/// Every rule ID [`build_rules`] can ever return, ascending: what the shell removes before
/// adding the new rules, should it not remove all its dynamic rules anyway.
pub fn all_rule_ids() -> Vec<u32> {
    let count = 1 + PORTAL_HOSTS.len() * SCHEMES.len();
    (ALLOW_RULE_ID..).take(count).collect()
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

    /// Stored settings with two tenants, Contoso active unless `active` says otherwise.
    fn settings(active: serde_json::Value, automatic_rewrite: bool) -> Settings {
        let stored = json!({
            "schemaVersion": 1,
            "tenants": [
                { "name": "Contoso", "id": CONTOSO, "domain": "contoso.onmicrosoft.com" },
                { "name": "Fabrikam", "id": FABRIKAM }
            ],
            "activeTenant": active,
            "automaticRewrite": automatic_rewrite,
            "recentTenants": []
        });
        Settings::load(Some(&stored)).unwrap()
    }

    fn rules_json(settings: &Settings) -> serde_json::Value {
        serde_json::to_value(build_rules(settings)).unwrap()
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn active_tenant_rules_as_json() {
        assert_eq!(
            rules_json(&settings(json!(CONTOSO), true)),
            fixture(include_str!("../tests/fixtures/rules/active-tenant.json"))
        );
        let contoso = TenantId::parse(CONTOSO).unwrap();
        assert_eq!(
            build_rules(&settings(json!(CONTOSO), true)),
            rules_for_tenant(&contoso)
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn no_active_tenant_means_no_rules() {
        let expected = fixture(include_str!(
            "../tests/fixtures/rules/no-active-tenant.json"
        ));
        assert_eq!(rules_json(&settings(json!(null), true)), expected);
        assert_eq!(rules_json(&Settings::default()), expected);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn rewrite_off_means_no_rules() {
        assert_eq!(
            rules_json(&settings(json!(CONTOSO), false)),
            fixture(include_str!("../tests/fixtures/rules/rewrite-off.json"))
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn only_the_tenant_value_depends_on_the_active_tenant() {
        let fabrikam = rules_json(&settings(json!(FABRIKAM), true)).to_string();
        let contoso = rules_json(&settings(json!(CONTOSO), true)).to_string();
        assert_eq!(fabrikam.replace(FABRIKAM, CONTOSO), contoso);
        assert_eq!(fabrikam.matches(FABRIKAM).count(), 6);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn rules_round_trip_and_ids_are_stable() {
        let tenant = TenantId::parse("0b8f4e2a-1d3c-4f5e-8a7b-9c0d1e2f3a4b").unwrap();
        let rules = rules_for_tenant(&tenant);
        let json = serde_json::to_string(&rules).unwrap();
        let back: Vec<Rule> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, rules);
        assert_eq!(all_rule_ids(), vec![1, 2, 3, 4, 5, 6, 7]);
        let ids: Vec<u32> = rules.iter().map(|rule| rule.id).collect();
        assert_eq!(ids, all_rule_ids());
    }
}

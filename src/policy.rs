//! Enterprise policy: the tenant list and switches an administrator pushes through
//! `chrome.storage.managed`, and how they combine with the user's own settings.
//!
//! The policy object (`extension/managed_schema.json`, see README "Enterprise deployment"):
//!
//! ```json
//! {
//!   "tenants": [{ "name": "Contoso", "id": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", "domain": "contoso.com" }],
//!   "forceAutomaticRewrite": true,
//!   "disableSync": true
//! }
//! ```
//!
//! Every key is optional. Policy tenants are never written into the user's storage; instead
//! [`effective`] merges them with the user's [`Settings`] each time the settings are read:
//!
//! - a policy tenant shadows a user tenant with the same ID (the policy's name and domain win);
//! - a user tenant whose name clashes with a policy tenant stays usable: it is shown with its ID
//!   appended to its name and the clash is reported in [`Effective::name_clashes`], because
//!   refusing it would break a list the user cannot fix from a policy they do not control;
//! - `forceAutomaticRewrite` makes automatic rewrite on whatever the user chose;
//! - the user's choice of a policy tenant that is not one of their own is kept outside the
//!   settings (the background stores it as `managedActiveTenant`); when policy no longer lists
//!   it the effective active tenant is "No tenant" and [`Effective::default_tenant_removed`]
//!   names it, so the pages can tell the user.
//!
//! A policy is read leniently, entry by entry ([`parse`]): a bad entry is skipped and reported,
//! never allowed to break the user's own list, because the administrator, not the user, has to
//! fix it, and the user must keep working meanwhile.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};

use crate::error::UiError;
use crate::import::name_key;
use crate::settings::{Operation, Settings, SettingsError, MAX_RECENT_TENANTS};
use crate::tenant::{Tenant, TenantError, TenantInput, MAX_NAME_LENGTH};
use crate::tenant_id::TenantId;

/// The policy keys this version understands.
const KNOWN_KEYS: [&str; 3] = ["tenants", "forceAutomaticRewrite", "disableSync"];

/// A validated policy. The default is "no policy": no tenants, nothing forced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    tenants: Vec<Tenant>,
    force_automatic_rewrite: bool,
    disable_sync: bool,
}

impl Policy {
    /// The policy's tenants in the administrator's order, each ID and name once.
    pub fn tenants(&self) -> &[Tenant] {
        &self.tenants
    }
    /// Whether automatic rewrite is on whatever the user chose.
    pub fn force_automatic_rewrite(&self) -> bool {
        self.force_automatic_rewrite
    }
    /// Whether the administrator has disabled sync of the tenant list.
    pub fn disable_sync(&self) -> bool {
        self.disable_sync
    }
    /// The policy tenant with this ID.
    pub fn tenant(&self, id: TenantId) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.id() == id)
    }
}

impl Serialize for Policy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        json!({
            "tenants": self.tenants.iter().map(tenant_value).collect::<Vec<_>>(),
            "forceAutomaticRewrite": self.force_automatic_rewrite,
            "disableSync": self.disable_sync,
        })
        .serialize(serializer)
    }
}

/// A policy as read, with every problem found in it. Serialises as `{policy, problems}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicyReport {
    /// What is in force: the valid parts of the policy.
    pub policy: Policy,
    /// Each ignored part and why, in the order found.
    pub problems: Vec<PolicyError>,
}

/// Reads the managed storage object. `None`, `null` and `{}` (no policy set) give the default
/// policy; anything unusable is skipped and reported, entry by entry.
///
/// # Examples
/// ```
/// use serde_json::json;
/// use tenant_switch::policy::{parse, PolicyError};
///
/// let report = parse(Some(&json!({
///     "tenants": [
///         {"name": "Contoso", "id": "6F1C2B6A0C6E4B8E9E0A2C1D3E4F5A6B"},
///         {"name": "Fabrikam", "id": "not an id"}
///     ],
///     "forceAutomaticRewrite": true
/// })));
/// assert_eq!(report.policy.tenants().len(), 1);
/// assert!(report.policy.force_automatic_rewrite());
/// assert!(matches!(report.problems[..], [PolicyError::InvalidTenant { index: 1, .. }]));
/// ```
pub fn parse(managed: Option<&Value>) -> PolicyReport {
    let mut report = PolicyReport::default();
    let object = match managed {
        None | Some(Value::Null) => return report,
        Some(Value::Object(object)) => object,
        Some(_) => {
            report.problems.push(PolicyError::WrongShape {
                path: String::new(),
                expected: "object".into(),
            });
            return report;
        }
    };
    for key in object.keys() {
        if !KNOWN_KEYS.contains(&key.as_str()) {
            report
                .problems
                .push(PolicyError::UnknownField { path: key.clone() });
        }
    }
    report.policy.force_automatic_rewrite = flag(object, "forceAutomaticRewrite", &mut report);
    report.policy.disable_sync = flag(object, "disableSync", &mut report);
    match object.get("tenants") {
        None | Some(Value::Null) => {}
        Some(Value::Array(entries)) => {
            report.policy.tenants = policy_tenants(entries, &mut report.problems);
        }
        Some(_) => report.problems.push(PolicyError::WrongShape {
            path: "tenants".into(),
            expected: "array".into(),
        }),
    }
    report
}

fn flag(object: &Map<String, Value>, key: &str, report: &mut PolicyReport) -> bool {
    match object.get(key) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(value)) => *value,
        Some(_) => {
            report.problems.push(PolicyError::WrongShape {
                path: key.into(),
                expected: "boolean".into(),
            });
            false
        }
    }
}

fn policy_tenants(entries: &[Value], problems: &mut Vec<PolicyError>) -> Vec<Tenant> {
    let mut tenants: Vec<Tenant> = Vec::with_capacity(entries.len());
    let mut ids: HashMap<TenantId, usize> = HashMap::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let input: TenantInput = match serde_json::from_value(entry.clone()) {
            Ok(input) => input,
            Err(error) => {
                problems.push(PolicyError::WrongShape {
                    path: format!("tenants[{index}]"),
                    expected: format!(
                        "{{name, id, domain?, initialDomain?, tags?, aliases?}}: {error}"
                    ),
                });
                continue;
            }
        };
        let mut tenant = match input.validate() {
            Ok(tenant) => tenant,
            Err(error) => {
                problems.push(PolicyError::InvalidTenant { index, error });
                continue;
            }
        };
        // The first entry wins, as in an import: the administrator sees the later one reported.
        if let Some(first) = ids.get(&tenant.id()) {
            problems.push(PolicyError::DuplicateTenantId {
                index,
                id: tenant.id(),
                first_index: *first,
            });
            continue;
        }
        if let Some(first) = names.get(&name_key(tenant.name())) {
            problems.push(PolicyError::DuplicateTenantName {
                index,
                tenant_name: tenant.name().to_owned(),
                first_index: *first,
            });
            continue;
        }
        // An alias another policy tenant already uses is left out; the tenant stays.
        let clashing: Vec<String> = tenant
            .aliases()
            .iter()
            .filter(|alias| names.contains_key(&name_key(alias)))
            .cloned()
            .collect();
        for alias in &clashing {
            problems.push(PolicyError::DuplicateAlias {
                index,
                alias: alias.clone(),
                first_index: names[&name_key(alias)],
            });
        }
        if !clashing.is_empty() {
            tenant = tenant.keeping_aliases(|alias| !clashing.iter().any(|c| c == alias));
        }
        ids.insert(tenant.id(), index);
        for spelling in crate::settings::spellings(&tenant) {
            names.insert(name_key(spelling), index);
        }
        tenants.push(tenant);
    }
    tenants
}

/// A user tenant whose name is also a policy tenant's name (with another ID).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NameClash {
    /// The user tenant's name as stored.
    pub name: String,
    /// The user tenant's ID.
    pub user_id: TenantId,
    /// The policy tenant with the same name.
    pub managed_id: TenantId,
    /// The name the user tenant is shown under while the clash lasts.
    pub shown_as: String,
}

/// The settings as the extension uses them under a policy: what the rules, the picker and the
/// badge are built from, and what the pages need to explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    /// Policy tenants first (administrator's order), then the user's tenants that no policy
    /// tenant shadows; active tenant, automatic rewrite and recent tenants after the policy.
    pub settings: Settings,
    /// The IDs of the policy tenants: shown as managed, never editable.
    pub managed_tenants: Vec<TenantId>,
    /// User tenants hidden because a policy tenant has their ID.
    pub shadowed_tenants: Vec<TenantId>,
    /// User tenants whose names clash with policy tenants.
    pub name_clashes: Vec<NameClash>,
    /// The chosen policy tenant that policy no longer lists: "No tenant" is active instead.
    pub default_tenant_removed: Option<TenantId>,
    /// Whether policy forces automatic rewrite on.
    pub automatic_rewrite_forced: bool,
    /// Whether policy disables sync.
    pub sync_disabled: bool,
}

impl Serialize for Effective {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        json!({
            "settings": self.settings.to_stored(),
            "managedTenants": self.managed_tenants,
            "shadowedTenants": self.shadowed_tenants,
            "nameClashes": self.name_clashes,
            "defaultTenantRemoved": self.default_tenant_removed,
            "automaticRewriteForced": self.automatic_rewrite_forced,
            "syncDisabled": self.sync_disabled,
        })
        .serialize(serializer)
    }
}

/// Merges the policy into the user's settings. `managed_active` is the user's choice of a policy
/// tenant that is not one of their own (see [`apply`]); it wins over the settings' active tenant.
///
/// # Examples
/// ```
/// use serde_json::json;
/// use tenant_switch::policy::{effective, parse};
/// use tenant_switch::settings::Settings;
/// use tenant_switch::tenant_id::TenantId;
///
/// let policy = parse(Some(&json!({"tenants": [
///     {"name": "Contoso", "id": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"}
/// ]}))).policy;
/// let gone = TenantId::parse("11111111-2222-3333-4444-555555555555").unwrap();
/// let view = effective(&Settings::default(), &policy, Some(gone));
/// assert_eq!(view.settings.default_tenant(), None);
/// assert_eq!(view.default_tenant_removed, Some(gone));
/// ```
pub fn effective(
    settings: &Settings,
    policy: &Policy,
    managed_active: Option<TenantId>,
) -> Effective {
    let managed: HashSet<TenantId> = policy.tenants.iter().map(Tenant::id).collect();
    let mut names: HashMap<String, TenantId> = policy
        .tenants
        .iter()
        .flat_map(|t| crate::settings::spellings(t).map(move |s| (name_key(s), t.id())))
        .collect();
    let mut tenants: Vec<Tenant> = policy.tenants.clone();
    let mut shadowed_tenants = Vec::new();
    let mut name_clashes = Vec::new();
    let mut dropped: HashSet<TenantId> = HashSet::new();
    for tenant in settings.tenants() {
        if managed.contains(&tenant.id()) {
            shadowed_tenants.push(tenant.id());
            continue;
        }
        let shown = match names.get(&name_key(tenant.name())) {
            None => tenant.clone(),
            Some(managed_id) => {
                let managed_id = *managed_id;
                match renamed(tenant, &names) {
                    Some(shown) => {
                        name_clashes.push(NameClash {
                            name: tenant.name().to_owned(),
                            user_id: tenant.id(),
                            managed_id,
                            shown_as: shown.name().to_owned(),
                        });
                        shown
                    }
                    None => {
                        // Only a pathological list gets here (its own names end in IDs).
                        dropped.insert(tenant.id());
                        continue;
                    }
                }
            }
        };
        // An alias that is a policy tenant's name or alias is not shown (it stays stored).
        let shown = if shown.aliases().is_empty() {
            shown
        } else {
            shown.keeping_aliases(|alias| !names.contains_key(&name_key(alias)))
        };
        for spelling in crate::settings::spellings(&shown) {
            names.insert(name_key(spelling), shown.id());
        }
        tenants.push(shown);
    }

    let (active, default_tenant_removed) = match managed_active {
        Some(id) if managed.contains(&id) => (Some(id), None),
        Some(id) => (None, Some(id)),
        None => (
            settings
                .default_tenant()
                .map(Tenant::id)
                .filter(|id| !dropped.contains(id)),
            None,
        ),
    };
    let mut recent: Vec<TenantId> = active
        .filter(|_| managed_active.is_some())
        .into_iter()
        .collect();
    for id in settings.recent_tenants() {
        if !recent.contains(id) && !dropped.contains(id) {
            recent.push(*id);
        }
    }
    recent.truncate(MAX_RECENT_TENANTS);

    let automatic_rewrite = settings.automatic_rewrite() || policy.force_automatic_rewrite;
    // Every part was made unique above, so this validation cannot fail; if it ever did, the
    // user's own settings are still a safe, valid answer. The tenants are valid already, so only
    // their relations are checked (re-reading 10,000 tenants from JSON doubled this call's cost).
    let merged = Settings::from_parts(tenants, active, automatic_rewrite, recent)
        .map(|merged| merged.with_marks_of(settings))
        .unwrap_or_else(|_| settings.clone());
    Effective {
        settings: merged,
        managed_tenants: policy.tenants.iter().map(Tenant::id).collect(),
        shadowed_tenants,
        name_clashes,
        default_tenant_removed,
        automatic_rewrite_forced: policy.force_automatic_rewrite,
        sync_disabled: policy.disable_sync,
    }
}

/// The user tenant under a name that no longer clashes: its name, then its ID's first block,
/// then its whole ID, cut to fit [`MAX_NAME_LENGTH`].
fn renamed(tenant: &Tenant, taken: &HashMap<String, TenantId>) -> Option<Tenant> {
    let id = tenant.id().to_string();
    let short = id.split('-').next().unwrap_or(&id).to_owned();
    [short, id.clone()].into_iter().find_map(|suffix| {
        let suffix = format!(" ({suffix})");
        let room = MAX_NAME_LENGTH.saturating_sub(suffix.chars().count());
        let name: String = tenant.name().chars().take(room).collect();
        let candidate = format!("{}{suffix}", name.trim_end());
        tenant
            .renamed(&candidate)
            .ok()
            .filter(|t| !taken.contains_key(&name_key(t.name())))
    })
}

/// The result of [`apply`]: the user's new settings and their choice of a policy tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// What to store as `settings`.
    pub settings: Settings,
    /// What to store as `managedActiveTenant`: the chosen policy tenant that is not one of the
    /// user's own, or `None`.
    pub managed_active: Option<TenantId>,
}

impl Serialize for Applied {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        json!({
            "settings": self.settings.to_stored(),
            "managedActiveTenant": self.managed_active,
        })
        .serialize(serializer)
    }
}

/// Applies a page's operation under a policy.
///
/// - Adding, editing or deleting a tenant whose ID a policy tenant has is refused
///   ([`PolicyError::TenantManaged`]): the user would not see the result.
/// - Turning automatic rewrite off while policy forces it on is refused
///   ([`PolicyError::AutomaticRewriteForced`]).
/// - Choosing a policy tenant the user does not have makes it `managed_active` and the
///   settings' own active tenant "No tenant"; any other choice clears `managed_active`.
/// - Everything else is [`Settings::apply`], and `managed_active` is kept.
///
/// # Errors
/// The two above as [`ApplyError::Policy`]; whatever [`Settings::apply`] refuses as
/// [`ApplyError::Settings`].
pub fn apply(
    settings: &Settings,
    policy: &Policy,
    managed_active: Option<TenantId>,
    operation: Operation,
) -> Result<Applied, ApplyError> {
    let managed = |id: &str| {
        TenantId::parse(id)
            .ok()
            .filter(|id| policy.tenant(*id).is_some())
    };
    let refused = match &operation {
        Operation::AddTenant { tenant } => managed(&tenant.id),
        Operation::EditTenant { id, tenant } => managed(id).or_else(|| managed(&tenant.id)),
        Operation::DeleteTenant { id } => managed(id),
        Operation::SetAutomaticRewrite { enabled: false } if policy.force_automatic_rewrite => {
            return Err(ApplyError::Policy(PolicyError::AutomaticRewriteForced));
        }
        _ => None,
    };
    if let Some(id) = refused {
        return Err(ApplyError::Policy(PolicyError::TenantManaged { id }));
    }
    if let Operation::SetDefaultTenant { id: Some(id) } = &operation {
        if let Some(id) = managed(id).filter(|id| settings.tenant(*id).is_none()) {
            let settings = settings.apply(Operation::SetDefaultTenant { id: None })?;
            return Ok(Applied {
                settings,
                managed_active: Some(id),
            });
        }
    }
    let keep = match operation {
        Operation::SetDefaultTenant { .. } => None,
        _ => managed_active,
    };
    Ok(Applied {
        settings: settings.apply(operation)?,
        managed_active: keep,
    })
}

fn tenant_value(tenant: &Tenant) -> Value {
    let mut object = Map::new();
    object.insert("name".into(), Value::String(tenant.name().to_owned()));
    object.insert("id".into(), Value::String(tenant.id().to_string()));
    if let Some(domain) = tenant.domain() {
        object.insert("domain".into(), Value::String(domain.to_owned()));
    }
    Value::Object(object)
}

/// A problem in the policy, or an operation the policy forbids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum PolicyError {
    /// The value at `path` (empty for the whole policy) is not of the expected type.
    #[serde(rename = "PolicyWrongShape", rename_all = "camelCase")]
    WrongShape { path: String, expected: String },
    /// A key this version does not know; ignored.
    #[serde(rename = "PolicyUnknownField", rename_all = "camelCase")]
    UnknownField { path: String },
    /// The policy tenant at `index` is invalid; ignored.
    #[serde(rename = "PolicyInvalidTenant", rename_all = "camelCase")]
    InvalidTenant { index: usize, error: TenantError },
    /// The policy tenant at `index` repeats the ID of the one at `firstIndex`; ignored.
    #[serde(rename = "PolicyDuplicateTenantId", rename_all = "camelCase")]
    DuplicateTenantId {
        index: usize,
        id: TenantId,
        first_index: usize,
    },
    /// The policy tenant at `index` repeats the name of the one at `firstIndex`; ignored.
    #[serde(rename = "PolicyDuplicateTenantName", rename_all = "camelCase")]
    DuplicateTenantName {
        index: usize,
        tenant_name: String,
        first_index: usize,
    },
    /// An alias of the policy tenant at `index` is a name or alias of the one at `firstIndex`;
    /// the alias is ignored.
    #[serde(rename = "PolicyDuplicateAlias", rename_all = "camelCase")]
    DuplicateAlias {
        index: usize,
        alias: String,
        first_index: usize,
    },
    /// The tenant is managed by policy: it cannot be added, edited or deleted.
    #[serde(rename = "PolicyTenantManaged", rename_all = "camelCase")]
    TenantManaged { id: TenantId },
    /// Policy forces automatic rewrite on.
    #[serde(rename = "PolicyAutomaticRewriteForced")]
    AutomaticRewriteForced,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongShape { path, expected } if path.is_empty() => {
                write!(f, "the policy is not an {expected}")
            }
            Self::WrongShape { path, expected } => {
                write!(f, "policy value {path} is not {expected}")
            }
            Self::UnknownField { path } => write!(f, "unknown policy key {path}"),
            Self::InvalidTenant { index, error } => {
                write!(f, "policy tenant {index} is invalid: {error}")
            }
            Self::DuplicateTenantId {
                index,
                id,
                first_index,
            } => write!(
                f,
                "policy tenant {index} has the ID {id} of policy tenant {first_index}"
            ),
            Self::DuplicateTenantName {
                index,
                tenant_name,
                first_index,
            } => write!(
                f,
                "policy tenant {index} has the name {tenant_name:?} of policy tenant {first_index}"
            ),
            Self::DuplicateAlias {
                index,
                alias,
                first_index,
            } => write!(
                f,
                "the alias {alias:?} of policy tenant {index} is a name or alias of policy tenant {first_index}"
            ),
            Self::TenantManaged { id } => {
                write!(f, "tenant {id} is managed by your organisation")
            }
            Self::AutomaticRewriteForced => {
                write!(f, "automatic rewrite is turned on by your organisation")
            }
        }
    }
}

impl std::error::Error for PolicyError {}
impl UiError for PolicyError {}

/// Why [`apply`] refused an operation: the policy's reason or the settings' own. Serialises as
/// the inner error, so the UI sees one stable name either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ApplyError {
    /// The policy forbids it.
    Policy(PolicyError),
    /// The settings refuse it.
    Settings(SettingsError),
}

impl From<SettingsError> for ApplyError {
    fn from(error: SettingsError) -> Self {
        Self::Settings(error)
    }
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Policy(error) => error.fmt(f),
            Self::Settings(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for ApplyError {}
impl UiError for ApplyError {}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    const CONTOSO: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";
    const FABRIKAM: &str = "0b5e3f2a-9d8c-4b7a-8e6f-5d4c3b2a1f0e";
    const NORTHWIND: &str = "11111111-2222-4333-8444-555555555555";
    const WOODGROVE: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

    fn id(text: &str) -> TenantId {
        TenantId::parse(text).unwrap()
    }

    fn policy(value: Value) -> Policy {
        let report = parse(Some(&value));
        assert_eq!(report.problems, vec![], "{value}");
        report.policy
    }

    /// The user's list: Contoso (also in policy, other name), Fabrikam (name clash with a
    /// policy tenant of another ID), Woodgrove (untouched); Fabrikam active.
    fn user_settings() -> Settings {
        Settings::load(Some(&json!({
            "schemaVersion": 2,
            "tenants": [
                {"name": "Contoso (mine)", "id": CONTOSO},
                {"name": "fabrikam", "id": FABRIKAM, "domain": "fabrikam.com"},
                {"name": "Woodgrove", "id": WOODGROVE}
            ],
            "defaultTenant": FABRIKAM,
            "automaticRewrite": false,
            "recentTenants": [FABRIKAM, CONTOSO]
        })))
        .unwrap()
    }

    fn managed_policy() -> Policy {
        policy(json!({
            "tenants": [
                {"name": "Contoso", "id": CONTOSO, "domain": "contoso.com"},
                {"name": "Fabrikam", "id": NORTHWIND}
            ],
            "forceAutomaticRewrite": true,
            "disableSync": true
        }))
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn no_policy_is_the_default() {
        for value in [None, Some(Value::Null), Some(json!({}))] {
            assert_eq!(parse(value.as_ref()), PolicyReport::default());
        }
        assert_eq!(
            serde_json::to_value(parse(None)).unwrap(),
            json!({"policy": {"tenants": [], "forceAutomaticRewrite": false, "disableSync": false},
                   "problems": []})
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn bad_entries_are_skipped_and_reported_one_by_one() {
        let report = parse(Some(&json!({
            "tenants": [
                {"name": "Contoso", "id": CONTOSO.to_uppercase()},
                {"name": "Bad", "id": "not-a-guid"},
                "Fabrikam",
                {"name": "Contoso again", "id": CONTOSO},
                {"name": "CONTOSO", "id": NORTHWIND},
                {"name": "Woodgrove", "id": WOODGROVE, "colour": "red"},
                {"name": "Woodgrove", "id": WOODGROVE, "domain": "woodgrove.com"}
            ],
            "forceAutomaticRewrite": "yes",
            "disableSync": true,
            "colour": "blue"
        })));
        assert_eq!(
            serde_json::to_value(&report).unwrap(),
            json!({
                "policy": {
                    "tenants": [
                        {"name": "Contoso", "id": CONTOSO},
                        {"name": "Woodgrove", "id": WOODGROVE, "domain": "woodgrove.com"}
                    ],
                    "forceAutomaticRewrite": false,
                    "disableSync": true
                },
                "problems": [
                    {"name": "PolicyUnknownField", "path": "colour"},
                    {"name": "PolicyWrongShape", "path": "forceAutomaticRewrite", "expected": "boolean"},
                    {"name": "PolicyInvalidTenant", "index": 1,
                     "error": serde_json::to_value(Tenant::new("Bad", "not-a-guid", None).unwrap_err()).unwrap()},
                    {"name": "PolicyWrongShape", "path": "tenants[2]",
                     "expected": "{name, id, domain?, initialDomain?, tags?, aliases?}: invalid type: string \"Fabrikam\", expected struct TenantInput"},
                    {"name": "PolicyDuplicateTenantId", "index": 3, "id": CONTOSO, "firstIndex": 0},
                    {"name": "PolicyDuplicateTenantName", "index": 4, "tenantName": "CONTOSO", "firstIndex": 0},
                    {"name": "PolicyWrongShape", "path": "tenants[5]",
                     "expected": "{name, id, domain?, initialDomain?, tags?, aliases?}: unknown field `colour`, expected one of `name`, `id`, `domain`, `initialDomain`, `tags`, `aliases`"}
                ]
            })
        );
        assert_eq!(
            parse(Some(&json!([]))).problems,
            vec![PolicyError::WrongShape {
                path: String::new(),
                expected: "object".into()
            }]
        );
        assert_eq!(
            parse(Some(&json!({"tenants": {}}))).problems,
            vec![PolicyError::WrongShape {
                path: "tenants".into(),
                expected: "array".into()
            }]
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn policy_shadows_by_id_renames_clashing_names_and_forces_rewrite() {
        let view = effective(&user_settings(), &managed_policy(), None);
        assert_eq!(
            serde_json::to_value(&view).unwrap(),
            json!({
                "settings": {
                    "schemaVersion": 5,
                    "favourites": [],
                    "tenantColours": {},
                    "tenantLabels": {},
                    "pageOptions": {"titlePrefix": true, "colourLine": true, "banner": false}, "hiddenPortals": [], "portalRewrite": [],
                    "tenants": [
                        {"name": "Contoso", "id": CONTOSO, "domain": "contoso.com"},
                        {"name": "Fabrikam", "id": NORTHWIND},
                        {"name": "fabrikam (0b5e3f2a)", "id": FABRIKAM, "domain": "fabrikam.com"},
                        {"name": "Woodgrove", "id": WOODGROVE}
                    ],
                    "defaultTenant": FABRIKAM,
                    "automaticRewrite": true,
                    "recentTenants": [FABRIKAM, CONTOSO]
                },
                "managedTenants": [CONTOSO, NORTHWIND],
                "shadowedTenants": [CONTOSO],
                "nameClashes": [{"name": "fabrikam", "userId": FABRIKAM, "managedId": NORTHWIND,
                                 "shownAs": "fabrikam (0b5e3f2a)"}],
                "defaultTenantRemoved": null,
                "automaticRewriteForced": true,
                "syncDisabled": true
            })
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn without_policy_the_view_is_the_users_settings() {
        let settings = user_settings();
        let view = effective(&settings, &Policy::default(), None);
        assert_eq!(view.settings, settings);
        assert_eq!(view.managed_tenants, vec![]);
        assert!(!view.automatic_rewrite_forced && !view.sync_disabled);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn a_chosen_policy_tenant_is_active_until_policy_drops_it() {
        let settings = Settings::load(None).unwrap();
        let listed = managed_policy();
        let view = effective(&settings, &listed, Some(id(NORTHWIND)));
        assert_eq!(
            view.settings.default_tenant().map(Tenant::name),
            Some("Fabrikam")
        );
        assert_eq!(view.settings.recent_tenants(), &[id(NORTHWIND)]);
        assert_eq!(view.default_tenant_removed, None);
        assert_eq!(view.settings.default_tenant_id(), Some(id(NORTHWIND)));

        let dropped = policy(json!({"tenants": [{"name": "Contoso", "id": CONTOSO}]}));
        let view = effective(&settings, &dropped, Some(id(NORTHWIND)));
        assert_eq!(view.settings.default_tenant(), None);
        assert_eq!(view.settings.recent_tenants(), &[] as &[TenantId]);
        assert_eq!(view.default_tenant_removed, Some(id(NORTHWIND)));
        assert_eq!(view.settings.default_tenant_id(), None);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn a_shadowed_user_tenant_returns_when_policy_drops_it() {
        let settings = user_settings()
            .apply(Operation::SetDefaultTenant {
                id: Some(CONTOSO.into()),
            })
            .unwrap();
        let view = effective(&settings, &managed_policy(), None);
        assert_eq!(
            view.settings.default_tenant().map(Tenant::name),
            Some("Contoso")
        );
        let view = effective(&settings, &Policy::default(), None);
        assert_eq!(
            view.settings.default_tenant().map(Tenant::name),
            Some("Contoso (mine)")
        );
        assert_eq!(view.default_tenant_removed, None);
    }

    fn op(value: Value) -> Operation {
        Operation::from_value(&value).unwrap()
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn managed_tenants_cannot_be_added_edited_or_deleted() {
        let settings = user_settings();
        let policy = managed_policy();
        let managed = |id: &str| {
            Err(ApplyError::Policy(PolicyError::TenantManaged {
                id: self::id(id),
            }))
        };
        let cases = [
            (
                json!({"op": "addTenant", "tenant": {"name": "X", "id": NORTHWIND.to_uppercase()}}),
                NORTHWIND,
            ),
            (
                json!({"op": "editTenant", "id": CONTOSO, "tenant": {"name": "X", "id": CONTOSO}}),
                CONTOSO,
            ),
            (
                json!({"op": "editTenant", "id": WOODGROVE, "tenant": {"name": "X", "id": NORTHWIND}}),
                NORTHWIND,
            ),
            (json!({"op": "deleteTenant", "id": CONTOSO}), CONTOSO),
        ];
        for (operation, refused) in cases {
            assert_eq!(
                apply(&settings, &policy, None, op(operation)),
                managed(refused)
            );
        }
        assert_eq!(
            apply(
                &settings,
                &policy,
                None,
                op(json!({"op": "setAutomaticRewrite", "enabled": false}))
            ),
            Err(ApplyError::Policy(PolicyError::AutomaticRewriteForced))
        );
        assert_eq!(
            serde_json::to_value(PolicyError::TenantManaged { id: id(CONTOSO) }).unwrap(),
            json!({"name": "PolicyTenantManaged", "id": CONTOSO})
        );
        // The settings' own refusals come through unchanged.
        assert_eq!(
            apply(
                &settings,
                &policy,
                None,
                op(json!({"op": "deleteTenant", "id": NORTHWIND.replace('1', "9")}))
            )
            .map(|_| ()),
            Err(ApplyError::Settings(
                settings
                    .apply(op(
                        json!({"op": "deleteTenant", "id": NORTHWIND.replace('1', "9")})
                    ))
                    .unwrap_err()
            ))
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn choosing_a_policy_tenant_is_kept_outside_the_settings() {
        let settings = user_settings();
        let policy = managed_policy();
        let chosen = apply(
            &settings,
            &policy,
            None,
            op(json!({"op": "setDefaultTenant", "id": NORTHWIND})),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&chosen).unwrap(),
            json!({
                "settings": {
                    "schemaVersion": 5,
                    "favourites": [],
                    "tenantColours": {},
                    "tenantLabels": {},
                    "pageOptions": {"titlePrefix": true, "colourLine": true, "banner": false}, "hiddenPortals": [], "portalRewrite": [],
                    "tenants": [
                        {"name": "Contoso (mine)", "id": CONTOSO},
                        {"name": "fabrikam", "id": FABRIKAM, "domain": "fabrikam.com"},
                        {"name": "Woodgrove", "id": WOODGROVE}
                    ],
                    "defaultTenant": null,
                    "automaticRewrite": false,
                    "recentTenants": [FABRIKAM, CONTOSO]
                },
                "managedActiveTenant": NORTHWIND
            })
        );
        // Other operations keep the choice.
        let kept = apply(
            &chosen.settings,
            &policy,
            chosen.managed_active,
            op(json!({"op": "deleteTenant", "id": WOODGROVE})),
        )
        .unwrap();
        assert_eq!(kept.managed_active, Some(id(NORTHWIND)));
        // A policy tenant the user also has (shadowed) is chosen in the settings themselves.
        let own = apply(
            &kept.settings,
            &policy,
            kept.managed_active,
            op(json!({"op": "setDefaultTenant", "id": CONTOSO})),
        )
        .unwrap();
        assert_eq!(own.managed_active, None);
        assert_eq!(
            own.settings.default_tenant().map(Tenant::id),
            Some(id(CONTOSO))
        );
        // "No tenant" clears the choice too.
        let none = apply(
            &chosen.settings,
            &policy,
            chosen.managed_active,
            op(json!({"op": "setDefaultTenant", "id": null})),
        )
        .unwrap();
        assert_eq!(
            (none.managed_active, none.settings.default_tenant()),
            (None, None)
        );
    }
}

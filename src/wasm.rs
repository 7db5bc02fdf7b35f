//! The whole `#[wasm_bindgen]` surface of the core: type conversion only, no decisions.
//!
//! Values cross as plain JS objects in the JSON shapes that ARCHITECTURE.md documents (settings
//! schema 1, operations, rules), converted through JSON text. Every core error becomes a JS
//! `Error` whose `name` is the error's stable variant name and which carries its details as own
//! properties (see [`crate::error`]).

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::UiError;
use crate::export;
use crate::import;
use crate::portal;
use crate::rules;
use crate::search::{self, TenantPicker as CorePicker};
use crate::settings::{Operation, Settings};
use crate::tenant::{Tenant, TenantInput};
use crate::tenant_id::TenantId;

/// Errors of the binding layer itself: a JS caller passed something of the wrong shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum BindingError {
    /// An argument could not be converted from JS.
    #[serde(rename = "InvalidArgument", rename_all = "camelCase")]
    InvalidArgument { argument: String, reason: String },
}

impl std::fmt::Display for BindingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidArgument { argument, reason } => {
                write!(f, "invalid argument {argument}: {reason}")
            }
        }
    }
}

impl std::error::Error for BindingError {}
impl UiError for BindingError {}

/// A JS `Error` named by the error's stable variant, with its details as properties.
pub(crate) fn js_error<E: UiError>(error: &E) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    if let Ok(details) = to_js(error) {
        if let Some(object) = details.dyn_ref::<js_sys::Object>() {
            js_sys::Object::assign(&js, object);
        }
    }
    js.into()
}

// Values cross as JSON text: one `JSON.stringify`/`JSON.parse` in the engine and one serde_json
// pass here is several times faster for 10,000 tenants than converting object by object, and
// keeps the shapes exactly the JSON ones that ARCHITECTURE.md documents.

pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| {
        js_error(&BindingError::InvalidArgument {
            argument: "result".into(),
            reason: e.to_string(),
        })
    })?;
    js_sys::JSON::parse(&text)
}

fn from_js<T: DeserializeOwned>(argument: &str, value: JsValue) -> Result<T, JsValue> {
    let invalid = |reason: String| {
        js_error(&BindingError::InvalidArgument {
            argument: argument.into(),
            reason,
        })
    };
    // `JSON.stringify(undefined)` is `undefined`, not text: read it as JSON `null`.
    let text = js_sys::JSON::stringify(&value)
        .map_err(|e| invalid(format!("{e:?}")))?
        .as_string()
        .unwrap_or_else(|| "null".to_owned());
    serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))
}

fn parse_id(input: &str) -> Result<TenantId, JsValue> {
    TenantId::parse(input).map_err(|e| js_error(&e))
}

fn optional_id(input: Option<String>) -> Result<Option<TenantId>, JsValue> {
    input.as_deref().map(parse_id).transpose()
}

/// Settings from their stored JSON shape; `undefined`/`null` give the defaults.
fn settings_from_js(value: JsValue) -> Result<Settings, JsValue> {
    let json: serde_json::Value = if value.is_undefined() || value.is_null() {
        serde_json::Value::Null
    } else {
        from_js("settings", value)?
    };
    Settings::load(Some(&json)).map_err(|e| js_error(&e))
}

/// The version of the core, as in Cargo.toml.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The canonical form of a tenant ID typed or pasted in any accepted form.
#[wasm_bindgen(js_name = parseTenantId)]
pub fn parse_tenant_id(input: &str) -> Result<String, JsValue> {
    parse_id(input).map(|id| id.to_string())
}

/// A tenant `{name, id, domain?}` validated and in canonical form.
#[wasm_bindgen(js_name = validateTenant)]
pub fn validate_tenant(input: JsValue) -> Result<JsValue, JsValue> {
    let input: TenantInput = from_js("tenant", input)?;
    let tenant = input.validate().map_err(|e| js_error(&e))?;
    to_js(&tenant)
}

/// Whether the URL is on one of the Defender portal hosts.
#[wasm_bindgen(js_name = isPortalUrl)]
pub fn is_portal_url(url: &str) -> bool {
    portal::is_portal_url(url)
}

/// The URL with `tid=<id>` added, unless it names a tenant already.
#[wasm_bindgen(js_name = withTenant)]
pub fn with_tenant(url: &str, id: &str) -> Result<String, JsValue> {
    portal::with_tenant(url, &parse_id(id)?).map_err(|e| js_error(&e))
}

/// The URL with its tenant replaced by `id`, or removed for `null` (the home tenant).
#[wasm_bindgen(js_name = switchTenant)]
pub fn switch_tenant(url: &str, id: Option<String>) -> Result<String, JsValue> {
    let id = optional_id(id)?;
    portal::switch_tenant(url, id.as_ref()).map_err(|e| js_error(&e))
}

/// The tenant a portal URL names explicitly.
#[wasm_bindgen(js_name = tenantOf)]
pub fn tenant_of(url: &str) -> Result<String, JsValue> {
    portal::tenant_of(url)
        .map(|id| id.to_string())
        .map_err(|e| js_error(&e))
}

/// The portal's start page in a tenant, or in the home tenant for `null`.
#[wasm_bindgen(js_name = portalUrl)]
pub fn portal_url(id: Option<String>) -> Result<String, JsValue> {
    let id = optional_id(id)?;
    Ok(portal::portal_url(id.as_ref()))
}

/// Validates (and migrates) what storage held; returns settings in schema 1.
#[wasm_bindgen(js_name = loadSettings)]
pub fn load_settings(stored: JsValue) -> Result<JsValue, JsValue> {
    to_js(&settings_from_js(stored)?.to_stored())
}

/// The settings after one operation, or the reason it is refused.
#[wasm_bindgen(js_name = applyOperation)]
pub fn apply_operation(settings: JsValue, operation: JsValue) -> Result<JsValue, JsValue> {
    let settings = settings_from_js(settings)?;
    let operation: serde_json::Value = from_js("operation", operation)?;
    let operation = Operation::from_value(&operation).map_err(|e| js_error(&e))?;
    let next = settings.apply(operation).map_err(|e| js_error(&e))?;
    to_js(&next.to_stored())
}

/// The policy's tenants from the managed policy object (as `effectiveSettings` takes it);
/// `undefined`/`null` is no policy. Bad policy entries are skipped, as everywhere else.
fn policy_tenants_from_js(managed: JsValue) -> Result<Vec<Tenant>, JsValue> {
    let report = crate::policy::parse(managed_from_js(managed)?.as_ref());
    Ok(report.policy.tenants().to_vec())
}

/// What importing the file would do to these settings' tenants: `{format, counts, rows}`, each
/// row `{line|entry, status, tenant?, previous?, error?}`. Rows that clash with a tenant of the
/// managed policy `managed` (optional) are rejected. Changes nothing.
#[wasm_bindgen(js_name = previewImport)]
pub fn preview_import(
    settings: JsValue,
    bytes: &[u8],
    managed: JsValue,
) -> Result<JsValue, JsValue> {
    let managed = policy_tenants_from_js(managed)?;
    let settings = settings_from_js(settings)?;
    let preview =
        import::parse_import(bytes, settings.tenants(), &managed).map_err(|e| js_error(&e))?;
    to_js(&preview)
}

/// `{settings, preview}`: the file imported into the settings in one step, and what it did;
/// rows that clash with a tenant of the managed policy `managed` (optional) are not imported.
#[wasm_bindgen(js_name = importTenants)]
pub fn import_tenants(
    settings: JsValue,
    bytes: &[u8],
    managed: JsValue,
) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Imported {
        settings: serde_json::Value,
        preview: import::ImportPreview,
    }
    let managed = policy_tenants_from_js(managed)?;
    let (next, preview) = settings_from_js(settings)?
        .import(bytes, &managed)
        .map_err(|e| js_error(&e))?;
    to_js(&Imported {
        settings: next.to_stored(),
        preview,
    })
}

/// The settings with their tenant list replaced (a restored backup), active and recent tenants
/// fixed up.
#[wasm_bindgen(js_name = replaceTenants)]
pub fn replace_tenants(settings: JsValue, tenants: JsValue) -> Result<JsValue, JsValue> {
    let settings = settings_from_js(settings)?;
    let tenants: Vec<TenantInput> = from_js("tenants", tenants)?;
    let next = settings
        .replace_tenants(tenants)
        .map_err(|e| js_error(&e))?;
    to_js(&next.to_stored())
}

/// The settings' tenants as the versioned JSON export.
#[wasm_bindgen(js_name = exportJson)]
pub fn export_json(settings: JsValue) -> Result<String, JsValue> {
    Ok(export::export_json(settings_from_js(settings)?.tenants()))
}

/// The settings' tenants as CSV, formula cells guarded.
#[wasm_bindgen(js_name = exportCsv)]
pub fn export_csv(settings: JsValue) -> Result<String, JsValue> {
    export::export_csv(settings_from_js(settings)?.tenants()).map_err(|e| js_error(&e))
}

/// The complete list of declarativeNetRequest dynamic rules for these settings.
#[wasm_bindgen(js_name = buildRules)]
pub fn build_rules(settings: JsValue) -> Result<JsValue, JsValue> {
    to_js(&rules::build_rules(&settings_from_js(settings)?))
}

/// The toolbar badge for a tab showing `url` (or no URL known), or `null` for no badge.
#[wasm_bindgen(js_name = tabBadge)]
pub fn tab_badge(settings: JsValue, url: Option<String>) -> Result<JsValue, JsValue> {
    let settings = settings_from_js(settings)?;
    to_js(&search::tab_badge(&settings, url.as_deref()))
}

/// What `effectiveSettings` returns.
#[derive(Serialize)]
struct PolicyView {
    #[serde(flatten)]
    effective: crate::policy::Effective,
    problems: Vec<crate::policy::PolicyError>,
}

fn policy_view(
    settings: &Settings,
    managed: JsValue,
    managed_active_tenant: Option<String>,
) -> Result<PolicyView, JsValue> {
    let report = crate::policy::parse(managed_from_js(managed)?.as_ref());
    let chosen = managed_active_tenant
        .as_deref()
        .and_then(|id| TenantId::parse(id).ok());
    Ok(PolicyView {
        effective: crate::policy::effective(settings, &report.policy, chosen),
        problems: report.problems,
    })
}

/// Settings validated once and kept in wasm memory, for work the background repeats on every tab
/// event: validating 10,000 tenants again for each badge would take tens of milliseconds, and so
/// would validating them again for the rules and the policy view after every change.
#[wasm_bindgen]
pub struct LoadedSettings {
    inner: Loaded,
}

enum Loaded {
    Plain(Settings),
    UnderPolicy(Box<PolicyView>),
}

impl LoadedSettings {
    fn settings(&self) -> &Settings {
        match &self.inner {
            Loaded::Plain(settings) => settings,
            Loaded::UnderPolicy(view) => &view.effective.settings,
        }
    }
}

#[wasm_bindgen]
impl LoadedSettings {
    /// Validates (and migrates) the settings once; throws `Settings*` as `loadSettings` does.
    #[wasm_bindgen(constructor)]
    pub fn new(settings: JsValue) -> Result<LoadedSettings, JsValue> {
        Ok(Self {
            inner: Loaded::Plain(settings_from_js(settings)?),
        })
    }

    /// The user's settings validated once and merged with the managed policy, as
    /// `effectiveSettings` merges them; badge and rules are then those of the effective
    /// settings. Throws `Settings*` as `loadSettings` does.
    #[wasm_bindgen(js_name = underPolicy)]
    pub fn under_policy(
        settings: JsValue,
        managed: JsValue,
        managed_active_tenant: Option<String>,
    ) -> Result<LoadedSettings, JsValue> {
        let settings = settings_from_js(settings)?;
        let view = policy_view(&settings, managed, managed_active_tenant)?;
        Ok(Self {
            inner: Loaded::UnderPolicy(Box::new(view)),
        })
    }

    /// What `effectiveSettings` returns for these settings, or `null` when they were loaded
    /// with `new` (no policy merged).
    #[wasm_bindgen(js_name = policyView)]
    pub fn policy_view(&self) -> Result<JsValue, JsValue> {
        match &self.inner {
            Loaded::Plain(_) => Ok(JsValue::NULL),
            Loaded::UnderPolicy(view) => to_js(view),
        }
    }

    /// As the function `buildRules`, for these settings.
    #[wasm_bindgen(js_name = buildRules)]
    pub fn build_rules(&self) -> Result<JsValue, JsValue> {
        to_js(&rules::build_rules(self.settings()))
    }

    /// As the function `tabBadge`, for these settings.
    #[wasm_bindgen(js_name = tabBadge)]
    pub fn tab_badge(&self, url: Option<String>) -> Result<JsValue, JsValue> {
        to_js(&search::tab_badge(self.settings(), url.as_deref()))
    }
}

/// The popup's tenant picker: built once per popup, queried on every keystroke.
#[wasm_bindgen]
pub struct TenantPicker {
    inner: CorePicker,
}

#[wasm_bindgen]
impl TenantPicker {
    /// A picker over the settings' tenants; `no_tenant_label` is the localised "No tenant".
    #[wasm_bindgen(constructor)]
    pub fn new(settings: JsValue, no_tenant_label: &str) -> Result<TenantPicker, JsValue> {
        let settings = settings_from_js(settings)?;
        Ok(Self {
            inner: CorePicker::new(&settings, no_tenant_label),
        })
    }

    /// `{items: [{id}], total}`: the best `limit` items for `query`; `id` null is "No tenant".
    pub fn search(&self, query: &str, limit: usize) -> Result<JsValue, JsValue> {
        to_js(&self.inner.search(query, limit))
    }
}

/// What `chrome.storage.managed` held, as a `serde_json::Value`; `undefined`/`null` is none.
fn managed_from_js(value: JsValue) -> Result<Option<serde_json::Value>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    from_js("managed", value).map(Some)
}

/// `{policy: {tenants, forceAutomaticRewrite, disableSync}, problems: [{name, ...}]}`: the
/// managed policy as read, each ignored part reported.
#[wasm_bindgen(js_name = parsePolicy)]
pub fn parse_policy(managed: JsValue) -> Result<JsValue, JsValue> {
    let managed = managed_from_js(managed)?;
    to_js(&crate::policy::parse(managed.as_ref()))
}

/// The settings in force under the managed policy: `{settings, managedTenants, shadowedTenants,
/// nameClashes, activeTenantRemoved, automaticRewriteForced, syncDisabled, problems}`, where
/// `settings` (schema 1) is what rules, picker and badge are built from.
#[wasm_bindgen(js_name = effectiveSettings)]
pub fn effective_settings(
    settings: JsValue,
    managed: JsValue,
    managed_active_tenant: Option<String>,
) -> Result<JsValue, JsValue> {
    let settings = settings_from_js(settings)?;
    to_js(&policy_view(&settings, managed, managed_active_tenant)?)
}

/// `{settings, managedActiveTenant}` after a page's operation under the managed policy; throws
/// `PolicyTenantManaged`, `PolicyAutomaticRewriteForced` or the operation's settings error.
#[wasm_bindgen(js_name = applyPolicyOperation)]
pub fn apply_policy_operation(
    settings: JsValue,
    managed: JsValue,
    managed_active_tenant: Option<String>,
    operation: JsValue,
) -> Result<JsValue, JsValue> {
    let settings = settings_from_js(settings)?;
    let report = crate::policy::parse(managed_from_js(managed)?.as_ref());
    let chosen = managed_active_tenant
        .as_deref()
        .and_then(|id| TenantId::parse(id).ok());
    let operation: serde_json::Value = from_js("operation", operation)?;
    let operation = Operation::from_value(&operation).map_err(|e| js_error(&e))?;
    let applied = crate::policy::apply(&settings, &report.policy, chosen, operation)
        .map_err(|e| js_error(&e))?;
    to_js(&applied)
}

// --- sync (src/sync.rs) ---------------------------------------------------------------------

/// The local sync model (`syncState` in storage.local); `undefined`/`null` start a new one.
fn sync_state_from_js(value: JsValue) -> Result<crate::sync::SyncState, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(crate::sync::SyncState::new());
    }
    let json: serde_json::Value = from_js("model", value)?;
    crate::sync::SyncState::load(&json).map_err(|e| js_error(&e))
}

/// Everything `storage.sync.get(null)` returned.
fn sync_items_from_js(
    value: JsValue,
) -> Result<serde_json::Map<String, serde_json::Value>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(serde_json::Map::new());
    }
    from_js("stored", value)
}

/// `Date.now()` as whole milliseconds.
fn time_from_js(now: f64) -> Result<u64, JsValue> {
    if !(0.0..=9_007_199_254_740_991.0).contains(&now) {
        return Err(js_error(&BindingError::InvalidArgument {
            argument: "now".into(),
            reason: format!("{now} is not a time in milliseconds"),
        }));
    }
    // In range and finite (checked above), so the conversion is exact after truncation.
    Ok(now.trunc() as u64)
}

/// One reading step of sync: records the local list into `model` (changes stamped `now`), merges
/// the complete generation in `stored` (what `storage.sync.get(null)` gave) and applies it to
/// `settings`. Returns `{status, generation, model, settings, settingsChanged, held, needsWrite}`:
/// `status` is `empty`, `incomplete`, `invalid` or `complete`; `held` the tenant IDs whose remote
/// change clashes here; `needsWrite` whether this browser has entries the sync area lacks.
/// Throws `SyncStateInvalid`/`SyncStateNewerFormat` for an unreadable model (pass `null` to
/// rebuild it) and `SyncNewerFormat` when the sync area is of a newer format.
#[wasm_bindgen(js_name = syncReceive)]
pub fn sync_receive(
    model: JsValue,
    stored: JsValue,
    settings: JsValue,
    now: f64,
) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Received {
        status: &'static str,
        generation: Option<u64>,
        model: serde_json::Value,
        settings: serde_json::Value,
        settings_changed: bool,
        held: Vec<String>,
        needs_write: bool,
    }
    let state = sync_state_from_js(model)?;
    let stored = sync_items_from_js(stored)?;
    let settings = settings_from_js(settings)?;
    let received = crate::sync::receive(&state, &stored, &settings, time_from_js(now)?)
        .map_err(|e| js_error(&e))?;
    let reconciled = received.reconciled;
    to_js(&Received {
        status: received.generation.status(),
        generation: received.generation.number(),
        model: reconciled.state.to_stored(),
        settings: reconciled.settings.to_stored(),
        settings_changed: reconciled.settings_changed,
        held: reconciled.held.iter().map(ToString::to_string).collect(),
        needs_write: received.needs_write,
    })
}

/// The write plan for `model` given what the sync area holds (`stored`) and its `quotas`
/// `{quotaBytes, quotaBytesPerItem, maxItems}`: `{generation, unchanged, removeFirst, chunks,
/// manifest, removeAfter, bytesInUse, items}`, to be run in that order (see `WritePlan`).
/// Throws `SyncTooLarge` (`tenants`, `fit`), `SyncStorageFull` or `SyncNewerFormat`.
#[wasm_bindgen(js_name = syncPlan)]
pub fn sync_plan(stored: JsValue, model: JsValue, quotas: JsValue) -> Result<JsValue, JsValue> {
    let stored = sync_items_from_js(stored)?;
    let state = sync_state_from_js(model)?;
    let quotas: crate::sync::Quotas = from_js("quotas", quotas)?;
    let plan = crate::sync::plan_write(&stored, &state, quotas).map_err(|e| js_error(&e))?;
    to_js(&plan)
}

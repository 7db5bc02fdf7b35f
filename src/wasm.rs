//! The whole `#[wasm_bindgen]` surface of the core: type conversion only, no decisions.
//!
//! Values cross as plain JS objects in the JSON shapes that ARCHITECTURE.md documents (settings
//! schema 1, operations, rules). Every core error becomes a JS `Error` whose `name` is the error's
//! stable variant name and which carries its details as own properties (see [`crate::error`]).

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::UiError;
use crate::portal;
use crate::rules;
use crate::search::{self, TenantPicker as CorePicker};
use crate::settings::{Operation, Settings};
use crate::tenant::TenantInput;
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
fn js_error<E: UiError>(error: &E) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    if let Ok(details) = to_js(error) {
        if let Some(object) = details.dyn_ref::<js_sys::Object>() {
            js_sys::Object::assign(&js, object);
        }
    }
    js.into()
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| {
            js_error(&BindingError::InvalidArgument {
                argument: "result".into(),
                reason: e.to_string(),
            })
        })
}

fn from_js<T: DeserializeOwned>(argument: &str, value: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        js_error(&BindingError::InvalidArgument {
            argument: argument.into(),
            reason: e.to_string(),
        })
    })
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

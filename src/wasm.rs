//! The `#[wasm_bindgen]` surface of the core: type conversion only, no decisions. Only the
//! WebAssembly build compiles it (the `wasm` feature).
//!
//! The background runs the [`Engine`]: the session ([`crate::session`]) with JSON text in and
//! out (`JSON.stringify` of an event, `JSON.parse` of the effects). The link builder page uses
//! the pure functions below. Every core error becomes a JS `Error` whose `name` is the error's
//! stable variant name and which carries its details as own properties (see [`crate::error`]).

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::UiError;
use crate::portal;
use crate::session::{self, Event, Session, StartInput};
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

pub(crate) fn from_js<T: DeserializeOwned>(argument: &str, value: JsValue) -> Result<T, JsValue> {
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

pub(crate) fn parse_id(input: &str) -> Result<TenantId, JsValue> {
    TenantId::parse(input).map_err(|e| js_error(&e))
}

fn optional_id(input: Option<String>) -> Result<Option<TenantId>, JsValue> {
    input.as_deref().map(parse_id).transpose()
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

/// `text` normalised by the browser (`String.prototype.normalize`): the core's normaliser in the
/// WebAssembly build (see [`crate::unicode`]).
#[cfg(not(feature = "unicode-tables"))]
pub(crate) fn normalize(text: &str, form: crate::unicode::Form) -> String {
    js_sys::JsString::from(text).normalize(form.name()).into()
}

/// The `storage.local` keys [`Engine::start`] needs, as a JSON array.
#[wasm_bindgen(js_name = startKeys)]
pub fn start_keys() -> String {
    serde_json::to_string(session::store::START_KEYS).unwrap_or_else(|_| "[]".into())
}

/// Which `storage.onChanged` keys the session reads, by area, as key prefixes:
/// `{"local": ["settings"], "sync": ["syncGeneration", "syncChunk."]}`.
#[wasm_bindgen(js_name = watchedKeys)]
pub fn watched_keys() -> String {
    serde_json::to_string(&session::watched_keys()).unwrap_or_else(|_| "{}".into())
}

/// Every error the core can show, by name, with its detail fields in the order the `_locales`
/// placeholders number them: `{"TenantIdInvalidCharacter": ["character", "position"], ...}`.
#[wasm_bindgen(js_name = errorFields)]
pub fn error_fields() -> String {
    serde_json::to_string(&crate::error::catalogue::fields()).unwrap_or_else(|_| "{}".into())
}

/// The session, for the background service worker.
#[wasm_bindgen]
pub struct Engine {
    session: Session,
    initial: Option<String>,
}

#[wasm_bindgen]
impl Engine {
    /// Builds the session from the JSON text of what the browser holds (`StartInput`).
    pub fn start(input: &str) -> Result<Engine, JsValue> {
        let input: StartInput = serde_json::from_str(input).map_err(|e| {
            js_error(&BindingError::InvalidArgument {
                argument: "input".into(),
                reason: e.to_string(),
            })
        })?;
        let (session, steps) = Session::start(input);
        Ok(Self {
            session,
            initial: Some(steps_text(&steps)),
        })
    }

    /// The effects of the start, as JSON text; once.
    pub fn initial(&mut self) -> String {
        self.initial.take().unwrap_or_else(|| "[]".into())
    }

    /// Handles the JSON text of one event; returns its effects as JSON text.
    pub fn handle(&mut self, event: &str) -> Result<String, JsValue> {
        let event: Event = serde_json::from_str(event).map_err(|e| {
            js_error(&BindingError::InvalidArgument {
                argument: "event".into(),
                reason: e.to_string(),
            })
        })?;
        Ok(steps_text(&self.session.handle(event)))
    }
}

fn steps_text(steps: &[session::Step]) -> String {
    serde_json::to_string(steps).unwrap_or_else(|_| "[]".into())
}

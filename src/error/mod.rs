//! How core errors describe themselves across the WebAssembly boundary.
//!
//! Every error enum in the core derives [`serde::Serialize`] with `#[serde(tag = "name")]` and a
//! `rename` per variant, so that it serialises to `{"name": "<StableVariant>", ...details}` with
//! details in camelCase. Variant names are unique across the whole crate (for example
//! `TenantIdInvalidCharacter`, `TenantNameTooLong`): the UI looks up the message
//! `error_<name>` in `_locales/` and fills the placeholders from the details. `Display` is the
//! English message for logs and tests; the UI never shows it directly.

/// Marker for errors that can cross into JavaScript: a `Display` message for logs and a
/// serialised form `{"name": ..., ...details}` for the UI.
pub trait UiError: std::error::Error + serde::Serialize {}

/// The JSON type name of a value (see [`crate::json::type_name`]).
pub(crate) fn json_type(value: &serde_json::Value) -> &'static str {
    crate::json::type_name(value)
}

/// An error as pages receive it: its serialised form (`{"name": ..., ...details}`) plus
/// `message`, the English text for logs. No detail field is called `message` (the browser's or a
/// parser's own text is `reason`), so the localised message never quotes the English one.
pub fn to_value<E: UiError>(error: &E) -> serde_json::Value {
    let mut value = serde_json::to_value(error).unwrap_or_else(|_| serde_json::json!({}));
    if let serde_json::Value::Object(map) = &mut value {
        map.insert("message".into(), error.to_string().into());
    }
    value
}

pub mod catalogue;

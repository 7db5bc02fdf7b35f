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

/// The JSON type name of a value, as errors that say "expected X, found Y" report it: `null`,
/// `boolean`, `number`, `string`, `array` or `object`.
pub(crate) fn json_type(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

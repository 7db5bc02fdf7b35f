//! The one crate-internal reader of stored and received JSON: every value is looked up by a path
//! (`tenants[2].name`), and a value of the wrong type, a missing field or an unknown field is a
//! [`JsonError`] that names the path, what was expected and what was found. Each module turns it
//! into its own error enum (`SettingsWrongShape`, `PolicyWrongShape`, ...), so the user is told
//! where their data is wrong in the words of the thing they stored.

use serde_json::{Map, Value};

/// What is wrong with one value, and where. Paths are `""` for the root, `key`, `key.sub`,
/// `list[3]`; indexes are 0-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// A value of the wrong JSON type; `expected` and `found` are [`type_name`]s.
    WrongType {
        path: String,
        expected: &'static str,
        found: &'static str,
    },
    /// A required field is absent.
    Missing { path: String },
    /// A field the reader does not know.
    Unknown { path: String },
}

impl JsonError {
    /// The path of the offending value.
    pub(crate) fn path(&self) -> &str {
        match self {
            Self::WrongType { path, .. } | Self::Missing { path } | Self::Unknown { path } => path,
        }
    }
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path().is_empty() {
            "the value"
        } else {
            self.path()
        };
        match self {
            Self::WrongType {
                expected, found, ..
            } => write!(f, "{path} should be {expected}, found {found}"),
            Self::Missing { .. } => write!(f, "{path} is missing"),
            Self::Unknown { .. } => write!(f, "{path} is not a known field"),
        }
    }
}

/// The JSON type name of a value, as errors that say "expected X, found Y" report it: `null`,
/// `boolean`, `number`, `string`, `array` or `object`.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `path.key`, or `key` at the root.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// `path[index]`.
pub(crate) fn index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

fn wrong(path: &str, expected: &'static str, found: &Value) -> JsonError {
    JsonError::WrongType {
        path: path.to_owned(),
        expected,
        found: type_name(found),
    }
}

pub(crate) fn object<'a>(
    value: &'a Value,
    path: &str,
) -> Result<&'a Map<String, Value>, JsonError> {
    value
        .as_object()
        .ok_or_else(|| wrong(path, "object", value))
}

pub(crate) fn array<'a>(value: &'a Value, path: &str) -> Result<&'a [Value], JsonError> {
    value
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| wrong(path, "array", value))
}

pub(crate) fn string<'a>(value: &'a Value, path: &str) -> Result<&'a str, JsonError> {
    value.as_str().ok_or_else(|| wrong(path, "string", value))
}

pub(crate) fn boolean(value: &Value, path: &str) -> Result<bool, JsonError> {
    value.as_bool().ok_or_else(|| wrong(path, "boolean", value))
}

/// A whole number of milliseconds (or any count) that JavaScript may have written as a float:
/// an integral value from 0 to 2^53 - 1.
pub(crate) fn whole_number(value: &Value, path: &str) -> Result<u64, JsonError> {
    const MAX_SAFE: u64 = (1 << 53) - 1;
    let number = value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|v| v.fract() == 0.0 && *v >= 0.0 && *v <= MAX_SAFE as f64)
            .map(|v| v as u64)
    });
    number
        .filter(|n| *n <= MAX_SAFE)
        .ok_or_else(|| wrong(path, "number", value))
}

/// The field `key` of `object` (at `path`), which must be present.
pub(crate) fn field<'a>(
    object: &'a Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<&'a Value, JsonError> {
    object.get(key).ok_or_else(|| JsonError::Missing {
        path: join(path, key),
    })
}

/// The field `key` of `object`, or `None` when it is absent or `null`.
pub(crate) fn optional<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|value| !value.is_null())
}

/// Refuses a field that is not in `known`: stored data is read strictly, so that nothing the
/// reader does not understand is silently dropped by the next write.
pub(crate) fn deny_unknown(
    object: &Map<String, Value>,
    path: &str,
    known: &[&str],
) -> Result<(), JsonError> {
    match object.keys().find(|key| !known.contains(&key.as_str())) {
        Some(key) => Err(JsonError::Unknown {
            path: join(path, key),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn errors_name_the_path_and_the_types() {
        let value = json!({"a": [1, "x"], "b": true});
        let object = object(&value, "").unwrap();
        let list = array(field(object, "", "a").unwrap(), "a").unwrap();
        assert_eq!(
            string(&list[0], &index("a", 0)),
            Err(JsonError::WrongType {
                path: "a[0]".into(),
                expected: "string",
                found: "number"
            })
        );
        assert_eq!(
            field(object, "x", "c"),
            Err(JsonError::Missing { path: "x.c".into() })
        );
        assert_eq!(
            deny_unknown(object, "", &["a"]),
            Err(JsonError::Unknown { path: "b".into() })
        );
        assert_eq!(
            string(&list[0], "a[0]").unwrap_err().to_string(),
            "a[0] should be string, found number"
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn whole_numbers_accept_integral_floats_only() {
        assert_eq!(
            whole_number(&json!(1_700_000_000_000u64), "t"),
            Ok(1_700_000_000_000)
        );
        assert_eq!(whole_number(&json!(1.7e12), "t"), Ok(1_700_000_000_000));
        assert!(whole_number(&json!(1.5), "t").is_err());
        assert!(whole_number(&json!(-1), "t").is_err());
        assert!(whole_number(&json!(1e300), "t").is_err());
        assert!(whole_number(&json!("1"), "t").is_err());
    }
}

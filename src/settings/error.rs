//! Why stored settings cannot be read, or why an operation was refused.

use std::fmt;

use serde::Serialize;

use crate::error::UiError;
use crate::import::ImportError;
use crate::json::JsonError;
use crate::tenant::TenantError;
use crate::tenant_id::{TenantId, TenantIdError};

/// Why stored settings cannot be read, or why an operation was refused. Paths name the offending
/// value in the stored JSON, e.g. `tenants[2].name` (indexes are 0-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum SettingsError {
    /// The whole stored value is not an object (a number, a string, a torn JSON text...).
    /// `found` is its JSON type name.
    #[serde(rename = "SettingsNotAnObject", rename_all = "camelCase")]
    NotAnObject { found: String },
    /// A value of the wrong JSON type. `expected`/`found` are JSON type names
    /// (`object`, `array`, `string`, `number`, `boolean`, `null`).
    #[serde(rename = "SettingsWrongShape", rename_all = "camelCase")]
    WrongShape {
        path: String,
        expected: String,
        found: String,
    },
    /// A required field is missing.
    #[serde(rename = "SettingsMissingField", rename_all = "camelCase")]
    MissingField { path: String },
    /// A field this version does not know: refused rather than dropped on the next write.
    #[serde(rename = "SettingsUnknownField", rename_all = "camelCase")]
    UnknownField { path: String },
    /// `schemaVersion` is a number but not a positive integer; `found` is its JSON text.
    #[serde(rename = "SettingsInvalidVersion", rename_all = "camelCase")]
    InvalidVersion { found: String },
    /// Written by a newer Tenant Switch; left untouched.
    #[serde(rename = "SettingsNewerVersion", rename_all = "camelCase")]
    NewerVersion { found: u64, supported: u64 },
    /// A stored tenant is invalid; `index` is its 0-based place in `tenants`.
    #[serde(rename = "SettingsInvalidTenant", rename_all = "camelCase")]
    InvalidTenant { index: usize, error: TenantError },
    /// A stored default or recent tenant ID cannot be read.
    #[serde(rename = "SettingsInvalidReference", rename_all = "camelCase")]
    InvalidReference { path: String, error: TenantIdError },
    /// Another tenant, named `existingName`, already has this ID.
    #[serde(rename = "SettingsDuplicateTenantId", rename_all = "camelCase")]
    DuplicateTenantId { id: TenantId, existing_name: String },
    /// Another tenant has the same name, ignoring case, compatibility forms and invisible
    /// characters.
    #[serde(rename = "SettingsDuplicateTenantName", rename_all = "camelCase")]
    DuplicateTenantName {
        tenant_name: String,
        existing_name: String,
        existing_id: TenantId,
    },
    /// A name or alias (`alias`) is already the name or an alias of another tenant, ignoring
    /// case, compatibility forms and invisible characters as names do.
    #[serde(rename = "SettingsDuplicateAlias", rename_all = "camelCase")]
    DuplicateAlias {
        alias: String,
        existing_name: String,
        existing_id: TenantId,
    },
    /// No portal of the catalogue has this ID.
    #[serde(rename = "SettingsUnknownPortal", rename_all = "camelCase")]
    UnknownPortal { portal: String },
    /// The portal cannot be rewritten in the browser (its tenant is not a `?tid=` parameter).
    #[serde(rename = "SettingsPortalNotRewritable", rename_all = "camelCase")]
    PortalNotRewritable { portal: String },
    /// The stored tenant for new tabs is not one of the tenants.
    #[serde(rename = "SettingsUnknownDefaultTenant", rename_all = "camelCase")]
    UnknownDefaultTenant { id: TenantId },
    /// A stored recent tenant is not one of the tenants.
    #[serde(rename = "SettingsUnknownRecentTenant", rename_all = "camelCase")]
    UnknownRecentTenant { id: TenantId, index: usize },
    /// A tenant is listed twice among the recent tenants.
    #[serde(rename = "SettingsDuplicateRecentTenant", rename_all = "camelCase")]
    DuplicateRecentTenant { id: TenantId, index: usize },
    /// More than [`super::MAX_RECENT_TENANTS`] recent tenants are stored.
    #[serde(rename = "SettingsTooManyRecentTenants", rename_all = "camelCase")]
    TooManyRecentTenants { found: usize, max: usize },
    /// A stored tenant colour that is not in the palette.
    #[serde(rename = "SettingsUnknownColour", rename_all = "camelCase")]
    UnknownColour { path: String, colour: String },
    /// A stored short label that cannot be shown (empty, longer than four characters, or
    /// invisible characters).
    #[serde(rename = "SettingsInvalidLabel", rename_all = "camelCase")]
    InvalidLabel { path: String, label: String },
    /// An operation names a tenant that does not exist.
    #[serde(rename = "SettingsUnknownTenant", rename_all = "camelCase")]
    UnknownTenant { id: TenantId },
    /// An operation that is not one of the known shapes.
    #[serde(rename = "SettingsInvalidOperation", rename_all = "camelCase")]
    InvalidOperation {
        #[serde(rename = "reason")]
        message: String,
    },
    /// An operation's tenant fields or ID are invalid; serialises exactly as the tenant error so
    /// the form can show it next to the field.
    #[serde(untagged)]
    Tenant(TenantError),
    /// An import file cannot be read; serialises exactly as the import error (`Import*`).
    #[serde(untagged)]
    Import(ImportError),
}

impl From<TenantError> for SettingsError {
    fn from(error: TenantError) -> Self {
        Self::Tenant(error)
    }
}

impl From<ImportError> for SettingsError {
    fn from(error: ImportError) -> Self {
        Self::Import(error)
    }
}

impl From<JsonError> for SettingsError {
    fn from(error: JsonError) -> Self {
        match error {
            JsonError::WrongType {
                path,
                expected,
                found,
            } if path.is_empty() && expected == "object" => Self::NotAnObject {
                found: found.to_owned(),
            },
            JsonError::WrongType {
                path,
                expected,
                found,
            } => Self::WrongShape {
                path,
                expected: expected.to_owned(),
                found: found.to_owned(),
            },
            JsonError::Missing { path } => Self::MissingField { path },
            JsonError::Unknown { path } => Self::UnknownField { path },
        }
    }
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnObject { found } => write!(
                f,
                "the stored settings are {} instead of an object: they cannot be read at all",
                with_article(found)
            ),
            Self::WrongShape {
                path,
                expected,
                found,
            } => write!(
                f,
                "stored settings: {path} should be {}, found {}",
                with_article(expected),
                with_article(found)
            ),
            Self::MissingField { path } => {
                write!(f, "stored settings: {path} is missing")
            }
            Self::UnknownField { path } => {
                write!(f, "stored settings: unknown field {path}")
            }
            Self::InvalidVersion { found } => write!(
                f,
                "stored settings: schemaVersion {found} is not a positive integer"
            ),
            Self::NewerVersion { found, supported } => write!(
                f,
                "the stored settings are schema version {found}, written by a newer Tenant Switch; this version reads up to {supported}"
            ),
            Self::InvalidTenant { index, error } => {
                write!(f, "stored settings: tenants[{index}]: {error}")
            }
            Self::InvalidReference { path, error } => {
                write!(f, "stored settings: {path}: {error}")
            }
            Self::DuplicateTenantId { id, existing_name } => {
                write!(f, "the tenant ID {id} is already used by {existing_name}")
            }
            Self::DuplicateTenantName {
                tenant_name,
                existing_name,
                existing_id,
            } => write!(
                f,
                "the name {tenant_name} is already used by {existing_name} ({existing_id})"
            ),
            Self::UnknownPortal { portal } => write!(f, "there is no portal {portal:?}"),
            Self::PortalNotRewritable { portal } => write!(
                f,
                "the addresses of {portal} cannot be rewritten in the browser"
            ),
            Self::DuplicateAlias {
                alias,
                existing_name,
                existing_id,
            } => write!(
                f,
                "{alias} is already the name or an alias of {existing_name} ({existing_id})"
            ),
            Self::UnknownDefaultTenant { id } => write!(
                f,
                "stored settings: the tenant for new tabs {id} is not one of the tenants"
            ),
            Self::UnknownRecentTenant { id, index } => write!(
                f,
                "stored settings: recentTenants[{index}] {id} is not one of the tenants"
            ),
            Self::DuplicateRecentTenant { id, index } => write!(
                f,
                "stored settings: recentTenants[{index}] {id} is listed twice"
            ),
            Self::TooManyRecentTenants { found, max } => write!(
                f,
                "stored settings: {found} recent tenants, at most {max} are kept"
            ),
            Self::UnknownColour { path, colour } => write!(
                f,
                "stored settings: {path} is the colour {colour:?}, which is not one of the palette"
            ),
            Self::InvalidLabel { path, label } => write!(
                f,
                "stored settings: {path} is the label {label:?}, which is not one to four visible characters"
            ),
            Self::UnknownTenant { id } => write!(f, "there is no tenant with the ID {id}"),
            Self::InvalidOperation { message } => write!(f, "invalid operation: {message}"),
            Self::Tenant(error) => error.fmt(f),
            Self::Import(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for SettingsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidTenant { error, .. } | Self::Tenant(error) => Some(error),
            Self::InvalidReference { error, .. } => Some(error),
            Self::Import(error) => Some(error),
            _ => None,
        }
    }
}
impl UiError for SettingsError {}

fn with_article(kind: &str) -> String {
    match kind {
        "null" => "null".to_owned(),
        "object" | "array" => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}

//! Every error the core can show, as a sample of each variant: the one source of the detail
//! fields each `_locales` message takes. The build writes [`fields`] to a JSON file that the
//! extension and the link builder page use to fill a message's placeholders (`$1` is the first
//! field in this order, and so on); a test checks each `error_<name>` message's placeholders by
//! name against the sample's fields, so a message and its error cannot drift apart.
//!
//! Detail fields are ordered alphabetically: the order is the JSON object's own, with nothing
//! written by hand to keep in step.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::base64::Base64Error;
use crate::export::ExportError;
use crate::import::{ImportColumn, ImportError, ImportRowError, RowPosition};
use crate::policy::PolicyError;
use crate::portal::PortalError;
use crate::session::messages::MessageError;
use crate::session::StorageError;
use crate::settings::SettingsError;
use crate::sync::SyncError;
use crate::tenant::{
    AliasError, DomainError, InitialDomainError, TagError, TenantError, TenantNameError,
};
use crate::tenant_id::{TenantId, TenantIdError};

fn id() -> TenantId {
    TenantId::sample()
}

fn sample<E: serde::Serialize>(error: E) -> Value {
    serde_json::to_value(error).unwrap_or(Value::Null)
}

/// One serialised sample of every error variant the UI can be given (a variant whose details
/// take more than one shape, such as a first line or a first entry, once per shape).
pub fn samples() -> Vec<Value> {
    let name_error = TenantError::Name(TenantNameError::Empty);
    let id_error = TenantIdError::Empty;
    vec![
        sample(TenantIdError::Empty),
        sample(TenantIdError::InvalidCharacter {
            character: 'x',
            position: 1,
        }),
        sample(TenantIdError::WrongLength { found: 31 }),
        sample(TenantIdError::MisplacedHyphen { position: 9 }),
        sample(TenantIdError::Nil),
        sample(TenantIdError::DomainName {
            domain: "contoso.com".into(),
        }),
        sample(TenantIdError::UrlWithoutTenant),
        sample(TenantNameError::Empty),
        sample(InitialDomainError::NotOnMicrosoft {
            domain: "contoso.com".into(),
        }),
        sample(InitialDomainError::InvalidLabel {
            label: "-contoso".into(),
        }),
        sample(TagError::InvalidCharacter {
            tag: "on call".into(),
            character: ' ',
        }),
        sample(TagError::TooLong {
            tag: "x".repeat(25),
            length: 25,
        }),
        sample(TagError::TooMany { count: 11 }),
        sample(AliasError::Invalid {
            alias: "CTS".into(),
            error: TenantNameError::TooLong { length: 101 },
        }),
        sample(AliasError::TooMany { count: 6 }),
        sample(TenantNameError::TooLong { length: 101 }),
        sample(TenantNameError::ControlCharacter {
            position: 1,
            code_point: '\t',
        }),
        sample(TenantNameError::BidiControl {
            position: 1,
            code_point: '\u{202E}',
        }),
        sample(TenantNameError::InvisibleCharacter {
            position: 1,
            code_point: '\u{200B}',
        }),
        sample(DomainError::InvalidCharacter {
            character: '_',
            position: 1,
        }),
        sample(DomainError::TooLong { length: 254 }),
        sample(DomainError::EmptyLabel { position: 1 }),
        sample(DomainError::LabelTooLong {
            label: "x".into(),
            length: 64,
        }),
        sample(DomainError::LabelHyphen { label: "-x".into() }),
        sample(DomainError::SingleLabel {
            domain: "contoso".into(),
        }),
        sample(DomainError::NumericTld { tld: "1".into() }),
        sample(PortalError::InvalidUrl),
        sample(PortalError::NotPortalUrl),
        sample(PortalError::NoTenant),
        sample(PortalError::InvalidTenant {
            value: "x".into(),
            error: id_error.clone(),
        }),
        sample(SettingsError::NotAnObject {
            found: "number".into(),
        }),
        sample(SettingsError::WrongShape {
            path: "tenants".into(),
            expected: "array".into(),
            found: "object".into(),
        }),
        sample(SettingsError::MissingField {
            path: "tenants".into(),
        }),
        sample(SettingsError::UnknownField {
            path: "colour".into(),
        }),
        sample(SettingsError::InvalidVersion {
            found: "1.5".into(),
        }),
        sample(SettingsError::NewerVersion {
            found: 9,
            supported: 2,
        }),
        sample(SettingsError::InvalidTenant {
            index: 0,
            error: name_error.clone(),
        }),
        sample(SettingsError::InvalidReference {
            path: "defaultTenant".into(),
            error: id_error,
        }),
        sample(SettingsError::DuplicateTenantId {
            id: id(),
            existing_name: "Contoso".into(),
        }),
        sample(SettingsError::DuplicateTenantName {
            tenant_name: "CONTOSO".into(),
            existing_name: "Contoso".into(),
            existing_id: id(),
        }),
        sample(SettingsError::UnknownPortal { portal: "x".into() }),
        sample(SettingsError::PortalNotRewritable {
            portal: "entra".into(),
        }),
        sample(SettingsError::DuplicateAlias {
            alias: "CTS".into(),
            existing_name: "Contoso".into(),
            existing_id: id(),
        }),
        sample(SettingsError::UnknownDefaultTenant { id: id() }),
        sample(SettingsError::UnknownRecentTenant { id: id(), index: 0 }),
        sample(SettingsError::DuplicateRecentTenant { id: id(), index: 1 }),
        sample(SettingsError::TooManyRecentTenants { found: 6, max: 5 }),
        sample(SettingsError::UnknownColour {
            path: "tenantColours.x".into(),
            colour: "beige".into(),
        }),
        sample(SettingsError::InvalidLabel {
            path: "tenantLabels.x".into(),
            label: "TOOLONG".into(),
        }),
        sample(SettingsError::UnknownTenant { id: id() }),
        sample(SettingsError::InvalidOperation {
            message: "x".into(),
        }),
        sample(PolicyError::WrongShape {
            path: "tenants".into(),
            expected: "array".into(),
        }),
        sample(PolicyError::UnknownField {
            path: "colour".into(),
        }),
        sample(PolicyError::InvalidTenant {
            index: 0,
            error: name_error,
        }),
        sample(PolicyError::DuplicateTenantId {
            index: 1,
            id: id(),
            first_index: 0,
        }),
        sample(PolicyError::DuplicateTenantName {
            index: 1,
            tenant_name: "Contoso".into(),
            first_index: 0,
        }),
        sample(PolicyError::DuplicateAlias {
            index: 1,
            alias: "CTS".into(),
            first_index: 0,
        }),
        sample(PolicyError::TenantManaged { id: id() }),
        sample(PolicyError::AutomaticRewriteForced),
        sample(ImportError::TooLarge { size: 2, limit: 1 }),
        sample(ImportError::EmptyFile),
        sample(ImportError::BinaryFile),
        sample(ImportError::NotUtf8 { line: 1 }),
        sample(ImportError::InvalidJson {
            line: 1,
            column: 1,
            message: "x".into(),
        }),
        sample(ImportError::UnknownJsonFormat),
        sample(ImportError::UnsupportedVersion {
            found: Some("9".into()),
            supported: 1,
        }),
        sample(ImportError::JsonWrongType {
            field: "tenants".into(),
            expected: "array",
            found: "object",
        }),
        sample(ImportError::MissingColumn {
            column: ImportColumn::Id,
            found: vec!["Name".into()],
        }),
        sample(ImportError::InvalidCsv {
            line: 1,
            message: "x".into(),
        }),
        sample(ImportRowError::DuplicateId {
            id: id(),
            first: RowPosition::Line(2),
        }),
        sample(ImportRowError::DuplicateId {
            id: id(),
            first: RowPosition::Entry(2),
        }),
        sample(ImportRowError::NameTaken {
            tenant_name: "Contoso".into(),
            id: id(),
            first: Some(RowPosition::Line(2)),
        }),
        sample(ImportRowError::NameTaken {
            tenant_name: "Contoso".into(),
            id: id(),
            first: Some(RowPosition::Entry(2)),
        }),
        sample(ImportRowError::AliasTaken {
            alias: "CTS".into(),
            id: id(),
            first: Some(RowPosition::Line(2)),
        }),
        sample(ImportRowError::AliasTaken {
            alias: "CTS".into(),
            id: id(),
            first: Some(RowPosition::Entry(2)),
        }),
        sample(ImportRowError::ManagedTenant {
            id: id(),
            tenant_name: "Contoso".into(),
        }),
        sample(ImportRowError::ManagedName {
            tenant_name: "Contoso".into(),
            id: id(),
        }),
        sample(ImportRowError::NotObject { found: "number" }),
        sample(ImportRowError::WrongType {
            field: ImportColumn::Name,
            found: "number",
        }),
        sample(ExportError::CsvFailed {
            message: "x".into(),
        }),
        sample(SyncError::TooLarge {
            tenants: 2000,
            fit: 900,
        }),
        sample(SyncError::StorageFull {
            bytes_needed: 2,
            bytes_available: 1,
        }),
        sample(SyncError::NewerFormat {
            found: 2,
            supported: 1,
        }),
        sample(SyncError::StateNewerFormat {
            found: 2,
            supported: 1,
        }),
        sample(SyncError::StateInvalid { reason: "x".into() }),
        sample(Base64Error { offset: 0 }),
        sample(MessageError::Unknown { what: "x".into() }),
        sample(MessageError::Invalid {
            what: "x".into(),
            field: "y".into(),
            expected: "a string".into(),
        }),
        sample(MessageError::SettingsUnusable),
        sample(MessageError::ExportUnavailable),
        sample(MessageError::BackupNone),
        sample(MessageError::BackupUnreadable),
        sample(MessageError::UndoNone),
        sample(MessageError::KeptCopyNone),
        sample(MessageError::SettingsNotKept),
        sample(MessageError::SettingsUsable),
        sample(MessageError::SyncDisabledByPolicy),
        sample(MessageError::NoTenantChosen),
        sample(MessageError::NeedsInitialDomain),
        sample(MessageError::ImportPreviewNone),
        sample(MessageError::ImportPreviewChanged),
        sample(StorageError::Full {
            bytes_needed: 2,
            bytes_available: 1,
        }),
        sample(StorageError::Failed {
            message: "x".into(),
        }),
    ]
}

/// Each error name with its detail fields in placeholder order (alphabetical).
pub fn fields() -> BTreeMap<String, Vec<String>> {
    let mut fields = BTreeMap::new();
    for sample in samples() {
        let Value::Object(map) = sample else { continue };
        let Some(name) = map.get("name").and_then(Value::as_str) else {
            continue;
        };
        // serde_json keeps object keys sorted, so this is alphabetical.
        let details: Vec<String> = map.keys().filter(|key| *key != "name").cloned().collect();
        let entry: &mut Vec<String> = fields.entry(name.to_owned()).or_default();
        for detail in details {
            if !entry.contains(&detail) {
                entry.push(detail);
            }
        }
        entry.sort();
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn every_sample_is_named() {
        for sample in samples() {
            assert!(sample["name"].is_string(), "{sample}");
        }
        assert_eq!(
            fields()["ImportRowDuplicateId"],
            vec!["firstEntry", "firstLine", "id"]
        );
    }

    /// Every `#[serde(rename = "...")]` of an error enum in the sources is sampled, so a new
    /// variant cannot go without a message.
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn every_error_variant_in_the_sources_is_sampled() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let known = fields();
        let mut missing = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            // Error enums are the ones serialised with `tag = "name"`; their variants are
            // renamed to their stable names, which end the prefix of their module.
            if !text.contains("tag = \"name\"") {
                continue;
            }
            for piece in text.split("rename = \"").skip(1) {
                let name: String = piece.chars().take_while(|c| *c != '"').collect();
                let is_error_name = name.chars().next().is_some_and(char::is_uppercase)
                    && name.chars().all(char::is_alphanumeric);
                if is_error_name && !known.contains_key(&name) && name != "InvalidArgument" {
                    missing.push(format!("{name} ({})", file.display()));
                }
            }
        }
        assert!(missing.is_empty(), "not in the catalogue: {missing:?}");
        for name in [
            "ImportRowDuplicateId",
            "ImportRowNameTaken",
            "ImportRowManagedTenant",
        ] {
            assert!(known.contains_key(name), "{name}");
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn fields_are_the_samples_keys_in_order() {
        let fields = fields();
        assert_eq!(
            fields["TenantIdInvalidCharacter"],
            vec!["character".to_owned(), "position".to_owned()]
        );
        assert_eq!(
            fields["SettingsDuplicateTenantName"],
            vec!["existingId", "existingName", "tenantName"]
        );
        assert_eq!(fields["TenantIdEmpty"], Vec::<String>::new());
    }
}

use super::*;
use serde_json::{json, Map};
use std::collections::HashSet;

use crate::import::ImportError;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

const LOAD: &str = include_str!("../../tests/fixtures/settings/load.json");
const OPERATIONS: &str = include_str!("../../tests/fixtures/settings/operations.json");

fn outcome(result: Result<Settings, SettingsError>) -> Value {
    match result {
        Ok(settings) => {
            // Whatever comes out must read back as itself: the type cannot hold invalid data.
            let stored = settings.to_stored();
            assert_eq!(Settings::load(Some(&stored)).as_ref(), Ok(&settings));
            assert_eq!(serde_json::to_value(&settings).unwrap(), stored);
            json!({ "ok": stored })
        }
        Err(error) => {
            assert!(!error.to_string().is_empty());
            json!({ "error": error })
        }
    }
}

fn expected(case: &Value) -> Value {
    let mut expected = Map::new();
    for key in ["ok", "error"] {
        if let Some(value) = case.get(key) {
            expected.insert(key.to_owned(), value.clone());
        }
    }
    assert_eq!(expected.len(), 1, "case needs ok or error: {case}");
    Value::Object(expected)
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn load_fixture_cases_give_exact_results() {
    let fixture: Value = serde_json::from_str(LOAD).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let stored = case.get("stored");
        let actual = outcome(Settings::load(stored));
        if actual != expected(case) {
            failures.push(format!(
                "{}: expected {}, got {actual}",
                case["description"],
                expected(case)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn operation_fixture_cases_give_exact_results() {
    let fixture: Value = serde_json::from_str(OPERATIONS).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let base = &fixture["settings"][case["settings"].as_str().unwrap()];
        let mut settings = Settings::load(Some(base)).unwrap();
        // `then`: the case is about a second operation on the result of the first.
        let mut operation = &case["operation"];
        if let Some(then) = case.get("then") {
            let first = Operation::from_value(operation).unwrap();
            settings = settings.apply(first).unwrap();
            operation = then;
        }
        let actual = match Operation::from_value(operation) {
            Ok(operation) => {
                // The typed operation survives a round trip through its JSON form.
                let json = serde_json::to_value(&operation).unwrap();
                assert_eq!(Operation::from_value(&json).as_ref(), Ok(&operation));
                let before = settings.clone();
                let result = settings.apply(operation);
                assert_eq!(settings, before, "apply must not change its input");
                outcome(result)
            }
            Err(error) => json!({ "error": error }),
        };
        if actual != expected(case) {
            failures.push(format!(
                "{}: expected {}, got {actual}",
                case["description"],
                expected(case)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every error variant is exercised by a fixture, so a new one cannot go untested.
#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn fixtures_cover_every_settings_error() {
    let mut names = Vec::new();
    for text in [LOAD, OPERATIONS] {
        let fixture: Value = serde_json::from_str(text).unwrap();
        for case in fixture["cases"].as_array().unwrap() {
            if let Some(name) = case.get("error").and_then(|e| e.get("name")) {
                names.push(name.as_str().unwrap().to_owned());
            }
        }
    }
    for variant in [
        "SettingsWrongShape",
        "SettingsMissingField",
        "SettingsUnknownField",
        "SettingsInvalidVersion",
        "SettingsNewerVersion",
        "SettingsInvalidTenant",
        "SettingsInvalidReference",
        "SettingsDuplicateTenantId",
        "SettingsDuplicateTenantName",
        "SettingsUnknownDefaultTenant",
        "SettingsUnknownRecentTenant",
        "SettingsDuplicateRecentTenant",
        "SettingsTooManyRecentTenants",
        "SettingsUnknownTenant",
        "SettingsInvalidOperation",
    ] {
        assert!(
            names.iter().any(|n| n == variant),
            "no fixture for {variant}"
        );
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn defaults_for_nothing_stored() {
    let expected = json!({
        "schemaVersion": 5,
        "tenants": [],
        "defaultTenant": null,
        "automaticRewrite": true,
        "recentTenants": [],
        "favourites": [],
        "tenantColours": {},
        "tenantLabels": {},
        "pageOptions": {"titlePrefix": true, "colourLine": true, "banner": false}, "hiddenPortals": [], "portalRewrite": []
    });
    assert_eq!(Settings::load(None).unwrap().to_stored(), expected);
    assert_eq!(
        Settings::load(Some(&Value::Null)).unwrap().to_stored(),
        expected
    );
    assert_eq!(Settings::default().to_stored(), expected);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn every_version_up_to_the_current_one_is_read() {
    // The load fixture has a readable case for every version; a newer one is refused.
    let fixture: Value = serde_json::from_str(LOAD).unwrap();
    let versions: HashSet<u64> = fixture["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|case| case.get("ok").is_some())
        .filter_map(|case| case.get("stored").filter(|s| s.is_object()))
        .map(|stored| {
            stored
                .get("schemaVersion")
                .and_then(Value::as_u64)
                .unwrap_or(0)
        })
        .collect();
    for version in 0..=SCHEMA_VERSION {
        assert!(
            versions.contains(&version),
            "no readable fixture of version {version}"
        );
    }
    assert!(matches!(
        Settings::load(Some(&json!({"schemaVersion": SCHEMA_VERSION + 1}))),
        Err(SettingsError::NewerVersion { .. })
    ));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn display_messages() {
    let id = TenantId::parse("00000000-0000-4000-8000-000000000001").unwrap();
    let cases = [
        (
            SettingsError::WrongShape {
                path: "tenants[2].name".into(),
                expected: "string".into(),
                found: "array".into(),
            },
            "stored settings: tenants[2].name should be a string, found an array",
        ),
        (
            SettingsError::NotAnObject {
                found: "number".into(),
            },
            "the stored settings are a number instead of an object: they cannot be read at all",
        ),
        (
            SettingsError::NewerVersion {
                found: 3,
                supported: 2,
            },
            "the stored settings are schema version 3, written by a newer Tenant Switch; this version reads up to 2",
        ),
        (
            SettingsError::DuplicateTenantName {
                tenant_name: "CONTOSO".into(),
                existing_name: "Contoso".into(),
                existing_id: id,
            },
            "the name CONTOSO is already used by Contoso (00000000-0000-4000-8000-000000000001)",
        ),
        (
            SettingsError::InvalidTenant {
                index: 0,
                error: TenantError::Name(crate::tenant::TenantNameError::Empty),
            },
            "stored settings: tenants[0]: the tenant name is empty",
        ),
    ];
    for (error, message) in cases {
        assert_eq!(error.to_string(), message);
    }
}

const CONTOSO: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";
const FABRIKAM: &str = "0b7d3c2e-5a4f-4e1d-8c9b-7a6f5e4d3c2b";
const NORTHWIND: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const ADATUM: &str = "d0bd8401-04a0-4f53-bc15-761e19021d19";

/// Contoso (active, recent), Fabrikam (recent) and Northwind.
fn three() -> Settings {
    Settings::load(Some(&json!({
        "schemaVersion": 2,
        "tenants": [
            {"name": "Contoso", "id": CONTOSO, "domain": "contoso.onmicrosoft.com"},
            {"name": "Fabrikam", "id": FABRIKAM},
            {"name": "Northwind", "id": NORTHWIND}
        ],
        "defaultTenant": CONTOSO,
        "automaticRewrite": false,
        "recentTenants": [CONTOSO, FABRIKAM]
    })))
    .unwrap()
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn import_applies_accepted_rows_and_keeps_everything_else() {
    let csv = format!(
        "Company Name;Tenant ID\nContoso;{CONTOSO}\nFabrikam Group;{}\nAdatum;{ADATUM}\nNorthwind;{ADATUM}\nBad;x\n",
        FABRIKAM.to_uppercase()
    );
    let settings = three();
    let (next, preview) = settings.import(csv.as_bytes(), &[]).unwrap();
    assert_eq!(
        next.to_stored(),
        json!({
            "schemaVersion": 5,
            "favourites": [],
            "tenantColours": {},
            "tenantLabels": {},
            "pageOptions": {"titlePrefix": true, "colourLine": true, "banner": false}, "hiddenPortals": [], "portalRewrite": [],
            "tenants": [
                {"name": "Contoso", "id": CONTOSO, "domain": "contoso.onmicrosoft.com"},
                {"name": "Fabrikam Group", "id": FABRIKAM},
                {"name": "Northwind", "id": NORTHWIND},
                {"name": "Adatum", "id": ADATUM}
            ],
            "defaultTenant": CONTOSO,
            "automaticRewrite": false,
            "recentTenants": [CONTOSO, FABRIKAM]
        })
    );
    assert_eq!(
        serde_json::to_value(&preview).unwrap()["counts"],
        json!({"new": 1, "changed": 1, "unchanged": 1, "rejected": 2, "removed": 0,
            "renamed": 1, "domainChanged": 0, "tagsChanged": 0})
    );
    assert_eq!(
        serde_json::to_value(&preview).unwrap()["rows"][3],
        json!({"line": 5, "status": "rejected", "error": {"name": "ImportRowDuplicateId",
            "id": ADATUM, "firstLine": 4}, "values": {"name": "Northwind", "id": ADATUM}})
    );
    assert_eq!(settings, three(), "import must not change its input");
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn import_leaves_out_rows_that_clash_with_policy_tenants() {
    let managed = [Tenant::new("Adatum", ADATUM, None).unwrap()];
    let csv = format!("name,tenant id\nMine,{ADATUM}\nFabrikam Group,{FABRIKAM}\n");
    let (next, preview) = three().import(csv.as_bytes(), &managed).unwrap();
    assert_eq!(
        serde_json::to_value(&preview).unwrap()["rows"][0],
        json!({"line": 2, "status": "rejected", "error": {"name": "ImportRowManagedTenant",
            "id": ADATUM, "tenantName": "Adatum"}, "values": {"name": "Mine", "id": ADATUM}})
    );
    assert_eq!(
        next.to_stored()["tenants"],
        json!([
            {"name": "Contoso", "id": CONTOSO, "domain": "contoso.onmicrosoft.com"},
            {"name": "Fabrikam Group", "id": FABRIKAM},
            {"name": "Northwind", "id": NORTHWIND}
        ])
    );
}

/// "Make my list match this file": the default tenant the file lacks becomes "No tenant", the
/// recent tenants it lacks are dropped, the kept tenants keep their marks.
#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn a_matching_import_drops_the_default_and_recent_tenants_it_removes() {
    let csv = format!("name,tenant id\nFabrikam,{FABRIKAM}\nAdatum,{ADATUM}\n");
    let settings = three()
        .apply(Operation::SetFavourite {
            id: FABRIKAM.into(),
            favourite: true,
        })
        .unwrap();
    let preview = crate::import::preview_import(
        csv.as_bytes(),
        settings.tenants(),
        &[],
        crate::import::ImportMode::Match,
    )
    .unwrap();
    let next = settings.with_import(&preview).unwrap();
    let stored = next.to_stored();
    assert_eq!(
        stored["tenants"],
        json!([{"name": "Fabrikam", "id": FABRIKAM}, {"name": "Adatum", "id": ADATUM}])
    );
    assert_eq!(stored["defaultTenant"], json!(null));
    assert_eq!(stored["recentTenants"], json!([FABRIKAM]));
    assert_eq!(stored["favourites"], json!([FABRIKAM]));
    assert_eq!(stored["automaticRewrite"], json!(false));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn import_errors_keep_the_import_error_name() {
    let error = three()
        .import(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &[])
        .unwrap_err();
    assert_eq!(error, SettingsError::Import(ImportError::BinaryFile));
    assert_eq!(
        serde_json::to_value(&error).unwrap(),
        json!({"name": "ImportBinaryFile"})
    );
    assert_eq!(
        error.to_string(),
        "the file is not text; save it as CSV (UTF-8) or as Unicode text"
    );
    let error = three()
        .import(b"Name;Customer\nContoso;x", &[])
        .unwrap_err();
    assert_eq!(
        serde_json::to_value(&error).unwrap(),
        json!({"name": "ImportMissingColumn", "column": "id", "found": ["Name", "Customer"]})
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn replace_tenants_fixes_up_active_and_recent_tenants() {
    let replace =
        |tenants: Value| three().replace_tenants(serde_json::from_value(tenants).unwrap());
    assert_eq!(
        outcome(replace(json!([
            {"name": "Fabrikam", "id": FABRIKAM.to_uppercase()},
            {"name": "Adatum", "id": ADATUM, "domain": "Adatum.COM"}
        ]))),
        json!({"ok": {
            "schemaVersion": 5,
            "favourites": [],
            "tenantColours": {},
            "tenantLabels": {},
            "pageOptions": {"titlePrefix": true, "colourLine": true, "banner": false}, "hiddenPortals": [], "portalRewrite": [],
            "tenants": [
                {"name": "Fabrikam", "id": FABRIKAM},
                {"name": "Adatum", "id": ADATUM, "domain": "adatum.com"}
            ],
            "defaultTenant": null,
            "automaticRewrite": false,
            "recentTenants": [FABRIKAM]
        }})
    );
    assert_eq!(
        outcome(replace(json!([{"name": "Contoso Ltd", "id": CONTOSO}])))["ok"]["defaultTenant"],
        json!(CONTOSO)
    );
    assert_eq!(
        outcome(replace(json!([]))),
        json!({"ok": {"schemaVersion": 5, "tenants": [], "defaultTenant": null,
            "automaticRewrite": false, "recentTenants": [], "favourites": [], "tenantColours": {}, "tenantLabels": {}, "pageOptions": {"titlePrefix": true, "colourLine": true, "banner": false}, "hiddenPortals": [], "portalRewrite": []}})
    );
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn replace_tenants_refuses_an_invalid_list() {
    let replace =
        |tenants: Value| three().replace_tenants(serde_json::from_value(tenants).unwrap());
    assert_eq!(
        outcome(replace(
            json!([{"name": "A", "id": CONTOSO}, {"name": "", "id": FABRIKAM}])
        )),
        json!({"error": {"name": "SettingsInvalidTenant", "index": 1,
            "error": {"name": "TenantNameEmpty"}}})
    );
    assert_eq!(
        outcome(replace(
            json!([{"name": "Contoso", "id": CONTOSO}, {"name": "ＣＯＮＴＯＳＯ", "id": FABRIKAM}])
        )),
        json!({"error": {"name": "SettingsDuplicateTenantName", "tenantName": "ＣＯＮＴＯＳＯ",
            "existingName": "Contoso", "existingId": CONTOSO}})
    );
    assert_eq!(
        outcome(replace(
            json!([{"name": "A", "id": CONTOSO}, {"name": "B", "id": CONTOSO.to_uppercase()}])
        )),
        json!({"error": {"name": "SettingsDuplicateTenantId", "id": CONTOSO, "existingName": "A"}})
    );
}

/// 10,000 tenants: loading and each operation stay linear. An O(n²) duplicate check would
/// take minutes here in a debug build.
#[test]
#[cfg(not(target_arch = "wasm32"))]
fn ten_thousand_tenants_stay_fast() {
    let started = std::time::Instant::now();
    let tenants: Vec<Value> = (1..=10_000u32)
        .map(|n| {
            json!({
                "name": format!("Customer {n} Ünïcödé"),
                "id": format!("00000000-0000-4000-8000-{n:012x}"),
                "domain": format!("customer{n}.onmicrosoft.com")
            })
        })
        .collect();
    let stored = json!({
        "schemaVersion": 2,
        "tenants": tenants,
        "defaultTenant": "00000000-0000-4000-8000-000000002710",
        "automaticRewrite": true,
        "recentTenants": ["00000000-0000-4000-8000-000000002710"]
    });
    let mut settings = Settings::load(Some(&stored)).unwrap();
    for n in 0..20u32 {
        settings = settings
            .apply(Operation::AddTenant {
                tenant: TenantInput {
                    name: format!("New {n}"),
                    id: format!("10000000-0000-4000-8000-{n:012x}"),
                    domain: None,
                    ..TenantInput::default()
                },
            })
            .unwrap();
        settings = settings
            .apply(Operation::SetDefaultTenant {
                id: Some(format!("10000000-0000-4000-8000-{n:012x}")),
            })
            .unwrap();
    }
    assert_eq!(
        settings.apply(Operation::AddTenant {
            tenant: TenantInput {
                name: "CUSTOMER 9999 ÜNÏCÖDÉ".into(),
                id: "20000000-0000-4000-8000-000000000000".into(),
                domain: None,
                ..TenantInput::default()
            },
        }),
        Err(SettingsError::DuplicateTenantName {
            tenant_name: "CUSTOMER 9999 ÜNÏCÖDÉ".into(),
            existing_name: "Customer 9999 Ünïcödé".into(),
            existing_id: TenantId::parse("00000000-0000-4000-8000-00000000270f").unwrap(),
        })
    );
    assert_eq!(settings.tenants().len(), 10_020);
    assert_eq!(settings.recent_tenants().len(), 5);
    assert_eq!(
        Settings::load(Some(&settings.to_stored())).as_ref(),
        Ok(&settings)
    );
    let elapsed = started.elapsed();
    assert!(elapsed.as_secs() < 20, "took {elapsed:?}");
}

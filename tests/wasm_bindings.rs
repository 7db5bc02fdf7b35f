//! The JavaScript surface of the core, exercised from wasm: conversions and error objects.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Error, Reflect};
use serde_json::json;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use tenant_switch::wasm;

const CONTOSO: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";
const FABRIKAM: &str = "0b7d3c2e-5a4f-4e1d-8c9b-7a6f5e4d3c2b";

fn prop(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn js(value: serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

fn json_of(value: &JsValue) -> serde_json::Value {
    serde_json::from_str(&js_sys::JSON::stringify(value).unwrap().as_string().unwrap()).unwrap()
}

fn error_of(result: Result<impl std::fmt::Debug, JsValue>) -> Error {
    result.unwrap_err().dyn_into::<Error>().unwrap()
}

fn settings_with_contoso() -> JsValue {
    js(json!({
            "schemaVersion": 1,
            "tenants": [
                {"name": "Contoso", "id": CONTOSO, "domain": "contoso.onmicrosoft.com"},
                {"name": "Fabrikam", "id": FABRIKAM}
            ],
            "activeTenant": CONTOSO,
            "automaticRewrite": true,
            "recentTenants": [CONTOSO]
    }))
}

#[wasm_bindgen_test]
fn parse_tenant_id_returns_canonical_form() {
    assert_eq!(
        wasm::parse_tenant_id("{6F1C2B6A-0C6E-4B8E-9E0A-2C1D3E4F5A6B}").unwrap(),
        CONTOSO
    );
}

#[wasm_bindgen_test]
fn core_errors_become_js_errors_named_by_variant_with_details() {
    let error = error_of(wasm::parse_tenant_id(
        "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6x",
    ));
    assert_eq!(error.name(), "TenantIdInvalidCharacter");
    assert_eq!(prop(&error, "position").as_f64(), Some(36.0));
    assert_eq!(prop(&error, "character").as_string().as_deref(), Some("x"));
    assert!(error.message().as_string().unwrap().contains("position 36"));

    let error = error_of(wasm::parse_tenant_id("   "));
    assert_eq!(error.name(), "TenantIdEmpty");

    let error = error_of(wasm::parse_tenant_id("contoso.onmicrosoft.com"));
    assert_eq!(error.name(), "TenantIdDomainName");
    assert_eq!(
        prop(&error, "domain").as_string().as_deref(),
        Some("contoso.onmicrosoft.com")
    );
}

#[wasm_bindgen_test]
fn wrong_argument_shapes_are_invalid_argument_errors() {
    let error = error_of(wasm::validate_tenant(JsValue::from_f64(3.0)));
    assert_eq!(error.name(), "InvalidArgument");
    assert_eq!(
        prop(&error, "argument").as_string().as_deref(),
        Some("tenant")
    );
}

#[wasm_bindgen_test]
fn validate_tenant_returns_canonical_tenant_object() {
    let tenant = wasm::validate_tenant(js(json!({
        "name": "  Contoso  ",
        "id": "URN:UUID:6F1C2B6A-0C6E-4B8E-9E0A-2C1D3E4F5A6B",
        "domain": "Contoso.onmicrosoft.com"
    })))
    .unwrap();
    assert_eq!(
        json_of(&tenant),
        json!({"name": "Contoso", "id": CONTOSO, "domain": "contoso.onmicrosoft.com"})
    );
}

#[wasm_bindgen_test]
fn portal_functions_cross_the_boundary() {
    assert!(wasm::is_portal_url(
        "https://security.microsoft.com/incidents"
    ));
    assert!(!wasm::is_portal_url("https://mto.security.microsoft.com/"));
    assert_eq!(
        wasm::with_tenant("https://security.microsoft.com/incidents?x=1#top", CONTOSO).unwrap(),
        format!("https://security.microsoft.com/incidents?x=1&tid={CONTOSO}#top")
    );
    assert_eq!(
        wasm::switch_tenant(
            &format!("https://security.microsoft.com/x?tid={CONTOSO}&y=2"),
            Some(FABRIKAM.to_string())
        )
        .unwrap(),
        format!("https://security.microsoft.com/x?y=2&tid={FABRIKAM}")
    );
    assert_eq!(
        wasm::tenant_of(&format!(
            "https://securitycenter.windows.com/?tid={CONTOSO}"
        ))
        .unwrap(),
        CONTOSO
    );
    assert_eq!(
        wasm::portal_url(Some(CONTOSO.to_string())).unwrap(),
        format!("https://security.microsoft.com/?tid={CONTOSO}")
    );
    let error = error_of(wasm::with_tenant("https://example.net/", CONTOSO));
    assert_eq!(error.name(), "PortalNotPortalUrl");
}

#[wasm_bindgen_test]
fn settings_load_apply_and_rules() {
    let defaults = wasm::load_settings(JsValue::UNDEFINED).unwrap();
    assert_eq!(
        json_of(&defaults),
        json!({"schemaVersion": 1, "tenants": [], "activeTenant": null,
               "automaticRewrite": true, "recentTenants": []})
    );
    let rules = wasm::build_rules(defaults.clone()).unwrap();
    assert_eq!(Array::from(&rules).length(), 0);

    let settings = wasm::apply_operation(
        defaults,
        js(json!({"op": "addTenant", "tenant": {"name": "Contoso", "id": CONTOSO}})),
    )
    .unwrap();
    let settings = wasm::apply_operation(
        settings,
        js(json!({"op": "setActiveTenant", "id": CONTOSO})),
    )
    .unwrap();
    assert_eq!(
        prop(&settings, "activeTenant").as_string().as_deref(),
        Some(CONTOSO)
    );
    let rules = Array::from(&wasm::build_rules(settings.clone()).unwrap());
    assert!(rules.length() > 0);
    assert!(json_of(&rules).to_string().contains(CONTOSO));

    let error = error_of(wasm::apply_operation(
        settings,
        js(json!({"op": "addTenant", "tenant": {"name": "Other", "id": CONTOSO}})),
    ));
    let name = String::from(error.name());
    assert!(name.starts_with("Settings"), "{name}");
}

#[wasm_bindgen_test]
fn newer_stored_settings_are_a_typed_error() {
    let error = error_of(wasm::load_settings(js(
        json!({"schemaVersion": 99, "tenants": []}),
    )));
    assert_eq!(error.name(), "SettingsNewerVersion");
}

#[wasm_bindgen_test]
fn picker_and_badge() {
    let picker = wasm::TenantPicker::new(settings_with_contoso(), "No tenant").unwrap();
    let result = picker.search("", 10).unwrap();
    assert_eq!(prop(&result, "total").as_f64(), Some(3.0));
    let items = Array::from(&prop(&result, "items"));
    assert!(prop(&items.get(0), "id").is_null());
    assert_eq!(
        prop(&items.get(1), "id").as_string().as_deref(),
        Some(CONTOSO)
    );

    let result = picker.search("fab", 10).unwrap();
    let items = Array::from(&prop(&result, "items"));
    assert_eq!(items.length(), 1);
    assert_eq!(
        prop(&items.get(0), "id").as_string().as_deref(),
        Some(FABRIKAM)
    );

    let badge = wasm::tab_badge(
        settings_with_contoso(),
        Some(format!("https://security.microsoft.com/?tid={FABRIKAM}")),
    )
    .unwrap();
    assert_eq!(prop(&badge, "mismatch").as_bool(), Some(true));
    assert_eq!(
        prop(&badge, "name").as_string().as_deref(),
        Some("Fabrikam")
    );
}

#[wasm_bindgen_test]
fn preview_import_judges_rows_without_changing_anything() {
    let csv = format!("name;tenant id\nContoso;{CONTOSO}\nFabrikam Ltd;{FABRIKAM}\nBad;x\n");
    let preview =
        wasm::preview_import(settings_with_contoso(), csv.as_bytes(), JsValue::UNDEFINED).unwrap();
    assert_eq!(
        json_of(&preview),
        json!({"format": "csv",
        "counts": {"new": 0, "renamed": 1, "unchanged": 1, "rejected": 1},
        "rows": [
            {"line": 2, "status": "unchanged",
             "tenant": {"name": "Contoso", "id": CONTOSO, "domain": "contoso.onmicrosoft.com"}},
            {"line": 3, "status": "renamed",
             "tenant": {"name": "Fabrikam Ltd", "id": FABRIKAM},
             "previous": {"name": "Fabrikam", "id": FABRIKAM}},
            {"line": 4, "status": "rejected",
             "error": {"name": "TenantIdInvalidCharacter", "character": "x", "position": 1}}
        ]})
    );
    let error = error_of(wasm::preview_import(
        settings_with_contoso(),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        JsValue::UNDEFINED,
    ));
    assert_eq!(error.name(), "ImportBinaryFile");
    let error = error_of(wasm::preview_import(
        settings_with_contoso(),
        b"Name,Customer\nContoso,x",
        JsValue::NULL,
    ));
    assert_eq!(error.name(), "ImportMissingColumn");
    assert_eq!(prop(&error, "column").as_string().as_deref(), Some("id"));
}

#[wasm_bindgen_test]
fn import_tenants_returns_settings_and_preview() {
    let json = format!(
        r#"[{{"name": "Adatum", "id": "{NEW}"}}, {{"name": "contoso", "id": "{NEW2}"}}]"#,
        NEW = "d0bd8401-04a0-4f53-bc15-761e19021d19",
        NEW2 = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    );
    let result =
        wasm::import_tenants(settings_with_contoso(), json.as_bytes(), JsValue::UNDEFINED).unwrap();
    assert_eq!(
        json_of(&prop(&result, "settings")),
        json!({
            "schemaVersion": 1,
            "tenants": [
                {"name": "Contoso", "id": CONTOSO, "domain": "contoso.onmicrosoft.com"},
                {"name": "Fabrikam", "id": FABRIKAM},
                {"name": "Adatum", "id": "d0bd8401-04a0-4f53-bc15-761e19021d19"}
            ],
            "activeTenant": CONTOSO,
            "automaticRewrite": true,
            "recentTenants": [CONTOSO]
        })
    );
    assert_eq!(
        json_of(&prop(&prop(&result, "preview"), "counts")),
        json!({"new": 1, "renamed": 0, "unchanged": 0, "rejected": 1})
    );
    assert_eq!(
        json_of(&prop(&prop(&result, "preview"), "rows")).get(1),
        Some(
            &json!({"entry": 2, "status": "rejected", "error": {"name": "ImportRowNameTaken",
            "tenantName": "contoso", "id": CONTOSO}})
        )
    );
    let error = error_of(wasm::import_tenants(
        settings_with_contoso(),
        b"  \n",
        JsValue::NULL,
    ));
    assert_eq!(error.name(), "ImportEmptyFile");
}

#[wasm_bindgen_test]
fn exports_are_strings_that_import_back_unchanged() {
    let json = wasm::export_json(settings_with_contoso()).unwrap();
    assert_eq!(
        json,
        format!(
            "{{\n  \"format\": \"tenant-switch\",\n  \"version\": 1,\n  \"tenants\": [\n    {{\"name\": \"Contoso\", \"id\": \"{CONTOSO}\", \"domain\": \"contoso.onmicrosoft.com\"}},\n    {{\"name\": \"Fabrikam\", \"id\": \"{FABRIKAM}\"}}\n  ]\n}}\n"
        )
    );
    let csv = wasm::export_csv(settings_with_contoso()).unwrap();
    assert_eq!(
        csv,
        format!("\u{feff}name,tenant id,domain\r\nContoso,{CONTOSO},contoso.onmicrosoft.com\r\nFabrikam,{FABRIKAM},\r\n")
    );
    for file in [json, csv] {
        let preview =
            wasm::preview_import(settings_with_contoso(), file.as_bytes(), JsValue::UNDEFINED)
                .unwrap();
        assert_eq!(
            json_of(&prop(&preview, "counts")),
            json!({"new": 0, "renamed": 0, "unchanged": 2, "rejected": 0})
        );
    }
}

#[wasm_bindgen_test]
fn replace_tenants_restores_a_list() {
    let settings = wasm::replace_tenants(
        settings_with_contoso(),
        js(json!([{"name": "Fabrikam", "id": FABRIKAM.to_uppercase()}])),
    )
    .unwrap();
    assert_eq!(
        json_of(&settings),
        json!({"schemaVersion": 1, "tenants": [{"name": "Fabrikam", "id": FABRIKAM}],
               "activeTenant": null, "automaticRewrite": true, "recentTenants": []})
    );
    let error = error_of(wasm::replace_tenants(
        settings_with_contoso(),
        js(json!([{"name": "A", "id": CONTOSO}, {"name": "a", "id": FABRIKAM}])),
    ));
    assert_eq!(error.name(), "SettingsDuplicateTenantName");
    let error = error_of(wasm::replace_tenants(
        settings_with_contoso(),
        js(json!({})),
    ));
    assert_eq!(error.name(), "InvalidArgument");
}

#[wasm_bindgen_test]
fn sync_receive_and_plan_cross_as_plain_objects() {
    let received = wasm::sync_receive(
        JsValue::NULL,
        JsValue::UNDEFINED,
        settings_with_contoso(),
        1_700_000_000_000.0,
    )
    .unwrap();
    assert_eq!(
        prop(&received, "status").as_string().as_deref(),
        Some("empty")
    );
    assert_eq!(prop(&received, "needsWrite").as_bool(), Some(true));
    assert_eq!(prop(&received, "settingsChanged").as_bool(), Some(false));
    let model = prop(&received, "model");
    assert_eq!(
        json_of(&prop(&model, "entries")),
        json!([
            [FABRIKAM, "1700000000000", "Fabrikam"],
            [
                CONTOSO,
                "1700000000000",
                "Contoso",
                "contoso.onmicrosoft.com"
            ]
        ])
    );

    let quotas = js(json!({"quotaBytes": 102400, "quotaBytesPerItem": 8192, "maxItems": 512}));
    let plan = wasm::sync_plan(JsValue::UNDEFINED, model, quotas).unwrap();
    assert_eq!(prop(&plan, "generation").as_f64(), Some(1.0));
    assert_eq!(
        json_of(&prop(&plan, "chunks")),
        json!({"syncChunk.1.0": [
            [FABRIKAM, "1700000000000", "Fabrikam"],
            [CONTOSO, "1700000000000", "Contoso", "contoso.onmicrosoft.com"]
        ]})
    );
    let manifest = prop(&prop(&plan, "manifest"), "syncGeneration");
    assert_eq!(
        json_of(&prop(&manifest, "chunks")),
        json!(["syncChunk.1.0"])
    );
}

#[wasm_bindgen_test]
fn sync_too_large_is_a_js_error_saying_how_many_fit() {
    let model = wasm::sync_receive(
        JsValue::NULL,
        JsValue::NULL,
        settings_with_contoso(),
        1000.0,
    )
    .map(|received| prop(&received, "model"))
    .unwrap();
    let tiny = js(json!({"quotaBytes": 400, "quotaBytesPerItem": 8192, "maxItems": 512}));
    let error = error_of(wasm::sync_plan(JsValue::NULL, model, tiny));
    assert_eq!(error.name(), "SyncTooLarge");
    assert_eq!(prop(&error, "tenants").as_f64(), Some(2.0));
    assert_eq!(prop(&error, "fit").as_f64(), Some(1.0));

    let invalid = error_of(wasm::sync_receive(
        js(json!({"version": 1})),
        JsValue::NULL,
        settings_with_contoso(),
        1000.0,
    ));
    assert_eq!(invalid.name(), "SyncStateInvalid");
    let bad_time = error_of(wasm::sync_receive(
        JsValue::NULL,
        JsValue::NULL,
        settings_with_contoso(),
        f64::NAN,
    ));
    assert_eq!(bad_time.name(), "InvalidArgument");
}

#[wasm_bindgen_test]
fn policy_bindings_merge_choose_and_refuse() {
    const MANAGED: &str = "3c2b1a0f-9e8d-4c7b-8a69-5f4e3d2c1b0a";
    let managed = || {
        js(json!({
            "tenants": [
                {"name": "Contoso HQ", "id": CONTOSO},
                {"name": "Managed", "id": MANAGED},
                {"name": "Broken", "id": "x"}
            ],
            "forceAutomaticRewrite": true
        }))
    };

    assert_eq!(
        json_of(&wasm::parse_policy(JsValue::UNDEFINED).unwrap()),
        json!({"policy": {"tenants": [], "forceAutomaticRewrite": false, "disableSync": false},
               "problems": []})
    );

    let view =
        json_of(&wasm::effective_settings(settings_with_contoso(), managed(), None).unwrap());
    assert_eq!(
        view,
        json!({
            "settings": {
                "schemaVersion": 1,
                "tenants": [
                    {"name": "Contoso HQ", "id": CONTOSO},
                    {"name": "Managed", "id": MANAGED},
                    {"name": "Fabrikam", "id": FABRIKAM}
                ],
                "activeTenant": CONTOSO,
                "automaticRewrite": true,
                "recentTenants": [CONTOSO]
            },
            "managedTenants": [CONTOSO, MANAGED],
            "shadowedTenants": [CONTOSO],
            "nameClashes": [],
            "activeTenantRemoved": null,
            "automaticRewriteForced": true,
            "syncDisabled": false,
            "problems": [{"name": "PolicyInvalidTenant", "index": 2,
                          "error": {"name": "TenantIdInvalidCharacter", "character": "x", "position": 1}}]
        })
    );

    let chosen = wasm::apply_policy_operation(
        settings_with_contoso(),
        managed(),
        None,
        js(json!({"op": "setActiveTenant", "id": MANAGED})),
    )
    .unwrap();
    assert_eq!(
        json_of(&prop(&chosen, "managedActiveTenant")),
        json!(MANAGED)
    );
    assert_eq!(
        json_of(&prop(&prop(&chosen, "settings"), "activeTenant")),
        json!(null)
    );

    let gone = wasm::effective_settings(
        prop(&chosen, "settings"),
        JsValue::NULL,
        Some(MANAGED.into()),
    )
    .unwrap();
    assert_eq!(json_of(&prop(&gone, "activeTenantRemoved")), json!(MANAGED));
    assert_eq!(
        json_of(&prop(&prop(&gone, "settings"), "activeTenant")),
        json!(null)
    );

    let error = error_of(wasm::apply_policy_operation(
        settings_with_contoso(),
        managed(),
        None,
        js(json!({"op": "deleteTenant", "id": CONTOSO})),
    ));
    assert_eq!(error.name(), "PolicyTenantManaged");
    assert_eq!(prop(&error, "id").as_string().as_deref(), Some(CONTOSO));
    let error = error_of(wasm::apply_policy_operation(
        settings_with_contoso(),
        managed(),
        None,
        js(json!({"op": "deleteTenant", "id": "11111111-2222-4333-8444-555555555555"})),
    ));
    assert_eq!(error.name(), "SettingsUnknownTenant");
}

#[wasm_bindgen_test]
fn loaded_settings_give_the_same_badge_as_the_function() {
    let url = format!("https://security.microsoft.com/?tid={FABRIKAM}");
    let loaded = wasm::LoadedSettings::new(settings_with_contoso()).unwrap();
    assert_eq!(
        json_of(&loaded.tab_badge(Some(url.clone())).unwrap()),
        json_of(&wasm::tab_badge(settings_with_contoso(), Some(url)).unwrap())
    );
    assert_eq!(
        json_of(&loaded.tab_badge(None).unwrap()),
        json!({"text": "CONT", "id": CONTOSO, "name": "Contoso", "known": true, "mismatch": false})
    );
    let error = error_of(wasm::LoadedSettings::new(js(json!({"schemaVersion": 99}))).map(|_| ()));
    assert_eq!(error.name(), "SettingsNewerVersion");
}

#[wasm_bindgen_test]
fn import_rows_that_clash_with_policy_tenants_are_rejected() {
    const MANAGED: &str = "3c2b1a0f-9e8d-4c7b-8a69-5f4e3d2c1b0a";
    const ADATUM: &str = "d0bd8401-04a0-4f53-bc15-761e19021d19";
    let managed = || {
        js(json!({"tenants": [{"name": "Managed", "id": MANAGED}, {"name": "Broken", "id": "x"}]}))
    };
    let csv = format!("name,tenant id\nMine,{MANAGED}\nMANAGED,{ADATUM}\nAdatum,{ADATUM}\n");
    let rows = json!([
        {"line": 2, "status": "rejected",
         "error": {"name": "ImportRowManagedTenant", "id": MANAGED, "tenantName": "Managed"}},
        {"line": 3, "status": "rejected",
         "error": {"name": "ImportRowManagedName", "tenantName": "MANAGED", "id": MANAGED}},
        {"line": 4, "status": "rejected",
         "error": {"name": "ImportRowDuplicateId", "id": ADATUM, "firstLine": 3}}
    ]);
    let preview = wasm::preview_import(settings_with_contoso(), csv.as_bytes(), managed()).unwrap();
    assert_eq!(
        json_of(&preview),
        json!({"format": "csv",
               "counts": {"new": 0, "renamed": 0, "unchanged": 0, "rejected": 3},
               "rows": rows})
    );
    let imported =
        wasm::import_tenants(settings_with_contoso(), csv.as_bytes(), managed()).unwrap();
    assert_eq!(json_of(&prop(&imported, "preview")), json_of(&preview));
    assert_eq!(
        json_of(&prop(&imported, "settings")),
        json_of(&settings_with_contoso())
    );
    // Without a policy (argument left out in JS: undefined) the same rows are ordinary.
    let plain =
        wasm::preview_import(settings_with_contoso(), csv.as_bytes(), JsValue::UNDEFINED).unwrap();
    assert_eq!(
        json_of(&prop(&plain, "counts")),
        json!({"new": 2, "renamed": 0, "unchanged": 0, "rejected": 1})
    );
}

#[wasm_bindgen_test]
fn loaded_settings_under_policy_match_the_functions() {
    const MANAGED: &str = "3c2b1a0f-9e8d-4c7b-8a69-5f4e3d2c1b0a";
    let managed = || js(json!({"tenants": [{"name": "Managed", "id": MANAGED}]}));
    let loaded = wasm::LoadedSettings::under_policy(
        settings_with_contoso(),
        managed(),
        Some(MANAGED.into()),
    )
    .unwrap();
    let view =
        wasm::effective_settings(settings_with_contoso(), managed(), Some(MANAGED.into())).unwrap();
    assert_eq!(json_of(&loaded.policy_view().unwrap()), json_of(&view));
    assert_eq!(
        json_of(&loaded.build_rules().unwrap()),
        json_of(&wasm::build_rules(prop(&view, "settings")).unwrap())
    );
    assert_eq!(
        json_of(&loaded.tab_badge(None).unwrap()),
        json!({"text": "MANA", "id": MANAGED, "name": "Managed", "known": true, "mismatch": false})
    );
    let plain = wasm::LoadedSettings::new(settings_with_contoso()).unwrap();
    assert!(plain.policy_view().unwrap().is_null());
    let error = error_of(
        wasm::LoadedSettings::under_policy(js(json!({"schemaVersion": 99})), managed(), None)
            .map(|_| ()),
    );
    assert_eq!(error.name(), "SettingsNewerVersion");
}

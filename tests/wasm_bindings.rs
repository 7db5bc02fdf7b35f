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

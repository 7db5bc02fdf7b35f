//! The JavaScript surface of the core, exercised from wasm: conversions and error objects.
#![cfg(target_arch = "wasm32")]

use js_sys::{Error, Reflect};
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
fn the_engine_takes_json_text_in_and_gives_json_text_out() {
    let input = json!({
        "now": 1_767_225_600_000u64,
        "local": {},
        "labels": {"noTenant": "No tenant"},
    });
    let mut engine = wasm::Engine::start(&input.to_string()).unwrap();
    let initial: serde_json::Value = serde_json::from_str(&engine.initial()).unwrap();
    assert_eq!(initial, json!([{"type": "readPolicy"}]));
    assert_eq!(engine.initial(), "[]", "the start's effects are given once");

    let add = json!({"type": "message", "id": 1, "now": 1_767_225_601_000u64,
        "message": {"what": "applyOperation", "operation": {"op": "addTenant",
            "tenant": {"name": "Contoso", "id": CONTOSO.to_uppercase()}}}});
    let steps: serde_json::Value =
        serde_json::from_str(&engine.handle(&add.to_string()).unwrap()).unwrap();
    let steps = steps.as_array().unwrap();
    assert_eq!(steps[0]["type"], "storageSet");
    assert_eq!(steps[0]["report"], json!({"kind": "store"}));
    assert_eq!(
        steps[0]["items"]["settings"]["tenants"],
        json!([{"name": "Contoso", "id": CONTOSO}])
    );
    let answer = steps.last().unwrap();
    assert_eq!(
        (answer["type"].as_str(), answer["to"].as_u64()),
        (Some("answer"), Some(1))
    );
    assert_eq!(answer["value"]["ok"], json!(true));
    assert_eq!(answer["value"]["state"]["tenantCount"], json!(1));
}

#[wasm_bindgen_test]
fn the_engine_refuses_what_is_not_an_event_with_a_named_js_error() {
    let mut engine = wasm::Engine::start(r#"{"now": 1}"#).unwrap();
    let error = error_of(engine.handle(r#"{"type": "teleport", "now": 2}"#));
    assert_eq!(error.name(), "InvalidArgument");
    assert_eq!(
        prop(&error, "argument").as_string().as_deref(),
        Some("event")
    );
    let error = error_of(wasm::Engine::start("not json").map(|_| ()));
    assert_eq!(error.name(), "InvalidArgument");
    assert_eq!(
        prop(&error, "argument").as_string().as_deref(),
        Some("input")
    );
}

#[wasm_bindgen_test]
fn the_shells_lists_come_from_the_core() {
    let keys: Vec<String> = serde_json::from_str(&wasm::start_keys()).unwrap();
    assert!(keys.contains(&"settings".to_owned()) && keys.contains(&"keptCopies".to_owned()));
    let watched: serde_json::Value = serde_json::from_str(&wasm::watched_keys()).unwrap();
    assert_eq!(watched["local"], json!(["settings"]));
    let fields: serde_json::Value = serde_json::from_str(&wasm::error_fields()).unwrap();
    assert_eq!(
        fields["TenantIdInvalidCharacter"],
        json!(["character", "position"])
    );
    assert_eq!(
        fields["StorageFull"],
        json!(["bytesAvailable", "bytesNeeded"])
    );
}

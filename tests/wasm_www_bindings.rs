//! The link builder page's JavaScript surface (`src/wasm_www.rs`), exercised from wasm: the shapes
//! the page receives and the errors it is thrown.
#![cfg(target_arch = "wasm32")]

use js_sys::{Error, Reflect};
use serde_json::json;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use tenant_switch::wasm_www;

const CONTOSO: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";
const FABRIKAM: &str = "2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710";

fn json_of(value: &JsValue) -> serde_json::Value {
    serde_json::from_str(&js_sys::JSON::stringify(value).unwrap().as_string().unwrap()).unwrap()
}

fn error_of(result: Result<impl std::fmt::Debug, JsValue>) -> Error {
    result.unwrap_err().dyn_into::<Error>().unwrap()
}

fn prop(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

#[wasm_bindgen_test]
fn read_pasted_tenants_gives_tenants_and_rejected_rows() {
    let text = format!("{CONTOSO}\nFabrikam,{FABRIKAM},fabrikam.com\nLitware,x\n");
    assert_eq!(
        json_of(&wasm_www::read_pasted_tenants(text.as_bytes()).unwrap()),
        json!({"format": "lines",
            "tenants": [
                {"line": 1, "id": CONTOSO},
                {"line": 2, "name": "Fabrikam", "id": FABRIKAM, "domain": "fabrikam.com"},
            ],
            "rejected": [{"line": 3, "error": {"name": "TenantIdInvalidCharacter", "character": "x", "position": 1}}]})
    );
}

#[wasm_bindgen_test]
fn unreadable_text_throws_the_import_error() {
    let error = error_of(wasm_www::read_pasted_tenants(b"Company name\nContoso\n"));
    assert_eq!(error.name(), "ImportMissingColumn");
    assert_eq!(prop(&error, "column").as_string().as_deref(), Some("id"));
    let error = error_of(wasm_www::LinkList::new(b"\x89PNG\r\n\x1a\n\0\0").map(|_| ()));
    assert_eq!(error.name(), "ImportBinaryFile");
    let error = error_of(wasm_www::decode_pasted(b"a\n\xFC"));
    assert_eq!(error.name(), "ImportNotUtf8");
    assert_eq!(prop(&error, "line").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
fn file_sizes_are_checked_before_reading() {
    assert!(wasm_www::check_file_size(10_485_760.0).is_ok());
    let error = error_of(wasm_www::check_file_size(10_485_761.0));
    assert_eq!(error.name(), "ImportTooLarge");
    assert_eq!(prop(&error, "size").as_f64(), Some(10_485_761.0));
    assert_eq!(prop(&error, "limit").as_f64(), Some(10_485_760.0));
    assert_eq!(
        error_of(wasm_www::check_file_size(f64::NAN)).name(),
        "InvalidArgument"
    );
}

#[wasm_bindgen_test]
fn link_list_pages_filters_and_saves_bookmarks() {
    let text = format!("Contoso,{CONTOSO}\nFabrikam,{FABRIKAM}\nnot an id\n");
    let list = wasm_www::LinkList::new(text.as_bytes()).unwrap();
    assert_eq!(
        json_of(&list.summary().unwrap()),
        json!({"format": "lines", "count": 2, "rejected": [
            {"line": 3, "error": {"name": "TenantIdInvalidCharacter", "character": "n", "position": 1}}]})
    );
    assert_eq!(
        json_of(&list.page("fab", 0, 100).unwrap()),
        json!({"total": 1, "offset": 0, "tenants": [{"line": 2, "name": "Fabrikam", "id": FABRIKAM,
            "link": format!("https://security.microsoft.com/?tid={FABRIKAM}")}]})
    );
    assert_eq!(
        json_of(&list.page("", 9, 1).unwrap())["offset"],
        json!(1),
        "past the end: the last page"
    );
    let file = list
        .bookmarks_file("Tenant Switch", JsValue::UNDEFINED)
        .unwrap();
    assert!(file.starts_with("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n"));
    assert!(file.contains(&format!(
        "        <DT><H3>Contoso</H3>\n        <DL><p>\n            <DT><A HREF=\"https://security.microsoft.com/?tid={CONTOSO}\">Microsoft Defender</A>\n"
    )));
}

#[wasm_bindgen_test]
fn bookmarks_take_the_page_s_portal_names() {
    let list = wasm_www::LinkList::new(format!("Contoso,{CONTOSO}\n").as_bytes()).unwrap();
    let names =
        js_sys::JSON::parse(r#"{"defenderIncidents": "Vorfälle", "azure": "Azure-Portal"}"#)
            .unwrap();
    let file = list.bookmarks_file("Tenant Switch", names).unwrap();
    assert!(file.contains(&format!(
        "<DT><A HREF=\"https://security.microsoft.com/incidents?tid={CONTOSO}\">Vorfälle</A>\n"
    )));
    assert!(file.contains(&format!(
        "<DT><A HREF=\"https://portal.azure.com/{CONTOSO}\">Azure-Portal</A>\n"
    )));
    // A portal the page does not name keeps the catalogue's name.
    assert!(file.contains(&format!(
        "<DT><A HREF=\"https://security.microsoft.com/alerts?tid={CONTOSO}\">Alerts</A>\n"
    )));
    let error = error_of(list.bookmarks_file("Tenant Switch", JsValue::from_f64(1.0)));
    assert_eq!(error.name(), "InvalidArgument");
    assert_eq!(
        prop(&error, "argument").as_string().as_deref(),
        Some("portalNames")
    );
}

#[wasm_bindgen_test]
fn portal_links_are_the_extension_s_menu_items() {
    let text = format!(
        "name,tenant id,domain,initialDomain\nContoso,{CONTOSO},contoso.com,contoso.onmicrosoft.com\nFabrikam,{FABRIKAM},,\n"
    );
    let list = wasm_www::LinkList::new(text.as_bytes()).unwrap();
    let contoso = json_of(&list.portal_links(&CONTOSO.to_uppercase()).unwrap());
    assert_eq!(contoso.as_array().unwrap().len(), 14);
    assert_eq!(
        contoso[11],
        json!({"id": "teams", "group": "admin", "partnerOnly": true,
            "url": "https://admin.teams.microsoft.com/?delegatedOrg=contoso.onmicrosoft.com"})
    );
    let fabrikam = json_of(&list.portal_links(FABRIKAM).unwrap());
    assert_eq!(
        fabrikam[9],
        json!({"id": "m365", "group": "admin", "partnerOnly": true, "missing": "initialDomain"})
    );
    assert_eq!(
        error_of(list.portal_links("not an id")).name(),
        "TenantIdInvalidCharacter"
    );
    let error = error_of(list.portal_links("9d4c3b2a-1e0f-4a5b-8c7d-6e5f4a3b2c1d"));
    assert_eq!(error.name(), "InvalidArgument");
    assert_eq!(prop(&error, "argument").as_string().as_deref(), Some("id"));
}

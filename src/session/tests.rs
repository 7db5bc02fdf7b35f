//! The session's fixtures: `tests/fixtures/session/*.json`, each a start and a list of events,
//! with the exact effects expected after each, as whole JSON.
//!
//! A fixture is `{"description", "start": <StartInput>, "expect": [<step>...], "events":
//! [{"note", "event": <Event>, "expect": [<step>...]}]}`. A `"$tenant:<name>"` string anywhere
//! in `start` or `event` stands for the tenant ID of that name in `tests/fixtures/session/
//! tenants.json`, so that fixtures stay readable; expected effects spell IDs out.

use serde_json::{json, Value};

use super::*;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

const TENANTS: &str = include_str!("../../tests/fixtures/session/tenants.json");

macro_rules! fixtures {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../tests/fixtures/session/", $name, ".json")))),*]
    };
}

/// Every fixture file, by name.
const FIXTURES: &[(&str, &str)] = fixtures![
    "fresh-install",
    "tab-keeps-its-tenant",
    "opened-tabs-inherit",
    "pick-tenant",
    "rule-priorities",
    "rewrite-off",
    "rejected-settings",
    "recovery",
    "store-fails",
    "restart",
    "policy",
    "backups-and-undo",
    "import-export",
    "import-match",
    "restore-confirm",
    "sync",
    "messages",
    "migration-v1",
    "storage-full",
    "identity",
    "portals",
    "late-echo",
];

/// Replaces `"$tenant:<name>"` by the tenant's ID.
fn expand(value: &Value, tenants: &Value) -> Value {
    match value {
        Value::String(text) => match text.strip_prefix("$tenant:") {
            Some(name) => tenants
                .get(name)
                .cloned()
                .unwrap_or_else(|| panic!("no tenant {name} in tenants.json")),
            None => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| expand(v, tenants)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), expand(v, tenants)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn steps(steps: &[Step]) -> Value {
    serde_json::to_value(steps).unwrap()
}

/// Runs one fixture; returns what differs (empty when all matched), and the fixture with the
/// actual effects filled in (for a reviewer to compare with `git diff`).
fn run(name: &str, text: &str, tenants: &Value) -> (Vec<String>, Value) {
    let mut fixture: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut failures = Vec::new();
    let input: StartInput = serde_json::from_value(expand(&fixture["start"], tenants))
        .unwrap_or_else(|e| panic!("{name}: start: {e}"));
    let (mut session, started) = Session::start(input);
    let actual = steps(&started);
    if actual != fixture["expect"] {
        failures.push(format!(
            "{name}: start\n expected {}\n actual   {}",
            fixture["expect"], actual
        ));
    }
    fixture["expect"] = actual;
    let events = fixture["events"].as_array().cloned().unwrap_or_default();
    for (index, case) in events.iter().enumerate() {
        let event: Event = serde_json::from_value(expand(&case["event"], tenants))
            .unwrap_or_else(|e| panic!("{name}: event {index}: {e}"));
        let actual = steps(&session.handle(event));
        if actual != case["expect"] {
            failures.push(format!(
                "{name}: event {index} ({})\n expected {}\n actual   {}",
                case["note"], case["expect"], actual
            ));
        }
        fixture["events"][index]["expect"] = actual;
    }
    (failures, fixture)
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn fixtures_give_exactly_the_expected_effects() {
    let tenants: Value = serde_json::from_str(TENANTS).unwrap();
    let mut failures = Vec::new();
    for (name, text) in FIXTURES {
        let (failed, _actual) = run(name, text, &tenants);
        #[cfg(not(target_arch = "wasm32"))]
        if !failed.is_empty() {
            // Written beside the fixture for review; never read by the test.
            let path = format!(
                "{}/target/session-actual/{name}.json",
                env!("CARGO_MANIFEST_DIR")
            );
            let _ = std::fs::create_dir_all(std::path::Path::new(&path).parent().unwrap());
            let _ = std::fs::write(
                &path,
                serde_json::to_string_pretty(&_actual).unwrap() + "\n",
            );
        }
        failures.extend(failed);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The fixtures cover every message, every event and every effect.
#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn fixtures_cover_every_message_event_and_effect() {
    let mut messages = std::collections::BTreeSet::new();
    let mut events = std::collections::BTreeSet::new();
    let mut effects = std::collections::BTreeSet::new();
    for (_, text) in FIXTURES {
        let fixture: Value = serde_json::from_str(text).unwrap();
        let mut all = vec![fixture["expect"].clone()];
        for case in fixture["events"].as_array().unwrap() {
            events.insert(case["event"]["type"].as_str().unwrap().to_owned());
            if let Some(what) = case["event"]["message"]["what"].as_str() {
                messages.insert(what.to_owned());
            }
            all.push(case["expect"].clone());
        }
        for list in all {
            for step in list.as_array().unwrap() {
                effects.insert(step["type"].as_str().unwrap().to_owned());
            }
        }
    }
    for what in [
        "getState",
        "picker",
        "listTenants",
        "pickTenant",
        "applyOperation",
        "undoDelete",
        "previewImport",
        "importRows",
        "importTenants",
        "discardImport",
        "exportTenants",
        "restoreBackup",
        "discardKeptCopy",
        "exportKeptCopy",
        "resetSettings",
        "setSyncEnabled",
        "portalLink",
        "openPortal",
        "pageTenant",
    ] {
        assert!(messages.contains(what), "no fixture sends {what}");
    }
    for event in [
        "message",
        "tabCreated",
        "tabUpdated",
        "tabRemoved",
        "tabReplaced",
        "storageChanged",
        "policyChanged",
        "policyRead",
        "hostAccess",
        "timer",
        "read",
        "effectFailed",
    ] {
        assert!(events.contains(event), "no fixture has the event {event}");
    }
    for effect in [
        "storageSet",
        "storageRemove",
        "read",
        "readPolicy",
        "updateDynamicRules",
        "updateSessionRules",
        "setBadge",
        "updateTab",
        "createTab",
        "setTimer",
        "answer",
    ] {
        assert!(effects.contains(effect), "no fixture expects {effect}");
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn a_start_that_finds_what_it_wants_changes_nothing() {
    let tenants: Value = serde_json::from_str(TENANTS).unwrap();
    let contoso = tenants["Contoso"].clone();
    let settings = json!({"schemaVersion": 3, "tenants": [{"name": "Contoso", "id": contoso}],
        "defaultTenant": contoso, "automaticRewrite": true, "recentTenants": [contoso],
        "favourites": [], "tenantColours": {}, "tenantLabels": {contoso.as_str().unwrap(): "CONT"},
        "pageOptions": {"titlePrefix": true, "colourLine": true, "banner": false}});
    let rules = crate::rules::default_rules(
        TenantId::parse(contoso.as_str().unwrap()).ok(),
        &crate::portal::Scope::defender(),
    );
    let input: StartInput = serde_json::from_value(json!({
        "now": 1,
        "local": {"settings": settings, "lastPolicy": {"seenAt": 1, "managed": null}},
        "session": {"tabs": {}, "revision": 3},
        "dynamicRules": rules,
        "sessionRules": [],
        "tabs": [],
    }))
    .unwrap();
    let (_, started) = Session::start(input);
    assert_eq!(steps(&started), json!([{"type": "readPolicy"}]));
}

/// The stored data of earlier releases (`tests/fixtures/previous-release/`), exactly as real
/// profiles hold it, starts a usable session: nothing lost, the tenant for new tabs kept, its
/// rules installed, the settings stored in this version's schema. (The end-to-end update test
/// cannot run in Debian's Chromium; see tests/e2e/faults.test.mjs.)
#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn previous_releases_storage_starts_a_usable_session() {
    const FABRIKAM: &str = "0b8f4e2a-1d3c-4f5e-8a7b-9c0d1e2f3a4b";
    let files = [
        (
            "v0-prototype.json",
            include_str!("../../tests/fixtures/previous-release/v0-prototype.json"),
            false,
        ),
        (
            "v1-release.json",
            include_str!("../../tests/fixtures/previous-release/v1-release.json"),
            false,
        ),
        (
            "v1-storage.json",
            include_str!("../../tests/fixtures/previous-release/v1-storage.json"),
            true,
        ),
    ];
    for (name, text, whole_storage) in files {
        let data: Value = serde_json::from_str(text).unwrap();
        let local = if whole_storage {
            data
        } else {
            json!({ "settings": data })
        };
        let input: StartInput = serde_json::from_value(json!({
            "dynamicRules": [], "sessionRules": [], "hostAccess": true,
            "labels": {"noTenant": "Home tenant"}, "local": local, "session": {},
            "tabs": [], "unlimitedStorage": true, "now": 1_767_225_600_000u64,
        }))
        .unwrap();
        let (mut session, started) = Session::start(input);
        let started = steps(&started);
        let effects = started.as_array().unwrap();
        let stored = effects
            .iter()
            .find_map(|step| step["items"].get("settings"))
            .unwrap_or_else(|| panic!("{name}: the settings are stored as this version's"));
        assert_eq!(stored["schemaVersion"], json!(5), "{name}");
        assert_eq!(stored["defaultTenant"], json!(FABRIKAM), "{name}");
        assert_eq!(stored["tenants"].as_array().unwrap().len(), 3, "{name}");
        let rules = effects
            .iter()
            .find(|step| step["type"] == "updateDynamicRules")
            .unwrap_or_else(|| panic!("{name}: rules are installed"));
        assert!(rules["addRules"].to_string().contains(FABRIKAM), "{name}");
        let answer = steps(&session.handle(
            serde_json::from_value(json!({
                "type": "message", "id": 1, "message": {"what": "getState"}, "now": 1_767_225_601_000u64,
            }))
            .unwrap(),
        ));
        let state = &answer[0]["value"]["state"];
        assert_eq!(state["usable"], json!(true), "{name}");
        assert_eq!(state["tenantCount"], json!(3), "{name}");
        assert_eq!(state["defaultTenant"]["id"], json!(FABRIKAM), "{name}");
    }
}

//! Stored settings: whatever JSON storage holds, `Settings::load` returns settings or an error,
//! and settings that load store and load again unchanged. The same JSON read as an operation is
//! applied to settings with one tenant.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use tenant_switch::portal::Scope;
use tenant_switch::rules::default_rules;
use tenant_switch::settings::{Operation, Settings};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Ok(settings) = Settings::load(Some(&value)) {
        assert_eq!(
            Settings::load(Some(&settings.to_stored())),
            Ok(settings.clone())
        );
        let _ = default_rules(settings.default_tenant_id(), &Scope::defender());
    }
    let base = json!({
        "schemaVersion": 1,
        "tenants": [{"name": "Contoso", "id": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"}],
        "activeTenant": null,
        "automaticRewrite": true,
        "recentTenants": []
    });
    let Ok(base) = Settings::load(Some(&base)) else {
        return;
    };
    if let Ok(operation) = Operation::from_value(&value) {
        if let Ok(next) = base.apply(operation) {
            assert_eq!(Settings::load(Some(&next.to_stored())), Ok(next.clone()));
        }
    }
});

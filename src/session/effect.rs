//! What the session asks the browser to do: effects, run by the background in order.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::rules::Rule;

/// A storage area of the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Area {
    /// `storage.local`: the settings and everything that must survive a browser restart.
    Local,
    /// `storage.session`: the tabs' tenants; lost when the browser stops, like the tabs.
    Session,
    /// `storage.sync`: the opt-in replica of the tenant list.
    Sync,
}

/// A text the background looks up in `_locales` (`getMessage(key, args)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text {
    /// The message name.
    pub key: &'static str,
    /// Its substitutions, in placeholder order.
    pub args: Vec<String>,
}

impl Text {
    pub(crate) fn new(key: &'static str, args: Vec<String>) -> Self {
        Self { key, args }
    }
}

/// One thing for the browser to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Effect {
    /// `storage.<area>.set(items)`: one write, all items or none.
    StorageSet {
        area: Area,
        items: Map<String, Value>,
    },
    /// `storage.<area>.remove(keys)`.
    StorageRemove { area: Area, keys: Vec<String> },
    /// `storage.<area>.get(keys)` (`null`: everything); the values come back as the event
    /// [`super::Event::Read`] with the same `token`.
    Read {
        area: Area,
        keys: Option<Vec<String>>,
        token: u64,
    },
    /// `storage.managed.get()`; comes back as [`super::Event::PolicyRead`].
    ReadPolicy,
    /// `declarativeNetRequest.updateDynamicRules`.
    UpdateDynamicRules {
        remove_rule_ids: Vec<u32>,
        add_rules: Vec<Rule>,
    },
    /// `declarativeNetRequest.updateSessionRules`.
    UpdateSessionRules {
        remove_rule_ids: Vec<u32>,
        add_rules: Vec<Rule>,
    },
    /// Removes every dynamic and session rule the extension has (when what the browser holds
    /// is not known).
    RemoveAllRules,
    /// The toolbar badge of one tab: text, background colour and tooltip.
    SetBadge {
        tab_id: i64,
        text: Text,
        color: String,
        title: Text,
    },
    /// `tabs.update(tabId, {url})`: loads the tab at `url`.
    UpdateTab { tab_id: i64, url: String },
    /// `tabs.create({url, active, openerTabId})`.
    CreateTab {
        url: String,
        active: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        opener_tab_id: Option<i64>,
    },
    /// `scripting.registerContentScripts(scripts)`: the portal content scripts of an opt-in
    /// portal ([`portal_scripts`]).
    RegisterContentScripts { scripts: Vec<ContentScript> },
    /// `scripting.unregisterContentScripts({ids})`.
    UnregisterContentScripts { ids: Vec<String> },
    /// `permissions.remove({origins})`: gives up the host access of a portal the analyst
    /// turned off.
    RemoveHostAccess { origins: Vec<String> },
    /// `tabs.sendMessage(tabId, message)` to the content script of a portal tab.
    SendToTab { tab_id: i64, message: Value },
    /// Calls back with [`super::Event::Timer`] named `name` after `delay_ms` (replacing a timer
    /// of that name).
    SetTimer { name: String, delay_ms: u64 },
    /// The answer to the page message `to`.
    Answer { to: u64, value: Value },
}

/// What a failed effect means to the session; without one, a failure is only logged and the
/// background goes on with the next effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Report {
    /// Writing the settings (and what goes with them) failed: nothing of the change is in force.
    Store,
    /// Keeping a copy of rejected settings failed.
    KeepCopy,
    /// Replacing the rules failed.
    Rules,
    /// A write to `storage.sync` failed.
    SyncWrite,
    /// A read failed; the continuation `token` gets nothing.
    Read { token: u64 },
}

/// An effect with what its failure means, as the background receives it:
/// `{"type": "storageSet", ..., "report": {"kind": "store"}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// What to do.
    #[serde(flatten)]
    pub effect: Effect,
    /// When present, a failure stops the rest of this batch and is reported back as
    /// [`super::Event::EffectFailed`] with this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
}

impl From<Effect> for Step {
    fn from(effect: Effect) -> Self {
        Self {
            effect,
            report: None,
        }
    }
}

impl Effect {
    /// This effect, whose failure is reported as `report`.
    pub(crate) fn reported(self, report: Report) -> Step {
        Step {
            effect: self,
            report: Some(report),
        }
    }
}

/// One dynamically registered content script, as `scripting.registerContentScripts` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentScript {
    /// `<portal>.tenant` or `<portal>.open`: the portal is what a worker start reads back.
    pub id: String,
    /// The portal's origins.
    pub matches: Vec<String>,
    /// The script file, the same the manifest declares for the Defender hosts.
    pub js: [&'static str; 1],
    /// Always `document_start`: the title and the `tid` are known before the portal's scripts run.
    pub run_at: &'static str,
    /// Always `false`: the portal's frames are not the tab.
    pub all_frames: bool,
    /// `MAIN` for the script that must see the portal's own `window.open`; the isolated world
    /// otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub world: Option<&'static str>,
}

/// The two content scripts of the manifest's Defender entry, for `portal` on `matches`: the
/// tenant on the page (isolated world) and the opener that keeps new windows in the tab's
/// tenant (page world).
pub fn portal_scripts(portal: &str, matches: &[String]) -> Vec<ContentScript> {
    let script = |suffix: &str, file: &'static str, world: Option<&'static str>| ContentScript {
        id: format!("{portal}.{suffix}"),
        matches: matches.to_vec(),
        js: [file],
        run_at: "document_start",
        all_frames: false,
        world,
    };
    vec![
        script("tenant", "content/portal-tenant.js", None),
        script("open", "content/portal-open.js", Some("MAIN")),
    ]
}

/// The IDs [`portal_scripts`] gives `portal`'s scripts.
pub fn portal_script_ids(portal: &str) -> Vec<String> {
    vec![format!("{portal}.tenant"), format!("{portal}.open")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An opt-in portal gets exactly the scripts the manifest declares for the Defender hosts,
    /// in the same order, with the same timing and world (the manifest's keys are snake_case,
    /// `scripting.registerContentScripts` takes camelCase).
    #[test]
    fn portal_scripts_are_the_manifests_defender_scripts() {
        let manifest: Value =
            serde_json::from_str(include_str!("../../extension/manifest.json")).unwrap_or_default();
        let declared: Vec<Value> = manifest["content_scripts"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|entry| {
                        json!({"js": entry["js"], "runAt": entry["run_at"],
                            "allFrames": entry["all_frames"], "world": entry.get("world")})
                    })
                    .collect()
            })
            .unwrap_or_default();
        let registered: Vec<Value> = portal_scripts("purview", &["https://p.example/*".into()])
            .iter()
            .map(|script| {
                json!({"js": script.js, "runAt": script.run_at,
                    "allFrames": script.all_frames, "world": script.world})
            })
            .collect();
        assert_eq!(declared.len(), 2);
        assert_eq!(registered, declared);
        assert_eq!(
            portal_scripts("purview", &[])
                .into_iter()
                .map(|script| script.id)
                .collect::<Vec<_>>(),
            portal_script_ids("purview")
        );
    }
}

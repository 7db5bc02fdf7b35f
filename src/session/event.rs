//! What happens to the session: events, each carrying `now` (milliseconds since the epoch, the
//! background's clock), so the session itself reads no clock.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::effect::{Area, Report};

/// A tab as `tabs.query`, `tabs.get` and `tabs.onCreated` describe it. Without the `tabs`
/// permission the browser gives `url` and `pendingUrl` only for the portal hosts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TabInfo {
    /// The tab's ID.
    pub id: i64,
    /// The committed address, when the browser reveals it.
    #[serde(default)]
    pub url: Option<String>,
    /// The address being loaded, when the browser reveals it.
    #[serde(default)]
    pub pending_url: Option<String>,
    /// The tab that opened this one (a link with `target=_blank`, middle-click, `window.open`).
    #[serde(default)]
    pub opener_tab_id: Option<i64>,
}

/// Who sent a page message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sender {
    /// The tab of a content script; `None` for the extension's own pages.
    #[serde(default)]
    pub tab_id: Option<i64>,
    /// The address of the sending document.
    #[serde(default)]
    pub url: Option<String>,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Event {
    /// A page (popup, options, content script) sent `message`; answer with
    /// [`super::Effect::Answer`] `to: id`.
    Message {
        id: u64,
        message: Value,
        #[serde(default)]
        sender: Sender,
        now: u64,
    },
    /// `tabs.onCreated`.
    TabCreated { tab: TabInfo, now: u64 },
    /// `tabs.onUpdated`: the tab committed a new address (`url`, when it changed and the
    /// browser reveals it), or its loading `status` changed. `hidden`: the browser hides the
    /// tab's address, so it shows a page that is not on a portal host.
    TabUpdated {
        tab_id: i64,
        #[serde(default)]
        url: Option<String>,
        #[serde(default)]
        status: Option<String>,
        #[serde(default)]
        hidden: bool,
        now: u64,
    },
    /// `tabs.onRemoved`.
    TabRemoved { tab_id: i64, now: u64 },
    /// `tabs.onReplaced`: a prerendered tab took the place of another.
    TabReplaced {
        added_tab_id: i64,
        removed_tab_id: i64,
        now: u64,
    },
    /// `storage.onChanged` for `area`: `{key: {oldValue?, newValue?}}`.
    StorageChanged {
        area: Area,
        changes: Map<String, Value>,
        now: u64,
    },
    /// The enterprise policy changed (`storage.onChanged` for `managed`); read it again.
    PolicyChanged { now: u64 },
    /// What `storage.managed.get()` gave (`{}` without a policy).
    PolicyRead { managed: Value, now: u64 },
    /// The portal host permissions were granted or withdrawn: `granted` for the Defender hosts,
    /// `origins` (`permissions.getAll().origins`, when the background sends it) for the opt-in
    /// portals.
    HostAccess {
        granted: bool,
        #[serde(default)]
        origins: Option<Vec<String>>,
        now: u64,
    },
    /// A timer set by [`super::Effect::SetTimer`] fired.
    Timer { name: String, now: u64 },
    /// What a [`super::Effect::Read`] read.
    Read {
        token: u64,
        values: Map<String, Value>,
        now: u64,
    },
    /// An effect with a [`Report`] failed; the rest of its batch was not run.
    EffectFailed {
        report: Report,
        #[serde(default)]
        error: Value,
        now: u64,
    },
}

impl Event {
    /// When it happened.
    pub fn now(&self) -> u64 {
        match self {
            Self::Message { now, .. }
            | Self::TabCreated { now, .. }
            | Self::TabUpdated { now, .. }
            | Self::TabRemoved { now, .. }
            | Self::TabReplaced { now, .. }
            | Self::StorageChanged { now, .. }
            | Self::PolicyChanged { now }
            | Self::PolicyRead { now, .. }
            | Self::HostAccess { now, .. }
            | Self::Timer { now, .. }
            | Self::Read { now, .. }
            | Self::EffectFailed { now, .. } => *now,
        }
    }
}

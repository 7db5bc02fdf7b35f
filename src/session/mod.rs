//! The engine: one sans-IO session that decides everything the extension does.
//!
//! The background service worker builds a [`Session`] at every wake from what the browser holds
//! ([`Session::start`]: `storage.local`, `storage.session`, the installed rules, the open tabs),
//! then feeds it every [`Event`] (page messages, tab events, storage changes, timers, the answers
//! to its reads, failed effects), each carrying `now`, and carries out the [`Step`]s it returns,
//! in order. The session reads no clock and no random source and does no I/O, so every test is
//! events in, effects out, as whole JSON (`tests/fixtures/session/`).
//!
//! What the session guarantees:
//! - **Every tab keeps its own tenant** ([`tabs`]): per-tab session rules send a tab's
//!   navigations without `tid` to its tenant; the default rules cover tabs without one.
//! - **Fail closed, lose nothing.** When the stored settings cannot be read, the rules are
//!   removed before anything else, the value is kept aside untouched ([`store`]), and pages are
//!   told in words; nothing overwrites it except a recovery the user asks for. A change is
//!   answered only after it is stored; a failed write leaves the session as it was.
//! - **Only the differences**: a start emits nothing when the browser already holds what the
//!   session wants; rules are replaced only when they change; badges only when they change.

mod directory;
pub mod effect;
pub mod event;
pub mod importing;
pub mod messages;
pub mod store;
pub mod sync;
pub mod tabs;
mod view;

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::error::UiError;
use crate::policy::{self, PolicyReport};
use crate::portal::Scope;
use crate::rules::{self, Rule};
use crate::settings::{Operation, Removed, Settings, SettingsError};
use crate::tenant_id::TenantId;

pub use effect::{Area, Effect, Report, Step, Text};
pub use event::{Event, Sender, TabInfo};

use directory::Directory;
use store::{BackupEntry, KeptCopy};
use sync::{SyncLimits, SyncRuntime};
use tabs::{Tabs, Untagged};
use view::BadgeView;

/// The `storage.session` key pages watch: it changes whenever what they show may have changed.
pub const REVISION_KEY: &str = "revision";
/// The `storage.session` key of a deletion that can still be undone.
pub const UNDO_KEY: &str = "undo";
/// At most this many writes of `settings` wait for their echo; older fingerprints are dropped.
const MAX_PENDING_ECHOES: usize = 64;

/// The `storage.onChanged` keys the session reads, by area, as key prefixes: the settings
/// (written by anyone but the session) and the sync items (written by another browser).
pub fn watched_keys() -> BTreeMap<&'static str, Vec<&'static str>> {
    BTreeMap::from([
        ("local", vec![store::SETTINGS_KEY]),
        (
            "sync",
            vec![crate::sync::MANIFEST_KEY, crate::sync::CHUNK_KEY_PREFIX],
        ),
    ])
}

/// What the background reads for [`Session::start`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartInput {
    /// When the worker started.
    pub now: u64,
    /// `storage.local.get(`[`store::START_KEYS`]`)`.
    #[serde(default)]
    pub local: Map<String, Value>,
    /// `storage.session.get(null)`.
    #[serde(default)]
    pub session: Map<String, Value>,
    /// `declarativeNetRequest.getDynamicRules()`.
    #[serde(default)]
    pub dynamic_rules: Vec<Value>,
    /// `declarativeNetRequest.getSessionRules()`.
    #[serde(default)]
    pub session_rules: Vec<Value>,
    /// `tabs.query({})`.
    #[serde(default)]
    pub tabs: Vec<TabInfo>,
    /// Whether the portal host permissions are granted.
    #[serde(default = "granted")]
    pub host_access: bool,
    /// `permissions.getAll().origins`: tells which opt-in portals the analyst granted.
    #[serde(default)]
    pub origins: Vec<String>,
    /// The IDs of `scripting.getRegisteredContentScripts()`: the content scripts registered
    /// for opt-in portals (`<portal>.tenant`, `<portal>.open`).
    #[serde(default)]
    pub content_scripts: Vec<String>,
    /// Whether `unlimitedStorage` is granted (then `storage.local` has no quota to check).
    #[serde(default)]
    pub unlimited_storage: bool,
    /// `storage.local.QUOTA_BYTES`, when the browser publishes it.
    #[serde(default)]
    pub local_quota_bytes: Option<usize>,
    /// `storage.sync`'s published limits.
    #[serde(default)]
    pub sync_limits: SyncLimits,
    /// The UI's words the session searches for: `{noTenant}`.
    #[serde(default)]
    pub labels: Labels,
}

fn granted() -> bool {
    true
}

/// The opt-in portals turned on in `settings` whose every origin is granted.
fn opted_in<'a>(
    settings: &'a Settings,
    env: &'a Env,
) -> impl Iterator<Item = &'static crate::portals::Portal> + 'a {
    settings
        .portals()
        .rewrite
        .iter()
        .filter_map(|id| crate::portals::find(id))
        .filter(|portal| {
            crate::portals::origins(portal)
                .iter()
                .all(|origin| env.origins.contains(origin))
        })
}

fn scope_of(directory: &Result<Rc<Directory>, Problem>, env: &Env) -> Scope {
    match directory {
        Ok(directory) => Scope::with_portals(
            opted_in(&directory.effective.settings, env).map(|portal| portal.id),
        ),
        Err(_) => Scope::defender(),
    }
}

/// The UI's own words that a search must find.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Labels {
    /// What the popup calls the analyst's home tenant.
    pub no_tenant: String,
}

impl Default for Labels {
    fn default() -> Self {
        Self {
            no_tenant: "No tenant".to_owned(),
        }
    }
}

/// What does not change while the worker runs, and what the browser says of itself.
#[derive(Debug, Clone)]
struct Env {
    host_access: bool,
    /// Granted origins, for the opt-in portals.
    origins: BTreeSet<String>,
    unlimited_storage: bool,
    local_quota_bytes: usize,
    sync_limits: SyncLimits,
    labels: Labels,
}

/// Stored settings the core cannot read.
#[derive(Debug, Clone, PartialEq)]
struct Problem {
    error: SettingsError,
    /// The stored value as found.
    data: Value,
    /// Whether a copy of it is kept in `keptCopies`; the error when keeping it failed.
    copy_error: Option<Value>,
}

/// The enterprise policy in force.
#[derive(Debug, Clone, Default)]
struct PolicyState {
    /// The managed object as last read.
    managed: Option<Value>,
    report: PolicyReport,
    /// When it was read.
    seen_at: Option<u64>,
    /// Whether the browser has answered since the worker started (until then the policy is the
    /// one last seen).
    current: bool,
}

/// A continuation: what to do with the values a [`Effect::Read`] brings back.
#[derive(Debug, Clone, PartialEq)]
enum Pending {
    /// Restore backup `id` (`confirm`: the analyst confirmed the removals), then answer
    /// `reply`.
    Restore { reply: u64, id: u64, confirm: bool },
    /// One sync step.
    SyncStep,
    /// Turning sync on, then answer `reply`.
    SyncEnable { reply: u64 },
}

/// A deletion that can still be undone.
#[derive(Debug, Clone, PartialEq)]
struct Undo {
    removed: Removed,
    /// The deletion made this the default's place: restore the policy tenant choice too.
    managed_active: Option<TenantId>,
}

/// Everything the session holds; cloned before a change so that a failed write can be undone.
#[derive(Debug, Clone)]
struct Core {
    env: Env,
    /// Shared, so that keeping the state to go back to (a [`Rollback`]) copies no tenant list:
    /// a directory is never changed, only replaced.
    directory: Result<Rc<Directory>, Problem>,
    policy: PolicyState,
    managed_active: Option<TenantId>,
    kept: Vec<KeptCopy>,
    backups: Vec<BackupEntry>,
    set_aside: Vec<Value>,
    tabs: Tabs,
    /// The rules the browser holds; `None` when not known (after a failed update).
    dynamic: Option<Vec<Rule>>,
    session_rules: Option<Vec<Rule>>,
    rules_error: Option<Value>,
    badges: BTreeMap<i64, BadgeView>,
    /// What each portal tab's content script was last told (`page_identity`).
    identities: BTreeMap<i64, Value>,
    /// The tabs map as last written to `storage.session`.
    stored_tabs: Value,
    /// The opt-in portals whose content scripts are registered; `None` when not known.
    portal_scripts: Option<BTreeSet<String>>,
    sync: SyncRuntime,
    pending: BTreeMap<u64, Pending>,
    next_token: u64,
    undo: Option<Undo>,
    /// The file `previewImport` judged, until it is applied or discarded (shared: the core is
    /// cloned before every change).
    import: Option<std::sync::Arc<importing::HeldImport>>,
    /// The last restore that asked for confirmation: the backup and the tenants it removes.
    restore_question: Option<(u64, Vec<TenantId>)>,
    revision: u64,
    /// Fingerprints of what the session wrote under `settings` whose `storage.onChanged` echo
    /// has not come back yet, oldest first: several writes can be in flight, and the echo of
    /// an earlier one must not be taken for someone else's edit (which would undo the later
    /// ones).
    written_settings: std::collections::VecDeque<u64>,
    /// Bytes each `storage.local` key takes, as far as the session knows.
    sizes: BTreeMap<String, usize>,
}

/// The state to go back to when the write of a change fails, and whom to tell.
#[derive(Debug, Clone)]
struct Rollback {
    core: Box<Core>,
    reply: Option<u64>,
    /// The change was a deletion with a backup: try again without the backup.
    retry_without_backup: Option<Box<Commit>>,
}

/// One change to store: new settings, and what goes with them in the same write.
#[derive(Debug, Clone, Default)]
struct Commit {
    settings: Option<Settings>,
    managed_active: Option<Option<TenantId>>,
    /// Keep the list as it was, for this reason.
    backup: Option<&'static str>,
    /// Replace the backups index (a restore).
    backups: Option<Vec<BackupEntry>>,
    /// Payload keys to remove with the write.
    remove: Vec<String>,
    /// Extra items to write with it.
    items: Map<String, Value>,
    /// Effects to run once it is stored and the browser is up to date, before the answer.
    then: Vec<Effect>,
    /// The tab the analyst moved to another tenant with this change.
    tab_choice: Option<(i64, tabs::TabTenant)>,
    /// The deletion this change makes undoable (`Some(None)`: none any more).
    undo: Option<Option<Undo>>,
    /// The change deletes tenants: backups never block it.
    deletion: bool,
    /// Remove `remove` before the write (to make room), not after it.
    remove_first: bool,
    /// The change applies the held import: forget it once the write is on its way.
    import_done: bool,
}

/// The effects of one event, in order.
#[derive(Debug, Default)]
struct Out {
    steps: Vec<Step>,
}

impl Out {
    fn push(&mut self, effect: Effect) {
        self.steps.push(effect.into());
    }
    fn reported(&mut self, effect: Effect, report: Report) {
        self.steps.push(effect.reported(report));
    }
    fn answer(&mut self, to: u64, value: Value) {
        self.push(Effect::Answer { to, value });
    }
}

/// The extension's engine. See the [module docs](self).
#[derive(Debug)]
pub struct Session {
    core: Core,
    rollback: Option<Rollback>,
    /// The answers of the last batch that come after one of its rule updates: when the browser
    /// refuses the rules, the rest of the batch is not run, and these are sent again from the
    /// failure (the change itself is stored).
    after_rules: Vec<(u64, Value)>,
}

impl Session {
    /// Builds the session from what the browser holds and returns the effects that bring the
    /// browser to what the session wants: when the stored settings cannot be read, the removal
    /// of every rule first; the layout migration of an update; the rules, badges and tab tenants
    /// that differ; the reading of the enterprise policy (applied when it arrives); a sync step.
    pub fn start(input: StartInput) -> (Self, Vec<Step>) {
        let now = input.now;
        let stored = store::migrate(&input.local, now);
        let policy = match input.local.get(store::LAST_POLICY_KEY) {
            Some(Value::Object(last)) => PolicyState {
                managed: last.get("managed").cloned().and_then(some_policy),
                report: policy::parse(last.get("managed")),
                seen_at: last.get("seenAt").and_then(Value::as_u64),
                current: false,
            },
            _ => PolicyState::default(),
        };
        let managed_active = input
            .local
            .get(store::MANAGED_ACTIVE_KEY)
            .and_then(Value::as_str)
            .and_then(|id| TenantId::parse(id).ok());
        let settings_value = input.local.get(store::SETTINGS_KEY).cloned();
        let mut sizes = BTreeMap::new();
        for (key, value) in &input.local {
            sizes.insert(key.clone(), store::size_of(key, value));
        }
        for backup in &stored.backups {
            sizes.insert(store::backup_key(backup.id), backup.bytes);
        }
        let env = Env {
            host_access: input.host_access,
            origins: input.origins.iter().cloned().collect(),
            unlimited_storage: input.unlimited_storage,
            local_quota_bytes: input.local_quota_bytes.unwrap_or(10 * 1024 * 1024),
            sync_limits: input.sync_limits,
            labels: input.labels,
        };
        let directory = match Settings::load(settings_value.as_ref()) {
            Ok(settings) => Ok(Rc::new(Directory::new(
                settings,
                &policy.report,
                managed_active,
                &env.labels,
            ))),
            Err(error) => Err(Problem {
                error,
                data: settings_value.clone().unwrap_or(Value::Null),
                copy_error: None,
            }),
        };
        let stored_tabs = input
            .session
            .get(tabs::TABS_KEY)
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        let scope = scope_of(&directory, &env);
        let tabs = Tabs::restore(Some(&stored_tabs), &input.tabs, &scope);
        let portal_scripts = Some(
            input
                .content_scripts
                .iter()
                .filter_map(|id| id.split_once('.').map(|(portal, _)| portal.to_owned()))
                .collect(),
        );
        let undo = input
            .session
            .get(UNDO_KEY)
            .and_then(directory::read_undo)
            .map(|(removed, managed_active)| Undo {
                removed,
                managed_active,
            });
        let core = Core {
            env,
            directory,
            policy,
            managed_active,
            kept: stored.kept,
            backups: stored.backups,
            set_aside: stored.set_aside,
            tabs,
            dynamic: read_rules(&input.dynamic_rules),
            session_rules: read_rules(&input.session_rules),
            rules_error: None,
            badges: BTreeMap::new(),
            identities: BTreeMap::new(),
            stored_tabs,
            portal_scripts,
            sync: SyncRuntime::restore(&input.local),
            pending: BTreeMap::new(),
            next_token: 1,
            undo,
            import: None,
            restore_question: None,
            revision: input
                .session
                .get(REVISION_KEY)
                .and_then(Value::as_u64)
                .unwrap_or(0),
            written_settings: std::collections::VecDeque::new(),
            sizes,
        };
        let mut session = Self {
            core,
            rollback: None,
            after_rules: Vec::new(),
        };
        let mut out = Out::default();
        // Rules first: when the settings are unusable they go before any write that can fail.
        session.refresh(&mut out, false);
        if let Ok(directory) = &session.core.directory {
            if directory.labels_changed {
                // The first start of this version, or tenants that had no label yet: store the
                // labels so that they stay.
                let value = directory.own.to_stored();
                let mut items = Map::new();
                session.remember_write(&value);
                items.insert(store::SETTINGS_KEY.into(), value);
                session.note_sizes(&items);
                out.push(Effect::StorageSet {
                    area: Area::Local,
                    items,
                });
            }
        }
        if let Some(migration) = stored.migration {
            let mut items = migration.set;
            if session.core.directory.is_err() {
                // Never rewrite the kept copies while a rejected value waits to join them.
                items.remove(store::KEPT_COPIES_KEY);
            }
            if !items.is_empty() {
                session.note_sizes(&items);
                out.push(Effect::StorageSet {
                    area: Area::Local,
                    items,
                });
            }
            if !migration.remove.is_empty() && session.core.directory.is_ok() {
                out.push(Effect::StorageRemove {
                    area: Area::Local,
                    keys: migration.remove,
                });
            }
        }
        if session.core.directory.is_err() {
            session.keep_rejected(&mut out, now);
        }
        out.push(Effect::ReadPolicy);
        if session.sync_active() {
            session.schedule_sync(&mut out, now, 0);
        }
        (session, out.steps)
    }

    /// Handles one event; returns the effects to carry out, in order.
    pub fn handle(&mut self, event: Event) -> Vec<Step> {
        let now = event.now();
        if !matches!(event, Event::EffectFailed { .. }) {
            self.rollback = None;
        }
        let mut out = Out::default();
        match event {
            Event::Message {
                id,
                message,
                sender,
                now,
            } => self.on_message(&mut out, id, &message, &sender, now),
            Event::TabCreated { tab, .. } => {
                let scope = self.scope();
                self.core.tabs.created(&tab, &scope);
                self.refresh(&mut out, false);
            }
            Event::TabUpdated {
                tab_id,
                url,
                status,
                hidden,
                ..
            } => {
                if let Some(url) = url {
                    // Browsers clear a tab's badge at every new document: set it again.
                    self.core.badges.remove(&tab_id);
                    let untagged = self.untagged();
                    let scope = self.scope();
                    self.core.tabs.committed(tab_id, &url, untagged, &scope);
                    self.refresh(&mut out, false);
                } else if hidden && status.is_some() {
                    if status.as_deref() == Some("loading") {
                        // A new document on another site: the browser cleared its badge.
                        self.core.badges.remove(&tab_id);
                    }
                    self.core.tabs.left_portal(tab_id);
                    self.refresh(&mut out, false);
                } else if status.as_deref() == Some("loading") {
                    // A reload: a new document at the same address, whose badge the browser
                    // cleared too.
                    self.core.badges.remove(&tab_id);
                    self.refresh(&mut out, false);
                }
            }
            Event::TabRemoved { tab_id, .. } => {
                self.core.tabs.removed(tab_id);
                self.core.badges.remove(&tab_id);
                self.core.identities.remove(&tab_id);
                self.refresh(&mut out, false);
            }
            Event::TabReplaced {
                added_tab_id,
                removed_tab_id,
                ..
            } => {
                self.core.tabs.replaced(added_tab_id, removed_tab_id);
                self.core.badges.remove(&removed_tab_id);
                self.refresh(&mut out, false);
            }
            Event::StorageChanged { area, changes, .. } => match area {
                Area::Local => self.on_local_changed(&mut out, &changes, now),
                Area::Sync => {
                    let ours = changes.keys().any(|key| {
                        key == crate::sync::MANIFEST_KEY
                            || key.starts_with(crate::sync::CHUNK_KEY_PREFIX)
                    });
                    if ours && self.sync_active() {
                        self.schedule_sync(&mut out, now, sync::READ_DELAY_MS);
                    }
                }
                // Only the session writes there.
                Area::Session => {}
            },
            Event::PolicyChanged { .. } => out.push(Effect::ReadPolicy),
            Event::PolicyRead { managed, now } => self.on_policy(&mut out, managed, now),
            Event::HostAccess {
                granted, origins, ..
            } => {
                let before = self.scope();
                self.core.env.host_access = granted;
                if let Some(origins) = origins {
                    self.core.env.origins = origins.into_iter().collect();
                }
                self.refresh(&mut out, true);
                self.on_access_withdrawn(&mut out, &before, now);
            }
            Event::Timer { name, now } => {
                if name == sync::TIMER {
                    self.core.sync.timer_due = None;
                    self.sync_timer(&mut out);
                }
                let _ = now;
            }
            Event::Read { token, values, now } => {
                if let Some(pending) = self.core.pending.remove(&token) {
                    self.on_read(&mut out, pending, values, now);
                }
            }
            Event::EffectFailed { report, error, now } => {
                self.on_failure(&mut out, report, error, now);
            }
        }
        self.after_rules = answers_after_rules(&out.steps);
        out.steps
    }

    // --- state that follows from the rest ------------------------------------------------

    /// What a portal page without `tid` in a tab without a tenant means right now.
    fn untagged(&self) -> Untagged {
        let redirects = self.core.env.host_access
            && self.core.directory.as_ref().is_ok_and(|directory| {
                let settings = &directory.effective.settings;
                settings.automatic_rewrite() && settings.default_tenant_id().is_some()
            });
        if redirects {
            Untagged::NotKnown
        } else {
            Untagged::Home
        }
    }

    /// The rules the browser should hold now: none while the settings are unusable, while
    /// automatic rewrite is off, or while nothing redirects (no default tenant and no tab in a
    /// tenant). Tabs in the home tenant need their own rule only against a default tenant.
    fn desired_rules(&self) -> (Vec<Rule>, Vec<Rule>) {
        let Ok(directory) = &self.core.directory else {
            return (Vec::new(), Vec::new());
        };
        let settings = &directory.effective.settings;
        if !settings.automatic_rewrite() {
            return (Vec::new(), Vec::new());
        }
        let default = settings.default_tenant_id();
        let groups: Vec<_> = self
            .core
            .tabs
            .groups()
            .into_iter()
            .filter(|(group, _)| default.is_some() || *group != rules::TabGroup::Home)
            .collect();
        if default.is_none() && groups.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let scope = self.scope();
        (
            rules::default_rules(default, &scope),
            rules::tab_rules(&groups, &scope),
        )
    }

    /// Brings the browser to what the session holds: rules (first), the tabs' tenants in
    /// `storage.session`, badges; bumps the revision pages watch when `changed` or the tabs
    /// changed.
    fn refresh(&mut self, out: &mut Out, changed: bool) {
        // Rules refused before are tried again now: the error stands only until then (a new
        // refusal reports it again).
        let retried = self.core.rules_error.take().is_some();
        let changed = changed || retried;
        let (dynamic, session) = self.desired_rules();
        if self.core.dynamic.is_none() || self.core.session_rules.is_none() {
            // What the browser holds is not known: remove everything first.
            out.push(Effect::RemoveAllRules);
            self.core.dynamic = Some(Vec::new());
            self.core.session_rules = Some(Vec::new());
        }
        if self.core.dynamic.as_ref() != Some(&dynamic) {
            let remove_rule_ids = match &self.core.dynamic {
                Some(installed) => installed.iter().map(|rule| rule.id).collect(),
                None => Vec::new(),
            };
            out.reported(
                Effect::UpdateDynamicRules {
                    remove_rule_ids,
                    add_rules: dynamic.clone(),
                },
                Report::Rules,
            );
            self.core.dynamic = Some(dynamic);
        }
        if self.core.session_rules.as_ref() != Some(&session) {
            let remove_rule_ids = match &self.core.session_rules {
                Some(installed) => installed.iter().map(|rule| rule.id).collect(),
                None => Vec::new(),
            };
            out.reported(
                Effect::UpdateSessionRules {
                    remove_rule_ids,
                    add_rules: session.clone(),
                },
                Report::Rules,
            );
            self.core.session_rules = Some(session);
        }
        self.update_portal_scripts(out);
        let stored_tabs = self.core.tabs.to_stored();
        let tabs_changed = stored_tabs != self.core.stored_tabs;
        self.update_badges(out);
        if tabs_changed || changed {
            self.core.revision += 1;
            let mut items = Map::new();
            if tabs_changed {
                items.insert(tabs::TABS_KEY.into(), stored_tabs.clone());
                self.core.stored_tabs = stored_tabs;
            }
            items.insert(REVISION_KEY.into(), Value::from(self.core.revision));
            out.push(Effect::StorageSet {
                area: Area::Session,
                items,
            });
        }
    }

    /// The portals whose addresses count as portal addresses now: Defender's, and the opt-in
    /// portals turned on whose hosts the analyst granted.
    pub(super) fn scope(&self) -> Scope {
        scope_of(&self.core.directory, &self.core.env)
    }

    /// Registers the content scripts of the opt-in portals in scope, and unregisters the others.
    fn update_portal_scripts(&mut self, out: &mut Out) {
        let wanted: BTreeSet<String> = self
            .core
            .directory
            .as_ref()
            .map(|directory| {
                opted_in(&directory.effective.settings, &self.core.env)
                    .map(|portal| portal.id.to_owned())
                    .collect()
            })
            .unwrap_or_default();
        let registered = self.core.portal_scripts.clone().unwrap_or_default();
        for portal in registered.difference(&wanted) {
            out.push(Effect::UnregisterContentScripts {
                ids: effect::portal_script_ids(portal),
            });
        }
        for portal in wanted.difference(&registered) {
            if let Some(row) = crate::portals::find(portal) {
                out.push(Effect::RegisterContentScripts {
                    scripts: effect::portal_scripts(portal, &crate::portals::origins(row)),
                });
            }
        }
        self.core.portal_scripts = Some(wanted);
    }

    /// The analyst withdrew an opt-in portal's access in the browser: its rules are gone with
    /// the access (the refresh before this removed them); turn the opt-in off too, so that a
    /// later grant for another reason does not bring the rewrite back unasked.
    fn on_access_withdrawn(&mut self, out: &mut Out, before: &Scope, now: u64) {
        let after = self.scope();
        let Ok(directory) = &self.core.directory else {
            return;
        };
        let lost: Vec<&'static str> = directory
            .own
            .portals()
            .rewrite
            .iter()
            .copied()
            .filter(|id| {
                let alone = Scope::with_portals([*id]);
                let lost = alone
                    .hosts()
                    .any(|host| before.contains(host) && !after.contains(host));
                lost
            })
            .collect();
        if lost.is_empty() {
            return;
        }
        let mut settings = directory.own.clone();
        for portal in lost {
            let operation = Operation::SetPortalRewrite {
                portal: portal.to_owned(),
                enabled: false,
            };
            if let Ok(next) = settings.apply(operation) {
                settings = next;
            }
        }
        let commit = Commit {
            settings: Some(settings),
            ..Commit::default()
        };
        self.commit(out, commit, None, Value::Null, now);
    }

    fn update_badges(&mut self, out: &mut Out) {
        let ids: Vec<i64> = self.core.tabs.iter().map(|(id, _)| id).collect();
        self.core.identities.retain(|id, _| ids.contains(id));
        for id in ids.iter().copied() {
            // The portal page's title and line follow the tab's tenant, its name and colour.
            let portal = self.core.tabs.get(id).is_some_and(|tab| tab.portal);
            if !portal {
                self.core.identities.remove(&id);
                continue;
            }
            let identity = self.page_identity(Some(id), None);
            if self.core.identities.get(&id) != Some(&identity) {
                let mut message = identity.clone();
                message["what"] = Value::from("tabTenant");
                out.push(Effect::SendToTab {
                    tab_id: id,
                    message,
                });
                self.core.identities.insert(id, identity);
            }
        }
        for id in ids {
            let badge = self.badge(id);
            if self.core.badges.get(&id) != Some(&badge) {
                out.push(Effect::SetBadge {
                    tab_id: id,
                    text: badge.text.clone(),
                    color: badge.color.to_owned(),
                    title: badge.title.clone(),
                });
                self.core.badges.insert(id, badge);
            }
        }
    }

    // --- storing ---------------------------------------------------------------------------

    /// Stores `commit` in one `storage.local.set` (its failure undoes everything), then brings
    /// the browser up to date and answers `reply` with `answer` (the state added).
    fn commit(
        &mut self,
        out: &mut Out,
        commit: Commit,
        reply: Option<u64>,
        answer: Value,
        now: u64,
    ) {
        // A deletion stored without a backup that still does not fit may drop the older ones.
        let retry_base = (commit.deletion && commit.backup.is_none()).then(|| Commit {
            deletion: false,
            ..commit.clone()
        });
        let retry = commit.backup.filter(|_| commit.deletion).map(|_| {
            Box::new(Commit {
                backup: None,
                ..commit.clone()
            })
        });
        self.rollback = Some(Rollback {
            core: Box::new(self.core.clone()),
            reply,
            retry_without_backup: retry,
        });
        if let Some((tab_id, tenant)) = commit.tab_choice {
            self.core.tabs.choose(tab_id, tenant);
        }
        if let Some(undo) = commit.undo {
            self.core.undo = undo;
        }
        let mut items = commit.items;
        let mut remove = commit.remove;
        let index_changed = commit.backup.is_some() || commit.backups.is_some();
        let mut backups = commit.backups.unwrap_or_else(|| self.core.backups.clone());
        let previous_tenants: Option<Vec<Value>> = match (&commit.backup, &self.core.directory) {
            (Some(_), Ok(directory)) => Some(
                directory
                    .own
                    .tenants()
                    .iter()
                    .map(|t| t.to_value())
                    .collect(),
            ),
            _ => None,
        };
        if let (Some(reason), Some(tenants)) = (commit.backup, previous_tenants) {
            let id = backups
                .iter()
                .chain(&self.core.backups)
                .map(|b| b.id)
                .max()
                .unwrap_or(0)
                + 1;
            let count = tenants.len();
            let payload = store::backup_payload(now, reason, tenants);
            let key = store::backup_key(id);
            let bytes = store::size_of(&key, &payload);
            items.insert(key, payload);
            backups.insert(
                0,
                BackupEntry {
                    id,
                    saved_at: now,
                    reason: reason.to_owned(),
                    count,
                    bytes,
                },
            );
        }
        if index_changed {
            while backups.len() > store::MAX_BACKUPS {
                if let Some(oldest) = backups.pop() {
                    remove.push(store::backup_key(oldest.id));
                }
            }
            items.insert(store::BACKUPS_KEY.into(), store::backups_value(&backups));
        }
        // The new settings are merged with the policy first: that assigns the new tenants'
        // labels, which are stored with them.
        let managed_active_next = commit.managed_active.unwrap_or(self.core.managed_active);
        let list_changed = commit.settings.as_ref().is_some_and(|settings| {
            self.core.directory.as_ref().map_or(true, |directory| {
                directory.own.tenants() != settings.tenants()
            })
        });
        let directory = commit.settings.map(|settings| {
            Directory::new(
                settings,
                &self.core.policy.report,
                managed_active_next,
                &self.core.env.labels,
            )
        });
        if let Some(directory) = &directory {
            let value = directory.own.to_stored();
            self.remember_write(&value);
            items.insert(store::SETTINGS_KEY.into(), value);
        }
        if let Some(managed_active) = commit
            .managed_active
            .filter(|chosen| *chosen != self.core.managed_active)
        {
            items.insert(
                store::MANAGED_ACTIVE_KEY.into(),
                managed_active.map_or(Value::Null, |id| Value::String(id.to_string())),
            );
        }
        if let Some(error) = self.storage_full(&items, &remove) {
            let deletion = self
                .rollback
                .as_ref()
                .and_then(|r| r.retry_without_backup.clone());
            if let Some(rollback) = self.rollback.take() {
                self.core = *rollback.core;
            }
            // Backups never block a deletion: without its own backup, then without the older
            // ones, if that is what it takes to fit.
            if let Some(mut retry) = deletion {
                retry.backup = None;
                return self.commit(out, *retry, reply, json!({"backupSkipped": true}), now);
            }
            if let Some(retry_base) = retry_base.filter(|_| !self.core.backups.is_empty()) {
                let retry = Commit {
                    backups: Some(Vec::new()),
                    remove: self
                        .core
                        .backups
                        .iter()
                        .map(|backup| store::backup_key(backup.id))
                        .collect(),
                    remove_first: true,
                    ..retry_base
                };
                let answer = json!({"backupSkipped": true, "backupsDropped": true});
                return self.commit(out, retry, reply, answer, now);
            }
            if let Some(reply) = reply {
                out.answer(reply, self.failure(&error));
            }
            return;
        }
        if commit.import_done {
            self.core.import = None;
        }
        self.note_sizes(&items);
        for key in &remove {
            self.core.sizes.remove(key);
        }
        let removal = (!remove.is_empty()).then_some(Effect::StorageRemove {
            area: Area::Local,
            keys: remove,
        });
        let removal_first = if commit.remove_first {
            removal.clone()
        } else {
            None
        };
        if let Some(removal) = removal_first {
            out.push(removal);
        }
        out.reported(
            Effect::StorageSet {
                area: Area::Local,
                items,
            },
            Report::Store,
        );
        if let Some(removal) = removal.filter(|_| !commit.remove_first) {
            out.push(removal);
        }
        self.core.backups = backups;
        if let Some(managed_active) = commit.managed_active {
            self.core.managed_active = managed_active;
        }
        if let Some(directory) = directory {
            self.core.directory = Ok(Rc::new(directory));
        } else if commit.managed_active.is_some() {
            self.rebuild_directory(out);
        }
        self.refresh(out, true);
        for effect in commit.then {
            out.push(effect);
        }
        if list_changed && self.sync_active() {
            self.schedule_sync(out, now, sync::WRITE_DELAY_MS);
        }
        if let Some(reply) = reply {
            let value = self.success(answer);
            out.answer(reply, value);
        }
    }

    /// Makes `settings` the user's settings, merged with the policy; when that gave a tenant a
    /// new label, stores the settings with it (a tenant keeps its label from then on).
    fn set_settings(&mut self, out: &mut Out, settings: Settings) {
        let directory = Directory::new(
            settings,
            &self.core.policy.report,
            self.core.managed_active,
            &self.core.env.labels,
        );
        if directory.labels_changed {
            let value = directory.own.to_stored();
            self.remember_write(&value);
            let mut items = Map::new();
            items.insert(store::SETTINGS_KEY.into(), value);
            self.note_sizes(&items);
            out.push(Effect::StorageSet {
                area: Area::Local,
                items,
            });
        }
        self.core.directory = Ok(Rc::new(directory));
    }

    fn rebuild_directory(&mut self, out: &mut Out) {
        if let Ok(directory) = &self.core.directory {
            let own = directory.own.clone();
            self.set_settings(out, own);
        }
    }

    /// `StorageFull` when the write would not fit `storage.local` (only without
    /// `unlimitedStorage`).
    fn storage_full(&self, items: &Map<String, Value>, remove: &[String]) -> Option<StorageError> {
        if self.core.env.unlimited_storage {
            return None;
        }
        let mut sizes = self.core.sizes.clone();
        for key in remove {
            sizes.remove(key);
        }
        for (key, value) in items {
            sizes.insert(key.clone(), store::size_of(key, value));
        }
        let needed: usize = sizes.values().sum();
        let available = self.core.env.local_quota_bytes;
        (needed > available).then_some(StorageError::Full {
            bytes_needed: needed,
            bytes_available: available,
        })
    }

    fn note_sizes(&mut self, items: &Map<String, Value>) {
        for (key, value) in items {
            self.core
                .sizes
                .insert(key.clone(), store::size_of(key, value));
        }
    }

    /// The hash of the settings value about to be written, to know the echo of this write when
    /// `storage.onChanged` brings it back.
    fn remember_write(&mut self, value: &Value) {
        let pending = &mut self.core.written_settings;
        if pending.len() == MAX_PENDING_ECHOES {
            pending.pop_front();
        }
        pending.push_back(store::measure(value, true).1);
    }

    // --- answers ---------------------------------------------------------------------------

    /// `{ok: true, state, ...fields}`.
    fn success(&self, fields: Value) -> Value {
        let mut answer = match fields {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        answer.insert("ok".into(), Value::Bool(true));
        answer.insert("state".into(), self.state_view());
        Value::Object(answer)
    }

    /// `{ok: false, error}`.
    fn failure<E: UiError>(&self, error: &E) -> Value {
        json!({"ok": false, "error": crate::error::to_value(error)})
    }

    // --- events ----------------------------------------------------------------------------

    /// `storage.local` changed. Echoes of the session's own writes are ignored; a change of
    /// `settings` by anyone else (another worker, a hand edit, an older copy of the extension)
    /// is read again, and rejected when the core cannot read it.
    fn on_local_changed(&mut self, out: &mut Out, changes: &Map<String, Value>, now: u64) {
        let Some(change) = changes.get(store::SETTINGS_KEY) else {
            return;
        };
        let new_value = change.get("newValue").cloned();
        let echo = new_value
            .as_ref()
            .map(|value| store::measure(value, true).1);
        let pending = &mut self.core.written_settings;
        if let Some(at) = echo.and_then(|echo| pending.iter().position(|&hash| hash == echo)) {
            // The echo of one of our own writes: it and the writes before it have landed (a
            // write the browser found unchanged sends no echo). Once only, so a later
            // identical hand edit counts.
            pending.drain(..=at);
            return;
        }
        pending.clear();
        match Settings::load(new_value.as_ref()) {
            Ok(settings) => {
                if let Some(value) = &new_value {
                    self.core.sizes.insert(
                        store::SETTINGS_KEY.into(),
                        store::size_of("settings", value),
                    );
                }
                self.set_settings(out, settings);
                self.refresh(out, true);
                if self.sync_active() {
                    self.schedule_sync(out, now, sync::WRITE_DELAY_MS);
                }
            }
            Err(error) => {
                self.core.directory = Err(Problem {
                    error,
                    data: new_value.unwrap_or(Value::Null),
                    copy_error: None,
                });
                // The rules go first, before the write that can fail.
                self.refresh(out, true);
                self.keep_rejected(out, now);
            }
        }
    }

    /// Keeps a copy of the rejected settings value (unless an equal copy is kept already).
    fn keep_rejected(&mut self, out: &mut Out, now: u64) {
        let Err(problem) = &self.core.directory else {
            return;
        };
        if self.core.kept.iter().any(|kept| kept.data == problem.data) {
            return;
        }
        let copy = KeptCopy::new(
            now,
            crate::error::to_value(&problem.error),
            problem.data.clone(),
        );
        let mut kept = vec![copy];
        kept.extend(self.core.kept.iter().cloned());
        kept.truncate(store::MAX_KEPT_COPIES);
        let mut items = Map::new();
        items.insert(store::KEPT_COPIES_KEY.into(), store::kept_value(&kept));
        self.core.kept = kept;
        self.note_sizes(&items);
        out.reported(
            Effect::StorageSet {
                area: Area::Local,
                items,
            },
            Report::KeepCopy,
        );
    }

    fn on_policy(&mut self, out: &mut Out, managed: Value, now: u64) {
        let managed = some_policy(managed);
        let changed = managed != self.core.policy.managed;
        self.core.policy.current = true;
        if !changed && self.core.policy.seen_at.is_some() {
            self.refresh(out, false);
            return;
        }
        self.core.policy.report = policy::parse(managed.as_ref());
        self.core.policy.managed = managed.clone();
        self.core.policy.seen_at = Some(now);
        self.rebuild_directory(out);
        let mut items = Map::new();
        items.insert(
            store::LAST_POLICY_KEY.into(),
            json!({"seenAt": now, "managed": managed}),
        );
        self.note_sizes(&items);
        out.push(Effect::StorageSet {
            area: Area::Local,
            items,
        });
        self.refresh(out, true);
    }

    fn on_read(&mut self, out: &mut Out, pending: Pending, values: Map<String, Value>, now: u64) {
        match pending {
            Pending::Restore { reply, id, confirm } => {
                self.finish_restore(out, (reply, id, confirm), &values, now);
            }
            Pending::SyncStep => self.sync_step(out, &values, now),
            Pending::SyncEnable { reply } => self.finish_sync_enable(out, reply, &values, now),
        }
    }

    fn on_failure(&mut self, out: &mut Out, report: Report, error: Value, now: u64) {
        let error = StorageError::Failed {
            message: error
                .get("message")
                .and_then(Value::as_str)
                .map_or_else(|| error.to_string(), str::to_owned),
        };
        match report {
            Report::Store => {
                let Some(rollback) = self.rollback.take() else {
                    return;
                };
                self.core = *rollback.core;
                match rollback.retry_without_backup {
                    // Backups never block a deletion: store it without one.
                    Some(commit) => {
                        let answer = json!({"backupSkipped": true});
                        self.commit(out, *commit, rollback.reply, answer, now);
                    }
                    None => {
                        if let Some(reply) = rollback.reply {
                            out.answer(reply, self.failure(&error));
                        }
                    }
                }
            }
            Report::KeepCopy => {
                if let Err(problem) = &mut self.core.directory {
                    problem.copy_error = Some(crate::error::to_value(&error));
                    let data = problem.data.clone();
                    self.core.kept.retain(|kept| kept.data != data);
                }
                self.refresh(out, true);
            }
            Report::Rules => {
                // The browser refused the rules, and what it holds now is not known: remove
                // everything, so no stale rule sends a tab to the wrong tenant. The rules are
                // tried again at the next change, not now (they would fail again at once).
                self.core.rules_error = Some(crate::error::to_value(&error));
                out.push(Effect::RemoveAllRules);
                self.core.dynamic = Some(Vec::new());
                self.core.session_rules = Some(Vec::new());
                // The badges of the stopped batch may not have been set: set them all again.
                self.core.badges.clear();
                self.update_badges(out);
                self.core.revision += 1;
                let mut items = Map::new();
                items.insert(REVISION_KEY.into(), Value::from(self.core.revision));
                out.push(Effect::StorageSet {
                    area: Area::Session,
                    items,
                });
                // The page that asked for the change still gets its answer: the change is
                // stored; the state it carries says that the rules are not in place.
                let state = self.state_view();
                for (to, mut value) in std::mem::take(&mut self.after_rules) {
                    if let Some(answer) = value.as_object_mut() {
                        if answer.contains_key("state") {
                            answer.insert("state".into(), state.clone());
                        }
                    }
                    out.answer(to, value);
                }
            }
            Report::SyncWrite => {
                self.core.sync.last_error = Some(crate::error::to_value(&error));
                self.schedule_sync(out, now, sync::RETRY_DELAY_MS);
                self.refresh(out, true);
            }
            Report::Read { token } => match self.core.pending.remove(&token) {
                Some(Pending::Restore { reply, .. } | Pending::SyncEnable { reply }) => {
                    out.answer(reply, self.failure(&error));
                }
                Some(Pending::SyncStep) => {
                    self.core.sync.last_error = Some(crate::error::to_value(&error));
                    self.schedule_sync(out, now, sync::RETRY_DELAY_MS);
                }
                None => {}
            },
        }
    }

    /// A read whose values come back as [`Event::Read`] and continue `pending`.
    fn read(&mut self, out: &mut Out, area: Area, keys: Option<Vec<String>>, pending: Pending) {
        let token = self.core.next_token;
        self.core.next_token += 1;
        self.core.pending.insert(token, pending);
        out.reported(Effect::Read { area, keys, token }, Report::Read { token });
    }
}

/// The answers in `steps` that come after the first rule update, with their values.
fn answers_after_rules(steps: &[Step]) -> Vec<(u64, Value)> {
    let Some(first) = steps
        .iter()
        .position(|step| matches!(step.report, Some(Report::Rules)))
    else {
        return Vec::new();
    };
    steps[first..]
        .iter()
        .filter_map(|step| match &step.effect {
            Effect::Answer { to, value } => Some((*to, value.clone())),
            _ => None,
        })
        .collect()
}

/// A managed policy object, or `None` when it sets nothing (`null`, `{}`).
fn some_policy(managed: Value) -> Option<Value> {
    match managed {
        Value::Null => None,
        Value::Object(map) if map.is_empty() => None,
        other => Some(other),
    }
}

/// Installed rules as the browser gave them; `None` when one cannot be read (then all are
/// replaced).
fn read_rules(values: &[Value]) -> Option<Vec<Rule>> {
    let mut rules: Vec<Rule> = values
        .iter()
        .map(|value| Rule::deserialize(value).ok())
        .collect::<Option<_>>()?;
    rules.sort_by_key(|rule| rule.id);
    let ids: BTreeSet<u32> = rules.iter().map(|rule| rule.id).collect();
    (ids.len() == rules.len()).then_some(rules)
}

/// Why a write to storage was refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "name")]
pub enum StorageError {
    /// The change would not fit the browser's storage.
    #[serde(rename = "StorageFull", rename_all = "camelCase")]
    Full {
        bytes_needed: usize,
        bytes_available: usize,
    },
    /// The browser refused the write; `message` is what it said.
    #[serde(rename = "StorageWriteFailed", rename_all = "camelCase")]
    Failed {
        #[serde(rename = "reason")]
        message: String,
    },
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Full {
                bytes_needed,
                bytes_available,
            } => write!(
                f,
                "the change needs {bytes_needed} bytes of storage, {bytes_available} are available; nothing was changed"
            ),
            Self::Failed { message } => {
                write!(f, "the browser could not store the change: {message}")
            }
        }
    }
}

impl std::error::Error for StorageError {}
impl UiError for StorageError {}

#[cfg(test)]
mod tests;

//! The messages pages send, and what the session does for each (see `ARCHITECTURE.md`,
//! "Messages"). Every answer is `{ok: true, state, ...}` or `{ok: false, error}`, sent only
//! after what the message changed is stored and its rules are in place.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::error::UiError;
use crate::export;
use crate::policy;
use crate::portal;
use crate::settings::{Operation, Settings, SettingsError};
use crate::sync;
use crate::tenant::Tenant;
use crate::tenant_id::TenantId;

use super::directory::{self, Directory};
use super::effect::{Area, Effect};
use super::event::Sender;
use super::store;
use super::sync::{ENABLED_KEY, PROBLEM_KEY, STALLED_MS, STATE_KEY, TIMER, WRITE_LOG_KEY};
use super::tabs::TabTenant;
use super::{Commit, Out, Pending, Session, Undo, UNDO_KEY};

/// Why a message cannot be handled as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
pub enum MessageError {
    /// `what` names no message.
    #[serde(rename = "MessageUnknown", rename_all = "camelCase")]
    Unknown { what: String },
    /// A field of the message is missing or of the wrong type.
    #[serde(rename = "MessageInvalid", rename_all = "camelCase")]
    Invalid {
        what: String,
        field: String,
        expected: String,
    },
    /// The stored settings cannot be read, so this cannot be done until they are recovered.
    #[serde(rename = "SettingsUnusable")]
    SettingsUnusable,
    /// Export while the stored settings cannot be read would give an empty list.
    #[serde(rename = "ExportUnavailable")]
    ExportUnavailable,
    /// There is no backup with that ID (or none at all).
    #[serde(rename = "BackupNone")]
    BackupNone,
    /// The backup is not a tenant list this version can read.
    #[serde(rename = "BackupUnreadable")]
    BackupUnreadable,
    /// Nothing to undo.
    #[serde(rename = "UndoNone")]
    UndoNone,
    /// There is no kept copy saved at that time.
    #[serde(rename = "KeptCopyNone")]
    KeptCopyNone,
    /// The rejected settings could not be kept aside: replacing them would lose them.
    #[serde(rename = "SettingsNotKept")]
    SettingsNotKept,
    /// The stored settings are usable: there is nothing to reset.
    #[serde(rename = "SettingsUsable")]
    SettingsUsable,
    /// An administrator's policy turned sync off.
    #[serde(rename = "SyncDisabledByPolicy")]
    SyncDisabledByPolicy,
    /// The admin portals open a customer tenant; the home tenant has none chosen.
    #[serde(rename = "PortalNeedsTenant")]
    NoTenantChosen,
    /// The portal's address needs the tenant's initial domain, which it lacks.
    #[serde(rename = "PortalNeedsInitialDomain")]
    NeedsInitialDomain,
    /// No import preview is held (none was made, it was applied or cancelled, or the worker
    /// restarted): choose the file again.
    #[serde(rename = "ImportPreviewNone")]
    ImportPreviewNone,
    /// What the import would do changed since the page showed it (the list or the policy
    /// changed, or another mode was asked for): it was judged again and nothing was applied.
    #[serde(rename = "ImportPreviewChanged")]
    ImportPreviewChanged,
}

impl std::fmt::Display for MessageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unknown { what } => write!(f, "unknown message {what:?}"),
            Self::Invalid {
                what,
                field,
                expected,
            } => write!(f, "message {what}: {field} should be {expected}"),
            Self::SettingsUnusable => write!(
                f,
                "the stored settings cannot be read; recover them first (restore, import or start with an empty list)"
            ),
            Self::ExportUnavailable => write!(
                f,
                "the stored settings cannot be read, so there is no tenant list to export; download the kept copy instead"
            ),
            Self::BackupNone => write!(f, "there is no previous tenant list to restore"),
            Self::BackupUnreadable => write!(f, "the previous tenant list cannot be read"),
            Self::UndoNone => write!(f, "there is no deletion to undo"),
            Self::KeptCopyNone => write!(f, "there is no kept copy saved at that time"),
            Self::SettingsNotKept => write!(
                f,
                "the stored settings could not be kept aside; download them before replacing them"
            ),
            Self::SettingsUsable => write!(f, "the stored settings are fine: nothing to reset"),
            Self::SyncDisabledByPolicy => write!(f, "sync is turned off by policy"),
            Self::NoTenantChosen => write!(f, "choose a customer tenant to open its portals"),
            Self::NeedsInitialDomain => write!(
                f,
                "this portal needs the tenant's initial domain (name.onmicrosoft.com); add it on the options page"
            ),
            Self::ImportPreviewNone => {
                write!(f, "there is no import preview; choose the file again")
            }
            Self::ImportPreviewChanged => write!(
                f,
                "the import would now do something else than the preview showed (the list, the policy or the mode changed); nothing was imported: check the new preview"
            ),
        }
    }
}

impl std::error::Error for MessageError {}
impl UiError for MessageError {}

/// Reads the fields of one message.
pub(super) struct Fields<'a> {
    pub(super) what: &'a str,
    message: &'a Value,
}

impl<'a> Fields<'a> {
    pub(super) fn invalid(&self, field: &str, expected: &str) -> MessageError {
        MessageError::Invalid {
            what: self.what.to_owned(),
            field: field.to_owned(),
            expected: expected.to_owned(),
        }
    }

    pub(super) fn get(&self, field: &str) -> Option<&'a Value> {
        self.message.get(field).filter(|value| !value.is_null())
    }

    fn text(&self, field: &str) -> Result<&'a str, MessageError> {
        self.get(field)
            .and_then(Value::as_str)
            .ok_or_else(|| self.invalid(field, "a string"))
    }

    pub(super) fn text_or_empty(&self, field: &str) -> Result<&'a str, MessageError> {
        match self.get(field) {
            None => Ok(""),
            Some(value) => value
                .as_str()
                .ok_or_else(|| self.invalid(field, "a string")),
        }
    }

    fn flag(&self, field: &str) -> Result<bool, MessageError> {
        match self.get(field) {
            None => Ok(false),
            Some(value) => value
                .as_bool()
                .ok_or_else(|| self.invalid(field, "a boolean")),
        }
    }

    pub(super) fn number(&self, field: &str) -> Result<Option<u64>, MessageError> {
        match self.get(field) {
            None => Ok(None),
            Some(value) => crate::json::whole_number(value, field)
                .map(Some)
                .map_err(|_| self.invalid(field, "a whole number")),
        }
    }

    /// A tenant ID or `null` ("No tenant").
    fn tenant(&self, field: &str) -> Result<Option<TenantId>, SettingsError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(text)) => TenantId::parse(text)
                .map(Some)
                .map_err(|error| SettingsError::Tenant(error.into())),
            Some(_) => Err(SettingsError::InvalidOperation {
                message: format!("{field} should be a tenant ID or null"),
            }),
        }
    }

    /// `tab: {id, url}` as the popup sends it.
    fn tab(&self) -> (Option<i64>, Option<&'a str>) {
        let tab = self.get("tab");
        (
            tab.and_then(|tab| tab.get("id")).and_then(Value::as_i64),
            tab.and_then(|tab| tab.get("url")).and_then(Value::as_str),
        )
    }

    pub(super) fn bytes(&self, field: &str) -> Result<Vec<u8>, Value> {
        let text = self
            .text(field)
            .map_err(|error| crate::error::to_value(&error))?;
        crate::base64::decode(text).map_err(|error| crate::error::to_value(&error))
    }
}

impl Session {
    pub(super) fn on_message(
        &mut self,
        out: &mut Out,
        id: u64,
        message: &Value,
        sender: &Sender,
        now: u64,
    ) {
        let what = message.get("what").and_then(Value::as_str).unwrap_or("");
        let fields = Fields { what, message };
        match what {
            "getState" => out.answer(id, self.success(json!({}))),
            "picker" => {
                let (tab_id, url) = fields.tab();
                let query = match fields.text_or_empty("query") {
                    Ok(query) => query,
                    Err(error) => return out.answer(id, self.failure(&error)),
                };
                let view = self.picker_view(query, tab_id, url);
                out.answer(id, self.success(json!({ "picker": view })));
            }
            "listTenants" => {
                let query = fields.text_or_empty("query");
                let page = fields.number("page");
                match (query, page) {
                    (Ok(query), Ok(page)) => {
                        let page = usize::try_from(page.unwrap_or(0)).unwrap_or(usize::MAX);
                        let view = self.list_view(query, page);
                        out.answer(id, self.success(json!({ "list": view })));
                    }
                    (Err(error), _) | (_, Err(error)) => out.answer(id, self.failure(&error)),
                }
            }
            "pickTenant" => self.pick_tenant(out, id, &fields, now),
            "applyOperation" => self.apply_operation(out, id, &fields, now),
            "undoDelete" => self.undo_delete(out, id, now),
            "previewImport" | "importRows" | "importTenants" | "discardImport" => {
                self.on_import_message(out, id, &fields, now)
            }
            "exportTenants" => self.export(out, id, &fields),
            "restoreBackup" => self.restore(out, id, &fields),
            "discardKeptCopy" | "exportKeptCopy" => self.kept_copy(out, id, &fields, now),
            "resetSettings" => self.reset(out, id, &fields, now),
            "setSyncEnabled" => self.set_sync_enabled(out, id, &fields, now),
            "getPortals" => {
                let portals = self.portals_view();
                out.answer(id, self.success(json!({ "portals": portals })));
            }
            "portalMenu" => match fields.tenant("id") {
                Ok(tenant) => match self.portal_menu(tenant) {
                    Ok(menu) => out.answer(id, self.success(json!({ "menu": menu }))),
                    Err(error) => out.answer(id, json!({"ok": false, "error": error})),
                },
                Err(error) => out.answer(id, self.failure(&error)),
            },
            "openPortal" if fields.get("portal").is_some() => self.open_portal(out, id, &fields),
            "portalLink" | "openPortal" => match fields.tenant("id") {
                Ok(tenant) => {
                    let url = portal::portal_url(tenant.as_ref());
                    if what == "openPortal" {
                        out.push(Effect::CreateTab {
                            url: url.clone(),
                            active: true,
                            opener_tab_id: None,
                        });
                    }
                    out.answer(id, self.success(json!({ "url": url })));
                }
                Err(error) => out.answer(id, self.failure(&error)),
            },
            "pageTenant" => {
                let view = self.page_identity(sender.tab_id, sender.url.as_deref());
                out.answer(id, view);
            }
            _ => {
                let error = MessageError::Unknown {
                    what: what.to_owned(),
                };
                out.answer(id, self.failure(&error));
            }
        }
    }

    /// `openPortal {id, portal}`: a new tab with the portal's address for the tenant.
    fn open_portal(&mut self, out: &mut Out, reply: u64, fields: &Fields<'_>) {
        let found = (|| -> Result<String, Value> {
            let tenant = fields
                .tenant("id")
                .map_err(|error| crate::error::to_value(&error))?
                .ok_or_else(|| crate::error::to_value(&MessageError::NoTenantChosen))?;
            let portal_id = fields
                .text("portal")
                .map_err(|error| crate::error::to_value(&error))?;
            let portal = crate::settings::known_portal(portal_id)
                .map_err(|error| crate::error::to_value(&error))?;
            let directory = self
                .usable()
                .map_err(|error| crate::error::to_value(&error))?;
            let tenant = directory.tenant(tenant).ok_or_else(|| {
                crate::error::to_value(&SettingsError::UnknownTenant { id: tenant })
            })?;
            crate::portals::link(portal, tenant)
                .map_err(|_| crate::error::to_value(&MessageError::NeedsInitialDomain))
        })();
        match found {
            Ok(url) => {
                out.push(Effect::CreateTab {
                    url: url.clone(),
                    active: true,
                    opener_tab_id: None,
                });
                let close = fields.get("view").and_then(Value::as_str) != Some("tab");
                out.answer(reply, self.success(json!({"url": url, "close": close})));
            }
            Err(error) => out.answer(reply, json!({"ok": false, "error": error})),
        }
    }

    fn usable(&self) -> Result<&Directory, MessageError> {
        self.core
            .directory
            .as_deref()
            .map_err(|_| MessageError::SettingsUnusable)
    }

    /// The analyst chose a tenant in the popup: for the current portal tab (reloaded in it) and
    /// for new tabs, or only for a new tab (`newTab`).
    fn pick_tenant(&mut self, out: &mut Out, reply: u64, fields: &Fields<'_>, now: u64) {
        let directory = match self.usable() {
            Ok(directory) => directory,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let tenant = match fields.tenant("id") {
            Ok(tenant) => tenant,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        if let Some(id) = tenant.filter(|id| directory.tenant(*id).is_none()) {
            let error = SettingsError::UnknownTenant { id };
            return out.answer(reply, self.failure(&error));
        }
        let new_tab = match fields.flag("newTab") {
            Ok(flag) => flag,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        if new_tab {
            out.push(Effect::CreateTab {
                url: portal::portal_url(tenant.as_ref()),
                active: true,
                opener_tab_id: None,
            });
            let close = fields.get("view").and_then(Value::as_str) != Some("tab");
            return out.answer(reply, self.success(json!({"opened": true, "close": close})));
        }
        let target = tenant.map_or(TabTenant::Home, TabTenant::Tenant);
        let (tab_id, url) = fields.tab();
        let portal_tab = match (tab_id, url) {
            (Some(tab_id), Some(url)) if portal::is_portal_url_in(url, &self.scope()) => {
                Some((tab_id, url))
            }
            _ => None,
        };
        if let Some((tab_id, _)) = portal_tab {
            let current = self.core.tabs.get(tab_id).and_then(|tab| tab.tenant);
            if current == Some(target) {
                // Enter on the tenant the tab already has changes nothing.
                let close = fields.get("view").and_then(Value::as_str) != Some("tab");
                return out.answer(
                    reply,
                    self.success(json!({"changed": false, "close": close})),
                );
            }
        }
        let operation = Operation::SetDefaultTenant {
            id: tenant.map(|id| id.to_string()),
        };
        let applied = match policy::apply(
            &directory.own,
            &self.core.policy.report.policy,
            self.core.managed_active,
            operation,
        ) {
            Ok(applied) => applied,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let mut then = Vec::new();
        if let Some((tab_id, url)) = portal_tab {
            if let Ok(switched) = portal::switch_tenant_in(url, &self.scope(), tenant.as_ref()) {
                then.push(Effect::UpdateTab {
                    tab_id,
                    url: switched,
                });
            }
        }
        // The toolbar popup closes after a choice; the popup opened as a tab stays.
        let close = fields.get("view").and_then(Value::as_str) != Some("tab");
        let answer = json!({"changed": true, "reloaded": !then.is_empty(), "close": close});
        let commit = Commit {
            settings: Some(applied.settings),
            managed_active: Some(applied.managed_active),
            then,
            tab_choice: portal_tab.map(|(tab_id, _)| (tab_id, target)),
            ..Commit::default()
        };
        self.commit(out, commit, Some(reply), answer, now);
    }

    fn apply_operation(&mut self, out: &mut Out, reply: u64, fields: &Fields<'_>, now: u64) {
        let directory = match self.usable() {
            Ok(directory) => directory,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let operation = match fields
            .get("operation")
            .ok_or_else(|| SettingsError::InvalidOperation {
                message: "the message has no operation".into(),
            })
            .and_then(Operation::from_value)
        {
            Ok(operation) => operation,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        // Favourites and colours are kept by tenant ID for the user's and the policy's
        // tenants alike, but only for tenants that are in the list.
        if let Operation::SetFavourite { id, .. } | Operation::SetTenantColour { id, .. } =
            &operation
        {
            if let Ok(id) = TenantId::parse(id) {
                if directory.tenant(id).is_none() {
                    let error = SettingsError::UnknownTenant { id };
                    return out.answer(reply, self.failure(&error));
                }
            }
        }
        let deleted = match &operation {
            Operation::DeleteTenant { id } => TenantId::parse(id).ok(),
            _ => None,
        };
        // Turning an opt-in portal off also gives its host access back to the browser, once the
        // change is stored and its rules are gone.
        let give_up_access = match &operation {
            Operation::SetPortalRewrite {
                portal,
                enabled: false,
            } => crate::portals::find(portal).map(crate::portals::origins),
            _ => None,
        };
        let removed = deleted.and_then(|id| directory.own.remove(id).ok().map(|(_, r)| r));
        let previous_managed_active = self.core.managed_active;
        let applied = match policy::apply(
            &directory.own,
            &self.core.policy.report.policy,
            self.core.managed_active,
            operation,
        ) {
            Ok(applied) => applied,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let mut commit = Commit {
            settings: Some(applied.settings),
            managed_active: Some(applied.managed_active),
            then: give_up_access
                .map(|origins| vec![Effect::RemoveHostAccess { origins }])
                .unwrap_or_default(),
            ..Commit::default()
        };
        let mut answer = json!({});
        if let Some(removed) = removed {
            commit.backup = Some("deleteTenant");
            commit.deletion = true;
            let undo = Undo {
                removed,
                managed_active: previous_managed_active,
            };
            answer["undo"] =
                json!({"id": undo.removed.tenant.id(), "name": undo.removed.tenant.name()});
            let mut items = Map::new();
            items.insert(
                UNDO_KEY.into(),
                directory::undo_value(&undo.removed, undo.managed_active),
            );
            commit.then.push(Effect::StorageSet {
                area: Area::Session,
                items,
            });
            commit.undo = Some(Some(undo));
        }
        self.commit(out, commit, Some(reply), answer, now);
    }

    fn undo_delete(&mut self, out: &mut Out, reply: u64, now: u64) {
        let directory = match self.usable() {
            Ok(directory) => directory,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let Some(undo) = self.core.undo.clone() else {
            return out.answer(reply, self.failure(&MessageError::UndoNone));
        };
        let settings = match directory.own.put_back(&undo.removed) {
            Ok(settings) => settings,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let managed_active = if undo.removed.was_default {
            None
        } else {
            undo.managed_active
        };
        let commit = Commit {
            settings: Some(settings),
            managed_active: Some(managed_active),
            then: vec![Effect::StorageRemove {
                area: Area::Session,
                keys: vec![UNDO_KEY.into()],
            }],
            undo: Some(None),
            ..Commit::default()
        };
        let answer = json!({"restored": {"id": undo.removed.tenant.id(), "name": undo.removed.tenant.name()}});
        self.commit(out, commit, Some(reply), answer, now);
    }

    /// The policy's tenants, which an import must not clash with.
    pub(super) fn policy_tenants(&self) -> &[Tenant] {
        self.core.policy.report.policy.tenants()
    }

    fn export(&self, out: &mut Out, reply: u64, fields: &Fields<'_>) {
        let Ok(directory) = &self.core.directory else {
            return out.answer(reply, self.failure(&MessageError::ExportUnavailable));
        };
        let tenants = directory.own.tenants();
        let file = match fields.text("format") {
            Ok("json") => json!({"name": "tenant-switch-tenants.json", "type": "application/json",
                "text": export::export_json(tenants)}),
            Ok("csv") => match export::export_csv(tenants) {
                Ok(text) => json!({"name": "tenant-switch-tenants.csv",
                    "type": "text/csv;charset=utf-8", "text": text}),
                Err(error) => return out.answer(reply, self.failure(&error)),
            },
            Ok(_) => {
                return out.answer(
                    reply,
                    self.failure(&fields.invalid("format", "json or csv")),
                )
            }
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        out.answer(reply, self.success(json!({ "file": file })));
    }

    /// `restoreBackup {id?, confirm?}`: the backup `id` (the newest by default) replaces the
    /// list. A restore that would remove tenants of the list first answers `confirmRestore`
    /// with them and changes nothing; it goes ahead when asked again with `confirm: true` while
    /// it would remove exactly those tenants.
    fn restore(&mut self, out: &mut Out, reply: u64, fields: &Fields<'_>) {
        if matches!(&self.core.directory, Err(problem) if problem.copy_error.is_some()) {
            return out.answer(reply, self.failure(&MessageError::SettingsNotKept));
        }
        let wanted = match fields.number("id") {
            Ok(wanted) => wanted,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let confirm = match fields.flag("confirm") {
            Ok(confirm) => confirm,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let backup = match wanted {
            Some(id) => self.core.backups.iter().find(|backup| backup.id == id),
            None => self.core.backups.first(),
        };
        let Some(backup) = backup else {
            return out.answer(reply, self.failure(&MessageError::BackupNone));
        };
        let id = backup.id;
        self.read(
            out,
            Area::Local,
            Some(vec![store::backup_key(id)]),
            Pending::Restore { reply, id, confirm },
        );
    }

    pub(super) fn finish_restore(
        &mut self,
        out: &mut Out,
        restore: (u64, u64, bool),
        values: &Map<String, Value>,
        now: u64,
    ) {
        let (reply, id, confirm) = restore;
        let key = store::backup_key(id);
        let Some(tenants) = values.get(&key).and_then(store::read_backup_tenants) else {
            return out.answer(reply, self.failure(&MessageError::BackupUnreadable));
        };
        let base = match &self.core.directory {
            Ok(directory) => directory.own.clone(),
            Err(_) => Settings::default(),
        };
        let settings = match base.replace_tenants(tenants) {
            Ok(settings) => settings,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let Some(restored) = self.core.backups.iter().find(|b| b.id == id).cloned() else {
            return out.answer(reply, self.failure(&MessageError::BackupNone));
        };
        let removing = tenants_removed(&base, &settings);
        let confirmed =
            confirm && self.core.restore_question.as_ref() == Some(&(id, removing.clone()));
        if !removing.is_empty() && !confirmed {
            // Nothing is restored yet: the page asks the analyst about exactly these tenants.
            let gone: std::collections::HashSet<&TenantId> = removing.iter().collect();
            let shown: Vec<Value> = base
                .tenants()
                .iter()
                .filter(|tenant| gone.contains(&tenant.id()))
                .take(RESTORE_NAMES_SHOWN)
                .map(|tenant| json!({"id": tenant.id(), "name": tenant.name()}))
                .collect();
            let question = json!({"confirmRestore": {
                "id": id,
                "savedAt": restored.saved_at,
                "count": restored.count,
                "removing": {"total": removing.len(), "tenants": shown},
            }});
            self.core.restore_question = Some((id, removing));
            return out.answer(reply, self.success(question));
        }
        self.core.restore_question = None;
        let backups: Vec<_> = self
            .core
            .backups
            .iter()
            .filter(|backup| backup.id != id)
            .cloned()
            .collect();
        // The list it replaces becomes the newest backup, so a second restore undoes the first.
        let commit = Commit {
            settings: Some(settings),
            backup: self.core.directory.is_ok().then_some("restore"),
            backups: Some(backups),
            remove: vec![key],
            ..Commit::default()
        };
        let answer = json!({"restored": {"savedAt": restored.saved_at, "count": restored.count}});
        self.commit(out, commit, Some(reply), answer, now);
    }

    fn kept_copy(&mut self, out: &mut Out, reply: u64, fields: &Fields<'_>, now: u64) {
        let saved_at = match fields.number("savedAt") {
            Ok(saved_at) => saved_at,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let data = match saved_at {
            Some(at) => self
                .core
                .kept
                .iter()
                .find(|kept| kept.saved_at == at)
                .map(|kept| kept.data.clone()),
            // The rejected value itself, when no copy could be kept.
            None => self.core.directory.as_ref().err().map(|p| p.data.clone()),
        };
        let Some(data) = data else {
            return out.answer(reply, self.failure(&MessageError::KeptCopyNone));
        };
        if fields.what == "exportKeptCopy" {
            let text = serde_json::to_string_pretty(&data).unwrap_or_default();
            let name = format!(
                "tenant-switch-stored-settings-{}.json",
                saved_at.unwrap_or(now)
            );
            let file = json!({"name": name, "type": "application/json", "text": text});
            return out.answer(reply, self.success(json!({ "file": file })));
        }
        let Some(at) = saved_at else {
            return out.answer(reply, self.failure(&MessageError::KeptCopyNone));
        };
        let kept: Vec<_> = self
            .core
            .kept
            .iter()
            .filter(|kept| kept.saved_at != at)
            .cloned()
            .collect();
        let mut items = Map::new();
        items.insert(store::KEPT_COPIES_KEY.into(), store::kept_value(&kept));
        let commit = Commit {
            items,
            ..Commit::default()
        };
        self.core.kept = kept;
        self.commit(out, commit, Some(reply), json!({}), now);
    }

    /// Starts over with an empty list while the stored settings cannot be read; their copy
    /// stays kept.
    fn reset(&mut self, out: &mut Out, reply: u64, fields: &Fields<'_>, now: u64) {
        match &self.core.directory {
            Ok(_) => return out.answer(reply, self.failure(&MessageError::SettingsUsable)),
            Err(problem)
                if problem.copy_error.is_some() && !fields.flag("force").unwrap_or(false) =>
            {
                return out.answer(reply, self.failure(&MessageError::SettingsNotKept))
            }
            Err(_) => {}
        }
        let commit = Commit {
            settings: Some(Settings::default()),
            ..Commit::default()
        };
        self.commit(out, commit, Some(reply), json!({}), now);
    }

    // --- sync ------------------------------------------------------------------------------

    /// Sync is on, allowed by policy, and the settings can be read.
    pub(super) fn sync_active(&self) -> bool {
        self.core.sync.enabled
            && !self.core.policy.report.policy.disable_sync()
            && self.core.directory.is_ok()
    }

    pub(super) fn schedule_sync(&mut self, out: &mut Out, now: u64, delay: u64) {
        if let Some(delay_ms) = self.core.sync.schedule(now, delay) {
            out.push(Effect::SetTimer {
                name: TIMER.into(),
                delay_ms,
            });
        }
    }

    pub(super) fn sync_timer(&mut self, out: &mut Out) {
        if self.sync_active() {
            self.read(out, Area::Sync, None, Pending::SyncStep);
        }
    }

    fn set_sync_enabled(&mut self, out: &mut Out, reply: u64, fields: &Fields<'_>, now: u64) {
        let enable = match fields.flag("enabled") {
            Ok(enable) => enable,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        if !enable {
            self.stop_sync(out, None);
            self.refresh(out, true);
            return out.answer(reply, self.success(json!({})));
        }
        if self.core.policy.report.policy.disable_sync() {
            return out.answer(reply, self.failure(&MessageError::SyncDisabledByPolicy));
        }
        if let Err(error) = self.usable() {
            return out.answer(reply, self.failure(&error));
        }
        let _ = now;
        self.read(out, Area::Sync, None, Pending::SyncEnable { reply });
    }

    /// Turns sync off, remembering `problem` as the reason; `storage.sync` is left to the other
    /// browsers.
    fn stop_sync(&mut self, out: &mut Out, problem: Option<Value>) {
        let runtime = &mut self.core.sync;
        runtime.enabled = false;
        runtime.model = None;
        runtime.problem = problem.clone();
        runtime.held.clear();
        runtime.stalled = None;
        let mut items = Map::new();
        items.insert(ENABLED_KEY.into(), Value::Bool(false));
        items.insert(STATE_KEY.into(), Value::Null);
        items.insert(PROBLEM_KEY.into(), problem.unwrap_or(Value::Null));
        out.push(Effect::StorageSet {
            area: Area::Local,
            items,
        });
    }

    pub(super) fn finish_sync_enable(
        &mut self,
        out: &mut Out,
        reply: u64,
        items: &Map<String, Value>,
        now: u64,
    ) {
        let own = match self.usable() {
            Ok(directory) => directory.own.clone(),
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let received = match sync::receive(&sync::SyncState::new(), items, &own, now) {
            Ok(received) => received,
            Err(error) => return out.answer(reply, self.failure(&error)),
        };
        let limits = self.core.env.sync_limits;
        let plan = match sync::plan_write(items, &received.reconciled.state, limits.quotas()) {
            Ok(plan) => plan,
            Err(error) => {
                self.stop_sync(out, Some(crate::error::to_value(&error)));
                return out.answer(reply, self.failure(&error));
            }
        };
        let reconciled = received.reconciled;
        let runtime = &mut self.core.sync;
        runtime.enabled = true;
        runtime.problem = None;
        runtime.held = reconciled.held.clone();
        runtime.model = Some(reconciled.state.to_stored());
        let mut state_items = Map::new();
        state_items.insert(ENABLED_KEY.into(), Value::Bool(true));
        state_items.insert(STATE_KEY.into(), reconciled.state.to_stored());
        state_items.insert(PROBLEM_KEY.into(), Value::Null);
        let deleted = tenants_removed(&own, &reconciled.settings);
        let commit = Commit {
            settings: reconciled.settings_changed.then_some(reconciled.settings),
            backup: (!deleted.is_empty()).then_some("sync"),
            items: state_items,
            ..Commit::default()
        };
        self.commit(out, commit, None, json!({}), now);
        self.write_plan(out, &plan, now);
        out.answer(reply, self.success(json!({})));
    }

    /// One sync step: merge what another browser wrote, then write what this browser has that
    /// `storage.sync` lacks.
    pub(super) fn sync_step(&mut self, out: &mut Out, items: &Map<String, Value>, now: u64) {
        if !self.sync_active() {
            return;
        }
        let Ok(directory) = &self.core.directory else {
            return;
        };
        let own = directory.own.clone();
        let state = self.core.sync.state();
        let received = match sync::receive(&state, items, &own, now) {
            Ok(received) => received,
            Err(error) => {
                self.stop_sync(out, Some(crate::error::to_value(&error)));
                self.refresh(out, true);
                return;
            }
        };
        let model = received.reconciled.state.to_stored();
        let mut state_items = Map::new();
        if Some(&model) != self.core.sync.model.as_ref() {
            state_items.insert(STATE_KEY.into(), model.clone());
        }
        self.core.sync.model = Some(model);
        self.core.sync.held = received.reconciled.held.clone();
        let reconciled = received.reconciled.clone();
        let deleted = tenants_removed(&own, &reconciled.settings);
        if reconciled.settings_changed || !state_items.is_empty() {
            let commit = Commit {
                settings: reconciled.settings_changed.then_some(reconciled.settings),
                backup: (!deleted.is_empty()).then_some("sync"),
                items: state_items,
                ..Commit::default()
            };
            self.commit(out, commit, None, json!({}), now);
        }
        match &received.generation {
            sync::Generation::Incomplete { .. } => {
                let generation = received.generation.number().unwrap_or(0);
                if self.core.sync.stalled.map(|(g, _)| g) != Some(generation) {
                    self.core.sync.stalled = Some((generation, now));
                }
                let since = self.core.sync.stalled.map_or(now, |(_, since)| since);
                let waited = now.saturating_sub(since);
                if waited < STALLED_MS {
                    self.schedule_sync(out, now, STALLED_MS - waited);
                    return;
                }
            }
            _ if !received.needs_write => {
                self.core.sync.stalled = None;
                return;
            }
            _ => {}
        }
        self.core.sync.stalled = None;
        let limits = self.core.env.sync_limits;
        let model = self.core.sync.state();
        match sync::plan_write(items, &model, limits.quotas()) {
            Ok(plan) => self.write_plan(out, &plan, now),
            Err(
                error @ (sync::SyncError::TooLarge { .. } | sync::SyncError::NewerFormat { .. }),
            ) => {
                self.stop_sync(out, Some(crate::error::to_value(&error)));
                self.refresh(out, true);
            }
            Err(error) => {
                self.core.sync.last_error = Some(crate::error::to_value(&error));
                self.schedule_sync(out, now, super::sync::RETRY_DELAY_MS);
            }
        }
    }

    /// Runs a write plan in the core's order, within the browser's write budget; the manifest
    /// is set only after every chunk is.
    fn write_plan(&mut self, out: &mut Out, plan: &sync::WritePlan, now: u64) {
        if plan.unchanged {
            return;
        }
        let mut effects = Vec::new();
        if !plan.remove_first.is_empty() {
            effects.push(Effect::StorageRemove {
                area: Area::Sync,
                keys: plan.remove_first.clone(),
            });
        }
        if !plan.chunks.is_empty() {
            effects.push(Effect::StorageSet {
                area: Area::Sync,
                items: plan.chunks.clone(),
            });
        }
        effects.push(Effect::StorageSet {
            area: Area::Sync,
            items: plan.manifest.clone(),
        });
        if !plan.remove_after.is_empty() {
            effects.push(Effect::StorageRemove {
                area: Area::Sync,
                keys: plan.remove_after.clone(),
            });
        }
        let limits = self.core.env.sync_limits;
        let wait = self.core.sync.budget_wait(now, effects.len(), &limits);
        if wait > 0 {
            self.schedule_sync(out, now, wait);
            return;
        }
        for _ in &effects {
            self.core.sync.write_log.push(now);
        }
        let mut log = Map::new();
        log.insert(
            WRITE_LOG_KEY.into(),
            Value::Array(
                self.core
                    .sync
                    .write_log
                    .iter()
                    .map(|&t| Value::from(t))
                    .collect(),
            ),
        );
        out.push(Effect::StorageSet {
            area: Area::Local,
            items: log,
        });
        for effect in effects {
            out.reported(effect, super::effect::Report::SyncWrite);
        }
        self.core.sync.last_error = None;
    }
}

/// How many of the tenants a restore would remove its question names.
const RESTORE_NAMES_SHOWN: usize = 100;

/// The IDs `before` has and `after` lacks.
fn tenants_removed(before: &Settings, after: &Settings) -> Vec<TenantId> {
    let kept: std::collections::HashSet<TenantId> =
        after.tenants().iter().map(Tenant::id).collect();
    before
        .tenants()
        .iter()
        .map(Tenant::id)
        .filter(|id| !kept.contains(id))
        .collect()
}

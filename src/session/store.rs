//! What the session keeps in `storage.local` beside the settings: the kept copies of rejected
//! settings, the tenant list backups, the last policy seen and the layout migration from the
//! first release.
//!
//! | key | value |
//! |---|---|
//! | `settings` | the settings ([`crate::settings`]) |
//! | `keptCopies` | `[{savedAt, error, data}]`, newest first, at most [`MAX_KEPT_COPIES`]: each distinct stored settings value the core rejected, as found |
//! | `backups` | `[{id, savedAt, reason, count, bytes}]`, newest first, at most [`MAX_BACKUPS`]: the index of the tenant list backups |
//! | `backup.<id>` | `{savedAt, reason, tenants}`: one backup, read only when it is restored |
//! | `setAside` | `[{savedAt, key, data}]`: stored values of another shape that a write would have replaced (a backup index or backup edited by hand), newest first |
//! | `managedActiveTenant` | the policy tenant chosen for new tabs when it is not one of the user's own |
//! | `lastPolicy` | `{seenAt, managed}`: the enterprise policy as last read, so a worker start need not wait for the browser to read it again |
//! | `syncEnabled`, `syncState`, `syncProblem`, `syncWriteLog` | opt-in sync ([`super::sync`]) |
//!
//! The first release kept one rejected copy under `settingsRejected` and the backups, lists and
//! all, in one array `tenantListBackups`; [`migrate`] moves both into this layout at the first
//! start.

use serde_json::{json, Map, Value};

use crate::json;
use crate::tenant::TenantInput;

/// The `storage.local` key of the settings.
pub const SETTINGS_KEY: &str = "settings";
pub const KEPT_COPIES_KEY: &str = "keptCopies";
pub const BACKUPS_KEY: &str = "backups";
pub const SET_ASIDE_KEY: &str = "setAside";
pub const MANAGED_ACTIVE_KEY: &str = "managedActiveTenant";
pub const LAST_POLICY_KEY: &str = "lastPolicy";
/// The first release's single rejected copy.
const LEGACY_REJECTED_KEY: &str = "settingsRejected";
/// The first release's backups array.
const LEGACY_BACKUPS_KEY: &str = "tenantListBackups";
/// The first release's set-aside backups.
const LEGACY_BACKUPS_REJECTED_KEY: &str = "tenantListBackupsRejected";

/// Backups kept at most.
pub const MAX_BACKUPS: usize = 3;
/// Distinct rejected settings values kept at most; beyond that the oldest goes.
pub const MAX_KEPT_COPIES: usize = 5;
/// The latest time a stored `savedAt` may name (the end of JavaScript's dates).
const MAX_TIME: u64 = 8_640_000_000_000_000;

/// The `storage.local` keys the session reads at every start (never the backups' lists).
pub const START_KEYS: &[&str] = &[
    SETTINGS_KEY,
    KEPT_COPIES_KEY,
    BACKUPS_KEY,
    SET_ASIDE_KEY,
    MANAGED_ACTIVE_KEY,
    LAST_POLICY_KEY,
    super::sync::ENABLED_KEY,
    super::sync::STATE_KEY,
    super::sync::PROBLEM_KEY,
    super::sync::WRITE_LOG_KEY,
    LEGACY_REJECTED_KEY,
    LEGACY_BACKUPS_KEY,
    LEGACY_BACKUPS_REJECTED_KEY,
];

/// The key of backup `id`'s payload.
pub fn backup_key(id: u64) -> String {
    format!("backup.{id}")
}

/// One copy of rejected settings.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptCopy {
    pub saved_at: u64,
    /// The error the core gave, as pages show it.
    pub error: Value,
    /// The stored value exactly as found.
    pub data: Value,
    /// The length of its JSON text.
    pub bytes: usize,
}

impl KeptCopy {
    pub fn to_value(&self) -> Value {
        json!({"savedAt": self.saved_at, "error": self.error, "data": self.data})
    }

    /// A copy of `data`, rejected with `error` at `saved_at`.
    pub fn new(saved_at: u64, error: Value, data: Value) -> Self {
        let bytes = size_of("", &data);
        Self {
            saved_at,
            error,
            data,
            bytes,
        }
    }

    fn read(value: &Value) -> Option<Self> {
        let object = value.as_object()?;
        Some(Self::new(
            saved_at(object)?,
            object.get("error").cloned().unwrap_or(Value::Null),
            object.get("data").cloned().unwrap_or(Value::Null),
        ))
    }
}

/// One backup in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupEntry {
    pub id: u64,
    pub saved_at: u64,
    /// `deleteTenant`, `import`, `restore` or `sync`.
    pub reason: String,
    /// How many tenants the list holds.
    pub count: usize,
    /// The payload's size in storage.
    pub bytes: usize,
}

impl BackupEntry {
    pub fn to_value(&self) -> Value {
        json!({"id": self.id, "savedAt": self.saved_at, "reason": self.reason,
            "count": self.count, "bytes": self.bytes})
    }

    fn read(value: &Value) -> Option<Self> {
        let object = value.as_object()?;
        let number = |key| {
            object
                .get(key)
                .and_then(|v| json::whole_number(v, key).ok())
        };
        Some(Self {
            id: number("id")?,
            saved_at: saved_at(object)?,
            reason: object.get("reason")?.as_str()?.to_owned(),
            count: usize::try_from(number("count")?).ok()?,
            bytes: usize::try_from(number("bytes")?).ok()?,
        })
    }
}

/// A backup's payload: `{savedAt, reason, tenants}`.
pub fn backup_payload(saved_at: u64, reason: &str, tenants: Vec<Value>) -> Value {
    json!({"savedAt": saved_at, "reason": reason, "tenants": tenants})
}

/// The tenants of a backup payload, unvalidated (the settings validate them on restore), or
/// `None` when it is not a backup.
pub fn read_backup_tenants(payload: &Value) -> Option<Vec<TenantInput>> {
    let object = payload.as_object()?;
    saved_at(object)?;
    serde_json::from_value(object.get("tenants")?.clone()).ok()
}

/// A `savedAt` that a date can show: a whole number of milliseconds from 1 to the end of
/// JavaScript's dates. Anything else ("Invalid time value") means the entry is not ours.
fn saved_at(object: &Map<String, Value>) -> Option<u64> {
    let value = object.get("savedAt")?;
    json::whole_number(value, "savedAt")
        .ok()
        .filter(|t| (1..=MAX_TIME).contains(t))
}

/// What storage held beside the settings, read at a start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stored {
    pub kept: Vec<KeptCopy>,
    pub backups: Vec<BackupEntry>,
    pub set_aside: Vec<Value>,
    /// Writes and removals that bring storage to this layout (the first start after an update
    /// from the first release, or entries of another shape set aside).
    pub migration: Option<Migration>,
}

/// What [`migrate`] writes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Migration {
    pub set: Map<String, Value>,
    pub remove: Vec<String>,
}

/// Reads the kept copies, the backup index and the set-aside values from what storage held
/// (`local`, the [`START_KEYS`]), moving the first release's layout into this one and setting
/// aside entries that cannot be ours.
pub fn migrate(local: &Map<String, Value>, now: u64) -> Stored {
    let mut stored = Stored::default();
    let mut migration = Migration::default();
    let set_aside = |key: &str, data: Value, into: &mut Vec<Value>| {
        into.push(json!({"savedAt": now, "key": key, "data": data}));
    };

    if let Some(Value::Array(entries)) = local.get(SET_ASIDE_KEY) {
        stored.set_aside = entries.clone();
    }
    let mut aside_changed = false;

    match local.get(KEPT_COPIES_KEY) {
        None | Some(Value::Null) => {}
        Some(Value::Array(entries)) => {
            for entry in entries {
                match KeptCopy::read(entry) {
                    Some(copy) => stored.kept.push(copy),
                    None => {
                        set_aside(KEPT_COPIES_KEY, entry.clone(), &mut stored.set_aside);
                        aside_changed = true;
                    }
                }
            }
            if stored.kept.len() != entries.len() {
                migration
                    .set
                    .insert(KEPT_COPIES_KEY.into(), kept_value(&stored.kept));
            }
        }
        Some(other) => {
            set_aside(KEPT_COPIES_KEY, other.clone(), &mut stored.set_aside);
            aside_changed = true;
            migration
                .set
                .insert(KEPT_COPIES_KEY.into(), Value::Array(Vec::new()));
        }
    }
    if let Some(legacy) = local.get(LEGACY_REJECTED_KEY) {
        if let Some(copy) = KeptCopy::read(legacy) {
            if !stored.kept.iter().any(|kept| kept.data == copy.data) {
                stored.kept.push(copy);
                stored
                    .kept
                    .sort_by_key(|kept| std::cmp::Reverse(kept.saved_at));
            }
        } else if !legacy.is_null() {
            set_aside(LEGACY_REJECTED_KEY, legacy.clone(), &mut stored.set_aside);
            aside_changed = true;
        }
        migration
            .set
            .insert(KEPT_COPIES_KEY.into(), kept_value(&stored.kept));
        migration.remove.push(LEGACY_REJECTED_KEY.into());
    }

    match local.get(BACKUPS_KEY) {
        None | Some(Value::Null) => {}
        Some(Value::Array(entries)) => {
            for entry in entries {
                match BackupEntry::read(entry) {
                    Some(backup) => stored.backups.push(backup),
                    None => {
                        set_aside(BACKUPS_KEY, entry.clone(), &mut stored.set_aside);
                        aside_changed = true;
                    }
                }
            }
            if stored.backups.len() != entries.len() {
                migration
                    .set
                    .insert(BACKUPS_KEY.into(), backups_value(&stored.backups));
            }
        }
        Some(other) => {
            set_aside(BACKUPS_KEY, other.clone(), &mut stored.set_aside);
            aside_changed = true;
            migration
                .set
                .insert(BACKUPS_KEY.into(), Value::Array(Vec::new()));
        }
    }
    if let Some(legacy) = local.get(LEGACY_BACKUPS_KEY) {
        let mut next_id = stored.backups.iter().map(|b| b.id).max().unwrap_or(0) + 1;
        let entries = legacy.as_array().cloned().unwrap_or_default();
        if !legacy.is_array() {
            set_aside(LEGACY_BACKUPS_KEY, legacy.clone(), &mut stored.set_aside);
            aside_changed = true;
        }
        for entry in entries {
            let usable = entry.as_object().and_then(|object| {
                let tenants = object.get("tenants")?.as_array()?.clone();
                let reason = object
                    .get("reason")
                    .and_then(Value::as_str)
                    .unwrap_or("deleteTenant")
                    .to_owned();
                Some((saved_at(object)?, reason, tenants))
            });
            match usable {
                Some((saved, reason, tenants)) if stored.backups.len() < MAX_BACKUPS => {
                    let count = tenants.len();
                    let payload = backup_payload(saved, &reason, tenants);
                    let bytes = size_of(&backup_key(next_id), &payload);
                    migration.set.insert(backup_key(next_id), payload);
                    stored.backups.push(BackupEntry {
                        id: next_id,
                        saved_at: saved,
                        reason,
                        count,
                        bytes,
                    });
                    next_id += 1;
                }
                Some(_) => {}
                None => {
                    set_aside(LEGACY_BACKUPS_KEY, entry, &mut stored.set_aside);
                    aside_changed = true;
                }
            }
        }
        stored
            .backups
            .sort_by_key(|backup| std::cmp::Reverse(backup.saved_at));
        migration
            .set
            .insert(BACKUPS_KEY.into(), backups_value(&stored.backups));
        migration.remove.push(LEGACY_BACKUPS_KEY.into());
    }
    if let Some(legacy) = local.get(LEGACY_BACKUPS_REJECTED_KEY) {
        stored.set_aside.push(json!({
            "savedAt": legacy.get("savedAt").cloned().unwrap_or(Value::from(now)),
            "key": LEGACY_BACKUPS_KEY,
            "data": legacy.get("data").cloned().unwrap_or(legacy.clone()),
        }));
        aside_changed = true;
        migration.remove.push(LEGACY_BACKUPS_REJECTED_KEY.into());
    }
    if aside_changed {
        migration
            .set
            .insert(SET_ASIDE_KEY.into(), Value::Array(stored.set_aside.clone()));
    }
    if !migration.set.is_empty() || !migration.remove.is_empty() {
        stored.migration = Some(migration);
    }
    stored
}

pub fn kept_value(kept: &[KeptCopy]) -> Value {
    Value::Array(kept.iter().map(KeptCopy::to_value).collect())
}

pub fn backups_value(backups: &[BackupEntry]) -> Value {
    Value::Array(backups.iter().map(BackupEntry::to_value).collect())
}

/// How many bytes `storage.local` counts for `key` holding `value`: the key's length plus the
/// length of the value's JSON text.
pub fn size_of(key: &str, value: &Value) -> usize {
    key.len() + measure(value, false).0
}

/// The length of `value` as JSON text, and its hash with `hasher` when given: written through,
/// never built (a settings value of 10,000 tenants is about a megabyte of text).
pub fn measure(value: &Value, hash: bool) -> (usize, u64) {
    use std::hash::{DefaultHasher, Hasher};
    struct Sink<H> {
        bytes: usize,
        hasher: Option<H>,
    }
    impl<H: Hasher> std::io::Write for Sink<H> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.bytes += buf.len();
            if let Some(hasher) = &mut self.hasher {
                hasher.write(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut sink = Sink {
        bytes: 0,
        // Fixed keys: the session reads no random source, and the same value always gets the
        // same fingerprint.
        hasher: hash.then(DefaultHasher::new),
    };
    // Writing to memory cannot fail.
    let _ = serde_json::to_writer(&mut sink, value);
    (sink.bytes, sink.hasher.map_or(0, |hasher| hasher.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn the_first_releases_layout_is_moved_and_nothing_is_lost() {
        let local: Map<String, Value> = serde_json::from_value(json!({
            "settingsRejected": {"savedAt": 1_700_000_000_000u64, "error": {"name": "SettingsNotAnObject"}, "data": 5},
            "tenantListBackups": [
                {"savedAt": 1_700_000_300_000u64, "reason": "import", "tenants": [{"name": "A", "id": "x"}]},
                {"savedAt": 1e30, "reason": "import", "tenants": []},
                {"savedAt": 1_700_000_100_000u64, "reason": "deleteTenant", "tenants": []}
            ]
        }))
        .unwrap();
        let stored = migrate(&local, 1_800_000_000_000);
        assert_eq!(stored.kept.len(), 1);
        assert_eq!(stored.kept[0].data, json!(5));
        assert_eq!(
            stored.backups,
            vec![
                BackupEntry {
                    id: 1,
                    saved_at: 1_700_000_300_000,
                    reason: "import".into(),
                    count: 1,
                    bytes: 85
                },
                BackupEntry {
                    id: 2,
                    saved_at: 1_700_000_100_000,
                    reason: "deleteTenant".into(),
                    count: 0,
                    bytes: 70
                },
            ]
        );
        assert_eq!(
            stored.set_aside.len(),
            1,
            "the backup with an impossible date"
        );
        let migration = stored.migration.unwrap();
        assert_eq!(
            migration.remove,
            vec!["settingsRejected", "tenantListBackups"]
        );
        assert_eq!(
            migration.set["backup.1"],
            json!({"savedAt": 1_700_000_300_000u64, "reason": "import", "tenants": [{"name": "A", "id": "x"}]})
        );
        assert!(migration.set.contains_key("setAside"));
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn nothing_to_migrate_writes_nothing() {
        let local: Map<String, Value> = serde_json::from_value(json!({
            "keptCopies": [],
            "backups": [{"id": 4, "savedAt": 5, "reason": "import", "count": 2, "bytes": 10}]
        }))
        .unwrap();
        let stored = migrate(&local, 9);
        assert_eq!(stored.migration, None);
        assert_eq!(stored.backups[0].id, 4);
    }
}

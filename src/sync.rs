//! Sync (opt-in): mirrors the user's own tenant list through the browser's `storage.sync` area.
//!
//! Local storage stays the source of truth; sync is a replica built from it. This module holds
//! everything that decides, so the extension's `sync-manager.js` only moves data:
//!
//! - **The sync model** ([`SyncState`]): one [`Entry`] per tenant ID, either the tenant with the
//!   time it was last changed, or a deletion marker (tombstone) with the time it was deleted. The
//!   timestamps live here, not in the settings schema: they only matter for sync. The model also
//!   remembers the tenant list as it was when this browser last looked (`known`), so a local change
//!   is told apart from a remote tenant that could not be applied here.
//! - **Merge** ([`SyncState::merge`]): per tenant ID, the newer entry wins; deletion markers expire
//!   after [`TOMBSTONE_LIFETIME_MS`].
//! - **Reconcile** ([`SyncState::reconcile`]): the model applied to the local settings through the
//!   ordinary settings operations, so every settings rule (unique names, the active tenant) holds.
//!   Only the tenant list is synced: the active tenant, the recent tenants and automatic rewrite
//!   stay per browser.
//! - **Storage layout** ([`read_generation`], [`plan_write`]): the model is split into chunk items
//!   (`syncChunk.<generation>.<n>`, each a JSON array of entries) that fit the quotas, which are
//!   parameters ([`Quotas`]), never read from the browser here. The manifest item
//!   [`MANIFEST_KEY`] names the generation, its chunk keys and a checksum; it is written last, and
//!   the chunks it replaces are removed only after it, so a reader that trusts only a manifest
//!   whose chunks are all present with the right checksum never sees a half-written generation.
//!   A write rewrites only chunks whose entries changed.
//!
//! A synced list takes at most half the quota (bytes and items), so a complete new generation can
//! always be written beside the old one before the old one is removed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::UiError;
use crate::settings::{Operation, Settings};
use crate::tenant::{Tenant, TenantInput};
use crate::tenant_id::TenantId;

/// The `storage.sync` key of the manifest: the generation, its chunk keys and a checksum.
pub const MANIFEST_KEY: &str = "syncGeneration";
/// The prefix of every chunk key; the full key is `syncChunk.<generation>.<n>`.
pub const CHUNK_KEY_PREFIX: &str = "syncChunk.";
/// The storage format this core writes (manifest and local model). Version 2 added a tenant's
/// initial domain, tags and aliases to its entry; version 1 is still read.
pub const FORMAT_VERSION: u64 = 2;
/// The oldest format this core reads.
pub const OLDEST_FORMAT_VERSION: u64 = 1;
/// How long a deletion marker is kept: 30 days. A browser that stays offline for longer may bring
/// a deleted tenant back.
pub const TOMBSTONE_LIFETIME_MS: u64 = 30 * 24 * 60 * 60 * 1000;

/// The limits of the sync storage area, as the browser publishes them
/// (`chrome.storage.sync.QUOTA_BYTES` and so on). An item's size is its key's length plus the
/// length of its JSON-encoded value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Quotas {
    /// Bytes for all items together.
    pub quota_bytes: usize,
    /// Bytes for one item, key included.
    pub quota_bytes_per_item: usize,
    /// Number of items.
    pub max_items: usize,
}

impl Quotas {
    /// Chromium's `storage.sync` quotas.
    pub const CHROME: Self = Self {
        quota_bytes: 102_400,
        quota_bytes_per_item: 8_192,
        max_items: 512,
    };

    fn fits_half(&self, bytes: usize, items: usize) -> bool {
        bytes.saturating_mul(2) <= self.quota_bytes && items.saturating_mul(2) <= self.max_items
    }
}

/// What the sync model knows about one tenant ID. Timestamps are milliseconds since the epoch,
/// as the caller's clock gave them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// The tenant as it was last changed, at `modified`.
    Live {
        /// The tenant's fields.
        tenant: Tenant,
        /// When it was added or last edited.
        modified: u64,
    },
    /// The tenant was deleted at `deleted` (a deletion marker).
    Deleted {
        /// When it was deleted.
        deleted: u64,
    },
}

impl Entry {
    fn stamp(&self) -> u64 {
        match self {
            Self::Live { modified, .. } => *modified,
            Self::Deleted { deleted } => *deleted,
        }
    }

    /// Whether `self` replaces `other` in a merge: the later timestamp wins; on a tie a live
    /// tenant beats a deletion (nothing is lost on a tie), then the greater name and domain, so
    /// that every browser picks the same entry whatever order the merges run in.
    fn wins_over(&self, other: &Self) -> bool {
        self.order_key() > other.order_key()
    }

    fn order_key(&self) -> (u64, bool, &str, Option<&str>, String) {
        match self {
            Self::Live { tenant, modified } => (
                *modified,
                true,
                tenant.name(),
                tenant.domain(),
                extras(tenant).map(|e| e.to_string()).unwrap_or_default(),
            ),
            Self::Deleted { deleted } => (*deleted, false, "", None, String::new()),
        }
    }

    /// `[id, "modified", name]`, `[id, "modified", name, domain]`,
    /// `[id, "modified", name, domain or null, {initialDomain?, tags?, aliases?}]` or
    /// `[id, "deleted"]`: arrays keep the quota spent per tenant small. Timestamps are decimal
    /// strings, because the browser may write large numbers in a form (`1.7e12`,
    /// `1700000000000.0`) whose length differs.
    fn encode(&self, id: TenantId) -> Value {
        let mut fields = vec![
            Value::String(id.to_string()),
            Value::String(self.stamp().to_string()),
        ];
        if let Self::Live { tenant, .. } = self {
            fields.push(Value::String(tenant.name().to_owned()));
            let extras = extras(tenant);
            match tenant.domain() {
                Some(domain) => fields.push(Value::String(domain.to_owned())),
                None if extras.is_some() => fields.push(Value::Null),
                None => {}
            }
            if let Some(extras) = extras {
                fields.push(extras);
            }
        }
        Value::Array(fields)
    }

    fn decode(value: &Value) -> Result<(TenantId, Self), String> {
        let fields = value
            .as_array()
            .ok_or_else(|| "an entry is not an array".to_owned())?;
        let text = |index: usize| fields.get(index).and_then(Value::as_str);
        let id = text(0).ok_or_else(|| "an entry has no tenant ID".to_owned())?;
        let id = TenantId::parse(id).map_err(|e| format!("entry {id}: {e}"))?;
        let stamp = text(1)
            .and_then(|stamp| stamp.parse::<u64>().ok())
            .ok_or_else(|| format!("entry {id}: no timestamp"))?;
        let entry = match fields.len() {
            2 => Self::Deleted { deleted: stamp },
            3..=5 => {
                let name = text(2).ok_or_else(|| format!("entry {id}: no name"))?;
                let domain = match fields.get(3) {
                    None | Some(Value::Null) => None,
                    Some(domain) => Some(
                        domain
                            .as_str()
                            .ok_or_else(|| format!("entry {id}: the domain is not text"))?,
                    ),
                };
                let extras = match fields.get(4) {
                    None => Extras::default(),
                    Some(extras) => {
                        Extras::deserialize(extras).map_err(|e| format!("entry {id}: {e}"))?
                    }
                };
                let input = TenantInput {
                    name: name.to_owned(),
                    id: id.to_string(),
                    domain: domain.map(str::to_owned),
                    initial_domain: extras.initial_domain,
                    tags: extras.tags,
                    aliases: extras.aliases,
                };
                let tenant = input.validate().map_err(|e| format!("entry {id}: {e}"))?;
                Self::Live {
                    tenant,
                    modified: stamp,
                }
            }
            n => return Err(format!("entry {id}: {n} fields")),
        };
        Ok((id, entry))
    }
}

/// The fifth field of an entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Extras {
    #[serde(default)]
    initial_domain: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

/// A tenant's fields beyond name and domain, as an entry carries them; `None` when it has none.
fn extras(tenant: &Tenant) -> Option<Value> {
    let mut object = Map::new();
    if let Some(domain) = tenant.initial_domain() {
        object.insert("initialDomain".into(), Value::from(domain));
    }
    if !tenant.tags().is_empty() {
        object.insert("tags".into(), Value::from(tenant.tags().to_vec()));
    }
    if !tenant.aliases().is_empty() {
        object.insert("aliases".into(), Value::from(tenant.aliases().to_vec()));
    }
    (!object.is_empty()).then_some(Value::Object(object))
}

/// The sync model of one browser: an entry per tenant ID, and the tenant list as this browser
/// last saw it (`known`), which tells local changes apart from remote tenants not applied here.
///
/// # Examples
/// ```
/// use tenant_switch::settings::Settings;
/// use tenant_switch::sync::SyncState;
/// use tenant_switch::tenant::Tenant;
///
/// let contoso = Tenant::new("Contoso", "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", None).unwrap();
/// let state = SyncState::new().record(&[contoso], 1_000);
/// assert_eq!(state.live_tenants(), 1);
/// let deleted = state.record(&[], 2_000);
/// assert_eq!(deleted.live_tenants(), 0);
/// assert_eq!(deleted.entries().len(), 1); // the deletion marker
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncState {
    entries: BTreeMap<TenantId, Entry>,
    known: BTreeMap<TenantId, Tenant>,
}

impl SyncState {
    /// An empty model: what a browser starts from when the user turns sync on.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every entry, by tenant ID.
    pub fn entries(&self) -> &BTreeMap<TenantId, Entry> {
        &self.entries
    }

    /// How many entries are tenants (not deletion markers).
    pub fn live_tenants(&self) -> usize {
        self.entries
            .values()
            .filter(|entry| matches!(entry, Entry::Live { .. }))
            .count()
    }

    /// Reads the model as [`SyncState::to_stored`] wrote it.
    ///
    /// # Errors
    /// [`SyncError::StateNewerFormat`] for a model written by a newer Tenant Switch;
    /// [`SyncError::StateInvalid`] for anything else that is not a model. Either way the model
    /// can be dropped and rebuilt from the local settings: nothing but timestamps is lost.
    pub fn load(value: &Value) -> Result<Self, SyncError> {
        let invalid = |reason: &str| SyncError::StateInvalid {
            reason: reason.to_owned(),
        };
        let object = value.as_object().ok_or_else(|| invalid("not an object"))?;
        match object.get("version").and_then(Value::as_u64) {
            Some(OLDEST_FORMAT_VERSION..=FORMAT_VERSION) => {}
            Some(found) if found > FORMAT_VERSION => {
                return Err(SyncError::StateNewerFormat {
                    found,
                    supported: FORMAT_VERSION,
                })
            }
            _ => return Err(invalid("no supported version")),
        }
        let mut entries = BTreeMap::new();
        for value in object
            .get("entries")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("no entries"))?
        {
            let (id, entry) = Entry::decode(value).map_err(|reason| invalid(&reason))?;
            if entries.insert(id, entry).is_some() {
                return Err(invalid(&format!("{id} is listed twice")));
            }
        }
        let mut known = BTreeMap::new();
        for value in object
            .get("known")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("no known tenants"))?
        {
            let tenant = Tenant::deserialize(value).map_err(|e| invalid(&e.to_string()))?;
            known.insert(tenant.id(), tenant);
        }
        Ok(Self { entries, known })
    }

    /// The model as JSON for `storage.local` (`syncState`):
    /// `{"version": 2, "entries": [...], "known": [{name, id, domain?, ...}, ...]}`.
    pub fn to_stored(&self) -> Value {
        let mut object = Map::new();
        object.insert("version".into(), Value::from(FORMAT_VERSION));
        object.insert("entries".into(), Value::Array(self.encoded()));
        object.insert(
            "known".into(),
            Value::Array(
                self.known
                    .values()
                    .map(|tenant| serde_json::to_value(tenant).unwrap_or(Value::Null))
                    .collect(),
            ),
        );
        Value::Object(object)
    }

    fn encoded(&self) -> Vec<Value> {
        self.entries
            .iter()
            .map(|(id, entry)| entry.encode(*id))
            .collect()
    }

    /// The model with this browser's tenant list recorded at `now`: a tenant that is new or
    /// changed since the list was last seen becomes a live entry modified at `now`; a tenant
    /// that was seen and is gone becomes a deletion marker. Tenants the model has but this browser
    /// never had (a remote tenant whose name clashes here) are left alone, not deleted.
    pub fn record(&self, tenants: &[Tenant], now: u64) -> Self {
        let mut next = self.clone();
        let local: BTreeMap<TenantId, &Tenant> = tenants.iter().map(|t| (t.id(), t)).collect();
        for tenant in tenants {
            let unchanged = self.known.get(&tenant.id()) == Some(tenant);
            if !unchanged || !self.entries.contains_key(&tenant.id()) {
                next.entries.insert(
                    tenant.id(),
                    Entry::Live {
                        tenant: tenant.clone(),
                        modified: now,
                    },
                );
            }
        }
        for id in self.known.keys() {
            if !local.contains_key(id)
                && matches!(self.entries.get(id), Some(Entry::Live { .. }) | None)
            {
                next.entries.insert(*id, Entry::Deleted { deleted: now });
            }
        }
        next.known = local.into_iter().map(|(id, t)| (id, t.clone())).collect();
        next.expire(now);
        next
    }

    /// The model merged with entries read from another browser: per tenant ID the newer entry
    /// wins (see [`Entry`]); deletion markers older than [`TOMBSTONE_LIFETIME_MS`] are dropped.
    /// Merging is commutative and idempotent, so browsers converge whatever order they merge in.
    pub fn merge(&self, remote: &BTreeMap<TenantId, Entry>, now: u64) -> Self {
        let mut next = self.clone();
        for (id, theirs) in remote {
            let replace = match next.entries.get(id) {
                None => true,
                Some(ours) => theirs.wins_over(ours),
            };
            if replace {
                next.entries.insert(*id, theirs.clone());
            }
        }
        next.expire(now);
        next
    }

    fn expire(&mut self, now: u64) {
        self.entries.retain(|_, entry| match entry {
            Entry::Deleted { deleted } => deleted.saturating_add(TOMBSTONE_LIFETIME_MS) >= now,
            Entry::Live { .. } => true,
        });
    }

    /// Applies the model to the local settings: deletions first, then edits, then new tenants
    /// (in tenant ID order, at the end of the list), each through [`Settings::apply`]. A change
    /// the settings refuse (a name another tenant here already has) is not applied and is
    /// reported in [`Reconciled::held`]; it is tried again on the next reconcile. The active
    /// tenant, recent tenants and automatic rewrite are not synced; deleting the active tenant
    /// makes "No tenant" active, as a local deletion does.
    pub fn reconcile(&self, settings: &Settings) -> Reconciled {
        let mut current = settings.clone();
        let mut held = Vec::new();
        let mut try_apply =
            |current: &mut Settings, id: TenantId, operation: Operation| match current
                .apply(operation)
            {
                Ok(next) => *current = next,
                Err(_) => held.push(id),
            };
        for tenant in settings.tenants() {
            if let Some(Entry::Deleted { .. }) = self.entries.get(&tenant.id()) {
                let id = tenant.id().to_string();
                try_apply(&mut current, tenant.id(), Operation::DeleteTenant { id });
            }
        }
        for tenant in settings.tenants() {
            if let Some(Entry::Live { tenant: theirs, .. }) = self.entries.get(&tenant.id()) {
                if theirs != tenant {
                    let operation = Operation::EditTenant {
                        id: tenant.id().to_string(),
                        tenant: TenantInput::from(theirs),
                    };
                    try_apply(&mut current, tenant.id(), operation);
                }
            }
        }
        for (id, entry) in &self.entries {
            if let Entry::Live { tenant, .. } = entry {
                if current.tenant(*id).is_none() {
                    let operation = Operation::AddTenant {
                        tenant: TenantInput::from(tenant),
                    };
                    try_apply(&mut current, *id, operation);
                }
            }
        }
        let mut state = self.clone();
        state.known = current
            .tenants()
            .iter()
            .map(|tenant| (tenant.id(), tenant.clone()))
            .collect();
        Reconciled {
            settings_changed: current != *settings,
            settings: current,
            state,
            held,
        }
    }
}

/// The outcome of [`SyncState::reconcile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciled {
    /// The local settings with the model applied.
    pub settings: Settings,
    /// Whether `settings` differ from the settings reconciled.
    pub settings_changed: bool,
    /// The model, now knowing the new local list.
    pub state: SyncState,
    /// Tenant IDs whose remote change could not be applied here (their name clashes).
    pub held: Vec<TenantId>,
}

/// What the sync storage area holds, as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Generation {
    /// No manifest: nothing was ever synced.
    Empty,
    /// The manifest names chunks that are not (yet) there: still arriving from another
    /// browser, or replaced while being read. Ignored until the next change.
    Incomplete {
        /// The manifest's generation.
        generation: u64,
        /// The chunk keys that are missing.
        missing: Vec<String>,
    },
    /// The items do not form a generation this core can read (wrong checksum, bad entries).
    Invalid {
        /// The manifest's generation, if it could be read.
        generation: Option<u64>,
        /// What is wrong, for logs.
        reason: String,
    },
    /// A complete generation.
    Complete {
        /// Its number.
        generation: u64,
        /// Its entries, by tenant ID.
        entries: BTreeMap<TenantId, Entry>,
        /// Its chunks in manifest order.
        chunks: Vec<ChunkRef>,
    },
}

/// A chunk of a complete generation: its key and the tenant IDs it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkRef {
    key: String,
    ids: Vec<TenantId>,
}

impl Generation {
    /// The status word the shell logs and the tests check: `empty`, `incomplete`, `invalid`
    /// or `complete`.
    pub fn status(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Incomplete { .. } => "incomplete",
            Self::Invalid { .. } => "invalid",
            Self::Complete { .. } => "complete",
        }
    }

    /// The generation number, when a manifest could be read.
    pub fn number(&self) -> Option<u64> {
        match self {
            Self::Empty => None,
            Self::Incomplete { generation, .. } | Self::Complete { generation, .. } => {
                Some(*generation)
            }
            Self::Invalid { generation, .. } => *generation,
        }
    }
}

/// Reads the generation the sync storage area holds (`stored` is everything
/// `storage.sync.get(null)` returned).
///
/// # Errors
/// [`SyncError::NewerFormat`] when the manifest was written by a newer Tenant Switch: it must
/// be neither read nor overwritten.
pub fn read_generation(stored: &Map<String, Value>) -> Result<Generation, SyncError> {
    let Some(manifest) = stored.get(MANIFEST_KEY) else {
        return Ok(Generation::Empty);
    };
    let invalid =
        |generation: Option<u64>, reason: String| Ok(Generation::Invalid { generation, reason });
    let Some(object) = manifest.as_object() else {
        return invalid(None, "the manifest is not an object".into());
    };
    match object.get("version").and_then(Value::as_u64) {
        Some(OLDEST_FORMAT_VERSION..=FORMAT_VERSION) => {}
        Some(found) if found > FORMAT_VERSION => {
            return Err(SyncError::NewerFormat {
                found,
                supported: FORMAT_VERSION,
            })
        }
        _ => return invalid(None, "the manifest has no supported version".into()),
    }
    let Some(generation) = object.get("generation").and_then(Value::as_u64) else {
        return invalid(None, "the manifest has no generation".into());
    };
    let keys: Option<Vec<&str>> = object
        .get("chunks")
        .and_then(Value::as_array)
        .and_then(|keys| keys.iter().map(Value::as_str).collect());
    let Some(keys) = keys else {
        return invalid(Some(generation), "the manifest lists no chunks".into());
    };
    let missing: Vec<String> = keys
        .iter()
        .filter(|key| !stored.contains_key(**key))
        .map(|key| (*key).to_owned())
        .collect();
    if !missing.is_empty() {
        return Ok(Generation::Incomplete {
            generation,
            missing,
        });
    }
    let values: Vec<(&str, &Value)> = keys
        .iter()
        .filter_map(|key| stored.get(*key).map(|value| (*key, value)))
        .collect();
    let expected = checksum(values.iter().map(|(key, value)| (*key, *value)));
    if object.get("checksum").and_then(Value::as_str) != Some(expected.as_str()) {
        return invalid(Some(generation), "the checksum does not match".into());
    }
    let mut entries = BTreeMap::new();
    let mut chunks = Vec::with_capacity(values.len());
    for (key, value) in values {
        let Some(items) = value.as_array() else {
            return invalid(Some(generation), format!("{key} is not an array"));
        };
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            let (id, entry) = match Entry::decode(item) {
                Ok(decoded) => decoded,
                Err(reason) => return invalid(Some(generation), format!("{key}: {reason}")),
            };
            if entries.insert(id, entry).is_some() {
                return invalid(Some(generation), format!("{id} is listed twice"));
            }
            ids.push(id);
        }
        chunks.push(ChunkRef {
            key: key.to_owned(),
            ids,
        });
    }
    Ok(Generation::Complete {
        generation,
        entries,
        chunks,
    })
}

/// The result of [`receive`]: the remote generation merged into the model and applied to the
/// local settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// What the sync area held.
    pub generation: Generation,
    /// The local settings with the merged model applied, and the new model.
    pub reconciled: Reconciled,
    /// Whether the model has entries the sync area lacks, so this browser should write.
    pub needs_write: bool,
}

/// One sync step on the reading side: records the local list (changes since the model last saw
/// it are stamped `now`), merges the complete remote generation if there is one, and reconciles
/// the local settings. An incomplete or invalid generation is not merged.
///
/// # Errors
/// [`SyncError::NewerFormat`] as [`read_generation`].
pub fn receive(
    state: &SyncState,
    stored: &Map<String, Value>,
    settings: &Settings,
    now: u64,
) -> Result<Received, SyncError> {
    let recorded = state.record(settings.tenants(), now);
    let generation = read_generation(stored)?;
    let merged = match &generation {
        Generation::Complete { entries, .. } => recorded.merge(entries, now),
        _ => recorded,
    };
    let reconciled = merged.reconcile(settings);
    let needs_write = match &generation {
        Generation::Complete { entries, .. } => *entries != reconciled.state.entries,
        // Still arriving: its writer will finish, and this browser merges it then.
        Generation::Incomplete { .. } => false,
        Generation::Empty => !reconciled.state.entries.is_empty(),
        Generation::Invalid { .. } => true,
    };
    Ok(Received {
        generation,
        reconciled,
        needs_write,
    })
}

/// What to do to the sync storage area to store a model, in this order: remove `remove_first`
/// (items no complete generation refers to), set `chunks`, set `manifest`, and only then remove
/// `remove_after` (the chunks of the previous generation that the new one no longer uses). If any
/// step fails, the previous generation stays complete for readers and the plan can be made again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WritePlan {
    /// The generation the plan writes (the current one when `unchanged`).
    pub generation: u64,
    /// Nothing to write: the sync area holds exactly this model.
    pub unchanged: bool,
    /// Stray items to remove before writing.
    pub remove_first: Vec<String>,
    /// The new chunk items.
    pub chunks: Map<String, Value>,
    /// The manifest item (`{syncGeneration: {...}}`), written last; empty when unchanged.
    pub manifest: Map<String, Value>,
    /// The previous generation's chunks to remove after the manifest.
    pub remove_after: Vec<String>,
    /// Bytes in use once the plan is done (as the browser counts them, or slightly more).
    pub bytes_in_use: usize,
    /// Items once the plan is done.
    pub items: usize,
}

/// The items to write for `state` given what the sync area holds now.
///
/// Chunks of the stored generation whose entries are all unchanged are kept; the other entries
/// are packed, in tenant ID order, into new chunks of the next generation. When keeping chunks
/// would leave the list fragmented beyond half the quota, everything is repacked.
///
/// # Errors
/// [`SyncError::TooLarge`] when the model takes more than half the quota, with how many of the
/// tenants would fit; [`SyncError::StorageFull`] when other items leave no room for a new
/// generation beside the old one; [`SyncError::NewerFormat`] as [`read_generation`].
///
/// # Examples
/// ```
/// use serde_json::Map;
/// use tenant_switch::sync::{plan_write, Quotas, SyncState};
/// use tenant_switch::tenant::Tenant;
///
/// let contoso = Tenant::new("Contoso", "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", None).unwrap();
/// let state = SyncState::new().record(&[contoso], 1_700_000_000_000);
/// let plan = plan_write(&Map::new(), &state, Quotas::CHROME).unwrap();
/// assert_eq!(plan.generation, 1);
/// assert_eq!(plan.chunks.keys().collect::<Vec<_>>(), ["syncChunk.1.0"]);
/// assert!(plan.manifest.contains_key("syncGeneration"));
/// ```
pub fn plan_write(
    stored: &Map<String, Value>,
    state: &SyncState,
    quotas: Quotas,
) -> Result<WritePlan, SyncError> {
    let previous = read_generation(stored)?;
    let generation = previous.number().unwrap_or(0).saturating_add(1);
    let all: Vec<(TenantId, &Entry)> = state.entries.iter().map(|(id, e)| (*id, e)).collect();
    let fresh = match pack(&all, generation, quotas) {
        Some(chunks) if layout_fits(&chunks, generation, quotas) => chunks,
        _ => {
            return Err(SyncError::TooLarge {
                tenants: state.live_tenants(),
                fit: how_many_fit(state, generation, quotas),
            })
        }
    };

    let (referenced, kept): (Vec<&ChunkRef>, Vec<&ChunkRef>) = match &previous {
        Generation::Complete { chunks, .. } => {
            let unchanged = |chunk: &&ChunkRef| {
                chunk
                    .ids
                    .iter()
                    .all(|id| match (&previous, state.entries.get(id)) {
                        (Generation::Complete { entries, .. }, Some(ours)) => {
                            entries.get(id) == Some(ours)
                        }
                        _ => false,
                    })
            };
            (
                chunks.iter().collect(),
                chunks.iter().filter(unchanged).collect(),
            )
        }
        _ => (Vec::new(), Vec::new()),
    };
    let referenced_keys: BTreeSet<&str> = referenced.iter().map(|c| c.key.as_str()).collect();
    let strays: Vec<String> = stored
        .keys()
        .filter(|key| key.starts_with(CHUNK_KEY_PREFIX) && !referenced_keys.contains(key.as_str()))
        .cloned()
        .collect();
    let covered: BTreeSet<TenantId> = kept.iter().flat_map(|c| c.ids.iter().copied()).collect();
    if strays.is_empty() && kept.len() == referenced.len() && covered.len() == all.len() {
        let bytes = stored
            .iter()
            .map(|(key, value)| item_size(key, value))
            .sum();
        return Ok(WritePlan {
            generation: generation.saturating_sub(1),
            unchanged: true,
            remove_first: Vec::new(),
            chunks: Map::new(),
            manifest: Map::new(),
            remove_after: Vec::new(),
            bytes_in_use: bytes,
            items: stored.len(),
        });
    }

    let rest: Vec<(TenantId, &Entry)> = all
        .iter()
        .filter(|(id, _)| !covered.contains(id))
        .copied()
        .collect();
    let kept_sizes: Vec<(String, usize)> = kept
        .iter()
        .map(|chunk| {
            let size = stored
                .get(&chunk.key)
                .map_or(0, |v| item_size(&chunk.key, v));
            (chunk.key.clone(), size)
        })
        .collect();
    let (kept_sizes, new_chunks) = match pack(&rest, generation, quotas) {
        Some(new) if sized_layout_fits(&with_new(&kept_sizes, &new), generation, quotas) => {
            (kept_sizes, new)
        }
        // Fragmented beyond half the quota: repack everything.
        _ => (Vec::new(), fresh),
    };

    let mut final_chunks: Vec<(String, usize)> = kept_sizes;
    final_chunks.extend(new_chunks.iter().map(|c| (c.key.clone(), c.size)));
    // Chunk order in the manifest is by key, so a reader's checksum does not depend on history.
    final_chunks.sort_by(|a, b| a.0.cmp(&b.0));
    let mut chunk_values = Map::new();
    for chunk in &new_chunks {
        chunk_values.insert(chunk.key.clone(), Value::Array(chunk.values.clone()));
    }
    let manifest_value = {
        let values = final_chunks.iter().filter_map(|(key, _)| {
            chunk_values
                .get(key)
                .or_else(|| stored.get(key))
                .map(|value| (key.as_str(), value))
        });
        manifest(
            generation,
            final_chunks.iter().map(|(key, _)| key.as_str()),
            &checksum(values),
        )
    };
    let manifest_size = item_size(MANIFEST_KEY, &manifest_value);

    let final_keys: BTreeSet<&str> = final_chunks.iter().map(|(key, _)| key.as_str()).collect();
    let remove_after: Vec<String> = referenced
        .iter()
        .filter(|chunk| !final_keys.contains(chunk.key.as_str()))
        .map(|chunk| chunk.key.clone())
        .collect();

    // The most the area holds at once: everything but the strays, plus the new chunks, plus
    // the manifest growing; checked so a write never fails half-way for lack of room.
    let stray_set: BTreeSet<&str> = strays.iter().map(String::as_str).collect();
    let kept_stored: Vec<(&String, &Value)> = stored
        .iter()
        .filter(|(key, _)| !stray_set.contains(key.as_str()))
        .collect();
    let old_manifest = stored.get(MANIFEST_KEY).map(|v| item_size(MANIFEST_KEY, v));
    let new_bytes: usize = new_chunks.iter().map(|c| c.size).sum();
    let peak_bytes = kept_stored
        .iter()
        .map(|(key, value)| item_size(key, value))
        .sum::<usize>()
        + new_bytes
        + manifest_size.saturating_sub(old_manifest.unwrap_or(0));
    let peak_items = kept_stored.len() + new_chunks.len() + usize::from(old_manifest.is_none());
    if peak_bytes > quotas.quota_bytes || peak_items > quotas.max_items {
        return Err(SyncError::StorageFull {
            bytes_needed: peak_bytes,
            bytes_available: quotas.quota_bytes,
        });
    }

    let mut manifest_item = Map::new();
    manifest_item.insert(MANIFEST_KEY.to_owned(), manifest_value);
    let bytes_in_use = final_chunks.iter().map(|(_, size)| size).sum::<usize>() + manifest_size;
    Ok(WritePlan {
        generation,
        unchanged: false,
        remove_first: strays,
        items: final_chunks.len() + 1,
        chunks: chunk_values,
        manifest: manifest_item,
        remove_after,
        bytes_in_use,
    })
}

/// Entries in the order they are packed.
type EntryList<'a> = Vec<(TenantId, &'a Entry)>;

/// A chunk packed for writing.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Packed {
    key: String,
    values: Vec<Value>,
    size: usize,
}

fn chunk_key(generation: u64, index: usize) -> String {
    format!("{CHUNK_KEY_PREFIX}{generation}.{index}")
}

/// Packs entries, in the order given, into as few items as the per-item quota allows (next fit:
/// a chunk is closed when the next entry does not fit). `None` when one entry alone is too large
/// for an item.
fn pack(entries: &[(TenantId, &Entry)], generation: u64, quotas: Quotas) -> Option<Vec<Packed>> {
    let mut chunks: Vec<Packed> = Vec::new();
    let mut values = Vec::new();
    // The JSON array's brackets; each further entry adds its comma.
    let mut size = 2;
    let mut key = chunk_key(generation, 0);
    for (id, entry) in entries {
        let value = entry.encode(*id);
        let cost = json_size(&value);
        let comma = usize::from(!values.is_empty());
        if key.len() + size + comma + cost > quotas.quota_bytes_per_item {
            if values.is_empty() {
                return None;
            }
            chunks.push(Packed {
                size: key.len() + size,
                key,
                values: std::mem::take(&mut values),
            });
            key = chunk_key(generation, chunks.len());
            size = 2;
            if key.len() + size + cost > quotas.quota_bytes_per_item {
                return None;
            }
        }
        size += usize::from(!values.is_empty()) + cost;
        values.push(value);
    }
    if !values.is_empty() {
        chunks.push(Packed {
            size: key.len() + size,
            key,
            values,
        });
    }
    Some(chunks)
}

fn manifest<'a>(generation: u64, keys: impl Iterator<Item = &'a str>, checksum: &str) -> Value {
    let mut object = Map::new();
    object.insert("version".into(), Value::from(FORMAT_VERSION));
    object.insert("generation".into(), Value::from(generation));
    object.insert(
        "chunks".into(),
        Value::Array(keys.map(|key| Value::String(key.to_owned())).collect()),
    );
    object.insert("checksum".into(), Value::String(checksum.to_owned()));
    Value::Object(object)
}

/// Whether these chunks plus their manifest take at most half the quota.
fn layout_fits(chunks: &[Packed], generation: u64, quotas: Quotas) -> bool {
    sized_layout_fits(&with_new(&[], chunks), generation, quotas)
}

fn with_new(kept: &[(String, usize)], new: &[Packed]) -> Vec<(String, usize)> {
    let mut sizes = kept.to_vec();
    sizes.extend(new.iter().map(|c| (c.key.clone(), c.size)));
    sizes
}

fn sized_layout_fits(chunks: &[(String, usize)], generation: u64, quotas: Quotas) -> bool {
    // The checksum's text is always 16 hex digits, so a placeholder gives the exact size.
    let manifest = manifest(
        generation,
        chunks.iter().map(|(key, _)| key.as_str()),
        "0000000000000000",
    );
    let manifest_size = item_size(MANIFEST_KEY, &manifest);
    let bytes = chunks.iter().map(|(_, size)| size).sum::<usize>() + manifest_size;
    manifest_size <= quotas.quota_bytes_per_item && quotas.fits_half(bytes, chunks.len() + 1)
}

/// The most live tenants (in tenant ID order, with every deletion marker) that fit the quota.
fn how_many_fit(state: &SyncState, generation: u64, quotas: Quotas) -> usize {
    let (live, deleted): (EntryList, EntryList) = state
        .entries
        .iter()
        .map(|(id, entry)| (*id, entry))
        .partition(|(_, entry)| matches!(entry, Entry::Live { .. }));
    let fits = |n: usize| {
        let mut entries = deleted.clone();
        entries.extend(live.iter().take(n).copied());
        entries.sort_by_key(|(id, _)| *id);
        pack(&entries, generation, quotas).is_some_and(|c| layout_fits(&c, generation, quotas))
    };
    // Packing is monotone in the entries (next fit never needs fewer items for more entries),
    // so the largest count that fits is found by bisection.
    let (mut low, mut high) = (0, live.len());
    if !fits(0) {
        return 0;
    }
    while low < high {
        let middle = low + (high - low).div_ceil(2);
        if fits(middle) {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    low
}

/// An item's size as the browser counts it: the key's length plus the JSON value's length.
pub fn item_size(key: &str, value: &Value) -> usize {
    key.len() + json_size(value)
}

/// The length of a value's JSON text, counted so that it is never less than what the browser
/// counts: the browser's JSON writer may escape `<`, `>`, `&` and any non-ASCII character as
/// `\uXXXX` (6 bytes per UTF-16 unit), so those are counted that way.
fn json_size(value: &Value) -> usize {
    let text = serde_json::to_string(value).unwrap_or_default();
    text.chars()
        .map(|c| match c {
            '<' | '>' | '&' => 6,
            c if c.is_ascii() => 1,
            c => 6 * c.len_utf16(),
        })
        .sum()
}

/// FNV-1a (64 bit) over each chunk's key and JSON text: catches a generation whose chunks were
/// mixed by two browsers writing the same generation at once. Not a security measure.
fn checksum<'a>(chunks: impl Iterator<Item = (&'a str, &'a Value)>) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut hash = OFFSET;
    for (key, value) in chunks {
        let text = serde_json::to_string(value).unwrap_or_default();
        for byte in key
            .bytes()
            .chain([b'\n'])
            .chain(text.bytes())
            .chain([b'\n'])
        {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:016x}")
}

/// Why sync cannot store or read the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum SyncError {
    /// The list takes more than sync can hold; `fit` tenants of `tenants` would fit.
    #[serde(rename = "SyncTooLarge", rename_all = "camelCase")]
    TooLarge { tenants: usize, fit: usize },
    /// Other items in the sync area leave no room to write a new generation beside the old one.
    #[serde(rename = "SyncStorageFull", rename_all = "camelCase")]
    StorageFull {
        bytes_needed: usize,
        bytes_available: usize,
    },
    /// The sync area was written by a newer Tenant Switch; it is left untouched.
    #[serde(rename = "SyncNewerFormat", rename_all = "camelCase")]
    NewerFormat { found: u64, supported: u64 },
    /// The local sync model was written by a newer Tenant Switch.
    #[serde(rename = "SyncStateNewerFormat", rename_all = "camelCase")]
    StateNewerFormat { found: u64, supported: u64 },
    /// The local sync model is unreadable; it can be rebuilt from the settings.
    #[serde(rename = "SyncStateInvalid", rename_all = "camelCase")]
    StateInvalid { reason: String },
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { tenants, fit } => write!(
                f,
                "the list of {tenants} tenants is too large for sync: {fit} tenants fit"
            ),
            Self::StorageFull {
                bytes_needed,
                bytes_available,
            } => write!(
                f,
                "sync storage is full: writing needs {bytes_needed} bytes, {bytes_available} are available"
            ),
            Self::NewerFormat { found, supported } => write!(
                f,
                "synced data is format {found}, written by a newer Tenant Switch; this version reads up to {supported}"
            ),
            Self::StateNewerFormat { found, supported } => write!(
                f,
                "the local sync state is format {found}, written by a newer Tenant Switch; this version reads up to {supported}"
            ),
            Self::StateInvalid { reason } => write!(f, "the local sync state is unreadable: {reason}"),
        }
    }
}

impl std::error::Error for SyncError {}
impl UiError for SyncError {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn id(n: u32) -> String {
        format!("00000000-0000-4000-8000-{n:012x}")
    }

    fn tenant(n: u32, name: &str) -> Tenant {
        Tenant::new(name, &id(n), None).unwrap()
    }

    /// A 60-character name: `T01---...`.
    fn name(n: u32) -> String {
        format!("T{n:02}{}", "-".repeat(57))
    }

    /// Tenants named [`name`] with IDs 1, 2, ...: each entry stamped with a 4-digit time
    /// encodes to exactly 110 bytes.
    fn numbered(count: u32) -> Vec<Tenant> {
        (1..=count).map(|n| tenant(n, &name(n))).collect()
    }

    fn settings(tenants: &[Tenant], active: Option<u32>) -> Settings {
        let mut settings = Settings::load(None).unwrap();
        for tenant in tenants {
            let tenant = TenantInput::from(tenant);
            settings = settings.apply(Operation::AddTenant { tenant }).unwrap();
        }
        if let Some(n) = active {
            let operation = Operation::SetDefaultTenant { id: Some(id(n)) };
            settings = settings.apply(operation).unwrap();
        }
        settings
    }

    fn names(settings: &Settings) -> Vec<&str> {
        settings.tenants().iter().map(Tenant::name).collect()
    }

    fn quotas(quota_bytes: usize, quota_bytes_per_item: usize, max_items: usize) -> Quotas {
        Quotas {
            quota_bytes,
            quota_bytes_per_item,
            max_items,
        }
    }

    /// Room for exactly two 110-byte entries per chunk item of a one-digit generation
    /// (13 for the key, 2 for the brackets, 1 for the comma).
    const TWO_PER_CHUNK: Quotas = Quotas {
        quota_bytes: 100_000,
        quota_bytes_per_item: 236,
        max_items: 100,
    };

    /// Runs the plan's steps on a simulated sync area, up to and including the manifest when
    /// `complete`, as sync-manager.js does.
    fn run(store: &mut Map<String, Value>, plan: &WritePlan, complete: bool) {
        for key in &plan.remove_first {
            store.remove(key);
        }
        store.extend(plan.chunks.clone());
        if !complete {
            return;
        }
        store.extend(plan.manifest.clone());
        for key in &plan.remove_after {
            store.remove(key);
        }
    }

    /// Plans and runs a complete write of `state` with [`TWO_PER_CHUNK`].
    fn write(store: &mut Map<String, Value>, state: &SyncState) {
        let plan = plan_write(store, state, TWO_PER_CHUNK).unwrap();
        run(store, &plan, true);
    }

    fn keys(map: &Map<String, Value>) -> Vec<&str> {
        map.keys().map(String::as_str).collect()
    }

    fn manifest_chunks(store: &Map<String, Value>) -> Value {
        store[MANIFEST_KEY]["chunks"].clone()
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn initial_domain_tags_and_aliases_travel_in_a_fifth_field() {
        let full = TenantInput {
            name: "Contoso".into(),
            id: id(1),
            domain: None,
            initial_domain: Some("contoso.onmicrosoft.com".into()),
            tags: vec!["EU".into(), "P1".into()],
            aliases: vec!["CTS".into()],
        }
        .validate()
        .unwrap();
        let state = SyncState::new().record(&[full.clone(), tenant(2, "Fabrikam")], 1000);
        assert_eq!(
            state.encoded(),
            [
                json!([id(1), "1000", "Contoso", null,
                    {"initialDomain": "contoso.onmicrosoft.com", "tags": ["EU", "P1"], "aliases": ["CTS"]}]),
                json!([id(2), "1000", "Fabrikam"]),
            ]
        );
        let back = SyncState::load(&state.to_stored()).unwrap();
        assert_eq!(back, state);
        // A field the entry does not know is refused, not dropped.
        let bad = json!({"version": 2, "known": [], "entries": [
            [id(1), "1000", "Contoso", null, {"colour": "red"}]
        ]});
        assert!(matches!(
            SyncState::load(&bad),
            Err(SyncError::StateInvalid { .. })
        ));
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn the_model_is_stored_compactly_and_reads_back() {
        let state = SyncState::new()
            .record(
                &[
                    Tenant::new("Contoso", &id(1), Some("contoso.com")).unwrap(),
                    tenant(2, "Fabrikam"),
                ],
                1_700_000_000_000,
            )
            .record(&[tenant(2, "Fabrikam")], 1_700_000_000_500);
        let stored = state.to_stored();
        assert_eq!(
            stored,
            json!({
                "version": 2,
                "entries": [
                    [id(1), "1700000000500"],
                    [id(2), "1700000000000", "Fabrikam"]
                ],
                "known": [{"name": "Fabrikam", "id": id(2)}]
            })
        );
        assert_eq!(SyncState::load(&stored), Ok(state.clone()));
        // The previous release's model (format 1) reads the same.
        let mut previous = stored.clone();
        previous["version"] = json!(1);
        assert_eq!(SyncState::load(&previous), Ok(state));
        assert_eq!(
            SyncState::load(&json!({"version": 3, "entries": [], "known": []})),
            Err(SyncError::StateNewerFormat {
                found: 3,
                supported: 2
            })
        );
        assert_eq!(
            SyncState::load(&json!({"version": 1, "entries": [[id(1)]], "known": []})),
            Err(SyncError::StateInvalid {
                reason: format!("entry {}: no timestamp", id(1))
            })
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn record_stamps_only_what_changed_locally() {
        let state = SyncState::new().record(&[tenant(1, "A"), tenant(2, "B")], 1000);
        let state = state.record(&[tenant(1, "A"), tenant(2, "B2"), tenant(3, "C")], 2000);
        let state = state.record(&[tenant(2, "B2"), tenant(3, "C")], 3000);
        assert_eq!(
            state.encoded(),
            vec![
                json!([id(1), "3000"]),
                json!([id(2), "2000", "B2"]),
                json!([id(3), "2000", "C"]),
            ]
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn merge_keeps_the_newer_entry_and_a_live_tenant_on_a_tie() {
        let ours = SyncState::new().record(&[tenant(1, "A"), tenant(2, "B"), tenant(3, "C")], 2000);
        let theirs = SyncState::new()
            .record(&[tenant(1, "A1"), tenant(2, "B"), tenant(3, "C3")], 1000)
            .record(&[tenant(3, "C3")], 2000)
            .record(&[tenant(3, "C3"), tenant(4, "D")], 3000);
        // 1: theirs deleted at 2000, ours live at 2000: live wins the tie.
        // 2: theirs deleted at 2000, ours live at 2000: live again.
        // 3: ours "C" at 2000 beats theirs "C3" at 1000. 4: only theirs.
        let expected = vec![
            json!([id(1), "2000", "A"]),
            json!([id(2), "2000", "B"]),
            json!([id(3), "2000", "C"]),
            json!([id(4), "3000", "D"]),
        ];
        assert_eq!(ours.merge(&theirs.entries, 3000).encoded(), expected);
        // The other way round gives the same entries.
        assert_eq!(theirs.merge(&ours.entries, 3000).encoded(), expected);

        let deleted_later = SyncState::new()
            .record(&[tenant(1, "A")], 1000)
            .record(&[], 2500);
        assert_eq!(
            ours.merge(&deleted_later.entries, 3000).entries()[&TenantId::parse(&id(1)).unwrap()],
            Entry::Deleted { deleted: 2500 }
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn deletion_markers_expire_after_30_days() {
        let deleted = SyncState::new()
            .record(&[tenant(1, "A")], 0)
            .record(&[], 1000);
        let at = |now: u64| deleted.merge(&BTreeMap::new(), now).entries().len();
        assert_eq!(at(1000 + TOMBSTONE_LIFETIME_MS), 1);
        assert_eq!(at(1000 + TOMBSTONE_LIFETIME_MS + 1), 0);
        assert_eq!(TOMBSTONE_LIFETIME_MS, 2_592_000_000);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn reconcile_applies_remote_changes_but_not_the_active_tenant() {
        let local = settings(
            &[
                tenant(1, "Contoso"),
                tenant(2, "Fabrikam"),
                tenant(3, "Northwind"),
            ],
            Some(2),
        );
        let remote = SyncState::new()
            .record(&[tenant(1, "Contoso"), tenant(2, "Fabrikam")], 1000)
            .record(
                &[
                    tenant(2, "Fabrikam Ltd"),
                    tenant(4, "northwind"),
                    tenant(5, "Woodgrove"),
                ],
                2000,
            );
        let state = SyncState::new().record(local.tenants(), 500);
        let merged = state.merge(&remote.entries, 2000);
        let reconciled = merged.reconcile(&local);
        assert_eq!(
            names(&reconciled.settings),
            ["Fabrikam Ltd", "Northwind", "Woodgrove"]
        );
        assert_eq!(
            reconciled.settings.default_tenant().map(Tenant::name),
            Some("Fabrikam Ltd")
        );
        // "northwind" clashes with the local "Northwind": held back, not applied.
        assert_eq!(reconciled.held, [TenantId::parse(&id(4)).unwrap()]);
        assert!(reconciled.settings_changed);
        // Recording the reconciled list later does not turn the held tenant into a deletion.
        let later = reconciled.state.record(reconciled.settings.tenants(), 3000);
        assert_eq!(later.entries, reconciled.state.entries);
        assert_eq!(
            later.entries()[&TenantId::parse(&id(4)).unwrap()],
            Entry::Live {
                tenant: tenant(4, "northwind"),
                modified: 2000
            }
        );

        // A remote deletion of this browser's active tenant leaves "No tenant" active.
        let deleted = SyncState::new()
            .record(&[tenant(2, "Fabrikam")], 1000)
            .record(&[], 4000);
        let reconciled = later
            .merge(&deleted.entries, 4000)
            .reconcile(&reconciled.settings);
        assert_eq!(names(&reconciled.settings), ["Northwind", "Woodgrove"]);
        assert_eq!(reconciled.settings.default_tenant(), None);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn chunks_fill_each_item_exactly_to_the_per_item_quota() {
        let state = SyncState::new().record(&numbered(5), 1000);
        let plan = plan_write(&Map::new(), &state, TWO_PER_CHUNK).unwrap();
        assert_eq!(
            plan.chunks,
            json!({
                "syncChunk.1.0": [[id(1), "1000", name(1)], [id(2), "1000", name(2)]],
                "syncChunk.1.1": [[id(3), "1000", name(3)], [id(4), "1000", name(4)]],
                "syncChunk.1.2": [[id(5), "1000", name(5)]]
            })
            .as_object()
            .unwrap()
            .clone()
        );
        for (key, value) in &plan.chunks {
            assert!(item_size(key, value) <= 236, "{key}");
        }
        assert_eq!(
            item_size("syncChunk.1.0", &plan.chunks["syncChunk.1.0"]),
            236
        );
        let manifest = &plan.manifest[MANIFEST_KEY];
        assert_eq!(
            manifest,
            &json!({
                "version": 2,
                "generation": 1,
                "chunks": ["syncChunk.1.0", "syncChunk.1.1", "syncChunk.1.2"],
                "checksum": manifest["checksum"]
            })
        );
        // 236 + 236 + 125 for the chunks, 131 for the manifest.
        assert_eq!(item_size(MANIFEST_KEY, manifest), 131);
        assert_eq!((plan.bytes_in_use, plan.items), (728, 4));

        // One byte less per item: one tenant per chunk.
        let plan = plan_write(&Map::new(), &state, quotas(100_000, 235, 100)).unwrap();
        assert_eq!(
            keys(&plan.chunks),
            [
                "syncChunk.1.0",
                "syncChunk.1.1",
                "syncChunk.1.2",
                "syncChunk.1.3",
                "syncChunk.1.4"
            ]
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn a_list_over_half_the_quota_is_refused_with_how_many_fit() {
        // Items: 4 tenants take 2 chunks + the manifest = 3 items, half of 6.
        let items = quotas(100_000, 236, 6);
        let four = SyncState::new().record(&numbered(4), 1000);
        assert_eq!(plan_write(&Map::new(), &four, items).unwrap().items, 3);
        let five = SyncState::new().record(&numbered(5), 1000);
        assert_eq!(
            plan_write(&Map::new(), &five, items),
            Err(SyncError::TooLarge { tenants: 5, fit: 4 })
        );

        // Bytes: 4 tenants take 472 + 115 (manifest of 2 chunks) = 587 bytes; 3 take 476.
        let exact = quotas(1174, 236, 100);
        assert_eq!(
            plan_write(&Map::new(), &four, exact).unwrap().bytes_in_use,
            587
        );
        let short = quotas(1173, 236, 100);
        let error = plan_write(&Map::new(), &four, short).unwrap_err();
        assert_eq!(error, SyncError::TooLarge { tenants: 4, fit: 3 });
        assert_eq!(
            error.to_string(),
            "the list of 4 tenants is too large for sync: 3 tenants fit"
        );
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({"name": "SyncTooLarge", "tenants": 4, "fit": 3})
        );

        // Chromium's quotas: a realistic list of 2,000 tenants does not fit.
        let many: Vec<Tenant> = (1..=2000)
            .map(|n| {
                let name = format!("Customer {n:04} GmbH");
                let domain = format!("customer{n:04}.onmicrosoft.com");
                Tenant::new(&name, &id(n), Some(&domain)).unwrap()
            })
            .collect();
        let state = SyncState::new().record(&many, 1_700_000_000_000);
        assert_eq!(
            plan_write(&Map::new(), &state, Quotas::CHROME),
            Err(SyncError::TooLarge {
                tenants: 2000,
                fit: 467
            })
        );
        // About 108 bytes a tenant: 467 of them fill just under half of the 102,400 bytes.
        let fitting = SyncState::new().record(&many[..467], 1_700_000_000_000);
        let plan = plan_write(&Map::new(), &fitting, Quotas::CHROME).unwrap();
        assert!(plan.bytes_in_use <= 51_200 && plan.bytes_in_use > 51_000);
        let one_more = SyncState::new().record(&many[..468], 1_700_000_000_000);
        assert!(plan_write(&Map::new(), &one_more, Quotas::CHROME).is_err());
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn the_planner_rewrites_only_changed_chunks() {
        let mut store = Map::new();
        let state = SyncState::new().record(&numbered(6), 1000);
        write(&mut store, &state);
        assert_eq!(
            keys(&store),
            [
                "syncChunk.1.0",
                "syncChunk.1.1",
                "syncChunk.1.2",
                MANIFEST_KEY
            ]
        );

        // Nothing changed: nothing to write.
        let plan = plan_write(&store, &state, TWO_PER_CHUNK).unwrap();
        assert!(plan.unchanged);
        assert_eq!((plan.generation, plan.items), (1, 4));

        // Rename T03: only its chunk is written again, under the next generation.
        let mut tenants = numbered(6);
        tenants[2] = tenant(3, "X03");
        let state = state.record(&tenants, 2000);
        let plan = plan_write(&store, &state, TWO_PER_CHUNK).unwrap();
        assert_eq!(plan.remove_first, Vec::<String>::new());
        assert_eq!(
            Value::Object(plan.chunks.clone()),
            json!({"syncChunk.2.0": [[id(3), "2000", "X03"], [id(4), "1000", name(4)]]})
        );
        assert_eq!(plan.remove_after, ["syncChunk.1.1"]);
        run(&mut store, &plan, true);
        assert_eq!(
            manifest_chunks(&store),
            json!(["syncChunk.1.0", "syncChunk.1.2", "syncChunk.2.0"])
        );

        // Delete T06: its chunk now carries the deletion marker.
        tenants.pop();
        let state = state.record(&tenants, 3000);
        let plan = plan_write(&store, &state, TWO_PER_CHUNK).unwrap();
        assert_eq!(
            Value::Object(plan.chunks.clone()),
            json!({"syncChunk.3.0": [[id(5), "1000", name(5)], [id(6), "3000"]]})
        );
        assert_eq!(plan.remove_after, ["syncChunk.1.2"]);
        run(&mut store, &plan, true);
        match read_generation(&store).unwrap() {
            Generation::Complete {
                generation,
                entries,
                ..
            } => {
                assert_eq!(generation, 3);
                assert_eq!(entries, state.entries);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn an_interrupted_write_leaves_the_previous_generation_readable() {
        let mut store = Map::new();
        let first = SyncState::new().record(&numbered(4), 1000);
        write(&mut store, &first);

        // The chunks are written, then setting the manifest fails (quota, network, crash).
        let mut tenants = numbered(4);
        tenants[0] = tenant(1, "X01");
        let second = first.record(&tenants, 2000);
        let plan = plan_write(&store, &second, TWO_PER_CHUNK).unwrap();
        run(&mut store, &plan, false);
        assert_eq!(
            keys(&store),
            [
                "syncChunk.1.0",
                "syncChunk.1.1",
                "syncChunk.2.0",
                MANIFEST_KEY
            ]
        );
        let generation = read_generation(&store).unwrap();
        assert_eq!(generation.number(), Some(1));
        assert!(
            matches!(&generation, Generation::Complete { entries, .. } if *entries == first.entries)
        );

        // The next attempt removes the stray chunk first and writes the generation again.
        let retry = plan_write(&store, &second, TWO_PER_CHUNK).unwrap();
        assert_eq!(retry.remove_first, ["syncChunk.2.0"]);
        assert_eq!(keys(&retry.chunks), ["syncChunk.2.0"]);
        assert_eq!(retry.remove_after, ["syncChunk.1.0"]);
        run(&mut store, &retry, true);
        assert_eq!(
            keys(&store),
            ["syncChunk.1.1", "syncChunk.2.0", MANIFEST_KEY]
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn incomplete_or_mixed_generations_are_not_applied() {
        let mut store = Map::new();
        let state = SyncState::new().record(&numbered(4), 1000);
        write(&mut store, &state);
        let local = settings(&[tenant(9, "Local")], None);

        let mut missing = store.clone();
        missing.remove("syncChunk.1.1");
        assert_eq!(
            read_generation(&missing),
            Ok(Generation::Incomplete {
                generation: 1,
                missing: vec!["syncChunk.1.1".into()]
            })
        );
        let received = receive(&SyncState::new(), &missing, &local, 2000).unwrap();
        assert_eq!(names(&received.reconciled.settings), ["Local"]);
        assert!(!received.reconciled.settings_changed);
        assert!(!received.needs_write);

        // A chunk that another browser overwrote under the same key: the checksum catches it.
        let mut mixed = store.clone();
        mixed.insert("syncChunk.1.1".into(), json!([[id(3), "1000", name(3)]]));
        assert_eq!(
            read_generation(&mixed),
            Ok(Generation::Invalid {
                generation: Some(1),
                reason: "the checksum does not match".into()
            })
        );
        let received = receive(&SyncState::new(), &mixed, &local, 2000).unwrap();
        assert_eq!(names(&received.reconciled.settings), ["Local"]);
        assert!(received.needs_write);

        let mut newer = store.clone();
        newer.insert(MANIFEST_KEY.into(), json!({"version": 3}));
        assert_eq!(
            read_generation(&newer),
            Err(SyncError::NewerFormat {
                found: 3,
                supported: 2
            })
        );
        assert_eq!(read_generation(&Map::new()), Ok(Generation::Empty));
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn no_room_beside_other_items_is_reported_before_anything_is_written() {
        let mut store = Map::new();
        store.insert("somethingElse".into(), json!("x".repeat(700)));
        let state = SyncState::new().record(&numbered(2), 1000);
        assert_eq!(
            plan_write(&store, &state, quotas(1000, 236, 100)),
            Err(SyncError::StorageFull {
                bytes_needed: 715 + 236 + 99,
                bytes_available: 1000
            })
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn two_browsers_converge_without_syncing_their_active_tenants() {
        let mut store = Map::new();
        let mut a_settings = settings(&[tenant(1, "Contoso"), tenant(2, "Fabrikam")], Some(1));
        let mut b_settings = settings(&[tenant(3, "Northwind")], Some(3));
        let (mut a, mut b) = (SyncState::new(), SyncState::new());

        let mut step = |state: &mut SyncState, local: &mut Settings, now: u64| {
            let received = receive(state, &store, local, now).unwrap();
            if received.needs_write {
                let plan = plan_write(&store, &received.reconciled.state, Quotas::CHROME).unwrap();
                run(&mut store, &plan, true);
            }
            *state = received.reconciled.state;
            *local = received.reconciled.settings;
            received.needs_write
        };
        assert!(step(&mut a, &mut a_settings, 1000));
        assert!(step(&mut b, &mut b_settings, 2000));
        assert!(!step(&mut a, &mut a_settings, 3000));
        assert_eq!(names(&a_settings), ["Contoso", "Fabrikam", "Northwind"]);
        assert_eq!(names(&b_settings), ["Northwind", "Contoso", "Fabrikam"]);
        assert_eq!(
            a_settings.default_tenant().map(Tenant::name),
            Some("Contoso")
        );
        assert_eq!(
            b_settings.default_tenant().map(Tenant::name),
            Some("Northwind")
        );

        // B deletes Fabrikam: A receives the deletion marker.
        b_settings = b_settings
            .apply(Operation::DeleteTenant { id: id(2) })
            .unwrap();
        assert!(step(&mut b, &mut b_settings, 4000));
        assert!(!step(&mut a, &mut a_settings, 5000));
        assert_eq!(names(&a_settings), ["Contoso", "Northwind"]);
        assert_eq!(
            a.entries()[&TenantId::parse(&id(2)).unwrap()],
            Entry::Deleted { deleted: 4000 }
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn sizes_are_never_less_than_the_browser_counts() {
        assert_eq!(item_size("k", &json!("abc")), 6);
        // `<`, `>`, `&` and non-ASCII may be written as \uXXXX escapes.
        assert_eq!(item_size("k", &json!("<&>")), 1 + 2 + 18);
        assert_eq!(item_size("k", &json!("Müller")), 1 + 2 + 5 + 6);
        assert_eq!(item_size("k", &json!("😀")), 1 + 2 + 12);
    }
}

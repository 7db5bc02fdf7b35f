//! The stored settings: versioned schema, validation, migration and the operations pages ask for.
//!
//! The background page is the only writer of settings. It reads whatever `chrome.storage.local`
//! holds under `settings` and hands it to [`Settings::load`], which migrates older schema versions
//! and validates everything; it changes settings only through [`Settings::apply`] and stores
//! [`Settings::to_stored`]. A [`Settings`] value is valid by construction (its fields are
//! private and every constructor validates), so the rules, the picker and the badge never see a
//! dangling active tenant or a duplicate.
//!
//! Schema version 1 (camelCase JSON, see `ARCHITECTURE.md`):
//!
//! ```json
//! {
//!   "schemaVersion": 1,
//!   "tenants": [{ "name": "Contoso", "id": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", "domain": "contoso.com" }],
//!   "activeTenant": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b",
//!   "automaticRewrite": true,
//!   "recentTenants": ["6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"]
//! }
//! ```
//!
//! Importing a file ([`Settings::import`]) and restoring a backed-up tenant list
//! ([`Settings::replace_tenants`]) are settings operations too, so that the background only moves
//! data and every rule about what the list may become lives here.
//!
//! Stored data is read strictly: a missing or unknown field is an error rather than a silent
//! default or a silent loss, because the shell keeps rejected data untouched and shows the user
//! the problem; guessing would overwrite their data on the next change.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{json_type, UiError};
use crate::import::{self, ImportError, ImportPreview};
use crate::tenant::{Tenant, TenantError, TenantInput};
use crate::tenant_id::{TenantId, TenantIdError};

/// The schema version this core reads and writes.
pub const SCHEMA_VERSION: u64 = 1;
/// How many recently chosen tenants are remembered.
pub const MAX_RECENT_TENANTS: usize = 5;

/// Turns stored settings of one version into the next version's shape. Shape errors use the
/// paths of the version being read, so the user is told where their stored data is wrong.
type Migration = fn(Map<String, Value>) -> Result<Map<String, Value>, SettingsError>;

/// `MIGRATIONS[v]` migrates version `v` to `v + 1`; a new schema version adds one entry.
const MIGRATIONS: [Migration; SCHEMA_VERSION as usize] = [migrate_v0_to_v1];

/// The user's settings, always valid once constructed.
///
/// # Examples
/// ```
/// use serde_json::json;
/// use tenant_switch::settings::{Operation, Settings};
/// use tenant_switch::tenant::TenantInput;
///
/// let settings = Settings::load(None).unwrap();
/// let settings = settings
///     .apply(Operation::AddTenant {
///         tenant: TenantInput {
///             name: "Contoso".into(),
///             id: "6F1C2B6A0C6E4B8E9E0A2C1D3E4F5A6B".into(),
///             domain: None,
///         },
///     })
///     .unwrap();
/// assert_eq!(
///     settings.to_stored(),
///     json!({
///         "schemaVersion": 1,
///         "tenants": [{"name": "Contoso", "id": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"}],
///         "activeTenant": null,
///         "automaticRewrite": true,
///         "recentTenants": []
///     })
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    tenants: Vec<Tenant>,
    active_tenant: Option<TenantId>,
    automatic_rewrite: bool,
    recent_tenants: Vec<TenantId>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            tenants: Vec::new(),
            active_tenant: None,
            automatic_rewrite: true,
            recent_tenants: Vec::new(),
        }
    }
}

impl Settings {
    /// The user's tenants in stored order.
    pub fn tenants(&self) -> &[Tenant] {
        &self.tenants
    }
    /// The tenant every portal navigation is sent to, or `None` for the analyst's home tenant.
    pub fn active_tenant(&self) -> Option<&Tenant> {
        self.active_tenant
            .and_then(|id| self.tenants.iter().find(|t| t.id() == id))
    }
    /// Whether navigations to the portal are rewritten automatically.
    pub fn automatic_rewrite(&self) -> bool {
        self.automatic_rewrite
    }
    /// Recently chosen tenants, most recent first.
    pub fn recent_tenants(&self) -> &[TenantId] {
        &self.recent_tenants
    }
    /// The tenant with this ID.
    pub fn tenant(&self, id: TenantId) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.id() == id)
    }

    /// Reads stored settings of any supported schema version. `None` or `null` (nothing stored:
    /// a new install) gives the defaults.
    ///
    /// # Errors
    /// [`SettingsError::NewerVersion`] for data written by a newer Tenant Switch;
    /// [`SettingsError::WrongShape`], [`SettingsError::MissingField`],
    /// [`SettingsError::UnknownField`] or [`SettingsError::InvalidVersion`] with the path of the
    /// offending value; [`SettingsError::InvalidTenant`] with the tenant's index;
    /// [`SettingsError::InvalidReference`] for an unreadable active or recent tenant ID; and the
    /// consistency errors of [`Settings::apply`] (duplicates, unknown active or recent tenant).
    ///
    /// # Examples
    /// ```
    /// use serde_json::json;
    /// use tenant_switch::settings::{Settings, SettingsError};
    /// assert_eq!(
    ///     Settings::load(Some(&json!({"schemaVersion": 7}))),
    ///     Err(SettingsError::NewerVersion { found: 7, supported: 1 })
    /// );
    /// ```
    pub fn load(stored: Option<&Value>) -> Result<Self, SettingsError> {
        let object = match stored {
            None | Some(Value::Null) => return Ok(Self::default()),
            Some(value) => object_at(value, "")?,
        };
        let version = stored_version(object)?;
        if version > SCHEMA_VERSION {
            return Err(SettingsError::NewerVersion {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        let first = usize::try_from(version).unwrap_or(usize::MAX);
        let migrations = MIGRATIONS.get(first..).unwrap_or_default();
        if migrations.is_empty() {
            // The current version is read in place: copying 10,000 stored tenants only to read
            // them added about a tenth to every load.
            return Self::from_v1(object);
        }
        let mut current = object.clone();
        for migrate in migrations {
            current = migrate(current)?;
        }
        Self::from_v1(&current)
    }

    /// The settings as schema version 1 JSON, ready for `chrome.storage.local`. The same JSON as
    /// serialising the value with serde.
    pub fn to_stored(&self) -> Value {
        let tenants = self.tenants.iter().map(tenant_value).collect();
        let mut object = Map::new();
        object.insert("schemaVersion".into(), Value::from(SCHEMA_VERSION));
        object.insert("tenants".into(), Value::Array(tenants));
        object.insert(
            "activeTenant".into(),
            self.active_tenant
                .map_or(Value::Null, |id| Value::String(id.to_string())),
        );
        object.insert(
            "automaticRewrite".into(),
            Value::Bool(self.automatic_rewrite),
        );
        object.insert(
            "recentTenants".into(),
            Value::Array(
                self.recent_tenants
                    .iter()
                    .map(|id| Value::String(id.to_string()))
                    .collect(),
            ),
        );
        Value::Object(object)
    }

    /// Applies one operation and returns the new settings, which are valid; `self` is unchanged.
    ///
    /// - `addTenant` appends the tenant.
    /// - `editTenant` replaces the tenant in place; a changed ID is followed by the active tenant
    ///   and the recent tenants.
    /// - `deleteTenant` removes the tenant and its recent entry; deleting the active tenant makes
    ///   "No tenant" active.
    /// - `setActiveTenant` with an ID moves it to the front of the recent tenants (at most
    ///   [`MAX_RECENT_TENANTS`]); with `null` it leaves them as they are.
    ///
    /// Each operation is O(n) in the number of tenants.
    ///
    /// # Errors
    /// [`SettingsError::Tenant`] for invalid tenant fields or an unreadable `id`;
    /// [`SettingsError::UnknownTenant`] when `id` names no tenant;
    /// [`SettingsError::DuplicateTenantId`] / [`SettingsError::DuplicateTenantName`] naming the
    /// tenant that already has the ID or the name.
    pub fn apply(&self, operation: Operation) -> Result<Self, SettingsError> {
        let mut next = self.clone();
        match operation {
            Operation::AddTenant { tenant } => {
                let tenant = tenant.validate()?;
                self.check_unique(&tenant, None)?;
                next.tenants.push(tenant);
            }
            Operation::EditTenant { id, tenant } => {
                let current = TenantId::parse(&id).map_err(TenantError::from)?;
                let index = self.index_of(current)?;
                let tenant = tenant.validate()?;
                self.check_unique(&tenant, Some(current))?;
                let new_id = tenant.id();
                if let Some(slot) = next.tenants.get_mut(index) {
                    *slot = tenant;
                }
                if new_id != current {
                    if next.active_tenant == Some(current) {
                        next.active_tenant = Some(new_id);
                    }
                    for recent in &mut next.recent_tenants {
                        if *recent == current {
                            *recent = new_id;
                        }
                    }
                }
            }
            Operation::DeleteTenant { id } => {
                let id = TenantId::parse(&id).map_err(TenantError::from)?;
                self.index_of(id)?;
                next.tenants.retain(|tenant| tenant.id() != id);
                if next.active_tenant == Some(id) {
                    next.active_tenant = None;
                }
                next.recent_tenants.retain(|recent| *recent != id);
            }
            Operation::SetActiveTenant { id: None } => next.active_tenant = None,
            Operation::SetActiveTenant { id: Some(id) } => {
                let id = TenantId::parse(&id).map_err(TenantError::from)?;
                self.index_of(id)?;
                next.active_tenant = Some(id);
                next.recent_tenants.retain(|recent| *recent != id);
                next.recent_tenants.insert(0, id);
                next.recent_tenants.truncate(MAX_RECENT_TENANTS);
            }
            Operation::SetAutomaticRewrite { enabled } => next.automatic_rewrite = enabled,
        }
        Ok(next)
    }

    /// These settings with the tenant list replaced by `tenants`, in order (restoring a backed-up
    /// list). An active tenant the new list lacks becomes "No tenant", and recent tenants it lacks
    /// are dropped; automatic rewrite is kept.
    ///
    /// This is not an [`Operation`]: pages never send whole lists, only the background does, from
    /// the backups it keeps.
    ///
    /// # Errors
    /// [`SettingsError::InvalidTenant`] with the 0-based index of an invalid tenant;
    /// [`SettingsError::DuplicateTenantId`] / [`SettingsError::DuplicateTenantName`] when two
    /// tenants of the list clash.
    pub fn replace_tenants(&self, tenants: Vec<TenantInput>) -> Result<Self, SettingsError> {
        let tenants = tenants
            .into_iter()
            .enumerate()
            .map(|(index, tenant)| {
                tenant
                    .validate()
                    .map_err(|error| SettingsError::InvalidTenant { index, error })
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.with_tenants(tenants)
    }

    /// These settings with another tenant list: the active tenant becomes "No tenant" and recent
    /// tenants are dropped when the list no longer has them.
    fn with_tenants(&self, tenants: Vec<Tenant>) -> Result<Self, SettingsError> {
        let kept: HashSet<TenantId> = tenants.iter().map(Tenant::id).collect();
        let active_tenant = self.active_tenant.filter(|id| kept.contains(id));
        let recent_tenants = self
            .recent_tenants
            .iter()
            .copied()
            .filter(|id| kept.contains(id))
            .collect();
        Self::validated(
            tenants,
            active_tenant,
            self.automatic_rewrite,
            recent_tenants,
        )
    }

    /// Imports a file into these settings in one step: the file is judged against the current
    /// tenants and the policy's tenants `managed` (see [`crate::import`]; rows that clash with
    /// a policy tenant are rejected) and every accepted row is applied. Tenants the file does
    /// not mention are kept; the active and recent tenants are kept (an import changes no IDs).
    ///
    /// # Errors
    /// [`SettingsError::Import`] when the file as a whole cannot be read. Rejected rows are not
    /// errors: they are in the returned preview and nothing of them is applied.
    ///
    /// # Examples
    /// ```
    /// use tenant_switch::settings::Settings;
    /// let csv = "name,tenant id\nContoso,6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b\nBad,x\n";
    /// let (settings, preview) = Settings::default().import(csv.as_bytes(), &[]).unwrap();
    /// assert_eq!(settings.tenants().len(), 1);
    /// assert_eq!(preview.counts().rejected, 1);
    /// ```
    pub fn import(
        &self,
        bytes: &[u8],
        managed: &[Tenant],
    ) -> Result<(Self, ImportPreview), SettingsError> {
        let preview = import::parse_import(bytes, &self.tenants, managed)?;
        let next = self.with_tenants(import::apply_import(&self.tenants, &preview))?;
        Ok((next, preview))
    }

    fn index_of(&self, id: TenantId) -> Result<usize, SettingsError> {
        self.tenants
            .iter()
            .position(|tenant| tenant.id() == id)
            .ok_or(SettingsError::UnknownTenant { id })
    }

    /// Checks `candidate` against every tenant except the one whose ID is `except` (the tenant
    /// being edited). IDs are checked before names, over all tenants, so the more serious clash
    /// is the one reported.
    fn check_unique(
        &self,
        candidate: &Tenant,
        except: Option<TenantId>,
    ) -> Result<(), SettingsError> {
        let others = || {
            self.tenants
                .iter()
                .filter(move |tenant| Some(tenant.id()) != except)
        };
        if let Some(existing) = others().find(|tenant| tenant.id() == candidate.id()) {
            return Err(SettingsError::DuplicateTenantId {
                id: candidate.id(),
                existing_name: existing.name().to_owned(),
            });
        }
        let key = name_key(candidate.name());
        if let Some(existing) = others().find(|tenant| name_key(tenant.name()) == key) {
            return Err(SettingsError::DuplicateTenantName {
                tenant_name: candidate.name().to_owned(),
                existing_name: existing.name().to_owned(),
                existing_id: existing.id(),
            });
        }
        Ok(())
    }

    /// Reads the version 1 shape and validates it.
    fn from_v1(object: &Map<String, Value>) -> Result<Self, SettingsError> {
        deny_unknown_fields(
            object,
            "",
            &[
                "schemaVersion",
                "tenants",
                "activeTenant",
                "automaticRewrite",
                "recentTenants",
            ],
        )?;
        let stored_tenants = array_at(required(object, "", "tenants")?, "tenants")?;
        let mut tenants = Vec::with_capacity(stored_tenants.len());
        for (index, stored) in stored_tenants.iter().enumerate() {
            let path = format!("tenants[{index}]");
            let fields = object_at(stored, &path)?;
            deny_unknown_fields(fields, &path, &["name", "id", "domain"])?;
            let name = string_at(required(fields, &path, "name")?, &join(&path, "name"))?;
            let id = string_at(required(fields, &path, "id")?, &join(&path, "id"))?;
            let domain = match fields.get("domain") {
                None | Some(Value::Null) => None,
                Some(value) => Some(string_at(value, &join(&path, "domain"))?),
            };
            let tenant = Tenant::new(name, id, domain)
                .map_err(|error| SettingsError::InvalidTenant { index, error })?;
            tenants.push(tenant);
        }
        let active_tenant = match required(object, "", "activeTenant")? {
            Value::Null => None,
            value => Some(id_at(value, "activeTenant")?),
        };
        let automatic_rewrite = match required(object, "", "automaticRewrite")? {
            Value::Bool(enabled) => *enabled,
            other => return Err(wrong_shape("automaticRewrite", "boolean", other)),
        };
        let stored_recent = array_at(required(object, "", "recentTenants")?, "recentTenants")?;
        let recent_tenants = stored_recent
            .iter()
            .enumerate()
            .map(|(index, value)| id_at(value, &format!("recentTenants[{index}]")))
            .collect::<Result<Vec<_>, _>>()?;
        Self::validated(tenants, active_tenant, automatic_rewrite, recent_tenants)
    }

    /// Settings from tenants that are valid already (a [`Tenant`] is valid by construction),
    /// checking only what relates them to each other: for lists built in the core, such as the
    /// policy merge, without the cost of serialising and re-reading every tenant.
    ///
    /// # Errors
    /// As [`Settings::load`] for duplicates and unknown active or recent tenants.
    pub(crate) fn from_parts(
        tenants: Vec<Tenant>,
        active_tenant: Option<TenantId>,
        automatic_rewrite: bool,
        recent_tenants: Vec<TenantId>,
    ) -> Result<Self, SettingsError> {
        Self::validated(tenants, active_tenant, automatic_rewrite, recent_tenants)
    }

    /// Builds settings from parts, checking everything that relates tenants to each other.
    /// Hash maps keep this O(n) for thousands of tenants.
    fn validated(
        tenants: Vec<Tenant>,
        active_tenant: Option<TenantId>,
        automatic_rewrite: bool,
        recent_tenants: Vec<TenantId>,
    ) -> Result<Self, SettingsError> {
        let mut ids: HashMap<TenantId, &Tenant> = HashMap::with_capacity(tenants.len());
        let mut names: HashMap<String, &Tenant> = HashMap::with_capacity(tenants.len());
        for tenant in &tenants {
            if let Some(existing) = ids.insert(tenant.id(), tenant) {
                return Err(SettingsError::DuplicateTenantId {
                    id: tenant.id(),
                    existing_name: existing.name().to_owned(),
                });
            }
            if let Some(existing) = names.insert(name_key(tenant.name()), tenant) {
                return Err(SettingsError::DuplicateTenantName {
                    tenant_name: tenant.name().to_owned(),
                    existing_name: existing.name().to_owned(),
                    existing_id: existing.id(),
                });
            }
        }
        if let Some(id) = active_tenant {
            if !ids.contains_key(&id) {
                return Err(SettingsError::UnknownActiveTenant { id });
            }
        }
        if recent_tenants.len() > MAX_RECENT_TENANTS {
            return Err(SettingsError::TooManyRecentTenants {
                found: recent_tenants.len(),
                max: MAX_RECENT_TENANTS,
            });
        }
        let mut seen = HashSet::with_capacity(recent_tenants.len());
        for (index, id) in recent_tenants.iter().enumerate() {
            if !ids.contains_key(id) {
                return Err(SettingsError::UnknownRecentTenant { id: *id, index });
            }
            if !seen.insert(*id) {
                return Err(SettingsError::DuplicateRecentTenant { id: *id, index });
            }
        }
        Ok(Self {
            tenants,
            active_tenant,
            automatic_rewrite,
            recent_tenants,
        })
    }
}

/// The JSON the settings are stored as; serialising [`Settings`] gives exactly
/// [`Settings::to_stored`].
impl Serialize for Settings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct StoredV1<'a> {
            schema_version: u64,
            tenants: &'a [Tenant],
            active_tenant: Option<TenantId>,
            automatic_rewrite: bool,
            recent_tenants: &'a [TenantId],
        }
        StoredV1 {
            schema_version: SCHEMA_VERSION,
            tenants: &self.tenants,
            active_tenant: self.active_tenant,
            automatic_rewrite: self.automatic_rewrite,
            recent_tenants: &self.recent_tenants,
        }
        .serialize(serializer)
    }
}

/// What two tenant names are compared by: Unicode compatibility normalisation (NFKC, so that
/// `ＣＯＮＴＯＳＯ` and `Contoso` clash) and then lowercase. The import's rule, so that a name
/// an import accepts is one the settings accept.
fn name_key(name: &str) -> String {
    import::name_key(name)
}

fn tenant_value(tenant: &Tenant) -> Value {
    let mut object = Map::new();
    object.insert("name".into(), Value::String(tenant.name().to_owned()));
    object.insert("id".into(), Value::String(tenant.id().to_string()));
    if let Some(domain) = tenant.domain() {
        object.insert("domain".into(), Value::String(domain.to_owned()));
    }
    Value::Object(object)
}

/// A change the user asks for, as pages send it: `{"op": "addTenant", "tenant": {...}}` and so
/// on (see `ARCHITECTURE.md`). Tenant fields and IDs stay as typed until [`Settings::apply`]
/// validates them, so a bad field is reported as its own typed error.
///
/// # Examples
/// ```
/// use serde_json::json;
/// use tenant_switch::settings::Operation;
/// assert_eq!(
///     Operation::from_value(&json!({"op": "setActiveTenant", "id": null})),
///     Ok(Operation::SetActiveTenant { id: None })
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase", deny_unknown_fields)]
pub enum Operation {
    /// Add a tenant at the end of the list.
    AddTenant {
        /// The new tenant's fields.
        tenant: TenantInput,
    },
    /// Replace the tenant whose ID is `id`.
    EditTenant {
        /// The tenant's current ID.
        id: String,
        /// Its new fields (the ID may change).
        tenant: TenantInput,
    },
    /// Remove a tenant.
    DeleteTenant {
        /// The tenant's ID.
        id: String,
    },
    /// Choose the tenant portal navigations go to; `None` is "No tenant".
    SetActiveTenant {
        /// The tenant's ID, or `None`.
        id: Option<String>,
    },
    /// Turn automatic rewriting on or off.
    SetAutomaticRewrite {
        /// Whether to rewrite.
        enabled: bool,
    },
}

impl Operation {
    /// Reads an operation from its JSON form.
    ///
    /// # Errors
    /// [`SettingsError::InvalidOperation`] with serde's description of what is wrong.
    pub fn from_value(value: &Value) -> Result<Self, SettingsError> {
        Self::deserialize(value).map_err(|error| SettingsError::InvalidOperation {
            message: error.to_string(),
        })
    }
}

/// Why stored settings cannot be read, or why an operation was refused. Paths name the offending
/// value in the stored JSON, e.g. `tenants[2].name` (indexes are 0-based; the root is `""`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum SettingsError {
    /// A value of the wrong JSON type. `expected`/`found` are JSON type names
    /// (`object`, `array`, `string`, `number`, `boolean`, `null`).
    #[serde(rename = "SettingsWrongShape", rename_all = "camelCase")]
    WrongShape {
        path: String,
        expected: String,
        found: String,
    },
    /// A required field is missing.
    #[serde(rename = "SettingsMissingField", rename_all = "camelCase")]
    MissingField { path: String },
    /// A field this version does not know: refused rather than dropped on the next write.
    #[serde(rename = "SettingsUnknownField", rename_all = "camelCase")]
    UnknownField { path: String },
    /// `schemaVersion` is a number but not a positive integer; `found` is its JSON text.
    #[serde(rename = "SettingsInvalidVersion", rename_all = "camelCase")]
    InvalidVersion { found: String },
    /// Written by a newer Tenant Switch; left untouched.
    #[serde(rename = "SettingsNewerVersion", rename_all = "camelCase")]
    NewerVersion { found: u64, supported: u64 },
    /// A stored tenant is invalid; `index` is its 0-based place in `tenants`.
    #[serde(rename = "SettingsInvalidTenant", rename_all = "camelCase")]
    InvalidTenant { index: usize, error: TenantError },
    /// A stored active or recent tenant ID cannot be read.
    #[serde(rename = "SettingsInvalidReference", rename_all = "camelCase")]
    InvalidReference { path: String, error: TenantIdError },
    /// Another tenant, named `existingName`, already has this ID.
    #[serde(rename = "SettingsDuplicateTenantId", rename_all = "camelCase")]
    DuplicateTenantId { id: TenantId, existing_name: String },
    /// Another tenant has the same name, ignoring case and compatibility forms.
    #[serde(rename = "SettingsDuplicateTenantName", rename_all = "camelCase")]
    DuplicateTenantName {
        tenant_name: String,
        existing_name: String,
        existing_id: TenantId,
    },
    /// The stored active tenant is not one of the tenants.
    #[serde(rename = "SettingsUnknownActiveTenant", rename_all = "camelCase")]
    UnknownActiveTenant { id: TenantId },
    /// A stored recent tenant is not one of the tenants.
    #[serde(rename = "SettingsUnknownRecentTenant", rename_all = "camelCase")]
    UnknownRecentTenant { id: TenantId, index: usize },
    /// A tenant is listed twice among the recent tenants.
    #[serde(rename = "SettingsDuplicateRecentTenant", rename_all = "camelCase")]
    DuplicateRecentTenant { id: TenantId, index: usize },
    /// More than [`MAX_RECENT_TENANTS`] recent tenants are stored.
    #[serde(rename = "SettingsTooManyRecentTenants", rename_all = "camelCase")]
    TooManyRecentTenants { found: usize, max: usize },
    /// An operation names a tenant that does not exist.
    #[serde(rename = "SettingsUnknownTenant", rename_all = "camelCase")]
    UnknownTenant { id: TenantId },
    /// An operation that is not one of the known shapes.
    #[serde(rename = "SettingsInvalidOperation", rename_all = "camelCase")]
    InvalidOperation { message: String },
    /// An operation's tenant fields or ID are invalid; serialises exactly as the tenant error so
    /// the form can show it next to the field.
    #[serde(untagged)]
    Tenant(TenantError),
    /// An import file cannot be read; serialises exactly as the import error (`Import*`).
    #[serde(untagged)]
    Import(ImportError),
}

impl From<TenantError> for SettingsError {
    fn from(error: TenantError) -> Self {
        Self::Tenant(error)
    }
}

impl From<ImportError> for SettingsError {
    fn from(error: ImportError) -> Self {
        Self::Import(error)
    }
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongShape {
                path,
                expected,
                found,
            } => write!(
                f,
                "stored settings: {} should be {}, found {}",
                describe_path(path),
                with_article(expected),
                with_article(found)
            ),
            Self::MissingField { path } => {
                write!(f, "stored settings: {path} is missing")
            }
            Self::UnknownField { path } => {
                write!(f, "stored settings: unknown field {path}")
            }
            Self::InvalidVersion { found } => write!(
                f,
                "stored settings: schemaVersion {found} is not a positive integer"
            ),
            Self::NewerVersion { found, supported } => write!(
                f,
                "the stored settings are schema version {found}, written by a newer Tenant Switch; this version reads up to {supported}"
            ),
            Self::InvalidTenant { index, error } => {
                write!(f, "stored settings: tenants[{index}]: {error}")
            }
            Self::InvalidReference { path, error } => {
                write!(f, "stored settings: {path}: {error}")
            }
            Self::DuplicateTenantId { id, existing_name } => {
                write!(f, "the tenant ID {id} is already used by {existing_name}")
            }
            Self::DuplicateTenantName {
                tenant_name,
                existing_name,
                existing_id,
            } => write!(
                f,
                "the name {tenant_name} is already used by {existing_name} ({existing_id})"
            ),
            Self::UnknownActiveTenant { id } => write!(
                f,
                "stored settings: the active tenant {id} is not one of the tenants"
            ),
            Self::UnknownRecentTenant { id, index } => write!(
                f,
                "stored settings: recentTenants[{index}] {id} is not one of the tenants"
            ),
            Self::DuplicateRecentTenant { id, index } => write!(
                f,
                "stored settings: recentTenants[{index}] {id} is listed twice"
            ),
            Self::TooManyRecentTenants { found, max } => write!(
                f,
                "stored settings: {found} recent tenants, at most {max} are kept"
            ),
            Self::UnknownTenant { id } => write!(f, "there is no tenant with the ID {id}"),
            Self::InvalidOperation { message } => write!(f, "invalid operation: {message}"),
            Self::Tenant(error) => error.fmt(f),
            Self::Import(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for SettingsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidTenant { error, .. } | Self::Tenant(error) => Some(error),
            Self::InvalidReference { error, .. } => Some(error),
            Self::Import(error) => Some(error),
            _ => None,
        }
    }
}
impl UiError for SettingsError {}

fn describe_path(path: &str) -> &str {
    if path.is_empty() {
        "the settings"
    } else {
        path
    }
}

fn with_article(kind: &str) -> String {
    match kind {
        "null" => "null".to_owned(),
        "object" | "array" => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}

/// The migration from the unversioned prototype shape
/// `{"tenants": [{"name", "tenantId"}], "active": id-or-null}`. The prototype had no automatic
/// rewrite switch (it always rewrote) and no recent list; its active tenant becomes the only
/// recent one, as if it had just been chosen.
fn migrate_v0_to_v1(v0: Map<String, Value>) -> Result<Map<String, Value>, SettingsError> {
    deny_unknown_fields(&v0, "", &["tenants", "active"])?;
    let stored_tenants = array_at(required(&v0, "", "tenants")?, "tenants")?;
    let mut tenants = Vec::with_capacity(stored_tenants.len());
    for (index, stored) in stored_tenants.iter().enumerate() {
        let path = format!("tenants[{index}]");
        let fields = object_at(stored, &path)?;
        deny_unknown_fields(fields, &path, &["name", "tenantId"])?;
        let name = string_at(required(fields, &path, "name")?, &join(&path, "name"))?;
        let id = string_at(
            required(fields, &path, "tenantId")?,
            &join(&path, "tenantId"),
        )?;
        let mut tenant = Map::new();
        tenant.insert("name".into(), Value::String(name.to_owned()));
        tenant.insert("id".into(), Value::String(id.to_owned()));
        tenants.push(Value::Object(tenant));
    }
    let active = match v0.get("active") {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(id)) => Value::String(id.clone()),
        Some(other) => return Err(wrong_shape("active", "string", other)),
    };
    let recent = match &active {
        Value::Null => Vec::new(),
        id => vec![id.clone()],
    };
    let mut v1 = Map::new();
    v1.insert("schemaVersion".into(), Value::from(1u64));
    v1.insert("tenants".into(), Value::Array(tenants));
    v1.insert("activeTenant".into(), active);
    v1.insert("automaticRewrite".into(), Value::Bool(true));
    v1.insert("recentTenants".into(), Value::Array(recent));
    Ok(v1)
}

/// The stored schema version: 0 when `schemaVersion` is absent (the prototype). JavaScript
/// numbers arrive as floats, so an integral float counts as an integer.
fn stored_version(object: &Map<String, Value>) -> Result<u64, SettingsError> {
    let number = match object.get("schemaVersion") {
        None => return Ok(0),
        Some(Value::Number(number)) => number,
        Some(other) => return Err(wrong_shape("schemaVersion", "number", other)),
    };
    let version = number.as_u64().or_else(|| {
        number
            .as_f64()
            .filter(|v| v.fract() == 0.0 && *v >= 1.0 && *v <= u32::MAX.into())
            .map(|v| v as u64)
    });
    match version {
        Some(version) if version >= 1 => Ok(version),
        _ => Err(SettingsError::InvalidVersion {
            found: number.to_string(),
        }),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn wrong_shape(path: &str, expected: &str, found: &Value) -> SettingsError {
    SettingsError::WrongShape {
        path: path.to_owned(),
        expected: expected.to_owned(),
        found: json_type(found).to_owned(),
    }
}

fn required<'a>(
    object: &'a Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<&'a Value, SettingsError> {
    object.get(key).ok_or_else(|| SettingsError::MissingField {
        path: join(path, key),
    })
}

fn deny_unknown_fields(
    object: &Map<String, Value>,
    path: &str,
    known: &[&str],
) -> Result<(), SettingsError> {
    match object.keys().find(|key| !known.contains(&key.as_str())) {
        Some(key) => Err(SettingsError::UnknownField {
            path: join(path, key),
        }),
        None => Ok(()),
    }
}

fn object_at<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, SettingsError> {
    value
        .as_object()
        .ok_or_else(|| wrong_shape(path, "object", value))
}

fn array_at<'a>(value: &'a Value, path: &str) -> Result<&'a Vec<Value>, SettingsError> {
    value
        .as_array()
        .ok_or_else(|| wrong_shape(path, "array", value))
}

fn string_at<'a>(value: &'a Value, path: &str) -> Result<&'a str, SettingsError> {
    value
        .as_str()
        .ok_or_else(|| wrong_shape(path, "string", value))
}

fn id_at(value: &Value, path: &str) -> Result<TenantId, SettingsError> {
    TenantId::parse(string_at(value, path)?).map_err(|error| SettingsError::InvalidReference {
        path: path.to_owned(),
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    const LOAD: &str = include_str!("../tests/fixtures/settings/load.json");
    const OPERATIONS: &str = include_str!("../tests/fixtures/settings/operations.json");

    fn outcome(result: Result<Settings, SettingsError>) -> Value {
        match result {
            Ok(settings) => {
                // Whatever comes out must read back as itself: the type cannot hold invalid data.
                let stored = settings.to_stored();
                assert_eq!(Settings::load(Some(&stored)).as_ref(), Ok(&settings));
                assert_eq!(serde_json::to_value(&settings).unwrap(), stored);
                json!({ "ok": stored })
            }
            Err(error) => {
                assert!(!error.to_string().is_empty());
                json!({ "error": error })
            }
        }
    }

    fn expected(case: &Value) -> Value {
        let mut expected = Map::new();
        for key in ["ok", "error"] {
            if let Some(value) = case.get(key) {
                expected.insert(key.to_owned(), value.clone());
            }
        }
        assert_eq!(expected.len(), 1, "case needs ok or error: {case}");
        Value::Object(expected)
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn load_fixture_cases_give_exact_results() {
        let fixture: Value = serde_json::from_str(LOAD).unwrap();
        let cases = fixture["cases"].as_array().unwrap();
        let mut failures = Vec::new();
        for case in cases {
            let stored = case.get("stored");
            let actual = outcome(Settings::load(stored));
            if actual != expected(case) {
                failures.push(format!(
                    "{}: expected {}, got {actual}",
                    case["description"],
                    expected(case)
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn operation_fixture_cases_give_exact_results() {
        let fixture: Value = serde_json::from_str(OPERATIONS).unwrap();
        let cases = fixture["cases"].as_array().unwrap();
        let mut failures = Vec::new();
        for case in cases {
            let base = &fixture["settings"][case["settings"].as_str().unwrap()];
            let settings = Settings::load(Some(base)).unwrap();
            let actual = match Operation::from_value(&case["operation"]) {
                Ok(operation) => {
                    // The typed operation survives a round trip through its JSON form.
                    let json = serde_json::to_value(&operation).unwrap();
                    assert_eq!(Operation::from_value(&json).as_ref(), Ok(&operation));
                    let before = settings.clone();
                    let result = settings.apply(operation);
                    assert_eq!(settings, before, "apply must not change its input");
                    outcome(result)
                }
                Err(error) => json!({ "error": error }),
            };
            if actual != expected(case) {
                failures.push(format!(
                    "{}: expected {}, got {actual}",
                    case["description"],
                    expected(case)
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Every error variant is exercised by a fixture, so a new one cannot go untested.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn fixtures_cover_every_settings_error() {
        let mut names = Vec::new();
        for text in [LOAD, OPERATIONS] {
            let fixture: Value = serde_json::from_str(text).unwrap();
            for case in fixture["cases"].as_array().unwrap() {
                if let Some(name) = case.get("error").and_then(|e| e.get("name")) {
                    names.push(name.as_str().unwrap().to_owned());
                }
            }
        }
        for variant in [
            "SettingsWrongShape",
            "SettingsMissingField",
            "SettingsUnknownField",
            "SettingsInvalidVersion",
            "SettingsNewerVersion",
            "SettingsInvalidTenant",
            "SettingsInvalidReference",
            "SettingsDuplicateTenantId",
            "SettingsDuplicateTenantName",
            "SettingsUnknownActiveTenant",
            "SettingsUnknownRecentTenant",
            "SettingsDuplicateRecentTenant",
            "SettingsTooManyRecentTenants",
            "SettingsUnknownTenant",
            "SettingsInvalidOperation",
        ] {
            assert!(
                names.iter().any(|n| n == variant),
                "no fixture for {variant}"
            );
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn defaults_for_nothing_stored() {
        let expected = json!({
            "schemaVersion": 1,
            "tenants": [],
            "activeTenant": null,
            "automaticRewrite": true,
            "recentTenants": []
        });
        assert_eq!(Settings::load(None).unwrap().to_stored(), expected);
        assert_eq!(
            Settings::load(Some(&Value::Null)).unwrap().to_stored(),
            expected
        );
        assert_eq!(Settings::default().to_stored(), expected);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn every_migration_is_in_the_table() {
        assert_eq!(MIGRATIONS.len() as u64, SCHEMA_VERSION);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn display_messages() {
        let id = TenantId::parse("00000000-0000-4000-8000-000000000001").unwrap();
        let cases = [
            (
                SettingsError::WrongShape {
                    path: "tenants[2].name".into(),
                    expected: "string".into(),
                    found: "array".into(),
                },
                "stored settings: tenants[2].name should be a string, found an array",
            ),
            (
                SettingsError::WrongShape {
                    path: String::new(),
                    expected: "object".into(),
                    found: "null".into(),
                },
                "stored settings: the settings should be an object, found null",
            ),
            (
                SettingsError::NewerVersion {
                    found: 2,
                    supported: 1,
                },
                "the stored settings are schema version 2, written by a newer Tenant Switch; this version reads up to 1",
            ),
            (
                SettingsError::DuplicateTenantName {
                    tenant_name: "CONTOSO".into(),
                    existing_name: "Contoso".into(),
                    existing_id: id,
                },
                "the name CONTOSO is already used by Contoso (00000000-0000-4000-8000-000000000001)",
            ),
            (
                SettingsError::InvalidTenant {
                    index: 0,
                    error: TenantError::Name(crate::tenant::TenantNameError::Empty),
                },
                "stored settings: tenants[0]: the tenant name is empty",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }

    const CONTOSO: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";
    const FABRIKAM: &str = "0b7d3c2e-5a4f-4e1d-8c9b-7a6f5e4d3c2b";
    const NORTHWIND: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    const ADATUM: &str = "d0bd8401-04a0-4f53-bc15-761e19021d19";

    /// Contoso (active, recent), Fabrikam (recent) and Northwind.
    fn three() -> Settings {
        Settings::load(Some(&json!({
            "schemaVersion": 1,
            "tenants": [
                {"name": "Contoso", "id": CONTOSO, "domain": "contoso.onmicrosoft.com"},
                {"name": "Fabrikam", "id": FABRIKAM},
                {"name": "Northwind", "id": NORTHWIND}
            ],
            "activeTenant": CONTOSO,
            "automaticRewrite": false,
            "recentTenants": [CONTOSO, FABRIKAM]
        })))
        .unwrap()
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn import_applies_accepted_rows_and_keeps_everything_else() {
        let csv = format!(
            "Company Name;Tenant ID\nContoso;{CONTOSO}\nFabrikam Group;{}\nAdatum;{ADATUM}\nNorthwind;{ADATUM}\nBad;x\n",
            FABRIKAM.to_uppercase()
        );
        let settings = three();
        let (next, preview) = settings.import(csv.as_bytes(), &[]).unwrap();
        assert_eq!(
            next.to_stored(),
            json!({
                "schemaVersion": 1,
                "tenants": [
                    {"name": "Contoso", "id": CONTOSO, "domain": "contoso.onmicrosoft.com"},
                    {"name": "Fabrikam Group", "id": FABRIKAM},
                    {"name": "Northwind", "id": NORTHWIND},
                    {"name": "Adatum", "id": ADATUM}
                ],
                "activeTenant": CONTOSO,
                "automaticRewrite": false,
                "recentTenants": [CONTOSO, FABRIKAM]
            })
        );
        assert_eq!(
            serde_json::to_value(&preview).unwrap()["counts"],
            json!({"new": 1, "renamed": 1, "unchanged": 1, "rejected": 2})
        );
        assert_eq!(
            serde_json::to_value(&preview).unwrap()["rows"][3],
            json!({"line": 5, "status": "rejected", "error": {"name": "ImportRowDuplicateId",
                "id": ADATUM, "firstLine": 4}})
        );
        assert_eq!(settings, three(), "import must not change its input");
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn import_leaves_out_rows_that_clash_with_policy_tenants() {
        let managed = [Tenant::new("Adatum", ADATUM, None).unwrap()];
        let csv = format!("name,tenant id\nMine,{ADATUM}\nFabrikam Group,{FABRIKAM}\n");
        let (next, preview) = three().import(csv.as_bytes(), &managed).unwrap();
        assert_eq!(
            serde_json::to_value(&preview).unwrap()["rows"][0],
            json!({"line": 2, "status": "rejected", "error": {"name": "ImportRowManagedTenant",
                "id": ADATUM, "tenantName": "Adatum"}})
        );
        assert_eq!(
            next.to_stored()["tenants"],
            json!([
                {"name": "Contoso", "id": CONTOSO, "domain": "contoso.onmicrosoft.com"},
                {"name": "Fabrikam Group", "id": FABRIKAM},
                {"name": "Northwind", "id": NORTHWIND}
            ])
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn import_errors_keep_the_import_error_name() {
        let error = three()
            .import(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &[])
            .unwrap_err();
        assert_eq!(error, SettingsError::Import(ImportError::BinaryFile));
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({"name": "ImportBinaryFile"})
        );
        assert_eq!(
            error.to_string(),
            "the file is not text; save it as CSV (UTF-8) or as Unicode text"
        );
        let error = three()
            .import(b"Name;Customer\nContoso;x", &[])
            .unwrap_err();
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({"name": "ImportMissingColumn", "column": "id", "found": ["Name", "Customer"]})
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn replace_tenants_fixes_up_active_and_recent_tenants() {
        let replace =
            |tenants: Value| three().replace_tenants(serde_json::from_value(tenants).unwrap());
        assert_eq!(
            outcome(replace(json!([
                {"name": "Fabrikam", "id": FABRIKAM.to_uppercase()},
                {"name": "Adatum", "id": ADATUM, "domain": "Adatum.COM"}
            ]))),
            json!({"ok": {
                "schemaVersion": 1,
                "tenants": [
                    {"name": "Fabrikam", "id": FABRIKAM},
                    {"name": "Adatum", "id": ADATUM, "domain": "adatum.com"}
                ],
                "activeTenant": null,
                "automaticRewrite": false,
                "recentTenants": [FABRIKAM]
            }})
        );
        assert_eq!(
            outcome(replace(json!([{"name": "Contoso Ltd", "id": CONTOSO}])))["ok"]["activeTenant"],
            json!(CONTOSO)
        );
        assert_eq!(
            outcome(replace(json!([]))),
            json!({"ok": {"schemaVersion": 1, "tenants": [], "activeTenant": null,
                "automaticRewrite": false, "recentTenants": []}})
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn replace_tenants_refuses_an_invalid_list() {
        let replace =
            |tenants: Value| three().replace_tenants(serde_json::from_value(tenants).unwrap());
        assert_eq!(
            outcome(replace(
                json!([{"name": "A", "id": CONTOSO}, {"name": "", "id": FABRIKAM}])
            )),
            json!({"error": {"name": "SettingsInvalidTenant", "index": 1,
                "error": {"name": "TenantNameEmpty"}}})
        );
        assert_eq!(
            outcome(replace(
                json!([{"name": "Contoso", "id": CONTOSO}, {"name": "ＣＯＮＴＯＳＯ", "id": FABRIKAM}])
            )),
            json!({"error": {"name": "SettingsDuplicateTenantName", "tenantName": "ＣＯＮＴＯＳＯ",
                "existingName": "Contoso", "existingId": CONTOSO}})
        );
        assert_eq!(
            outcome(replace(
                json!([{"name": "A", "id": CONTOSO}, {"name": "B", "id": CONTOSO.to_uppercase()}])
            )),
            json!({"error": {"name": "SettingsDuplicateTenantId", "id": CONTOSO, "existingName": "A"}})
        );
    }

    /// 10,000 tenants: loading and each operation stay linear. An O(n²) duplicate check would
    /// take minutes here in a debug build.
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn ten_thousand_tenants_stay_fast() {
        let started = std::time::Instant::now();
        let tenants: Vec<Value> = (1..=10_000u32)
            .map(|n| {
                json!({
                    "name": format!("Customer {n} Ünïcödé"),
                    "id": format!("00000000-0000-4000-8000-{n:012x}"),
                    "domain": format!("customer{n}.onmicrosoft.com")
                })
            })
            .collect();
        let stored = json!({
            "schemaVersion": 1,
            "tenants": tenants,
            "activeTenant": "00000000-0000-4000-8000-000000002710",
            "automaticRewrite": true,
            "recentTenants": ["00000000-0000-4000-8000-000000002710"]
        });
        let mut settings = Settings::load(Some(&stored)).unwrap();
        for n in 0..20u32 {
            settings = settings
                .apply(Operation::AddTenant {
                    tenant: TenantInput {
                        name: format!("New {n}"),
                        id: format!("10000000-0000-4000-8000-{n:012x}"),
                        domain: None,
                    },
                })
                .unwrap();
            settings = settings
                .apply(Operation::SetActiveTenant {
                    id: Some(format!("10000000-0000-4000-8000-{n:012x}")),
                })
                .unwrap();
        }
        assert_eq!(
            settings.apply(Operation::AddTenant {
                tenant: TenantInput {
                    name: "CUSTOMER 9999 ÜNÏCÖDÉ".into(),
                    id: "20000000-0000-4000-8000-000000000000".into(),
                    domain: None,
                },
            }),
            Err(SettingsError::DuplicateTenantName {
                tenant_name: "CUSTOMER 9999 ÜNÏCÖDÉ".into(),
                existing_name: "Customer 9999 Ünïcödé".into(),
                existing_id: TenantId::parse("00000000-0000-4000-8000-00000000270f").unwrap(),
            })
        );
        assert_eq!(settings.tenants().len(), 10_020);
        assert_eq!(settings.recent_tenants().len(), 5);
        assert_eq!(
            Settings::load(Some(&settings.to_stored())).as_ref(),
            Ok(&settings)
        );
        let elapsed = started.elapsed();
        assert!(elapsed.as_secs() < 20, "took {elapsed:?}");
    }
}

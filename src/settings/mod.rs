//! The stored settings: versioned schema, validation, migration and the operations pages ask for.
//!
//! The session ([`crate::session`]) is the only writer of settings. It reads whatever
//! `chrome.storage.local` holds under `settings` and hands it to [`Settings::load`], which reads
//! every older schema version and validates everything; it changes settings only through
//! [`Settings::apply`] and stores [`Settings::to_stored`]. A [`Settings`] value is valid by
//! construction (its fields are private and every constructor validates), so the rules, the
//! picker and the badge never see a dangling default tenant or a duplicate.
//!
//! Schema version 5 (camelCase JSON, see `ARCHITECTURE.md`; older versions in [`stored`]):
//!
//! ```json
//! {
//!   "schemaVersion": 5,
//!   "tenants": [{ "name": "Contoso", "id": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", "domain": "contoso.com",
//!                 "initialDomain": "contoso.onmicrosoft.com", "tags": ["EU"], "aliases": ["CTS"] }],
//!   "defaultTenant": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b",
//!   "automaticRewrite": true,
//!   "recentTenants": ["6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"],
//!   "favourites": ["6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"],
//!   "tenantColours": { "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b": "teal" },
//!   "tenantLabels": { "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b": "CONT" },
//!   "pageOptions": { "titlePrefix": true, "colourLine": true, "banner": false },
//!   "hiddenPortals": ["powerBi"],
//!   "portalRewrite": ["purview"]
//! }
//! ```
//!
//! Stored data is read strictly: a missing or unknown field is an error rather than a silent
//! default or a silent loss, because the session keeps rejected data untouched and shows the user
//! the problem; guessing would overwrite their data on the next change.

mod error;
mod operation;
pub mod stored;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::colours::Colour;

use crate::import::{self, ImportPreview};
use crate::tenant::{name_key, Tenant, TenantError, TenantInput};
use crate::tenant_id::TenantId;

pub use error::SettingsError;
pub use operation::Operation;

/// The schema version this core writes; it reads every version up to it.
pub const SCHEMA_VERSION: u64 = 5;
/// How many recently chosen tenants are remembered.
pub const MAX_RECENT_TENANTS: usize = 5;

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
///             ..TenantInput::default()
///         },
///     })
///     .unwrap();
/// assert_eq!(
///     settings.to_stored(),
///     json!({
///         "schemaVersion": 5,
///         "tenants": [{"name": "Contoso", "id": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"}],
///         "defaultTenant": null,
///         "automaticRewrite": true,
///         "recentTenants": [],
///         "favourites": [],
///         "tenantColours": {},
///         "tenantLabels": {},
///         "pageOptions": {"titlePrefix": true, "colourLine": true, "banner": false}, "hiddenPortals": [], "portalRewrite": []
///     })
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    tenants: Vec<Tenant>,
    default_tenant: Option<TenantId>,
    automatic_rewrite: bool,
    recent_tenants: Vec<TenantId>,
    /// By tenant ID, so that policy tenants can be favourites and have colours too.
    favourites: BTreeSet<TenantId>,
    colours: BTreeMap<TenantId, Colour>,
    /// The short labels assigned so far ([`crate::labels::assign`]), kept so that a tenant's
    /// label stays when others are added.
    labels: BTreeMap<TenantId, String>,
    page: PageOptions,
    portals: PortalChoices,
}

/// Which portals the "Open in portal" menu leaves out, and which opt-in portals the browser
/// rewrites (IDs of [`crate::portals::CATALOGUE`]). Per browser: neither syncs nor exports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortalChoices {
    /// Portals not shown in the menu: stored as the ones left out, so that a portal a later
    /// version adds is shown.
    pub hidden: BTreeSet<&'static str>,
    /// Opt-in portals ([`crate::portals::Rewrite::OptIn`]) whose addresses are rewritten.
    pub rewrite: BTreeSet<&'static str>,
}

/// What the content script shows on portal pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageOptions {
    /// "Show the tenant in the tab title".
    pub title_prefix: bool,
    /// "Show a colour line on portal pages".
    pub colour_line: bool,
    /// "Show a banner with the tenant name instead of the line".
    pub banner: bool,
}

impl Default for PageOptions {
    fn default() -> Self {
        Self {
            title_prefix: true,
            colour_line: true,
            banner: false,
        }
    }
}

/// One of the [`PageOptions`], as an operation names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PageOption {
    TitlePrefix,
    ColourLine,
    Banner,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            tenants: Vec::new(),
            default_tenant: None,
            automatic_rewrite: true,
            recent_tenants: Vec::new(),
            favourites: BTreeSet::new(),
            colours: BTreeMap::new(),
            labels: BTreeMap::new(),
            page: PageOptions::default(),
            portals: PortalChoices::default(),
        }
    }
}

/// Where a deleted tenant was, so that undoing the deletion puts everything back exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// The tenant as it was.
    pub tenant: Tenant,
    /// Its 0-based place in the list.
    pub index: usize,
    /// Whether it was the tenant for new tabs.
    pub was_default: bool,
    /// Its place among the recent tenants, if it was one.
    pub recent_index: Option<usize>,
}

impl Settings {
    /// The user's tenants in stored order.
    pub fn tenants(&self) -> &[Tenant] {
        &self.tenants
    }
    /// The ID of the tenant for tabs that have none yet ("New tabs"), or `None` for the
    /// analyst's home tenant.
    pub fn default_tenant_id(&self) -> Option<TenantId> {
        self.default_tenant
    }
    /// The tenant for tabs that have none yet, or `None` for the analyst's home tenant.
    pub fn default_tenant(&self) -> Option<&Tenant> {
        self.default_tenant.and_then(|id| self.tenant(id))
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
    /// The favourite tenants (of the user's own or the policy's).
    pub fn favourites(&self) -> &BTreeSet<TenantId> {
        &self.favourites
    }
    /// The colours the analyst chose; a tenant not here has [`Colour::for_tenant`].
    pub fn colours(&self) -> &BTreeMap<TenantId, Colour> {
        &self.colours
    }
    /// A tenant's colour: chosen, or derived from its ID.
    pub fn colour(&self, id: TenantId) -> Colour {
        self.colours
            .get(&id)
            .copied()
            .unwrap_or_else(|| Colour::for_tenant(id))
    }
    /// The short labels assigned so far.
    pub fn labels(&self) -> &BTreeMap<TenantId, String> {
        &self.labels
    }
    /// What portal pages show.
    pub fn page(&self) -> PageOptions {
        self.page
    }
    /// The menu's and the rewrite's portal choices.
    pub fn portals(&self) -> &PortalChoices {
        &self.portals
    }

    /// These settings with the labels assigned so far replaced by `labels`.
    pub fn with_labels(&self, labels: BTreeMap<TenantId, String>) -> Self {
        Self {
            labels,
            ..self.clone()
        }
    }

    /// Reads stored settings of any supported schema version (see [`stored`]). `None` or `null`
    /// (nothing stored: a new install) gives the defaults.
    ///
    /// # Errors
    /// [`SettingsError::NewerVersion`] for data written by a newer Tenant Switch;
    /// [`SettingsError::NotAnObject`] when the value is not an object at all;
    /// [`SettingsError::WrongShape`], [`SettingsError::MissingField`],
    /// [`SettingsError::UnknownField`] or [`SettingsError::InvalidVersion`] with the path of the
    /// offending value; [`SettingsError::InvalidTenant`] with the tenant's index;
    /// [`SettingsError::InvalidReference`] for an unreadable default or recent tenant ID; and the
    /// consistency errors of [`Settings::apply`] (duplicates, unknown default or recent tenant).
    ///
    /// # Examples
    /// ```
    /// use serde_json::json;
    /// use tenant_switch::settings::{Settings, SettingsError, SCHEMA_VERSION};
    /// assert_eq!(
    ///     Settings::load(Some(&json!({"schemaVersion": 70}))),
    ///     Err(SettingsError::NewerVersion { found: 70, supported: SCHEMA_VERSION })
    /// );
    /// ```
    pub fn load(stored: Option<&Value>) -> Result<Self, SettingsError> {
        stored::read(stored)
    }

    /// The settings as the current schema version's JSON, ready for `chrome.storage.local`.
    pub fn to_stored(&self) -> Value {
        stored::write(self)
    }

    /// Applies one operation and returns the new settings, which are valid; `self` is unchanged.
    ///
    /// - `addTenant` appends the tenant.
    /// - `editTenant` replaces the tenant in place; a changed ID is followed by the default
    ///   tenant and the recent tenants.
    /// - `deleteTenant` removes the tenant and its recent entry; deleting the default tenant
    ///   makes "No tenant" the default.
    /// - `setDefaultTenant` with an ID moves it to the front of the recent tenants (at most
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
                    if next.default_tenant == Some(current) {
                        next.default_tenant = Some(new_id);
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
                return self.remove(id).map(|(next, _)| next);
            }
            Operation::SetDefaultTenant { id: None } => next.default_tenant = None,
            Operation::SetDefaultTenant { id: Some(id) } => {
                let id = TenantId::parse(&id).map_err(TenantError::from)?;
                self.index_of(id)?;
                next.default_tenant = Some(id);
                next.touch_recent(id);
            }
            Operation::SetAutomaticRewrite { enabled } => next.automatic_rewrite = enabled,
            Operation::SetFavourite { id, favourite } => {
                let id = TenantId::parse(&id).map_err(TenantError::from)?;
                if favourite {
                    next.favourites.insert(id);
                } else {
                    next.favourites.remove(&id);
                }
            }
            Operation::SetTenantColour { id, colour } => {
                let id = TenantId::parse(&id).map_err(TenantError::from)?;
                match colour {
                    Some(colour) => next.colours.insert(id, colour),
                    None => next.colours.remove(&id),
                };
            }
            Operation::SetPageOption { option, enabled } => match option {
                PageOption::TitlePrefix => next.page.title_prefix = enabled,
                PageOption::ColourLine => next.page.colour_line = enabled,
                PageOption::Banner => next.page.banner = enabled,
            },
            Operation::SetPortalShown { portal, shown } => {
                let portal = known_portal(&portal)?;
                if shown {
                    next.portals.hidden.remove(portal.id);
                } else {
                    next.portals.hidden.insert(portal.id);
                }
            }
            Operation::SetPortalRewrite { portal, enabled } => {
                let portal = known_portal(&portal)?;
                if portal.rewrite != crate::portals::Rewrite::OptIn {
                    return Err(SettingsError::PortalNotRewritable {
                        portal: portal.id.to_owned(),
                    });
                }
                if enabled {
                    next.portals.rewrite.insert(portal.id);
                } else {
                    next.portals.rewrite.remove(portal.id);
                }
            }
        }
        Ok(next)
    }

    /// These settings without the tenant `id`, and where it was (for [`Settings::put_back`]).
    ///
    /// # Errors
    /// [`SettingsError::UnknownTenant`] when there is no such tenant.
    pub fn remove(&self, id: TenantId) -> Result<(Self, Removed), SettingsError> {
        let index = self.index_of(id)?;
        let mut next = self.clone();
        let tenant = next.tenants.remove(index);
        let was_default = next.default_tenant == Some(id);
        if was_default {
            next.default_tenant = None;
        }
        let recent_index = next.recent_tenants.iter().position(|recent| *recent == id);
        next.recent_tenants.retain(|recent| *recent != id);
        Ok((
            next,
            Removed {
                tenant,
                index,
                was_default,
                recent_index,
            },
        ))
    }

    /// Undoes [`Settings::remove`]: the tenant back at its place, in the recent tenants at its
    /// place and as the default tenant if it was.
    ///
    /// # Errors
    /// [`SettingsError::DuplicateTenantId`] / [`SettingsError::DuplicateTenantName`] when
    /// another tenant took its ID or name meanwhile.
    pub fn put_back(&self, removed: &Removed) -> Result<Self, SettingsError> {
        self.check_unique(&removed.tenant, None)?;
        let mut next = self.clone();
        let index = removed.index.min(next.tenants.len());
        next.tenants.insert(index, removed.tenant.clone());
        let id = removed.tenant.id();
        if removed.was_default {
            next.default_tenant = Some(id);
        }
        if let Some(at) = removed.recent_index {
            next.recent_tenants.retain(|recent| *recent != id);
            next.recent_tenants
                .insert(at.min(next.recent_tenants.len()), id);
            next.recent_tenants.truncate(MAX_RECENT_TENANTS);
        }
        Ok(next)
    }

    /// `id` moved to the front of the recent tenants. The caller checked that it is a tenant.
    fn touch_recent(&mut self, id: TenantId) {
        self.recent_tenants.retain(|recent| *recent != id);
        self.recent_tenants.insert(0, id);
        self.recent_tenants.truncate(MAX_RECENT_TENANTS);
    }

    /// These settings with the tenant list replaced by `tenants`, in order (restoring a backed-up
    /// list). A default tenant the new list lacks becomes "No tenant", and recent tenants it
    /// lacks are dropped; automatic rewrite is kept.
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

    /// These settings with another tenant list: the default tenant becomes "No tenant" and
    /// recent tenants are dropped when the list no longer has them.
    ///
    /// # Errors
    /// As [`Settings::replace_tenants`] for duplicates.
    pub fn with_tenants(&self, tenants: Vec<Tenant>) -> Result<Self, SettingsError> {
        let kept: HashSet<TenantId> = tenants.iter().map(Tenant::id).collect();
        let default_tenant = self.default_tenant.filter(|id| kept.contains(id));
        let recent_tenants = self
            .recent_tenants
            .iter()
            .copied()
            .filter(|id| kept.contains(id))
            .collect();
        Ok(Self::validated(
            tenants,
            default_tenant,
            self.automatic_rewrite,
            recent_tenants,
        )?
        .with_marks_of(self))
    }

    /// Imports a file into these settings in one step ("Add and update"): the file is judged
    /// against the current tenants and the policy's tenants `managed` (see [`crate::import`];
    /// rows that clash with a policy tenant are rejected) and every accepted row is applied.
    /// Tenants the file does not mention are kept; the default and recent tenants are kept (an
    /// import changes no IDs).
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
        let next = self.with_import(&preview)?;
        Ok((next, preview))
    }

    /// These settings with an import preview applied ([`import::apply_import`]): the default
    /// tenant becomes "No tenant" and recent tenants are dropped when the import removes them.
    /// Judge the preview against these settings' tenants.
    ///
    /// # Errors
    /// As [`Settings::with_tenants`].
    pub fn with_import(&self, preview: &ImportPreview) -> Result<Self, SettingsError> {
        self.with_tenants(import::apply_import(&self.tenants, preview))
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
        if candidate.aliases().is_empty() && others().all(|tenant| tenant.aliases().is_empty()) {
            return Ok(());
        }
        let keys: Vec<(String, &str)> = spellings(candidate)
            .map(|text| (name_key(text), text))
            .collect();
        for existing in others() {
            for other in spellings(existing) {
                let other = name_key(other);
                if let Some((_, text)) = keys.iter().find(|(key, _)| *key == other) {
                    return Err(SettingsError::DuplicateAlias {
                        alias: (*text).to_owned(),
                        existing_name: existing.name().to_owned(),
                        existing_id: existing.id(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Settings from tenants that are valid already (a [`Tenant`] is valid by construction),
    /// checking only what relates them to each other: for lists built in the core, such as the
    /// policy merge, without the cost of serialising and re-reading every tenant.
    ///
    /// # Errors
    /// As [`Settings::load`] for duplicates and unknown default or recent tenants.
    pub(crate) fn from_parts(
        tenants: Vec<Tenant>,
        default_tenant: Option<TenantId>,
        automatic_rewrite: bool,
        recent_tenants: Vec<TenantId>,
    ) -> Result<Self, SettingsError> {
        Self::validated(tenants, default_tenant, automatic_rewrite, recent_tenants)
    }

    /// These settings' favourites, colours, labels and page options on `other` (the policy
    /// merge keeps them, by tenant ID).
    pub(crate) fn with_marks_of(self, other: &Settings) -> Self {
        Self {
            favourites: other.favourites.clone(),
            colours: other.colours.clone(),
            labels: other.labels.clone(),
            page: other.page,
            portals: other.portals.clone(),
            ..self
        }
    }

    /// The portal choices read from storage (schema 4).
    pub(crate) fn with_portals(self, portals: PortalChoices) -> Self {
        Self { portals, ..self }
    }

    /// The marks read from storage (schema 3), put on validated settings.
    pub(crate) fn with_marks(
        self,
        favourites: BTreeSet<TenantId>,
        colours: BTreeMap<TenantId, Colour>,
        labels: BTreeMap<TenantId, String>,
        page: PageOptions,
    ) -> Self {
        Self {
            favourites,
            colours,
            labels,
            page,
            ..self
        }
    }

    /// Builds settings from parts, checking everything that relates tenants to each other.
    /// Hash maps keep this O(n) for thousands of tenants.
    fn validated(
        tenants: Vec<Tenant>,
        default_tenant: Option<TenantId>,
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
        // Aliases after all names, so that a clash of two names is reported as such.
        let mut aliases: HashMap<String, &Tenant> = HashMap::new();
        for tenant in &tenants {
            for alias in tenant.aliases() {
                let key = name_key(alias);
                let holder = names.get(&key).or_else(|| aliases.get(&key)).copied();
                if let Some(existing) = holder.filter(|existing| existing.id() != tenant.id()) {
                    return Err(SettingsError::DuplicateAlias {
                        alias: alias.clone(),
                        existing_name: existing.name().to_owned(),
                        existing_id: existing.id(),
                    });
                }
                aliases.insert(key, tenant);
            }
        }
        if let Some(id) = default_tenant {
            if !ids.contains_key(&id) {
                return Err(SettingsError::UnknownDefaultTenant { id });
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
            default_tenant,
            automatic_rewrite,
            recent_tenants,
            ..Self::default()
        })
    }
}

/// The catalogue row `id` names.
pub fn known_portal(id: &str) -> Result<&'static crate::portals::Portal, SettingsError> {
    crate::portals::find(id).ok_or_else(|| SettingsError::UnknownPortal {
        portal: id.to_owned(),
    })
}

/// A tenant's name and then its aliases: every spelling that must be unique across the list.
pub(crate) fn spellings(tenant: &Tenant) -> impl Iterator<Item = &str> {
    std::iter::once(tenant.name()).chain(tenant.aliases().iter().map(String::as_str))
}

/// The JSON the settings are stored as; serialising [`Settings`] gives exactly
/// [`Settings::to_stored`].
impl serde::Serialize for Settings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_stored().serialize(serializer)
    }
}

#[cfg(test)]
mod tests;

//! The tenant directory in force: the user's own settings merged with the enterprise policy,
//! validated once per change and indexed for the lookups every tab event and keystroke needs.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};

use crate::labels;
use crate::policy::{self, Effective, PolicyReport};
use crate::search::{TenantIndex, TenantPicker};
use crate::settings::{Removed, Settings};
use crate::tenant::Tenant;
use crate::tenant_id::TenantId;

use super::Labels;

#[derive(Debug, Clone)]
pub(super) struct Directory {
    /// The user's own settings, as stored.
    pub own: Settings,
    /// The settings in force: policy tenants first, the user's after them.
    pub effective: Effective,
    /// Each effective tenant's place in `effective.settings.tenants()`.
    positions: HashMap<TenantId, usize>,
    /// The policy tenants' IDs.
    managed: std::collections::HashSet<TenantId>,
    /// Each effective tenant's short label, unique in the list (same order as the tenants).
    labels: Vec<String>,
    /// Whether assigning the labels gave a tenant a new one: `own` then has the new
    /// assignment, which the session stores.
    pub labels_changed: bool,
    /// Built on the first search after a change.
    picker: OnceCell<TenantPicker>,
    index: OnceCell<TenantIndex>,
    no_tenant: String,
}

impl Directory {
    pub fn new(
        own: Settings,
        report: &PolicyReport,
        managed_active: Option<TenantId>,
        labels: &Labels,
    ) -> Self {
        let effective = policy::effective(&own, &report.policy, managed_active);
        let positions = effective
            .settings
            .tenants()
            .iter()
            .enumerate()
            .map(|(index, tenant)| (tenant.id(), index))
            .collect();
        let managed = effective.managed_tenants.iter().copied().collect();
        let tenants = effective.settings.tenants();
        let assigned_labels = labels::assign(
            tenants,
            &own.labels()
                .iter()
                .map(|(id, label)| (*id, label.clone()))
                .collect(),
        );
        let assignment: BTreeMap<TenantId, String> = tenants
            .iter()
            .map(|tenant| tenant.id())
            .zip(assigned_labels.iter().cloned())
            .collect();
        let labels_changed = assignment != *own.labels();
        let own = if labels_changed {
            own.with_labels(assignment)
        } else {
            own
        };
        Self {
            own,
            effective,
            positions,
            managed,
            labels: assigned_labels,
            labels_changed,
            picker: OnceCell::new(),
            index: OnceCell::new(),
            no_tenant: labels.no_tenant.clone(),
        }
    }

    /// The short label of the effective tenant `id`.
    pub fn label(&self, id: TenantId) -> Option<&str> {
        self.positions
            .get(&id)
            .and_then(|&index| self.labels.get(index))
            .map(String::as_str)
    }

    /// A tenant's colour, as CSS.
    pub fn colour(&self, id: TenantId) -> &'static str {
        self.own.colour(id).hex()
    }

    pub fn is_favourite(&self, id: TenantId) -> bool {
        self.own.favourites().contains(&id)
    }

    /// The effective tenant with this ID (a policy tenant, or one of the user's).
    pub fn tenant(&self, id: TenantId) -> Option<&Tenant> {
        self.positions
            .get(&id)
            .and_then(|&index| self.effective.settings.tenants().get(index))
    }

    pub fn tenants(&self) -> &[Tenant] {
        self.effective.settings.tenants()
    }

    pub fn is_managed(&self, id: TenantId) -> bool {
        self.managed.contains(&id)
    }

    /// The tenant for new tabs in force.
    pub fn default_tenant(&self) -> Option<TenantId> {
        self.effective.settings.default_tenant_id()
    }

    pub fn picker(&self) -> &TenantPicker {
        self.picker.get_or_init(|| {
            let favourites: Vec<TenantId> = self.own.favourites().iter().copied().collect();
            TenantPicker::with(
                &self.effective.settings,
                &self.no_tenant,
                &self.labels,
                &favourites,
            )
        })
    }

    pub fn index(&self) -> &TenantIndex {
        self.index.get_or_init(|| {
            TenantIndex::with_labels(self.effective.settings.tenants(), &self.labels)
        })
    }

    /// What pages show of one tenant: `{id, name, domain?, initialDomain?, tags?, aliases?,
    /// label, colour, colourName, colourChosen, favourite, managed}`.
    pub fn summary(&self, tenant: &Tenant) -> Value {
        let id = tenant.id();
        let colour = self.own.colour(id);
        let mut value = json!({
            "id": id,
            "name": tenant.name(),
            "label": self.label(id).unwrap_or(labels::UNKNOWN_BADGE),
            "colour": colour.hex(),
            "colourName": colour.name(),
            "colourChosen": self.own.colours().contains_key(&id),
            "favourite": self.is_favourite(id),
            "managed": self.is_managed(id),
        });
        if let Some(domain) = tenant.domain() {
            value["domain"] = Value::from(domain);
        }
        if let Some(domain) = tenant.initial_domain() {
            value["initialDomain"] = Value::from(domain);
        }
        if !tenant.tags().is_empty() {
            value["tags"] = Value::from(tenant.tags().to_vec());
        }
        if !tenant.aliases().is_empty() {
            value["aliases"] = Value::from(tenant.aliases().to_vec());
        }
        value
    }
}

/// The `storage.session` value of a deletion that can still be undone.
pub(super) fn undo_value(removed: &Removed, managed_active: Option<TenantId>) -> Value {
    json!({
        "tenant": removed.tenant.to_value(),
        "index": removed.index,
        "wasDefault": removed.was_default,
        "recentIndex": removed.recent_index,
        "managedActive": managed_active,
    })
}

/// Reads [`undo_value`] back.
pub(super) fn read_undo(value: &Value) -> Option<(Removed, Option<TenantId>)> {
    let tenant: Tenant = serde_json::from_value(value.get("tenant")?.clone()).ok()?;
    let index = usize::try_from(value.get("index")?.as_u64()?).ok()?;
    let was_default = value.get("wasDefault")?.as_bool()?;
    let recent_index = value
        .get("recentIndex")
        .and_then(Value::as_u64)
        .and_then(|at| usize::try_from(at).ok());
    let managed_active = value
        .get("managedActive")
        .and_then(Value::as_str)
        .and_then(|id| TenantId::parse(id).ok());
    Some((
        Removed {
            tenant,
            index,
            was_default,
            recent_index,
        },
        managed_active,
    ))
}

//! The stored settings: versioned schema, validation, migration and the operations pages ask for.
//!
//! STUB: the type and accessors below are the contract; the rest is being written.

use crate::tenant::Tenant;
use crate::tenant_id::TenantId;

/// The user's settings, always valid once constructed.
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
}

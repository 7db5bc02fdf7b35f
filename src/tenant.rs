//! A tenant: a validated display name, its tenant ID and an optional primary domain.
//!
//! STUB: the types and accessors below are the contract; validation is being written.

use serde::{Deserialize, Serialize};

use crate::tenant_id::TenantId;

/// One customer tenant as the analyst knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    name: String,
    id: TenantId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    domain: Option<String>,
}

impl Tenant {
    /// The display name, trimmed.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The tenant ID.
    pub fn id(&self) -> TenantId {
        self.id
    }
    /// The primary domain, lowercase, if known.
    pub fn domain(&self) -> Option<&str> {
        self.domain.as_deref()
    }
}

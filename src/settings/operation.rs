//! The changes pages ask for, as they send them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::colours::Colour;
use crate::tenant::TenantInput;

use super::{PageOption, SettingsError};

/// A change the user asks for, as pages send it: `{"op": "addTenant", "tenant": {...}}` and so
/// on (see `ARCHITECTURE.md`). Tenant fields and IDs stay as typed until
/// [`super::Settings::apply`] validates them, so a bad field is reported as its own typed error.
///
/// # Examples
/// ```
/// use serde_json::json;
/// use tenant_switch::settings::Operation;
/// assert_eq!(
///     Operation::from_value(&json!({"op": "setDefaultTenant", "id": null})),
///     Ok(Operation::SetDefaultTenant { id: None })
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
    /// Choose the tenant for tabs that have none yet ("New tabs"); `None` is "No tenant".
    SetDefaultTenant {
        /// The tenant's ID, or `None`.
        #[serde(default)]
        id: Option<String>,
    },
    /// Turn automatic rewriting on or off.
    SetAutomaticRewrite {
        /// Whether to rewrite.
        enabled: bool,
    },
    /// Make a tenant (the user's or the policy's) a favourite, or not.
    SetFavourite {
        /// The tenant's ID.
        id: String,
        /// Whether it is a favourite.
        favourite: bool,
    },
    /// Choose a tenant's colour; `None` goes back to the one derived from its ID.
    SetTenantColour {
        /// The tenant's ID.
        id: String,
        /// A colour of the palette, by name.
        #[serde(default)]
        colour: Option<Colour>,
    },
    /// Switch one of the page options.
    SetPageOption {
        /// Which one.
        option: PageOption,
        /// On or off.
        enabled: bool,
    },
    /// Show a portal in the "Open in portal" menu, or leave it out.
    SetPortalShown {
        /// The portal's catalogue ID.
        portal: String,
        /// Whether the menu shows it.
        shown: bool,
    },
    /// Rewrite an opt-in portal's addresses, or stop.
    SetPortalRewrite {
        /// The portal's catalogue ID.
        portal: String,
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

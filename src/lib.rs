//! Tenant Switch core: everything that decides, with no browser in it.
//!
//! The extension and the www page are thin shells over this crate, compiled to WebAssembly.
//! Each module owns one responsibility and its own error enum; [`wasm`] and [`wasm_www`] (the
//! link builder page's part) are the only modules that know about JavaScript, and they only
//! convert types.
//!
//! | module | responsibility |
//! |---|---|
//! | [`tenant_id`] | parse and normalise tenant IDs (GUIDs) from whatever an analyst pastes |
//! | [`tenant`] | a tenant: validated display name, tenant ID, optional primary domain |
//! | [`portal`] | recognise Defender portal URLs, read and add the `tid` query parameter |
//! | [`rules`] | the declarativeNetRequest dynamic rules that do the rewrite in the browser |
//! | [`policy`] | the administrator's managed policy and how it merges with the user's settings |
//! | [`settings`] | the stored, versioned settings: validation, migration, operations |
//! | [`search`] | rank tenants for what the user types; the popup's picker list |
//! | [`sync`] | opt-in sync of the tenant list: merge, chunking within quotas, write plans |
//! | [`error`] | how errors describe themselves to the UI (stable name plus details) |

pub mod base64;
pub mod colours;
pub mod error;
pub mod export;
pub mod import;
pub(crate) mod json;
pub mod labels;
pub mod policy;
pub mod portal;
pub mod portals;
pub mod rules;
pub mod search;
pub mod session;
pub mod settings;
pub mod sync;
pub mod tenant;
pub mod tenant_id;
pub mod unicode;
#[cfg(feature = "wasm")]
pub mod wasm;
#[cfg(feature = "wasm")]
pub mod wasm_www;

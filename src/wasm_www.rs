//! The `#[wasm_bindgen]` surface of the link builder page (`www/link-builder.js`): type
//! conversion only, as in [`crate::wasm`], whose error and JSON conversion it shares.
//!
//! Reading the pasted text is [`crate::import::link_builder`], paging and filtering its
//! [`LinkList`](crate::import::link_builder::LinkList) and each tenant's portal links too, the
//! bookmark file [`crate::export`].
//! Import errors for the text as a whole are thrown as JS `Error`s named `Import*`; rejected rows
//! are data, `{line|entry, error: {name, ...}}`.

use std::collections::HashMap;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::export;
use crate::import::link_builder::{self, LinkList as CoreLinkList, PastedFormat, RejectedRow};
use crate::import::IMPORT_SIZE_LIMIT;
use crate::wasm::{from_js, js_error, parse_id, to_js, BindingError};

/// `{format, tenants, rejected}`: the pasted text (or dropped file) as the page reads it, each
/// tenant `{line|entry, name?, id, domain?, initialDomain?}`, each rejected row `{line|entry, error}`. Throws
/// `Import*` when the text as a whole cannot be read.
#[wasm_bindgen(js_name = readPastedTenants)]
pub fn read_pasted_tenants(bytes: &[u8]) -> Result<JsValue, JsValue> {
    to_js(&link_builder::read_pasted(bytes).map_err(|e| js_error(&e))?)
}

/// The text of a dropped file, decoded as `readPastedTenants` decodes it, for the text area.
/// Throws `ImportTooLarge`, `ImportBinaryFile` or `ImportNotUtf8`.
#[wasm_bindgen(js_name = decodePasted)]
pub fn decode_pasted(bytes: &[u8]) -> Result<String, JsValue> {
    link_builder::decode_pasted(bytes).map_err(|e| js_error(&e))
}

/// Throws `ImportTooLarge` when a file of `size` bytes (`File.size`) is too large to read, so
/// the page never reads one into memory.
#[wasm_bindgen(js_name = checkFileSize)]
pub fn check_file_size(size: f64) -> Result<(), JsValue> {
    if !size.is_finite() || size < 0.0 {
        return Err(js_error(&BindingError::InvalidArgument {
            argument: "size".into(),
            reason: format!("{size} is not a file size"),
        }));
    }
    let limit = IMPORT_SIZE_LIMIT as f64;
    // Above the limit the exact size only fills the message: saturating is fine there.
    let size = if size > limit {
        size.min(usize::MAX as f64) as usize
    } else {
        size as usize
    };
    link_builder::check_size(size).map_err(|e| js_error(&e))
}

/// The pasted tenants, read once per change of the text and kept in wasm memory while the page
/// filters and pages through them.
#[wasm_bindgen]
pub struct LinkList {
    inner: CoreLinkList,
}

#[wasm_bindgen]
impl LinkList {
    /// Reads the text's bytes as `readPastedTenants` does; throws `Import*` as it does.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<LinkList, JsValue> {
        let pasted = link_builder::read_pasted(bytes).map_err(|e| js_error(&e))?;
        Ok(Self {
            inner: CoreLinkList::new(pasted),
        })
    }

    /// `{format, count, rejected}`: how the text was read, how many tenants it gave, and every
    /// rejected row `{line|entry, error}` in text order.
    pub fn summary(&self) -> Result<JsValue, JsValue> {
        #[derive(Serialize)]
        struct Summary<'a> {
            format: PastedFormat,
            count: usize,
            rejected: &'a [RejectedRow],
        }
        let pasted = self.inner.pasted();
        to_js(&Summary {
            format: pasted.format,
            count: pasted.tenants.len(),
            rejected: &pasted.rejected,
        })
    }

    /// `{total, offset, tenants}`: at most `limit` tenants matching `filter` from `offset` on,
    /// each `{line|entry, name?, id, domain?, initialDomain?, link}`; text order for an empty filter, ranked
    /// otherwise. `offset` past the end gives the last page (the `offset` returned).
    pub fn page(&self, filter: &str, offset: usize, limit: usize) -> Result<JsValue, JsValue> {
        to_js(&self.inner.page(filter, offset, limit))
    }

    /// The links of the tenant with ID `id` to every portal, in the menu's order, each
    /// `{id, group, partnerOnly, url}` or `{id, group, partnerOnly, missing: "initialDomain"}`,
    /// as the extension's "Open in portal" menu gives them. Throws `TenantId*` for an `id` that
    /// is not a tenant ID, `InvalidArgument` when no pasted tenant has it.
    #[wasm_bindgen(js_name = portalLinks)]
    pub fn portal_links(&self, id: &str) -> Result<JsValue, JsValue> {
        let links = self.inner.portal_links(parse_id(id)?).ok_or_else(|| {
            js_error(&BindingError::InvalidArgument {
                argument: "id".into(),
                reason: format!("no pasted tenant has the ID {id}"),
            })
        })?;
        to_js(&links)
    }

    /// The Netscape bookmark file: one folder named `folder` holding a folder per tenant with
    /// its portal links. `portal_names` is `{<portal id>: name}` (the page's localised names); a
    /// portal it does not name keeps the catalogue's English name. Throws `InvalidArgument` when
    /// `portal_names` is not an object of strings.
    #[wasm_bindgen(js_name = bookmarksFile)]
    pub fn bookmarks_file(&self, folder: &str, portal_names: JsValue) -> Result<String, JsValue> {
        let names: HashMap<String, String> = if portal_names.is_undefined() {
            HashMap::new()
        } else {
            from_js("portalNames", portal_names)?
        };
        let bookmarks = self.inner.bookmarks(folder, |portal| {
            names
                .get(portal.id)
                .cloned()
                .unwrap_or_else(|| portal.name.to_owned())
        });
        Ok(export::bookmarks_file(&[bookmarks]))
    }
}

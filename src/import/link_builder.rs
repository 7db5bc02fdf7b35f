//! The link builder page's reading mode: what an analyst pastes (or drops) to get one portal
//! link per tenant.
//!
//! The page reads everything the extension imports exactly as the import reads it, judged
//! against an empty tenant list: [`read_pasted`] hands JSON, and CSV whose first row is a header,
//! to [`parse_import`] itself, so a file gives the same tenants and the same rejected rows in
//! both places. On top of that it reads what only the page promises, "one tenant ID per line, or
//! lines of name,tenant ID or name,tenant ID,domain" ([`PastedFormat::Lines`]):
//!
//! - **Which mode.** JSON when the text starts with `{` or `[`, unless its first line starts with
//!   a tenant ID (`{6F1C…}` is an ID in braces, not JSON). Otherwise CSV when the first row is a
//!   header: some cell is a column name the import knows ([`NAME_COLUMNS`], [`ID_COLUMNS`],
//!   [`DOMAIN_COLUMNS`], [`INITIAL_DOMAIN_COLUMNS`]) and no cell is a tenant ID (a tenant may be
//!   called "Name"; a header row never holds a tenant ID). Otherwise lines.
//! - **Lines** are CSV records without a header, with the import's quoting, `sep=` line and
//!   formula-guard rules; the delimiter is the most frequent of comma, semicolon and tab outside
//!   quotes in the whole text (the first line may be a bare ID, which has none). A record of one
//!   cell is a tenant ID without a name; otherwise its cells are name, tenant ID and domain, and
//!   further cells are ignored, as the import ignores columns it does not know. A line has no
//!   initial domain of its own (a fourth cell might be anything): a domain ending in
//!   `.onmicrosoft.com` serves as both, and an `initialDomain` column needs a header row.
//! - **Rows are judged by the import's rules**, in the same order (duplicate ID, then the
//!   tenant's name, ID and domain, then the name used by an earlier row), with the same
//!   [`ImportRowError`]s. A row without a name is judged by its ID alone.
//! - Text that is empty or only whitespace is an empty list, not [`ImportError::EmptyFile`]:
//!   the page starts with an empty text area.
//!
//! [`LinkList`] serves the page: its tenants in line order or ranked by [`TenantIndex`] for a
//! filter, a page at a time; each tenant's links to every portal of [`crate::portals::CATALOGUE`],
//! as the extension's "Open in portal" menu gives them; and the bookmark file of all of them.

use serde::{Serialize, Serializer};

use super::{
    csv_error, csv_reader, decode, detect_delimiter, header_delimiter, header_key, parse_import,
    strip_separator_line, unguard_formula, ImportError, ImportFormat, ImportPreview,
    ImportRowError, Judge, LineCounter, RowOutcome, RowPosition, RowValues, DOMAIN_COLUMNS,
    ID_COLUMNS, IMPORT_SIZE_LIMIT, INITIAL_DOMAIN_COLUMNS, NAME_COLUMNS,
};
use crate::export::{tenant_bookmarks, Bookmark};
use crate::portal::portal_url;
use crate::portals::{self, Group, Identifier, Portal, TenantIdentifiers, CATALOGUE};
use crate::search::{fold, TenantIndex};
use crate::tenant::{link_initial_domain, Tenant, TenantError};
use crate::tenant_id::TenantId;

/// How the pasted text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PastedFormat {
    /// CSV with a header row, read by the import; rows are positioned by line.
    Csv,
    /// JSON, read by the import; rows are positioned by entry.
    Json,
    /// Lines of tenant IDs or `name,ID[,domain]`, without a header; positioned by line.
    Lines,
}

/// An accepted tenant. Serialised flat, for example
/// `{"line": 2, "name": "Contoso", "id": "…", "domain": "contoso.com", "initialDomain":
/// "contoso.onmicrosoft.com"}`, without `name`, `domain` or `initialDomain` when there is none
/// (the keys and values of the import preview's tenant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PastedTenant {
    /// Where the row is in the text.
    #[serde(flatten)]
    pub position: RowPosition,
    /// The validated name; `None` for a line holding only a tenant ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The tenant ID.
    pub id: TenantId,
    /// The validated primary domain, if the row gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The validated initial domain, if the row gave one (an initial domain column).
    #[serde(rename = "initialDomain", skip_serializing_if = "Option::is_none")]
    pub initial_domain: Option<String>,
}

impl PastedTenant {
    fn from_tenant(position: RowPosition, tenant: Tenant) -> Self {
        Self {
            position,
            name: Some(tenant.name().to_owned()),
            id: tenant.id(),
            domain: tenant.domain().map(str::to_owned),
            initial_domain: tenant.initial_domain().map(str::to_owned),
        }
    }

    /// What the portal links can name the tenant by; a primary domain that is an initial domain
    /// serves as both, as for a [`Tenant`].
    pub fn identifiers(&self) -> TenantIdentifiers<'_> {
        TenantIdentifiers {
            id: self.id,
            domain: self.domain.as_deref(),
            initial_domain: link_initial_domain(
                self.initial_domain.as_deref(),
                self.domain.as_deref(),
            ),
        }
    }

    /// What the tenant is called in lists and bookmarks: its name, or its ID when it has none.
    pub fn title(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.id.to_string())
    }
}

/// A row that gives no tenant, and why: `{"line": 4, "error": {"name": …}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// Where the row is in the text.
    #[serde(flatten)]
    pub position: RowPosition,
    /// Why it is rejected, worded by the UI as the import preview words it.
    pub error: ImportRowError,
}

/// What [`read_pasted`] found: `{"format", "tenants", "rejected"}`, both lists in text order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PastedTenants {
    /// How the text was read.
    pub format: PastedFormat,
    /// The accepted tenants.
    pub tenants: Vec<PastedTenant>,
    /// The rejected rows.
    pub rejected: Vec<RejectedRow>,
}

impl PastedTenants {
    /// An import preview judged against an empty list as the page shows it. Against an empty
    /// list every accepted row is new; were one renamed or unchanged, it would still be the
    /// tenant the row gives.
    fn from_preview(preview: &ImportPreview) -> Self {
        let format = match preview.format() {
            ImportFormat::Csv => PastedFormat::Csv,
            ImportFormat::Json => PastedFormat::Json,
        };
        let mut pasted = Self {
            format,
            tenants: Vec::new(),
            rejected: Vec::new(),
        };
        for row in preview.rows() {
            match &row.outcome {
                RowOutcome::New { tenant }
                | RowOutcome::Changed { tenant, .. }
                | RowOutcome::Unchanged { tenant } => {
                    if let Some(position) = row.position {
                        pasted
                            .tenants
                            .push(PastedTenant::from_tenant(position, tenant.clone()));
                    }
                }
                RowOutcome::Rejected { error, .. } => {
                    if let Some(position) = row.position {
                        pasted.rejected.push(RejectedRow {
                            position,
                            error: error.clone(),
                        });
                    }
                }
                // Only a "match" import removes tenants; the page's is a "merge" one.
                RowOutcome::Removed { .. } => {}
            }
        }
        pasted
    }
}

/// Reads pasted text or a dropped file's bytes for the link builder (see the module docs).
///
/// # Errors
/// The import's [`ImportError`] when the text as a whole cannot be read: too large, binary, not
/// UTF-8, broken JSON or a JSON shape that is not a tenant list, a header row without a name or
/// ID column, CSV the reader gives up on. Bad rows are not errors: they are
/// [`PastedTenants::rejected`].
///
/// # Examples
/// ```
/// use tenant_switch::import::link_builder::{read_pasted, PastedFormat};
/// let pasted = "6F1C2B6A-0C6E-4B8E-9E0A-2C1D3E4F5A6B\nFabrikam;2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710\n";
/// let read = read_pasted(pasted.as_bytes()).unwrap();
/// assert_eq!(read.format, PastedFormat::Lines);
/// assert_eq!(read.tenants[0].name, None);
/// assert_eq!(read.tenants[1].name.as_deref(), Some("Fabrikam"));
/// ```
pub fn read_pasted(bytes: &[u8]) -> Result<PastedTenants, ImportError> {
    check_size(bytes.len())?;
    let text = decode(bytes)?;
    if text.trim().is_empty() {
        return Ok(PastedTenants {
            format: PastedFormat::Lines,
            tenants: Vec::new(),
            rejected: Vec::new(),
        });
    }
    if read_by_import(&text) {
        // The very function the extension's import preview runs, against an empty list.
        let preview = parse_import(bytes, &[], &[])?;
        return Ok(PastedTenants::from_preview(&preview));
    }
    read_lines(&text)
}

/// The text of pasted or dropped bytes, as [`read_pasted`] decodes it: UTF-8 with or without
/// byte order mark, UTF-16 with one; shown in the page's text area after a file is dropped.
///
/// # Errors
/// [`ImportError::TooLarge`], [`ImportError::BinaryFile`] or [`ImportError::NotUtf8`].
pub fn decode_pasted(bytes: &[u8]) -> Result<String, ImportError> {
    check_size(bytes.len())?;
    Ok(decode(bytes)?.into_owned())
}

/// Whether a file of `size` bytes can be read at all, before its bytes are read.
///
/// # Errors
/// [`ImportError::TooLarge`] above [`IMPORT_SIZE_LIMIT`].
pub fn check_size(size: usize) -> Result<(), ImportError> {
    if size > IMPORT_SIZE_LIMIT {
        return Err(ImportError::TooLarge {
            size,
            limit: IMPORT_SIZE_LIMIT,
        });
    }
    Ok(())
}

/// Whether the import reads the text (JSON, or CSV with a header row) rather than lines.
fn read_by_import(text: &str) -> bool {
    let start = text.trim_start();
    if start.starts_with(['{', '[']) {
        let first_line = start.lines().next().unwrap_or_default();
        let first_cell = first_line
            .split([',', ';', '\t'])
            .next()
            .unwrap_or_default();
        return TenantId::parse(first_cell).is_err();
    }
    let (body, _, declared) = strip_separator_line(text);
    let delimiter = declared.unwrap_or_else(|| header_delimiter(body));
    let mut reader = csv_reader(body, delimiter);
    let Some(Ok(first)) = reader.records().next() else {
        // No row, or one the CSV reader refuses: the import reports it as it would.
        return true;
    };
    let names_a_column = first.iter().any(|cell| {
        let key = header_key(cell);
        [
            NAME_COLUMNS,
            ID_COLUMNS,
            DOMAIN_COLUMNS,
            INITIAL_DOMAIN_COLUMNS,
        ]
        .iter()
        .any(|columns| columns.contains(&key.as_str()))
    });
    names_a_column && !first.iter().any(|cell| TenantId::parse(cell).is_ok())
}

/// Lines of tenant IDs or `name,ID[,domain]`, judged by the import's rules.
fn read_lines(text: &str) -> Result<PastedTenants, ImportError> {
    let (body, lines_before, declared) = strip_separator_line(text);
    let delimiter = declared.unwrap_or_else(|| detect_delimiter(body));
    let mut reader = csv_reader(body, delimiter);
    let mut lines = LineCounter::new(body, lines_before);
    let mut judge = Judge::new(&[], &[]);
    let mut pasted = PastedTenants {
        format: PastedFormat::Lines,
        tenants: Vec::new(),
        rejected: Vec::new(),
    };
    for record in reader.records() {
        let record = record.map_err(|error| csv_error(body, lines_before, &error))?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let position = RowPosition::Line(lines.line_at(super::byte_offset(record.position())));
        let cell = |index: usize| unguard_formula(record.get(index).unwrap_or_default());
        let judged = if record.len() == 1 {
            bare_id(&mut judge, position, cell(0))
        } else {
            match judge.judge(position, &RowValues::new(cell(0), cell(1), cell(2))) {
                Ok(RowOutcome::New { tenant })
                | Ok(RowOutcome::Changed { tenant, .. })
                | Ok(RowOutcome::Unchanged { tenant })
                | Ok(RowOutcome::Removed { tenant }) => {
                    Ok(PastedTenant::from_tenant(position, tenant))
                }
                Ok(RowOutcome::Rejected { error, .. }) | Err(error) => Err(error),
            }
        };
        match judged {
            Ok(tenant) => pasted.tenants.push(tenant),
            Err(error) => pasted.rejected.push(RejectedRow { position, error }),
        }
    }
    Ok(pasted)
}

/// A line holding only a tenant ID: the ID rules of the import, no name.
fn bare_id(
    judge: &mut Judge<'_>,
    position: RowPosition,
    id: &str,
) -> Result<PastedTenant, ImportRowError> {
    let id = TenantId::parse(id).map_err(|error| ImportRowError::Tenant(TenantError::Id(error)))?;
    judge.claim_id(position, id)?;
    Ok(PastedTenant {
        position,
        name: None,
        id,
        domain: None,
        initial_domain: None,
    })
}

/// The pasted tenants prepared for the page: filtered, paged, saved as bookmarks.
#[derive(Debug, Clone)]
pub struct LinkList {
    pasted: PastedTenants,
    index: TenantIndex,
}

/// One page of [`LinkList::page`]: `{"total", "offset", "tenants"}`, each tenant as in
/// [`PastedTenant`] plus its portal `link`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkPage<'a> {
    /// How many tenants match in all.
    pub total: usize,
    /// The position of the page's first tenant among the matches.
    pub offset: usize,
    /// The page's tenants.
    pub tenants: Vec<Link<'a>>,
}

/// A tenant and its portal link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link<'a> {
    /// The tenant.
    pub tenant: &'a PastedTenant,
    /// The portal's start page in the tenant.
    pub link: String,
}

impl Serialize for Link<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Flat<'a> {
            #[serde(flatten)]
            tenant: &'a PastedTenant,
            link: &'a str,
        }
        Flat {
            tenant: self.tenant,
            link: &self.link,
        }
        .serialize(serializer)
    }
}

/// One portal link of a tenant, exactly as an item of the extension's "Open in portal" menu:
/// `{"id", "group", "partnerOnly", "url"}`, or `"missing": "initialDomain"` in place of `url`
/// when the tenant lacks the identifier the portal needs. The page names the portal by the
/// `_locales` message `portal_<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalLink {
    /// The catalogue row's ID.
    pub id: &'static str,
    /// The menu part: the Defender portal and its deep links, or the other admin portals.
    pub group: Group,
    /// Whether the portal opens a customer only through a GDAP/DAP partner relationship.
    pub partner_only: bool,
    /// The address, or the identifier the tenant lacks.
    #[serde(flatten)]
    pub target: PortalTarget,
}

/// Where a [`PortalLink`] goes: `{"url": …}` or `{"missing": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PortalTarget {
    /// The portal's address in the tenant.
    Url(String),
    /// The identifier the portal needs and the tenant lacks.
    Missing(Identifier),
}

impl PortalLink {
    fn new(portal: &'static Portal, tenant: &PastedTenant) -> Self {
        Self {
            id: portal.id,
            group: portal.group,
            partner_only: portal.partner_only,
            target: match portals::link_for(portal, tenant.identifiers()) {
                Ok(url) => PortalTarget::Url(url),
                Err(missing) => PortalTarget::Missing(missing),
            },
        }
    }
}

impl LinkList {
    /// Indexes the tenants for filtering.
    pub fn new(pasted: PastedTenants) -> Self {
        let index = TenantIndex::from_entries(pasted.tenants.iter().map(|tenant| {
            (
                tenant.name.as_deref().unwrap_or(""),
                tenant.domain.as_deref(),
                tenant.initial_domain.as_deref(),
                tenant.id,
            )
        }));
        Self { pasted, index }
    }

    /// The tenants and rejected rows as read.
    pub fn pasted(&self) -> &PastedTenants {
        &self.pasted
    }

    /// The tenants matching `filter`, `limit` (at least 1) from `offset` on.
    ///
    /// An empty filter lists every tenant in text order (the order of the "Line" column);
    /// otherwise matches are ranked as [`TenantIndex::search`] ranks them. An `offset` past the
    /// last match gives the last page, so a page stays valid when the filter narrows the list.
    ///
    /// # Examples
    /// ```
    /// use tenant_switch::import::link_builder::{read_pasted, LinkList};
    /// let text = "Contoso,6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b\nFabrikam,2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710\n";
    /// let list = LinkList::new(read_pasted(text.as_bytes()).unwrap());
    /// let page = list.page("fab", 0, 100);
    /// assert_eq!((page.total, page.tenants[0].tenant.name.as_deref()), (1, Some("Fabrikam")));
    /// assert_eq!(list.page("", 7, 1).offset, 1);
    /// ```
    pub fn page(&self, filter: &str, offset: usize, limit: usize) -> LinkPage<'_> {
        let limit = limit.max(1);
        let all = fold(filter).is_empty();
        let total = if all {
            self.pasted.tenants.len()
        } else {
            self.index.search(filter, 0).total
        };
        let offset = offset.min(total.saturating_sub(1) / limit * limit);
        let positions: Vec<usize> = if all {
            (offset..total.min(offset.saturating_add(limit))).collect()
        } else {
            let ranked = self.index.search(filter, offset.saturating_add(limit));
            ranked.indices.into_iter().skip(offset).collect()
        };
        LinkPage {
            total,
            offset,
            tenants: positions
                .into_iter()
                .filter_map(|position| self.pasted.tenants.get(position))
                .map(|tenant| Link {
                    tenant,
                    link: portal_url(Some(&tenant.id)),
                })
                .collect(),
        }
    }

    /// The links of the tenant with this ID to every portal of the catalogue, in menu order;
    /// `None` when no pasted tenant has the ID.
    ///
    /// # Examples
    /// ```
    /// use tenant_switch::import::link_builder::{read_pasted, LinkList, PortalTarget};
    /// use tenant_switch::portals::Identifier;
    /// use tenant_switch::tenant_id::TenantId;
    /// let text = "Contoso,6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b,contoso.com\n";
    /// let list = LinkList::new(read_pasted(text.as_bytes()).unwrap());
    /// let id = TenantId::parse("6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b").unwrap();
    /// let links = list.portal_links(id).unwrap();
    /// assert_eq!(links[6].target, PortalTarget::Url("https://entra.microsoft.com/contoso.com".into()));
    /// assert_eq!(links[9].target, PortalTarget::Missing(Identifier::InitialDomain));
    /// ```
    pub fn portal_links(&self, id: TenantId) -> Option<Vec<PortalLink>> {
        let tenant = self.pasted.tenants.iter().find(|tenant| tenant.id == id)?;
        Some(
            CATALOGUE
                .iter()
                .map(|portal| PortalLink::new(portal, tenant))
                .collect(),
        )
    }

    /// The bookmarks of every tenant, in text order, in one folder named `folder`: a sub-folder
    /// per tenant (named by its name, or its ID) holding its link to every portal it can be
    /// opened in, each named `portal_name(portal)` (see [`tenant_bookmarks`]).
    pub fn bookmarks(&self, folder: &str, portal_name: impl Fn(&Portal) -> String) -> Bookmark {
        tenant_bookmarks(
            folder,
            self.pasted
                .tenants
                .iter()
                .map(|tenant| (tenant.title(), tenant.identifiers())),
            portal_name,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::bookmarks_file;
    use serde_json::{json, Value};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    /// tests/fixtures/link-builder/manifest.json: every file with its hand-checked result.
    const MANIFEST: &str = include_str!("../../tests/fixtures/link-builder/manifest.json");

    macro_rules! fixture {
        ($file:literal) => {
            (
                $file,
                include_bytes!(concat!("../../tests/fixtures/link-builder/", $file)) as &[u8],
            )
        };
    }

    /// The manifest's files, as it names them (wasm tests have no file system).
    const FILES: &[(&str, &[u8])] = &[
        fixture!("../import/partner-center.csv"),
        fixture!("../import/lighthouse.csv"),
        fixture!("../import/cipp.csv"),
        fixture!("../import/german-excel.csv"),
        fixture!("../import/excel-unicode-text.txt"),
        fixture!("../import/quoted.csv"),
        fixture!("../import/policy-clash.csv"),
        fixture!("../import/tenant-switch.json"),
        fixture!("../import/plain-array.json"),
        fixture!("../import/no-id-column.csv"),
        fixture!("../import/windows-1252.csv"),
        fixture!("../import/spreadsheet.xlsx"),
        fixture!("tenant-switch-export.csv"),
        fixture!("multiline-name.csv"),
        fixture!("excel-paste.tsv"),
        fixture!("excel-sep-line.csv"),
        fixture!("bare-ids.txt"),
        fixture!("name-id-lines.csv"),
        fixture!("headerless-tabs.txt"),
        fixture!("headerless-sep-line.csv"),
        fixture!("initial-domains.csv"),
    ];

    fn result_json(result: Result<PastedTenants, ImportError>) -> Value {
        match result {
            Ok(pasted) => serde_json::to_value(pasted).unwrap(),
            Err(error) => json!({ "error": error }),
        }
    }

    fn read(text: &str) -> Value {
        result_json(read_pasted(text.as_bytes()))
    }

    /// The import preview against an empty list in the manifest's shape: what the extension's
    /// import preview shows for the same bytes.
    fn import_json(bytes: &[u8]) -> Value {
        match parse_import(bytes, &[], &[]) {
            Ok(preview) => serde_json::to_value(PastedTenants::from_preview(&preview)).unwrap(),
            Err(error) => json!({ "error": error }),
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn fixtures_give_exactly_the_expected_tenants_and_rejected_rows() {
        let manifest: Value = serde_json::from_str(MANIFEST).unwrap();
        let entries = manifest["fixtures"].as_array().unwrap();
        let named: Vec<&str> = entries
            .iter()
            .map(|entry| entry["file"].as_str().unwrap())
            .collect();
        let listed: Vec<&str> = FILES.iter().map(|(file, _)| *file).collect();
        assert_eq!(
            named, listed,
            "FILES lists the manifest's files in its order"
        );
        for (entry, (file, bytes)) in entries.iter().zip(FILES) {
            let actual = result_json(read_pasted(bytes));
            assert_eq!(
                actual,
                entry["expected"],
                "{file}: got\n{}",
                serde_json::to_string_pretty(&actual).unwrap()
            );
            match entry["reads"].as_str() {
                Some("both") => assert_eq!(import_json(bytes), entry["expected"], "{file}"),
                Some("page only") => assert_ne!(import_json(bytes), entry["expected"], "{file}"),
                other => panic!("{file}: reads {other:?}"),
            }
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn which_mode_reads_the_text() {
        const CONTOSO: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";
        let format = |text: &str| read(text)["format"].clone();
        // An ID in braces is not JSON; a JSON array is.
        assert_eq!(format(&format!("{{{CONTOSO}}}\n")), "lines");
        assert_eq!(format(&format!("  {{{CONTOSO}}},Contoso\n")), "lines");
        assert_eq!(
            format(&format!("[{{\"name\": \"C\", \"id\": \"{CONTOSO}\"}}]")),
            "json"
        );
        assert_eq!(
            read("{\"tenants\": []}")["error"],
            json!({"name": "ImportUnknownJsonFormat"})
        );
        // A header names a column and holds no tenant ID; a tenant may be called "Name".
        assert_eq!(
            format(&format!("Tenant ID;Name\n{CONTOSO};Contoso\n")),
            "csv"
        );
        assert_eq!(format(&format!("Name,{CONTOSO}\n")), "lines");
        assert_eq!(
            read(&format!("Name,{CONTOSO}\n"))["tenants"],
            json!([{"line": 1, "name": "Name", "id": CONTOSO}])
        );
        assert_eq!(format(&format!("Contoso,{CONTOSO}\n")), "lines");
        // A header the import cannot use is the import's error, as in the extension.
        assert_eq!(
            read("Tenant ID\n")["error"],
            json!({"name": "ImportMissingColumn", "column": "name", "found": ["Tenant ID"]})
        );
        // An empty text area is no tenants, not an error.
        for empty in ["", " \n\t\r\n", "\u{feff}"] {
            assert_eq!(
                read(empty),
                json!({"format": "lines", "tenants": [], "rejected": []})
            );
        }
        assert_eq!(read("sep=;\n")["error"], json!({"name": "ImportEmptyFile"}));
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn lines_take_the_delimiter_of_the_whole_text() {
        const CONTOSO: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";
        const FABRIKAM: &str = "2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710";
        // The first line has no delimiter at all; the semicolons of the rest win over the comma
        // in a name.
        let text = format!("{CONTOSO}\nFabrikam, Inc.;{FABRIKAM};fabrikam.com\n");
        assert_eq!(
            read(&text),
            json!({"format": "lines", "tenants": [
                {"line": 1, "id": CONTOSO},
                {"line": 2, "name": "Fabrikam, Inc.", "id": FABRIKAM, "domain": "fabrikam.com"},
            ], "rejected": []})
        );
        // A name without an ID is the ID's error; a line with a bare name is not an ID either.
        assert_eq!(
            read("Contoso,\nContoso\n")["rejected"],
            json!([
                {"line": 1, "error": {"name": "TenantIdEmpty"}},
                {"line": 2, "error": {"name": "TenantIdInvalidCharacter", "character": "o", "position": 2}},
            ])
        );
    }

    fn list(count: usize) -> LinkList {
        let mut text = String::new();
        for n in 1..=count {
            text.push_str(&format!(
                "Customer {n:04},{n:08x}-0000-4000-8000-{n:012x},c{n}.example\n"
            ));
        }
        text.push_str("00000abc-0000-4000-8000-000000000abc\n");
        LinkList::new(read_pasted(text.as_bytes()).unwrap())
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn pages_of_links_in_line_order_or_ranked_by_the_filter() {
        let list = list(1_000);
        let lines = |page: &LinkPage<'_>| -> Vec<Value> {
            page.tenants
                .iter()
                .map(|link| serde_json::to_value(link.tenant.position).unwrap())
                .collect()
        };
        let first = list.page("", 0, 100);
        assert_eq!(
            (first.total, first.offset, first.tenants.len()),
            (1_001, 0, 100)
        );
        assert_eq!(
            serde_json::to_value(&first.tenants[0]).unwrap(),
            json!({"line": 1, "name": "Customer 0001", "id": "00000001-0000-4000-8000-000000000001",
                   "domain": "c1.example",
                   "link": "https://security.microsoft.com/?tid=00000001-0000-4000-8000-000000000001"})
        );
        // The last page; an offset past it gives it too.
        let last = list.page("", 1_000, 100);
        assert_eq!(
            (last.offset, lines(&last)),
            (1_000, vec![json!({"line": 1_001})])
        );
        assert_eq!(list.page("", 5_000, 100).offset, 1_000);
        assert_eq!(
            serde_json::to_value(&last.tenants[0]).unwrap(),
            json!({"line": 1_001, "id": "00000abc-0000-4000-8000-000000000abc",
                   "link": "https://security.microsoft.com/?tid=00000abc-0000-4000-8000-000000000abc"})
        );
        // A filter ranks: a prefix of the name, then a later word, then the domain, then the ID,
        // then every word somewhere (Customer 0099 has "customer" and "099", not the phrase).
        let ranked = list.page("customer 099", 0, 100);
        assert_eq!(ranked.total, 11);
        assert_eq!(
            ranked.tenants[0].tenant.name.as_deref(),
            Some("Customer 0990")
        );
        let by_domain = list.page("c999.ex", 0, 100);
        assert_eq!(lines(&by_domain), vec![json!({"line": 999})]);
        let by_id = list.page("00000ABC", 0, 100);
        assert_eq!(lines(&by_id), vec![json!({"line": 1_001})]);
        let second = list.page("customer", 100, 100);
        assert_eq!((second.total, second.offset), (1_000, 100));
        assert_eq!(
            second.tenants[0].tenant.name.as_deref(),
            Some("Customer 0101")
        );
        let none = list.page("no such tenant", 300, 100);
        assert_eq!((none.total, none.offset, none.tenants.len()), (0, 0, 0));
        assert_eq!(
            list.page("", 0, 0).tenants.len(),
            1,
            "a page holds at least one"
        );
    }

    /// "Filter links" finds a tenant by its initial domain as the popup does: Contoso and Adatum
    /// by the initial domain column, Fabrikam by its primary domain; A to Z, all inside a domain.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn the_filter_finds_initial_domains() {
        let list = LinkList::new(
            read_pasted(include_bytes!(
                "../../tests/fixtures/link-builder/initial-domains.csv"
            ))
            .unwrap(),
        );
        let names = |filter: &str| -> Vec<String> {
            list.page(filter, 0, 100)
                .tenants
                .iter()
                .map(|link| link.tenant.title())
                .collect()
        };
        assert_eq!(names("onmicrosoft"), ["Adatum", "Contoso", "Fabrikam"]);
        assert_eq!(names("contoso.onmicrosoft"), ["Contoso"]);
    }

    /// initial-domains.bookmarks.html is written out by hand from the portals' forms.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn bookmarks_hold_a_folder_of_portal_links_per_tenant_in_line_order() {
        let list = LinkList::new(
            read_pasted(include_bytes!(
                "../../tests/fixtures/link-builder/initial-domains.csv"
            ))
            .unwrap(),
        );
        let file = bookmarks_file(&[list.bookmarks("Tenant Switch", |p| p.name.to_owned())]);
        assert_eq!(
            file,
            include_str!("../../tests/fixtures/link-builder/initial-domains.bookmarks.html")
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn bookmark_folders_are_named_by_the_name_or_the_id_and_escaped() {
        let text = "b2c3d4e5-0000-4000-8000-000000000001\n<b>Zeta</b> & Co,a1b2c3d4-0000-4000-8000-000000000002\n";
        let list = LinkList::new(read_pasted(text.as_bytes()).unwrap());
        let file = bookmarks_file(&[list.bookmarks("Tenant Switch", |p| format!("[{}]", p.id))]);
        let folders: Vec<&str> = file.lines().filter(|line| line.contains("<H3>")).collect();
        assert_eq!(
            folders,
            [
                "    <DT><H3>Tenant Switch</H3>",
                "        <DT><H3>b2c3d4e5-0000-4000-8000-000000000001</H3>",
                "        <DT><H3>&lt;b&gt;Zeta&lt;/b&gt; &amp; Co</H3>",
            ]
        );
        assert!(file.contains(
            "            <DT><A HREF=\"https://portal.azure.com/a1b2c3d4-0000-4000-8000-000000000002\">[azure]</A>\n"
        ));
        assert_eq!(file.matches("<A HREF=").count(), 2 * 11);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn portal_links_are_the_menu_items_of_the_extension() {
        let list = LinkList::new(
            read_pasted(include_bytes!(
                "../../tests/fixtures/link-builder/initial-domains.csv"
            ))
            .unwrap(),
        );
        let links = |id: &str| {
            serde_json::to_value(list.portal_links(TenantId::parse(id).unwrap()).unwrap()).unwrap()
        };
        // An ID, a custom domain and an initial domain: every portal.
        assert_eq!(
            links("6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"),
            json!([
                {"id": "defender", "group": "defender", "partnerOnly": false,
                 "url": "https://security.microsoft.com/?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"},
                {"id": "defenderIncidents", "group": "defender", "partnerOnly": false,
                 "url": "https://security.microsoft.com/incidents?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"},
                {"id": "defenderAlerts", "group": "defender", "partnerOnly": false,
                 "url": "https://security.microsoft.com/alerts?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"},
                {"id": "defenderHunting", "group": "defender", "partnerOnly": false,
                 "url": "https://security.microsoft.com/v2/advanced-hunting?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"},
                {"id": "defenderActionCenter", "group": "defender", "partnerOnly": false,
                 "url": "https://security.microsoft.com/action-center?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"},
                {"id": "purview", "group": "admin", "partnerOnly": false,
                 "url": "https://purview.microsoft.com/?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"},
                {"id": "entra", "group": "admin", "partnerOnly": false,
                 "url": "https://entra.microsoft.com/contoso.com"},
                {"id": "intune", "group": "admin", "partnerOnly": false,
                 "url": "https://intune.microsoft.com/contoso.com"},
                {"id": "azure", "group": "admin", "partnerOnly": false,
                 "url": "https://portal.azure.com/contoso.com"},
                {"id": "m365", "group": "admin", "partnerOnly": true,
                 "url": "https://admin.cloud.microsoft/?delegatedOrg=contoso.onmicrosoft.com"},
                {"id": "exchange", "group": "admin", "partnerOnly": true,
                 "url": "https://admin.cloud.microsoft/exchange?landingpage=homepage&form=mac_sidebar&delegatedOrg=contoso.onmicrosoft.com#"},
                {"id": "teams", "group": "admin", "partnerOnly": true,
                 "url": "https://admin.teams.microsoft.com/?delegatedOrg=contoso.onmicrosoft.com"},
                {"id": "powerBi", "group": "admin", "partnerOnly": false,
                 "url": "https://app.powerbi.com/admin-portal?ctid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"},
                {"id": "powerPlatform", "group": "admin", "partnerOnly": false,
                 "url": "https://admin.powerplatform.microsoft.com/account/login/6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"},
            ])
        );
        // A primary domain that is an initial domain serves as both.
        let fabrikam = links("2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710");
        assert_eq!(
            fabrikam[9]["url"],
            "https://admin.cloud.microsoft/?delegatedOrg=fabrikam.onmicrosoft.com"
        );
        assert_eq!(
            fabrikam[6]["url"],
            "https://entra.microsoft.com/fabrikam.onmicrosoft.com"
        );
        // Without an initial domain the delegatedOrg portals say what they lack.
        let tailspin = links("e9a9eef0-0629-4a1b-be7c-11806cc85fc9");
        assert_eq!(
            tailspin.as_array().unwrap()[9..12],
            [
                json!({"id": "m365", "group": "admin", "partnerOnly": true, "missing": "initialDomain"}),
                json!({"id": "exchange", "group": "admin", "partnerOnly": true, "missing": "initialDomain"}),
                json!({"id": "teams", "group": "admin", "partnerOnly": true, "missing": "initialDomain"}),
            ]
        );
        // Only an initial domain: the domain portals take the ID.
        let adatum = links("a705f0ac-19b2-45d1-9a2a-956d5d3a7db9");
        assert_eq!(
            adatum[8]["url"],
            "https://portal.azure.com/a705f0ac-19b2-45d1-9a2a-956d5d3a7db9"
        );
        assert_eq!(
            adatum[11]["url"],
            "https://admin.teams.microsoft.com/?delegatedOrg=adatum.onmicrosoft.com"
        );
        // A rejected row's ID has no links.
        assert_eq!(
            list.portal_links(TenantId::parse("9d4c3b2a-1e0f-4a5b-8c7d-6e5f4a3b2c1d").unwrap()),
            None
        );
    }

    /// A line cannot carry an initial domain: a fourth cell is ignored, as before.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn lines_take_the_initial_domain_from_the_primary_domain_only() {
        let text =
            "Contoso,6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b,contoso.com,contoso.onmicrosoft.com\n\
                    Fabrikam,2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710,fabrikam.onmicrosoft.com\n";
        let list = LinkList::new(read_pasted(text.as_bytes()).unwrap());
        assert_eq!(
            serde_json::to_value(&list.pasted().tenants).unwrap(),
            json!([
                {"line": 1, "name": "Contoso", "id": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", "domain": "contoso.com"},
                {"line": 2, "name": "Fabrikam", "id": "2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710", "domain": "fabrikam.onmicrosoft.com"},
            ])
        );
        let m365 = |id: &str| {
            list.portal_links(TenantId::parse(id).unwrap()).unwrap()[9]
                .target
                .clone()
        };
        assert_eq!(
            m365("6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"),
            PortalTarget::Missing(Identifier::InitialDomain)
        );
        assert_eq!(
            m365("2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710"),
            PortalTarget::Url(
                "https://admin.cloud.microsoft/?delegatedOrg=fabrikam.onmicrosoft.com".to_owned()
            )
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn dropped_files_are_decoded_and_size_checked() {
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("Müller\r\n".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode_pasted(&utf16).unwrap(), "Müller\r\n");
        assert_eq!(decode_pasted(b"\xEF\xBB\xBFa").unwrap(), "a");
        assert_eq!(
            decode_pasted(b"a\n\xFC"),
            Err(ImportError::NotUtf8 { line: 2 })
        );
        assert_eq!(check_size(IMPORT_SIZE_LIMIT), Ok(()));
        assert_eq!(
            check_size(IMPORT_SIZE_LIMIT + 1),
            Err(ImportError::TooLarge {
                size: IMPORT_SIZE_LIMIT + 1,
                limit: IMPORT_SIZE_LIMIT
            })
        );
    }
}

//! Importing tenant lists from the files MSSPs already have, as a preview that changes nothing
//! until it is applied.
//!
//! [`parse_import`] takes the file's bytes, the user's current tenants and the enterprise
//! policy's tenants and returns an [`ImportPreview`]: every row judged as new, renamed, unchanged or rejected (with the physical
//! line or JSON entry and a serialisable reason), plus counts. [`apply_import`] merges the
//! accepted rows into a tenant list in one step; it never removes a tenant the file does not
//! mention.
//!
//! Accepted files:
//! - **Encodings**: UTF-8 with or without byte order mark, UTF-16 LE or BE with byte order mark
//!   (Excel's "Unicode text"). A file with NUL bytes and no UTF-16 byte order mark is
//!   [`ImportError::BinaryFile`]; other bytes that are not UTF-8 are [`ImportError::NotUtf8`]
//!   (typically a CSV saved in the Windows ANSI code page).
//! - **JSON** (first non-space character `{` or `[`): the export format of [`crate::export`]
//!   (`{"format": "tenant-switch", "version": 1, "tenants": [...]}`) or a plain array of
//!   `{"name", "id", "domain"?}` objects. Other keys are ignored; a missing or `null` field counts
//!   as empty.
//! - **CSV** otherwise: a header row naming the columns (see [`NAME_COLUMNS`], [`ID_COLUMNS`],
//!   [`DOMAIN_COLUMNS`], [`INITIAL_DOMAIN_COLUMNS`]; matched ignoring case, spaces and
//!   punctuation), delimited by comma, semicolon or tab (detected from the header line, or taken
//!   from an Excel `sep=` first line), RFC 4180 quoting. A cell starting with `'` and a formula character has that one `'` removed
//!   ([`crate::export::unguard_formula`]). Rows whose cells are all empty are skipped.
//!
//! Row rules, in this order: a tenant ID already seen earlier in the file is a duplicate (the
//! first row wins, whatever became of it); a policy tenant's ID is refused
//! ([`ImportRowError::ManagedTenant`]: the administrator owns that tenant, and the user could
//! not edit it by hand either); the name, ID, domain and initial domain must make a valid
//! [`Tenant`]; the name must not be used by another tenant (compared case-insensitively after
//! NFKC), whether an existing tenant or an earlier accepted row; nor may it be a policy tenant's
//! name
//! ([`ImportRowError::ManagedName`]), unless the tenant has that name already (a clash the
//! import does not create, which the policy merge shows as it did before). Rows are judged in
//! file order against the list as the earlier accepted rows left it, so a row may take a name
//! that an earlier row renamed away. An empty domain keeps the domain the tenant already has:
//! exports such as Azure Lighthouse's have no domain column, and importing them must not erase
//! domains. An empty initial domain likewise keeps the tenant's initial domain.
//!
//! Policy tenants are refused rather than merged because they are never stored in the user's
//! list (see [`crate::policy`]): importing one would add a user tenant hidden behind the
//! policy's, and a name clash would show the imported tenant under a changed name.
//!
//! The link builder page reads the same files through [`link_builder`], which hands them to
//! [`parse_import`] against an empty list and adds what only the page accepts: lines of bare
//! tenant IDs and headerless `name,ID[,domain]` lines, judged by the same row rules.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::{json_type, UiError};
use crate::export::{unguard_formula, FORMAT_NAME, FORMAT_VERSION};
use crate::tenant::{Tenant, TenantError};
use crate::tenant_id::TenantId;

pub mod link_builder;

/// The largest file [`parse_import`] reads, in bytes (10 MB). The UI checks the size before
/// reading too.
pub const IMPORT_SIZE_LIMIT: usize = 10 * 1024 * 1024;

/// Header names of the tenant name column, most preferred first, as [`header_key`] leaves them.
pub const NAME_COLUMNS: &[&str] = &[
    "name",
    "displayname",
    "customername",
    "companyname",
    "tenantname",
];

/// Header names of the tenant ID column, most preferred first: `tenant id`/`tenantId`, `tid`,
/// `directory id`, `microsoft id` (Partner Center), `customerId`/`customer id` (CIPP, Azure
/// Lighthouse).
pub const ID_COLUMNS: &[&str] = &[
    "tenantid",
    "tid",
    "directoryid",
    "microsoftid",
    "customerid",
];

/// Header names of the primary domain column, most preferred first. `default domain` and
/// `primary domain` are the labels CIPP and the Microsoft 365 admin center show for the same
/// field.
pub const DOMAIN_COLUMNS: &[&str] = &[
    "domain",
    "primarydomainname",
    "defaultdomainname",
    "primarydomain",
    "defaultdomain",
];

/// Header names of the initial domain column (`<name>.onmicrosoft.com`), most preferred first:
/// `initialDomain` is the key Tenant Switch stores it under, `initialDomainName` CIPP's tenant
/// list column. Partner Center's export has none of its own: its "Primary domain name" is the
/// initial domain, and a primary domain ending in `.onmicrosoft.com` serves as both
/// ([`Tenant::link_initial_domain`]).
pub const INITIAL_DOMAIN_COLUMNS: &[&str] = &["initialdomain", "initialdomainname"];

/// A column of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ImportColumn {
    /// The tenant's display name.
    Name,
    /// The tenant ID.
    Id,
    /// The primary domain.
    Domain,
}

impl fmt::Display for ImportColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Name => "name",
            Self::Id => "tenant ID",
            Self::Domain => "domain",
        })
    }
}

/// Why a whole file cannot be imported. Problems with single rows are [`ImportRowError`]s in
/// the preview instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum ImportError {
    /// The file is larger than [`IMPORT_SIZE_LIMIT`].
    #[serde(rename = "ImportTooLarge", rename_all = "camelCase")]
    TooLarge { size: usize, limit: usize },
    /// Nothing but whitespace.
    #[serde(rename = "ImportEmptyFile")]
    EmptyFile,
    /// NUL bytes without a UTF-16 byte order mark, or broken UTF-16: a spreadsheet, archive or
    /// image rather than text.
    #[serde(rename = "ImportBinaryFile")]
    BinaryFile,
    /// Text that is not UTF-8, usually a CSV saved in the Windows ANSI code page. `line` is where
    /// the first such byte is.
    #[serde(rename = "ImportNotUtf8", rename_all = "camelCase")]
    NotUtf8 { line: usize },
    /// JSON that does not parse (including nesting deeper than 128 levels).
    #[serde(rename = "ImportInvalidJson", rename_all = "camelCase")]
    InvalidJson {
        line: usize,
        column: usize,
        message: String,
    },
    /// A JSON object that is not a Tenant Switch export (no `"format": "tenant-switch"`).
    #[serde(rename = "ImportUnknownJsonFormat")]
    UnknownJsonFormat,
    /// A Tenant Switch export of another version; `found` is the `version` value as JSON text,
    /// `null` when missing.
    #[serde(rename = "ImportUnsupportedVersion", rename_all = "camelCase")]
    UnsupportedVersion {
        found: Option<String>,
        supported: u64,
    },
    /// A top-level JSON field of the wrong type. `found` is a JSON type name or `missing`.
    #[serde(rename = "ImportJsonWrongType", rename_all = "camelCase")]
    JsonWrongType {
        field: String,
        expected: &'static str,
        found: &'static str,
    },
    /// The CSV header has no column for the tenant name or ID; `found` lists the header cells.
    #[serde(rename = "ImportMissingColumn", rename_all = "camelCase")]
    MissingColumn {
        column: ImportColumn,
        found: Vec<String>,
    },
    /// The CSV reader gave up at this line.
    #[serde(rename = "ImportInvalidCsv", rename_all = "camelCase")]
    InvalidCsv { line: usize, message: String },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { size, limit } => write!(
                f,
                "the file has {size} bytes; files up to {limit} bytes can be imported"
            ),
            Self::EmptyFile => write!(f, "the file is empty"),
            Self::BinaryFile => write!(
                f,
                "the file is not text; save it as CSV (UTF-8) or as Unicode text"
            ),
            Self::NotUtf8 { line } => write!(
                f,
                "line {line} is not UTF-8 text; save the file as \"CSV UTF-8\" or as Unicode text"
            ),
            Self::InvalidJson {
                line,
                column,
                message,
            } => write!(f, "invalid JSON at line {line}, column {column}: {message}"),
            Self::UnknownJsonFormat => write!(
                f,
                "the JSON object is not a Tenant Switch export (no \"format\": \"{FORMAT_NAME}\")"
            ),
            Self::UnsupportedVersion { found, supported } => write!(
                f,
                "the export has version {}; this version of Tenant Switch reads version {supported}",
                found.as_deref().unwrap_or("(none)")
            ),
            Self::JsonWrongType {
                field,
                expected,
                found,
            } => write!(f, "\"{field}\" should be {expected}, found {found}"),
            Self::MissingColumn { column, found } => write!(
                f,
                "no {column} column in the header row (found: {})",
                found.join(", ")
            ),
            Self::InvalidCsv { line, message } => {
                write!(f, "the CSV cannot be read at line {line}: {message}")
            }
        }
    }
}

impl std::error::Error for ImportError {}
impl UiError for ImportError {}

/// Where a row is in the file: the physical line (1-based) where a CSV record starts, or the
/// 1-based index of a JSON entry. Serialised as `{"line": n}` or `{"entry": n}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RowPosition {
    /// A CSV record starting at this line.
    Line(usize),
    /// The n-th JSON entry.
    Entry(usize),
}

impl fmt::Display for RowPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line(line) => write!(f, "line {line}"),
            Self::Entry(entry) => write!(f, "entry {entry}"),
        }
    }
}

/// Why one row is rejected.
///
/// Serialised like every core error, `{"name": ..., ...}`: [`ImportRowError::Tenant`] as the
/// [`TenantError`] itself (so the UI reuses the `TenantName*`, `TenantId*` and `Domain*`
/// messages); the others as named below. Positions of other rows appear as `firstLine` (CSV) or
/// `firstEntry` (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportRowError {
    /// The name, ID or domain is invalid.
    Tenant(TenantError),
    /// `ImportRowDuplicateId {id, firstLine|firstEntry}`: an earlier row has the same ID.
    DuplicateId { id: TenantId, first: RowPosition },
    /// `ImportRowNameTaken {tenantName, id, firstLine?|firstEntry?}`: the name (as `tenantName`)
    /// belongs to tenant `id`, an existing tenant or, with a position, an earlier row.
    NameTaken {
        tenant_name: String,
        id: TenantId,
        first: Option<RowPosition>,
    },
    /// `ImportRowManagedTenant {id, tenantName}`: the ID is that of the policy tenant named
    /// `tenantName`.
    ManagedTenant { id: TenantId, tenant_name: String },
    /// `ImportRowManagedName {tenantName, id}`: the name (as `tenantName`) is that of policy
    /// tenant `id`.
    ManagedName { tenant_name: String, id: TenantId },
    /// `ImportRowNotObject {found}`: a JSON entry that is not an object.
    NotObject { found: &'static str },
    /// `ImportRowWrongType {field, found}`: a JSON field that is not a string.
    WrongType {
        field: ImportColumn,
        found: &'static str,
    },
}

impl Serialize for ImportRowError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let Self::Tenant(error) = self {
            return error.serialize(serializer);
        }
        let mut map = serializer.serialize_map(None)?;
        match self {
            Self::Tenant(_) => {}
            Self::DuplicateId { id, first } => {
                map.serialize_entry("name", "ImportRowDuplicateId")?;
                map.serialize_entry("id", id)?;
                serialize_first(&mut map, *first)?;
            }
            Self::NameTaken {
                tenant_name,
                id,
                first,
            } => {
                map.serialize_entry("name", "ImportRowNameTaken")?;
                map.serialize_entry("tenantName", tenant_name)?;
                map.serialize_entry("id", id)?;
                if let Some(first) = first {
                    serialize_first(&mut map, *first)?;
                }
            }
            Self::ManagedTenant { id, tenant_name } => {
                map.serialize_entry("name", "ImportRowManagedTenant")?;
                map.serialize_entry("id", id)?;
                map.serialize_entry("tenantName", tenant_name)?;
            }
            Self::ManagedName { tenant_name, id } => {
                map.serialize_entry("name", "ImportRowManagedName")?;
                map.serialize_entry("tenantName", tenant_name)?;
                map.serialize_entry("id", id)?;
            }
            Self::NotObject { found } => {
                map.serialize_entry("name", "ImportRowNotObject")?;
                map.serialize_entry("found", found)?;
            }
            Self::WrongType { field, found } => {
                map.serialize_entry("name", "ImportRowWrongType")?;
                map.serialize_entry("field", field)?;
                map.serialize_entry("found", found)?;
            }
        }
        map.end()
    }
}

fn serialize_first<M: SerializeMap>(map: &mut M, first: RowPosition) -> Result<(), M::Error> {
    match first {
        RowPosition::Line(line) => map.serialize_entry("firstLine", &line),
        RowPosition::Entry(entry) => map.serialize_entry("firstEntry", &entry),
    }
}

impl fmt::Display for ImportRowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tenant(error) => error.fmt(f),
            Self::DuplicateId { id, first } => write!(
                f,
                "tenant ID {id} already appears at {first}; the first one is imported"
            ),
            Self::NameTaken {
                tenant_name,
                id,
                first: None,
            } => write!(f, "the name {tenant_name:?} is used by tenant {id}"),
            Self::NameTaken {
                tenant_name,
                id,
                first: Some(first),
            } => write!(
                f,
                "the name {tenant_name:?} is taken by tenant {id} at {first}"
            ),
            Self::ManagedTenant { id, tenant_name } => write!(
                f,
                "tenant ID {id} is the policy tenant {tenant_name:?}, managed by your organisation"
            ),
            Self::ManagedName { tenant_name, id } => write!(
                f,
                "the name {tenant_name:?} is used by the policy tenant {id}, managed by your organisation"
            ),
            Self::NotObject { found } => {
                write!(f, "a tenant should be a JSON object, found {found}")
            }
            Self::WrongType { field, found } => {
                write!(f, "the {field} should be a JSON string, found {found}")
            }
        }
    }
}

impl std::error::Error for ImportRowError {}
impl UiError for ImportRowError {}

/// What importing a row would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum RowOutcome {
    /// A tenant ID the list does not have yet.
    New { tenant: Tenant },
    /// A tenant the list has, with another name or domain; `previous` is the tenant as it is.
    Renamed { tenant: Tenant, previous: Tenant },
    /// A tenant the list already has exactly like this.
    Unchanged { tenant: Tenant },
    /// Not imported.
    Rejected { error: ImportRowError },
}

/// One row of the file and what importing it would do. Serialised flat, for example
/// `{"line": 3, "status": "new", "tenant": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRow {
    /// Where the row is in the file.
    #[serde(flatten)]
    pub position: RowPosition,
    /// What importing it would do.
    #[serde(flatten)]
    pub outcome: RowOutcome,
}

/// How many rows have each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportCounts {
    pub new: usize,
    pub renamed: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

/// The kind of file that was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ImportFormat {
    /// CSV (or tab-delimited text); rows are positioned by line.
    Csv,
    /// JSON; rows are positioned by entry.
    Json,
}

/// What an import would do, row by row, before anything changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    format: ImportFormat,
    counts: ImportCounts,
    rows: Vec<ImportRow>,
}

impl ImportPreview {
    /// Whether the file was CSV or JSON.
    pub fn format(&self) -> ImportFormat {
        self.format
    }
    /// How many rows are new, renamed, unchanged and rejected.
    pub fn counts(&self) -> ImportCounts {
        self.counts
    }
    /// Every row of the file that had content, in file order.
    pub fn rows(&self) -> &[ImportRow] {
        &self.rows
    }
    /// The tenants that applying the preview adds or changes, in file order.
    pub fn changes(&self) -> impl Iterator<Item = &Tenant> {
        self.rows.iter().filter_map(|row| match &row.outcome {
            RowOutcome::New { tenant } | RowOutcome::Renamed { tenant, .. } => Some(tenant),
            RowOutcome::Unchanged { .. } | RowOutcome::Rejected { .. } => None,
        })
    }
}

/// Reads an import file and judges every row against the user's current tenants (`existing`)
/// and the enterprise policy's tenants (`managed`, see [`crate::policy::Policy::tenants`]).
///
/// # Errors
/// An [`ImportError`] when the file as a whole cannot be read: too large, binary, not UTF-8,
/// empty, broken JSON or a JSON shape that is not a tenant list, a CSV header without a name or
/// ID column. Bad rows are not errors: they are rejected rows in the preview.
///
/// # Examples
/// ```
/// use tenant_switch::import::{parse_import, ImportCounts};
/// let csv = "Company name;Microsoft ID\nContoso;6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b\n";
/// let preview = parse_import(csv.as_bytes(), &[], &[]).unwrap();
/// assert_eq!(preview.counts(), ImportCounts { new: 1, renamed: 0, unchanged: 0, rejected: 0 });
/// ```
pub fn parse_import(
    bytes: &[u8],
    existing: &[Tenant],
    managed: &[Tenant],
) -> Result<ImportPreview, ImportError> {
    if bytes.len() > IMPORT_SIZE_LIMIT {
        return Err(ImportError::TooLarge {
            size: bytes.len(),
            limit: IMPORT_SIZE_LIMIT,
        });
    }
    let text = decode(bytes)?;
    let start = text.trim_start();
    if start.is_empty() {
        return Err(ImportError::EmptyFile);
    }
    let judge = Judge::new(existing, managed);
    if start.starts_with(['{', '[']) {
        parse_json(&text, judge)
    } else {
        parse_csv(&text, judge)
    }
}

/// Merges the preview's new and renamed tenants into `existing`: renamed tenants are replaced
/// where they are, new ones are appended in file order, nothing is removed.
///
/// Apply a preview computed from the same `existing` list; if the list may have changed since,
/// parse the file again against the current list so that names are checked against it.
pub fn apply_import(existing: &[Tenant], preview: &ImportPreview) -> Vec<Tenant> {
    merge_tenants(existing, preview.changes().cloned())
}

/// `existing` with each incoming tenant replacing the one with its ID, or appended.
pub fn merge_tenants(
    existing: &[Tenant],
    incoming: impl IntoIterator<Item = Tenant>,
) -> Vec<Tenant> {
    let mut merged = existing.to_vec();
    let mut index: HashMap<TenantId, usize> = merged
        .iter()
        .enumerate()
        .map(|(position, tenant)| (tenant.id(), position))
        .collect();
    for tenant in incoming {
        match index.get(&tenant.id()).and_then(|&at| merged.get_mut(at)) {
            Some(slot) => *slot = tenant,
            None => {
                index.insert(tenant.id(), merged.len());
                merged.push(tenant);
            }
        }
    }
    merged
}

/// The key under which two tenant names count as the same (see [`crate::tenant::name_key`]).
pub fn name_key(name: &str) -> String {
    crate::tenant::name_key(name)
}

/// The file as text, by its byte order mark.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ImportError> {
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        decode_utf8(rest)?
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        Cow::Owned(decode_utf16(rest, u16::from_le_bytes)?)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        Cow::Owned(decode_utf16(rest, u16::from_be_bytes)?)
    } else {
        decode_utf8(bytes)?
    };
    // Checked after decoding so that UTF-16 text, full of NUL bytes, is not called binary.
    if text.contains('\0') {
        return Err(ImportError::BinaryFile);
    }
    Ok(text)
}

fn decode_utf8(bytes: &[u8]) -> Result<Cow<'_, str>, ImportError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(_) if bytes.contains(&0) => Err(ImportError::BinaryFile),
        Err(error) => {
            let before = bytes.get(..error.valid_up_to()).unwrap_or_default();
            Err(ImportError::NotUtf8 {
                line: count_newlines(before) + 1,
            })
        }
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, ImportError> {
    if bytes.len() % 2 != 0 {
        return Err(ImportError::BinaryFile);
    }
    let units = bytes
        .chunks_exact(2)
        .filter_map(|pair| <[u8; 2]>::try_from(pair).ok())
        .map(unit);
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| ImportError::BinaryFile)
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&byte| byte == b'\n').count()
}

/// Judges rows one by one against the existing tenants and the rows before them.
struct Judge<'a> {
    existing: HashMap<TenantId, &'a Tenant>,
    /// Policy tenants by ID, and policy tenant names by name key.
    managed: HashMap<TenantId, &'a Tenant>,
    managed_names: HashMap<String, TenantId>,
    /// Name key → the tenant holding that name, and the row that gave it (none: existing).
    names: HashMap<String, (TenantId, Option<RowPosition>)>,
    /// Tenant ID → the first row that carried it.
    seen: HashMap<TenantId, RowPosition>,
    counts: ImportCounts,
    rows: Vec<ImportRow>,
}

impl<'a> Judge<'a> {
    fn new(existing: &'a [Tenant], managed: &'a [Tenant]) -> Self {
        let mut names = HashMap::with_capacity(existing.len());
        for tenant in existing {
            names
                .entry(name_key(tenant.name()))
                .or_insert((tenant.id(), None));
        }
        Self {
            existing: existing
                .iter()
                .map(|tenant| (tenant.id(), tenant))
                .collect(),
            names,
            managed: managed.iter().map(|tenant| (tenant.id(), tenant)).collect(),
            managed_names: managed
                .iter()
                .map(|tenant| (name_key(tenant.name()), tenant.id()))
                .collect(),
            seen: HashMap::new(),
            counts: ImportCounts::default(),
            rows: Vec::new(),
        }
    }

    fn row(&mut self, position: RowPosition, cells: RowCells<'_>) {
        let outcome = match self.judge(position, cells) {
            Ok(outcome) => outcome,
            Err(error) => RowOutcome::Rejected { error },
        };
        self.push(position, outcome);
    }

    fn reject(&mut self, position: RowPosition, error: ImportRowError) {
        self.push(position, RowOutcome::Rejected { error });
    }

    fn push(&mut self, position: RowPosition, outcome: RowOutcome) {
        let count = match outcome {
            RowOutcome::New { .. } => &mut self.counts.new,
            RowOutcome::Renamed { .. } => &mut self.counts.renamed,
            RowOutcome::Unchanged { .. } => &mut self.counts.unchanged,
            RowOutcome::Rejected { .. } => &mut self.counts.rejected,
        };
        *count += 1;
        self.rows.push(ImportRow { position, outcome });
    }

    fn judge(
        &mut self,
        position: RowPosition,
        cells: RowCells<'_>,
    ) -> Result<RowOutcome, ImportRowError> {
        fn given(cell: &str) -> Option<&str> {
            Some(cell.trim()).filter(|cell| !cell.is_empty())
        }
        let parsed = TenantId::parse(cells.id);
        if let Ok(id) = parsed {
            self.claim_id(position, id)?;
        }
        let previous = parsed.ok().and_then(|id| self.existing.get(&id).copied());
        // An empty cell keeps what the tenant has (a kept value is valid already).
        let domain = given(cells.domain).or_else(|| previous.and_then(Tenant::domain));
        let initial_domain =
            given(cells.initial_domain).or_else(|| previous.and_then(Tenant::initial_domain));
        let tenant = Tenant::new(cells.name, cells.id, domain)
            .and_then(|tenant| tenant.with_initial_domain(initial_domain))
            .map_err(ImportRowError::Tenant)?;
        let key = name_key(tenant.name());
        if let Some(&(holder, first)) = self.names.get(&key) {
            if holder != tenant.id() {
                return Err(ImportRowError::NameTaken {
                    tenant_name: tenant.name().to_owned(),
                    id: holder,
                    first,
                });
            }
        }
        if let Some(&holder) = self.managed_names.get(&key) {
            // A tenant that has this name already keeps it: the import does not make the clash.
            if !previous.is_some_and(|previous| name_key(previous.name()) == key) {
                return Err(ImportRowError::ManagedName {
                    tenant_name: tenant.name().to_owned(),
                    id: holder,
                });
            }
        }
        let tenant_id = tenant.id();
        let outcome = match previous {
            None => RowOutcome::New { tenant },
            Some(previous) if *previous == tenant => {
                return Ok(RowOutcome::Unchanged { tenant });
            }
            Some(previous) => {
                let old_key = name_key(previous.name());
                if old_key != key
                    && self
                        .names
                        .get(&old_key)
                        .is_some_and(|&(holder, _)| holder == tenant.id())
                {
                    self.names.remove(&old_key);
                }
                RowOutcome::Renamed {
                    tenant,
                    previous: previous.clone(),
                }
            }
        };
        self.names.insert(key, (tenant_id, Some(position)));
        Ok(outcome)
    }

    /// The ID rules, checked before the name and domain: a tenant ID seen in an earlier row is a
    /// duplicate (the first row claims it, whatever becomes of that row), a policy tenant's ID is
    /// refused.
    fn claim_id(&mut self, position: RowPosition, id: TenantId) -> Result<(), ImportRowError> {
        if let Some(&first) = self.seen.get(&id) {
            return Err(ImportRowError::DuplicateId { id, first });
        }
        self.seen.insert(id, position);
        if let Some(policy_tenant) = self.managed.get(&id) {
            return Err(ImportRowError::ManagedTenant {
                id,
                tenant_name: policy_tenant.name().to_owned(),
            });
        }
        Ok(())
    }

    fn finish(self, format: ImportFormat) -> ImportPreview {
        ImportPreview {
            format,
            counts: self.counts,
            rows: self.rows,
        }
    }
}

/// The cells of one row as the file gives them, before validation; a column the file lacks is
/// empty.
#[derive(Debug, Clone, Copy)]
struct RowCells<'c> {
    name: &'c str,
    id: &'c str,
    domain: &'c str,
    initial_domain: &'c str,
}

fn parse_json(text: &str, mut judge: Judge<'_>) -> Result<ImportPreview, ImportError> {
    let value: Value = serde_json::from_str(text).map_err(|error| ImportError::InvalidJson {
        line: error.line(),
        column: error.column(),
        message: error.to_string(),
    })?;
    let entries = match value {
        Value::Array(entries) => entries,
        Value::Object(mut object) => {
            if object.get("format").and_then(Value::as_str) != Some(FORMAT_NAME) {
                return Err(ImportError::UnknownJsonFormat);
            }
            match object.get("version") {
                Some(version) if version.as_u64() == Some(FORMAT_VERSION) => {}
                version => {
                    return Err(ImportError::UnsupportedVersion {
                        found: version.map(Value::to_string),
                        supported: FORMAT_VERSION,
                    })
                }
            }
            match object.remove("tenants") {
                Some(Value::Array(entries)) => entries,
                other => {
                    return Err(ImportError::JsonWrongType {
                        field: "tenants".to_owned(),
                        expected: "array",
                        found: other.as_ref().map_or("missing", json_type),
                    })
                }
            }
        }
        // The first character is `{` or `[`, so serde_json returned an object or an array.
        other => {
            return Err(ImportError::JsonWrongType {
                field: String::new(),
                expected: "array",
                found: json_type(&other),
            })
        }
    };
    for (index, entry) in entries.iter().enumerate() {
        let position = RowPosition::Entry(index + 1);
        let Value::Object(object) = entry else {
            judge.reject(
                position,
                ImportRowError::NotObject {
                    found: json_type(entry),
                },
            );
            continue;
        };
        let fields = json_text(object, "name", ImportColumn::Name).and_then(|name| {
            let id = json_text(object, "id", ImportColumn::Id)?;
            let domain = json_text(object, "domain", ImportColumn::Domain)?;
            Ok((name, id, domain))
        });
        match fields {
            Ok((name, id, domain)) => judge.row(
                position,
                RowCells {
                    name,
                    id,
                    domain,
                    initial_domain: "",
                },
            ),
            Err(error) => judge.reject(position, error),
        }
    }
    Ok(judge.finish(ImportFormat::Json))
}

/// A string field of a JSON entry; missing or `null` is empty.
fn json_text<'v>(
    object: &'v Map<String, Value>,
    key: &str,
    field: ImportColumn,
) -> Result<&'v str, ImportRowError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(text)) => Ok(text),
        Some(other) => Err(ImportRowError::WrongType {
            field,
            found: json_type(other),
        }),
    }
}

/// Normalises a CSV header cell for matching: lowercase letters and digits only, so that
/// `Tenant ID`, `tenantId` and `tenant_id` all become `tenantid`.
pub fn header_key(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Column indexes of the CSV file.
struct Columns {
    name: usize,
    id: usize,
    domain: Option<usize>,
    initial_domain: Option<usize>,
}

impl Columns {
    fn find(header: &csv::StringRecord) -> Result<Self, ImportError> {
        let keys: Vec<String> = header.iter().map(header_key).collect();
        let pick = |aliases: &[&str]| {
            aliases
                .iter()
                .find_map(|alias| keys.iter().position(|key| key == alias))
        };
        let missing = |column| ImportError::MissingColumn {
            column,
            found: header.iter().map(str::to_owned).collect(),
        };
        Ok(Self {
            id: pick(ID_COLUMNS).ok_or_else(|| missing(ImportColumn::Id))?,
            name: pick(NAME_COLUMNS).ok_or_else(|| missing(ImportColumn::Name))?,
            domain: pick(DOMAIN_COLUMNS),
            initial_domain: pick(INITIAL_DOMAIN_COLUMNS),
        })
    }
}

fn parse_csv(text: &str, mut judge: Judge<'_>) -> Result<ImportPreview, ImportError> {
    let (body, lines_before, declared) = strip_separator_line(text);
    let delimiter = declared.unwrap_or_else(|| header_delimiter(body));
    let mut reader = csv_reader(body, delimiter);
    let mut lines = LineCounter::new(body, lines_before);
    let invalid = |error: csv::Error| csv_error(body, lines_before, &error);
    let mut records = reader.records();
    let header = match records.next() {
        Some(header) => header.map_err(invalid)?,
        None => return Err(ImportError::EmptyFile),
    };
    let columns = Columns::find(&header)?;
    for record in records {
        let record = record.map_err(invalid)?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let cell = |index: usize| unguard_formula(record.get(index).unwrap_or_default());
        judge.row(
            RowPosition::Line(lines.line_at(byte_offset(record.position()))),
            RowCells {
                name: cell(columns.name),
                id: cell(columns.id),
                domain: columns.domain.map(cell).unwrap_or_default(),
                initial_domain: columns.initial_domain.map(cell).unwrap_or_default(),
            },
        );
    }
    Ok(judge.finish(ImportFormat::Csv))
}

/// The delimiter of a file with a header row: the one its first non-blank line uses.
fn header_delimiter(body: &str) -> u8 {
    detect_delimiter(
        body.lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or_default(),
    )
}

/// The CSV reader every import uses: RFC 4180 quoting, no header handling of its own (the
/// header row is found by [`Columns::find`]), rows of any length.
fn csv_reader(body: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes())
}

/// [`ImportError::InvalidCsv`] at the line where the reader gave up.
fn csv_error(body: &str, lines_before: usize, error: &csv::Error) -> ImportError {
    ImportError::InvalidCsv {
        line: LineCounter::new(body, lines_before).line_at(byte_offset(error.position())),
        message: error.to_string(),
    }
}

fn byte_offset(position: Option<&csv::Position>) -> usize {
    position.map_or(0, |position| {
        usize::try_from(position.byte()).unwrap_or(usize::MAX)
    })
}

/// Physical line numbers of byte offsets, counted here rather than taken from
/// `csv::Position::line`: after a CRLF the csv reader places the next record at the `\n`, one
/// line early.
struct LineCounter<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str, lines_before: usize) -> Self {
        Self {
            text,
            offset: 0,
            line: lines_before + 1,
        }
    }

    /// The line of the first character at or after `offset` that is not a line break. Offsets
    /// must not decrease between calls, which keeps a whole file linear.
    fn line_at(&mut self, offset: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut start = offset.max(self.offset).min(bytes.len());
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        self.line += count_newlines(bytes.get(self.offset..start).unwrap_or_default());
        self.offset = start;
        self.line
    }
}

/// Excel reads and writes a first line `sep=;` naming the delimiter. Returns the text after it,
/// the number of lines removed and the delimiter.
fn strip_separator_line(text: &str) -> (&str, usize, Option<u8>) {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let declared = first.trim_end_matches('\r');
    let delimiter = match declared.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("sep=") => match declared.get(4..) {
            Some(",") => Some(b','),
            Some(";") => Some(b';'),
            Some("\t") => Some(b'\t'),
            _ => None,
        },
        _ => None,
    };
    match delimiter {
        Some(delimiter) => (rest, 1, Some(delimiter)),
        None => (text, 0, None),
    }
}

/// The most frequent of comma, semicolon and tab outside quotes in the header line; comma when
/// there is none (a one-column file then lacks a column either way).
fn detect_delimiter(header: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for byte in header.bytes() {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (delimiter, count) in &mut counts {
                if byte == *delimiter {
                    *count += 1;
                }
            }
        }
    }
    let mut best = (b',', 0);
    for candidate in counts {
        if candidate.1 > best.1 {
            best = candidate;
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{export_csv, export_json};
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    const CONTOSO: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";
    const FABRIKAM: &str = "2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710";
    const NORTHWIND: &str = "9d4c3b2a-1e0f-4a5b-8c7d-6e5f4a3b2c1d";
    const NEW_1: &str = "a705f0ac-19b2-45d1-9a2a-956d5d3a7db9";
    const NEW_2: &str = "d708583a-d261-4b39-9b5b-56551220159e";

    fn tenant(name: &str, id: &str, domain: Option<&str>) -> Tenant {
        Tenant::new(name, id, domain).unwrap()
    }

    /// The list every fixture is judged against.
    fn existing() -> Vec<Tenant> {
        vec![
            tenant("Contoso", CONTOSO, Some("contoso.onmicrosoft.com")),
            tenant("Fabrikam", FABRIKAM, Some("fabrikam.com")),
            tenant("Northwind Traders", NORTHWIND, None),
        ]
    }

    fn result_json(result: Result<ImportPreview, ImportError>) -> Value {
        match result {
            Ok(preview) => json!({ "ok": preview }),
            Err(error) => json!({ "error": error }),
        }
    }

    fn import(text: &str, existing: &[Tenant]) -> Value {
        result_json(parse_import(text.as_bytes(), existing, &[]))
    }

    fn error(text: &str) -> Value {
        import(text, &[])["error"].clone()
    }

    macro_rules! fixture {
        ($file:literal, $expected:literal) => {
            (
                $file,
                include_bytes!(concat!("../tests/fixtures/import/", $file)) as &[u8],
                include_str!(concat!("../tests/fixtures/import/", $expected)),
            )
        };
    }

    const FIXTURES: &[(&str, &[u8], &str)] = &[
        fixture!("partner-center.csv", "partner-center.expected.json"),
        fixture!("lighthouse.csv", "lighthouse.expected.json"),
        fixture!("cipp.csv", "cipp.expected.json"),
        fixture!("german-excel.csv", "german-excel.expected.json"),
        fixture!("excel-unicode-text.txt", "excel-unicode-text.expected.json"),
        fixture!("quoted.csv", "quoted.expected.json"),
        fixture!("tenant-switch.json", "tenant-switch.expected.json"),
        fixture!("plain-array.json", "plain-array.expected.json"),
        fixture!("no-id-column.csv", "no-id-column.expected.json"),
        fixture!("windows-1252.csv", "windows-1252.expected.json"),
        fixture!("spreadsheet.xlsx", "spreadsheet.expected.json"),
    ];

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn fixtures_give_exactly_the_expected_preview() {
        for (file, bytes, expected) in FIXTURES {
            let expected: Value = serde_json::from_str(expected).unwrap();
            let actual = result_json(parse_import(bytes, &existing(), &[]));
            assert_eq!(
                actual,
                expected,
                "{file}: got\n{}",
                serde_json::to_string_pretty(&actual).unwrap()
            );
        }
    }

    const WOODGROVE: &str = "7c1e5a3d-2b4f-4e6a-9d8c-0f1e2d3c4b5a";
    const NORTHWIND_POLICY: &str = "3e8f6a1b-5c2d-4f7e-8a9b-1c2d3e4f5a6b";

    /// The policy tenants `policy-clash.csv` is judged against: one new to the user, one that
    /// shadows the user's Contoso, one whose name the user's Northwind Traders has already.
    fn managed() -> Vec<Tenant> {
        vec![
            tenant("Woodgrove Bank", WOODGROVE, Some("woodgrove.com")),
            tenant("Contoso", CONTOSO, None),
            tenant("Northwind Traders", NORTHWIND_POLICY, None),
        ]
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn policy_tenants_are_refused_by_id_and_by_name() {
        let (file, bytes, expected) = fixture!("policy-clash.csv", "policy-clash.expected.json");
        let expected: Value = serde_json::from_str(expected).unwrap();
        let actual = result_json(parse_import(bytes, &existing(), &managed()));
        assert_eq!(
            actual,
            expected,
            "{file}: got\n{}",
            serde_json::to_string_pretty(&actual).unwrap()
        );
        let preview = parse_import(bytes, &existing(), &managed()).unwrap();
        assert_eq!(
            apply_import(&existing(), &preview),
            vec![
                tenant("Contoso", CONTOSO, Some("contoso.onmicrosoft.com")),
                tenant("Fabrikam", FABRIKAM, Some("fabrikam.com")),
                tenant("Northwind Traders", NORTHWIND, None),
                tenant("Adatum", NEW_2, Some("adatum.example")),
            ]
        );
        // The same file without a policy: the policy tenants' rows are ordinary rows again
        // (line 5 then finds its name taken by line 4, line 8 is still a duplicate).
        assert_eq!(
            parse_import(bytes, &existing(), &[]).unwrap().counts(),
            ImportCounts {
                new: 3,
                renamed: 1,
                unchanged: 1,
                rejected: 2
            }
        );
        // JSON entries are judged by the same rules.
        let json = format!(r#"[{{"name": "x", "id": "{WOODGROVE}"}}]"#);
        assert_eq!(
            import_under_policy(&json),
            json!([{"entry": 1, "status": "rejected", "error": {"name": "ImportRowManagedTenant",
                "id": WOODGROVE, "tenantName": "Woodgrove Bank"}}])
        );
    }

    fn import_under_policy(text: &str) -> Value {
        result_json(parse_import(text.as_bytes(), &existing(), &managed()))["ok"]["rows"].clone()
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn fixture_previews_apply_to_the_expected_lists() {
        let apply = |bytes: &[u8]| {
            apply_import(&existing(), &parse_import(bytes, &existing(), &[]).unwrap())
        };
        assert_eq!(
            apply(FIXTURES[0].1),
            vec![
                tenant("Contoso", CONTOSO, Some("contoso.onmicrosoft.com")),
                tenant("Fabrikam Inc.", FABRIKAM, Some("fabrikam.com")),
                tenant("Northwind Traders", NORTHWIND, None),
                tenant(
                    "Adatum Corporation, Ltd.",
                    NEW_1,
                    Some("adatum.onmicrosoft.com")
                ),
                tenant(
                    "Wide World Importers",
                    NEW_2,
                    Some("wideworldimporters.onmicrosoft.com")
                ),
            ]
        );
        // Lighthouse has no domain column: Contoso keeps its domain.
        assert_eq!(
            apply(FIXTURES[1].1),
            vec![
                tenant("Contoso", CONTOSO, Some("contoso.onmicrosoft.com")),
                tenant("Fabrikam", FABRIKAM, Some("fabrikam.com")),
                tenant("Northwind Traders", NORTHWIND, None),
                tenant(
                    "Tailspin Toys",
                    "e9a9eef0-0629-4a1b-be7c-11806cc85fc9",
                    None
                ),
            ]
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn file_level_errors() {
        let too_large = vec![b'a'; IMPORT_SIZE_LIMIT + 1];
        assert_eq!(
            parse_import(&too_large, &[], &[]),
            Err(ImportError::TooLarge {
                size: 10_485_761,
                limit: 10_485_760
            })
        );
        assert_eq!(
            serde_json::to_value(ImportError::TooLarge {
                size: 10_485_761,
                limit: 10_485_760
            })
            .unwrap(),
            json!({"name": "ImportTooLarge", "size": 10_485_761, "limit": 10_485_760})
        );
        for empty in [&b""[..], b" \r\n\t", b"\xEF\xBB\xBF", b"\xFF\xFE\x20\x00"] {
            assert_eq!(
                parse_import(empty, &[], &[]),
                Err(ImportError::EmptyFile),
                "{empty:?}"
            );
        }
        for binary in [
            &b"name,id\n\0\0"[..],
            b"\xEF\xBB\xBFname\0",
            b"\xFF\xFEn\x00a",        // odd length
            b"\xFF\xFE\x00\xD8a\x00", // unpaired surrogate
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        ] {
            assert_eq!(
                parse_import(binary, &[], &[]),
                Err(ImportError::BinaryFile),
                "{binary:?}"
            );
        }
        assert_eq!(
            error("name,tenant id\nM\u{fc}ller,x").to_string(),
            json!(null).to_string(),
            "valid UTF-8 is not an encoding error"
        );
        assert_eq!(
            parse_import(b"name,tenant id\n\xFC,x", &[], &[]),
            Err(ImportError::NotUtf8 { line: 2 })
        );
        assert_eq!(
            error("Name;Customer\nContoso;x"),
            json!({"name": "ImportMissingColumn", "column": "id", "found": ["Name", "Customer"]})
        );
        assert_eq!(
            error("tenant id;domain\n6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b;x.com"),
            json!({"name": "ImportMissingColumn", "column": "name", "found": ["tenant id", "domain"]})
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn utf16_big_endian_and_crlf_lines() {
        let text = "Display Name\tTenant ID\r\nContoso\t6F1C2B6A0C6E4B8E9E0A2C1D3E4F5A6B\r\n";
        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(
            result_json(parse_import(&bytes, &[], &[])),
            json!({"ok": {"format": "csv",
                "counts": {"new": 1, "renamed": 0, "unchanged": 0, "rejected": 0},
                "rows": [{"line": 2, "status": "new", "tenant": {"name": "Contoso", "id": CONTOSO}}]}})
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn json_shape_errors() {
        assert_eq!(
            error(r#"{"tenants": []}"#),
            json!({"name": "ImportUnknownJsonFormat"})
        );
        assert_eq!(
            error(r#"{"schemaVersion": 1, "tenants": [], "activeTenant": null}"#),
            json!({"name": "ImportUnknownJsonFormat"})
        );
        assert_eq!(
            error(r#"{"format": "tenant-switch", "version": 2, "tenants": []}"#),
            json!({"name": "ImportUnsupportedVersion", "found": "2", "supported": 1})
        );
        assert_eq!(
            error(r#"{"format": "tenant-switch", "version": "1", "tenants": []}"#),
            json!({"name": "ImportUnsupportedVersion", "found": "\"1\"", "supported": 1})
        );
        assert_eq!(
            error(r#"{"format": "tenant-switch", "tenants": []}"#),
            json!({"name": "ImportUnsupportedVersion", "found": null, "supported": 1})
        );
        assert_eq!(
            error(r#"{"format": "tenant-switch", "version": 1}"#),
            json!({"name": "ImportJsonWrongType", "field": "tenants", "expected": "array", "found": "missing"})
        );
        assert_eq!(
            error(r#"{"format": "tenant-switch", "version": 1, "tenants": {"name": "x"}}"#),
            json!({"name": "ImportJsonWrongType", "field": "tenants", "expected": "array", "found": "object"})
        );
        assert_eq!(
            error("[\n  {\"name\": \"Contoso\",}\n]"),
            json!({"name": "ImportInvalidJson", "line": 2, "column": 22,
                   "message": "trailing comma at line 2 column 22"})
        );
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(
            error(&deep),
            json!({"name": "ImportInvalidJson", "line": 1, "column": 128,
                   "message": "recursion limit exceeded at line 1 column 128"})
        );
        assert_eq!(
            import("[]", &[]),
            json!({"ok": {"format": "json",
                "counts": {"new": 0, "renamed": 0, "unchanged": 0, "rejected": 0}, "rows": []}})
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn csv_header_and_delimiter_detection() {
        let rows = |text: &str| import(text, &[])["ok"]["rows"].clone();
        let contoso = json!([{"line": 2, "status": "new",
            "tenant": {"name": "Contoso, Inc", "id": CONTOSO, "domain": "contoso.com"}}]);
        for text in [
            "name,tenant id,domain\n\"Contoso, Inc\",6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b,contoso.com\n",
            "\"Display; Name\";TENANT_ID;Domain\nContoso, Inc;6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b;contoso.com\n",
            "Company Name\tTenant-Id\tDefault Domain Name\nContoso, Inc\t6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b\tcontoso.com",
            // The tenant ID column wins over the customer ID column, wherever it is.
            "Customer ID,name,Tenant ID,domain\nnot-an-id,\"Contoso, Inc\",6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b,contoso.com\n",
        ] {
            assert_eq!(rows(text), contoso, "{text:?}");
        }
        // Excel's `sep=` line names the delimiter and counts as a line.
        assert_eq!(
            rows("sep=,\r\nname,tenant id,a;b;c;d\r\nContoso;x,6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b,1;2;3;4\r\n"),
            json!([{"line": 3, "status": "new", "tenant": {"name": "Contoso;x", "id": CONTOSO}}])
        );
        assert_eq!(
            error("name,tenant id,a;b;c;d\nContoso,6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b,1;2;3;4\n")
                ["name"],
            "ImportMissingColumn",
            "without the sep= line the semicolons win"
        );
        // Short rows read missing cells as empty; blank lines and empty rows are skipped.
        assert_eq!(
            rows("name,tenant id,domain\n\n,,\nContoso\n"),
            json!([{"line": 4, "status": "rejected", "error": {"name": "TenantIdEmpty"}}])
        );
        assert_eq!(
            import("name,tenant id\n", &[]),
            json!({"ok": {"format": "csv",
                "counts": {"new": 0, "renamed": 0, "unchanged": 0, "rejected": 0}, "rows": []}})
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn formula_guard_is_stripped_once() {
        let names = |text: &str| -> Vec<String> {
            parse_import(text.as_bytes(), &[], &[])
                .unwrap()
                .changes()
                .map(|tenant| tenant.name().to_owned())
                .collect()
        };
        assert_eq!(
            names(&format!(
                "name,tenant id\n'=A,{NEW_1}\n'+B,{NEW_2}\n'-C,{CONTOSO}\n'@D,{FABRIKAM}\n\"'\tE\",{NORTHWIND}\n'F,d0bd8401-04a0-4f53-bc15-761e19021d19\n"
            )),
            ["=A", "+B", "-C", "@D", "\tE", "'F"].map(|name| name.trim().to_owned())
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn names_follow_the_list_as_earlier_rows_leave_it() {
        let existing = existing();
        // Contoso is renamed away, so a new tenant may take its name; case-only renames are
        // renames; a name another tenant keeps is refused.
        let text = format!(
            "name,tenant id\nContoso Holding,{CONTOSO}\ncontoso,{NEW_1}\nFABRIKAM,{FABRIKAM}\nNorthwind traders,{NEW_2}\n"
        );
        assert_eq!(
            import(&text, &existing)["ok"],
            json!({"format": "csv",
            "counts": {"new": 1, "renamed": 2, "unchanged": 0, "rejected": 1},
            "rows": [
                {"line": 2, "status": "renamed",
                 "tenant": {"name": "Contoso Holding", "id": CONTOSO, "domain": "contoso.onmicrosoft.com"},
                 "previous": {"name": "Contoso", "id": CONTOSO, "domain": "contoso.onmicrosoft.com"}},
                {"line": 3, "status": "new", "tenant": {"name": "contoso", "id": NEW_1}},
                {"line": 4, "status": "renamed",
                 "tenant": {"name": "FABRIKAM", "id": FABRIKAM, "domain": "fabrikam.com"},
                 "previous": {"name": "Fabrikam", "id": FABRIKAM, "domain": "fabrikam.com"}},
                {"line": 5, "status": "rejected", "error": {"name": "ImportRowNameTaken",
                    "tenantName": "Northwind traders", "id": NORTHWIND}},
            ]})
        );
        // Swapping two names needs two imports: the first row finds the name still taken.
        let swap = format!("name,tenant id\nFabrikam,{CONTOSO}\nContoso,{FABRIKAM}\n");
        assert_eq!(
            import(&swap, &existing)["ok"]["rows"][0]["error"],
            json!({"name": "ImportRowNameTaken", "tenantName": "Fabrikam", "id": FABRIKAM})
        );
    }

    /// CIPP's `initialDomainName` (and Tenant Switch's own `initialDomain`) column: validated,
    /// lowercased; an empty cell keeps the initial domain a tenant has, as for the domain.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn initial_domain_columns_are_read_and_an_empty_cell_keeps_the_one_known() {
        let existing = vec![
            tenant("Contoso", CONTOSO, Some("contoso.com"))
                .with_initial_domain(Some("contoso.onmicrosoft.com"))
                .unwrap(),
            tenant("Fabrikam", FABRIKAM, None),
        ];
        let text = format!(
            "displayName,customerId,defaultDomainName,initialDomainName
             Contoso,{CONTOSO},,
             Fabrikam,{FABRIKAM},,Fabrikam.OnMicrosoft.com
             Adatum,{NEW_1},adatum.com,adatum.com
"
        );
        assert_eq!(
            import(&text, &existing)["ok"],
            json!({"format": "csv",
            "counts": {"new": 0, "renamed": 1, "unchanged": 1, "rejected": 1},
            "rows": [
                {"line": 2, "status": "unchanged", "tenant": {"name": "Contoso", "id": CONTOSO,
                    "domain": "contoso.com", "initialDomain": "contoso.onmicrosoft.com"}},
                {"line": 3, "status": "renamed",
                 "tenant": {"name": "Fabrikam", "id": FABRIKAM, "initialDomain": "fabrikam.onmicrosoft.com"},
                 "previous": {"name": "Fabrikam", "id": FABRIKAM}},
                {"line": 4, "status": "rejected",
                 "error": {"name": "InitialDomainNotOnMicrosoft", "domain": "adatum.com"}},
            ]})
        );
        let own = format!(
            "name;tenant id;Initial domain
Northwind;{NORTHWIND};northwind.onmicrosoft.com
"
        );
        assert_eq!(
            import(&own, &[])["ok"]["rows"][0]["tenant"],
            json!({"name": "Northwind", "id": NORTHWIND, "initialDomain": "northwind.onmicrosoft.com"})
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn apply_merges_in_place_and_never_deletes() {
        let text = format!(
            "name,tenant id,domain\nAdatum,{NEW_1},\nFabrikam Group,{FABRIKAM},\nbad,x,\nContoso,{CONTOSO},contoso.onmicrosoft.com\n"
        );
        let preview = parse_import(text.as_bytes(), &existing(), &[]).unwrap();
        assert_eq!(
            apply_import(&existing(), &preview),
            vec![
                tenant("Contoso", CONTOSO, Some("contoso.onmicrosoft.com")),
                tenant("Fabrikam Group", FABRIKAM, Some("fabrikam.com")),
                tenant("Northwind Traders", NORTHWIND, None),
                tenant("Adatum", NEW_1, None),
            ]
        );
        assert_eq!(
            merge_tenants(&[], [tenant("A", NEW_1, None), tenant("B", NEW_1, None)]),
            vec![tenant("B", NEW_1, None)]
        );
    }

    fn tricky_tenants() -> Vec<Tenant> {
        let ids = [
            "a705f0ac-19b2-45d1-9a2a-956d5d3a7db9",
            "d708583a-d261-4b39-9b5b-56551220159e",
            "e9a9eef0-0629-4a1b-be7c-11806cc85fc9",
            "733f3746-b44e-4ad8-89bb-3e9a4087ed4f",
            "55ed8edf-52e1-45c2-aa1e-57b712b66376",
            "8ec6154e-3b2e-4a94-be7e-75f0c580fc43",
            "7dfa6e4e-e3fd-4d5e-8767-79dd3e728d12",
            "55e39045-810e-4f27-ac10-246398e8bca8",
            "63b9aaa9-c289-4888-824d-2be961c5df7c",
            "136c78ec-9ecc-498b-b371-7fc74fdd8967",
            "9d14a957-79b0-43ee-a432-7abb6fc84b80",
            "5eb798ec-2888-49fa-b005-cf11a564ffb4",
        ];
        let names = [
            "=Contoso",
            "+Plus",
            "-Minus",
            "@At",
            "'=Quoted",
            "''@Twice",
            "'Apostrophe",
            "Comma, Inc",
            "Quote \"Q\" Ltd",
            "Semi;colon | Pipe",
            "Müller & Söhne",
            "東京 🚀",
        ];
        ids.iter()
            .zip(names)
            .enumerate()
            .map(|(index, (id, name))| {
                let domain = (index % 2 == 0).then(|| format!("t{index}.example"));
                tenant(name, id, domain.as_deref())
            })
            .collect()
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn json_and_csv_exports_round_trip() {
        let tenants = tricky_tenants();
        let json = export_json(&tenants);
        let csv = export_csv(&tenants).unwrap();
        for (format, file) in [(ImportFormat::Json, json), (ImportFormat::Csv, csv)] {
            let fresh = parse_import(file.as_bytes(), &[], &[]).unwrap();
            assert_eq!(fresh.format(), format);
            assert_eq!(
                fresh.counts(),
                ImportCounts {
                    new: 12,
                    renamed: 0,
                    unchanged: 0,
                    rejected: 0
                }
            );
            assert_eq!(apply_import(&[], &fresh), tenants, "{format:?}");
            let again = parse_import(file.as_bytes(), &tenants, &[]).unwrap();
            assert_eq!(
                again.counts(),
                ImportCounts {
                    new: 0,
                    renamed: 0,
                    unchanged: 12,
                    rejected: 0
                }
            );
            assert_eq!(apply_import(&tenants, &again), tenants);
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn row_errors_display_and_serialise() {
        let duplicate = ImportRowError::DuplicateId {
            id: TenantId::parse(CONTOSO).unwrap(),
            first: RowPosition::Line(3),
        };
        assert_eq!(
            duplicate.to_string(),
            "tenant ID 6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b already appears at line 3; the first one is imported"
        );
        let taken = ImportRowError::NameTaken {
            tenant_name: "Contoso".to_owned(),
            id: TenantId::parse(CONTOSO).unwrap(),
            first: Some(RowPosition::Entry(2)),
        };
        assert_eq!(
            serde_json::to_value(&taken).unwrap(),
            json!({"name": "ImportRowNameTaken", "tenantName": "Contoso", "id": CONTOSO, "firstEntry": 2})
        );
        assert_eq!(
            taken.to_string(),
            "the name \"Contoso\" is taken by tenant 6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b at entry 2"
        );
        let managed_tenant = ImportRowError::ManagedTenant {
            id: TenantId::parse(WOODGROVE).unwrap(),
            tenant_name: "Woodgrove Bank".to_owned(),
        };
        assert_eq!(
            managed_tenant.to_string(),
            "tenant ID 7c1e5a3d-2b4f-4e6a-9d8c-0f1e2d3c4b5a is the policy tenant \"Woodgrove Bank\", managed by your organisation"
        );
        let managed_name = ImportRowError::ManagedName {
            tenant_name: "WOODGROVE BANK".to_owned(),
            id: TenantId::parse(WOODGROVE).unwrap(),
        };
        assert_eq!(
            serde_json::to_value(&managed_name).unwrap(),
            json!({"name": "ImportRowManagedName", "tenantName": "WOODGROVE BANK", "id": WOODGROVE})
        );
        assert_eq!(
            managed_name.to_string(),
            "the name \"WOODGROVE BANK\" is used by the policy tenant 7c1e5a3d-2b4f-4e6a-9d8c-0f1e2d3c4b5a, managed by your organisation"
        );
    }

    /// 10,000 rows, every one judged against 10,000 existing tenants: a quadratic step would
    /// take many seconds here. About 50 ms in an idle release build and 700 ms unoptimised; the
    /// bounds leave room for a machine busy with other builds.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn ten_thousand_rows_preview_quickly() {
        let limit_ms = if cfg!(debug_assertions) { 5_000 } else { 1_000 };
        let id = |n: usize| format!("{n:08x}-0000-4000-8000-{n:012x}");
        let existing: Vec<Tenant> = (1..=10_000)
            .map(|n| tenant(&format!("Customer {n}"), &id(n), None))
            .collect();
        let mut csv = String::from("name,tenant id,domain\n");
        for n in 5_001..=15_000 {
            csv.push_str(&format!("Customer {n} GmbH,{},c{n}.example\n", id(n)));
        }
        let started = std::time::Instant::now();
        let preview = parse_import(csv.as_bytes(), &existing, &[]).unwrap();
        let merged = apply_import(&existing, &preview);
        let elapsed = started.elapsed();
        assert_eq!(
            preview.counts(),
            ImportCounts {
                new: 5_000,
                renamed: 5_000,
                unchanged: 0,
                rejected: 0
            }
        );
        assert_eq!(merged.len(), 15_000);
        println!("10,000 CSV rows against 10,000 tenants: {elapsed:?}");
        assert!(elapsed.as_millis() < limit_ms, "took {elapsed:?}");
        let json = export_json(&merged);
        let started = std::time::Instant::now();
        let again = parse_import(json.as_bytes(), &merged, &[]).unwrap();
        let elapsed = started.elapsed();
        println!("15,000 JSON entries against 15,000 tenants: {elapsed:?}");
        assert!(elapsed.as_millis() < limit_ms, "took {elapsed:?}");
        assert_eq!(again.counts().unchanged, 15_000);
    }
}

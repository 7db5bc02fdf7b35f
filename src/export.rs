//! Exporting the user's tenant list to files: the versioned JSON that [`crate::import`] reads back
//! identically, and CSV for spreadsheets.
//!
//! The JSON format (version 2) is
//!
//! ```json
//! {
//!   "format": "tenant-switch",
//!   "version": 2,
//!   "tenants": [
//!     {"name": "Contoso", "id": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", "domain": "contoso.com", "initialDomain": "contoso.onmicrosoft.com", "tags": ["EU", "P1"], "aliases": ["CTS"]}
//!   ]
//! }
//! ```
//!
//! with one tenant per line (readable, and a diff of two exports shows changed tenants), keys in
//! that order, `domain`, `initialDomain`, `tags` and `aliases` left out when empty, IDs
//! canonical. Version 1 was the same without `initialDomain`, `tags` and `aliases`; the import
//! reads both. A reader must refuse a `version` it does not know rather than guess.
//!
//! CSV exports start with a UTF-8 byte order mark (without it Excel on Windows reads the file as
//! the ANSI code page and mangles names such as `Müller`), use CRLF line ends (RFC 4180) and the
//! header `name,tenant id,domain,initial domain,tags,aliases` ([`CSV_HEADER`]). Tags are joined
//! with `; `, aliases too, or with ` | ` when one of them holds a `;` (the import splits at `|`
//! when a cell has one, else at `;`); an alias holding a `|` comes back split, so only the JSON
//! export keeps such aliases exactly. A cell a spreadsheet would run as a formula gets one
//! leading `'` (see [`guard_formula`]); CSV import strips exactly that one `'`.
//!
//! The link builder page saves its links as a Netscape bookmark file, the HTML format that
//! Chrome, Edge and Firefox import and export ([`bookmarks_file`]): a folder per tenant with its
//! portal links ([`tenant_bookmarks`]).

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::error::UiError;
use crate::portals::{self, Portal, TenantIdentifiers, CATALOGUE};
use crate::tenant::Tenant;

/// The `format` value of the JSON export.
pub const FORMAT_NAME: &str = "tenant-switch";
/// The `version` of the JSON export this build writes, and the newest it reads (it reads every
/// version from 1).
pub const FORMAT_VERSION: u64 = 2;
/// The header row of the CSV export.
pub const CSV_HEADER: [&str; 6] = [
    "name",
    "tenant id",
    "domain",
    "initial domain",
    "tags",
    "aliases",
];

/// First characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula
/// (OWASP's CSV injection list).
pub const FORMULA_TRIGGERS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// Why an export could not be written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum ExportError {
    /// The CSV writer failed. It writes to memory, so this means a bug, not bad data.
    #[serde(rename = "ExportCsvFailed", rename_all = "camelCase")]
    CsvFailed {
        #[serde(rename = "reason")]
        message: String,
    },
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CsvFailed { message } => write!(f, "the CSV export failed: {message}"),
        }
    }
}

impl std::error::Error for ExportError {}
impl UiError for ExportError {}

/// The tenants as versioned JSON, in the order given.
///
/// # Examples
/// ```
/// use tenant_switch::export::export_json;
/// assert_eq!(
///     export_json(&[]),
///     "{\n  \"format\": \"tenant-switch\",\n  \"version\": 2,\n  \"tenants\": []\n}\n"
/// );
/// ```
pub fn export_json(tenants: &[Tenant]) -> String {
    let mut out = format!(
        "{{\n  \"format\": {},\n  \"version\": {FORMAT_VERSION},\n  \"tenants\": [",
        json_string(FORMAT_NAME)
    );
    for (index, tenant) in tenants.iter().enumerate() {
        out.push_str(if index == 0 { "\n    " } else { ",\n    " });
        out.push_str("{\"name\": ");
        out.push_str(&json_string(tenant.name()));
        out.push_str(", \"id\": ");
        out.push_str(&json_string(&tenant.id().to_string()));
        if let Some(domain) = tenant.domain() {
            out.push_str(", \"domain\": ");
            out.push_str(&json_string(domain));
        }
        if let Some(domain) = tenant.initial_domain() {
            out.push_str(", \"initialDomain\": ");
            out.push_str(&json_string(domain));
        }
        for (key, list) in [("tags", tenant.tags()), ("aliases", tenant.aliases())] {
            if list.is_empty() {
                continue;
            }
            out.push_str(", ");
            out.push_str(&json_string(key));
            out.push_str(": [");
            let items: Vec<String> = list.iter().map(|item| json_string(item)).collect();
            out.push_str(&items.join(", "));
            out.push(']');
        }
        out.push('}');
    }
    if !tenants.is_empty() {
        out.push_str("\n  ");
    }
    out.push_str("]\n}\n");
    out
}

fn failed(error: impl fmt::Display) -> ExportError {
    ExportError::CsvFailed {
        message: error.to_string(),
    }
}

/// A JSON string literal; `Value`'s `Display` escapes and cannot fail, unlike `to_string`.
fn json_string(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

/// The tenants as CSV, in the order given (see the module docs for the exact shape).
///
/// # Errors
/// [`ExportError::CsvFailed`] only if the in-memory CSV writer fails, which it does not for
/// valid tenants.
///
/// # Examples
/// ```
/// use tenant_switch::export::export_csv;
/// assert_eq!(
///     export_csv(&[]).unwrap(),
///     "\u{feff}name,tenant id,domain,initial domain,tags,aliases\r\n"
/// );
/// ```
pub fn export_csv(tenants: &[Tenant]) -> Result<String, ExportError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(CSV_HEADER).map_err(failed)?;
    for tenant in tenants {
        let id = tenant.id().to_string();
        let tags = tenant.tags().join("; ");
        let aliases = join_aliases(tenant.aliases());
        writer
            .write_record([
                guard_formula(tenant.name()).as_bytes(),
                guard_formula(&id).as_bytes(),
                guard_formula(tenant.domain().unwrap_or("")).as_bytes(),
                guard_formula(tenant.initial_domain().unwrap_or("")).as_bytes(),
                guard_formula(&tags).as_bytes(),
                guard_formula(&aliases).as_bytes(),
            ])
            .map_err(failed)?;
    }
    let bytes = writer.into_inner().map_err(failed)?;
    let body = String::from_utf8(bytes).map_err(failed)?;
    Ok(format!("\u{feff}{body}"))
}

/// Aliases in one CSV cell: joined with `; `, or with ` | ` when one holds a `;`, so that
/// [`crate::import::split_list`] gives them back.
fn join_aliases(aliases: &[String]) -> String {
    let separator = if aliases.iter().any(|alias| alias.contains(';')) {
        " | "
    } else {
        "; "
    };
    aliases.join(separator)
}

/// The cell as written to CSV: one `'` in front when a spreadsheet would otherwise run it as a
/// formula.
///
/// A cell that starts with `'`s followed by a trigger character gets one more `'` too, so that
/// [`unguard_formula`] gives back the original for every cell.
///
/// # Examples
/// ```
/// use tenant_switch::export::guard_formula;
/// assert_eq!(guard_formula("=Contoso"), "'=Contoso");
/// assert_eq!(guard_formula("'=Contoso"), "''=Contoso");
/// assert_eq!(guard_formula("Contoso"), "Contoso");
/// ```
pub fn guard_formula(cell: &str) -> Cow<'_, str> {
    if quotes_then_trigger(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The inverse of [`guard_formula`]: strips one leading `'` when a trigger character follows it
/// (after any further `'`s).
///
/// # Examples
/// ```
/// use tenant_switch::export::unguard_formula;
/// assert_eq!(unguard_formula("'=Contoso"), "=Contoso");
/// assert_eq!(unguard_formula("''=Contoso"), "'=Contoso");
/// assert_eq!(unguard_formula("'Contoso"), "'Contoso");
/// ```
pub fn unguard_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if quotes_then_trigger(rest) => rest,
        _ => cell,
    }
}

/// Whether the text is zero or more `'` followed by a formula trigger.
fn quotes_then_trigger(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_TRIGGERS)
}

/// An entry of a bookmark file: a link, or a folder of further entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bookmark {
    /// A link named `title`.
    Link { title: String, url: String },
    /// A folder named `title` holding `items` in order.
    Folder { title: String, items: Vec<Bookmark> },
}

/// The link builder's bookmarks: one folder named `folder` holding a sub-folder per tenant, in
/// the order given. Each tenant is `(title, identifiers)`, the title being its name, or its ID
/// when it has none; its folder holds its link to every portal of [`CATALOGUE`] that it can be
/// opened in ([`portals::link_for`]), in menu order, each named `portal_name(portal)` (the page
/// passes the localised names). A portal whose identifier the tenant lacks is left out: a
/// bookmark cannot say why it does not work.
///
/// # Examples
/// ```
/// use tenant_switch::export::{tenant_bookmarks, Bookmark};
/// use tenant_switch::portals::TenantIdentifiers;
/// use tenant_switch::tenant_id::TenantId;
/// let id = TenantId::parse("6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b").unwrap();
/// let contoso = TenantIdentifiers { id, domain: None, initial_domain: None };
/// let Bookmark::Folder { items, .. } =
///     tenant_bookmarks("Tenant Switch", [("Contoso".to_owned(), contoso)], |p| p.name.to_owned())
/// else {
///     unreachable!()
/// };
/// let Bookmark::Folder { title, items } = &items[0] else { unreachable!() };
/// assert_eq!(title, "Contoso");
/// assert_eq!(
///     items[0],
///     Bookmark::Link {
///         title: "Microsoft Defender".to_owned(),
///         url: "https://security.microsoft.com/?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b".to_owned(),
///     }
/// );
/// assert_eq!(items.len(), 11, "no Microsoft 365, Exchange or Teams link without an initial domain");
/// ```
pub fn tenant_bookmarks<'a>(
    folder: &str,
    tenants: impl IntoIterator<Item = (String, TenantIdentifiers<'a>)>,
    portal_name: impl Fn(&Portal) -> String,
) -> Bookmark {
    Bookmark::Folder {
        title: folder.to_owned(),
        items: tenants
            .into_iter()
            .map(|(title, tenant)| Bookmark::Folder {
                title,
                items: CATALOGUE
                    .iter()
                    .filter_map(|portal| {
                        let url = portals::link_for(portal, tenant).ok()?;
                        Some(Bookmark::Link {
                            title: portal_name(portal),
                            url,
                        })
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The Netscape bookmark file (`<!DOCTYPE NETSCAPE-Bookmark-file-1>`) holding `bookmarks` at its
/// top level: UTF-8, LF line ends, each level indented by four spaces, titles and addresses
/// HTML-escaped so that a tenant name is only ever text.
///
/// # Examples
/// ```
/// use tenant_switch::export::{bookmarks_file, Bookmark};
/// let file = bookmarks_file(&[Bookmark::Link {
///     title: "<b>Contoso</b> & Co".to_owned(),
///     url: "https://security.microsoft.com/".to_owned(),
/// }]);
/// assert!(file.contains(
///     "    <DT><A HREF=\"https://security.microsoft.com/\">&lt;b&gt;Contoso&lt;/b&gt; &amp; Co</A>\n"
/// ));
/// ```
pub fn bookmarks_file(bookmarks: &[Bookmark]) -> String {
    let mut out = String::from(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n\
         <META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=UTF-8\">\n\
         <TITLE>Bookmarks</TITLE>\n\
         <H1>Bookmarks</H1>\n",
    );
    write_bookmark_list(&mut out, bookmarks, 0);
    out
}

fn write_bookmark_list(out: &mut String, bookmarks: &[Bookmark], depth: usize) {
    let indent = "    ".repeat(depth);
    out.push_str(&indent);
    out.push_str("<DL><p>\n");
    for bookmark in bookmarks {
        out.push_str(&indent);
        out.push_str("    <DT>");
        match bookmark {
            Bookmark::Link { title, url } => {
                out.push_str("<A HREF=\"");
                out.push_str(&escape_html(url));
                out.push_str("\">");
                out.push_str(&escape_html(title));
                out.push_str("</A>\n");
            }
            Bookmark::Folder { title, items } => {
                out.push_str("<H3>");
                out.push_str(&escape_html(title));
                out.push_str("</H3>\n");
                write_bookmark_list(out, items, depth + 1);
            }
        }
    }
    out.push_str(&indent);
    out.push_str("</DL><p>\n");
}

/// Text for HTML element content and double- or single-quoted attribute values.
fn escape_html(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant_id::TenantId;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn tenant(name: &str, id: &str, domain: Option<&str>) -> Tenant {
        Tenant::new(name, id, domain).unwrap()
    }

    fn sample() -> Vec<Tenant> {
        vec![
            tenant(
                "Contoso",
                "6F1C2B6A-0C6E-4B8E-9E0A-2C1D3E4F5A6B",
                Some("contoso.onmicrosoft.com"),
            ),
            tenant(
                "=Fabrikam \"Ltd\", Inc",
                "{2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710}",
                None,
            ),
            tenant(
                "Woodgrove",
                "7c1e5a3d-2b4f-4e6a-9d8c-0f1e2d3c4b5a",
                Some("woodgrove.com"),
            )
            .with_initial_domain(Some("woodgrove.onmicrosoft.com"))
            .unwrap()
            .with_tags_and_aliases(
                &["EU".into(), "on-call".into()],
                &["WGB".into(), "Semi;colon".into()],
            )
            .unwrap(),
        ]
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn json_has_stable_order_one_tenant_per_line() {
        assert_eq!(
            export_json(&sample()),
            r#"{
  "format": "tenant-switch",
  "version": 2,
  "tenants": [
    {"name": "Contoso", "id": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", "domain": "contoso.onmicrosoft.com"},
    {"name": "=Fabrikam \"Ltd\", Inc", "id": "2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710"},
    {"name": "Woodgrove", "id": "7c1e5a3d-2b4f-4e6a-9d8c-0f1e2d3c4b5a", "domain": "woodgrove.com", "initialDomain": "woodgrove.onmicrosoft.com", "tags": ["EU", "on-call"], "aliases": ["WGB", "Semi;colon"]}
  ]
}
"#
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn json_is_valid_json() {
        let value: Value = serde_json::from_str(&export_json(&sample())).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "format": "tenant-switch",
                "version": 2,
                "tenants": [
                    {"name": "Contoso", "id": "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", "domain": "contoso.onmicrosoft.com"},
                    {"name": "=Fabrikam \"Ltd\", Inc", "id": "2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710"},
                    {"name": "Woodgrove", "id": "7c1e5a3d-2b4f-4e6a-9d8c-0f1e2d3c4b5a", "domain": "woodgrove.com",
                     "initialDomain": "woodgrove.onmicrosoft.com", "tags": ["EU", "on-call"], "aliases": ["WGB", "Semi;colon"]}
                ]
            })
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn csv_quotes_and_guards_formulas() {
        assert_eq!(
            export_csv(&sample()).unwrap(),
            "\u{feff}name,tenant id,domain,initial domain,tags,aliases\r\n\
             Contoso,6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b,contoso.onmicrosoft.com,,,\r\n\
             \"'=Fabrikam \"\"Ltd\"\", Inc\",2b1e7c44-58a9-4d63-b1f0-93c5e8d2a710,,,,\r\n\
             Woodgrove,7c1e5a3d-2b4f-4e6a-9d8c-0f1e2d3c4b5a,woodgrove.com,woodgrove.onmicrosoft.com,EU; on-call,WGB | Semi;colon\r\n"
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn every_trigger_is_guarded_and_unguarded() {
        for trigger in FORMULA_TRIGGERS {
            let cell = format!("{trigger}SUM(A1)");
            let guarded = guard_formula(&cell);
            assert_eq!(guarded, format!("'{cell}"));
            assert_eq!(unguard_formula(&guarded), cell);
        }
        for cell in ["", "'", "''", "Contoso", "'Contoso", "''=x", "'''=x", "a=b"] {
            assert_eq!(unguard_formula(&guard_formula(cell)), cell, "{cell:?}");
        }
    }

    /// A folder per tenant with its portal links, written out by hand from the forms in
    /// tests/fixtures/portals.json: every portal for a tenant with a custom domain and an
    /// initial domain; no `delegatedOrg` portal, and the ID in the path, for one with neither.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn bookmarks_file_has_a_folder_of_escaped_portal_links_per_tenant() {
        let contoso = TenantIdentifiers {
            id: TenantId::parse("6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b").unwrap(),
            domain: Some("contoso.com"),
            initial_domain: Some("contoso.onmicrosoft.com"),
        };
        let hostile = TenantIdentifiers {
            id: TenantId::parse("2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c").unwrap(),
            domain: None,
            initial_domain: None,
        };
        let folder = tenant_bookmarks(
            "Tenant Switch",
            [
                ("Contoso".to_owned(), contoso),
                (
                    "<img src=x onerror=alert(1)> & \"Co\" 'Ltd'".to_owned(),
                    hostile,
                ),
            ],
            // A portal name is escaped like a tenant name.
            |portal| match portal.id {
                "azure" => "Azure <portal> & \"co\"".to_owned(),
                _ => portal.name.to_owned(),
            },
        );
        let expected = [
            "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
            "<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=UTF-8\">",
            "<TITLE>Bookmarks</TITLE>",
            "<H1>Bookmarks</H1>",
            "<DL><p>",
            "    <DT><H3>Tenant Switch</H3>",
            "    <DL><p>",
            "        <DT><H3>Contoso</H3>",
            "        <DL><p>",
            "            <DT><A HREF=\"https://security.microsoft.com/?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b\">Microsoft Defender</A>",
            "            <DT><A HREF=\"https://security.microsoft.com/incidents?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b\">Incidents</A>",
            "            <DT><A HREF=\"https://security.microsoft.com/alerts?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b\">Alerts</A>",
            "            <DT><A HREF=\"https://security.microsoft.com/v2/advanced-hunting?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b\">Advanced hunting</A>",
            "            <DT><A HREF=\"https://security.microsoft.com/action-center?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b\">Action center</A>",
            "            <DT><A HREF=\"https://purview.microsoft.com/?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b\">Microsoft Purview</A>",
            "            <DT><A HREF=\"https://entra.microsoft.com/contoso.com\">Microsoft Entra admin center</A>",
            "            <DT><A HREF=\"https://intune.microsoft.com/contoso.com\">Microsoft Intune admin center</A>",
            "            <DT><A HREF=\"https://portal.azure.com/contoso.com\">Azure &lt;portal&gt; &amp; &quot;co&quot;</A>",
            "            <DT><A HREF=\"https://admin.cloud.microsoft/?delegatedOrg=contoso.onmicrosoft.com\">Microsoft 365 admin center</A>",
            "            <DT><A HREF=\"https://admin.cloud.microsoft/exchange?landingpage=homepage&amp;form=mac_sidebar&amp;delegatedOrg=contoso.onmicrosoft.com#\">Exchange admin center</A>",
            "            <DT><A HREF=\"https://admin.teams.microsoft.com/?delegatedOrg=contoso.onmicrosoft.com\">Microsoft Teams admin center</A>",
            "            <DT><A HREF=\"https://app.powerbi.com/admin-portal?ctid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b\">Power BI admin portal</A>",
            "            <DT><A HREF=\"https://admin.powerplatform.microsoft.com/account/login/6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b\">Power Platform admin center</A>",
            "        </DL><p>",
            "        <DT><H3>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot; &#39;Ltd&#39;</H3>",
            "        <DL><p>",
            "            <DT><A HREF=\"https://security.microsoft.com/?tid=2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c\">Microsoft Defender</A>",
            "            <DT><A HREF=\"https://security.microsoft.com/incidents?tid=2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c\">Incidents</A>",
            "            <DT><A HREF=\"https://security.microsoft.com/alerts?tid=2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c\">Alerts</A>",
            "            <DT><A HREF=\"https://security.microsoft.com/v2/advanced-hunting?tid=2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c\">Advanced hunting</A>",
            "            <DT><A HREF=\"https://security.microsoft.com/action-center?tid=2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c\">Action center</A>",
            "            <DT><A HREF=\"https://purview.microsoft.com/?tid=2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c\">Microsoft Purview</A>",
            "            <DT><A HREF=\"https://entra.microsoft.com/2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c\">Microsoft Entra admin center</A>",
            "            <DT><A HREF=\"https://intune.microsoft.com/2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c\">Microsoft Intune admin center</A>",
            "            <DT><A HREF=\"https://portal.azure.com/2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c\">Azure &lt;portal&gt; &amp; &quot;co&quot;</A>",
            "            <DT><A HREF=\"https://app.powerbi.com/admin-portal?ctid=2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c\">Power BI admin portal</A>",
            "            <DT><A HREF=\"https://admin.powerplatform.microsoft.com/account/login/2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c\">Power Platform admin center</A>",
            "        </DL><p>",
            "    </DL><p>",
            "</DL><p>",
            "",
        ];
        assert_eq!(bookmarks_file(&[folder]), expected.join("\n"));
    }

    /// Folders nest to any depth, an empty one included.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn bookmarks_file_nests_folders() {
        let link = |title: &str, url: &str| Bookmark::Link {
            title: title.to_owned(),
            url: url.to_owned(),
        };
        let tree = Bookmark::Folder {
            title: "Tenant Switch".to_owned(),
            items: vec![
                Bookmark::Folder {
                    title: "Contoso".to_owned(),
                    items: vec![
                        link(
                            "Incidents",
                            "https://security.microsoft.com/incidents?a=1&b=2",
                        ),
                        link("Devices", "https://security.microsoft.com/machines"),
                    ],
                },
                Bookmark::Folder {
                    title: "Empty".to_owned(),
                    items: vec![],
                },
            ],
        };
        let file = bookmarks_file(&[tree]);
        let body: Vec<&str> = file.lines().skip(4).collect();
        assert_eq!(
            body,
            [
                "<DL><p>",
                "    <DT><H3>Tenant Switch</H3>",
                "    <DL><p>",
                "        <DT><H3>Contoso</H3>",
                "        <DL><p>",
                "            <DT><A HREF=\"https://security.microsoft.com/incidents?a=1&amp;b=2\">Incidents</A>",
                "            <DT><A HREF=\"https://security.microsoft.com/machines\">Devices</A>",
                "        </DL><p>",
                "        <DT><H3>Empty</H3>",
                "        <DL><p>",
                "        </DL><p>",
                "    </DL><p>",
                "</DL><p>",
            ]
        );
        assert!(file.ends_with("</DL><p>\n"));
    }
}

//! Defender portal URLs: recognise them, read their explicit tenant, add or replace `tid`.
//!
//! The browser rules in [`crate::rules`] must redirect exactly the URLs that [`with_tenant`]
//! changes, so every definition here is one a declarativeNetRequest condition can express
//! cheaply: a `urlFilter` anchored at the start of the URL as the browser serialises it, and a
//! small `regexFilter` over the query.
//!
//! # What counts as a portal URL
//! An absolute `http` or `https` URL that the WHATWG URL parser (the `url` crate) accepts, whose
//! host is exactly one of [`PORTAL_HOSTS`], with:
//! - no explicit non-default port (`:443` on https and `:80` on http vanish when parsed, so they
//!   count; `:8443` does not): the real portal never uses one, and the browser rule wants
//!   `host/` right after `//`;
//! - no user-info (`user:pass@`): the real portal never uses it, and a URL such as
//!   `https://security.microsoft.com@example.net/` must never look like the portal.
//!
//! Host letter case, percent-encoded host characters and tabs or newlines inside the URL are
//! normalised by the parser first, as the browser does. Subdomains (`mto.security.microsoft.com`,
//! Microsoft's multi-tenant view), trailing-dot hosts (`security.microsoft.com.`) and every other
//! host are not portal URLs. Non-ASCII hosts are rejected by the parser (the crate is built with
//! ASCII-only IDNA), so they are never portal URLs either.
//!
//! # Explicit tenant
//! A URL has an explicit tenant when its query (not its fragment) has a parameter whose name,
//! after percent-decoding, is `tid` in any ASCII letter case, with any value, even empty, and even
//! without `=` (`?tid`, `?TID=`, `?%74id=x` all count). Parameters are separated by `&` only. An
//! explicit tenant always wins: such a URL is never rewritten.

use std::fmt;

use serde::Serialize;
use url::{Position, Url};

use crate::error::UiError;
use crate::tenant_id::{TenantId, TenantIdError};

/// The Defender portal hosts, in the order the browser rules are numbered.
pub const PORTAL_HOSTS: [&str; 3] = [
    "securitycenter.windows.com",
    "securitycenter.microsoft.com",
    "security.microsoft.com",
];

/// The hosts of the portals whose rewrite is opt-in ([`crate::portals::Rewrite::OptIn`]), in
/// the order the browser rules number them after [`PORTAL_HOSTS`].
pub const OPT_IN_HOSTS: [&str; 1] = ["purview.microsoft.com"];

/// The hosts whose addresses count as portal addresses right now: the Defender hosts always,
/// and the hosts of the opt-in portals the analyst turned on (and granted access to). Every
/// function of this module without `_in` uses [`Scope::defender`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Opt-in hosts in, in [`OPT_IN_HOSTS`] order.
    extra: Vec<&'static str>,
}

impl Scope {
    /// Only the Defender portal.
    pub fn defender() -> Self {
        Self::default()
    }

    /// The Defender portal and the opt-in portals' hosts `portals` (catalogue IDs; others are
    /// ignored).
    pub fn with_portals<'a>(portals: impl IntoIterator<Item = &'a str>) -> Self {
        let portals: Vec<&str> = portals.into_iter().collect();
        let extra = crate::portals::opt_in()
            .filter(|portal| portals.contains(&portal.id))
            .flat_map(|portal| portal.hosts.iter().copied())
            .collect::<Vec<_>>();
        let extra = OPT_IN_HOSTS
            .iter()
            .copied()
            .filter(|host| extra.contains(host))
            .collect();
        Self { extra }
    }

    /// The hosts, Defender's first.
    pub fn hosts(&self) -> impl Iterator<Item = &'static str> + '_ {
        PORTAL_HOSTS
            .iter()
            .copied()
            .chain(self.extra.iter().copied())
    }

    /// Whether `host` is one of them.
    pub fn contains(&self, host: &str) -> bool {
        self.hosts().any(|known| known == host)
    }
}

/// The portal a new tab opens.
const HOME_PORTAL: &str = "https://security.microsoft.com/";

/// Why a URL cannot be rewritten or has no usable tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum PortalError {
    /// The text is not an absolute URL.
    #[serde(rename = "PortalInvalidUrl")]
    InvalidUrl,
    /// A URL, but not one of the Defender portal (another host, a subdomain, a port, user-info,
    /// another scheme).
    #[serde(rename = "PortalNotPortalUrl")]
    NotPortalUrl,
    /// A portal URL without a `tid` parameter in its query.
    #[serde(rename = "PortalNoTenant")]
    NoTenant,
    /// A portal URL whose first `tid` parameter is not a tenant ID.
    #[serde(rename = "PortalInvalidTenant", rename_all = "camelCase")]
    InvalidTenant {
        /// The `tid` value, percent-decoded.
        value: String,
        /// Why it is not a tenant ID.
        error: TenantIdError,
    },
}

impl fmt::Display for PortalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUrl => write!(f, "not a valid absolute URL"),
            Self::NotPortalUrl => write!(
                f,
                "not a Microsoft Defender portal URL (https://security.microsoft.com/ and the like)"
            ),
            Self::NoTenant => write!(f, "the portal URL has no tid parameter"),
            Self::InvalidTenant { value, error } => {
                write!(
                    f,
                    "the portal URL's tid {value:?} is not a tenant ID: {error}"
                )
            }
        }
    }
}

impl std::error::Error for PortalError {}
impl UiError for PortalError {}

/// Whether `url` is a Defender portal URL (see the [module docs](self) for the exact definition).
///
/// # Examples
/// ```
/// use tenant_switch::portal::is_portal_url;
/// assert!(is_portal_url("HTTPS://Security.Microsoft.com/incidents"));
/// assert!(!is_portal_url("https://mto.security.microsoft.com/"));
/// assert!(!is_portal_url("https://security.microsoft.com:8443/"));
/// assert!(!is_portal_url("https://security.microsoft.com@example.net/"));
/// ```
pub fn is_portal_url(url: &str) -> bool {
    is_portal_url_in(url, &Scope::defender())
}

/// Whether `url` is a portal URL of one of the portals of `scope`.
pub fn is_portal_url_in(url: &str, scope: &Scope) -> bool {
    parse_portal(url, scope).is_ok()
}

/// Whether the query of `url` has a `tid` parameter (see the [module docs](self)). Looks only
/// at the query: a `tid` in the fragment does not count.
///
/// # Examples
/// ```
/// use tenant_switch::portal::has_explicit_tenant;
/// let url = url::Url::parse("https://security.microsoft.com/?x=1&TID").unwrap();
/// assert!(has_explicit_tenant(&url));
/// let url = url::Url::parse("https://security.microsoft.com/#tid=x").unwrap();
/// assert!(!has_explicit_tenant(&url));
/// ```
pub fn has_explicit_tenant(url: &Url) -> bool {
    url.query()
        .is_some_and(|query| query.split('&').any(is_tid))
}

/// The portal URL `url` in `tenant`: the input as the WHATWG parser serialises it, with
/// `tid=<canonical id>` appended to its query as text.
///
/// The separator is `?` when there is no query, nothing when the query is empty (`...?`), and
/// `&` otherwise, even when the query already ends in `&` (`?&` becomes `?&&tid=...`): that way
/// removing the `tid` parameter again gives back exactly the query the URL had, which keeps
/// [`switch_tenant`] idempotent. The rest of the query is kept byte for byte, and so is the
/// fragment. A URL with an explicit tenant is returned unchanged (serialised), so the function is
/// idempotent.
///
/// # Errors
/// [`PortalError::InvalidUrl`] when `url` does not parse, [`PortalError::NotPortalUrl`] when it
/// is not a portal URL: a non-portal URL is never rewritten.
///
/// # Examples
/// ```
/// use tenant_switch::portal::with_tenant;
/// use tenant_switch::tenant_id::TenantId;
/// let tenant = TenantId::parse("6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b").unwrap();
/// assert_eq!(
///     with_tenant("https://security.microsoft.com/alerts?a=1#x", &tenant).unwrap(),
///     "https://security.microsoft.com/alerts?a=1&tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b#x"
/// );
/// assert_eq!(
///     with_tenant("https://security.microsoft.com/?TID=other", &tenant).unwrap(),
///     "https://security.microsoft.com/?TID=other"
/// );
/// ```
pub fn with_tenant(url: &str, tenant: &TenantId) -> Result<String, PortalError> {
    with_tenant_in(url, &Scope::defender(), tenant)
}

/// [`with_tenant`] for the portals of `scope`.
pub fn with_tenant_in(url: &str, scope: &Scope, tenant: &TenantId) -> Result<String, PortalError> {
    let url = parse_portal(url, scope)?;
    if has_explicit_tenant(&url) {
        return Ok(url.into());
    }
    Ok(join(
        &url[..Position::AfterQuery],
        url.query(),
        Some(tenant),
        &url[Position::AfterQuery..],
    ))
}

/// The portal URL `url` with every `tid` parameter removed from its query and, for
/// `Some(tenant)`, `tid=<canonical id>` appended as [`with_tenant`] does. This is what choosing
/// another tenant for an open portal tab means.
///
/// The other pieces of the query are kept as text, in order, joined by `&` as they were; when
/// nothing is left of the query, the `?` goes too. A URL without `tid` keeps its query as it was,
/// so `switch_tenant(url, Some(t))` is `with_tenant(url, t)` then, and switching twice to the
/// same tenant changes nothing more.
///
/// # Errors
/// As [`with_tenant`].
///
/// # Examples
/// ```
/// use tenant_switch::portal::switch_tenant;
/// use tenant_switch::tenant_id::TenantId;
/// let tenant = TenantId::parse("6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b").unwrap();
/// assert_eq!(
///     switch_tenant("https://security.microsoft.com/alerts?TID=x&a=1#f", Some(&tenant)).unwrap(),
///     "https://security.microsoft.com/alerts?a=1&tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b#f"
/// );
/// assert_eq!(
///     switch_tenant("https://security.microsoft.com/?tid=x", None).unwrap(),
///     "https://security.microsoft.com/"
/// );
/// ```
pub fn switch_tenant(url: &str, tenant: Option<&TenantId>) -> Result<String, PortalError> {
    switch_tenant_in(url, &Scope::defender(), tenant)
}

/// [`switch_tenant`] for the portals of `scope`.
pub fn switch_tenant_in(
    url: &str,
    scope: &Scope,
    tenant: Option<&TenantId>,
) -> Result<String, PortalError> {
    let url = parse_portal(url, scope)?;
    let query = match url.query() {
        Some(query) if query.split('&').any(is_tid) => {
            let kept: Vec<&str> = query.split('&').filter(|p| !is_tid(p)).collect();
            // Empty pieces stay (`?&tid=x` keeps `?`): dropping them would make switching
            // twice differ from switching once for `?&`-style queries.
            if kept.is_empty() {
                None
            } else {
                Some(kept.join("&"))
            }
        }
        other => other.map(str::to_owned),
    };
    let mut head = url[..Position::AfterPath].to_owned();
    if let Some(query) = &query {
        head.push('?');
        head.push_str(query);
    }
    Ok(join(
        &head,
        query.as_deref(),
        tenant,
        &url[Position::AfterQuery..],
    ))
}

/// The explicit tenant of a portal URL: the value of its first `tid` parameter (in any letter
/// case), percent-decoded and parsed as a [`TenantId`].
///
/// # Errors
/// [`PortalError::InvalidUrl`] or [`PortalError::NotPortalUrl`] as for [`with_tenant`];
/// [`PortalError::NoTenant`] when the query has no `tid`; [`PortalError::InvalidTenant`] with the
/// [`TenantIdError`] when the value is not a tenant ID (an empty `tid=` included).
///
/// # Examples
/// ```
/// use tenant_switch::portal::{tenant_of, PortalError};
/// let id = tenant_of("https://security.microsoft.com/?tid=6F1C2B6A-0C6E-4B8E-9E0A-2C1D3E4F5A6B");
/// assert_eq!(id.unwrap().to_string(), "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b");
/// assert_eq!(tenant_of("https://security.microsoft.com/#tid=x"), Err(PortalError::NoTenant));
/// ```
pub fn tenant_of(url: &str) -> Result<TenantId, PortalError> {
    tenant_of_in(url, &Scope::defender())
}

/// [`tenant_of`] for the portals of `scope`.
pub fn tenant_of_in(url: &str, scope: &Scope) -> Result<TenantId, PortalError> {
    let url = parse_portal(url, scope)?;
    let parameter = url
        .query()
        .and_then(|query| query.split('&').find(|p| is_tid(p)))
        .ok_or(PortalError::NoTenant)?;
    let raw_value = parameter.split_once('=').map_or("", |(_, value)| value);
    let value = String::from_utf8_lossy(&percent_decode(raw_value, true)).into_owned();
    TenantId::parse(&value).map_err(|error| PortalError::InvalidTenant { value, error })
}

/// The portal's start page in `tenant`, or the home portal (the analyst's own tenant) for `None`.
///
/// # Examples
/// ```
/// use tenant_switch::portal::portal_url;
/// use tenant_switch::tenant_id::TenantId;
/// let tenant = TenantId::parse("6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b").unwrap();
/// assert_eq!(
///     portal_url(Some(&tenant)),
///     "https://security.microsoft.com/?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"
/// );
/// assert_eq!(portal_url(None), "https://security.microsoft.com/");
/// ```
pub fn portal_url(tenant: Option<&TenantId>) -> String {
    match tenant {
        Some(tenant) => format!("{HOME_PORTAL}?tid={tenant}"),
        None => HOME_PORTAL.to_owned(),
    }
}

/// Parses `input` and checks that it is a portal URL of `scope`.
fn parse_portal(input: &str, scope: &Scope) -> Result<Url, PortalError> {
    let url = Url::parse(input).map_err(|_| PortalError::InvalidUrl)?;
    let portal = matches!(url.scheme(), "https" | "http")
        && url.host_str().is_some_and(|host| scope.contains(host))
        && url.port().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if portal {
        Ok(url)
    } else {
        Err(PortalError::NotPortalUrl)
    }
}

/// `head` (everything up to the end of the query, whose text is `query`), then `tid=<tenant>`
/// with the right separator, then `tail` (the fragment with its `#`, or nothing).
fn join(head: &str, query: Option<&str>, tenant: Option<&TenantId>, tail: &str) -> String {
    let Some(tenant) = tenant else {
        return format!("{head}{tail}");
    };
    let separator = match query {
        None => "?",
        Some("") => "",
        Some(_) => "&",
    };
    format!("{head}{separator}tid={tenant}{tail}")
}

/// Whether one `&`-separated piece of a query is a `tid` parameter: its name (up to the first
/// `=`) percent-decodes to `tid` in any ASCII letter case. The browser rule's regex
/// ([`crate::rules::EXPLICIT_TENANT_REGEX`]) spells the same set out as
/// `(t|%[57]4)(i|%[46]9)(d|%[46]4)` followed by `=`, `&`, `#` or the end.
fn is_tid(parameter: &str) -> bool {
    let name = parameter
        .split_once('=')
        .map_or(parameter, |(name, _)| name);
    percent_decode(name, false).eq_ignore_ascii_case(b"tid")
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_as_space`), leaving malformed escapes as
/// they are, as `application/x-www-form-urlencoded` parsing does.
fn percent_decode(text: &str, plus_as_space: bool) -> Vec<u8> {
    let mut decoded = Vec::with_capacity(text.len());
    let mut bytes = text.as_bytes().iter();
    while let Some(&byte) = bytes.next() {
        match byte {
            b'%' => {
                let escaped = match bytes.as_slice() {
                    [high, low, ..] => hex_value(*high).zip(hex_value(*low)),
                    _ => None,
                };
                match escaped {
                    Some((high, low)) => {
                        decoded.push(high << 4 | low);
                        bytes.nth(1);
                    }
                    None => decoded.push(b'%'),
                }
            }
            b'+' if plus_as_space => decoded.push(b' '),
            other => decoded.push(other),
        }
    }
    decoded
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    const TENANT: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";
    const OTHER: &str = "0b8f4e2a-1d3c-4f5e-8a7b-9c0d1e2f3a4b";

    fn tenant() -> TenantId {
        TenantId::parse(TENANT).unwrap()
    }

    fn other() -> TenantId {
        TenantId::parse(OTHER).unwrap()
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Fixture {
        #[allow(dead_code)]
        comment: Vec<String>,
        tenant: String,
        cases: Vec<Case>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Case {
        input: String,
        expected: Option<String>,
        #[serde(default)]
        error: Option<String>,
        redirects: bool,
        tenant_of: String,
        #[serde(default)]
        browser_expected: Option<String>,
        note: String,
    }

    fn error_name(error: &PortalError) -> String {
        match serde_json::to_value(error).unwrap() {
            serde_json::Value::Object(map) => map["name"].as_str().unwrap().to_owned(),
            other => panic!("not an object: {other}"),
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn url_fixture() {
        let fixture: Fixture =
            serde_json::from_str(include_str!("../tests/fixtures/urls.json")).unwrap();
        let tenant = TenantId::parse(&fixture.tenant).unwrap();
        assert!(fixture.cases.len() >= 45, "{} cases", fixture.cases.len());
        for case in &fixture.cases {
            let context = format!("{:?} ({})", case.input, case.note);
            let actual = with_tenant(&case.input, &tenant);
            match (&case.expected, &case.error) {
                (Some(expected), None) => {
                    assert_eq!(actual.as_ref(), Ok(expected), "{context}");
                    assert!(is_portal_url(&case.input), "{context}");
                    // Idempotent, and the output is a portal URL in a stable serialisation.
                    assert_eq!(
                        with_tenant(expected, &tenant).as_ref(),
                        Ok(expected),
                        "{context}"
                    );
                    assert_eq!(
                        Url::parse(expected).unwrap().as_str(),
                        expected,
                        "{context}"
                    );
                    let changed = expected.as_str() != Url::parse(&case.input).unwrap().as_str();
                    assert_eq!(case.redirects, changed, "{context}");
                    // Switching to the same tenant is the rewrite when there was no tid.
                    if case.redirects {
                        assert_eq!(
                            switch_tenant(&case.input, Some(&tenant)).as_ref(),
                            Ok(expected),
                            "{context}"
                        );
                        assert_eq!(tenant_of(expected), Ok(tenant), "{context}");
                    }
                }
                (None, Some(error)) => {
                    assert_eq!(
                        actual.map_err(|e| error_name(&e)),
                        Err(error.clone()),
                        "{context}"
                    );
                    assert!(!is_portal_url(&case.input), "{context}");
                    assert_eq!(
                        case.redirects,
                        case.browser_expected.is_some(),
                        "only a row whose browser differs may redirect: {context}"
                    );
                }
                _ => panic!("a case has either expected or error: {context}"),
            }
            let tenant_of = match tenant_of(&case.input) {
                Ok(id) => id.to_string(),
                Err(error) => error_name(&error),
            };
            assert_eq!(tenant_of, case.tenant_of, "tenantOf {context}");
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn explicit_tenant_only_in_the_query() {
        for (input, explicit) in [
            ("https://security.microsoft.com/?tid=x", true),
            ("https://security.microsoft.com/?TiD", true),
            ("https://security.microsoft.com/?a&tid&b", true),
            ("https://security.microsoft.com/?%54%49%44=1", true),
            ("https://security.microsoft.com/?t%69d", true),
            ("https://security.microsoft.com/?tid%3D1", false),
            ("https://security.microsoft.com/?t+id=1", false),
            ("https://security.microsoft.com/?%2574id=1", false),
            ("https://security.microsoft.com/?tid;x=1", false),
            ("https://security.microsoft.com/?x=tid", false),
            ("https://security.microsoft.com/#tid=1", false),
            ("https://security.microsoft.com/", false),
        ] {
            let url = Url::parse(input).unwrap();
            assert_eq!(has_explicit_tenant(&url), explicit, "{input}");
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn switch_tenant_replaces_every_tid() {
        let t = tenant();
        let o = other();
        for (input, to, expected) in [
            (
                "https://security.microsoft.com/a?tid=x&b=1&TID=y#tid=z",
                Some(&o),
                format!("https://security.microsoft.com/a?b=1&tid={OTHER}#tid=z"),
            ),
            (
                "https://security.microsoft.com/a?tid=x&b=1&TID=y#tid=z",
                None,
                "https://security.microsoft.com/a?b=1#tid=z".to_owned(),
            ),
            (
                "https://security.microsoft.com/?b=%7e&&tid&c",
                Some(&t),
                format!("https://security.microsoft.com/?b=%7e&&c&tid={TENANT}"),
            ),
            (
                "https://security.microsoft.com/?tid=x&",
                Some(&t),
                format!("https://security.microsoft.com/?tid={TENANT}"),
            ),
            (
                "https://security.microsoft.com/?&tid=x#f",
                None,
                "https://security.microsoft.com/?#f".to_owned(),
            ),
            (
                "https://security.microsoft.com/?&",
                Some(&t),
                format!("https://security.microsoft.com/?&&tid={TENANT}"),
            ),
            (
                &format!("https://security.microsoft.com/?&&tid={TENANT}"),
                Some(&t),
                format!("https://security.microsoft.com/?&&tid={TENANT}"),
            ),
            (
                "https://security.microsoft.com/?",
                None,
                "https://security.microsoft.com/?".to_owned(),
            ),
            (
                "https://security.microsoft.com/?a&",
                Some(&t),
                format!("https://security.microsoft.com/?a&&tid={TENANT}"),
            ),
            (
                &format!("https://security.microsoft.com/?tid={TENANT}"),
                Some(&o),
                format!("https://security.microsoft.com/?tid={OTHER}"),
            ),
            (
                "HTTP://SecurityCenter.Windows.com/x?%74id=1",
                Some(&t),
                format!("http://securitycenter.windows.com/x?tid={TENANT}"),
            ),
        ] {
            assert_eq!(switch_tenant(input, to), Ok(expected), "{input} -> {to:?}");
        }
        assert_eq!(
            switch_tenant("https://mto.security.microsoft.com/?tid=x", Some(&t)),
            Err(PortalError::NotPortalUrl)
        );
        assert_eq!(
            switch_tenant("not a url", None),
            Err(PortalError::InvalidUrl)
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn tenant_of_reports_why() {
        assert_eq!(
            tenant_of("https://security.microsoft.com/?x=1&Tid=%7B0B8F4E2A-1D3C-4F5E-8A7B-9C0D1E2F3A4B%7D&tid=y"),
            Ok(other())
        );
        assert_eq!(
            tenant_of("https://security.microsoft.com/?tid=+6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b+"),
            Ok(tenant())
        );
        assert_eq!(
            tenant_of("https://security.microsoft.com/alerts"),
            Err(PortalError::NoTenant)
        );
        assert_eq!(
            tenant_of("https://security.microsoft.com/?tid"),
            Err(PortalError::InvalidTenant {
                value: String::new(),
                error: TenantIdError::Empty
            })
        );
        assert_eq!(
            tenant_of("https://security.microsoft.com/?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6x"),
            Err(PortalError::InvalidTenant {
                value: "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6x".to_owned(),
                error: TenantIdError::InvalidCharacter {
                    character: 'x',
                    position: 36
                }
            })
        );
        assert_eq!(
            tenant_of("https://example.net/?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"),
            Err(PortalError::NotPortalUrl)
        );
        assert_eq!(tenant_of(""), Err(PortalError::InvalidUrl));
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn errors_serialise_with_stable_names_and_details() {
        let error = PortalError::InvalidTenant {
            value: "x".to_owned(),
            error: TenantIdError::WrongLength { found: 0 },
        };
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            serde_json::json!({
                "name": "PortalInvalidTenant",
                "value": "x",
                "error": { "name": "TenantIdWrongLength", "found": 0 }
            })
        );
        assert_eq!(
            error.to_string(),
            "the portal URL's tid \"x\" is not a tenant ID: a tenant ID has 32 hex digits, this one has 0"
        );
        for (error, name) in [
            (PortalError::InvalidUrl, "PortalInvalidUrl"),
            (PortalError::NotPortalUrl, "PortalNotPortalUrl"),
            (PortalError::NoTenant, "PortalNoTenant"),
        ] {
            assert_eq!(
                serde_json::to_value(&error).unwrap(),
                serde_json::json!({ "name": name })
            );
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn portal_url_is_a_rewritten_home_portal() {
        let t = tenant();
        assert_eq!(
            portal_url(Some(&t)),
            format!("https://security.microsoft.com/?tid={TENANT}")
        );
        assert_eq!(portal_url(None), "https://security.microsoft.com/");
        assert_eq!(with_tenant(&portal_url(None), &t), Ok(portal_url(Some(&t))));
        assert_eq!(tenant_of(&portal_url(Some(&t))), Ok(t));
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn percent_decoding_leaves_malformed_escapes() {
        assert_eq!(percent_decode("%7e%7E%4", false), b"~~%4".to_vec());
        assert_eq!(percent_decode("%zz+%2B%", true), b"%zz +%".to_vec());
        assert_eq!(percent_decode("a+b", false), b"a+b".to_vec());
        assert_eq!(percent_decode("%C3%BC", false), "ü".as_bytes().to_vec());
    }
}

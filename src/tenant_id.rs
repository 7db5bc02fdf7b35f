//! Tenant IDs: parse whatever an analyst pastes into one canonical GUID.
//!
//! Accepted, after trimming whitespace: the hyphenated GUID in any letter case, the braced form
//! `{...}`, `urn:uuid:...`, the 32-hex-digit form, and a pasted URL whose query carries
//! `tid=<GUID>`. The canonical form is lowercase and hyphenated, as the portal's `tid` expects.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::error::UiError;

/// A customer's Microsoft Entra tenant ID (a GUID that is not the nil GUID).
///
/// # Examples
/// ```
/// use tenant_switch::tenant_id::TenantId;
/// let id = TenantId::parse(" {6F1C2B6A-0C6E-4B8E-9E0A-2C1D3E4F5A6B} ").unwrap();
/// assert_eq!(id.to_string(), "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TenantId(Uuid);

/// Why a text is not a tenant ID. Positions are 1-based and count Unicode scalar values in the
/// input exactly as typed (before trimming).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum TenantIdError {
    /// Nothing but whitespace.
    #[serde(rename = "TenantIdEmpty")]
    Empty,
    /// A character that cannot appear in a GUID.
    #[serde(rename = "TenantIdInvalidCharacter", rename_all = "camelCase")]
    InvalidCharacter { character: char, position: usize },
    /// Only hex digits and hyphens, but not 32 hex digits.
    #[serde(rename = "TenantIdWrongLength", rename_all = "camelCase")]
    WrongLength { found: usize },
    /// 32 hex digits, but hyphens where a GUID has none.
    #[serde(rename = "TenantIdMisplacedHyphen", rename_all = "camelCase")]
    MisplacedHyphen { position: usize },
    /// `00000000-0000-0000-0000-000000000000`: a placeholder, not a tenant.
    #[serde(rename = "TenantIdNil")]
    Nil,
    /// A domain name such as `contoso.onmicrosoft.com`: the portal needs the GUID.
    #[serde(rename = "TenantIdDomainName", rename_all = "camelCase")]
    DomainName { domain: String },
    /// A URL whose query has no `tid` parameter.
    #[serde(rename = "TenantIdUrlWithoutTenant")]
    UrlWithoutTenant,
}

impl fmt::Display for TenantIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "the tenant ID is empty"),
            Self::InvalidCharacter {
                character,
                position,
            } => write!(
                f,
                "invalid character {character:?} at position {position}: a tenant ID has only hex digits 0-9, a-f and hyphens"
            ),
            Self::WrongLength { found } => write!(
                f,
                "a tenant ID has 32 hex digits, this one has {found}"
            ),
            Self::MisplacedHyphen { position } => write!(
                f,
                "misplaced hyphen at position {position}: a tenant ID is grouped 8-4-4-4-12"
            ),
            Self::Nil => write!(
                f,
                "the nil GUID 00000000-0000-0000-0000-000000000000 is a placeholder, not a tenant"
            ),
            Self::DomainName { domain } => write!(
                f,
                "{domain} is a domain name; the portal needs the tenant ID GUID (Entra admin center, Overview, Tenant ID)"
            ),
            Self::UrlWithoutTenant => write!(f, "the URL has no tid parameter"),
        }
    }
}

impl std::error::Error for TenantIdError {}
impl UiError for TenantIdError {}

impl TenantId {
    /// Parses a tenant ID from any accepted form.
    ///
    /// # Errors
    /// A [`TenantIdError`] saying what is wrong and where. Invalid characters are reported before
    /// a wrong length, so `contoso` names its first non-hex character rather than its length.
    ///
    /// # Examples
    /// ```
    /// use tenant_switch::tenant_id::{TenantId, TenantIdError};
    /// assert_eq!(
    ///     TenantId::parse("6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6x"),
    ///     Err(TenantIdError::InvalidCharacter { character: 'x', position: 36 })
    /// );
    /// ```
    pub fn parse(input: &str) -> Result<Self, TenantIdError> {
        Self::parse_inner(input, true)
    }

    /// `allow_url` is false for the `tid` value inside a pasted URL: a URL nested in a URL is not
    /// a tenant ID, and refusing it keeps parsing linear in the input.
    fn parse_inner(input: &str, allow_url: bool) -> Result<Self, TenantIdError> {
        let leading = input.chars().take_while(|c| c.is_whitespace()).count();
        let text = input.trim();
        if text.is_empty() {
            return Err(TenantIdError::Empty);
        }
        if allow_url {
            if let Some(result) = Self::from_url(text) {
                return result;
            }
        }
        if looks_like_domain(text) {
            return Err(TenantIdError::DomainName {
                domain: text.to_ascii_lowercase(),
            });
        }
        let (body, offset) = strip_wrappers(text);
        Self::parse_guid(body, leading + offset)
    }

    /// `Some` when `text` is an http(s) URL: its `tid` parameter parsed, or why not.
    fn from_url(text: &str) -> Option<Result<Self, TenantIdError>> {
        let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return None;
        }
        let url = url::Url::parse(text).ok()?;
        let tid = url
            .query_pairs()
            .find(|(key, _)| key.eq_ignore_ascii_case("tid"))
            .map(|(_, value)| value.into_owned());
        Some(match tid {
            // Positions inside a URL would not match what the user sees in the field; report
            // them relative to the tid value instead.
            Some(value) => Self::parse_inner(&value, false),
            None => Err(TenantIdError::UrlWithoutTenant),
        })
    }

    /// Parses the bare 32- or 36-character form; `offset` is how many characters precede `body`
    /// in the input as typed.
    fn parse_guid(body: &str, offset: usize) -> Result<Self, TenantIdError> {
        let mut digits = 0usize;
        for (index, character) in body.chars().enumerate() {
            if character.is_ascii_hexdigit() {
                digits += 1;
            } else if character != '-' {
                return Err(TenantIdError::InvalidCharacter {
                    character,
                    position: offset + index + 1,
                });
            }
        }
        if digits != 32 {
            return Err(TenantIdError::WrongLength { found: digits });
        }
        let has_hyphens = body.len() != 32;
        if has_hyphens {
            const HYPHENS: [usize; 4] = [8, 13, 18, 23];
            for (index, character) in body.chars().enumerate() {
                let expected = HYPHENS.contains(&index);
                if (character == '-') != expected {
                    // Point at the first character that breaks the 8-4-4-4-12 grouping.
                    return Err(TenantIdError::MisplacedHyphen {
                        position: offset + index + 1,
                    });
                }
            }
            if body.len() != 36 {
                return Err(TenantIdError::MisplacedHyphen {
                    position: offset + body.chars().count(),
                });
            }
        }
        let uuid =
            Uuid::try_parse(body).map_err(|_| TenantIdError::WrongLength { found: digits })?;
        if uuid.is_nil() {
            return Err(TenantIdError::Nil);
        }
        Ok(Self(uuid))
    }

    /// The underlying GUID.
    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    /// A fixed tenant ID for samples of errors (`6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b`).
    pub(crate) const fn sample() -> Self {
        Self(Uuid::from_u128(0x6f1c_2b6a_0c6e_4b8e_9e0a_2c1d_3e4f_5a6b))
    }
}

/// Removes `{...}` and `urn:uuid:`; returns the rest and how many characters were removed in
/// front of it.
fn strip_wrappers(text: &str) -> (&str, usize) {
    if let Some(inner) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        return (inner, 1);
    }
    const URN: &str = "urn:uuid:";
    if text.len() > URN.len() && text.is_char_boundary(URN.len()) {
        let (prefix, rest) = text.split_at(URN.len());
        if prefix.eq_ignore_ascii_case(URN) {
            return (rest, URN.len());
        }
    }
    (text, 0)
}

/// A DNS name with at least one dot and a label that is not pure hex, e.g. `contoso.com`.
fn looks_like_domain(text: &str) -> bool {
    let labels: Vec<&str> = text.trim_end_matches('.').split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()))
}

impl fmt::Display for TenantId {
    /// The canonical form: lowercase, hyphenated.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl fmt::Debug for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TenantId({self})")
    }
}

impl FromStr for TenantId {
    type Err = TenantIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for TenantId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TenantId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    const CANONICAL: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn a_url_nested_in_a_tid_is_not_a_tenant_id() {
        let nested = format!(
            "https://a.example/?tid={}",
            "https://a.example/?tid=".repeat(2000)
        );
        assert_eq!(
            TenantId::parse(&nested),
            Err(TenantIdError::InvalidCharacter {
                character: 'h',
                position: 1
            })
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn accepted_forms_normalise_to_canonical() {
        for input in [
            "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b",
            "6F1C2B6A-0C6E-4B8E-9E0A-2C1D3E4F5A6B",
            "  6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b\n",
            "{6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b}",
            "urn:uuid:6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b",
            "URN:UUID:6F1C2B6A-0C6E-4B8E-9E0A-2C1D3E4F5A6B",
            "6f1c2b6a0c6e4b8e9e0a2c1d3e4f5a6b",
            "https://security.microsoft.com/incidents?tid=6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b",
            "https://securitycenter.windows.com?TID={6F1C2B6A-0C6E-4B8E-9E0A-2C1D3E4F5A6B}#x",
        ] {
            assert_eq!(
                TenantId::parse(input).map(|id| id.to_string()),
                Ok(CANONICAL.to_string()),
                "{input:?}"
            );
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn serde_uses_the_canonical_form_and_rejects_invalid_ids() {
        let id: TenantId =
            serde_json::from_str("\"{6F1C2B6A-0C6E-4B8E-9E0A-2C1D3E4F5A6B}\"").unwrap();
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            format!("\"{CANONICAL}\"")
        );
        assert_eq!(
            serde_json::from_str::<TenantId>("\"contoso.com\"")
                .unwrap_err()
                .to_string(),
            "contoso.com is a domain name; the portal needs the tenant ID GUID (Entra admin center, Overview, Tenant ID)"
        );
        assert_eq!(
            serde_json::to_value(TenantIdError::InvalidCharacter {
                character: 'x',
                position: 36
            })
            .unwrap(),
            serde_json::json!({"name": "TenantIdInvalidCharacter", "character": "x", "position": 36})
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn display_messages() {
        for (error, message) in [
            (TenantIdError::Empty, "the tenant ID is empty"),
            (
                TenantIdError::WrongLength { found: 31 },
                "a tenant ID has 32 hex digits, this one has 31",
            ),
            (
                TenantIdError::MisplacedHyphen { position: 9 },
                "misplaced hyphen at position 9: a tenant ID is grouped 8-4-4-4-12",
            ),
            (
                TenantIdError::UrlWithoutTenant,
                "the URL has no tid parameter",
            ),
        ] {
            assert_eq!(error.to_string(), message);
        }
    }
}

//! A tenant: a validated display name, its tenant ID, an optional primary domain, an optional
//! initial domain (`<name>.onmicrosoft.com`), and optional tags and aliases.
//!
//! Everything an analyst types into the tenant form passes through [`Tenant::new`] (or
//! [`TenantInput::validate`]), and deserialising a [`Tenant`] runs the same validation, so a
//! `Tenant` value is always valid: stored data can never hold a name the UI cannot show safely or
//! a domain that is not a DNS name.
//!
//! Names are rejected when they contain characters that make one tenant look like another in the
//! picker or hide text: control characters, bidirectional overrides and isolates, and zero-width
//! characters. Positions in errors are 1-based and count Unicode scalar values in the input
//! exactly as typed (before trimming), as in [`TenantIdError`].

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use crate::error::UiError;
use crate::tenant_id::{TenantId, TenantIdError};

/// The longest display name, in Unicode scalar values.
pub const MAX_NAME_LENGTH: usize = 100;
/// The longest primary domain, in characters, without a trailing dot (RFC 1035).
pub const MAX_DOMAIN_LENGTH: usize = 253;
/// The longest label of a primary domain (RFC 1035).
pub const MAX_LABEL_LENGTH: usize = 63;
/// What every initial domain ends with: the domain Microsoft gives a tenant when it is created.
pub const INITIAL_DOMAIN_SUFFIX: &str = ".onmicrosoft.com";
/// The most tags one tenant carries.
pub const MAX_TAGS: usize = 10;
/// The longest tag, in Unicode scalar values.
pub const MAX_TAG_LENGTH: usize = 24;
/// The most aliases one tenant carries.
pub const MAX_ALIASES: usize = 5;

/// One customer tenant as the analyst knows it.
///
/// # Examples
/// ```
/// use tenant_switch::tenant::Tenant;
/// let tenant = Tenant::new(
///     "  Contoso ",
///     "{6F1C2B6A-0C6E-4B8E-9E0A-2C1D3E4F5A6B}",
///     Some("Contoso.OnMicrosoft.com."),
/// )
/// .unwrap();
/// assert_eq!(tenant.name(), "Contoso");
/// assert_eq!(tenant.id().to_string(), "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b");
/// assert_eq!(tenant.domain(), Some("contoso.onmicrosoft.com"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TenantInput")]
pub struct Tenant {
    name: String,
    id: TenantId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    domain: Option<String>,
    #[serde(
        default,
        rename = "initialDomain",
        skip_serializing_if = "Option::is_none"
    )]
    initial_domain: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
}

impl Tenant {
    /// Validates and normalises a tenant: the name trimmed, the ID canonical, the domain
    /// lowercase without a trailing dot. An empty or whitespace-only domain means "no domain".
    ///
    /// # Errors
    /// The first problem found, checking the name, then the ID, then the domain:
    /// [`TenantError::Name`], [`TenantError::Id`] or [`TenantError::Domain`].
    ///
    /// # Examples
    /// ```
    /// use tenant_switch::tenant::{Tenant, TenantError, TenantNameError};
    /// let long = "x".repeat(101);
    /// assert_eq!(
    ///     Tenant::new(&long, "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", None),
    ///     Err(TenantError::Name(TenantNameError::TooLong { length: 101 }))
    /// );
    /// ```
    pub fn new(name: &str, id: &str, domain: Option<&str>) -> Result<Self, TenantError> {
        let name = parse_name(name)?;
        let id = TenantId::parse(id)?;
        let domain = match domain {
            Some(domain) => parse_domain(domain)?,
            None => None,
        };
        Ok(Self {
            name,
            id,
            domain,
            initial_domain: None,
            tags: Vec::new(),
            aliases: Vec::new(),
        })
    }

    /// This tenant with its initial domain: `None`, empty or whitespace means none.
    ///
    /// # Errors
    /// [`TenantError::InitialDomain`] when the text is not `<name>.onmicrosoft.com`.
    ///
    /// # Examples
    /// ```
    /// use tenant_switch::tenant::Tenant;
    /// let tenant = Tenant::new("Contoso", "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", Some("contoso.com"))
    ///     .unwrap()
    ///     .with_initial_domain(Some(" Contoso.OnMicrosoft.com "))
    ///     .unwrap();
    /// assert_eq!(tenant.initial_domain(), Some("contoso.onmicrosoft.com"));
    /// ```
    pub fn with_initial_domain(mut self, input: Option<&str>) -> Result<Self, TenantError> {
        self.initial_domain = match input {
            Some(text) => parse_initial_domain(text)?,
            None => None,
        };
        Ok(self)
    }

    /// This tenant with `tags` (see [`parse_tags`]) and `aliases` (see [`parse_aliases`]).
    ///
    /// # Errors
    /// [`TenantError::Tag`] or [`TenantError::Alias`] for the first invalid one.
    pub fn with_tags_and_aliases(
        mut self,
        tags: &[String],
        aliases: &[String],
    ) -> Result<Self, TenantError> {
        self.tags = parse_tags(tags)?;
        self.aliases = parse_aliases(aliases, &self.name)?;
        Ok(self)
    }

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
    /// The initial domain as entered, lowercase, if known.
    pub fn initial_domain(&self) -> Option<&str> {
        self.initial_domain.as_deref()
    }
    /// The initial domain the portal links use: the one entered, or else the primary domain when
    /// that is itself an initial domain (`contoso.onmicrosoft.com` serves as both).
    pub fn link_initial_domain(&self) -> Option<&str> {
        link_initial_domain(self.initial_domain.as_deref(), self.domain.as_deref())
    }
    /// The tags, trimmed, in the order given, without duplicates.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }
    /// The aliases, trimmed, in the order given, without duplicates or the name itself.
    pub fn aliases(&self) -> &[String] {
        &self.aliases
    }

    /// This tenant under another name (validated), everything else kept. An alias that is the
    /// new name is dropped.
    ///
    /// # Errors
    /// As [`parse_name`].
    pub fn renamed(&self, name: &str) -> Result<Self, TenantNameError> {
        let name = parse_name(name)?;
        let key = name_key(&name);
        let mut next = self.clone();
        next.aliases.retain(|alias| name_key(alias) != key);
        next.name = name;
        Ok(next)
    }

    /// This tenant with only the aliases `keep` accepts.
    pub fn keeping_aliases(&self, keep: impl Fn(&str) -> bool) -> Self {
        let mut next = self.clone();
        next.aliases.retain(|alias| keep(alias));
        next
    }

    /// The tenant as stored and exported: `{"name", "id", "domain"?, "initialDomain"?, "tags"?,
    /// "aliases"?}`, optional fields left out when empty.
    pub fn to_value(&self) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        object.insert("name".into(), self.name.clone().into());
        object.insert("id".into(), self.id.to_string().into());
        if let Some(domain) = &self.domain {
            object.insert("domain".into(), domain.clone().into());
        }
        if let Some(domain) = &self.initial_domain {
            object.insert("initialDomain".into(), domain.clone().into());
        }
        if !self.tags.is_empty() {
            object.insert("tags".into(), self.tags.clone().into());
        }
        if !self.aliases.is_empty() {
            object.insert("aliases".into(), self.aliases.clone().into());
        }
        serde_json::Value::Object(object)
    }
}

/// The key under which two tenant names count as the same, wherever names are compared (the
/// settings, the policy, an import, sync): Unicode compatibility normalisation (NFKC, so that
/// `ＣＯＮＴＯＳＯ` and `Contoso` clash), without the characters that render as nothing, then
/// lowercase.
///
/// # Examples
/// ```
/// use tenant_switch::tenant::name_key;
/// assert_eq!(name_key("ＣＯＮＴＯＳＯ"), name_key("contoso"));
/// ```
pub fn name_key(name: &str) -> String {
    // NFKC leaves ASCII as it is, and most names are ASCII: skip the tables for them.
    if name.is_ascii() {
        return name.to_ascii_lowercase();
    }
    crate::unicode::normalize(name, crate::unicode::Form::Nfkc)
        .chars()
        .filter(|c| !crate::unicode::is_default_ignorable(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A tenant as a form or an operation sends it, before validation: `{name, id, domain?,
/// initialDomain?, tags?, aliases?}` with the ID in any form [`TenantId::parse`] accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantInput {
    /// The display name as typed.
    pub name: String,
    /// The tenant ID as typed or pasted.
    pub id: String,
    /// The primary domain as typed; `None`, empty or whitespace means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The initial domain (`<name>.onmicrosoft.com`) as typed; `None` or blank means none.
    #[serde(
        default,
        rename = "initialDomain",
        skip_serializing_if = "Option::is_none"
    )]
    pub initial_domain: Option<String>,
    /// Tags as typed, one per entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Aliases as typed, one per entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

impl TenantInput {
    /// Validates the fields into a [`Tenant`].
    ///
    /// # Errors
    /// As [`Tenant::new`], then [`Tenant::with_initial_domain`], then
    /// [`Tenant::with_tags_and_aliases`].
    pub fn validate(&self) -> Result<Tenant, TenantError> {
        Tenant::new(&self.name, &self.id, self.domain.as_deref())?
            .with_initial_domain(self.initial_domain.as_deref())?
            .with_tags_and_aliases(&self.tags, &self.aliases)
    }
}

impl TryFrom<TenantInput> for Tenant {
    type Error = TenantError;
    fn try_from(input: TenantInput) -> Result<Self, Self::Error> {
        input.validate()
    }
}

impl From<&Tenant> for TenantInput {
    fn from(tenant: &Tenant) -> Self {
        Self {
            name: tenant.name.clone(),
            id: tenant.id.to_string(),
            domain: tenant.domain.clone(),
            initial_domain: tenant.initial_domain.clone(),
            tags: tenant.tags.clone(),
            aliases: tenant.aliases.clone(),
        }
    }
}

/// Why a tenant's fields are invalid. Serialises exactly as the inner error, so the UI sees for
/// example `{"name": "TenantNameTooLong", "length": 101}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum TenantError {
    /// The display name is invalid.
    Name(TenantNameError),
    /// The tenant ID is invalid.
    Id(TenantIdError),
    /// The primary domain is invalid.
    Domain(DomainError),
    /// The initial domain is invalid.
    InitialDomain(InitialDomainError),
    /// A tag is invalid.
    Tag(TagError),
    /// An alias is invalid.
    Alias(AliasError),
}

impl fmt::Display for TenantError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(error) => error.fmt(f),
            Self::Id(error) => error.fmt(f),
            Self::Domain(error) => error.fmt(f),
            Self::InitialDomain(error) => error.fmt(f),
            Self::Tag(error) => error.fmt(f),
            Self::Alias(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for TenantError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Name(error) => Some(error),
            Self::Id(error) => Some(error),
            Self::Domain(error) => Some(error),
            Self::InitialDomain(error) => Some(error),
            Self::Tag(error) => Some(error),
            Self::Alias(error) => Some(error),
        }
    }
}
impl UiError for TenantError {}

impl From<TenantNameError> for TenantError {
    fn from(error: TenantNameError) -> Self {
        Self::Name(error)
    }
}
impl From<TenantIdError> for TenantError {
    fn from(error: TenantIdError) -> Self {
        Self::Id(error)
    }
}
impl From<DomainError> for TenantError {
    fn from(error: DomainError) -> Self {
        Self::Domain(error)
    }
}
impl From<InitialDomainError> for TenantError {
    fn from(error: InitialDomainError) -> Self {
        Self::InitialDomain(error)
    }
}
impl From<TagError> for TenantError {
    fn from(error: TagError) -> Self {
        Self::Tag(error)
    }
}
impl From<AliasError> for TenantError {
    fn from(error: AliasError) -> Self {
        Self::Alias(error)
    }
}

/// Why a text is not an initial domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum InitialDomainError {
    /// It does not end in `.onmicrosoft.com`.
    #[serde(rename = "InitialDomainNotOnMicrosoft", rename_all = "camelCase")]
    NotOnMicrosoft { domain: String },
    /// The part before `.onmicrosoft.com` is not one DNS label of letters, digits and inner
    /// hyphens, 1 to 63 characters.
    #[serde(rename = "InitialDomainInvalidLabel", rename_all = "camelCase")]
    InvalidLabel { label: String },
}

impl fmt::Display for InitialDomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotOnMicrosoft { domain } => write!(
                f,
                "{domain} is not an initial domain: an initial domain ends in .onmicrosoft.com"
            ),
            Self::InvalidLabel { label } => write!(
                f,
                "{label:?} cannot come before .onmicrosoft.com: use 1 to 63 letters a-z, digits and inner hyphens"
            ),
        }
    }
}

impl std::error::Error for InitialDomainError {}
impl UiError for InitialDomainError {}

/// Why a text is not a tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum TagError {
    /// A character other than letters, digits, `-`, `_` and `.` (a tag is one word, so that
    /// `#tag` in a search ends at the next space).
    #[serde(rename = "TagInvalidCharacter", rename_all = "camelCase")]
    InvalidCharacter { tag: String, character: char },
    /// Longer than [`MAX_TAG_LENGTH`].
    #[serde(rename = "TagTooLong", rename_all = "camelCase")]
    TooLong { tag: String, length: usize },
    /// More than [`MAX_TAGS`] different tags.
    #[serde(rename = "TagTooMany", rename_all = "camelCase")]
    TooMany { count: usize },
}

impl fmt::Display for TagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCharacter { tag, character } => write!(
                f,
                "the tag {tag:?} contains {character:?}: tags hold only letters, digits, hyphens, underscores and dots"
            ),
            Self::TooLong { tag, length } => write!(
                f,
                "the tag {tag:?} has {length} characters; at most {MAX_TAG_LENGTH} are allowed"
            ),
            Self::TooMany { count } => write!(
                f,
                "{count} tags; a tenant has at most {MAX_TAGS}"
            ),
        }
    }
}

impl std::error::Error for TagError {}
impl UiError for TagError {}

/// Why a text is not an alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum AliasError {
    /// The alias breaks a rule of names (the same rules as [`parse_name`]).
    #[serde(rename = "AliasInvalid", rename_all = "camelCase")]
    Invalid {
        alias: String,
        error: TenantNameError,
    },
    /// More than [`MAX_ALIASES`] different aliases.
    #[serde(rename = "AliasTooMany", rename_all = "camelCase")]
    TooMany { count: usize },
}

impl fmt::Display for AliasError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid { alias, error } => write!(f, "the alias {alias:?}: {error}"),
            Self::TooMany { count } => {
                write!(f, "{count} aliases; a tenant has at most {MAX_ALIASES}")
            }
        }
    }
}

impl std::error::Error for AliasError {}
impl UiError for AliasError {}

/// Why a text is not a tenant display name. `codePoint` serialises as `"U+202E"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum TenantNameError {
    /// Nothing but whitespace.
    #[serde(rename = "TenantNameEmpty")]
    Empty,
    /// More than [`MAX_NAME_LENGTH`] Unicode scalar values after trimming.
    #[serde(rename = "TenantNameTooLong", rename_all = "camelCase")]
    TooLong { length: usize },
    /// A control character (Unicode category Cc) or a line/paragraph separator inside the name.
    #[serde(rename = "TenantNameControlCharacter", rename_all = "camelCase")]
    ControlCharacter {
        position: usize,
        #[serde(serialize_with = "code_point_text")]
        code_point: char,
    },
    /// A bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069), which can make a
    /// name display as a different one.
    #[serde(rename = "TenantNameBidiControl", rename_all = "camelCase")]
    BidiControl {
        position: usize,
        #[serde(serialize_with = "code_point_text")]
        code_point: char,
    },
    /// An invisible character: any `Default_Ignorable_Code_Point` (zero-width spaces and
    /// joiners, variation selectors, Hangul fillers, tag characters, ...), any format character
    /// (Unicode category Cf) and the blank braille pattern U+2800, which make two names that
    /// look the same differ or a name look blank.
    #[serde(rename = "TenantNameInvisibleCharacter", rename_all = "camelCase")]
    InvisibleCharacter {
        position: usize,
        #[serde(serialize_with = "code_point_text")]
        code_point: char,
    },
}

fn code_point_text<S: Serializer>(character: &char, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&format_args!("U+{:04X}", u32::from(*character)))
}

impl fmt::Display for TenantNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "the tenant name is empty"),
            Self::TooLong { length } => write!(
                f,
                "the tenant name has {length} characters; at most {MAX_NAME_LENGTH} are allowed"
            ),
            Self::ControlCharacter {
                position,
                code_point,
            } => write!(
                f,
                "control character U+{:04X} at position {position} in the tenant name",
                u32::from(*code_point)
            ),
            Self::BidiControl {
                position,
                code_point,
            } => write!(
                f,
                "bidirectional control character U+{:04X} at position {position} in the tenant name: it can make the name display as another",
                u32::from(*code_point)
            ),
            Self::InvisibleCharacter {
                position,
                code_point,
            } => write!(
                f,
                "invisible character U+{:04X} at position {position} in the tenant name",
                u32::from(*code_point)
            ),
        }
    }
}

impl std::error::Error for TenantNameError {}
impl UiError for TenantNameError {}

/// Why a text is not a primary domain (a DNS name such as `contoso.onmicrosoft.com`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name")]
#[non_exhaustive]
pub enum DomainError {
    /// A character other than the ASCII letters, digits, `-` and `.`. Internationalised names
    /// must be given in their `xn--` form.
    #[serde(rename = "DomainInvalidCharacter", rename_all = "camelCase")]
    InvalidCharacter { character: char, position: usize },
    /// More than [`MAX_DOMAIN_LENGTH`] characters, not counting a trailing dot.
    #[serde(rename = "DomainTooLong", rename_all = "camelCase")]
    TooLong { length: usize },
    /// A label is missing: a dot at the start or two dots in a row. `position` is where the
    /// label should start.
    #[serde(rename = "DomainEmptyLabel", rename_all = "camelCase")]
    EmptyLabel { position: usize },
    /// A label longer than [`MAX_LABEL_LENGTH`] characters.
    #[serde(rename = "DomainLabelTooLong", rename_all = "camelCase")]
    LabelTooLong { label: String, length: usize },
    /// A label that starts or ends with a hyphen.
    #[serde(rename = "DomainLabelHyphen", rename_all = "camelCase")]
    LabelHyphen { label: String },
    /// Only one label, such as `contoso` or `localhost`.
    #[serde(rename = "DomainSingleLabel", rename_all = "camelCase")]
    SingleLabel { domain: String },
    /// The last label is all digits, as in an IP address.
    #[serde(rename = "DomainNumericTld", rename_all = "camelCase")]
    NumericTld { tld: String },
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCharacter {
                character,
                position,
            } => write!(
                f,
                "invalid character {character:?} at position {position}: a domain has only letters a-z, digits, hyphens and dots (use the xn-- form for international names)"
            ),
            Self::TooLong { length } => write!(
                f,
                "the domain has {length} characters; at most {MAX_DOMAIN_LENGTH} are allowed"
            ),
            Self::EmptyLabel { position } => write!(
                f,
                "the domain has an empty label at position {position} (a leading dot or two dots in a row)"
            ),
            Self::LabelTooLong { label, length } => write!(
                f,
                "the domain label {label} has {length} characters; at most {MAX_LABEL_LENGTH} are allowed"
            ),
            Self::LabelHyphen { label } => write!(
                f,
                "the domain label {label} starts or ends with a hyphen"
            ),
            Self::SingleLabel { domain } => write!(
                f,
                "{domain} is not a full domain name: it needs at least two labels, such as contoso.onmicrosoft.com"
            ),
            Self::NumericTld { tld } => write!(
                f,
                "the domain ends in the all-digit label {tld}: that is an IP address, not a domain name"
            ),
        }
    }
}

impl std::error::Error for DomainError {}
impl UiError for DomainError {}

/// Validates a display name and returns it trimmed.
///
/// # Errors
/// [`TenantNameError::Empty`] for blank input; otherwise the first forbidden character, checked
/// before the length so that a long paste still names what is wrong with it.
///
/// # Examples
/// ```
/// use tenant_switch::tenant::{parse_name, TenantNameError};
/// assert_eq!(parse_name("  Fabrikam  ").as_deref(), Ok("Fabrikam"));
/// assert_eq!(
///     parse_name("Fabri\u{202E}kam"),
///     Err(TenantNameError::BidiControl { position: 6, code_point: '\u{202E}' })
/// );
/// ```
pub fn parse_name(input: &str) -> Result<String, TenantNameError> {
    let leading = input.chars().take_while(|c| c.is_whitespace()).count();
    let name = input.trim();
    if name.is_empty() {
        return Err(TenantNameError::Empty);
    }
    let mut length = 0usize;
    for (index, code_point) in name.chars().enumerate() {
        let position = leading + index + 1;
        if code_point.is_control() || matches!(code_point, '\u{2028}' | '\u{2029}') {
            return Err(TenantNameError::ControlCharacter {
                position,
                code_point,
            });
        }
        if matches!(code_point, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            return Err(TenantNameError::BidiControl {
                position,
                code_point,
            });
        }
        if is_invisible(code_point) {
            return Err(TenantNameError::InvisibleCharacter {
                position,
                code_point,
            });
        }
        length += 1;
    }
    if length > MAX_NAME_LENGTH {
        return Err(TenantNameError::TooLong { length });
    }
    Ok(name.to_owned())
}

/// Characters that show nothing: the `Default_Ignorable_Code_Point` set as a whole and every
/// format character (both from the Unicode tables in [`crate::unicode`]), and the blank braille
/// pattern, which draws an empty cell.
fn is_invisible(character: char) -> bool {
    crate::unicode::is_default_ignorable(character)
        || crate::unicode::is_format(character)
        || character == '\u{2800}'
}

/// Validates a primary domain: `None` for blank input, otherwise the name lowercased without a
/// trailing dot.
///
/// # Errors
/// A [`DomainError`]: characters are checked first, then the total length, then each label,
/// then the number of labels and the top-level label.
///
/// # Examples
/// ```
/// use tenant_switch::tenant::{parse_domain, DomainError};
/// assert_eq!(parse_domain(" Contoso.COM. "), Ok(Some("contoso.com".to_string())));
/// assert_eq!(parse_domain("   "), Ok(None));
/// assert_eq!(
///     parse_domain("10.0.0.1"),
///     Err(DomainError::NumericTld { tld: "1".to_string() })
/// );
/// ```
pub fn parse_domain(input: &str) -> Result<Option<String>, DomainError> {
    let leading = input.chars().take_while(|c| c.is_whitespace()).count();
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    for (index, character) in text.chars().enumerate() {
        if !(character.is_ascii_alphanumeric() || character == '-' || character == '.') {
            return Err(DomainError::InvalidCharacter {
                character,
                position: leading + index + 1,
            });
        }
    }
    // Only ASCII from here on, so byte offsets are character positions.
    let lower = text.to_ascii_lowercase();
    let domain = lower.strip_suffix('.').unwrap_or(&lower);
    if domain.len() > MAX_DOMAIN_LENGTH {
        return Err(DomainError::TooLong {
            length: domain.len(),
        });
    }
    let mut start = 0usize;
    let mut count = 0usize;
    let mut last = "";
    for label in domain.split('.') {
        if label.is_empty() {
            return Err(DomainError::EmptyLabel {
                position: leading + start + 1,
            });
        }
        if label.len() > MAX_LABEL_LENGTH {
            return Err(DomainError::LabelTooLong {
                label: label.to_owned(),
                length: label.len(),
            });
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(DomainError::LabelHyphen {
                label: label.to_owned(),
            });
        }
        start += label.len() + 1;
        count += 1;
        last = label;
    }
    if count < 2 {
        return Err(DomainError::SingleLabel {
            domain: domain.to_owned(),
        });
    }
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DomainError::NumericTld {
            tld: last.to_owned(),
        });
    }
    Ok(Some(domain.to_owned()))
}

/// [`Tenant::link_initial_domain`] for validated domains held elsewhere (the link builder's
/// tenants, which may have no name): `initial_domain`, or else `domain` when it is itself an
/// initial domain.
///
/// # Examples
/// ```
/// use tenant_switch::tenant::link_initial_domain;
/// assert_eq!(link_initial_domain(None, Some("contoso.onmicrosoft.com")), Some("contoso.onmicrosoft.com"));
/// assert_eq!(link_initial_domain(None, Some("contoso.com")), None);
/// ```
pub fn link_initial_domain<'a>(
    initial_domain: Option<&'a str>,
    domain: Option<&'a str>,
) -> Option<&'a str> {
    initial_domain.or_else(|| domain.filter(|domain| parse_initial_domain(domain).is_ok()))
}

/// Validates an initial domain: `None` for blank input, otherwise `<label>.onmicrosoft.com` in
/// lowercase without a trailing dot.
///
/// # Errors
/// [`InitialDomainError::NotOnMicrosoft`] unless the text ends in `.onmicrosoft.com` (in any
/// letter case), [`InitialDomainError::InvalidLabel`] unless one DNS label comes before it.
///
/// # Examples
/// ```
/// use tenant_switch::tenant::{parse_initial_domain, InitialDomainError};
/// assert_eq!(
///     parse_initial_domain("Contoso.onmicrosoft.com."),
///     Ok(Some("contoso.onmicrosoft.com".to_string()))
/// );
/// assert_eq!(
///     parse_initial_domain("contoso.com"),
///     Err(InitialDomainError::NotOnMicrosoft { domain: "contoso.com".into() })
/// );
/// ```
pub fn parse_initial_domain(input: &str) -> Result<Option<String>, InitialDomainError> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let lower = text.to_lowercase();
    let domain = lower.strip_suffix('.').unwrap_or(&lower);
    let Some(label) = domain.strip_suffix(INITIAL_DOMAIN_SUFFIX) else {
        return Err(InitialDomainError::NotOnMicrosoft {
            domain: text.to_owned(),
        });
    };
    let valid = (1..=MAX_LABEL_LENGTH).contains(&label.len())
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-');
    if !valid {
        return Err(InitialDomainError::InvalidLabel {
            label: label.to_owned(),
        });
    }
    Ok(Some(domain.to_owned()))
}

/// Validates tags: each trimmed, blank ones skipped, duplicates (in any letter case) kept once
/// in their first spelling.
///
/// # Errors
/// The first invalid tag ([`TagError::InvalidCharacter`], [`TagError::TooLong`]), then
/// [`TagError::TooMany`].
///
/// # Examples
/// ```
/// use tenant_switch::tenant::parse_tags;
/// let tags = parse_tags(&[" EU ".into(), "on-call".into(), "eu".into(), "".into()]).unwrap();
/// assert_eq!(tags, ["EU", "on-call"]);
/// ```
pub fn parse_tags(input: &[String]) -> Result<Vec<String>, TagError> {
    let mut tags: Vec<String> = Vec::new();
    for text in input {
        let tag = text.trim();
        if tag.is_empty() {
            continue;
        }
        if let Some(character) = tag
            .chars()
            .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return Err(TagError::InvalidCharacter {
                tag: tag.to_owned(),
                character,
            });
        }
        let length = tag.chars().count();
        if length > MAX_TAG_LENGTH {
            return Err(TagError::TooLong {
                tag: tag.to_owned(),
                length,
            });
        }
        if !tags.iter().any(|known| name_key(known) == name_key(tag)) {
            tags.push(tag.to_owned());
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(TagError::TooMany { count: tags.len() });
    }
    Ok(tags)
}

/// Validates aliases with the rules of names ([`parse_name`]): each trimmed, blank ones
/// skipped, one that is the same as `name` or an earlier alias ([`name_key`]) left out.
///
/// # Errors
/// [`AliasError::Invalid`] for the first invalid alias, then [`AliasError::TooMany`].
///
/// # Examples
/// ```
/// use tenant_switch::tenant::parse_aliases;
/// let aliases = parse_aliases(&["CTS".into(), "contoso".into(), "cts".into()], "Contoso").unwrap();
/// assert_eq!(aliases, ["CTS"]);
/// ```
pub fn parse_aliases(input: &[String], name: &str) -> Result<Vec<String>, AliasError> {
    let mut aliases: Vec<String> = Vec::new();
    let mut keys = vec![name_key(name)];
    for text in input {
        if text.trim().is_empty() {
            continue;
        }
        let alias = parse_name(text).map_err(|error| AliasError::Invalid {
            alias: text.trim().to_owned(),
            error,
        })?;
        let key = name_key(&alias);
        if !keys.contains(&key) {
            keys.push(key);
            aliases.push(alias);
        }
    }
    if aliases.len() > MAX_ALIASES {
        return Err(AliasError::TooMany {
            count: aliases.len(),
        });
    }
    Ok(aliases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    const FIXTURE: &str = include_str!("../tests/fixtures/tenants.json");
    const ID: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";

    fn outcome<T: Serialize, E: Serialize>(result: Result<T, E>) -> Value {
        match result {
            Ok(value) => json!({ "ok": value }),
            Err(error) => json!({ "error": error }),
        }
    }

    fn text(case: &Value, key: &str) -> String {
        case.get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("case without string {key}: {case}"))
    }

    /// Runs one fixture case; returns what the code produced, shaped like the fixture's
    /// expectation (`{"ok": ...}` or `{"error": ...}`).
    fn run(case: &Value) -> Value {
        match text(case, "kind").as_str() {
            "id" => outcome(TenantId::parse(&text(case, "input"))),
            "name" => outcome(parse_name(&text(case, "input"))),
            "domain" => outcome(parse_domain(&text(case, "input"))),
            "tenant" => {
                let input = case.get("input").cloned().unwrap_or(Value::Null);
                match serde_json::from_value::<TenantInput>(input.clone()) {
                    Ok(fields) => {
                        let validated = fields.validate();
                        // The serde route must agree exactly with the constructor.
                        let via_serde = serde_json::from_value::<Tenant>(input);
                        assert_eq!(
                            via_serde.as_ref().ok(),
                            validated.as_ref().ok(),
                            "deserialising {case}"
                        );
                        outcome(validated)
                    }
                    Err(error) => json!({ "inputError": error.to_string() }),
                }
            }
            other => panic!("unknown kind {other}"),
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn fixture_cases_give_exact_results() {
        let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
        let cases = fixture["cases"].as_array().unwrap();
        assert!(cases.len() >= 30, "only {} cases", cases.len());
        let mut failures = Vec::new();
        for case in cases {
            let mut expected = serde_json::Map::new();
            for key in ["ok", "error"] {
                if let Some(value) = case.get(key) {
                    expected.insert(key.to_owned(), value.clone());
                }
            }
            let expected = Value::Object(expected);
            let actual = run(case);
            if actual != expected {
                failures.push(format!(
                    "{}: expected {expected}, got {actual}",
                    case["input"]
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Every error variant of the three enums appears in the fixture, so a new variant cannot
    /// go untested.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn fixture_covers_every_error_variant() {
        let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
        let names: Vec<&str> = fixture["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|case| case.get("error")?.get("name")?.as_str())
            .collect();
        for variant in [
            "TenantIdEmpty",
            "TenantIdInvalidCharacter",
            "TenantIdWrongLength",
            "TenantIdMisplacedHyphen",
            "TenantIdNil",
            "TenantIdDomainName",
            "TenantIdUrlWithoutTenant",
            "TenantNameEmpty",
            "TenantNameTooLong",
            "TenantNameControlCharacter",
            "TenantNameBidiControl",
            "TenantNameInvisibleCharacter",
            "DomainInvalidCharacter",
            "DomainTooLong",
            "DomainEmptyLabel",
            "DomainLabelTooLong",
            "DomainLabelHyphen",
            "DomainSingleLabel",
            "DomainNumericTld",
        ] {
            assert!(names.contains(&variant), "no fixture case for {variant}");
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn tenant_error_serialises_as_the_inner_error() {
        let error = Tenant::new(&"é".repeat(101), ID, None).unwrap_err();
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({"name": "TenantNameTooLong", "length": 101})
        );
        assert_eq!(
            error.to_string(),
            "the tenant name has 101 characters; at most 100 are allowed"
        );
        let error = Tenant::new("Contoso", "contoso.com", None).unwrap_err();
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({"name": "TenantIdDomainName", "domain": "contoso.com"})
        );
        let error = Tenant::new("Contoso", ID, Some("contoso")).unwrap_err();
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({"name": "DomainSingleLabel", "domain": "contoso"})
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn name_is_checked_before_id_and_id_before_domain() {
        assert_eq!(
            Tenant::new(" ", "", Some("-")),
            Err(TenantError::Name(TenantNameError::Empty))
        );
        assert_eq!(
            Tenant::new("Contoso", "", Some("-")),
            Err(TenantError::Id(TenantIdError::Empty))
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn serialised_shape_and_round_trip() {
        let with_domain = Tenant::new("Contoso", ID, Some("Contoso.com")).unwrap();
        let without = Tenant::new("Fabrikam", ID, Some("  ")).unwrap();
        assert_eq!(
            serde_json::to_string(&with_domain).unwrap(),
            r#"{"name":"Contoso","id":"6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b","domain":"contoso.com"}"#
        );
        assert_eq!(
            serde_json::to_string(&without).unwrap(),
            r#"{"name":"Fabrikam","id":"6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b"}"#
        );
        for tenant in [with_domain, without] {
            let json = serde_json::to_string(&tenant).unwrap();
            assert_eq!(serde_json::from_str::<Tenant>(&json).unwrap(), tenant);
            assert_eq!(TenantInput::from(&tenant).validate(), Ok(tenant));
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn deserialising_rejects_invalid_tenants() {
        let error =
            serde_json::from_value::<Tenant>(json!({"name": "A\u{200B}B", "id": ID})).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invisible character U+200B at position 2 in the tenant name"
        );
        let error =
            serde_json::from_value::<Tenant>(json!({"name": "A", "id": ID, "colour": "red"}))
                .unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown field `colour`, expected one of `name`, `id`, `domain`, `initialDomain`, `tags`, `aliases`"
        );
        assert_eq!(
            serde_json::from_value::<Tenant>(json!({"name": "A", "id": ID, "domain": null}))
                .unwrap()
                .domain(),
            None
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn display_messages() {
        let cases: [(Box<dyn std::error::Error>, &str); 4] = [
            (
                Box::new(TenantNameError::ControlCharacter {
                    position: 3,
                    code_point: '\t',
                }),
                "control character U+0009 at position 3 in the tenant name",
            ),
            (
                Box::new(TenantNameError::BidiControl {
                    position: 1,
                    code_point: '\u{2066}',
                }),
                "bidirectional control character U+2066 at position 1 in the tenant name: it can make the name display as another",
            ),
            (
                Box::new(DomainError::EmptyLabel { position: 9 }),
                "the domain has an empty label at position 9 (a leading dot or two dots in a row)",
            ),
            (
                Box::new(DomainError::LabelHyphen {
                    label: "-x".into(),
                }),
                "the domain label -x starts or ends with a hyphen",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }
}

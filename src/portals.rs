//! The Microsoft admin portals a tenant can be opened in, as data: one [`CATALOGUE`] row per
//! portal or Defender deep link, with how the portal is told the tenant and where that form comes
//! from.
//!
//! Each row's form was checked against the public sources named in [`Portal::source`]: CIPP's
//! per-tenant portal links (`src/data/portals.json` in KelvinTegelaar/CIPP) and msportals.io's
//! portal list (`_data/portals/admin.json`, which gives the hosts). A portal takes the tenant in
//! one of three identifiers ([`Identifier`]): the tenant ID, which every tenant has; the
//! initial domain (`<name>.onmicrosoft.com`); or the default domain, which may be a custom one,
//! falling back to the tenant ID when the tenant has no domain.
//!
//! The `delegatedOrg` links (Microsoft 365, Exchange and Teams admin centers) open a customer
//! only through a partner relationship (GDAP or DAP): an analyst who is a B2B guest in the
//! customer's tenant lands in their own organisation instead, so those rows say so
//! ([`Portal::partner_only`]).
//!
//! Only portals that take `?tid=` exactly as Defender does can be rewritten inside the browser
//! ([`Rewrite`]): the rules in [`crate::rules`] add a query parameter, which cannot express
//! "append the domain to the path" without also matching pages that already name a tenant.

use serde::Serialize;

use crate::tenant::Tenant;
use crate::tenant_id::TenantId;

/// Which identifier of the tenant a portal's address carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Identifier {
    /// The tenant ID (always known).
    TenantId,
    /// The initial domain, `<name>.onmicrosoft.com` ([`Tenant::link_initial_domain`]).
    InitialDomain,
    /// The default (primary) domain, or the tenant ID when the tenant has no domain.
    DefaultDomainOrId,
}

/// Whether the browser may add the tenant to a portal's addresses automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Rewrite {
    /// Always, with automatic rewrite: the Defender portal.
    Always,
    /// Only when the analyst opts in for this portal and grants the host permission.
    OptIn,
    /// Never: the tenant is in the path or needs a partner relationship.
    Never,
}

/// Which part of the menu a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Group {
    /// The Defender portal and its deep links.
    Defender,
    /// The other admin portals.
    Admin,
}

/// One portal (or Defender deep link).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Portal {
    /// Stable ID, stored in the settings (`hiddenPortals`, `portalRewrite`).
    pub id: &'static str,
    /// The English name as Microsoft writes it; the extension's pages show the `_locales`
    /// message `portal_<id>` instead.
    pub name: &'static str,
    /// The menu part.
    pub group: Group,
    /// The hosts the portal lives on (the first is the one links use).
    pub hosts: &'static [&'static str],
    /// The address, with `{id}`, `{initialDomain}` or `{domain}` where the tenant goes.
    pub template: &'static str,
    /// The identifier the address needs.
    pub identifier: Identifier,
    /// Whether it opens a customer only through a partner (GDAP/DAP) relationship.
    pub partner_only: bool,
    /// Whether the browser may rewrite its addresses.
    pub rewrite: Rewrite,
    /// Where the form is documented.
    pub source: &'static str,
}

const CIPP: &str = "CIPP src/data/portals.json";
const CIPP_MSPORTALS: &str = "CIPP src/data/portals.json; msportals.io _data/portals/admin.json";
const DEFENDER_HOSTS: &[&str] = &[
    "security.microsoft.com",
    "securitycenter.windows.com",
    "securitycenter.microsoft.com",
];
const DEFENDER_SOURCE: &str =
    "Microsoft Learn, Defender XDR multi-tenant management (tid parameter); CIPP src/data/portals.json";

/// Every portal and deep link, in menu order.
pub const CATALOGUE: &[Portal] = &[
    Portal {
        id: "defender",
        name: "Microsoft Defender",
        group: Group::Defender,
        hosts: DEFENDER_HOSTS,
        template: "https://security.microsoft.com/?tid={id}",
        identifier: Identifier::TenantId,
        partner_only: false,
        rewrite: Rewrite::Always,
        source: DEFENDER_SOURCE,
    },
    Portal {
        id: "defenderIncidents",
        name: "Incidents",
        group: Group::Defender,
        hosts: DEFENDER_HOSTS,
        template: "https://security.microsoft.com/incidents?tid={id}",
        identifier: Identifier::TenantId,
        partner_only: false,
        rewrite: Rewrite::Always,
        source: DEFENDER_SOURCE,
    },
    Portal {
        id: "defenderAlerts",
        name: "Alerts",
        group: Group::Defender,
        hosts: DEFENDER_HOSTS,
        template: "https://security.microsoft.com/alerts?tid={id}",
        identifier: Identifier::TenantId,
        partner_only: false,
        rewrite: Rewrite::Always,
        source: DEFENDER_SOURCE,
    },
    Portal {
        id: "defenderHunting",
        name: "Advanced hunting",
        group: Group::Defender,
        hosts: DEFENDER_HOSTS,
        template: "https://security.microsoft.com/v2/advanced-hunting?tid={id}",
        identifier: Identifier::TenantId,
        partner_only: false,
        rewrite: Rewrite::Always,
        source: DEFENDER_SOURCE,
    },
    Portal {
        id: "defenderActionCenter",
        name: "Action center",
        group: Group::Defender,
        hosts: DEFENDER_HOSTS,
        template: "https://security.microsoft.com/action-center?tid={id}",
        identifier: Identifier::TenantId,
        partner_only: false,
        rewrite: Rewrite::Always,
        source: DEFENDER_SOURCE,
    },
    Portal {
        id: "purview",
        name: "Microsoft Purview",
        group: Group::Admin,
        hosts: &["purview.microsoft.com"],
        template: "https://purview.microsoft.com/?tid={id}",
        identifier: Identifier::TenantId,
        partner_only: false,
        rewrite: Rewrite::OptIn,
        source: CIPP_MSPORTALS,
    },
    Portal {
        id: "entra",
        name: "Microsoft Entra admin center",
        group: Group::Admin,
        hosts: &["entra.microsoft.com"],
        template: "https://entra.microsoft.com/{domain}",
        identifier: Identifier::DefaultDomainOrId,
        partner_only: false,
        rewrite: Rewrite::Never,
        source: CIPP_MSPORTALS,
    },
    Portal {
        id: "intune",
        name: "Microsoft Intune admin center",
        group: Group::Admin,
        hosts: &["intune.microsoft.com"],
        template: "https://intune.microsoft.com/{domain}",
        identifier: Identifier::DefaultDomainOrId,
        partner_only: false,
        rewrite: Rewrite::Never,
        source: CIPP_MSPORTALS,
    },
    Portal {
        id: "azure",
        name: "Azure portal",
        group: Group::Admin,
        hosts: &["portal.azure.com"],
        template: "https://portal.azure.com/{domain}",
        identifier: Identifier::DefaultDomainOrId,
        partner_only: false,
        rewrite: Rewrite::Never,
        source: CIPP_MSPORTALS,
    },
    Portal {
        id: "m365",
        name: "Microsoft 365 admin center",
        group: Group::Admin,
        hosts: &["admin.cloud.microsoft"],
        template: "https://admin.cloud.microsoft/?delegatedOrg={initialDomain}",
        identifier: Identifier::InitialDomain,
        partner_only: true,
        rewrite: Rewrite::Never,
        source: CIPP_MSPORTALS,
    },
    Portal {
        id: "exchange",
        name: "Exchange admin center",
        group: Group::Admin,
        hosts: &["admin.cloud.microsoft"],
        template: "https://admin.cloud.microsoft/exchange?landingpage=homepage&form=mac_sidebar&delegatedOrg={initialDomain}#",
        identifier: Identifier::InitialDomain,
        partner_only: true,
        rewrite: Rewrite::Never,
        source: CIPP,
    },
    Portal {
        id: "teams",
        name: "Microsoft Teams admin center",
        group: Group::Admin,
        hosts: &["admin.teams.microsoft.com"],
        template: "https://admin.teams.microsoft.com/?delegatedOrg={initialDomain}",
        identifier: Identifier::InitialDomain,
        partner_only: true,
        rewrite: Rewrite::Never,
        source: CIPP_MSPORTALS,
    },
    Portal {
        id: "powerBi",
        name: "Power BI admin portal",
        group: Group::Admin,
        hosts: &["app.powerbi.com"],
        template: "https://app.powerbi.com/admin-portal?ctid={id}",
        identifier: Identifier::TenantId,
        partner_only: false,
        rewrite: Rewrite::Never,
        source: CIPP_MSPORTALS,
    },
    Portal {
        id: "powerPlatform",
        name: "Power Platform admin center",
        group: Group::Admin,
        hosts: &["admin.powerplatform.microsoft.com"],
        template: "https://admin.powerplatform.microsoft.com/account/login/{id}",
        identifier: Identifier::TenantId,
        partner_only: false,
        rewrite: Rewrite::Never,
        source: CIPP_MSPORTALS,
    },
];

/// The catalogue row with this ID.
pub fn find(id: &str) -> Option<&'static Portal> {
    CATALOGUE.iter().find(|portal| portal.id == id)
}

/// The portals whose rewrite the analyst may opt into.
pub fn opt_in() -> impl Iterator<Item = &'static Portal> {
    CATALOGUE
        .iter()
        .filter(|portal| portal.rewrite == Rewrite::OptIn)
}

/// The origin patterns (`permissions.request({origins})`) of a portal's hosts, `https` and
/// `http`, as the browser rules cover both.
pub fn origins(portal: &Portal) -> Vec<String> {
    portal
        .hosts
        .iter()
        .flat_map(|host| [format!("https://{host}/*"), format!("http://{host}/*")])
        .collect()
}

/// What a portal address can name a tenant by. [`link`] takes them from a [`Tenant`]; the link
/// builder page ([`crate::import::link_builder`]) also has tenants that are only a tenant ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantIdentifiers<'a> {
    /// The tenant ID.
    pub id: TenantId,
    /// The default (primary) domain, validated, if known.
    pub domain: Option<&'a str>,
    /// The initial domain the links use ([`Tenant::link_initial_domain`]), if known.
    pub initial_domain: Option<&'a str>,
}

impl<'a> TenantIdentifiers<'a> {
    /// The identifiers of `tenant`.
    pub fn of(tenant: &'a Tenant) -> Self {
        Self {
            id: tenant.id(),
            domain: tenant.domain(),
            initial_domain: tenant.link_initial_domain(),
        }
    }
}

/// Where `portal` opens `tenant`, or the identifier it lacks.
///
/// # Errors
/// [`Identifier::InitialDomain`] when the portal needs an initial domain and the tenant has
/// none (the other identifiers are always there).
///
/// # Examples
/// ```
/// use tenant_switch::portals::{find, link, Identifier};
/// use tenant_switch::tenant::Tenant;
/// let contoso = Tenant::new("Contoso", "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b", Some("contoso.com")).unwrap();
/// assert_eq!(
///     link(find("entra").unwrap(), &contoso).as_deref(),
///     Ok("https://entra.microsoft.com/contoso.com")
/// );
/// assert_eq!(link(find("m365").unwrap(), &contoso), Err(Identifier::InitialDomain));
/// ```
pub fn link(portal: &Portal, tenant: &Tenant) -> Result<String, Identifier> {
    link_for(portal, TenantIdentifiers::of(tenant))
}

/// As [`link`], for a tenant given by its identifiers.
///
/// # Errors
/// As [`link`].
///
/// # Examples
/// ```
/// use tenant_switch::portals::{find, link_for, Identifier, TenantIdentifiers};
/// use tenant_switch::tenant_id::TenantId;
/// let id = TenantId::parse("6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b").unwrap();
/// let bare = TenantIdentifiers { id, domain: None, initial_domain: None };
/// assert_eq!(
///     link_for(find("azure").unwrap(), bare).as_deref(),
///     Ok("https://portal.azure.com/6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b")
/// );
/// assert_eq!(link_for(find("teams").unwrap(), bare), Err(Identifier::InitialDomain));
/// ```
pub fn link_for(portal: &Portal, tenant: TenantIdentifiers<'_>) -> Result<String, Identifier> {
    let id = tenant.id.to_string();
    let value = match portal.identifier {
        Identifier::TenantId => id.as_str(),
        Identifier::DefaultDomainOrId => tenant.domain.unwrap_or(&id),
        Identifier::InitialDomain => tenant.initial_domain.ok_or(Identifier::InitialDomain)?,
    };
    // Tenant IDs and validated domains hold only `[a-z0-9.-]`: nothing to escape.
    Ok(portal
        .template
        .replace("{id}", value)
        .replace("{initialDomain}", value)
        .replace("{domain}", value))
}

/// The portal links of one tenant, in menu order, for the rows `shown`.
pub fn links<'a>(
    tenant: &'a Tenant,
    shown: impl Fn(&Portal) -> bool + 'a,
) -> impl Iterator<Item = (&'static Portal, Result<String, Identifier>)> + 'a {
    CATALOGUE
        .iter()
        .filter(move |portal| shown(portal))
        .map(move |portal| (portal, link(portal, tenant)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    const FIXTURE: &str = include_str!("../tests/fixtures/portals.json");

    /// Every row of the fixture: a tenant and, per portal ID, the exact link or the missing
    /// identifier. The expected URLs are written out by hand from the sources, not derived from
    /// the templates.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn every_portal_gives_the_documented_link_for_every_identifier() {
        let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
        let cases = fixture["cases"].as_array().unwrap();
        assert!(cases.len() >= 4);
        for case in cases {
            let input: crate::tenant::TenantInput =
                serde_json::from_value(case["tenant"].clone()).unwrap();
            let tenant = input.validate().unwrap();
            let mut actual = serde_json::Map::new();
            for portal in CATALOGUE {
                let value = match link(portal, &tenant) {
                    Ok(url) => json!(url),
                    Err(missing) => json!({ "missing": missing }),
                };
                actual.insert(portal.id.to_owned(), value);
            }
            assert_eq!(
                Value::Object(actual),
                case["links"],
                "{}",
                case["description"]
            );
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn ids_are_unique_and_every_row_names_its_source() {
        let mut ids: Vec<&str> = CATALOGUE.iter().map(|portal| portal.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CATALOGUE.len());
        for portal in CATALOGUE {
            assert!(!portal.source.is_empty(), "{}", portal.id);
            assert!(portal.template.starts_with("https://"), "{}", portal.id);
            let host = &portal.template["https://".len()..];
            assert!(
                host.starts_with(portal.hosts[0]),
                "{} links to its first host",
                portal.id
            );
            // Only a `?tid=` portal can be rewritten the way Defender is.
            if portal.rewrite != Rewrite::Never {
                assert!(portal.template.contains("tid={id}"), "{}", portal.id);
                assert!(!portal.partner_only, "{}", portal.id);
            }
        }
        assert_eq!(
            opt_in().map(|portal| portal.id).collect::<Vec<_>>(),
            ["purview"]
        );
        assert_eq!(
            origins(find("purview").unwrap()),
            [
                "https://purview.microsoft.com/*",
                "http://purview.microsoft.com/*"
            ]
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn the_delegated_org_portals_are_the_partner_only_ones() {
        let partner: Vec<&str> = CATALOGUE
            .iter()
            .filter(|portal| portal.partner_only)
            .map(|portal| portal.id)
            .collect();
        assert_eq!(partner, ["m365", "exchange", "teams"]);
        for portal in CATALOGUE {
            assert_eq!(
                portal.partner_only,
                portal.template.contains("delegatedOrg="),
                "{}",
                portal.id
            );
        }
    }
}

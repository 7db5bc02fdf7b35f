//! The stored shapes of the settings, one reader per schema version, and the JSON they are
//! written as.
//!
//! | version | shape |
//! |---|---|
//! | 0 | the unversioned prototype: `{"tenants": [{"name", "tenantId"}], "active": id or null}` |
//! | 1 | `{schemaVersion, tenants: [{name, id, domain?}], activeTenant, automaticRewrite, recentTenants}` |
//! | 2 | as 1, with `activeTenant` renamed `defaultTenant`: the tenant for tabs that have none yet |
//! | 3 | as 2, with `favourites`, `tenantColours`, `tenantLabels` (by tenant ID) and `pageOptions` |
//! | 4 | as 3, with `initialDomain?` on tenants, `hiddenPortals` and `portalRewrite` (portal IDs) |
//! | 5 | as 4, with `tags?` and `aliases?` (arrays of text) on tenants |
//!
//! Each version is read in its own terms, so an error names the path as the user's stored data
//! has it (`activeTenant` in a version 1 value, `defaultTenant` in a version 2 one), and the
//! current version is read in place (copying 10,000 stored tenants only to read them added about
//! a tenth to every load). A migration is therefore a reader of the old shape; what it reads is
//! written back in the current shape on the next change.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::colours::Colour;
use crate::json::{self, JsonError};
use crate::tenant::Tenant;
use crate::tenant_id::TenantId;

use super::{PageOptions, PortalChoices, Settings, SettingsError, SCHEMA_VERSION};
use crate::portals::Rewrite;

/// What each version calls its fields.
struct Layout {
    /// The fields of the settings object.
    fields: &'static [&'static str],
    /// The field naming the tenant for new tabs.
    default_tenant: &'static str,
    /// Whether it has the marks of schema 3 (favourites, colours, labels, page options).
    marks: bool,
    /// The fields a stored tenant may have.
    tenant_fields: &'static [&'static str],
    /// Whether it has the portal choices of schema 4.
    portals: bool,
}

const TENANT_V1: &[&str] = &["name", "id", "domain"];
const TENANT_V4: &[&str] = &["name", "id", "domain", "initialDomain"];
const TENANT_V5: &[&str] = &["name", "id", "domain", "initialDomain", "tags", "aliases"];

const V1: Layout = Layout {
    fields: &[
        "schemaVersion",
        "tenants",
        "activeTenant",
        "automaticRewrite",
        "recentTenants",
    ],
    default_tenant: "activeTenant",
    marks: false,
    tenant_fields: TENANT_V1,
    portals: false,
};

const V2: Layout = Layout {
    fields: &[
        "schemaVersion",
        "tenants",
        "defaultTenant",
        "automaticRewrite",
        "recentTenants",
    ],
    default_tenant: "defaultTenant",
    marks: false,
    tenant_fields: TENANT_V1,
    portals: false,
};

const V3: Layout = Layout {
    fields: &[
        "schemaVersion",
        "tenants",
        "defaultTenant",
        "automaticRewrite",
        "recentTenants",
        "favourites",
        "tenantColours",
        "tenantLabels",
        "pageOptions",
    ],
    default_tenant: "defaultTenant",
    marks: true,
    tenant_fields: TENANT_V1,
    portals: false,
};

const V4_FIELDS: &[&str] = &[
    "schemaVersion",
    "tenants",
    "defaultTenant",
    "automaticRewrite",
    "recentTenants",
    "favourites",
    "tenantColours",
    "tenantLabels",
    "pageOptions",
    "hiddenPortals",
    "portalRewrite",
];

const V4: Layout = Layout {
    fields: V4_FIELDS,
    default_tenant: "defaultTenant",
    marks: true,
    tenant_fields: TENANT_V4,
    portals: true,
};

const V5: Layout = Layout {
    fields: V4_FIELDS,
    default_tenant: "defaultTenant",
    marks: true,
    tenant_fields: TENANT_V5,
    portals: true,
};

/// Reads stored settings of any supported version (see [`Settings::load`]).
pub(super) fn read(stored: Option<&Value>) -> Result<Settings, SettingsError> {
    let object = match stored {
        None | Some(Value::Null) => return Ok(Settings::default()),
        Some(value) => json::object(value, "")?,
    };
    match stored_version(object)? {
        0 => read_v0(object),
        1 => read_layout(object, &V1),
        2 => read_layout(object, &V2),
        3 => read_layout(object, &V3),
        4 => read_layout(object, &V4),
        5 => read_layout(object, &V5),
        found => Err(SettingsError::NewerVersion {
            found,
            supported: SCHEMA_VERSION,
        }),
    }
}

/// The settings as the current version's JSON.
pub(super) fn write(settings: &Settings) -> Value {
    let mut object = Map::new();
    object.insert("schemaVersion".into(), Value::from(SCHEMA_VERSION));
    object.insert(
        "tenants".into(),
        Value::Array(settings.tenants.iter().map(Tenant::to_value).collect()),
    );
    object.insert(
        "defaultTenant".into(),
        settings
            .default_tenant
            .map_or(Value::Null, |id| Value::String(id.to_string())),
    );
    object.insert(
        "automaticRewrite".into(),
        Value::Bool(settings.automatic_rewrite),
    );
    object.insert(
        "recentTenants".into(),
        Value::Array(
            settings
                .recent_tenants
                .iter()
                .map(|id| Value::String(id.to_string()))
                .collect(),
        ),
    );
    object.insert(
        "favourites".into(),
        Value::Array(
            settings
                .favourites
                .iter()
                .map(|id| Value::String(id.to_string()))
                .collect(),
        ),
    );
    object.insert(
        "tenantColours".into(),
        Value::Object(
            settings
                .colours
                .iter()
                .map(|(id, colour)| (id.to_string(), Value::from(colour.name())))
                .collect(),
        ),
    );
    object.insert(
        "tenantLabels".into(),
        Value::Object(
            settings
                .labels
                .iter()
                .map(|(id, label)| (id.to_string(), Value::from(label.as_str())))
                .collect(),
        ),
    );
    let page = settings.page;
    let mut options = Map::new();
    options.insert("titlePrefix".into(), Value::Bool(page.title_prefix));
    options.insert("colourLine".into(), Value::Bool(page.colour_line));
    options.insert("banner".into(), Value::Bool(page.banner));
    object.insert("pageOptions".into(), Value::Object(options));
    let ids = |set: &BTreeSet<&'static str>| Value::from(set.iter().copied().collect::<Vec<_>>());
    object.insert("hiddenPortals".into(), ids(&settings.portals.hidden));
    object.insert("portalRewrite".into(), ids(&settings.portals.rewrite));
    Value::Object(object)
}

fn read_layout(object: &Map<String, Value>, layout: &Layout) -> Result<Settings, SettingsError> {
    json::deny_unknown(object, "", layout.fields)?;
    let stored_tenants = json::array(json::field(object, "", "tenants")?, "tenants")?;
    let mut tenants = Vec::with_capacity(stored_tenants.len());
    for (index, stored) in stored_tenants.iter().enumerate() {
        let path = json::index("tenants", index);
        let fields = json::object(stored, &path)?;
        json::deny_unknown(fields, &path, layout.tenant_fields)?;
        let name = json::string(
            json::field(fields, &path, "name")?,
            &json::join(&path, "name"),
        )?;
        let id = json::string(json::field(fields, &path, "id")?, &json::join(&path, "id"))?;
        let text = |key: &str| -> Result<Option<&str>, SettingsError> {
            match json::optional(fields, key) {
                None => Ok(None),
                Some(value) => Ok(Some(json::string(value, &json::join(&path, key))?)),
            }
        };
        let texts = |key: &str| -> Result<Vec<String>, SettingsError> {
            let Some(value) = json::optional(fields, key) else {
                return Ok(Vec::new());
            };
            let at = json::join(&path, key);
            json::array(value, &at)?
                .iter()
                .enumerate()
                .map(|(n, item)| Ok(json::string(item, &json::index(&at, n))?.to_owned()))
                .collect()
        };
        let invalid = |error| SettingsError::InvalidTenant { index, error };
        let initial_domain = text("initialDomain")?;
        let tenant = Tenant::new(name, id, text("domain")?)
            .and_then(|tenant| tenant.with_initial_domain(initial_domain))
            .map_err(invalid)?;
        let (tags, aliases) = (texts("tags")?, texts("aliases")?);
        let tenant = if tags.is_empty() && aliases.is_empty() {
            tenant
        } else {
            tenant
                .with_tags_and_aliases(&tags, &aliases)
                .map_err(invalid)?
        };
        tenants.push(tenant);
    }
    let default_tenant = match json::field(object, "", layout.default_tenant)? {
        Value::Null => None,
        value => Some(id_at(value, layout.default_tenant)?),
    };
    let automatic_rewrite = json::boolean(
        json::field(object, "", "automaticRewrite")?,
        "automaticRewrite",
    )?;
    let stored_recent = json::array(json::field(object, "", "recentTenants")?, "recentTenants")?;
    let recent_tenants = stored_recent
        .iter()
        .enumerate()
        .map(|(index, value)| id_at(value, &json::index("recentTenants", index)))
        .collect::<Result<Vec<_>, _>>()?;
    let settings = Settings::validated(tenants, default_tenant, automatic_rewrite, recent_tenants)?;
    if !layout.marks {
        return Ok(settings);
    }
    let stored = json::array(json::field(object, "", "favourites")?, "favourites")?;
    let mut favourites = BTreeSet::new();
    for (index, value) in stored.iter().enumerate() {
        favourites.insert(id_at(value, &json::index("favourites", index))?);
    }
    let colours = id_map(object, "tenantColours", |value, path| {
        let name = json::string(value, path)?;
        Colour::from_name(name).ok_or_else(|| SettingsError::UnknownColour {
            path: path.to_owned(),
            colour: name.to_owned(),
        })
    })?;
    let labels = id_map(object, "tenantLabels", |value, path| {
        let label = json::string(value, path)?;
        if crate::labels::valid(label) {
            Ok(label.to_owned())
        } else {
            Err(SettingsError::InvalidLabel {
                path: path.to_owned(),
                label: label.to_owned(),
            })
        }
    })?;
    let options = json::object(json::field(object, "", "pageOptions")?, "pageOptions")?;
    json::deny_unknown(
        options,
        "pageOptions",
        &["titlePrefix", "colourLine", "banner"],
    )?;
    let flag = |key: &str| -> Result<bool, SettingsError> {
        let path = json::join("pageOptions", key);
        Ok(json::boolean(
            json::field(options, "pageOptions", key)?,
            &path,
        )?)
    };
    let page = PageOptions {
        title_prefix: flag("titlePrefix")?,
        colour_line: flag("colourLine")?,
        banner: flag("banner")?,
    };
    let settings = settings.with_marks(favourites, colours, labels, page);
    if !layout.portals {
        return Ok(settings);
    }
    let portal_ids = |key: &str| -> Result<BTreeSet<&'static str>, SettingsError> {
        let stored = json::array(json::field(object, "", key)?, key)?;
        let mut ids = BTreeSet::new();
        for (index, value) in stored.iter().enumerate() {
            let id = json::string(value, &json::index(key, index))?;
            ids.insert(super::known_portal(id)?.id);
        }
        Ok(ids)
    };
    let hidden = portal_ids("hiddenPortals")?;
    let rewrite = portal_ids("portalRewrite")?;
    if let Some(portal) = rewrite
        .iter()
        .find(|id| crate::portals::find(id).is_some_and(|p| p.rewrite != Rewrite::OptIn))
    {
        return Err(SettingsError::PortalNotRewritable {
            portal: (*portal).to_owned(),
        });
    }
    Ok(settings.with_portals(PortalChoices { hidden, rewrite }))
}

/// An object of tenant IDs to values read by `read`.
fn id_map<T>(
    object: &Map<String, Value>,
    key: &str,
    read: impl Fn(&Value, &str) -> Result<T, SettingsError>,
) -> Result<BTreeMap<TenantId, T>, SettingsError> {
    let entries = json::object(json::field(object, "", key)?, key)?;
    let mut map = BTreeMap::new();
    for (id, value) in entries {
        let path = json::join(key, id);
        let id = TenantId::parse(id).map_err(|error| SettingsError::InvalidReference {
            path: path.clone(),
            error,
        })?;
        map.insert(id, read(value, &path)?);
    }
    Ok(map)
}

/// The unversioned prototype. It had no automatic rewrite switch (it always rewrote) and no
/// recent list; its active tenant becomes the only recent one, as if it had just been chosen.
fn read_v0(object: &Map<String, Value>) -> Result<Settings, SettingsError> {
    json::deny_unknown(object, "", &["tenants", "active"])?;
    let stored_tenants = json::array(json::field(object, "", "tenants")?, "tenants")?;
    let mut tenants = Vec::with_capacity(stored_tenants.len());
    for (index, stored) in stored_tenants.iter().enumerate() {
        let path = json::index("tenants", index);
        let fields = json::object(stored, &path)?;
        json::deny_unknown(fields, &path, &["name", "tenantId"])?;
        let name = json::string(
            json::field(fields, &path, "name")?,
            &json::join(&path, "name"),
        )?;
        let id = json::string(
            json::field(fields, &path, "tenantId")?,
            &json::join(&path, "tenantId"),
        )?;
        let tenant = Tenant::new(name, id, None)
            .map_err(|error| SettingsError::InvalidTenant { index, error })?;
        tenants.push(tenant);
    }
    let active = match json::optional(object, "active") {
        None => None,
        Some(value) => Some(id_at(value, "active")?),
    };
    Settings::validated(tenants, active, true, active.into_iter().collect())
}

/// The stored schema version: 0 when `schemaVersion` is absent (the prototype). JavaScript
/// numbers arrive as floats, so an integral float counts as an integer.
fn stored_version(object: &Map<String, Value>) -> Result<u64, SettingsError> {
    let Some(value) = object.get("schemaVersion") else {
        return Ok(0);
    };
    let Value::Number(number) = value else {
        return Err(JsonError::WrongType {
            path: "schemaVersion".into(),
            expected: "number",
            found: json::type_name(value),
        }
        .into());
    };
    match json::whole_number(value, "schemaVersion") {
        Ok(version) if version >= 1 => Ok(version),
        _ => Err(SettingsError::InvalidVersion {
            found: number.to_string(),
        }),
    }
}

fn id_at(value: &Value, path: &str) -> Result<TenantId, SettingsError> {
    TenantId::parse(json::string(value, path)?).map_err(|error| SettingsError::InvalidReference {
        path: path.to_owned(),
        error,
    })
}

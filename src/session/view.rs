//! What pages and the toolbar show, computed by the session: the state, the popup's picker, the
//! options page's list, and each tab's badge. Pages draw these as they are.

use serde_json::{json, Value};

use crate::import::IMPORT_SIZE_LIMIT;
use crate::portal;
use crate::tenant_id::TenantId;

use super::effect::Text;
use super::tabs::TabTenant;
use super::Session;

/// Rows the popup draws at most: enough to scroll through, few enough to stay instant.
pub const PICKER_ROWS: usize = 50;
/// Rows per page of the options page's list.
pub const LIST_PAGE_SIZE: usize = 100;

const GREY: &str = "#5f6368";
const RED: &str = "#b3261e";
const AMBER: &str = "#8a5300";

/// One tab's toolbar badge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BadgeView {
    /// The label (`badgeLabel` with the text), or a word of the UI's language.
    pub text: Text,
    pub color: &'static str,
    pub title: Text,
}

impl BadgeView {
    fn tenant(label: &str, color: &'static str, key: &'static str, args: Vec<String>) -> Self {
        Self::new(label, color, key, args)
    }
}

impl BadgeView {
    fn new(text: &str, color: &'static str, key: &'static str, args: Vec<String>) -> Self {
        Self {
            text: Text::new("badgeLabel", vec![text.to_owned()]),
            color,
            title: Text::new(key, args),
        }
    }

    /// The badge text is a word of the UI's language (`key`), not a label.
    fn with_text_key(mut self, key: &'static str) -> Self {
        self.text = Text::new(key, Vec::new());
        self
    }
}

/// What "This tab" is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Here {
    /// Not a portal tab, and no tenant of its own.
    NotPortal,
    /// The tab's tenant.
    Tenant(TabTenant),
}

impl Session {
    /// The name of `id` as the directory has it.
    fn name_of(&self, id: TenantId) -> Option<String> {
        let directory = self.core.directory.as_ref().ok()?;
        directory.tenant(id).map(|tenant| tenant.name().to_owned())
    }

    pub(super) fn badge(&self, tab_id: i64) -> BadgeView {
        let Ok(directory) = &self.core.directory else {
            return BadgeView::new("!", RED, "badgeTooltipProblem", Vec::new());
        };
        if !self.core.env.host_access {
            return BadgeView::new("!", AMBER, "badgeTooltipNoAccess", Vec::new());
        }
        let tab = self.core.tabs.get(tab_id).copied().unwrap_or_default();
        if tab.portal && tab.invalid_tid {
            return BadgeView::new("?", RED, "badgeTooltipInvalid", Vec::new());
        }
        let describe = |tenant: Option<TabTenant>| match tenant {
            Some(TabTenant::Tenant(id)) => self.name_of(id).unwrap_or_else(|| id.to_string()),
            _ => String::new(),
        };
        match tab.tenant {
            Some(TabTenant::Tenant(id)) => match directory.tenant(id) {
                Some(tenant) => {
                    let label = directory.label(id).unwrap_or("?").to_owned();
                    let colour = directory.colour(id);
                    match tab.switched_from {
                        Some(TabTenant::Home) => BadgeView::tenant(
                            &label,
                            colour,
                            "badgeTooltipSwitchedFromHome",
                            vec![tenant.name().to_owned()],
                        ),
                        Some(from) => BadgeView::tenant(
                            &label,
                            colour,
                            "badgeTooltipSwitched",
                            vec![describe(Some(from)), tenant.name().to_owned()],
                        ),
                        None => BadgeView::tenant(
                            &label,
                            colour,
                            "badgeTooltip",
                            vec![tenant.name().to_owned(), id.to_string()],
                        ),
                    }
                }
                None => BadgeView::new("?", RED, "badgeTooltipUnknown", vec![id.to_string()]),
            },
            Some(TabTenant::Home) => {
                BadgeView::new("", GREY, "badgeTooltipHome", Vec::new()).with_text_key("badgeHome")
            }
            Some(TabTenant::NotKnown) => {
                BadgeView::new("?", RED, "badgeTooltipNotKnown", Vec::new())
            }
            None => match directory
                .default_tenant()
                .and_then(|id| directory.tenant(id))
            {
                Some(tenant) => BadgeView::new(
                    directory.label(tenant.id()).unwrap_or("?"),
                    GREY,
                    "badgeTooltipNewTabs",
                    vec![tenant.name().to_owned()],
                ),
                None => BadgeView::new("", GREY, "badgeTooltipNewTabsHome", Vec::new()),
            },
        }
    }

    /// `{id, name, domain?, label, managed}` of a tenant in the directory, or `{id, known:
    /// false}` for one that is not.
    fn summary(&self, id: TenantId) -> Value {
        match self
            .core
            .directory
            .as_ref()
            .ok()
            .and_then(|directory| directory.tenant(id).map(|t| directory.summary(t)))
        {
            Some(summary) => summary,
            None => json!({"id": id, "known": false}),
        }
    }

    fn tab_tenant_view(&self, tenant: TabTenant) -> Value {
        match tenant {
            TabTenant::Tenant(id) => json!({"kind": "tenant", "tenant": self.summary(id)}),
            TabTenant::Home => json!({"kind": "home"}),
            TabTenant::NotKnown => json!({"kind": "notKnown"}),
        }
    }

    fn here(&self, tab_id: Option<i64>, url: Option<&str>) -> Here {
        let tab = tab_id.and_then(|id| self.core.tabs.get(id)).copied();
        let scope = self.scope();
        let portal = url.is_some_and(|url| portal::is_portal_url_in(url, &scope))
            || tab.is_some_and(|t| t.portal);
        match tab.and_then(|tab| tab.tenant) {
            Some(tenant) if portal => Here::Tenant(tenant),
            _ if portal => match url.map(|url| portal::tenant_of_in(url, &scope)) {
                Some(Ok(id)) => Here::Tenant(TabTenant::Tenant(id)),
                _ => Here::Tenant(TabTenant::NotKnown),
            },
            _ => Here::NotPortal,
        }
    }

    /// "This tab" for the popup: what the tab is in, and a switch a link made.
    pub(super) fn this_tab_view(&self, tab_id: Option<i64>, url: Option<&str>) -> Value {
        match self.here(tab_id, url) {
            Here::NotPortal => json!({"kind": "notPortal"}),
            Here::Tenant(tenant) => {
                let mut view = self.tab_tenant_view(tenant);
                let from = tab_id
                    .and_then(|id| self.core.tabs.get(id))
                    .and_then(|tab| tab.switched_from);
                if let Some(from) = from {
                    view["switchedFrom"] = self.tab_tenant_view(from);
                }
                view
            }
        }
    }

    /// What the content script of a portal tab needs: the tab's tenant (name, label, colour),
    /// the page options (`null` while nothing may be shown), whether the extension rewrites
    /// (so that links get the tab's `tid` only then) and the hosts it rewrites.
    /// `{ok, tab, page, rewriting, hosts}`.
    pub(super) fn page_identity(&self, tab_id: Option<i64>, url: Option<&str>) -> Value {
        let (page, rewriting) = match &self.core.directory {
            Ok(directory) => (
                serde_json::to_value(directory.own.page()).unwrap_or(Value::Null),
                directory.effective.settings.automatic_rewrite() && self.core.env.host_access,
            ),
            Err(_) => (Value::Null, false),
        };
        let hosts: Vec<&str> = self.scope().hosts().collect();
        json!({
            "ok": true,
            "tab": self.this_tab_view(tab_id, url),
            "page": page,
            "rewriting": rewriting,
            "hosts": hosts,
        })
    }

    /// The portal catalogue with the analyst's choices: what the options page lists and the
    /// popup's menu shows.
    pub(super) fn portals_view(&self) -> Vec<Value> {
        let choices = self
            .core
            .directory
            .as_ref()
            .map(|directory| directory.own.portals().clone())
            .unwrap_or_default();
        crate::portals::CATALOGUE
            .iter()
            .map(|portal| {
                let origins = crate::portals::origins(portal);
                let mut view = json!({
                    "id": portal.id,
                    "group": portal.group,
                    "shown": !choices.hidden.contains(portal.id),
                    "identifier": portal.identifier,
                    "partnerOnly": portal.partner_only,
                    "rewrite": portal.rewrite,
                });
                if portal.rewrite == crate::portals::Rewrite::OptIn {
                    let access = origins
                        .iter()
                        .all(|origin| self.core.env.origins.contains(origin));
                    view["rewriteOn"] = Value::Bool(choices.rewrite.contains(portal.id));
                    view["access"] = Value::Bool(access);
                    view["origins"] = json!(origins);
                    view["hosts"] = json!(portal.hosts);
                }
                view
            })
            .collect()
    }

    /// The "Open in portal" menu for tenant `id`: the portals shown, each with its address or
    /// the identifier the tenant lacks.
    pub(super) fn portal_menu(&self, id: Option<TenantId>) -> Result<Value, Value> {
        let directory = self.core.directory.as_ref().map_err(|_| {
            crate::error::to_value(&super::messages::MessageError::SettingsUnusable)
        })?;
        let tenant = id
            .and_then(|id| directory.tenant(id))
            .ok_or_else(|| match id {
                Some(id) => {
                    crate::error::to_value(&crate::settings::SettingsError::UnknownTenant { id })
                }
                None => crate::error::to_value(&super::messages::MessageError::NoTenantChosen),
            })?;
        let hidden = &directory.own.portals().hidden;
        let items: Vec<Value> = crate::portals::links(tenant, |portal| !hidden.contains(portal.id))
            .map(|(portal, link)| {
                let mut item = json!({
                    "id": portal.id,
                    "group": portal.group,
                    "partnerOnly": portal.partner_only,
                });
                match link {
                    Ok(url) => item["url"] = Value::String(url),
                    Err(missing) => item["missing"] = json!(missing),
                }
                item
            })
            .collect();
        Ok(json!({"tenant": directory.summary(tenant), "items": items}))
    }

    /// The state every page shows (never the tenant list: pages ask for the rows they draw).
    pub(super) fn state_view(&self) -> Value {
        let core = &self.core;
        let policy = &core.policy;
        let (usable, problem, defaults) = match &core.directory {
            Ok(directory) => {
                let effective = &directory.effective;
                (
                    true,
                    Value::Null,
                    json!({
                        "defaultTenant": directory.default_tenant().map(|id| self.summary(id)),
                        "automaticRewrite": effective.settings.automatic_rewrite(),
                        "automaticRewriteForced": effective.automatic_rewrite_forced,
                        "tenantCount": effective.settings.tenants().len(),
                        "ownTenantCount": directory.own.tenants().len(),
                        "managedCount": effective.managed_tenants.len(),
                        "nameClashes": effective.name_clashes,
                        "defaultTenantRemoved": effective.default_tenant_removed,
                        "pageOptions": serde_json::to_value(directory.own.page())
                            .unwrap_or(Value::Null),
                    }),
                )
            }
            Err(problem) => (
                false,
                json!({
                    "error": crate::error::to_value(&problem.error),
                    "copyKept": problem.copy_error.is_none()
                        && core.kept.iter().any(|kept| kept.data == problem.data),
                    "copyError": problem.copy_error,
                }),
                json!({
                    "defaultTenant": null, "automaticRewrite": false,
                    "automaticRewriteForced": false, "tenantCount": 0, "ownTenantCount": 0,
                    "managedCount": 0, "nameClashes": [], "defaultTenantRemoved": null,
                    "pageOptions": null,
                }),
            ),
        };
        let sync_allowed = !policy.report.policy.disable_sync();
        let mut state = json!({
            "usable": usable,
            "problem": problem,
            "keptCopies": core.kept.iter().map(|kept| json!({
                "savedAt": kept.saved_at,
                "error": kept.error,
                "bytes": kept.bytes,
            })).collect::<Vec<_>>(),
            "setAsideCount": core.set_aside.len(),
            "hostAccess": core.env.host_access,
            "rulesError": core.rules_error,
            "policy": {
                "inForce": policy.managed.is_some(),
                "current": policy.current,
                "seenAt": policy.seen_at,
                "problems": policy.report.problems,
                "syncDisabled": policy.report.policy.disable_sync(),
                "forceAutomaticRewrite": policy.report.policy.force_automatic_rewrite(),
            },
            "sync": {
                "enabled": core.sync.enabled && sync_allowed,
                "allowed": sync_allowed,
                "problem": core.sync.problem,
                "held": core.sync.held,
                "lastError": core.sync.last_error,
            },
            "backups": core.backups.iter().map(|backup| json!({
                "id": backup.id,
                "savedAt": backup.saved_at,
                "reason": backup.reason,
                "count": backup.count,
            })).collect::<Vec<_>>(),
            "undo": core.undo.as_ref().map(|undo| json!({
                "id": undo.removed.tenant.id(),
                "name": undo.removed.tenant.name(),
            })),
            "importSizeLimit": IMPORT_SIZE_LIMIT,
            "revision": core.revision,
        });
        if let (Value::Object(state), Value::Object(defaults)) = (&mut state, defaults) {
            state.extend(defaults);
        }
        state
    }

    /// The popup's picker for `query` on the tab `tab_id` showing `url`: "This tab", "New
    /// tabs", the rows and which row is highlighted first.
    pub(super) fn picker_view(&self, query: &str, tab_id: Option<i64>, url: Option<&str>) -> Value {
        let Ok(directory) = &self.core.directory else {
            // The same shape, empty: the popup says why from the state's problem.
            return json!({"thisTab": self.this_tab_view(tab_id, url), "newTabs": null,
                "items": [], "groups": [], "total": 0, "tenantsTotal": 0, "tenantsShown": 0,
                "highlight": null});
        };
        let here = self.here(tab_id, url);
        let result = directory.picker().search(query, PICKER_ROWS + 1);
        let with_no_tenant = result.items.iter().any(Option::is_none);
        let mut items: Vec<Option<TenantId>> = result
            .items
            .into_iter()
            .take(if with_no_tenant {
                PICKER_ROWS + 1
            } else {
                PICKER_ROWS
            })
            .collect();
        let target = match here {
            Here::Tenant(TabTenant::Tenant(id)) => Some(Some(id)),
            Here::Tenant(TabTenant::Home) => Some(None),
            Here::Tenant(TabTenant::NotKnown) => None,
            Here::NotPortal => Some(directory.default_tenant()),
        };
        let blank = crate::search::fold(query).is_empty();
        if blank {
            // The current tenant is always in the unfiltered list, even past the first rows.
            if let Some(target) = target.filter(|t| !items.contains(t)) {
                if target.map_or(true, |id| directory.tenant(id).is_some()) {
                    items.push(target);
                }
            }
        }
        // Enter right after opening must never change a tab's tenant: the highlight starts on the
        // tab's own tenant, and on no row at all when that is not in the list (a tid not in the
        // list, a tenant not known after a restart).
        let highlight = if blank {
            target.and_then(|target| items.iter().position(|item| *item == target))
        } else {
            (!items.is_empty()).then_some(0)
        };
        let tenants_total = result.total - usize::from(with_no_tenant);
        let rows: Vec<Value> = items
            .iter()
            .map(|item| match item {
                None => json!({"id": null}),
                Some(id) => {
                    let mut row = self.summary(*id);
                    row["recent"] =
                        Value::Bool(directory.effective.settings.recent_tenants().contains(id));
                    row
                }
            })
            .collect();
        let shown = rows.iter().filter(|row| !row["id"].is_null()).count();
        // The rows as the popup groups them: the home tenant, the favourites, the recent
        // tenants, then everyone else A to Z; one ranked group while a query is typed.
        let groups = if blank {
            let home = usize::from(items.first() == Some(&None));
            let rest = items.len() - home - result.favourites - result.recent;
            [
                ("home", home),
                ("favourites", result.favourites),
                ("recent", result.recent),
                ("all", rest),
            ]
            .into_iter()
            .filter(|(_, size)| *size > 0)
            .map(|(kind, size)| json!({"kind": kind, "size": size}))
            .collect::<Vec<_>>()
        } else {
            vec![json!({"kind": "matches", "size": items.len()})]
        };
        json!({
            "thisTab": self.this_tab_view(tab_id, url),
            "newTabs": directory.default_tenant().map(|id| self.summary(id)),
            "items": rows,
            "groups": groups,
            "total": result.total,
            "tenantsTotal": tenants_total,
            "tenantsShown": shown,
            "highlight": highlight,
        })
    }

    /// One page of the options page's list: A to Z, or best match first for `query`.
    pub(super) fn list_view(&self, query: &str, page: usize) -> Value {
        let Ok(directory) = &self.core.directory else {
            return json!({"rows": [], "total": 0, "page": 0, "pages": 1,
                "pageSize": LIST_PAGE_SIZE, "first": 0});
        };
        let tenants = directory.tenants();
        let result = directory.index().search(query, usize::MAX);
        let total = result.total;
        let pages = total.div_ceil(LIST_PAGE_SIZE).max(1);
        let page = page.min(pages - 1);
        let first = page * LIST_PAGE_SIZE;
        let default = directory.default_tenant();
        let rows: Vec<Value> = result
            .indices
            .iter()
            .skip(first)
            .take(LIST_PAGE_SIZE)
            .filter_map(|&index| tenants.get(index))
            .map(|tenant| {
                let mut row = directory.summary(tenant);
                row["isDefault"] = Value::Bool(default == Some(tenant.id()));
                if let Some(own) = directory.own.tenant(tenant.id()) {
                    if own.name() != tenant.name() {
                        // Shown under another name while it clashes with a policy tenant.
                        row["ownName"] = Value::from(own.name());
                    }
                }
                row
            })
            .collect();
        json!({
            "rows": rows,
            "total": total,
            "page": page,
            "pages": pages,
            "pageSize": LIST_PAGE_SIZE,
            "first": first,
        })
    }
}

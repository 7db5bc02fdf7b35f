//! Which tenant each tab is in.
//!
//! A portal tab keeps the tenant it loaded with for its lifetime, like a container: every later
//! portal navigation in it without a `tid` goes to that tenant, whatever is chosen for new tabs
//! meanwhile. A navigation with an explicit `tid` always wins and becomes the tab's tenant (the
//! portal's own tenant switcher works that way). A tab opened from a tab with a tenant inherits
//! it. A tab that loaded the portal without a `tid` and without a rewrite is in the analyst's
//! home tenant, and keeps that too.
//!
//! Stored in `storage.session` under [`TABS_KEY`] (lost with the tabs when the browser stops):
//! `{"<tab id>": {"tenant": "<tenant id>" | "home" | "notKnown", "portal": bool,
//! "switchedFrom"?: "<tenant id>" | "home"}}`; tabs with nothing to remember are left out.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::portal::{self, PortalError, Scope};
use crate::rules::TabGroup;
use crate::tenant_id::TenantId;

use super::event::TabInfo;

/// The `storage.session` key of the tabs' tenants.
pub const TABS_KEY: &str = "tabs";

/// The tenant a tab is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TabTenant {
    /// The analyst's home tenant ("No tenant").
    Home,
    /// A customer tenant, in the list or not.
    Tenant(TenantId),
    /// A tab restored after a browser restart whose address had lost its `tid`: it loaded in
    /// whatever the rules said before the worker ran, which cannot be known.
    NotKnown,
}

impl TabTenant {
    fn to_value(self) -> Value {
        match self {
            Self::Home => Value::from("home"),
            Self::Tenant(id) => Value::from(id.to_string()),
            Self::NotKnown => Value::from("notKnown"),
        }
    }

    fn from_value(value: &Value) -> Option<Self> {
        match value.as_str()? {
            "home" => Some(Self::Home),
            "notKnown" => Some(Self::NotKnown),
            id => TenantId::parse(id).ok().map(Self::Tenant),
        }
    }

    /// The rule group for tabs in this tenant; none for a tenant that is not known.
    pub fn group(self) -> Option<TabGroup> {
        match self {
            Self::Home => Some(TabGroup::Home),
            Self::Tenant(id) => Some(TabGroup::Tenant(id)),
            Self::NotKnown => None,
        }
    }

    /// The tenant as the rules see it: `None` for the home tenant.
    pub fn id(self) -> Option<TenantId> {
        match self {
            Self::Tenant(id) => Some(id),
            Self::Home | Self::NotKnown => None,
        }
    }
}

/// What the session remembers of one tab.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tab {
    /// The tab's tenant; `None` while it has none (it never showed the portal and was not
    /// opened from a tab with a tenant).
    pub tenant: Option<TabTenant>,
    /// Whether the tab shows a portal page now.
    pub portal: bool,
    /// The tab's tenant before an explicit `tid` in a link changed it: said until the tab's next
    /// navigation.
    pub switched_from: Option<TabTenant>,
    /// Whether the page shown has a `tid` that is not a tenant ID.
    pub invalid_tid: bool,
    /// The tenant was inherited from the tab that opened this one and no portal page has
    /// confirmed it yet: a tab the browser opens "from" another for other reasons (a new tab
    /// page opened while a portal tab was in front) drops it at its first page elsewhere.
    pub inherited: bool,
}

/// What a portal address says about its tenant.
enum Address {
    NotPortal,
    NoTid,
    Tid(TenantId),
    InvalidTid,
}

fn classify(url: &str, scope: &Scope) -> Address {
    match portal::tenant_of_in(url, scope) {
        Ok(id) => Address::Tid(id),
        Err(PortalError::NoTenant) => Address::NoTid,
        Err(PortalError::InvalidTenant { .. }) => Address::InvalidTid,
        Err(_) => Address::NotPortal,
    }
}

/// How a portal page without a `tid` came about when its tab had no tenant yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Untagged {
    /// No rule added a tenant (automatic rewrite off, "No tenant" for new tabs, or no host
    /// access): the page is in the home tenant.
    Home,
    /// A rule should have added one: what happened cannot be known.
    NotKnown,
}

/// The tenants of all tabs the session knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tabs {
    tabs: BTreeMap<i64, Tab>,
}

impl Tabs {
    /// The tab `id`, if the session knows it.
    pub fn get(&self, id: i64) -> Option<&Tab> {
        self.tabs.get(&id)
    }

    /// Every known tab.
    pub fn iter(&self) -> impl Iterator<Item = (i64, &Tab)> {
        self.tabs.iter().map(|(id, tab)| (*id, tab))
    }

    /// The tabs as stored in `storage.session` at the last worker start, checked against the
    /// tabs the browser has now: a tab the store does not know (restored after a browser
    /// restart) takes its tenant from its address, or is [`TabTenant::NotKnown`] when a portal
    /// address lost its `tid`.
    pub fn restore(stored: Option<&Value>, open: &[TabInfo], scope: &Scope) -> Self {
        let stored = stored.and_then(Value::as_object);
        let mut tabs = BTreeMap::new();
        for info in open {
            let known = stored
                .and_then(|map| map.get(&info.id.to_string()))
                .and_then(Value::as_object)
                .map(read_tab);
            let tab = match known {
                Some(tab) => tab,
                None => {
                    let mut tab = Tab::default();
                    if let Some(url) = info.url.as_deref() {
                        match classify(url, scope) {
                            Address::Tid(id) => {
                                tab.tenant = Some(TabTenant::Tenant(id));
                                tab.portal = true;
                            }
                            Address::NoTid => {
                                tab.tenant = Some(TabTenant::NotKnown);
                                tab.portal = true;
                            }
                            Address::InvalidTid => {
                                tab.tenant = Some(TabTenant::NotKnown);
                                tab.portal = true;
                                tab.invalid_tid = true;
                            }
                            Address::NotPortal => {}
                        }
                    }
                    tab
                }
            };
            tabs.insert(info.id, tab);
        }
        Self { tabs }
    }

    /// A new tab: it inherits the tenant of the tab that opened it; an explicit `tid` in the
    /// address it opens with wins.
    pub fn created(&mut self, info: &TabInfo, scope: &Scope) {
        let inherited = info
            .opener_tab_id
            .and_then(|opener| self.tabs.get(&opener))
            .and_then(|opener| opener.tenant)
            .filter(|tenant| *tenant != TabTenant::NotKnown);
        let mut tab = Tab {
            tenant: inherited,
            inherited: inherited.is_some(),
            ..Tab::default()
        };
        let address = info.pending_url.as_deref().or(info.url.as_deref());
        if let Some(Address::Tid(id)) = address.map(|url| classify(url, scope)) {
            tab.tenant = Some(TabTenant::Tenant(id));
            tab.inherited = false;
        }
        self.tabs.insert(info.id, tab);
    }

    /// The tab shows a page that is not on a portal host (the browser hides its address). A
    /// tenant only inherited is dropped then; a tenant the tab had on a portal page is kept.
    pub fn left_portal(&mut self, id: i64) {
        let tab = self.tabs.entry(id).or_default();
        if tab.inherited {
            tab.tenant = None;
            tab.inherited = false;
        }
        tab.portal = false;
        tab.switched_from = None;
        tab.invalid_tid = false;
    }

    /// The tab committed `url`. `untagged` says what a portal page without `tid` means for a
    /// tab without a tenant.
    pub fn committed(&mut self, id: i64, url: &str, untagged: Untagged, scope: &Scope) {
        let address = classify(url, scope);
        if matches!(address, Address::NotPortal) {
            return self.left_portal(id);
        }
        let tab = self.tabs.entry(id).or_default();
        tab.invalid_tid = false;
        tab.inherited = false;
        match address {
            Address::NotPortal => {}
            Address::Tid(new) => {
                tab.switched_from = None;
                let new = TabTenant::Tenant(new);
                if let Some(old) = tab.tenant.filter(|old| *old != new) {
                    if tab.portal && old != TabTenant::NotKnown {
                        tab.switched_from = Some(old);
                    }
                }
                tab.tenant = Some(new);
                tab.portal = true;
            }
            Address::NoTid => {
                // The portal's own scripts drop the `tid` from the address bar after a load
                // (`history.replaceState`); a navigation of a tab in a tenant always commits
                // with one (the rules add it). So a note that a link switched the tab stays.
                if tab.tenant.is_none() {
                    tab.tenant = Some(match untagged {
                        Untagged::Home => TabTenant::Home,
                        Untagged::NotKnown => TabTenant::NotKnown,
                    });
                }
                tab.portal = true;
            }
            Address::InvalidTid => {
                tab.switched_from = None;
                tab.portal = true;
                tab.invalid_tid = true;
            }
        }
    }

    /// The analyst chose `tenant` for the tab (it is reloaded in it).
    pub fn choose(&mut self, id: i64, tenant: TabTenant) {
        let tab = self.tabs.entry(id).or_default();
        tab.tenant = Some(tenant);
        tab.switched_from = None;
    }

    /// Forgets a closed tab.
    pub fn removed(&mut self, id: i64) {
        self.tabs.remove(&id);
    }

    /// A prerendered tab replaced another: it carries on what the old tab was.
    pub fn replaced(&mut self, added: i64, removed: i64) {
        if let Some(tab) = self.tabs.remove(&removed) {
            self.tabs.insert(added, tab);
        }
    }

    /// The rule groups: tabs with a tenant grouped by it, the home group first, then tenants in
    /// ID order, each group's tabs in ID order.
    pub fn groups(&self) -> Vec<(TabGroup, Vec<i64>)> {
        let mut groups: BTreeMap<TabGroup, Vec<i64>> = BTreeMap::new();
        for (id, tab) in &self.tabs {
            if let Some(group) = tab.tenant.and_then(TabTenant::group) {
                groups.entry(group).or_default().push(*id);
            }
        }
        groups.into_iter().collect()
    }

    /// The `storage.session` value (see the [module docs](self)).
    pub fn to_stored(&self) -> Value {
        let mut map = Map::new();
        for (id, tab) in &self.tabs {
            let Some(tenant) = tab.tenant else {
                if !tab.portal {
                    continue;
                }
                let mut entry = Map::new();
                entry.insert("portal".into(), Value::Bool(true));
                map.insert(id.to_string(), Value::Object(entry));
                continue;
            };
            let mut entry = Map::new();
            entry.insert("tenant".into(), tenant.to_value());
            entry.insert("portal".into(), Value::Bool(tab.portal));
            if tab.inherited {
                entry.insert("inherited".into(), Value::Bool(true));
            }
            if let Some(from) = tab.switched_from {
                entry.insert("switchedFrom".into(), from.to_value());
            }
            if tab.invalid_tid {
                entry.insert("invalidTid".into(), Value::Bool(true));
            }
            map.insert(id.to_string(), Value::Object(entry));
        }
        Value::Object(map)
    }
}

fn read_tab(entry: &Map<String, Value>) -> Tab {
    Tab {
        tenant: entry.get("tenant").and_then(TabTenant::from_value),
        portal: entry
            .get("portal")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        switched_from: entry.get("switchedFrom").and_then(TabTenant::from_value),
        invalid_tid: entry
            .get("invalidTid")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        inherited: entry
            .get("inherited")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    const A: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";
    const B: &str = "0b8f4e2a-1d3c-4f5e-8a7b-9c0d1e2f3a4b";

    fn id(text: &str) -> TenantId {
        TenantId::parse(text).unwrap()
    }

    fn info(id: i64, url: Option<&str>, opener: Option<i64>) -> TabInfo {
        TabInfo {
            id,
            url: url.map(str::to_owned),
            pending_url: None,
            opener_tab_id: opener,
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn a_tab_keeps_its_tenant_and_an_explicit_tid_wins() {
        let mut tabs = Tabs::default();
        tabs.created(&info(1, None, None), &Scope::defender());
        tabs.committed(
            1,
            &format!("https://security.microsoft.com/?tid={A}"),
            Untagged::Home,
            &Scope::defender(),
        );
        tabs.committed(
            1,
            "https://security.microsoft.com/incidents",
            Untagged::Home,
            &Scope::defender(),
        );
        assert_eq!(tabs.get(1).unwrap().tenant, Some(TabTenant::Tenant(id(A))));
        tabs.committed(
            1,
            &format!("https://security.microsoft.com/?tid={B}"),
            Untagged::Home,
            &Scope::defender(),
        );
        let tab = tabs.get(1).unwrap();
        assert_eq!(tab.tenant, Some(TabTenant::Tenant(id(B))));
        assert_eq!(tab.switched_from, Some(TabTenant::Tenant(id(A))));
        tabs.committed(
            1,
            "https://login.microsoftonline.com/",
            Untagged::Home,
            &Scope::defender(),
        );
        let tab = tabs.get(1).unwrap();
        assert_eq!(
            (tab.tenant, tab.portal, tab.switched_from),
            (Some(TabTenant::Tenant(id(B))), false, None)
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn opened_tabs_inherit_and_groups_are_ordered() {
        let mut tabs = Tabs::default();
        tabs.created(&info(5, None, None), &Scope::defender());
        tabs.committed(
            5,
            &format!("https://security.microsoft.com/?tid={A}"),
            Untagged::Home,
            &Scope::defender(),
        );
        tabs.created(&info(9, None, Some(5)), &Scope::defender());
        tabs.created(&info(3, None, None), &Scope::defender());
        tabs.committed(
            3,
            "https://security.microsoft.com/",
            Untagged::Home,
            &Scope::defender(),
        );
        tabs.created(
            &info(
                4,
                Some(&format!("https://security.microsoft.com/?tid={B}")),
                Some(5),
            ),
            &Scope::defender(),
        );
        assert_eq!(
            tabs.groups(),
            vec![
                (TabGroup::Home, vec![3]),
                (TabGroup::Tenant(id(B)), vec![4]),
                (TabGroup::Tenant(id(A)), vec![5, 9]),
            ]
        );
        assert_eq!(
            tabs.to_stored(),
            json!({
                "3": {"tenant": "home", "portal": true},
                "4": {"tenant": B, "portal": false},
                "5": {"tenant": A, "portal": true},
                "9": {"tenant": A, "portal": false, "inherited": true}
            })
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn restore_uses_the_store_and_else_the_address() {
        let stored = json!({"1": {"tenant": A, "portal": true}, "8": {"tenant": B}});
        let tabs = Tabs::restore(
            Some(&stored),
            &[
                info(1, Some("https://security.microsoft.com/"), None),
                info(
                    2,
                    Some(&format!("https://security.microsoft.com/?tid={B}")),
                    None,
                ),
                info(3, Some("https://security.microsoft.com/alerts"), None),
                info(4, None, None),
            ],
            &Scope::defender(),
        );
        assert_eq!(tabs.get(1).unwrap().tenant, Some(TabTenant::Tenant(id(A))));
        assert_eq!(tabs.get(2).unwrap().tenant, Some(TabTenant::Tenant(id(B))));
        assert_eq!(tabs.get(3).unwrap().tenant, Some(TabTenant::NotKnown));
        assert_eq!(tabs.get(4).unwrap().tenant, None);
        assert!(
            tabs.get(8).is_none(),
            "a stored tab that is gone is forgotten"
        );
    }
}

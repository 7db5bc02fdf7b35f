//! URL rewriting: `with_tenant`, `switch_tenant` and `tenant_of` on arbitrary text. Whatever the
//! input, a rewrite only ever yields a portal URL, keeps the tenant it was given, and is
//! idempotent; a non-portal URL is never rewritten.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenant_switch::portal::{
    is_portal_url, switch_tenant, tenant_of, with_tenant, PortalError, PORTAL_HOSTS,
};
use tenant_switch::tenant_id::TenantId;

fn is_portal_host(url: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(|h| PORTAL_HOSTS.contains(&h)))
        .unwrap_or(false)
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let Ok(tenant) = TenantId::parse(&format!("{:032x}", u128::from(seed) + 1)) else {
        return;
    };
    let portal = is_portal_url(&text);
    match with_tenant(&text, &tenant) {
        Ok(rewritten) => {
            assert!(portal, "{text:?}");
            assert!(
                is_portal_url(&rewritten) && is_portal_host(&rewritten),
                "{rewritten:?}"
            );
            assert_eq!(with_tenant(&rewritten, &tenant), Ok(rewritten.clone()));
            if tenant_of(&text) == Err(PortalError::NoTenant) {
                assert_eq!(tenant_of(&rewritten), Ok(tenant), "{text:?}");
            }
        }
        Err(_) => assert!(!portal, "{text:?}"),
    }
    match switch_tenant(&text, Some(&tenant)) {
        Ok(switched) => {
            assert!(is_portal_url(&switched), "{switched:?}");
            assert_eq!(tenant_of(&switched), Ok(tenant), "{text:?}");
            assert_eq!(
                switch_tenant(&switched, Some(&tenant)),
                Ok(switched.clone())
            );
        }
        Err(_) => assert!(!portal, "{text:?}"),
    }
    if let Ok(home) = switch_tenant(&text, None) {
        assert_eq!(tenant_of(&home), Err(PortalError::NoTenant), "{text:?}");
        assert_eq!(switch_tenant(&home, None), Ok(home.clone()));
    }
});

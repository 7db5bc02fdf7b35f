//! Tenant ID parsing: any text either fails with an error or gives an ID whose canonical form
//! parses back to the same ID. Also drives `Tenant::new` with the input split into fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenant_switch::tenant::Tenant;
use tenant_switch::tenant_id::TenantId;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(id) = TenantId::parse(&text) {
        let canonical = id.to_string();
        assert_eq!(canonical.len(), 36, "{text:?}");
        assert_eq!(TenantId::parse(&canonical), Ok(id), "{text:?}");
    }
    // Name, ID and domain separated by NUL, as a form would send them.
    let mut fields = text.splitn(3, '\0');
    let name = fields.next().unwrap_or_default();
    let id = fields.next().unwrap_or_default();
    let domain = fields.next();
    if let Ok(tenant) = Tenant::new(name, id, domain) {
        let again = Tenant::new(tenant.name(), &tenant.id().to_string(), tenant.domain());
        assert_eq!(again, Ok(tenant), "{text:?}");
    }
});

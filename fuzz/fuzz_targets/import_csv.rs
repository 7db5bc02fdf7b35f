//! The CSV import parser: a header naming the columns, then whatever the fuzzer writes.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("import_common.rs");

fuzz_target!(|data: &[u8]| {
    // A first byte below 4 picks a header, so rows are judged rather than the file refused;
    // otherwise the fuzzer writes the header too.
    let header: &[u8] = match data.first() {
        Some(0) => b"name,id,domain\n",
        Some(1) => b"sep=;\nCompany name;Microsoft ID;Primary domain\n",
        Some(2) => b"\xEF\xBB\xBFDisplay Name\tTenant ID\n",
        Some(3) => b"\"name\",\"tenantId\"\r\n",
        _ => b"",
    };
    let body = if header.is_empty() { data } else { &data[1..] };
    let mut bytes = header.to_vec();
    bytes.extend_from_slice(body);
    check_import(&bytes);
});

//! The JSON import parser: the export format or a plain array, with whatever the fuzzer writes.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("import_common.rs");

fuzz_target!(|data: &[u8]| {
    // A first byte below 2 wraps the rest in one of the two accepted shapes.
    let (prefix, suffix): (&[u8], &[u8]) = match data.first() {
        Some(0) => (b"[", b"]"),
        Some(1) => (
            b"{\"format\":\"tenant-switch\",\"version\":1,\"tenants\":[",
            b"]}",
        ),
        _ => (b"", b""),
    };
    let body = if prefix.is_empty() { data } else { &data[1..] };
    let mut bytes = prefix.to_vec();
    bytes.extend_from_slice(body);
    bytes.extend_from_slice(suffix);
    check_import(&bytes);
});

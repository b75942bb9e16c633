//! A whole collector output, as a hostile host could send it: split into sections and run
//! every parser; facts or reasons, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let facts = capdo::collect::host::HostFacts::from_output(
        &text,
        "0123456789abcdef",
        false,
        &["/var/backups/app".to_owned()],
    );
    let _ = facts.to_json();
});

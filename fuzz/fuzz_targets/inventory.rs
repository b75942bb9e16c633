//! The inventory loader on arbitrary bytes: diagnostics or a model, never a panic, and every
//! diagnostic renders.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut sources = capdo::diag::Sources::new();
    let files = vec![(std::path::PathBuf::from("fuzz.toml"), data.to_vec())];
    if let Err(d) = capdo::inventory::load_files(std::path::Path::new("fuzz"), files, &mut sources) {
        let _ = capdo::diag::render_plain(&sources, &d);
    }
});

//! The inventory: reading the TOML folder, checking it, and the validated model.
//!
//! `raw` mirrors the file format, `load` reads and deserializes it item by item, `validate`
//! resolves and checks everything (with `rendered`, the rules for free text that reaches
//! rendered configuration files), `model` is what the rest of capdo uses. Nothing here touches
//! the network or prints.

mod chunk;
pub mod load;
pub mod model;
pub mod raw;
pub mod rendered;
pub mod validate;

use std::path::Path;

use crate::diag::{Diagnostic, Sources};
pub use model::*;

/// Why an inventory could not be loaded.
pub enum LoadError {
    /// The inventory has problems; all of them are listed.
    Invalid(Vec<Diagnostic>),
    /// Reading failed (missing folder, permissions, …).
    Io(anyhow::Error),
}

/// Read, parse and validate the inventory at `root` (a folder or one file). The texts read are
/// added to `sources` so that diagnostics and findings can quote them.
pub fn load(root: &Path, sources: &mut Sources) -> Result<Inventory, LoadError> {
    let (raw, diags) = load::read(root, sources).map_err(LoadError::Io)?;
    finish(raw, diags, sources)
}

/// Validate inventory files already in memory (`(path, content)` pairs); for tests and fuzzing.
pub fn load_files(
    root: &Path,
    files: Vec<(std::path::PathBuf, Vec<u8>)>,
    sources: &mut Sources,
) -> Result<Inventory, Vec<Diagnostic>> {
    let (raw, diags) = load::read_files(root, files, sources);
    finish(raw, diags, sources).map_err(|e| match e {
        LoadError::Invalid(d) => d,
        LoadError::Io(e) => vec![Diagnostic::new("io", format!("{e:#}"))],
    })
}

fn finish(
    raw: load::RawInventory,
    mut diags: Vec<Diagnostic>,
    sources: &Sources,
) -> Result<Inventory, LoadError> {
    match validate::validate(raw, sources) {
        Ok(inv) if diags.is_empty() => Ok(inv),
        Ok(_) => Err(LoadError::Invalid(diags)),
        Err(more) => {
            diags.extend(more);
            Err(LoadError::Invalid(diags))
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn load_text(text: &[u8]) -> Result<Inventory, Vec<Diagnostic>> {
        let mut sources = Sources::new();
        let files = vec![(std::path::PathBuf::from("fuzz.toml"), text.to_vec())];
        load_files(Path::new("fuzz"), files, &mut sources)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any bytes: a result or diagnostics, never a panic, and every diagnostic renders.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let mut sources = Sources::new();
            let files = vec![(std::path::PathBuf::from("fuzz.toml"), bytes)];
            if let Err(d) = load_files(Path::new("fuzz"), files, &mut sources) {
                let _ = crate::diag::render_plain(&sources, &d);
            }
        }

        /// TOML-shaped text built from inventory words: the same.
        #[test]
        fn inventory_shaped_text_never_panics(
            lines in proptest::collection::vec(
                prop_oneof![
                    Just("[organization]".to_owned()),
                    Just("[servers.a]".to_owned()),
                    Just("[networks.n]".to_owned()),
                    Just("[systems.s]".to_owned()),
                    Just("[[flows]]".to_owned()),
                    "[a-z_]{1,12} = \"[a-z0-9./:-]{0,20}\"",
                    "[a-z_]{1,12} = [0-9-]{1,6}",
                    "[a-z_]{1,12} = \\[\"[a-z0-9.]{0,10}\"\\]",
                ],
                0..40,
            )
        ) {
            let _ = load_text(lines.join("\n").as_bytes());
        }
    }
}

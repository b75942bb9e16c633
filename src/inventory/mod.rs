//! The inventory: reading the TOML folder, checking it, and the validated model.
//!
//! `raw` mirrors the file format, `load` reads and deserializes it item by item, `validate`
//! resolves and checks everything, `model` is what the rest of capdo uses. Nothing here touches
//! the network or prints.

pub mod load;
pub mod model;
pub mod raw;
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

//! Reading the inputs a command names: the policy packs, the inventory, the waivers, and the
//! regime to judge by. Invalid input is shown at once with every diagnostic, and the command
//! stops with [`Reported`] (exit 2).

use std::path::Path;

use anyhow::bail;

use super::Io;
use super::args::{Global, RegimeArg};
use crate::check::Regimes;
use crate::diag::{self, Sources};
use crate::inventory::{self, Inventory, LoadError, Regime};
use crate::output::plural;
use crate::policy::{Catalog, waiver};

/// Invalid input, already shown with its diagnostics: the command stops with exit 2.
#[derive(Debug)]
pub struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid input (reported above)")
    }
}

impl std::error::Error for Reported {}

/// Show every problem of an input, say that nothing was checked, and stop.
pub fn invalid(
    io: &mut Io,
    sources: &Sources,
    diags: &[diag::Diagnostic],
    what: &str,
) -> anyhow::Error {
    let shown = (|| -> anyhow::Result<()> {
        diag::render_to(io.err, sources, diags)?;
        writeln!(
            io.err,
            "error: {what} has {}; nothing was checked",
            plural(diags.len(), "problem")
        )?;
        Ok(())
    })();
    match shown {
        Ok(()) => Reported.into(),
        Err(e) => e,
    }
}

/// Read the policy packs of `-p/--policies` (the built-in ones where it has none). Only the
/// commands that judge by the controls read them: a broken pack does not stop the others.
pub fn policies(g: &Global, io: &mut Io) -> anyhow::Result<Catalog> {
    let mut sources = Sources::new();
    match Catalog::load(&g.policies, &mut sources) {
        Ok(catalog) => Ok(catalog),
        Err(LoadError::Io(e)) => Err(e),
        Err(LoadError::Invalid(diags)) => {
            let what = format!("policy folder `{}`", g.policies.display());
            Err(invalid(io, &sources, &diags, &what))
        }
    }
}

/// Read and validate the inventory of `-i/--inventory`; `sources` keeps its files for locations.
pub fn inventory(g: &Global, io: &mut Io, sources: &mut Sources) -> anyhow::Result<Inventory> {
    match inventory::load(&g.inventory, sources) {
        Ok(inv) => Ok(inv),
        Err(LoadError::Io(e)) => Err(e),
        Err(LoadError::Invalid(diags)) => {
            let what = format!("inventory `{}`", g.inventory.display());
            Err(invalid(io, sources, &diags, &what))
        }
    }
}

/// The waivers file to read: the one named, else `waivers.toml` of the policies folder when
/// it exists.
pub fn waivers_path(g: &Global, named: Option<&Path>) -> Option<std::path::PathBuf> {
    match named {
        Some(path) => Some(path.to_path_buf()),
        None => Some(g.policies.join("waivers.toml")).filter(|p| p.exists()),
    }
}

/// Read and validate a waivers file against the inventory. It is part of the input: a bad one
/// stops the command.
pub fn waivers(
    path: &Path,
    inv: &Inventory,
    catalog: &Catalog,
    io: &mut Io,
    sources: &mut Sources,
) -> anyhow::Result<Vec<waiver::Waiver>> {
    match waiver::load(path, inv, catalog, sources) {
        Ok(w) => Ok(w),
        Err(LoadError::Io(e)) => Err(e),
        Err(LoadError::Invalid(diags)) => {
            let what = format!("waivers file `{}`", path.display());
            Err(invalid(io, sources, &diags, &what))
        }
    }
}

/// The regimes a check judges by: `--regime`, else the inventory's.
pub fn regimes(g: &Global, inv: &Inventory) -> Regimes {
    match g.regime {
        Some(RegimeArg::Both) => Regimes::Both {
            main: inv.organization.regime,
        },
        Some(r) => Regimes::One(r.single().unwrap_or(inv.organization.regime)),
        None => Regimes::One(inv.organization.regime),
    }
}

/// The one regime of a command that cannot judge by both.
pub fn regime(g: &Global, inv: &Inventory) -> anyhow::Result<Regime> {
    match regimes(g, inv) {
        Regimes::One(r) => Ok(r),
        Regimes::Both { .. } => {
            bail!(
                "`--regime both` applies to `check` and `controls` (and, during the transition, `dossier` and `annual-report`); choose `nd85` or `nd331` here"
            )
        }
    }
}

/// The regime of an inventory a command writes (`init`, `import`): `--regime`, default nd331,
/// the regime in force since 19/8/2026.
pub fn written_regime(g: &Global) -> anyhow::Result<Regime> {
    match g.regime {
        None | Some(RegimeArg::Nd331) => Ok(Regime::Nd331),
        Some(RegimeArg::Nd85) => Ok(Regime::Nd85),
        Some(RegimeArg::Both) => {
            bail!("an inventory has one regime; choose `--regime nd85` or `--regime nd331`")
        }
    }
}

//! `capdo init DIR`: a commented starter inventory in a new or empty folder.

use std::path::Path;

use anyhow::{Context as _, bail};

use crate::cli::args::Global;
use crate::cli::{Io, input};
use crate::exit::Exit;
use crate::output::write_atomic;

pub fn run(g: &Global, io: &mut Io, dir: &Path) -> anyhow::Result<Exit> {
    let regime = input::written_regime(g)?;
    if dir.exists() {
        if !dir.is_dir() {
            bail!("`{}` exists and is not a folder", dir.display());
        }
        let mut entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "`{}` is not empty; `capdo init` only writes into a new or empty folder",
                dir.display()
            );
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let path = dir.join(crate::init::INVENTORY_FILE);
    write_atomic(&path, crate::init::starter(regime).as_bytes())?;
    if !g.quiet {
        writeln!(
            io.err,
            "wrote a starter inventory ({}) to {}\nnext: edit it, then `capdo -i {} validate` and `capdo -i {} check --offline`",
            regime.as_str(),
            path.display(),
            dir.display(),
            dir.display()
        )?;
    }
    Ok(Exit::Ok)
}

//! `capdo controls`: the controls of the packs, as a table or as the reference page.

use crate::cli::args::{Global, RegimeArg};
use crate::cli::{Io, input};
use crate::exit::Exit;
use crate::inventory::Regime;
use crate::policy::docs::{ListFormat, list};

pub fn run(g: &Global, io: &mut Io, level: Option<u8>, format: ListFormat) -> anyhow::Result<Exit> {
    let catalog = input::policies(g, io)?;
    let regimes = match g.regime {
        None => vec![],
        Some(RegimeArg::Both) => vec![Regime::Nd85, Regime::Nd331],
        Some(r) => r.single().into_iter().collect(),
    };
    io.out
        .write_all(list(&catalog, g.lang, &regimes, level, format).as_bytes())?;
    Ok(Exit::Ok)
}

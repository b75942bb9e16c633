//! `capdo explain ID`: one control in full.

use anyhow::bail;

use crate::cli::args::Global;
use crate::cli::{Io, input};
use crate::exit::Exit;
use crate::policy::docs;

pub fn run(g: &Global, io: &mut Io, id: &str) -> anyhow::Result<Exit> {
    let catalog = input::policies(g, io)?;
    let Some(c) = catalog.find_any(id) else {
        let hint = crate::diag::suggest(&id.to_ascii_uppercase(), catalog.all_ids())
            .map(|h| format!(" ({h})"))
            .unwrap_or_else(|| " (`capdo controls` lists them)".into());
        bail!("no control `{id}`{hint}");
    };
    io.out
        .write_all(docs::explain(&catalog, &c.id).as_bytes())?;
    Ok(Exit::Ok)
}

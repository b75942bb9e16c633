//! `capdo dossier SYSTEM`: the level-proposal dossier of one system.

use std::path::Path;

use super::emit_document;
use crate::cli::args::Global;
use crate::cli::{Io, input};
use crate::diag::Sources;
use crate::exit::Exit;

pub fn run(
    g: &Global,
    io: &mut Io,
    system: &str,
    format: crate::dossier::Format,
    report: Option<&Path>,
    output: Option<&Path>,
) -> anyhow::Result<Exit> {
    let catalog = input::policies(g, io)?;
    let inv = input::inventory(g, io, &mut Sources::new())?;
    // `--regime both` as `check` reads it; the library refuses it outside the transition.
    let regimes = input::regimes(g, &inv);
    let bytes = crate::dossier::dossier_command(
        &catalog,
        &inv,
        regimes,
        g.today,
        system,
        format,
        report,
        &g.templates,
    )?;
    emit_document(
        io,
        output,
        &bytes,
        format.is_binary(),
        &format!("dossier-{system}.docx"),
    )?;
    Ok(Exit::Ok)
}

//! `capdo annual-report`: the annual report (Mẫu 08).

use std::path::Path;

use super::emit_document;
use crate::cli::args::Global;
use crate::cli::{Io, input};
use crate::diag::Sources;
use crate::exit::Exit;

pub fn run(
    g: &Global,
    io: &mut Io,
    format: crate::dossier::AnnualFormat,
    report: Option<&Path>,
    output: Option<&Path>,
) -> anyhow::Result<Exit> {
    let catalog = input::policies(g, io)?;
    let inv = input::inventory(g, io, &mut Sources::new())?;
    // `--regime both` as `check` reads it; the library refuses it outside the transition.
    let regimes = input::regimes(g, &inv);
    let bytes = crate::dossier::annual_command(
        &catalog,
        &inv,
        regimes,
        g.today,
        format,
        report,
        &g.templates,
    )?;
    emit_document(
        io,
        output,
        &bytes,
        format.is_binary(),
        &format!("annual-report-{}.docx", g.today.year()),
    )?;
    Ok(Exit::Ok)
}

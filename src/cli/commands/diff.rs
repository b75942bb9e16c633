//! `capdo diff OLD NEW`: compare two JSON reports and gate on what got worse.

use std::path::{Path, PathBuf};

use anyhow::bail;

use super::emit;
use crate::cli::Io;
use crate::cli::args::DiffFormat;
use crate::exit::Exit;
use crate::policy::Severity;
use crate::report::diff as d;

pub fn run(
    io: &mut Io,
    (old, new): (&PathBuf, &PathBuf),
    format: DiffFormat,
    output: Option<&Path>,
    fail_on: Severity,
    allow_regime_change: bool,
) -> anyhow::Result<Exit> {
    let (old, new) = (d::read(old)?, d::read(new)?);
    if old.regime() != new.regime() && !allow_regime_change {
        bail!(
            "the reports were judged by different regimes: `$.regime` is `{}` in `{}` and `{}` in `{}`; pass --allow-regime-change to compare them anyway",
            old.regime(),
            old.file(),
            new.regime(),
            new.file()
        );
    }
    let result = d::compare(&old, &new, fail_on);
    let text = match format {
        DiffFormat::Text => d::text(&result),
        DiffFormat::Json => d::json(&result),
        DiffFormat::Md => d::markdown(&result),
    };
    emit(io, output, &text)?;
    Ok(Exit::gate(
        result.gate.failing > 0,
        result.gate.unproven > 0,
    ))
}

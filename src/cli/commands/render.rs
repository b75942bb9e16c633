//! `capdo render`: the configuration files of the servers, written into `DIR/<server>/…`.

use std::path::Path;

use anyhow::Context as _;

use crate::cli::args::Global;
use crate::cli::{Io, input};
use crate::diag::Sources;
use crate::exit::Exit;
use crate::output::{plural, write_atomic};
use crate::render::{Kind, render_selected};

pub fn run(
    g: &Global,
    io: &mut Io,
    hosts: &[String],
    kinds: &[Kind],
    out: &Path,
) -> anyhow::Result<Exit> {
    let inv = input::inventory(g, io, &mut Sources::new())?;
    let regime = input::regime(g, &inv)?;
    let servers = inv.select_servers(hosts)?;
    let (files, skipped) = render_selected(&inv, regime, &servers, kinds, &g.templates)?;
    for f in &files {
        let path = out
            .join(&inv.servers[f.server].id)
            .join(f.path.trim_start_matches('/'));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
        }
        write_atomic(&path, f.content.as_bytes())?;
    }
    if !g.quiet {
        writeln!(
            io.err,
            "rendered {} for {} into {}",
            plural(files.len(), "file"),
            plural(servers.len(), "host"),
            out.display()
        )?;
        if g.verbose {
            for s in &skipped {
                writeln!(
                    io.err,
                    "  {} {}: skipped, {}",
                    inv.servers[s.server].id,
                    s.kind.as_str(),
                    s.reason
                )?;
            }
        } else if !skipped.is_empty() {
            writeln!(
                io.err,
                "  {} skipped where they do not apply (-v lists them)",
                plural(skipped.len(), "kind")
            )?;
        }
    }
    Ok(Exit::Ok)
}

//! `capdo render`: the configuration files of the servers, written into `DIR/<server>/…`.

use std::path::Path;

use crate::cli::args::Global;
use crate::cli::{Io, input};
use crate::diag::Sources;
use crate::exit::Exit;
use crate::output::{Mode, create_dir_all, plural, refuse_symlinks_below, write_atomic};
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
        // What is rendered for one server stays in its tree: never written through a link.
        refuse_symlinks_below(out, &path)?;
        if let Some(dir) = path.parent() {
            create_dir_all(dir, Mode::Shared)?;
        }
        refuse_symlinks_below(out, &path)?;
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

//! `capdo drift`: the rendered files compared with the live ones, read over SSH.

use std::io::IsTerminal as _;

use super::scan::{Bar, ssh};
use crate::cli::args::Global;
use crate::cli::{Io, input};
use crate::diag::Sources;
use crate::exit::Exit;
use crate::render::{Kind, drift, render_selected};

pub fn run(
    g: &Global,
    io: &mut Io,
    hosts: &[String],
    kinds: &[Kind],
    format: drift::Format,
) -> anyhow::Result<Exit> {
    let inv = input::inventory(g, io, &mut Sources::new())?;
    let regime = input::regime(g, &inv)?;
    let servers = inv.select_servers(hosts)?;
    let (files, _) = render_selected(&inv, regime, &servers, kinds, &g.templates)?;
    let (transport, options) = ssh(g);
    let bar = Bar::new(servers.len(), !g.quiet && std::io::stderr().is_terminal());
    let report = drift::drift(&inv, &files, &transport, &options, g.ssh.jobs, &bar);
    bar.finish();
    let drifted = report.iter().any(|h| h.drifted());
    let unread = report.iter().any(|h| h.error.is_some());
    io.out
        .write_all(drift::render(&report, format, g.verbose)?.as_bytes())?;
    Ok(Exit::gate(drifted, unread))
}

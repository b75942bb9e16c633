//! `capdo impact NODE`: what stops when NODE fails.

use crate::cli::args::Global;
use crate::cli::{Io, input};
use crate::diag::Sources;
use crate::exit::Exit;
use crate::graph::{Graph, impact};

pub fn run(g: &Global, io: &mut Io, node: &str, format: impact::Format) -> anyhow::Result<Exit> {
    let inv = input::inventory(g, io, &mut Sources::new())?;
    let graph = Graph::build(&inv, input::regime(g, &inv)?);
    let failed = inv.resolve_node(node)?;
    io.out
        .write_all(impact::render(&inv, &graph, failed, format).as_bytes())?;
    Ok(Exit::Ok)
}

//! `capdo graph`: the dependency graph as DOT, Mermaid or JSON.

use crate::cli::args::{Global, GraphFormat};
use crate::cli::{Io, input};
use crate::diag::Sources;
use crate::exit::Exit;
use crate::graph::{Graph, export};

pub fn run(
    g: &Global,
    io: &mut Io,
    format: GraphFormat,
    focus: Option<&str>,
) -> anyhow::Result<Exit> {
    let inv = input::inventory(g, io, &mut Sources::new())?;
    let graph = Graph::build(&inv, input::regime(g, &inv)?);
    let focus = focus.map(|f| inv.resolve_node(f)).transpose()?;
    let text = match format {
        GraphFormat::Dot => export::dot(&inv, &graph, focus),
        GraphFormat::Mermaid => export::mermaid(&inv, &graph, focus),
        GraphFormat::Json => export::json(&inv, &graph, focus),
    };
    io.out.write_all(text.as_bytes())?;
    Ok(Exit::Ok)
}

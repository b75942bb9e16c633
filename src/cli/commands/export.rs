//! `capdo export ansible`: the servers as an Ansible inventory.

use std::path::Path;

use super::emit;
use crate::cli::args::{AnsibleFormat, Global};
use crate::cli::{Io, input};
use crate::diag::Sources;
use crate::exit::Exit;
use crate::graph::Graph;
use crate::import::export;

pub fn run(
    g: &Global,
    io: &mut Io,
    format: AnsibleFormat,
    output: Option<&Path>,
) -> anyhow::Result<Exit> {
    let inv = input::inventory(g, io, &mut Sources::new())?;
    let regime = input::regime(g, &inv)?;
    let format = match format {
        AnsibleFormat::Ini => export::Format::Ini,
        AnsibleFormat::Yaml => export::Format::Yaml,
    };
    let text = export::ansible(&inv, &Graph::build(&inv, regime), format);
    emit(io, output, &text)?;
    Ok(Exit::Ok)
}

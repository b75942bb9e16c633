//! `capdo completions SHELL`: a shell completion script generated from the command line.

use clap::CommandFactory as _;

use crate::cli::Io;
use crate::cli::args::Cli;
use crate::exit::Exit;

/// The completion script for `shell`.
pub fn script(shell: clap_complete::Shell) -> String {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "capdo", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

pub fn run(io: &mut Io, shell: clap_complete::Shell) -> anyhow::Result<Exit> {
    io.out.write_all(script(shell).as_bytes())?;
    Ok(Exit::Ok)
}

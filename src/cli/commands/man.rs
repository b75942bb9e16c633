//! `capdo man`: manual pages generated from the command line.

use std::path::Path;

use anyhow::Context as _;
use clap::CommandFactory as _;

use crate::cli::Io;
use crate::cli::args::{Cli, Global};
use crate::exit::Exit;
use crate::output::write_atomic;

/// Manual pages: the main page and one per subcommand, as (file name, roff text).
pub fn pages() -> anyhow::Result<Vec<(String, String)>> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    fn walk(cmd: &clap::Command, pages: &mut Vec<(String, String)>) -> anyhow::Result<()> {
        let man = clap_mangen::Man::new(cmd.clone());
        let mut roff = Vec::new();
        man.render(&mut roff)?;
        pages.push((man.get_filename(), String::from_utf8(roff)?));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, pages)?;
        }
        Ok(())
    }
    walk(&cmd, &mut pages)?;
    Ok(pages)
}

pub fn run(g: &Global, io: &mut Io, out: Option<&Path>) -> anyhow::Result<Exit> {
    let pages = pages()?;
    match out {
        None => {
            if let Some((_, main)) = pages.first() {
                io.out.write_all(main.as_bytes())?;
            }
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
            for (name, roff) in &pages {
                write_atomic(&dir.join(name), roff.as_bytes())?;
            }
            if !g.quiet {
                writeln!(
                    io.err,
                    "wrote {} manual pages to {}",
                    pages.len(),
                    dir.display()
                )?;
            }
        }
    }
    Ok(Exit::Ok)
}

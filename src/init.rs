//! Getting started: `capdo init DIR` (a commented starter inventory), `capdo import ansible`
//! (an inventory from what the operator already keeps), `capdo completions SHELL` and
//! `capdo man` (shell completion scripts and manual pages generated from the command line).
//!
//! The text comes from pure functions ([`starter`], [`man_pages`], the [`crate::import`]
//! module); [`dispatch`] writes it to the injected writers or, atomically, to files.

use std::path::Path;

use anyhow::{Context as _, bail};
use clap::CommandFactory as _;

use crate::cli::{Cli, Command, Exit, ImportFrom, Io, RegimeArg, write_atomic};
use crate::inventory::Regime;

/// The starter inventory, with `{{regime}}`, `{{regime_note}}` and `{{level_basis}}` to fill.
const STARTER: &str = include_str!("../templates/init/inventory.toml");

/// The file `init` and `import --out` write in their folder.
pub const INVENTORY_FILE: &str = "inventory.toml";

/// The starter inventory for `regime`.
pub fn starter(regime: Regime) -> String {
    let (name, note, basis) = match regime {
        Regime::Nd85 => (
            "nd85",
            "legacy regime: NĐ 85/2016 + TT 12/2022 + TCVN 11930:2017",
            "NĐ 85/2016 Đ8.1",
        ),
        Regime::Nd331 => (
            "nd331",
            "current regime: Luật 116/2025 + NĐ 331/2026 + TCVN 14423:2026",
            "NĐ 331/2026 Đ12.1",
        ),
    };
    STARTER
        .replace("{{regime}}", name)
        .replace("{{regime_note}}", note)
        .replace("{{level_basis}}", basis)
}

/// Manual pages: the main page and one per subcommand, as (file name, roff text).
pub fn man_pages() -> anyhow::Result<Vec<(String, String)>> {
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

/// The completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> String {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "capdo", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The regime asked for with `--regime`, for commands that write an inventory (default nd331,
/// the regime in force since 19/8/2026).
fn regime(cli: &Cli) -> anyhow::Result<Regime> {
    match cli.regime {
        None | Some(RegimeArg::Nd331) => Ok(Regime::Nd331),
        Some(RegimeArg::Nd85) => Ok(Regime::Nd85),
        Some(RegimeArg::Both) => {
            bail!("an inventory has one regime; choose `--regime nd85` or `--regime nd331`")
        }
    }
}

/// Run the commands that need no inventory: `init`, `import`, `completions`, `man`. `None`
/// for every other command.
pub fn dispatch(cli: &Cli, io: &mut Io) -> Option<anyhow::Result<Exit>> {
    let run = match &cli.command {
        Command::Init { dir } => init(cli, io, dir),
        Command::Import {
            from: ImportFrom::Ansible { inventory, out },
        } => import_ansible(cli, io, inventory, out.as_deref()),
        Command::Completions { shell } => io
            .out
            .write_all(completions(*shell).as_bytes())
            .map(|()| Exit::Ok)
            .map_err(Into::into),
        Command::Man { out } => man(cli, io, out.as_deref()),
        _ => return None,
    };
    Some(run)
}

fn init(cli: &Cli, io: &mut Io, dir: &Path) -> anyhow::Result<Exit> {
    let regime = regime(cli)?;
    if dir.exists() {
        if !dir.is_dir() {
            bail!("`{}` exists and is not a folder", dir.display());
        }
        let mut entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "`{}` is not empty; `capdo init` only writes into a new or empty folder",
                dir.display()
            );
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let path = dir.join(INVENTORY_FILE);
    write_atomic(&path, starter(regime).as_bytes())?;
    if !cli.quiet {
        writeln!(
            io.err,
            "wrote a starter inventory ({}) to {}\nnext: edit it, then `capdo -i {} validate` and `capdo -i {} check --offline`",
            regime.as_str(),
            path.display(),
            dir.display(),
            dir.display()
        )?;
    }
    Ok(Exit::Ok)
}

fn import_ansible(
    cli: &Cli,
    io: &mut Io,
    inventory: &Path,
    out: Option<&Path>,
) -> anyhow::Result<Exit> {
    let regime = regime(cli)?;
    let parsed = crate::import::ansible::load(inventory)?;
    let imported = crate::import::to_toml::to_toml(&parsed, regime)?;
    match out {
        None => io.out.write_all(imported.toml.as_bytes())?,
        Some(dir) => {
            let path = dir.join(INVENTORY_FILE);
            if path.exists() {
                bail!(
                    "`{}` exists; import into a new folder, or move it away first",
                    path.display()
                );
            }
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
            write_atomic(&path, imported.toml.as_bytes())?;
        }
    }
    if !cli.quiet {
        let target = out
            .map(|d| d.join(INVENTORY_FILE).display().to_string())
            .unwrap_or_else(|| "standard output".to_owned());
        writeln!(
            io.err,
            "imported {} hosts into {} networks ({}); {} TODO marks to complete",
            imported.servers, imported.networks, target, imported.todos
        )?;
        if !parsed.vaulted.is_empty() {
            let files: Vec<String> = parsed
                .vaulted
                .iter()
                .map(|f| f.display().to_string())
                .collect();
            writeln!(
                io.err,
                "  not read (encrypted with ansible-vault): {}",
                files.join(", ")
            )?;
        }
        if !imported.without_address.is_empty() {
            writeln!(
                io.err,
                "  no IP address for: {}",
                imported.without_address.join(", ")
            )?;
        }
        if let Some(dir) = out {
            writeln!(
                io.err,
                "next: `capdo -i {} validate` lists what is still missing",
                dir.display()
            )?;
        }
    }
    Ok(Exit::Ok)
}

fn man(cli: &Cli, io: &mut Io, out: Option<&Path>) -> anyhow::Result<Exit> {
    let pages = man_pages()?;
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
            if !cli.quiet {
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

//! `capdo import ansible INVENTORY`: a capdo inventory from an Ansible one.

use std::path::Path;

use anyhow::{Context as _, bail};

use crate::cli::args::Global;
use crate::cli::{Io, input};
use crate::exit::Exit;
use crate::import::to_toml::Options;
use crate::inventory::Zone;
use crate::output::write_atomic;

pub fn run(
    g: &Global,
    io: &mut Io,
    inventory: &Path,
    out: Option<&Path>,
    datacenter: Option<String>,
    zone: Option<Zone>,
) -> anyhow::Result<Exit> {
    let options = Options {
        regime: input::written_regime(g)?,
        datacenter,
        zone,
        base: std::env::current_dir().context("cannot read the current folder")?,
    };
    let parsed = crate::import::ansible::load(inventory)?;
    let imported = crate::import::to_toml::to_toml(&parsed, &options)?;
    match out {
        None => io.out.write_all(imported.toml.as_bytes())?,
        Some(dir) => {
            let path = dir.join(crate::init::INVENTORY_FILE);
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
    if !g.quiet {
        let target = out
            .map(|d| d.join(crate::init::INVENTORY_FILE).display().to_string())
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
        if let Some(commented) = imported.no_hosts {
            let why = match commented {
                0 => "it names no host".to_owned(),
                1 => "its one host line is commented out".to_owned(),
                n => format!("all its {n} host lines are commented out"),
            };
            writeln!(
                io.err,
                "  no host imported: {why}; uncomment them in `{}` and import again",
                inventory.display()
            )?;
        }
        if !imported.without_address.is_empty() {
            writeln!(
                io.err,
                "  no IP address for: {}",
                imported.without_address.join(", ")
            )?;
        }
        if !imported.not_ssh.is_empty() {
            let hosts: Vec<String> = imported
                .not_ssh
                .iter()
                .map(|(h, kind)| format!("`{h}` ({kind})"))
                .collect();
            writeln!(
                io.err,
                "  not reached over SSH, left as commented TODO entries: {}",
                hosts.join(", ")
            )?;
        }
        for (jump, hosts) in &imported.outside_jumps {
            writeln!(
                io.err,
                "  jump host outside this inventory, not followed: `{jump}` (for {})",
                hosts.join(", ")
            )?;
        }
        if !imported.unresolved.is_empty() {
            writeln!(
                io.err,
                "  templates left unset (TODO): {}",
                imported.unresolved.join(", ")
            )?;
        }
        if !imported.relative_keys.is_empty() {
            writeln!(
                io.err,
                "  relative key paths resolved against this folder: {}",
                imported.relative_keys.join(", ")
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

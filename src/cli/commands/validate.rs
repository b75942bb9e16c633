//! `capdo validate`: read the policy packs, the inventory and the waivers; report every problem
//! at once (exit 2) or a one-line summary (exit 0).

use crate::cli::args::Global;
use crate::cli::{Io, input};
use crate::diag::Sources;
use crate::exit::Exit;
use crate::output::plural;

pub fn run(g: &Global, io: &mut Io) -> anyhow::Result<Exit> {
    let catalog = input::policies(g, io)?;
    let mut sources = Sources::new();
    let inv = input::inventory(g, io, &mut sources)?;
    let waivers_path = input::waivers_path(g, None);
    let waivers = match &waivers_path {
        Some(path) => input::waivers(path, &inv, &catalog, io, &mut sources)?,
        None => Vec::new(),
    };
    // Attestations name controls, which only the packs know.
    let problems = crate::dossier::attestation_problems(&inv, &catalog);
    if !problems.is_empty() {
        let what = format!("inventory `{}`", g.inventory.display());
        return Err(input::invalid(io, &sources, &problems, &what));
    }
    // Valid, but some levels cannot be decided: say which key is missing, where.
    let regimes = input::regimes(g, &inv);
    let mut warnings = Vec::new();
    for regime in regimes.list() {
        for w in crate::graph::level::missing_inputs(&inv, regime) {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
    }
    // Valid, but the law would not accept it as it stands: an appraiser that operates the system.
    warnings.extend(crate::dossier::appraisal_warnings(&inv, regimes.main()));
    if !warnings.is_empty() {
        crate::diag::render_to(&mut io.err, &sources, &warnings)?;
    }
    if !g.quiet {
        let counts = [
            (inv.datacenters.len(), "datacenter"),
            (inv.networks.len(), "network"),
            (inv.servers.len(), "server"),
            (inv.systems.len(), "system"),
            (inv.externals.len(), "external"),
            (inv.flows.len(), "flow"),
        ]
        .map(|(n, what)| plural(n, what))
        .join(", ");
        writeln!(
            io.out,
            "inventory `{}` is valid: {counts}{}",
            g.inventory.display(),
            if warnings.is_empty() {
                String::new()
            } else {
                format!(" ({}, shown above)", plural(warnings.len(), "warning"))
            }
        )?;
        if let Some(path) = &waivers_path {
            writeln!(
                io.out,
                "waivers `{}` are valid: {}",
                path.display(),
                plural(waivers.len(), "waiver")
            )?;
        }
    }
    Ok(Exit::Ok)
}

//! `capdo scan --facts-out FILE`: read the hosts over SSH and save the facts, without judging.
//! Also the SSH transport and progress bar that `check` and `drift` share.

use std::io::IsTerminal as _;
use std::path::Path;

use crate::cli::args::Global;
use crate::cli::{Io, input};
use crate::collect::hosts::Options;
use crate::collect::transport::Ssh2;
use crate::diag::Sources;
use crate::exit::Exit;
use std::io::Write as _;

use anyhow::Context as _;

use crate::collect::Keep;
use crate::collect::record::{HostRecord, Spool};
use crate::output::{AtomicFile, Mode, plural};

pub fn run(g: &Global, io: &mut Io, facts_out: &Path, hosts: &[String]) -> anyhow::Result<Exit> {
    let inv = input::inventory(g, io, &mut Sources::new())?;
    let servers = inv.select_servers(hosts)?;
    let (transport, options) = ssh(g);
    let bar = Bar::new(servers.len(), !g.quiet && std::io::stderr().is_terminal());
    // Each host's record is spooled as it finishes: nothing a host said is held until the
    // last one answers (issue 19).
    let mut spool = Spool::new().map_err(|e| anyhow::anyhow!("cannot create a spool file: {e}"))?;
    let generated_at = now()?;
    let mut add = |id: &str, rec: &HostRecord| spool.add(id, rec);
    let collected = crate::collect::collect(
        &inv,
        &servers,
        &transport,
        &options,
        g.ssh.jobs,
        &bar,
        generated_at.clone(),
        Keep::Sink(&mut add),
    );
    bar.finish();
    if let Some(e) = collected.sink_error {
        anyhow::bail!("cannot spool the facts of the scan: {e}");
    }
    // Raw host output: for the owner only.
    let mut file = AtomicFile::create(facts_out, Mode::Private)?;
    {
        let mut w = std::io::BufWriter::new(&mut file);
        spool
            .finish(&collected.record.tool, &generated_at, &mut w)
            .and_then(|()| w.flush())
            .with_context(|| format!("cannot write `{}`", facts_out.display()))?;
    }
    file.commit()?;
    let mut failed: Vec<(&str, String)> = collected
        .statuses
        .iter()
        .filter(|(_, (status, _))| *status != crate::collect::TargetStatus::Scanned)
        .map(|(&i, (status, error))| {
            let why = crate::diag::mask_controls(error.as_deref().unwrap_or(""));
            let id = inv.servers[i].id.as_str();
            (id, format!("{id}: {status} ({why})"))
        })
        .collect();
    // In id order, as the facts file lists them.
    failed.sort();
    let failed: Vec<String> = failed.into_iter().map(|(_, f)| f).collect();
    if !g.quiet {
        writeln!(
            io.err,
            "scanned {} of {}; facts written to {}",
            servers.len() - failed.len(),
            plural(servers.len(), "host"),
            facts_out.display()
        )?;
        for f in &failed {
            writeln!(io.err, "  not scanned: {f}")?;
        }
    }
    Ok(Exit::gate(false, !failed.is_empty()))
}

/// The time of this run, to the second (RFC 3339).
pub fn now() -> anyhow::Result<String> {
    Ok(jiff::Timestamp::now()
        .round(jiff::Unit::Second)?
        .to_string())
}

/// The SSH transport and connection options of the command line.
pub fn ssh(g: &Global) -> (Ssh2, Options) {
    let transport = Ssh2::new(
        g.ssh.accept_new_host_keys,
        std::env::var("CAPDO_SSH_PASSPHRASE").ok(),
    );
    let options = Options::discover(
        g.ssh.identity.clone(),
        g.ssh.known_hosts.clone(),
        g.ssh.timeout,
        &g.inventory,
    );
    (transport, options)
}

/// The scan's progress bar on stderr (only on a terminal).
pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    pub fn new(total: usize, show: bool) -> Bar {
        Bar(show.then(|| {
            let pb = indicatif::ProgressBar::new(total as u64);
            pb.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} scanning {pos}/{len} hosts {wide_bar} {elapsed}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            pb
        }))
    }

    pub fn finish(&self) {
        if let Some(pb) = &self.0 {
            pb.finish_and_clear();
        }
    }
}

impl crate::collect::scan::Progress for Bar {
    fn done(&self, _host: &str, _ok: bool) {
        if let Some(pb) = &self.0 {
            pb.inc(1);
        }
    }
}

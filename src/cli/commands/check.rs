//! `capdo check`: read the inputs, run the [`crate::check`] use case, write the report in each
//! format asked for, and keep an evidence bundle when asked.

use std::path::Path;

use super::scan::{Bar, now, ssh};
use crate::check::{CheckPlan, Hosts};
use crate::cli::args::Global;
use crate::cli::{Io, input};
use crate::collect::record::{FactsFile, Replay};
use crate::diag::Sources;
use crate::exit::Exit;
use crate::output::{AtomicFile, Mode};
use crate::policy::Severity;
use crate::report;

/// The arguments of `capdo check`.
pub struct Args<'a> {
    pub offline: bool,
    /// Saved scans to judge, merged.
    pub facts: &'a [std::path::PathBuf],
    pub hosts: &'a [String],
    pub format: report::Format,
    pub output: Option<&'a Path>,
    /// The `--out-*` files: more formats of the same run.
    pub also: [(report::Format, Option<&'a Path>); 5],
    pub fail_on: Severity,
    pub waivers: Option<&'a Path>,
    pub evidence: Option<&'a Path>,
}

pub fn run(g: &Global, io: &mut Io, args: &Args) -> anyhow::Result<Exit> {
    use std::io::IsTerminal as _;
    let catalog = input::policies(g, io)?;
    let mut sources = Sources::new();
    let inv = input::inventory(g, io, &mut sources)?;
    let waivers = match input::waivers_path(g, args.waivers) {
        Some(path) => input::waivers(&path, &inv, &catalog, io, &mut sources)?,
        None => Vec::new(),
    };
    let regimes = input::regimes(g, &inv);
    // Refuse an unusable evidence folder before scanning anything.
    let evidence = args.evidence.map(crate::evidence::prepare).transpose()?;
    let servers = inv.select_servers(args.hosts)?;

    let replay = if args.facts.is_empty() {
        None
    } else {
        Some(Replay::new(FactsFile::read_all(args.facts)?))
    };
    // How to reach hosts (also what a replay resolves them with); offline, nothing is read.
    let reach = (!args.offline).then(|| ssh(g));
    let live = reach.is_some() && replay.is_none();
    let bar = Bar::new(
        servers.len(),
        !g.quiet && live && std::io::stderr().is_terminal(),
    );
    let hosts = match (&reach, &replay) {
        (None, _) => Hosts::Offline,
        (Some((_, options)), Some(r)) => Hosts::Scan {
            transport: r,
            options,
            jobs: g.ssh.jobs,
            progress: &bar,
            keep_raw: evidence.is_some(),
        },
        (Some((ssh, options)), None) => Hosts::Scan {
            transport: ssh,
            options,
            jobs: g.ssh.jobs,
            progress: &bar,
            keep_raw: evidence.is_some(),
        },
    };
    let plan = CheckPlan {
        regimes,
        servers,
        partial: !args.hosts.is_empty(),
        hosts,
        today: g.today,
        generated_at: now()?,
        fail_on: args.fail_on,
        lang: g.lang,
    };
    let outcome = crate::check::run(&catalog, &inv, &sources, &waivers, plan);
    bar.finish();

    // Every output is written as it is rendered, into a temporary file (standard output's into
    // an unnamed one), and the files are renamed into place only once all were written: a bad
    // template writes nothing.
    let renderer = report::Renderer {
        report: &outcome.report,
        inventory: &inv,
        graph: &outcome.graph,
        lang: g.lang,
        templates: Some(&g.templates),
        style: report::text::Style { verbose: g.verbose },
    };
    // The text report on standard output keeps its colours apart from the text, so they are
    // set on the stream (when it takes colour) and never pass as text.
    let styled =
        (args.format == report::Format::Text && args.output.is_none()).then(|| renderer.text());
    let mut files = Vec::new();
    let mut stdout = None;
    if styled.is_none() {
        match args.output {
            Some(path) => {
                let mut file = AtomicFile::create(path, Mode::Shared)?;
                renderer.write(args.format, &mut file)?;
                files.push(file);
            }
            None => {
                let mut spool = tempfile::tempfile()
                    .map_err(|e| anyhow::anyhow!("cannot create a spool file: {e}"))?;
                renderer.write(args.format, &mut spool)?;
                stdout = Some(spool);
            }
        }
    }
    for (format, path) in args.also.iter().filter_map(|&(f, p)| p.map(|p| (f, p))) {
        let mut file = AtomicFile::create(path, Mode::Shared)?;
        renderer.write(format, &mut file)?;
        files.push(file);
    }
    if let Some(styled) = &styled {
        styled.write_to(io.out)?;
    }
    if let Some(mut spool) = stdout {
        use std::io::Seek as _;
        spool.rewind()?;
        std::io::copy(&mut spool, io.out)?;
    }
    for file in files {
        file.commit()?;
    }

    if let Some(dest) = &evidence {
        let mut bundle = crate::evidence::Bundle::default();
        bundle.inputs(&sources, &g.inventory, &g.policies);
        // The policy packs judged by (built in or from the policies folder).
        for f in catalog.pack_files() {
            bundle.add(
                &format!("policies/{}", f.name),
                f.text.as_bytes().to_vec(),
                Some(f.origin.clone()),
            );
        }
        bundle.add(
            "report.json",
            report::json(&outcome.report).into_bytes(),
            None,
        );
        if let Some(record) = &outcome.scan {
            bundle.scan(record);
        }
        let run = crate::evidence::Run {
            command_line: g.command_line.clone(),
            generated_at: outcome.report.generated_at.clone(),
            mode: match (args.offline, args.facts.is_empty()) {
                (true, _) => "offline",
                (false, false) => "facts",
                (false, true) => "scan",
            },
            facts_input: (!args.facts.is_empty()).then(|| {
                args.facts
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
            exit_code: outcome.exit as i32,
        };
        crate::evidence::write(dest, bundle, run)?;
    }
    let exit = outcome.exit;
    crate::cli::release((outcome, inv, sources, catalog, waivers));
    Ok(exit)
}

//! `capdo check`: read the inputs, run the [`crate::check`] use case, write the report in each
//! format asked for, and keep an evidence bundle when asked.

use std::path::Path;

use super::emit;
use super::scan::{Bar, now, ssh};
use crate::check::{CheckPlan, Hosts};
use crate::cli::args::Global;
use crate::cli::{Io, input};
use crate::collect::record::{FactsFile, Replay};
use crate::diag::Sources;
use crate::exit::Exit;
use crate::output::write_atomic;
use crate::policy::Severity;
use crate::report;

/// The arguments of `capdo check`.
pub struct Args<'a> {
    pub offline: bool,
    pub facts: Option<&'a Path>,
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

    let replay = args
        .facts
        .map(FactsFile::read)
        .transpose()?
        .map(Replay::new);
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
        },
        (Some((ssh, options)), None) => Hosts::Scan {
            transport: ssh,
            options,
            jobs: g.ssh.jobs,
            progress: &bar,
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

    // Every output is rendered before any is written: a bad template writes nothing.
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
    let text = match styled {
        Some(_) => String::new(),
        None => renderer.render(args.format)?,
    };
    let files = renderer.render_files(&args.also)?;
    match &styled {
        Some(styled) => styled.write_to(io.out)?,
        None => emit(io, args.output, &text)?,
    }
    for (path, text) in files {
        write_atomic(path, text.as_bytes())?;
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
            mode: match (args.offline, args.facts) {
                (true, _) => "offline",
                (false, Some(_)) => "facts",
                (false, None) => "scan",
            },
            facts_input: args.facts.map(|f| f.display().to_string()),
            exit_code: outcome.exit as i32,
        };
        crate::evidence::write(dest, bundle, run)?;
    }
    Ok(outcome.exit)
}

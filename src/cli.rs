//! The command line: clap definitions, running a command, and mapping the outcome to the exit
//! codes of DESIGN.md (0 nothing at or above `--fail-on` failed, 1 something did, 2 usage, input
//! or tool error, 3 some target could not be scanned).
//!
//! `run` writes to the writers it is given, so tests can drive it in-process; `main` only parses
//! and exits.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream, WriteColor};

use crate::diag::{self, Sources};
use crate::graph::{Graph, Node, export};
use crate::inventory::{self, Inventory, LoadError, NodeRef, Regime};
use crate::policy::{self, Lang, Severity, Status, catalog, offline, online, waiver};
use crate::report;

#[derive(Debug, Parser)]
#[command(
    name = "capdo",
    version,
    about = "Keep a ministry data centre as code and prove it is compliant (cấp độ 1–5)",
    long_about = None
)]
pub struct Cli {
    /// Inventory folder (or a single TOML file).
    #[arg(
        short = 'i',
        long,
        global = true,
        default_value = "inventory",
        value_name = "DIR"
    )]
    pub inventory: PathBuf,

    /// Legal regime to judge by; defaults to the inventory's `organization.regime`. `both`
    /// (check, controls) judges by each and marks transition debt.
    #[arg(long, global = true, value_enum)]
    pub regime: Option<RegimeArg>,

    /// Language of titles and remediation in reports.
    #[arg(long, global = true, value_enum, default_value_t = LangArg::Vi)]
    pub lang: LangArg,

    /// Evaluation date (YYYY-MM-DD) for age checks; defaults to today.
    #[arg(long, global = true, value_name = "DATE")]
    pub as_of: Option<jiff::civil::Date>,

    /// Colour in terminal output (auto honours NO_COLOR and non-terminals).
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Print only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Print more (passing checks in the text report).
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Policies folder; its `waivers.toml`, when present, is applied by `check` and checked by
    /// `validate`.
    #[arg(
        short = 'p',
        long,
        global = true,
        default_value = "policies",
        value_name = "DIR"
    )]
    pub policies: PathBuf,

    /// Templates folder: `config/<name>.hbs` there replaces a shipped config template.
    #[arg(long, global = true, default_value = "templates", value_name = "DIR")]
    pub templates: PathBuf,

    /// Hosts scanned at once.
    #[arg(
        short = 'j',
        long,
        global = true,
        default_value_t = 64,
        value_name = "N"
    )]
    pub jobs: usize,

    /// SSH connect and per-step timeout in seconds (a host's whole scan may take 4 of them).
    #[arg(long, global = true, value_name = "SECS")]
    pub timeout: Option<u64>,

    /// known_hosts file to verify host keys against (overrides the inventory).
    #[arg(long, global = true, value_name = "FILE")]
    pub known_hosts: Option<PathBuf>,

    /// Private key to log in with, tried first after ssh-agent.
    #[arg(long, global = true, value_name = "FILE")]
    pub identity: Option<PathBuf>,

    /// Record the host keys of hosts missing from known_hosts instead of refusing them.
    #[arg(long, global = true)]
    pub accept_new_host_keys: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the inventory; print every problem with file:line:col; exit 0 or 2.
    Validate,
    /// Print the dependency graph.
    Graph {
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// Only this node, what it needs and what needs it (`kind:id` or a bare id).
        #[arg(long, value_name = "NODE")]
        focus: Option<String>,
    },
    /// List everything that stops when NODE fails (`kind:id` or a bare id).
    Impact {
        node: String,
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Collect facts from hosts over SSH and save them (no judgement).
    Scan {
        /// Where to write the facts (`capdo.facts/v1`).
        #[arg(long, value_name = "FILE")]
        facts_out: PathBuf,
        /// Servers to scan (default: all).
        #[arg(value_name = "HOST")]
        hosts: Vec<String>,
    },
    /// Evaluate the controls and report findings: scans the hosts over SSH unless told otherwise.
    Check {
        /// Judge the inventory and the graph only, without contacting any host.
        #[arg(long, conflicts_with = "facts")]
        offline: bool,
        /// Judge facts saved by `capdo scan --facts-out` instead of scanning.
        #[arg(long, value_name = "FILE")]
        facts: Option<PathBuf>,
        /// Servers to check (default: all).
        #[arg(value_name = "HOST")]
        hosts: Vec<String>,
        #[arg(long, value_enum, default_value_t = report::Format::Text)]
        format: report::Format,
        /// Write the report to FILE (atomically) instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Also write the JSON report (`capdo.report/v1`) to F.
        #[arg(long, value_name = "F")]
        out_json: Option<PathBuf>,
        /// Also write the HTML report (one self-contained page) to F.
        #[arg(long, value_name = "F")]
        out_html: Option<PathBuf>,
        /// Also write the Markdown report to F.
        #[arg(long, value_name = "F")]
        out_md: Option<PathBuf>,
        /// Also write the SARIF 2.1.0 log to F.
        #[arg(long, value_name = "F")]
        out_sarif: Option<PathBuf>,
        /// Also write the JUnit XML report to F.
        #[arg(long, value_name = "F")]
        out_junit: Option<PathBuf>,
        /// Exit 1 when a finding of this severity or higher fails.
        #[arg(long, value_enum, default_value_t = FailOn::High)]
        fail_on: FailOn,
        /// Waivers file (default: `waivers.toml` of the policies folder, when it exists).
        #[arg(long, value_name = "FILE")]
        waivers: Option<PathBuf>,
        /// Also write an evidence bundle into DIR: input files, report, raw collector output,
        /// and a manifest with their SHA-256 (DIR must be new, empty, or a previous bundle).
        #[arg(long, value_name = "DIR")]
        evidence: Option<PathBuf>,
    },
    /// Render host configuration from the inventory into `DIR/<host>/etc/…` (nothing is written
    /// to any host).
    Render {
        /// Servers to render for (default: all).
        #[arg(long = "host", value_name = "ID")]
        hosts: Vec<String>,
        /// What to render (default: everything that applies).
        #[arg(long = "kind", value_enum, value_name = "KIND")]
        kinds: Vec<crate::render::Kind>,
        /// Folder to write the trees into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Compare the rendered configuration with the files on the hosts (read over SSH); exit 1
    /// on drift.
    Drift {
        /// Servers to compare (default: all).
        #[arg(value_name = "HOST")]
        hosts: Vec<String>,
        /// What to compare (default: everything that applies).
        #[arg(long = "kind", value_enum, value_name = "KIND")]
        kinds: Vec<crate::render::Kind>,
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Write the level-proposal dossier (hồ sơ đề xuất cấp độ) of one system, in Vietnamese.
    Dossier {
        /// The system (`id` or `system:id`).
        system: String,
        #[arg(long, value_enum, default_value_t = crate::dossier::Format::Md)]
        format: crate::dossier::Format,
        /// A `capdo.report/v1` JSON report (`check --format json`) whose findings give each
        /// requirement of the protection plan its status.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Write to FILE (atomically) instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Write the annual report (báo cáo định kỳ, Mẫu 08): counts and one row per system.
    AnnualReport {
        #[arg(long, value_enum, default_value_t = crate::dossier::AnnualFormat::Md)]
        format: crate::dossier::AnnualFormat,
        /// A `capdo.report/v1` JSON report, for whether each protection plan is implemented.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Write to FILE (atomically) instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List the controls (with `--regime`, their basis in that regime).
    Controls {
        /// Only the controls that apply at this level.
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5), value_name = "N")]
        level: Option<u8>,
        /// `md` writes the reference page (docs/controls.md is generated with it).
        #[arg(long, value_enum, default_value_t = ControlsFormat::Text)]
        format: ControlsFormat,
    },
    /// Show everything about one control: what it checks, levels, basis, remediation.
    Explain { control: String },
    /// Compare two JSON reports (`capdo.report/v1`): new failures, regressions, fixes, waiver
    /// and target changes; exit 1 on a new failure or regression at or above `--fail-on`.
    Diff {
        /// The earlier report.
        old: PathBuf,
        /// The later report.
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Write the diff to FILE (atomically) instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Exit 1 when a new failure or regression of this severity or higher exists.
        #[arg(long, value_enum, default_value_t = FailOn::High)]
        fail_on: FailOn,
        /// Compare reports judged by different regimes (refused otherwise).
        #[arg(long)]
        allow_regime_change: bool,
    },
    /// Write a commented starter inventory into DIR (new or empty); `--regime` picks the
    /// regime (default nd331).
    Init {
        /// Folder to write `inventory.toml` into: a new one, or an empty one.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Read an inventory kept for another tool into a capdo inventory.
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
    /// Write the inventory's servers for another tool.
    Export {
        #[command(subcommand)]
        to: ExportTo,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff); `--out DIR` writes one page per command.
    Man {
        /// Write `capdo.1` and one `capdo-<command>.1` per command into DIR.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportFrom {
    /// An Ansible inventory (INI or YAML, with `group_vars/` and `host_vars/` beside it):
    /// servers, networks derived from their addresses, and `# TODO` lines for the rest;
    /// `--regime` sets `organization.regime` (default nd331).
    Ansible {
        /// The Ansible inventory file.
        #[arg(value_name = "INVENTORY")]
        inventory: PathBuf,
        /// Write `DIR/inventory.toml` instead of printing it.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportTo {
    /// An Ansible inventory: groups `system_<id>`, `zone_<zone>`, `level_<n>`, with
    /// `ansible_host`, `ansible_port` and `ansible_user`.
    Ansible {
        #[arg(long, value_enum, default_value_t = AnsibleFormat::Ini)]
        format: AnsibleFormat,
        /// Write to FILE (atomically) instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Md,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnsibleFormat {
    Ini,
    Yaml,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RegimeArg {
    Nd85,
    Nd331,
    /// Both, side by side (`check` and `controls`): transition debt is marked.
    Both,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Vi,
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ControlsFormat {
    Text,
    Md,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Critical => Severity::Critical,
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        }
    }
}

/// Exit codes (contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Failed = 1,
    Error = 2,
    Unscanned = 3,
}

/// Where output goes. `err` supports colour for diagnostics.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn WriteColor,
    /// Whether standard output is a terminal that takes colour.
    pub out_color: bool,
}

/// Parse the real command line and run it with the process's stdout and stderr.
pub fn main_exit() -> i32 {
    let cli = Cli::parse();
    let choice = match cli.color {
        ColorArg::Always => ColorChoice::Always,
        ColorArg::Never => ColorChoice::Never,
        ColorArg::Auto
            if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() =>
        {
            ColorChoice::Auto
        }
        ColorArg::Auto => ColorChoice::Never,
    };
    let mut err = StandardStream::stderr(choice);
    let stdout = std::io::stdout();
    let out_color = match cli.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut out = stdout.lock();
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        out_color,
    };
    let code = run(&cli, &mut io);
    let _ = io.out.flush();
    code as i32
}

/// Run a parsed command line.
pub fn run(cli: &Cli, io: &mut Io) -> Exit {
    match dispatch(cli, io) {
        Ok(code) => code,
        // A reader that went away (`capdo … | head`) is not an error worth reporting.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            Exit::Ok
        }
        Err(e) => {
            let _ = writeln!(io.err, "error: {e:#}");
            Exit::Error
        }
    }
}

fn dispatch(cli: &Cli, io: &mut Io) -> anyhow::Result<Exit> {
    if let Some(exit) = crate::init::dispatch(cli, io) {
        return exit;
    }
    let lang = match cli.lang {
        LangArg::Vi => Lang::Vi,
        LangArg::En => Lang::En,
    };
    match &cli.command {
        Command::Controls { level, format } => {
            if let Some(exit) = load_policies(cli, io)? {
                return Ok(exit);
            }
            let regimes = match cli.regime {
                None => vec![],
                Some(RegimeArg::Nd85) => vec![Regime::Nd85],
                Some(RegimeArg::Nd331) => vec![Regime::Nd331],
                Some(RegimeArg::Both) => vec![Regime::Nd85, Regime::Nd331],
            };
            controls(io, lang, &regimes, *level, *format)?;
            return Ok(Exit::Ok);
        }
        Command::Explain { control } => {
            if let Some(exit) = load_policies(cli, io)? {
                return Ok(exit);
            }
            return explain(io, control);
        }
        Command::Diff {
            old,
            new,
            format,
            output,
            fail_on,
            allow_regime_change,
        } => {
            return diff(
                io,
                (old, new),
                *format,
                output.as_deref(),
                *fail_on,
                *allow_regime_change,
            );
        }
        // The commands that judge by the controls read the packs; the others need not, and a
        // broken pack does not stop them.
        Command::Validate
        | Command::Check { .. }
        | Command::Dossier { .. }
        | Command::AnnualReport { .. } => {
            if let Some(exit) = load_policies(cli, io)? {
                return Ok(exit);
            }
        }
        _ => {}
    }

    let mut sources = Sources::new();
    let inv = match inventory::load(&cli.inventory, &mut sources) {
        Ok(inv) => inv,
        Err(LoadError::Io(e)) => return Err(e),
        Err(LoadError::Invalid(diags)) => {
            let what = format!("inventory `{}`", cli.inventory.display());
            return invalid_input(io, &sources, &diags, &what);
        }
    };
    // The waivers file is part of the input: a bad one stops every command that reads it.
    let waivers_path = match &cli.command {
        Command::Check {
            waivers: Some(path),
            ..
        } => Some(path.clone()),
        Command::Check { .. } | Command::Validate => {
            Some(cli.policies.join("waivers.toml")).filter(|p| p.exists())
        }
        _ => None,
    };
    let waivers = match &waivers_path {
        None => Vec::new(),
        Some(path) => match waiver::load(path, &inv, &mut sources) {
            Ok(w) => w,
            Err(LoadError::Io(e)) => return Err(e),
            Err(LoadError::Invalid(diags)) => {
                let what = format!("waivers file `{}`", path.display());
                return invalid_input(io, &sources, &diags, &what);
            }
        },
    };
    let regime = match cli.regime {
        Some(RegimeArg::Nd85) => Regime::Nd85,
        Some(RegimeArg::Nd331) => Regime::Nd331,
        Some(RegimeArg::Both) | None => inv.organization.regime,
    };
    let both = matches!(cli.regime, Some(RegimeArg::Both));
    if both && !matches!(cli.command, Command::Check { .. } | Command::Validate) {
        bail!("`--regime both` applies to `check` and `controls`; choose `nd85` or `nd331` here");
    }
    // Under `--regime both` a check judges by each regime in turn.
    let regimes = if both {
        vec![Regime::Nd85, Regime::Nd331]
    } else {
        vec![regime]
    };

    match &cli.command {
        Command::Validate => {
            if !cli.quiet {
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
                    "inventory `{}` is valid: {counts}",
                    cli.inventory.display()
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
        Command::Graph { format, focus } => {
            let g = Graph::build(&inv, regime);
            let focus = focus
                .as_deref()
                .map(|f| resolve_node(&inv, f))
                .transpose()?;
            let text = match format {
                GraphFormat::Dot => export::dot(&inv, &g, focus),
                GraphFormat::Mermaid => export::mermaid(&inv, &g, focus),
                GraphFormat::Json => export::json(&inv, &g, focus),
            };
            io.out.write_all(text.as_bytes())?;
            Ok(Exit::Ok)
        }
        Command::Impact { node, format } => {
            let g = Graph::build(&inv, regime);
            let n = resolve_node(&inv, node)?;
            let text = impact_text(&inv, &g, n, *format);
            io.out.write_all(text.as_bytes())?;
            Ok(Exit::Ok)
        }
        Command::Scan { facts_out, hosts } => {
            let servers = select_servers(&inv, hosts)?;
            let collected = scan_hosts(cli, &inv, &servers, None)?;
            let json = serde_json::to_string_pretty(&collected.record)? + "\n";
            write_atomic(facts_out, json.as_bytes())?;
            let failed: Vec<String> = collected
                .record
                .hosts
                .iter()
                .filter(|(_, r)| r.status != crate::collect::TargetStatus::Scanned)
                .map(|(id, r)| {
                    let why = crate::diag::mask_controls(r.error.as_deref().unwrap_or(""));
                    format!("{id}: {} ({why})", r.status)
                })
                .collect();
            if !cli.quiet {
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
            Ok(if failed.is_empty() {
                Exit::Ok
            } else {
                Exit::Unscanned
            })
        }
        Command::Check {
            offline,
            facts,
            hosts,
            format,
            output,
            out_json,
            out_html,
            out_md,
            out_sarif,
            out_junit,
            fail_on,
            waivers: _,
            evidence,
        } => {
            // Refuse an unusable evidence folder before scanning anything.
            let evidence = evidence
                .as_deref()
                .map(crate::evidence::prepare)
                .transpose()?;
            let mut scan_record = None;
            let today = cli.as_of.unwrap_or_else(|| jiff::Zoned::now().date());
            let graphs: Vec<(Regime, Graph)> = regimes
                .iter()
                .map(|&r| (r, Graph::build(&inv, r)))
                .collect();
            let tag = |mut found: Vec<policy::Finding>, r: Regime| {
                if both {
                    for f in &mut found {
                        f.regime = Some(r);
                    }
                }
                found
            };
            let servers = select_servers(&inv, hosts)?;
            let mut findings = Vec::new();
            for (r, g) in &graphs {
                let cx = offline::Context {
                    inv: &inv,
                    graph: g,
                    regime: *r,
                    today,
                };
                findings.extend(tag(offline::evaluate(&cx), *r));
            }
            // Targets and their levels follow the inventory's regime (or the one asked for).
            let g = graphs
                .iter()
                .find(|(r, _)| *r == regime)
                .map(|(_, g)| g)
                .unwrap_or(&graphs[0].1);
            let mut targets = report::offline_targets(&inv, g);
            let mut facts_json = serde_json::Map::new();
            if !offline {
                let replay = facts
                    .as_deref()
                    .map(crate::collect::record::FactsFile::read)
                    .transpose()?
                    .map(|file| crate::collect::record::Replay { file });
                let collected = scan_hosts(cli, &inv, &servers, replay.as_ref())?;
                for (r, g) in &graphs {
                    let ocx = online::Context {
                        inv: &inv,
                        graph: g,
                        regime: *r,
                        hosts: &collected.hosts,
                        record: &collected.record.hosts,
                    };
                    findings.extend(tag(online::evaluate(&ocx), *r));
                }
                report::apply_scan(&mut targets, &inv, &collected);
                for (id, rec) in &collected.record.hosts {
                    facts_json.insert(id.clone(), serde_json::Value::Object(rec.facts.clone()));
                }
                scan_record = Some(collected.record);
            }
            if !hosts.is_empty() {
                // Only the servers asked for.
                let keep: std::collections::BTreeSet<String> = servers
                    .iter()
                    .map(|&i| inv.target_id(NodeRef::Server(i)))
                    .collect();
                findings.retain(|f| keep.contains(&f.target));
                targets.retain(|t| keep.contains(&t.id));
            }
            if both {
                policy::mark_transition_debt(&mut findings);
            }
            let coverage = waiver::Coverage {
                hosts: !offline,
                partial: !hosts.is_empty(),
            };
            waiver::apply(
                &waivers,
                &mut findings,
                &inv,
                &sources,
                regime,
                today,
                coverage,
            );
            let threshold = fail_on.severity();
            let failed = findings
                .iter()
                .any(|f| f.status == Status::Fail && f.control.severity >= threshold);
            let unproven = targets.iter().any(|t| t.error.is_some())
                || findings
                    .iter()
                    .any(|f| f.status == Status::Error && f.control.severity >= threshold);
            let meta = report::Meta {
                regime: if both {
                    report::JudgedBy::Both
                } else {
                    report::JudgedBy::One(regime)
                },
                lang,
                generated_at: jiff::Timestamp::now()
                    .round(jiff::Unit::Second)?
                    .to_string(),
            };
            // Offline, the host checks that apply were not made: say how many, per level.
            let mut not_scanned = std::collections::BTreeMap::new();
            if *offline {
                for &s in &servers {
                    for (r, g) in &graphs {
                        let level = g.level_of(&inv, NodeRef::Server(s));
                        let n = catalog::controls(*r)
                            .iter()
                            .filter(|c| c.source == catalog::Source::Host && c.applies_at(level))
                            .count();
                        *not_scanned.entry(level.map(|l| l.get())).or_insert(0) += n;
                    }
                }
            }
            let rep = report::build(findings, targets, facts_json, &not_scanned, &sources, &meta);
            let outputs = [
                (report::Format::Json, out_json),
                (report::Format::Html, out_html),
                (report::Format::Md, out_md),
                (report::Format::Sarif, out_sarif),
                (report::Format::Junit, out_junit),
            ];
            // Every output is rendered before any is written: a bad template writes nothing.
            let renderer = report::Renderer {
                report: &rep,
                inventory: &inv,
                graph: g,
                lang,
                templates: Some(&cli.templates),
                style: report::text::Style {
                    color: io.out_color && output.is_none(),
                    verbose: cli.verbose,
                },
            };
            let text = renderer.render(*format)?;
            let files = renderer.render_files(&outputs.map(|(f, p)| (f, p.as_deref())))?;
            emit(io, output.as_deref(), &text)?;
            for (path, text) in files {
                write_atomic(path, text.as_bytes())?;
            }
            let exit = if failed {
                Exit::Failed
            } else if unproven {
                Exit::Unscanned
            } else {
                Exit::Ok
            };
            if let Some(dest) = &evidence {
                let mut bundle = crate::evidence::Bundle::default();
                bundle.inputs(&sources, &cli.inventory, &cli.policies);
                // The policy packs judged by (built in or from the policies folder).
                for f in catalog::pack_files() {
                    bundle.add(
                        &format!("policies/{}", f.name),
                        f.text.as_bytes().to_vec(),
                        Some(f.origin.clone()),
                    );
                }
                bundle.add("report.json", report::json(&rep).into_bytes(), None);
                if let Some(record) = &scan_record {
                    bundle.scan(record);
                }
                let run = crate::evidence::Run {
                    command_line: std::env::args_os()
                        .map(|a| a.to_string_lossy().into_owned())
                        .collect(),
                    generated_at: rep.generated_at.clone(),
                    mode: match (offline, facts) {
                        (true, _) => "offline",
                        (false, Some(_)) => "facts",
                        (false, None) => "scan",
                    },
                    facts_input: facts.as_ref().map(|f| f.display().to_string()),
                    exit_code: exit as i32,
                };
                crate::evidence::write(dest, bundle, run)?;
            }
            Ok(exit)
        }
        Command::Render { hosts, kinds, out } => {
            let servers = select_servers(&inv, hosts)?;
            let (files, skipped) = render_for(cli, &inv, regime, &servers, kinds)?;
            for f in &files {
                let path = out
                    .join(&inv.servers[f.server].id)
                    .join(f.path.trim_start_matches('/'));
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create `{}`", dir.display()))?;
                }
                write_atomic(&path, f.content.as_bytes())?;
            }
            if !cli.quiet {
                writeln!(
                    io.err,
                    "rendered {} for {} into {}",
                    plural(files.len(), "file"),
                    plural(servers.len(), "host"),
                    out.display()
                )?;
                if cli.verbose {
                    for s in &skipped {
                        writeln!(
                            io.err,
                            "  {} {}: skipped, {}",
                            inv.servers[s.server].id,
                            s.kind.as_str(),
                            s.reason
                        )?;
                    }
                } else if !skipped.is_empty() {
                    writeln!(
                        io.err,
                        "  {} skipped where they do not apply (-v lists them)",
                        plural(skipped.len(), "kind")
                    )?;
                }
            }
            Ok(Exit::Ok)
        }
        Command::Drift {
            hosts,
            kinds,
            format,
        } => {
            let servers = select_servers(&inv, hosts)?;
            let (files, _) = render_for(cli, &inv, regime, &servers, kinds)?;
            let opts = ssh_options(cli);
            let ssh = crate::collect::transport::Ssh2::new(
                cli.accept_new_host_keys,
                std::env::var("CAPDO_SSH_PASSPHRASE").ok(),
            );
            let bar = Bar::new(servers.len(), !cli.quiet && std::io::stderr().is_terminal());
            let report =
                crate::render::drift::drift(&inv, &files, &ssh, &opts, cli.jobs.max(1), &bar);
            bar.finish();
            let drifted = report.iter().any(|h| h.drifted());
            let unread = report.iter().any(|h| h.error.is_some());
            match format {
                TextOrJson::Json => {
                    let doc = serde_json::json!({"schema": "capdo.drift/v1", "hosts": report});
                    writeln!(io.out, "{}", serde_json::to_string_pretty(&doc)?)?;
                }
                TextOrJson::Text => {
                    for h in &report {
                        if let Some(e) = &h.error {
                            writeln!(
                                io.out,
                                "{}: not read ({}): {}",
                                h.host,
                                h.status,
                                crate::diag::mask_controls(e)
                            )?;
                            continue;
                        }
                        for f in &h.files {
                            let state = match f.state {
                                crate::render::drift::State::Same => "same",
                                crate::render::drift::State::Differs => "DIFFERS",
                                crate::render::drift::State::Missing => "MISSING",
                                crate::render::drift::State::Unreadable => "UNREADABLE",
                            };
                            writeln!(
                                io.out,
                                "{}: {} {state}{}",
                                h.host,
                                f.path,
                                f.error
                                    .as_deref()
                                    .map(|e| format!(" ({e})"))
                                    .unwrap_or_default()
                            )?;
                            if !f.diff.is_empty() && cli.verbose
                                || f.state == crate::render::drift::State::Differs
                            {
                                write!(io.out, "{}", crate::diag::mask_controls(&f.diff))?;
                            }
                        }
                    }
                }
            }
            Ok(if drifted {
                Exit::Failed
            } else if unread {
                Exit::Unscanned
            } else {
                Exit::Ok
            })
        }
        Command::Dossier {
            system,
            format,
            report,
            output,
        } => {
            let today = cli.as_of.unwrap_or_else(|| jiff::Zoned::now().date());
            let text = crate::dossier::dossier_command(
                &inv,
                regime,
                today,
                system,
                *format,
                report.as_deref(),
                &cli.templates,
            )?;
            emit(io, output.as_deref(), &text)?;
            Ok(Exit::Ok)
        }
        Command::Export {
            to: ExportTo::Ansible { format, output },
        } => {
            let format = match format {
                AnsibleFormat::Ini => crate::import::export::Format::Ini,
                AnsibleFormat::Yaml => crate::import::export::Format::Yaml,
            };
            let text = crate::import::export::ansible(&inv, &Graph::build(&inv, regime), format);
            emit(io, output.as_deref(), &text)?;
            Ok(Exit::Ok)
        }
        Command::AnnualReport {
            format,
            report,
            output,
        } => {
            let today = cli.as_of.unwrap_or_else(|| jiff::Zoned::now().date());
            let text = crate::dossier::annual_command(
                &inv,
                regime,
                today,
                *format,
                report.as_deref(),
                &cli.templates,
            )?;
            emit(io, output.as_deref(), &text)?;
            Ok(Exit::Ok)
        }
        Command::Controls { .. }
        | Command::Explain { .. }
        | Command::Diff { .. }
        | Command::Init { .. }
        | Command::Import { .. }
        | Command::Completions { .. }
        | Command::Man { .. } => Ok(Exit::Ok),
    }
}

/// Render `kinds` (all when none is named) for `servers` with the templates of `--templates`.
fn render_for(
    cli: &Cli,
    inv: &Inventory,
    regime: Regime,
    servers: &[usize],
    kinds: &[crate::render::Kind],
) -> anyhow::Result<(Vec<crate::render::File>, Vec<crate::render::Skipped>)> {
    let kinds = if kinds.is_empty() {
        crate::render::Kind::ALL.as_slice()
    } else {
        kinds
    };
    let g = Graph::build(inv, regime);
    let hb = crate::render::engine(Some(&cli.templates))?;
    crate::render::render(inv, &g, &hb, servers, kinds)
}

/// The servers named on the command line (`id` or `server:id`), or all of them.
fn select_servers(inv: &Inventory, names: &[String]) -> anyhow::Result<Vec<usize>> {
    if names.is_empty() {
        return Ok((0..inv.servers.len()).collect());
    }
    let mut out = Vec::new();
    for name in names {
        match resolve_node(inv, name)? {
            Node::Item(NodeRef::Server(i)) => {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
            other => bail!(
                "`{name}` is {}, not a server",
                match other {
                    Node::Organization => "the organization".to_owned(),
                    Node::Item(r) => format!("a {}", r.kind()),
                }
            ),
        }
    }
    Ok(out)
}

/// How to reach hosts: the command line, the inventory folder, the home folder and its
/// `~/.ssh/config`.
fn ssh_options(cli: &Cli) -> crate::collect::hosts::Options {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let ssh_config = home
        .as_ref()
        .map(|h| h.join(".ssh/config"))
        .filter(|p| p.is_file())
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|t| crate::collect::hosts::SshConfig::parse(&t));
    let inventory_dir = if cli.inventory.is_dir() {
        cli.inventory.clone()
    } else {
        cli.inventory
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_default()
    };
    crate::collect::hosts::Options {
        identity: cli.identity.clone(),
        known_hosts: cli.known_hosts.clone(),
        timeout: cli.timeout.map(std::time::Duration::from_secs),
        ssh_config,
        inventory_dir,
        home,
        local_user: std::env::var("USER").ok(),
    }
}

/// Scan `servers` live (or from `replay`), with a progress bar on a terminal.
fn scan_hosts(
    cli: &Cli,
    inv: &Inventory,
    servers: &[usize],
    replay: Option<&crate::collect::record::Replay>,
) -> anyhow::Result<crate::collect::Collected> {
    let opts = ssh_options(cli);
    let ssh;
    let transport: &dyn crate::collect::transport::Transport = match replay {
        Some(r) => r,
        None => {
            ssh = crate::collect::transport::Ssh2::new(
                cli.accept_new_host_keys,
                std::env::var("CAPDO_SSH_PASSPHRASE").ok(),
            );
            &ssh
        }
    };
    let bar = Bar::new(
        servers.len(),
        !cli.quiet && replay.is_none() && std::io::stderr().is_terminal(),
    );
    let generated_at = jiff::Timestamp::now()
        .round(jiff::Unit::Second)?
        .to_string();
    let collected = crate::collect::collect(
        inv,
        servers,
        transport,
        &opts,
        cli.jobs.max(1),
        &bar,
        generated_at,
    );
    bar.finish();
    Ok(collected)
}

/// The scan's progress bar on stderr (only on a terminal).
struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    fn new(total: usize, show: bool) -> Bar {
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

    fn finish(&self) {
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

/// "1 server", "2 servers".
/// Show every problem of an input, say that nothing was checked, and exit 2.
fn invalid_input(
    io: &mut Io,
    sources: &Sources,
    diags: &[diag::Diagnostic],
    what: &str,
) -> anyhow::Result<Exit> {
    diag::render_to(io.err, sources, diags)?;
    writeln!(
        io.err,
        "error: {what} has {}; nothing was checked",
        plural(diags.len(), "problem")
    )?;
    Ok(Exit::Error)
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// `kind:id`, `organization`, or a bare id.
fn resolve_node(inv: &Inventory, text: &str) -> anyhow::Result<Node> {
    if text == "organization" {
        return Ok(Node::Organization);
    }
    let (kind, id) = match text.split_once(':') {
        Some((k, id)) => (Some(k), id),
        None => (None, text),
    };
    match inv.lookup(id) {
        Some(n) if kind.is_none_or(|k| k == n.kind()) => Ok(Node::Item(n)),
        Some(n) => Err(anyhow!(
            "`{id}` is a {}, not a {}; write `{}:{id}`",
            n.kind(),
            kind.unwrap_or(""),
            n.kind()
        )),
        None => {
            let mut ids: Vec<&str> = inv.ids.keys().map(|k| k.as_str()).collect();
            ids.sort_unstable();
            let hint = diag::suggest(id, ids)
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            Err(anyhow!("no node `{text}` in the inventory{hint}"))
        }
    }
}

fn node_name(inv: &Inventory, n: Node) -> String {
    match n {
        Node::Organization => "organization".into(),
        Node::Item(r) => inv.target_id(r),
    }
}

fn impact_text(inv: &Inventory, g: &Graph, failed: Node, format: TextOrJson) -> String {
    let impact = g.impact(inv, failed);
    if format == TextOrJson::Json {
        let stopped: Vec<serde_json::Value> = impact
            .stopped
            .iter()
            .map(|s| serde_json::json!({"node": inv.target_id(s.node), "because": node_name(inv, s.because)}))
            .collect();
        let degraded: Vec<String> = impact.degraded.iter().map(|n| inv.target_id(*n)).collect();
        let doc = serde_json::json!({
            "schema": "capdo.impact/v1",
            "failed": node_name(inv, failed),
            "stopped": stopped,
            "degraded": degraded,
        });
        return serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    }
    let mut out = String::new();
    let name = node_name(inv, failed);
    let systems: Vec<&crate::graph::Impacted> = impact
        .stopped
        .iter()
        .filter(|s| matches!(s.node, NodeRef::System(_)))
        .collect();
    if impact.stopped.is_empty() {
        out.push_str(&format!("If {name} fails, nothing else stops.\n"));
    } else {
        out.push_str(&format!(
            "If {name} fails, {} node(s) stop, {} of them system(s):\n",
            impact.stopped.len(),
            systems.len()
        ));
        for s in &impact.stopped {
            let level = match s.node {
                NodeRef::System(i) => format!(" (level {})", g.system_level(inv, i)),
                _ => String::new(),
            };
            out.push_str(&format!(
                "  {}{level}  ← {}\n",
                inv.target_id(s.node),
                node_name(inv, s.because)
            ));
        }
    }
    if !impact.degraded.is_empty() {
        out.push_str("Still running, with less redundancy or without their backup target:\n");
        for n in &impact.degraded {
            out.push_str(&format!("  {}\n", inv.target_id(*n)));
        }
    }
    out
}

fn controls(
    io: &mut Io,
    lang: Lang,
    regimes: &[Regime],
    level: Option<u8>,
    format: ControlsFormat,
) -> anyhow::Result<()> {
    let at = level.and_then(|l| inventory::Level::new(i64::from(l)));
    // Without --regime: every control of both packs, once.
    let ids: Vec<&str> = match regimes {
        [] => catalog::all_ids(),
        _ => {
            let mut ids: Vec<&str> = regimes
                .iter()
                .flat_map(|&r| catalog::controls(r).iter().map(|c| c.id))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
    };
    let in_scope = |id: &str| -> Vec<&'static catalog::Control> {
        let rs: &[Regime] = if regimes.is_empty() {
            &[Regime::Nd85, Regime::Nd331]
        } else {
            regimes
        };
        rs.iter()
            .filter_map(|&r| catalog::find(r, id))
            .filter(|c| level.is_none() || c.applies_at(at))
            .collect()
    };
    let ids: Vec<&str> = ids
        .into_iter()
        .filter(|id| !in_scope(id).is_empty())
        .collect();
    if format == ControlsFormat::Md {
        io.out.write_all(policy::docs::markdown(&ids).as_bytes())?;
        return Ok(());
    }
    writeln!(
        io.out,
        "{:<24} {:<12} {:<16} {:<8} {:<9} TITLE",
        "ID", "APPLIES TO", "LEVELS", "SEVERITY", "CHECKS"
    )?;
    for id in ids {
        let found = in_scope(id);
        let Some(c) = found.first() else { continue };
        let levels: Vec<String> = found
            .iter()
            .map(|c| {
                if found.len() > 1 {
                    format!("{}:{}", short(c.regime), c.levels_text())
                } else {
                    c.levels_text()
                }
            })
            .collect();
        let levels = if found.len() > 1 && found.iter().all(|x| x.levels == c.levels) {
            c.levels_text()
        } else {
            levels.join(",")
        };
        let only = if regimes.is_empty() && found.len() == 1 {
            format!(" [{} only]", c.regime.as_str())
        } else {
            String::new()
        };
        writeln!(
            io.out,
            "{:<24} {:<12} {:<16} {:<8} {:<9} {}{only}",
            c.id,
            c.applies_to.as_str(),
            levels,
            c.severity.as_str(),
            c.source.as_str(),
            c.title(lang)
        )?;
        for &r in regimes {
            let label = if regimes.len() > 1 {
                r.as_str()
            } else {
                "basis"
            };
            if let Some(c) = catalog::find(r, id) {
                writeln!(io.out, "{:<24} {label}: {}", "", c.basis.join("; "))?;
            }
        }
    }
    Ok(())
}

/// `85` / `331`: a regime in a narrow column.
fn short(r: Regime) -> &'static str {
    match r {
        Regime::Nd85 => "85",
        Regime::Nd331 => "331",
    }
}

/// `capdo diff`: read both reports, compare, render, and map the gate to an exit code.
fn diff(
    io: &mut Io,
    (old, new): (&Path, &Path),
    format: DiffFormat,
    output: Option<&Path>,
    fail_on: FailOn,
    allow_regime_change: bool,
) -> anyhow::Result<Exit> {
    use report::diff::{self as d, Severity as S};
    let (old, new) = (d::read(old)?, d::read(new)?);
    if old.regime() != new.regime() && !allow_regime_change {
        bail!(
            "the reports were judged by different regimes: `$.regime` is `{}` in `{}` and `{}` in `{}`; pass --allow-regime-change to compare them anyway",
            old.regime(),
            old.file(),
            new.regime(),
            new.file()
        );
    }
    let threshold = match fail_on {
        FailOn::Critical => S::Critical,
        FailOn::High => S::High,
        FailOn::Medium => S::Medium,
        FailOn::Low => S::Low,
    };
    let result = d::compare(&old, &new, threshold);
    let text = match format {
        DiffFormat::Text => d::text(&result),
        DiffFormat::Json => d::json(&result),
        DiffFormat::Md => d::markdown(&result),
    };
    emit(io, output, &text)?;
    Ok(if result.gate.failing > 0 {
        Exit::Failed
    } else if result.gate.unproven > 0 {
        Exit::Unscanned
    } else {
        Exit::Ok
    })
}

fn explain(io: &mut Io, id: &str) -> anyhow::Result<Exit> {
    let Some(c) = catalog::find_any(id) else {
        let hint = diag::suggest(&id.to_ascii_uppercase(), catalog::all_ids())
            .map(|h| format!(" ({h})"))
            .unwrap_or_else(|| " (`capdo controls` lists them)".into());
        bail!("no control `{id}`{hint}");
    };
    io.out.write_all(policy::docs::explain(c.id).as_bytes())?;
    Ok(Exit::Ok)
}

/// Read the policy packs of `-p/--policies` (the built-in ones where it has none). `Some(exit)`
/// when they are invalid: the problems are printed and nothing is checked.
fn load_policies(cli: &Cli, io: &mut Io) -> anyhow::Result<Option<Exit>> {
    let mut sources = Sources::new();
    match catalog::init(&cli.policies, &mut sources) {
        Ok(()) => Ok(None),
        Err(LoadError::Io(e)) => Err(e),
        Err(LoadError::Invalid(diags)) => {
            let what = format!("policy folder `{}`", cli.policies.display());
            invalid_input(io, &sources, &diags, &what).map(Some)
        }
    }
}

/// `text` to `output` (written atomically), or to standard output.
fn emit(io: &mut Io, output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => write_atomic(path, text.as_bytes()),
        None => Ok(io.out.write_all(text.as_bytes())?),
    }
}

/// Write `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader sees the old file or the new one, never a torn one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("`{}` is not a file name", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> anyhow::Result<()> {
        let mut f = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create `{}`", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

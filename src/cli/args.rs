//! The command line as clap reads it, and the global options validated once for every command
//! ([`Global`]). Strings become typed values here; nothing below the CLI sees `Cli`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::inventory::Regime;
use crate::policy::{Lang, Severity};
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
    /// (check, controls; dossier, annual-report during the transition 01/07/2026–30/06/2027)
    /// judges by each and marks transition debt.
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

    /// The words of the command line as given (for the evidence bundle's record of the run).
    #[arg(skip)]
    pub command_line: Vec<String>,
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
        #[arg(long, value_enum, default_value_t = crate::graph::impact::Format::Text)]
        format: crate::graph::impact::Format,
    },
    /// Collect facts from hosts over SSH and save them (no judgement).
    Scan {
        /// Where to write the facts (`capdo.facts/v1`).
        #[arg(long, value_name = "FILE")]
        facts_out: PathBuf,
        /// Servers to scan (default: all); a datacenter stands for its servers.
        #[arg(value_name = "HOST")]
        hosts: Vec<String>,
    },
    /// Evaluate the controls and report findings: scans the hosts over SSH unless told otherwise.
    Check {
        /// Judge the inventory and the graph only, without contacting any host.
        #[arg(long, conflicts_with = "facts")]
        offline: bool,
        /// Judge facts saved by `capdo scan --facts-out` instead of scanning. Repeat it to
        /// merge the scans of several runners (one per site); a server in two files is refused.
        #[arg(long, value_name = "FILE")]
        facts: Vec<PathBuf>,
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
        #[arg(long, value_enum, default_value_t = crate::render::drift::Format::Text)]
        format: crate::render::drift::Format,
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
        #[arg(long, value_enum, default_value_t = crate::policy::docs::ListFormat::Text)]
        format: crate::policy::docs::ListFormat,
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
        /// The data centre of every network no host's `capdo_datacenter` places: its table is
        /// written (with its name to fill in).
        #[arg(long, value_name = "ID", value_parser = crate::import::to_toml::datacenter_id)]
        datacenter: Option<String>,
        /// The zone of every network no host's `capdo_zone` places (`server`, `dmz`, …).
        #[arg(long, value_name = "ZONE", value_parser = crate::import::to_toml::zone)]
        zone: Option<crate::inventory::Zone>,
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
    /// Both, side by side (`check` and `controls`): transition debt is marked. `dossier` and
    /// `annual-report` take it from 01/07/2026 to 30/06/2027 and add the transition debt.
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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
}

impl FailOn {
    pub fn severity(self) -> Severity {
        match self {
            FailOn::Critical => Severity::Critical,
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        }
    }
}

impl LangArg {
    pub fn lang(self) -> Lang {
        match self {
            LangArg::Vi => Lang::Vi,
            LangArg::En => Lang::En,
        }
    }
}

impl RegimeArg {
    /// The one regime asked for; `None` for `both`.
    pub fn single(self) -> Option<Regime> {
        match self {
            RegimeArg::Nd85 => Some(Regime::Nd85),
            RegimeArg::Nd331 => Some(Regime::Nd331),
            RegimeArg::Both => None,
        }
    }
}

/// The global options, read once: what every command may use besides its own arguments.
#[derive(Debug, Clone)]
pub struct Global {
    pub inventory: PathBuf,
    pub policies: PathBuf,
    pub templates: PathBuf,
    /// `--regime`; `None` follows the inventory's `organization.regime`.
    pub regime: Option<RegimeArg>,
    pub lang: Lang,
    /// The evaluation date (`--as-of`, else today).
    pub today: jiff::civil::Date,
    pub quiet: bool,
    pub verbose: bool,
    pub ssh: SshArgs,
    /// The words of the command line, as the evidence bundle records them.
    pub command_line: Vec<String>,
}

/// How to reach hosts, from the command line.
#[derive(Debug, Clone)]
pub struct SshArgs {
    /// Hosts scanned at once (at least 1).
    pub jobs: usize,
    pub timeout: Option<std::time::Duration>,
    pub known_hosts: Option<PathBuf>,
    pub identity: Option<PathBuf>,
    pub accept_new_host_keys: bool,
}

impl Cli {
    /// The global options of this command line.
    pub fn global(&self) -> Global {
        Global {
            inventory: self.inventory.clone(),
            policies: self.policies.clone(),
            templates: self.templates.clone(),
            regime: self.regime,
            lang: self.lang.lang(),
            today: self.as_of.unwrap_or_else(|| jiff::Zoned::now().date()),
            quiet: self.quiet,
            verbose: self.verbose,
            ssh: SshArgs {
                jobs: self.jobs.max(1),
                timeout: self.timeout.map(std::time::Duration::from_secs),
                known_hosts: self.known_hosts.clone(),
                identity: self.identity.clone(),
                accept_new_host_keys: self.accept_new_host_keys,
            },
            command_line: self.command_line.clone(),
        }
    }
}

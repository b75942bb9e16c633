//! The result model of a check (`capdo.report/v1`) and its renderers.
//!
//! [`Report`] is the JSON contract of DESIGN.md, built once from the findings; every output
//! format reads it, and [`read`] reads it back from a file for `capdo diff` and `capdo dossier
//! --report`. It holds plain data (ids, typed statuses and severities, texts in the chosen
//! language), never the policy's controls, so a report read from a file is the same value as
//! one just built. Renderers write each format into a writer as it is made ([`stream`]); the
//! string renderers they are tested against build the whole text in memory.

mod batch;
pub mod diff;
pub mod exposure;
pub mod formats;
pub mod junit;
pub mod read;
mod rows;
pub mod sarif;
pub mod stream;
pub mod svg;
pub mod text;
pub mod view;

pub use formats::{Format, Renderer};

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crate::collect::TargetStatus;
use crate::diag::{LineCol, Sources};
use crate::graph::Graph;
use crate::inventory::{Inventory, NodeRef, Regime};
use crate::policy::waiver::Applied;
use crate::policy::{Finding, Lang, Severity, Status};

pub const SCHEMA: &str = "capdo.report/v1";

/// A `capdo.report/v1` report.
///
/// Reading one back (see [`read`]): fields that every version of capdo wrote are required;
/// fields added since v1 began, and the ones hand-made reports in tests leave out, read as
/// empty when absent; unknown fields are ignored, so later additions do not break a reader.
#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    #[serde(default)]
    pub tool: Tool,
    /// RFC 3339; empty when a report read back has none.
    #[serde(default)]
    pub generated_at: String,
    pub regime: JudgedBy,
    /// Empty when a report read back has none (`capdo diff` requires them, see
    /// [`read::Needs`]).
    #[serde(default)]
    pub targets: Vec<Target>,
    #[serde(default)]
    pub facts: serde_json::Map<String, serde_json::Value>,
    pub findings: Vec<ReportFinding>,
    #[serde(default)]
    pub summary: Summary,
    /// Per level, how many applicable checks were made and why the others were not (an
    /// addition to the v1 schema).
    #[serde(default)]
    pub coverage: Vec<Coverage>,
}

/// The regimes a report was judged by (`$.regime`): one, or both (`--regime both`; each
/// finding then names its regime).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JudgedBy {
    One(Regime),
    Both,
}

impl JudgedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            JudgedBy::One(r) => r.as_str(),
            JudgedBy::Both => "both",
        }
    }

    /// The regimes judged by, legacy first.
    pub fn regimes(self) -> &'static [Regime] {
        match self {
            JudgedBy::One(Regime::Nd85) => &[Regime::Nd85],
            JudgedBy::One(Regime::Nd331) => &[Regime::Nd331],
            JudgedBy::Both => &[Regime::Nd85, Regime::Nd331],
        }
    }

    /// The instruments of each regime judged by ([`Regime::title`]), joined by `separator`.
    pub fn title(self, separator: &str) -> String {
        self.regimes()
            .iter()
            .map(|r| r.title())
            .collect::<Vec<_>>()
            .join(separator)
    }
}

impl std::fmt::Display for JudgedBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for JudgedBy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for JudgedBy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<JudgedBy, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "nd85" => Ok(JudgedBy::One(Regime::Nd85)),
            "nd331" => Ok(JudgedBy::One(Regime::Nd331)),
            "both" => Ok(JudgedBy::Both),
            _ => Err(serde::de::Error::unknown_variant(
                &s,
                &["nd85", "nd331", "both"],
            )),
        }
    }
}

/// The honest state of one level: applicable checks, how many were decided, and why the rest
/// were not. Never counts a check that was not made as a pass.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Coverage {
    /// The level the targets were judged at (null: targets without a level).
    pub level: Option<u8>,
    /// Checks that apply at this level: every finding but not-applicable, plus the host checks
    /// not made because no scan ran.
    pub applicable: usize,
    /// Decided: pass, fail or waived.
    pub evaluated: usize,
    pub not_evaluated: NotEvaluated,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotEvaluated {
    /// The server could not be scanned.
    pub host_unreachable: usize,
    /// The host was scanned but a fact the control needs could not be read.
    pub fact_missing: usize,
    /// Needs a human attestation.
    pub manual: usize,
    /// Host checks of servers that were not scanned at all (`--offline`).
    pub not_scanned: usize,
}

/// Coverage per level from the findings and targets; `not_scanned` lists, per level, the host
/// checks that apply but were not made because no scan ran.
pub fn coverage(
    findings: &[ReportFinding],
    targets: &[Target],
    not_scanned: &std::collections::BTreeMap<Option<u8>, usize>,
) -> Vec<Coverage> {
    let unreachable: std::collections::HashSet<&str> = targets
        .iter()
        .filter(|t| t.error.is_some())
        .map(|t| t.id.as_str())
        .collect();
    let mut per: std::collections::BTreeMap<Option<u8>, Coverage> = Default::default();
    for f in findings {
        let c = per.entry(f.level).or_default();
        match f.status {
            Status::NotApplicable => continue,
            Status::Pass | Status::Fail | Status::Waived => c.evaluated += 1,
            Status::Manual => c.not_evaluated.manual += 1,
            Status::Error if unreachable.contains(f.target.as_str()) => {
                c.not_evaluated.host_unreachable += 1
            }
            Status::Error => c.not_evaluated.fact_missing += 1,
        }
        c.applicable += 1;
    }
    for (&level, &n) in not_scanned {
        let c = per.entry(level).or_default();
        c.applicable += n;
        c.not_evaluated.not_scanned += n;
    }
    per.into_iter()
        .filter(|(_, c)| c.applicable > 0)
        .map(|(level, c)| Coverage { level, ..c })
        .collect()
}

/// The tool that wrote a report; empty strings when a report read back does not say.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    /// This capdo.
    pub fn capdo() -> Tool {
        Tool {
            name: "capdo".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Target {
    /// `kind:id`, e.g. `server:web01`, or `organization`.
    pub id: String,
    pub kind: String,
    #[serde(default)]
    pub effective_level: Option<u8>,
    /// Why the target has its level (an addition to the v1 schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_reason: Option<String>,
    pub status: TargetStatus,
    /// Why the target could not be scanned.
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub duration_ms: u64,
}

/// One finding as a report holds it: the control by id and its texts in the report's language,
/// not the control itself, so that it reads back from a file without a policy catalog.
///
/// The texts that come from the control (its id, title, remediation, why it is unconfirmed) are
/// shared by every finding of the control ([`Arc<str>`]): a national report has about ten
/// findings per server and a few dozen controls.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportFinding {
    pub control: Arc<str>,
    pub target: String,
    pub status: Status,
    /// Required by readers that rank by it (`capdo diff`, see [`read::Needs`]); a hand-made
    /// report read by the others may leave it out, and it then reads as `info`.
    #[serde(default = "unstated_severity")]
    pub severity: Severity,
    #[serde(default)]
    pub level: Option<u8>,
    #[serde(default)]
    pub title: Arc<str>,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub basis: Vec<String>,
    #[serde(default)]
    pub location: Option<LineCol>,
    #[serde(default)]
    pub waiver: Option<Box<Applied>>,
    /// How to fix a failure (an addition to the v1 schema).
    #[serde(default)]
    pub remediation: Arc<str>,
    /// Under `--regime both`, the regime of this finding (an addition to the v1 schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regime: Option<Regime>,
    /// Under `--regime both`, a current-regime failure where the legacy regime passes (an
    /// addition to the v1 schema).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub transition_debt: bool,
    /// Why the control's numbers or scope are unconfirmed in regulations.md, when they are (an
    /// addition to the v1 schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unconfirmed: Option<Arc<str>>,
}

fn unstated_severity() -> Severity {
    Severity::Info
}

/// What a report's totals rest on. A compliance percentage is never shown without the share of
/// applicable checks that were evaluated beside it, and a report says in its first lines when
/// the inventory has no information system or when servers were not scanned: "100%" of 4
/// checks out of 75 is not compliance (issue 17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footing {
    /// Checks that apply, and those decided (pass, fail or waived), over every level.
    pub applicable: usize,
    pub evaluated: usize,
    /// Servers among the targets, and those not scanned (offline, unreachable, …).
    pub servers: usize,
    pub servers_not_scanned: usize,
    /// Information systems in the inventory.
    pub systems: usize,
}

impl Footing {
    /// From the report's coverage; a report without one (written by an older capdo) counts
    /// its findings instead: every one but not-applicable applies, pass, fail and waived are
    /// decided.
    pub fn of(report: &Report, systems: usize) -> Footing {
        let (applicable, evaluated) = if report.coverage.is_empty() {
            let s = &report.summary;
            (
                s.pass + s.fail + s.error + s.waived + s.manual,
                s.pass + s.fail + s.waived,
            )
        } else {
            report
                .coverage
                .iter()
                .fold((0, 0), |(a, e), c| (a + c.applicable, e + c.evaluated))
        };
        let servers: Vec<&Target> = report
            .targets
            .iter()
            .filter(|t| t.kind == "server")
            .collect();
        Footing {
            applicable,
            evaluated,
            servers: servers.len(),
            servers_not_scanned: servers
                .iter()
                .filter(|t| t.status != TargetStatus::Scanned)
                .count(),
            systems,
        }
    }

    /// The share of applicable checks evaluated, in percent, one decimal (`"16.3"`).
    pub fn evaluated_percent(&self) -> String {
        if self.applicable == 0 {
            return "0.0".to_owned();
        }
        format!(
            "{:.1}",
            100.0 * self.evaluated as f64 / self.applicable as f64
        )
    }

    /// Whether every server was left unscanned because the run was offline.
    pub fn all_offline(report: &Report) -> bool {
        report
            .targets
            .iter()
            .filter(|t| t.kind == "server")
            .all(|t| t.status == TargetStatus::Offline)
    }
}

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub waived: usize,
    pub not_applicable: usize,
    pub manual: usize,
}

impl Summary {
    pub fn count(findings: &[ReportFinding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            s.add(f.status);
        }
        s
    }

    /// Count one finding of status `s`.
    pub fn add(&mut self, s: Status) {
        *match s {
            Status::Pass => &mut self.pass,
            Status::Fail => &mut self.fail,
            Status::Error => &mut self.error,
            Status::Waived => &mut self.waived,
            Status::NotApplicable => &mut self.not_applicable,
            Status::Manual => &mut self.manual,
        } += 1;
    }
}

/// Options that shape a report but not its findings.
pub struct Meta {
    /// One regime, or both (each finding then names its regime).
    pub regime: JudgedBy,
    pub lang: Lang,
    /// RFC 3339 time of generation.
    pub generated_at: String,
}

/// A system and what it is made of in the inventory: the one definition of the findings that
/// belong to a system, used by every report and the dossier.
///
/// A system *owns* the findings on itself and on every server it runs on (a server shared by
/// several systems belongs to each of them): [`SystemTargets::owns`]. It also *rests on* the
/// network and the datacenter holding one of those servers (the graph's containment,
/// organisation → datacenter → network → server: what is wrong there is wrong under the
/// system's servers) and on the organisation, whose controls hold for every system:
/// [`SystemTargets::contains`]. The reports' per-system sections and rows show what a system
/// owns (the organisation's findings are shown once, not once per system); the dossier, which
/// judges every requirement of one system, reads everything the system rests on.
#[derive(Debug, Clone)]
pub struct SystemTargets {
    /// The servers it runs on, in the order the system lists them.
    pub servers: Vec<usize>,
    /// The networks holding them, in inventory order.
    pub networks: Vec<usize>,
    /// The datacenters holding them, in inventory order.
    pub datacenters: Vec<usize>,
    /// The target ids of the system and its servers.
    pub own: std::collections::BTreeSet<String>,
    /// The target ids of all of the above, the system and `organization`.
    pub ids: std::collections::BTreeSet<String>,
}

impl SystemTargets {
    pub fn of(inv: &Inventory, system: usize) -> SystemTargets {
        let servers = inv.systems[system].servers.clone();
        let mut networks = Vec::new();
        let mut datacenters = Vec::new();
        for &s in &servers {
            let n = inv.servers[s].network;
            if !networks.contains(&n) {
                networks.push(n);
            }
            let d = inv.server_datacenter(s);
            if !datacenters.contains(&d) {
                datacenters.push(d);
            }
        }
        networks.sort_unstable();
        datacenters.sort_unstable();
        let mut own = std::collections::BTreeSet::from([inv.target_id(NodeRef::System(system))]);
        own.extend(servers.iter().map(|&s| inv.target_id(NodeRef::Server(s))));
        let mut ids = own.clone();
        ids.insert("organization".to_owned());
        ids.extend(networks.iter().map(|&n| inv.target_id(NodeRef::Network(n))));
        ids.extend(
            datacenters
                .iter()
                .map(|&d| inv.target_id(NodeRef::Datacenter(d))),
        );
        SystemTargets {
            servers,
            networks,
            datacenters,
            own,
            ids,
        }
    }

    /// A finding on `target` belongs to the system, or to what it rests on.
    pub fn contains(&self, target: &str) -> bool {
        self.ids.contains(target)
    }

    /// A finding on `target` is the system's own: on the system or one of its servers.
    pub fn owns(&self, target: &str) -> bool {
        self.own.contains(target)
    }
}

/// The targets of an offline check: the organisation, every datacenter, network, server and
/// system, with their effective levels.
pub fn offline_targets(inv: &Inventory, g: &Graph) -> Vec<Target> {
    let mut t = vec![Target {
        id: "organization".into(),
        kind: "organization".into(),
        effective_level: None,
        level_reason: None,
        status: TargetStatus::Offline,
        error: None,
        duration_ms: 0,
    }];
    let mut push = |node: NodeRef| {
        t.push(Target {
            id: inv.target_id(node),
            kind: node.kind().into(),
            effective_level: g.level_of(inv, node).map(|l| l.get()),
            level_reason: g.explain_level(inv, node),
            status: TargetStatus::Offline,
            error: None,
            duration_ms: 0,
        })
    };
    for node in inv.nodes().filter(|n| !matches!(n, NodeRef::External(_))) {
        push(node);
    }
    t
}

/// Mark the scanned servers' targets with the outcome of their scan.
pub fn apply_scan(targets: &mut [Target], inv: &Inventory, scan: &crate::collect::Collected) {
    let index: std::collections::HashMap<String, usize> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.clone(), i))
        .collect();
    for (&server, state) in &scan.hosts {
        let Some(&i) = index.get(&inv.target_id(NodeRef::Server(server))) else {
            continue;
        };
        let t = &mut targets[i];
        t.duration_ms = scan.durations.get(&server).copied().unwrap_or(0);
        match state {
            crate::policy::online::HostState::Scanned(_) => t.status = TargetStatus::Scanned,
            crate::policy::online::HostState::Failed(e) => {
                t.status = TargetStatus::Failed(e.kind);
                t.error = Some(e.message.clone());
            }
        }
    }
}

/// The report of a check. `not_scanned` counts, per level, the host checks that apply but were
/// not made because no scan ran (see [`coverage`]).
pub fn build(
    findings: Vec<Finding>,
    targets: Vec<Target>,
    facts: serde_json::Map<String, serde_json::Value>,
    not_scanned: &std::collections::BTreeMap<Option<u8>, usize>,
    sources: &Sources,
    meta: &Meta,
) -> Report {
    let mut texts = ControlTexts::default();
    let findings: Vec<ReportFinding> = findings
        .into_iter()
        .map(|f| {
            let (control, title, remediation, unconfirmed) = texts.of(&f.control, meta.lang);
            ReportFinding {
                control,
                target: f.target,
                status: f.status,
                severity: f.control.severity,
                level: f.level.map(|l| l.get()),
                title,
                message: f.message,
                evidence: f.evidence,
                basis: f.basis,
                location: f.location.map(|l| sources.line_col(&l)),
                waiver: f.waiver,
                remediation,
                regime: f.regime,
                transition_debt: f.transition_debt,
                unconfirmed,
            }
        })
        .collect();
    Report {
        schema: SCHEMA.into(),
        tool: Tool::capdo(),
        generated_at: meta.generated_at.clone(),
        regime: meta.regime,
        facts,
        summary: Summary::count(&findings),
        coverage: coverage(&findings, &targets, not_scanned),
        targets,
        findings,
    }
}

/// The texts a report takes from each control, made once per control and shared by its
/// findings: id, title, remediation, and why it is unconfirmed.
#[derive(Default)]
struct ControlTexts {
    /// Made so far, by pack (a control of the same id may read differently in the other
    /// regime's pack). A finding whose severity depends on what was found points at its own
    /// copy of the control: copies share the texts of their control.
    made: Vec<(&'static str, SharedTexts)>,
    /// The entry of the last control asked for: findings come control by control.
    last: usize,
}

type SharedTexts = (Arc<str>, Arc<str>, Arc<str>, Option<Arc<str>>);

impl ControlTexts {
    fn of(&mut self, control: &crate::policy::Control, lang: Lang) -> SharedTexts {
        let same =
            |(pack, texts): &(&str, SharedTexts)| *pack == control.pack && *texts.0 == *control.id;
        if !self.made.get(self.last).is_some_and(same) {
            self.last = match self.made.iter().position(same) {
                Some(i) => i,
                None => {
                    let texts = (
                        control.id.as_str().into(),
                        control.title(lang).into(),
                        control.remediation(lang).into(),
                        match &control.confidence {
                            crate::policy::catalog::Confidence::Unconfirmed(why) => {
                                Some(why.as_str().into())
                            }
                            crate::policy::catalog::Confidence::Confirmed => None,
                        },
                    );
                    self.made.push((control.pack, texts));
                    self.made.len() - 1
                }
            };
        }
        self.made[self.last].1.clone()
    }
}

pub fn json(report: &Report) -> String {
    // Serializing plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

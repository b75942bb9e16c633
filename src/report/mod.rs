//! The result model of a check (`capdo.report/v1`) and its renderers.
//!
//! [`Report`] is the JSON contract of DESIGN.md, built once from the findings; every output
//! format reads it. Renderers return strings; the caller writes them.

pub mod diff;
pub mod formats;
pub mod junit;
pub mod sarif;
pub mod svg;
pub mod text;
pub mod view;

pub use formats::{Format, Renderer};

use serde::Serialize;

use crate::diag::{LineCol, Sources};
use crate::graph::Graph;
use crate::inventory::{Inventory, NodeRef, Regime};
use crate::policy::{Finding, Lang, Status};

pub const SCHEMA: &str = "capdo.report/v1";

#[derive(Debug, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub tool: Tool,
    pub generated_at: String,
    pub regime: &'static str,
    pub targets: Vec<Target>,
    pub facts: serde_json::Map<String, serde_json::Value>,
    pub findings: Vec<ReportFinding>,
    pub summary: Summary,
    /// Per level, how many applicable checks were made and why the others were not (an
    /// addition to the v1 schema).
    pub coverage: Vec<Coverage>,
}

/// The honest state of one level: applicable checks, how many were decided, and why the rest
/// were not. Never counts a check that was not made as a pass.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Target {
    pub id: String,
    pub kind: &'static str,
    pub effective_level: Option<u8>,
    /// Why the target has its level (an addition to the v1 schema).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level_reason: Option<String>,
    pub status: &'static str,
    pub error: Option<String>,
    pub duration_ms: u64,
}

#[derive(Debug, Serialize)]
pub struct ReportFinding {
    pub control: String,
    pub target: String,
    pub status: Status,
    pub severity: &'static str,
    pub level: Option<u8>,
    pub title: String,
    pub message: String,
    pub evidence: String,
    pub basis: Vec<String>,
    pub location: Option<LineCol>,
    pub waiver: Option<crate::policy::waiver::Applied>,
    /// How to fix a failure (an addition to the v1 schema).
    pub remediation: String,
    /// Under `--regime both`, the regime of this finding (an addition to the v1 schema).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regime: Option<&'static str>,
    /// Under `--regime both`, a current-regime failure where the legacy regime passes (an
    /// addition to the v1 schema).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub transition_debt: bool,
    /// Why the control's numbers or scope are unconfirmed in regulations.md, when they are (an
    /// addition to the v1 schema).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unconfirmed: Option<String>,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
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
    /// `nd85`, `nd331`, or `both` (each finding then names its regime).
    pub regime: &'static str,
    pub lang: Lang,
    /// RFC 3339 time of generation.
    pub generated_at: String,
}

/// The targets of an offline check: the organisation, every datacenter, network, server and
/// system, with their effective levels.
pub fn offline_targets(inv: &Inventory, g: &Graph) -> Vec<Target> {
    let mut t = vec![Target {
        id: "organization".into(),
        kind: "organization",
        effective_level: None,
        level_reason: None,
        status: "offline",
        error: None,
        duration_ms: 0,
    }];
    let mut push = |node: NodeRef| {
        t.push(Target {
            id: inv.target_id(node),
            kind: node.kind(),
            effective_level: g.level_of(inv, node).map(|l| l.get()),
            level_reason: g.explain_level(inv, node),
            status: "offline",
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
            crate::policy::online::HostState::Scanned(_) => t.status = "scanned",
            crate::policy::online::HostState::Failed(e) => {
                t.status = e.kind.as_str();
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
    let findings: Vec<ReportFinding> = findings
        .into_iter()
        .map(|f| ReportFinding {
            control: f.control.id.clone(),
            target: f.target,
            status: f.status,
            severity: f.control.severity.as_str(),
            level: f.level.map(|l| l.get()),
            title: f.control.title(meta.lang).to_owned(),
            message: f.message,
            evidence: f.evidence,
            basis: f.basis,
            location: f.location.map(|l| sources.line_col(&l)),
            waiver: f.waiver,
            remediation: f.control.remediation(meta.lang).to_owned(),
            regime: f.regime.map(Regime::as_str),
            transition_debt: f.transition_debt,
            unconfirmed: match &f.control.confidence {
                crate::policy::catalog::Confidence::Unconfirmed(why) => Some(why.clone()),
                crate::policy::catalog::Confidence::Confirmed => None,
            },
        })
        .collect();
    Report {
        schema: SCHEMA,
        tool: Tool {
            name: "capdo",
            version: env!("CARGO_PKG_VERSION"),
        },
        generated_at: meta.generated_at.clone(),
        regime: meta.regime,
        facts,
        summary: Summary::count(&findings),
        coverage: coverage(&findings, &targets, not_scanned),
        targets,
        findings,
    }
}

pub fn json(report: &Report) -> String {
    // Serializing plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

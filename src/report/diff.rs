//! `capdo diff`: what changed between two `capdo.report/v1` files, as data (`capdo.diff/v1`)
//! and rendered as text, JSON or Markdown.
//!
//! It owns the finding fingerprint and the comparison; reports are read back with the report
//! model ([`super::read`]), which ignores later additions to v1. It reads no inventory, never
//! touches a host and never prints: renderers return strings.
//!
//! # Fingerprint
//!
//! A finding is matched across reports by its key: control, target, the regime it was judged
//! by (`findings[].regime`, present under `--regime both`) and a parameter. In the reports
//! capdo makes, control + target (+ regime) is already unique, except for the waiver controls
//! (`WAIVER-EXPIRED`, `WAIVER-UNUSED`): one such finding per waiver, and two waivers can name
//! the same target, so their parameter is the waived control (from their message). Should two
//! findings of one report still share a key, the second and later get `#2`, `#3`, … in report
//! order. The fingerprint is the first 8 bytes of the SHA-256 of
//! `control \n target \n regime \n parameter [\n #n]` (empty strings where absent), in hex.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;

use super::read::{Needs, ReadError};
use super::{JudgedBy, ReportFinding, Target, TargetStatus};
use crate::escape::{markdown_line as md, terminal as mask_controls};
use crate::inventory::Regime;
use crate::policy::waiver::Applied;

pub const SCHEMA: &str = "capdo.diff/v1";

// Statuses and severities are read with the types that write them.
pub use crate::policy::{Severity, Status};

/// A finding's waiver, as a diff shows and compares it (`findings[].waiver`, without its reason
/// and ticket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    /// `file:line` of the waiver.
    pub at: String,
    pub expires: String,
    pub expired: bool,
    pub approved_by: String,
}

impl From<&Applied> for Waiver {
    fn from(w: &Applied) -> Waiver {
        Waiver {
            at: w.at.clone(),
            expires: w.expires.clone(),
            expired: w.expired,
            approved_by: w.approved_by.clone(),
        }
    }
}

fn waiver(f: &ReportFinding) -> Option<Waiver> {
    f.waiver.as_deref().map(Waiver::from)
}

/// A report read back for comparison.
#[derive(Debug)]
pub struct Loaded {
    /// The path as given, for messages and output.
    file: String,
    tool_version: Option<String>,
    generated_at: Option<String>,
    regime: JudgedBy,
    targets: Vec<Target>,
    findings: Vec<ReportFinding>,
}

impl Loaded {
    pub fn regime(&self) -> JudgedBy {
        self.regime
    }

    /// The file as named on the command line.
    pub fn file(&self) -> &str {
        &self.file
    }
}

/// Read a `capdo.report/v1` file. Errors name the file and, for a wrong value, its JSON path.
pub fn read(path: &Path) -> anyhow::Result<Loaded> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read report `{}`", path.display()))?;
    parse(&text, &path.display().to_string())
}

/// Parse the text of a report; `file` names it in messages. A diff needs the targets and every
/// finding's severity.
pub fn parse(text: &str, file: &str) -> anyhow::Result<Loaded> {
    let needs = Needs {
        targets: true,
        severities: true,
    };
    let report = super::read::parse(text, needs).map_err(|e| match e {
        ReadError::NotJson(e) => anyhow::Error::new(e).context(format!("`{file}` is not valid JSON")),
        ReadError::WrongSchema(s) => anyhow::anyhow!(
            "`{file}`: `$.schema` is `{s}`; capdo diff compares `{}` reports (made by `capdo check --format json`)",
            super::SCHEMA
        ),
        ReadError::SchemaNotString => anyhow::anyhow!("`{file}`: `$.schema` is not a string"),
        ReadError::NoSchema => anyhow::anyhow!(
            "`{file}` has no `$.schema`: not a capdo report (expected `{}`)",
            super::SCHEMA
        ),
        ReadError::NotObject => anyhow::anyhow!("`{file}` is not a JSON object: not a capdo report"),
        ReadError::Invalid { path, message } => anyhow::anyhow!("`{file}`: at `{path}`: {message}"),
    })?;
    let nonempty = |s: String| (!s.is_empty()).then_some(s);
    Ok(Loaded {
        file: file.to_owned(),
        tool_version: nonempty(report.tool.version),
        generated_at: nonempty(report.generated_at),
        regime: report.regime,
        targets: report.targets,
        findings: report.findings,
    })
}

/// The key a finding is matched on, before duplicates are numbered.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    control: String,
    target: String,
    regime: Option<Regime>,
    parameter: Option<String>,
    /// 1 for the first finding with this key in a report, 2 for the next, …
    ordinal: usize,
}

impl Key {
    fn fingerprint(&self) -> String {
        use sha2::Digest as _;
        let mut text = format!(
            "{}\n{}\n{}\n{}",
            self.control,
            self.target,
            self.regime.map_or("", Regime::as_str),
            self.parameter.as_deref().unwrap_or("")
        );
        if self.ordinal > 1 {
            text.push_str(&format!("\n#{}", self.ordinal));
        }
        let digest = sha2::Sha256::digest(text.as_bytes());
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The parameter of a finding where one control yields several findings per target.
fn parameter(f: &ReportFinding) -> Option<String> {
    match &*f.control {
        // "the waiver for ZONE-PLACEMENT expired on …", "the waiver for X covers no failure …"
        "WAIVER-EXPIRED" | "WAIVER-UNUSED" => f
            .message
            .strip_prefix("the waiver for ")
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_owned),
        _ => None,
    }
}

/// The keys of a report's findings, in report order. `default_regime` stands for a finding
/// without `regime` (used when the other report was judged by both regimes).
fn keys(report: &Loaded, default_regime: Option<Regime>) -> Vec<Key> {
    let mut seen: HashMap<Key, usize> = HashMap::new();
    report
        .findings
        .iter()
        .map(|f| {
            let mut key = Key {
                control: f.control.to_string(),
                target: f.target.clone(),
                regime: f.regime.or(default_regime),
                parameter: parameter(f),
                ordinal: 1,
            };
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            key.ordinal = *n;
            key
        })
        .collect()
}

/// One side of the comparison.
#[derive(Debug, Serialize)]
pub struct Side {
    pub file: String,
    pub generated_at: Option<String>,
    pub regime: JudgedBy,
    pub tool_version: Option<String>,
    /// Findings by status, counted from the findings (as `summary` of the report).
    pub summary: super::Summary,
}

/// A finding that changed (or stayed failing).
#[derive(Debug, Serialize)]
pub struct Change {
    pub fingerprint: String,
    pub control: String,
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regime: Option<Regime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    pub severity: Severity,
    pub level: Option<u8>,
    /// Null: not in the old report.
    pub old_status: Option<Status>,
    /// Null: not in the new report.
    pub new_status: Option<Status>,
    pub title: String,
    /// The new report's message (the old one's for a finding no longer reported).
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaiverChangeKind {
    /// A failure is now covered by a waiver.
    Waived,
    /// A waived failure is no longer covered (the waiver was removed or no longer matches).
    Unwaived,
    /// A waived failure counts again because its waiver expired.
    Expired,
    /// Still waived, by another waiver or with another expiry date.
    Changed,
}

impl WaiverChangeKind {
    fn as_str(self) -> &'static str {
        match self {
            WaiverChangeKind::Waived => "newly waived",
            WaiverChangeKind::Unwaived => "no longer waived",
            WaiverChangeKind::Expired => "waiver expired",
            WaiverChangeKind::Changed => "waiver changed",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct WaiverChange {
    pub fingerprint: String,
    pub control: String,
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regime: Option<Regime>,
    pub severity: Severity,
    pub change: WaiverChangeKind,
    pub old_status: Option<Status>,
    pub new_status: Option<Status>,
    pub old_waiver: Option<Waiver>,
    pub new_waiver: Option<Waiver>,
}

#[derive(Debug, Serialize)]
pub struct TargetRef {
    pub id: String,
    pub kind: String,
    pub effective_level: Option<u8>,
    pub status: TargetStatus,
}

#[derive(Debug, Serialize)]
pub struct TargetChange {
    pub id: String,
    pub old_status: TargetStatus,
    pub new_status: TargetStatus,
    pub old_level: Option<u8>,
    pub new_level: Option<u8>,
    /// Why the target could not be scanned, in the new report.
    pub error: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct DiffSummary {
    pub new_failures: usize,
    pub regressed: usize,
    pub fixed: usize,
    pub still_failing: usize,
    pub no_longer_reported: usize,
    pub waiver_changes: usize,
    pub targets_added: usize,
    pub targets_removed: usize,
    pub target_changes: usize,
}

/// What `--fail-on` decided.
#[derive(Debug, Serialize)]
pub struct Gate {
    pub fail_on: Severity,
    /// New failures and regressions now `fail` at or above `fail_on`.
    pub failing: usize,
    /// New failures and regressions now `error` (could not be checked) at or above `fail_on`.
    pub unproven: usize,
}

/// The comparison of two reports (`capdo.diff/v1`).
#[derive(Debug, Serialize)]
pub struct Diff {
    pub schema: &'static str,
    pub tool: super::Tool,
    pub old: Side,
    pub new: Side,
    /// The two reports were judged by different regimes (allowed with `--allow-regime-change`).
    pub regime_changed: bool,
    pub gate: Gate,
    pub summary: DiffSummary,
    /// Failing now (fail or error), not in the old report.
    pub new_failures: Vec<Change>,
    /// Was pass, waived, not-applicable or manual; now fail or error.
    pub regressed: Vec<Change>,
    /// Was fail or error; now pass, not-applicable or manual.
    pub fixed: Vec<Change>,
    /// Fail or error in both.
    pub still_failing: Vec<Change>,
    /// Failing in the old report and absent from the new one (its target or control is gone).
    pub no_longer_reported: Vec<Change>,
    pub waiver_changes: Vec<WaiverChange>,
    pub targets_added: Vec<TargetRef>,
    pub targets_removed: Vec<TargetRef>,
    /// Same target, another scan status or level.
    pub target_changes: Vec<TargetChange>,
}

fn side(r: &Loaded) -> Side {
    let mut summary = super::Summary::default();
    for f in &r.findings {
        summary.add(f.status);
    }
    Side {
        file: r.file.clone(),
        generated_at: r.generated_at.clone(),
        regime: r.regime,
        tool_version: r.tool_version.clone(),
        summary,
    }
}

fn change(key: &Key, f: &ReportFinding, old: Option<Status>, new: Option<Status>) -> Change {
    Change {
        fingerprint: key.fingerprint(),
        control: f.control.to_string(),
        target: f.target.clone(),
        regime: f.regime,
        parameter: key.parameter.clone(),
        severity: f.severity,
        level: f.level,
        old_status: old,
        new_status: new,
        title: f.title.to_string(),
        message: f.message.clone(),
    }
}

/// How a waiver changed between two findings with the same key, if it did.
fn waiver_change(old: &ReportFinding, new: &ReportFinding) -> Option<WaiverChangeKind> {
    match (old.status, new.status) {
        (Status::Waived, Status::Waived) => {
            (waiver(old) != waiver(new)).then_some(WaiverChangeKind::Changed)
        }
        (Status::Waived, _) if new.waiver.as_ref().is_some_and(|w| w.expired) => {
            Some(WaiverChangeKind::Expired)
        }
        (Status::Waived, _) => Some(WaiverChangeKind::Unwaived),
        (_, Status::Waived) => Some(WaiverChangeKind::Waived),
        _ => None,
    }
}

/// Compare two reports. The caller decides whether reports of different regimes may be
/// compared; `threshold` is `--fail-on`.
pub fn compare(old: &Loaded, new: &Loaded, threshold: Severity) -> Diff {
    // A single-regime report read against a `both` report stands for that regime's half.
    let single = |r: JudgedBy| match r {
        JudgedBy::One(r) => Some(r),
        JudgedBy::Both => None,
    };
    let default_old = (new.regime == JudgedBy::Both)
        .then(|| single(old.regime))
        .flatten();
    let default_new = (old.regime == JudgedBy::Both)
        .then(|| single(new.regime))
        .flatten();
    let old_keys = keys(old, default_old);
    let new_keys = keys(new, default_new);
    let old_index: HashMap<&Key, usize> =
        old_keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let new_index: HashMap<&Key, usize> =
        new_keys.iter().enumerate().map(|(i, k)| (k, i)).collect();

    let mut d = Diff {
        schema: SCHEMA,
        tool: super::Tool::capdo(),
        old: side(old),
        new: side(new),
        regime_changed: old.regime != new.regime,
        gate: Gate {
            fail_on: threshold,
            failing: 0,
            unproven: 0,
        },
        summary: DiffSummary::default(),
        new_failures: vec![],
        regressed: vec![],
        fixed: vec![],
        still_failing: vec![],
        no_longer_reported: vec![],
        waiver_changes: vec![],
        targets_added: vec![],
        targets_removed: vec![],
        target_changes: vec![],
    };

    for (key, nf) in new_keys.iter().zip(&new.findings) {
        let Some(&oi) = old_index.get(key) else {
            if nf.status.failing() {
                d.new_failures.push(change(key, nf, None, Some(nf.status)));
            } else if nf.status == Status::Waived {
                d.waiver_changes.push(WaiverChange {
                    fingerprint: key.fingerprint(),
                    control: nf.control.to_string(),
                    target: nf.target.clone(),
                    regime: nf.regime,
                    severity: nf.severity,
                    change: WaiverChangeKind::Waived,
                    old_status: None,
                    new_status: Some(nf.status),
                    old_waiver: None,
                    new_waiver: waiver(nf),
                });
            }
            continue;
        };
        let of = &old.findings[oi];
        let (o, n) = (of.status, nf.status);
        let c = change(key, nf, Some(o), Some(n));
        match (o.failing(), n.failing()) {
            (true, true) => d.still_failing.push(c),
            (false, true) => d.regressed.push(c),
            (true, false) if n != Status::Waived => d.fixed.push(c),
            _ => {}
        }
        if let Some(kind) = waiver_change(of, nf) {
            d.waiver_changes.push(WaiverChange {
                fingerprint: key.fingerprint(),
                control: nf.control.to_string(),
                target: nf.target.clone(),
                regime: nf.regime,
                severity: nf.severity,
                change: kind,
                old_status: Some(o),
                new_status: Some(n),
                old_waiver: waiver(of),
                new_waiver: waiver(nf),
            });
        }
    }
    for (key, of) in old_keys.iter().zip(&old.findings) {
        if !new_index.contains_key(key) && of.status.failing() {
            d.no_longer_reported
                .push(change(key, of, Some(of.status), None));
        }
    }

    let old_targets: HashMap<&str, &Target> =
        old.targets.iter().map(|t| (t.id.as_str(), t)).collect();
    let new_targets: HashMap<&str, &Target> =
        new.targets.iter().map(|t| (t.id.as_str(), t)).collect();
    let target_ref = |t: &Target| TargetRef {
        id: t.id.clone(),
        kind: t.kind.clone(),
        effective_level: t.effective_level,
        status: t.status,
    };
    for t in &new.targets {
        match old_targets.get(t.id.as_str()) {
            None => d.targets_added.push(target_ref(t)),
            Some(o) if o.status != t.status || o.effective_level != t.effective_level => {
                d.target_changes.push(TargetChange {
                    id: t.id.clone(),
                    old_status: o.status,
                    new_status: t.status,
                    old_level: o.effective_level,
                    new_level: t.effective_level,
                    error: t.error.clone(),
                })
            }
            Some(_) => {}
        }
    }
    for t in &old.targets {
        if !new_targets.contains_key(t.id.as_str()) {
            d.targets_removed.push(target_ref(t));
        }
    }

    // Most severe first; report order within a severity.
    for list in [
        &mut d.new_failures,
        &mut d.regressed,
        &mut d.fixed,
        &mut d.still_failing,
        &mut d.no_longer_reported,
    ] {
        list.sort_by_key(|c| std::cmp::Reverse(c.severity));
    }
    for c in d.new_failures.iter().chain(&d.regressed) {
        if c.severity >= threshold {
            match c.new_status {
                Some(Status::Fail) => d.gate.failing += 1,
                Some(Status::Error) => d.gate.unproven += 1,
                _ => {}
            }
        }
    }
    d.summary = DiffSummary {
        new_failures: d.new_failures.len(),
        regressed: d.regressed.len(),
        fixed: d.fixed.len(),
        still_failing: d.still_failing.len(),
        no_longer_reported: d.no_longer_reported.len(),
        waiver_changes: d.waiver_changes.len(),
        targets_added: d.targets_added.len(),
        targets_removed: d.targets_removed.len(),
        target_changes: d.target_changes.len(),
    };
    d
}

impl Diff {
    /// Nothing changed in findings or targets.
    pub fn is_empty(&self) -> bool {
        let s = &self.summary;
        s.new_failures
            + s.regressed
            + s.fixed
            + s.no_longer_reported
            + s.waiver_changes
            + s.targets_added
            + s.targets_removed
            + s.target_changes
            == 0
    }
}

pub fn json(d: &Diff) -> String {
    // Plain structs of strings and numbers: serializing cannot fail.
    let mut s = serde_json::to_string_pretty(d).unwrap_or_default();
    s.push('\n');
    s
}

fn status_str(s: Option<Status>) -> &'static str {
    s.map_or("absent", Status::as_str)
}

fn side_line(s: &Side) -> String {
    format!(
        "{} ({}, {})",
        s.file,
        s.generated_at.as_deref().unwrap_or("no date"),
        s.regime
    )
}

/// `(status, old count, new count)` for every status.
fn counts(d: &Diff) -> [(&'static str, usize, usize); 6] {
    let (o, n) = (&d.old.summary, &d.new.summary);
    [
        ("pass", o.pass, n.pass),
        ("fail", o.fail, n.fail),
        ("error", o.error, n.error),
        ("waived", o.waived, n.waived),
        ("not-applicable", o.not_applicable, n.not_applicable),
        ("manual", o.manual, n.manual),
    ]
}

fn counts_line(d: &Diff) -> String {
    counts(d)
        .iter()
        .filter(|(_, o, n)| *o != 0 || *n != 0)
        .map(|(k, o, n)| format!("{k} {o} → {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn gate_line(d: &Diff) -> String {
    let at = d.gate.fail_on.as_str();
    if d.gate.failing > 0 {
        format!(
            "{} new failure(s) or regression(s) at or above {at}: exit 1",
            d.gate.failing
        )
    } else if d.gate.unproven > 0 {
        format!(
            "no new failure at or above {at}, but {} check(s) at or above it could no longer be made: exit 3",
            d.gate.unproven
        )
    } else {
        format!("no new failure or regression at or above {at}: exit 0")
    }
}

/// The terminal rendering. Text from reports (messages carry host output) is masked of
/// terminal control characters.
/// The lists of changed findings, with their headings, in the order every format shows them.
fn change_lists(d: &Diff) -> [(&'static str, &Vec<Change>); 5] {
    [
        ("New failures", &d.new_failures),
        ("Regressed", &d.regressed),
        ("Fixed", &d.fixed),
        ("Still failing", &d.still_failing),
        ("No longer reported (failing before)", &d.no_longer_reported),
    ]
}

pub fn text(d: &Diff) -> String {
    let mut out = String::new();
    out.push_str(&format!("old: {}\n", side_line(&d.old)));
    out.push_str(&format!("new: {}\n", side_line(&d.new)));
    if d.regime_changed {
        out.push_str(&format!(
            "warning: the regime changed ({} → {}): findings are matched on control and target, but their rules differ\n",
            d.old.regime, d.new.regime
        ));
    }
    for (heading, list) in change_lists(d) {
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{heading} ({}):\n", list.len()));
        for c in list {
            let regime = c
                .regime
                .map(|r| format!(" [{}]", r.as_str()))
                .unwrap_or_default();
            let param = c
                .parameter
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {:<8} {}{param} {}{regime}  {} → {}  [{}]\n",
                c.severity.as_str(),
                c.control,
                c.target,
                status_str(c.old_status),
                status_str(c.new_status),
                c.fingerprint
            ));
            if !c.message.is_empty() {
                out.push_str(&format!("           {}\n", c.message));
            }
        }
    }
    if !d.waiver_changes.is_empty() {
        out.push_str(&format!("\nWaiver changes ({}):\n", d.waiver_changes.len()));
        for w in &d.waiver_changes {
            let waiver = w.new_waiver.as_ref().or(w.old_waiver.as_ref());
            let what = waiver
                .map(|w| format!(" ({}, expires {})", w.at, w.expires))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {:<8} {} {}  {}{}  {} → {}\n",
                w.severity.as_str(),
                w.control,
                w.target,
                w.change.as_str(),
                what,
                status_str(w.old_status),
                status_str(w.new_status),
            ));
        }
    }
    for (heading, list) in [
        ("Targets added", &d.targets_added),
        ("Targets removed", &d.targets_removed),
    ] {
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{heading} ({}):\n", list.len()));
        for t in list {
            let level = t
                .effective_level
                .map(|l| format!(", level {l}"))
                .unwrap_or_default();
            out.push_str(&format!("  {} ({}{level})\n", t.id, t.status));
        }
    }
    if !d.target_changes.is_empty() {
        out.push_str(&format!("\nTarget changes ({}):\n", d.target_changes.len()));
        for t in &d.target_changes {
            let mut parts = Vec::new();
            if t.old_status != t.new_status {
                parts.push(format!("{} → {}", t.old_status, t.new_status));
            }
            if t.old_level != t.new_level {
                let l = |l: Option<u8>| l.map_or("none".to_owned(), |l| format!("level {l}"));
                parts.push(format!("{} → {}", l(t.old_level), l(t.new_level)));
            }
            let error = t
                .error
                .as_deref()
                .map(|e| format!(": {}", e))
                .unwrap_or_default();
            out.push_str(&format!("  {}  {}{error}\n", t.id, parts.join(", ")));
        }
    }
    if d.is_empty() && d.still_failing.is_empty() {
        out.push_str("\nNo change in findings or targets.\n");
    }
    let s = &d.summary;
    out.push_str(&format!(
        "\nSummary: {} new, {} regressed, {} fixed, {} still failing, {} no longer reported, {} waiver change(s), {} target(s) added, {} removed, {} changed\n",
        s.new_failures,
        s.regressed,
        s.fixed,
        s.still_failing,
        s.no_longer_reported,
        s.waiver_changes,
        s.targets_added,
        s.targets_removed,
        s.target_changes
    ));
    out.push_str(&format!("Findings: {}\n", counts_line(d)));
    out.push_str(&format!("Gate: {}\n", gate_line(d)));
    // Control ids and targets come from the report files too.
    mask_controls(&out)
}

/// The Markdown rendering (a page to attach to a change request or a ticket).
pub fn markdown(d: &Diff) -> String {
    let mut out = String::from("# capdo diff\n\n");
    out.push_str("| | old | new |\n|---|---|---|\n");
    out.push_str(&format!(
        "| report | {} | {} |\n",
        md(&d.old.file),
        md(&d.new.file)
    ));
    let date = |s: &Side| md(s.generated_at.as_deref().unwrap_or("no date"));
    out.push_str(&format!(
        "| generated | {} | {} |\n",
        date(&d.old),
        date(&d.new)
    ));
    out.push_str(&format!(
        "| regime | {} | {} |\n",
        md(d.old.regime.as_str()),
        md(d.new.regime.as_str())
    ));
    for (k, o, n) in counts(d) {
        out.push_str(&format!("| {k} | {o} | {n} |\n"));
    }
    if d.regime_changed {
        out.push_str(
            "\n**The regime changed**: findings are matched on control and target, but their rules differ.\n",
        );
    }
    out.push_str(&format!("\n**Gate**: {}.\n", gate_line(d)));
    for (heading, list) in change_lists(d) {
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## {heading} ({})\n\n", list.len()));
        out.push_str("| severity | control | target | old | new | message | fingerprint |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
        for c in list {
            let mut target = md(&c.target);
            if let Some(r) = c.regime {
                target.push_str(&format!(" ({})", md(r.as_str())));
            }
            let mut control = md(&c.control);
            if let Some(p) = &c.parameter {
                control.push_str(&format!(" ({})", md(p)));
            }
            out.push_str(&format!(
                "| {} | {control} | {target} | {} | {} | {} | `{}` |\n",
                c.severity.as_str(),
                status_str(c.old_status),
                status_str(c.new_status),
                md(&c.message),
                c.fingerprint
            ));
        }
    }
    if !d.waiver_changes.is_empty() {
        out.push_str(&format!(
            "\n## Waiver changes ({})\n\n| severity | control | target | change | waiver | old | new |\n|---|---|---|---|---|---|---|\n",
            d.waiver_changes.len()
        ));
        for w in &d.waiver_changes {
            let waiver = w
                .new_waiver
                .as_ref()
                .or(w.old_waiver.as_ref())
                .map(|w| format!("{}, expires {}", md(&w.at), md(&w.expires)))
                .unwrap_or_default();
            out.push_str(&format!(
                "| {} | {} | {} | {} | {waiver} | {} | {} |\n",
                w.severity.as_str(),
                md(&w.control),
                md(&w.target),
                w.change.as_str(),
                status_str(w.old_status),
                status_str(w.new_status)
            ));
        }
    }
    for (heading, list) in [
        ("Targets added", &d.targets_added),
        ("Targets removed", &d.targets_removed),
    ] {
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n## {heading} ({})\n\n| target | status | level |\n|---|---|---|\n",
            list.len()
        ));
        for t in list {
            let level = t.effective_level.map(|l| l.to_string()).unwrap_or_default();
            out.push_str(&format!(
                "| {} | {} | {level} |\n",
                md(&t.id),
                md(t.status.as_str())
            ));
        }
    }
    if !d.target_changes.is_empty() {
        out.push_str(&format!(
            "\n## Target changes ({})\n\n| target | old status | new status | old level | new level | error |\n|---|---|---|---|---|---|\n",
            d.target_changes.len()
        ));
        for t in &d.target_changes {
            let l = |l: Option<u8>| l.map(|l| l.to_string()).unwrap_or_default();
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                md(&t.id),
                md(t.old_status.as_str()),
                md(t.new_status.as_str()),
                l(t.old_level),
                l(t.new_level),
                md(t.error.as_deref().unwrap_or(""))
            ));
        }
    }
    if d.is_empty() && d.still_failing.is_empty() {
        out.push_str("\nNo change in findings or targets.\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(findings: &str) -> Loaded {
        let text = format!(
            r#"{{"schema": "capdo.report/v1", "regime": "nd85", "targets": [], "findings": [{findings}]}}"#
        );
        parse(&text, "r.json").expect("report")
    }

    #[test]
    fn two_waivers_on_one_target_get_distinct_keys_from_the_waived_control() {
        let r = report(
            r#"{"control": "WAIVER-EXPIRED", "target": "server:a", "status": "fail", "severity": "low",
                "message": "the waiver for ZONE-PLACEMENT expired on 2026-01-01; it covers no failure now, remove it"},
               {"control": "WAIVER-EXPIRED", "target": "server:a", "status": "fail", "severity": "low",
                "message": "the waiver for BACKUP-OFFSITE expired on 2026-01-01; it covers no failure now, remove it"},
               {"control": "WAIVER-EXPIRED", "target": "server:a", "status": "fail", "severity": "low",
                "message": "the waiver for BACKUP-OFFSITE expired on 2026-02-01; it covers no failure now, remove it"}"#,
        );
        let k = keys(&r, None);
        assert_eq!(k[0].parameter.as_deref(), Some("ZONE-PLACEMENT"));
        assert_eq!(k[1].parameter.as_deref(), Some("BACKUP-OFFSITE"));
        // Same waived control twice: numbered in report order.
        assert_eq!((k[1].ordinal, k[2].ordinal), (1, 2));
        let fps: std::collections::HashSet<String> = k.iter().map(Key::fingerprint).collect();
        assert_eq!(fps.len(), 3);
    }

    #[test]
    fn terminal_control_characters_from_a_report_are_masked_in_text() {
        let old = report("");
        let new = report(
            r#"{"control": "TIME-SYNC", "target": "server:a\u001b]0;owned\u0007", "status": "fail",
                "severity": "medium", "message": "chronyc: \u001b[2Jnot synchronised"}"#,
        );
        let out = text(&compare(&old, &new, Severity::High));
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
        assert!(out.contains("chronyc: ?[2Jnot synchronised"), "{out}");
    }
}

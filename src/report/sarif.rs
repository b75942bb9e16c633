//! The report as SARIF 2.1.0, for code-scanning tools (GitHub code scanning, GitLab, Azure
//! DevOps, SARIF viewers).
//!
//! A handful of typed serde structs of our own, only the parts of the format we fill, checked
//! against the official SARIF 2.1.0 JSON schema by `tests/report_formats.rs` (serde-sarif covers
//! the whole format but pulls 33 crates and generates code at build time).
//!
//! One rule per control that has a finding, with its remediation as help and its severity and
//! legal basis as properties. One result per finding that needs a reader: `fail` (kind `fail`,
//! level by severity), `waived` (a `fail` with an accepted external suppression), `error` (kind
//! `open`: the check could not be decided) and `manual` (kind `review`). Passing and
//! not-applicable findings are counted in the run's properties, not listed. Inventory findings
//! point at their TOML file and line; every result also names its target as a logical location.

use std::collections::BTreeMap;

use serde::Serialize;

use super::JudgedBy;
use super::{Report, ReportFinding};
use crate::diag::mask_controls;
use crate::inventory::Regime;
use crate::policy::{Severity, Status};

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// `tool.driver.informationUri`: the package's homepage when the build names one, otherwise a
/// URN naming the tool (the field must be an absolute URI, and capdo has no public address).
const INFORMATION_URI: &str = match option_env!("CARGO_PKG_HOMEPAGE") {
    Some(h) if !h.is_empty() => h,
    _ => "urn:capdo:docs:report",
};

/// A rule's `fullDescription`: what fails, and the clauses every finding of it cites.
fn full_description(title: &str, basis: &[String]) -> String {
    let title = mask_controls(title);
    if basis.is_empty() {
        title
    } else {
        format!("{title} — {}", mask_controls(&basis.join("; ")))
    }
}

/// A rule's `help.text` (GitHub requires one): the remediation, or where to read about the
/// control when it has none.
fn help_text(control: &str, remediation: &str) -> String {
    if remediation.trim().is_empty() {
        format!("`capdo explain {control}` describes this control and how to meet it.")
    } else {
        mask_controls(remediation)
    }
}

/// A SARIF log; `R` is its run's results: a list, or [`Results`] made as they are written.
#[derive(Debug, Serialize)]
pub struct Log<R = Vec<SarifResult>> {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run<R>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run<R = Vec<SarifResult>> {
    pub tool: Tool,
    pub results: R,
    pub properties: RunProperties,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunProperties {
    pub schema: &'static str,
    pub regime: JudgedBy,
    pub generated_at: String,
    pub summary: BTreeMap<&'static str, usize>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub version: String,
    pub semantic_version: String,
    /// Where to learn about the tool (GitHub's ingestion rules warn without it).
    pub information_uri: &'static str,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
pub struct Message {
    pub text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: String,
    pub short_description: Message,
    /// Required by GitHub code scanning (GH2012): the title with the control's legal basis.
    pub full_description: Message,
    pub help: Message,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

#[derive(Debug, Serialize)]
pub struct Configuration {
    pub level: &'static str,
}

#[derive(Debug, Serialize)]
pub struct RuleProperties {
    pub severity: Severity,
    /// The control's legal basis (articles, clauses, TCVN sections).
    pub basis: Vec<String>,
    pub tags: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: String,
    pub rule_index: usize,
    pub kind: &'static str,
    pub level: &'static str,
    pub message: Message,
    pub locations: Vec<Location>,
    /// Stable across runs: control and target (and regime under `--regime both`).
    pub partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
    pub properties: ResultProperties,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_location: Option<PhysicalLocation>,
    pub logical_locations: Vec<LogicalLocation>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: usize,
    pub start_column: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    pub name: String,
    pub fully_qualified_name: String,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<LogicalProperties>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalProperties {
    /// The inventory's name of the target (a system's or datacenter's `name`).
    pub display_name: String,
}

#[derive(Debug, Serialize)]
pub struct Suppression {
    pub kind: &'static str,
    pub status: &'static str,
    pub justification: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultProperties {
    pub target: String,
    pub status: Status,
    pub severity: Severity,
    pub level: Option<u8>,
    pub evidence: String,
    pub basis: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regime: Option<Regime>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub transition_debt: bool,
}

/// SARIF's level for a failure of this severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// A file path as a URI reference: relative paths stay relative (to `%SRCROOT%`), absolute ones
/// become `file://` URIs; anything outside the unreserved set is percent-encoded.
fn uri(path: &str) -> (String, Option<&'static str>) {
    let mut enc = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                enc.push(b as char)
            }
            _ => enc.push_str(&format!("%{b:02X}")),
        }
    }
    if path.starts_with('/') {
        (format!("file://{enc}"), None)
    } else {
        (enc.trim_start_matches("./").to_owned(), Some("SRCROOT"))
    }
}

/// `server:web01` → (`web01`, `server:web01`), with the target's display name when it has one.
fn logical(target: &str, names: &BTreeMap<String, String>) -> LogicalLocation {
    let name = crate::inventory::split_target(target).1;
    LogicalLocation {
        name: name.to_owned(),
        fully_qualified_name: target.to_owned(),
        kind: "resource",
        properties: names.get(target).map(|n| LogicalProperties {
            display_name: mask_controls(n),
        }),
    }
}

fn result(f: &ReportFinding, rule_index: usize, names: &BTreeMap<String, String>) -> SarifResult {
    let (kind, lvl) = match f.status {
        Status::Fail | Status::Waived => ("fail", level(f.severity)),
        Status::Error => ("open", "none"),
        Status::Manual => ("review", "none"),
        Status::Pass => ("pass", "none"),
        Status::NotApplicable => ("notApplicable", "none"),
    };
    let suppressions = f
        .waiver
        .as_ref()
        .filter(|w| f.status == Status::Waived && !w.expired)
        .map(|w| Suppression {
            kind: "external",
            status: "accepted",
            justification: mask_controls(&format!(
                "{} (approved by {}, until {}; {})",
                w.reason, w.approved_by, w.expires, w.at
            )),
        })
        .into_iter()
        .collect();
    let physical = f.location.as_ref().map(|l| {
        let (uri, base) = uri(&l.file);
        PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri,
                uri_base_id: base,
            },
            region: Region {
                start_line: l.line.max(1),
                start_column: l.column.max(1),
            },
        }
    });
    let mut fingerprint = format!("{}|{}", f.control, f.target);
    if let Some(r) = f.regime {
        fingerprint.push('|');
        fingerprint.push_str(r.as_str());
    }
    // Messages and evidence quote what hosts said: no terminal controls in a log others view.
    let message = if f.message.is_empty() {
        f.title.to_string()
    } else {
        mask_controls(&f.message)
    };
    SarifResult {
        rule_id: f.control.to_string(),
        rule_index,
        kind,
        level: lvl,
        message: Message { text: message },
        locations: vec![Location {
            physical_location: physical,
            logical_locations: vec![logical(&f.target, names)],
        }],
        partial_fingerprints: BTreeMap::from([("capdoFinding/v1", fingerprint)]),
        suppressions,
        properties: ResultProperties {
            target: f.target.clone(),
            status: f.status,
            severity: f.severity,
            level: f.level,
            evidence: mask_controls(&f.evidence),
            basis: f.basis.clone(),
            regime: f.regime,
            transition_debt: f.transition_debt,
        },
    }
}

/// The rules of `report` (one per control that has a finding, in the order of first finding),
/// and each control's index among them.
fn rules(report: &Report) -> (Vec<Rule>, BTreeMap<&str, usize>) {
    let mut rules: Vec<Rule> = Vec::new();
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.findings {
        rule_index.entry(&f.control).or_insert_with(|| {
            // The finding's basis carries the control's clauses plus the one specific to the
            // finding; the rule keeps what every finding of the control shares.
            let shared: Vec<String> = f
                .basis
                .iter()
                .filter(|b| {
                    report
                        .findings
                        .iter()
                        .filter(|o| o.control == f.control)
                        .all(|o| o.basis.contains(b))
                })
                .cloned()
                .collect();
            rules.push(Rule {
                id: f.control.to_string(),
                short_description: Message {
                    text: f.title.to_string(),
                },
                full_description: Message {
                    text: full_description(&f.title, &shared),
                },
                help: Message {
                    text: help_text(&f.control, &f.remediation),
                },
                default_configuration: Configuration {
                    level: level(f.severity),
                },
                properties: RuleProperties {
                    severity: f.severity,
                    basis: shared,
                    tags: vec!["security", "compliance"],
                },
            });
            rules.len() - 1
        });
    }
    (rules, rule_index)
}

/// Whether a finding is a SARIF result: it needs a reader.
fn listed(f: &ReportFinding) -> bool {
    matches!(
        f.status,
        Status::Fail | Status::Waived | Status::Error | Status::Manual
    )
}

/// The log around `results`.
fn wrap<R>(report: &Report, rules: Vec<Rule>, results: R) -> Log<R> {
    let s = &report.summary;
    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "capdo",
                    version: report.tool.version.clone(),
                    semantic_version: report.tool.version.clone(),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            results,
            properties: RunProperties {
                schema: super::SCHEMA,
                regime: report.regime,
                generated_at: report.generated_at.clone(),
                summary: BTreeMap::from([
                    ("pass", s.pass),
                    ("fail", s.fail),
                    ("error", s.error),
                    ("waived", s.waived),
                    ("not_applicable", s.not_applicable),
                    ("manual", s.manual),
                ]),
            },
        }],
    }
}

/// The SARIF log of `report`; `names` gives targets' display names (target id → name).
pub fn log(report: &Report, names: &BTreeMap<String, String>) -> Log {
    let (rules, index) = rules(report);
    let results = report
        .findings
        .iter()
        .filter(|f| listed(f))
        .map(|f| result(f, index[&*f.control], names))
        .collect();
    wrap(report, rules, results)
}

/// The results of a run, each made from its finding as it is written: the log never holds
/// them all.
pub struct Results<'a> {
    report: &'a Report,
    index: BTreeMap<&'a str, usize>,
    names: &'a BTreeMap<String, String>,
}

impl std::fmt::Debug for Results<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Results").finish_non_exhaustive()
    }
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.report
                .findings
                .iter()
                .filter(|f| listed(f))
                .map(|f| result(f, self.index[&*f.control], self.names)),
        )
    }
}

/// Pretty JSON that also writes `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`: the same
/// JSON value, but a viewer that pastes message text into a page cannot be fed markup by an
/// inventory or a host.
struct HtmlSafe(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for HtmlSafe {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some(i) = rest.find(['<', '>', '&']) {
            w.write_all(&rest.as_bytes()[..i])?;
            let esc: &[u8] = match rest.as_bytes()[i] {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                _ => b"\\u0026",
            };
            w.write_all(esc)?;
            rest = &rest[i + 1..];
        }
        w.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// The SARIF log of `report` as pretty JSON, with `<`, `>` and `&` written as `\u003c`, … .
/// Holds the whole log and its text in memory: the reference [`write()`] is tested against.
pub fn render(report: &Report, names: &BTreeMap<String, String>) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        HtmlSafe(serde_json::ser::PrettyFormatter::new()),
    );
    // Plain structs of strings and numbers into memory: serializing cannot fail.
    let _ = log(report, names).serialize(&mut ser);
    let mut s = String::from_utf8(out).unwrap_or_default();
    s.push('\n');
    s
}

/// [`render`] written to `out` as it is made, one result at a time.
pub fn write(
    report: &Report,
    names: &BTreeMap<String, String>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let (rules, index) = rules(report);
    let log = wrap(
        report,
        rules,
        Results {
            report,
            index,
            names,
        },
    );
    let mut ser = serde_json::Serializer::with_formatter(
        &mut *out,
        HtmlSafe(serde_json::ser::PrettyFormatter::new()),
    );
    log.serialize(&mut ser).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            uri("inventory/servers.toml"),
            ("inventory/servers.toml".into(), Some("SRCROOT"))
        );
        assert_eq!(
            uri("/tmp/a b/hệ.toml"),
            ("file:///tmp/a%20b/h%E1%BB%87.toml".into(), None)
        );
    }

    #[test]
    fn markup_is_written_as_unicode_escapes_and_reads_back_unchanged() {
        let names = BTreeMap::from([("system:x".to_owned(), "<b>&</b>".to_owned())]);
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(
            &mut out,
            HtmlSafe(serde_json::ser::PrettyFormatter::new()),
        );
        logical("system:x", &names)
            .serialize(&mut ser)
            .expect("serialize");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.contains(r"\u003cb\u003e\u0026\u003c/b\u003e"),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(back["properties"]["displayName"], "<b>&</b>");
    }

    #[test]
    fn severities_map_to_levels() {
        use Severity::*;
        assert_eq!(
            [Critical, High, Medium, Low, Info].map(level),
            ["error", "error", "warning", "note", "note"]
        );
    }
}

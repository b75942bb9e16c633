//! The terminal report: findings grouped system → server → control (failures first within a
//! target), then a summary with counts per level and coverage.

use std::collections::BTreeMap;
use std::fmt::Write;

use codespan_reporting::term::termcolor::{Color, ColorSpec};

use super::{JudgedBy, Report, ReportFinding};
use crate::output::Styled;
use crate::policy::Status;

pub struct Style {
    /// List passing and not-applicable findings too.
    pub verbose: bool,
}

/// capdo's colours, by the SGR codes they used to be written as (`1;31` is bold red).
fn color(code: &str) -> ColorSpec {
    let mut spec = ColorSpec::new();
    for part in code.split(';') {
        match part {
            "1" => spec.set_bold(true),
            "2" => spec.set_dimmed(true),
            "31" => spec.set_fg(Some(Color::Red)),
            "32" => spec.set_fg(Some(Color::Green)),
            "33" => spec.set_fg(Some(Color::Yellow)),
            "35" => spec.set_fg(Some(Color::Magenta)),
            "36" => spec.set_fg(Some(Color::Cyan)),
            _ => &mut spec,
        };
    }
    spec
}

/// `text` in the colour of `code`: the colour travels apart from the text ([`Styled`]).
fn paint(out: &mut Styled, code: &str, text: &str) {
    out.paint(&color(code), text);
}

fn status_label(out: &mut Styled, s: Status) {
    let (code, text) = match s {
        Status::Pass => ("32", "PASS"),
        Status::Fail => ("1;31", "FAIL"),
        Status::Error => ("1;35", "ERROR"),
        Status::Waived => ("33", "WAIVED"),
        Status::NotApplicable => ("2", "N/A"),
        Status::Manual => ("36", "MANUAL"),
    };
    paint(out, code, &format!("{text:<6}"));
}

/// Every value below is written into a [`Styled`], which masks terminal controls in all text it
/// is given: what the inventory, a pack, the waivers or a host said never steers the terminal.
fn finding_block(out: &mut Styled, style: &Style, f: &ReportFinding) {
    let level = f.level.map(|l| format!(" (level {l})")).unwrap_or_default();
    let regime = f
        .regime
        .map(|r| format!(" [{}]", r.as_str()))
        .unwrap_or_default();
    status_label(out, f.status);
    let _ = write!(out, " {:<8} ", f.severity.as_str());
    paint(out, "1", &f.control);
    let _ = write!(out, "  {}{level}{regime}", f.target);
    if f.transition_debt {
        out.text("  ");
        paint(out, "1;33", "TRANSITION DEBT");
    }
    out.text("\n");
    let _ = writeln!(out, "       {}", f.message);
    if f.status == Status::NotApplicable || f.status == Status::Pass && !style.verbose {
        return;
    }
    if !f.evidence.is_empty() {
        let _ = writeln!(out, "       evidence: {}", f.evidence);
    }
    if !f.basis.is_empty() {
        let _ = writeln!(out, "       basis: {}", f.basis.join("; "));
    }
    if let Some(why) = &f.unconfirmed {
        let _ = writeln!(out, "       unconfirmed: {why}");
    }
    if let Some(l) = &f.location {
        let _ = writeln!(out, "       at: {}:{}:{}", l.file, l.line, l.column);
    }
    if let Some(w) = &f.waiver {
        let ticket = w
            .ticket
            .as_deref()
            .map(|t| format!(", ticket {t}"))
            .unwrap_or_default();
        let state = if w.expired { "expired on" } else { "until" };
        let _ = writeln!(
            out,
            "       waiver: {} (approved by {}{ticket}, {state} {}) at {}",
            w.reason, w.approved_by, w.expires, w.at
        );
    }
    if f.status == Status::Fail {
        let _ = writeln!(out, "       fix: {}", f.remediation);
    }
}

/// The systems each target's findings are shown under (id and name, by system id): a system
/// and the servers it runs on ([`super::SystemTargets::owns`]; a shared server under each of
/// its systems). Targets of no system are shown last, under "other targets".
pub type Groups = BTreeMap<String, Vec<(String, String)>>;

pub fn groups(inv: &crate::inventory::Inventory) -> Groups {
    let mut g = Groups::new();
    let mut systems: Vec<(usize, &crate::inventory::System)> =
        inv.systems.iter().enumerate().collect();
    systems.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    for (i, s) in systems {
        let key = (s.id.clone(), s.name.clone());
        for target in super::SystemTargets::of(inv, i).own {
            g.entry(target).or_default().push(key.clone());
        }
    }
    g
}

pub fn render(
    report: &Report,
    groups: &Groups,
    systems: usize,
    org: &str,
    style: &Style,
) -> Styled {
    let mut out = Styled::new();
    let _ = writeln!(
        out,
        "capdo {} — {org} — regime {} ({})",
        report.tool.version,
        report.regime,
        report.regime.title(", and ")
    );
    // What the totals do not cover, before anything else.
    let footing = super::Footing::of(report, systems);
    for note in first_lines(report, &footing) {
        paint(&mut out, "1;33", "NOTE");
        let _ = writeln!(out, " {note}");
    }
    out.text("\n");
    let rank = |f: &ReportFinding| match f.status {
        Status::Fail | Status::Error => 0,
        Status::Waived | Status::Manual => 1,
        Status::Pass => 2,
        Status::NotApplicable => 3,
    };
    // A host that could not be scanned is reported once, not once per control.
    let unscanned: std::collections::BTreeSet<&str> = report
        .targets
        .iter()
        .filter(|t| t.error.is_some())
        .map(|t| t.id.as_str())
        .collect();
    for t in report.targets.iter().filter(|t| t.error.is_some()) {
        paint(&mut out, "1;35", "NOT SCANNED");
        let _ = writeln!(
            out,
            " {}  {}: {}\n",
            t.id,
            t.status,
            t.error.as_deref().unwrap_or("")
        );
    }
    let shown: Vec<&ReportFinding> = report
        .findings
        .iter()
        .filter(|f| !(f.status == Status::Error && unscanned.contains(f.target.as_str())))
        .filter(|f| {
            style.verbose || matches!(f.status, Status::Fail | Status::Error | Status::Waived)
        })
        .collect();
    // System by system (the rest last), the system itself before its servers, each target's
    // failures first.
    let mut shown: Vec<(Option<&(String, String)>, &ReportFinding)> = shown
        .into_iter()
        .flat_map(|f| match groups.get(&f.target) {
            Some(gs) => gs.iter().map(|g| (Some(g), f)).collect::<Vec<_>>(),
            None => vec![(None, f)],
        })
        .collect();
    shown.sort_by(|(ga, a), (gb, b)| {
        ga.is_none()
            .cmp(&gb.is_none())
            .then_with(|| ga.cmp(gb))
            .then_with(|| (!a.target.starts_with("system:")).cmp(&!b.target.starts_with("system:")))
            .then_with(|| a.target.cmp(&b.target))
            .then_with(|| rank(a).cmp(&rank(b)))
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.control.cmp(&b.control))
    });
    if shown.is_empty() && unscanned.is_empty() {
        paint(&mut out, "32", "No failures.");
        out.text("\n\n");
    }
    let mut current: Option<Option<&(String, String)>> = None;
    for (g, f) in shown {
        if current != Some(g) {
            let title = match g {
                Some((id, name)) => format!("── system {id}: {name}"),
                None => {
                    "── other targets (organisation, datacenters, networks, servers of no system)"
                        .to_owned()
                }
            };
            paint(&mut out, "1", &title);
            out.text("\n\n");
            current = Some(g);
        }
        finding_block(&mut out, style, f);
        out.text("\n");
    }

    // Counts per level of the targets judged.
    let mut per_level: BTreeMap<Option<u8>, (usize, usize, usize)> = BTreeMap::new();
    for f in &report.findings {
        let e = per_level.entry(f.level).or_default();
        match f.status {
            Status::Pass => e.0 += 1,
            Status::Fail => e.1 += 1,
            Status::Error => e.2 += 1,
            _ => {}
        }
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "Summary: {} pass, {} fail, {} error, {} waived, {} not applicable, {} manual",
        s.pass, s.fail, s.error, s.waived, s.not_applicable, s.manual
    );
    if s.manual > 0 && !style.verbose {
        // Human attestations are listed by control, not one block per target.
        let mut by_control: BTreeMap<&str, usize> = BTreeMap::new();
        for f in report
            .findings
            .iter()
            .filter(|f| f.status == Status::Manual)
        {
            *by_control.entry(&f.control).or_default() += 1;
        }
        let list: Vec<String> = by_control
            .iter()
            .map(|(c, n)| format!("{c} ×{n}"))
            .collect();
        let _ = writeln!(
            out,
            "Needs a human attestation (manual, never counted as a pass; -v lists them): {}",
            list.join(", ")
        );
    }
    if report.regime == JudgedBy::Both {
        let debt = report.findings.iter().filter(|f| f.transition_debt).count();
        let _ = writeln!(
            out,
            "Transition debt: {debt} failure(s) under nd331 that pass under nd85 (each regime's findings are counted above)"
        );
    }
    // Per level: the outcome, then how much of what applies was evaluated and why not the rest.
    let coverage: BTreeMap<Option<u8>, &crate::report::Coverage> =
        report.coverage.iter().map(|c| (c.level, c)).collect();
    for (level, (pass, fail, error)) in per_level {
        let cov = coverage.get(&level);
        if pass + fail + error == 0 && cov.is_none() {
            continue;
        }
        let name = level
            .map(|l| format!("level {l}"))
            .unwrap_or_else(|| "no level".into());
        let errors = if error > 0 {
            format!(", {error} error")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {name}: {pass} pass, {fail} fail{errors}{}",
            cov.map(|c| coverage_note(c)).unwrap_or_default()
        );
    }
    // A check that could not be made counts against compliance: it is not shown to pass. The
    // share of applicable checks evaluated always stands beside the percentage.
    let checked = s.pass + s.fail + s.error;
    if checked > 0 {
        let _ = writeln!(
            out,
            "Compliance: {:.1}% of the checks made pass{}; {} of {} applicable checks evaluated ({}%)",
            100.0 * s.pass as f64 / checked as f64,
            if s.error > 0 {
                format!(" ({} could not be made)", s.error)
            } else {
                String::new()
            },
            footing.evaluated,
            footing.applicable,
            footing.evaluated_percent()
        );
    }
    if !unscanned.is_empty() {
        let _ = writeln!(out, "Not scanned: {}", unscanned.len());
    }
    out
}

/// The notes the text report opens with: no information system, servers not scanned.
pub fn first_lines(report: &Report, f: &super::Footing) -> Vec<String> {
    let mut notes = Vec::new();
    if f.systems == 0 {
        notes.push(
            "the inventory describes no information system: no level is derived and no system control is judged"
                .to_owned(),
        );
    }
    if f.servers_not_scanned > 0 {
        let why = if super::Footing::all_offline(report) {
            "offline: no host was contacted"
        } else {
            "see NOT SCANNED below"
        };
        notes.push(format!(
            "{} of {} servers not scanned ({why}): their host checks are not in the totals; {} of {} applicable checks evaluated ({}%)",
            f.servers_not_scanned,
            f.servers,
            f.evaluated,
            f.applicable,
            f.evaluated_percent()
        ));
    }
    notes
}

/// "; 219 of 956 applicable checks evaluated (737 host not scanned)", or nothing when all were.
fn coverage_note(c: &crate::report::Coverage) -> String {
    if c.evaluated == c.applicable {
        return String::new();
    }
    let n = &c.not_evaluated;
    let why: Vec<String> = [
        (n.host_unreachable, "host unreachable"),
        (n.fact_missing, "fact missing"),
        (n.manual, "manual attestation"),
        (n.not_scanned, "host not scanned"),
    ]
    .iter()
    .filter(|(k, _)| *k > 0)
    .map(|(k, what)| format!("{k} {what}"))
    .collect();
    format!(
        "; {} of {} applicable checks evaluated ({})",
        c.evaluated,
        c.applicable,
        why.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckPlan, Hosts, Regimes};
    use crate::inventory::Regime;
    use crate::policy::builtin::testing::{HEAD, server, system};
    use crate::policy::{Catalog, Lang, Severity};

    /// A server shared by two systems belongs to each: its findings are shown under both, as
    /// the per-system rows of the HTML report and the dossier count them.
    #[test]
    fn a_shared_server_is_shown_under_each_of_its_systems() {
        let text = format!(
            "{HEAD}\n{}{}{}",
            server("shared", "lan", 5, ""),
            system("alpha", 2, &["shared"], &[], ""),
            system("beta", 2, &["shared"], &[], "")
        );
        let mut sources = crate::diag::Sources::new();
        let files = vec![(std::path::PathBuf::from("test.toml"), text.into_bytes())];
        let inv = crate::inventory::load_files(std::path::Path::new("test"), files, &mut sources)
            .expect("inventory");
        let plan = CheckPlan {
            regimes: Regimes::One(Regime::Nd85),
            servers: vec![0],
            partial: false,
            hosts: Hosts::Offline,
            today: jiff::civil::date(2026, 11, 22),
            generated_at: "2026-11-22T00:00:00Z".into(),
            fail_on: Severity::High,
            lang: Lang::En,
        };
        let out = crate::check::run(&Catalog::embedded(), &inv, &sources, &[], plan);
        let style = Style { verbose: true };
        let shown = render(
            &out.report,
            &groups(&inv),
            inv.systems.len(),
            "Test",
            &style,
        )
        .plain();
        let section = |name: &str| {
            let start = shown.find(&format!("── system {name}:")).expect(name);
            let rest = &shown[start + "── ".len()..];
            rest[..rest.find("── ").unwrap_or(rest.len())].to_owned()
        };
        let (alpha, beta) = (section("alpha"), section("beta"));
        assert!(alpha.contains("server:shared"), "{shown}");
        assert!(beta.contains("server:shared"), "{shown}");
        assert!(!alpha.contains("system:beta") && !beta.contains("system:alpha"));
        let other = &shown[shown.find("── other targets").expect("other")..];
        assert!(other.contains("organization"), "{shown}");
    }

    /// Issue 17: the first lines say when servers were not scanned, offline or not, and a
    /// report read without coverage counts its findings for the share evaluated.
    #[test]
    fn first_lines_name_unscanned_servers_and_missing_systems() {
        let text = format!(
            "{HEAD}\n{}{}",
            server("a", "lan", 5, ""),
            server("b", "lan", 6, "")
        );
        let mut sources = crate::diag::Sources::new();
        let files = vec![(std::path::PathBuf::from("test.toml"), text.into_bytes())];
        let inv = crate::inventory::load_files(std::path::Path::new("test"), files, &mut sources)
            .expect("inventory");
        let plan = CheckPlan {
            regimes: Regimes::One(Regime::Nd85),
            servers: vec![0, 1],
            partial: false,
            hosts: Hosts::Offline,
            today: jiff::civil::date(2026, 11, 22),
            generated_at: "2026-11-22T00:00:00Z".into(),
            fail_on: Severity::High,
            lang: Lang::En,
        };
        let mut report = crate::check::run(&Catalog::embedded(), &inv, &sources, &[], plan).report;
        let footing = crate::report::Footing::of(&report, 0);
        let notes = first_lines(&report, &footing);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].starts_with("the inventory describes no information system"));
        assert!(
            notes[1].starts_with("2 of 2 servers not scanned (offline"),
            "{notes:?}"
        );
        // One server scanned, the other unreachable; no coverage in the report.
        for (t, status) in report
            .targets
            .iter_mut()
            .filter(|t| t.kind == "server")
            .zip([
                crate::report::TargetStatus::Scanned,
                crate::report::TargetStatus::Failed(
                    crate::collect::transport::FailKind::Unreachable,
                ),
            ])
        {
            t.status = status;
        }
        report.coverage.clear();
        let footing = crate::report::Footing::of(&report, 1);
        let s = &report.summary;
        assert_eq!(
            footing.applicable,
            s.pass + s.fail + s.error + s.waived + s.manual
        );
        let notes = first_lines(&report, &footing);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("1 of 2 servers not scanned (see NOT SCANNED below)"),
            "{notes:?}"
        );
    }
}

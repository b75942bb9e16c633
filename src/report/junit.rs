//! The report as JUnit XML, for CI systems that show test results (GitLab, Jenkins, Azure
//! DevOps, GitHub test-report actions).
//!
//! One test suite per target, in report order; one test case per control judged on it (its
//! name is the control id, with the regime under `--regime both`). `fail` becomes a
//! `<failure>`, `error` an `<error>`, and `not-applicable`, `waived` and `manual` are
//! `<skipped>` with the reason as message. A failure's `type` is the control's severity; the
//! target's level and scan status are suite properties. Written with quick-junit, which also strips ANSI
//! escapes and characters XML cannot hold from what hosts said.

use std::collections::HashMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use super::{Report, ReportFinding, Target};
use crate::policy::Status;

fn details(f: &ReportFinding) -> String {
    let mut d = String::new();
    let mut line = |k: &str, v: &str| {
        if !v.is_empty() {
            d.push_str(k);
            d.push_str(": ");
            d.push_str(v);
            d.push('\n');
        }
    };
    line("title", &f.title);
    line("evidence", &f.evidence);
    line("basis", &f.basis.join("; "));
    if let Some(l) = &f.location {
        line("at", &format!("{}:{}:{}", l.file, l.line, l.column));
    }
    if let Some(w) = &f.waiver {
        let state = if w.expired { "expired" } else { "until" };
        line(
            "waiver",
            &format!(
                "{} (approved by {}, {state} {}) at {}",
                w.reason, w.approved_by, w.expires, w.at
            ),
        );
    }
    if f.status == Status::Fail {
        line("fix", &f.remediation);
    }
    d
}

fn case(f: &ReportFinding) -> TestCase {
    let status = match f.status {
        Status::Pass => TestCaseStatus::success(),
        Status::Fail | Status::Error => {
            let kind = if f.status == Status::Fail {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut s = TestCaseStatus::non_success(kind);
            s.set_message(f.message.as_str())
                .set_type(f.severity.as_str())
                .set_description(details(f));
            s
        }
        Status::NotApplicable | Status::Waived | Status::Manual => {
            let mut s = TestCaseStatus::skipped();
            let reason = match (&f.waiver, f.status) {
                (Some(w), Status::Waived) => format!("waived: {} ({})", w.reason, f.message),
                (_, Status::Manual) => format!("manual attestation needed: {}", f.message),
                _ => format!("not applicable: {}", f.message),
            };
            s.set_message(reason);
            s
        }
    };
    let name = match f.regime {
        Some(r) => format!("{} [{}]", f.control, r.as_str()),
        None => f.control.to_string(),
    };
    let mut c = TestCase::new(name, status);
    c.set_classname(f.target.as_str());
    c
}

/// The targets of `report` that have findings, in report order (then any target not listed
/// there), each with its findings in report order. One pass over the findings: a scan per
/// target was quadratic (224 s at 50,000 servers).
fn grouped(report: &Report) -> Vec<(&str, Option<&Target>, Vec<&ReportFinding>)> {
    let mut order: Vec<&str> = report.targets.iter().map(|t| t.id.as_str()).collect();
    let mut targets: HashMap<&str, &Target> = HashMap::with_capacity(report.targets.len());
    for t in &report.targets {
        targets.entry(t.id.as_str()).or_insert(t);
    }
    let mut by_target: HashMap<&str, Vec<&ReportFinding>> = HashMap::new();
    for f in &report.findings {
        let cases = by_target.entry(f.target.as_str()).or_default();
        if cases.is_empty() && !targets.contains_key(f.target.as_str()) {
            order.push(&f.target);
        }
        cases.push(f);
    }
    order
        .into_iter()
        .filter_map(|id| {
            let findings = by_target.remove(id).filter(|fs| !fs.is_empty())?;
            Some((id, targets.get(id).copied(), findings))
        })
        .collect()
}

/// The test suite of one target.
fn suite(id: &str, target: Option<&Target>, findings: &[&ReportFinding]) -> TestSuite {
    let mut suite = TestSuite::new(id);
    if let Some(t) = target {
        suite.set_time(Duration::from_millis(t.duration_ms));
        suite.add_property(Property::new("status", t.status.as_str()));
        if let Some(l) = t.effective_level {
            suite.add_property(Property::new("level", l.to_string()));
        }
        if let Some(e) = &t.error {
            suite.set_system_err(e.as_str());
        }
    }
    suite.add_test_cases(findings.iter().copied().map(case));
    suite
}

fn xml_error(e: quick_junit::SerializeError) -> anyhow::Error {
    anyhow::anyhow!("cannot write JUnit XML: {e}")
}

/// The JUnit XML of `report`, built whole in memory: the reference [`write()`] is tested against.
pub fn render(report: &Report) -> anyhow::Result<String> {
    let mut junit = quick_junit::Report::new("capdo");
    for (id, target, findings) in grouped(report) {
        junit.add_test_suite(suite(id, target, &findings));
    }
    let mut xml = junit.to_string().map_err(xml_error)?;
    if !xml.ends_with('\n') {
        xml.push('\n');
    }
    Ok(xml)
}

/// [`render`] written to `out` one test suite at a time.
///
/// quick-junit writes a whole report; a report of one suite, less its first lines (the XML
/// declaration and `<testsuites …>`) and its last (`</testsuites>`), is that suite exactly as
/// the whole report writes it (same indentation). The totals of `<testsuites>` are counted
/// first, as quick-junit counts them.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    const END: &str = "\n</testsuites>";
    let groups = grouped(report);
    let mut head = quick_junit::Report::new("capdo");
    for f in &report.findings {
        head.tests += 1;
        match f.status {
            Status::Fail => head.failures += 1,
            Status::Error => head.errors += 1,
            Status::NotApplicable | Status::Waived | Status::Manual => head.skipped += 1,
            Status::Pass => {}
        }
    }
    if groups.is_empty() {
        let mut xml = head.to_string().map_err(xml_error)?;
        if !xml.ends_with('\n') {
            xml.push('\n');
        }
        return Ok(out.write_all(xml.as_bytes())?);
    }
    let text = head.to_string().map_err(xml_error)?;
    // `<testsuites …></testsuites>` or `<testsuites …/>` when empty: keep the opening tag.
    let open_end = text
        .find("<testsuites")
        .and_then(|i| text[i..].find('>').map(|j| i + j))
        .ok_or_else(|| anyhow::anyhow!("cannot write JUnit XML: no <testsuites> element"))?;
    let open = if text[..open_end].ends_with('/') {
        format!("{}>", &text[..open_end - 1])
    } else {
        text[..=open_end].to_owned()
    };
    out.write_all(open.as_bytes())?;
    let mut tail = String::new();
    for (id, target, findings) in &groups {
        let mut one = quick_junit::Report::new("capdo");
        one.add_test_suite(suite(id, *target, findings));
        let xml = one.to_string().map_err(xml_error)?;
        let start = xml
            .find("<testsuites")
            .and_then(|i| xml[i..].find('>').map(|j| i + j + 1))
            .ok_or_else(|| anyhow::anyhow!("cannot write JUnit XML: no <testsuites> element"))?;
        let end = xml
            .rfind(END)
            .ok_or_else(|| anyhow::anyhow!("cannot write JUnit XML: no </testsuites>"))?;
        out.write_all(&xml.as_bytes()[start..end])?;
        tail = xml[end..].to_owned();
    }
    if !tail.ends_with('\n') {
        tail.push('\n');
    }
    out.write_all(tail.as_bytes())?;
    Ok(())
}

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
        None => f.control.to_owned(),
    };
    let mut c = TestCase::new(name, status);
    c.set_classname(f.target.as_str());
    c
}

/// The JUnit XML of `report`.
pub fn render(report: &Report) -> anyhow::Result<String> {
    let mut junit = quick_junit::Report::new("capdo");
    // Findings grouped by target, targets in report order (then any target not listed there).
    // One pass over the findings: a scan per target was quadratic (224 s at 50,000 servers).
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
    for id in order {
        let cases: Vec<TestCase> = by_target
            .get(id)
            .map(|fs| fs.iter().copied().map(case).collect())
            .unwrap_or_default();
        if cases.is_empty() {
            continue;
        }
        let mut suite = TestSuite::new(id);
        if let Some(t) = targets.get(id) {
            suite.set_time(Duration::from_millis(t.duration_ms));
            suite.add_property(Property::new("status", t.status.as_str()));
            if let Some(l) = t.effective_level {
                suite.add_property(Property::new("level", l.to_string()));
            }
            if let Some(e) = &t.error {
                suite.set_system_err(e.as_str());
            }
        }
        suite.add_test_cases(cases);
        junit.add_test_suite(suite);
    }
    let mut xml = junit
        .to_string()
        .map_err(|e| anyhow::anyhow!("cannot write JUnit XML: {e}"))?;
    if !xml.ends_with('\n') {
        xml.push('\n');
    }
    Ok(xml)
}

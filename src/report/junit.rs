//! The report as JUnit XML, for CI systems that show test results (GitLab, Jenkins, Azure
//! DevOps, GitHub test-report actions).
//!
//! One test suite per target, in report order; one test case per control judged on it (its
//! name is the control id, with the regime under `--regime both`). `fail` becomes a
//! `<failure>`, `error` an `<error>`, and `not-applicable`, `waived` and `manual` are
//! `<skipped>` with the reason as message. A failure's `type` is the control's severity; the
//! target's level and scan status are suite properties. Built with quick-junit, which also strips
//! ANSI escapes and characters XML cannot hold from what hosts said ([`render`]); streamed with
//! quick-xml in the same events, byte for byte ([`write()`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

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

/// The message of a `<skipped>` test case.
fn skip_reason(f: &ReportFinding) -> String {
    match (&f.waiver, f.status) {
        (Some(w), Status::Waived) => format!("waived: {} ({})", w.reason, f.message),
        (_, Status::Manual) => format!("manual attestation needed: {}", f.message),
        _ => format!("not applicable: {}", f.message),
    }
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
            s.set_message(skip_reason(f));
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

/// [`render`] written to `out` one test suite at a time, byte for byte.
///
/// quick-junit builds a whole report and cleans every value as it is stored: ANSI escapes and
/// control characters are removed with a terminal parser, which cost a third of the check at
/// 50,000 servers. Here the same XML events are written to the same writer (quick-xml,
/// indented by 4 spaces, as quick-junit's `serialize_report` does for the parts capdo uses),
/// and a value is cleaned by quick-junit only when it holds something to remove;
/// tests compare the two on the sample, on a generated 10k inventory and on hostile text.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let mut totals = Counts::default();
    for f in &report.findings {
        totals.add(f.status);
    }
    let mut w = Writer::new_with_indent(out, b' ', 4);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut tag = BytesStart::new("testsuites");
    tag.push_attribute(("name", "capdo"));
    totals.push(&mut tag, false);
    w.write_event(Event::Start(tag))?;
    for (id, target, findings) in grouped(report) {
        write_suite(&mut w, id, target, &findings)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    w.write_indent()?;
    Ok(())
}

/// A suite's or the report's counts of test cases, as quick-junit counts them.
#[derive(Default)]
struct Counts {
    tests: usize,
    skipped: usize,
    failures: usize,
    errors: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        self.tests += 1;
        match status {
            Status::Fail => self.failures += 1,
            Status::Error => self.errors += 1,
            Status::NotApplicable | Status::Waived | Status::Manual => self.skipped += 1,
            Status::Pass => {}
        }
    }

    /// The counts as attributes: `<testsuites>` names failures before errors, `<testsuite>`
    /// errors before failures (as quick-junit writes them).
    fn push(&self, tag: &mut BytesStart, errors_first: bool) {
        let (a, b) = (("failures", self.failures), ("errors", self.errors));
        let (a, b) = if errors_first { (b, a) } else { (a, b) };
        for (name, n) in [("tests", self.tests), ("skipped", self.skipped), a, b] {
            tag.push_attribute((name, n.to_string().as_str()));
        }
    }
}

type Xml<'w> = Writer<&'w mut dyn std::io::Write>;

/// One target's `<testsuite>`, as [`suite`] is serialised by quick-junit.
fn write_suite(
    w: &mut Xml,
    id: &str,
    target: Option<&Target>,
    findings: &[&ReportFinding],
) -> anyhow::Result<()> {
    let mut counts = Counts::default();
    for f in findings {
        counts.add(f.status);
    }
    let mut tag = BytesStart::new("testsuite");
    tag.push_attribute(("name", kept(id).as_ref()));
    counts.push(&mut tag, true);
    if let Some(t) = target {
        let time = Duration::from_millis(t.duration_ms).as_secs_f64();
        tag.push_attribute(("time", format!("{time:.3}").as_str()));
    }
    // quick-junit writes an empty suite as one empty element; a suite here has findings.
    w.write_event(Event::Start(tag))?;
    if let Some(t) = target {
        w.write_event(Event::Start(BytesStart::new("properties")))?;
        property(w, "status", t.status.as_str())?;
        if let Some(l) = t.effective_level {
            property(w, "level", &l.to_string())?;
        }
        w.write_event(Event::End(BytesEnd::new("properties")))?;
    }
    for f in findings {
        write_case(w, f)?;
    }
    if let Some(e) = target.and_then(|t| t.error.as_deref()) {
        w.write_event(Event::Start(BytesStart::new("system-err")))?;
        w.write_event(Event::Text(BytesText::new(&kept(e))))?;
        w.write_event(Event::End(BytesEnd::new("system-err")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    Ok(())
}

fn property(w: &mut Xml, name: &str, value: &str) -> std::io::Result<()> {
    let mut tag = BytesStart::new("property");
    tag.push_attribute(("name", kept(name).as_ref()));
    tag.push_attribute(("value", kept(value).as_ref()));
    w.write_event(Event::Empty(tag))
}

/// One finding's `<testcase>`, as [`case`] is serialised by quick-junit.
fn write_case(w: &mut Xml, f: &ReportFinding) -> std::io::Result<()> {
    let mut tag = BytesStart::new("testcase");
    let name = match f.regime {
        Some(r) => format!("{} [{}]", f.control, r.as_str()),
        None => f.control.to_string(),
    };
    tag.push_attribute(("name", kept(&name).as_ref()));
    tag.push_attribute(("classname", kept(&f.target).as_ref()));
    match f.status {
        Status::Pass => w.write_event(Event::Empty(tag)),
        Status::Fail | Status::Error => {
            w.write_event(Event::Start(tag))?;
            let name = if f.status == Status::Fail {
                "failure"
            } else {
                "error"
            };
            let mut status = BytesStart::new(name);
            status.push_attribute(("message", kept(&f.message).as_ref()));
            status.push_attribute(("type", kept(f.severity.as_str()).as_ref()));
            w.write_event(Event::Start(status))?;
            w.write_event(Event::Text(BytesText::new(&kept(&details(f)))))?;
            w.write_event(Event::End(BytesEnd::new(name)))?;
            w.write_event(Event::End(BytesEnd::new("testcase")))
        }
        Status::NotApplicable | Status::Waived | Status::Manual => {
            w.write_event(Event::Start(tag))?;
            let mut status = BytesStart::new("skipped");
            status.push_attribute(("message", kept(&skip_reason(f)).as_ref()));
            w.write_event(Event::Empty(status))?;
            w.write_event(Event::End(BytesEnd::new("testcase")))
        }
    }
}

/// `s` as quick-junit keeps it ([`quick_junit::XmlString::new`]): its terminal parser removes
/// escape sequences and every C0 and C1 control but the line feed, and prints every other
/// character as it is; then the controls XML cannot hold are removed. A value with none of
/// those (no byte below 0x20 but `\n`, no U+0080–U+009F) is therefore kept as it is, without
/// parsing it; any other is cleaned by quick-junit itself.
fn kept(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    let plain = b.iter().enumerate().all(|(i, &c)| {
        (c >= 0x20 || c == b'\n') && !(c == 0xC2 && b.get(i + 1).is_some_and(|n| *n <= 0x9F))
    });
    if plain {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(quick_junit::XmlString::new(s).into_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Text that holds what hosts may say: escape sequences (CSI, OSC, 8-bit CSI), C0 and C1
    /// controls, DEL, XML metacharacters, Vietnamese.
    fn hostile() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "a",
            " ",
            "\n",
            "\r\n",
            "\t",
            "\u{1b}[31m",
            "\u{1b}]0;title\u{7}",
            "\u{1b}",
            "\u{9b}2J",
            "\u{85}",
            "\u{9f}",
            "\u{a0}",
            "\u{7f}",
            "\u{0}",
            "\u{b}",
            "\u{c2}",
            "<&>\"'",
            "]]>",
            "Cấp độ 3",
            "\u{fffd}",
            "\u{1f512}",
            "\u{1b}P",
            "\u{1b}\\",
        ]);
        prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn a_value_is_kept_as_quick_junit_keeps_it(s in hostile()) {
            let theirs = quick_junit::XmlString::new(&s).into_string();
            prop_assert_eq!(kept(&s).into_owned(), theirs);
        }

        #[test]
        fn the_stream_is_quick_junits_report(
            messages in prop::collection::vec(hostile(), 1..6),
            error in prop::option::of(hostile()),
        ) {
            let statuses = ["pass", "fail", "error", "not-applicable", "waived", "manual"];
            let findings: Vec<String> = messages.iter().enumerate().map(|(i, m)| {
                let m = serde_json::to_string(m).expect("json");
                let waiver = if i % 2 == 0 {
                    format!(r#", "waiver": {{"reason": {m}, "approved_by": "a", "expires": "2027-01-01", "at": "w.toml:1:1", "expired": false}}"#)
                } else {
                    String::new()
                };
                format!(
                    r#"{{"control": "C-{i}", "target": "server:{}", "status": "{}", "severity": "high",
                        "title": {m}, "message": {m}, "evidence": {m}, "basis": [{m}],
                        "remediation": {m}{waiver}}}"#,
                    i % 3, statuses[i % statuses.len()]
                )
            }).collect();
            let text = format!(
                r#"{{"schema": "capdo.report/v1", "regime": "nd85", "findings": [{}],
                    "targets": [{{"id": "server:0", "kind": "server", "effective_level": 3,
                    "status": "unreachable", "error": {}, "duration_ms": 1234}}]}}"#,
                findings.join(","),
                serde_json::to_string(&error).expect("json"),
            );
            let report: Report = serde_json::from_str(&text).expect("a report");
            let mut out = Vec::new();
            write(&report, &mut out).expect("write");
            prop_assert_eq!(String::from_utf8(out).expect("utf-8"), render(&report).expect("render"));
        }
    }

    #[test]
    fn an_empty_report_is_quick_junits() {
        let report: Report = serde_json::from_str(
            r#"{"schema": "capdo.report/v1", "regime": "nd85", "findings": []}"#,
        )
        .expect("a report");
        let mut out = Vec::new();
        write(&report, &mut out).expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            render(&report).expect("render")
        );
    }
}

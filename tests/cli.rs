//! End-to-end tests of each command on the shipped sample and on fixtures: standard output,
//! standard error and exit code.

use serde_json::Value;

mod common;

use common::{Capdo, Run};

/// Run capdo with a fixed evaluation date and no colour.
fn capdo(args: &[&str]) -> Run {
    Capdo::new().args(args).run()
}

fn version_filter() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(env!("CARGO_PKG_VERSION"), "[VERSION]");
    s.add_filter(r#""generated_at": "[^"]+""#, r#""generated_at": "[TIME]""#);
    s
}

#[test]
fn validate_accepts_the_sample() {
    let r = capdo(&["validate"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "inventory `inventory` is valid: 5 datacenters, 36 networks, 79 servers, 16 systems, 8 externals, 77 flows (1 warning, shown above)\n"
    );
    // Valid, but the sample's security unit also operates its level-3 systems and would
    // appraise their dossiers itself (TT 12/2022 Đ6): one warning, at the operator's line.
    assert!(
        r.stderr.starts_with(
            "warning[appraisal-not-independent]: the level dossiers of systems `baocao` (level 3),"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.matches("warning[").count(), 1, "{}", r.stderr);
    // At the organisation's `operator` key, whatever line it is on.
    let org = std::fs::read_to_string("inventory/organization.toml").expect("sample");
    let line = 1 + org
        .lines()
        .position(|l| l.starts_with("operator = "))
        .expect("the sample names its operator");
    let at = format!("inventory/organization.toml:{line}:12");
    assert!(r.stderr.contains(&at), "no {at} in {}", r.stderr);
}

#[test]
fn validate_quiet_prints_nothing() {
    let r = capdo(&["-q", "validate"]);
    assert_eq!(r.code, Some(0));
    assert_eq!(r.stdout, "");
}

#[test]
fn check_offline_text_on_the_sample() {
    let r = capdo(&["check", "--offline"]);
    // The sample carries high-severity failures, so the default --fail-on high exits 1.
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stderr, "");
    version_filter().bind(|| insta::assert_snapshot!("check_offline_text", r.stdout));
}

#[test]
fn check_offline_text_under_the_current_regime() {
    let r = capdo(&["--regime", "nd331", "--lang", "en", "check", "--offline"]);
    assert_eq!(r.code, Some(1));
    version_filter().bind(|| insta::assert_snapshot!("check_offline_text_nd331_en", r.stdout));
}

/// The parts of `capdo.report/v1` that DESIGN.md fixes, checked field by field.
fn assert_report_v1(report: &Value) {
    let obj = report.as_object().expect("object");
    for key in [
        "schema",
        "tool",
        "generated_at",
        "regime",
        "targets",
        "facts",
        "findings",
        "summary",
    ] {
        assert!(obj.contains_key(key), "missing top-level `{key}`");
    }
    assert_eq!(report["schema"], "capdo.report/v1");
    assert_eq!(report["tool"]["name"], "capdo");
    assert!(report["tool"]["version"].is_string());
    let ts = report["generated_at"].as_str().expect("generated_at");
    assert!(ts.parse::<jiff::Timestamp>().is_ok(), "RFC 3339: {ts}");
    assert!(matches!(report["regime"].as_str(), Some("nd85" | "nd331")));
    assert!(report["facts"].is_object());
    let kinds = ["server", "system", "network", "datacenter", "organization"];
    for t in report["targets"].as_array().expect("targets") {
        let id = t["id"].as_str().expect("target id");
        let kind = t["kind"].as_str().expect("target kind");
        assert!(kinds.contains(&kind), "{kind}");
        assert!(
            id == "organization" || id.starts_with(&format!("{kind}:")),
            "{id}"
        );
        assert!(
            t["effective_level"].is_null()
                || (1..=5).contains(&t["effective_level"].as_u64().unwrap_or(0))
        );
        assert!(matches!(
            t["status"].as_str(),
            Some(
                "scanned"
                    | "unreachable"
                    | "auth-failed"
                    | "host-key-mismatch"
                    | "timeout"
                    | "offline"
            )
        ));
        assert!(t.get("error").is_some() && t["duration_ms"].is_u64());
    }
    let statuses = [
        "pass",
        "fail",
        "error",
        "waived",
        "not-applicable",
        "manual",
    ];
    let severities = ["critical", "high", "medium", "low", "info"];
    let mut counts = std::collections::BTreeMap::new();
    for f in report["findings"].as_array().expect("findings") {
        for key in [
            "control", "target", "status", "severity", "level", "title", "message", "evidence",
            "basis", "location", "waiver",
        ] {
            assert!(f.get(key).is_some(), "finding without `{key}`: {f}");
        }
        let status = f["status"].as_str().expect("status");
        assert!(statuses.contains(&status), "{status}");
        assert!(severities.contains(&f["severity"].as_str().expect("severity")));
        assert!(
            !f["basis"].as_array().expect("basis").is_empty(),
            "every finding cites its basis: {f}"
        );
        if !f["location"].is_null() {
            assert!(f["location"]["file"].is_string());
            assert!(f["location"]["line"].as_u64().expect("line") >= 1);
            assert!(f["location"]["column"].as_u64().expect("column") >= 1);
        }
        *counts.entry(status.replace('-', "_")).or_insert(0u64) += 1;
    }
    for s in statuses {
        let key = s.replace('-', "_");
        assert_eq!(
            report["summary"][&key].as_u64(),
            Some(*counts.get(&key).unwrap_or(&0)),
            "summary.{key}"
        );
    }
}

#[test]
fn check_offline_json_is_report_v1_and_covers_every_target() {
    let r = capdo(&["check", "--offline", "--format", "json"]);
    assert_eq!(r.code, Some(1));
    let report: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_report_v1(&report);
    assert_eq!(report["regime"], "nd85");

    // Every offline control is evaluated once on every target of its kind.
    let targets = report["targets"].as_array().expect("targets");
    let findings = report["findings"].as_array().expect("findings");
    let list = capdo(&["--regime", "nd85", "controls"]).stdout;
    // Control lines; the indented ones under them give the basis.
    for line in list.lines().skip(1).filter(|l| !l.starts_with(' ')) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (id, kind, checks) = (cols[0], cols[1], cols[4]);
        if !["inventory", "manual"].contains(&checks) {
            // Host controls need a scan; offline they are not judged.
            assert!(!findings.iter().any(|f| f["control"] == id), "{id} offline");
            continue;
        }
        let of_kind: Vec<&str> = targets
            .iter()
            .filter(|t| t["kind"] == kind)
            .map(|t| t["id"].as_str().expect("id"))
            .collect();
        let mut judged: Vec<&str> = findings
            .iter()
            .filter(|f| f["control"] == id)
            .map(|f| f["target"].as_str().expect("target"))
            .collect();
        judged.sort_unstable();
        let mut expected = of_kind.clone();
        expected.sort_unstable();
        assert_eq!(judged, expected, "{id} on every {kind}");
    }

    // The planted findings of the sample, and nothing else, fail.
    let mut failed: Vec<String> = findings
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| {
            format!(
                "{} {} {}",
                f["control"].as_str().unwrap_or(""),
                f["target"].as_str().unwrap_or(""),
                location(f)
            )
        })
        .collect();
    failed.sort();
    insta::assert_snapshot!("sample_failures_nd85", failed.join("\n"));
}

fn location(f: &Value) -> String {
    let l = &f["location"];
    format!(
        "{}:{}:{}",
        l["file"].as_str().unwrap_or(""),
        l["line"],
        l["column"]
    )
}

#[test]
fn check_offline_json_for_the_minimal_design_example() {
    let r = capdo(&[
        "-i",
        "tests/fixtures/minimal",
        "check",
        "--offline",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_report_v1(&report);
    version_filter().bind(|| insta::assert_snapshot!("minimal_report_json", r.stdout));
}

#[test]
fn fail_on_sets_the_exit_code() {
    // The minimal example's worst failures are high: critical-only passes, medium fails.
    let critical = capdo(&[
        "-i",
        "tests/fixtures/minimal",
        "check",
        "--offline",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(critical.code, Some(0));
    let medium = capdo(&[
        "-i",
        "tests/fixtures/minimal",
        "check",
        "--offline",
        "--fail-on",
        "medium",
    ]);
    assert_eq!(medium.code, Some(1));
    let clean = capdo(&[
        "-i",
        "tests/fixtures/clean",
        "check",
        "--offline",
        "--fail-on",
        "low",
    ]);
    assert_eq!(clean.code, Some(0), "{}{}", clean.stdout, clean.stderr);
    assert!(clean.stdout.contains("No failures."), "{}", clean.stdout);
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.json");
    let r = capdo(&[
        "check",
        "--offline",
        "--format",
        "json",
        "--output",
        path.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(r.code, Some(1));
    assert_eq!(r.stdout, "");
    let report: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("report written")).expect("json");
    assert_report_v1(&report);
    // Only the report is left behind: the temporary file was renamed.
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
}

#[test]
fn unreachable_hosts_are_errors_never_passes_and_exit_3() {
    let r = capdo(&[
        "-i",
        "tests/fixtures/unreachable",
        "--timeout",
        "2",
        "check",
        "--format",
        "json",
        "app01",
        "app02",
    ]);
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_report_v1(&report);
    let targets = report["targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 2, "only the servers asked for");
    for t in targets {
        assert_eq!(t["status"], "unreachable", "{t}");
        assert!(
            t["error"].as_str().expect("error").contains("127.0.0.1"),
            "{t}"
        );
    }
    let host_findings: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["control"]
                .as_str()
                // Decided from the inventory alone.
                .is_some_and(|c| {
                    !c.starts_with("ZONE")
                        && !c.starts_with("BACKUP-DECL")
                        && c != "ASSET-RECORD"
                        && c != "HA-NETWORK"
                })
        })
        .filter(|f| f["status"] != "not-applicable")
        .collect();
    assert!(!host_findings.is_empty());
    for f in &host_findings {
        assert!(
            f["status"] == "error" || f["control"] == "BACKUP-DECLARED",
            "{f}"
        );
    }
}

#[test]
fn a_missing_facts_file_is_a_tool_error() {
    let r = capdo(&["check", "--facts", "tests/fixtures/no-such-facts.json"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .starts_with("error: cannot read facts file `tests/fixtures/no-such-facts.json`"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_invalid_inventory_stops_check_with_exit_2() {
    let r = capdo(&[
        "-i",
        "tests/fixtures/invalid/unknown-key",
        "check",
        "--offline",
    ]);
    assert_eq!(r.code, Some(2));
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("error[unknown-key]"), "{}", r.stderr);
    assert!(
        r.stderr.ends_with("has 2 problems; nothing was checked\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn graph_formats_focused_on_one_system() {
    for format in ["dot", "mermaid", "json"] {
        let r = capdo(&["graph", "--format", format, "--focus", "system:baocao"]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        insta::assert_snapshot!(format!("graph_focus_baocao_{format}"), r.stdout);
    }
}

#[test]
fn graph_json_of_the_whole_sample_is_consistent() {
    let r = capdo(&["graph", "--format", "json"]);
    let g: Value = serde_json::from_str(&r.stdout).expect("json");
    let nodes: std::collections::BTreeSet<&str> = g["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].as_str().expect("id"))
        .collect();
    // 1 organization + 5 + 36 + 79 + 16 + 8.
    assert_eq!(nodes.len(), 145);
    for e in g["edges"].as_array().expect("edges") {
        assert!(nodes.contains(e["from"].as_str().expect("from")), "{e}");
        assert!(nodes.contains(e["to"].as_str().expect("to")), "{e}");
    }
}

#[test]
fn impact_of_a_server_a_datacenter_and_a_system() {
    for node in ["server:tdkt-db01", "datacenter:hq", "sso"] {
        let r = capdo(&["impact", node]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        insta::assert_snapshot!(format!("impact_{}", node.replace(':', "_")), r.stdout);
    }
}

#[test]
fn impact_json_names_the_cause_of_each_stop() {
    let r = capdo(&["impact", "--format", "json", "tdkt-db01"]);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["failed"], "server:tdkt-db01");
    let stopped: Vec<(&str, &str)> = v["stopped"]
        .as_array()
        .expect("stopped")
        .iter()
        .map(|s| {
            (
                s["node"].as_str().unwrap_or(""),
                s["because"].as_str().unwrap_or(""),
            )
        })
        .collect();
    // khen-thuong has a single database server: losing it stops the system.
    assert!(
        stopped.contains(&("system:khen-thuong", "server:tdkt-db01")),
        "{stopped:?}"
    );
}

#[test]
fn impact_of_an_unknown_node_suggests_one() {
    let r = capdo(&["impact", "tdkt-db1"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.stderr,
        "error: no node `tdkt-db1` in the inventory (did you mean `tdkt-db01`?)\n"
    );
}

#[test]
fn controls_and_explain() {
    let r = capdo(&["controls"]);
    assert_eq!(r.code, Some(0));
    insta::assert_snapshot!("controls", r.stdout);
    let r = capdo(&["explain", "fourlayer-assessment"]);
    assert_eq!(r.code, Some(0));
    insta::assert_snapshot!("explain_fourlayer_assessment", r.stdout);
}

#[test]
fn docs_controls_md_is_generated_from_the_catalog() {
    let r = capdo(&["controls", "--format", "md"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let doc = std::fs::read_to_string("docs/controls.md").expect("docs/controls.md");
    assert!(
        r.stdout == doc,
        "docs/controls.md is stale: run `cargo run -q -- controls --format md > docs/controls.md`"
    );
}

#[test]
fn every_listed_control_is_explained_with_its_basis_in_both_regimes() {
    let list = capdo(&["controls"]).stdout;
    let ids: Vec<&str> = list
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(ids.len() >= 50, "{list}");
    for id in ids {
        let r = capdo(&["explain", id]);
        assert_eq!(r.code, Some(0), "{id}: {}", r.stderr);
        // Each regime either cites a basis for the control or says it does not require it.
        for regime in ["legacy regime", "current regime"] {
            let section = r
                .stdout
                .split(&format!("In the {regime}"))
                .nth(1)
                .unwrap_or_else(|| panic!("{id}: no {regime} section\n{}", r.stdout));
            let section = section.split("\nIn the ").next().unwrap_or(section);
            assert!(
                section.contains("\n  - Basis: ") || section.contains(": not required"),
                "{id} in the {regime}: {section}"
            );
            if section.contains("\n  - Basis: ") {
                assert!(section.contains("  - Levels: "), "{id}: {section}");
            }
        }
        assert!(r.stdout.contains("Remediation: "), "{id}");
    }
}

#[test]
fn controls_filter_by_level_and_show_the_regime_basis() {
    let all = capdo(&["--regime", "nd85", "controls"]).stdout;
    let level1 = capdo(&["--regime", "nd85", "controls", "--level", "1"]).stdout;
    let level3 = capdo(&["--regime", "nd85", "controls", "--level", "3"]).stdout;
    let has = |list: &str, id: &str| list.lines().any(|l| l.starts_with(&format!("{id} ")));
    // Level 1 keeps the controls of every level and drops those from level 3 (HA-SINGLE-POINT, …).
    assert!(has(&all, "HA-SINGLE-POINT") && has(&level3, "HA-SINGLE-POINT"));
    assert!(!has(&level1, "HA-SINGLE-POINT"));
    assert!(has(&level1, "FW-HOST-DEFAULT-DENY") && has(&level3, "FW-HOST-DEFAULT-DENY"));
    // A control one pack has and the other does not.
    assert!(has(&all, "SSH-DEFAULT-PORT"));
    let current = capdo(&["--regime", "nd331", "controls"]).stdout;
    assert!(!has(&current, "SSH-DEFAULT-PORT") && has(&current, "ACCOUNT-INACTIVE"));
    let r = capdo(&["--regime", "nd331", "controls", "--level", "3"]);
    assert!(
        r.stdout
            .contains("basis: NĐ 331/2026 Đ8.2; NĐ 331/2026 Đ10.5; NĐ 331/2026 Đ11–Đ16"),
        "{}",
        r.stdout
    );
    let r = capdo(&["controls", "--level", "6"]);
    assert_eq!(r.code, Some(2));
}

#[test]
fn regime_both_judges_by_each_regime_and_marks_transition_debt() {
    let json = |args: &[&str]| -> Value {
        let r = capdo(args);
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr))
    };
    let base = ["check", "--offline", "--format", "json"];
    let both = json(&[&["--regime", "both"], &base[..]].concat());
    assert_eq!(both["regime"], "both");
    let findings = both["findings"].as_array().expect("findings");
    // Each regime's findings are exactly those of a check under that regime alone.
    for regime in ["nd85", "nd331"] {
        let alone = json(&[&["--regime", regime], &base[..]].concat());
        let key = |f: &Value| {
            format!(
                "{} {} {} {}",
                f["control"], f["target"], f["status"], f["level"]
            )
        };
        let mut expected: Vec<String> = alone["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(key)
            .collect();
        let mut got: Vec<String> = findings
            .iter()
            .filter(|f| f["regime"] == regime)
            .map(key)
            .collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{regime}");
        assert!(
            alone["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .all(|f| f.get("regime").is_none() && f.get("transition_debt").is_none())
        );
    }
    // Debt: an nd331 failure whose nd85 finding passes, and nothing else.
    let status = |regime: &str, control: &Value, target: &Value| {
        findings
            .iter()
            .find(|f| f["regime"] == regime && &f["control"] == control && &f["target"] == target)
            .map(|f| f["status"].clone())
    };
    let mut debt = 0;
    for f in findings {
        let expected = f["regime"] == "nd331"
            && f["status"] == "fail"
            && status("nd85", &f["control"], &f["target"]) == Some(Value::from("pass"));
        assert_eq!(f["transition_debt"] == true, expected, "{f}");
        debt += usize::from(expected);
    }
    assert!(debt > 0);
    // Level-3 systems last assessed on 2026-05-15 (the organisation's date): within nd85's 12
    // months, past nd331's 6.
    let dvc = findings
        .iter()
        .find(|f| {
            f["regime"] == "nd331"
                && f["control"] == "FOURLAYER-ASSESSMENT"
                && f["target"] == "system:dvc"
        })
        .expect("dvc");
    assert_eq!(dvc["transition_debt"], true);

    let text = capdo(&["--regime", "both", "check", "--offline"]).stdout;
    assert!(
        text.contains(&format!("Transition debt: {debt} failure(s)")),
        "{text}"
    );
    assert!(
        text.contains("system:dvc (level 3) [nd331]  TRANSITION DEBT"),
        "{text}"
    );
}

#[test]
fn regime_both_is_refused_where_it_means_nothing_and_lists_both_bases() {
    let r = capdo(&["--regime", "both", "graph"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .contains("`--regime both` applies to `check` and `controls` (and, during the transition, `dossier` and `annual-report`)"),
        "{}",
        r.stderr
    );
    let r = capdo(&["--regime", "both", "controls"]);
    assert_eq!(r.code, Some(0));
    assert!(r.stdout.contains("nd85: NĐ 85/2016 Đ5.2"), "{}", r.stdout);
    assert!(r.stdout.contains("nd331: NĐ 331/2026 Đ8.2"), "{}", r.stdout);
}

#[test]
fn coverage_counts_what_was_evaluated_per_level_and_why_not_the_rest() {
    let r = capdo(&["check", "--offline", "--format", "json"]);
    let report: Value = serde_json::from_str(&r.stdout).expect("json");
    let findings = report["findings"].as_array().expect("findings");
    let coverage = report["coverage"].as_array().expect("coverage");
    assert!(!coverage.is_empty());
    let servers: Vec<&Value> = report["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .filter(|t| t["kind"] == "server")
        .collect();
    let host_controls = capdo(&["--regime", "nd85", "controls"])
        .stdout
        .lines()
        .filter(|l| l.split_whitespace().nth(4) == Some("host"))
        .count();
    let mut not_scanned = 0;
    for c in coverage {
        let level = &c["level"];
        let at_level = findings.iter().filter(|f| &f["level"] == level);
        let evaluated = at_level
            .clone()
            .filter(|f| ["pass", "fail", "waived"].contains(&f["status"].as_str().unwrap_or("")))
            .count();
        assert_eq!(c["evaluated"], evaluated, "{c}");
        let n = &c["not_evaluated"];
        assert_eq!(n["host_unreachable"], 0);
        assert_eq!(n["fact_missing"], 0);
        let manual = at_level.clone().filter(|f| f["status"] == "manual").count();
        assert_eq!(n["manual"], manual, "{c}");
        assert_eq!(
            c["applicable"].as_u64(),
            Some(
                evaluated as u64 + manual as u64 + n["not_scanned"].as_u64().expect("not_scanned")
            ),
            "{c}"
        );
        not_scanned += n["not_scanned"].as_u64().expect("not_scanned");
    }
    // Offline, every host control that applies to a server was not made; the sample's servers
    // are all at least level 1, and host controls apply from level 1 or 3.
    assert!(not_scanned > 0);
    assert!(not_scanned <= (servers.len() * host_controls) as u64);
    let text = capdo(&["check", "--offline"]).stdout;
    assert!(
        text.contains("applicable checks evaluated") && text.contains("host not scanned"),
        "{text}"
    );
}

#[test]
fn explain_an_unknown_control_suggests_one() {
    let r = capdo(&["explain", "HA-SINGLE-POINTS"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.stderr,
        "error: no control `HA-SINGLE-POINTS` (did you mean `HA-SINGLE-POINT`?)\n"
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // The sample's JSON graph is far larger than a pipe buffer, so writing into a pipe whose
    // reader has gone fails with EPIPE; capdo must end without an error message.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("capdo"))
        .args(["graph", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_report_killed_while_writing_leaves_the_old_file_or_the_new_one() {
    // A large inventory, so that writing the report takes a while.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut inv = String::from(
        "[organization]\nname = \"Test\"\nregime = \"nd85\"\n[datacenters.dc]\nname = \"DC\"\n\
         [networks.n]\ndatacenter = \"dc\"\nzone = \"server\"\ncidr = \"10.0.0.0/16\"\n",
    );
    for i in 0..4000 {
        inv.push_str(&format!(
            "[servers.s{i}]\nnetwork = \"n\"\naddress = \"10.0.{}.{}\"\nroles = \"database\"\n",
            i / 250,
            i % 250 + 1
        ));
    }
    for i in 0..800 {
        inv.push_str(&format!(
            "[systems.y{i}]\nname = \"Y\"\nkind = \"internal\"\nlevel = 3\nservers = [\"s{}\", \"s{}\"]\n",
            i * 5,
            i * 5 + 1
        ));
    }
    std::fs::write(dir.path().join("inventory.toml"), inv).expect("inventory");
    let out = dir.path().join("report.json");
    std::fs::write(&out, "OLD\n").expect("old report");
    let bin = assert_cmd::cargo::cargo_bin("capdo");
    // Kill at growing delays, from before the report is built to after it is written; every
    // time, the file on disk is the old report or a whole new one.
    for round in 0..12u64 {
        let mut child = std::process::Command::new(&bin)
            .arg("-i")
            .arg(dir.path())
            .args([
                "--as-of",
                "2026-11-22",
                "check",
                "--offline",
                "--format",
                "json",
                "--output",
            ])
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(80 * round));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait().expect("wait");
        let text = std::fs::read_to_string(&out).expect("report");
        if text != "OLD\n" {
            let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
                panic!("round {round}: a torn report ({e}), {} bytes", text.len())
            });
            assert_eq!(report["schema"], "capdo.report/v1");
        }
    }
}

//! `capdo diff`: hand-written report pairs under `tests/fixtures/diff/` (one kind of change
//! each, and one pair with all of them), bad input, and an end-to-end diff of two offline
//! checks of the sample.

mod common;

use std::path::{Path, PathBuf};

use common::{Run, capdo};
use serde_json::Value;

const FIX: &str = "tests/fixtures/diff";

fn fixture(name: &str) -> String {
    format!("{FIX}/{name}")
}

/// `capdo diff OLD NEW ARGS…` on two fixtures (the inventory is not read).
fn diff(old: &str, new: &str, args: &[&str]) -> Run {
    let (old, new) = (fixture(old), fixture(new));
    let mut all = vec!["diff", old.as_str(), new.as_str()];
    all.extend(args);
    capdo(Path::new("inventory"), &all)
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

fn version_filter() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(env!("CARGO_PKG_VERSION"), "[VERSION]");
    s
}

/// `(control, target)` of each entry of a list of the diff.
fn pairs(d: &Value, list: &str) -> Vec<(String, String)> {
    d[list]
        .as_array()
        .unwrap_or_else(|| panic!("no list {list}"))
        .iter()
        .map(|c| {
            (
                c["control"].as_str().unwrap_or("").to_owned(),
                c["target"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn p(control: &str, target: &str) -> (String, String) {
    (control.to_owned(), target.to_owned())
}

#[test]
fn every_kind_of_change_is_reported_in_text_json_and_markdown() {
    let text = diff("old.json", "new.json", &[]);
    // A high-severity regression and a new high failure: the default --fail-on high exits 1.
    assert_eq!(text.code, Some(1), "{}", text.stderr);
    assert_eq!(text.stderr, "");
    insta::assert_snapshot!("all_changes_text", text.stdout);

    let md = diff("old.json", "new.json", &["--format", "md"]);
    assert_eq!(md.code, Some(1));
    // Text from the reports is escaped, not interpreted.
    assert!(!md.stdout.contains("<script>"), "{}", md.stdout);
    insta::assert_snapshot!("all_changes_md", md.stdout);

    let j = diff("old.json", "new.json", &["--format", "json"]);
    assert_eq!(j.code, Some(1));
    let d = json(&j);
    assert_eq!(d["schema"], "capdo.diff/v1");
    assert_eq!(
        pairs(&d, "new_failures"),
        [
            p("FW-HOST-DEFAULT-DENY", "server:new01"),
            p("WAIVER-EXPIRED", "server:db01")
        ]
    );
    assert_eq!(
        pairs(&d, "regressed"),
        [
            p("LEVEL-UNDERCLASSIFIED", "system:portal"),
            p("BACKUP-OFFSITE", "server:db01"),
            p("FW-HOST-DEFAULT-DENY", "server:web01"),
            p("SSH-PASSWORD-AUTH", "server:web01"),
        ]
    );
    assert_eq!(pairs(&d, "fixed"), [p("HA-SINGLE-POINT", "system:portal")]);
    assert_eq!(
        pairs(&d, "still_failing"),
        [p("DEP-WEAKER-LEVEL", "system:portal")]
    );
    assert_eq!(
        pairs(&d, "no_longer_reported"),
        [p("SSH-PASSWORD-AUTH", "server:old01")]
    );
    let waivers: Vec<(&str, &str)> = d["waiver_changes"]
        .as_array()
        .expect("waiver_changes")
        .iter()
        .map(|w| {
            (
                w["control"].as_str().unwrap_or(""),
                w["change"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        waivers,
        [("ZONE-PLACEMENT", "waived"), ("BACKUP-OFFSITE", "expired")]
    );
    assert_eq!(d["targets_added"][0]["id"], "server:new01");
    assert_eq!(d["targets_removed"][0]["id"], "server:old01");
    let web01 = d["target_changes"]
        .as_array()
        .expect("target_changes")
        .iter()
        .find(|t| t["id"] == "server:web01")
        .expect("web01 changed");
    assert_eq!(
        (&web01["old_status"], &web01["new_status"]),
        (&Value::from("scanned"), &Value::from("unreachable"))
    );
    // The waiver finding's parameter is the waived control.
    assert_eq!(d["new_failures"][1]["parameter"], "BACKUP-OFFSITE");
    assert_eq!(d["gate"]["failing"], 3);
    version_filter().bind(|| insta::assert_snapshot!("all_changes_json", j.stdout));
}

#[test]
fn the_fingerprint_is_the_documented_hash_of_the_key() {
    use sha2::Digest as _;
    let d = json(&diff("old.json", "new.json", &["--format", "json"]));
    let hash = |key: &str| -> String {
        sha2::Sha256::digest(key.as_bytes())[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    // No regime, no parameter: control \n target \n \n
    let plain = &d["regressed"][0];
    assert_eq!(
        plain["fingerprint"],
        hash("LEVEL-UNDERCLASSIFIED\nsystem:portal\n\n")
    );
    let waiver = &d["new_failures"][1];
    assert_eq!(
        waiver["fingerprint"],
        hash("WAIVER-EXPIRED\nserver:db01\n\nBACKUP-OFFSITE")
    );
    // Under `--regime both` the regime is part of the key.
    let both = json(&diff(
        "both-old.json",
        "both-new.json",
        &["--format", "json"],
    ));
    assert_eq!(
        both["regressed"][0]["fingerprint"],
        hash("FOURLAYER-ASSESSMENT\nsystem:dvc\nnd331\n")
    );
}

#[test]
fn fail_on_sets_the_threshold_of_new_failures_and_regressions() {
    // The pair holds a medium regression and two new info failures (unused waivers).
    for (fail_on, code) in [("critical", 0), ("high", 0), ("medium", 1), ("low", 1)] {
        let r = diff(
            "thresholds-old.json",
            "thresholds-new.json",
            &["--fail-on", fail_on],
        );
        assert_eq!(r.code, Some(code), "--fail-on {fail_on}: {}", r.stdout);
    }
    // Without --fail-on, high.
    assert_eq!(
        diff("thresholds-old.json", "thresholds-new.json", &[]).code,
        Some(0)
    );
    let d = json(&diff(
        "thresholds-old.json",
        "thresholds-new.json",
        &["--format", "json", "--fail-on", "medium"],
    ));
    assert_eq!(d["gate"]["failing"], 1);
    // Two WAIVER-UNUSED findings on one target stay apart (their parameter differs).
    let fps: Vec<&Value> = d["new_failures"]
        .as_array()
        .expect("new")
        .iter()
        .map(|c| &c["fingerprint"])
        .collect();
    assert_eq!(fps.len(), 2);
    assert_ne!(fps[0], fps[1]);
}

#[test]
fn a_target_that_became_unreachable_exits_3_not_0() {
    let r = diff("unreachable-old.json", "unreachable-new.json", &[]);
    // No new failure, but checks that passed could not be made: not a clean result.
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    insta::assert_snapshot!("unreachable_text", r.stdout);
}

#[test]
fn under_both_regimes_each_regime_is_its_own_finding() {
    let r = diff(
        "both-old.json",
        "both-new.json",
        &["--format", "json", "--fail-on", "medium"],
    );
    assert_eq!(r.code, Some(1));
    let d = json(&r);
    let regressed = d["regressed"].as_array().expect("regressed");
    assert_eq!(regressed.len(), 1, "{regressed:?}");
    assert_eq!(regressed[0]["regime"], "nd331");
    assert_eq!(d["still_failing"].as_array().map(Vec::len), Some(0));
}

#[test]
fn reports_of_different_regimes_are_refused_unless_allowed() {
    let r = diff("old.json", "nd331.json", &[]);
    assert_eq!(r.code, Some(2));
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "error: the reports were judged by different regimes: `$.regime` is `nd85` in `tests/fixtures/diff/old.json` and `nd331` in `tests/fixtures/diff/nd331.json`; pass --allow-regime-change to compare them anyway\n"
    );
    let r = diff("old.json", "nd331.json", &["--allow-regime-change"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("warning: the regime changed (nd85 → nd331)"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_report_compared_with_itself_has_no_change() {
    let r = diff("old.json", "old.json", &["--format", "json"]);
    assert_eq!(r.code, Some(0));
    let d = json(&r);
    for list in [
        "new_failures",
        "regressed",
        "fixed",
        "no_longer_reported",
        "waiver_changes",
        "targets_added",
        "targets_removed",
        "target_changes",
    ] {
        assert_eq!(d[list].as_array().map(Vec::len), Some(0), "{list}");
    }
    // Its failures are still failures.
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("old.json")).expect("read old.json"))
            .expect("json");
    let failing = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["status"] == "fail" || f["status"] == "error")
        .count();
    assert_eq!(d["summary"]["still_failing"], failing);
}

#[test]
fn bad_input_is_a_clear_error_naming_the_file_and_the_json_path() {
    let cases = [
        (
            "malformed.json",
            "error: `tests/fixtures/diff/malformed.json` is not valid JSON: EOF while parsing a value at line 7 column 0\n",
        ),
        (
            "bad-status.json",
            "error: `tests/fixtures/diff/bad-status.json`: at `$.findings[1].status`: unknown variant `passed`, expected one of `pass`, `fail`, `error`, `waived`, `not-applicable`, `manual`\n",
        ),
        (
            "wrong-schema.json",
            "error: `tests/fixtures/diff/wrong-schema.json`: `$.schema` is `capdo.facts/v1`; capdo diff compares `capdo.report/v1` reports (made by `capdo check --format json`)\n",
        ),
        (
            "missing-targets.json",
            "error: `tests/fixtures/diff/missing-targets.json`: at `$`: missing field `targets`\n",
        ),
    ];
    for (file, stderr) in cases {
        // As the new report, and as the old one.
        for r in [diff("old.json", file, &[]), diff(file, "old.json", &[])] {
            assert_eq!(r.code, Some(2), "{file}");
            assert_eq!(r.stdout, "", "{file}");
            assert_eq!(r.stderr, stderr, "{file}");
        }
    }
    let r = diff("old.json", "no-such-report.json", &[]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .starts_with("error: cannot read report `tests/fixtures/diff/no-such-report.json`: "),
        "{}",
        r.stderr
    );
}

/// Copy the files of `from` (one level, as the inventory folder is) into `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "`{from}` not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

fn check_json(inventory: &Path, out: &Path) {
    let out = out.to_str().expect("path");
    let r = capdo(
        inventory,
        &[
            "--as-of",
            "2026-11-22",
            "check",
            "--offline",
            "--format",
            "json",
            "--output",
            out,
        ],
    );
    assert!(matches!(r.code, Some(0 | 1)), "{}", r.stderr);
}

#[test]
fn two_offline_checks_of_the_sample_and_a_broken_copy() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let broken = tmp.path().join("inventory");
    copy_dir(Path::new("inventory"), &broken);
    let systems = broken.join("systems.toml");
    // LGSP loses its second server: a single point of failure, and lgsp-api02 serves nothing.
    edit(
        &systems,
        r#"servers = ["lgsp-api01", "lgsp-api02"]"#,
        r#"servers = ["lgsp-api01"]"#,
    );
    // baocao is raised to the level its attributes require: that failure is fixed.
    edit(
        &systems,
        "level = 2\napproval = { status = \"approved\", decision = \"38/QĐ-TTTT\"",
        "level = 3\napproval = { status = \"approved\", decision = \"38/QĐ-TTTT\"",
    );

    let old: PathBuf = tmp.path().join("old.json");
    let new: PathBuf = tmp.path().join("new.json");
    check_json(Path::new("inventory"), &old);
    check_json(&broken, &new);
    let (o, n) = (old.to_str().expect("path"), new.to_str().expect("path"));

    let mut settings = version_filter();
    settings.add_filter(&regex_escape(&tmp.path().display().to_string()), "[TMP]");
    settings.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[TIME]");

    let text = capdo(Path::new("inventory"), &["diff", o, n]);
    assert_eq!(text.code, Some(1), "{}", text.stderr);
    settings.bind(|| insta::assert_snapshot!("sample_broken_text", text.stdout));

    let j = capdo(Path::new("inventory"), &["diff", o, n, "--format", "json"]);
    assert_eq!(j.code, Some(1), "{}", j.stderr);
    let d = json(&j);
    // lgsp-api02, serving no system and declaring no `purpose`, has no purpose in its asset
    // record any more.
    assert_eq!(
        pairs(&d, "regressed"),
        [
            p("HA-SINGLE-POINT", "system:lgsp"),
            p("ASSET-RECORD", "server:lgsp-api02")
        ]
    );
    assert!(
        pairs(&d, "fixed").contains(&p("LEVEL-UNDERCLASSIFIED", "system:baocao")),
        "{:?}",
        pairs(&d, "fixed")
    );
    settings.bind(|| insta::assert_snapshot!("sample_broken_json", j.stdout));
}

/// A literal for an insta filter (a regex).
fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

//! The fault lab (`tests/lab/lab.sh faults-up`): hosts that never speak, slam the door, change
//! their key, refuse the key, flood, talk garbage, sleep past the deadline, lack the tools, or
//! want a sudo password. A scan of all of them ends within the deadline, gives each its reason,
//! reports the healthy host fully, and never turns what it could not read into a pass.
//! Needs root; CI runs it. (A separate test binary: only one lab runs at a time.)

use serde_json::Value;

mod common;

use common::{HOST_CONTROLS, Lab, finding};

fn capdo(lab: &Lab, args: &[&str]) -> (Option<i32>, String, String) {
    // A 3 s timeout: the deadline is then 12 s, well under the sleepy host's 30 s.
    let mut all = vec!["--timeout", "3"];
    all.extend(args);
    let r = common::capdo(&lab.inventory(), &all);
    (r.code, r.stdout, r.stderr)
}

fn status<'a>(report: &'a Value, host: &str, control: &str) -> &'a str {
    finding(report, host, control)["status"]
        .as_str()
        .expect("status")
}

#[test]
fn hostile_and_broken_hosts() {
    if !common::needs_root("the SSH lab") {
        return;
    }
    let lab = Lab::up("faults-up");

    // Let the healthy host's chronyd synchronise first (a few seconds after bring-up).
    lab.wait_for_clocks(&["good"]);

    // --fail-on critical: nothing here is critical, so the exit code says "some host could not
    // be scanned".
    let (code, out, err) = capdo(
        &lab,
        &["check", "--format", "json", "--fail-on", "critical"],
    );
    assert_eq!(code, Some(3), "{err}");
    let report: Value = serde_json::from_str(&out).expect("json");
    let target = |id: &str| -> Value {
        report["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .find(|t| t["id"] == format!("server:{id}"))
            .cloned()
            .unwrap_or_else(|| panic!("no target {id}"))
    };
    for (host, expected) in [
        ("good", "scanned"),
        ("silent", "timeout"),
        ("slam", "protocol"),
        ("rekeyed", "host-key-mismatch"),
        ("refuser", "auth-failed"),
        ("sleepy", "timeout"),
        ("flood", "scanned"),
        ("garbage", "scanned"),
        ("bare", "scanned"),
        ("sudopw", "scanned"),
    ] {
        let t = target(host);
        assert_eq!(t["status"], expected, "{host}: {t}");
        if expected != "scanned" {
            assert!(
                t["error"].as_str().is_some_and(|e| !e.is_empty()),
                "{host} says why: {t}"
            );
        }
    }
    // The deadline (4 × --timeout = 12 s) holds even for a host that authenticates and then
    // sleeps: no host takes longer than the deadline plus a little teardown.
    for t in report["targets"].as_array().expect("targets") {
        let ms = t["duration_ms"].as_u64().unwrap_or(0);
        assert!(ms <= 13_500, "{} took {ms} ms", t["id"]);
    }

    // The healthy host is reported fully.
    for c in HOST_CONTROLS {
        let s = status(&report, "good", c);
        assert!(
            s == "pass" || (c == "LOG-FORWARD" && s == "not-applicable"),
            "good {c}: {s}"
        );
    }
    // What could not be read is an error, never a pass or a fail.
    for c in HOST_CONTROLS {
        let s = status(&report, "flood", c);
        assert!(s == "error" || s == "not-applicable", "flood {c}: {s}");
    }
    // Coverage says how much was not evaluated, and why: unreachable hosts and missing facts.
    let coverage = report["coverage"].as_array().expect("coverage");
    let sum = |key: &str| -> u64 {
        coverage
            .iter()
            .map(|c| c["not_evaluated"][key].as_u64().unwrap_or(0))
            .sum()
    };
    assert!(sum("host_unreachable") > 0, "{coverage:?}");
    assert!(sum("fact_missing") > 0, "{coverage:?}");
    assert_eq!(sum("not_scanned"), 0, "{coverage:?}");
    let flood_notes = report["facts"]["flood"]["collector.notes"].to_string();
    assert!(flood_notes.contains("was cut"), "{flood_notes}");

    // Garbage is survived, and judged as sshd reads it.
    assert_eq!(status(&report, "garbage", "SSH-ROOT-LOGIN"), "pass");
    assert_eq!(status(&report, "garbage", "FW-HOST-DEFAULT-DENY"), "pass");
    let (_, text, _) = capdo(&lab, &["-v", "check", "garbage"]);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\r'),
        "no terminal control reaches the text report"
    );

    // Missing tools and a refused sudo are said as such.
    assert_eq!(status(&report, "bare", "FW-HOST-DEFAULT-DENY"), "error");
    assert!(
        report["facts"]["bare"]["firewall.backend"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("not installed"))
    );
    assert_eq!(
        status(&report, "bare", "NET-UNDECLARED-PORT"),
        "pass",
        "read from /proc"
    );
    assert_eq!(status(&report, "sudopw", "FW-HOST-DEFAULT-DENY"), "error");
    let sudo_notes = report["facts"]["sudopw"]["collector.notes"].to_string();
    assert!(
        sudo_notes.contains("a password is required"),
        "{sudo_notes}"
    );
    assert_ne!(
        status(&report, "sudopw", "NET-UNDECLARED-PORT"),
        "error",
        "ss runs without sudo"
    );
}

//! The fault lab (`tests/lab/lab.sh faults-up`): hosts that never speak, slam the door, change
//! their key, refuse the key, flood, talk garbage, sleep past the deadline, lack the tools, or
//! want a sudo password. A scan of all of them ends within the deadline, gives each its reason,
//! reports the healthy host fully, and never turns what it could not read into a pass.
//! Needs root; CI runs it. (A separate test binary: only one lab runs at a time.)

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

struct Lab {
    dir: PathBuf,
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = Command::new("tests/lab/lab.sh")
            .arg("down")
            .arg(&self.dir)
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn capdo(lab: &Lab, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(assert_cmd::cargo::cargo_bin("capdo"))
        .args(["--color", "never", "--timeout", "3", "-i"])
        .arg(lab.dir.join("inventory"))
        .args(args)
        .env_remove("SSH_AUTH_SOCK")
        .output()
        .expect("run capdo");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn status<'a>(report: &'a Value, host: &str, control: &str) -> &'a str {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["target"] == format!("server:{host}") && f["control"] == control)
        .and_then(|f| f["status"].as_str())
        .unwrap_or_else(|| panic!("no {control} for {host}"))
}

const HOST_CONTROLS: [&str; 11] = [
    "FW-HOST-DEFAULT-DENY",
    "FW-IPV6-PARITY",
    "NET-UNDECLARED-PORT",
    "IPV6-READY",
    "SSH-ROOT-LOGIN",
    "SSH-PASSWORD-AUTH",
    "BACKUP-JOB",
    "BACKUP-FRESH",
    "LOG-FORWARD",
    "AGENT-RUNNING",
    "TIME-SYNC",
];

#[test]
fn hostile_and_broken_hosts() {
    let dir = std::env::temp_dir().join(format!("capdo-faults-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let lab = Lab { dir };
    let up = Command::new("tests/lab/lab.sh")
        .arg("faults-up")
        .arg(&lab.dir)
        .status()
        .expect("run tests/lab/lab.sh (needs root)");
    assert!(up.success(), "the fault lab did not come up");

    // Let the healthy host's chronyd synchronise first (a few seconds after bring-up).
    let probe = lab.dir.join("probe.json");
    let mut synced = false;
    for _ in 0..30 {
        let _ = capdo(
            &lab,
            &["scan", "--facts-out", probe.to_str().expect("path"), "good"],
        );
        let facts: Value =
            serde_json::from_str(&std::fs::read_to_string(&probe).unwrap_or_default())
                .unwrap_or_default();
        if facts["hosts"]["good"]["facts"]["time.synchronized"] == true {
            synced = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    assert!(
        synced,
        "the healthy host's clock did not synchronise within a minute"
    );

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

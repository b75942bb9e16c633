//! What the lab tests share: a lab that tears itself down, running capdo against it, and the
//! host controls in report order.

#![allow(dead_code)] // Each test binary uses a part.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A lab started by `tests/lab/lab.sh`, torn down when dropped (also when a test fails).
pub struct Lab {
    pub dir: PathBuf,
}

impl Lab {
    /// `tests/lab/lab.sh <command> DIR` (`up` or `faults-up`); needs root.
    pub fn up(command: &str) -> Lab {
        Lab::up_with(&[command], "")
    }

    /// `tests/lab/lab.sh <command> DIR [extra]`, e.g. `bench-up DIR 40`.
    pub fn up_with(command: &[&str], extra: &str) -> Lab {
        let name = command.join("-");
        let dir = std::env::temp_dir().join(format!("capdo-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("lab dir");
        let lab = Lab { dir };
        let mut cmd = Command::new("tests/lab/lab.sh");
        cmd.args(command).arg(&lab.dir);
        if !extra.is_empty() {
            cmd.arg(extra);
        }
        let status = cmd.status().expect("run tests/lab/lab.sh (needs root)");
        assert!(status.success(), "the lab did not come up");
        lab
    }

    pub fn inventory(&self) -> PathBuf {
        self.dir.join("inventory")
    }

    /// Wait (up to a minute) until chronyd on `hosts` has synchronised with the lab's time
    /// server, as it does a few seconds after bring-up, so TIME-SYNC is judged on a settled lab.
    pub fn wait_for_clocks(&self, hosts: &[&str]) {
        let probe = self.dir.join("probe.json");
        let mut args = vec!["scan", "--facts-out", probe.to_str().expect("path")];
        args.extend(hosts);
        for _ in 0..30 {
            let _ = capdo(&self.inventory(), &args);
            let facts: Value =
                serde_json::from_str(&std::fs::read_to_string(&probe).unwrap_or_default())
                    .unwrap_or_default();
            if hosts
                .iter()
                .all(|h| facts["hosts"][*h]["facts"]["time.synchronized"] == true)
            {
                return;
            }
            std::thread::sleep(std::time::Duration::from_secs(2));
        }
        panic!("the lab's clocks did not synchronise within a minute");
    }
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

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn capdo(inventory: &Path, args: &[&str]) -> Run {
    capdo_env(inventory, args, &[])
}

/// capdo with a 4 s timeout (unless `args` set one), extra environment variables, and no ssh-agent unless one is
/// given.
pub fn capdo_env(inventory: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("capdo"));
    cmd.arg("--color").arg("never").arg("-i").arg(inventory);
    if !args.contains(&"--timeout") {
        cmd.args(["--timeout", "4"]);
    }
    cmd.args(args)
        .env_remove("SSH_AUTH_SOCK")
        .env_remove("CAPDO_SSH_PASSPHRASE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run capdo");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The host controls, in catalog order.
pub const HOST_CONTROLS: [&str; 11] = [
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

/// The finding of `control` on server `host`.
pub fn finding<'a>(report: &'a Value, host: &str, control: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["target"] == format!("server:{host}") && f["control"] == control)
        .unwrap_or_else(|| panic!("no {control} finding for {host}"))
}

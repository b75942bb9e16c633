//! What the tests share: [`Capdo`], the one way to run capdo (in-process through
//! `capdo::cli::run_words`, with no colour and a fixed evaluation date unless a test says
//! otherwise); [`needs_root`] for tests that need root; and for the lab tests a lab that tears
//! itself down, running capdo against it, and the host controls in report order.

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

/// The evaluation date every test judges on unless it passes its own `--as-of`.
pub const AS_OF: &str = "2026-11-22";

/// A capdo command line to run: in-process by default; as the built binary when a test sets
/// environment variables (they belong to a process, and tests run in parallel threads).
pub struct Capdo {
    words: Vec<std::ffi::OsString>,
    env: Vec<(String, Option<String>)>,
    timeout: Option<std::time::Duration>,
}

impl Capdo {
    /// `capdo --color never --as-of 2026-11-22` (a later `--as-of` wins).
    pub fn new() -> Capdo {
        Capdo::bare().args(["--color", "never", "--as-of", AS_OF])
    }

    /// `capdo` with no option added.
    pub fn bare() -> Capdo {
        Capdo {
            // As a shell passes it: the program's path first.
            words: vec![assert_cmd::cargo::cargo_bin("capdo").into()],
            env: Vec::new(),
            timeout: None,
        }
    }

    pub fn arg(mut self, word: impl Into<std::ffi::OsString>) -> Capdo {
        self.words.push(word.into());
        self
    }

    pub fn args<I, T>(mut self, words: I) -> Capdo
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString>,
    {
        self.words.extend(words.into_iter().map(Into::into));
        self
    }

    /// Set (`Some`) or remove (`None`) an environment variable: the run uses the binary.
    pub fn env(mut self, key: &str, value: Option<&str>) -> Capdo {
        self.env.push((key.to_owned(), value.map(str::to_owned)));
        self
    }

    /// Kill the run after `limit` (a hang is a failure, not a stuck test): the run uses the
    /// binary.
    pub fn timeout(mut self, limit: std::time::Duration) -> Capdo {
        self.timeout = Some(limit);
        self
    }

    pub fn run(&self) -> Run {
        if !self.env.is_empty() || self.timeout.is_some() {
            return self.run_binary();
        }
        use capdo::cli::{Io, run_words};
        use codespan_reporting::term::termcolor::Buffer;
        let always = self
            .words
            .windows(2)
            .any(|w| w[0] == "--color" && w[1] == "always");
        let buffer = || {
            if always {
                Buffer::ansi()
            } else {
                Buffer::no_color()
            }
        };
        let (mut out, mut err) = (buffer(), buffer());
        let code = {
            let mut io = Io {
                out: &mut out,
                err: &mut err,
            };
            run_words(&self.words, &mut io)
        };
        Run {
            code: Some(code as i32),
            stdout: String::from_utf8_lossy(&out.into_inner()).into_owned(),
            stderr: String::from_utf8_lossy(&err.into_inner()).into_owned(),
        }
    }

    fn run_binary(&self) -> Run {
        let mut cmd = assert_cmd::Command::cargo_bin("capdo").expect("binary");
        cmd.args(&self.words[1..]).env_remove("NO_COLOR");
        if let Some(limit) = self.timeout {
            cmd.timeout(limit);
        }
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let out = cmd.output().expect("run capdo");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Whether this test can run: it needs root (network namespaces, mounts). As non-root it
/// prints why it is skipped and returns `false`; CI runs as root and runs every test.
pub fn needs_root(what: &str) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    // /proc/self belongs to the process's effective user.
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    if !root {
        // Straight to the process's stderr: the test harness shows it even for a passing test.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: {what} needs root (network namespaces, mounts); run `sudo -E cargo test` to include it"
        );
    }
    root
}

/// capdo against an inventory: see [`capdo_env`].
pub fn capdo(inventory: &Path, args: &[&str]) -> Run {
    capdo_env(inventory, args, &[])
}

/// capdo against an inventory: no colour, a 4 s timeout (unless `args` set one), no ssh-agent
/// and no key passphrase unless `env` gives them.
pub fn capdo_env(inventory: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = Capdo::bare()
        .args(["--color", "never", "-i"])
        .arg(inventory);
    if !args.contains(&"--timeout") {
        c = c.args(["--timeout", "4"]);
    }
    c = c.args(args);
    // Without the test's own agent and passphrase; when neither is set, removing them changes
    // nothing and the run stays in-process.
    for key in ["SSH_AUTH_SOCK", "CAPDO_SSH_PASSPHRASE"] {
        if std::env::var_os(key).is_some() {
            c = c.env(key, None);
        }
    }
    for (k, v) in env {
        c = c.env(k, Some(v));
    }
    c.run()
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

/// Whether a test that needs the outside tool `what` can run. When the tool is absent the test
/// prints why it is skipped and returns `false`, unless the environment variable `require` is
/// set (`.ci/run` sets it after installing the tool): then the absence fails the test, so CI
/// can never skip it silently.
pub fn needs_tool(what: &str, present: bool, require: &str, install: &str) -> bool {
    if present {
        return true;
    }
    if std::env::var_os(require).is_some_and(|v| !v.is_empty() && v != "0") {
        panic!("{what} is required ({require} is set) but absent: {install}");
    }
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {what} is not installed ({install}; set {require}=1 to make its absence fail)"
    );
    false
}

/// The SARIF multitool's own program (`@microsoft/sarif-multitool` from npm): the file named by
/// `CAPDO_SARIF_MULTITOOL`, else where `.ci/run` installs it. Its npm `bin.js` wrapper runs
/// through a shell, which would split `--rule-kind "Sarif;Gh"` at the `;`: the program is run
/// directly.
pub fn sarif_multitool() -> Option<PathBuf> {
    let path = std::env::var_os("CAPDO_SARIF_MULTITOOL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(
                "/var/tmp/capdo-npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool",
            )
        });
    let present = path.is_file();
    needs_tool(
        "the SARIF validator (@microsoft/sarif-multitool)",
        present,
        "CAPDO_REQUIRE_SARIF_MULTITOOL",
        "`npm install --prefix /var/tmp/capdo-npm @microsoft/sarif-multitool` or set CAPDO_SARIF_MULTITOOL",
    )
    .then_some(path)
}

/// What the SARIF multitool, with GitHub code scanning's ingestion rules (`--rule-kind
/// Sarif;Gh`), reports as an error or a warning about the SARIF log `file`: one line per
/// problem, `RULE: message`.
pub fn github_sarif_problems(multitool: &Path, file: &Path) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("validation.sarif");
    let run = Command::new(multitool)
        .args([
            "validate",
            "--rule-kind",
            "Sarif;Gh",
            "--level",
            "Error;Warning",
        ])
        .args(["--log", "ForceOverwrite", "-o"])
        .arg(&out)
        .arg(file)
        // .NET without ICU: CI does not install it, and the rules compare ASCII names.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .expect("run the SARIF multitool");
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "the SARIF multitool wrote no log ({e}): {}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let log: Value = serde_json::from_str(&text).expect("the validator's log is JSON");
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(
        invocation["executionSuccessful"],
        true,
        "the validator failed: {}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            format!(
                "{} at {}: {}",
                r["ruleId"].as_str().unwrap_or("?"),
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["message"]
            )
        })
        .collect()
}

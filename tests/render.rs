//! `capdo render`: every kind renders for every server of the sample, and every rendered file
//! passes its own tool's syntax check (`nft -c`, `sshd -t`, `systemd-analyze verify`,
//! `rsyslogd -N1`, `chronyd -p`). Needs root for `nft -c` in a private network namespace.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{Capdo, Run};

fn render_sample(out: &Path, extra: &[&str]) -> Run {
    Capdo::bare()
        .args(["--color", "never"])
        .args(extra)
        .arg("render")
        .arg("--out")
        .arg(out)
        .run()
}

fn files_named(root: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == name) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn available(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn check(cmd: &mut Command, what: &Path) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{} fails its syntax check:\n{}{}",
        what.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_kind_renders_for_every_server_and_passes_its_syntax_check() {
    if !common::needs_root("`nft -c` in a private network namespace") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out = render_sample(dir.path(), &[]);
    assert!(out.code == Some(0), "{}", out.stderr);
    let stderr = &out.stderr;
    assert!(stderr.starts_with("rendered "), "{stderr}");

    // Every server of the sample gets a firewall and an sshd drop-in.
    let servers = std::fs::read_dir(dir.path()).expect("out").count();
    assert_eq!(servers, 79);
    let rulesets = files_named(dir.path(), "nftables.conf");
    let sshd = files_named(dir.path(), "00-capdo.conf");
    assert_eq!((rulesets.len(), sshd.len()), (79, 79));
    let timers = files_named(dir.path(), "capdo-backup.timer");
    let rsyslog = files_named(dir.path(), "60-capdo-siem.conf");
    let chrony = files_named(dir.path(), "chrony.conf");
    let ipv6 = files_named(dir.path(), "60-capdo-ipv6.network");
    assert!(!timers.is_empty() && !rsyslog.is_empty() && !chrony.is_empty() && !ipv6.is_empty());

    for f in &rulesets {
        // A private, empty network namespace: checking changes nothing on this machine.
        check(
            Command::new("unshare")
                .args(["-n", "nft", "-c", "-f"])
                .arg(f),
            f,
        );
    }

    // sshd reads the drop-in through an Include, as on a Debian or RHEL host.
    let key = dir.path().join("hostkey");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen");
    assert!(made.success());
    std::fs::create_dir_all("/run/sshd").expect("privilege separation directory");
    for f in &sshd {
        let main = dir.path().join("sshd_config");
        std::fs::write(
            &main,
            format!("Include {}\nHostKey {}\n", f.display(), key.display()),
        )
        .expect("main");
        check(Command::new("sshd").arg("-t").arg("-f").arg(&main), f);
    }

    if available("systemd-analyze") {
        for timer in &timers {
            check(
                Command::new("systemd-analyze").arg("verify").arg(timer),
                timer,
            );
            let service = timer.with_file_name("capdo-backup.service");
            check(
                Command::new("systemd-analyze").arg("verify").arg(&service),
                &service,
            );
        }
    } else {
        eprintln!("systemd-analyze is not installed: backup units not verified");
    }
    if available("rsyslogd") {
        for f in &rsyslog {
            check(Command::new("rsyslogd").args(["-N1", "-f"]).arg(f), f);
        }
    }
    if available("chronyd") {
        for f in &chrony {
            check(Command::new("chronyd").args(["-p", "-f"]).arg(f), f);
        }
    }
}

#[test]
fn rendered_files_for_one_host() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Capdo::bare()
        .args(["render", "--host", "dvc-db01", "--out"])
        .arg(dir.path())
        .run();
    assert!(out.code == Some(0), "{}", out.stderr);
    let root = dir.path().join("dvc-db01/etc");
    for (name, path) in [
        ("nftables", "nftables.conf"),
        ("sshd", "ssh/sshd_config.d/00-capdo.conf"),
        ("rsyslog", "rsyslog.d/60-capdo-siem.conf"),
        ("backup_service", "systemd/system/capdo-backup.service"),
        ("backup_timer", "systemd/system/capdo-backup.timer"),
        ("chrony", "chrony/chrony.conf"),
    ] {
        let text =
            std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut settings = insta::Settings::clone_current();
        settings.add_filter(env!("CARGO_PKG_VERSION"), "[VERSION]");
        settings.bind(|| insta::assert_snapshot!(format!("dvc_db01_{name}"), text));
    }
}

#[test]
fn a_template_with_a_missing_variable_is_an_error_naming_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let templates = dir.path().join("templates/config");
    std::fs::create_dir_all(&templates).expect("dir");
    std::fs::write(
        templates.join("sshd.hbs"),
        "Port {{ssh.port}}\nBanner {{ssh.banner}}\n",
    )
    .expect("template");
    let out = render_sample(
        &dir.path().join("out"),
        &[
            "--templates",
            dir.path().join("templates").to_str().expect("path"),
        ],
    );
    assert_eq!(out.code, Some(2));
    let stderr = &out.stderr;
    assert!(
        stderr.contains("line 2") && stderr.contains("ssh.banner"),
        "{stderr}"
    );
}

#[test]
fn a_template_cannot_read_files_through_partials() {
    let dir = tempfile::tempdir().expect("tempdir");
    let templates = dir.path().join("templates/config");
    std::fs::create_dir_all(&templates).expect("dir");
    for attempt in [
        "{{> /etc/passwd}}",
        "{{> ../../../../etc/passwd}}",
        "{{> (lookup host \"id\")}}",
    ] {
        std::fs::write(templates.join("sshd.hbs"), attempt).expect("template");
        let out = render_sample(
            &dir.path().join("out"),
            &[
                "--templates",
                dir.path().join("templates").to_str().expect("path"),
            ],
        );
        assert_eq!(out.code, Some(2), "{attempt}");
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(!all.contains("root:x:0:0"), "{attempt} leaked a file");
        assert!(
            !dir.path().join("out").join("dvc-db01/etc/ssh").exists(),
            "{attempt} wrote output"
        );
    }
}

/// A link planted inside the output tree (`out/dvc-db01/etc -> /etc`) would make `render`
/// write into the build machine's /etc: it is refused and nothing goes through it (issue 14,
/// item 6).
#[test]
fn render_refuses_to_write_through_a_link_in_the_output_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(out.join("dvc-db01")).expect("dirs");
    std::fs::create_dir_all(&elsewhere).expect("dirs");
    std::os::unix::fs::symlink(&elsewhere, out.join("dvc-db01/etc")).expect("link");
    let r = Capdo::bare()
        .args(["render", "--host", "dvc-db01", "--out"])
        .arg(&out)
        .run();
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
    assert_eq!(std::fs::read_dir(&elsewhere).expect("list").count(), 0);
}

//! Live audits of the test lab: real sshd hosts in network namespaces, started by
//! `tests/lab/lab.sh` (see tests/lab/README.md for what each host is). Needs root; CI runs it.
//!
//! One test function drives one lab, because only one lab can run on a machine: it checks every
//! host's facts and every host control against what the lab set up, the fault hosts, saved
//! scans, jump hosts, unknown host keys and refused keys. The lab is torn down when the test
//! ends, also when it fails.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod common;

use common::{HOST_CONTROLS as CONTROLS, Lab, capdo, capdo_env, finding};

/// What each host must give, control by control (in the order of CONTROLS): p pass, F fail,
/// e error, - not applicable. tests/lab/README.md explains each row.
const EXPECTED: [(&str, &str); 12] = [
    ("good", "ppppppppppp"),
    ("open", "FFFpFFFFFFp"),
    ("v4only", "pFppppppppp"),
    ("nov6", "pppFppppppp"),
    ("stale", "pppppppFppp"),
    ("legacy", "ppppppppppp"),
    ("unpriv", "eeppppppppp"),
    ("match", "ppppFpppppp"),
    ("siem", "pppppp---pp"),
    ("down", "eeeeeeeeeee"),
    ("wrongkey", "eeeeeeeeeee"),
    ("tarpit", "eeeeeeeeeee"),
];

/// The declarative host controls of the packs, judged on the same scan by each regime (`x`: not
/// in that regime's pack). Columns: PASSWORD-POLICY, LOCKOUT, SESSION-IDLE-TIMEOUT,
/// SSH-ADMIN-SOURCE, SSH-DEFAULT-PORT, ACCOUNT-INACTIVE, ACCOUNT-EXTRA-UID0,
/// INSECURE-SERVICE, PATCH-PENDING-SECURITY, AUDITD-RUNNING, LOG-RETENTION.
const RULES: [&str; 11] = [
    "PASSWORD-POLICY",
    "LOCKOUT",
    "SESSION-IDLE-TIMEOUT",
    "SSH-ADMIN-SOURCE",
    "SSH-DEFAULT-PORT",
    "ACCOUNT-INACTIVE",
    "ACCOUNT-EXTRA-UID0",
    "INSECURE-SERVICE",
    "PATCH-PENDING-SECURITY",
    "AUDITD-RUNNING",
    "LOG-RETENTION",
];

/// (host, nd85 row, nd331 row) for the hosts whose files the lab sets (tests/lab/README.md):
/// `good` is hardened (but its TMOUT of 15 minutes is longer than either pack allows, its
/// password classes and validity meet only the legacy numbers, and it runs sshd on port 22),
/// `match` is weak everywhere, `open` is stock Debian with an open firewall. The lab declares
/// no management network, so SSH-ADMIN-SOURCE fails on every host: `good` accepts SSH from the
/// whole lab network, `match` only adds a `Match Address` block. `?` is decided
/// either way: `good` sees the machine's real apt lists, so whether a security update is
/// pending depends on the day; the other hosts have none, so the fact is unknown (`e`).
const EXPECTED_RULES: [(&str, &str, &str); 3] = [
    ("good", "ppFFFxpp?Fp", "FpFFxppp?Fp"),
    ("match", "FFFFFxFpeFF", "FFFFxFFpeFF"),
    ("open", "FFFFFxppeFF", "FFFFxpppeFF"),
];

/// `got` with each position where `want` has `?` replaced by `?` when it is decided (p or F).
fn decided(want: &str, got: &str) -> String {
    want.chars()
        .zip(got.chars())
        .map(|(w, g)| {
            if w == '?' && matches!(g, 'p' | 'F') {
                '?'
            } else {
                g
            }
        })
        .collect()
}

/// The RULES verdicts of `host` in `report`.
fn rule_row(report: &Value, host: &str) -> String {
    RULES
        .iter()
        .map(|c| {
            report["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .find(|f| f["target"] == format!("server:{host}") && f["control"] == *c)
                .map_or('x', |f| letter(f["status"].as_str().expect("status")))
        })
        .collect()
}

fn letter(status: &str) -> char {
    match status {
        "pass" => 'p',
        "fail" => 'F',
        "error" => 'e',
        "not-applicable" => '-',
        other => panic!("unexpected status {other}"),
    }
}

/// The host-control verdicts of a report, one string per host as in EXPECTED.
fn verdicts(report: &Value) -> Vec<(String, String)> {
    EXPECTED
        .iter()
        .map(|(host, _)| {
            let row: String = CONTROLS
                .iter()
                .map(|c| letter(finding(report, host, c)["status"].as_str().expect("status")))
                .collect();
            (host.to_string(), row)
        })
        .collect()
}

fn copy_inventory(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("inventory") {
        let entry = entry.expect("entry");
        let path = entry.path();
        // Follow the key and known_hosts symlinks: copy their content.
        std::fs::copy(&path, to.join(entry.file_name())).expect("copy");
    }
}

/// Add `line` right after the `[servers.ID]` header.
fn edit_server(inventory: &Path, id: &str, line: &str) {
    let path = inventory.join("servers.toml");
    let text = std::fs::read_to_string(&path).expect("servers.toml");
    let header = format!("[servers.{id}]\n");
    assert!(text.contains(&header), "{id} in servers.toml");
    std::fs::write(
        &path,
        text.replacen(&header, &format!("{header}{line}\n"), 1),
    )
    .expect("write");
}

#[test]
fn live_audit_of_the_lab() {
    if !common::needs_root("the SSH lab") {
        return;
    }
    let lab = Lab::up("up");
    let inv = lab.inventory();
    let today = jiff::Zoned::now().date().to_string();

    lab.wait_for_clocks(&["good", "open"]);

    // --- A full check: every host's facts and every host control. -------------------------
    let sarif_dir = tempfile::tempdir().expect("tempdir");
    let sarif = sarif_dir.path().join("lab.sarif");
    let sarif_arg = sarif.to_str().expect("utf-8 path");
    let r = capdo(
        &inv,
        &[
            "--as-of",
            &today,
            "check",
            "--format",
            "json",
            "--out-sarif",
            sarif_arg,
        ],
    );
    assert_eq!(r.code, Some(1), "failures at high severity: {}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).expect("json report");
    // Issue 17: GitHub code scanning accepts a live scan's SARIF, host findings included.
    if let Some(multitool) = common::sarif_multitool() {
        let problems = common::github_sarif_problems(&multitool, &sarif);
        assert_eq!(problems, Vec::<String>::new(), "the lab scan's SARIF");
    }
    let expected: Vec<(String, String)> = EXPECTED
        .iter()
        .map(|(h, v)| (h.to_string(), v.to_string()))
        .collect();
    assert_eq!(verdicts(&report), expected, "host control verdicts");

    let target = |id: &str| -> &Value {
        report["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .find(|t| t["id"] == format!("server:{id}"))
            .expect("target")
    };
    for (host, status) in [
        ("good", "scanned"),
        ("down", "unreachable"),
        ("wrongkey", "host-key-mismatch"),
        ("tarpit", "timeout"),
    ] {
        assert_eq!(target(host)["status"], status, "{host}: {}", target(host));
    }
    assert!(
        target("wrongkey")["error"]
            .as_str()
            .expect("error")
            .contains("SHA256:")
    );

    let facts = |host: &str| -> &Value { &report["facts"][host] };
    let good = facts("good");
    assert_eq!(good["firewall.backend"], "nftables");
    assert_eq!(good["firewall.input_policy_v4"], "drop");
    assert_eq!(good["firewall.input_policy_v6"], "drop");
    assert_eq!(good["os.id"], "debian");
    assert_eq!(good["hostname"], "good");
    assert_eq!(good["ipv6.enabled"], true);
    assert_eq!(good["ipv6.addresses"], serde_json::json!(["fd00:231::10"]));
    assert_eq!(good["sshd.permit_root_login"], "prohibit-password");
    assert_eq!(good["sshd.password_authentication"], false);
    assert_eq!(good["sshd.port"], 22);
    assert_eq!(
        good["logging.forward_targets"],
        serde_json::json!(["10.231.0.18:514"])
    );
    assert_eq!(good["time.synchronized"], true);
    assert_eq!(good["collector.client"], "10.231.0.1");
    assert!(good["backup.newest_file_age_hours"].as_f64().expect("age") < 1.0);
    assert!(
        good["agents.running"]
            .as_array()
            .expect("procs")
            .iter()
            .any(|p| p == "wazuh-agentd"),
        "{}",
        good["agents.running"]
    );
    assert!(
        good["backup.jobs"]
            .as_array()
            .expect("jobs")
            .iter()
            .any(|j| j["source"] == "/etc/crontab"
                && j["command"]
                    .as_str()
                    .is_some_and(|c| c.contains("/var/backups/app")))
    );

    let open = facts("open");
    assert_eq!(open["firewall.backend"], "none");
    assert_eq!(open["sshd.permit_root_login"], "yes");
    assert_eq!(open["backup.newest_file_age_hours"], Value::Null);
    assert!(
        open["listening"]
            .as_array()
            .expect("listening")
            .iter()
            .any(|l| l["port"] == 8080 && l["proto"] == "tcp")
    );
    assert!(
        finding(&report, "open", "NET-UNDECLARED-PORT")["message"]
            .as_str()
            .expect("msg")
            .contains("tcp/8080")
    );

    assert_eq!(facts("v4only")["firewall.input_policy_v6"], "none");
    assert_eq!(facts("nov6")["ipv6.enabled"], false);
    assert!(
        facts("stale")["backup.newest_file_age_hours"]
            .as_f64()
            .expect("age")
            > 200.0
    );
    assert_eq!(facts("legacy")["firewall.backend"], "iptables");
    assert_eq!(facts("legacy")["firewall.input_policy_v4"], "drop");
    assert_eq!(facts("match")["sshd.permit_root_login"], "no");
    assert!(
        finding(&report, "match", "SSH-ROOT-LOGIN")["evidence"]
            .as_str()
            .expect("ev")
            .contains("Match Address 10.231.0.0/16")
    );

    // The unprivileged login reads what a user may and says what it may not.
    let unpriv = facts("unpriv");
    assert_eq!(unpriv["collector.root"], false);
    assert!(
        unpriv["firewall.backend"]["error"]
            .as_str()
            .expect("error")
            .starts_with("needs privilege")
    );
    assert!(
        unpriv["sshd.source"]
            .as_str()
            .expect("source")
            .starts_with("configuration files")
    );
    assert_eq!(unpriv["sshd.password_authentication"], false);
    assert!(
        finding(&report, "unpriv", "FW-HOST-DEFAULT-DENY")["message"]
            .as_str()
            .expect("msg")
            .contains("needs privilege")
    );

    // --- A saved scan judged later gives the same verdicts. ---------------------------------
    let facts_file = lab.dir.join("facts.json");
    let scan = capdo(
        &inv,
        &["scan", "--facts-out", facts_file.to_str().expect("path")],
    );
    assert_eq!(
        scan.code,
        Some(3),
        "three hosts cannot be scanned: {}",
        scan.stderr
    );
    assert!(
        scan.stderr.contains("scanned 9 of 12 hosts"),
        "{}",
        scan.stderr
    );
    let replay = capdo(
        &inv,
        &[
            "--as-of",
            &today,
            "check",
            "--facts",
            facts_file.to_str().expect("path"),
            "--format",
            "json",
        ],
    );
    let replayed: Value = serde_json::from_str(&replay.stdout).expect("json");
    assert_eq!(verdicts(&replayed), expected, "replayed verdicts");

    // --- ACCOUNT-UNAPPROVED and OS-EOL on the hosts' real /etc/passwd and os-release. ----------
    // The lab inventory declares no approved account list: capdo cannot decide, never passes.
    let no_list = finding(&replayed, "match", "ACCOUNT-UNAPPROVED");
    assert_eq!(no_list["status"], "error", "{no_list}");
    assert!(
        no_list["message"]
            .as_str()
            .expect("msg")
            .contains("cannot decide: no approved account list"),
        "{no_list}"
    );
    // With only root approved, `match`'s planted accounts are named, and root is not.
    let listed = lab.dir.join("inventory-accounts");
    copy_inventory(&inv, &listed);
    std::fs::write(
        listed.join("accounts.toml"),
        "[defaults]\naccounts = [\"root\"]\n",
    )
    .expect("write");
    let r = capdo(
        &listed,
        &[
            "--as-of",
            &today,
            "check",
            "--facts",
            facts_file.to_str().expect("path"),
            "--format",
            "json",
            "match",
        ],
    );
    let with_list: Value = serde_json::from_str(&r.stdout).expect("json");
    let unapproved = finding(&with_list, "match", "ACCOUNT-UNAPPROVED");
    assert_eq!(unapproved["status"], "fail", "{unapproved}");
    let msg = unapproved["message"].as_str().expect("msg");
    assert!(msg.contains("toor (uid 0, login shell /bin/sh)"), "{msg}");
    assert!(msg.contains("oldadmin (uid "), "{msg}");
    assert!(!msg.contains("root (uid 0"), "{msg}");
    // The lab hosts run the build machine's OS (Debian 12 in CI), read from its os-release and
    // judged on the day the host's clock gave.
    let eol = finding(&replayed, "good", "OS-EOL");
    assert!(
        eol["evidence"]
            .as_str()
            .expect("evidence")
            .contains(&format!("ID={}", good["os.id"].as_str().expect("os.id"))),
        "{eol}"
    );
    assert_eq!(eol["status"], "pass", "{eol}");

    // --- The declarative controls, by each regime's pack, on the same saved scan. -----------
    let current = capdo(
        &inv,
        &[
            "--regime",
            "nd331",
            "--as-of",
            &today,
            "check",
            "--facts",
            facts_file.to_str().expect("path"),
            "--format",
            "json",
        ],
    );
    let current: Value = serde_json::from_str(&current.stdout).expect("json");
    let got: Vec<(String, String, String)> = EXPECTED_RULES
        .iter()
        .map(|(h, a, b)| {
            (
                h.to_string(),
                decided(a, &rule_row(&replayed, h)),
                decided(b, &rule_row(&current, h)),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = EXPECTED_RULES
        .iter()
        .map(|(h, a, b)| (h.to_string(), a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want, "declarative host controls under nd85 and nd331");

    // --- Through a jump host: `stale` reached via `good`. -----------------------------------
    let jump_inv = lab.dir.join("inventory-jump");
    copy_inventory(&inv, &jump_inv);
    edit_server(&jump_inv, "stale", "ssh = { jump = \"good\" }");
    let r = capdo(&jump_inv, &["check", "--format", "json", "stale"]);
    let via: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(via["targets"][0]["status"], "scanned", "{}", r.stderr);
    // The target saw the connection come from the jump host, not from the controller.
    assert_eq!(via["facts"]["stale"]["collector.client"], "10.231.0.10");
    assert_eq!(via["facts"]["stale"]["hostname"], "stale");

    // --- Declared flows against the live firewalls (FW-EXPOSED-SERVICE, FLOW-BLOCKED). -------
    // The lab's firewalls accept SSH (and the SIEM's 514) from 10.231.0.0/16 only, never over
    // IPv6 (so the declared IPv6 half of each flow is blocked); `open` has no firewall at all,
    // and `v4only` none for IPv6 (both exposed beyond the lab network).
    let flow_inv = lab.dir.join("inventory-flows");
    copy_inventory(&inv, &flow_inv);
    std::fs::write(
        flow_inv.join("flows.toml"),
        "[externals.internet]\nname = \"Internet\"\nkind = \"internet\"\n\n\
         [[flows]]\nfrom = \"lab-net\"\nto = \"lab-net\"\nservices = [\"tcp/22\"]\n\n\
         [[flows]]\nfrom = \"lab-net\"\nto = \"siem\"\nservices = [\"tcp/514\", \"udp/514\"]\n\n\
         [[flows]]\nfrom = \"external:internet\"\nto = \"open\"\nservices = [\"tcp/8080\"]\n",
    )
    .expect("flows.toml");
    let r = capdo(
        &flow_inv,
        &[
            "check", "--format", "json", "good", "open", "siem", "legacy", "v4only",
        ],
    );
    let flows: Value = serde_json::from_str(&r.stdout).expect("json");
    let row = |host: &str| -> (char, char) {
        (
            letter(
                finding(&flows, host, "FW-EXPOSED-SERVICE")["status"]
                    .as_str()
                    .expect("status"),
            ),
            letter(
                finding(&flows, host, "FLOW-BLOCKED")["status"]
                    .as_str()
                    .expect("status"),
            ),
        )
    };
    assert_eq!(
        ["good", "open", "siem", "legacy", "v4only"].map(row),
        [('p', 'F'), ('F', 'p'), ('p', 'F'), ('p', 'F'), ('F', 'p')],
        "FW-EXPOSED-SERVICE, FLOW-BLOCKED: {}",
        r.stdout
    );
    let msg = |host: &str, control: &str| {
        finding(&flows, host, control)["message"]
            .as_str()
            .expect("message")
            .to_owned()
    };
    // SSH over IPv6 from the lab network is declared and dropped.
    let blocked = msg("good", "FLOW-BLOCKED");
    assert!(
        blocked.contains("network:lab-net → tcp/22 on fd00:231::10 (IPv6): refused for fd00:231::/64 by policy drop of inet filter input"),
        "{blocked}"
    );
    // `open` answers SSH from anywhere, beyond the lab network; 8080 is declared from the
    // Internet.
    let exposed = msg("open", "FW-EXPOSED-SERVICE");
    assert!(
        exposed.contains("tcp/22") && !exposed.contains("tcp/8080"),
        "{exposed}"
    );
    assert!(exposed.contains("no chain filters ipv4 input"), "{exposed}");
    // SSH open to anywhere: remote administration from anywhere is high (docs/firewall.md).
    assert!(
        exposed.contains("remote administration, from anywhere: high"),
        "{exposed}"
    );
    for host in ["open", "v4only"] {
        assert_eq!(
            finding(&flows, host, "FW-EXPOSED-SERVICE")["severity"],
            "high",
            "{host}"
        );
    }

    // --- An unknown host key is refused, then recorded only when asked. ---------------------
    let empty_kh = lab.dir.join("empty_known_hosts");
    std::fs::write(&empty_kh, "").expect("known_hosts");
    let kh = empty_kh.to_str().expect("path");
    let r = capdo(
        &inv,
        &[
            "--known-hosts",
            kh,
            "scan",
            "--facts-out",
            "/dev/null/x",
            "good",
        ],
    );
    assert_eq!(r.code, Some(2), "cannot write the facts file: {}", r.stderr);
    let out = lab.dir.join("unknown.json");
    let r = capdo(
        &inv,
        &[
            "--known-hosts",
            kh,
            "scan",
            "--facts-out",
            out.to_str().expect("p"),
            "good",
        ],
    );
    assert_eq!(r.code, Some(3));
    assert!(r.stderr.contains("good: host-key-unknown"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&empty_kh).expect("kh"),
        "",
        "nothing recorded without the flag"
    );
    let r = capdo(
        &inv,
        &[
            "--known-hosts",
            kh,
            "--accept-new-host-keys",
            "scan",
            "--facts-out",
            out.to_str().expect("p"),
            "good",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        std::fs::read_to_string(&empty_kh)
            .expect("kh")
            .starts_with("10.231.0.10 ssh-ed25519 AAAA")
    );
    let r = capdo(
        &inv,
        &[
            "--known-hosts",
            kh,
            "scan",
            "--facts-out",
            out.to_str().expect("p"),
            "good",
        ],
    );
    assert_eq!(
        r.code,
        Some(0),
        "the recorded key is accepted next time: {}",
        r.stderr
    );

    // --- A key the host does not accept is auth-failed. --------------------------------------
    let wrong_key = lab.dir.join("wrong_ed25519");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&wrong_key)
        .status()
        .expect("ssh-keygen");
    assert!(made.success());
    let key_inv = lab.dir.join("inventory-wrong-key");
    copy_inventory(&inv, &key_inv);
    // The inventory's identity file is now a key no host accepts.
    std::fs::copy(&wrong_key, key_inv.join("id_ed25519")).expect("replace the key");
    let r = capdo(
        &key_inv,
        &["scan", "--facts-out", out.to_str().expect("p"), "good"],
    );
    assert_eq!(r.code, Some(3));
    assert!(r.stderr.contains("good: auth-failed"), "{}", r.stderr);
    let out_s = out.to_str().expect("path");

    // --- ssh-agent: every identity is tried, not only the first (libssh2 would stop there). --
    let sock = lab.dir.join("agent.sock");
    let agent = Command::new("ssh-agent")
        .arg("-a")
        .arg(&sock)
        .output()
        .expect("ssh-agent");
    assert!(agent.status.success());
    let agent_pid = String::from_utf8_lossy(&agent.stdout)
        .split("SSH_AGENT_PID=")
        .nth(1)
        .and_then(|s| s.split(';').next())
        .unwrap_or_default()
        .to_owned();
    struct KillAgent(String);
    impl Drop for KillAgent {
        fn drop(&mut self) {
            let _ = Command::new("kill").arg(&self.0).status();
        }
    }
    let _agent = KillAgent(agent_pid);
    for key in [wrong_key.clone(), lab.dir.join("id_ed25519")] {
        let added = Command::new("ssh-add")
            .arg(&key)
            .env("SSH_AUTH_SOCK", &sock)
            .output()
            .expect("ssh-add");
        assert!(
            added.status.success(),
            "{}",
            String::from_utf8_lossy(&added.stderr)
        );
    }
    // The inventory's key is refused, so only the agent's second identity can log in.
    let sock_s = sock.to_str().expect("path");
    let r = capdo_env(
        &key_inv,
        &["scan", "--facts-out", out_s, "good"],
        &[("SSH_AUTH_SOCK", sock_s)],
    );
    assert_eq!(r.code, Some(0), "agent login: {}", r.stderr);

    // --- An encrypted key needs CAPDO_SSH_PASSPHRASE, and says so without it. ----------------
    let locked = lab.dir.join("locked_ed25519");
    std::fs::copy(lab.dir.join("id_ed25519"), &locked).expect("copy key");
    let reencrypt = Command::new("ssh-keygen")
        .args(["-q", "-p", "-N", "s3cret-phrase", "-P", "", "-f"])
        .arg(&locked)
        .status()
        .expect("ssh-keygen -p");
    assert!(reencrypt.success());
    std::fs::copy(&locked, key_inv.join("id_ed25519")).expect("use the locked key");
    let r = capdo(&key_inv, &["scan", "--facts-out", out_s, "good"]);
    assert_eq!(r.code, Some(3));
    assert!(r.stderr.contains("cannot decrypt it"), "{}", r.stderr);
    let r = capdo_env(
        &key_inv,
        &["scan", "--facts-out", out_s, "good"],
        &[("CAPDO_SSH_PASSPHRASE", "s3cret-phrase")],
    );
    assert_eq!(
        r.code,
        Some(0),
        "passphrase from the environment: {}",
        r.stderr
    );
    // Neither the passphrase nor the private key ends up in the output or the facts file.
    let saved = std::fs::read_to_string(out_s).expect("facts");
    let key_text = std::fs::read_to_string(&locked).expect("key");
    let key_body = key_text.lines().nth(1).expect("key body");
    for text in [&r.stdout, &r.stderr, &saved] {
        assert!(!text.contains("s3cret-phrase") && !text.contains(key_body));
    }

    // --- ~/.ssh/config: ProxyJump for `stale` through `good`. --------------------------------
    let home = lab.dir.join("home");
    std::fs::create_dir_all(home.join(".ssh")).expect("home");
    std::fs::write(home.join(".ssh/config"), "Host stale\n    ProxyJump good\n").expect("config");
    let home_s = home.to_str().expect("path");
    let r = capdo_env(
        &inv,
        &["check", "--format", "json", "stale"],
        &[("HOME", home_s)],
    );
    let via: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(via["targets"][0]["status"], "scanned", "{}", r.stderr);
    assert_eq!(
        via["facts"]["stale"]["collector.client"], "10.231.0.10",
        "through good"
    );
    round_trip_render_deploy_rescan(&lab);
}

/// Render `open`'s firewall and sshd configuration, deploy it the way an operator would
/// (docs/render.md), scan again: the controls that failed pass, and drift is gone.
fn round_trip_render_deploy_rescan(lab: &Lab) {
    let inv = lab.inventory();
    let kinds = ["--kind", "nftables", "--kind", "sshd"];
    let mut drift_args = vec!["drift", "open", "--format", "json"];
    drift_args.extend(kinds);

    let before = capdo(&inv, &drift_args);
    assert_eq!(
        before.code,
        Some(1),
        "drift before deploying: {}",
        before.stderr
    );
    let d: Value = serde_json::from_str(&before.stdout).expect("json");
    let states: Vec<&str> = d["hosts"][0]["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["state"].as_str().expect("state"))
        .collect();
    assert_eq!(states, ["differs", "missing"], "{}", before.stdout);

    let out = lab.dir.join("rendered");
    let mut render_args = vec![
        "render",
        "--host",
        "open",
        "--out",
        out.to_str().expect("path"),
    ];
    render_args.extend(kinds);
    let r = capdo(&inv, &render_args);
    assert_eq!(r.code, Some(0), "{}", r.stderr);

    let ssh = |script: &str, stdin: &Path| {
        let status = Command::new("ssh")
            .args([
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=yes",
                "-i",
            ])
            .arg(lab.dir.join("id_ed25519"))
            .arg("-o")
            .arg(format!(
                "UserKnownHostsFile={}",
                lab.dir.join("known_hosts").display()
            ))
            .arg("root@10.231.0.11")
            .arg(script)
            .stdin(std::fs::File::open(stdin).expect("rendered file"))
            .status()
            .expect("ssh");
        assert!(status.success(), "{script}");
    };
    let host = out.join("open/etc");
    ssh(
        "cat > /etc/nftables.conf && nft -f /etc/nftables.conf",
        &host.join("nftables.conf"),
    );
    ssh(
        "mkdir -p /etc/ssh/sshd_config.d && cat > /etc/ssh/sshd_config.d/00-capdo.conf \
         && { grep -qx 'Include /etc/ssh/sshd_config.d/\\*.conf' /etc/ssh/sshd_config \
              || sed -i '1i Include /etc/ssh/sshd_config.d/*.conf' /etc/ssh/sshd_config; } \
         && sshd -t && kill -HUP 1",
        &host.join("ssh/sshd_config.d/00-capdo.conf"),
    );

    // sshd re-executes itself on SIGHUP: give it a moment, then scan again.
    let mut report = Value::Null;
    for _ in 0..20 {
        std::thread::sleep(std::time::Duration::from_millis(300));
        let r = capdo(&inv, &["check", "--format", "json", "open"]);
        report = serde_json::from_str(&r.stdout).unwrap_or_default();
        if report["targets"][0]["status"] == "scanned" {
            break;
        }
    }
    assert_eq!(report["targets"][0]["status"], "scanned", "{report}");
    for control in [
        "FW-HOST-DEFAULT-DENY",
        "FW-IPV6-PARITY",
        "SSH-ROOT-LOGIN",
        "SSH-PASSWORD-AUTH",
    ] {
        assert_eq!(
            finding(&report, "open", control)["status"],
            "pass",
            "{control} after deploying"
        );
    }
    assert_eq!(report["facts"]["open"]["firewall.backend"], "nftables");

    let after = capdo(&inv, &drift_args);
    assert_eq!(
        after.code,
        Some(0),
        "no drift after deploying: {}",
        after.stdout
    );
}

//! Every declarative control of both packs, on fixtures where it passes and where it fails
//! (tests/fixtures/controls/cases.toml), with a snapshot of the findings; the built-in
//! inventory controls on the shipped inventories; human attestations never pass.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use capdo::diag::{Loc, Sources};
use capdo::inventory::{Level, Regime};
use capdo::policy::catalog::{Catalog, Check, Source};
use capdo::policy::declarative;
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    control: String,
    regime: Option<String>,
    level: Option<i64>,
    expect: String,
    note: Option<String>,
    #[serde(default)]
    facts: Map<String, Value>,
    #[serde(default)]
    attrs: Map<String, Value>,
}

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

/// `{}` in the fixture is null (TOML has none).
fn nulls(m: Map<String, Value>) -> Map<String, Value> {
    m.into_iter()
        .map(|(k, v)| match v {
            Value::Object(o) if o.is_empty() => (k, Value::Null),
            v => (k, v),
        })
        .collect()
}

fn regimes(r: &Option<String>) -> Vec<Regime> {
    match r.as_deref() {
        None => vec![Regime::Nd85, Regime::Nd331],
        Some("nd85") => vec![Regime::Nd85],
        Some("nd331") => vec![Regime::Nd331],
        Some(other) => panic!("unknown regime {other}"),
    }
}

#[test]
fn every_declarative_control_passes_and_fails_on_its_fixtures() {
    let text = std::fs::read_to_string("tests/fixtures/controls/cases.toml").expect("cases");
    let cases: Cases = toml::from_str(&text).expect("cases.toml");
    let mut sources = Sources::new();
    let file = sources.add(Path::new("fixture"), "x".into());
    let loc = Loc::new(file, 0..1);
    let catalog = Catalog::embedded();
    let mut seen: BTreeMap<(Regime, &str), BTreeSet<String>> = BTreeMap::new();
    let mut shot = String::new();
    for case in &cases.case {
        let level = Level::new(case.level.unwrap_or(3)).expect("level 1-5");
        let facts = nulls(case.facts.clone());
        let mut attrs = nulls(case.attrs.clone());
        attrs
            .entry("system.level".to_owned())
            .or_insert(Value::from(level.get()));
        for regime in regimes(&case.regime) {
            let control = catalog
                .find(regime, &case.control)
                .unwrap_or_else(|| panic!("{} is not in the {regime:?} pack", case.control));
            let host = control.source == Source::Host;
            let f = declarative::judge(
                control,
                if host { "server:h1" } else { "system:s1" }.to_owned(),
                Some(level),
                &attrs,
                host.then_some(&facts),
                &loc,
            );
            let status = f.status.as_str();
            assert_eq!(
                status,
                case.expect,
                "{} under {regime:?} at level {level}{}: {} ({})",
                case.control,
                case.note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default(),
                f.message,
                f.evidence
            );
            seen.entry((regime, control.id.as_str()))
                .or_default()
                .insert(status.to_owned());
            shot.push_str(&format!(
                "{} {} L{level} {status}: {}\n    {}\n",
                regime.as_str(),
                control.id,
                f.message,
                f.evidence
            ));
        }
    }
    // Every rule of both packs has a case where it passes and one where it fails.
    for regime in [Regime::Nd85, Regime::Nd331] {
        for c in catalog.controls(regime) {
            if matches!(c.check, Check::Rule { .. }) {
                let got = seen
                    .get(&(regime, c.id.as_str()))
                    .cloned()
                    .unwrap_or_default();
                assert!(
                    got.contains("pass") && got.contains("fail"),
                    "{} ({regime:?}) needs a passing and a failing case; has {got:?}",
                    c.id
                );
            }
        }
    }
    insta::assert_snapshot!("declarative_cases", shot);
}

/// The built-in inventory controls on the shipped inventories: each passes somewhere and fails
/// somewhere, under each regime.
#[test]
fn every_builtin_inventory_control_passes_and_fails_on_the_fixtures() {
    let inventories = [
        "inventory",
        "tests/fixtures/minimal",
        "tests/fixtures/design",
        "tests/fixtures/clean",
        "tests/fixtures/controls/fails",
    ];
    let catalog = Catalog::embedded();
    let mut table = String::new();
    for regime in ["nd85", "nd331"] {
        let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for inv in inventories {
            let r = common::capdo(
                Path::new(inv),
                &["--regime", regime, "check", "--offline", "--format", "json"],
            );
            let report: Value = serde_json::from_str(&r.stdout)
                .unwrap_or_else(|e| panic!("{inv}: {e}: {}", r.stderr));
            for f in report["findings"].as_array().expect("findings") {
                seen.entry(f["control"].as_str().expect("control").to_owned())
                    .or_default()
                    .insert(format!("{}@{inv}", f["status"].as_str().expect("status")));
            }
        }
        let r = if regime == "nd85" {
            Regime::Nd85
        } else {
            Regime::Nd331
        };
        for c in catalog.controls(r) {
            let statuses = seen.get(c.id.as_str()).cloned().unwrap_or_default();
            match (&c.check, c.source) {
                (Check::Builtin(_), Source::Inventory) => {
                    let has = |s: &str| statuses.iter().any(|x| x.starts_with(&format!("{s}@")));
                    assert!(
                        has("pass") && has("fail"),
                        "{} under {regime}: {statuses:?}",
                        c.id
                    );
                    let mut by_status: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
                    for s in &statuses {
                        let (st, inv) = s.split_once('@').expect("@");
                        by_status.entry(st).or_default().push(inv);
                    }
                    table.push_str(&format!("{regime} {}: {by_status:?}\n", c.id));
                }
                (Check::Manual, _) => {
                    // A human attestation is never a pass.
                    assert!(
                        statuses
                            .iter()
                            .all(|s| s.starts_with("manual@") || s.starts_with("not-applicable@")),
                        "{}: {statuses:?}",
                        c.id
                    );
                    assert!(
                        statuses.iter().any(|s| s.starts_with("manual@")),
                        "{}",
                        c.id
                    );
                }
                _ => {}
            }
        }
    }
    insta::assert_snapshot!("builtin_inventory_controls", table);
}

/// TIME-SYNC, the one built-in host control no lab host fails (every lab clock is
/// synchronised): the captured Debian 12 collector output replayed with `timedatectl` saying
/// yes for one host and no for the other.
#[test]
fn time_sync_passes_and_fails_on_replayed_output() {
    let raw = std::fs::read_to_string("tests/fixtures/collect/sections/collector-debian12.txt")
        .expect("captured collector output");
    let nonce = "5e1f0c9a7b3d2e41";
    let old = format!(
        "@@{nonce} begin timedatectl\nSystem has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n\n@@{nonce} end timedatectl 1\n"
    );
    assert!(raw.contains(&old), "the capture's timedatectl section");
    let with = |synced: &str| {
        raw.replace(
            &old,
            &format!(
                "@@{nonce} begin timedatectl\nNTP=yes\nNTPSynchronized={synced}\n@@{nonce} end timedatectl 0\n"
            ),
        )
    };
    let host = |output: String| {
        serde_json::json!({
            "status": "scanned", "error": null, "duration_ms": 400, "facts": {},
            "raw": {"nonce": nonce, "output": output, "exit": 0, "signal": null, "truncated": false}
        })
    };
    let file = serde_json::json!({
        "schema": "capdo.facts/v1", "tool": "capdo test", "generated_at": "2026-11-22T08:00:00Z",
        "hosts": {"app01": host(with("yes")), "bk01": host(with("no"))}
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let facts = dir.path().join("facts.json");
    std::fs::write(&facts, file.to_string()).expect("write");
    let r = common::capdo(
        Path::new("tests/fixtures/clean"),
        &[
            "check",
            "--facts",
            facts.to_str().expect("utf-8"),
            "--format",
            "json",
            "app01",
            "bk01",
        ],
    );
    let report: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    let status = |host: &str| {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["control"] == "TIME-SYNC" && f["target"] == format!("server:{host}"))
            .map(|f| (f["status"].clone(), f["evidence"].clone()))
            .expect("TIME-SYNC finding")
    };
    assert_eq!(status("app01").0, "pass", "{:?}", status("app01"));
    assert_eq!(status("bk01").0, "fail", "{:?}", status("bk01"));
    assert_eq!(status("bk01").1, "time.synchronized = false");
}

/// The shipped sample inventory (inventory/) with a saved scan of its database server
/// `portal-db01` (hq-db, 10.10.3.11; flows declare tcp/5432 from hq-app and from
/// baocao-web01/02): the collector's output of a Debian 12 host, PostgreSQL listening, and the
/// legacy firewall replaced per case. FW-EXPOSED-SERVICE and FLOW-BLOCKED pass and fail where
/// they should, the failure's severity follows the exposure (database from anywhere: high; from
/// another zone of the inventory: high; within its own zone: medium), and the JSON report
/// carries the host's `exposure.listeners`.
#[test]
fn sample_database_server_against_its_declared_flows() {
    let nonce = "5e1f0c9a7b3d2e41";
    let raw = std::fs::read_to_string("tests/fixtures/collect/sections/collector-debian12.txt")
        .expect("collector output");
    let section = |raw: &str, name: &str, body: &str| -> String {
        let begin = format!("@@{nonce} begin {name}\n");
        let end = format!("@@{nonce} end {name} ");
        let a = raw.find(&begin).expect("section") + begin.len();
        let b = raw[a..].find(&end).expect("end") + a;
        format!("{}{body}\n{}", &raw[..a], &raw[b..])
    };
    let listen = "tcp LISTEN 0 244 0.0.0.0:5432 0.0.0.0:* users:((\"postgres\",pid=811,fd=6))";
    let host = |v4_rules: &str| -> String {
        let out = section(&raw, "listen", listen);
        let out = section(
            &out,
            "iptables-legacy",
            &format!("*filter\n:INPUT DROP [0:0]\n{v4_rules}\nCOMMIT"),
        );
        section(
            &out,
            "ip6tables-legacy",
            "*filter\n:INPUT DROP [0:0]\nCOMMIT",
        )
    };
    // What the flows to hq-db declare: tcp/5432 and tcp/1521 from hq-app, tcp/5432 from the
    // two report servers, SSH from the management zone (no sshd listens in this scan).
    let declared = "-A INPUT -p tcp --dport 22 -j ACCEPT\n\
                    -A INPUT -s 10.10.2.0/24 -p tcp -m multiport --dports 5432,1521 -j ACCEPT\n\
                    -A INPUT -s 10.10.1.51/32 -p tcp --dport 5432 -j ACCEPT\n\
                    -A INPUT -s 10.10.1.52/32 -p tcp --dport 5432 -j ACCEPT";
    // (rules, FW-EXPOSED-SERVICE, its severity, FLOW-BLOCKED, words of the messages)
    let cases = [
        (declared.to_owned(), "pass", "high", "pass", ""),
        (
            format!("{declared}\n-A INPUT -p tcp --dport 5432 -j ACCEPT"),
            "fail",
            "high",
            "pass",
            "database, cache or search engine, from anywhere: high",
        ),
        (
            format!("{declared}\n-A INPUT -s 10.10.1.0/24 -p tcp --dport 5432 -j ACCEPT"),
            "fail",
            "high",
            "pass",
            "from another zone: high",
        ),
        (
            format!("{declared}\n-A INPUT -s 10.10.3.0/24 -p tcp --dport 5432 -j ACCEPT"),
            "fail",
            "medium",
            "pass",
            "from the same zone: medium",
        ),
        (
            declared.replace(
                "-A INPUT -s 10.10.1.51/32 -p tcp --dport 5432 -j ACCEPT\n",
                "",
            ),
            "pass",
            "high",
            "fail",
            "server:baocao-web01 → tcp/5432 on 10.10.3.11 (IPv4): refused for 10.10.1.51/32",
        ),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, (rules, exposed, severity, blocked, words)) in cases.iter().enumerate() {
        let bundle = dir.path().join(format!("evidence-{i}"));
        let doc = serde_json::json!({
            "schema": "capdo.facts/v1", "tool": "capdo test", "generated_at": "2026-12-06T08:00:00Z",
            "hosts": {"portal-db01": {
                "status": "scanned", "error": null, "duration_ms": 400, "facts": {},
                "raw": {"nonce": nonce, "output": host(rules), "exit": 0, "signal": null, "truncated": false}
            }}
        });
        let facts = dir.path().join("facts.json");
        std::fs::write(&facts, doc.to_string()).expect("write");
        let r = common::capdo(
            Path::new("inventory"),
            &[
                "check",
                "--facts",
                facts.to_str().expect("utf-8"),
                "--format",
                "json",
                "--lang",
                "en",
                "--evidence",
                bundle.to_str().expect("utf-8"),
                "portal-db01",
            ],
        );
        let report: Value =
            serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
        let exp = common::finding(&report, "portal-db01", "FW-EXPOSED-SERVICE");
        let flow = common::finding(&report, "portal-db01", "FLOW-BLOCKED");
        let context = format!("{rules}\n{exp}\n{flow}");
        assert_eq!(exp["status"], *exposed, "{context}");
        assert_eq!(exp["severity"], *severity, "{context}");
        assert_eq!(flow["status"], *blocked, "{context}");
        let messages = format!("{} {}", exp["message"], flow["message"]);
        assert!(messages.contains(words), "{words}: {context}");
        // The exposure the controls judged is in the report, per listener and family.
        let listeners = &report["facts"]["portal-db01"]["exposure.listeners"];
        assert_eq!(listeners[0]["port"], 5432, "{listeners}");
        assert_eq!(listeners[0]["family"], "ipv4", "{listeners}");
        assert!(listeners[0]["sources"].is_array(), "{listeners}");
        // So does the evidence bundle: its report and its replayable scan.
        for name in ["report.json", "facts.json"] {
            let text = std::fs::read_to_string(bundle.join(name)).expect(name);
            let doc: Value = serde_json::from_str(&text).expect(name);
            let got = if name == "report.json" {
                &doc["facts"]["portal-db01"]["exposure.listeners"]
            } else {
                &doc["hosts"]["portal-db01"]["facts"]["exposure.listeners"]
            };
            assert_eq!(got, listeners, "{name}");
        }
    }
}

//! Firewall truth: capdo's packet evaluator against the kernel.
//!
//! Each folder of tests/fixtures/firewall/ was made by `tests/lab/firewall.sh capture`: a
//! firewall written by a real manager (ufw, ufw + fail2ban, firewalld, ferm, RHEL 7's
//! iptables-services rules, Docker-style chains, nftables' shipped example, a protocol-set
//! ruleset, no firewall), what capdo's collector reads of it, and `packets.tsv`: TCP connects
//! from four sources per family to nine listening ports, with the kernel's answer. Every
//! packet is evaluated from the captured text; the evaluator must agree with the kernel on
//! every packet it decides, and may leave a packet unknown only for a reason that really
//! depends on something the ruleset does not say (a rate limit, a DNAT off the input path).
//!
//! `bullseye` and `trixie` are hosts whose whole userland is that Debian release (nft 0.9.8 and
//! OpenSSH 8.4; nft 1.1.3, OpenSSH 10 and lastlog2), made with debootstrap: their own nft
//! loaded the ruleset and wrote the JSON capdo reads.
//!
//! `packets_through_live_rulesets` repeats the capture with the real managers and the real
//! kernel (root only; CI runs it) and checks the fresh captures the same way; there capdo also
//! scans the two release hosts over SSH, and every listener's exposure in the facts it
//! collected (what FW-EXPOSED-SERVICE and FLOW-BLOCKED judge) must equal the kernel's answer
//! for every (host, source, family, port). Port 443 of a release host is that release's own
//! `openssl s_server` (bullseye's offering TLS 1.0–1.3 over its openssl.cnf, trixie's with
//! OpenSSL 3.5's defaults): the versions the collector's handshakes (the release's own
//! s_client, 1.1.1 or 3.5) found accepted in `tls.services` must be exactly those this
//! machine's s_client (OpenSSL 3.0) got through, every other one refused.

mod common;

use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use capdo::collect::facts::{AcceptRule, Firewall, Policy};
use capdo::collect::parse;
use capdo::firewall::{self, Packet, Texts};

/// The reasons an unknown may honestly have: the ruleset alone cannot say.
const UNDECIDABLE: &[&str] = &["depends on traffic", "off the input path"];

#[derive(Default, Debug)]
struct Tally {
    packets: usize,
    agree: usize,
    disagree: Vec<String>,
    unknown: Vec<String>,
    summary_agree: usize,
}

fn read(dir: &Path, name: &str) -> Option<String> {
    let rc = fs::read_to_string(dir.join(format!("{name}.rc"))).ok()?;
    (rc.trim() == "0")
        .then(|| fs::read_to_string(dir.join(name)).ok())
        .flatten()
}

/// What the summary that capdo used before the evaluator said: the input policy, then the
/// accept rules it listed.
fn summary_open(fw: &Firewall, p: &Packet) -> bool {
    let (policy, rules): (Policy, &[AcceptRule]) = match p.saddr {
        IpAddr::V4(_) => (fw.input_policy_v4, &fw.accept_v4),
        IpAddr::V6(_) => (fw.input_policy_v6, &fw.accept_v6),
    };
    if matches!(policy, Policy::Accept | Policy::None) {
        return true;
    }
    rules.iter().any(|r| {
        !r.loopback
            && !r.established
            && r.proto.as_deref().is_none_or(|x| x == "tcp")
            && (r.ports.is_empty() || r.ports.contains(&p.dport))
            && (r.sources.is_empty()
                || r.sources.iter().any(|s| {
                    s.parse::<ipnetwork::IpNetwork>()
                        .is_ok_and(|n| n.contains(p.saddr))
                }))
    })
}

/// The summary as the collector built it before (nft unless it held `xt`, then legacy, then
/// the default iptables).
fn summary(dir: &Path) -> Option<Firewall> {
    let nft = read(dir, "nft.json").and_then(|j| parse::nft::parse(&j).ok());
    let xt = read(dir, "nft.json").is_some_and(|j| parse::nft::has_xt(&j));
    if let Some(fw) = &nft
        && fw.backend == capdo::collect::facts::Backend::Nftables
        && !xt
    {
        return nft;
    }
    let legacy = parse::iptables::parse(
        &read(dir, "iptables-legacy-save").unwrap_or_default(),
        &read(dir, "ip6tables-legacy-save").unwrap_or_default(),
    );
    if legacy.backend == capdo::collect::facts::Backend::Iptables {
        return Some(legacy);
    }
    Some(parse::iptables::parse(
        &read(dir, "iptables-save").unwrap_or_default(),
        &read(dir, "ip6tables-save").unwrap_or_default(),
    ))
}

fn check(dir: &Path) -> Tally {
    let texts = [
        "nft.json",
        "iptables-save",
        "ip6tables-save",
        "iptables-legacy-save",
        "ip6tables-legacy-save",
        "ipset-save",
    ]
    .map(|n| read(dir, n));
    let [nft, ipt, ip6t, leg, leg6, ipset] = &texts;
    let rs = firewall::assemble(&Texts {
        nft_json: nft.as_deref(),
        iptables: ipt.as_deref(),
        ip6tables: ip6t.as_deref(),
        iptables_legacy: leg.as_deref(),
        ip6tables_legacy: leg6.as_deref(),
        ipset: ipset.as_deref(),
    })
    .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let old = summary(dir);
    let mut t = Tally::default();
    let packets = fs::read_to_string(dir.join("packets.tsv")).expect("packets.tsv");
    for line in packets.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let [_, src, dst, port, result] = f[..] else {
            panic!("{}: bad line {line:?}", dir.display())
        };
        let p = Packet::tcp(
            src.parse().expect("source"),
            dst.parse().expect("destination"),
            port.parse().expect("port"),
            Some("eth0"),
        );
        let kernel_open = result == "accept";
        t.packets += 1;
        if old
            .as_ref()
            .is_some_and(|fw| summary_open(fw, &p) == kernel_open)
        {
            t.summary_agree += 1;
        }
        let d = firewall::evaluate(&rs, &p);
        match d.outcome.open() {
            Some(open) if open == kernel_open => t.agree += 1,
            Some(_) => t.disagree.push(format!(
                "{p}: kernel {result}, capdo {} by {}",
                d.outcome.word(),
                d.by
            )),
            None => t.unknown.push(format!(
                "{p}: kernel {result}, capdo unknown ({:?}) at {}",
                d.outcome, d.by
            )),
        }
    }
    t
}

fn scenarios(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("packets.tsv").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn judge(root: &Path) {
    let dirs = scenarios(root);
    assert!(
        dirs.len() >= 10,
        "{}: {} scenarios",
        root.display(),
        dirs.len()
    );
    let (mut all, mut agree, mut unknown, mut old) = (0, 0, 0, 0);
    let mut failures = vec![];
    for d in &dirs {
        let t = check(d);
        let name = d
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        eprintln!(
            "{name:16} packets {:3}  evaluator agrees {:3}, disagrees {:2}, unknown {:2}  |  summary agreed {:3}",
            t.packets,
            t.agree,
            t.disagree.len(),
            t.unknown.len(),
            t.summary_agree
        );
        all += t.packets;
        agree += t.agree;
        unknown += t.unknown.len();
        old += t.summary_agree;
        failures.extend(t.disagree.iter().map(|m| format!("{name}: {m}")));
        failures.extend(
            t.unknown
                .iter()
                .filter(|m| !UNDECIDABLE.iter().any(|r| m.contains(r)))
                .map(|m| format!("{name}: {m}")),
        );
    }
    eprintln!(
        "all: {all} packets; evaluator agrees on {agree} of {} decided ({unknown} unknown); the old summary agreed on {old} ({:.1} %)",
        all - unknown,
        100.0 * old as f64 / all as f64
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(agree + unknown, all);
}

/// Whether a source list of `exposure.listeners` (prefixes, or `any` then `except PREFIX`…)
/// holds `addr`.
fn holds(sources: &[serde_json::Value], addr: IpAddr) -> bool {
    let within = |p: &str| {
        p.parse::<ipnetwork::IpNetwork>()
            .unwrap_or_else(|e| panic!("{p}: {e}"))
            .contains(addr)
    };
    let words: Vec<&str> = sources.iter().filter_map(|v| v.as_str()).collect();
    match words.first() {
        Some(&"any") => !words[1..].iter().any(|w| {
            within(
                w.strip_prefix("except ")
                    .unwrap_or_else(|| panic!("{w} after any")),
            )
        }),
        _ => words.iter().any(|w| within(w)),
    }
}

/// capdo's scan of a release host over SSH: the collector read that release's userland, and
/// each listener's exposure equals the kernel's answer for every packet. Returns the packets
/// compared.
fn judge_scan(dir: &Path, version_id: &str) -> usize {
    let name = dir.display();
    let rc = fs::read_to_string(dir.join("scan.rc")).unwrap_or_default();
    assert_eq!(
        rc.trim(),
        "0",
        "{name}: capdo scan: {}",
        fs::read_to_string(dir.join("scan.log")).unwrap_or_default()
    );
    let j: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("facts.json")).expect("facts.json"))
            .expect("facts JSON");
    let f = &j["hosts"]["release"]["facts"];
    assert_eq!(f["os.id"], "debian", "{name}");
    assert_eq!(f["os.version_id"], version_id, "{name}");
    assert_eq!(f["sshd.source"], "sshd -T", "{name}");
    assert_eq!(f["firewall.backend"], "nftables", "{name}");
    // lastlog on bullseye, lastlog2 on trixie.
    assert!(
        f["accounts.last_login"].is_array(),
        "{name}: {}",
        f["accounts.last_login"]
    );
    let listeners = f["exposure.listeners"]
        .as_array()
        .expect("exposure.listeners");
    let packets = fs::read_to_string(dir.join("packets.tsv")).expect("packets.tsv");
    let mut compared = 0;
    for line in packets.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let [_, src, dst, port, result] = f[..] else {
            panic!("{name}: bad line {line:?}")
        };
        let src: IpAddr = src.parse().expect("source");
        let family = if dst.contains(':') { "ipv6" } else { "ipv4" };
        let port: u64 = port.parse().expect("port");
        let entries: Vec<&serde_json::Value> = listeners
            .iter()
            .filter(|l| l["proto"] == "tcp" && l["port"] == port && l["family"] == family)
            .collect();
        assert!(
            !entries.is_empty(),
            "{name}: no listener tcp/{port} {family} in the facts"
        );
        for e in entries {
            let sources = e["sources"]
                .as_array()
                .unwrap_or_else(|| panic!("{name}: tcp/{port} {family}: {e}"));
            assert_eq!(
                holds(sources, src),
                result == "accept",
                "{name}: {src} → {dst} tcp/{port}: kernel {result}, capdo's exposure {e}"
            );
            compared += 1;
        }
    }
    eprintln!(
        "{name}: capdo's scanned exposure equals the kernel on {compared} packet-listener pairs"
    );
    compared
}

/// The TLS service of a release host (its own `openssl s_server` on tcp/443) as capdo's
/// collector probed it over SSH with that release's own `s_client` (OpenSSL 1.1.1, 3.5),
/// against `tls.tsv`, what this machine's `s_client` (OpenSSL 3.0) measured from outside the
/// release: the same versions accepted, every other one refused, none undecided. Returns the
/// accepted versions.
fn judge_tls(dir: &Path) -> Vec<String> {
    let name = dir.display();
    let (mut accepted, mut refused) = (vec![], vec![]);
    for line in fs::read_to_string(dir.join("tls.tsv"))
        .expect("tls.tsv")
        .lines()
    {
        match line.split_once('\t') {
            Some((v, "accepted")) => accepted.push(v.to_owned()),
            Some((v, "refused")) => refused.push(v.to_owned()),
            _ => panic!("{name}: bad tls.tsv line {line:?}"),
        }
    }
    assert_eq!(accepted.len() + refused.len(), 4, "{name}: tls.tsv");
    let j: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("facts.json")).expect("facts.json"))
            .expect("facts JSON");
    let services = &j["hosts"]["release"]["facts"]["tls.services"];
    let s = services
        .as_array()
        .and_then(|a| a.iter().find(|s| s["port"] == 443))
        .unwrap_or_else(|| panic!("{name}: no tls.services entry for 443: {services}"));
    let versions = |key: &str| -> Vec<String> {
        let mut v: Vec<String> = s[key]
            .as_object()
            .unwrap_or_else(|| panic!("{name}: tls 443 {key}: {s}"))
            .keys()
            .cloned()
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        s["accepted"],
        serde_json::json!(accepted),
        "{name}: the collector's handshakes against OpenSSL 3.0's {accepted:?}: {s}"
    );
    assert_eq!(versions("refused"), refused, "{name}: {s}");
    assert!(versions("undecided").is_empty(), "{name}: {s}");
    eprintln!("{name}: tls/443 accepts {accepted:?}, the collector and the oracle agree");
    accepted
}

#[test]
fn evaluator_agrees_with_captured_packets() {
    judge(Path::new("tests/fixtures/firewall"));
}

#[test]
fn packets_through_live_rulesets() {
    if !common::needs_root("live firewall packets") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new("tests/lab/firewall.sh")
        .arg("capture")
        .arg(tmp.path())
        .env("CAPDO", env!("CARGO_BIN_EXE_capdo"))
        .output()
        .expect("run tests/lab/firewall.sh");
    assert!(
        out.status.success(),
        "firewall.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    judge(tmp.path());
    // 72 packets each, and both listeners of a port (`0.0.0.0` and `::`) where there are two.
    assert!(judge_scan(&tmp.path().join("bullseye"), "11") >= 72);
    assert!(judge_scan(&tmp.path().join("trixie"), "13") >= 72);
    // bullseye's server offers TLS 1.0 over its openssl.cnf, and its OpenSSL 1.1.1 client
    // must reach it there too; trixie's keeps OpenSSL 3.5's defaults.
    let tls10 = "TLSv1.0".to_owned();
    assert!(judge_tls(&tmp.path().join("bullseye")).contains(&tls10));
    assert!(!judge_tls(&tmp.path().join("trixie")).contains(&tls10));
}

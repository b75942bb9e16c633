//! The evaluator on captured rulesets (tests/fixtures/firewall/, made by
//! `tests/lab/firewall.sh capture`; the README there says how), on the three verdicts the old
//! summary got wrong, and on hostile input.

use std::net::IpAddr;

use proptest::prelude::*;

use super::exposure::{default_decision, prefixes, reach, reach_by_pieces};
use super::*;

macro_rules! fx {
    ($dir:literal, $name:literal) => {
        include_str!(concat!("../../tests/fixtures/firewall/", $dir, "/", $name))
    };
}

macro_rules! ruleset {
    ($dir:literal) => {
        assemble(&Texts {
            nft_json: Some(fx!($dir, "nft.json")),
            iptables: Some(fx!($dir, "iptables-save")),
            ip6tables: Some(fx!($dir, "ip6tables-save")),
            iptables_legacy: Some(fx!($dir, "iptables-legacy-save")),
            ip6tables_legacy: Some(fx!($dir, "ip6tables-legacy-save")),
            ipset: None,
        })
        .expect("assembles")
    };
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("address")
}

const H4: &str = "10.231.0.10";
const H6: &str = "fd00:231::10";

/// A default probe's template: to the host, on `iif`, protocol `proto`.
fn probe(dst: &str, iif: Option<&str>, proto: u8) -> Packet {
    let mut p = Packet::tcp(ip(dst), ip(dst), 0, iif);
    p.proto = proto;
    p
}

fn tcp(src: &str, dst: &str, port: u16) -> Packet {
    Packet::tcp(ip(src), ip(dst), port, Some("eth0"))
}

#[test]
fn ufw_not_local_returns_for_local_destinations() {
    // ufw-not-local RETURNs for a LOCAL destination before its final DROP: with `default
    // allow incoming` the host is open, whatever the DROP at the end of that chain.
    let open = ruleset!("ufw-allow");
    let d = default_decision(&open, &probe(H4, Some("eth0"), 6));
    assert_eq!(d.outcome, Outcome::Accept, "{d:?}");
    assert!(d.by.contains("ufw-track-input"), "{}", d.by);
    let d = evaluate(&open, &tcp("10.231.9.5", H4, 5432));
    assert_eq!(d.outcome, Outcome::Drop);
    assert!(d.by.contains("--dport 5432 -j DROP"), "{}", d.by);
    // A broadcast destination is not local: ufw-not-local drops it.
    let mut bcast = tcp("10.231.9.5", "10.231.255.255", 80);
    bcast.daddr_type = AddrType::Broadcast;
    assert_eq!(evaluate(&open, &bcast).outcome, Outcome::Accept);
    let closed = ruleset!("ufw-deny");
    let d = default_decision(&closed, &probe(H4, Some("eth0"), 6));
    assert_eq!(d.outcome, Outcome::Drop, "{d:?}");
    let ssh = reach(&closed, &tcp("0.0.0.0", H4, 22));
    assert_eq!(ssh.accepted(), ["10.231.9.0/24"]);
    let ssh6 = reach(&closed, &tcp("::", H6, 22));
    assert_eq!(ssh6.accepted(), ["fd00:231:9::/64"]);
}

#[test]
fn protocol_sets_are_sets() {
    // `meta l4proto { icmp, ipv6-icmp } accept` accepts ICMP only: SSH stays limited.
    let rs = ruleset!("nft-l4proto-set");
    assert_eq!(
        reach(&rs, &tcp("0.0.0.0", H4, 22)).accepted(),
        ["10.231.9.0/24"]
    );
    assert_eq!(
        reach(&rs, &tcp("::", H6, 22)).accepted(),
        ["fd00:231:9::/64"]
    );
    let mut icmp = tcp("192.0.2.1", H4, 0);
    icmp.proto = 1;
    assert_eq!(evaluate(&rs, &icmp).outcome, Outcome::Accept);
    // A named map jumps to `web`, which returns for 203.0.113.0/24: policy drop.
    let web = reach(&rs, &tcp("0.0.0.0", H4, 443));
    assert!(!web.open_to_all());
    assert_eq!(
        evaluate(&rs, &tcp("203.0.113.9", H4, 443)).by,
        "policy drop of inet filter input"
    );
    // A concatenation set: source . port.
    assert_eq!(
        reach(&rs, &tcp("0.0.0.0", H4, 8080)).accepted(),
        ["10.231.0.1/32", "10.231.5.7/32"]
    );
    // `ip6 saddr != fd00:231:5::/64 tcp dport 9100`: everyone else over IPv6, nobody over IPv4.
    let v6 = reach(&rs, &tcp("::", H6, 9100));
    assert!(!v6.open_to_all());
    assert!(reach(&rs, &tcp("0.0.0.0", H4, 9100)).accepted().is_empty());
    // A rate limit decides by traffic: unknown, naming the rule.
    let d = evaluate(&rs, &tcp("10.231.9.5", H4, 2222));
    assert!(
        matches!(&d.outcome, Outcome::Unknown(w) if w.contains("depends on traffic")),
        "{d:?}"
    );
    assert!(d.by.starts_with("inet filter input handle"), "{}", d.by);
}

#[test]
fn firewalld_ct_status_dnat_is_not_a_catch_all() {
    let rs = ruleset!("firewalld");
    // The public zone: ssh, dhcpv6-client, http, and the rich rule for 5432.
    assert!(
        reach(&rs, &tcp("0.0.0.0", H4, 22))
            .accepted()
            .contains(&"0.0.0.0/5".to_owned())
    );
    let pg = reach(&rs, &tcp("0.0.0.0", H4, 5432));
    assert_eq!(pg.accepted(), ["10.231.0.1/32", "10.231.9.0/24"]);
    // The trusted zone's source (10.231.0.1) gets everything; others are rejected.
    let d = default_decision(&rs, &probe(H4, Some("eth0"), 6));
    assert_eq!(d.outcome, Outcome::Reject, "{d:?}");
    // 8080 is redirected to 80 in the nat chain, then `ct status dnat accept`.
    let d = evaluate(&rs, &tcp("203.0.113.9", H4, 8080));
    assert_eq!(d.outcome, Outcome::Accept, "{d:?}");
    assert!(d.by.contains("filter_INPUT"), "{}", d.by);
    // The reject rich rule for 10.231.5.7.
    assert_eq!(
        evaluate(&rs, &tcp("10.231.5.7", H4, 80)).outcome,
        Outcome::Reject
    );
}

#[test]
fn legacy_tables_fail2ban_chains_and_docker_dnat() {
    let rhel = ruleset!("rhel7-legacy");
    let d = default_decision(&rhel, &probe(H4, None, 17));
    assert_eq!(d.outcome, Outcome::Reject);
    assert!(
        d.by.starts_with("iptables-legacy filter INPUT line"),
        "{}",
        d.by
    );
    let f2b = ruleset!("ufw-fail2ban");
    let d = evaluate(&f2b, &tcp("10.231.5.7", H4, 22));
    assert_eq!(d.outcome, Outcome::Reject);
    assert!(d.by.contains("f2b-sshd"), "{}", d.by);
    assert_eq!(
        evaluate(&f2b, &tcp("10.231.5.8", H4, 22)).outcome,
        Outcome::Accept
    );
    let docker = ruleset!("docker-style");
    let d = evaluate(&docker, &tcp("10.231.9.5", H4, 8080));
    assert!(
        matches!(&d.outcome, Outcome::Unknown(w) if w.contains("off the input path")),
        "{d:?}"
    );
    assert_eq!(
        evaluate(&docker, &tcp("10.231.9.5", H4, 80)).outcome,
        Outcome::Accept
    );
}

#[test]
fn no_firewall_accepts_and_says_so() {
    let rs = ruleset!("none");
    assert!(!rs.has_base_chains());
    let d = evaluate(&rs, &tcp("10.231.9.5", H4, 22));
    assert_eq!(d.outcome, Outcome::Accept);
    let d = default_decision(&rs, &probe(H6, None, 6));
    assert_eq!(
        (d.outcome, d.by.as_str()),
        (Outcome::Accept, "no chain filters ipv6 input")
    );
}

#[test]
fn unknown_interfaces_are_unknown_except_loopback() {
    // firewalld binds eth0 to the public zone, and every other interface to the default zone,
    // public too: both ways agree, so an unknown interface still decides.
    let rs = ruleset!("firewalld");
    let p = Packet::tcp(ip("192.0.2.1"), ip(H4), 22, None);
    assert_eq!(evaluate(&rs, &p).outcome, Outcome::Accept);
    // Where the interface decides, an unknown interface is unknown, never a guess.
    let save = "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -i eth1 -j ACCEPT\nCOMMIT\n";
    let rs = iptables::parse(save, Family::V4, Source::IptablesLegacy, "");
    let d = evaluate(&rs, &p);
    assert!(
        matches!(&d.outcome, Outcome::Unknown(w) if w.contains("eth1")),
        "{d:?}"
    );
    assert!(
        d.by.ends_with("line 4: `-A INPUT -i eth1 -j ACCEPT`"),
        "{}",
        d.by
    );
    let known = Packet::tcp(ip("192.0.2.1"), ip(H4), 22, Some("eth0"));
    assert_eq!(evaluate(&rs, &known).outcome, Outcome::Drop);
    // `iif lo accept` is decided: a packet from outside never comes in on lo.
    let nft = ruleset!("nft-l4proto-set");
    let p = Packet::tcp(ip("10.231.9.5"), ip(H4), 22, None);
    assert_eq!(evaluate(&nft, &p).outcome, Outcome::Accept);
}

#[test]
fn prefixes_cover_ranges_exactly() {
    assert_eq!(prefixes(Family::V4, 0, u128::from(u32::MAX)), ["0.0.0.0/0"]);
    let lo = addr_num(ip("10.0.0.0"));
    assert_eq!(prefixes(Family::V4, lo, lo + 255), ["10.0.0.0/24"]);
    assert_eq!(
        prefixes(Family::V4, lo + 1, lo + 6),
        ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]
    );
    assert_eq!(prefixes(Family::V6, 0, u128::MAX), ["::/0"]);
}

#[test]
fn ipsets_and_iptables_options() {
    let sets = "create blocked hash:net family inet hashsize 1024 maxelem 65536\n\
                add blocked 192.0.2.0/24\nadd blocked 198.51.100.7\n\
                create ports hash:ip,port family inet\nadd ports 10.0.0.1,tcp:80\n";
    let save = "*filter\n:INPUT ACCEPT [0:0]\n\
                -A INPUT -m set --match-set blocked src -j DROP\n\
                -A INPUT -m set --match-set ports src,dst -j DROP\n\
                -A INPUT -p tcp -m multiport --dports 20:22,80 -m conntrack --ctstate NEW -j ACCEPT\n\
                -A INPUT -m iprange --src-range 10.9.0.1-10.9.0.9 -j DROP\n\
                COMMIT\n";
    let rs = iptables::parse(save, Family::V4, Source::IptablesLegacy, sets);
    let d = evaluate(&rs, &tcp("192.0.2.200", H4, 22));
    assert_eq!(d.outcome, Outcome::Drop);
    assert!(d.by.contains("line 3"), "{}", d.by);
    // hash:ip,port is not modelled: unknown, unless an earlier rule decides.
    assert!(matches!(
        evaluate(&rs, &tcp("10.0.0.1", H4, 443)).outcome,
        Outcome::Unknown(_)
    ));
    // The next rule would accept 22 anyway? No: the unknown drop comes first, so unknown.
    assert!(matches!(
        evaluate(&rs, &tcp("10.0.0.2", H4, 21)).outcome,
        Outcome::Unknown(_)
    ));
}

#[test]
fn an_undecidable_rule_that_changes_nothing_is_decided() {
    // A rate-limited drop before a policy drop: drop either way.
    let save = "*filter\n:INPUT DROP [0:0]\n\
                -A INPUT -p tcp -m limit --limit 3/min -j DROP\n\
                -A INPUT -p tcp --dport 22 -m limit --limit 3/min -j ACCEPT\n\
                COMMIT\n";
    let rs = iptables::parse(save, Family::V4, Source::IptablesLegacy, "");
    assert_eq!(
        evaluate(&rs, &tcp("192.0.2.1", H4, 80)).outcome,
        Outcome::Drop
    );
    assert!(matches!(
        evaluate(&rs, &tcp("192.0.2.1", H4, 22)).outcome,
        Outcome::Unknown(_)
    ));
}

#[test]
fn loops_and_fan_out_are_bounded() {
    // nft refuses a jump loop; a hostile text may still hold one.
    let save = "*filter\n:INPUT DROP [0:0]\n:A - [0:0]\n:B - [0:0]\n\
                -A INPUT -j A\n-A A -j B\n-A B -j A\nCOMMIT\n";
    let rs = iptables::parse(save, Family::V4, Source::IptablesLegacy, "");
    assert!(matches!(
        evaluate(&rs, &tcp("192.0.2.1", H4, 80)).outcome,
        Outcome::Unknown(_)
    ));
    // 17 chains, each with two undecidable jumps into the next.
    let mut text = String::from("*filter\n:INPUT DROP [0:0]\n");
    for i in 0..17 {
        text.push_str(&format!(":C{i} - [0:0]\n"));
    }
    text.push_str("-A INPUT -j C0\n");
    for i in 0..16 {
        for _ in 0..2 {
            text.push_str(&format!("-A C{i} -m recent --rcheck -j C{}\n", i + 1));
        }
    }
    text.push_str("-A C16 -j ACCEPT\nCOMMIT\n");
    let rs = iptables::parse(&text, Family::V4, Source::IptablesLegacy, "");
    let d = evaluate(&rs, &tcp("192.0.2.1", H4, 80));
    assert!(matches!(d.outcome, Outcome::Unknown(_)), "{d:?}");
}

/// The symbolic walk (one pass for all sources) gives exactly what one packet per piece gives.
/// (Both stop at a work budget, each its own: a spent budget is compared as such.)
fn same_reach(rs: &Ruleset, p: &Packet) {
    let norm = |mut r: super::Reach| {
        for piece in &mut r.pieces {
            if matches!(&piece.decision.outcome, Outcome::Unknown(w) if w.contains("work budget")) {
                piece.decision = Decision {
                    outcome: Outcome::Unknown("work budget".into()),
                    by: String::new(),
                };
            }
        }
        r
    };
    assert_eq!(norm(reach(rs, p)), norm(reach_by_pieces(rs, p)), "{p}");
}

#[test]
fn symbolic_reach_equals_one_packet_per_piece() {
    let all = [
        ruleset!("ufw-deny"),
        ruleset!("ufw-allow"),
        ruleset!("ufw-fail2ban"),
        ruleset!("firewalld"),
        ruleset!("ferm"),
        ruleset!("rhel7-legacy"),
        ruleset!("nft-l4proto-set"),
        ruleset!("nft-workstation"),
        ruleset!("docker-style"),
        ruleset!("none"),
        ruleset!("bullseye"),
        ruleset!("trixie"),
    ];
    for rs in &all {
        for port in [22, 80, 443, 2222, 5432, 8080, 9100, 40000] {
            for (dst, zero, iif) in [
                (H4, "0.0.0.0", Some("eth0")),
                (H6, "::", Some("eth0")),
                (H4, "0.0.0.0", None),
            ] {
                let mut p = tcp(zero, dst, port);
                p.iif = iif.map(str::to_owned);
                same_reach(rs, &p);
                p.proto = 17;
                same_reach(rs, &p);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn never_panics_on_text(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = nft::parse(&text, &[]);
        let rs = iptables::parse(&text, Family::V4, Source::IptablesNft, &text);
        let _ = evaluate(&rs, &tcp("192.0.2.1", H4, 22));
    }

    #[test]
    fn never_panics_on_rule_soup(lines in proptest::collection::vec(
        "(:[A-C] (ACCEPT|DROP|-)|-A [A-C]( !)?( (-p|-s|-i|--dport|--dports|--state|--ctstate|-m|-j|-g|--match-set|--dst-type|--mark|--tcp-flags) [A-Cta-z0-9:,/.\"-]{0,8}){0,5})",
        0..12,
    )) {
        let text = format!("*filter\n:INPUT DROP [0:0]\n{}\nCOMMIT\n", lines.join("\n"));
        let rs = iptables::parse(&text, Family::V4, Source::IptablesLegacy, "");
        same_reach(&rs, &tcp("0.0.0.0", H4, 22));
        let _ = default_decision(&rs, &probe(H4, None, 17));
    }

}

proptest! {
    // Fewer cases: a soup often holds a goto loop, which each evaluation follows to the end of
    // its work budget (the kernel refuses such a ruleset; a hostile text may still hold one).
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn never_panics_on_json_soup(
        fam in "(ip|ip6|inet|netdev|arp)",
        hook in "(input|prerouting|ingress|)",
        kind in "(filter|nat)",
        exprs in proptest::collection::vec(prop_oneof![
            Just(r#"{"accept":null}"#.to_owned()),
            Just(r#"{"drop":null}"#.to_owned()),
            Just(r#"{"jump":{"target":"c"}}"#.to_owned()),
            Just(r#"{"goto":{"target":"in"}}"#.to_owned()),
            Just(r#"{"return":null}"#.to_owned()),
            Just(r#"{"redirect":{"port":80}}"#.to_owned()),
            Just(r#"{"limit":{"rate":1}}"#.to_owned()),
            Just(r#"{"vmap":{"key":{"ct":{"key":"state"}},"data":{"set":[["established",{"accept":null}],[1,{"jump":{"target":"c"}}],[]]}}}"#.to_owned()),
            Just(r#"{"vmap":{"key":{"payload":{"protocol":"tcp","field":"dport"}},"data":"@m"}}"#.to_owned()),
            Just(r#"{"match":{"op":"in","left":{"ct":{"key":"status"}},"right":"dnat"}}"#.to_owned()),
            Just(r#"{"match":{"op":"==","left":{"&":[{"payload":{"protocol":"tcp","field":"flags"}},["syn","ack"]]},"right":"syn"}}"#.to_owned()),
            "[0-9a-z\"{}:,@\\[\\]]{0,12}".prop_map(|s| format!(r#"{{"match":{{"op":"==","left":{{"concat":[{{"payload":{{"protocol":"ip","field":"saddr"}}}},{{"payload":{{"protocol":"tcp","field":"dport"}}}}]}},"right":{s}}}}}"#)),
            any::<i64>().prop_map(|n| format!(r#"{{"match":{{"op":"<","left":{{"payload":{{"protocol":"ip6","field":"saddr"}}}},"right":{{"set":[{n},{{"prefix":{{"addr":"::","len":{n}}}}},{{"range":[{n},1]}}]}}}}}}"#)),
        ], 0..6),
    ) {
        let rules: Vec<String> = ["in", "c"]
            .iter()
            .map(|c| format!(r#"{{"rule":{{"family":"{fam}","table":"t","chain":"{c}","expr":[{}]}}}}"#, exprs.join(",")))
            .collect();
        let json = format!(
            r#"{{"nftables":[{{"table":{{"family":"{fam}","name":"t"}}}},{{"map":{{"family":"{fam}","table":"t","name":"m","type":"inet_service","map":"verdict","elem":[[22,{{"goto":{{"target":"c"}}}}]]}}}},{{"chain":{{"family":"{fam}","table":"t","name":"in","type":"{kind}","hook":"{hook}","prio":0,"policy":"drop"}}}},{{"chain":{{"family":"{fam}","table":"t","name":"c"}}}},{}]}}"#,
            rules.join(",")
        );
        if let Ok(rs) = nft::parse(&json, &[]) {
            same_reach(&rs, &tcp("0.0.0.0", H4, 22));
            same_reach(&rs, &tcp("::", H6, 22));
        }
    }
}

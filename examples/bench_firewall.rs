//! Time the packet evaluator (src/firewall) on the captured rulesets of tests/fixtures/firewall/
//! and on synthetic large ones, doing per host what the firewall controls do: read the
//! ruleset, decide the default for TCP and UDP in both families, and find who can connect to
//! each of nine listening ports in both families (one exposure question each).
//!
//! ```sh
//! cargo run --release --example bench_firewall -- --rounds 5
//! ```
//!
//! Prints one line per ruleset: `name rules=… pieces=… parse_ms=… host_ms=…` (medians). Used
//! for docs/performance.md ("Firewall evaluation").

use std::net::IpAddr;
use std::time::Instant;

use capdo::firewall::exposure::{default_decision, reach};
use capdo::firewall::{Packet, Ruleset, Texts, assemble};

const PORTS: [u16; 9] = [22, 80, 443, 2222, 3306, 5432, 8080, 9100, 40000];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The controls' work for one host; returns the number of source pieces evaluated.
fn host_work(rs: &Ruleset) -> usize {
    let mut pieces = 0;
    for (dst, zero) in [("10.231.0.10", "0.0.0.0"), ("fd00:231::10", "::")] {
        let dst: IpAddr = dst.parse().expect("addr");
        let zero: IpAddr = zero.parse().expect("addr");
        for proto in [6, 17] {
            let mut p = Packet::tcp(dst, dst, 0, Some("eth0"));
            p.proto = proto;
            std::hint::black_box(default_decision(rs, &p));
        }
        for port in PORTS {
            let r = reach(rs, &Packet::tcp(zero, dst, port, Some("eth0")));
            pieces += r.pieces.len();
            std::hint::black_box(r);
        }
    }
    pieces
}

fn time(name: &str, rounds: usize, texts: &Texts) {
    let (mut parse, mut work, mut pieces, mut rules) = (vec![], vec![], 0, 0);
    for _ in 0..rounds {
        let t = Instant::now();
        let rs = assemble(texts).expect("ruleset");
        parse.push(t.elapsed().as_secs_f64() * 1e3);
        rules = rs.rule_count();
        let t = Instant::now();
        pieces = host_work(&rs);
        work.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "{name:16} rules={rules:6} pieces={pieces:6} parse_ms={:.3} host_ms={:.3}",
        median(parse),
        median(work)
    );
}

fn read(dir: &str, name: &str) -> Option<String> {
    let rc = std::fs::read_to_string(format!("{dir}/{name}.rc")).ok()?;
    (rc.trim() == "0")
        .then(|| std::fs::read_to_string(format!("{dir}/{name}")).ok())
        .flatten()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let root = "tests/fixtures/firewall";
    let mut dirs: Vec<String> = std::fs::read_dir(root)
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.path().display().to_string())
        .collect();
    dirs.sort();
    for d in &dirs {
        let [nft, ipt, ip6t, leg, leg6] = [
            "nft.json",
            "iptables-save",
            "ip6tables-save",
            "iptables-legacy-save",
            "ip6tables-legacy-save",
        ]
        .map(|n| read(d, n));
        let texts = Texts {
            nft_json: nft.as_deref(),
            iptables: ipt.as_deref(),
            ip6tables: ip6t.as_deref(),
            iptables_legacy: leg.as_deref(),
            ip6tables_legacy: leg6.as_deref(),
            ipset: None,
        };
        time(d.rsplit('/').next().unwrap_or(d), rounds, &texts);
    }
    // 10,000 rules: a fail2ban-style ban list (one REJECT per address in a chain every TCP
    // packet jumps to), then per-service accepts from 250 source prefixes.
    let mut v4 = String::from("*filter\n:INPUT DROP [0:0]\n:f2b-sshd - [0:0]\n:svc - [0:0]\n");
    v4.push_str(
        "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n",
    );
    v4.push_str("-A INPUT -p tcp -j f2b-sshd\n-A INPUT -p tcp -j svc\n");
    for i in 0..7_500u32 {
        v4.push_str(&format!(
            "-A f2b-sshd -s 198.{}.{}.{}/32 -j REJECT --reject-with icmp-port-unreachable\n",
            18 + (i >> 16) % 2,
            (i >> 8) & 255,
            i & 255
        ));
    }
    v4.push_str("-A f2b-sshd -j RETURN\n");
    for i in 0..2_490u32 {
        v4.push_str(&format!(
            "-A svc -s 10.{}.{}.0/24 -p tcp -m tcp --dport {} -j ACCEPT\n",
            i / 256,
            i % 256,
            PORTS[i as usize % PORTS.len()]
        ));
    }
    v4.push_str("COMMIT\n");
    let v6 = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
    time(
        "synthetic-10k",
        rounds,
        &Texts {
            iptables_legacy: Some(&v4),
            ip6tables_legacy: Some(v6),
            ..Texts::default()
        },
    );
    // The same count in one nftables set: 10,000 elements, one rule.
    let mut elems = vec![];
    for i in 0..10_000u32 {
        elems.push(format!(
            "{{\"prefix\":{{\"addr\":\"10.{}.{}.0\",\"len\":24}}}}",
            i / 256,
            i % 256
        ));
    }
    let json = format!(
        r#"{{"nftables":[{{"table":{{"family":"inet","name":"f"}}}},{{"set":{{"family":"inet","table":"f","name":"ok","type":"ipv4_addr","flags":["interval"],"elem":[{}]}}}},{{"chain":{{"family":"inet","table":"f","name":"in","type":"filter","hook":"input","prio":0,"policy":"drop"}}}},{{"rule":{{"family":"inet","table":"f","chain":"in","handle":2,"expr":[{{"match":{{"op":"==","left":{{"payload":{{"protocol":"ip","field":"saddr"}}}},"right":"@ok"}}}},{{"accept":null}}]}}}}]}}"#,
        elems.join(",")
    );
    time(
        "synthetic-set10k",
        rounds,
        &Texts {
            nft_json: Some(&json),
            ..Texts::default()
        },
    );
}

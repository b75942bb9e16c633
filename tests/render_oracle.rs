//! Rendered configuration read back by the real parsers (issue 14, item 1). Random inventories,
//! with hostile but valid values (backup paths holding `%`, `$`, quotes, `;`, backslashes,
//! globs, Unicode), render every template; each file is read by its own tool and what the tool
//! parsed must be exactly what the inventory meant:
//!
//! - backup units: `systemd-analyze verify` accepts both (no warning), and its debug dump of the
//!   loaded unit (systemd's own parser, after unquoting, C escapes and `%` specifiers) gives the
//!   `ExecStart` argv and the `Description`s. Hand-written: reading the dump's quoting back
//!   (`quote_command_line`'s output), and the one step systemd takes at exec time, `$$` → `$`
//!   (systemd.service(5), "Command lines"), since no offline tool prints the final argv;
//! - nftables: loaded with `nft -f` in a private network namespace (`unshare -n`) and listed
//!   back as JSON (`nft -j list ruleset`): every accept rule's protocol, port and source set
//!   (compared as address intervals, since nft merges prefixes) against the render context;
//! - sshd: `sshd -T` (the effective configuration, through an `Include` as on a host);
//! - rsyslog: `rsyslogd -N1 -d`, whose debug output lists the parsed `omfwd` parameters;
//! - chrony: `chronyd -p`, which prints the directives it read.
//!
//! A second property leaves validation out: any path (spaces, line breaks, a leading `-`,
//! control characters) put straight into the model still renders to one rsync argument.
//!
//! Needs root (for `unshare -n` and `sshd -T`); the cases are few and each batches its hosts.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use capdo::diag::Sources;
use capdo::graph::Graph;
use capdo::inventory::Inventory;
use capdo::render::{self, Kind};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::Value;

mod common;

// ---------------------------------------------------------------- random inventories

#[derive(Debug, Clone)]
struct GenServer {
    id: String,
    v6: bool,
    ipv6_ready: bool,
    roles: Vec<&'static str>,
    services: Vec<(bool, u16)>,
    /// (port, logs in as root)
    ssh: Option<(u16, bool)>,
    /// (offset of the target among the others, schedule, path)
    backup: Option<(usize, &'static str, String)>,
    /// Jumps through the first server.
    jump: bool,
}

#[derive(Debug, Clone)]
struct GenFlow {
    from: u8,
    from_server: usize,
    to_server: usize,
    service: (bool, u16),
}

#[derive(Debug, Clone)]
struct GenInventory {
    management: bool,
    servers: Vec<GenServer>,
    flows: Vec<GenFlow>,
}

/// Paths that pass validation but mean something in some syntax: specifiers, variables,
/// quotes, separators, escapes, globs, comment signs, Unicode.
fn hostile_path() -> impl Strategy<Value = String> {
    prop_oneof![
        r#"(/[a-zA-Z0-9%$"';\\`#*?\[\]{}&|<>()!~=:,@._éß日🙂-]{1,10}){1,3}/?"#,
        Just(r#"/var/backups/%n%%i$HOME${PATH}$$;'"\x"#.to_string()),
        Just("/var/backups/;".to_string()),
        Just(r"/var/backups\".to_string()),
        Just("/".to_string()),
    ]
}

fn port() -> impl Strategy<Value = u16> {
    prop_oneof![Just(514u16), Just(6514), Just(22), 1..=65535u16]
}

fn server() -> impl Strategy<Value = GenServer> {
    (
        "[a-z][a-z0-9_-]{0,6}",
        any::<bool>(),
        any::<bool>(),
        proptest::sample::subsequence(vec!["siem", "ntp", "database", "web"], 0..=2),
        proptest::collection::vec((any::<bool>(), port()), 0..3),
        proptest::option::of((port(), any::<bool>())),
        proptest::option::of((
            0..8usize,
            proptest::sample::select(vec!["hourly", "daily", "weekly", "monthly"]),
            hostile_path(),
        )),
        any::<bool>(),
    )
        .prop_map(
            |(id, v6, ipv6_ready, roles, services, ssh, backup, jump)| GenServer {
                id,
                v6,
                ipv6_ready,
                roles,
                services,
                ssh,
                backup,
                jump,
            },
        )
}

fn inventory() -> impl Strategy<Value = GenInventory> {
    let flow = (0..4u8, 0..8usize, 0..8usize, (any::<bool>(), port())).prop_map(
        |(from, from_server, to_server, service)| GenFlow {
            from,
            from_server,
            to_server,
            service,
        },
    );
    (
        any::<bool>(),
        proptest::collection::vec(server(), 2..=6),
        proptest::collection::vec(flow, 0..6),
    )
        .prop_map(|(management, mut servers, flows)| {
            // Ids unique across the inventory, and never a network's or data centre's id.
            for (i, s) in servers.iter_mut().enumerate() {
                s.id = format!("{}-{i}", s.id);
            }
            GenInventory {
                management,
                servers,
                flows,
            }
        })
}

fn v4(i: usize) -> String {
    format!("10.0.1.{}", 10 + i)
}

fn v6(i: usize) -> String {
    format!("fd00:1::{:x}", 10 + i)
}

fn service(s: (bool, u16)) -> String {
    format!("{}/{}", if s.0 { "tcp" } else { "udp" }, s.1)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

impl GenInventory {
    fn backup_target(&self, i: usize) -> Option<usize> {
        let n = self.servers.len();
        self.servers[i]
            .backup
            .as_ref()
            .map(|(off, _, _)| (i + 1 + off % (n - 1)) % n)
    }

    fn toml(&self) -> String {
        let mut t = String::from(
            "[organization]\nname = \"Sở Ví dụ\"\nregime = \"nd85\"\n\n[datacenters.hq]\nname = \"HQ\"\n\n\
             [networks.srv]\ndatacenter = \"hq\"\nzone = \"server\"\ncidr = [\"10.0.1.0/24\", \"fd00:1::/64\"]\n",
        );
        if self.management {
            t.push_str(
                "\n[networks.mgmt]\ndatacenter = \"hq\"\nzone = \"management\"\ncidr = [\"10.0.9.0/24\", \"fd00:9::/64\"]\n",
            );
        }
        for (i, s) in self.servers.iter().enumerate() {
            t.push_str(&format!("\n[servers.{}]\nnetwork = \"srv\"\n", s.id));
            let mut addresses = vec![toml_string(&v4(i))];
            if s.v6 {
                addresses.push(toml_string(&v6(i)));
            }
            t.push_str(&format!("address = [{}]\n", addresses.join(", ")));
            t.push_str(&format!("ipv6 = {}\n", s.ipv6_ready));
            let roles: Vec<String> = s.roles.iter().map(|r| toml_string(r)).collect();
            t.push_str(&format!("roles = [{}]\n", roles.join(", ")));
            let services: Vec<String> = s
                .services
                .iter()
                .map(|x| toml_string(&service(*x)))
                .collect();
            t.push_str(&format!("services = [{}]\n", services.join(", ")));
            let mut ssh = Vec::new();
            if let Some((port, root)) = s.ssh {
                ssh.push(format!("port = {port}"));
                ssh.push(format!(
                    "user = {}",
                    toml_string(if root { "root" } else { "audit" })
                ));
            }
            if s.jump && i != 0 {
                ssh.push(format!("jump = {}", toml_string(&self.servers[0].id)));
            }
            if !ssh.is_empty() {
                t.push_str(&format!("ssh = {{ {} }}\n", ssh.join(", ")));
            }
            if let (Some((_, schedule, path)), Some(to)) = (&s.backup, self.backup_target(i)) {
                t.push_str(&format!(
                    "backup = {{ to = {}, schedule = {}, path = {} }}\n",
                    toml_string(&self.servers[to].id),
                    toml_string(schedule),
                    toml_string(path)
                ));
            }
        }
        let n = self.servers.len();
        for f in &self.flows {
            let from = match f.from {
                0 if self.management => "zone:management".to_string(),
                1 => "network:srv".to_string(),
                2 => "zone:server".to_string(),
                _ => format!("server:{}", self.servers[f.from_server % n].id),
            };
            let to = &self.servers[f.to_server % n];
            // Mostly a service the destination declares, so flows open something.
            let svc = to.services.first().copied().unwrap_or(f.service);
            t.push_str(&format!(
                "\n[[flows]]\nfrom = {}\nto = {}\nservices = [{}]\n",
                toml_string(&from),
                toml_string(&format!("server:{}", to.id)),
                toml_string(&service(svc))
            ));
        }
        t
    }
}

fn load(text: &str) -> Inventory {
    let mut sources = Sources::new();
    let files = vec![(
        PathBuf::from("gen/inventory.toml"),
        text.as_bytes().to_vec(),
    )];
    match capdo::inventory::load_files(Path::new("gen"), files, &mut sources) {
        Ok(inv) => inv,
        Err(diags) => panic!(
            "a generated inventory is invalid:\n{}\n{text}",
            capdo::diag::render_plain(&sources, &diags)
        ),
    }
}

/// Render every kind for every server into `dir/<server>/<path on the host>`; the written
/// paths by (server, template path).
fn render_all(inv: &Inventory, dir: &Path) -> BTreeMap<(usize, &'static str), PathBuf> {
    let g = Graph::build(inv, inv.organization.regime);
    let hb = render::engine(None).expect("engine");
    let servers: Vec<usize> = (0..inv.servers.len()).collect();
    let (files, _) = render::render(inv, &g, &hb, &servers, &Kind::ALL).expect("render");
    let mut written = BTreeMap::new();
    for f in files {
        let path = dir
            .join(&inv.servers[f.server].id)
            .join(f.path.trim_start_matches('/'));
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
        std::fs::write(&path, &f.content).expect("write");
        written.insert((f.server, f.path), path);
    }
    written
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

// ---------------------------------------------------------------- systemd

const SERVICE: &str = "/etc/systemd/system/capdo-backup.service";
const TIMER: &str = "/etc/systemd/system/capdo-backup.timer";

/// One unit of `systemd-analyze verify`'s debug dump: its `Description` and the argv of each
/// `ExecStart` command.
#[derive(Debug, Default)]
struct Dumped {
    description: Option<String>,
    exec_start: Vec<Vec<String>>,
}

/// Verify `units` (no warning, exit 0) and read systemd's dump of each loaded unit.
fn systemd_verify(units: &[&Path]) -> BTreeMap<String, Dumped> {
    let plain = run(Command::new("systemd-analyze").arg("verify").args(units));
    assert!(
        plain.status.success() && plain.stderr.is_empty(),
        "systemd-analyze verify {units:?}:\n{}{}",
        text(&plain.stdout),
        text(&plain.stderr)
    );
    let debug = run(Command::new("systemd-analyze")
        .env("SYSTEMD_LOG_LEVEL", "debug")
        .arg("verify")
        .args(units));
    assert!(debug.status.success(), "{}", text(&debug.stderr));
    let mut units = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut in_exec_start = false;
    for line in text(&debug.stdout).lines() {
        let l = line.trim_start_matches('\t');
        if let Some(name) = l.strip_prefix("-> Unit ") {
            let name = name.trim_end_matches(':').to_string();
            units.insert(name.clone(), Dumped::default());
            current = Some(name);
            in_exec_start = false;
            continue;
        }
        let Some(unit) = current.as_ref().and_then(|c| units.get_mut(c)) else {
            continue;
        };
        if let Some(d) = l.strip_prefix("Description: ") {
            unit.description = Some(d.to_string());
        } else if l.starts_with("-> ") {
            in_exec_start = l == "-> ExecStart:";
        } else if let Some(cmd) = l.strip_prefix("Command Line: ")
            && in_exec_start
        {
            unit.exec_start.push(dump_words(cmd));
        }
    }
    units
}

/// The words of a `Command Line:` as systemd prints it (`quote_command_line`: a word with
/// special characters in double quotes, `\"`, `\\`, `\$`, `` \` `` and C escapes inside).
/// Hand-written, and strict: anything else fails the test.
fn dump_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == ' ' {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if c == '"' {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(e @ ('"' | '\\' | '$' | '`')) => word.push(e),
                        Some('n') => word.push('\n'),
                        Some('t') => word.push('\t'),
                        Some('r') => word.push('\r'),
                        Some('a') => word.push('\u{7}'),
                        Some('b') => word.push('\u{8}'),
                        Some('f') => word.push('\u{c}'),
                        Some('v') => word.push('\u{b}'),
                        Some(d @ '0'..='7') => {
                            let mut n = d.to_digit(8).expect("octal");
                            for _ in 0..2 {
                                let d = chars.next().and_then(|d| d.to_digit(8));
                                n = n * 8 + d.expect("three octal digits");
                            }
                            word.push(char::from_u32(n).expect("char"));
                        }
                        other => panic!("unexpected escape \\{other:?} in {line:?}"),
                    },
                    Some(c) => word.push(c),
                    None => panic!("unterminated quote in {line:?}"),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                assert!(
                    !matches!(c, '"' | '\\' | '\''),
                    "unexpected {c:?} in a bare word of {line:?}"
                );
                word.push(c);
                chars.next();
            }
        }
        words.push(word);
    }
    words
}

/// systemd's substitution at exec time, for words without variables: `$$` is a literal `$`;
/// any other `$` would be a substitution and fails the test.
fn exec_time(word: &str) -> String {
    let mut out = String::new();
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        if c == '$' {
            assert_eq!(chars.next(), Some('$'), "a variable reference in {word:?}");
        }
        out.push(c);
    }
    out
}

/// The backup units of `server` say exactly what the inventory means.
fn check_backup(
    service: &Path,
    timer: Option<&Path>,
    path: &str,
    target_id: &str,
    target_host: &str,
    id: &str,
    schedule: Option<&str>,
) {
    let mut units = vec![service];
    units.extend(timer);
    let dumped = systemd_verify(&units);
    let s = &dumped["capdo-backup.service"];
    let argv: Vec<Vec<String>> = s
        .exec_start
        .iter()
        .map(|w| w.iter().map(|x| exec_time(x)).collect())
        .collect();
    let want = vec![vec![
        "/usr/bin/rsync".to_string(),
        "-a".into(),
        "--partial".into(),
        "--".into(),
        format!("{path}/"),
        format!("{target_host}:/srv/backup/{id}/"),
    ]];
    assert_eq!(argv, want, "ExecStart of {}", service.display());
    // Description has no escapes: control characters (and the invisible bidirectional and
    // line-separator ones) are shown as `?`.
    let shown = path.replace(
        |c: char| {
            c.is_control()
                || matches!(
                    c,
                    '\u{200e}' | '\u{200f}' | '\u{61c}' | '\u{202a}'..='\u{202e}'
                )
                || matches!(c, '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
        },
        "?",
    );
    assert_eq!(
        s.description.as_deref(),
        Some(format!("capdo: copy {shown} to the backup server {target_id}").as_str())
    );
    if let Some(schedule) = schedule {
        assert_eq!(
            dumped["capdo-backup.timer"].description.as_deref(),
            Some(format!("capdo: {schedule} backup of {id} to {target_id}").as_str())
        );
    }
}

// ---------------------------------------------------------------- nftables

/// An accept rule on a destination port: (source family and address intervals, or any
/// source; protocol; port).
type PortRule = (Option<(String, Vec<(u128, u128)>)>, String, u64);

fn ip_value(a: &str) -> u128 {
    match a.parse::<IpAddr>().expect("address") {
        IpAddr::V4(v) => u128::from(u32::from(v)),
        IpAddr::V6(v) => u128::from(v),
    }
}

/// Sorted, merged intervals (nft merges adjacent and overlapping prefixes).
fn merged(mut v: Vec<(u128, u128)>) -> Vec<(u128, u128)> {
    v.sort();
    let mut out: Vec<(u128, u128)> = Vec::new();
    for (lo, hi) in v {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

fn cidr_interval(c: &str) -> (u128, u128) {
    let net: ipnetwork::IpNetwork = c.trim().parse().expect("cidr");
    (
        ip_value(&net.network().to_string()),
        ip_value(&net.broadcast_or_last().to_string()),
    )
}

trait Last {
    fn broadcast_or_last(&self) -> IpAddr;
}

impl Last for ipnetwork::IpNetwork {
    fn broadcast_or_last(&self) -> IpAddr {
        match self {
            ipnetwork::IpNetwork::V4(n) => IpAddr::V4(n.broadcast()),
            ipnetwork::IpNetwork::V6(n) => {
                let host = u128::MAX.checked_shr(u32::from(n.prefix())).unwrap_or(0);
                IpAddr::V6((u128::from(n.network()) | host).into())
            }
        }
    }
}

fn element_interval(e: &Value) -> (u128, u128) {
    if let Some(a) = e.as_str() {
        let v = ip_value(a);
        return (v, v);
    }
    if let Some(p) = e.get("prefix") {
        let addr = p["addr"].as_str().expect("addr");
        let len = p["len"].as_u64().expect("len");
        return cidr_interval(&format!("{addr}/{len}"));
    }
    if let Some(r) = e.get("range") {
        return (
            ip_value(r[0].as_str().expect("lo")),
            ip_value(r[1].as_str().expect("hi")),
        );
    }
    panic!("unexpected set element {e}");
}

/// The input chain of a listed ruleset: its port rules, and how many rules it has.
fn parsed_port_rules(listing: &Value) -> (Vec<PortRule>, usize) {
    let mut rules = Vec::new();
    let mut count = 0;
    for o in listing["nftables"].as_array().expect("nftables") {
        let Some(rule) = o.get("rule").filter(|r| r["chain"] == "input") else {
            continue;
        };
        count += 1;
        let exprs = rule["expr"].as_array().expect("expr");
        let mut source = None;
        let mut port = None;
        for e in exprs {
            let Some(m) = e.get("match") else { continue };
            let Some(field) = m["left"].get("payload") else {
                continue;
            };
            match field["field"].as_str() {
                Some("saddr") => {
                    let family = field["protocol"].as_str().expect("family").to_string();
                    let right = &m["right"];
                    let elements: Vec<(u128, u128)> = match right.get("set") {
                        Some(set) => set
                            .as_array()
                            .expect("set")
                            .iter()
                            .map(element_interval)
                            .collect(),
                        None => vec![element_interval(right)],
                    };
                    source = Some((family, merged(elements)));
                }
                Some("dport") => {
                    let proto = field["protocol"].as_str().expect("proto").to_string();
                    port = Some((proto, m["right"].as_u64().expect("port")));
                }
                _ => {}
            }
        }
        if let Some((proto, port)) = port {
            assert!(
                exprs.last().is_some_and(|e| e.get("accept").is_some()),
                "a port rule that does not accept: {rule}"
            );
            rules.push((source, proto, port));
        }
    }
    rules.sort();
    (rules, count)
}

/// The port rules the render context means.
fn intended_port_rules(cx: &Value) -> Vec<PortRule> {
    let mut rules = Vec::new();
    let mut add = |any: bool, v4: &str, v6: &str, proto: &str, port: u64| {
        if any {
            rules.push((None, proto.to_string(), port));
            return;
        }
        for (family, list) in [("ip", v4), ("ip6", v6)] {
            if !list.is_empty() {
                let iv = merged(list.split(',').map(cidr_interval).collect());
                rules.push((Some((family.to_string(), iv)), proto.to_string(), port));
            }
        }
    };
    let ssh = &cx["ssh"];
    add(
        ssh["any_source"] == true,
        ssh["sources_v4"].as_str().expect("v4"),
        ssh["sources_v6"].as_str().expect("v6"),
        "tcp",
        ssh["port"].as_u64().expect("port"),
    );
    for s in cx["firewall"]["services"].as_array().expect("services") {
        add(
            s["any_source"] == true,
            s["sources_v4"].as_str().expect("v4"),
            s["sources_v6"].as_str().expect("v6"),
            s["proto"].as_str().expect("proto"),
            s["port"].as_u64().expect("port"),
        );
    }
    rules.sort();
    rules
}

/// Load each ruleset in one private network namespace and list it back as JSON.
fn nft_listings(files: &[PathBuf]) -> Vec<Value> {
    let out = run(Command::new("unshare")
        .args([
            "-n",
            "sh",
            "-c",
            "for f do nft -f \"$f\" || exit 1; nft -j list ruleset || exit 1; done",
            "sh",
        ])
        .args(files));
    assert!(
        out.status.success(),
        "nft -f in a private namespace:\n{}",
        text(&out.stderr)
    );
    let listings: Vec<Value> = text(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("nft JSON"))
        .collect();
    assert_eq!(listings.len(), files.len());
    listings
}

/// The rules every rendered input chain has besides its port rules: established/related,
/// invalid, loopback, ICMPv6, ICMP, the logging of what is dropped.
const FIXED_RULES: usize = 6;

// ---------------------------------------------------------------- sshd, rsyslog, chrony

fn sshd_effective(dropin: &Path, key: &Path, dir: &Path) -> BTreeMap<String, String> {
    let main = dir.join("sshd_config");
    std::fs::write(
        &main,
        format!("Include {}\nHostKey {}\n", dropin.display(), key.display()),
    )
    .expect("main");
    let out = run(Command::new("sshd").arg("-T").arg("-f").arg(&main));
    assert!(
        out.status.success(),
        "sshd -T with {}:\n{}",
        dropin.display(),
        text(&out.stderr)
    );
    text(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The parameters rsyslog parsed for the `omfwd` action, from its debug output.
fn rsyslog_omfwd(file: &Path) -> BTreeMap<String, String> {
    let out = run(Command::new("rsyslogd").args(["-N1", "-d", "-f"]).arg(file));
    let log = text(&out.stdout) + &text(&out.stderr);
    assert!(
        out.status.success(),
        "rsyslogd -N1 {}:\n{log}",
        file.display()
    );
    let mut params = BTreeMap::new();
    let mut inside = false;
    for line in log.lines() {
        if line.contains("action param blk in omfwd:") {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        let Some((_, rest)) = line.split_once("rainerscript.c: ") else {
            break;
        };
        if let Some((k, v)) = rest.split_once(":  '") {
            params.insert(k.to_string(), v.trim_end_matches('\'').to_string());
        }
    }
    params
}

fn chrony_directives(file: &Path) -> Vec<String> {
    let out = run(Command::new("chronyd").args(["-p", "-f"]).arg(file));
    assert!(
        out.status.success(),
        "chronyd -p {}:\n{}",
        file.display(),
        text(&out.stderr)
    );
    text(&out.stdout).lines().map(str::to_string).collect()
}

// ---------------------------------------------------------------- the properties

fn check_inventory(g: &GenInventory, key: &Path) {
    let inv = load(&g.toml());
    let dir = tempfile::tempdir().expect("tempdir");
    let written = render_all(&inv, dir.path());
    let graph = Graph::build(&inv, inv.organization.regime);
    let n = g.servers.len();
    // The loader orders servers by id: the model's index of each generated server.
    let at: Vec<usize> = g
        .servers
        .iter()
        .map(|s| {
            inv.servers
                .iter()
                .position(|x| x.id == s.id)
                .expect("server loaded")
        })
        .collect();

    // nftables: every host's ruleset in one namespace.
    let rulesets: Vec<PathBuf> = (0..n)
        .map(|i| written[&(at[i], "/etc/nftables.conf")].clone())
        .collect();
    for (i, listing) in nft_listings(&rulesets).iter().enumerate() {
        let (parsed, count) = parsed_port_rules(listing);
        let cx = render::context(&inv, &graph, at[i]);
        let intended = intended_port_rules(&cx);
        assert_eq!(parsed, intended, "nftables of {}", g.servers[i].id);
        assert_eq!(
            count,
            FIXED_RULES + intended.len(),
            "rules of {}",
            g.servers[i].id
        );
    }

    // The SIEM collector: the first in the model's order.
    let siem = (0..n)
        .filter(|&i| g.servers[i].roles.contains(&"siem"))
        .min_by_key(|&i| at[i]);
    // NTP servers in the model's order, as chrony.conf lists them.
    let mut ntp: Vec<usize> = (0..n)
        .filter(|&i| g.servers[i].roles.contains(&"ntp"))
        .collect();
    ntp.sort_by_key(|&i| at[i]);
    let ntp: Vec<String> = ntp.into_iter().map(v4).collect();
    for (i, s) in g.servers.iter().enumerate() {
        // sshd
        let dropin = &written[&(at[i], "/etc/ssh/sshd_config.d/00-capdo.conf")];
        let eff = sshd_effective(dropin, key, dir.path());
        let jump_host = i == 0 && g.servers.iter().skip(1).any(|x| x.jump);
        let root = s.ssh.is_some_and(|(_, root)| root);
        for (k, v) in [
            ("port", s.ssh.map_or(22, |(p, _)| p).to_string().as_str()),
            (
                "permitrootlogin",
                if root { "without-password" } else { "no" },
            ),
            ("passwordauthentication", "no"),
            ("kbdinteractiveauthentication", "no"),
            ("permitemptypasswords", "no"),
            ("pubkeyauthentication", "yes"),
            ("maxauthtries", "4"),
            ("logingracetime", "30"),
            ("clientaliveinterval", "150"),
            ("clientalivecountmax", "2"),
            ("x11forwarding", "no"),
            ("allowagentforwarding", "no"),
            ("allowtcpforwarding", if jump_host { "yes" } else { "no" }),
            ("permittunnel", "no"),
            ("loglevel", "VERBOSE"),
        ] {
            assert_eq!(
                eff.get(k).map(String::as_str),
                Some(v),
                "sshd {k} of {}",
                s.id
            );
        }

        // rsyslog: to the SIEM collector, except on SIEM servers.
        let rsyslog = written.get(&(at[i], "/etc/rsyslog.d/60-capdo-siem.conf"));
        match siem {
            Some(x) if !s.roles.contains(&"siem") => {
                let params = rsyslog_omfwd(rsyslog.expect("rsyslog rendered"));
                let port = g.servers[x]
                    .services
                    .iter()
                    .find(|(tcp, p)| *tcp && (*p == 514 || *p == 6514))
                    .map_or(514, |(_, p)| *p);
                assert_eq!(params.get("target"), Some(&v4(x)), "rsyslog of {}", s.id);
                assert_eq!(params.get("port"), Some(&port.to_string()));
                assert_eq!(params.get("protocol").map(String::as_str), Some("tcp"));
            }
            _ => assert!(rsyslog.is_none(), "rsyslog rendered for {}", s.id),
        }

        // chrony: the other NTP servers.
        let others: Vec<&String> = ntp.iter().filter(|a| **a != v4(i)).collect();
        match written.get(&(at[i], "/etc/chrony/chrony.conf")) {
            Some(file) => {
                let mut want: Vec<String> = others
                    .iter()
                    .map(|a| format!("server {a} iburst"))
                    .collect();
                want.extend(
                    [
                        "driftfile /var/lib/chrony/chrony.drift",
                        "makestep 1 3",
                        "rtcsync",
                        "logdir /var/log/chrony",
                    ]
                    .map(String::from),
                );
                assert_eq!(chrony_directives(file), want, "chrony of {}", s.id);
            }
            None => assert!(others.is_empty(), "no chrony for {}", s.id),
        }

        // The backup units.
        match (&s.backup, g.backup_target(i)) {
            (Some((_, schedule, path)), Some(to)) => check_backup(
                &written[&(at[i], SERVICE)],
                Some(&written[&(at[i], TIMER)]),
                path,
                &g.servers[to].id,
                &v4(to),
                &s.id,
                Some(schedule),
            ),
            _ => assert!(!written.contains_key(&(at[i], SERVICE))),
        }
    }
}

fn host_key(dir: &Path) -> PathBuf {
    let key = dir.join("hostkey");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen");
    assert!(made.success());
    std::fs::create_dir_all("/run/sshd").expect("privilege separation directory");
    key
}

#[test]
fn every_template_rendered_from_random_inventories_parses_to_exactly_what_was_meant() {
    if !common::needs_root("`unshare -n` and `sshd -T`") {
        return;
    }
    let keys = tempfile::tempdir().expect("tempdir");
    let key = host_key(keys.path());
    let config = Config {
        cases: 24,
        max_shrink_iters: 32,
        failure_persistence: None,
        ..Config::default()
    };
    proptest!(config, |(g in inventory())| {
        check_inventory(&g, &key);
    });
}

/// Any path, even one validation refuses, put straight into the model.
fn any_path() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~\\t\\n\\r\u{1b}\u{7f}\u{85}\u{a0}\u{202e}é日]{0,24}",
        Just("/var/backups -e 'sh -c touch${IFS}/tmp/pwned' /".to_string()),
        Just("/var/backups\nExecStartPre=/bin/sh -c id".to_string()),
        Just("-e/bin/sh".to_string()),
        Just(";".to_string()),
        Just(String::new()),
    ]
}

#[test]
fn escaping_alone_keeps_any_backup_path_one_rsync_argument() {
    let tool = Command::new("systemd-analyze").arg("--version").output();
    if !tool.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: systemd-analyze is not installed");
        return;
    }
    let clean = std::fs::read_to_string("tests/fixtures/clean/inventory.toml").expect("clean");
    let text = clean.replacen(
        "backup = { to = \"bk01\", schedule = \"daily\" }",
        "backup = { to = \"bk01\", schedule = \"daily\", path = \"/x\" }",
        1,
    );
    let base = load(&text);
    let server = base
        .servers
        .iter()
        .position(|s| s.backup.as_ref().is_some_and(|b| b.path.is_some()))
        .expect("a server with a backup path");
    let target = base.servers[server].backup.as_ref().expect("backup").to;
    let config = Config {
        cases: 32,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..Config::default()
    };
    proptest!(config, |(path in any_path())| {
        let mut inv = base.clone();
        if let Some(b) = inv.servers[server].backup.as_mut() {
            b.path = Some(path.clone());
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let g = Graph::build(&inv, inv.organization.regime);
        let hb = render::engine(None).expect("engine");
        let (files, _) = render::render(&inv, &g, &hb, &[server], &[Kind::Backup]).expect("render");
        let service = files.iter().find(|f| f.path == SERVICE).expect("service");
        let file = dir.path().join("capdo-backup.service");
        std::fs::write(&file, &service.content).expect("write");
        check_backup(
            &file,
            None,
            &path,
            &inv.servers[target].id,
            &inv.servers[target].addresses[0].to_string(),
            &inv.servers[server].id,
            None,
        );
    });
}

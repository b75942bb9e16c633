//! Helpers for the built-ins' tables of unit cases: small inventories written inline, hosts
//! built by the real fact parsers from the captured collector output of a Debian 12 host
//! (`tests/fixtures/collect/sections/`), and one built-in's finding on one target, evaluated
//! through `offline::evaluate` / `online::evaluate` with the shipped packs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{HostBuiltin, InventoryBuiltin};
use crate::collect::host::HostFacts;
use crate::collect::transport::{CollectError, FailKind};
use crate::diag::Sources;
use crate::graph::Graph;
use crate::inventory::{self, Inventory, NodeRef, Regime};
use crate::policy::catalog::Catalog;
use crate::policy::online::HostState;
use crate::policy::{Builtin, Finding, Status, offline, online};

/// The nonce the captured output was framed with.
pub const NONCE: &str = "5e1f0c9a7b3d2e41";

/// A Debian 12 host as the collector saw it (legacy iptables accepting everything, sshd with
/// `permitrootlogin without-password`, chrony, …).
pub const DEBIAN12: &str =
    include_str!("../../../tests/fixtures/collect/sections/collector-debian12.txt");

/// An inventory of one datacenter; servers and systems are appended by the cases.
pub const HEAD: &str = r#"
[organization]
name = "Test"
regime = "nd85"

[datacenters.hq]
name = "HQ"

[datacenters.dr]
name = "DR"

[networks.lan]
datacenter = "hq"
zone = "server"
cidr = ["10.0.0.0/16", "fd00::/64"]

[networks.dr-lan]
datacenter = "dr"
zone = "backup"
cidr = ["10.9.0.0/16"]
"#;

/// An inventory from TOML text (the `HEAD` is not added).
pub fn inventory(text: &str) -> Inventory {
    let mut sources = Sources::new();
    let files = vec![(PathBuf::from("test.toml"), text.as_bytes().to_vec())];
    match inventory::load_files(Path::new("test"), files, &mut sources) {
        Ok(inv) => inv,
        Err(d) => panic!("{}\n{text}", crate::diag::render_plain(&sources, &d)),
    }
}

/// A server `id` on `network` (of [`HEAD`], or `dmz` at 10.1.0.0/16), address number `n`.
pub fn server(id: &str, network: &str, n: u8, extra: &str) -> String {
    let prefix = match network {
        "dr-lan" => "10.9.0",
        "dmz" => "10.1.0",
        _ => "10.0.0",
    };
    format!("[servers.{id}]\nnetwork = \"{network}\"\naddress = [\"{prefix}.{n}\"]\n{extra}\n")
}

/// An internal system `id` declared at `level`.
pub fn system(id: &str, level: u8, servers: &[&str], deps: &[&str], extra: &str) -> String {
    // Public information unless `extra` says otherwise: an internal system without
    // `information` cannot be given a level (the level engine reads nothing as the lowest case).
    let information = if extra.contains("information") {
        ""
    } else {
        "information = [\"public\"]\n"
    };
    format!(
        "[systems.{id}]\nname = \"{id}\"\nkind = \"internal\"\nlevel = {level}\nservers = {servers:?}\ndepends_on = {deps:?}\n{information}{extra}\n"
    )
}

/// One case of a built-in's table: an inventory (after [`HEAD`] unless it has its own
/// `[organization]`), the target judged, what the finding must say.
pub struct Case<'a> {
    pub name: &'a str,
    pub inventory: &'a str,
    pub target: &'a str,
    pub expect: Status,
    /// A part of the finding's message.
    pub message: &'a str,
}

fn full(text: &str) -> String {
    if text.contains("[organization]") {
        text.to_owned()
    } else {
        format!("{HEAD}\n{text}")
    }
}

/// The findings of `builtin`'s control under `regime` on `inv`, judged on `today`.
pub fn inventory_findings(
    builtin: InventoryBuiltin,
    regime: Regime,
    inv: &Inventory,
    today: jiff::civil::Date,
) -> Vec<Finding> {
    let catalog = Catalog::embedded();
    let graph = Graph::build(inv, regime);
    let cx = offline::Context {
        catalog: &catalog,
        inv,
        graph: &graph,
        regime,
        today,
    };
    offline::evaluate(&cx)
        .into_iter()
        .filter(|f| f.control.builtin() == Some(Builtin::Inventory(builtin)))
        .collect()
}

/// Run an inventory built-in's table under both regimes; the table must hold a pass and a fail.
pub fn inventory_table(builtin: InventoryBuiltin, today: jiff::civil::Date, cases: &[Case]) {
    for regime in [Regime::Nd85, Regime::Nd331] {
        for case in cases {
            let inv = inventory(&full(case.inventory));
            let found = inventory_findings(builtin, regime, &inv, today);
            let f = found
                .iter()
                .find(|f| f.target == case.target)
                .unwrap_or_else(|| panic!("{}: no finding on {}", case.name, case.target));
            check(case, regime, f);
        }
    }
    covers(cases);
}

fn check(case: &Case, regime: Regime, f: &Finding) {
    assert_eq!(
        (f.status, f.message.contains(case.message)),
        (case.expect, true),
        "{} ({regime:?}): {} — {}\n  evidence: {}",
        case.name,
        f.status.as_str(),
        f.message,
        f.evidence
    );
}

fn covers(cases: &[Case]) {
    for s in [Status::Pass, Status::Fail] {
        assert!(
            cases.iter().any(|c| c.expect == s),
            "the table has no {} case",
            s.as_str()
        );
    }
}

/// What became of a host in a host case.
pub enum Host {
    /// Collector output (the captured one, tweaked), parsed by the real parsers.
    Output(String),
    /// The host could not be scanned.
    Unreachable,
}

/// One case of a host built-in's table: an inventory, the server judged, its host.
pub struct HostCase<'a> {
    pub name: &'a str,
    pub inventory: &'a str,
    pub server: &'a str,
    pub host: Host,
    pub expect: Status,
    /// A part of the finding's message.
    pub message: &'a str,
}

/// `raw` with a section `name` added at the end (one that a newer collector writes and the
/// capture predates).
pub fn with_added_section(raw: &str, name: &str, body: &str, rc: i32) -> String {
    assert!(
        !raw.contains(&format!("@@{NONCE} begin {name}\n")),
        "section `{name}` is already in the capture: replace it with with_section"
    );
    format!("{raw}@@{NONCE} begin {name}\n{body}\n@@{NONCE} end {name} {rc}\n")
}

/// `raw` with the body and exit status of section `name` replaced.
pub fn with_section(raw: &str, name: &str, body: &str, rc: i32) -> String {
    let begin = format!("@@{NONCE} begin {name}\n");
    let start = raw
        .find(&begin)
        .unwrap_or_else(|| panic!("no section `{name}` in the capture"));
    let end_marker = format!("@@{NONCE} end {name} ");
    let end = start
        + raw[start..]
            .find(&end_marker)
            .unwrap_or_else(|| panic!("section `{name}` is not closed"));
    let line_end = end + raw[end..].find('\n').map_or(raw.len() - end, |i| i + 1);
    format!(
        "{}{begin}{body}\n{end_marker}{rc}\n{}",
        &raw[..start],
        &raw[line_end..]
    )
}

/// `raw` with a section added (or replaced, when the capture has it).
pub fn plus_section(raw: &str, name: &str, body: &str, rc: i32) -> String {
    if raw.contains(&format!("@@{NONCE} begin {name}\n")) {
        with_section(raw, name, body, rc)
    } else {
        format!("{raw}@@{NONCE} begin {name}\n{body}\n@@{NONCE} end {name} {rc}\n")
    }
}

/// The finding of `builtin`'s control under `regime` on server `server`.
pub fn host_finding(
    builtin: HostBuiltin,
    regime: Regime,
    inv: &Inventory,
    server: &str,
    host: &Host,
) -> Finding {
    let catalog = Catalog::embedded();
    let graph = Graph::build(inv, regime);
    let i = match inv.lookup(server) {
        Some(NodeRef::Server(i)) => i,
        other => panic!("{server}: {other:?}"),
    };
    let state = match host {
        Host::Output(raw) => {
            let paths: Vec<String> = inv.servers[i]
                .backup
                .as_ref()
                .and_then(|b| b.path.clone())
                .into_iter()
                .collect();
            HostState::Scanned(Box::new(HostFacts::from_output(raw, NONCE, false, &paths)))
        }
        Host::Unreachable => HostState::Failed(CollectError {
            kind: FailKind::Unreachable,
            message: "connection refused".into(),
        }),
    };
    let hosts = BTreeMap::from([(i, state)]);
    let record = BTreeMap::new();
    let cx = online::Context {
        catalog: &catalog,
        inv,
        graph: &graph,
        regime,
        hosts: &hosts,
        record: &record,
    };
    online::evaluate(&cx)
        .into_iter()
        .find(|f| f.control.builtin() == Some(Builtin::Host(builtin)))
        .unwrap_or_else(|| panic!("no finding of {}", Builtin::Host(builtin).name()))
}

/// Run a host built-in's table under both regimes; the table must hold a pass and a fail.
pub fn host_table(builtin: HostBuiltin, cases: &[HostCase]) {
    // Every host built-in, on the host where it passes, gives an error naming why when that
    // host could not be scanned: never a pass, never not-applicable.
    let passing = cases
        .iter()
        .find(|c| c.expect == Status::Pass)
        .unwrap_or_else(|| panic!("the table of {} has no pass case", builtin_name(builtin)));
    let message = format!("{} could not be scanned (unreachable)", passing.server);
    let unreachable = HostCase {
        name: "the host could not be scanned",
        inventory: passing.inventory,
        server: passing.server,
        host: Host::Unreachable,
        expect: Status::Error,
        message: &message,
    };
    let all: Vec<&HostCase> = cases.iter().chain([&unreachable]).collect();
    for regime in [Regime::Nd85, Regime::Nd331] {
        for case in &all {
            let inv = inventory(&full(case.inventory));
            let f = host_finding(builtin, regime, &inv, case.server, &case.host);
            let as_case = Case {
                name: case.name,
                inventory: case.inventory,
                target: case.server,
                expect: case.expect,
                message: case.message,
            };
            check(&as_case, regime, &f);
        }
    }
    for s in [Status::Pass, Status::Fail, Status::Error] {
        assert!(
            all.iter().any(|c| c.expect == s),
            "the table has no {} case",
            s.as_str()
        );
    }
}

fn builtin_name(builtin: HostBuiltin) -> &'static str {
    Builtin::Host(builtin).name()
}

/// Server `h1` of [`HEAD`]'s `lan` in a level-3 internal system `s`, with `extra` lines in its
/// table: the inventory of most host cases.
pub fn h1(extra: &str) -> String {
    format!(
        "[servers.h1]\nnetwork = \"lan\"\naddress = [\"10.0.0.1\"]\n{extra}\n\n[systems.s]\nname = \"s\"\nkind = \"internal\"\nlevel = 3\nservers = [\"h1\"]\ndepends_on = []\n"
    )
}

/// A plain date for the cases.
pub fn date(text: &str) -> jiff::civil::Date {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

//! Host configuration rendered from the inventory: nftables, sshd, rsyslog, backup timers,
//! IPv6 addresses and chrony, from handlebars templates (strict mode, no HTML escaping).
//!
//! The templates ship in `templates/config/` and are compiled into the binary; a `--templates`
//! folder with a `config/<kind>.hbs` overrides one. Rendering reads the inventory and the graph
//! only; capdo never writes to a host.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::Path;

use anyhow::anyhow;
use handlebars::Handlebars;
use ipnetwork::IpNetwork;
use serde_json::{Value, json};

pub mod drift;
pub mod syntax;

use crate::graph::Graph;
use crate::inventory::{Endpoint, Inventory, NodeRef, Proto, Regime, Role, Schedule, Zone};

/// What can be rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Kind {
    Nftables,
    Sshd,
    Rsyslog,
    Backup,
    Ipv6,
    Chrony,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Nftables,
        Kind::Sshd,
        Kind::Rsyslog,
        Kind::Backup,
        Kind::Ipv6,
        Kind::Chrony,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Nftables => "nftables",
            Kind::Sshd => "sshd",
            Kind::Rsyslog => "rsyslog",
            Kind::Backup => "backup",
            Kind::Ipv6 => "ipv6",
            Kind::Chrony => "chrony",
        }
    }

    /// The templates of a kind: (template name, path on the host).
    fn files(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Kind::Nftables => &[("nftables", "/etc/nftables.conf")],
            Kind::Sshd => &[("sshd", "/etc/ssh/sshd_config.d/00-capdo.conf")],
            Kind::Rsyslog => &[("rsyslog", "/etc/rsyslog.d/60-capdo-siem.conf")],
            Kind::Backup => &[
                ("backup-service", "/etc/systemd/system/capdo-backup.service"),
                ("backup-timer", "/etc/systemd/system/capdo-backup.timer"),
            ],
            Kind::Ipv6 => &[("ipv6", "/etc/systemd/network/60-capdo-ipv6.network")],
            Kind::Chrony => &[("chrony", "/etc/chrony/chrony.conf")],
        }
    }
}

/// The shipped templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "nftables",
        include_str!("../../templates/config/nftables.hbs"),
    ),
    ("sshd", include_str!("../../templates/config/sshd.hbs")),
    (
        "rsyslog",
        include_str!("../../templates/config/rsyslog.hbs"),
    ),
    (
        "backup-service",
        include_str!("../../templates/config/backup-service.hbs"),
    ),
    (
        "backup-timer",
        include_str!("../../templates/config/backup-timer.hbs"),
    ),
    ("ipv6", include_str!("../../templates/config/ipv6.hbs")),
    ("chrony", include_str!("../../templates/config/chrony.hbs")),
];

/// One rendered file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub server: usize,
    pub kind: Kind,
    /// Absolute path on the host.
    pub path: &'static str,
    pub content: String,
}

/// A kind that does not apply to a host, and why (reported, not an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub server: usize,
    pub kind: Kind,
    pub reason: String,
}

/// The template engine with the shipped templates, each replaced by
/// `<templates>/config/<name>.hbs` when that file exists. Configuration files are not markup:
/// a plain `{{value}}` only has its control characters masked ([`syntax::line`]); the helpers
/// of [`syntax`] (`systemd_arg`, `nft_string`, …) write a value in its file's syntax.
pub fn engine(templates: Option<&Path>) -> anyhow::Result<Handlebars<'static>> {
    let overrides = templates.map(|d| d.join("config"));
    let mut hb = crate::template::engine(syntax::line, TEMPLATES, overrides.as_deref())?;
    syntax::register(&mut hb);
    Ok(hb)
}

/// Render `kinds` (every kind when none is named) for `servers` under `regime`, with the
/// templates of the `templates` folder replacing the shipped ones.
pub fn render_selected(
    inv: &Inventory,
    regime: Regime,
    servers: &[usize],
    kinds: &[Kind],
    templates: &Path,
) -> anyhow::Result<(Vec<File>, Vec<Skipped>)> {
    let kinds = if kinds.is_empty() {
        Kind::ALL.as_slice()
    } else {
        kinds
    };
    let g = Graph::build(inv, regime);
    let hb = engine(Some(templates))?;
    render(inv, &g, &hb, servers, kinds)
}

/// Render `kinds` for `servers`.
pub fn render(
    inv: &Inventory,
    g: &Graph,
    hb: &Handlebars<'_>,
    servers: &[usize],
    kinds: &[Kind],
) -> anyhow::Result<(Vec<File>, Vec<Skipped>)> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for &server in servers {
        let cx = context(inv, g, server);
        for &kind in kinds {
            if let Some(reason) = not_applicable(&cx, kind) {
                skipped.push(Skipped {
                    server,
                    kind,
                    reason,
                });
                continue;
            }
            for (name, path) in kind.files() {
                let content = hb.render(name, &cx).map_err(|e| {
                    anyhow!("rendering `{name}` for {}: {}", inv.servers[server].id, e)
                })?;
                files.push(File {
                    server,
                    kind,
                    path,
                    content,
                });
            }
        }
    }
    Ok((files, skipped))
}

fn not_applicable(cx: &Value, kind: Kind) -> Option<String> {
    let id = cx["host"]["id"].as_str().unwrap_or("");
    match kind {
        Kind::Rsyslog if cx["siem"].is_null() => Some(format!(
            "no server has the `siem` role to forward {id}'s logs to"
        )),
        Kind::Rsyslog if cx["host"]["is_siem"] == true => {
            Some(format!("{id} is a SIEM collector itself"))
        }
        Kind::Backup if cx["backup"].is_null() => {
            Some(format!("{id} declares no backup with a `path`"))
        }
        Kind::Ipv6 if cx["host"]["ipv6"].as_array().is_none_or(|a| a.is_empty()) => Some(format!(
            "{id} is not IPv6-ready with an IPv6 address in the inventory"
        )),
        Kind::Chrony if cx["ntp"].as_array().is_none_or(|a| a.is_empty()) => {
            Some("no server has the `ntp` role".into())
        }
        _ => None,
    }
}

/// Addresses as host prefixes ("10.0.0.5/32").
fn host_prefix(a: IpAddr) -> String {
    match a {
        IpAddr::V4(v) => format!("{v}/32"),
        IpAddr::V6(v) => format!("{v}/128"),
    }
}

/// The source prefixes an endpoint stands for; `None` means any source (an external with no
/// CIDR, such as the Internet).
fn endpoint_prefixes(inv: &Inventory, e: Endpoint) -> Option<Vec<String>> {
    let cidrs = |nets: &mut dyn Iterator<Item = &IpNetwork>| nets.map(|c| c.to_string()).collect();
    Some(match e {
        Endpoint::Zone(z) => cidrs(
            &mut inv
                .networks
                .iter()
                .filter(|n| n.zone == z)
                .flat_map(|n| &n.cidrs),
        ),
        Endpoint::Node(NodeRef::Network(n)) => cidrs(&mut inv.networks[n].cidrs.iter()),
        Endpoint::Node(NodeRef::Server(s)) => inv.servers[s]
            .addresses
            .iter()
            .map(|a| host_prefix(*a))
            .collect(),
        Endpoint::Node(NodeRef::System(y)) => inv.systems[y]
            .servers
            .iter()
            .flat_map(|&s| inv.servers[s].addresses.iter().map(|a| host_prefix(*a)))
            .collect(),
        Endpoint::Node(NodeRef::External(x)) if inv.externals[x].cidrs.is_empty() => return None,
        Endpoint::Node(NodeRef::External(x)) => cidrs(&mut inv.externals[x].cidrs.iter()),
        Endpoint::Node(NodeRef::Datacenter(_)) => Vec::new(),
    })
}

/// Whether a flow's destination covers server `s`.
fn reaches(inv: &Inventory, to: Endpoint, s: usize) -> bool {
    let server = &inv.servers[s];
    match to {
        Endpoint::Zone(z) => inv.server_zone(s) == z,
        Endpoint::Node(NodeRef::Network(n)) => server.network == n,
        Endpoint::Node(NodeRef::Server(x)) => x == s,
        Endpoint::Node(NodeRef::System(y)) => inv.systems[y].servers.contains(&s),
        _ => false,
    }
}

/// Split prefixes by family and join them for an nft set.
fn families(prefixes: &BTreeSet<String>) -> (String, String) {
    let (v6, v4): (Vec<&String>, Vec<&String>) = prefixes.iter().partition(|p| p.contains(':'));
    let join = |v: Vec<&String>| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    (join(v4), join(v6))
}

/// Everything a template may use about one server. Every value is typed (addresses, prefixes,
/// ports, numbers, the inventory's enums), an id (letters, digits, `-`, `_`), a constant, or
/// `backup.path`, the one free text, checked by `inventory::rendered` when the inventory is
/// validated. A template still writes each value through its format's helper ([`syntax`]).
/// Free text that no template needs (names, the organisation) stays out.
pub fn context(inv: &Inventory, g: &Graph, server: usize) -> Value {
    let s = &inv.servers[server];
    let level = g.server_levels[server].as_ref().map(|l| l.level.get());
    let net = &inv.networks[s.network];

    // sshd: from the management zone and the jump host that reaches this server.
    let mut ssh_sources: BTreeSet<String> = inv
        .networks
        .iter()
        .filter(|n| n.zone == Zone::Management)
        .flat_map(|n| n.cidrs.iter().map(|c| c.to_string()))
        .collect();
    if let Some(j) = inv.jump_of(server) {
        ssh_sources.extend(inv.servers[j].addresses.iter().map(|a| host_prefix(*a)));
    }
    let (ssh4, ssh6) = families(&ssh_sources);
    let ssh_port = s.ssh.port.or(inv.default_ssh.port).unwrap_or(22);

    // Declared services, each open only to what [[flows]] allow.
    let services: Vec<Value> = s
        .services
        .iter()
        .filter(|svc| !(svc.proto == Proto::Tcp && svc.port == ssh_port))
        .map(|svc| {
            let mut any = false;
            let mut sources = BTreeSet::new();
            for f in inv
                .flows
                .iter()
                .filter(|f| reaches(inv, f.to, server) && f.services.contains(svc))
            {
                match endpoint_prefixes(inv, f.from) {
                    Some(p) => sources.extend(p),
                    None => any = true,
                }
            }
            let (v4, v6) = families(&sources);
            json!({
                "proto": if svc.proto == Proto::Tcp { "tcp" } else { "udp" },
                "port": svc.port,
                "any_source": any,
                "sources_v4": v4,
                "sources_v6": v6,
                "allowed": any || !sources.is_empty(),
            })
        })
        .collect();

    let siem = inv
        .servers
        .iter()
        .find(|x| x.roles.contains(&Role::Siem))
        .and_then(|x| {
            let port = x
                .services
                .iter()
                .find(|svc| svc.proto == Proto::Tcp && (svc.port == 514 || svc.port == 6514))
                .map(|svc| svc.port)
                .unwrap_or(514);
            x.addresses
                .first()
                .map(|a| json!({"id": x.id, "address": a.to_string(), "port": port}))
        });

    let backup = s.backup.as_ref().and_then(|b| {
        let path = b.path.clone()?;
        let target = &inv.servers[b.to];
        let address = target.addresses.first();
        Some(json!({
            "path": path,
            "target": target.id,
            "target_address": address.map(|a| a.to_string()).unwrap_or_else(|| target.id.clone()),
            // rsync's `HOST:PATH` needs an IPv6 address in brackets.
            "target_host": match address {
                Some(IpAddr::V6(a)) => format!("[{a}]"),
                Some(a) => a.to_string(),
                None => target.id.clone(),
            },
            "schedule": b.schedule.as_str(),
            "on_calendar": match b.schedule {
                Schedule::Hourly => "hourly",
                Schedule::Daily => "daily",
                Schedule::Weekly => "weekly",
                Schedule::Monthly => "monthly",
            },
        }))
    });

    let ipv6: Vec<Value> = if s.ipv6 {
        s.addresses
            .iter()
            .filter(|a| a.is_ipv6())
            .map(|a| {
                let prefix = net
                    .cidrs
                    .iter()
                    .find(|c| c.contains(*a))
                    .map(|c| c.prefix())
                    .unwrap_or(64);
                json!({"address": a.to_string(), "prefix": prefix})
            })
            .collect()
    } else {
        Vec::new()
    };

    let ntp: Vec<String> = inv
        .servers
        .iter()
        .enumerate()
        .filter(|(i, x)| *i != server && x.roles.contains(&Role::Ntp))
        .filter_map(|(_, x)| x.addresses.first().map(|a| a.to_string()))
        .collect();

    // Root logs in with keys only when the audit itself logs in as root.
    let login_user = s.ssh.user.as_deref().or(inv.default_ssh.user.as_deref());
    let permit_root = if login_user == Some("root") {
        "prohibit-password"
    } else {
        "no"
    };
    let is_jump_host =
        (0..inv.servers.len()).any(|x| x != server && inv.jump_of(x) == Some(server));

    json!({
        "generated_by": format!("capdo {}", env!("CARGO_PKG_VERSION")),
        "regime": match g.regime { Regime::Nd85 => "nd85", Regime::Nd331 => "nd331" },
        "level": level,
        "host": {
            "id": s.id,
            "addresses": s.addresses.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            "network": net.id,
            "zone": net.zone.as_str(),
            "ipv6": ipv6,
            "is_siem": s.roles.contains(&Role::Siem),
        },
        "ssh": {
            "port": ssh_port,
            "sources_v4": ssh4,
            "sources_v6": ssh6,
            "any_source": ssh_sources.is_empty(),
            "permit_root_login": permit_root,
            // TCVN 11930 / 14423: idle sessions end; 150 s × 2 = 5 minutes for administrators.
            "client_alive_interval": 150,
            "client_alive_count_max": 2,
            "allow_tcp_forwarding": if is_jump_host { "yes" } else { "no" },
        },
        "firewall": { "services": services },
        "siem": siem,
        "backup": backup,
        "ntp": ntp,
    })
}

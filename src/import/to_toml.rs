//! Writing an Ansible inventory as a capdo inventory (file format v1, docs/inventory.md).
//!
//! What Ansible knows becomes keys: servers with their address, `ansible_port`, `ansible_user`
//! and `ansible_ssh_private_key_file`, and networks derived from the addresses (one /24 per
//! IPv4 block and one /64 per IPv6 block, or the CIDR of a `capdo_network` variable), placed in
//! the data centre and zone that `capdo_datacenter` and `capdo_zone` variables give. What it
//! does not know (organisation name, data centres, zones, systems and their levels) is written
//! as commented `# TODO` lines, so `capdo validate` names each one still missing.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::IpAddr;

use ipnetwork::IpNetwork;

use super::ansible::{Host, Inventory, Origin, Problem, Problems};
use crate::inventory::{Regime, Zone};

/// The written inventory and what it holds.
#[derive(Debug)]
pub struct Imported {
    pub toml: String,
    pub servers: usize,
    pub networks: usize,
    /// Hosts whose address Ansible does not give as an IP address.
    pub without_address: Vec<String>,
    /// `# TODO` marks written.
    pub todos: usize,
}

/// How capdo reaches one host.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Ssh {
    user: Option<String>,
    port: Option<u16>,
    identity: Option<String>,
    /// The server id to jump through.
    jump: Option<String>,
}

#[derive(Debug)]
struct Server<'a> {
    id: String,
    host: &'a Host,
    address: Option<IpAddr>,
    network: Option<IpNetwork>,
    ssh: Ssh,
    /// `capdo_datacenter` and `capdo_zone`, when set.
    datacenter: Option<String>,
    zone: Option<String>,
}

/// Turn `inv` into the text of one capdo inventory file.
pub fn to_toml(inv: &Inventory, regime: Regime) -> Result<Imported, Problems> {
    let mut problems = Vec::new();
    let ids = server_ids(inv.hosts.iter().map(|h| h.name.as_str()));
    let mut servers: Vec<Server<'_>> = Vec::new();
    for (host, id) in inv.hosts.iter().zip(ids) {
        let address = host
            .var("ansible_host")
            .or_else(|| host.var("ansible_ssh_host"))
            .map(|(v, _)| v)
            .unwrap_or_else(|| host.name.clone())
            .parse::<IpAddr>()
            .ok();
        let port = match host
            .var("ansible_port")
            .or_else(|| host.var("ansible_ssh_port"))
        {
            None => None,
            Some((p, at)) => match p.parse::<u16>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    problems.push(problem(
                        at,
                        format!(
                            "ansible_port `{p}` of `{}` is not a port (1–65535)",
                            host.name
                        ),
                    ));
                    None
                }
            },
        };
        let ssh = Ssh {
            user: host
                .var("ansible_user")
                .or_else(|| host.var("ansible_ssh_user"))
                .map(|(v, _)| v),
            port,
            identity: host
                .var("ansible_ssh_private_key_file")
                .or_else(|| host.var("ansible_private_key_file"))
                .map(|(v, _)| v),
            jump: None,
        };
        let network = match (address, host.var("capdo_network")) {
            (None, _) => None,
            (Some(a), Some((hint, at))) => match hint.parse::<IpNetwork>() {
                Ok(n) if n.contains(a) && n.network() == n.ip() => Some(n),
                Ok(n) if n.contains(a) => {
                    problems.push(problem(
                        at,
                        format!(
                            "capdo_network `{hint}` has host bits set; write `{}/{}`",
                            n.network(),
                            n.prefix()
                        ),
                    ));
                    None
                }
                Ok(_) => {
                    problems.push(problem(
                        at,
                        format!(
                            "capdo_network `{hint}` does not contain {a}, the address of `{}`",
                            host.name
                        ),
                    ));
                    None
                }
                Err(_) => {
                    problems.push(problem(
                        at,
                        format!("capdo_network `{hint}` is not a CIDR (write `10.10.1.0/24`)"),
                    ));
                    None
                }
            },
            (Some(a), None) => Some(derived(a)),
        };
        let datacenter = host.var("capdo_datacenter").and_then(|(v, at)| {
            if !v.is_empty() && v.len() <= 64 && sanitize(&v) == v {
                Some(v)
            } else {
                problems.push(problem(at, format!("capdo_datacenter `{v}` is not a capdo id (lowercase letters, digits, `-` and `_`)")));
                None
            }
        });
        let zone = host.var("capdo_zone").and_then(|(v, at)| {
            if Zone::ALL.iter().any(|z| z.as_str() == v) {
                Some(v)
            } else {
                let hint = crate::diag::suggest(&v, Zone::ALL.iter().map(|z| z.as_str()))
                    .unwrap_or_else(|| format!("one of {}", ZONES.replace(" |", ",")));
                problems.push(problem(
                    at,
                    format!("capdo_zone `{v}` is not a zone ({hint})"),
                ));
                None
            }
        });
        servers.push(Server {
            id,
            host,
            address,
            network,
            ssh,
            datacenter,
            zone,
        });
    }
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    // `-o ProxyJump=…` or `-J …` naming a host of this inventory becomes `ssh.jump`.
    let jumps: Vec<Option<String>> = servers
        .iter()
        .map(|sv| {
            let via = proxy_jump(sv.host)?;
            servers
                .iter()
                .find(|o| o.host.name == via || o.address.is_some_and(|a| a.to_string() == via))
                .filter(|o| o.id != sv.id)
                .map(|o| o.id.clone())
        })
        .collect();
    for (sv, jump) in servers.iter_mut().zip(jumps) {
        sv.ssh.jump = jump;
    }
    Ok(write(inv, &servers, regime))
}

/// The host of the first jump in `ansible_ssh_common_args` or `ansible_ssh_extra_args`,
/// without user or port.
fn proxy_jump(host: &Host) -> Option<String> {
    let args = ["ansible_ssh_common_args", "ansible_ssh_extra_args"]
        .iter()
        .filter_map(|k| host.var(k).map(|(v, _)| v))
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<&str> = args
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let target = words.iter().enumerate().find_map(|(i, w)| {
        if let Some(v) = w.strip_prefix("ProxyJump=") {
            Some(v)
        } else if *w == "-J" || w.eq_ignore_ascii_case("ProxyJump") {
            words.get(i + 1).copied()
        } else {
            w.strip_prefix("-J").filter(|v| !v.is_empty())
        }
    })?;
    let first = target.split(',').next()?;
    let host = first.rsplit_once('@').map_or(first, |(_, h)| h);
    let host = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else if host.matches(':').count() == 1 {
        host.split(':').next().unwrap_or(host)
    } else {
        host
    };
    Some(host.to_owned())
}

fn problem(at: &Origin, message: String) -> Problem {
    Problem {
        at: at.clone(),
        message,
    }
}

/// The /24 (IPv4) or /64 (IPv6) block that holds `a`.
fn derived(a: IpAddr) -> IpNetwork {
    let prefix = if a.is_ipv4() { 24 } else { 64 };
    let n = IpNetwork::new(a, prefix).unwrap_or_else(|_| IpNetwork::from(a));
    IpNetwork::new(n.network(), prefix).unwrap_or(n)
}

/// `net-10-10-1-0-24`, `net-fd00-10-1-0-64`.
fn network_id(n: &IpNetwork) -> String {
    let addr = match n.network() {
        IpAddr::V4(a) => a.octets().map(|o| o.to_string()).join("-"),
        IpAddr::V6(a) => {
            let keep = usize::from(n.prefix()).div_ceil(16).max(1);
            a.segments()[..keep]
                .iter()
                .map(|s| format!("{s:x}"))
                .collect::<Vec<_>>()
                .join("-")
        }
    };
    format!("net-{addr}-{}", n.prefix())
}

/// capdo ids for Ansible host names: the first label of a DNS name when that is unique, else
/// the whole name; `host-10-0-0-1` for an address; only `a-z 0-9 - _`.
fn server_ids<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let names: Vec<&str> = names.collect();
    let short = |n: &str| -> String {
        if n.parse::<IpAddr>().is_ok() {
            sanitize(&format!("host-{n}"))
        } else {
            sanitize(n.split('.').next().unwrap_or(n))
        }
    };
    let shorts: Vec<String> = names.iter().map(|n| short(n)).collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let unique = shorts.iter().filter(|s| **s == shorts[i]).count() == 1;
        let mut id = if unique {
            shorts[i].clone()
        } else {
            sanitize(n)
        };
        let count = seen.entry(id.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            id = format!("{id}-{count}");
        }
        out.push(id);
    }
    out
}

fn sanitize(name: &str) -> String {
    let mut id: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    while id.contains("--") {
        id = id.replace("--", "-");
    }
    let id = id.trim_matches('-');
    let mut id = if id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        id.to_owned()
    } else {
        format!("host-{id}").trim_end_matches('-').to_owned()
    };
    id.truncate(64);
    id
}

/// A TOML string literal.
fn s(v: &str) -> String {
    toml::Value::String(v.to_owned()).to_string()
}

/// The value most hosts share, when every host has one.
fn common<T: Ord + Clone>(values: impl Iterator<Item = Option<T>>) -> Option<T> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v?).or_insert(0) += 1;
    }
    // Most common; the smallest among equals, so the output does not depend on order.
    let best = counts.values().max().copied()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(v, _)| v)
}

const ZONES: &str = "internet-edge | dmz | server | database | management | device-management | user | wireless | backup | special-purpose";

fn write(inv: &Inventory, servers: &[Server<'_>], regime: Regime) -> Imported {
    let mut o = String::new();
    let mut todos = 0;
    let source = inv
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let _ = writeln!(
        o,
        "# capdo inventory imported from the Ansible inventory `{source}` by `capdo import ansible`.\n\
         # Ansible knows the hosts and how to reach them. It does not know the organisation, the data\n\
         # centres, the network zones, the information systems or their security levels (cấp độ):\n\
         # each `# TODO` below marks one of them. `capdo -i <this folder> validate` lists what is\n\
         # still missing; docs/inventory.md describes every key.\n"
    );
    let (regime_name, regime_note) = match regime {
        Regime::Nd85 => ("nd85", "legacy: NĐ 85/2016 + TT 12/2022 + TCVN 11930:2017"),
        Regime::Nd331 => ("nd331", "Luật 116/2025 + NĐ 331/2026 + TCVN 14423:2026"),
    };
    todos += 1;
    let _ = writeln!(
        o,
        "[organization]\n\
         # TODO: the agency that owns these systems (cơ quan, đơn vị), e.g. \"Bộ Nội vụ\".\n\
         # name = \"…\"\n\
         regime = {}   # {regime_note}\n",
        s(regime_name)
    );

    let defaults = Ssh {
        user: common(servers.iter().map(|s| s.ssh.user.clone())),
        port: common(servers.iter().map(|s| s.ssh.port)),
        identity: common(servers.iter().map(|s| s.ssh.identity.clone())),
        jump: None,
    };
    if defaults != Ssh::default() {
        let _ = writeln!(
            o,
            "# How capdo logs in, from the Ansible connection variables every host shares."
        );
        let _ = writeln!(o, "[defaults.ssh]");
        if let Some(u) = &defaults.user {
            let _ = writeln!(o, "user = {}", s(u));
        }
        if let Some(p) = defaults.port {
            let _ = writeln!(o, "port = {p}");
        }
        if let Some(i) = &defaults.identity {
            let _ = writeln!(o, "identity = {}", s(i));
        }
        o.push('\n');
    }

    // Networks in order of their first host, with the data centre and zone their hosts'
    // `capdo_datacenter` and `capdo_zone` agree on.
    let mut networks: Vec<IpNetwork> = Vec::new();
    for n in servers.iter().filter_map(|s| s.network) {
        if !networks.contains(&n) {
            networks.push(n);
        }
    }
    let agreed =
        |n: &IpNetwork, hint: for<'s> fn(&'s Server<'_>) -> Option<&'s String>| -> Option<String> {
            let mut values = servers.iter().filter(|s| s.network == Some(*n)).map(hint);
            let first = values.next()??;
            values.all(|v| v == Some(first)).then(|| first.clone())
        };
    let placed: Vec<(Option<String>, Option<String>)> = networks
        .iter()
        .map(|n| {
            (
                agreed(n, |s| s.datacenter.as_ref()),
                agreed(n, |s| s.zone.as_ref()),
            )
        })
        .collect();
    let mut datacenters: Vec<&str> = Vec::new();
    for dc in placed.iter().filter_map(|(d, _)| d.as_deref()) {
        if !datacenters.contains(&dc) {
            datacenters.push(dc);
        }
    }
    for dc in &datacenters {
        todos += 1;
        let _ = writeln!(
            o,
            "[datacenters.{dc}]\n\
             # TODO: the name of this data centre (trung tâm dữ liệu), named `{dc}` by capdo_datacenter.\n\
             # name = \"…\"\n"
        );
    }
    if datacenters.is_empty() || placed.iter().any(|(d, _)| d.is_none()) {
        todos += 1;
        let _ = writeln!(
            o,
            "# TODO: the data centres (trung tâm dữ liệu). Ansible does not know them: describe each one\n\
             # and point every network below at one (or set `capdo_datacenter` in Ansible).\n\
             # [datacenters.dc1]\n\
             # name = \"…\"\n"
        );
    }
    if !networks.is_empty() {
        let _ = writeln!(
            o,
            "# Networks derived from the hosts' addresses: one /24 per IPv4 block and one /64 per IPv6\n\
             # block, unless a host's `capdo_network` variable names its subnet. Widen, merge or split\n\
             # them to match the real subnets.\n"
        );
    }
    for (n, (dc, zone)) in networks.iter().zip(&placed) {
        let mut groups: Vec<&str> = servers
            .iter()
            .filter(|s| s.network == Some(*n))
            .flat_map(|s| s.host.groups.iter().map(String::as_str))
            .collect();
        groups.sort_unstable();
        groups.dedup();
        let _ = writeln!(o, "[networks.{}]", network_id(n));
        let missing = match (dc, zone) {
            (None, None) => Some("the data centre and the zone (vùng mạng)"),
            (None, Some(_)) => Some("the data centre"),
            (Some(_), None) => Some("the zone (vùng mạng)"),
            (Some(_), Some(_)) => None,
        };
        if let Some(what) = missing {
            todos += 1;
            let _ = writeln!(o, "# TODO: {what} of this network.");
        }
        if !groups.is_empty() {
            let _ = writeln!(
                o,
                "# Its hosts are in the Ansible groups {}.",
                groups.join(", ")
            );
        }
        match dc {
            Some(d) => {
                let _ = writeln!(o, "datacenter = {}", s(d));
            }
            None => {
                let _ = writeln!(o, "# datacenter = \"dc1\"");
            }
        }
        match zone {
            Some(z) => {
                let _ = writeln!(o, "zone = {}", s(z));
            }
            None => {
                let _ = writeln!(o, "# zone = \"…\"   # {ZONES}");
            }
        }
        let _ = writeln!(o, "cidr = [{}]\n", s(&n.to_string()));
    }

    let mut without_address = Vec::new();
    for sv in servers {
        let _ = writeln!(o, "[servers.{}]", sv.id);
        if sv.id != sv.host.name {
            let _ = writeln!(o, "name = {}", s(&sv.host.name));
        }
        match (sv.address, sv.network) {
            (Some(a), Some(n)) => {
                let _ = writeln!(o, "network = {}", s(&network_id(&n)));
                let _ = writeln!(o, "address = [{}]", s(&a.to_string()));
            }
            _ => {
                todos += 1;
                without_address.push(sv.host.name.clone());
                let given = sv
                    .host
                    .var("ansible_host")
                    .map(|(h, _)| format!("ansible_host is `{h}`, a name"))
                    .unwrap_or_else(|| "Ansible reaches it by its name".to_owned());
                let _ = writeln!(
                    o,
                    "# TODO: the IP address of this host ({given}) and the network that holds it.\n\
                     # network = \"…\"\n\
                     # address = [\"…\"]"
                );
            }
        }
        let own = Ssh {
            user: sv
                .ssh
                .user
                .clone()
                .filter(|u| Some(u) != defaults.user.as_ref()),
            port: sv.ssh.port.filter(|p| Some(*p) != defaults.port),
            identity: sv
                .ssh
                .identity
                .clone()
                .filter(|i| Some(i) != defaults.identity.as_ref()),
            jump: sv.ssh.jump.clone(),
        };
        if own != Ssh::default() {
            let mut parts = Vec::new();
            if let Some(u) = &own.user {
                parts.push(format!("user = {}", s(u)));
            }
            if let Some(p) = own.port {
                parts.push(format!("port = {p}"));
            }
            if let Some(i) = &own.identity {
                parts.push(format!("identity = {}", s(i)));
            }
            if let Some(j) = &own.jump {
                parts.push(format!("jump = {}", s(j)));
            }
            let _ = writeln!(o, "ssh = {{ {} }}", parts.join(", "));
        }
        if !sv.host.groups.is_empty() {
            let _ = writeln!(o, "# Ansible groups: {}", sv.host.groups.join(", "));
        }
        o.push('\n');
    }

    todos += 1;
    let _ = writeln!(
        o,
        "# TODO: the information systems (hệ thống thông tin) these servers serve, each with what its\n\
         # security level (cấp độ) is derived from and the level you propose (docs/inventory.md,\n\
         # \"How levels are derived\"). Ansible groups may be a starting point:"
    );
    for (g, hosts) in &inv.groups {
        let ids: Vec<String> = servers
            .iter()
            .filter(|s| hosts.contains(&s.host.name))
            .map(|s| s.id.clone())
            .collect();
        let _ = writeln!(o, "#   {g}: {}", ids.join(", "));
    }
    let example: Vec<String> = servers.iter().take(2).map(|s| s.id.clone()).collect();
    let _ = writeln!(
        o,
        "# [systems.example]\n\
         # name = \"…\"\n\
         # kind = \"internal\"   # internal | citizen-service | infrastructure | industrial-control | other\n\
         # information = [\"public\"]   # public | private | personal | state-secret\n\
         # level = 2\n\
         # servers = [{}]\n",
        example.iter().map(|i| s(i)).collect::<Vec<_>>().join(", ")
    );
    Imported {
        toml: o,
        servers: servers.len(),
        networks: networks.len(),
        without_address,
        todos,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_unique_and_valid() {
        let ids = server_ids(
            [
                "web01.hq.example",
                "web01.dr.example",
                "DB_01.example",
                "10.0.0.5",
                "_x",
            ]
            .into_iter(),
        );
        assert_eq!(
            ids,
            [
                "web01-hq-example",
                "web01-dr-example",
                "db_01",
                "host-10-0-0-5",
                "host-_x"
            ]
        );
    }

    #[test]
    fn networks_are_blocks_of_the_address() {
        let n = derived("10.1.2.3".parse().expect("ip"));
        assert_eq!(n.to_string(), "10.1.2.0/24");
        assert_eq!(network_id(&n), "net-10-1-2-0-24");
        let n = derived("fd00:10:1::11".parse().expect("ip"));
        assert_eq!(n.to_string(), "fd00:10:1::/64");
        assert_eq!(network_id(&n), "net-fd00-10-1-0-64");
    }

    #[test]
    fn common_needs_every_host() {
        assert_eq!(common([Some(1), Some(2), Some(2)].into_iter()), Some(2));
        assert_eq!(common([Some(1), None].into_iter()), None);
    }
}

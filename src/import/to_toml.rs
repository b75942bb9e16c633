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

use std::path::PathBuf;

use super::ansible::{Host, Inventory, Origin, Problem, Problems};
use super::reach::{self, Connection, Jump, Setting};
use crate::inventory::{Regime, Zone};

/// What the import is told beyond the Ansible inventory.
#[derive(Debug, Clone)]
pub struct Options {
    /// `organization.regime` of the written inventory.
    pub regime: Regime,
    /// The data centre of every network no host's `capdo_datacenter` places (`--datacenter`).
    pub datacenter: Option<String>,
    /// The zone of every network no host's `capdo_zone` places (`--zone`).
    pub zone: Option<Zone>,
    /// The folder relative key paths are resolved against: where Ansible runs, which is where
    /// `capdo import` runs (ssh reads a relative `IdentityFile` from its working folder).
    pub base: PathBuf,
}

/// The written inventory and what it holds.
#[derive(Debug)]
pub struct Imported {
    pub toml: String,
    pub servers: usize,
    pub networks: usize,
    /// Hosts whose address Ansible does not give as an IP address.
    pub without_address: Vec<String>,
    /// Hosts Ansible reaches without SSH, with their `ansible_connection`: not imported as
    /// servers, written as commented entries.
    pub not_ssh: Vec<(String, String)>,
    /// Jump hosts outside the inventory (a `ProxyJump` or `ProxyCommand ssh -W` target, or a
    /// `ProxyCommand` capdo cannot follow), with the hosts that go through each.
    pub outside_jumps: Vec<(String, Vec<String>)>,
    /// `host: variable `template``, for each template capdo left unresolved.
    pub unresolved: Vec<String>,
    /// Relative key paths, each `host: path → absolute path`.
    pub relative_keys: Vec<String>,
    /// Commented-out host lines of an inventory with no host (`None` when it has hosts).
    pub no_hosts: Option<usize>,
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
    /// What Ansible connects to when it is a name, not an address.
    connect_name: Option<String>,
    network: Option<IpNetwork>,
    ssh: Ssh,
    /// `capdo_datacenter` and `capdo_zone`, when set.
    datacenter: Option<String>,
    zone: Option<String>,
    /// Connection variables left unset because their template could not be resolved.
    templates: Vec<(&'static str, String)>,
    /// A relative key path as Ansible wrote it (resolved into `ssh.identity`).
    relative_key: Option<String>,
    /// A jump capdo cannot express as `ssh.jump`: (what to show, how Ansible wrote it).
    jump_outside: Option<(String, String)>,
}

/// Turn `inv` into the text of one capdo inventory file.
pub fn to_toml(inv: &Inventory, options: &Options) -> Result<Imported, Problems> {
    let mut problems = Vec::new();
    let ids = server_ids(inv.hosts.iter().map(|h| h.name.as_str()));
    let mut servers: Vec<Server<'_>> = Vec::new();
    let mut not_ssh: Vec<(&Host, String, String)> = Vec::new();
    for (host, id) in inv.hosts.iter().zip(ids) {
        if let Connection::Other(kind) = reach::connection(host) {
            not_ssh.push((host, id, kind));
            continue;
        }
        let mut templates = Vec::new();
        let mut value = |keys: &reach::Keys| match reach::setting(host, keys) {
            Setting::Unset => None,
            Setting::Value(v, at) => Some((v, at)),
            Setting::Template { key, text, .. } => {
                templates.push((key, text));
                None
            }
        };
        let target = value(&reach::HOST);
        let port = value(&reach::PORT);
        let user = value(&reach::USER).map(|(v, _)| v);
        let key = value(&reach::KEY).map(|(v, _)| v);
        let templated_host = templates.iter().any(|(k, _)| reach::HOST.contains(k));
        let (address, connect_name) = match target {
            Some((t, _)) => match t.parse::<IpAddr>() {
                Ok(a) => (Some(a), None),
                Err(_) => (None, Some(t)),
            },
            None if templated_host => (None, None),
            None => match host.name.parse::<IpAddr>() {
                Ok(a) => (Some(a), None),
                Err(_) => (None, Some(host.name.clone())),
            },
        };
        let port = match port {
            None => None,
            Some((p, at)) => match p.parse::<u16>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    problems.push(problem(
                        &at,
                        format!(
                            "ansible_port `{p}` of `{}` is not a port (1–65535)",
                            host.name
                        ),
                    ));
                    None
                }
            },
        };
        // ssh reads a relative key path from the folder it runs in: where Ansible runs.
        let (identity, relative_key) = match key {
            Some(k) if !k.starts_with('/') && !k.starts_with('~') => {
                let absolute: PathBuf = options.base.join(&k).components().collect();
                (Some(absolute.display().to_string()), Some(k))
            }
            k => (k, None),
        };
        let ssh = Ssh {
            user,
            port,
            identity,
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
            if is_id(&v) {
                Some(v)
            } else {
                problems.push(problem(at, format!("capdo_datacenter `{v}` is not a capdo id (lowercase letters, digits, `-` and `_`)")));
                None
            }
        });
        let zone = host.var("capdo_zone").and_then(|(v, at)| match zone(&v) {
            Ok(z) => Some(z.as_str().to_owned()),
            Err(m) => {
                problems.push(problem(at, format!("capdo_zone {m}")));
                None
            }
        });
        servers.push(Server {
            id,
            host,
            address,
            connect_name,
            network,
            ssh,
            datacenter: datacenter.or_else(|| options.datacenter.clone()),
            zone: zone.or_else(|| options.zone.map(|z| z.as_str().to_owned())),
            templates,
            relative_key,
            jump_outside: None,
        });
    }
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    // A jump to a host of this inventory (by name, address or the name Ansible connects to)
    // becomes `ssh.jump`; one outside it is written as a TODO and listed.
    let jumps: Vec<Option<Result<String, (String, String)>>> = servers
        .iter()
        .map(|sv| match reach::jump(sv.host)? {
            Jump::Via { host, spec } => {
                let found = servers.iter().find(|o| {
                    o.host.name == host
                        || o.address.is_some_and(|a| Some(a) == host.parse().ok())
                        || o.connect_name.as_deref() == Some(host.as_str())
                });
                match found {
                    Some(o) if o.id == sv.id => None,
                    Some(o) => Some(Ok(o.id.clone())),
                    None => Some(Err((host, format!("ProxyJump {spec}")))),
                }
            }
            Jump::Command(c) => Some(Err((format!("ProxyCommand {c}"), c))),
        })
        .collect();
    for (sv, jump) in servers.iter_mut().zip(jumps) {
        match jump {
            Some(Ok(id)) => sv.ssh.jump = Some(id),
            Some(Err(outside)) => sv.jump_outside = Some(outside),
            None => {}
        }
    }
    let mut imported = write(inv, &servers, &not_ssh, options);
    for sv in &servers {
        if let Some((shown, _)) = &sv.jump_outside {
            match imported.outside_jumps.iter_mut().find(|(j, _)| j == shown) {
                Some((_, hosts)) => hosts.push(sv.host.name.clone()),
                None => imported
                    .outside_jumps
                    .push((shown.clone(), vec![sv.host.name.clone()])),
            }
        }
        for (key, text) in &sv.templates {
            imported
                .unresolved
                .push(format!("{}: {key} `{text}`", sv.host.name));
        }
        if let (Some(rel), Some(abs)) = (&sv.relative_key, &sv.ssh.identity) {
            imported
                .relative_keys
                .push(format!("{}: {rel} → {abs}", sv.host.name));
        }
    }
    imported.not_ssh = not_ssh
        .iter()
        .map(|(h, _, kind)| (h.name.clone(), kind.clone()))
        .collect();
    if inv.hosts.is_empty() {
        imported.no_hosts = Some(inv.commented_hosts);
    }
    Ok(imported)
}

/// Whether `v` is a capdo id.
fn is_id(v: &str) -> bool {
    !v.is_empty() && v.len() <= 64 && sanitize(v) == v
}

/// `v` as a zone, or why it is not one (with a suggestion).
pub fn zone(v: &str) -> Result<Zone, String> {
    Zone::ALL
        .iter()
        .copied()
        .find(|z| z.as_str() == v)
        .ok_or_else(|| {
            let hint = crate::diag::suggest(v, Zone::ALL.iter().map(|z| z.as_str()))
                .unwrap_or_else(|| format!("one of {}", ZONES.replace(" |", ",")));
            format!("`{v}` is not a zone ({hint})")
        })
}

/// `v` as a data centre id for `--datacenter`, or why it is not one.
pub fn datacenter_id(v: &str) -> Result<String, String> {
    if is_id(v) {
        Ok(v.to_owned())
    } else {
        Err(format!(
            "`{v}` is not a capdo id (lowercase letters, digits, `-` and `_`; at most 64)"
        ))
    }
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

fn write(
    inv: &Inventory,
    servers: &[Server<'_>],
    not_ssh: &[(&Host, String, String)],
    options: &Options,
) -> Imported {
    let regime = options.regime;
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
    if inv.hosts.is_empty() {
        todos += 1;
        let why = match inv.commented_hosts {
            0 => "it names no host".to_owned(),
            1 => "its one host line is commented out".to_owned(),
            n => format!("all its {n} host lines are commented out"),
        };
        let _ = writeln!(
            o,
            "# TODO: no server was imported: {why}. Uncomment the hosts in `{source}` (or list them)\n\
             # and import again.\n"
        );
    }
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
             # TODO: the name of this data centre (trung tâm dữ liệu), named `{dc}` by capdo_datacenter or\n\
             # --datacenter: uncomment `name` and write it.\n\
             # name = \"…\"\n"
        );
    }
    if datacenters.is_empty() || placed.iter().any(|(d, _)| d.is_none()) {
        todos += 1;
        let _ = writeln!(
            o,
            "# TODO: the data centres (trung tâm dữ liệu). Ansible does not know them: uncomment the\n\
             # table below, both `[datacenters.dc1]` and its `name`, name it (add one table per data\n\
             # centre), and point every network below at one (or import again with `--datacenter ID`,\n\
             # or set `capdo_datacenter` in Ansible).\n\
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
                let given = match &sv.connect_name {
                    Some(n) => format!("Ansible connects to\n# `{n}`, a name, not an address"),
                    None => "Ansible's address for\n# it is a template (below)".to_owned(),
                };
                let _ = writeln!(
                    o,
                    "# TODO: the IP address of this host and the network that holds it: {given}.\n\
                     # network = \"…\"\n\
                     # address = [\"…\"]"
                );
            }
        }
        for (key, text) in &sv.templates {
            todos += 1;
            let _ = writeln!(
                o,
                "# TODO: `{key}` is the template `{text}`, which capdo cannot resolve (it resolves only\n\
                 # `{{{{ variable }}}}` with the variable set for this host): write the value it stands for."
            );
        }
        if let Some((shown, written)) = &sv.jump_outside {
            todos += 1;
            let _ = writeln!(
                o,
                "# TODO: Ansible jumps through `{shown}` (`{written}` in its SSH arguments), which is\n\
                 # not a host of this inventory: add it as a server and write `ssh = {{ jump = \"its id\" }}`\n\
                 # here, or capdo connects directly."
            );
        }
        if let Some(rel) = &sv.relative_key {
            let _ = writeln!(
                o,
                "# The key file `{rel}` is relative: ssh reads it from the folder Ansible runs in, taken\n\
                 # to be where `capdo import` ran. Check the path below."
            );
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

    for (host, id, kind) in not_ssh {
        todos += 1;
        let _ = writeln!(
            o,
            "# TODO: Ansible reaches `{}` over `{kind}`, not SSH, so capdo does not import it as a\n\
             # server. Uncomment it only if it also runs sshd and capdo should audit it.\n\
             # [servers.{id}]",
            host.name
        );
        if *id != host.name {
            let _ = writeln!(o, "# name = {}", s(&host.name));
        }
        let address = match reach::setting(host, &reach::HOST) {
            Setting::Value(v, _) => v.parse::<IpAddr>().ok(),
            _ => host.name.parse::<IpAddr>().ok(),
        };
        let _ = writeln!(o, "# network = \"…\"");
        match address {
            Some(a) => {
                let _ = writeln!(o, "# address = [{}]", s(&a.to_string()));
            }
            None => {
                let _ = writeln!(o, "# address = [\"…\"]");
            }
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
        not_ssh: Vec::new(),
        outside_jumps: Vec::new(),
        unresolved: Vec::new(),
        relative_keys: Vec::new(),
        no_hosts: None,
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

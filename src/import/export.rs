//! Writing capdo's servers as an Ansible inventory (INI or YAML), grouped by system
//! (`system_<id>`), zone (`zone_<zone>`) and effective level (`level_<n>`), with
//! `ansible_host`, `ansible_port` and `ansible_user` taken from the inventory, so a playbook
//! can deploy what `capdo render` writes to the right hosts.
//!
//! Every server is written once with its variables in the group `capdo`; the other groups list
//! names only. Ansible group names allow letters, digits and `_` only, so `-` in ids and zones
//! becomes `_`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::graph::Graph;
use crate::inventory::{Inventory, NodeRef};

/// Output format of `capdo export ansible`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ini,
    Yaml,
}

/// One host line: the server id and its variables, in order.
type HostVars = Vec<(&'static str, String)>;

struct Layout {
    /// Variables every host shares (from `[defaults.ssh]`).
    all: HostVars,
    /// Each server with its own variables.
    hosts: Vec<(String, HostVars)>,
    /// Group name → server ids, in inventory order.
    groups: BTreeMap<String, Vec<String>>,
}

fn group_name(prefix: &str, id: &str) -> String {
    format!("{prefix}_{}", id.replace('-', "_"))
}

fn layout(inv: &Inventory, graph: &Graph) -> Layout {
    let mut all = HostVars::new();
    if let Some(u) = &inv.default_ssh.user {
        all.push(("ansible_user", u.clone()));
    }
    if let Some(p) = inv.default_ssh.port {
        all.push(("ansible_port", p.to_string()));
    }
    let mut hosts = Vec::new();
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, sv) in inv.servers.iter().enumerate() {
        let mut vars = HostVars::new();
        if let Some(a) = sv.addresses.first() {
            vars.push(("ansible_host", a.to_string()));
        }
        if let Some(p) = sv.ssh.port.filter(|p| Some(*p) != inv.default_ssh.port) {
            vars.push(("ansible_port", p.to_string()));
        }
        if let Some(u) = sv
            .ssh
            .user
            .as_ref()
            .filter(|u| Some(*u) != inv.default_ssh.user.as_ref())
        {
            vars.push(("ansible_user", u.clone()));
        }
        // A bastion capdo jumps through is one Ansible must jump through too.
        let jump = sv.ssh.jump.or(inv.default_ssh.jump).filter(|&j| j != i);
        if let Some((j, a)) = jump
            .and_then(|j| inv.servers.get(j))
            .and_then(|j| Some((j, j.addresses.first()?)))
        {
            let user = j.ssh.user.as_ref().or(inv.default_ssh.user.as_ref());
            let port = j.ssh.port.or(inv.default_ssh.port);
            let host = match a {
                std::net::IpAddr::V6(_) => format!("[{a}]"),
                std::net::IpAddr::V4(_) => a.to_string(),
            };
            vars.push((
                "ansible_ssh_common_args",
                format!(
                    "-o ProxyJump={}{host}{}",
                    user.map(|u| format!("{u}@")).unwrap_or_default(),
                    port.map(|p| format!(":{p}")).unwrap_or_default()
                ),
            ));
        }
        hosts.push((sv.id.clone(), vars));
        let zone = inv.networks[sv.network].zone.as_str();
        groups
            .entry(group_name("zone", zone))
            .or_default()
            .push(sv.id.clone());
        if let Some(level) = graph.level_of(inv, NodeRef::Server(i)) {
            groups
                .entry(format!("level_{}", level.get()))
                .or_default()
                .push(sv.id.clone());
        }
    }
    for sys in &inv.systems {
        let members = groups.entry(group_name("system", &sys.id)).or_default();
        for &s in &sys.servers {
            members.push(inv.servers[s].id.clone());
        }
    }
    Layout { all, hosts, groups }
}

/// The Ansible inventory text of `inv`.
pub fn ansible(inv: &Inventory, graph: &Graph, format: Format) -> String {
    let l = layout(inv, graph);
    match format {
        Format::Ini => ini(&l),
        Format::Yaml => yaml(&l),
    }
}

const HEADER: &str = "Written by `capdo export ansible` from the capdo inventory; edit that, not this.\n\
Groups: system_<id> (the servers of a system), zone_<zone> (network zone), level_<n> (effective level).";

fn ini(l: &Layout) -> String {
    let mut o = String::new();
    for line in HEADER.lines() {
        let _ = writeln!(o, "# {line}");
    }
    // Every server with its variables, once; the groups below list names only.
    let _ = writeln!(o, "\n[capdo]");
    for (id, vars) in &l.hosts {
        let _ = write!(o, "{id}");
        for (k, v) in vars {
            let _ = write!(o, " {k}={}", ini_value(v));
        }
        o.push('\n');
    }
    if !l.all.is_empty() {
        let _ = writeln!(o, "\n[all:vars]");
        for (k, v) in &l.all {
            let _ = writeln!(o, "{k}={v}");
        }
    }
    for (g, members) in &l.groups {
        let _ = writeln!(o, "\n[{g}]");
        for m in members {
            let _ = writeln!(o, "{m}");
        }
    }
    o
}

/// Quote a host-line value that holds blanks, quotes or `#`.
fn ini_value(v: &str) -> String {
    if v.is_empty() || v.contains(|c: char| c.is_whitespace() || "\"'#\\".contains(c)) {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        v.to_owned()
    }
}

fn yaml(l: &Layout) -> String {
    let mut o = String::new();
    for line in HEADER.lines() {
        let _ = writeln!(o, "# {line}");
    }
    let _ = writeln!(o, "all:");
    if !l.all.is_empty() {
        let _ = writeln!(o, "  vars:");
        for (k, v) in &l.all {
            let _ = writeln!(o, "    {k}: {}", yaml_value(v));
        }
    }
    let _ = writeln!(o, "  children:");
    let _ = writeln!(o, "    capdo:");
    let _ = writeln!(o, "      hosts:");
    for (id, vars) in &l.hosts {
        if vars.is_empty() {
            let _ = writeln!(o, "        {}: {{}}", yaml_value(id));
            continue;
        }
        let _ = writeln!(o, "        {}:", yaml_value(id));
        for (k, v) in vars {
            let _ = writeln!(o, "          {k}: {}", yaml_value(v));
        }
    }
    for (g, members) in &l.groups {
        let _ = writeln!(o, "    {g}:");
        if members.is_empty() {
            let _ = writeln!(o, "      hosts: {{}}");
            continue;
        }
        let _ = writeln!(o, "      hosts:");
        for m in members {
            let _ = writeln!(o, "        {}:", yaml_value(m));
        }
    }
    o
}

/// A YAML scalar: plain when it is a number or a simple word, double-quoted otherwise.
fn yaml_value(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        && !matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~"
        )
        && !v.starts_with(['-', '.']);
    if plain {
        v.to_owned()
    } else {
        serde_json::Value::String(v.to_owned()).to_string()
    }
}

//! Reading an Ansible inventory: the INI and YAML formats, groups and their children, host
//! ranges, inventory variables and the `group_vars/` and `host_vars/` folders beside the file,
//! merged in Ansible's order of precedence.

mod ini;
mod range;
mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// Where something was written: a file and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// A problem in the Ansible inventory, at the place it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub at: Origin,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// Every problem found in an Ansible inventory (at least one).
#[derive(Debug)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// A variable's value. Only scalars matter to capdo; lists and maps are kept as `Other`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    Other,
}

impl Value {
    /// The value as text, for scalars.
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Int(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Other => None,
        }
    }
}

/// A variable and where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub value: Value,
    pub at: Origin,
}

pub type Vars = BTreeMap<String, Var>;

/// A group as written: its hosts, child groups and variables.
#[derive(Debug, Clone, Default)]
pub struct Group {
    pub hosts: Vec<String>,
    pub children: Vec<String>,
    pub vars: Vars,
    pub at: Option<Origin>,
}

/// The inventory as written, before variables are merged.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Hosts in the order they first appear, with the variables written on them.
    pub hosts: Vec<(String, Vars, Origin)>,
    pub groups: BTreeMap<String, Group>,
    /// Where each host is in `hosts`, and the (group, host) memberships already recorded:
    /// adding a host costs the same whether the inventory has ten hosts or 100,000.
    seen: std::collections::HashMap<String, usize>,
    members: std::collections::HashSet<(String, String)>,
    /// More hosts or group memberships than [`MAX_HOSTS`] / [`MAX_MEMBERSHIPS`] were named;
    /// the rest was not recorded and the import is refused.
    pub over_limit: bool,
    /// Comment lines in host sections that read as host lines (`# node1 ansible_host=…`).
    pub commented_hosts: usize,
}

/// The most hosts an inventory may name (a national roll-out is about 100,000 servers).
pub const MAX_HOSTS: usize = 200_000;

/// The most (group, host) memberships an inventory may name.
pub const MAX_MEMBERSHIPS: usize = 2_000_000;

impl Parsed {
    /// Record `host` (with `vars`) as a member of `group`.
    fn add_host(&mut self, group: &str, host: &str, vars: Vars, at: Origin) {
        if self.hosts.len() >= MAX_HOSTS || self.members.len() >= MAX_MEMBERSHIPS {
            self.over_limit = true;
            return;
        }
        match self.seen.get(host) {
            Some(&i) => self.hosts[i].1.extend(vars),
            None => {
                self.seen.insert(host.to_owned(), self.hosts.len());
                self.hosts.push((host.to_owned(), vars, at));
            }
        }
        let g = self.groups.entry(group.to_owned()).or_default();
        if self.members.insert((group.to_owned(), host.to_owned())) {
            g.hosts.push(host.to_owned());
        }
    }

    fn group(&mut self, name: &str, at: &Origin) -> &mut Group {
        let g = self.groups.entry(name.to_owned()).or_default();
        if g.at.is_none() {
            g.at = Some(at.clone());
        }
        g
    }
}

/// One host with every variable that applies to it, merged in Ansible's order.
#[derive(Debug, Clone)]
pub struct Host {
    /// The inventory name (`inventory_hostname`).
    pub name: String,
    pub vars: Vars,
    /// Every group the host belongs to, directly or through children, except `all`.
    pub groups: Vec<String>,
    pub at: Origin,
}

impl Host {
    /// A scalar variable as text.
    pub fn var(&self, key: &str) -> Option<(String, &Origin)> {
        let v = self.vars.get(key)?;
        Some((v.value.text()?, &v.at))
    }
}

/// An Ansible inventory with its variables merged.
#[derive(Debug)]
pub struct Inventory {
    pub file: PathBuf,
    pub hosts: Vec<Host>,
    /// Groups (except `all` and `ungrouped`) and their hosts, directly or through children.
    pub groups: BTreeMap<String, Vec<String>>,
    /// Variable files encrypted with ansible-vault, which were not read.
    pub vaulted: Vec<PathBuf>,
    /// Commented-out host lines (`# node1 ansible_host=…`), which say why an inventory
    /// without hosts has none.
    pub commented_hosts: usize,
}

/// Read the inventory `path` (INI or YAML) and the `group_vars/` and `host_vars/` folders
/// beside it.
pub fn load(path: &Path) -> anyhow::Result<Inventory> {
    if path.is_dir() {
        anyhow::bail!(
            "`{}` is a folder; name the inventory file in it (hosts, hosts.ini, inventory.yml, …)",
            path.display()
        );
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read `{}`: {e}", path.display()))?;
    let parsed = if is_yaml(path, &text) {
        yaml::parse_inventory(path, &text)
    } else {
        ini::parse(path, &text)
    }
    .map_err(Problems)?;
    if parsed.over_limit {
        anyhow::bail!(
            "`{}` names more than {MAX_HOSTS} hosts or {MAX_MEMBERSHIPS} group memberships (after expanding its ranges); split it, or check its ranges for a typo",
            path.display()
        );
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut vaulted = Vec::new();
    let group_vars = read_vars_dir(&dir.join("group_vars"), &mut vaulted)?;
    let host_vars = read_vars_dir(&dir.join("host_vars"), &mut vaulted)?;
    let mut inv = resolve(path, parsed, &group_vars, &host_vars).map_err(Problems)?;
    inv.vaulted = vaulted;
    Ok(inv)
}

/// `host:port`, as Ansible splits a host pattern: the port after the last colon outside a
/// range (`web[01:03].example:2222`), or after a bracketed IPv6 address (`[fd00::1]:22`); a
/// bare IPv6 address (several colons) has no port.
pub(crate) fn host_port(token: &str) -> (&str, Option<&str>) {
    let is_port = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = token.strip_prefix('[')
        && let Some((inside, port)) = rest.split_once("]:")
        && inside.parse::<std::net::Ipv6Addr>().is_ok()
        && is_port(port)
    {
        return (inside, Some(port));
    }
    // Colons outside `[…]`: exactly one, followed by digits, is a port.
    let mut depth = 0usize;
    let mut outside = Vec::new();
    for (i, c) in token.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => outside.push(i),
            _ => {}
        }
    }
    match outside.as_slice() {
        [i] if is_port(&token[i + 1..]) && *i > 0 => (&token[..*i], Some(&token[i + 1..])),
        _ => (token, None),
    }
}

/// YAML by extension, otherwise by a look at the first line that says something.
fn is_yaml(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some("yml" | "yaml" | "json") => return true,
        Some("ini" | "cfg") => return false,
        _ => {}
    }
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'));
    first.is_some_and(|l| {
        l == "---" || l.starts_with('{') || (!l.starts_with('[') && l.ends_with(':'))
    })
}

/// `group_vars/NAME{,.yml,.yaml,.json}` or `group_vars/NAME/*`: the variables per name.
/// Files encrypted with ansible-vault are skipped and listed in `vaulted`: they hold secrets,
/// which capdo neither needs nor keeps.
fn read_vars_dir(dir: &Path, vaulted: &mut Vec<PathBuf>) -> anyhow::Result<BTreeMap<String, Vars>> {
    let mut out: BTreeMap<String, Vars> = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut problems = Vec::new();
    for path in paths {
        let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if file_name.starts_with('.') {
            continue;
        }
        let (name, files) = if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
                .map_err(|e| anyhow::anyhow!("cannot read `{}`: {e}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && vars_file(p))
                .collect();
            files.sort();
            (file_name.to_owned(), files)
        } else if vars_file(&path) {
            let stem = match path.extension().and_then(|e| e.to_str()) {
                Some("yml" | "yaml" | "json") => path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or(file_name),
                _ => file_name,
            };
            (stem.to_owned(), vec![path.clone()])
        } else {
            continue;
        };
        for file in files {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read `{}`: {e}", file.display()))?;
            if text.trim_start().starts_with("$ANSIBLE_VAULT;") {
                vaulted.push(file);
                continue;
            }
            match yaml::parse_vars_file(&file, &text) {
                Ok(vars) => out.entry(name.clone()).or_default().extend(vars),
                Err(p) => problems.extend(p),
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Problems(problems).into())
    }
}

/// Files Ansible reads as variables: YAML, JSON, or no extension; not backups or notes.
fn vars_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        None | Some("yml" | "yaml" | "json")
    )
}

/// Children nested deeper than this are refused: no inventory comes near it, and the work of
/// merging grows with it.
const MAX_GROUP_DEPTH: usize = 64;

/// Merge the variables of each host as Ansible does: the inventory file's group variables of
/// every group, from the least specific (`all`) to the most (deepest child; by name among
/// equals); then `group_vars/` files in the same order; then the host's own; then
/// `host_vars/`.
fn resolve(
    file: &Path,
    mut parsed: Parsed,
    group_vars: &BTreeMap<String, Vars>,
    host_vars: &BTreeMap<String, Vars>,
) -> Result<Inventory, Vec<Problem>> {
    let at = Origin {
        file: file.to_owned(),
        line: 1,
    };
    parsed.group("all", &at);
    // Children and hosts that no group lists land where Ansible puts them.
    let named: BTreeSet<String> = parsed
        .groups
        .values()
        .flat_map(|g| g.children.iter().cloned())
        .collect();
    let mut problems = Vec::new();
    for (name, g) in &parsed.groups {
        for child in &g.children {
            if !parsed.groups.contains_key(child) {
                problems.push(Problem {
                    at: g.at.clone().unwrap_or_else(|| at.clone()),
                    message: format!(
                        "group `{name}` lists child group `{child}`, which is not defined"
                    ),
                });
            }
        }
    }
    let top: Vec<String> = parsed
        .groups
        .keys()
        .filter(|k| *k != "all" && !named.contains(*k))
        .cloned()
        .collect();
    if let Some(all) = parsed.groups.get_mut("all") {
        for t in top {
            if !all.children.contains(&t) {
                all.children.push(t);
            }
        }
    }
    // Parents, then the groups in topological order from `all` (Kahn), which gives each
    // group its depth (longest path from `all`) and its ancestors without recursion, and
    // leaves out exactly the groups in or below a cycle.
    let mut parents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut pending: BTreeMap<&str, usize> =
        parsed.groups.keys().map(|k| (k.as_str(), 0)).collect();
    for (name, g) in &parsed.groups {
        for c in &g.children {
            let p = parents.entry(c.as_str()).or_default();
            if !p.contains(&name.as_str()) {
                p.push(name.as_str());
                *pending.entry(c.as_str()).or_insert(0) += 1;
            }
        }
    }
    let mut depth: BTreeMap<&str, usize> = BTreeMap::new();
    let mut ancestors: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut ready: Vec<&str> = pending
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(k, _)| *k)
        .collect();
    while let Some(g) = ready.pop() {
        let d = depth.get(g).copied().unwrap_or(0);
        depth.entry(g).or_insert(d);
        let mut mine = ancestors.get(g).cloned().unwrap_or_default();
        mine.insert(g);
        for c in parsed
            .groups
            .get(g)
            .map(|x| x.children.as_slice())
            .unwrap_or_default()
        {
            if d + 1 > MAX_GROUP_DEPTH {
                return Err(vec![Problem {
                    at: parsed
                        .groups
                        .get(c)
                        .and_then(|x| x.at.clone())
                        .unwrap_or_else(|| at.clone()),
                    message: format!(
                        "groups nest more than {MAX_GROUP_DEPTH} levels deep (at `{c}`)"
                    ),
                }]);
            }
            let cd = depth.entry(c.as_str()).or_insert(0);
            *cd = (*cd).max(d + 1);
            ancestors
                .entry(c.as_str())
                .or_default()
                .extend(mine.iter().copied());
            if let Some(n) = pending.get_mut(c.as_str()) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    ready.push(c.as_str());
                }
            }
        }
        pending.remove(g);
    }
    if let Some((&start, _)) = pending.iter().next() {
        // Walk up through parents that are also left until a group repeats: that is a cycle.
        let mut path = vec![start];
        let cycle = loop {
            let last = path[path.len() - 1];
            let Some(&up) = parents
                .get(last)
                .and_then(|ps| ps.iter().find(|p| pending.contains_key(**p)))
            else {
                break path.clone();
            };
            if let Some(i) = path.iter().position(|p| *p == up) {
                let mut c: Vec<&str> = path[i..].to_vec();
                c.reverse();
                c.push(c[0]);
                break c;
            }
            path.push(up);
        };
        problems.push(Problem {
            at: parsed
                .groups
                .get(cycle[0])
                .and_then(|g| g.at.clone())
                .unwrap_or_else(|| at.clone()),
            message: format!("group children form a cycle: {}", cycle.join(" → ")),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // The groups of each host: the ones listing it, and all their ancestors.
    let mut member_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, g) in &parsed.groups {
        for h in &g.hosts {
            let set = member_of.entry(h.as_str()).or_default();
            set.insert(name.as_str());
            set.extend(ancestors.get(name.as_str()).into_iter().flatten().copied());
        }
    }
    let mut hosts = Vec::new();
    for (name, own, at) in &parsed.hosts {
        let mut groups: Vec<String> = member_of
            .get(name.as_str())
            .map(|s| {
                s.iter()
                    .filter(|g| **g != "all")
                    .map(|g| (*g).to_owned())
                    .collect()
            })
            .unwrap_or_default();
        groups.sort_by(|a, b| {
            depth
                .get(a.as_str())
                .cmp(&depth.get(b.as_str()))
                .then_with(|| a.cmp(b))
        });
        let mut vars = Vars::new();
        let chain: Vec<&str> = std::iter::once("all")
            .chain(groups.iter().map(String::as_str))
            .collect();
        // Every group's variables written in the inventory file come before any of
        // `group_vars/` (Ansible's precedence: inventory file group vars, then
        // `group_vars/all`, then the other `group_vars/` files).
        for g in &chain {
            if let Some(group) = parsed.groups.get(*g) {
                vars.extend(group.vars.clone());
            }
        }
        for g in &chain {
            if let Some(v) = group_vars.get(*g) {
                vars.extend(v.clone());
            }
        }
        vars.extend(own.clone());
        if let Some(v) = host_vars.get(name) {
            vars.extend(v.clone());
        }
        groups.retain(|g| g != "ungrouped");
        hosts.push(Host {
            name: name.clone(),
            vars,
            groups,
            at: at.clone(),
        });
    }
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for h in &hosts {
        for g in &h.groups {
            groups.entry(g.clone()).or_default().push(h.name.clone());
        }
    }
    Ok(Inventory {
        file: file.to_owned(),
        hosts,
        groups,
        vaulted: Vec::new(),
        commented_hosts: parsed.commented_hosts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14, item 9: adding a host is a hash lookup, not a scan of the hosts so far, and
    /// a range that would name too many hosts is refused instead of filling memory.
    #[test]
    fn many_hosts_in_several_groups_are_recorded_once_each_and_a_flood_is_refused() {
        let text = "[web]\nh[00001:80000]\n[all_web]\nh[00001:80000]\n[again]\nh[00001:80000]\n";
        let parsed = ini::parse(Path::new("hosts"), text).expect("parses");
        assert_eq!(parsed.hosts.len(), 80_000);
        assert_eq!(parsed.groups["again"].hosts.len(), 80_000);
        assert!(!parsed.over_limit);
        let flood: String = (0..3)
            .map(|g| format!("[g{g}]\nh{g}-[000001:099999]\n"))
            .collect();
        let parsed = ini::parse(Path::new("hosts"), &flood).expect("parses");
        assert!(parsed.over_limit);
        assert!(parsed.hosts.len() <= MAX_HOSTS);
    }

    #[test]
    fn ports_split_off_names_ranges_and_bracketed_ipv6_only() {
        assert_eq!(host_port("fd00::1"), ("fd00::1", None));
        assert_eq!(host_port("h:22"), ("h", Some("22")));
        assert_eq!(
            host_port("host-e-[10:16].example.net:1234"),
            ("host-e-[10:16].example.net", Some("1234"))
        );
        assert_eq!(host_port("web[01:03]"), ("web[01:03]", None));
        assert_eq!(host_port("[fd00::1]:2222"), ("fd00::1", Some("2222")));
        assert_eq!(host_port("h:x"), ("h:x", None));
    }

    fn var(v: &str, line: usize) -> Var {
        Var {
            value: Value::Str(v.to_owned()),
            at: Origin {
                file: PathBuf::from("hosts"),
                line,
            },
        }
    }

    /// Ansible's order: `all`, then parents before children, every inventory group variable
    /// before any `group_vars/` file (issue 17: `group_vars/prod` beats `[web:vars]`), then the
    /// host's own, then `host_vars/`.
    #[test]
    fn variables_merge_in_ansible_order() {
        let parsed = ini::parse(
            Path::new("hosts"),
            "[web]\nweb01 own=host\nweb02\n[prod:children]\nweb\n\
             [all:vars]\nlevel=all\nown=all\n[prod:vars]\nlevel=prod\n[web:vars]\nlevel=web\nfile=inventory\n",
        )
        .expect("parses");
        let group_vars = BTreeMap::from([
            (
                "web".to_owned(),
                Vars::from([("file".to_owned(), var("group_vars", 1))]),
            ),
            (
                "prod".to_owned(),
                Vars::from([("level".to_owned(), var("prod-file", 1))]),
            ),
        ]);
        let host_vars = BTreeMap::from([(
            "web02".to_owned(),
            Vars::from([("own".to_owned(), var("host_vars", 1))]),
        )]);
        let inv = resolve(Path::new("hosts"), parsed, &group_vars, &host_vars).expect("resolves");
        let get = |h: usize, k: &str| inv.hosts[h].var(k).map(|(v, _)| v);
        assert_eq!(get(0, "level").as_deref(), Some("prod-file"));
        assert_eq!(get(0, "file").as_deref(), Some("group_vars"));
        assert_eq!(get(0, "own").as_deref(), Some("host"));
        assert_eq!(get(1, "own").as_deref(), Some("host_vars"));
        assert_eq!(inv.hosts[0].groups, ["prod", "web"]);
        assert_eq!(inv.groups["prod"], ["web01", "web02"]);
    }
}

#[cfg(test)]
mod fuzz {
    use std::path::Path;

    use proptest::prelude::*;

    use super::{ini, range, resolve, yaml};

    /// Lines built from the pieces Ansible inventories are made of, so the parsers get past
    /// their first check.
    fn inventory_text() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "[web]",
            "[web:children]",
            "[web:vars]",
            "[all:vars]",
            "[db",
            "web01",
            "web[01:03]",
            "h[a:c][1:2]",
            "x=1",
            "ansible_host=10.0.0.1",
            "'quoted value",
            "\"q\"",
            "# c",
            "; c",
            ":",
            "all:",
            "  hosts:",
            "    web01:",
            "  children:",
            "    db:",
            "  vars:",
            "- a",
            "{",
            "}",
            "[",
            "]",
            "\t",
            "é",
            "\u{feff}",
        ]);
        prop::collection::vec(prop::collection::vec(piece, 0..4), 0..12).prop_map(|lines| {
            lines
                .iter()
                .map(|l| l.join(" "))
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    proptest! {
        #[test]
        fn parsers_never_panic(text in inventory_text(), raw in ".{0,200}") {
            for t in [&text, &raw] {
                let parsed = [
                    ini::parse(Path::new("hosts"), t),
                    yaml::parse_inventory(Path::new("inv.yml"), t),
                ];
                for p in parsed.into_iter().flatten() {
                    if let Ok(inv) = resolve(Path::new("h"), p, &Default::default(), &Default::default()) {
                        let options = crate::import::to_toml::Options {
                            regime: crate::inventory::Regime::Nd331,
                            datacenter: None,
                            zone: None,
                            base: std::path::PathBuf::from("/"),
                        };
                        let _ = crate::import::to_toml::to_toml(&inv, &options);
                    }
                }
                let _ = yaml::parse_vars_file(Path::new("all.yml"), t);
                let _ = range::expand(t);
            }
        }
    }
}

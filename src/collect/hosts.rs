//! How to reach each server: its address, port, user, keys, known_hosts and jump host, from
//! (first wins) the command line, the server's `ssh` table, the operator's `~/.ssh/config`, the
//! inventory's `[defaults.ssh]`, and built-in defaults.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::transport::HostSpec;
use crate::inventory::Inventory;

/// Settings from the command line and the environment.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub identity: Option<PathBuf>,
    pub known_hosts: Option<PathBuf>,
    pub timeout: Option<Duration>,
    /// The operator's `~/.ssh/config`, if any.
    pub ssh_config: Option<SshConfig>,
    /// Relative paths in the inventory resolve against this folder.
    pub inventory_dir: PathBuf,
    /// For `~` in paths and the default key and known_hosts locations.
    pub home: Option<PathBuf>,
    /// The login user when nothing else names one.
    pub local_user: Option<String>,
}

/// Connect and per-step timeout when nothing sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The whole exchange with a host may take this many timeouts.
const DEADLINE_STEPS: u32 = 4;

impl Options {
    /// How to reach hosts: the key, known_hosts file and timeout the command line names, the
    /// inventory's folder (relative paths in the inventory resolve against it), and the
    /// operator's home folder with its `~/.ssh/config`.
    pub fn discover(
        identity: Option<PathBuf>,
        known_hosts: Option<PathBuf>,
        timeout: Option<Duration>,
        inventory: &std::path::Path,
    ) -> Options {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let ssh_config = home
            .as_ref()
            .map(|h| h.join(".ssh/config"))
            .filter(|p| p.is_file())
            .and_then(|p| std::fs::read_to_string(p).ok())
            .map(|t| SshConfig::parse(&t));
        let inventory_dir = if inventory.is_dir() {
            inventory.to_path_buf()
        } else {
            inventory
                .parent()
                .map(|p| p.to_path_buf())
                .unwrap_or_default()
        };
        Options {
            identity,
            known_hosts,
            timeout,
            ssh_config,
            inventory_dir,
            home,
            local_user: std::env::var("USER").ok(),
        }
    }

    fn path(&self, p: &str) -> PathBuf {
        if let Some(rest) = p.strip_prefix("~/")
            && let Some(home) = &self.home
        {
            return home.join(rest);
        }
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.inventory_dir.join(p)
        }
    }

    /// A path from ~/.ssh/config: `~` expands, relative paths are relative to the home folder.
    fn config_path(&self, p: &str) -> PathBuf {
        match (p.strip_prefix("~/"), &self.home) {
            (Some(rest), Some(home)) => home.join(rest),
            (None, Some(home)) if !Path::new(p).is_absolute() => home.join(p),
            _ => PathBuf::from(p),
        }
    }
}

/// How to reach server `server`.
pub fn host_spec(inv: &Inventory, server: usize, opts: &Options) -> HostSpec {
    spec(inv, server, opts, 0)
}

fn spec(inv: &Inventory, server: usize, opts: &Options, depth: usize) -> HostSpec {
    let s = &inv.servers[server];
    let d = &inv.default_ssh;
    let cfg = opts
        .ssh_config
        .as_ref()
        .map(|c| c.query(&s.id))
        .unwrap_or_default();
    let address = cfg
        .hostname
        .clone()
        .or_else(|| s.addresses.first().map(|a| a.to_string()))
        .unwrap_or_else(|| s.id.clone());
    let user = s
        .ssh
        .user
        .clone()
        .or(cfg.user.clone())
        .or(d.user.clone())
        .or(opts.local_user.clone())
        .unwrap_or_else(|| "root".into());
    let port = s.ssh.port.or(cfg.port).or(d.port).unwrap_or(22);
    let mut identities = Vec::new();
    if let Some(p) = &opts.identity {
        identities.push(p.clone());
    }
    if let Some(p) = s.ssh.identity.as_deref() {
        identities.push(opts.path(p));
    }
    identities.extend(cfg.identity_files.iter().map(|p| opts.config_path(p)));
    if let Some(p) = d.identity.as_deref() {
        identities.push(opts.path(p));
    }
    if identities.is_empty()
        && let Some(home) = &opts.home
    {
        for name in ["id_ed25519", "id_ecdsa", "id_rsa"] {
            identities.push(home.join(".ssh").join(name));
        }
    }
    identities.dedup();
    // Only the operator's own file may be written (`--accept-new-host-keys`): the one named on
    // the command line, or the default. One the inventory names is read, never appended to.
    let inventory_known_hosts = s.ssh.known_hosts.as_deref().or(d.known_hosts.as_deref());
    let (known_hosts, known_hosts_writable) = match (&opts.known_hosts, inventory_known_hosts) {
        (Some(p), _) => (p.clone(), true),
        (None, Some(p)) => (opts.path(p), false),
        (None, None) => (
            opts.home
                .as_ref()
                .map(|h| h.join(".ssh/known_hosts"))
                .unwrap_or_else(|| PathBuf::from(".ssh/known_hosts")),
            true,
        ),
    };
    let timeout = opts
        .timeout
        .or(s.ssh.timeout.map(|t| Duration::from_secs(u64::from(t))))
        .or(d.timeout.map(|t| Duration::from_secs(u64::from(t))))
        .unwrap_or(DEFAULT_TIMEOUT);
    // An inventory jump wins; ProxyJump from ~/.ssh/config may name an inventory server or a
    // host of its own. Chains are bounded (validation rejects inventory cycles).
    let jump = if depth >= 8 {
        None
    } else if let Some(j) = inv.jump_of(server) {
        Some(Box::new(spec(inv, j, opts, depth + 1)))
    } else {
        cfg.proxy_jump.as_deref().and_then(|pj| {
            proxy_jump(
                inv,
                pj,
                &user,
                &identities,
                (&known_hosts, known_hosts_writable),
                timeout,
                opts,
                depth,
            )
        })
    };
    HostSpec {
        id: s.id.clone(),
        address,
        port,
        user,
        identities,
        known_hosts,
        known_hosts_writable,
        jump,
        timeout,
        deadline: timeout * DEADLINE_STEPS,
    }
}

/// `ProxyJump [user@]host[:port]` (the first hop of a chain), as an inventory server when it
/// names one.
#[allow(clippy::too_many_arguments)]
fn proxy_jump(
    inv: &Inventory,
    text: &str,
    user: &str,
    identities: &[PathBuf],
    (known_hosts, known_hosts_writable): (&Path, bool),
    timeout: Duration,
    opts: &Options,
    depth: usize,
) -> Option<Box<HostSpec>> {
    let first = text.split(',').next()?.trim();
    if first.eq_ignore_ascii_case("none") || first.is_empty() {
        return None;
    }
    let (u, rest) = match first.split_once('@') {
        Some((u, r)) => (Some(u.to_owned()), r),
        None => (None, first),
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.starts_with('[') => (
            h.trim_start_matches('[').trim_end_matches(']').to_owned(),
            p.parse().ok(),
        ),
        _ => (rest.to_owned(), None),
    };
    if let Some(crate::inventory::NodeRef::Server(j)) = inv.lookup(&host) {
        let mut s = spec(inv, j, opts, depth + 1);
        if let Some(u) = u {
            s.user = u;
        }
        if let Some(p) = port {
            s.port = p;
        }
        return Some(Box::new(s));
    }
    let cfg = opts
        .ssh_config
        .as_ref()
        .map(|c| c.query(&host))
        .unwrap_or_default();
    Some(Box::new(HostSpec {
        id: host.clone(),
        address: cfg.hostname.clone().unwrap_or(host),
        port: port.or(cfg.port).unwrap_or(22),
        user: u.or(cfg.user).unwrap_or_else(|| user.to_owned()),
        identities: identities.to_vec(),
        known_hosts: known_hosts.to_path_buf(),
        known_hosts_writable,
        jump: None,
        timeout,
        deadline: timeout * DEADLINE_STEPS,
    }))
}

/// The parts of an OpenSSH client configuration capdo honours: `Host` blocks with `HostName`,
/// `Port`, `User`, `IdentityFile` and `ProxyJump`. `Match` blocks and `Include` are skipped
/// (their settings do not apply); `%` tokens are not expanded, so values using them are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SshConfig {
    blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Block {
    /// Host patterns; `None` for a `Match` block, which never applies.
    patterns: Option<Vec<String>>,
    settings: Vec<(String, String)>,
}

/// What the configuration says for one host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    pub hostname: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity_files: Vec<String>,
    pub proxy_jump: Option<String>,
}

impl SshConfig {
    pub fn parse(text: &str) -> SshConfig {
        let mut blocks = vec![Block {
            patterns: Some(vec!["*".into()]),
            settings: Vec::new(),
        }];
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = match line.split_once(|c: char| c.is_whitespace() || c == '=') {
                Some((k, v)) => (
                    k.to_ascii_lowercase(),
                    v.trim().trim_start_matches('=').trim(),
                ),
                None => continue,
            };
            let value = value.trim_matches('"').to_owned();
            match key.as_str() {
                "host" => blocks.push(Block {
                    patterns: Some(value.split_whitespace().map(str::to_owned).collect()),
                    settings: Vec::new(),
                }),
                "match" => blocks.push(Block {
                    patterns: None,
                    settings: Vec::new(),
                }),
                _ => {
                    if let Some(b) = blocks.last_mut() {
                        b.settings.push((key, value));
                    }
                }
            }
        }
        SshConfig { blocks }
    }

    /// The settings for `host`: for each key the first value found wins (IdentityFile
    /// accumulates), as in ssh_config(5).
    pub fn query(&self, host: &str) -> Resolved {
        let mut r = Resolved::default();
        for b in &self.blocks {
            let Some(patterns) = &b.patterns else {
                continue;
            };
            if !host_matches(patterns, host) {
                continue;
            }
            for (k, v) in &b.settings {
                if v.contains('%') {
                    continue;
                }
                match k.as_str() {
                    "hostname" if r.hostname.is_none() => r.hostname = Some(v.clone()),
                    "port" if r.port.is_none() => r.port = v.parse().ok(),
                    "user" if r.user.is_none() => r.user = Some(v.clone()),
                    "identityfile" if !r.identity_files.contains(v) => {
                        r.identity_files.push(v.clone())
                    }
                    "proxyjump" if r.proxy_jump.is_none() => r.proxy_jump = Some(v.clone()),
                    _ => {}
                }
            }
        }
        r
    }
}

/// A `Host` line applies when a pattern matches and no negated pattern does.
fn host_matches(patterns: &[String], host: &str) -> bool {
    let mut hit = false;
    for p in patterns {
        if let Some(neg) = p.strip_prefix('!') {
            if glob(neg, host) {
                return false;
            }
        } else if glob(p, host) {
            hit = true;
        }
    }
    hit
}

/// `*` and `?` wildcards, case-insensitive as OpenSSH matches host names.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "\
# operator's config
Host bastion
    HostName 203.0.113.7
    User jump
    Port 2222

Host web* !web-test
    User ops
    IdentityFile ~/.ssh/ops_ed25519
    ProxyJump bastion

Match host db01
    User nobody

Host *
    User fallback
    IdentityFile ~/.ssh/id_ed25519
    Port 22
";

    #[test]
    fn first_obtained_value_wins_and_identities_accumulate() {
        let c = SshConfig::parse(CONFIG);
        let web = c.query("web01");
        assert_eq!(web.user.as_deref(), Some("ops"));
        assert_eq!(web.port, Some(22));
        assert_eq!(web.proxy_jump.as_deref(), Some("bastion"));
        assert_eq!(
            web.identity_files,
            vec!["~/.ssh/ops_ed25519", "~/.ssh/id_ed25519"]
        );
        let b = c.query("bastion");
        assert_eq!(
            (b.hostname.as_deref(), b.user.as_deref(), b.port),
            (Some("203.0.113.7"), Some("jump"), Some(2222))
        );
    }

    #[test]
    fn negated_patterns_and_match_blocks_do_not_apply() {
        let c = SshConfig::parse(CONFIG);
        assert_eq!(c.query("web-test").user.as_deref(), Some("fallback"));
        assert_eq!(c.query("db01").user.as_deref(), Some("fallback"));
    }

    #[test]
    fn an_inventory_known_hosts_file_is_read_only_and_the_operators_is_writable() {
        use crate::policy::builtin::testing::{HEAD, inventory, server};
        let inv = inventory(&format!(
            "{HEAD}{}{}[defaults.ssh]\nknown_hosts = \"/home/ops/.ssh/authorized_keys\"\n",
            server("app01", "lan", 1, "ssh.known_hosts = \"kh\""),
            server("app02", "lan", 2, ""),
        ));
        let opts = Options {
            home: Some(PathBuf::from("/home/ops")),
            inventory_dir: PathBuf::from("/inv"),
            ..Options::default()
        };
        let kh = |o: &Options, i| {
            let s = host_spec(&inv, i, o);
            (s.known_hosts, s.known_hosts_writable)
        };
        assert_eq!(kh(&opts, 0), (PathBuf::from("/inv/kh"), false));
        assert_eq!(
            kh(&opts, 1),
            (PathBuf::from("/home/ops/.ssh/authorized_keys"), false)
        );
        // The command line wins and is the operator's file.
        let named = Options {
            known_hosts: Some(PathBuf::from("/tmp/kh")),
            ..opts.clone()
        };
        assert_eq!(kh(&named, 0), (PathBuf::from("/tmp/kh"), true));
        // Neither: the default, which is the operator's.
        let bare = inventory(&format!("{HEAD}{}", server("app01", "lan", 1, "")));
        let s = host_spec(&bare, 0, &opts);
        assert_eq!(
            (s.known_hosts, s.known_hosts_writable),
            (PathBuf::from("/home/ops/.ssh/known_hosts"), true)
        );
    }

    #[test]
    fn globs() {
        assert!(glob("*", "anything"));
        assert!(glob("web?1", "WEB01"));
        assert!(glob("*.moha.gov.vn", "dvc.moha.gov.vn"));
        assert!(!glob("*.moha.gov.vn", "moha.gov.vn"));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXbYY"));
    }
}

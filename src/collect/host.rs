//! From one host's collector output to its facts: split the sections, run each parser, and
//! record for every fact either a value or why there is none ("needs privilege", "not
//! installed", …). A fact that could not be read is never a pass.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::facts::*;
use super::parse::{self, sections::SectionRef};

mod json;
pub use json::FACT_NAMES;

/// A fact, or why it could not be read.
pub type Fact<T> = Result<T, String>;

/// Everything learnt about one host.
#[derive(Debug, Clone)]
pub struct HostFacts {
    /// The collector ran as root.
    pub root: Option<bool>,
    /// The address the host saw the SSH connection come from.
    pub client: Option<String>,
    pub os: Fact<OsRelease>,
    pub kernel: Fact<String>,
    pub hostname: Fact<String>,
    pub firewall: Fact<Firewall>,
    /// The live ruleset as the packet evaluator reads it, with the host's addresses.
    pub netfilter: Fact<super::netfilter::Netfilter>,
    pub ipv6: Fact<Ipv6>,
    pub listening: Fact<Vec<Listener>>,
    /// The sshd settings and where they came from (`sshd -T` or the config files).
    pub sshd: Fact<(Sshd, String)>,
    /// Scheduled jobs; `Err` when the crontabs could not be read and none was found elsewhere.
    pub jobs: Fact<Vec<Job>>,
    /// Per declared TLS port (`tls PORT` sections): the versions the service accepts.
    pub tls: BTreeMap<u16, Fact<parse::tls::Probe>>,
    /// Per cleartext HTTP port of a public web server (`http PORT` sections): its answer.
    pub http: BTreeMap<u16, parse::http::Answer>,
    /// Per requested backup path: the newest file's age in hours (None: the folder is empty).
    pub backup_age_hours: BTreeMap<String, Fact<Option<f64>>>,
    pub forward_targets: Fact<Vec<ForwardTarget>>,
    pub processes: Fact<Vec<String>>,
    pub time_synchronized: Fact<bool>,
    /// The NTP server the clock follows (chronyd, else systemd-timesyncd).
    pub time_source: Fact<std::net::IpAddr>,
    /// What the loaded audit rules record (`auditctl -l`): see [`parse::audit::covers`].
    pub audit: Fact<Vec<&'static str>>,
    /// The date of dpkg's last upgrade; `None` when its logs hold none.
    pub last_upgrade: Fact<Option<jiff::civil::Date>>,
    /// The hosts the package manager downloads from (its proxy when one is set).
    pub package_sources: Fact<Vec<String>>,
    /// The second-factor module `/etc/pam.d/sshd` requires, if any.
    pub pam_second_factor: Fact<Option<String>>,
    /// Password quality and history from the PAM password stack.
    pub password: Fact<Password>,
    /// `PASS_MAX_DAYS` of `/etc/login.defs` (None: unset).
    pub pass_max_days: Fact<Option<i64>>,
    pub lockout: Fact<Lockout>,
    /// The smallest `TMOUT` set for login shells (None: none).
    pub tmout: Fact<Option<u32>>,
    /// Every account of `/etc/passwd` (name, uid, shell).
    pub accounts: Fact<Vec<Account>>,
    /// Login accounts not known to be locked, and their last login.
    pub last_login: Fact<Vec<LastLogin>>,
    pub updates: Fact<Updates>,
    /// Days of syslog kept by logrotate (None: no rule, or one that rotates by size only).
    pub logrotate_days: Fact<Option<u64>>,
    pub journald: Fact<Journald>,
    pub clock: Option<f64>, // epoch seconds when the collector ran (OS-EOL's date)
    /// Things worth knowing about the collection itself (truncated output, exit status).
    pub notes: Vec<String>,
}

/// Sections by name.
struct Sections<'a> {
    by_name: BTreeMap<&'a str, SectionRef<'a>>,
    truncated: bool,
}

impl<'a> Sections<'a> {
    fn get(&self, name: &str) -> Fact<SectionRef<'a>> {
        match self.by_name.get(name) {
            Some(s) => Ok(*s),
            None if self.truncated => {
                Err("not collected: the output was cut at the size limit".into())
            }
            None => Err(format!("not collected: the `{name}` section is missing")),
        }
    }

    /// The body of a section that succeeded, or why it did not. A list section longer than
    /// [`MAX_LIST_LINES`] is an error, not a fact of that size.
    fn ok(&self, name: &str) -> Fact<&'a str> {
        let s = self.get(name)?;
        match s.rc {
            Some(0) if LIST_SECTIONS.contains(&name) => {
                too_long(name, s.body)?;
                Ok(s.body)
            }
            Some(0) => Ok(s.body),
            rc => Err(failure(name, rc, s.body)),
        }
    }

    /// `(path, content)` of every readable "file PATH" section whose path passes `want`.
    fn files(&self, want: impl Fn(&str) -> bool) -> Vec<(String, String)> {
        self.by_name
            .iter()
            .filter_map(|(name, s)| {
                let path = name.strip_prefix("file ")?;
                (want(path) && s.rc == Some(0)).then(|| (path.to_owned(), s.body.to_owned()))
            })
            .collect()
    }

    /// "file PATH" sections that could not be read.
    fn unreadable(&self, want: impl Fn(&str) -> bool) -> Vec<String> {
        self.by_name
            .iter()
            .filter_map(|(name, s)| {
                let path = name.strip_prefix("file ")?;
                (want(path) && s.rc != Some(0)).then(|| failure(path, s.rc, s.body))
            })
            .collect()
    }
}

/// Sections with one item per line (accounts, logins, processes, sockets, packages). A real
/// host has far fewer lines than [`MAX_LIST_LINES`]; a host that sends more would multiply its
/// output in memory (each line becomes a fact value, in the facts and in the report), so such
/// a section makes its facts errors: never judged, never a pass.
const LIST_SECTIONS: &[&str] = &[
    "passwd",
    "passwd-status",
    "lastlog",
    "processes",
    "listen",
    "cron-dirs",
    "updates-apt",
    "updates-dnf",
    "updates-dnf-security",
];

/// The most lines read from one list section, or from all cron files together.
pub const MAX_LIST_LINES: usize = 20_000;

/// The most bytes read from one list section (lines of about 100 bytes at most, in practice).
pub const MAX_LIST_BYTES: usize = 2 << 20;

/// `Err` when `body` has more lines or bytes than a list section may.
fn too_long(name: &str, body: &str) -> Fact<()> {
    too_long_parts(name, [body])
}

/// [`too_long`] for several texts read as one list.
fn too_long_parts<'t>(name: &str, parts: impl IntoIterator<Item = &'t str>) -> Fact<()> {
    let (mut lines, mut bytes) = (0, 0);
    for p in parts {
        lines += p.bytes().filter(|b| *b == b'\n').count();
        bytes += p.len();
    }
    if lines > MAX_LIST_LINES || bytes > MAX_LIST_BYTES {
        return Err(format!(
            "too large: `{name}` has {lines} lines, {bytes} bytes, more than capdo reads ({MAX_LIST_LINES} lines, {MAX_LIST_BYTES} bytes)"
        ));
    }
    Ok(())
}

/// The largest a recorded fact may be, as compact JSON. Beyond it the fact is recorded as an
/// error: a backstop for values made of long lines, so one host's facts stay a bounded size
/// whatever it sends.
pub const MAX_FACT_BYTES: usize = 256 << 10;

/// The size of `v` as compact JSON, counted without building the text.
fn json_size(v: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = serde_json::to_writer(&mut c, v);
    c.0
}

/// Why a section failed, in words an operator acts on.
fn failure(name: &str, rc: Option<i32>, body: &str) -> String {
    let first = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let first: String = first.chars().take(200).collect();
    let lower = body.to_ascii_lowercase();
    match rc {
        None => format!("{name}: output cut short"),
        Some(127) => format!("not installed ({first})"),
        Some(_)
            if lower.contains("permission denied")
                || lower.contains("operation not permitted")
                || lower.contains("a password is required")
                || lower.contains("must be run as root")
                || lower.contains("must be root")
                || lower.contains("are you root") =>
        {
            format!("needs privilege: {first}")
        }
        Some(rc) => format!("{name} failed (exit {rc}): {first}"),
    }
}

impl HostFacts {
    /// Parse one host's raw collector output.
    pub fn from_output(
        output: &str,
        nonce: &str,
        truncated: bool,
        backup_paths: &[String],
    ) -> HostFacts {
        let by_name = parse::sections::split_ref(output, nonce)
            .into_iter()
            .map(|s| (s.name, s))
            .collect();
        let s = Sections { by_name, truncated };
        let mut notes = Vec::new();
        if truncated {
            notes.push(format!(
                "the output exceeded {} MiB and was cut; later sections are missing",
                super::transport::MAX_OUTPUT >> 20
            ));
        }
        let root = s.ok("id").ok().map(|b| b.trim() == "0");
        if let Ok(sec) = s.get("sudo")
            && sec.rc != Some(0)
        {
            notes.push(format!(
                "sudo was refused ({}); reads that need root ran without it",
                sec.body
                    .trim()
                    .trim_start_matches("refused: ")
                    .chars()
                    .take(200)
                    .collect::<String>()
            ));
        }
        let client = s
            .ok("ssh-client")
            .ok()
            .map(|b| b.trim().to_owned())
            .filter(|c| !c.is_empty());
        let clock = s.ok("clock").ok().and_then(|b| finite(b.trim()));

        HostFacts {
            root,
            client,
            os: s.ok("os-release").map(parse::os_release::parse),
            kernel: s.ok("kernel").map(|b| b.trim().to_owned()),
            hostname: s.ok("hostname").map(|b| b.trim().to_owned()),
            firewall: firewall(&s),
            netfilter: netfilter(&s),
            ipv6: ipv6(&s),
            listening: listening(&s),
            sshd: sshd(&s),
            jobs: jobs(&s),
            tls: tls(&s),
            http: http(&s),
            backup_age_hours: backup_paths
                .iter()
                .map(|p| (p.clone(), backup_age(&s, p, clock)))
                .collect(),
            forward_targets: forwarding(&s, &mut notes),
            processes: s.ok("processes").map(parse::procs::parse),
            time_synchronized: time(&s),
            time_source: time_source(&s),
            audit: audit(&s),
            last_upgrade: last_upgrade(&s),
            package_sources: package_sources(&s),
            pam_second_factor: config(&s, |p| p == "/etc/pam.d/sshd").and_then(|f| {
                match f.first() {
                    Some((_, text)) => Ok(parse::pam::sshd_second_factor(text)),
                    None => Err("no /etc/pam.d/sshd".into()),
                }
            }),
            password: password(&s),
            pass_max_days: config(&s, |p| p == "/etc/login.defs")
                .map(|f| f.first().and_then(|(_, t)| parse::pam::pass_max_days(t))),
            lockout: lockout(&s),
            tmout: config(&s, |p| {
                p == "/etc/profile"
                    || p == "/etc/bash.bashrc"
                    || p == "/etc/bashrc"
                    || (p.starts_with("/etc/profile.d/") && p.ends_with(".sh"))
            })
            .map(|f| parse::profile::tmout(&f)),
            accounts: s.ok("passwd").map(parse::accounts::passwd),
            last_login: last_login(&s, clock, &mut notes),
            updates: updates(&s),
            logrotate_days: config(&s, |p| {
                p == "/etc/logrotate.conf" || p.starts_with("/etc/logrotate.d/")
            })
            .map(|f| parse::logrotate::retention(&f).and_then(|(_, days)| days)),
            journald: journald(&s),
            clock,
            notes,
        }
    }
}

impl HostFacts {
    /// Who can open a connection to each non-loopback listener, per family, by the packet
    /// evaluator: `{proto, address, port, family, sources}` (or `error` naming the rule).
    pub fn exposure(&self) -> Fact<Value> {
        use crate::firewall::Family;
        let nf = self.netfilter.as_ref().map_err(Clone::clone)?;
        let listening = self.listening.as_ref().map_err(Clone::clone)?;
        let mut out = vec![];
        for l in listening.iter().filter(|l| !l.address.is_loopback()) {
            let proto = match l.proto.as_str() {
                "tcp" => 6,
                "udp" => 17,
                _ => continue,
            };
            let families: &[Family] = match l.address {
                std::net::IpAddr::V6(a) if a.is_unspecified() => &[Family::V4, Family::V6],
                a => std::slice::from_ref(if a.is_ipv4() {
                    &Family::V4
                } else {
                    &Family::V6
                }),
            };
            for &family in families {
                let listen = Some(l.address).filter(|a| !a.is_unspecified());
                let mut entry = json!({
                    "proto": l.proto, "address": l.address, "port": l.port, "family": family.name(),
                });
                match nf.sources(family, proto, &[l.port], listen) {
                    Ok(sources) => entry["sources"] = json!(sources),
                    Err(e) => entry["error"] = json!(e),
                }
                // Range by range with the deciding rule, for the HTML report's exposure matrix.
                entry["decisions"] = json!(nf.decisions(family, proto, l.port, listen, 256));
                if !out.contains(&entry) {
                    out.push(entry);
                }
            }
        }
        Ok(Value::Array(out))
    }

    /// Who may open a new connection to sshd, per the packet evaluator: (IPv4, IPv6) sources.
    pub fn ssh_sources(&self) -> Fact<(Vec<String>, Vec<String>)> {
        let nf = self.netfilter.as_ref().map_err(Clone::clone)?;
        let (sshd, _) = self
            .sshd
            .as_ref()
            .map_err(|e| format!("the sshd port is unknown: {e}"))?;
        let ports = if sshd.ports.is_empty() {
            vec![22]
        } else {
            sshd.ports.clone()
        };
        use crate::firewall::Family;
        Ok((
            nf.tcp_sources(Family::V4, &ports, None)?,
            nf.tcp_sources(Family::V6, &ports, None)?,
        ))
    }
}

/// The readable configuration files whose path passes `want`; `Err` when one of them could not
/// be read or the output was cut (a setting may hide in what is missing).
fn config(s: &Sections, want: impl Fn(&str) -> bool) -> Fact<Vec<(String, String)>> {
    if s.truncated {
        return Err("not collected: the output was cut at the size limit".into());
    }
    if let Some(why) = s.unreadable(&want).first() {
        return Err(why.clone());
    }
    Ok(s.files(want))
}

const PASSWORD_STACKS: &[&str] = &[
    "/etc/pam.d/common-password",
    "/etc/pam.d/system-auth",
    "/etc/pam.d/password-auth",
];

const AUTH_STACKS: &[&str] = &[
    "/etc/pam.d/common-auth",
    "/etc/pam.d/system-auth",
    "/etc/pam.d/password-auth",
];

fn password(s: &Sections) -> Fact<Password> {
    let stacks = config(s, |p| PASSWORD_STACKS.contains(&p))?;
    if stacks.is_empty() {
        return Err(
            "no PAM password stack (/etc/pam.d/common-password, system-auth or password-auth)"
                .into(),
        );
    }
    let quality = config(s, |p| {
        p == "/etc/security/pwquality.conf"
            || (p.starts_with("/etc/security/pwquality.conf.d/") && p.ends_with(".conf"))
    })?;
    // pwquality.conf first, then the drop-ins by name (the sorted paths give that order).
    let quality: Vec<&str> = quality.iter().map(|(_, t)| t.as_str()).collect();
    let history = config(s, |p| p == "/etc/security/pwhistory.conf")?;
    let history = history.first().map_or("", |(_, t)| t.as_str());
    Ok(parse::pam::password(&stacks, &quality, history))
}

fn lockout(s: &Sections) -> Fact<Lockout> {
    let stacks = config(s, |p| AUTH_STACKS.contains(&p))?;
    if stacks.is_empty() {
        return Err(
            "no PAM auth stack (/etc/pam.d/common-auth, system-auth or password-auth)".into(),
        );
    }
    let conf = config(s, |p| p == "/etc/security/faillock.conf")?;
    let conf = conf.first().map_or("", |(_, t)| t.as_str());
    Ok(parse::pam::lockout(&stacks, conf))
}

fn last_login(s: &Sections, clock: Option<f64>, notes: &mut Vec<String>) -> Fact<Vec<LastLogin>> {
    let accounts = s.ok("passwd").map(parse::accounts::passwd)?;
    let lastlog = s.ok("lastlog")?;
    let now = clock.ok_or("the host's clock could not be read")?;
    let logins = parse::accounts::last_login(lastlog, now as i64);
    let locked = match s.ok("passwd-status") {
        Ok(body) => parse::accounts::locked(body),
        Err(why) => {
            notes.push(format!(
                "accounts.last_login: lock state unknown, locked accounts are listed too \
                 (passwd -S: {why})"
            ));
            Default::default()
        }
    };
    let mut out = vec![];
    for a in accounts.iter().filter(|a| parse::accounts::can_log_in(a)) {
        if locked.get(&a.name) == Some(&true) {
            continue;
        }
        let days = match logins.get(&a.name) {
            Some(Ok(days)) => *days,
            Some(Err(line)) => {
                return Err(format!("cannot read the last login of {}: {line}", a.name));
            }
            // lastlog2 lists only accounts it has a record of: absent is never.
            None => None,
        };
        out.push(LastLogin {
            name: a.name.clone(),
            days,
        });
    }
    Ok(out)
}

fn updates(s: &Sections) -> Fact<Updates> {
    if s.by_name.contains_key("updates-apt") {
        let updates = s.ok("updates-apt").map(parse::updates::apt)?;
        // Without package lists, "0 upgraded" says nothing.
        let lists = s
            .ok("apt-lists")
            .map_err(|e| format!("cannot tell whether apt has package lists: {e}"))?;
        if !parse::updates::apt_has_lists(lists) {
            return Err(
                "unknown: apt has no package lists to compare with (apt-get update never ran)"
                    .into(),
            );
        }
        return Ok(updates);
    }
    let security = s.ok("updates-dnf-security")?;
    // `dnf check-update` exits 100 when updates are pending.
    let sec = s.get("updates-dnf")?;
    match sec.rc {
        Some(0 | 100) => Ok(parse::updates::dnf(security, sec.body)),
        rc => Err(failure("updates-dnf", rc, sec.body)),
    }
}

fn journald(s: &Sections) -> Fact<Journald> {
    let files = config(s, |p| {
        p == "/etc/systemd/journald.conf"
            || (p.starts_with("/etc/systemd/journald.conf.d/") && p.ends_with(".conf"))
    })?;
    if files.is_empty() {
        // Without a configuration file the defaults hold, but only where journald runs.
        let running = s
            .ok("processes")
            .map(parse::procs::parse)
            .is_ok_and(|p| p.iter().any(|p| p == "systemd-journal"));
        if !running {
            return Err(
                "not installed: no /etc/systemd/journald.conf and no systemd-journald running"
                    .into(),
            );
        }
    }
    Ok(parse::logrotate::journald(&files))
}

/// The summary of the firewall (backend, accept rules), with the input policies decided by the
/// packet evaluator.
fn firewall(s: &Sections) -> Fact<Firewall> {
    let mut fw = firewall_summary(s)?;
    if let Ok(nf) = netfilter(s) {
        use crate::firewall::{Family, Outcome};
        let policy = |family| {
            if !nf.filters(family) {
                return Policy::None;
            }
            match nf.by_default(family, None, 6).outcome {
                Outcome::Accept => Policy::Accept,
                Outcome::Drop => Policy::Drop,
                Outcome::Reject => Policy::Reject,
                Outcome::Unknown(_) => Policy::Unknown,
            }
        };
        fw.input_policy_v4 = policy(Family::V4);
        fw.input_policy_v6 = policy(Family::V6);
    }
    Ok(fw)
}

/// Every firewall tool's output as one ruleset, and the host's addresses.
fn netfilter(s: &Sections) -> Fact<super::netfilter::Netfilter> {
    let texts = crate::firewall::Texts {
        nft_json: s.ok("nft").ok(),
        iptables: s.ok("iptables").ok(),
        ip6tables: s.ok("ip6tables").ok(),
        iptables_legacy: s.ok("iptables-legacy").ok(),
        ip6tables_legacy: s.ok("ip6tables-legacy").ok(),
        ipset: s.ok("ipset").ok(),
    };
    let ruleset = crate::firewall::assemble(&texts).map_err(|e| {
        let failed: Vec<String> = ["nft", "iptables", "ip6tables"]
            .iter()
            .filter_map(|n| s.ok(n).err().map(|why| format!("{n}: {why}")))
            .collect();
        if failed.is_empty() {
            e
        } else {
            format!("{e} ({})", failed.join("; "))
        }
    })?;
    let mut addresses = s
        .ok("addrs")
        .map(super::netfilter::parse_addresses)
        .unwrap_or_default();
    if addresses.is_empty() {
        // Without `ip`: the IPv6 addresses and their interfaces from /proc/net/if_inet6.
        addresses = parse::ipv6::with_interfaces(s.ok("file /proc/net/if_inet6").unwrap_or(""));
    }
    Ok(super::netfilter::Netfilter { ruleset, addresses })
}

fn firewall_summary(s: &Sections) -> Fact<Firewall> {
    let nft_text = s.ok("nft");
    let nft = nft_text.clone().and_then(parse::nft::parse);
    // iptables-nft rules show up in nft only as opaque `xt` matches; iptables-save reads them
    // exactly, so prefer it then.
    let xt = nft_text.is_ok_and(parse::nft::has_xt);
    if let Ok(fw) = &nft
        && fw.backend == Backend::Nftables
        && !xt
    {
        return nft;
    }
    let legacy = match (s.ok("iptables-legacy"), s.ok("ip6tables-legacy")) {
        (Ok(v4), Ok(v6)) => Some(parse::iptables::parse(v4, v6)),
        _ => None,
    };
    if let Some(fw) = &legacy
        && fw.backend == Backend::Iptables
    {
        return Ok(fw.clone());
    }
    match (s.ok("iptables"), s.ok("ip6tables")) {
        (Ok(v4), Ok(v6)) => {
            let fw = parse::iptables::parse(v4, v6);
            if fw.backend == Backend::Iptables || nft.is_ok() {
                return Ok(fw);
            }
            nft.or(Ok(fw))
        }
        (v4, _) => match nft {
            Ok(fw) => Ok(fw),
            Err(e) => Err(format!("{e}; iptables: {}", v4.err().unwrap_or_default())),
        },
    }
}

fn ipv6(s: &Sections) -> Fact<Ipv6> {
    let if_inet6 = s.ok("file /proc/net/if_inet6").unwrap_or("");
    match s.get("ipv6-sysctl")? {
        sec if sec.rc == Some(0) => Ok(parse::ipv6::parse(sec.body, if_inet6, false)),
        sec if sec.rc == Some(2) => Ok(parse::ipv6::parse("", "", true)),
        sec => Err(failure("ipv6-sysctl", sec.rc, sec.body)),
    }
}

fn listening(s: &Sections) -> Fact<Vec<Listener>> {
    if s.by_name.contains_key("listen") {
        return s.ok("listen").map(parse::listen::ss);
    }
    let f = |n: &str| s.ok(&format!("file /proc/net/{n}")).map(str::to_owned);
    match (f("tcp"), f("tcp6"), f("udp"), f("udp6")) {
        (Ok(t), t6, Ok(u), u6) => Ok(parse::listen::proc_net(
            &t,
            &t6.unwrap_or_default(),
            &u,
            &u6.unwrap_or_default(),
        )),
        (Err(e), ..) | (_, _, Err(e), _) => Err(e),
    }
}

fn sshd(s: &Sections) -> Fact<(Sshd, String)> {
    let files = s.files(|p| p.starts_with("/etc/ssh/sshd_config"));
    let refused = match s.ok("sshd-t") {
        Ok(body) => {
            // `sshd -T` gives the settings outside Match blocks; the files show the Match
            // blocks that change them for some clients.
            let mut sshd = parse::sshd::from_t(body);
            if files.iter().any(|(p, _)| p == "/etc/ssh/sshd_config") {
                let from_files = parse::sshd::from_files(&files);
                sshd.match_overrides = from_files.match_overrides;
                sshd.match_addresses = from_files.match_addresses;
            }
            return Ok((sshd, "sshd -T".into()));
        }
        Err(e) => e,
    };
    if files.iter().any(|(p, _)| p == "/etc/ssh/sshd_config") {
        return Ok((
            parse::sshd::from_files(&files),
            format!("configuration files (sshd -T: {refused})"),
        ));
    }
    let unreadable = s.unreadable(|p| p == "/etc/ssh/sshd_config");
    Err(match unreadable.first() {
        Some(why) => format!("sshd -T: {refused}; /etc/ssh/sshd_config: {why}"),
        None => format!("sshd -T: {refused}; no /etc/ssh/sshd_config"),
    })
}

fn jobs(s: &Sections) -> Fact<Vec<Job>> {
    // With the output cut, a job may sit in a file that was never read.
    if s.truncated {
        return Err("not collected: the output was cut at the size limit".into());
    }
    let cron_files = s.files(|p| {
        p == "/etc/crontab" || p.starts_with("/etc/cron.d/") || p.starts_with("/var/spool/cron/")
    });
    // Each cron line becomes a job (with its file's name): bound them like a list section.
    too_long_parts("cron files", cron_files.iter().map(|(_, t)| t.as_str()))?;
    let dirs = s.ok("cron-dirs").unwrap_or("");
    let mut jobs = parse::jobs::cron(&cron_files, dirs);
    let units = s.files(|p| p.starts_with("/etc/systemd/system/"));
    jobs.extend(parse::jobs::timers(&units));
    // Unreadable crontabs might hold the job we look for: with none found, say so.
    let spool = s.get("cron-spool").ok().filter(|sec| sec.rc != Some(0));
    match spool {
        Some(sec) if jobs.is_empty() => Err(format!(
            "no job found, and the crontabs could not be listed: {}",
            failure("cron-spool", sec.rc, sec.body)
        )),
        _ => Ok(jobs),
    }
}

/// A time as a finite number: Rust parses `NaN` and `inf`, which would make any age 0 (fresh).
fn finite(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|t| t.is_finite())
}

fn backup_age(s: &Sections, path: &str, clock: Option<f64>) -> Fact<Option<f64>> {
    let body = s.ok(&format!("backup-newest {path}"))?;
    let newest = body.trim();
    if newest.is_empty() {
        return Ok(None);
    }
    let newest: f64 = newest
        .lines()
        .last()
        .and_then(|l| finite(l.trim()))
        .ok_or_else(|| {
            format!(
                "cannot read the newest file time in {path}: {}",
                newest.chars().take(100).collect::<String>()
            )
        })?;
    let now = clock.ok_or("the host's clock could not be read")?;
    Ok(Some(((now - newest) / 3600.0).max(0.0)))
}

fn forwarding(s: &Sections, notes: &mut Vec<String>) -> Fact<Vec<ForwardTarget>> {
    if s.truncated {
        return Err("not collected: the output was cut at the size limit".into());
    }
    let is_log_config = |p: &str| {
        p.starts_with("/etc/rsyslog")
            || p.starts_with("/etc/syslog-ng/")
            || p.starts_with("/etc/systemd/journal-upload")
            || p == "/var/ossec/etc/ossec.conf"
            || p == "/etc/filebeat/filebeat.yml"
    };
    for why in s.unreadable(is_log_config) {
        notes.push(format!("log forwarding: {why}"));
    }
    Ok(parse::logfwd::parse(&s.files(is_log_config)))
}

fn time(s: &Sections) -> Fact<bool> {
    let t = s.ok("timedatectl");
    if let Ok(body) = t
        && let Some(v) = parse::timesync::timedatectl(body)
    {
        return Ok(v);
    }
    let c = s.ok("chronyc");
    if let Ok(body) = c
        && let Some(v) = parse::timesync::chronyc(body)
    {
        return Ok(v);
    }
    // chronyc says "506 Cannot talk to daemon" (exit 1) when chronyd is not running. With no
    // other time daemon running either, nothing keeps the clock in sync.
    let chrony_body = s.get("chronyc").map(|sec| sec.body).unwrap_or_default();
    if let Some(v) = parse::timesync::chronyc(chrony_body) {
        return Ok(v);
    }
    let daemons = [
        "chronyd",
        "ntpd",
        "ntpsec",
        "systemd-timesyn",
        "openntpd",
        "timesyncd",
    ];
    if let Ok(procs) = s.ok("processes").map(parse::procs::parse)
        && chrony_body.contains("Cannot talk to daemon")
        && !procs.iter().any(|p| daemons.contains(&p.as_str()))
    {
        return Ok(false);
    }
    Err(format!(
        "neither timedatectl ({}) nor chronyc ({}) could tell",
        t.err().unwrap_or_default(),
        c.err().unwrap_or_default()
    ))
}

/// What the kernel's audit rules record. No `auditctl` (no auditd installed): no rules at all.
fn audit(s: &Sections) -> Fact<Vec<&'static str>> {
    if let Ok(sec) = s.get("auditctl")
        && sec.rc == Some(127)
    {
        return Ok(vec![]);
    }
    let body = s.ok("auditctl")?;
    if !parse::audit::is_rule_list(body) {
        return Err(format!(
            "auditctl -l printed something other than rules: {}",
            body.lines().next().unwrap_or_default()
        ));
    }
    Ok(parse::audit::covers(body))
}

/// The date of the last upgrade: dpkg's logs, else rpm's newest install time (UTC).
fn last_upgrade(s: &Sections) -> Fact<Option<jiff::civil::Date>> {
    if s.by_name.contains_key("patch-dpkg") {
        return Ok(parse::updates::dpkg_last_upgrade(s.ok("patch-dpkg")?));
    }
    if s.by_name.contains_key("patch-rpm") {
        let body = s.ok("patch-rpm")?.trim();
        let secs: i64 = body
            .parse()
            .map_err(|_| format!("rpm printed no install time: {body}"))?;
        let ts = jiff::Timestamp::from_second(secs).map_err(|e| e.to_string())?;
        return Ok(Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date()));
    }
    Err("neither dpkg's logs nor rpm on this host".into())
}

/// The hosts apt or dnf download from.
fn package_sources(s: &Sections) -> Fact<Vec<String>> {
    let files = config(s, |p| {
        p == "/etc/apt/sources.list"
            || (p.starts_with("/etc/apt/sources.list.d/")
                && (p.ends_with(".list") || p.ends_with(".sources")))
            || (p.starts_with("/etc/yum.repos.d/") && p.ends_with(".repo"))
    })?;
    let settings = config(s, |p| {
        p == "/etc/apt/apt.conf" || p.starts_with("/etc/apt/apt.conf.d/")
    })?;
    if files.is_empty() {
        return Err("no apt or dnf source file".into());
    }
    Ok(parse::updates::sources(&files, &settings))
}

/// Every `tls PORT` section the collector wrote (one per port it was asked to probe).
fn tls(s: &Sections) -> BTreeMap<u16, Fact<parse::tls::Probe>> {
    s.by_name
        .keys()
        .filter_map(|name| name.strip_prefix("tls ")?.parse::<u16>().ok())
        .map(|port| {
            let name = format!("tls {port}");
            (port, s.ok(&name).and_then(parse::tls::probe))
        })
        .collect()
}

/// Every `http PORT` section the collector wrote.
fn http(s: &Sections) -> BTreeMap<u16, parse::http::Answer> {
    s.by_name
        .iter()
        .filter_map(|(name, sec)| {
            let port = name.strip_prefix("http ")?.parse::<u16>().ok()?;
            Some((port, parse::http::answer(sec.body, sec.rc)))
        })
        .collect()
}

/// The server chronyd follows (`chronyc -n tracking`), else systemd-timesyncd's.
fn time_source(s: &Sections) -> Fact<std::net::IpAddr> {
    let c = s.ok("chronyc");
    if let Ok(body) = c
        && let Some(a) = parse::timesync::chronyc_reference(body)
    {
        return Ok(a);
    }
    let t = s.ok("timesyncd");
    if let Ok(body) = t
        && let Some(a) = parse::timesync::timesyncd_server(body)
    {
        return Ok(a);
    }
    Err(format!(
        "neither chronyc ({}) nor timedatectl show-timesync ({}) names a server",
        c.err().unwrap_or_else(|| "no server address".into()),
        t.err().unwrap_or_else(|| "no ServerAddress".into())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONCE: &str = "5e1f0c9a7b3d2e41";
    const FULL: &str =
        include_str!("../../tests/fixtures/collect/sections/collector-debian12-full.txt");

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../tests/fixtures/collect/", $name))
        };
    }

    /// The facts this collector version added (the names the lead's controls read).
    const NEW_FACTS: &[&str] = &[
        "password.pam_pwquality",
        "password.min_length",
        "password.min_class",
        "password.max_days",
        "password.remember",
        "lockout.faillock",
        "lockout.deny",
        "lockout.unlock_time",
        "session.tmout",
        "sshd.client_alive_interval",
        "sshd.client_alive_count_max",
        "sshd.allow_users",
        "sshd.allow_groups",
        "sshd.match_address",
        "firewall.ssh_sources_v4",
        "firewall.ssh_sources_v6",
        "accounts.uid0",
        "accounts.login",
        "accounts.last_login",
        "updates.security",
        "updates.pending",
        "logging.logrotate_days",
        "logging.journald_storage",
        "logging.journald_max_retention_days",
    ];

    /// Collector output framed as `collector.sh` frames it.
    fn frame(sections: &[(&str, i32, &str)]) -> String {
        sections
            .iter()
            .map(|(name, rc, body)| {
                format!("@@{NONCE} begin {name}\n{body}\n@@{NONCE} end {name} {rc}\n")
            })
            .collect()
    }

    fn facts(sections: &[(&str, i32, &str)]) -> serde_json::Map<String, Value> {
        HostFacts::from_output(&frame(sections), NONCE, false, &[]).to_json()
    }

    #[test]
    fn a_backup_time_or_clock_that_is_not_a_finite_number_is_an_error_never_fresh() {
        let path = "/var/backups".to_owned();
        let age = |newest: &str, clock: &str| {
            let out = frame(&[
                ("clock", 0, clock),
                (&format!("backup-newest {path}"), 0, newest),
            ]);
            HostFacts::from_output(&out, NONCE, false, std::slice::from_ref(&path))
                .backup_age_hours
                .remove(&path)
                .expect("the path")
        };
        assert_eq!(age("1700000000.5", "1700003600.5"), Ok(Some(1.0)));
        for bad in ["NaN", "nan", "inf", "-inf", "infinity", "1e999"] {
            let a = age(bad, "1700003600");
            assert!(
                a.as_ref()
                    .is_err_and(|e| e.contains("cannot read the newest file time")),
                "{bad}: {a:?}"
            );
            let c = age("1700000000", bad);
            assert_eq!(c, Err("the host's clock could not be read".into()), "{bad}");
        }
    }

    #[test]
    fn a_flood_of_list_lines_or_one_huge_value_is_an_error_and_the_facts_stay_small() {
        // 9 MB of passwd lines (the review's 1.31 GB case), and one 3 MB line: the recorded
        // facts of the host stay a few KiB, and what could not be kept is an error.
        let many: String = (0..350_000)
            .map(|i| format!("user{i:07}:{}:/bin/bash\n", 1000 + i))
            .collect();
        let huge = format!("root:0:/bin/{}\n", "b".repeat(3 << 20));
        let cron: String = (0..30_000)
            .map(|i| format!("* * * * * root job{i}\n"))
            .collect();
        for (what, passwd) in [("many lines", &many), ("one huge line", &huge)] {
            let out = frame(&[
                ("passwd", 0, passwd),
                ("lastlog", 0, "Username Port From Latest\n"),
                ("clock", 0, "1700000000"),
                ("file /etc/cron.d/flood", 0, &cron),
            ]);
            let f = HostFacts::from_output(&out, NONCE, false, &[]);
            assert!(
                f.accounts
                    .as_ref()
                    .is_err_and(|e| e.starts_with("too large")),
                "{what}"
            );
            assert!(
                f.jobs.as_ref().is_err_and(|e| e.starts_with("too large")),
                "{what}"
            );
            let json = f.to_json();
            let size = serde_json::to_string(&json).expect("json").len();
            assert!(size < 16 << 10, "{what}: {size} bytes of facts");
            assert!(json["accounts.login"]["error"].is_string(), "{what}");
        }
        // A value past the per-fact limit that no list limit catches is recorded as an error.
        let out = frame(&[("kernel", 0, &"6".repeat(MAX_FACT_BYTES + 1))]);
        let json = HostFacts::from_output(&out, NONCE, false, &[]).to_json();
        assert!(
            json["kernel.release"]["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("too large"))
        );
    }

    #[test]
    fn fact_names_are_the_names_the_facts_are_recorded_under() {
        // With a TLS and an HTTP probe, which only some servers are asked for.
        let full = format!(
            "{FULL}@@{NONCE} begin tls 443\naddress 127.0.0.1:443\n== tls1_2\n  CONNECTION ESTABLISHED\n\n@@{NONCE} end tls 443 0\n\
             @@{NONCE} begin http 80\nstatus 301\nlocation https://a/\n\n@@{NONCE} end http 80 0\n"
        );
        let f = HostFacts::from_output(&full, NONCE, true, &["/var/backups".into()]);
        assert!(matches!(f.tls.get(&443), Some(Ok(_))), "{:?}", f.tls);
        let json = f.to_json();
        let recorded: Vec<&str> = json.keys().map(String::as_str).collect();
        let mut known = FACT_NAMES.to_vec();
        known.sort_unstable();
        assert_eq!(recorded, known);
    }

    #[test]
    fn a_full_collector_run_gives_every_new_fact() {
        let f = HostFacts::from_output(FULL, NONCE, false, &["/var/backups".into()]);
        let j = f.to_json();
        for name in NEW_FACTS {
            let v = j.get(*name).unwrap_or_else(|| panic!("{name} missing"));
            assert!(v.get("error").is_none(), "{name}: {v}");
        }
        // This machine: stock Debian 12 PAM, login.defs, logrotate and journald.
        assert_eq!(j["password.pam_pwquality"], json!(false));
        assert_eq!(j["password.min_length"], Value::Null);
        assert_eq!(j["password.max_days"], json!(99999));
        assert_eq!(j["lockout.faillock"], json!(false));
        assert_eq!(j["session.tmout"], Value::Null);
        assert_eq!(j["logging.logrotate_days"], json!(28));
        assert_eq!(j["logging.journald_storage"], json!("auto"));
        assert_eq!(j["accounts.uid0"], json!(["root"]));
        // `passwd -S -a` says every account is locked here.
        assert_eq!(j["accounts.last_login"], json!([]));
        let updates = parse::sections::split(FULL, NONCE)
            .into_iter()
            .find(|s| s.name == "updates-apt")
            .map(|s| s.body)
            .unwrap_or_default();
        let inst = updates.lines().filter(|l| l.starts_with("Inst ")).count();
        assert_eq!(j["updates.pending"], json!(inst));
        // iptables with policy ACCEPT and no IPv6 input chain: sshd is open to all.
        assert_eq!(j["firewall.ssh_sources_v4"], json!(["any"]));
        assert_eq!(j["firewall.ssh_sources_v6"], json!(["any"]));
        assert!(f.notes.is_empty(), "{:?}", f.notes);
    }

    #[test]
    fn the_collector_sends_no_script_bodies_and_only_tmout_lines() {
        let sections = parse::sections::split(FULL, NONCE);
        let body = |name: &str| {
            sections
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.body.clone())
                .unwrap_or_else(|| panic!("{name} missing"))
        };
        // The stock rule runs /usr/lib/rsyslog/rsyslog-rotate in its postrotate script.
        let rsyslog = body("file /etc/logrotate.d/rsyslog");
        assert!(rsyslog.contains("postrotate") && rsyslog.contains("endscript"));
        assert!(!rsyslog.contains("rsyslog-rotate"), "{rsyslog}");
        for name in ["file /etc/profile", "file /etc/bash.bashrc"] {
            assert!(
                body(name)
                    .lines()
                    .all(|l| l.is_empty() || l.contains("TMOUT")),
                "{name}"
            );
        }
        // Nor a password field, nor /etc/shadow.
        assert!(body("passwd").lines().all(|l| l.split(':').count() == 3));
        assert!(sections.iter().all(|s| !s.name.contains("shadow")));
    }

    #[test]
    fn last_logins_skip_locked_accounts_and_use_the_hosts_clock() {
        let base = [
            ("clock", 0, fx!("accounts/clock.txt")),
            ("passwd", 0, fx!("accounts/passwd-cut.txt")),
            ("lastlog", 0, fx!("accounts/lastlog.txt")),
        ];
        let mut with_status = base.to_vec();
        with_status.push(("passwd-status", 0, fx!("accounts/passwd-S-a.txt")));
        let j = facts(&with_status);
        assert_eq!(
            j["accounts.last_login"],
            json!([
                {"name": "root", "days": 3},
                {"name": "toor", "days": 3},
                {"name": "admin", "days": 10},
                {"name": "oldops", "days": 200},
                {"name": "deploy", "days": null},
                {"name": "noshell", "days": null},
            ])
        );
        assert_eq!(j["accounts.uid0"], json!(["root", "toor"]));
        assert_eq!(
            j["accounts.login"][6],
            json!({"name": "noshell", "uid": 1005, "shell": ""})
        );
        // Refused: the locked `leaver` is listed too, and a note says why.
        let mut refused = base.to_vec();
        refused.push(("passwd-status", 1, fx!("accounts/passwd-S-a-nobody.txt")));
        let h = HostFacts::from_output(&frame(&refused), NONCE, false, &[]);
        let names: Vec<&str> = h
            .last_login
            .as_ref()
            .map(|l| l.iter().map(|l| l.name.as_str()).collect())
            .unwrap_or_default();
        assert!(names.contains(&"leaver"), "{names:?}");
        assert!(
            h.notes.iter().any(|n| n.contains("lock state unknown")
                && n.contains("needs privilege: passwd: Permission denied.")),
            "{:?}",
            h.notes
        );
        // No clock: no ages.
        let j = facts(&base[1..]);
        assert!(j["accounts.last_login"]["error"].is_string());
        // A time that cannot be read is an error, not "never logged in".
        let j = facts(&[
            ("clock", 0, fx!("accounts/clock.txt")),
            ("passwd", 0, "admin:1000:/bin/bash\n"),
            (
                "lastlog",
                0,
                "Username Port From Latest\nadmin pts/0 h 2026-11-19T18:05:39Z\n",
            ),
        ]);
        assert!(
            j["accounts.last_login"]["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("cannot read the last login of admin")),
            "{}",
            j["accounts.last_login"]
        );
    }

    #[test]
    fn hardened_pam_pwquality_and_faillock() {
        let j = facts(&[
            (
                "file /etc/pam.d/common-password",
                0,
                fx!("pam/common-password-hardened"),
            ),
            (
                "file /etc/pam.d/common-auth",
                0,
                fx!("pam/common-auth-hardened"),
            ),
            (
                "file /etc/security/pwquality.conf",
                0,
                fx!("pam/pwquality.conf-stock"),
            ),
            (
                "file /etc/security/pwquality.conf.d/50-site.conf",
                0,
                "minlen = 12\nminclass = 3\n",
            ),
            (
                "file /etc/security/faillock.conf",
                0,
                fx!("pam/faillock.conf-stock"),
            ),
            ("file /etc/login.defs", 0, "PASS_MAX_DAYS 90\n"),
            (
                "file /etc/profile.d/tmout.sh",
                0,
                fx!("profile/profile.d-tmout.sh"),
            ),
        ]);
        let got: Vec<&Value> = [
            "password.pam_pwquality",
            "password.min_length",
            "password.min_class",
            "password.max_days",
            "password.remember",
            "lockout.faillock",
            "lockout.deny",
            "lockout.unlock_time",
            "session.tmout",
        ]
        .iter()
        .map(|k| &j[*k])
        .collect();
        assert_eq!(
            got,
            [
                &json!(true),
                &json!(12),
                &json!(3),
                &json!(90),
                &json!(5),
                &json!(true),
                &json!(3),
                &json!(900),
                &json!(900)
            ]
        );
    }

    #[test]
    fn unreadable_or_missing_settings_are_errors_not_defaults() {
        let j = facts(&[
            (
                "file /etc/pam.d/common-password",
                1,
                "head: cannot open '/etc/pam.d/common-password' for reading: Permission denied",
            ),
            ("updates-apt", 127, "capdo: apt-get, dnf: not installed"),
        ]);
        assert!(
            j["password.min_length"]["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("needs privilege")),
            "{}",
            j["password.min_length"]
        );
        assert!(
            j["lockout.faillock"]["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("no PAM auth stack"))
        );
        assert!(
            j["updates.pending"]["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("not installed"))
        );
        assert!(
            j["logging.journald_storage"]["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("not installed"))
        );
        // Nothing sets these: null, not an error.
        assert_eq!(j["session.tmout"], Value::Null);
        assert_eq!(j["logging.logrotate_days"], Value::Null);
        // A cut output hides settings: every file-based fact is unknown.
        let cut = HostFacts::from_output(&frame(&[]), NONCE, true, &[]).to_json();
        for name in [
            "session.tmout",
            "password.max_days",
            "logging.logrotate_days",
        ] {
            assert!(cut[name]["error"].is_string(), "{name}");
        }
    }

    #[test]
    fn apt_without_package_lists_is_unknown_not_up_to_date() {
        let nothing = "Reading package lists...\nBuilding dependency tree...\nReading state information...\nCalculating upgrade...\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.";
        let j = facts(&[
            ("updates-apt", 0, nothing),
            ("apt-lists", 0, "auxfiles\nlock\npartial"),
        ]);
        assert!(
            j["updates.pending"]["error"]
                .as_str()
                .is_some_and(|e| e.contains("no package lists")),
            "{}",
            j["updates.pending"]
        );
        let j = facts(&[
            ("updates-apt", 0, nothing),
            ("apt-lists", 0, fx!("updates/apt-lists-debian12.txt")),
        ]);
        assert_eq!(j["updates.pending"], json!(0));
        assert_eq!(j["updates.security"], json!([]));
    }

    #[test]
    fn dnf_updates_with_check_update_exit_100() {
        let j = facts(&[
            (
                "updates-dnf-security",
                0,
                fx!("updates/dnf-updateinfo-security-rhel9.txt"),
            ),
            (
                "updates-dnf",
                100,
                fx!("updates/dnf-check-update-rhel9.txt"),
            ),
        ]);
        assert_eq!(j["updates.pending"], json!(9));
        assert_eq!(j["updates.security"][0], json!("glibc"));
        let j = facts(&[
            ("updates-dnf-security", 0, ""),
            (
                "updates-dnf",
                1,
                "Error: Cache-only enabled but no cache for 'baseos'",
            ),
        ]);
        assert!(j["updates.pending"]["error"].is_string());
    }

    /// The three verdicts the summary got wrong, on rulesets the real managers wrote
    /// (tests/fixtures/firewall/, captured by tests/lab/firewall.sh).
    #[test]
    fn ssh_sources_and_policies_come_from_the_packet_evaluator() {
        macro_rules! fw {
            ($dir:literal, $f:literal) => {
                include_str!(concat!("../../tests/fixtures/firewall/", $dir, "/", $f))
            };
        }
        let sshd = fx!("sshd/debian.T");
        let addrs = "2: eth0    inet 10.231.0.10/16 scope global eth0\\       valid_lft forever\n\
                     2: eth0    inet6 fd00:231::10/64 scope global nodad \\       valid_lft forever\n";
        // `meta l4proto { icmp, ipv6-icmp } accept` is ICMP only: SSH stays limited.
        let j = facts(&[
            ("nft", 0, fw!("nft-l4proto-set", "nft.json")),
            ("sshd-t", 0, sshd),
            ("addrs", 0, addrs),
        ]);
        assert_eq!(j["firewall.ssh_sources_v4"], json!(["10.231.9.0/24"]));
        assert_eq!(j["firewall.ssh_sources_v6"], json!(["fd00:231:9::/64"]));
        assert_eq!(j["firewall.input_policy_v4"], json!("drop"));
        // Every listener's exposure, per family.
        let j = facts(&[
            ("nft", 0, fw!("nft-l4proto-set", "nft.json")),
            ("addrs", 0, addrs),
            (
                "listen",
                0,
                "tcp LISTEN 0 128 *:22 *:*\ntcp LISTEN 0 128 127.0.0.1:25 0.0.0.0:*\nudp UNCONN 0 0 0.0.0.0:161 0.0.0.0:*\n",
            ),
        ]);
        // Range by range, the accepted ranges are the sources, each with its deciding rule.
        let mut listeners = j["exposure.listeners"].clone();
        for l in listeners.as_array_mut().expect("a list") {
            let decisions = l
                .as_object_mut()
                .and_then(|o| o.remove("decisions"))
                .expect("decisions");
            let accepted: Vec<(&str, &str)> = decisions
                .as_array()
                .expect("a list")
                .iter()
                .filter(|d| d["outcome"] == "accept")
                .map(|d| {
                    (
                        d["from"].as_str().unwrap_or(""),
                        d["to"].as_str().unwrap_or(""),
                    )
                })
                .collect();
            let want: &[(&str, &str)] = match (l["port"].as_u64(), l["family"].as_str()) {
                (Some(22), Some("ipv4")) => &[("10.231.9.0", "10.231.9.255")],
                (Some(22), Some("ipv6")) => &[("fd00:231:9::", "fd00:231:9:0:ffff:ffff:ffff:ffff")],
                _ => &[],
            };
            assert_eq!(accepted, want, "{l}");
            assert!(
                decisions
                    .as_array()
                    .expect("a list")
                    .iter()
                    .all(|d| { d["by"].as_str().is_some_and(|b| !b.is_empty()) })
            );
        }
        assert_eq!(
            listeners,
            json!([
                {"proto": "tcp", "address": "::", "port": 22, "family": "ipv4", "sources": ["10.231.9.0/24"]},
                {"proto": "tcp", "address": "::", "port": 22, "family": "ipv6", "sources": ["fd00:231:9::/64"]},
                {"proto": "udp", "address": "0.0.0.0", "port": 161, "family": "ipv4", "sources": []},
            ])
        );
        // ufw with `default allow incoming`: ufw-not-local's conditional RETURN is followed.
        let ufw = |dir_v4: &'static str, dir_v6: &'static str| {
            facts(&[
                ("nft", 0, fw!("ufw-allow", "nft.json")),
                ("iptables", 0, dir_v4),
                ("ip6tables", 0, dir_v6),
                ("sshd-t", 0, sshd),
                ("addrs", 0, addrs),
            ])
        };
        let j = ufw(
            fw!("ufw-allow", "iptables-save"),
            fw!("ufw-allow", "ip6tables-save"),
        );
        assert_eq!(j["firewall.input_policy_v4"], json!("accept"));
        assert_eq!(j["firewall.input_policy_v6"], json!("accept"));
        // Everyone but the denied block: written as `any` and the exception.
        assert_eq!(
            j["firewall.ssh_sources_v4"],
            json!(["any", "except 203.0.113.0/24"])
        );
        assert_eq!(j["firewall.ssh_sources_v6"], json!(["any"]));
        // firewalld's `ct status dnat accept` is not a catch-all: the public zone rejects.
        let j = facts(&[
            ("nft", 0, fw!("firewalld", "nft.json")),
            ("sshd-t", 0, sshd),
            ("addrs", 0, addrs),
        ]);
        assert_eq!(j["firewall.input_policy_v4"], json!("reject"));
        assert_eq!(j["firewall.input_policy_v6"], json!("reject"));
        // ssh is a service of the public zone: open to all but the rich rule's reject.
        assert_eq!(
            j["firewall.ssh_sources_v4"],
            json!(["any", "except 10.231.5.7/32"])
        );
        // A rate-limited SSH accept cannot be decided: the fact is an error naming the rule.
        let limited = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -m hashlimit --hashlimit-upto 5/min -j ACCEPT\nCOMMIT\n";
        let j = facts(&[
            ("iptables", 0, limited),
            (
                "ip6tables",
                0,
                limited.replace("INPUT DROP", "INPUT ACCEPT").leak(),
            ),
            ("sshd-t", 0, sshd),
        ]);
        let e = j["firewall.ssh_sources_v4"]["error"].as_str().unwrap_or("");
        assert!(
            e.contains("`--hashlimit-upto` is not modelled") && e.contains("line 3"),
            "{e}"
        );
        assert_eq!(j["firewall.input_policy_v4"], json!("drop"));
    }

    #[test]
    fn audit_rules_as_loaded_refused_or_absent() {
        let hardened = include_str!("../../tests/fixtures/collect/audit/auditctl-l-hardened.txt");
        let j = facts(&[("auditctl", 0, hardened)]);
        assert_eq!(
            j["audit.covers"],
            json!(["logins", "execve", "config", "privileged"])
        );
        let refused = include_str!("../../tests/fixtures/collect/audit/auditctl-l-nonroot.txt");
        let j = facts(&[("auditctl", 4, refused)]);
        assert!(
            j["audit.covers"]["error"].is_string(),
            "{}",
            j["audit.covers"]
        );
        // auditd not installed: there are no rules, which is a fact, not an unknown.
        let j = facts(&[("auditctl", 127, "capdo: auditctl: not installed")]);
        assert_eq!(j["audit.covers"], json!([]));
        let j = facts(&[(
            "auditctl",
            0,
            "Error sending rule list request (Operation not permitted)",
        )]);
        assert!(
            j["audit.covers"]["error"].is_string(),
            "{}",
            j["audit.covers"]
        );
    }

    #[test]
    fn last_upgrade_age_uses_the_hosts_clock() {
        let line = include_str!("../../tests/fixtures/collect/updates/dpkg-last-upgrade.txt");
        // 2026-12-16 12:00 UTC: ten whole days after the upgrade's date, 2026-12-06.
        let j = facts(&[("patch-dpkg", 0, line), ("clock", 0, "1797422400")]);
        assert_eq!(j["updates.last_upgrade"], json!("2026-12-06"));
        assert_eq!(j["updates.last_upgrade_days"], json!(10));
        let j = facts(&[("patch-dpkg", 0, ""), ("clock", 0, "1797422400")]);
        assert_eq!(j["updates.last_upgrade_days"], Value::Null);
        let j = facts(&[("clock", 0, "1797422400")]);
        assert!(j["updates.last_upgrade_days"]["error"].is_string());
        // rpm's newest install time, 2026-12-01 08:00 UTC (hand-written).
        let j = facts(&[("patch-rpm", 0, "1796112000\n"), ("clock", 0, "1797422400")]);
        assert_eq!(j["updates.last_upgrade"], json!("2026-12-01"));
        assert_eq!(j["updates.last_upgrade_days"], json!(15));
    }

    #[test]
    fn ssh_sources_need_the_sshd_port() {
        let nft = fx!("nft/inet-default-drop.json");
        let j = facts(&[("nft", 0, nft), ("sshd-t", 0, fx!("sshd/hardened.T"))]);
        // `tcp dport 22 accept` from anywhere.
        assert_eq!(j["firewall.ssh_sources_v4"], json!(["any"]));
        assert_eq!(j["firewall.ssh_sources_v6"], json!(["any"]));
        // iptables-save: port 22 through a user chain that accepts two sources; the web rule's
        // source does not reach port 22. IPv6 ends in REJECT but accepts 22 from anywhere.
        let j = facts(&[
            ("iptables", 0, fx!("iptables/nft-v4.txt")),
            ("ip6tables", 0, fx!("iptables/nft-v6.txt")),
            ("sshd-t", 0, fx!("sshd/debian.T")),
        ]);
        assert_eq!(
            j["firewall.ssh_sources_v4"],
            json!(["10.0.0.0/8", "192.168.50.7/32"])
        );
        assert_eq!(j["firewall.ssh_sources_v6"], json!(["any"]));
        let j = facts(&[("nft", 0, nft)]);
        assert!(
            j["firewall.ssh_sources_v4"]["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("the sshd port is unknown"))
        );
    }
}

//! From one host's collector output to its facts: split the sections, run each parser, and
//! record for every fact either a value or why there is none ("needs privilege", "not
//! installed", …). A fact that could not be read is never a pass.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::facts::*;
use super::parse::{self, sections::Section};

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
    pub ipv6: Fact<Ipv6>,
    pub listening: Fact<Vec<Listener>>,
    /// The sshd settings and where they came from (`sshd -T` or the config files).
    pub sshd: Fact<(Sshd, String)>,
    /// Scheduled jobs; `Err` when the crontabs could not be read and none was found elsewhere.
    pub jobs: Fact<Vec<Job>>,
    /// Per requested backup path: the newest file's age in hours (None: the folder is empty).
    pub backup_age_hours: BTreeMap<String, Fact<Option<f64>>>,
    pub forward_targets: Fact<Vec<ForwardTarget>>,
    pub processes: Fact<Vec<String>>,
    pub time_synchronized: Fact<bool>,
    /// Things worth knowing about the collection itself (truncated output, exit status).
    pub notes: Vec<String>,
}

/// Sections by name.
struct Sections<'a> {
    by_name: BTreeMap<&'a str, &'a Section>,
    truncated: bool,
}

impl<'a> Sections<'a> {
    fn get(&self, name: &str) -> Fact<&'a Section> {
        match self.by_name.get(name) {
            Some(s) => Ok(s),
            None if self.truncated => {
                Err("not collected: the output was cut at the size limit".into())
            }
            None => Err(format!("not collected: the `{name}` section is missing")),
        }
    }

    /// The body of a section that succeeded, or why it did not.
    fn ok(&self, name: &str) -> Fact<&'a str> {
        let s = self.get(name)?;
        match s.rc {
            Some(0) => Ok(&s.body),
            rc => Err(failure(name, rc, &s.body)),
        }
    }

    /// `(path, content)` of every readable "file PATH" section whose path passes `want`.
    fn files(&self, want: impl Fn(&str) -> bool) -> Vec<(String, String)> {
        self.by_name
            .iter()
            .filter_map(|(name, s)| {
                let path = name.strip_prefix("file ")?;
                (want(path) && s.rc == Some(0)).then(|| (path.to_owned(), s.body.clone()))
            })
            .collect()
    }

    /// "file PATH" sections that could not be read.
    fn unreadable(&self, want: impl Fn(&str) -> bool) -> Vec<String> {
        self.by_name
            .iter()
            .filter_map(|(name, s)| {
                let path = name.strip_prefix("file ")?;
                (want(path) && s.rc != Some(0)).then(|| failure(path, s.rc, &s.body))
            })
            .collect()
    }
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
        let all = parse::sections::split(output, nonce);
        let by_name = all.iter().map(|s| (s.name.as_str(), s)).collect();
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
        let clock: Option<f64> = s.ok("clock").ok().and_then(|b| b.trim().parse().ok());

        HostFacts {
            root,
            client,
            os: s.ok("os-release").map(parse::os_release::parse),
            kernel: s.ok("kernel").map(|b| b.trim().to_owned()),
            hostname: s.ok("hostname").map(|b| b.trim().to_owned()),
            firewall: firewall(&s),
            ipv6: ipv6(&s),
            listening: listening(&s),
            sshd: sshd(&s),
            jobs: jobs(&s),
            backup_age_hours: backup_paths
                .iter()
                .map(|p| (p.clone(), backup_age(&s, p, clock)))
                .collect(),
            forward_targets: forwarding(&s, &mut notes),
            processes: s.ok("processes").map(parse::procs::parse),
            time_synchronized: time(&s),
            notes,
        }
    }

    /// The facts under their contract names (DESIGN.md "Facts"); a fact that could not be read
    /// is `{"error": "why"}`.
    pub fn to_json(&self) -> Map<String, Value> {
        /// One fact's value, or its error.
        fn field<T>(fact: &Fact<T>, f: impl Fn(&T) -> Value) -> Result<Value, String> {
            fact.as_ref().map(f).map_err(Clone::clone)
        }
        let mut m = Map::new();
        let mut put = |k: &str, v: Result<Value, String>| {
            m.insert(k.into(), v.unwrap_or_else(|e| json!({ "error": e })));
        };
        put("collector.root", Ok(json!(self.root)));
        put("collector.client", Ok(json!(self.client)));
        put("os.id", field(&self.os, |o| json!(o.id)));
        put("os.version_id", field(&self.os, |o| json!(o.version_id)));
        put("kernel.release", field(&self.kernel, |k| json!(k)));
        put("hostname", field(&self.hostname, |h| json!(h)));
        put(
            "firewall.backend",
            field(&self.firewall, |f| json!(f.backend)),
        );
        put(
            "firewall.input_policy_v4",
            field(&self.firewall, |f| json!(f.input_policy_v4)),
        );
        put(
            "firewall.input_policy_v6",
            field(&self.firewall, |f| json!(f.input_policy_v6)),
        );
        put(
            "firewall.accept_v4",
            field(&self.firewall, |f| json!(f.accept_v4)),
        );
        put(
            "firewall.accept_v6",
            field(&self.firewall, |f| json!(f.accept_v6)),
        );
        put("ipv6.enabled", field(&self.ipv6, |v| json!(v.enabled)));
        put("ipv6.addresses", field(&self.ipv6, |v| json!(v.addresses)));
        put("listening", field(&self.listening, |l| json!(l)));
        put(
            "sshd.permit_root_login",
            field(&self.sshd, |(s, _)| json!(s.permit_root_login)),
        );
        put(
            "sshd.password_authentication",
            field(&self.sshd, |(s, _)| json!(s.password_authentication)),
        );
        put(
            "sshd.port",
            field(&self.sshd, |(s, _)| json!(s.ports.first())),
        );
        put("sshd.source", field(&self.sshd, |(_, src)| json!(src)));
        put("backup.jobs", field(&self.jobs, |j| json!(j)));
        // One backup path per server in inventory v1: report it as a number.
        if let Some(age) = self.backup_age_hours.values().next() {
            put(
                "backup.newest_file_age_hours",
                field(age, |a| json!(a.map(|h| (h * 10.0).round() / 10.0))),
            );
        }
        put(
            "logging.forward_targets",
            field(&self.forward_targets, |t| {
                json!(
                    t.iter()
                        .map(|t| format!("{}:{}", t.host, t.port))
                        .collect::<Vec<_>>()
                )
            }),
        );
        put("agents.running", field(&self.processes, |p| json!(p)));
        put(
            "time.synchronized",
            field(&self.time_synchronized, |t| json!(t)),
        );
        if !self.notes.is_empty() {
            put("collector.notes", Ok(json!(self.notes)));
        }
        m
    }
}

fn firewall(s: &Sections) -> Fact<Firewall> {
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
        sec if sec.rc == Some(0) => Ok(parse::ipv6::parse(&sec.body, if_inet6, false)),
        sec if sec.rc == Some(2) => Ok(parse::ipv6::parse("", "", true)),
        sec => Err(failure("ipv6-sysctl", sec.rc, &sec.body)),
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
                sshd.match_overrides = parse::sshd::from_files(&files).match_overrides;
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
    let dirs = s.ok("cron-dirs").unwrap_or("");
    let mut jobs = parse::jobs::cron(&cron_files, dirs);
    let units = s.files(|p| p.starts_with("/etc/systemd/system/"));
    jobs.extend(parse::jobs::timers(&units));
    // Unreadable crontabs might hold the job we look for: with none found, say so.
    let spool = s.get("cron-spool").ok().filter(|sec| sec.rc != Some(0));
    match spool {
        Some(sec) if jobs.is_empty() => Err(format!(
            "no job found, and the crontabs could not be listed: {}",
            failure("cron-spool", sec.rc, &sec.body)
        )),
        _ => Ok(jobs),
    }
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
        .and_then(|l| l.trim().parse().ok())
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
    let chrony_body = s
        .get("chronyc")
        .map(|sec| sec.body.clone())
        .unwrap_or_default();
    if let Some(v) = parse::timesync::chronyc(&chrony_body) {
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

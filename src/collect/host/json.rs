//! The facts under their contract names (DESIGN.md "Facts"): [`FACT_NAMES`] and
//! [`HostFacts::to_json`].

use serde_json::{Map, Value, json};

use super::{Fact, HostFacts, MAX_FACT_BYTES, json_size};
use crate::collect::facts::*;
use crate::collect::parse;

/// Every fact name [`HostFacts::to_json`] can record (DESIGN.md "Facts", contract): what a
/// pack's `fact = "…"` may name. `backup.newest_file_age_hours` is there when the inventory
/// declares a backup path, `tls.services` when it declares a TLS service, `http.answers` on a
/// public web server, `collector.notes` when there is something to say.
pub const FACT_NAMES: &[&str] = &[
    "collector.root",
    "collector.client",
    "os.id",
    "os.version_id",
    "kernel.release",
    "hostname",
    "firewall.backend",
    "firewall.input_policy_v4",
    "firewall.input_policy_v6",
    "firewall.accept_v4",
    "firewall.accept_v6",
    "ipv6.enabled",
    "ipv6.addresses",
    "listening",
    "sshd.permit_root_login",
    "sshd.password_authentication",
    "sshd.port",
    "sshd.source",
    "backup.jobs",
    "backup.newest_file_age_hours",
    "logging.forward_targets",
    "agents.running",
    "time.synchronized",
    "time.source",
    "audit.covers",
    "updates.last_upgrade",
    "updates.last_upgrade_days",
    "updates.sources",
    "sshd.use_pam",
    "sshd.kbd_interactive",
    "sshd.pam_second_factor",
    "sshd.client_alive_interval",
    "sshd.client_alive_count_max",
    "sshd.client_alive_timeout",
    "sshd.authentication_methods",
    "sshd.allow_users",
    "sshd.allow_groups",
    "sshd.match_address",
    "sshd.ciphers",
    "sshd.macs",
    "sshd.kex_algorithms",
    "firewall.ssh_sources_v4",
    "firewall.ssh_sources_v6",
    "exposure.listeners",
    "tls.services",
    "http.answers",
    "password.pam_pwquality",
    "password.min_length",
    "password.min_class",
    "password.max_days",
    "password.remember",
    "lockout.faillock",
    "lockout.deny",
    "lockout.unlock_time",
    "session.tmout",
    "accounts.uid0",
    "accounts.login",
    "accounts.last_login",
    "updates.security",
    "updates.pending",
    "logging.logrotate_days",
    "logging.journald_storage",
    "logging.journald_max_retention_days",
    "collector.notes",
];

impl HostFacts {
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
        put("exposure.listeners", self.exposure());
        if !self.tls.is_empty() {
            put("tls.services", Ok(tls_services(&self.tls)));
        }
        if !self.http.is_empty() {
            put("http.answers", Ok(http_answers(&self.http)));
        }
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
        put("time.source", field(&self.time_source, |a| json!(a)));
        put("audit.covers", field(&self.audit, |c| json!(c)));
        put(
            "updates.last_upgrade",
            field(&self.last_upgrade, |d| json!(d.map(|d| d.to_string()))),
        );
        // Whole days from the upgrade's date to the host's clock (dpkg writes local dates: a
        // day either way at most).
        put(
            "updates.last_upgrade_days",
            self.last_upgrade.clone().and_then(|d| {
                let Some(d) = d else {
                    return Ok(Value::Null);
                };
                let clock = self.clock.ok_or("the host's clock was not read")?;
                let then = d
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .map_err(|e| e.to_string())?
                    .timestamp()
                    .as_second();
                Ok(json!(((clock as i64 - then).max(0)) / 86_400))
            }),
        );
        put(
            "updates.sources",
            field(&self.package_sources, |h| json!(h)),
        );
        put("sshd.use_pam", field(&self.sshd, |(s, _)| json!(s.use_pam)));
        put(
            "sshd.kbd_interactive",
            field(&self.sshd, |(s, _)| json!(s.kbd_interactive)),
        );
        put(
            "sshd.pam_second_factor",
            field(&self.pam_second_factor, |m| json!(m)),
        );
        put(
            "sshd.client_alive_interval",
            field(&self.sshd, |(s, _)| json!(s.client_alive_interval)),
        );
        put(
            "sshd.client_alive_count_max",
            field(&self.sshd, |(s, _)| json!(s.client_alive_count_max)),
        );
        // How long an unanswering SSH session lives: ClientAliveInterval × ClientAliveCountMax
        // (0: never closed; an interval without a count is OpenSSH's default count, 3).
        put(
            "sshd.client_alive_timeout",
            field(&self.sshd, |(s, _)| {
                json!(
                    s.client_alive_interval.map(|i| {
                        u64::from(i) * u64::from(s.client_alive_count_max.unwrap_or(3))
                    })
                )
            }),
        );
        put(
            "sshd.authentication_methods",
            field(&self.sshd, |(s, _)| json!(s.authentication_methods)),
        );
        put(
            "sshd.allow_users",
            field(&self.sshd, |(s, _)| json!(s.allow_users)),
        );
        put(
            "sshd.allow_groups",
            field(&self.sshd, |(s, _)| json!(s.allow_groups)),
        );
        put(
            "sshd.match_address",
            field(&self.sshd, |(s, _)| json!(s.match_addresses)),
        );
        type List = fn(&Sshd) -> Option<Vec<String>>;
        let lists: [(&str, List); 3] = [
            ("sshd.ciphers", |s| s.ciphers.clone()),
            ("sshd.macs", |s| s.macs.clone()),
            ("sshd.kex_algorithms", |s| s.kex_algorithms.clone()),
        ];
        for (name, list) in lists {
            let value = match &self.sshd {
                Ok((s, source)) => list(s).map(|l| json!(l)).ok_or_else(|| {
                    format!(
                        "not known from the {source}: the list is OpenSSH's compiled-in \
                         default or a change to it (+, -, ^), which depends on the version"
                    )
                }),
                Err(e) => Err(e.clone()),
            };
            put(name, value);
        }
        let ssh_sources = self.ssh_sources();
        put(
            "firewall.ssh_sources_v4",
            field(&ssh_sources, |(v4, _)| json!(v4)),
        );
        put(
            "firewall.ssh_sources_v6",
            field(&ssh_sources, |(_, v6)| json!(v6)),
        );
        put(
            "password.pam_pwquality",
            field(&self.password, |p| json!(p.pam_pwquality)),
        );
        put(
            "password.min_length",
            field(&self.password, |p| json!(p.min_length)),
        );
        put(
            "password.min_class",
            field(&self.password, |p| json!(p.min_class)),
        );
        put(
            "password.max_days",
            field(&self.pass_max_days, |d| json!(d)),
        );
        put(
            "password.remember",
            field(&self.password, |p| json!(p.remember)),
        );
        put(
            "lockout.faillock",
            field(&self.lockout, |l| json!(l.faillock)),
        );
        put("lockout.deny", field(&self.lockout, |l| json!(l.deny)));
        put(
            "lockout.unlock_time",
            field(&self.lockout, |l| json!(l.unlock_time)),
        );
        put("session.tmout", field(&self.tmout, |t| json!(t)));
        put(
            "accounts.uid0",
            field(&self.accounts, |a| {
                json!(
                    a.iter()
                        .filter(|a| a.uid == 0)
                        .map(|a| &a.name)
                        .collect::<Vec<_>>()
                )
            }),
        );
        put(
            "accounts.login",
            field(&self.accounts, |a| {
                json!(
                    a.iter()
                        .filter(|a| parse::accounts::can_log_in(a))
                        .collect::<Vec<_>>()
                )
            }),
        );
        put("accounts.last_login", field(&self.last_login, |l| json!(l)));
        put(
            "updates.security",
            field(&self.updates, |u| json!(u.security)),
        );
        put(
            "updates.pending",
            field(&self.updates, |u| json!(u.pending)),
        );
        put(
            "logging.logrotate_days",
            field(&self.logrotate_days, |d| json!(d)),
        );
        put(
            "logging.journald_storage",
            field(&self.journald, |j| json!(j.storage)),
        );
        put(
            "logging.journald_max_retention_days",
            field(&self.journald, |j| json!(j.max_retention_days)),
        );
        if !self.notes.is_empty() {
            put("collector.notes", Ok(json!(self.notes)));
        }
        for v in m.values_mut() {
            let size = json_size(v);
            if size > MAX_FACT_BYTES {
                *v = json!({
                    "error": format!(
                        "too large: {size} bytes, more than capdo records for one fact ({MAX_FACT_BYTES})"
                    )
                });
            }
        }
        m
    }
}

/// `http.answers`: per probed port, `{port, status, location}`, `{port, closed: true}` or
/// `{port, error}`.
fn http_answers(http: &std::collections::BTreeMap<u16, parse::http::Answer>) -> Value {
    use parse::http::Answer;
    Value::Array(
        http.iter()
            .map(|(port, a)| match a {
                Answer::Closed => json!({ "port": port, "closed": true }),
                Answer::Status { code, location } => {
                    json!({ "port": port, "status": code, "location": location })
                }
                Answer::Undecided(why) => json!({ "port": port, "error": why }),
            })
            .collect(),
    )
}

/// `tls.services`: per probed port, `{port, address, accepted, refused, undecided}` (the
/// last two map a version to OpenSSL's reason), or `{port, error}`.
fn tls_services(tls: &std::collections::BTreeMap<u16, Fact<parse::tls::Probe>>) -> Value {
    use parse::tls::Outcome;
    let services: Vec<Value> = tls
        .iter()
        .map(|(port, probe)| match probe {
            Err(e) => json!({ "port": port, "error": e }),
            Ok(p) => {
                let mut accepted = vec![];
                let (mut refused, mut undecided) = (Map::new(), Map::new());
                for (v, o) in &p.versions {
                    match o {
                        Outcome::Accepted => accepted.push(v.name()),
                        Outcome::Refused(why) => {
                            refused.insert(v.name().into(), json!(why));
                        }
                        Outcome::Undecided(why) => {
                            undecided.insert(v.name().into(), json!(why));
                        }
                    }
                }
                json!({
                    "port": port,
                    "address": p.address,
                    "accepted": accepted,
                    "refused": refused,
                    "undecided": undecided,
                })
            }
        })
        .collect();
    Value::Array(services)
}

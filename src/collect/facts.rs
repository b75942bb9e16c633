//! What the collector learns about one host, as typed values. The parsers in `parse/` produce
//! these from raw command output; `FactSet` (in `mod.rs`) flattens them into the dotted fact
//! names of DESIGN.md ("Facts", contract) for reports.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// `/etc/os-release`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsRelease {
    /// `ID`, e.g. "debian".
    pub id: Option<String>,
    /// `VERSION_ID`, e.g. "12".
    pub version_id: Option<String>,
    /// `PRETTY_NAME`.
    pub pretty_name: Option<String>,
}

/// Which firewall was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Nftables,
    Iptables,
    None,
}

/// The effective verdict for unsolicited inbound packets of one family: what the packet
/// evaluator (src/firewall) decides for a TCP packet from an address no rule names to a port no
/// rule names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// The input path ends in drop (base chain policy drop, or a final unconditional drop).
    Drop,
    /// It ends in reject.
    Reject,
    /// It ends in accept.
    Accept,
    /// No input filtering at all for this family (no base chain on the input hook).
    None,
    /// The packet evaluator cannot decide (a rule it does not model, or one that depends on
    /// traffic): the controls that read it are `error`.
    Unknown,
}

/// A rule on an input path that accepts traffic, as far as it can be summarised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptRule {
    /// "tcp", "udp" or None when the rule is not protocol-specific.
    pub proto: Option<String>,
    /// Destination ports the rule accepts (empty: any port).
    pub ports: Vec<u16>,
    /// Source prefixes the rule is limited to (empty: any source), as text ("10.10.9.0/24").
    pub sources: Vec<String>,
    /// The rule only matches established/related connections.
    pub established: bool,
    /// The rule only matches the loopback interface.
    pub loopback: bool,
}

/// The host firewall as it filters inbound traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firewall {
    pub backend: Backend,
    pub input_policy_v4: Policy,
    pub input_policy_v6: Policy,
    /// Accepting rules on the IPv4 / IPv6 input paths, in evaluation order.
    pub accept_v4: Vec<AcceptRule>,
    pub accept_v6: Vec<AcceptRule>,
}

/// IPv6 state of the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ipv6 {
    /// IPv6 is on: the kernel has it and `disable_ipv6` is 0 for `all` and at least one
    /// non-loopback interface.
    pub enabled: bool,
    /// Configured IPv6 addresses, link-local and loopback excluded.
    pub addresses: Vec<IpAddr>,
}

/// A listening socket.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Listener {
    /// "tcp" or "udp".
    pub proto: String,
    /// The local address ("0.0.0.0", "::", "127.0.0.1", …).
    pub address: IpAddr,
    pub port: u16,
    /// The process name, when visible (needs privilege for other users' sockets).
    pub process: Option<String>,
}

/// The sshd settings capdo judges, normalised to lowercase (`permitrootlogin` aliases such as
/// `without-password` become `prohibit-password`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sshd {
    pub permit_root_login: Option<String>,
    pub password_authentication: Option<bool>,
    /// Listening ports (sshd may have several `Port` lines).
    pub ports: Vec<u16>,
    pub client_alive_interval: Option<u32>,
    pub client_alive_count_max: Option<u32>,
    pub allow_users: Vec<String>,
    pub allow_groups: Vec<String>,
    /// `AuthenticationMethods`: the lists of methods, any of which logs a user in (`["any"]`
    /// by default; `publickey,keyboard-interactive` asks for two factors). Empty in facts saved
    /// before capdo read it.
    #[serde(default)]
    pub authentication_methods: Vec<String>,
    /// The address patterns of `Match Address …` blocks in the configuration files, in the
    /// order read (only the files say this: `sshd -T` does not).
    pub match_addresses: Vec<String>,
    /// `Match` blocks that change `permitrootlogin` or `passwordauthentication` for some
    /// connections, as `Match <criteria>: key value`.
    pub match_overrides: Vec<String>,
    /// `Ciphers`, `MACs` and `KexAlgorithms`: what sshd offers, in its order. `None` when only
    /// the files were read and they leave a list to OpenSSH's compiled-in default (which
    /// depends on its version) or change that default (`+…`, `-…`, `^…`); and in facts saved
    /// before capdo read them.
    #[serde(default)]
    pub ciphers: Option<Vec<String>>,
    #[serde(default)]
    pub macs: Option<Vec<String>>,
    #[serde(default)]
    pub kex_algorithms: Option<Vec<String>>,
}

/// A scheduled job (cron line or systemd timer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Where it was found: "/etc/crontab", "/etc/cron.d/backup", "crontab:root",
    /// "/etc/systemd/system/backup.timer", "/etc/cron.daily/backup".
    pub source: String,
    /// The schedule as written ("30 2 * * *", "@daily", "OnCalendar=daily", "daily").
    pub schedule: String,
    /// The command (for a timer: the ExecStart of its service).
    pub command: String,
}

/// Where logs are forwarded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ForwardTarget {
    /// Host name or address as written.
    pub host: String,
    pub port: u16,
    /// "tcp", "udp", "relp", "http", … as far as the config says.
    pub protocol: String,
    /// Which software forwards: "rsyslog", "syslog-ng", "journald", "wazuh", "filebeat".
    pub via: String,
}

/// Password quality, ageing and history, from the PAM password stack, pwquality, pwhistory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Password {
    /// `pam_pwquality.so` or `pam_cracklib.so` is in the password stack.
    pub pam_pwquality: bool,
    /// pwquality `minlen` (the PAM argument, else the last `pwquality.conf(.d)` value); `None`
    /// when set nowhere.
    pub min_length: Option<u32>,
    /// pwquality `minclass`, likewise.
    pub min_class: Option<u32>,
    /// `remember` of `pam_pwhistory` (argument, else `pwhistory.conf`, else its default 10) or
    /// of `pam_unix`; `None` when neither keeps a history.
    pub remember: Option<u32>,
}

/// Account lockout after failed logins, from the PAM auth stack and `faillock.conf`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockout {
    /// `pam_faillock.so` or `pam_tally2.so` is in the auth stack.
    pub faillock: bool,
    /// Failures before the account locks (pam_faillock's default 3 when unset).
    pub deny: Option<u32>,
    /// Seconds until a locked account unlocks itself (pam_faillock's default 600 when unset;
    /// 0: never).
    pub unlock_time: Option<u64>,
}

/// An account from `/etc/passwd` (name, uid and shell only).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    pub uid: u32,
    /// The login shell as written (empty: `/bin/sh`).
    pub shell: String,
}

/// When a login account last logged in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastLogin {
    pub name: String,
    /// Whole days since the last login by the host's clock; `None`: never logged in.
    pub days: Option<u64>,
}

/// Pending package updates, from a simulated upgrade.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Updates {
    /// Packages with a pending update from a security source, sorted, once each.
    pub security: Vec<String>,
    /// All pending updates (upgrades and new packages they pull in).
    pub pending: usize,
}

/// journald's storage settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journald {
    /// `Storage=`: "persistent", "volatile", "auto" (the default) or "none".
    pub storage: String,
    /// `MaxRetentionSec=` in whole days; `None` when unset or 0 (no time limit).
    pub max_retention_days: Option<u64>,
}

impl Default for Journald {
    fn default() -> Self {
        Journald {
            storage: "auto".into(),
            max_retention_days: None,
        }
    }
}

impl Firewall {
    /// The sources from which a new TCP connection to one of `ports` is accepted, for IPv4 and
    /// IPv6: `["any"]` when the input policy accepts (or nothing filters) or an accepting rule
    /// has no source limit, else the sorted union of the sources of the rules that could
    /// accept it. Rules limited to loopback or to established connections are left out; a
    /// rule without ports counts for every port.
    pub fn sources_to(&self, ports: &[u16]) -> (Vec<String>, Vec<String>) {
        (
            sources(self.input_policy_v4, &self.accept_v4, ports),
            sources(self.input_policy_v6, &self.accept_v6, ports),
        )
    }
}

fn sources(policy: Policy, rules: &[AcceptRule], ports: &[u16]) -> Vec<String> {
    let any = || vec!["any".to_owned()];
    if matches!(policy, Policy::Accept | Policy::None) {
        return any();
    }
    let mut out: Vec<String> = vec![];
    for r in rules {
        let reaches = !r.loopback
            && !r.established
            && r.proto.as_deref().is_none_or(|p| p == "tcp")
            && (r.ports.is_empty() || r.ports.iter().any(|p| ports.contains(p)));
        if !reaches {
            continue;
        }
        if r.sources.is_empty() || r.sources.iter().any(|s| s == "0.0.0.0/0" || s == "::/0") {
            return any();
        }
        out.extend(r.sources.iter().cloned());
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::parse::test_rule;

    fn fw(v4: Policy, accept_v4: Vec<AcceptRule>) -> Firewall {
        Firewall {
            backend: Backend::Nftables,
            input_policy_v4: v4,
            input_policy_v6: Policy::None,
            accept_v4,
            accept_v6: vec![],
        }
    }

    #[test]
    fn ssh_sources_are_the_union_of_the_rules_that_reach_sshd() {
        let f = fw(
            Policy::Drop,
            vec![
                test_rule(None, &[], &[], false, true),
                test_rule(None, &[], &[], true, false),
                test_rule(Some("tcp"), &[22], &["10.10.9.0/24"], false, false),
                test_rule(Some("tcp"), &[443], &[], false, false),
                test_rule(Some("udp"), &[2222], &[], false, false),
                test_rule(None, &[2222], &["192.0.2.7", "10.10.9.0/24"], false, false),
            ],
        );
        let (v4, v6) = f.sources_to(&[22, 2222]);
        assert_eq!(v4, ["10.10.9.0/24", "192.0.2.7"]);
        // No IPv6 input filtering at all: everyone.
        assert_eq!(v6, ["any"]);
    }

    #[test]
    fn an_unlimited_rule_or_an_accepting_policy_means_any() {
        let open_rule = fw(
            Policy::Drop,
            vec![
                test_rule(Some("tcp"), &[22], &["10.0.0.0/8"], false, false),
                test_rule(Some("tcp"), &[], &[], false, false),
            ],
        );
        assert_eq!(open_rule.sources_to(&[22]).0, ["any"]);
        let zero = fw(
            Policy::Reject,
            vec![test_rule(None, &[22], &["0.0.0.0/0"], false, false)],
        );
        assert_eq!(zero.sources_to(&[22]).0, ["any"]);
        assert_eq!(fw(Policy::Accept, vec![]).sources_to(&[22]).0, ["any"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn ssh_sources_are_any_or_sources_of_the_rules(
            rules in proptest::collection::vec(
                (
                    proptest::option::of("(tcp|udp|icmp)"),
                    proptest::collection::vec(20u16..25, 0..3),
                    proptest::collection::vec("(10\\.0\\.0\\.0/8|192\\.0\\.2\\.1|0\\.0\\.0\\.0/0)", 0..3),
                    proptest::bool::ANY,
                    proptest::bool::ANY,
                ),
                0..6,
            ),
            drop in proptest::bool::ANY,
        ) {
            let rules: Vec<AcceptRule> = rules
                .into_iter()
                .map(|(proto, ports, sources, established, loopback)| AcceptRule {
                    proto,
                    ports,
                    sources,
                    established,
                    loopback,
                })
                .collect();
            let policy = if drop { Policy::Drop } else { Policy::Accept };
            let got = fw(policy, rules.clone()).sources_to(&[22]).0;
            let any = got == ["any"];
            proptest::prop_assert!(any || got.iter().all(|s| rules.iter().any(|r| r.sources.contains(s))));
            proptest::prop_assert!(drop || any);
        }
    }

    #[test]
    fn no_rule_reaching_sshd_means_no_source() {
        let f = fw(
            Policy::Drop,
            vec![test_rule(Some("tcp"), &[443], &[], false, false)],
        );
        assert!(f.sources_to(&[22]).0.is_empty());
    }
}

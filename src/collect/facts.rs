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

/// The host firewall as it filters inbound traffic: which tool holds the rules and a summary of
/// its accepting rules, shown as facts and read by no control (the input policies are set by
/// the packet evaluator; docs/firewall.md).
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
    /// `UsePAM` and `KbdInteractiveAuthentication` (`ChallengeResponseAuthentication` before
    /// OpenSSH 8.7): whether keyboard-interactive logins go through PAM's stack.
    #[serde(default)]
    pub use_pam: Option<bool>,
    #[serde(default)]
    pub kbd_interactive: Option<bool>,
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

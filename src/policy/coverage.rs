//! How far the shipped packs cover the automatically verifiable requirements of regulations.md
//! §11.1, per regime: the controls of each requirement, and whether they check all of it
//! (`Full`), part of it (`Partial`, saying what is not checked), or leave it to a person
//! (`Manual`). `capdo controls --format md` prints it in docs/controls.md; tests/law.rs checks
//! that every §11.1 row is here, that every control named exists in its regime's pack, and the
//! counts.

use super::catalog::Catalog;
use crate::inventory::Regime;

/// How one regime covers one requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cover {
    /// Checked as regulations.md §11.1 describes it.
    Full(&'static [&'static str]),
    /// Checked in part; the text says what is not.
    Partial(&'static [&'static str], &'static str),
    /// Attested by a person (a `manual` control), not read from the inventory or a host.
    Manual(&'static [&'static str]),
    /// Not a requirement of this regime; the text says why.
    NotRequired(&'static str),
}

impl Cover {
    pub fn controls(self) -> &'static [&'static str] {
        match self {
            Cover::Full(c) | Cover::Partial(c, _) | Cover::Manual(c) => c,
            Cover::NotRequired(_) => &[],
        }
    }
}

/// One requirement of §11.1, by the first words of its row (before " (").
#[derive(Debug)]
pub struct Row {
    pub requirement: &'static str,
    pub nd85: Cover,
    pub nd331: Cover,
}

impl Row {
    pub fn cover(&self, regime: Regime) -> Cover {
        match regime {
            Regime::Nd85 => self.nd85,
            Regime::Nd331 => self.nd331,
        }
    }
}

use Cover::{Full, Manual, NotRequired, Partial};

pub const ROWS: &[Row] = &[
    Row {
        requirement: "Remote admin over secure channels only; no Telnet/rsh/FTP; insecure services off",
        nd85: Full(&[
            "INSECURE-SERVICE",
            "SSH-WEAK-CRYPTO",
            "SSH-ROOT-LOGIN",
            "NET-UNDECLARED-PORT",
        ]),
        nd331: Full(&[
            "INSECURE-SERVICE",
            "SSH-WEAK-CRYPTO",
            "SSH-ROOT-LOGIN",
            "NET-UNDECLARED-PORT",
        ]),
    },
    Row {
        requirement: "Default admin port changed",
        nd85: Full(&["SSH-DEFAULT-PORT"]),
        nd331: NotRequired("not in TCVN 14423's level-3 items; legacy rule (regulations.md §12.9)"),
    },
    Row {
        requirement: "Admin source restriction",
        nd85: Full(&["SSH-ADMIN-SOURCE"]),
        nd331: Full(&["SSH-ADMIN-SOURCE"]),
    },
    Row {
        requirement: "Idle timeout",
        nd85: Full(&["SESSION-IDLE-TIMEOUT"]),
        nd331: Full(&["SESSION-IDLE-TIMEOUT"]),
    },
    Row {
        requirement: "Password policy",
        nd85: Full(&["PASSWORD-POLICY"]),
        nd331: Full(&["PASSWORD-POLICY"]),
    },
    Row {
        requirement: "Lockout",
        nd85: Full(&["LOCKOUT"]),
        nd331: Full(&["LOCKOUT"]),
    },
    Row {
        requirement: "Default and invalid accounts",
        // The 45-day inactivity rule is the current regime's (regulations.md §5.6).
        nd85: Full(&["ACCOUNT-UNAPPROVED", "ACCOUNT-EXTRA-UID0", "SSH-ROOT-LOGIN"]),
        nd331: Full(&[
            "ACCOUNT-UNAPPROVED",
            "ACCOUNT-EXTRA-UID0",
            "ACCOUNT-INACTIVE",
            "SSH-ROOT-LOGIN",
        ]),
    },
    Row {
        requirement: "MFA for admins",
        nd85: NotRequired("TCVN 11930:2017 asks for no second factor"),
        nd331: Full(&["MFA-ADMIN", "MANUAL-MFA"]),
    },
    Row {
        requirement: "Host firewall default-deny, IPv4 and IPv6",
        nd85: Full(&["FW-HOST-DEFAULT-DENY", "FW-IPV6-PARITY"]),
        nd331: Full(&["FW-HOST-DEFAULT-DENY", "FW-IPV6-PARITY"]),
    },
    Row {
        requirement: "Time sync",
        nd85: Full(&["TIME-SYNC", "TIME-SOURCE"]),
        nd331: Full(&["TIME-SYNC", "TIME-SOURCE"]),
    },
    Row {
        requirement: "Logging content",
        nd85: Full(&["AUDITD-RUNNING", "AUDIT-RULES"]),
        nd331: Full(&["AUDITD-RUNNING", "AUDIT-RULES"]),
    },
    Row {
        requirement: "Central log forwarding",
        nd85: Partial(&["LOG-FORWARD"], "no test message is sent to the SIEM"),
        nd331: Partial(&["LOG-FORWARD"], "no test message is sent to the SIEM"),
    },
    Row {
        requirement: "Log retention",
        nd85: Partial(&["LOG-RETENTION"], "the SIEM's index lifecycle is not read"),
        nd331: Partial(&["LOG-RETENTION"], "the SIEM's index lifecycle is not read"),
    },
    Row {
        requirement: "Anti-malware / EDR present and updated",
        nd85: Partial(
            &["AGENT-RUNNING"],
            "signature age and registration with the central console are not read",
        ),
        nd331: Partial(
            &["AGENT-RUNNING", "DESIGN-EDR"],
            "signature age and registration with the central console are not read",
        ),
    },
    Row {
        requirement: "Patching",
        nd85: Full(&["PATCH-PENDING-SECURITY", "PATCH-AGE", "PATCH-CENTRAL"]),
        nd331: Full(&["PATCH-PENDING-SECURITY", "PATCH-AGE", "PATCH-CENTRAL"]),
    },
    Row {
        requirement: "Encryption in transit",
        nd85: Full(&["TLS-VERSION", "HTTPS-REDIRECT", "PUBLIC-IPV6-HTTPS"]),
        nd331: Full(&["TLS-VERSION", "HTTPS-REDIRECT", "PUBLIC-IPV6-HTTPS"]),
    },
    Row {
        requirement: "Encryption at rest",
        nd85: Manual(&["MANUAL-ENCRYPTION-AT-REST"]),
        nd331: Manual(&["MANUAL-ENCRYPTION-AT-REST"]),
    },
    Row {
        requirement: "Backup",
        nd85: Full(&[
            "BACKUP-DECLARED",
            "BACKUP-JOB",
            "BACKUP-FRESH",
            "BACKUP-CENTRAL",
            "BACKUP-OFFSITE",
        ]),
        nd331: Full(&[
            "BACKUP-DECLARED",
            "BACKUP-JOB",
            "BACKUP-FRESH",
            "BACKUP-CENTRAL",
            "BACKUP-OFFSITE",
            "BACKUP-3-2-1",
        ]),
    },
    Row {
        requirement: "Zones",
        nd85: Full(&["ZONE-REQUIRED", "ZONE-PLACEMENT"]),
        nd331: Full(&["ZONE-REQUIRED", "ZONE-PLACEMENT"]),
    },
    Row {
        requirement: "Inter-zone control",
        nd85: Manual(&["MANUAL-INTERZONE-FIREWALL"]),
        nd331: Manual(&["MANUAL-INTERZONE-FIREWALL"]),
    },
    Row {
        requirement: "Redundancy",
        nd85: Full(&["HA-NETWORK", "HA-SINGLE-POINT"]),
        nd331: Full(&["HA-NETWORK", "HA-SINGLE-POINT"]),
    },
    Row {
        requirement: "Presence of required controls per level",
        nd85: Full(&[
            "DESIGN-VPN",
            "DESIGN-IPS",
            "DESIGN-WAF",
            "DESIGN-ANTI-DDOS",
            "DESIGN-DB-FIREWALL",
            "DESIGN-NAC",
            "DESIGN-SIEM",
            "DESIGN-PAM",
            "DESIGN-DLP",
        ]),
        nd331: Full(&[
            "DESIGN-VPN",
            "DESIGN-IPS",
            "DESIGN-WAF",
            "DESIGN-ANTI-DDOS",
            "DESIGN-DB-FIREWALL",
            "DESIGN-NAC",
            "DESIGN-SIEM",
            "DESIGN-EDR",
            "DESIGN-PAM",
            "DESIGN-DLP",
        ]),
    },
    Row {
        requirement: "IPv6 readiness",
        nd85: Partial(
            &["IPV6-READY", "PUBLIC-IPV6-HTTPS", "FW-IPV6-PARITY"],
            "AAAA records, DNSSEC and HTTP(S) over IPv6 are not probed",
        ),
        nd331: Partial(
            &["IPV6-READY", "PUBLIC-IPV6-HTTPS", "FW-IPV6-PARITY"],
            "AAAA records, DNSSEC and HTTP(S) over IPv6 are not probed",
        ),
    },
    Row {
        requirement: "Inventory completeness",
        // Software is flagged as the inventory records it (`software`) and the OS as the
        // host reports it; the collector reads no package list.
        nd85: Full(&["ASSET-RECORD", "OS-EOL", "MANUAL-ASSET-INVENTORY"]),
        nd331: Full(&["ASSET-RECORD", "OS-EOL", "MANUAL-ASSET-INVENTORY"]),
    },
    Row {
        requirement: "Vulnerability-scan freshness",
        nd85: Partial(
            &["FOURLAYER-ASSESSMENT", "MANUAL-ASSESSMENT-REPORT"],
            "the age of the system's assessment is checked; each host's last scan (the scanner's API) is not",
        ),
        nd331: Partial(
            &["FOURLAYER-ASSESSMENT", "MANUAL-ASSESSMENT-REPORT"],
            "the age of the system's assessment is checked; each host's last scan (the scanner's API) is not",
        ),
    },
    Row {
        requirement: "Annual-report data",
        nd85: Full(&["MANUAL-ANNUAL-REPORT"]),
        nd331: Full(&["MANUAL-ANNUAL-REPORT"]),
    },
];

/// (full, partial, manual, required) for `regime`.
pub fn counts(regime: Regime) -> (usize, usize, usize, usize) {
    let mut c = (0, 0, 0, 0);
    for row in ROWS {
        match row.cover(regime) {
            Full(_) => c.0 += 1,
            Partial(..) => c.1 += 1,
            Manual(_) => c.2 += 1,
            NotRequired(_) => continue,
        }
        c.3 += 1;
    }
    c
}

/// The coverage table as Markdown, for docs/controls.md.
pub fn markdown(catalog: &Catalog) -> String {
    let mut o = String::from(
        "## Coverage of the automatically verifiable requirements (regulations.md §11.1)\n\n\
         Per requirement and regime: the controls, and whether they check all of it (**full**), \
         part of it (**partial**: what is not checked), or leave it to a person's attestation \
         (**manual**). `capdo annual-report` writes the Mẫu 08 data itself.\n\n",
    );
    for regime in [Regime::Nd85, Regime::Nd331] {
        let (full, partial, manual, required) = counts(regime);
        o.push_str(&format!(
            "- **{}**: {required} requirements; {full} full, {partial} partial, {manual} manual.\n",
            regime.as_str()
        ));
    }
    o.push_str("\n| requirement | nd85 | nd331 |\n|---|---|---|\n");
    let cell = |regime: Regime, cover: Cover| -> String {
        let ids = |c: &[&str]| {
            c.iter()
                .map(|id| match catalog.find(regime, id) {
                    Some(_) => format!("`{id}`"),
                    None => format!("`{id}` (missing)"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match cover {
            Full(c) => format!("full: {}", ids(c)),
            Partial(c, what) => format!("partial: {} — not checked: {what}", ids(c)),
            Manual(c) => format!("manual: {}", ids(c)),
            NotRequired(why) => format!("not required: {why}"),
        }
    };
    for row in ROWS {
        o.push_str(&format!(
            "| {} | {} | {} |\n",
            row.requirement,
            cell(Regime::Nd85, row.nd85),
            cell(Regime::Nd331, row.nd331)
        ));
    }
    o
}

//! `fw-host-default-deny` (FW-HOST-DEFAULT-DENY): the host firewall does not drop or reject
//! unsolicited inbound IPv4 by default.

use super::{Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::collect::netfilter::Netfilter;
use crate::firewall::{Decision, Family, Outcome};
use crate::inventory::Inventory;
use crate::policy::Status;

/// How one family's unsolicited inbound packets fare, for FW-HOST-DEFAULT-DENY and
/// FW-IPV6-PARITY: `Ok(true)` refused, `Ok(false)` accepted (with why), `Err` unknown.
pub(super) struct DefaultDeny {
    pub(super) denied: bool,
    pub(super) message: String,
    pub(super) evidence: String,
}

/// Evaluate a TCP and a UDP packet from an address no rule names to a port no rule names, sent
/// to the server's inventory address of `family`. Unknown is an `error` verdict naming the rule.
pub(super) fn default_deny(
    inv: &Inventory,
    server: usize,
    f: &HostFacts,
    family: Family,
) -> Result<DefaultDeny, Verdict> {
    let nf: &Netfilter = need(&f.netfilter, "the firewall")?;
    let fam = match family {
        Family::V4 => "IPv4",
        Family::V6 => "IPv6",
    };
    let addr = inv.servers[server]
        .addresses
        .iter()
        .copied()
        .find(|a| Family::of(*a) == family);
    if !nf.filters(family) {
        return Ok(DefaultDeny {
            denied: false,
            message: format!("no firewall chain filters inbound {fam}"),
            evidence: format!("no base chain on the input path sees {fam} packets"),
        });
    }
    let decisions: Vec<(&str, Decision)> = [("tcp", 6), ("udp", 17)]
        .into_iter()
        .map(|(name, proto)| (name, nf.by_default(family, addr, proto)))
        .collect();
    let evidence = decisions
        .iter()
        .map(|(name, d)| format!("unsolicited {fam} {name}: {} by {}", d.outcome.word(), d.by))
        .collect::<Vec<_>>()
        .join("; ");
    if let Some((name, d, why)) = decisions.iter().find_map(|(name, d)| match &d.outcome {
        Outcome::Unknown(why) => Some((name, d, why)),
        _ => None,
    }) {
        return Err(Verdict {
            status: Status::Error,
            message: format!(
                "whether unsolicited inbound {fam} {name} is refused cannot be decided: {why} (rule: {})",
                d.by
            ),
            evidence,
            severity: None,
        });
    }
    let open: Vec<String> = decisions
        .iter()
        .filter(|(_, d)| d.outcome == Outcome::Accept)
        .map(|(name, d)| format!("{name} by {}", d.by))
        .collect();
    Ok(DefaultDeny {
        denied: open.is_empty(),
        message: open.join(", "),
        evidence,
    })
}

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let d = default_deny(inv, server, f, Family::V4)?;
    Ok(if d.denied {
        pass(
            format!("{id} drops unsolicited inbound IPv4 by default"),
            d.evidence,
        )
    } else {
        fail(
            format!("{id} accepts unsolicited inbound IPv4 ({})", d.message),
            d.evidence,
        )
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::HostBuiltin;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, with_section};
    use crate::policy::Status;

    /// The captured host with its firewall replaced by one of tests/fixtures/firewall/ (what
    /// the real manager wrote, captured by tests/lab/firewall.sh).
    pub(in crate::policy::builtin) fn with_firewall(dir: &str) -> String {
        let read = |name: &str| {
            std::fs::read_to_string(format!("tests/fixtures/firewall/{dir}/{name}"))
                .unwrap_or_else(|e| panic!("{dir}/{name}: {e}"))
        };
        [
            ("nft", "nft.json"),
            ("iptables", "iptables-save"),
            ("ip6tables", "ip6tables-save"),
            ("iptables-legacy", "iptables-legacy-save"),
            ("ip6tables-legacy", "ip6tables-legacy-save"),
        ]
        .iter()
        .fold(DEBIAN12.to_owned(), |raw, (section, file)| {
            with_section(&raw, section, &read(file), 0)
        })
    }

    #[test]
    fn cases() {
        let plain = h1("");
        let drop = DEBIAN12.replace(":INPUT ACCEPT [284:1454422]", ":INPUT DROP [284:1454422]");
        let unreadable = ["nft", "iptables", "iptables-legacy"]
            .iter()
            .fold(DEBIAN12.to_owned(), |raw, s| {
                with_section(&raw, s, "Permission denied (you must be root)", 1)
            });
        let recent = with_section(
            DEBIAN12,
            "iptables-legacy",
            "*filter\n:INPUT DROP [0:0]\n-A INPUT -m recent --rcheck --seconds 60 -j ACCEPT\nCOMMIT",
            0,
        );
        let cases = [
            HostCase {
                name: "legacy iptables drops inbound by default",
                inventory: &plain,
                server: "h1",
                host: Host::Output(drop.clone()),
                expect: Status::Pass,
                message: "h1 drops unsolicited inbound IPv4 by default",
            },
            HostCase {
                name: "the captured host accepts everything",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "h1 accepts unsolicited inbound IPv4 (tcp by policy accept of iptables-legacy filter INPUT",
            },
            HostCase {
                // ufw-not-local RETURNs for local destinations: its final DROP is not taken.
                name: "ufw default allow incoming",
                inventory: &plain,
                server: "h1",
                host: Host::Output(with_firewall("ufw-allow")),
                expect: Status::Fail,
                message: "h1 accepts unsolicited inbound IPv4 (tcp by iptables filter ufw-track-input line",
            },
            HostCase {
                name: "ufw default deny incoming",
                inventory: &plain,
                server: "h1",
                host: Host::Output(with_firewall("ufw-deny")),
                expect: Status::Pass,
                message: "h1 drops unsolicited inbound IPv4 by default",
            },
            HostCase {
                name: "firewalld's public zone rejects",
                inventory: &plain,
                server: "h1",
                host: Host::Output(with_firewall("firewalld")),
                expect: Status::Pass,
                message: "h1 drops unsolicited inbound IPv4 by default",
            },
            HostCase {
                name: "an accept that depends on recent traffic is unknown, not a pass",
                inventory: &plain,
                server: "h1",
                host: Host::Output(recent),
                expect: Status::Error,
                message: "whether unsolicited inbound IPv4 tcp is refused cannot be decided: the match option `--rcheck` is not modelled (rule: iptables-legacy filter INPUT line 3",
            },
            HostCase {
                name: "no firewall tool could be read",
                inventory: &plain,
                server: "h1",
                host: Host::Output(unreadable.clone()),
                expect: Status::Error,
                message: "the firewall could not be read",
            },
        ];
        host_table(HostBuiltin::FwHostDefaultDeny, &cases);
    }
}

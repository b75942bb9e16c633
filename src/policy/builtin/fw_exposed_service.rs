//! `fw-exposed-service` (FW-EXPOSED-SERVICE): a listening service is reachable, through the
//! host's live firewall, from sources no declared flow allows.
//!
//! For every non-loopback listener and family the server has an address of, the packet
//! evaluator gives the exact set of sources that can open a connection
//! ([`crate::firewall::exposure`]); what is left after the sources of the declared flows that
//! reach the server with that service (docs/firewall.md; sshd's ports also from the
//! management zone and the scanning address) is exposure beyond the inventory. Sources the
//! evaluator cannot decide, outside the allowed ones, make the control `error`.

use std::collections::BTreeSet;

use super::declared_flows::{allowed, fam_name, reach_of, target};
use super::{Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::firewall::Family;
use crate::firewall::exposure::{describe, subtract};
use crate::inventory::Inventory;
use crate::inventory::raw::{Proto, Service};
use crate::policy::Status;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let nf = need(&f.netfilter, "the firewall")?;
    let listening = need(&f.listening, "the listening sockets")?;
    let mut seen = BTreeSet::new();
    let (mut exposed, mut unknown, mut checked) = (vec![], vec![], vec![]);
    for l in listening.iter().filter(|l| !l.address.is_loopback()) {
        let proto = match l.proto.as_str() {
            "tcp" => Proto::Tcp,
            "udp" => Proto::Udp,
            _ => continue,
        };
        let service = Service {
            proto,
            port: l.port,
        };
        let families: &[Family] = match l.address {
            std::net::IpAddr::V6(a) if a.is_unspecified() => &[Family::V4, Family::V6],
            std::net::IpAddr::V6(_) => &[Family::V6],
            std::net::IpAddr::V4(_) => &[Family::V4],
        };
        for &family in families {
            let Some((daddr, iif)) = target(inv, server, nf, Some(l.address), family) else {
                continue;
            };
            if !seen.insert((service, daddr)) {
                continue;
            }
            let who = l
                .process
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            let what = format!("{service}{who} on {daddr}");
            let reach = reach_of(nf, daddr, iif.as_deref(), service);
            let ok = allowed(inv, server, f, service, family);
            let beyond = subtract(&reach.ranges(Some(true)), &ok);
            let undecided = subtract(&reach.ranges(None), &ok);
            checked.push(format!("{what}: {}", fam_name(family)));
            if let Some(d) = reach.decision_in(&beyond, Some(true)) {
                exposed.push(format!(
                    "{what} from {} (accepted by {})",
                    describe(family, &beyond, 4),
                    d.by
                ));
            } else if let Some(d) = reach.decision_in(&undecided, None) {
                unknown.push(format!(
                    "{what} from {}: {} ({})",
                    describe(family, &undecided, 4),
                    match &d.outcome {
                        crate::firewall::Outcome::Unknown(w) => w.as_str(),
                        _ => "",
                    },
                    d.by
                ));
            }
        }
    }
    let evidence = format!(
        "evaluated: {}",
        if checked.is_empty() {
            "no listener".into()
        } else {
            checked.join("; ")
        }
    );
    if !exposed.is_empty() {
        return Ok(fail(
            format!(
                "{id} is reachable beyond its declared flows: {}",
                exposed.join("; ")
            ),
            evidence,
        ));
    }
    if !unknown.is_empty() {
        return Err(Verdict {
            status: Status::Error,
            message: format!(
                "whether {id} is reachable beyond its declared flows cannot be decided: {}",
                unknown.join("; ")
            ),
            evidence,
        });
    }
    Ok(pass(
        format!("{id}'s listening services are reachable only from declared flows"),
        evidence,
    ))
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::HostBuiltin;
    use super::super::fw_host_default_deny::tests::with_firewall;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, with_section};
    use crate::policy::Status;

    /// h1 with a flow `from` → h1 for `services`.
    pub(in crate::policy::builtin) fn h1_flow(from: &str, services: &str) -> String {
        format!(
            "{}\n[externals.internet]\nname = \"Internet\"\nkind = \"internet\"\n\n[[flows]]\nfrom = \"{from}\"\nto = \"h1\"\nservices = {services}\n",
            h1("")
        )
    }

    /// The captured host, its legacy IPv4 table replaced by `rules` (policy DROP), its IPv6
    /// table by one that drops everything.
    pub(in crate::policy::builtin) fn legacy(rules: &str) -> String {
        let v4 = with_section(
            DEBIAN12,
            "iptables-legacy",
            &format!("*filter\n:INPUT DROP [0:0]\n{rules}\nCOMMIT"),
            0,
        );
        with_section(
            &v4,
            "ip6tables-legacy",
            "*filter\n:INPUT DROP [0:0]\nCOMMIT",
            0,
        )
    }

    #[test]
    fn cases() {
        let plain = h1("");
        let internet = h1_flow("external:internet", r#"["tcp/2024", "udp/123"]"#);
        let dr = h1_flow("dr-lan", r#"["tcp/2024"]"#);
        let recent = legacy("-A INPUT -p tcp --dport 2024 -m recent --rcheck -j ACCEPT");
        let dr_only = legacy("-A INPUT -s 10.9.0.0/16 -p tcp --dport 2024 -j ACCEPT");
        let cases = [
            HostCase {
                name: "an open host and no declared flow",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "h1 is reachable beyond its declared flows: tcp/2024 on 10.0.0.1 from any address (accepted by policy accept of iptables-legacy filter INPUT); udp/123 (chronyd) on 10.231.0.1 from any address",
            },
            HostCase {
                name: "an open host whose services are declared from the Internet",
                inventory: &internet,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Pass,
                message: "h1's listening services are reachable only from declared flows",
            },
            HostCase {
                name: "ufw's default deny closes every listener",
                inventory: &plain,
                server: "h1",
                host: Host::Output(with_firewall("ufw-deny")),
                expect: Status::Pass,
                message: "h1's listening services are reachable only from declared flows",
            },
            HostCase {
                name: "the firewall accepts only the declared source",
                inventory: &dr,
                server: "h1",
                host: Host::Output(dr_only),
                expect: Status::Pass,
                message: "reachable only from declared flows",
            },
            HostCase {
                name: "the declared source and more",
                inventory: &dr,
                server: "h1",
                host: Host::Output(legacy(
                    "-A INPUT -s 10.0.0.0/8 -p tcp --dport 2024 -j ACCEPT",
                )),
                expect: Status::Fail,
                message: "h1 is reachable beyond its declared flows: tcp/2024 on 10.0.0.1 from 10.0.0.0/13 10.8.0.0/16 10.10.0.0/15 10.12.0.0/14 … (accepted by iptables-legacy filter INPUT line 3",
            },
            HostCase {
                name: "an accept that depends on recent traffic",
                inventory: &plain,
                server: "h1",
                host: Host::Output(recent),
                expect: Status::Error,
                message: "whether h1 is reachable beyond its declared flows cannot be decided: tcp/2024 on 10.0.0.1 from any address: the match option `--rcheck` is not modelled",
            },
            HostCase {
                name: "the firewall could not be read",
                inventory: &plain,
                server: "h1",
                host: Host::Output(
                    ["nft", "iptables", "iptables-legacy"]
                        .iter()
                        .fold(DEBIAN12.to_owned(), |raw, s| {
                            with_section(&raw, s, "Permission denied (you must be root)", 1)
                        }),
                ),
                expect: Status::Error,
                message: "the firewall could not be read",
            },
        ];
        host_table(HostBuiltin::FwExposedService, &cases);
    }
}

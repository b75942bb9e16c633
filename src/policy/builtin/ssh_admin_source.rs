//! `ssh-admin-source` (SSH-ADMIN-SOURCE): remote administration is limited to the management
//! zone of the inventory (regulations.md §11.1 "Admin source restriction").
//!
//! The management sources are the CIDRs of the inventory's `management` networks, the sources
//! of declared flows that reach the server with its SSH port (a bastion elsewhere), and the
//! address capdo scanned from. SSH is limited when, for every SSH port and every family the
//! server has an address of, the packet evaluator finds no source outside those that can open
//! a connection; or when every `AllowUsers` entry names a host part (`user@10.10.9.0/24`)
//! inside them. A `Match Address` block alone limits nothing: it changes settings for some
//! clients. Sources the evaluator cannot decide, outside the management ones, with no
//! `AllowUsers` to settle it, make the control `error`.

use std::net::IpAddr;

use ipnetwork::IpNetwork;

use super::declared_flows::{Sources, fam_name, reach_of, reaches, sources, target};
use super::{Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::firewall::exposure::{Ranges, describe, normalize, subtract};
use crate::firewall::{Family, addr_range};
use crate::inventory::model::Endpoint;
use crate::inventory::raw::{Proto, Service};
use crate::inventory::{Inventory, Zone};
use crate::policy::Status;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let (sshd, _) = need(&f.sshd, "sshd's settings")?;
    let ports: Vec<u16> = if sshd.ports.is_empty() {
        vec![22]
    } else {
        sshd.ports.clone()
    };
    let no_management = inv.networks.iter().all(|n| n.zone != Zone::Management);
    let management = |family| management(inv, server, f, &ports, family);

    // sshd's own limit: every AllowUsers entry with a host part inside the management sources.
    let by_sshd = allow_users_inside(&sshd.allow_users, &management);

    // The firewall's: who can open a connection to each SSH port.
    let (mut beyond, mut unknown, mut checked) = (vec![], vec![], vec![]);
    match &f.netfilter {
        Err(why) => unknown.push(format!("the firewall could not be read: {why}")),
        Ok(nf) => {
            for family in [Family::V4, Family::V6] {
                let Some((daddr, iif)) = target(inv, server, nf, None, family) else {
                    continue;
                };
                let ok = management(family);
                for &port in &ports {
                    let service = Service {
                        proto: Proto::Tcp,
                        port,
                    };
                    let reach = reach_of(nf, daddr, iif.as_deref(), service);
                    let open = subtract(&reach.ranges(Some(true)), &ok);
                    let undecided = subtract(&reach.ranges(None), &ok);
                    checked.push(format!("tcp/{port} on {daddr} ({})", fam_name(family)));
                    if let Some(d) = reach.decision_in(&open, Some(true)) {
                        beyond.push(format!(
                            "tcp/{port} on {daddr} from {} (accepted by {})",
                            describe(family, &open, 4),
                            d.by
                        ));
                    } else if let Some(d) = reach.decision_in(&undecided, None) {
                        let why = match &d.outcome {
                            crate::firewall::Outcome::Unknown(w) => w.as_str(),
                            _ => "",
                        };
                        unknown.push(format!(
                            "tcp/{port} on {daddr} from {}: {why} ({})",
                            describe(family, &undecided, 4),
                            d.by
                        ));
                    }
                }
            }
        }
    }
    let mut evidence = vec![format!(
        "management sources: {}",
        [Family::V4, Family::V6]
            .iter()
            .map(|&fam| describe(fam, &management(fam), 4))
            .filter(|d| !d.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    )];
    if no_management {
        evidence.push("the inventory declares no management-zone network".into());
    }
    if !checked.is_empty() {
        evidence.push(format!("firewall evaluated for {}", checked.join(", ")));
    }
    if !sshd.allow_users.is_empty() {
        evidence.push(format!("AllowUsers {}", sshd.allow_users.join(" ")));
    }
    if !sshd.match_addresses.is_empty() {
        evidence.push(format!(
            "Match Address {} (limits nothing by itself)",
            sshd.match_addresses.join(",")
        ));
    }
    let evidence = evidence.join("; ");
    if beyond.is_empty() && unknown.is_empty() {
        return Ok(pass(
            format!("{id}'s firewall accepts SSH from the management zone only"),
            evidence,
        ));
    }
    if by_sshd {
        return Ok(pass(
            format!("{id}'s sshd lets users in from the management zone only (AllowUsers)"),
            evidence,
        ));
    }
    if !beyond.is_empty() {
        return Ok(fail(
            format!(
                "{id} accepts SSH administration from outside the management zone: {}",
                beyond.join("; ")
            ),
            evidence,
        ));
    }
    Err(Verdict {
        status: Status::Error,
        message: format!(
            "whether {id} limits SSH to the management zone cannot be decided: {}",
            unknown.join("; ")
        ),
        evidence,
        severity: None,
    })
}

/// The management sources of server `s` for `family`: the `management` networks, the listed
/// sources of declared flows that reach it on an SSH port (a flow from anywhere, such as the
/// Internet, is no management source), and the address capdo scanned from.
fn management(inv: &Inventory, s: usize, f: &HostFacts, ports: &[u16], family: Family) -> Ranges {
    let mut out: Ranges = vec![];
    if let Sources::Listed(r) = sources(inv, &Endpoint::Zone(Zone::Management), family) {
        out.extend(r);
    }
    for flow in &inv.flows {
        let ssh = flow
            .services
            .iter()
            .any(|x| x.proto == Proto::Tcp && ports.contains(&x.port));
        if ssh
            && reaches(inv, &flow.to, s)
            && let Sources::Listed(r) = sources(inv, &flow.from, family)
        {
            out.extend(r);
        }
    }
    if let Some(c) = f.client.as_deref().and_then(|c| c.parse::<IpAddr>().ok())
        && Family::of(c) == family
        && let Some(r) = addr_range(c, if family == Family::V4 { 32 } else { 128 })
    {
        out.push(r);
    }
    normalize(out)
}

/// Whether `AllowUsers` is set and every entry has a host part (an address or CIDR) inside the
/// management sources of its family. A wildcard host pattern (`10.10.9.*`) or a name is not
/// read: such a list does not settle it.
fn allow_users_inside(entries: &[String], management: &dyn Fn(Family) -> Ranges) -> bool {
    !entries.is_empty()
        && entries.iter().all(|e| {
            let Some((_, host)) = e.rsplit_once('@') else {
                return false;
            };
            let Some(net) = host
                .parse::<IpNetwork>()
                .ok()
                .or_else(|| host.parse::<IpAddr>().ok().map(IpNetwork::from))
            else {
                return false;
            };
            let family = Family::of(net.network());
            let Some(range) = addr_range(net.network(), u32::from(net.prefix())) else {
                return false;
            };
            subtract(&[range], &management(family)).is_empty()
        })
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::fw_exposed_service::tests::legacy;
    use super::super::testing::{Host, HostCase, h1, host_table, with_section};
    use crate::policy::Status;

    /// h1 and a management network 10.8.9.0/24.
    fn with_management(extra: &str) -> String {
        format!(
            "{}\n[networks.mgmt]\ndatacenter = \"hq\"\nzone = \"management\"\ncidr = [\"10.8.9.0/24\"]\n",
            h1(extra)
        )
    }

    fn allow_users(users: &str) -> String {
        let raw = legacy("-A INPUT -p tcp --dport 22 -j ACCEPT");
        let body = include_str!("../../../tests/fixtures/collect/sshd/debian.T");
        with_section(&raw, "sshd-t", &format!("{body}allowusers {users}\n"), 0)
    }

    #[test]
    fn cases() {
        let inv = with_management("");
        let plain = h1("");
        let internet_ssh = format!(
            "{inv}\n[externals.internet]\nname = \"Internet\"\nkind = \"internet\"\n\n[[flows]]\nfrom = \"external:internet\"\nto = \"h1\"\nservices = [\"tcp/22\"]\n"
        );
        let dr_ssh =
            format!("{inv}\n[[flows]]\nfrom = \"dr-lan\"\nto = \"h1\"\nservices = [\"tcp/22\"]\n");
        let cases = [
            HostCase {
                name: "the firewall accepts SSH from the management network only",
                inventory: &inv,
                server: "h1",
                host: Host::Output(legacy(
                    "-A INPUT -s 10.8.9.0/24 -p tcp --dport 22 -j ACCEPT",
                )),
                expect: Status::Pass,
                message: "h1's firewall accepts SSH from the management zone only",
            },
            HostCase {
                name: "the firewall accepts SSH from the server network too",
                inventory: &inv,
                server: "h1",
                host: Host::Output(legacy(
                    "-A INPUT -s 10.8.9.0/24 -p tcp --dport 22 -j ACCEPT\n-A INPUT -s 10.0.0.0/16 -p tcp --dport 22 -j ACCEPT",
                )),
                expect: Status::Fail,
                message: "h1 accepts SSH administration from outside the management zone: tcp/22 on 10.0.0.1 from 10.0.0.0/16 (accepted by iptables-legacy filter INPUT line 4",
            },
            HostCase {
                name: "an open firewall, and AllowUsers limited to the management network",
                inventory: &inv,
                server: "h1",
                host: Host::Output(allow_users("admin@10.8.9.0/24 deploy@10.8.9.10")),
                expect: Status::Pass,
                message: "h1's sshd lets users in from the management zone only (AllowUsers)",
            },
            HostCase {
                name: "AllowUsers with one entry outside the management network",
                inventory: &inv,
                server: "h1",
                host: Host::Output(allow_users("admin@10.8.9.0/24 backup@10.9.0.5")),
                expect: Status::Fail,
                message: "h1 accepts SSH administration from outside the management zone: tcp/22 on 10.0.0.1 from 0.0.0.0/5 8.0.0.0/7 10.0.0.0/13 10.8.0.0/21 …",
            },
            HostCase {
                name: "no management network in the inventory: an open host fails and says so",
                inventory: &plain,
                server: "h1",
                host: Host::Output(legacy("-A INPUT -p tcp --dport 22 -j ACCEPT")),
                expect: Status::Fail,
                message: "from outside the management zone",
            },
            HostCase {
                name: "a declared flow from the Internet to SSH is no management source",
                inventory: &internet_ssh,
                server: "h1",
                host: Host::Output(legacy("-A INPUT -p tcp --dport 22 -j ACCEPT")),
                expect: Status::Fail,
                message: "h1 accepts SSH administration from outside the management zone",
            },
            HostCase {
                name: "a declared flow from a bastion network to SSH",
                inventory: &dr_ssh,
                server: "h1",
                host: Host::Output(legacy(
                    "-A INPUT -s 10.8.9.0/24 -p tcp --dport 22 -j ACCEPT\n-A INPUT -s 10.9.0.0/16 -p tcp --dport 22 -j ACCEPT",
                )),
                expect: Status::Pass,
                message: "h1's firewall accepts SSH from the management zone only",
            },
            HostCase {
                name: "an accept that depends on recent traffic",
                inventory: &inv,
                server: "h1",
                host: Host::Output(legacy(
                    "-A INPUT -p tcp --dport 22 -m recent --rcheck -j ACCEPT",
                )),
                expect: Status::Error,
                message: "the match option `--rcheck` is not modelled (iptables-legacy filter INPUT line 3",
            },
        ];
        host_table(HostBuiltin::SshAdminSource, &cases);
    }
}

//! `net-undeclared-port` (NET-UNDECLARED-PORT): a port listening on a non-loopback address that
//! the inventory does not declare (sshd's own ports excepted).

use super::join_or;
use super::{DossierScope, Verdict, fail, need, pass};
use crate::collect::facts::Listener;
use crate::collect::host::HostFacts;
use crate::firewall::exposure::reach;
use crate::firewall::{Family, Packet};
use crate::inventory::Inventory;

/// Who the live firewall lets open a connection to an undeclared listener, in words ("open to
/// any", "open to 10.0.0.0/8", "closed by …", "firewall unknown: …").
fn exposure(inv: &Inventory, server: usize, f: &HostFacts, l: &Listener) -> String {
    let Ok(nf) = &f.netfilter else {
        return "firewall not read".into();
    };
    let proto = if l.proto == "udp" { 17 } else { 6 };
    let families: &[Family] = if l.address.is_unspecified() && l.address.is_ipv6() {
        &[Family::V4, Family::V6]
    } else {
        std::slice::from_ref(match l.address {
            std::net::IpAddr::V4(_) => &Family::V4,
            std::net::IpAddr::V6(_) => &Family::V6,
        })
    };
    let mut out = vec![];
    for &family in families {
        // The listening address, or for a wildcard the server's own address of the family:
        // the same destination FLOW-BLOCKED and FW-EXPOSED-SERVICE send their packets to.
        let Some((daddr, iif)) =
            super::declared_flows::target(inv, server, nf, Some(l.address), family)
        else {
            continue;
        };
        let zero = match family {
            Family::V4 => std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            Family::V6 => std::net::IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
        };
        let mut p = Packet::tcp(zero, daddr, l.port, iif.as_deref());
        p.proto = proto;
        let r = reach(&nf.ruleset, &p);
        let fam = super::declared_flows::fam_name(family);
        out.push(if let Some(u) = r.first_unknown() {
            format!("{fam} firewall unknown at {}", u.decision.by)
        } else if r.open_to_all() {
            format!("{fam} open to any")
        } else {
            let sources = r.sources();
            if sources.is_empty() {
                format!("{fam} closed")
            } else {
                format!("{fam} open to {}", sources.join(" "))
            }
        });
    }
    out.join(", ")
}

fn is_loopback(l: &Listener) -> bool {
    l.address.is_loopback()
}

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &inv.servers[server];
    let listening = need(&f.listening, "the listening sockets")?;
    let ssh_ports: Vec<u16> = match &f.sshd {
        Ok((sshd, _)) if !sshd.ports.is_empty() => sshd.ports.clone(),
        _ => vec![22],
    };
    let declared = |l: &Listener| {
        s.services
            .iter()
            .any(|svc| svc.port == l.port && svc.to_string().starts_with(&l.proto))
    };
    let mut undeclared: Vec<String> = listening
        .iter()
        .filter(|l| !is_loopback(l))
        .filter(|l| !(l.proto == "tcp" && ssh_ports.contains(&l.port)))
        .filter(|l| !declared(l))
        .map(|l| {
            let who = l
                .process
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            format!(
                "{}/{} on {}{who} [{}]",
                l.proto,
                l.port,
                l.address,
                exposure(inv, server, f, l)
            )
        })
        .collect();
    undeclared.dedup();
    let declared_list: Vec<String> = s.services.iter().map(|x| x.to_string()).collect();
    let evidence = format!(
        "declared: {}; sshd port(s): {}; listening on non-loopback addresses: {}",
        if declared_list.is_empty() {
            "none".into()
        } else {
            declared_list.join(", ")
        },
        ssh_ports
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        listening
            .iter()
            .filter(|l| !is_loopback(l))
            .map(|l| format!("{}/{}", l.proto, l.port))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(if undeclared.is_empty() {
        pass(
            format!("every port {} listens on is declared", s.id),
            evidence,
        )
    } else {
        fail(
            format!("{} listens on undeclared {}", s.id, undeclared.join(", ")),
            evidence,
        )
    })
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let inv = d.inv;
    let text = {
        let declared: Vec<String> = d
            .servers
            .iter()
            .filter(|&&srv| !inv.servers[srv].services.is_empty())
            .map(|&srv| {
                let svc: Vec<String> = inv.servers[srv]
                    .services
                    .iter()
                    .map(|x| x.to_string())
                    .collect();
                format!("{} {}", inv.servers[srv].id, svc.join(" "))
            })
            .collect();
        format!("Dịch vụ được khai báo: {}", join_or(&declared, "không"))
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::fw_host_default_deny::tests::with_firewall;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, with_section};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let plain = h1("");
        let declared = h1("services = [\"tcp/2024\", \"udp/123\"]");
        let unreadable = with_section(DEBIAN12, "listen", "Permission denied", 1);
        let cases = [
            HostCase {
                name: "every listener declared",
                inventory: &declared,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Pass,
                message: "every port h1 listens on is declared",
            },
            HostCase {
                name: "tcp/2024 and udp/123 are not declared",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "h1 listens on undeclared tcp/2024 on 0.0.0.0 [IPv4 open to any]",
            },
            HostCase {
                name: "undeclared, and closed by ufw's default deny",
                inventory: &plain,
                server: "h1",
                host: Host::Output(with_firewall("ufw-deny")),
                expect: Status::Fail,
                message: "h1 listens on undeclared tcp/2024 on 0.0.0.0 [IPv4 closed], udp/123 on 10.231.0.1 (chronyd) [IPv4 closed]",
            },
            HostCase {
                name: "the listening sockets could not be read",
                inventory: &plain,
                server: "h1",
                host: Host::Output(unreadable.clone()),
                expect: Status::Error,
                message: "the listening sockets could not be read",
            },
        ];
        host_table(HostBuiltin::NetUndeclaredPort, &cases);
    }
}

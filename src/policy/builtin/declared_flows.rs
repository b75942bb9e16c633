//! The inventory's declared flows as address ranges, and the live firewall's answer for them:
//! shared by FW-EXPOSED-SERVICE and FLOW-BLOCKED.
//!
//! A flow's `from` is read as addresses: a zone is every network of that zone, a network its
//! CIDRs, a server its addresses, a system its servers' addresses, a datacenter its networks,
//! an external its CIDRs, or **anywhere** when it has none (the Internet). A flow reaches a
//! server when its `to` is the server, its network, its zone, a system it serves or its
//! datacenter.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::collect::host::HostFacts;
use crate::collect::netfilter::Netfilter;
use crate::firewall::exposure::{Ranges, everything, normalize, reach};
use crate::firewall::{Family, Packet, Reach, addr_range};
use crate::inventory::model::{Endpoint, NodeRef};
use crate::inventory::raw::{Proto, Service};
use crate::inventory::{Inventory, Zone};

/// A flow's sources for one family.
pub(crate) enum Sources {
    /// Listed addresses (possibly none of this family).
    Listed(Ranges),
    /// Anywhere: an external without addresses (the Internet).
    Anywhere,
}

/// The addresses of an endpoint, for `family`.
pub(crate) fn sources(inv: &Inventory, ep: &Endpoint, family: Family) -> Sources {
    let of_family = |addrs: &mut dyn Iterator<Item = IpAddr>| -> Ranges {
        addrs
            .filter(|a| Family::of(*a) == family)
            .filter_map(|a| addr_range(a, if family == Family::V4 { 32 } else { 128 }))
            .collect()
    };
    let cidr_family = |i: usize| -> Vec<(Family, (u128, u128))> {
        inv.networks[i]
            .cidrs
            .iter()
            .filter_map(|c| {
                Some((
                    Family::of(c.network()),
                    addr_range(c.network(), u32::from(c.prefix()))?,
                ))
            })
            .collect()
    };
    let networks = |pred: &dyn Fn(usize) -> bool| -> Ranges {
        normalize(
            (0..inv.networks.len())
                .filter(|i| pred(*i))
                .flat_map(cidr_family)
                .filter(|(f, _)| *f == family)
                .map(|(_, r)| r)
                .collect(),
        )
    };
    let servers = |list: &mut dyn Iterator<Item = usize>| -> Ranges {
        normalize(of_family(
            &mut list.flat_map(|s| inv.servers[s].addresses.iter().copied()),
        ))
    };
    match ep {
        Endpoint::Zone(z) => Sources::Listed(networks(&|i| inv.networks[i].zone == *z)),
        Endpoint::Node(NodeRef::Network(n)) => Sources::Listed(networks(&|i| i == *n)),
        Endpoint::Node(NodeRef::Datacenter(d)) => {
            Sources::Listed(networks(&|i| inv.networks[i].datacenter == *d))
        }
        Endpoint::Node(NodeRef::Server(s)) => Sources::Listed(servers(&mut std::iter::once(*s))),
        Endpoint::Node(NodeRef::System(y)) => {
            Sources::Listed(servers(&mut inv.systems[*y].servers.iter().copied()))
        }
        Endpoint::Node(NodeRef::External(e)) => {
            let x = &inv.externals[*e];
            if x.cidrs.is_empty() {
                Sources::Anywhere
            } else {
                Sources::Listed(normalize(
                    x.cidrs
                        .iter()
                        .filter(|c| Family::of(c.network()) == family)
                        .filter_map(|c| addr_range(c.network(), u32::from(c.prefix())))
                        .collect(),
                ))
            }
        }
    }
}

/// Every address the inventory places somewhere (networks and externals' CIDRs): what is left
/// is "anywhere else".
pub(crate) fn declared_space(inv: &Inventory, family: Family) -> Ranges {
    normalize(
        inv.networks
            .iter()
            .flat_map(|n| n.cidrs.iter())
            .chain(inv.externals.iter().flat_map(|x| x.cidrs.iter()))
            .filter(|c| Family::of(c.network()) == family)
            .filter_map(|c| addr_range(c.network(), u32::from(c.prefix())))
            .collect(),
    )
}

/// Whether a flow's `to` covers server `s`.
pub(crate) fn reaches(inv: &Inventory, to: &Endpoint, s: usize) -> bool {
    let srv = &inv.servers[s];
    let net = &inv.networks[srv.network];
    match to {
        Endpoint::Zone(z) => net.zone == *z,
        Endpoint::Node(NodeRef::Server(i)) => *i == s,
        Endpoint::Node(NodeRef::Network(n)) => srv.network == *n,
        Endpoint::Node(NodeRef::System(y)) => inv.systems[*y].servers.contains(&s),
        Endpoint::Node(NodeRef::Datacenter(d)) => net.datacenter == *d,
        Endpoint::Node(NodeRef::External(_)) => false,
    }
}

/// What the declared flows allow to reach `service` on server `s`, for `family`; sshd's ports
/// are also open to the management zone and to the address capdo scanned from.
pub(super) fn allowed(
    inv: &Inventory,
    s: usize,
    f: &HostFacts,
    service: Service,
    family: Family,
) -> Ranges {
    let mut out: Ranges = vec![];
    for flow in &inv.flows {
        if !reaches(inv, &flow.to, s) || !flow.services.contains(&service) {
            continue;
        }
        match sources(inv, &flow.from, family) {
            Sources::Anywhere => return everything(family),
            Sources::Listed(r) => out.extend(r),
        }
    }
    let ssh_ports: Vec<u16> = match &f.sshd {
        Ok((sshd, _)) if !sshd.ports.is_empty() => sshd.ports.clone(),
        _ => vec![22],
    };
    if service.proto == Proto::Tcp && ssh_ports.contains(&service.port) {
        if let Sources::Listed(r) = sources(inv, &Endpoint::Zone(Zone::Management), family) {
            out.extend(r);
        }
        if let Some(c) = f.client.as_deref().and_then(|c| c.parse::<IpAddr>().ok())
            && Family::of(c) == family
            && let Some(r) = addr_range(c, if family == Family::V4 { 32 } else { 128 })
        {
            out.push(r);
        }
    }
    normalize(out)
}

/// Where a packet of `family` to `listen` (a listening address, or unspecified) on server `s`
/// goes: the destination and the interface; `None` when the server has no address of that
/// family.
pub(super) fn target(
    inv: &Inventory,
    s: usize,
    nf: &Netfilter,
    listen: Option<IpAddr>,
    family: Family,
) -> Option<(IpAddr, Option<String>)> {
    let daddr = match listen.filter(|a| !a.is_unspecified()) {
        Some(a) => (Family::of(a) == family).then_some(a)?,
        None => inv.servers[s]
            .addresses
            .iter()
            .copied()
            .find(|a| Family::of(*a) == family)
            .or_else(|| {
                nf.addresses
                    .iter()
                    .map(|(_, a)| *a)
                    .find(|a| Family::of(*a) == family)
            })?,
    };
    let iif = nf
        .addresses
        .iter()
        .find(|(_, a)| *a == daddr)
        .map(|(i, _)| i.clone());
    Some((daddr, iif))
}

/// Who the firewall lets open a connection to `service` at `daddr`.
pub(super) fn reach_of(
    nf: &Netfilter,
    daddr: IpAddr,
    iif: Option<&str>,
    service: Service,
) -> Reach {
    let zero = match daddr {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    let mut p = Packet::tcp(zero, daddr, service.port, iif);
    p.proto = match service.proto {
        Proto::Tcp => 6,
        Proto::Udp => 17,
    };
    reach(&nf.ruleset, &p)
}

pub(super) fn fam_name(f: Family) -> &'static str {
    match f {
        Family::V4 => "IPv4",
        Family::V6 => "IPv6",
    }
}

/// The declared flows that reach the dossier's servers, in the dossier's words: what the
/// firewall of each server is judged against.
pub(super) fn implementation(d: &super::DossierScope) -> Option<String> {
    let inv = d.inv;
    let mut flows: Vec<String> = inv
        .flows
        .iter()
        .filter(|fl| d.servers.iter().any(|&s| reaches(inv, &fl.to, s)))
        .map(|fl| {
            let svc: Vec<String> = fl.services.iter().map(ToString::to_string).collect();
            format!(
                "{} → {} ({})",
                endpoint_id(inv, &fl.from),
                endpoint_id(inv, &fl.to),
                svc.join(" ")
            )
        })
        .collect();
    flows.dedup();
    let total = flows.len();
    flows.truncate(6);
    if total > flows.len() {
        flows.push(format!("và {} luồng khác", total - flows.len()));
    }
    Some(format!(
        "Luồng kết nối được khai báo đến máy chủ của hệ thống, đối chiếu với tường lửa đang chạy trên máy chủ: {}",
        super::join_or(&flows, "không có")
    ))
}

/// An endpoint as the inventory writes it (`zone:dmz`, `network:hq-dmz`, `server:web01`, …).
pub(crate) fn endpoint_id(inv: &Inventory, ep: &Endpoint) -> String {
    match ep {
        Endpoint::Zone(z) => format!("zone:{}", z.as_str()),
        Endpoint::Node(n) => {
            let id = match n {
                NodeRef::Datacenter(i) => &inv.datacenters[*i].id,
                NodeRef::Network(i) => &inv.networks[*i].id,
                NodeRef::Server(i) => &inv.servers[*i].id,
                NodeRef::System(i) => &inv.systems[*i].id,
                NodeRef::External(i) => &inv.externals[*i].id,
            };
            format!("{}:{id}", n.kind())
        }
    }
}

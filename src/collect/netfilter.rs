//! The host firewall as the kernel runs it: every firewall tool's output read into one
//! [`Ruleset`] (src/firewall does the reading and the evaluating), with the host's addresses
//! and interfaces, which a packet sent to the host is addressed to and arrives on.
//!
//! A packet to the host is sent to the inventory address of its family when the caller knows
//! one, else to the host's first global address of that family (`ip -o addr`), and arrives on
//! the interface that holds that address. When the host's addresses are unknown the
//! destination stands in (rules testing it are unknown) and the interface is unknown (rules
//! testing it are unknown, except `lo`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::firewall::exposure::{default_decision, reach};
use crate::firewall::{Decision, Family, Outcome, Packet, Ruleset};

/// The ruleset and where packets to the host arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Netfilter {
    pub ruleset: Ruleset,
    /// (interface, address) of the host's global addresses.
    pub addresses: Vec<(String, IpAddr)>,
}

/// `ip -o addr show`: (interface, address) of every global address.
pub fn parse_addresses(text: &str) -> Vec<(String, IpAddr)> {
    let mut out = vec![];
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        let (Some(iface), Some(kind), Some(addr)) = (w.get(1), w.get(2), w.get(3)) else {
            continue;
        };
        if !matches!(*kind, "inet" | "inet6") || !line.contains("scope global") {
            continue;
        }
        let iface = iface.split('@').next().unwrap_or(iface);
        if let Ok(a) = addr.split('/').next().unwrap_or("").parse::<IpAddr>() {
            out.push((iface.to_owned(), a));
        }
    }
    out
}

impl Netfilter {
    /// The destination address and input interface of a packet of `family` to the host.
    fn target(&self, family: Family, preferred: Option<IpAddr>) -> (IpAddr, bool, Option<String>) {
        if let Some(a) = preferred.filter(|a| Family::of(*a) == family) {
            let iface = self
                .addresses
                .iter()
                .find(|(_, b)| *b == a)
                .map(|(i, _)| i.clone());
            return (a, true, iface);
        }
        if let Some((i, a)) = self
            .addresses
            .iter()
            .find(|(_, a)| Family::of(*a) == family)
        {
            return (*a, true, Some(i.clone()));
        }
        let stand_in = match family {
            Family::V4 => IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
            Family::V6 => IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10)),
        };
        (stand_in, false, None)
    }

    /// Whether any base chain on the input path sees this family.
    pub fn filters(&self, family: Family) -> bool {
        self.ruleset
            .chains
            .iter()
            .any(|c| c.base.is_some() && c.families.contains(&family))
    }

    /// What the firewall does with an unsolicited packet of `proto` from an address no rule
    /// names to a port no rule names.
    pub fn by_default(&self, family: Family, preferred: Option<IpAddr>, proto: u8) -> Decision {
        let (daddr, known, iif) = self.target(family, preferred);
        let mut p = Packet::tcp(daddr, daddr, 0, iif.as_deref());
        p.daddr_known = known;
        p.proto = proto;
        default_decision(&self.ruleset, &p)
    }

    /// The sources that can open a new TCP connection to one of `ports`: prefixes; `["any"]`
    /// when every source is accepted; `["any", "except P", …]` when all but a few prefixes
    /// are. `Err` naming the rule when that cannot be decided.
    pub fn tcp_sources(
        &self,
        family: Family,
        ports: &[u16],
        preferred: Option<IpAddr>,
    ) -> Result<Vec<String>, String> {
        self.sources(family, 6, ports, preferred)
    }

    /// Who can open a new connection of `proto` to `port`, range by range of sources: each
    /// range's outcome and the rule that decided it, as JSON (`from`, `to`, `outcome`: `accept`,
    /// `drop`, `reject` or `unknown`, `by`); `None` past `max` ranges.
    pub fn decisions(
        &self,
        family: Family,
        proto: u8,
        port: u16,
        preferred: Option<IpAddr>,
        max: usize,
    ) -> Option<Vec<serde_json::Value>> {
        let (daddr, known, iif) = self.target(family, preferred);
        let zero = match family {
            Family::V4 => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            Family::V6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        };
        let mut p = Packet::tcp(zero, daddr, port, iif.as_deref());
        p.daddr_known = known;
        p.proto = proto;
        let r = reach(&self.ruleset, &p);
        if r.pieces.len() > max {
            return None;
        }
        let addr = |v: u128| -> String {
            match family {
                Family::V4 => Ipv4Addr::from(v as u32).to_string(),
                Family::V6 => Ipv6Addr::from(v).to_string(),
            }
        };
        Some(
            r.pieces
                .iter()
                .map(|piece| {
                    let outcome = match &piece.decision.outcome {
                        Outcome::Accept => "accept".to_owned(),
                        Outcome::Drop => "drop".to_owned(),
                        Outcome::Reject => "reject".to_owned(),
                        Outcome::Unknown(why) => format!("unknown: {why}"),
                    };
                    serde_json::json!({
                        "from": addr(piece.lo), "to": addr(piece.hi),
                        "outcome": outcome, "by": piece.decision.by,
                    })
                })
                .collect(),
        )
    }

    /// [`Netfilter::tcp_sources`] for any protocol (6 tcp, 17 udp).
    pub fn sources(
        &self,
        family: Family,
        proto: u8,
        ports: &[u16],
        preferred: Option<IpAddr>,
    ) -> Result<Vec<String>, String> {
        let (daddr, known, iif) = self.target(family, preferred);
        let zero = match family {
            Family::V4 => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            Family::V6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        };
        let mut out: Vec<String> = vec![];
        for &port in ports {
            let mut p = Packet::tcp(zero, daddr, port, iif.as_deref());
            p.daddr_known = known;
            p.proto = proto;
            let r = reach(&self.ruleset, &p);
            if let Some(u) = r.first_unknown() {
                let why = match &u.decision.outcome {
                    Outcome::Unknown(w) => w.clone(),
                    _ => String::new(),
                };
                return Err(format!(
                    "undecidable for {}/{port} from some sources: {why} ({})",
                    if proto == 17 { "udp" } else { "tcp" },
                    u.decision.by
                ));
            }
            if r.open_to_all() {
                return Ok(vec!["any".into()]);
            }
            let sources = r.sources();
            if sources.first().is_some_and(|s| s == "any") {
                // A block list: say so for this port (the other ports cannot narrow it).
                return Ok(sources);
            }
            out.extend(sources);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

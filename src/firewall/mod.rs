//! Firewall truth: a host's live ruleset as data, and packets evaluated through it the way the
//! kernel does. Pure: text in (`nft -j list ruleset`, `iptables-save`, `ipset save`), verdicts
//! out; no I/O, no printing, nothing about inventories or controls.
//!
//! - [`nft`] and [`iptables`] parse each tool's output into one [`Ruleset`]: chains of rules,
//!   each rule a list of conditions ([`Cond`]) and an [`Action`]. Anything the parsers do not
//!   model becomes an explicit *unknown* condition or action, never a guess.
//! - [`eval`] walks a [`Packet`] through the base chains of the prerouting and input hooks in
//!   priority order (nftables and iptables-legacy tables together), following jumps, gotos,
//!   returns and verdict maps. The outcome is a [`Decision`]: accept, drop (or reject) or
//!   unknown, naming the rule that decided it.
//! - [`exposure`] asks the evaluator who may open a new connection to a port: the source
//!   address space is cut at every boundary a rule mentions, and one packet per piece decides
//!   for the whole piece, so the answer is exact (or unknown), not sampled.
//!
//! docs/firewall.md describes the semantics and what is unknown and why.

pub mod eval;
pub mod exposure;
pub mod iptables;
mod names;
pub mod nft;
pub mod ranges;

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

pub use eval::{Decision, Outcome, evaluate};
pub use exposure::Reach;

/// An IP family, as a packet has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub fn of(addr: IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::V4 => "ipv4",
            Family::V6 => "ipv6",
        }
    }
}

/// What the routing decision makes of a packet's destination (`fib daddr type`,
/// `-m addrtype --dst-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrType {
    /// One of the host's own addresses.
    Local,
    Broadcast,
    Multicast,
}

/// A packet opening a new connection to the host (conntrack state NEW, no NAT yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub saddr: IpAddr,
    pub daddr: IpAddr,
    /// `daddr` is the host's real address; when false it stands in for an address capdo does
    /// not know, and a rule testing the destination address is unknown.
    pub daddr_known: bool,
    pub daddr_type: AddrType,
    /// The interface it arrives on; `None` when not known (it is then known not to be `lo`).
    pub iif: Option<String>,
    /// IP protocol number (6 tcp, 17 udp).
    pub proto: u8,
    pub sport: u16,
    pub dport: u16,
}

impl Packet {
    /// A TCP SYN from `saddr` to `daddr:dport`, arriving on `iif`.
    pub fn tcp(saddr: IpAddr, daddr: IpAddr, dport: u16, iif: Option<&str>) -> Packet {
        Packet {
            saddr,
            daddr,
            daddr_known: true,
            daddr_type: AddrType::Local,
            iif: iif.map(str::to_owned),
            proto: 6,
            sport: 40_000,
            dport,
        }
    }

    pub fn family(&self) -> Family {
        Family::of(self.saddr)
    }
}

impl fmt::Display for Packet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let proto = names::proto_name(self.proto);
        write!(
            f,
            "{proto} {} → {} port {}",
            self.saddr, self.daddr, self.dport
        )
    }
}

/// Which tool a chain was read from; a part of every rule's name in evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Nft,
    /// `iptables-nft-save` (rules nft shows only as `xt`).
    IptablesNft,
    IptablesLegacy,
}

/// A netfilter hook on the path of a packet to a local socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hook {
    Ingress,
    Prerouting,
    Input,
}

/// What a base chain is registered as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    pub hook: Hook,
    pub prio: i64,
    /// `nat` chains see only the first packet of a connection and may rewrite it.
    pub nat: bool,
    /// The chain's policy: accept or drop.
    pub policy_drop: bool,
    /// A netdev ingress chain's device.
    pub device: Option<String>,
}

/// A chain of rules (base or regular).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// "inet filter input", "iptables-legacy filter INPUT", …: how evidence names it.
    pub name: String,
    /// Families whose packets the chain sees (ip: V4, ip6: V6, inet: both).
    pub families: Vec<Family>,
    pub base: Option<Base>,
    pub rules: Vec<Rule>,
    pub source: Source,
}

/// One rule: all conditions must hold, then the action applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// How evidence names the rule: "handle 12" or "line 34", with its text where known.
    pub origin: String,
    pub conds: Vec<Cond>,
    pub action: Action,
}

/// What a rule does with a packet its conditions match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Accept,
    Drop,
    Reject,
    Return,
    /// Jump to a chain (index into [`Ruleset::chains`]).
    Jump(usize),
    Goto(usize),
    /// No verdict (counter, log, mark, …): evaluation goes on.
    Continue,
    /// A verdict map: the first element that matches the key gives the action.
    Vmap {
        key: Vec<Key>,
        map: Vmap,
    },
    /// `redirect to :PORT` (or a DNAT to a port only): the packet stays local with a new port.
    Redirect(Option<u16>),
    /// `meta mark set` / `-j MARK`: the packet's mark from here on (`None`: not a constant).
    Mark(Option<u128>),
    /// Something the evaluator does not follow (a DNAT to another address, a queue, an
    /// unknown target): every packet that reaches it is unknown.
    Unknown(String),
}

/// One entry of a verdict map: its key (one element per key field) and its action.
pub type MapEntry = (Vec<Elem>, Action);

/// The entries of a verdict map: inline, or a named map of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Vmap {
    Inline(Vec<MapEntry>),
    Named(usize),
}

/// One condition: the packet's `key` (one field, or a concatenation) is in (or, negated, not
/// in) a set of elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    In {
        key: Vec<Key>,
        negate: bool,
        set: SetRef,
    },
    /// A bitmask test: `key & mask` compared with `value` (`==` or, negated, `!=`).
    Mask {
        key: Key,
        mask: u128,
        value: u128,
        negate: bool,
    },
    /// A match the evaluator cannot decide for a packet (rate limits, recent lists, marks set
    /// elsewhere, header fields a SYN does not fix…).
    Unknown(String),
    /// A match that never holds for a packet opening a connection to the host (an output
    /// interface on the input path, an ICMP type for a TCP packet…).
    Never,
}

/// Where a condition's elements are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetRef {
    Inline(Vec<Vec<Elem>>),
    /// A named set (index into [`Ruleset::sets`]).
    Named(usize),
}

/// A packet field a rule can test.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// `meta nfproto` (2 ipv4, 10 ipv6), `meta protocol` as that.
    Nfproto,
    /// The layer-4 protocol number (`meta l4proto`, `ip protocol`, `ip6 nexthdr`, `-p`).
    L4proto,
    /// Source / destination address of one family (a packet of the other family has none, so
    /// the rule does not match it).
    Saddr(Family),
    Daddr(Family),
    /// Destination / source port; `Some(proto)` when the match implies that protocol.
    Dport(Option<u8>),
    Sport(Option<u8>),
    /// Input interface name.
    Iif,
    /// Conntrack state bits (new = 8).
    CtState,
    /// Conntrack status bits (dnat = 32).
    CtStatus,
    /// `fib daddr type` (local 2, broadcast 3, multicast 5).
    DaddrType,
    /// `fib saddr … oif` (is there a route back?): 1 when there is.
    RouteBack,
    /// `meta pkttype` (host 0).
    Pkttype,
    /// TCP flags (SYN = 2).
    TcpFlags,
    /// `meta mark` / `-m mark`.
    Mark,
}

/// One element of a set: an inclusive range of numbers (addresses, ports, protocol numbers,
/// flag values), or an interface name (`eth*` / `eth+` match a prefix).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Elem {
    Range(u128, u128),
    Name(String),
}

/// A named set or map of a table (also an ipset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSet {
    pub name: String,
    pub elems: Vec<Vec<Elem>>,
    /// The set could not be read whole (dynamic, too large, an unknown element type).
    pub unknown: Option<String>,
}

/// A host's firewall, every table of every tool that hooks into the input path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ruleset {
    pub chains: Vec<Chain>,
    pub sets: Vec<NamedSet>,
    pub maps: Vec<(String, Vec<MapEntry>)>,
}

impl Ruleset {
    /// Whether anything filters at all (no chain on the input path means "no firewall").
    pub fn has_base_chains(&self) -> bool {
        self.chains.iter().any(|c| c.base.is_some())
    }

    /// Add another tool's chains (their indexes are shifted to stay valid).
    pub fn merge(&mut self, other: Ruleset) {
        let (dc, ds, dm) = (self.chains.len(), self.sets.len(), self.maps.len());
        let shift_action = |a: &mut Action| shift(a, dc, dm);
        for mut chain in other.chains {
            for rule in &mut chain.rules {
                shift_action(&mut rule.action);
                for c in &mut rule.conds {
                    if let Cond::In {
                        set: SetRef::Named(i),
                        ..
                    } = c
                    {
                        *i += ds;
                    }
                }
            }
            self.chains.push(chain);
        }
        self.sets.extend(other.sets);
        for (name, mut entries) in other.maps {
            for (_, a) in &mut entries {
                shift_action(a);
            }
            self.maps.push((name, entries));
        }
    }

    /// The number of rules, for budgets and messages.
    pub fn rule_count(&self) -> usize {
        self.chains.iter().map(|c| c.rules.len()).sum()
    }
}

fn shift(a: &mut Action, dc: usize, dm: usize) {
    match a {
        Action::Jump(i) | Action::Goto(i) => *i += dc,
        Action::Vmap { map, .. } => match map {
            Vmap::Named(i) => *i += dm,
            Vmap::Inline(entries) => entries.iter_mut().for_each(|(_, a)| shift(a, dc, dm)),
        },
        _ => {}
    }
}

/// Chains of one table being read, by name, for resolving jumps after all are known.
#[derive(Debug, Default)]
pub(crate) struct ChainIndex(HashMap<(String, String, String), usize>);

impl ChainIndex {
    pub(crate) fn insert(&mut self, family: &str, table: &str, chain: &str, index: usize) {
        self.0.insert(
            (family.to_owned(), table.to_owned(), chain.to_owned()),
            index,
        );
    }

    pub(crate) fn get(&self, family: &str, table: &str, chain: &str) -> Option<usize> {
        self.0
            .get(&(family.to_owned(), table.to_owned(), chain.to_owned()))
            .copied()
    }
}

/// An address as a number on its family's line.
pub(crate) fn addr_num(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// The inclusive range of a prefix, as numbers on its family's line (`None`: the length is
/// too long for the family).
pub fn addr_range(a: IpAddr, len: u32) -> Option<(u128, u128)> {
    prefix_range(a, len)
}

/// The inclusive range of a prefix.
pub(crate) fn prefix_range(a: IpAddr, len: u32) -> Option<(u128, u128)> {
    let bits = match a {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    };
    if len > bits {
        return None;
    }
    let n = addr_num(a);
    let host = bits - len;
    let span: u128 = if host >= 128 {
        u128::MAX
    } else {
        (1u128 << host) - 1
    };
    let lo = n & !span;
    Some((lo, lo | span))
}

/// What the collector read of a host's firewall: each tool's output, `None` when the tool was
/// missing or refused.
#[derive(Debug, Clone, Default)]
pub struct Texts<'a> {
    pub nft_json: Option<&'a str>,
    /// `iptables-save` / `ip6tables-save` (the system's default variant).
    pub iptables: Option<&'a str>,
    pub ip6tables: Option<&'a str>,
    pub iptables_legacy: Option<&'a str>,
    pub ip6tables_legacy: Option<&'a str>,
    pub ipset: Option<&'a str>,
}

/// True when a save output comes from the nf_tables variant (its header says so).
fn is_nft_variant(save: &str) -> bool {
    save.lines()
        .take_while(|l| l.starts_with('#'))
        .any(|l| l.contains("(nf_tables)"))
}

/// One ruleset from every tool's output, the way the kernel runs them together: nftables
/// tables (those holding iptables-nft `xt` rules read from `iptables-save` instead), and the
/// legacy iptables tables beside them. `Err` when nothing could be read.
pub fn assemble(t: &Texts) -> Result<Ruleset, String> {
    let ipset = t.ipset.unwrap_or("");
    let mut rs = Ruleset::default();
    let mut read_any = false;
    let mut problems = vec![];
    // iptables-nft rules nft shows as `xt`: those tables come from iptables-save.
    let mut xt: Vec<(String, String)> = vec![];
    if let Some(json) = t.nft_json {
        xt = nft::xt_tables(json);
        // Only replace what iptables-save can give.
        xt.retain(|(f, _)| match f.as_str() {
            "ip" => t.iptables.is_some_and(is_nft_variant),
            "ip6" => t.ip6tables.is_some_and(is_nft_variant),
            _ => false,
        });
        match nft::parse(json, &xt) {
            Ok(n) => {
                rs.merge(n);
                read_any = true;
            }
            Err(e) => problems.push(e),
        }
    }
    for (text, family, table_family) in [
        (t.iptables, Family::V4, "ip"),
        (t.ip6tables, Family::V6, "ip6"),
    ] {
        let Some(text) = text else { continue };
        if is_nft_variant(text) {
            read_any |= t.nft_json.is_none();
            let tables: Vec<&str> = xt
                .iter()
                .filter(|(f, _)| f == table_family)
                .map(|(_, tb)| tb.as_str())
                .collect();
            if t.nft_json.is_some() && tables.is_empty() {
                continue;
            }
            let mut part = iptables::parse(text, family, Source::IptablesNft, ipset);
            if t.nft_json.is_some() {
                part.chains
                    .retain(|c| tables.iter().any(|tb| c.name.split(' ').nth(1) == Some(tb)));
            }
            rs.merge(part);
        } else if t.iptables_legacy.is_none() && text.lines().any(|l| l.starts_with('*')) {
            // The default variant is legacy and no separate legacy save was read.
            rs.merge(iptables::parse(text, family, Source::IptablesLegacy, ipset));
            read_any = true;
        } else {
            read_any = true;
        }
    }
    for (text, family) in [
        (t.iptables_legacy, Family::V4),
        (t.ip6tables_legacy, Family::V6),
    ] {
        if let Some(text) = text {
            rs.merge(iptables::parse(text, family, Source::IptablesLegacy, ipset));
            read_any = true;
        }
    }
    // Each family needs a tool that shows its rules: nft shows both.
    let nft_ok = t.nft_json.is_some() && problems.is_empty();
    let v4 = nft_ok || t.iptables.is_some() || t.iptables_legacy.is_some();
    let v6 = nft_ok || t.ip6tables.is_some() || t.ip6tables_legacy.is_some();
    if read_any && v4 && v6 {
        Ok(rs)
    } else {
        let missing = match (v4, v6) {
            (false, false) => "IPv4 and IPv6",
            (false, true) => "IPv4",
            _ => "IPv6",
        };
        problems.push(format!("no firewall tool showed the {missing} rules"));
        Err(problems.join("; "))
    }
}

#[cfg(test)]
mod tests;

//! One packet through a [`Ruleset`], as the kernel walks it.
//!
//! - The base chains that see the packet's family on the ingress (its device only),
//!   prerouting and input hooks are taken in hook order, then priority (then the order read).
//!   Each gives accept (the packet goes on to the next chain), drop or reject (final).
//! - In a chain, rules run in order; `jump` pushes a chain, `goto` replaces the current one,
//!   `return` (or the end of a chain) pops; an empty stack gives the base chain's policy.
//! - A condition the evaluator cannot decide splits the walk in two: as if it matched and as if
//!   it did not. When both halves agree the verdict stands; otherwise the packet is unknown,
//!   naming the rule. Splits, depth and work are bounded; past a bound the packet is unknown.
//! - A `redirect` (or DNAT to a port) in a nat chain rewrites the destination port and marks
//!   the connection `dnat` for the chains after it; any other address rewrite is unknown.

use super::{Action, Base, Chain, Cond, Elem, Family, Hook, Key, Packet, Rule, Ruleset, SetRef};
use super::{AddrType, Vmap, addr_num};

mod symbolic;

pub(crate) use symbolic::{reach as reach_symbolic, supported as symbolic_supported};

/// What happens to a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Accept,
    Drop,
    Reject,
    /// The evaluator cannot tell, and why.
    Unknown(String),
}

impl Outcome {
    /// Accepted, refused (drop or reject), or `None` when unknown.
    pub fn open(&self) -> Option<bool> {
        match self {
            Outcome::Accept => Some(true),
            Outcome::Drop | Outcome::Reject => Some(false),
            Outcome::Unknown(_) => None,
        }
    }

    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Accept => "accept",
            Outcome::Drop => "drop",
            Outcome::Reject => "reject",
            Outcome::Unknown(_) => "unknown",
        }
    }
}

/// An outcome and the rule (or chain policy) that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub outcome: Outcome,
    /// "inet filter input handle 12", "policy of ip filter INPUT", or "no chain filters …".
    pub by: String,
}

/// Jumps nested deeper than this are unknown (nftables itself stops at 16).
const MAX_DEPTH: usize = 64;
/// Rules looked at for one packet, over all splits.
const MAX_STEPS: usize = 200_000;
/// Undecidable conditions on one path that may split the walk.
const MAX_SPLITS: u32 = 6;

/// Conntrack status bit `dnat` (IPS_DST_NAT).
pub(crate) const CT_STATUS_DNAT: u128 = 1 << 5;
/// Conntrack state bit `new`.
pub(crate) const CT_STATE_NEW: u128 = 8;

/// The base chains a packet of `fam` crosses, in the kernel's order: by hook, then priority,
/// then the order the ruleset lists them.
pub(crate) fn base_chains(rs: &Ruleset, fam: Family) -> Vec<(usize, &Base)> {
    let mut bases: Vec<(usize, &Base)> = rs
        .chains
        .iter()
        .enumerate()
        .filter(|(_, c)| c.families.contains(&fam))
        .filter_map(|(i, c)| c.base.as_ref().map(|b| (i, b)))
        .collect();
    bases.sort_by_key(|(i, b)| (b.hook, b.prio, *i));
    bases
}

/// Evaluate one packet.
pub fn evaluate(rs: &Ruleset, p: &Packet) -> Decision {
    let fam = p.family();
    let bases = base_chains(rs, fam);
    let mut st = State {
        pkt: p.clone(),
        status: 0,
        mark: Some(0),
    };
    let mut steps = MAX_STEPS;
    let mut unknown: Option<Decision> = None;
    let mut last_accept = None;
    for (ci, base) in bases {
        if base.hook == Hook::Ingress {
            match (&base.device, &st.pkt.iif) {
                (Some(d), Some(i)) if d != i => continue,
                (Some(_), None) => {
                    if chain_can_refuse(&rs.chains[ci]) {
                        unknown.get_or_insert(Decision {
                            outcome: Outcome::Unknown(
                                "an ingress chain is bound to a device and the packet's input interface is not known".into(),
                            ),
                            by: rs.chains[ci].name.clone(),
                        });
                    }
                    continue;
                }
                _ => {}
            }
        }
        let w = Walk { rs, base: ci };
        let (end, next) = w.run(vec![(ci, 0)], st.clone(), 0, &mut steps);
        match end.outcome {
            Outcome::Accept => {
                st = next;
                last_accept = Some(end.by);
            }
            Outcome::Drop | Outcome::Reject => return end,
            Outcome::Unknown(_) => {
                // A nat chain may have rewritten the packet: what follows is not known.
                if base.nat {
                    return end;
                }
                unknown.get_or_insert(end);
            }
        }
    }
    if let Some(u) = unknown {
        return u;
    }
    Decision {
        outcome: Outcome::Accept,
        by: last_accept.unwrap_or_else(|| format!("no chain filters {} input", fam.name())),
    }
}

fn chain_can_refuse(c: &Chain) -> bool {
    c.base.as_ref().is_some_and(|b| b.policy_drop) || !c.rules.is_empty()
}

#[derive(Debug, Clone)]
struct State {
    pkt: Packet,
    status: u128,
    mark: Option<u128>,
}

/// Three-valued truth.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tri {
    True,
    False,
    Unknown(String),
}

/// The walk of one base chain.
struct Walk<'r> {
    rs: &'r Ruleset,
    base: usize,
}

type Stack = Vec<(usize, usize)>;

enum Step {
    /// The base chain is done with this outcome.
    End(Decision),
    Next,
}

impl Walk<'_> {
    fn chain(&self) -> &Chain {
        &self.rs.chains[self.base]
    }

    fn named(&self, ci: usize, rule: &Rule) -> String {
        format!("{} {}", self.rs.chains[ci].name, rule.origin)
    }

    fn policy(&self) -> Decision {
        let c = self.chain();
        let drop = c.base.as_ref().is_some_and(|b| b.policy_drop);
        Decision {
            outcome: if drop { Outcome::Drop } else { Outcome::Accept },
            by: format!(
                "policy {} of {}",
                if drop { "drop" } else { "accept" },
                c.name
            ),
        }
    }

    fn run(
        &self,
        mut stack: Stack,
        mut st: State,
        splits: u32,
        steps: &mut usize,
    ) -> (Decision, State) {
        loop {
            let Some(&(ci, ri)) = stack.last() else {
                return (self.policy(), st);
            };
            let Some(rule) = self.rs.chains.get(ci).and_then(|c| c.rules.get(ri)) else {
                stack.pop();
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            if *steps == 0 {
                return (
                    Decision {
                        outcome: Outcome::Unknown(format!(
                            "the work budget ({MAX_STEPS} rule visits) was spent"
                        )),
                        by: self.named(ci, rule),
                    },
                    st,
                );
            }
            *steps -= 1;
            if rule.action == Action::Continue {
                continue;
            }
            let truth = self.test(&rule.conds, &st);
            let matched = truth == Tri::True;
            let why = match truth {
                Tri::False => continue,
                Tri::True => match self.apply(ci, rule, &rule.action, &mut stack, &mut st) {
                    Ok(Step::Next) => continue,
                    Ok(Step::End(d)) => return (d, st),
                    Err(why) => why,
                },
                Tri::Unknown(why) => why,
            };
            // Undecidable here: follow both ways, and keep the verdict only when they agree.
            let unknown = |why: String| Decision {
                outcome: Outcome::Unknown(why),
                by: self.named(ci, rule),
            };
            if splits >= MAX_SPLITS || matched {
                return (unknown(why), st);
            }
            let (mut s2, mut st2) = (stack.clone(), st.clone());
            let taken = match self.apply(ci, rule, &rule.action, &mut s2, &mut st2) {
                Ok(Step::End(d)) => (d, st2),
                Ok(Step::Next) => self.run(s2, st2, splits + 1, steps),
                Err(why) => return (unknown(why), st),
            };
            let (skipped, st3) = self.run(stack, st.clone(), splits + 1, steps);
            let agree = match (&taken.0.outcome, &skipped.outcome) {
                (Outcome::Unknown(_), _) | (_, Outcome::Unknown(_)) => false,
                (a, b) => a.open() == b.open() && taken.1.pkt == st3.pkt,
            };
            return if agree {
                (skipped, st3)
            } else {
                (unknown(why), st)
            };
        }
    }

    /// Apply an action to the walk; `Err` when the action itself is unknown.
    fn apply(
        &self,
        ci: usize,
        rule: &Rule,
        action: &Action,
        stack: &mut Stack,
        st: &mut State,
    ) -> Result<Step, String> {
        let end = |o: Outcome| {
            Ok(Step::End(Decision {
                outcome: o,
                by: self.named(ci, rule),
            }))
        };
        match action {
            Action::Accept => end(Outcome::Accept),
            Action::Drop => end(Outcome::Drop),
            Action::Reject => end(Outcome::Reject),
            Action::Continue => Ok(Step::Next),
            Action::Return => {
                stack.pop();
                Ok(Step::Next)
            }
            Action::Jump(t) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("jumps nested deeper than {MAX_DEPTH}"));
                }
                stack.push((*t, 0));
                Ok(Step::Next)
            }
            Action::Goto(t) => {
                stack.pop();
                stack.push((*t, 0));
                Ok(Step::Next)
            }
            Action::Mark(m) => {
                st.mark = *m;
                Ok(Step::Next)
            }
            Action::Redirect(port) => {
                if let Some(p) = port {
                    st.pkt.dport = *p;
                }
                st.status |= CT_STATUS_DNAT;
                end(Outcome::Accept)
            }
            Action::Unknown(why) => Err(why.clone()),
            Action::Vmap { key, map } => {
                let entries: &[super::MapEntry] = match map {
                    Vmap::Inline(e) => e,
                    Vmap::Named(i) => match self.rs.maps.get(*i) {
                        Some((_, e)) => e,
                        None => return Err("a verdict map that is not in the ruleset".into()),
                    },
                };
                let Some(vals) = key.iter().map(|k| value(k, st)).collect::<Option<Vec<_>>>()
                else {
                    // The key's protocol header is absent: no element matches.
                    return Ok(Step::Next);
                };
                for (elems, a) in entries {
                    match tuple_matches(&vals, elems) {
                        Tri::True => return self.apply(ci, rule, a, stack, st),
                        Tri::False => {}
                        Tri::Unknown(why) => return Err(why),
                    }
                }
                Ok(Step::Next)
            }
        }
    }

    fn test(&self, conds: &[Cond], st: &State) -> Tri {
        let mut unknown = None;
        for c in conds {
            match self.cond(c, st) {
                Tri::False => return Tri::False,
                Tri::True => {}
                Tri::Unknown(w) => {
                    unknown.get_or_insert(w);
                }
            }
        }
        unknown.map_or(Tri::True, Tri::Unknown)
    }

    fn cond(&self, c: &Cond, st: &State) -> Tri {
        match c {
            Cond::Never => Tri::False,
            Cond::Unknown(why) => Tri::Unknown(why.clone()),
            Cond::Mask {
                key,
                mask,
                value: want,
                negate,
            } => match value(key, st) {
                None => Tri::False,
                Some(Val::Unknown(why)) => Tri::Unknown(why),
                Some(Val::Num(v)) => flip((v & mask) == *want, *negate),
                Some(Val::Iface(_)) => Tri::Unknown("a bitmask test on an interface".into()),
            },
            Cond::In { key, negate, set } => {
                let Some(vals) = key.iter().map(|k| value(k, st)).collect::<Option<Vec<_>>>()
                else {
                    // The field's header is absent (another family or protocol): the rule's
                    // implicit dependency fails, negated or not.
                    return Tri::False;
                };
                let elems: &[Vec<Elem>] = match set {
                    SetRef::Inline(e) => e,
                    SetRef::Named(i) => match self.rs.sets.get(*i) {
                        Some(s) => {
                            if let Some(why) = &s.unknown {
                                return Tri::Unknown(format!("set {}: {why}", s.name));
                            }
                            &s.elems
                        }
                        None => return Tri::Unknown("a set that is not in the ruleset".into()),
                    },
                };
                let mut unknown = None;
                for t in elems {
                    match tuple_matches(&vals, t) {
                        Tri::True => return flip(true, *negate),
                        Tri::False => {}
                        Tri::Unknown(w) => {
                            unknown.get_or_insert(w);
                        }
                    }
                }
                match unknown {
                    Some(w) => Tri::Unknown(w),
                    None => flip(false, *negate),
                }
            }
        }
    }
}

fn flip(b: bool, negate: bool) -> Tri {
    if b != negate { Tri::True } else { Tri::False }
}

/// A packet field's value.
#[derive(Debug, Clone)]
enum Val {
    Num(u128),
    /// An input interface; `None` when unknown (known not to be `lo`).
    Iface(Option<String>),
    Unknown(String),
}

/// The packet's value for a key; `None` when the packet has no such field (another family,
/// another protocol), so the match fails.
fn value(k: &Key, st: &State) -> Option<Val> {
    let p = &st.pkt;
    let fam = p.family();
    let has_ports = matches!(p.proto, 6 | 17 | 33 | 132 | 136);
    Some(Val::Num(match k {
        Key::Nfproto => match fam {
            Family::V4 => 2,
            Family::V6 => 10,
        },
        Key::L4proto => u128::from(p.proto),
        Key::Saddr(f) if *f == fam => addr_num(p.saddr),
        Key::Daddr(f) if *f == fam && !p.daddr_known => {
            return Some(Val::Unknown(
                "the rule tests the destination address and the host's address is not known".into(),
            ));
        }
        Key::Daddr(f) if *f == fam => addr_num(p.daddr),
        Key::Saddr(_) | Key::Daddr(_) => return None,
        Key::Dport(proto) | Key::Sport(proto) => {
            let fits = match proto {
                Some(x) => *x == p.proto,
                None => has_ports,
            };
            if !fits {
                return None;
            }
            u128::from(if matches!(k, Key::Dport(_)) {
                p.dport
            } else {
                p.sport
            })
        }
        Key::Iif => return Some(Val::Iface(p.iif.clone())),
        Key::CtState => CT_STATE_NEW,
        Key::CtStatus => st.status,
        Key::DaddrType => match p.daddr_type {
            AddrType::Local => 2,
            AddrType::Broadcast => 3,
            AddrType::Multicast => 5,
        },
        Key::RouteBack => 1,
        Key::Pkttype => match p.daddr_type {
            AddrType::Local => 0,
            AddrType::Broadcast => 1,
            AddrType::Multicast => 2,
        },
        Key::TcpFlags if p.proto == 6 => 2,
        Key::TcpFlags => return None,
        Key::Mark => match st.mark {
            Some(m) => m,
            None => {
                return Some(Val::Unknown(
                    "the packet mark was set to a value capdo does not know".into(),
                ));
            }
        },
    }))
}

fn tuple_matches(vals: &[Val], elems: &[Elem]) -> Tri {
    if vals.len() != elems.len() {
        return Tri::Unknown("a set element does not fit its key".into());
    }
    let mut unknown = None;
    for (v, e) in vals.iter().zip(elems) {
        match elem_matches(v, e) {
            Tri::False => return Tri::False,
            Tri::True => {}
            Tri::Unknown(w) => {
                unknown.get_or_insert(w);
            }
        }
    }
    unknown.map_or(Tri::True, Tri::Unknown)
}

fn elem_matches(v: &Val, e: &Elem) -> Tri {
    match (v, e) {
        (Val::Unknown(w), _) => Tri::Unknown(w.clone()),
        (Val::Num(n), Elem::Range(lo, hi)) => flip(lo <= n && n <= hi, false),
        (Val::Iface(Some(name)), Elem::Name(pat)) => flip(iface_matches(pat, name), false),
        (Val::Iface(None), Elem::Name(pat)) => {
            if pat == "lo" {
                Tri::False
            } else {
                Tri::Unknown(format!(
                    "the rule tests the input interface ({pat}) and the interface of the host's address is not known"
                ))
            }
        }
        _ => Tri::Unknown("a set element of another type than its key".into()),
    }
}

/// nft `eth*` and iptables `eth+` match a prefix; anything else matches the whole name.
fn iface_matches(pat: &str, name: &str) -> bool {
    match pat.strip_suffix('*').or_else(|| pat.strip_suffix('+')) {
        Some(prefix) => name.starts_with(prefix),
        None => pat == name,
    }
}

//! Who can open a new connection to a port, and what the firewall does by default.
//!
//! The source address line of a family is cut at both ends of every address range any rule
//! (or set, or map) tests the source against. Inside one piece every source test has the same
//! answer, so one packet per piece decides for all of it: the answer is exact, or unknown for
//! the pieces where a rule cannot be decided.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::ranges::family_max;
pub use super::ranges::{Ranges, everything, intersect, normalize, subtract};
use super::{
    Action, Cond, Decision, Elem, Family, Key, Outcome, Packet, Ruleset, SetRef, Vmap, evaluate,
};

/// More pieces than this are not evaluated: the answer is unknown.
const MAX_PIECES: usize = 20_000;

/// A range of sources and what happens to their packets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub lo: u128,
    pub hi: u128,
    pub decision: Decision,
}

/// The outcome for every source of one family, in address order (adjacent pieces with the
/// same outcome merged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub family: Family,
    pub pieces: Vec<Piece>,
}

impl Reach {
    /// Every source is accepted.
    pub fn open_to_all(&self) -> bool {
        self.pieces
            .iter()
            .all(|p| p.decision.outcome == Outcome::Accept)
    }

    /// The first piece the evaluator could not decide.
    pub fn first_unknown(&self) -> Option<&Piece> {
        self.pieces
            .iter()
            .find(|p| matches!(p.decision.outcome, Outcome::Unknown(_)))
    }

    /// The accepted sources as prefixes ("10.0.0.0/8").
    pub fn accepted(&self) -> Vec<String> {
        self.pieces
            .iter()
            .filter(|p| p.decision.outcome == Outcome::Accept)
            .flat_map(|p| prefixes(self.family, p.lo, p.hi))
            .collect()
    }

    /// The sources refused (dropped or rejected), as prefixes.
    pub fn refused(&self) -> Vec<String> {
        self.pieces
            .iter()
            .filter(|p| matches!(p.decision.outcome, Outcome::Drop | Outcome::Reject))
            .flat_map(|p| prefixes(self.family, p.lo, p.hi))
            .collect()
    }

    /// The accepted sources in the shorter of two forms: the prefixes accepted, or `any`
    /// followed by `except PREFIX` for each prefix refused (a firewall that accepts all but a
    /// block list).
    pub fn sources(&self) -> Vec<String> {
        let accepted = self.accepted();
        let refused = self.refused();
        if accepted.is_empty() || accepted.len() <= refused.len() {
            return accepted;
        }
        std::iter::once("any".to_owned())
            .chain(refused.into_iter().map(|p| format!("except {p}")))
            .collect()
    }

    /// The decisions that accept some source, once each ("inet filter input handle 7").
    pub fn accepting_rules(&self) -> Vec<String> {
        let mut out: Vec<String> = vec![];
        for p in &self.pieces {
            if p.decision.outcome == Outcome::Accept && !out.contains(&p.decision.by) {
                out.push(p.decision.by.clone());
            }
        }
        out
    }
}

/// The outcome for every source of `template`'s family, the rest of the packet as given.
pub fn reach(rs: &Ruleset, template: &Packet) -> Reach {
    let family = template.family();
    if !super::eval::symbolic_supported(rs, family) {
        return reach_by_pieces(rs, template);
    }
    let mut flat: Vec<Piece> = super::eval::reach_symbolic(rs, template, everything(family))
        .into_iter()
        .flat_map(|(ranges, decision)| {
            ranges.into_iter().map(move |(lo, hi)| Piece {
                lo,
                hi,
                decision: decision.clone(),
            })
        })
        .collect();
    flat.sort_by_key(|p| p.lo);
    let mut pieces: Vec<Piece> = vec![];
    for p in flat {
        match pieces.last_mut() {
            Some(last) if last.decision == p.decision && last.hi.checked_add(1) == Some(p.lo) => {
                last.hi = p.hi
            }
            _ => pieces.push(p),
        }
    }
    Reach { family, pieces }
}

/// [`reach`] by evaluating one packet per piece of the source line (the reference the
/// symbolic walk is tested against, and the way for rulesets it does not cover).
pub fn reach_by_pieces(rs: &Ruleset, template: &Packet) -> Reach {
    let family = template.family();
    let max = family_max(family);
    let mut cuts: Vec<u128> = vec![0];
    for (lo, hi) in ranges(rs, &|k| *k == Key::Saddr(family)) {
        cuts.push(lo);
        if hi < max {
            cuts.push(hi + 1);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    if cuts.len() > MAX_PIECES {
        return Reach {
            family,
            pieces: vec![Piece {
                lo: 0,
                hi: max,
                decision: Decision {
                    outcome: Outcome::Unknown(format!(
                        "the ruleset tests sources against {} ranges, more than capdo evaluates ({MAX_PIECES})",
                        cuts.len()
                    )),
                    by: "the ruleset".into(),
                },
            }],
        };
    }
    let mut pieces: Vec<Piece> = vec![];
    for (i, &lo) in cuts.iter().enumerate() {
        let hi = cuts.get(i + 1).map_or(max, |n| n - 1);
        let mut p = template.clone();
        p.saddr = addr(family, lo);
        let decision = evaluate(rs, &p);
        match pieces.last_mut() {
            Some(last) if last.decision == decision => last.hi = hi,
            _ => pieces.push(Piece { lo, hi, decision }),
        }
    }
    Reach { family, pieces }
}

/// The decision for an unsolicited packet like `template` (its destination, interface and
/// protocol) from an address no rule names to a port no rule names: what the firewall does by
/// default.
pub fn default_decision(rs: &Ruleset, template: &Packet) -> Decision {
    let family = Family::of(template.daddr);
    let named_sources = ranges(rs, &|k| *k == Key::Saddr(family));
    let named_ports = ranges(rs, &|k| matches!(k, Key::Dport(_)));
    let candidates: &[IpAddr] = match family {
        Family::V4 => &[
            IpAddr::V4(Ipv4Addr::new(203, 0, 113, 77)),
            IpAddr::V4(Ipv4Addr::new(198, 51, 100, 77)),
            IpAddr::V4(Ipv4Addr::new(192, 0, 2, 77)),
            IpAddr::V4(Ipv4Addr::new(100, 64, 99, 77)),
            IpAddr::V4(Ipv4Addr::new(172, 31, 254, 77)),
        ],
        Family::V6 => &[
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0x77, 0, 0, 0, 0, 0x77)),
            IpAddr::V6(Ipv6Addr::new(0x3fff, 0x77, 0, 0, 0, 0, 0, 0x77)),
            IpAddr::V6(Ipv6Addr::new(0xfd77, 0x77, 0, 0, 0, 0, 0, 0x77)),
        ],
    };
    let source = candidates.iter().copied().find(|a| {
        let n = super::addr_num(*a);
        !named_sources.iter().any(|(lo, hi)| *lo <= n && n <= *hi)
    });
    let port = [40_999u16, 61_999, 33_333, 1, 65_535, 2]
        .into_iter()
        .find(|p| {
            let n = u128::from(*p);
            !named_ports.iter().any(|(lo, hi)| *lo <= n && n <= *hi)
        });
    let (Some(saddr), Some(dport)) = (source, port) else {
        return Decision {
            outcome: Outcome::Unknown(
                "every candidate source or port of a default probe is named by a rule".into(),
            ),
            by: "the ruleset".into(),
        };
    };
    let mut p = template.clone();
    p.saddr = saddr;
    p.dport = dport;
    evaluate(rs, &p)
}

fn addr(f: Family, n: u128) -> IpAddr {
    match f {
        Family::V4 => IpAddr::V4(Ipv4Addr::from(u32::try_from(n).unwrap_or(u32::MAX))),
        Family::V6 => IpAddr::V6(Ipv6Addr::from(n)),
    }
}

/// Every range a condition, set or map compares a key `want` accepts against.
fn ranges(rs: &Ruleset, want: &dyn Fn(&Key) -> bool) -> Vec<(u128, u128)> {
    let mut out = vec![];
    let from_tuples = |key: &[Key], tuples: &[Vec<Elem>], out: &mut Vec<(u128, u128)>| {
        for (i, k) in key.iter().enumerate() {
            if !want(k) {
                continue;
            }
            for t in tuples {
                if let Some(Elem::Range(lo, hi)) = t.get(i) {
                    out.push((*lo, *hi));
                }
            }
        }
    };
    for chain in &rs.chains {
        for rule in &chain.rules {
            for c in &rule.conds {
                if let Cond::In { key, set, .. } = c {
                    match set {
                        SetRef::Inline(t) => from_tuples(key, t, &mut out),
                        SetRef::Named(i) => {
                            if let Some(s) = rs.sets.get(*i) {
                                from_tuples(key, &s.elems, &mut out);
                            }
                        }
                    }
                }
            }
            if let Action::Vmap { key, map } = &rule.action {
                let entries: Vec<Vec<Elem>> = match map {
                    Vmap::Inline(e) => e.iter().map(|(k, _)| k.clone()).collect(),
                    Vmap::Named(i) => rs
                        .maps
                        .get(*i)
                        .map(|(_, e)| e.iter().map(|(k, _)| k.clone()).collect())
                        .unwrap_or_default(),
                };
                from_tuples(key, &entries, &mut out);
            }
        }
    }
    out
}

/// The smallest list of prefixes covering exactly `lo..=hi`.
pub fn prefixes(f: Family, lo: u128, hi: u128) -> Vec<String> {
    let bits: u32 = match f {
        Family::V4 => 32,
        Family::V6 => 128,
    };
    let mut out = vec![];
    let mut cur = lo;
    loop {
        // The largest block starting at `cur` that stays within `hi`.
        let mut size = if cur == 0 {
            bits
        } else {
            cur.trailing_zeros().min(bits)
        };
        while size > 0 {
            let span = if size >= 128 {
                u128::MAX
            } else {
                (1u128 << size) - 1
            };
            if cur.checked_add(span).is_some_and(|end| end <= hi) {
                break;
            }
            size -= 1;
        }
        let span = if size >= 128 {
            u128::MAX
        } else {
            (1u128 << size) - 1
        };
        out.push(format!("{}/{}", addr(f, cur), bits - size));
        match cur.checked_add(span).and_then(|e| e.checked_add(1)) {
            Some(next) if next <= hi && next > cur => cur = next,
            _ => break,
        }
        if out.len() > 256 {
            out.push("…".into());
            break;
        }
    }
    out
}

impl Reach {
    /// The ranges whose packets end as `open` says (true: accepted, false: refused).
    pub fn ranges(&self, open: Option<bool>) -> Ranges {
        normalize(
            self.pieces
                .iter()
                .filter(|p| p.decision.outcome.open() == open)
                .map(|p| (p.lo, p.hi))
                .collect(),
        )
    }

    /// The first decision inside `within` with outcome `open` (for naming the rule).
    pub fn decision_in(&self, within: &[(u128, u128)], open: Option<bool>) -> Option<&Decision> {
        self.pieces
            .iter()
            .filter(|p| p.decision.outcome.open() == open)
            .find(|p| !intersect(&[(p.lo, p.hi)], within).is_empty())
            .map(|p| &p.decision)
    }
}

/// Ranges as prefixes, at most `max` of them (then "…").
pub fn describe(f: Family, r: &[(u128, u128)], max: usize) -> String {
    if r == everything(f).as_slice() {
        return "any address".into();
    }
    let mut all: Vec<String> = r
        .iter()
        .flat_map(|(lo, hi)| prefixes(f, *lo, *hi))
        .collect();
    if all.len() > max {
        all.truncate(max);
        all.push("…".into());
    }
    all.join(" ")
}

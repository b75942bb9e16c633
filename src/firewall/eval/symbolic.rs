//! The evaluator run once for a whole set of source addresses instead of once per source.
//!
//! Every field of the packet but its source is fixed, so only conditions on the source can
//! treat two sources differently. The walk carries the set of sources still on a path; at a
//! rule that tests the source, the set splits into the part that matches (it takes the
//! action), the part that does not (it goes on) and the part the rule cannot decide (both
//! ways are followed, as in [`super::Walk::run`]). The result is the same as evaluating one
//! packet per piece of [`crate::firewall::exposure::reach`] (a test keeps them equal), in one
//! walk of the ruleset instead of thousands.

use super::{Action, Cond, Decision, Elem, Family, Key, Outcome, Rule, SetRef, Stack, State};
use super::{Step, Tri, Walk, tuple_matches, value};
use crate::firewall::ranges::{RangeSet, Ranges, intersect, normalize, subtract};
use crate::firewall::{Hook, Packet, Ruleset};

/// Rule visits for one exposure question, over all paths and splits.
const MAX_STEPS: usize = 2_000_000;

/// Sources with the decision that holds for all of them.
pub(crate) type Parts = Vec<(Ranges, Decision)>;

/// Whether the symbolic walk covers this ruleset: a verdict map keyed by the source is left
/// to the per-source evaluation.
pub(crate) fn supported(rs: &Ruleset, family: Family) -> bool {
    let keyed = |k: &[Key]| k.contains(&Key::Saddr(family));
    let in_map = |a: &Action| matches!(a, Action::Vmap { key, .. } if keyed(key));
    !rs.chains
        .iter()
        .flat_map(|c| &c.rules)
        .any(|r| in_map(&r.action))
        && !rs.maps.iter().flat_map(|(_, e)| e).any(|(_, a)| in_map(a))
}

/// The decision for every source in `sources`, the rest of the packet as `template` has it.
pub(crate) fn reach(rs: &Ruleset, template: &Packet, sources: Ranges) -> Parts {
    let fam = template.family();
    let bases = super::base_chains(rs, fam);
    let st = State {
        pkt: template.clone(),
        status: 0,
        mark: Some(0),
    };
    let mut steps = MAX_STEPS;
    // Sources still going, their state, the first unknown met, the last accepting chain.
    let mut live: Vec<(RangeSet, State, Option<Decision>, Option<String>)> =
        vec![(RangeSet::from_ranges(sources), st, None, None)];
    let mut done: Parts = vec![];
    for (ci, base) in bases {
        let mut next = vec![];
        for (set, st, unknown, last) in live {
            if base.hook == Hook::Ingress {
                match (&base.device, &st.pkt.iif) {
                    (Some(d), Some(i)) if d != i => {
                        next.push((set, st, unknown, last));
                        continue;
                    }
                    (Some(_), None) if super::chain_can_refuse(&rs.chains[ci]) => {
                        let u = unknown.or_else(|| {
                            Some(Decision {
                                outcome: Outcome::Unknown(
                                    "an ingress chain is bound to a device and the packet's input interface is not known".into(),
                                ),
                                by: rs.chains[ci].name.clone(),
                            })
                        });
                        next.push((set, st, u, last));
                        continue;
                    }
                    (Some(_), None) => {
                        next.push((set, st, unknown, last));
                        continue;
                    }
                    _ => {}
                }
            }
            let w = Walk { rs, base: ci };
            for (part, d, st2) in run(&w, vec![(ci, 0)], st.clone(), set, 0, &mut steps) {
                match d.outcome {
                    Outcome::Accept => next.push((
                        RangeSet::from_ranges(part),
                        st2,
                        unknown.clone(),
                        Some(d.by),
                    )),
                    Outcome::Drop | Outcome::Reject => done.push((part, d)),
                    Outcome::Unknown(_) if base.nat => done.push((part, d)),
                    Outcome::Unknown(_) => next.push((
                        RangeSet::from_ranges(part),
                        st2,
                        unknown.clone().or(Some(d)),
                        last.clone(),
                    )),
                }
            }
        }
        live = next;
    }
    for (set, _, unknown, last) in live {
        let d = unknown.unwrap_or_else(|| Decision {
            outcome: Outcome::Accept,
            by: last.unwrap_or_else(|| format!("no chain filters {} input", fam.name())),
        });
        done.push((set.to_ranges(), d));
    }
    done
}

type Branches = Vec<(Ranges, Decision, State)>;

/// Walk `set` from `stack`: every path a part of it takes, as a work list (a part that
/// takes a jump or goto is pushed, not recursed into); only the two ways of an undecidable
/// condition recurse, at most [`super::MAX_SPLITS`] deep. The sources going on past a rule
/// stay in one tree ([`RangeSet`]): a rule that splits off a few addresses costs a few tree
/// steps, not a copy of the rest.
fn run(
    w: &Walk,
    stack: Stack,
    st: State,
    set: RangeSet,
    splits: u32,
    steps: &mut usize,
) -> Branches {
    let fam = st.pkt.family();
    let mut out: Branches = vec![];
    let mut work: Vec<(Stack, State, RangeSet)> = vec![(stack, st, set)];
    'task: while let Some((mut stack, st, mut set)) = work.pop() {
        loop {
            if set.is_empty() {
                continue 'task;
            }
            let Some(&(ci, ri)) = stack.last() else {
                out.push((set.to_ranges(), w.policy(), st));
                continue 'task;
            };
            let Some(rule) = w.rs.chains.get(ci).and_then(|c| c.rules.get(ri)) else {
                stack.pop();
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            let unknown = |why: String| Decision {
                outcome: Outcome::Unknown(why),
                by: w.named(ci, rule),
            };
            if *steps == 0 {
                out.push((
                    set.to_ranges(),
                    unknown("the work budget of one exposure question was spent".into()),
                    st,
                ));
                continue 'task;
            }
            *steps -= 1;
            if rule.action == Action::Continue {
                continue;
            }
            // The sources that take the rule and those it cannot decide leave `set`; the
            // rest go on to the next rule.
            let (yes, maybe, why) = match split(w, rule, &st, &set, fam) {
                (Sel::All, _, why) => (Part::Tree(std::mem::take(&mut set)), vec![], why),
                (_, Sel::All, why) => (
                    Part::List(vec![]),
                    std::mem::take(&mut set).to_ranges(),
                    why,
                ),
                (Sel::Some(yes), Sel::Some(maybe), why) => {
                    set.remove(&yes);
                    set.remove(&maybe);
                    (Part::List(yes), maybe, why)
                }
            };
            let maybe = RangeSet::from_ranges(maybe);
            if !yes.is_empty() {
                let (mut s2, mut st2) = (stack.clone(), st.clone());
                match w.apply(ci, rule, &rule.action, &mut s2, &mut st2) {
                    Ok(Step::End(d)) => out.push((yes.into_ranges(), d, st2)),
                    Ok(Step::Next) => work.push((s2, st2, yes.into_tree())),
                    Err(why) => out.push((yes.into_ranges(), unknown(why), st.clone())),
                }
            }
            if !maybe.is_empty() {
                let why = why.unwrap_or_default();
                let (mut s2, mut st2) = (stack.clone(), st.clone());
                let taken = match w.apply(ci, rule, &rule.action, &mut s2, &mut st2) {
                    _ if splits >= super::MAX_SPLITS => None,
                    Ok(Step::End(d)) => Some(vec![(maybe.to_ranges(), d, st2)]),
                    Ok(Step::Next) => Some(run(w, s2, st2, maybe.clone(), splits + 1, steps)),
                    Err(w2) => {
                        // The action itself is unknown: so is every source that may take it.
                        out.push((maybe.to_ranges(), unknown(w2), st.clone()));
                        None.filter(|_: &Branches| false)
                    }
                };
                match taken {
                    None if splits >= super::MAX_SPLITS => {
                        out.push((maybe.to_ranges(), unknown(why), st.clone()))
                    }
                    None => {}
                    Some(taken) => {
                        let skipped = run(w, stack.clone(), st.clone(), maybe, splits + 1, steps);
                        for (ra, da, sa) in &taken {
                            for (rb, db, sb) in &skipped {
                                let r = intersect(ra, rb);
                                if r.is_empty() {
                                    continue;
                                }
                                let agree = match (&da.outcome, &db.outcome) {
                                    (Outcome::Unknown(_), _) | (_, Outcome::Unknown(_)) => false,
                                    (a, b) => a.open() == b.open() && sa.pkt == sb.pkt,
                                };
                                if agree {
                                    out.push((r, db.clone(), sb.clone()));
                                } else {
                                    out.push((r, unknown(why.clone()), st.clone()));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Sources that took a rule: the whole tree that came to it, or a list split off it (made a
/// tree only when it goes on walking).
enum Part {
    Tree(RangeSet),
    List(Ranges),
}

impl Part {
    fn is_empty(&self) -> bool {
        match self {
            Part::Tree(t) => t.is_empty(),
            Part::List(l) => l.is_empty(),
        }
    }

    fn into_ranges(self) -> Ranges {
        match self {
            Part::Tree(t) => t.to_ranges(),
            Part::List(l) => l,
        }
    }

    fn into_tree(self) -> RangeSet {
        match self {
            Part::Tree(t) => t,
            Part::List(l) => RangeSet::from_ranges(l),
        }
    }
}

/// Some of the sources on a path: all of them (not copied), or these ranges.
enum Sel {
    All,
    Some(Ranges),
}

impl Sel {
    fn none() -> Sel {
        Sel::Some(vec![])
    }

    fn and(self, other: &Sel) -> Sel {
        match (self, other) {
            (Sel::All, Sel::All) => Sel::All,
            (Sel::All, Sel::Some(b)) => Sel::Some(b.clone()),
            (a, Sel::All) => a,
            (Sel::Some(a), Sel::Some(b)) => Sel::Some(intersect(&a, b)),
        }
    }

    fn or(self, other: &Sel) -> Sel {
        match (self, other) {
            (Sel::All, _) | (_, Sel::All) => Sel::All,
            (Sel::Some(a), Sel::Some(b)) => Sel::Some(normalize([a, b.clone()].concat())),
        }
    }

    /// `self` without `other`, `set` being what [`Sel::All`] stands for.
    fn minus(self, other: &Sel, set: &RangeSet) -> Sel {
        match (self, other) {
            (_, Sel::All) => Sel::none(),
            (a, Sel::Some(b)) if b.is_empty() => a,
            (Sel::All, Sel::Some(b)) => Sel::Some(subtract(&set.to_ranges(), b)),
            (Sel::Some(a), Sel::Some(b)) => Sel::Some(subtract(&a, b)),
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, Sel::Some(r) if r.is_empty())
    }
}

/// The sources of `set` that match all of `rule`'s conditions (`yes`), and those whose match
/// cannot be decided (`maybe`, with why). A rule that does not test the source selects all
/// of `set` or none of it, without copying it.
fn split(
    w: &Walk,
    rule: &Rule,
    st: &State,
    set: &RangeSet,
    fam: Family,
) -> (Sel, Sel, Option<String>) {
    let mut yes = Sel::All;
    let mut maybe = Sel::none();
    let mut why = None;
    for c in &rule.conds {
        let (t, u, reason) = match source_cond(w, c, st, fam) {
            Some(Ok((t, u, reason))) => (
                Sel::Some(set.intersect(&t)),
                Sel::Some(set.intersect(&u)),
                reason,
            ),
            Some(Err(())) => return (Sel::none(), Sel::none(), None),
            None => match w.cond(c, st) {
                Tri::True => (Sel::All, Sel::none(), None),
                Tri::False => return (Sel::none(), Sel::none(), None),
                Tri::Unknown(r) => (Sel::none(), Sel::All, Some(r)),
            },
        };
        // Nothing unknown so far or here (the common case): the matching part narrows.
        if maybe.is_empty() && u.is_empty() {
            yes = yes.and(&t);
            if yes.is_empty() {
                break;
            }
            continue;
        }
        // Three-valued and: true where both are; unknown where neither is false and one is
        // unknown.
        let tu = Sel::Some(vec![]).or(&t).or(&u);
        let new_maybe = maybe.and(&tu).or(&Sel::and(yes_clone(&yes), &u));
        let new_yes = yes.and(&t);
        if !u.is_empty() && why.is_none() {
            why = reason;
        }
        maybe = new_maybe.minus(&new_yes, set);
        yes = new_yes;
        if yes.is_empty() && maybe.is_empty() {
            break;
        }
    }
    (yes, maybe, why)
}

fn yes_clone(s: &Sel) -> Sel {
    match s {
        Sel::All => Sel::All,
        Sel::Some(r) => Sel::Some(r.clone()),
    }
}

/// A condition on the source, as the sources it holds for and those it cannot decide for;
/// `None` when it does not test this family's source, `Some(Err)` when it holds for none
/// (another field it tests is absent from the packet).
#[allow(clippy::type_complexity)]
fn source_cond(
    w: &Walk,
    c: &Cond,
    st: &State,
    fam: Family,
) -> Option<Result<(Ranges, Ranges, Option<String>), ()>> {
    let Cond::In { key, negate, set } = c else {
        return None;
    };
    let at = key.iter().position(|k| *k == Key::Saddr(fam))?;
    let others: Vec<Option<super::Val>> = key
        .iter()
        .enumerate()
        .map(|(i, k)| {
            if i == at {
                Some(super::Val::Num(0))
            } else {
                value(k, st)
            }
        })
        .collect();
    let Some(others) = others.into_iter().collect::<Option<Vec<_>>>() else {
        return Some(Err(()));
    };
    let elems: &[Vec<Elem>] = match set {
        SetRef::Inline(e) => e,
        SetRef::Named(i) => match w.rs.sets.get(*i) {
            Some(s) if s.unknown.is_none() => &s.elems,
            Some(s) => {
                let why = format!("set {}: {}", s.name, s.unknown.clone().unwrap_or_default());
                return Some(Ok((vec![], everything_of(fam), Some(why))));
            }
            None => {
                return Some(Ok((
                    vec![],
                    everything_of(fam),
                    Some("a set that is not in the ruleset".into()),
                )));
            }
        },
    };
    let (mut t, mut u, mut why) = (vec![], vec![], None);
    if key.len() == 1 {
        // A plain source match: every element is a range of sources.
        for tuple in elems {
            match tuple.first() {
                Some(Elem::Range(lo, hi)) => t.push((*lo, *hi)),
                _ => {
                    u.push((0, u128::MAX));
                    why.get_or_insert_with(|| {
                        "a set element of another type than its key".to_owned()
                    });
                }
            }
        }
        return Some(Ok(finish(t, u, why, *negate, fam)));
    }
    for tuple in elems {
        let Some(Elem::Range(lo, hi)) = tuple.get(at) else {
            u.push((0, u128::MAX));
            why.get_or_insert_with(|| "a set element of another type than its key".to_owned());
            continue;
        };
        let mut rest_vals = others.clone();
        rest_vals.remove(at);
        let mut rest_elems = tuple.clone();
        rest_elems.remove(at);
        match tuple_matches(&rest_vals, &rest_elems) {
            Tri::True => t.push((*lo, *hi)),
            Tri::False => {}
            Tri::Unknown(r) => {
                u.push((*lo, *hi));
                why.get_or_insert(r);
            }
        }
    }
    Some(Ok(finish(t, u, why, *negate, fam)))
}

/// The sources a source condition holds for and those it cannot decide, from its matching
/// and undecided elements.
fn finish(
    t: Ranges,
    u: Ranges,
    why: Option<String>,
    negate: bool,
    fam: Family,
) -> (Ranges, Ranges, Option<String>) {
    let (t, u) = (normalize(t), normalize(u));
    if negate {
        let not_t = subtract(&subtract(&everything_of(fam), &t), &u);
        (not_t, u, why)
    } else {
        (t, u, why)
    }
}

fn everything_of(f: Family) -> Ranges {
    crate::firewall::ranges::everything(f)
}

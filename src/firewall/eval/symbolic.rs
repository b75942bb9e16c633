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
use crate::firewall::ranges::{Ranges, intersect, normalize, subtract};
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
    let mut live: Vec<(Ranges, State, Option<Decision>, Option<String>)> =
        vec![(normalize(sources), st, None, None)];
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
                    Outcome::Accept => next.push((part, st2, unknown.clone(), Some(d.by))),
                    Outcome::Drop | Outcome::Reject => done.push((part, d)),
                    Outcome::Unknown(_) if base.nat => done.push((part, d)),
                    Outcome::Unknown(_) => {
                        next.push((part, st2, unknown.clone().or(Some(d)), last.clone()))
                    }
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
        done.push((set, d));
    }
    done
}

type Branches = Vec<(Ranges, Decision, State)>;

/// Walk `set` from `stack`: every path a part of it takes, as a work list (a part that
/// takes a jump or goto is pushed, not recursed into); only the two ways of an undecidable
/// condition recurse, at most [`super::MAX_SPLITS`] deep.
fn run(w: &Walk, stack: Stack, st: State, set: Ranges, splits: u32, steps: &mut usize) -> Branches {
    let fam = st.pkt.family();
    let mut out: Branches = vec![];
    let mut work: Vec<(Stack, State, Ranges)> = vec![(stack, st, set)];
    'task: while let Some((mut stack, st, mut set)) = work.pop() {
        loop {
            if set.is_empty() {
                continue 'task;
            }
            let Some(&(ci, ri)) = stack.last() else {
                out.push((set, w.policy(), st));
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
                    set,
                    unknown("the work budget of one exposure question was spent".into()),
                    st,
                ));
                continue 'task;
            }
            *steps -= 1;
            if rule.action == Action::Continue {
                continue;
            }
            let (yes, maybe, why) = split(w, rule, &st, &set, fam);
            let no = if yes.is_empty() && maybe.is_empty() {
                set
            } else {
                subtract(&subtract(&set, &yes), &maybe)
            };
            if !yes.is_empty() {
                let (mut s2, mut st2) = (stack.clone(), st.clone());
                match w.apply(ci, rule, &rule.action, &mut s2, &mut st2) {
                    Ok(Step::End(d)) => out.push((yes, d, st2)),
                    Ok(Step::Next) => work.push((s2, st2, yes)),
                    Err(why) => out.push((yes, unknown(why), st.clone())),
                }
            }
            if !maybe.is_empty() {
                let why = why.unwrap_or_default();
                let (mut s2, mut st2) = (stack.clone(), st.clone());
                let taken = match w.apply(ci, rule, &rule.action, &mut s2, &mut st2) {
                    _ if splits >= super::MAX_SPLITS => None,
                    Ok(Step::End(d)) => Some(vec![(maybe.clone(), d, st2)]),
                    Ok(Step::Next) => Some(run(w, s2, st2, maybe.clone(), splits + 1, steps)),
                    Err(w2) => {
                        // The action itself is unknown: so is every source that may take it.
                        out.push((maybe.clone(), unknown(w2), st.clone()));
                        None.filter(|_: &Branches| false)
                    }
                };
                match taken {
                    None if splits >= super::MAX_SPLITS => {
                        out.push((maybe, unknown(why), st.clone()))
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
            set = no;
        }
    }
    out
}

/// The sources of `set` that match all of `rule`'s conditions (`yes`), and those whose match
/// cannot be decided (`maybe`, with why).
fn split(
    w: &Walk,
    rule: &Rule,
    st: &State,
    set: &Ranges,
    fam: Family,
) -> (Ranges, Ranges, Option<String>) {
    let mut yes = set.clone();
    let mut maybe: Ranges = vec![];
    let mut why = None;
    for c in &rule.conds {
        let (t, u, reason) = match source_cond(w, c, st, fam) {
            Some(Ok((t, u, reason))) => (intersect(&t, set), intersect(&u, set), reason),
            Some(Err(())) => return (vec![], vec![], None),
            None => match w.cond(c, st) {
                Tri::True => (set.clone(), vec![], None),
                Tri::False => return (vec![], vec![], None),
                Tri::Unknown(r) => (vec![], set.clone(), Some(r)),
            },
        };
        // Three-valued and: true where both are; unknown where neither is false and one is
        // unknown.
        let new_yes = intersect(&yes, &t);
        let tu = normalize([t.clone(), u.clone()].concat());
        let new_maybe = normalize([intersect(&maybe, &tu), intersect(&yes, &u)].concat());
        if !u.is_empty() && why.is_none() {
            why = reason;
        }
        yes = new_yes;
        maybe = subtract(&new_maybe, &yes);
        if yes.is_empty() && maybe.is_empty() {
            break;
        }
    }
    (yes, maybe, why)
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
    let (t, u) = (normalize(t), normalize(u));
    if *negate {
        let not_t = subtract(&subtract(&everything_of(fam), &t), &u);
        Some(Ok((not_t, u, why)))
    } else {
        Some(Ok((t, u, why)))
    }
}

fn everything_of(f: Family) -> Ranges {
    crate::firewall::ranges::everything(f)
}

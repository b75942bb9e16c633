//! Sets of addresses of one family as sorted inclusive ranges: what the evaluator's symbolic
//! walk carries and what the exposure questions answer in.

use super::Family;

/// Inclusive address ranges of one family, sorted, not overlapping, not touching.
pub type Ranges = Vec<(u128, u128)>;

/// Sort and merge ranges.
pub fn normalize(mut r: Ranges) -> Ranges {
    r.retain(|(lo, hi)| lo <= hi);
    r.sort_unstable();
    let mut out: Ranges = vec![];
    for (lo, hi) in r {
        match out.last_mut() {
            Some(last) if last.1 == u128::MAX || lo <= last.1 + 1 => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// `r` as a normalized list, copied only when it is not one already.
fn normal(r: &[(u128, u128)]) -> std::borrow::Cow<'_, [(u128, u128)]> {
    let ok = r.iter().all(|(lo, hi)| lo <= hi)
        && r.windows(2)
            .all(|w| w[0].1 < w[1].0 && w[0].1.checked_add(1) != Some(w[1].0));
    if ok {
        std::borrow::Cow::Borrowed(r)
    } else {
        std::borrow::Cow::Owned(normalize(r.to_vec()))
    }
}

/// The addresses in both.
pub fn intersect(a: &[(u128, u128)], b: &[(u128, u128)]) -> Ranges {
    let (a, b) = (normal(a), normal(b));
    let (mut i, mut j, mut out) = (0, 0, vec![]);
    while let (Some(&(alo, ahi)), Some(&(blo, bhi))) = (a.get(i), b.get(j)) {
        let (lo, hi) = (alo.max(blo), ahi.min(bhi));
        if lo <= hi {
            out.push((lo, hi));
        }
        if ahi < bhi {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// The addresses of `a` not in `b`.
pub fn subtract(a: &[(u128, u128)], b: &[(u128, u128)]) -> Ranges {
    let (a, b) = (normal(a), normal(b));
    if b.is_empty() {
        return a.into_owned();
    }
    let mut out = vec![];
    let mut j = 0;
    for &(lo, hi) in a.iter() {
        let mut cur = Some(lo);
        // Skip the ranges of b that end before this one starts.
        while b.get(j).is_some_and(|&(_, bhi)| bhi < lo) {
            j += 1;
        }
        let mut k = j;
        while let (Some(c), Some(&(blo, bhi))) = (cur, b.get(k)) {
            if blo > hi {
                break;
            }
            if blo > c {
                out.push((c, blo - 1));
            }
            cur = bhi.checked_add(1).filter(|n| *n <= hi);
            k += 1;
        }
        if let Some(c) = cur {
            out.push((c, hi));
        }
    }
    out
}

/// The whole address line of a family.
pub fn everything(f: Family) -> Ranges {
    vec![(0, family_max(f))]
}

pub(crate) fn family_max(f: Family) -> u128 {
    match f {
        Family::V4 => u128::from(u32::MAX),
        Family::V6 => u128::MAX,
    }
}

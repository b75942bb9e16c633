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

/// A set of addresses as a search tree of inclusive ranges (start → end; not overlapping,
/// not touching): taking a few ranges out of a set of thousands costs a few tree steps, not a
/// copy of the set. The symbolic walk carries the sources still on a path in one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RangeSet(std::collections::BTreeMap<u128, u128>);

impl RangeSet {
    /// The set of these ranges (in any order, overlapping or not).
    pub fn from_ranges(r: Ranges) -> Self {
        RangeSet(normalize(r).into_iter().collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The set as normalized ranges.
    pub fn to_ranges(&self) -> Ranges {
        self.0.iter().map(|(lo, hi)| (*lo, *hi)).collect()
    }

    /// The addresses of the set that are in `r`, normalized; the cost grows with `r` and the
    /// answer, not with the set.
    pub fn intersect(&self, r: &[(u128, u128)]) -> Ranges {
        if r.len() > self.0.len() {
            // More ranges asked about than held: one merge of both lists is cheaper.
            return intersect(&self.to_ranges(), r);
        }
        let mut out = vec![];
        for &(lo, hi) in normal(r).iter() {
            if let Some((_, &b)) = self.0.range(..lo).next_back()
                && b >= lo
            {
                out.push((lo, b.min(hi)));
            }
            out.extend(self.0.range(lo..=hi).map(|(&a, &b)| (a, b.min(hi))));
        }
        out
    }

    /// Take the addresses of `r` out of the set.
    pub fn remove(&mut self, r: &[(u128, u128)]) {
        for &(lo, hi) in normal(r).iter() {
            // A range that starts before `lo` and reaches into it keeps its head (and its
            // tail past `hi`).
            if let Some((&a, &b)) = self.0.range(..lo).next_back()
                && b >= lo
            {
                self.0.insert(a, lo - 1);
                if b > hi {
                    self.0.insert(hi + 1, b);
                }
            }
            while let Some((&a, &b)) = self.0.range(lo..=hi).next() {
                self.0.remove(&a);
                if b > hi {
                    self.0.insert(hi + 1, b);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ranges() -> impl Strategy<Value = Ranges> {
        proptest::collection::vec((0u128..64, 0u128..8), 0..8)
            .prop_map(|v| v.into_iter().map(|(lo, n)| (lo, lo + n)).collect())
    }

    proptest! {
        /// The tree answers as the list functions do.
        #[test]
        fn range_set_equals_lists(a in ranges(), b in ranges()) {
            let set = RangeSet::from_ranges(a.clone());
            prop_assert_eq!(set.to_ranges(), normalize(a.clone()));
            prop_assert_eq!(set.intersect(&b), intersect(&a, &b));
            let mut cut = set.clone();
            cut.remove(&b);
            prop_assert_eq!(cut.to_ranges(), subtract(&a, &b));
        }
    }

    #[test]
    fn range_set_at_the_ends_of_the_line() {
        let mut s = RangeSet::from_ranges(vec![(0, u128::MAX)]);
        s.remove(&[(5, 5)]);
        assert_eq!(s.to_ranges(), vec![(0, 4), (6, u128::MAX)]);
        assert_eq!(
            s.intersect(&[(u128::MAX, u128::MAX)]),
            vec![(u128::MAX, u128::MAX)]
        );
        s.remove(&[(0, 0), (u128::MAX, u128::MAX)]);
        assert_eq!(s.to_ranges(), vec![(1, 4), (6, u128::MAX - 1)]);
    }
}

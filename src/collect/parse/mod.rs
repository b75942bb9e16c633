//! One pure parser per collector section: text in, typed facts out, no I/O, no panics on any
//! input (the text comes from hosts that may be broken or hostile).
//!
//! Every parser is total: it returns a best-effort value, or `Err` with a short reason where
//! the whole input can be unusable (`nft -j` that is not JSON). Work is bounded on huge or
//! adversarial input: text is scanned linearly, and anything that follows references (firewall
//! jumps, sshd `Include`) is cut by a depth limit and a work budget. Tests read captured real
//! output from `tests/fixtures/collect/` (its README says how each file was made).

pub mod accounts;
pub mod audit;
pub mod http;
pub mod iptables;
pub mod ipv6;
pub mod jobs;
pub mod listen;
pub mod logfwd;
pub mod logrotate;
pub mod nft;
pub mod os_release;
pub mod pam;
pub mod procs;
pub mod profile;
pub mod sections;
pub mod sshd;
pub mod timesync;
pub mod tls;
pub mod updates;

use crate::collect::facts::{AcceptRule, Policy};

/// How deep jumps between firewall chains and sshd `Include`s are followed (sshd's own limit).
pub(crate) const MAX_DEPTH: usize = 16;

/// A port list longer than this is not expanded: the rule then counts as "any port".
pub(crate) const MAX_PORTS: u32 = 64;

/// A count of work units (rules visited, lines read) that stops reference-following parsers
/// from blowing up on inputs built to fan out (a chain jumping twice into the next, 16 deep).
#[derive(Debug)]
pub(crate) struct Budget(usize);

impl Budget {
    pub(crate) fn new(units: usize) -> Self {
        Budget(units)
    }

    /// Take `units` (nothing once the budget is spent).
    pub(crate) fn spend(&mut self, units: usize) {
        self.0 = self.0.saturating_sub(units);
    }

    pub(crate) fn is_spent(&self) -> bool {
        self.0 == 0
    }
}

/// Expand inclusive port ranges into a sorted list, or `None` when there are more than
/// [`MAX_PORTS`] ports (the caller then treats the rule as matching any port).
pub(crate) fn expand_ports(ranges: &[(u16, u16)]) -> Option<Vec<u16>> {
    let mut total: u32 = 0;
    for &(lo, hi) in ranges {
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        total = total.saturating_add(u32::from(hi) - u32::from(lo) + 1);
        if total > MAX_PORTS {
            return None;
        }
    }
    let mut ports: Vec<u16> = ranges
        .iter()
        .flat_map(|&(lo, hi)| if lo <= hi { lo..=hi } else { hi..=lo })
        .collect();
    ports.sort_unstable();
    ports.dedup();
    Some(ports)
}

/// What a firewall rule (with the rules that jumped to its chain) requires of a packet, as far
/// as [`AcceptRule`] can say it. Conditions it cannot express are left out, so a summary is
/// never narrower than the rule: it errs towards "open".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Cond {
    pub(crate) proto: Option<String>,
    /// `None`: any port, or a port condition too large or too opaque to list.
    pub(crate) ports: Option<Vec<u16>>,
    pub(crate) sources: Vec<String>,
    pub(crate) established: bool,
    pub(crate) loopback: bool,
}

impl Cond {
    /// Both conditions at once (a rule inside a chain that was jumped to under `outer`).
    pub(crate) fn and(&self, inner: &Cond) -> Cond {
        Cond {
            proto: inner.proto.clone().or_else(|| self.proto.clone()),
            ports: inner.ports.clone().or_else(|| self.ports.clone()),
            sources: if inner.sources.is_empty() {
                self.sources.clone()
            } else {
                inner.sources.clone()
            },
            established: self.established || inner.established,
            loopback: self.loopback || inner.loopback,
        }
    }

    pub(crate) fn to_rule(&self) -> AcceptRule {
        AcceptRule {
            proto: self.proto.clone(),
            ports: self.ports.clone().unwrap_or_default(),
            sources: self.sources.clone(),
            established: self.established,
            loopback: self.loopback,
        }
    }
}

/// A verdict that ends the evaluation of a packet in a base chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Terminal {
    Accept,
    Drop,
    Reject,
}

/// How the walk of one chain ended for packets that reached its end unconditionally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Every packet reaching this point gets this verdict.
    Verdict(Terminal),
    /// Packets fall off the end (or `return`): the caller continues, a base chain's policy applies.
    Return,
}

/// The verdict of one base chain for unsolicited packets: the walk's verdict, else its policy.
pub(crate) fn chain_policy(flow: Flow, policy: Terminal) -> Terminal {
    match flow {
        Flow::Verdict(t) => t,
        Flow::Return => policy,
    }
}

/// Combine the base chains that see one family's packets: any drop wins, then reject, then
/// accept; no chain at all is [`Policy::None`].
pub(crate) fn combine(chains: &[Terminal]) -> Policy {
    if chains.is_empty() {
        Policy::None
    } else if chains.contains(&Terminal::Drop) {
        Policy::Drop
    } else if chains.contains(&Terminal::Reject) {
        Policy::Reject
    } else {
        Policy::Accept
    }
}

/// The last component of a `/`-separated path.
pub(crate) fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The directory part of a path, without the trailing slash ("" for a bare name).
pub(crate) fn dirname(path: &str) -> &str {
    path.rfind('/').map_or("", |i| path.get(..i).unwrap_or(""))
}

/// Shell-style `fnmatch` with `FNM_PATHNAME`: `*` and `?` never match `/`; `[...]` classes with
/// ranges and `!`/`^` negation. Iterative with one backtrack point per `*`, so it is
/// O(pattern × text) at worst.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    // Where to resume after the last `*`: (pattern index after it, text index it matched to).
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let tc = t.get(ti).copied().unwrap_or('\0');
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi + 1, ti));
                pi += 1;
                continue;
            }
            Some('?') if tc != '/' => Some(1),
            Some('[') => match class_match(&p, pi, tc) {
                Some((true, len)) if tc != '/' => Some(len),
                Some(_) => None,
                // An unclosed `[` is an ordinary character.
                None => (tc == '[').then_some(1),
            },
            Some('\\') if p.get(pi + 1) == Some(&tc) => Some(2),
            Some(&c) if c == tc && c != '\\' => Some(1),
            _ => None,
        };
        match step {
            Some(len) => {
                pi += len;
                ti += 1;
            }
            None => match star {
                // `*` may absorb one more character, but never a `/`.
                Some((sp, st)) if t.get(st) != Some(&'/') => {
                    star = Some((sp, st + 1));
                    pi = sp;
                    ti = st + 1;
                }
                _ => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// Match `c` against the class starting at `p[start] == '['`: (matched, pattern length), or
/// `None` when the class is not closed (then `[` is an ordinary character).
fn class_match(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some('!') | Some('^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let cur = *p.get(i)?;
        if cur == ']' && !first {
            break;
        }
        first = false;
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&e| e != ']') {
            let end = *p.get(i + 2)?;
            if cur <= c && c <= end {
                matched = true;
            }
            i += 3;
        } else {
            if cur == c {
                matched = true;
            }
            i += 1;
        }
    }
    Some((matched != negate, i + 1 - start))
}

/// True when a glob pattern has wildcard characters.
pub(crate) fn has_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// An accept rule summary, for the firewall parsers' tests.
#[cfg(test)]
pub(crate) fn test_rule(
    proto: Option<&str>,
    ports: &[u16],
    sources: &[&str],
    established: bool,
    loopback: bool,
) -> crate::collect::facts::AcceptRule {
    crate::collect::facts::AcceptRule {
        proto: proto.map(Into::into),
        ports: ports.to_vec(),
        sources: sources.iter().map(|s| s.to_string()).collect(),
        established,
        loopback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn glob_matches_like_fnmatch_with_pathname() {
        assert!(glob_match(
            "/etc/ssh/sshd_config.d/*.conf",
            "/etc/ssh/sshd_config.d/50-a.conf"
        ));
        assert!(!glob_match(
            "/etc/ssh/*.conf",
            "/etc/ssh/sshd_config.d/50-a.conf"
        ));
        assert!(glob_match(
            "/etc/ssh/sshd_config.d/1?-*",
            "/etc/ssh/sshd_config.d/10-base.conf"
        ));
        assert!(glob_match("/x/[0-9]*.conf", "/x/7late.conf"));
        assert!(!glob_match("/x/[!0-9]*.conf", "/x/7late.conf"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("a", ""));
        assert!(glob_match("a[", "a["));
        assert!(glob_match("**b", "aab"));
    }

    #[test]
    fn ports_expand_only_when_small() {
        assert_eq!(expand_ports(&[(443, 443), (80, 80)]), Some(vec![80, 443]));
        assert_eq!(expand_ports(&[(162, 161)]), Some(vec![161, 162]));
        assert_eq!(expand_ports(&[(1000, 1063)]).map(|p| p.len()), Some(64));
        assert_eq!(expand_ports(&[(1000, 1064)]), None);
        assert_eq!(expand_ports(&[(0, 65535)]), None);
    }

    #[test]
    fn paths_split() {
        assert_eq!(basename("/etc/cron.d/backup"), "backup");
        assert_eq!(basename("root"), "root");
        assert_eq!(dirname("/etc/cron.d/backup"), "/etc/cron.d");
        assert_eq!(dirname("root"), "");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn glob_never_panics(p in "[a-c*?\\[\\]!^/\\\\-]{0,12}", t in "[a-c/\\[\\]-]{0,12}") {
            let _ = glob_match(&p, &t);
        }
    }
}

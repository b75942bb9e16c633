//! `iptables-save` / `ip6tables-save` (legacy or nft-backed) and `ipset save` → [`Ruleset`].
//!
//! The tables on the way to a local socket are read with their kernel priorities: `raw`
//! PREROUTING (-300), `mangle` PREROUTING and INPUT (-150), `nat` PREROUTING (-100), `filter`
//! INPUT (0), `security` INPUT (50). Every user chain of those tables is read. Matches are read
//! by option (`-p`, `-s`, `-d`, `-i`, `-o`, `-f`) and by module (`tcp`, `udp`, `multiport`,
//! `state`, `conntrack`, `addrtype`, `set`, `iprange`, `mark`, `pkttype`, `rpfilter`,
//! `comment`, `icmp`); a module or option not modelled is an unknown condition (rate limits,
//! recent lists, string matches… depend on traffic), and an unknown target an unknown action.
//! Lines starting with `#` and counters are ignored.

use std::collections::HashMap;
use std::net::IpAddr;

use super::names;
use super::{
    Action, Base, Chain, Cond, Elem, Family, Hook, Key, NamedSet, Ruleset, SetRef, Source,
    addr_num, prefix_range,
};

/// Parse one save output of `family`. `ipsets` is the text of `ipset save` ("" when none).
pub fn parse(text: &str, family: Family, source: Source, ipsets: &str) -> Ruleset {
    let mut rs = Ruleset::default();
    let mut set_index: HashMap<String, usize> = HashMap::new();
    for s in parse_ipsets(ipsets) {
        set_index.insert(s.name.clone(), rs.sets.len());
        rs.sets.push(s);
    }
    let tool = match (source, family) {
        (Source::IptablesLegacy, Family::V4) => "iptables-legacy",
        (Source::IptablesLegacy, Family::V6) => "ip6tables-legacy",
        (_, Family::V4) => "iptables",
        (_, Family::V6) => "ip6tables",
    };
    // First pass: every chain of every table, so that jumps resolve.
    let mut table = String::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(t) = line.strip_prefix('*') {
            table = t.trim().to_owned();
        } else if let Some(decl) = line.strip_prefix(':') {
            let mut it = decl.split_whitespace();
            let (Some(name), policy) = (it.next(), it.next()) else {
                continue;
            };
            index.insert((table.clone(), name.to_owned()), rs.chains.len());
            rs.chains.push(Chain {
                name: format!("{tool} {table} {name}"),
                families: vec![family],
                base: base(&table, name, policy),
                rules: vec![],
                source,
            });
        }
    }
    table.clear();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(t) = line.strip_prefix('*') {
            table = t.trim().to_owned();
            continue;
        }
        let words = words(line);
        let mut it = words
            .iter()
            .map(String::as_str)
            .skip_while(|w| w.starts_with('['));
        if !matches!(it.next(), Some("-A" | "--append")) {
            continue;
        }
        let Some(chain) = it.next() else { continue };
        let Some(&ci) = index.get(&(table.clone(), chain.to_owned())) else {
            continue;
        };
        let rest: Vec<&str> = it.collect();
        let shown: String = line.chars().take(160).collect();
        let mut rule = rule(&rest, family, &table, &index, &set_index);
        rule.origin = format!("line {}: `{shown}`", n + 1);
        if let Some(c) = rs.chains.get_mut(ci) {
            c.rules.push(rule);
        }
    }
    rs
}

fn base(table: &str, chain: &str, policy: Option<&str>) -> Option<Base> {
    let (hook, prio, nat) = match (table, chain) {
        ("raw", "PREROUTING") => (Hook::Prerouting, -300, false),
        ("mangle", "PREROUTING") => (Hook::Prerouting, -150, false),
        ("nat", "PREROUTING") => (Hook::Prerouting, -100, true),
        ("mangle", "INPUT") => (Hook::Input, -150, false),
        ("filter", "INPUT") => (Hook::Input, 0, false),
        ("security", "INPUT") => (Hook::Input, 50, false),
        _ => return None,
    };
    Some(Base {
        hook,
        prio,
        nat,
        policy_drop: policy == Some("DROP"),
        device: None,
    })
}

fn one(key: Key, elems: Vec<Elem>, negate: bool) -> Cond {
    Cond::In {
        key: vec![key],
        negate,
        set: SetRef::Inline(elems.into_iter().map(|e| vec![e]).collect()),
    }
}

fn unknown(what: String) -> Cond {
    Cond::Unknown(what)
}

fn rule(
    words: &[&str],
    family: Family,
    table: &str,
    chains: &HashMap<(String, String), usize>,
    sets: &HashMap<String, usize>,
) -> super::Rule {
    let mut conds = vec![];
    let mut action = Action::Continue;
    let mut proto: Option<u8> = None;
    let mut negate = false;
    let mut i = 0;
    let arg = |i: usize| words.get(i).copied().unwrap_or("");
    while i < words.len() {
        let w = arg(i);
        i += 1;
        if w == "!" {
            negate = true;
            continue;
        }
        let neg = std::mem::take(&mut negate);
        match w {
            "-j" | "--jump" | "-g" | "--goto" => {
                let target = arg(i);
                let opts = &words[(i + 1).min(words.len())..];
                let goto = matches!(w, "-g" | "--goto");
                action = match chains.get(&(table.to_owned(), target.to_owned())) {
                    Some(&c) if goto => Action::Goto(c),
                    Some(&c) => Action::Jump(c),
                    None => target_action(target, opts),
                };
                break;
            }
            "-m" | "--match" => {
                i += 1;
            }
            "-c" | "--set-counters" => i += 2,
            "--comment" => i += 1,
            "-p" | "--protocol" => {
                let p = arg(i).to_ascii_lowercase();
                i += 1;
                if p == "all" || p == "0" {
                    if neg {
                        conds.push(Cond::Never);
                    }
                    continue;
                }
                match names::proto(&p) {
                    Some(n) => {
                        if !neg {
                            proto = Some(n);
                        }
                        let n = u128::from(n);
                        conds.push(one(Key::L4proto, vec![Elem::Range(n, n)], neg));
                    }
                    None => conds.push(unknown(format!("the protocol `{p}` is not known"))),
                }
            }
            "-s" | "--source" | "--src" | "-d" | "--destination" | "--dst" => {
                let key = if w.starts_with("-s") || w.starts_with("--s") {
                    Key::Saddr(family)
                } else {
                    Key::Daddr(family)
                };
                let v = arg(i);
                i += 1;
                match v.split(',').map(|p| addr_elem(p, family)).collect() {
                    Some(elems) => conds.push(one(key, elems, neg)),
                    None => conds.push(unknown(format!("the address `{v}` could not be read"))),
                }
            }
            "-i" | "--in-interface" => {
                conds.push(one(Key::Iif, vec![Elem::Name(arg(i).to_owned())], neg));
                i += 1;
            }
            "-o" | "--out-interface" => {
                i += 1;
                conds.push(Cond::Never);
            }
            "-f" | "--fragment" => {
                if !neg {
                    conds.push(Cond::Never);
                }
            }
            "--dport"
            | "--destination-port"
            | "--dports"
            | "--destination-ports"
            | "--sport"
            | "--source-port"
            | "--sports"
            | "--source-ports" => {
                let v = arg(i);
                i += 1;
                let key = if w.contains('d') {
                    Key::Dport(proto)
                } else {
                    Key::Sport(proto)
                };
                match ports(v) {
                    Some(elems) => conds.push(one(key, elems, neg)),
                    None => conds.push(unknown(format!("the ports `{v}` could not be read"))),
                }
            }
            "--syn" => conds.push(Cond::Mask {
                key: Key::TcpFlags,
                mask: 1 | 2 | 4 | 16,
                value: 2,
                negate: neg,
            }),
            "--tcp-flags" => {
                let (m, c) = (arg(i), arg(i + 1));
                i += 2;
                match (tcp_flags(m), tcp_flags(c)) {
                    (Some(mask), Some(value)) => conds.push(Cond::Mask {
                        key: Key::TcpFlags,
                        mask,
                        value,
                        negate: neg,
                    }),
                    _ => conds.push(unknown(format!("--tcp-flags {m} {c}"))),
                }
            }
            "--state" | "--ctstate" => {
                let v = arg(i);
                i += 1;
                conds.push(ct_state(v, neg));
            }
            "--ctstatus" => {
                let v = arg(i);
                i += 1;
                let mask = v.split(',').try_fold(0u128, |acc, s| {
                    Some(
                        acc | match s {
                            "NONE" => 0,
                            s => names::ct_status(&s.replace('_', "-"))?,
                        },
                    )
                });
                match mask {
                    // NONE: no bit set.
                    Some(0) => conds.push(Cond::Mask {
                        key: Key::CtStatus,
                        mask: u128::MAX,
                        value: 0,
                        negate: neg,
                    }),
                    Some(mask) => conds.push(Cond::Mask {
                        key: Key::CtStatus,
                        mask,
                        value: 0,
                        negate: !neg,
                    }),
                    None => conds.push(unknown(format!("--ctstatus {v}"))),
                }
            }
            "--dst-type" | "--src-type" => {
                let v = arg(i);
                i += 1;
                let types: Option<Vec<u128>> = v
                    .split(',')
                    .map(|t| names::addr_type(&t.to_ascii_lowercase()))
                    .collect();
                match types {
                    Some(t) if w == "--dst-type" => conds.push(one(
                        Key::DaddrType,
                        t.into_iter().map(|x| Elem::Range(x, x)).collect(),
                        neg,
                    )),
                    // A connection's source is a remote unicast address.
                    Some(t) => {
                        if t.contains(&1) == neg {
                            conds.push(Cond::Never);
                        }
                    }
                    None => conds.push(unknown(format!("{w} {v}"))),
                }
            }
            "--limit-iface-in" | "--limit-iface-out" => {}
            // `-m rt`, `-m frag`, `-m hbh`, `-m dst`, `-m ah`, `-m esp`: a packet opening a
            // TCP/UDP connection carries no such extension header, so the match fails
            // (negated or not: the module needs the header to test anything).
            "--rt-type" | "--rt-segsleft" | "--rt-len" | "--fragid" | "--fraglen" | "--hbh-len"
            | "--dst-len" | "--ahspi" | "--espspi" => {
                i += 1;
                conds.push(Cond::Never);
            }
            "--match-set" => {
                let (name, dirs) = (arg(i), arg(i + 1));
                i += 2;
                let key = match dirs {
                    "src" => Some(Key::Saddr(family)),
                    "dst" => Some(Key::Daddr(family)),
                    _ => None,
                };
                match (key, sets.get(name)) {
                    (Some(key), Some(&si)) => conds.push(Cond::In {
                        key: vec![key],
                        negate: neg,
                        set: SetRef::Named(si),
                    }),
                    (None, _) => conds.push(unknown(format!("--match-set {name} {dirs}"))),
                    (_, None) => conds.push(unknown(format!(
                        "the ipset `{name}` is not in `ipset save`"
                    ))),
                }
            }
            "--src-range" | "--dst-range" => {
                let v = arg(i);
                i += 1;
                let key = if w == "--src-range" {
                    Key::Saddr(family)
                } else {
                    Key::Daddr(family)
                };
                let r = v.split_once('-').and_then(|(a, b)| {
                    let (a, b): (IpAddr, IpAddr) = (a.parse().ok()?, b.parse().ok()?);
                    (Family::of(a) == family && Family::of(b) == family)
                        .then(|| Elem::Range(addr_num(a), addr_num(b)))
                });
                match r {
                    Some(e) => conds.push(one(key, vec![e], neg)),
                    None => conds.push(unknown(format!("{w} {v}"))),
                }
            }
            "--mark" => {
                let v = arg(i);
                i += 1;
                let (val, mask) = v.split_once('/').unwrap_or((v, "0xffffffff"));
                match (num(val), num(mask)) {
                    (Some(value), Some(mask)) => conds.push(Cond::Mask {
                        key: Key::Mark,
                        mask,
                        value,
                        negate: neg,
                    }),
                    _ => conds.push(unknown(format!("--mark {v}"))),
                }
            }
            "--pkt-type" => {
                let v = arg(i);
                i += 1;
                match names::pkttype(v) {
                    Some(t) => conds.push(one(Key::Pkttype, vec![Elem::Range(t, t)], neg)),
                    None => conds.push(unknown(format!("--pkt-type {v}"))),
                }
            }
            // `-m rpfilter`: there is a route back through the input interface (capdo
            // assumes a working host has one); `--invert` turns it round.
            "--invert" => conds.push(Cond::Never),
            "--loose" | "--validmark" | "--accept-local" => {}
            "--icmp-type" | "--icmpv6-type" => {
                i += 1;
                // Only ICMP packets carry a type: false for others, unknown for ICMP.
                if !matches!(proto, Some(1 | 58)) {
                    conds.push(Cond::Never);
                } else {
                    conds.push(unknown(format!("{w} {}", arg(i - 1))));
                }
            }
            other => {
                // An option of a module that is not modelled: skip its arguments.
                while i < words.len() && !arg(i).starts_with('-') && arg(i) != "!" {
                    i += 1;
                }
                conds.push(unknown(format!(
                    "the match option `{other}` is not modelled"
                )));
            }
        }
    }
    super::Rule {
        origin: String::new(),
        conds,
        action,
    }
}

fn target_action(target: &str, opts: &[&str]) -> Action {
    let opt = |name: &str| {
        opts.iter()
            .position(|o| *o == name)
            .and_then(|i| opts.get(i + 1))
            .copied()
    };
    match target {
        "ACCEPT" => Action::Accept,
        "DROP" => Action::Drop,
        "REJECT" => Action::Reject,
        "RETURN" => Action::Return,
        "LOG" | "NFLOG" | "ULOG" | "TRACE" | "AUDIT" | "CONNMARK" | "CT" | "NOTRACK" | "TCPMSS"
        | "DSCP" | "TOS" | "CLASSIFY" | "TTL" | "HL" | "CHECKSUM" | "SET" | "MASQUERADE"
        | "SNAT" | "NETMAP" | "SECMARK" | "CONNSECMARK" | "" => Action::Continue,
        "MARK" => {
            let v = opt("--set-xmark")
                .or_else(|| opt("--set-mark"))
                .unwrap_or("");
            let (val, mask) = v.split_once('/').unwrap_or((v, "0xffffffff"));
            match (num(val), num(mask)) {
                (Some(val), Some(0xffff_ffff)) => Action::Mark(Some(val)),
                _ => Action::Mark(None),
            }
        }
        "REDIRECT" => Action::Redirect(opt("--to-ports").and_then(|p| p.parse().ok())),
        "DNAT" => {
            let to = opt("--to-destination").unwrap_or("");
            match to.strip_prefix(':').and_then(|p| p.parse().ok()) {
                Some(port) => Action::Redirect(Some(port)),
                None => {
                    Action::Unknown(format!("DNAT to {to} moves the packet off the input path"))
                }
            }
        }
        t => Action::Unknown(format!("the target {t} is not modelled")),
    }
}

fn ct_state(v: &str, neg: bool) -> Cond {
    let mut mask = 0u128;
    for s in v.split(',') {
        match names::ct_state(s) {
            Some(b) => mask |= b,
            // SNAT/DNAT are virtual states: the connection's status.
            None if s == "DNAT" || s == "SNAT" => {
                return Cond::Mask {
                    key: Key::CtStatus,
                    mask: names::ct_status(&s.to_ascii_lowercase()).unwrap_or(0),
                    value: 0,
                    negate: !neg,
                };
            }
            None => return Cond::Unknown(format!("the conntrack state `{s}` is not known")),
        }
    }
    Cond::Mask {
        key: Key::CtState,
        mask,
        value: 0,
        negate: !neg,
    }
}

fn num(s: &str) -> Option<u128> {
    match s.strip_prefix("0x") {
        Some(h) => u128::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

fn tcp_flags(s: &str) -> Option<u128> {
    s.split(',')
        .try_fold(0u128, |acc, f| Some(acc | names::tcp_flag(f)?))
}

/// "22", "1024:65535", ":1024", "80,443" (multiport).
fn ports(v: &str) -> Option<Vec<Elem>> {
    v.split(',')
        .map(|p| {
            let (lo, hi) = match p.split_once(':') {
                Some((a, b)) => (
                    if a.is_empty() { 0 } else { names::port(a)? },
                    if b.is_empty() {
                        u16::MAX
                    } else {
                        names::port(b)?
                    },
                ),
                None => {
                    let n = names::port(p)?;
                    (n, n)
                }
            };
            (lo <= hi).then(|| Elem::Range(u128::from(lo), u128::from(hi)))
        })
        .collect()
}

/// "10.0.0.0/8", "10.0.0.1", "10.0.0.0/255.0.0.0" of one family.
fn addr_elem(s: &str, family: Family) -> Option<Elem> {
    let (a, len) = match s.split_once('/') {
        Some((a, m)) => {
            let addr: IpAddr = a.parse().ok()?;
            let len = match m.parse::<u32>() {
                Ok(l) => l,
                Err(_) => {
                    // A dotted mask: only contiguous ones are a prefix.
                    let mask: IpAddr = m.parse().ok()?;
                    let n = addr_num(mask);
                    let bits = if family == Family::V4 { 32 } else { 128 };
                    let ones = if family == Family::V4 {
                        (n as u32).leading_ones()
                    } else {
                        n.leading_ones()
                    };
                    let rebuilt = prefix_range(mask, ones)?.0;
                    if rebuilt != n || ones > bits {
                        return None;
                    }
                    ones
                }
            };
            (addr, len)
        }
        None => {
            let addr: IpAddr = s.parse().ok()?;
            (addr, if family == Family::V4 { 32 } else { 128 })
        }
    };
    if Family::of(a) != family {
        return None;
    }
    let (lo, hi) = prefix_range(a, len)?;
    Some(Elem::Range(lo, hi))
}

/// `ipset save`: the sets of address types (`hash:ip`, `hash:net`, `bitmap:ip`); other types
/// are kept as unknown sets, so a rule using one is unknown.
pub fn parse_ipsets(text: &str) -> Vec<NamedSet> {
    let mut sets: Vec<(NamedSet, Family)> = vec![];
    for line in text.lines() {
        let mut w = line.split_whitespace();
        match (w.next(), w.next(), w.next()) {
            (Some("create"), Some(name), Some(kind)) => {
                let rest: Vec<&str> = w.collect();
                let family = if rest.windows(2).any(|p| p == ["family", "inet6"]) {
                    Family::V6
                } else {
                    Family::V4
                };
                let known = matches!(kind, "hash:ip" | "hash:net" | "bitmap:ip");
                sets.push((
                    NamedSet {
                        name: name.to_owned(),
                        elems: vec![],
                        unknown: (!known).then(|| format!("ipset type {kind} is not modelled")),
                    },
                    family,
                ));
            }
            (Some("add"), Some(name), Some(member)) => {
                let Some((set, family)) = sets.iter_mut().rev().find(|(s, _)| s.name == name)
                else {
                    continue;
                };
                if set.unknown.is_some() {
                    continue;
                }
                let elem = match member.split_once('-') {
                    Some((a, b)) => match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
                        (Ok(a), Ok(b)) => Some(Elem::Range(addr_num(a), addr_num(b))),
                        _ => None,
                    },
                    None => addr_elem(member, *family),
                };
                match elem {
                    Some(e) => set.elems.push(vec![e]),
                    None => set.unknown = Some(format!("the member `{member}` could not be read")),
                }
            }
            _ => {}
        }
    }
    sets.into_iter().map(|(s, _)| s).collect()
}

/// Split like the shell iptables-restore emulates: whitespace separates words, `"…"` groups,
/// and `\` escapes the next character inside quotes.
pub(crate) fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => cur.extend(chars.next()),
                        _ => cur.push(q),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

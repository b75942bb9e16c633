//! `nft -j list ruleset` → [`Ruleset`].
//!
//! Every chain of the families that see IP packets (`ip`, `ip6`, `inet`, `netdev`) is read,
//! with its hook, priority and policy; named sets and verdict maps are read with their
//! elements. Matches are read into [`Cond`]s by the type of their left side (meta, payload,
//! ct, fib, concatenations, bitmasks); a match or statement this reader does not model becomes
//! [`Cond::Unknown`] / [`Action::Unknown`] with what it was, so a packet that reaches it is
//! unknown rather than guessed. `xt` expressions (iptables-nft matches nft cannot show) are
//! unknown here: the caller reads those tables from `iptables-save` instead ([`xt_tables`]).

use std::net::IpAddr;

use serde_json::Value;

use super::names;
use super::{
    Action, Base, Chain, ChainIndex, Cond, Elem, Family, Hook, Key, NamedSet, Ruleset, SetRef,
    Source, Vmap, prefix_range,
};

/// Parse `nft -j list ruleset`, leaving out the tables `skip` names (family, table).
pub fn parse(json: &str, skip: &[(String, String)]) -> Result<Ruleset, String> {
    let root: Value = serde_json::from_str(json)
        .map_err(|e| format!("`nft -j list ruleset` did not print JSON: {e}"))?;
    let items = root
        .get("nftables")
        .and_then(Value::as_array)
        .ok_or("`nft -j list ruleset` printed JSON without an \"nftables\" list")?;
    let skipped = |f: &str, t: &str| skip.iter().any(|(sf, st)| sf == f && st == t);
    let mut rs = Ruleset::default();
    let mut chains = ChainIndex::default();
    let mut sets = ChainIndex::default();
    let mut maps = ChainIndex::default();
    // Chains, sets and maps first: rules refer to them by name.
    for item in items {
        if let Some(c) = item.get("chain") {
            let (f, t, n) = (text(c, "family"), text(c, "table"), text(c, "name"));
            let Some(families) = families(f) else {
                continue;
            };
            if skipped(f, t) {
                continue;
            }
            chains.insert(f, t, n, rs.chains.len());
            rs.chains.push(Chain {
                name: format!("{f} {t} {n}"),
                families,
                base: base(c),
                rules: vec![],
                source: Source::Nft,
            });
        } else if let Some(s) = item.get("set") {
            let (f, t, n) = (text(s, "family"), text(s, "table"), text(s, "name"));
            sets.insert(f, t, n, rs.sets.len());
            rs.sets.push(named_set(s));
        } else if let Some(m) = item.get("map") {
            let (f, t, n) = (text(m, "family"), text(m, "table"), text(m, "name"));
            if text(m, "map") != "verdict" {
                continue;
            }
            maps.insert(f, t, n, rs.maps.len());
            rs.maps.push((n.to_owned(), vec![]));
        }
    }
    let ctx_of = |f: &'_ str, t: &'_ str| Ctx {
        family: f.to_owned(),
        table: t.to_owned(),
    };
    // Verdict maps' entries (they may jump to chains).
    for item in items {
        let Some(m) = item.get("map") else { continue };
        let (f, t, n) = (text(m, "family"), text(m, "table"), text(m, "name"));
        let Some(mi) = maps.get(f, t, n) else {
            continue;
        };
        let ctx = ctx_of(f, t);
        let conv = type_convs(m.get("type"));
        let entries = m
            .get("elem")
            .and_then(Value::as_array)
            .map(|elems| {
                elems
                    .iter()
                    .filter_map(|pair| {
                        let pair = pair.as_array()?;
                        let key = elem_tuple(pair.first()?, &conv)?;
                        let action = verdict(pair.get(1)?, &ctx, &chains)?;
                        Some((key, action))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if let Some(slot) = rs.maps.get_mut(mi) {
            slot.1 = entries;
        }
    }
    for item in items {
        let Some(r) = item.get("rule") else { continue };
        let (f, t, c) = (text(r, "family"), text(r, "table"), text(r, "chain"));
        let Some(ci) = chains.get(f, t, c) else {
            continue;
        };
        let ctx = ctx_of(f, t);
        let exprs = r
            .get("expr")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let mut origin = match r.get("handle").and_then(Value::as_u64) {
            Some(h) => format!("handle {h}"),
            None => "rule".to_owned(),
        };
        if let Some(c) = r.get("comment").and_then(Value::as_str) {
            origin.push_str(&format!(
                " (comment \"{}\")",
                c.chars().take(80).collect::<String>()
            ));
        }
        let rule = rule(exprs, origin, &ctx, &chains, &sets, &maps);
        if let Some(chain) = rs.chains.get_mut(ci) {
            chain.rules.push(rule);
        }
    }
    Ok(rs)
}

/// The tables (family, name) whose rules hold `xt` expressions: iptables-nft rules that only
/// `iptables-save` shows in full.
pub fn xt_tables(json: &str) -> Vec<(String, String)> {
    let Ok(root) = serde_json::from_str::<Value>(json) else {
        return vec![];
    };
    let Some(items) = root.get("nftables").and_then(Value::as_array) else {
        return vec![];
    };
    let mut out: Vec<(String, String)> = vec![];
    for item in items {
        let Some(r) = item.get("rule") else { continue };
        let has_xt = r
            .get("expr")
            .and_then(Value::as_array)
            .is_some_and(|e| e.iter().any(|x| x.get("xt").is_some()));
        let key = (text(r, "family").to_owned(), text(r, "table").to_owned());
        if has_xt && !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

struct Ctx {
    family: String,
    table: String,
}

fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn families(f: &str) -> Option<Vec<Family>> {
    Some(match f {
        "ip" => vec![Family::V4],
        "ip6" => vec![Family::V6],
        "inet" | "netdev" => vec![Family::V4, Family::V6],
        _ => return None,
    })
}

fn base(c: &Value) -> Option<Base> {
    let hook = match text(c, "hook") {
        "prerouting" => Hook::Prerouting,
        "input" => Hook::Input,
        "ingress" => Hook::Ingress,
        _ => return None,
    };
    let nat = match text(c, "type") {
        "filter" => false,
        "nat" => true,
        _ => return None,
    };
    // A nat chain on the input hook rewrites sources only.
    if nat && hook != Hook::Prerouting {
        return None;
    }
    Some(Base {
        hook,
        prio: c.get("prio").and_then(Value::as_i64).unwrap_or(0),
        nat,
        policy_drop: text(c, "policy") == "drop",
        device: c.get("dev").and_then(Value::as_str).map(str::to_owned),
    })
}

/// How the text of a value is read, by what it is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conv {
    Addr(Family),
    Port,
    Proto,
    Iface,
    Nfproto,
    CtState,
    CtStatus,
    AddrType,
    Pkttype,
    TcpFlags,
    Num,
    Bool,
}

fn conv_of(k: &Key) -> Conv {
    match k {
        Key::Saddr(f) | Key::Daddr(f) => Conv::Addr(*f),
        Key::Dport(_) | Key::Sport(_) => Conv::Port,
        Key::L4proto => Conv::Proto,
        Key::Iif => Conv::Iface,
        Key::Nfproto => Conv::Nfproto,
        Key::CtState => Conv::CtState,
        Key::CtStatus => Conv::CtStatus,
        Key::DaddrType => Conv::AddrType,
        Key::Pkttype => Conv::Pkttype,
        Key::TcpFlags => Conv::TcpFlags,
        Key::Mark => Conv::Num,
        Key::RouteBack => Conv::Bool,
    }
}

fn type_conv(t: &str) -> Option<Conv> {
    Some(match t {
        "ipv4_addr" => Conv::Addr(Family::V4),
        "ipv6_addr" => Conv::Addr(Family::V6),
        "inet_service" => Conv::Port,
        "inet_proto" => Conv::Proto,
        "ifname" | "iface_index" => Conv::Iface,
        "ct_state" => Conv::CtState,
        "mark" => Conv::Num,
        _ => return None,
    })
}

/// The value types of a set's `type` (one, or a list for a concatenation); `None` entries for
/// types this reader does not know.
fn type_convs(t: Option<&Value>) -> Vec<Option<Conv>> {
    match t {
        Some(Value::String(s)) => vec![type_conv(s)],
        Some(Value::Array(a)) => a.iter().map(|x| x.as_str().and_then(type_conv)).collect(),
        _ => vec![None],
    }
}

fn named_set(s: &Value) -> NamedSet {
    let name = text(s, "name").to_owned();
    let convs = type_convs(s.get("type"));
    if convs.iter().any(Option::is_none) {
        return NamedSet {
            name,
            elems: vec![],
            unknown: Some(format!(
                "its element type {} is not modelled",
                s.get("type").map_or_else(String::new, Value::to_string)
            )),
        };
    }
    let mut elems = vec![];
    let mut unknown = None;
    for e in s
        .get("elem")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        match elem_tuple(e, &convs) {
            Some(t) => elems.push(t),
            None => {
                unknown = Some(format!("an element ({}) could not be read", short(e)));
                break;
            }
        }
    }
    NamedSet {
        name,
        elems,
        unknown,
    }
}

fn short(v: &Value) -> String {
    v.to_string().chars().take(80).collect()
}

/// One element (possibly a concatenation) read with the given conversions.
fn elem_tuple(v: &Value, convs: &[Option<Conv>]) -> Option<Vec<Elem>> {
    let v = unwrap_elem(v);
    if let Some(parts) = v.get("concat").and_then(Value::as_array) {
        if parts.len() != convs.len() {
            return None;
        }
        return parts
            .iter()
            .zip(convs)
            .map(|(p, c)| one_elem(p, (*c)?))
            .collect();
    }
    if convs.len() != 1 {
        return None;
    }
    Some(vec![one_elem(v, convs.first().copied().flatten()?)?])
}

fn unwrap_elem(v: &Value) -> &Value {
    match v.get("elem").and_then(|e| e.get("val")) {
        Some(inner) => inner,
        None => v,
    }
}

fn one_elem(v: &Value, conv: Conv) -> Option<Elem> {
    let v = unwrap_elem(v);
    if let Some(p) = v.get("prefix") {
        let Conv::Addr(f) = conv else { return None };
        let addr = parse_addr(text(p, "addr"), f)?;
        let len = u32::try_from(p.get("len")?.as_u64()?).ok()?;
        let (lo, hi) = prefix_range(addr, len)?;
        return Some(Elem::Range(lo, hi));
    }
    if let Some([a, b]) = v.get("range").and_then(Value::as_array).map(Vec::as_slice) {
        let (Elem::Range(lo, _), Elem::Range(_, hi)) = (one_elem(a, conv)?, one_elem(b, conv)?)
        else {
            return None;
        };
        return (lo <= hi).then_some(Elem::Range(lo, hi));
    }
    if conv == Conv::Iface {
        return v.as_str().map(|s| Elem::Name(s.to_owned()));
    }
    let n = scalar(v, conv)?;
    Some(Elem::Range(n, n))
}

fn parse_addr(s: &str, f: Family) -> Option<IpAddr> {
    let a: IpAddr = s.parse().ok()?;
    (Family::of(a) == f).then_some(a)
}

fn scalar(v: &Value, conv: Conv) -> Option<u128> {
    if let Some(b) = v.as_bool() {
        return (conv == Conv::Bool).then_some(u128::from(b));
    }
    if let Some(n) = v.as_u64() {
        return Some(u128::from(n));
    }
    let s = v.as_str()?;
    match conv {
        Conv::Addr(f) => parse_addr(s, f).map(super::addr_num),
        Conv::Port => names::port(s).map(u128::from),
        Conv::Proto => names::proto(s).map(u128::from),
        Conv::Nfproto => names::nfproto(s),
        Conv::CtState => names::ct_state(s),
        Conv::CtStatus => names::ct_status(s),
        Conv::AddrType => names::addr_type(s),
        Conv::Pkttype => names::pkttype(s),
        Conv::TcpFlags => names::tcp_flag(s),
        Conv::Num => s
            .strip_prefix("0x")
            .and_then(|h| u128::from_str_radix(h, 16).ok())
            .or_else(|| s.parse().ok()),
        Conv::Iface | Conv::Bool => None,
    }
}

/// Flags written as a list (`ct state established,related`): their bits together.
fn flags(v: &Value, conv: Conv) -> Option<u128> {
    match v {
        Value::Array(items) => items
            .iter()
            .try_fold(0u128, |acc, i| Some(acc | scalar(i, conv)?)),
        v => scalar(v, conv),
    }
}

fn rule(
    exprs: &[Value],
    origin: String,
    ctx: &Ctx,
    chains: &ChainIndex,
    sets: &ChainIndex,
    maps: &ChainIndex,
) -> super::Rule {
    let mut conds = vec![];
    let mut action = Action::Continue;
    for e in exprs {
        let Some(obj) = e.as_object() else { continue };
        for (kind, v) in obj {
            match kind.as_str() {
                "match" => conds.extend(matched(v, ctx, sets)),
                "counter" | "log" | "comment" | "notrack" | "set" | "meter" | "flow" | "dup" => {}
                "limit" | "quota" | "connlimit" | "numgen" => conds.push(Cond::Unknown(format!(
                    "`{kind}` depends on traffic ({})",
                    short(v)
                ))),
                "xt" => {
                    let what = format!(
                        "iptables-nft `{}` {} (read iptables-save for it)",
                        text(v, "name"),
                        text(v, "type")
                    );
                    if text(v, "type") == "target" {
                        action = Action::Unknown(what);
                    } else {
                        conds.push(Cond::Unknown(what));
                    }
                }
                "mangle" => {
                    let key = v
                        .get("key")
                        .and_then(|k| k.get("meta"))
                        .map(|m| text(m, "key"));
                    if key == Some("mark") {
                        action = Action::Mark(v.get("value").and_then(|x| scalar(x, Conv::Num)));
                    }
                }
                "redirect" => action = Action::Redirect(port_of(v)),
                "dnat" => {
                    action = if v.get("addr").is_none() {
                        Action::Redirect(port_of(v))
                    } else {
                        Action::Unknown(format!(
                            "DNAT to {} moves the packet off the input path",
                            short(v)
                        ))
                    }
                }
                "snat" | "masquerade" => {}
                "vmap" => {
                    let key = keys(v.get("key").unwrap_or(&Value::Null));
                    let map = match v.get("data") {
                        Some(Value::String(s)) => s
                            .strip_prefix('@')
                            .and_then(|n| maps.get(&ctx.family, &ctx.table, n))
                            .map(Vmap::Named),
                        Some(d) => inline_vmap(d, &key, ctx, chains),
                        None => None,
                    };
                    action = match (key, map) {
                        (Ok((key, deps)), Some(map)) => {
                            conds.extend(deps);
                            Action::Vmap { key, map }
                        }
                        (Err(u), _) => Action::Unknown(u.why),
                        (_, None) => Action::Unknown(format!(
                            "a verdict map that could not be read ({})",
                            short(v)
                        )),
                    };
                }
                _ => match verdict(e, ctx, chains) {
                    Some(a) => action = a,
                    None => {
                        action = Action::Unknown(format!("the statement `{kind}` is not modelled"))
                    }
                },
            }
        }
    }
    super::Rule {
        origin,
        conds,
        action,
    }
}

fn port_of(v: &Value) -> Option<u16> {
    v.get("port")
        .and_then(Value::as_u64)
        .and_then(|p| u16::try_from(p).ok())
}

fn inline_vmap(
    d: &Value,
    key: &Result<(Vec<Key>, Vec<Cond>), Unmodelled>,
    ctx: &Ctx,
    chains: &ChainIndex,
) -> Option<Vmap> {
    let Ok((key, _)) = key else { return None };
    let convs: Vec<Option<Conv>> = key.iter().map(|k| Some(conv_of(k))).collect();
    let entries = d.get("set")?.as_array()?;
    let mut out = vec![];
    for pair in entries {
        let pair = pair.as_array()?;
        let k = elem_tuple(pair.first()?, &convs)?;
        out.push((k, verdict(pair.get(1)?, ctx, chains)?));
    }
    Some(Vmap::Inline(out))
}

/// A verdict statement (`{"accept": null}`, `{"jump": {"target": …}}`, …).
fn verdict(v: &Value, ctx: &Ctx, chains: &ChainIndex) -> Option<Action> {
    let obj = v.as_object()?;
    let (kind, body) = obj.iter().next()?;
    let target = |b: &Value| chains.get(&ctx.family, &ctx.table, text(b, "target"));
    Some(match kind.as_str() {
        "accept" => Action::Accept,
        "drop" => Action::Drop,
        "reject" => Action::Reject,
        "return" => Action::Return,
        "continue" => Action::Continue,
        "jump" => target(body).map_or_else(
            || Action::Unknown(format!("a jump to an unknown chain {}", short(body))),
            Action::Jump,
        ),
        "goto" => target(body).map_or_else(
            || Action::Unknown(format!("a goto to an unknown chain {}", short(body))),
            Action::Goto,
        ),
        "queue" => Action::Unknown("the packet is queued to a user-space program".into()),
        _ => return None,
    })
}

/// The keys of a left-hand side, with the conditions it implies (`ip saddr` in an inet chain
/// implies IPv4; `icmp type` implies the ICMP protocol).
fn keys(left: &Value) -> Result<(Vec<Key>, Vec<Cond>), Unmodelled> {
    if let Some(parts) = left.get("concat").and_then(Value::as_array) {
        let mut ks = vec![];
        let mut deps = vec![];
        for p in parts {
            let (k, d) = keys(p)?;
            ks.extend(k);
            deps.extend(d);
        }
        return Ok((ks, deps));
    }
    let eq = |key: Key, v: u128| Cond::In {
        key: vec![key],
        negate: false,
        set: SetRef::Inline(vec![vec![Elem::Range(v, v)]]),
    };
    if let Some(m) = left.get("meta") {
        let k = match text(m, "key") {
            "iifname" | "iif" => Key::Iif,
            "l4proto" => Key::L4proto,
            "nfproto" | "protocol" => Key::Nfproto,
            "pkttype" => Key::Pkttype,
            "mark" => Key::Mark,
            other => return Err(Unmodelled::new(format!("`meta {other}` is not modelled"))),
        };
        return Ok((vec![k], vec![]));
    }
    if let Some(p) = left.get("payload") {
        let (proto, field) = (text(p, "protocol"), text(p, "field"));
        let fam = |f: Family| eq(Key::Nfproto, if f == Family::V4 { 2 } else { 10 });
        return Ok(match (proto, field) {
            ("ip", "saddr") => (vec![Key::Saddr(Family::V4)], vec![]),
            ("ip", "daddr") => (vec![Key::Daddr(Family::V4)], vec![]),
            ("ip6", "saddr") => (vec![Key::Saddr(Family::V6)], vec![]),
            ("ip6", "daddr") => (vec![Key::Daddr(Family::V6)], vec![]),
            ("ip", "protocol") => (vec![Key::L4proto], vec![fam(Family::V4)]),
            ("ip6", "nexthdr") => (vec![Key::L4proto], vec![fam(Family::V6)]),
            ("th", "dport") => (vec![Key::Dport(None)], vec![]),
            ("th", "sport") => (vec![Key::Sport(None)], vec![]),
            ("tcp", "flags") => (vec![Key::TcpFlags], vec![]),
            (l4, f @ ("dport" | "sport")) if names::proto(l4).is_some() => {
                let n = names::proto(l4);
                (
                    vec![if f == "dport" {
                        Key::Dport(n)
                    } else {
                        Key::Sport(n)
                    }],
                    vec![],
                )
            }
            (l4, f) => match names::proto(l4) {
                // A field of another layer-4 header: false for any other protocol, unknown for
                // that one.
                Some(n) => {
                    return Err(Unmodelled {
                        proto: Some(n),
                        why: format!("`{l4} {f}` is not modelled"),
                    });
                }
                None => return Err(Unmodelled::new(format!("`{l4} {f}` is not modelled"))),
            },
        });
    }
    if let Some(ct) = left.get("ct") {
        return match text(ct, "key") {
            "state" => Ok((vec![Key::CtState], vec![])),
            "status" => Ok((vec![Key::CtStatus], vec![])),
            other => Err(Unmodelled::new(format!("`ct {other}` is not modelled"))),
        };
    }
    if let Some(fib) = left.get("fib") {
        let flags: Vec<&str> = fib
            .get("flags")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        return match text(fib, "result") {
            "type" if flags.contains(&"daddr") => Ok((vec![Key::DaddrType], vec![])),
            "oif" if flags.contains(&"saddr") => Ok((vec![Key::RouteBack], vec![])),
            r => Err(Unmodelled::new(format!(
                "`fib {} {r}` is not modelled",
                flags.join(" . ")
            ))),
        };
    }
    Err(Unmodelled::new(format!(
        "the match on {} is not modelled",
        short(left)
    )))
}

/// A left-hand side this reader does not model; `proto` when it is a header field of one
/// layer-4 protocol (the rule then fails for packets of any other protocol).
struct Unmodelled {
    proto: Option<u8>,
    why: String,
}

impl Unmodelled {
    fn new(why: String) -> Self {
        Unmodelled { proto: None, why }
    }

    fn conds(self) -> Vec<Cond> {
        let mut out = vec![];
        if let Some(n) = self.proto {
            let n = u128::from(n);
            out.push(Cond::In {
                key: vec![Key::L4proto],
                negate: false,
                set: SetRef::Inline(vec![vec![Elem::Range(n, n)]]),
            });
        }
        out.push(Cond::Unknown(self.why));
        out
    }
}

/// One `match` expression.
fn matched(v: &Value, ctx: &Ctx, sets: &ChainIndex) -> Vec<Cond> {
    let left = v.get("left").unwrap_or(&Value::Null);
    let right = v.get("right").unwrap_or(&Value::Null);
    let op = text(v, "op");
    // Outputs interfaces do not exist on the input path: nft's expression breaks, no match.
    if let Some(m) = left.get("meta")
        && matches!(text(m, "key"), "oif" | "oifname" | "oiftype" | "oifgroup")
    {
        return vec![Cond::Never];
    }
    if let Some([inner, mask]) = left.get("&").and_then(Value::as_array).map(Vec::as_slice) {
        return match keys(inner) {
            Ok((k, mut deps)) if k.len() == 1 => {
                let key = k.into_iter().next().unwrap_or(Key::Mark);
                let conv = conv_of(&key);
                match (flags(mask, conv), flags(right, conv), op) {
                    (Some(mask), Some(value), "==" | "!=") => {
                        deps.push(Cond::Mask {
                            key,
                            mask,
                            value,
                            negate: op == "!=",
                        });
                        deps
                    }
                    _ => vec![Cond::Unknown(format!(
                        "the bitmask match {} is not modelled",
                        short(v)
                    ))],
                }
            }
            Ok(_) => vec![Cond::Unknown(format!(
                "the bitmask match {} is not modelled",
                short(v)
            ))],
            Err(u) => u.conds(),
        };
    }
    let (key, mut deps) = match keys(left) {
        Ok(k) => k,
        Err(u) => return u.conds(),
    };
    let flag_key = matches!(
        key.as_slice(),
        [Key::CtState | Key::CtStatus | Key::TcpFlags]
    );
    let negate = op == "!=";
    let cond = if flag_key && (op == "in" || right.is_array()) {
        // `ct state established,related`: some of these bits are set (`!=`: none of them).
        let k = key.first().cloned().unwrap_or(Key::CtState);
        match flags(right, conv_of(&k)) {
            Some(mask) => Cond::Mask {
                key: k,
                mask,
                value: 0,
                negate: !negate,
            },
            None => Cond::Unknown(format!("the flags {} could not be read", short(right))),
        }
    } else {
        match op {
            "==" | "!=" | "in" => match right.as_str().and_then(|s| s.strip_prefix('@')) {
                Some(name) => match sets.get(&ctx.family, &ctx.table, name) {
                    Some(i) => Cond::In {
                        key,
                        negate,
                        set: SetRef::Named(i),
                    },
                    None => Cond::Unknown(format!("the set @{name} is not in the ruleset")),
                },
                None => match right_elems(right, &key) {
                    Some(elems) => Cond::In {
                        key,
                        negate,
                        set: SetRef::Inline(elems),
                    },
                    None => Cond::Unknown(format!("the value {} could not be read", short(right))),
                },
            },
            "<" | "<=" | ">" | ">=" => {
                let n = match key.as_slice() {
                    [k] => scalar(right, conv_of(k)),
                    _ => None,
                };
                let max = match key.as_slice() {
                    [Key::Saddr(Family::V6) | Key::Daddr(Family::V6)] => u128::MAX,
                    [Key::Saddr(_) | Key::Daddr(_)] => u128::from(u32::MAX),
                    _ => u128::from(u16::MAX),
                };
                let range = n.and_then(|n| match op {
                    "<" => n.checked_sub(1).map(|h| (0, h)),
                    "<=" => Some((0, n)),
                    ">" => (n < max).then(|| (n + 1, max)),
                    _ => Some((n, max)),
                });
                match range {
                    Some((lo, hi)) => Cond::In {
                        key,
                        negate: false,
                        set: SetRef::Inline(vec![vec![Elem::Range(lo, hi)]]),
                    },
                    None => Cond::Never,
                }
            }
            _ => Cond::Unknown(format!("the operator `{op}` is not modelled")),
        }
    };
    deps.push(cond);
    deps
}

/// The elements of a right-hand side for `key`.
fn right_elems(right: &Value, key: &[Key]) -> Option<Vec<Vec<Elem>>> {
    let convs: Vec<Option<Conv>> = key.iter().map(|k| Some(conv_of(k))).collect();
    match right {
        Value::Object(o) if o.contains_key("set") => o
            .get("set")?
            .as_array()?
            .iter()
            .map(|e| elem_tuple(e, &convs))
            .collect(),
        Value::Array(items) if key.len() == 1 => {
            items.iter().map(|e| elem_tuple(e, &convs)).collect()
        }
        v => Some(vec![elem_tuple(v, &convs)?]),
    }
}

//! `nft -j list ruleset`: the chains that filter inbound packets.
//!
//! Rules:
//! - `backend` is [`Backend::Nftables`] when the ruleset has a table (or a chain); an empty
//!   ruleset (only `metainfo`) is [`Backend::None`] with both policies [`Policy::None`].
//! - IPv4 packets see the base chains of type `filter` on hook `input` in families `ip` and
//!   `inet`; IPv6 packets those in `ip6` and `inet`. No such chain → [`Policy::None`].
//! - Each base chain is walked rule by rule, following `jump`/`goto` (also from verdict maps)
//!   into regular chains of its table (depth ≤ 16, no chain twice on one path, a work budget).
//!   The first unconditional accept/drop/reject reached decides the chain for every packet left
//!   (so "policy accept" with a final unconditional drop counts as drop); falling off the end
//!   (or an unconditional `return`) gives the chain's policy.
//! - The family's policy combines its base chains: any drop → Drop, else any reject → Reject,
//!   else Accept. (A packet must pass every base chain on the hook; one drop is final.)
//! - Every accept on the way becomes an [`AcceptRule`] (in chain priority order, then rule
//!   order): `tcp dport`/`udp dport`/`th dport` (single, set, range, ≤ 64 ports expanded),
//!   `meta l4proto`/`ip protocol` (any protocol name: an ICMP accept has proto "icmp" or
//!   "ipv6-icmp", so it never reads as "accept everything"), `ip saddr`/`ip6 saddr` (an address is written with its full
//!   prefix length, a named set as `@name`), `ct state` limited to established/related,
//!   `iif`/`iifname "lo"`. Negated (`!=`) matches and matches the summary has no field for are
//!   left out (the summary errs towards "open"). A rule that can only match the other family
//!   (`ip saddr` in an inet chain seen by IPv6) is skipped for that family. Conditions of a
//!   jumping rule carry into the rules of the chain it jumps to. Consecutive identical accept
//!   rules are listed once (a verdict map's `established` and `related` entries, a chain reached
//!   twice).
//! - Accept rules of several base chains on one family are listed one after the other; the
//!   summary does not intersect them (a port accepted by one chain and dropped by a later one is
//!   still listed).
//! - iptables-nft rules show matches nft cannot translate as `xt` (for instance `-m conntrack`
//!   in iptables 1.8.9): such a match is opaque, so the rule is summarised without it, and an
//!   `xt` REJECT target counts as reject. [`has_xt`] tells the caller when `iptables-save` would
//!   say more.

use std::collections::HashMap;
use std::net::IpAddr;

use serde_json::Value;

use super::{Budget, Cond, Flow, MAX_DEPTH, Terminal, chain_policy, combine, expand_ports};
use crate::collect::facts::{AcceptRule, Backend, Firewall, Policy};

pub fn parse(json: &str) -> Result<Firewall, String> {
    let root: Value = serde_json::from_str(json)
        .map_err(|e| format!("`nft -j list ruleset` did not print JSON: {e}"))?;
    let items = root
        .get("nftables")
        .and_then(Value::as_array)
        .ok_or("`nft -j list ruleset` printed JSON without an \"nftables\" list")?;
    let rs = Ruleset::new(items);
    if !rs.has_tables {
        return Ok(Firewall {
            backend: Backend::None,
            input_policy_v4: Policy::None,
            input_policy_v6: Policy::None,
            accept_v4: vec![],
            accept_v6: vec![],
        });
    }
    let (input_policy_v4, accept_v4) = rs.family(Fam::V4);
    let (input_policy_v6, accept_v6) = rs.family(Fam::V6);
    Ok(Firewall {
        backend: Backend::Nftables,
        input_policy_v4,
        input_policy_v6,
        accept_v4,
        accept_v6,
    })
}

/// True when a rule holds an `xt` expression (an iptables-nft match or target that nft shows
/// only by name): the summary of such a rule is coarser than `iptables-save` would give.
pub fn has_xt(json: &str) -> bool {
    let Ok(root) = serde_json::from_str::<Value>(json) else {
        return false;
    };
    let Some(items) = root.get("nftables").and_then(Value::as_array) else {
        return false;
    };
    items.iter().any(|item| {
        item.get("rule")
            .and_then(|r| r.get("expr"))
            .and_then(Value::as_array)
            .is_some_and(|exprs| exprs.iter().any(|e| e.get("xt").is_some()))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fam {
    V4,
    V6,
}

impl Fam {
    fn sees(self, family: &str) -> bool {
        matches!(
            (self, family),
            (_, "inet") | (Fam::V4, "ip") | (Fam::V6, "ip6")
        )
    }
}

/// (family, table, chain).
type Key = (String, String, String);

#[derive(Debug)]
struct Base {
    prio: i64,
    policy: Terminal,
}

#[derive(Debug, Default)]
struct Chain<'a> {
    /// Set for base chains of type filter on the input hook.
    input: Option<Base>,
    /// Order of appearance, to keep equal priorities in listing order.
    order: usize,
    rules: Vec<&'a [Value]>,
}

#[derive(Debug)]
struct Ruleset<'a> {
    has_tables: bool,
    chains: HashMap<Key, Chain<'a>>,
}

fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

impl<'a> Ruleset<'a> {
    fn new(items: &'a [Value]) -> Self {
        let mut chains: HashMap<Key, Chain> = HashMap::new();
        let mut has_tables = false;
        for (order, item) in items.iter().enumerate() {
            if item.get("table").is_some() {
                has_tables = true;
            }
            let Some(c) = item.get("chain") else {
                continue;
            };
            has_tables = true;
            let key = (
                text(c, "family").to_owned(),
                text(c, "table").to_owned(),
                text(c, "name").to_owned(),
            );
            let input = (text(c, "hook") == "input" && text(c, "type") == "filter").then(|| Base {
                prio: c.get("prio").and_then(Value::as_i64).unwrap_or(0),
                policy: match text(c, "policy") {
                    "drop" => Terminal::Drop,
                    _ => Terminal::Accept,
                },
            });
            let chain = chains.entry(key).or_default();
            chain.input = input;
            chain.order = order;
        }
        for item in items {
            let Some(r) = item.get("rule") else {
                continue;
            };
            let key = (
                text(r, "family").to_owned(),
                text(r, "table").to_owned(),
                text(r, "chain").to_owned(),
            );
            let exprs = r
                .get("expr")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            chains.entry(key).or_default().rules.push(exprs);
        }
        Ruleset { has_tables, chains }
    }

    fn family(&self, fam: Fam) -> (Policy, Vec<AcceptRule>) {
        let mut bases: Vec<(&Key, &Chain, &Base)> = self
            .chains
            .iter()
            .filter(|(k, _)| fam.sees(&k.0))
            .filter_map(|(k, c)| c.input.as_ref().map(|b| (k, c, b)))
            .collect();
        bases.sort_by_key(|(_, c, b)| (b.prio, c.order));
        // Each rule is summarised once, however often jumps lead to it.
        let summaries: HashMap<&Key, Vec<Summary>> = self
            .chains
            .iter()
            .filter(|(k, _)| fam.sees(&k.0))
            .map(|(k, c)| (k, c.rules.iter().map(|r| summarise(r, fam)).collect()))
            .collect();
        let mut w = Walk {
            summaries: &summaries,
            path: vec![],
            budget: Budget::new(1_000_000),
            out: vec![],
        };
        let verdicts: Vec<Terminal> = bases
            .iter()
            .map(|(key, _, base)| {
                w.path = vec![key.2.clone()];
                chain_policy(w.chain(key, &Cond::default()), base.policy)
            })
            .collect();
        w.out.dedup();
        (combine(&verdicts), w.out)
    }
}

/// One family's walk through the chains.
struct Walk<'s> {
    summaries: &'s HashMap<&'s Key, Vec<Summary>>,
    /// Chains on the current jump path, to cut loops and depth.
    path: Vec<String>,
    /// Work done (rule visits, weighted by what they copy); once spent, jumps are no longer
    /// followed (the chains already entered are still finished, so verdicts stay right).
    budget: Budget,
    out: Vec<AcceptRule>,
}

impl Walk<'_> {
    fn chain(&mut self, key: &Key, outer: &Cond) -> Flow {
        let Some(rules) = self.summaries.get(key) else {
            return Flow::Return;
        };
        for rule in rules {
            self.budget
                .spend(1 + rule.vmap.len() + outer.sources.len() + rule.cond.sources.len());
            if !rule.applies {
                continue;
            }
            let cond = outer.and(&rule.cond);
            for (entry, verdict) in &rule.vmap {
                // A map entry matches only some packets: it never ends the chain.
                let _ = self.verdict(key, verdict, &cond.and(entry));
            }
            let flow = self.verdict(key, &rule.verdict, &cond);
            if rule.unconditional
                && let Some(flow) = flow
            {
                return flow;
            }
        }
        Flow::Return
    }

    /// Apply one verdict for packets matching `cond`: record accepts, follow jumps. Returns how
    /// the chain ends if the verdict is final for the packets it sees.
    fn verdict(&mut self, key: &Key, verdict: &Verdict, cond: &Cond) -> Option<Flow> {
        match verdict {
            Verdict::Terminal(t) => {
                if *t == Terminal::Accept {
                    self.out.push(cond.to_rule());
                }
                Some(Flow::Verdict(*t))
            }
            Verdict::Return => Some(Flow::Return),
            Verdict::Jump(target) | Verdict::Goto(target) => {
                if self.budget.is_spent()
                    || self.path.len() > MAX_DEPTH
                    || self.path.iter().any(|p| p == target)
                {
                    return None;
                }
                let next = (key.0.clone(), key.1.clone(), target.clone());
                if !self.summaries.contains_key(&next) {
                    return None;
                }
                self.path.push(target.clone());
                let flow = self.chain(&next, cond);
                self.path.pop();
                match (flow, verdict) {
                    (Flow::Verdict(v), _) => Some(Flow::Verdict(v)),
                    (Flow::Return, Verdict::Goto(_)) => Some(Flow::Return),
                    (Flow::Return, _) => None,
                }
            }
            Verdict::None => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Terminal(Terminal),
    Return,
    Jump(String),
    Goto(String),
    /// No verdict statement (counter, log, continue, …): evaluation goes on.
    None,
}

#[derive(Debug)]
struct Summary {
    cond: Cond,
    /// No match or other filtering expression.
    unconditional: bool,
    /// The rule can match a packet of the family being walked.
    applies: bool,
    verdict: Verdict,
    /// Verdict-map entries: (the key's condition, its verdict).
    vmap: Vec<(Cond, Verdict)>,
}

fn summarise(exprs: &[Value], fam: Fam) -> Summary {
    let mut s = Summary {
        cond: Cond::default(),
        unconditional: true,
        applies: true,
        verdict: Verdict::None,
        vmap: vec![],
    };
    for expr in exprs {
        let Some(obj) = expr.as_object() else {
            continue;
        };
        for (kind, v) in obj {
            match kind.as_str() {
                "match" => {
                    s.unconditional = false;
                    let m = Match {
                        left: v.get("left").unwrap_or(&Value::Null),
                        op: text(v, "op"),
                        right: v.get("right").unwrap_or(&Value::Null),
                    };
                    s.applies &= apply(&mut s.cond, &m, fam);
                }
                "counter" | "log" | "mangle" | "notrack" => {}
                "xt" => match (text(v, "type"), text(v, "name")) {
                    ("target", "REJECT") => s.verdict = Verdict::Terminal(Terminal::Reject),
                    ("target", "DROP") => s.verdict = Verdict::Terminal(Terminal::Drop),
                    ("target", "ACCEPT") => s.verdict = Verdict::Terminal(Terminal::Accept),
                    ("target", _) => {}
                    _ => s.unconditional = false,
                },
                "vmap" => {
                    s.unconditional = false;
                    s.vmap = vmap_entries(v, fam);
                }
                _ => match verdict_of(kind, v) {
                    Some(verdict) => s.verdict = verdict,
                    None => s.unconditional = false,
                },
            }
        }
    }
    s
}

/// A verdict statement, or `None` when `kind` is not one (a filtering statement such as
/// `limit`, `quota`, a set lookup).
fn verdict_of(kind: &str, v: &Value) -> Option<Verdict> {
    Some(match kind {
        "accept" => Verdict::Terminal(Terminal::Accept),
        "drop" => Verdict::Terminal(Terminal::Drop),
        "reject" => Verdict::Terminal(Terminal::Reject),
        "return" => Verdict::Return,
        "continue" | "queue" => Verdict::None,
        "jump" => Verdict::Jump(text(v, "target").to_owned()),
        "goto" => Verdict::Goto(text(v, "target").to_owned()),
        _ => return None,
    })
}

fn vmap_entries(v: &Value, fam: Fam) -> Vec<(Cond, Verdict)> {
    let left = v.get("key").unwrap_or(&Value::Null);
    let Some(elements) = v
        .get("data")
        .and_then(|d| d.get("set"))
        .and_then(Value::as_array)
    else {
        return vec![];
    };
    elements
        .iter()
        .filter_map(|pair| {
            let pair = pair.as_array()?;
            let (key, verdict) = (pair.first()?, pair.get(1)?.as_object()?);
            let (kind, body) = verdict.iter().next()?;
            let verdict = verdict_of(kind, body)?;
            let mut cond = Cond::default();
            let m = Match {
                left,
                op: "==",
                right: key,
            };
            apply(&mut cond, &m, fam).then_some((cond, verdict))
        })
        .collect()
}

struct Match<'v> {
    left: &'v Value,
    op: &'v str,
    right: &'v Value,
}

/// Fold one match into `cond`; false when it can never match a packet of `fam`.
fn apply(cond: &mut Cond, m: &Match, fam: Fam) -> bool {
    let positive = matches!(m.op, "==" | "in");
    let right = m.right;
    if let Some(meta) = m.left.get("meta") {
        match text(meta, "key") {
            "iifname" | "iif" if positive => {
                cond.loopback = strings(right).is_some_and(|s| s.iter().all(|i| i == "lo"))
            }
            "l4proto" => {
                let protos = strings(right).unwrap_or_default();
                if let [p] = protos.as_slice() {
                    let p = l4(p);
                    if positive {
                        if !proto_in_family(&p, fam) {
                            return false;
                        }
                        cond.proto = Some(p);
                    }
                }
            }
            "nfproto" => {
                let names = strings(right).unwrap_or_default();
                let ours = match fam {
                    Fam::V4 => "ipv4",
                    Fam::V6 => "ipv6",
                };
                let hit = names.iter().any(|n| n == ours);
                return if positive { hit } else { !hit };
            }
            _ => {}
        }
        return true;
    }
    if let Some(p) = m.left.get("payload") {
        let (proto, field) = (text(p, "protocol"), text(p, "field"));
        match proto {
            "ip" | "ip6" => {
                if (proto == "ip") != (fam == Fam::V4) {
                    return false;
                }
                match field {
                    "saddr" if positive => cond.sources = sources(right),
                    "protocol" | "nexthdr" if positive => {
                        if let Some([p]) = strings(right).as_deref() {
                            cond.proto = Some(l4(p));
                        }
                    }
                    _ => {}
                }
            }
            "icmp" | "icmpv6" => {
                let p = l4(proto);
                if !proto_in_family(&p, fam) {
                    return false;
                }
                cond.proto = Some(p);
            }
            "tcp" | "udp" | "sctp" | "dccp" | "udplite" | "th" => {
                if proto != "th" {
                    cond.proto = Some(proto.to_owned());
                }
                if field == "dport" && positive {
                    cond.ports = ports(right);
                }
            }
            _ => {}
        }
        return true;
    }
    if let Some(ct) = m.left.get("ct")
        && text(ct, "key") == "state"
        && positive
    {
        cond.established = strings(right).is_some_and(|s| {
            !s.is_empty()
                && s.iter()
                    .all(|s| matches!(s.as_str(), "established" | "related"))
        });
    }
    true
}

/// nft's names for layer-4 protocols as the summary writes them.
fn l4(p: &str) -> String {
    match p {
        "icmpv6" | "ipv6-icmp" => "ipv6-icmp".to_owned(),
        p => p.to_owned(),
    }
}

fn proto_in_family(p: &str, fam: Fam) -> bool {
    !matches!((p, fam), ("icmp", Fam::V6) | ("ipv6-icmp", Fam::V4))
}

/// The strings of a right-hand side: a string, a list, or an anonymous set of strings.
fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect(),
        Value::Object(_) => strings(v.get("set")?),
        _ => None,
    }
}

/// Ports of a right-hand side; `None` for "any" (too many, a named set, unreadable).
fn ports(v: &Value) -> Option<Vec<u16>> {
    let mut ranges = Vec::new();
    port_ranges(v, &mut ranges, 0)?;
    expand_ports(&ranges)
}

fn port_ranges(v: &Value, out: &mut Vec<(u16, u16)>, depth: usize) -> Option<()> {
    if depth > 4 {
        return None;
    }
    match v {
        Value::Number(n) => {
            let p = u16::try_from(n.as_u64()?).ok()?;
            out.push((p, p));
        }
        Value::String(s) => {
            let p = s.parse().ok()?;
            out.push((p, p));
        }
        Value::Object(o) => {
            if let Some(set) = o.get("set").and_then(Value::as_array) {
                for e in set {
                    port_ranges(e, out, depth + 1)?;
                }
            } else if let Some([lo, hi]) =
                o.get("range").and_then(Value::as_array).map(Vec::as_slice)
            {
                let lo = u16::try_from(lo.as_u64()?).ok()?;
                let hi = u16::try_from(hi.as_u64()?).ok()?;
                out.push((lo, hi));
            } else if let Some(val) = o.get("elem").and_then(|e| e.get("val")) {
                port_ranges(val, out, depth + 1)?;
            } else {
                return None;
            }
        }
        _ => return None,
    }
    Some(())
}

/// Source prefixes of a right-hand side, as text.
fn sources(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    source_texts(v, &mut out, 0);
    out
}

fn source_texts(v: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        Value::String(s) => out.push(match s.parse::<IpAddr>() {
            Ok(IpAddr::V4(a)) => format!("{a}/32"),
            Ok(IpAddr::V6(a)) => format!("{a}/128"),
            Err(_) => s.clone(),
        }),
        Value::Object(o) => {
            if let Some(p) = o.get("prefix") {
                let len = p.get("len").and_then(Value::as_u64).unwrap_or(0);
                out.push(format!("{}/{len}", text(p, "addr")));
            } else if let Some(set) = o.get("set").and_then(Value::as_array) {
                for e in set {
                    source_texts(e, out, depth + 1);
                }
            } else if let Some([lo, hi]) =
                o.get("range").and_then(Value::as_array).map(Vec::as_slice)
            {
                out.push(format!(
                    "{}-{}",
                    lo.as_str().unwrap_or("?"),
                    hi.as_str().unwrap_or("?")
                ));
            } else if let Some(val) = o.get("elem").and_then(|e| e.get("val")) {
                source_texts(val, out, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/collect/nft/", $name))
        };
    }

    use crate::collect::parse::test_rule as rule;

    fn lo() -> AcceptRule {
        rule(None, &[], &[], false, true)
    }

    fn est() -> AcceptRule {
        rule(None, &[], &[], true, false)
    }

    #[test]
    fn inet_default_drop_with_ssh_established_and_lo() {
        let fw = parse(fx!("inet-default-drop.json")).expect("parses");
        assert_eq!(fw.backend, Backend::Nftables);
        assert_eq!(fw.input_policy_v4, Policy::Drop);
        assert_eq!(fw.input_policy_v6, Policy::Drop);
        let ssh = rule(Some("tcp"), &[22], &[], false, false);
        let snmp = rule(Some("udp"), &[161, 162], &[], false, false);
        // 1000-2000 is more than 64 ports: listed as any port.
        let wide = rule(Some("tcp"), &[], &[], false, false);
        assert_eq!(
            fw.accept_v4,
            [
                lo(),
                est(),
                rule(Some("icmp"), &[], &[], false, false),
                ssh.clone(),
                rule(Some("tcp"), &[80, 443], &["10.10.9.0/24"], false, false),
                snmp.clone(),
                wide.clone(),
            ]
        );
        assert_eq!(
            fw.accept_v6,
            [
                lo(),
                est(),
                rule(Some("ipv6-icmp"), &[], &[], false, false),
                ssh,
                rule(Some("tcp"), &[9100], &["fd00:10::/64"], false, false),
                snmp,
                wide,
            ]
        );
    }

    #[test]
    fn ip_only_table_leaves_ipv6_unfiltered() {
        let fw = parse(fx!("ip-only.json")).expect("parses");
        assert_eq!(fw.backend, Backend::Nftables);
        assert_eq!(fw.input_policy_v4, Policy::Drop);
        assert_eq!(fw.input_policy_v6, Policy::None);
        let mut ports: Vec<u16> = (8000..=8100).collect();
        ports.push(9000);
        assert!(ports.len() > 64);
        assert_eq!(
            fw.accept_v4,
            [
                lo(),
                est(),
                rule(Some("tcp"), &[22], &[], false, false),
                rule(Some("tcp"), &[], &[], false, false)
            ]
        );
        assert_eq!(fw.accept_v6, []);
    }

    #[test]
    fn empty_ruleset_is_no_firewall() {
        assert_eq!(
            parse(fx!("empty.json")),
            Ok(Firewall {
                backend: Backend::None,
                input_policy_v4: Policy::None,
                input_policy_v6: Policy::None,
                accept_v4: vec![],
                accept_v6: vec![],
            })
        );
    }

    #[test]
    fn jumps_gotos_and_verdict_maps_are_followed() {
        let fw = parse(fx!("jump-user-chain.json")).expect("parses");
        assert_eq!(fw.input_policy_v4, Policy::Drop);
        assert_eq!(fw.input_policy_v6, Policy::Drop);
        let web = rule(Some("tcp"), &[80, 443], &[], false, false);
        let all_udp = rule(Some("udp"), &[], &[], false, false);
        assert_eq!(
            fw.accept_v4,
            [
                // The verdict map's "established" and "related" entries, listed once.
                est(),
                lo(),
                rule(
                    Some("tcp"),
                    &[22],
                    &["10.10.9.0/24", "192.168.50.7/32"],
                    false,
                    false
                ),
                web.clone(),
                all_udp.clone(),
            ]
        );
        assert_eq!(
            fw.accept_v6,
            [
                est(),
                lo(),
                rule(Some("tcp"), &[22], &["fd00:10::/64"], false, false),
                web,
                all_udp
            ]
        );
    }

    #[test]
    fn final_drop_and_reject_override_policy_accept() {
        let fw = parse(fx!("final-drop-policy-accept.json")).expect("parses");
        // inet chain: policy accept, last rule `counter drop`.
        assert_eq!(fw.input_policy_v4, Policy::Drop);
        // inet drops, the ip6 chain (priority 10) rejects: drop wins.
        assert_eq!(fw.input_policy_v6, Policy::Drop);
        let ssh = rule(Some("tcp"), &[22], &[], false, false);
        assert_eq!(fw.accept_v4, [lo(), est(), ssh.clone()]);
        assert_eq!(
            fw.accept_v6,
            [
                lo(),
                est(),
                ssh,
                rule(Some("ipv6-icmp"), &[], &[], false, false)
            ]
        );
    }

    #[test]
    fn iptables_nft_rules_with_xt_expressions() {
        let json = fx!("iptables-nft-xt.json");
        assert!(has_xt(json));
        assert!(!has_xt(fx!("inet-default-drop.json")));
        let fw = parse(json).expect("parses");
        assert_eq!(fw.input_policy_v4, Policy::Drop);
        // The final `xt` REJECT target counts as reject.
        assert_eq!(fw.input_policy_v6, Policy::Reject);
        // `-m conntrack --ctstate RELATED,ESTABLISHED` is an opaque xt match: the rule reads as
        // "accept anything", which is why iptables-save is the better source here.
        let opaque = rule(None, &[], &[], false, false);
        assert_eq!(
            fw.accept_v4,
            [
                lo(),
                opaque.clone(),
                rule(Some("icmp"), &[], &[], false, false),
                rule(Some("tcp"), &[22], &["10.0.0.0/8"], false, false),
                rule(Some("tcp"), &[22], &["192.168.50.7/32"], false, false),
                rule(Some("tcp"), &[], &["10.10.9.0/24"], false, false),
                rule(Some("udp"), &[123], &[], false, false),
            ]
        );
        assert_eq!(
            fw.accept_v6,
            [
                lo(),
                rule(Some("ipv6-icmp"), &[], &[], false, false),
                opaque,
                rule(Some("tcp"), &[22], &[], false, false)
            ]
        );
    }

    /// nft refuses to load a jump loop, so this ruleset is hand-made: a loop, a goto into a
    /// chain that falls off its end, and a fan-out.
    #[test]
    fn loops_are_cut_and_goto_does_not_return() {
        let json = r#"{"nftables":[
          {"table":{"family":"inet","name":"t"}},
          {"chain":{"family":"inet","table":"t","name":"in","type":"filter","hook":"input","prio":0,"policy":"accept"}},
          {"chain":{"family":"inet","table":"t","name":"a"}},
          {"chain":{"family":"inet","table":"t","name":"b"}},
          {"rule":{"family":"inet","table":"t","chain":"in","expr":[{"jump":{"target":"a"}}]}},
          {"rule":{"family":"inet","table":"t","chain":"a","expr":[{"jump":{"target":"b"}}]}},
          {"rule":{"family":"inet","table":"t","chain":"b","expr":[{"jump":{"target":"a"}}]}},
          {"rule":{"family":"inet","table":"t","chain":"b","expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":{"set":[{"range":[20,21]},{"elem":{"val":25}}]}}},{"accept":null}]}},
          {"rule":{"family":"inet","table":"t","chain":"in","expr":[{"goto":{"target":"b"}}]}},
          {"rule":{"family":"inet","table":"t","chain":"in","expr":[{"drop":null}]}}
        ]}"#;
        let fw = parse(json).expect("parses");
        assert_eq!(fw.input_policy_v4, Policy::Accept);
        // Both visits of b give the same rule: consecutive duplicates are listed once.
        assert_eq!(
            fw.accept_v4,
            [rule(Some("tcp"), &[20, 21, 25], &[], false, false)]
        );
    }

    #[test]
    fn fan_out_is_bounded() {
        // 17 chains, each jumping twice into the next: 2^17 paths without the budget.
        let mut items = vec![r#"{"table":{"family":"ip","name":"t"}}"#.to_owned()];
        items.push(r#"{"chain":{"family":"ip","table":"t","name":"c0","type":"filter","hook":"input","prio":0,"policy":"drop"}}"#.to_owned());
        for i in 0..17 {
            if i > 0 {
                items.push(format!(
                    r#"{{"chain":{{"family":"ip","table":"t","name":"c{i}"}}}}"#
                ));
            }
            for _ in 0..2 {
                items.push(format!(r#"{{"rule":{{"family":"ip","table":"t","chain":"c{i}","expr":[{{"match":{{"op":"==","left":{{"meta":{{"key":"l4proto"}}}},"right":"tcp"}}}},{{"jump":{{"target":"c{}"}}}}]}}}}"#, i + 1));
            }
            items.push(format!(r#"{{"rule":{{"family":"ip","table":"t","chain":"c{i}","expr":[{{"accept":null}}]}}}}"#));
        }
        let json = format!(r#"{{"nftables":[{}]}}"#, items.join(","));
        let fw = parse(&json).expect("parses");
        assert_eq!(fw.input_policy_v4, Policy::Accept);
        assert!(fw.accept_v4.len() <= 100_000);
    }

    #[test]
    fn unusable_input_is_an_error() {
        assert!(parse("").is_err());
        assert!(parse("Error: Could not process rule: Operation not permitted").is_err());
        assert!(parse(r#"{"other":[]}"#).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics_on_text(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = parse(&text);
            let _ = has_xt(&text);
        }

        #[test]
        fn never_panics_on_json_soup(
            fam in "(ip|ip6|inet|arp|)",
            hook in "(input|forward|)",
            policy in "(drop|accept|)",
            exprs in proptest::collection::vec(prop_oneof![
                Just(r#"{"accept":null}"#.to_owned()),
                Just(r#"{"drop":null}"#.to_owned()),
                Just(r#"{"jump":{"target":"c"}}"#.to_owned()),
                Just(r#"{"goto":{"target":"in"}}"#.to_owned()),
                Just(r#"{"return":null}"#.to_owned()),
                Just(r#"{"xt":{"type":"target","name":"REJECT"}}"#.to_owned()),
                Just(r#"{"vmap":{"key":{"ct":{"key":"state"}},"data":{"set":[["established",{"accept":null}],[1,{"jump":{"target":"c"}}],[]]}}}"#.to_owned()),
                "[0-9a-z\"{}:,\\[\\]]{0,12}".prop_map(|s| format!(r#"{{"match":{{"op":"==","left":{{"payload":{{"protocol":"tcp","field":"dport"}}}},"right":{s}}}}}"#)),
                any::<i64>().prop_map(|n| format!(r#"{{"match":{{"op":"in","left":{{"payload":{{"protocol":"ip","field":"saddr"}}}},"right":{{"set":[{n},{{"prefix":{{"addr":"x","len":{n}}}}}]}}}}}}"#)),
            ], 0..6),
        ) {
            let rules: Vec<String> = ["in", "c"]
                .iter()
                .map(|c| format!(r#"{{"rule":{{"family":"{fam}","table":"t","chain":"{c}","expr":[{}]}}}}"#, exprs.join(",")))
                .collect();
            let json = format!(
                r#"{{"nftables":[{{"table":{{"family":"{fam}","name":"t"}}}},{{"chain":{{"family":"{fam}","table":"t","name":"in","type":"filter","hook":"{hook}","prio":0,"policy":"{policy}"}}}},{{"chain":{{"family":"{fam}","table":"t","name":"c"}}}},{}]}}"#,
                rules.join(",")
            );
            let _ = parse(&json);
        }
    }
}

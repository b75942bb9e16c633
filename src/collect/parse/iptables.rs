//! `iptables-save` / `ip6tables-save` text (legacy or nft-backed): the filter table's INPUT
//! chain.
//!
//! Rules:
//! - A family whose text has no `*filter` table (empty output, or only other tables) has policy
//!   [`Policy::None`] and no accept rules. `backend` is [`Backend::Iptables`] when either family
//!   has a filter table.
//! - INPUT is walked rule by rule, following `-j`/`-g` into user chains (depth ≤ 16, no chain
//!   twice on one path). The first unconditional ACCEPT/DROP/REJECT reached decides for every
//!   packet left; falling off INPUT's end (or an unconditional RETURN) gives the chain policy.
//! - Every `-j ACCEPT` on the way becomes an [`AcceptRule`]: `-p`, `--dport`/`--dports`
//!   (ranges expanded up to 64 ports), `-s`, `-i lo`, `-m state --state`/`-m conntrack
//!   --ctstate` limited to ESTABLISHED/RELATED. A negated (`!`) match is not expressible and is
//!   left out, as are matches the summary has no field for (the summary errs towards "open").
//!   Conditions of a jumping rule carry into the rules of the chain it jumps to; consecutive
//!   identical accept rules are listed once.
//! - Lines starting with `#` (including iptables-nft's "# Warning: iptables-legacy tables
//!   present" on merged stderr) and counters (`[0:0]` prefixes, `-c`) are ignored.

use std::collections::HashMap;

use super::{Budget, Cond, Flow, MAX_DEPTH, Terminal, chain_policy, combine, expand_ports};
use crate::collect::facts::{AcceptRule, Backend, Firewall, Policy};

pub fn parse(v4: &str, v6: &str) -> Firewall {
    let t4 = filter_table(v4);
    let t6 = filter_table(v6);
    let backend = if t4.is_some() || t6.is_some() {
        Backend::Iptables
    } else {
        Backend::None
    };
    let (input_policy_v4, accept_v4) = t4.as_ref().map_or((Policy::None, vec![]), Table::input);
    let (input_policy_v6, accept_v6) = t6.as_ref().map_or((Policy::None, vec![]), Table::input);
    Firewall {
        backend,
        input_policy_v4,
        input_policy_v6,
        accept_v4,
        accept_v6,
    }
}

#[derive(Debug, Default)]
struct Table {
    /// Chain name → policy (`None` for user chains).
    policies: HashMap<String, Option<Terminal>>,
    rules: HashMap<String, Vec<Rule>>,
}

#[derive(Debug)]
struct Rule {
    cond: Cond,
    /// The rule matches every packet (it has no match at all, summarised or not).
    unconditional: bool,
    target: Target,
}

#[derive(Debug, PartialEq, Eq)]
enum Target {
    Terminal(Terminal),
    Return,
    Chain {
        name: String,
        goto: bool,
    },
    /// LOG, MARK, a missing `-j`, …: evaluation goes on.
    Other,
}

impl Table {
    fn input(&self) -> (Policy, Vec<AcceptRule>) {
        let Some(policy) = self.policies.get("INPUT") else {
            return (Policy::None, vec![]);
        };
        let mut accepts = Vec::new();
        let mut budget = Budget::new(1_000_000);
        let mut path = vec!["INPUT".to_owned()];
        let flow = self.walk(
            "INPUT",
            &Cond::default(),
            &mut path,
            &mut budget,
            &mut accepts,
        );
        accepts.dedup();
        let verdict = chain_policy(flow, policy.unwrap_or(Terminal::Accept));
        (combine(&[verdict]), accepts)
    }

    fn walk(
        &self,
        chain: &str,
        outer: &Cond,
        path: &mut Vec<String>,
        budget: &mut Budget,
        out: &mut Vec<AcceptRule>,
    ) -> Flow {
        let Some(rules) = self.rules.get(chain) else {
            return Flow::Return;
        };
        for rule in rules {
            budget.spend(1 + outer.sources.len() + rule.cond.sources.len());
            let cond = outer.and(&rule.cond);
            match &rule.target {
                Target::Terminal(t) => {
                    if *t == Terminal::Accept {
                        out.push(cond.to_rule());
                    }
                    if rule.unconditional {
                        return Flow::Verdict(*t);
                    }
                }
                Target::Return if rule.unconditional => return Flow::Return,
                Target::Chain { name, goto } => {
                    // Once the budget is spent, jumps are no longer followed; the chains already
                    // entered are still finished, so the verdict stays right.
                    if budget.is_spent()
                        || path.len() > MAX_DEPTH
                        || path.iter().any(|p| p == name)
                        || !self.policies.contains_key(name)
                    {
                        continue;
                    }
                    path.push(name.clone());
                    let flow = self.walk(name, &cond, path, budget, out);
                    path.pop();
                    if rule.unconditional {
                        match (flow, goto) {
                            (Flow::Verdict(v), _) => return Flow::Verdict(v),
                            (Flow::Return, true) => return Flow::Return,
                            (Flow::Return, false) => {}
                        }
                    }
                }
                Target::Return | Target::Other => {}
            }
        }
        Flow::Return
    }
}

/// The `*filter` table of one save output, if it has one.
fn filter_table(text: &str) -> Option<Table> {
    let mut table: Option<Table> = None;
    let mut in_filter = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('*') {
            in_filter = name.trim() == "filter";
            if in_filter {
                table.get_or_insert_with(Table::default);
            }
            continue;
        }
        if line == "COMMIT" {
            in_filter = false;
            continue;
        }
        let Some(t) = table.as_mut().filter(|_| in_filter) else {
            continue;
        };
        if let Some(decl) = line.strip_prefix(':') {
            let mut it = decl.split_whitespace();
            if let Some(name) = it.next() {
                let policy = match it.next() {
                    Some("ACCEPT") => Some(Terminal::Accept),
                    Some("DROP") => Some(Terminal::Drop),
                    _ => None,
                };
                t.policies.insert(name.to_owned(), policy);
            }
            continue;
        }
        let words = shell_words(line);
        let mut words = words
            .iter()
            .map(String::as_str)
            .skip_while(|w| w.starts_with('['));
        if !matches!(words.next(), Some("-A" | "--append")) {
            continue;
        }
        let Some(chain) = words.next() else {
            continue;
        };
        let rule = parse_rule(words, &t.policies);
        t.rules.entry(chain.to_owned()).or_default().push(rule);
    }
    table
}

fn parse_rule<'a>(
    words: impl Iterator<Item = &'a str>,
    chains: &HashMap<String, Option<Terminal>>,
) -> Rule {
    let mut words = words.peekable();
    let mut cond = Cond::default();
    let mut conditional = false;
    let mut negate = false;
    let mut target = Target::Other;
    while let Some(w) = words.next() {
        if w == "!" {
            negate = true;
            continue;
        }
        let was_negated = std::mem::take(&mut negate);
        match w {
            "-j" | "--jump" | "-g" | "--goto" => {
                let name = words.next().unwrap_or("");
                target = match name {
                    "ACCEPT" => Target::Terminal(Terminal::Accept),
                    "DROP" => Target::Terminal(Terminal::Drop),
                    "REJECT" => Target::Terminal(Terminal::Reject),
                    "RETURN" => Target::Return,
                    n if chains.contains_key(n) => Target::Chain {
                        name: n.to_owned(),
                        goto: matches!(w, "-g" | "--goto"),
                    },
                    _ => Target::Other,
                };
                // Whatever follows belongs to the target (--reject-with, --log-prefix, …).
                break;
            }
            "-m" | "--match" => {
                words.next();
            }
            "--comment" => {
                words.next();
            }
            "-c" | "--set-counters" => {
                words.next();
                words.next();
            }
            _ => {
                conditional = true;
                let arg = if w.starts_with('-') && !matches!(w, "-f" | "--fragment") {
                    words.next_if(|a| !a.starts_with('-') && *a != "!")
                } else {
                    None
                };
                if was_negated {
                    continue;
                }
                let arg = arg.unwrap_or("");
                match w {
                    "-p" | "--protocol" => cond.proto = protocol(arg),
                    "-s" | "--source" | "--src" => cond
                        .sources
                        .extend(arg.split(',').filter(|s| !s.is_empty()).map(str::to_owned)),
                    "-i" | "--in-interface" => cond.loopback = arg == "lo",
                    "--dport" | "--destination-port" | "--dports" | "--destination-ports" => {
                        cond.ports = port_list(arg).and_then(|r| expand_ports(&r))
                    }
                    "--state" | "--ctstate" => {
                        cond.established = !arg.is_empty()
                            && arg
                                .split(',')
                                .all(|s| matches!(s, "ESTABLISHED" | "RELATED"))
                    }
                    _ => {}
                }
            }
        }
    }
    Rule {
        cond,
        unconditional: !conditional,
        target,
    }
}

/// `-p` values as the summary names them; `all` is no protocol condition.
fn protocol(p: &str) -> Option<String> {
    let p = p.to_ascii_lowercase();
    Some(match p.as_str() {
        "all" | "0" | "" => return None,
        "6" => "tcp".to_owned(),
        "17" => "udp".to_owned(),
        "1" => "icmp".to_owned(),
        "58" | "icmpv6" => "ipv6-icmp".to_owned(),
        _ => p,
    })
}

/// "22", "161:162", ":1024", "1024:", and comma lists of those; `None` when one is unreadable.
fn port_list(arg: &str) -> Option<Vec<(u16, u16)>> {
    arg.split(',')
        .map(|p| match p.split_once(':') {
            Some((lo, hi)) => {
                let lo = if lo.is_empty() { 0 } else { lo.parse().ok()? };
                let hi = if hi.is_empty() {
                    u16::MAX
                } else {
                    hi.parse().ok()?
                };
                Some((lo, hi))
            }
            None => p.parse().ok().map(|n| (n, n)),
        })
        .collect()
}

/// Split like the shell that iptables-restore emulates (one splitter for both readers of
/// iptables-save: this summary and the packet evaluator's ruleset).
fn shell_words(line: &str) -> Vec<String> {
    crate::firewall::iptables::words(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/collect/iptables/", $name))
        };
    }

    use crate::collect::parse::test_rule as rule;

    #[test]
    fn legacy_default_drop_v4_and_open_v6() {
        let fw = parse(fx!("legacy-v4.txt"), fx!("legacy-v6.txt"));
        assert_eq!(fw.backend, Backend::Iptables);
        assert_eq!(fw.input_policy_v4, Policy::Drop);
        assert_eq!(fw.input_policy_v6, Policy::Accept);
        assert_eq!(
            fw.accept_v4,
            [
                rule(None, &[], &[], false, true),
                rule(None, &[], &[], true, false),
                rule(Some("tcp"), &[22], &["10.10.9.0/24"], false, false),
                rule(Some("tcp"), &[22], &["10.10.10.5/32"], false, false),
                rule(Some("tcp"), &[80, 443], &[], false, false),
                rule(Some("udp"), &[161, 162], &[], false, false),
                // After `! -s 10.0.0.0/8 … -j DROP`: the summary cannot say "only 10/8".
                rule(Some("tcp"), &[9100], &[], false, false),
                // Through `-j MGMT`: the jump's tcp/10050 carries into MGMT's `-s` rule.
                rule(Some("tcp"), &[10050], &["10.20.0.0/16"], false, false),
            ]
        );
        assert_eq!(fw.accept_v6, []);
    }

    #[test]
    fn iptables_nft_save_with_user_chain_and_final_reject() {
        let fw = parse(fx!("nft-v4.txt"), fx!("nft-v6.txt"));
        assert_eq!(fw.backend, Backend::Iptables);
        assert_eq!(fw.input_policy_v4, Policy::Drop);
        // Policy ACCEPT, but the last rule rejects everything left.
        assert_eq!(fw.input_policy_v6, Policy::Reject);
        assert_eq!(
            fw.accept_v4,
            [
                rule(None, &[], &[], false, true),
                rule(None, &[], &[], true, false),
                rule(Some("icmp"), &[], &[], false, false),
                rule(Some("tcp"), &[22], &["10.0.0.0/8"], false, false),
                rule(Some("tcp"), &[22], &["192.168.50.7/32"], false, false),
                rule(
                    Some("tcp"),
                    &[
                        80, 443, 8080, 8081, 8082, 8083, 8084, 8085, 8086, 8087, 8088, 8089, 8090
                    ],
                    &["10.10.9.0/24"],
                    false,
                    false
                ),
                rule(Some("udp"), &[123], &[], false, false),
            ]
        );
        assert_eq!(
            fw.accept_v6,
            [
                rule(None, &[], &[], false, true),
                rule(Some("ipv6-icmp"), &[], &[], false, false),
                rule(None, &[], &[], true, false),
                rule(Some("tcp"), &[22], &[], false, false),
            ]
        );
    }

    #[test]
    fn warning_lines_on_merged_stderr_are_ignored() {
        let fw = parse(fx!("nft-warning-merged-stderr.txt"), "");
        assert_eq!(fw.backend, Backend::Iptables);
        assert_eq!(fw.input_policy_v4, Policy::Accept);
        assert_eq!(fw.input_policy_v6, Policy::None);
        assert_eq!(fw.accept_v4, [rule(Some("tcp"), &[5], &[], false, false)]);
    }

    #[test]
    fn no_filter_table_means_no_firewall() {
        let fw = parse(fx!("empty-legacy.txt"), "");
        assert_eq!(
            fw,
            Firewall {
                backend: Backend::None,
                input_policy_v4: Policy::None,
                input_policy_v6: Policy::None,
                accept_v4: vec![],
                accept_v6: vec![],
            }
        );
        let nat_only = "*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n";
        assert_eq!(parse(nat_only, "").backend, Backend::None);
    }

    #[test]
    fn loops_and_goto_are_bounded() {
        let text = "*filter\n:INPUT ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n\
                    -A INPUT -j A\n-A A -j B\n-A B -j A\n-A B -p tcp --dport 1: -j ACCEPT\n\
                    -A INPUT -g B\n-A INPUT -j DROP\nCOMMIT\n";
        let fw = parse(text, "");
        // `-g B` is unconditional and B falls off its end: INPUT's policy applies, the DROP
        // after it is never reached.
        assert_eq!(fw.input_policy_v4, Policy::Accept);
        // B is walked twice; consecutive duplicates are listed once.
        assert_eq!(fw.accept_v4, [rule(Some("tcp"), &[], &[], false, false)]);
    }

    #[test]
    fn words_and_ports() {
        assert_eq!(
            shell_words(r#"-A X -m comment --comment "a \"b\" c" -j Y"#),
            [
                "-A",
                "X",
                "-m",
                "comment",
                "--comment",
                r#"a "b" c"#,
                "-j",
                "Y"
            ]
        );
        assert_eq!(
            port_list("80,443,8080:8090"),
            Some(vec![(80, 80), (443, 443), (8080, 8090)])
        );
        assert_eq!(port_list(":1024"), Some(vec![(0, 1024)]));
        assert_eq!(port_list("ssh"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(a in proptest::collection::vec(any::<u8>(), 0..512), b in proptest::collection::vec(any::<u8>(), 0..128)) {
            let _ = parse(&String::from_utf8_lossy(&a), &String::from_utf8_lossy(&b));
        }

        #[test]
        fn never_panics_on_rule_soup(lines in proptest::collection::vec(
            "(:[A-C] (ACCEPT|DROP|-)|-A [A-C]( !)?( (-p|-s|-i|--dport|--dports|--state|-m|-j|-g|--comment) [A-Cta-z0-9:,\"]{0,6}){0,4})",
            0..12,
        )) {
            let text = format!("*filter\n:INPUT DROP [0:0]\n{}\nCOMMIT\n", lines.join("\n"));
            let _ = parse(&text, &text);
        }
    }
}

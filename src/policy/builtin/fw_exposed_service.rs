//! `fw-exposed-service` (FW-EXPOSED-SERVICE): a listening service is reachable, through the
//! host's live firewall, from sources no declared flow allows.
//!
//! For every non-loopback listener and family the server has an address of, the packet
//! evaluator gives the exact set of sources that can open a connection
//! ([`crate::firewall::exposure`]); what is left after the sources of the declared flows that
//! reach the server with that service (docs/firewall.md; sshd's ports also from the
//! management zone and the scanning address) is exposure beyond the inventory. Sources the
//! evaluator cannot decide, outside the allowed ones, make the control `error`.
//!
//! A failure's severity is the highest of its exposures', each by the service's class and
//! where its sources lie ([`super::exposure_severity`]: a database port open to anywhere is
//! high, the same port open only inside its zone medium).

use std::collections::BTreeSet;

use super::declared_flows::{allowed, fam_name, reach_of, target};
use super::exposure_severity::{class_of, from};
use super::{Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::firewall::Family;
use crate::firewall::exposure::{describe, subtract};
use crate::inventory::Inventory;
use crate::inventory::raw::{Proto, Service};
use crate::policy::Status;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let nf = need(&f.netfilter, "the firewall")?;
    let listening = need(&f.listening, "the listening sockets")?;
    let mut seen = BTreeSet::new();
    let (mut exposed, mut unknown, mut checked) = (vec![], vec![], vec![]);
    let mut worst: Option<crate::policy::Severity> = None;
    let ssh_ports: Vec<u16> = match &f.sshd {
        Ok((sshd, _)) if !sshd.ports.is_empty() => sshd.ports.clone(),
        _ => vec![22],
    };
    for l in listening.iter().filter(|l| !l.address.is_loopback()) {
        let proto = match l.proto.as_str() {
            "tcp" => Proto::Tcp,
            "udp" => Proto::Udp,
            _ => continue,
        };
        let service = Service {
            proto,
            port: l.port,
        };
        let families: &[Family] = match l.address {
            std::net::IpAddr::V6(a) if a.is_unspecified() => &[Family::V4, Family::V6],
            std::net::IpAddr::V6(_) => &[Family::V6],
            std::net::IpAddr::V4(_) => &[Family::V4],
        };
        for &family in families {
            let Some((daddr, iif)) = target(inv, server, nf, Some(l.address), family) else {
                continue;
            };
            if !seen.insert((service, daddr)) {
                continue;
            }
            let who = l
                .process
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            let what = format!("{service}{who} on {daddr}");
            let reach = reach_of(nf, daddr, iif.as_deref(), service);
            let ok = allowed(inv, server, f, service, family);
            let beyond = subtract(&reach.ranges(Some(true)), &ok);
            let undecided = subtract(&reach.ranges(None), &ok);
            checked.push(format!("{what}: {}", fam_name(family)));
            if let Some(d) = reach.decision_in(&beyond, Some(true)) {
                let origin = from(inv, server, family, &beyond);
                let class = class_of(service, l.process.as_deref(), &ssh_ports);
                let sev = class.severity(origin);
                worst = worst.max(Some(sev));
                exposed.push(format!(
                    "{what} from {} (accepted by {}; {}, from {}: {})",
                    describe(family, &beyond, 4),
                    d.by,
                    class.name,
                    origin.as_str(),
                    sev.as_str()
                ));
            } else if let Some(d) = reach.decision_in(&undecided, None) {
                unknown.push(format!(
                    "{what} from {}: {} ({})",
                    describe(family, &undecided, 4),
                    match &d.outcome {
                        crate::firewall::Outcome::Unknown(w) => w.as_str(),
                        _ => "",
                    },
                    d.by
                ));
            }
        }
    }
    let evidence = format!(
        "evaluated: {}",
        if checked.is_empty() {
            "no listener".into()
        } else {
            checked.join("; ")
        }
    );
    if !exposed.is_empty() {
        return Ok(Verdict {
            severity: worst,
            ..fail(
                format!(
                    "{id} is reachable beyond its declared flows: {}",
                    exposed.join("; ")
                ),
                evidence,
            )
        });
    }
    if !unknown.is_empty() {
        return Err(Verdict {
            status: Status::Error,
            message: format!(
                "whether {id} is reachable beyond its declared flows cannot be decided: {}",
                unknown.join("; ")
            ),
            evidence,
            severity: None,
        });
    }
    Ok(pass(
        format!("{id}'s listening services are reachable only from declared flows"),
        evidence,
    ))
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::HostBuiltin;
    use super::super::fw_host_default_deny::tests::with_firewall;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, with_section};
    use crate::policy::Status;

    /// h1 with a flow `from` → h1 for `services`.
    pub(in crate::policy::builtin) fn h1_flow(from: &str, services: &str) -> String {
        format!(
            "{}\n[externals.internet]\nname = \"Internet\"\nkind = \"internet\"\n\n[[flows]]\nfrom = \"{from}\"\nto = \"h1\"\nservices = {services}\n",
            h1("")
        )
    }

    /// The captured host, its legacy IPv4 table replaced by `rules` (policy DROP), its IPv6
    /// table by one that drops everything.
    pub(in crate::policy::builtin) fn legacy(rules: &str) -> String {
        let v4 = with_section(
            DEBIAN12,
            "iptables-legacy",
            &format!("*filter\n:INPUT DROP [0:0]\n{rules}\nCOMMIT"),
            0,
        );
        with_section(
            &v4,
            "ip6tables-legacy",
            "*filter\n:INPUT DROP [0:0]\nCOMMIT",
            0,
        )
    }

    #[test]
    fn cases() {
        let plain = h1("");
        let internet = h1_flow("external:internet", r#"["tcp/2024", "udp/123"]"#);
        let dr = h1_flow("dr-lan", r#"["tcp/2024"]"#);
        let recent = legacy("-A INPUT -p tcp --dport 2024 -m recent --rcheck -j ACCEPT");
        let dr_only = legacy("-A INPUT -s 10.9.0.0/16 -p tcp --dport 2024 -j ACCEPT");
        let cases = [
            HostCase {
                name: "an open host and no declared flow",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "h1 is reachable beyond its declared flows: tcp/2024 on 10.0.0.1 from any address (accepted by policy accept of iptables-legacy filter INPUT; other service, from anywhere: medium); udp/123 (chronyd) on 10.231.0.1 from any address",
            },
            HostCase {
                name: "an open host whose services are declared from the Internet",
                inventory: &internet,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Pass,
                message: "h1's listening services are reachable only from declared flows",
            },
            HostCase {
                name: "ufw's default deny closes every listener",
                inventory: &plain,
                server: "h1",
                host: Host::Output(with_firewall("ufw-deny")),
                expect: Status::Pass,
                message: "h1's listening services are reachable only from declared flows",
            },
            HostCase {
                name: "the firewall accepts only the declared source",
                inventory: &dr,
                server: "h1",
                host: Host::Output(dr_only),
                expect: Status::Pass,
                message: "reachable only from declared flows",
            },
            HostCase {
                name: "the declared source and more",
                inventory: &dr,
                server: "h1",
                host: Host::Output(legacy(
                    "-A INPUT -s 10.0.0.0/8 -p tcp --dport 2024 -j ACCEPT",
                )),
                expect: Status::Fail,
                message: "h1 is reachable beyond its declared flows: tcp/2024 on 10.0.0.1 from 10.0.0.0/13 10.8.0.0/16 10.10.0.0/15 10.12.0.0/14 … (accepted by iptables-legacy filter INPUT line 3",
            },
            HostCase {
                name: "an accept that depends on recent traffic",
                inventory: &plain,
                server: "h1",
                host: Host::Output(recent),
                expect: Status::Error,
                message: "whether h1 is reachable beyond its declared flows cannot be decided: tcp/2024 on 10.0.0.1 from any address: the match option `--rcheck` is not modelled",
            },
            HostCase {
                name: "the firewall could not be read",
                inventory: &plain,
                server: "h1",
                host: Host::Output(
                    ["nft", "iptables", "iptables-legacy"]
                        .iter()
                        .fold(DEBIAN12.to_owned(), |raw, s| {
                            with_section(&raw, s, "Permission denied (you must be root)", 1)
                        }),
                ),
                expect: Status::Error,
                message: "the firewall could not be read",
            },
        ];
        host_table(HostBuiltin::FwExposedService, &cases);
    }

    /// A failure's severity: the service's class by where its undeclared sources lie
    /// (docs/firewall.md), carried by the finding to every report.
    #[test]
    fn severity_by_the_service_and_where_it_is_reachable_from() {
        use super::super::testing::{host_finding, inventory};
        use crate::inventory::Regime;
        use crate::policy::Severity::{High, Low, Medium};
        let postgres = with_section(
            &legacy("-A INPUT -p tcp --dport 5432 -j ACCEPT"),
            "listen",
            "tcp LISTEN 0 128 0.0.0.0:5432 0.0.0.0:* users:((\"postgres\",pid=7,fd=3))",
            0,
        );
        let postgres_lan = postgres.replace(
            "-A INPUT -p tcp --dport 5432",
            "-A INPUT -s 10.0.7.0/24 -p tcp --dport 5432",
        );
        let other = |rule: &str| legacy(&format!("-A INPUT {rule} -p tcp --dport 2024 -j ACCEPT"));
        let cases = [
            (
                postgres,
                High,
                "tcp/5432 (postgres) on 10.0.0.1 from any address (accepted by iptables-legacy filter INPUT line 3: `-A INPUT -p tcp --dport 5432 -j ACCEPT`; database, cache or search engine, from anywhere: high)",
            ),
            (
                postgres_lan,
                Medium,
                "from 10.0.7.0/24 (accepted by iptables-legacy filter INPUT line 3: `-A INPUT -s 10.0.7.0/24 -p tcp --dport 5432 -j ACCEPT`; database, cache or search engine, from the same zone: medium)",
            ),
            (
                other("-s 10.0.5.0/24"),
                Low,
                "other service, from the same zone: low",
            ),
            (
                other("-s 10.9.1.0/24"),
                Medium,
                "other service, from another zone: medium",
            ),
            (other(""), Medium, "other service, from anywhere: medium"),
        ];
        let inv = inventory(&format!("{}\n{}", super::super::testing::HEAD, h1("")));
        for (raw, severity, message) in &cases {
            for regime in [Regime::Nd85, Regime::Nd331] {
                let f = host_finding(
                    HostBuiltin::FwExposedService,
                    regime,
                    &inv,
                    "h1",
                    &Host::Output(raw.clone()),
                );
                assert_eq!(f.status, Status::Fail, "{}", f.message);
                assert!(
                    f.message.contains(message),
                    "{}\nwants {message}",
                    f.message
                );
                assert_eq!(f.control.severity, *severity, "{}", f.message);
                assert_eq!(f.control.id, "FW-EXPOSED-SERVICE");
            }
        }
    }
}

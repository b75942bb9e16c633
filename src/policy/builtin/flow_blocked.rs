//! `flow-blocked` (FLOW-BLOCKED): a declared flow is dropped by the destination host's live
//! firewall.
//!
//! For every declared flow that reaches the server, every service of the flow and every
//! family of the server's inventory addresses, the packet evaluator says which of the flow's
//! sources can open a connection. A flow from listed sources is blocked when some of them
//! cannot; a flow from anywhere (an external without addresses) when no address outside the
//! inventory's networks can. Sources it cannot decide make the control `error`.

use super::declared_flows::{
    Sources, declared_space, fam_name, reach_of, reaches, sources, target,
};
use super::{Verdict, fail, need, not_applicable, pass};
use crate::collect::host::HostFacts;
use crate::firewall::Family;
use crate::firewall::exposure::{describe, everything, intersect, subtract};
use crate::inventory::Inventory;
use crate::policy::Status;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let flows: Vec<_> = inv
        .flows
        .iter()
        .filter(|fl| reaches(inv, &fl.to, server))
        .collect();
    if flows.is_empty() {
        return Ok(not_applicable(format!("no declared flow ends at {id}")));
    }
    let nf = need(&f.netfilter, "the firewall")?;
    let (mut blocked, mut unknown, mut checked) = (vec![], vec![], 0usize);
    for flow in &flows {
        let from = flow_name(inv, flow);
        for &service in &flow.services {
            for family in [Family::V4, Family::V6] {
                if !inv.servers[server]
                    .addresses
                    .iter()
                    .any(|a| Family::of(*a) == family)
                {
                    continue;
                }
                let Some((daddr, iif)) = target(inv, server, nf, None, family) else {
                    continue;
                };
                let (want, anywhere) = match sources(inv, &flow.from, family) {
                    Sources::Listed(r) if r.is_empty() => continue,
                    Sources::Listed(r) => (r, false),
                    Sources::Anywhere => (
                        subtract(&everything(family), &declared_space(inv, family)),
                        true,
                    ),
                };
                checked += 1;
                let reach = reach_of(nf, daddr, iif.as_deref(), service);
                let refused = intersect(&reach.ranges(Some(false)), &want);
                let undecided = intersect(&reach.ranges(None), &want);
                let is_blocked = if anywhere {
                    subtract(&want, &refused).is_empty()
                } else {
                    !refused.is_empty()
                };
                let what = format!("{from} → {service} on {daddr} ({})", fam_name(family));
                if is_blocked {
                    let by = reach
                        .decision_in(&refused, Some(false))
                        .map(|d| d.by.clone())
                        .unwrap_or_default();
                    blocked.push(format!(
                        "{what}: refused for {} by {by}",
                        describe(family, &refused, 4)
                    ));
                } else if let Some(d) = reach.decision_in(&undecided, None) {
                    unknown.push(format!(
                        "{what}: undecidable for {} ({})",
                        describe(family, &undecided, 4),
                        d.by
                    ));
                }
            }
        }
    }
    let evidence = format!(
        "{} declared flow(s), {checked} flow/service/family checks",
        flows.len()
    );
    if !blocked.is_empty() {
        return Ok(fail(
            format!(
                "{id}'s firewall blocks declared flows: {}",
                blocked.join("; ")
            ),
            evidence,
        ));
    }
    if !unknown.is_empty() {
        return Err(Verdict {
            status: Status::Error,
            message: format!(
                "whether {id}'s firewall lets its declared flows in cannot be decided: {}",
                unknown.join("; ")
            ),
            evidence,
            severity: None,
        });
    }
    Ok(pass(
        format!("{id}'s firewall accepts every declared flow to it"),
        evidence,
    ))
}

fn flow_name(inv: &Inventory, flow: &crate::inventory::model::Flow) -> String {
    super::declared_flows::endpoint_id(inv, &flow.from)
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::fw_exposed_service::tests::{h1_flow, legacy};
    use super::super::fw_host_default_deny::tests::with_firewall;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let plain = h1("");
        let dr = h1_flow("dr-lan", r#"["tcp/2024"]"#);
        let web = h1_flow("external:internet", r#"["tcp/80"]"#);
        let cases = [
            HostCase {
                name: "no declared flow ends at the server",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::NotApplicable,
                message: "no declared flow ends at h1",
            },
            HostCase {
                name: "an open host lets the flow in",
                inventory: &dr,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Pass,
                message: "h1's firewall accepts every declared flow to it",
            },
            HostCase {
                name: "ufw's default deny blocks the declared backup flow",
                inventory: &dr,
                server: "h1",
                host: Host::Output(with_firewall("ufw-deny")),
                expect: Status::Fail,
                message: "h1's firewall blocks declared flows: network:dr-lan → tcp/2024 on 10.0.0.1 (IPv4): refused for 10.9.0.0/16 by policy drop of iptables filter INPUT",
            },
            HostCase {
                name: "part of the declared source is refused",
                inventory: &dr,
                server: "h1",
                host: Host::Output(legacy(
                    "-A INPUT -s 10.9.0.0/17 -p tcp --dport 2024 -j ACCEPT",
                )),
                expect: Status::Fail,
                message: "refused for 10.9.128.0/17 by policy drop of iptables-legacy filter INPUT",
            },
            HostCase {
                name: "a web flow from the Internet, open to all but one address",
                inventory: &web,
                server: "h1",
                host: Host::Output(with_firewall("ufw-deny")),
                expect: Status::Pass,
                message: "h1's firewall accepts every declared flow to it",
            },
            HostCase {
                name: "an accept that depends on recent traffic",
                inventory: &dr,
                server: "h1",
                host: Host::Output(legacy(
                    "-A INPUT -p tcp --dport 2024 -m recent --rcheck -j ACCEPT",
                )),
                expect: Status::Error,
                message: "whether h1's firewall lets its declared flows in cannot be decided: network:dr-lan → tcp/2024 on 10.0.0.1 (IPv4): undecidable for 10.9.0.0/16",
            },
        ];
        host_table(HostBuiltin::FlowBlocked, &cases);
    }
}

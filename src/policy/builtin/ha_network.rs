//! `ha-network` (HA-NETWORK): a datacenter's main network devices are not in HA pairs, or its
//! service servers have a single Internet uplink (TT 12/2022 Phụ lục, II.1.b; TCVN 14423
//! x.12). The level is the highest effective level of the servers it hosts.
//!
//! Which devices must be paired, by level (regulations.md §5.3 and §5.6): the core switch
//! and the central firewall below level 3 (a standby unit); from level 3 also the WAF, the
//! central storage and the DB firewall where there is one (load balancing + hot standby); at
//! level 5 every network device. The core switch and the central firewall must be declared:
//! without them the pairing cannot be shown, and the finding is `error`. From level 3 a
//! datacenter with servers in the DMZ or at the Internet edge needs two uplinks, and under
//! NĐ 331 from level 4 two from different providers. The second site 30 km away (level 5) is
//! HA-SINGLE-POINT's.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{Builder, DossierScope, Inputs, server_level};
use crate::inventory::{DeviceRole, Level, NodeRef, Regime, Zone};
use crate::policy::Finding;
use crate::policy::Status;
use crate::policy::catalog::Control;

fn role_name(r: DeviceRole) -> &'static str {
    match r {
        DeviceRole::CoreSwitch => "core-switch",
        DeviceRole::Firewall => "firewall",
        DeviceRole::Waf => "waf",
        DeviceRole::Storage => "storage",
        DeviceRole::DbFirewall => "db-firewall",
        DeviceRole::Router => "router",
        DeviceRole::LoadBalancer => "load-balancer",
        DeviceRole::Switch => "switch",
        DeviceRole::Ips => "ips",
        DeviceRole::Other => "other",
    }
}

/// The roles whose devices must be paired at `level`, of those `present`.
fn paired_roles(level: Level, present: &BTreeSet<DeviceRole>) -> BTreeSet<DeviceRole> {
    use DeviceRole::*;
    let main: &[DeviceRole] = match level.get() {
        1 | 2 => &[CoreSwitch, Firewall],
        3 | 4 => &[CoreSwitch, Firewall, Waf, Storage, DbFirewall],
        _ => return present.clone(),
    };
    main.iter()
        .copied()
        .filter(|r| present.contains(r))
        .collect()
}

pub(super) fn evaluate(cx: &Inputs, control: &Arc<Control>, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    let inv = cx.inv;
    for (d, dc) in inv.datacenters.iter().enumerate() {
        let node = NodeRef::Datacenter(d);
        let servers: Vec<usize> = (0..inv.servers.len())
            .filter(|&s| inv.server_datacenter(s) == d)
            .collect();
        let level = servers.iter().filter_map(|&s| server_level(cx, s)).max();
        let Some(level) = level else {
            out.push(b.not_applicable(
                node,
                None,
                format!("{} hosts no server of a system", dc.id),
            ));
            continue;
        };
        if !control.applies_at(Some(level)) {
            out.push(b.below_level(node, Some(level)));
            continue;
        }
        let mut by_role: BTreeMap<DeviceRole, Vec<&crate::inventory::Device>> = BTreeMap::new();
        for dev in &dc.devices {
            by_role.entry(dev.role).or_default().push(dev);
        }
        let present: BTreeSet<DeviceRole> = by_role.keys().copied().collect();
        let mut undecided = Vec::new();
        for r in [DeviceRole::CoreSwitch, DeviceRole::Firewall] {
            if !present.contains(&r) {
                undecided.push(role_name(r));
            }
        }
        let mut problems = Vec::new();
        let mut evidence = Vec::new();
        for role in paired_roles(level, &present) {
            let devs = &by_role[&role];
            let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
            for dev in devs {
                if let Some(g) = &dev.ha_group {
                    *groups.entry(g.as_str()).or_default() += 1;
                }
            }
            let alone: Vec<&str> = devs
                .iter()
                .filter(|dev| {
                    dev.ha_group
                        .as_deref()
                        .is_none_or(|g| groups.get(g).copied().unwrap_or(0) < 2)
                })
                .map(|dev| dev.id.as_str())
                .collect();
            let ids: Vec<String> = devs
                .iter()
                .map(|dev| match &dev.ha_group {
                    Some(g) => format!("{} ({g})", dev.id),
                    None => dev.id.clone(),
                })
                .collect();
            evidence.push(format!("{}: {}", role_name(role), ids.join(", ")));
            if !alone.is_empty() {
                problems.push(format!(
                    "{} {} in no HA pair",
                    role_name(role),
                    alone.join(", ")
                ));
            }
        }
        let service = servers.iter().any(|&s| {
            matches!(inv.server_zone(s), Zone::Dmz | Zone::InternetEdge)
                && server_level(cx, s).is_some_and(|l| l.get() >= 3)
        });
        evidence.push(format!("uplinks: {}", dc.uplinks.join(", ")));
        if service {
            let providers: BTreeSet<&str> = dc.uplinks.iter().map(String::as_str).collect();
            if dc.uplinks.len() < 2 {
                problems.push(format!(
                    "its service servers have {} Internet uplink(s), not two",
                    dc.uplinks.len()
                ));
            } else if cx.regime == Regime::Nd331 && level.get() >= 4 && providers.len() < 2 {
                problems.push("its Internet uplinks are all from one provider".into());
            }
        }
        let evidence = evidence.join("; ");
        if !problems.is_empty() && !undecided.is_empty() {
            problems.push(format!(
                "and no {} is declared to show its pairing",
                undecided.join(" and no ")
            ));
        }
        let f = if !problems.is_empty() {
            b.finding(
                node,
                Some(level),
                Status::Fail,
                format!("{}: {}", dc.id, problems.join("; ")),
                evidence,
                &dc.loc,
            )
        } else if !undecided.is_empty() {
            b.finding(
                node,
                Some(level),
                Status::Error,
                format!(
                    "cannot decide: {} declares no {} among its `devices`",
                    dc.id,
                    undecided.join(" and no ")
                ),
                evidence,
                &dc.loc,
            )
        } else {
            b.finding(
                node,
                Some(level),
                Status::Pass,
                format!(
                    "{}'s main network devices are in HA pairs and its uplinks are redundant",
                    dc.id
                ),
                evidence,
                &dc.loc,
            )
        };
        out.push(f);
    }
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let dcs: BTreeSet<usize> = d
        .servers
        .iter()
        .map(|&s| d.inv.server_datacenter(s))
        .collect();
    let parts: Vec<String> = dcs
        .iter()
        .map(|&i| {
            let dc = &d.inv.datacenters[i];
            let devs: Vec<String> = dc
                .devices
                .iter()
                .map(|x| format!("{} ({})", x.id, role_name(x.role)))
                .collect();
            format!(
                "{}: thiết bị {}; đường Internet {}",
                dc.id,
                super::join_or(&devs, "chưa khai báo"),
                super::join_or(&dc.uplinks, "chưa khai báo")
            )
        })
        .collect();
    (!parts.is_empty()).then(|| format!("Dự phòng thiết bị mạng: {}", parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::super::InventoryBuiltin;
    use super::super::testing::{Case, date, inventory_table, server, system};
    use crate::policy::Status;

    const DMZ: &str =
        "[networks.dmz]\ndatacenter = \"hq\"\nzone = \"dmz\"\ncidr = [\"10.1.0.0/16\"]\n";

    fn head(devices: &str, uplinks: &str) -> String {
        format!(
            "[organization]\nname = \"T\"\nregime = \"nd85\"\n[datacenters.hq]\nname = \"HQ\"\nuplinks = {uplinks}\n[datacenters.hq.devices]\n{devices}\n[networks.lan]\ndatacenter = \"hq\"\nzone = \"server\"\ncidr = [\"10.0.0.0/16\"]\n{DMZ}{}{}",
            server("w1", "dmz", 1, ""),
            system("s", 3, &["w1"], &[], "")
        )
    }

    #[test]
    fn cases() {
        let pairs = "sw1 = { role = \"core-switch\", ha_group = \"core\" }\nsw2 = { role = \"core-switch\", ha_group = \"core\" }\nfw1 = { role = \"firewall\", ha_group = \"fw\" }\nfw2 = { role = \"firewall\", ha_group = \"fw\" }\n";
        let good = head(pairs, "[\"VNPT\", \"Viettel\"]");
        let one_fw = head(
            &pairs.replace("fw2 = { role = \"firewall\", ha_group = \"fw\" }\n", ""),
            "[\"VNPT\", \"Viettel\"]",
        );
        let waf = head(
            &format!("{pairs}waf1 = {{ role = \"waf\" }}\n"),
            "[\"VNPT\"]",
        );
        let no_core = head(
            "fw1 = { role = \"firewall\", ha_group = \"fw\" }\nfw2 = { role = \"firewall\", ha_group = \"fw\" }\n",
            "[\"VNPT\", \"Viettel\"]",
        );
        let cases = [
            Case {
                name: "paired core switches and firewalls, two uplinks",
                inventory: &good,
                target: "datacenter:hq",
                expect: Status::Pass,
                message: "hq's main network devices are in HA pairs and its uplinks are redundant",
            },
            Case {
                name: "one firewall",
                inventory: &one_fw,
                target: "datacenter:hq",
                expect: Status::Fail,
                message: "hq: firewall fw1 in no HA pair",
            },
            Case {
                name: "a lone WAF at level 3 and one uplink",
                inventory: &waf,
                target: "datacenter:hq",
                expect: Status::Fail,
                message: "hq: waf waf1 in no HA pair; its service servers have 1 Internet uplink(s), not two",
            },
            Case {
                name: "no core switch declared",
                inventory: &no_core,
                target: "datacenter:hq",
                expect: Status::Error,
                message: "cannot decide: hq declares no core-switch among its `devices`",
            },
        ];
        inventory_table(InventoryBuiltin::HaNetwork, date("2026-11-22"), &cases);
    }
}

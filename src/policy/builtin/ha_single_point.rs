//! `ha-single-point` (HA-SINGLE-POINT): from level 3, a role of a system served by one server
//! (and at level 5, datacenters less than 30 km apart).

use super::join_or;
use crate::inventory::Role;
use std::sync::Arc;

use super::{Builder, DossierScope, Inputs};
use crate::inventory::NodeRef;
use crate::policy::Finding;
use crate::policy::Status;
use crate::policy::catalog::Control;

/// Great-circle distance in km.
fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

pub(super) fn evaluate(cx: &Inputs, control: &Arc<Control>, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    for (i, s) in cx.inv.systems.iter().enumerate() {
        let node = NodeRef::System(i);
        let level = cx.graph.system_level(cx.inv, i);
        if !control.applies_at(Some(level)) {
            out.push(b.below_level(node, Some(level)));
            continue;
        }
        if s.servers.is_empty() {
            out.push(b.not_applicable(
                node,
                Some(level),
                format!("{} declares no servers in this inventory", s.id),
            ));
            continue;
        }
        let mut problems = Vec::new();
        let mut groups = Vec::new();
        for (role, servers) in &cx.graph.role_groups[i] {
            let name = role.map(Role::as_str).unwrap_or("(no role)");
            let ids: Vec<&str> = servers
                .iter()
                .map(|&x| cx.inv.servers[x].id.as_str())
                .collect();
            groups.push(format!("{name}: {}", ids.join(", ")));
            if servers.len() < 2 {
                problems.push(format!(
                    "role {name} has a single server ({})",
                    ids.join(", ")
                ));
            }
        }
        let mut evidence = groups.join("; ");
        if level.get() >= 5 {
            let dcs: std::collections::BTreeSet<usize> = s
                .servers
                .iter()
                .map(|&x| cx.inv.server_datacenter(x))
                .collect();
            let coords: Vec<(usize, (f64, f64))> = dcs
                .iter()
                .filter_map(|&d| cx.inv.datacenters[d].coordinates.map(|c| (d, c)))
                .collect();
            let far = coords
                .iter()
                .any(|(_, a)| coords.iter().any(|(_, c)| distance_km(*a, *c) >= 30.0));
            let names: Vec<&str> = dcs
                .iter()
                .map(|&d| cx.inv.datacenters[d].id.as_str())
                .collect();
            evidence.push_str(&format!("; datacenters: {}", names.join(", ")));
            if dcs.len() < 2 {
                problems.push(format!(
                    "all servers are in one datacenter ({})",
                    names.join(", ")
                ));
            } else if coords.len() == dcs.len() && !far {
                problems.push("no two of its datacenters are 30 km or more apart".into());
            } else if coords.len() < dcs.len() {
                problems.push("the datacenters' coordinates are not all declared, so the 30 km distance cannot be shown".into());
            }
        }
        let f = if problems.is_empty() {
            b.finding(
                node,
                Some(level),
                Status::Pass,
                format!("every role of {} has at least two servers", s.id),
                evidence,
                &s.loc,
            )
        } else {
            b.finding(
                node,
                Some(level),
                Status::Fail,
                format!("{}: {}", s.id, problems.join("; ")),
                evidence,
                &s.loc,
            )
        };
        out.push(f);
    }
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let g = d.graph;
    let system = d.system;
    let text = {
        let groups: Vec<String> = g.role_groups[system]
            .iter()
            .map(|(role, servers)| {
                format!(
                    "{}: {} máy chủ",
                    role.map(|r| r.as_str()).unwrap_or("(không vai trò)"),
                    servers.len()
                )
            })
            .collect();
        format!(
            "Dự phòng theo vai trò: {}",
            join_or(&groups, "không có máy chủ")
        )
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::super::InventoryBuiltin;
    use super::super::testing::{Case, date, inventory_table, server, system};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let two = server("w1", "lan", 1, "roles = [\"web\"]")
            + &server("w2", "lan", 2, "roles = [\"web\"]");
        let pair = two.clone() + &system("s", 3, &["w1", "w2"], &[], "");
        let single =
            server("w1", "lan", 1, "roles = [\"web\"]") + &system("s", 3, &["w1"], &[], "");
        let one_site = two.clone() + &system("s", 5, &["w1", "w2"], &[], "");
        let low = single.replace("level = 3", "level = 2");
        let empty = system("s", 3, &[], &[], "");
        let cases = [
            Case {
                name: "two web servers at level 3",
                inventory: &pair,
                target: "system:s",
                expect: Status::Pass,
                message: "every role of s has at least two servers",
            },
            Case {
                name: "one web server at level 3",
                inventory: &single,
                target: "system:s",
                expect: Status::Fail,
                message: "s: role web has a single server (w1)",
            },
            Case {
                name: "level 5 with both servers in one datacenter",
                inventory: &one_site,
                target: "system:s",
                expect: Status::Fail,
                message: "all servers are in one datacenter (hq)",
            },
            Case {
                name: "below level 3",
                inventory: &low,
                target: "system:s",
                expect: Status::NotApplicable,
                message: "applies at level 3–5; this is level 2",
            },
            Case {
                name: "no servers in this inventory",
                inventory: &empty,
                target: "system:s",
                expect: Status::NotApplicable,
                message: "s declares no servers in this inventory",
            },
        ];
        inventory_table(InventoryBuiltin::HaSinglePoint, date("2026-11-22"), &cases);
    }
}

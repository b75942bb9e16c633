//! `zone-required` (ZONE-REQUIRED): a datacenter lacking a zone its highest level requires.

use crate::inventory::{Level, Zone};
use std::sync::Arc;

use super::{Builder, DossierScope, Inputs};
use crate::inventory::NodeRef;
use crate::policy::Finding;
use crate::policy::Status;
use crate::policy::catalog::Control;

/// Zones required at a level (TT 12 appendices, section II.1.a; regulations.md §5.2).
pub fn required_zones(level: Level) -> Vec<Zone> {
    let mut z = vec![Zone::User, Zone::InternetEdge, Zone::Dmz];
    if level.get() >= 2 {
        z.push(Zone::Server);
    }
    if level.get() >= 3 {
        z.push(Zone::Database);
        z.push(Zone::Management);
    }
    if level.get() >= 4 {
        z.push(Zone::DeviceManagement);
    }
    z
}

pub(super) fn evaluate(cx: &Inputs, control: &Arc<Control>, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    for (d, dc) in cx.inv.datacenters.iter().enumerate() {
        let node = NodeRef::Datacenter(d);
        let Some((level, sys)) = cx.graph.datacenter_levels[d] else {
            out.push(b.not_applicable(node, None, format!("{} runs no system's servers", dc.id)));
            continue;
        };
        let present: std::collections::BTreeSet<Zone> = cx
            .inv
            .networks
            .iter()
            .filter(|n| n.datacenter == d)
            .map(|n| n.zone)
            .collect();
        let missing: Vec<&str> = required_zones(level)
            .into_iter()
            .filter(|z| !present.contains(z))
            .map(|z| z.as_str())
            .collect();
        let have: Vec<&str> = present.iter().map(|z| z.as_str()).collect();
        let evidence = format!(
            "hosts systems up to level {level} ({}); zones present: {}",
            cx.inv.systems[sys].id,
            if have.is_empty() {
                "none".into()
            } else {
                have.join(", ")
            }
        );
        let f = if missing.is_empty() {
            b.finding(
                node,
                Some(level),
                Status::Pass,
                format!("{} has every zone level {level} requires", dc.id),
                evidence,
                &dc.loc,
            )
        } else {
            b.finding(
                node,
                Some(level),
                Status::Fail,
                format!(
                    "{} lacks the {} zone(s) required at level {level}",
                    dc.id,
                    missing.join(", ")
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
    super::zone_placement::implementation(d)
}

#[cfg(test)]
mod tests {
    use super::super::InventoryBuiltin;
    use super::super::testing::{Case, date, inventory_table, server, system};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let zones = ["user", "internet-edge", "dmz"]
            .iter()
            .enumerate()
            .map(|(i, z)| {
                format!(
                    "[networks.n{i}]\ndatacenter = \"hq\"\nzone = \"{z}\"\ncidr = [\"10.{}.0.0/16\"]\n",
                    i + 1
                )
            })
            .collect::<String>();
        let level1 =
            zones.clone() + &server("h1", "lan", 1, "") + &system("s", 1, &["h1"], &[], "");
        let level3 = zones + &server("h1", "lan", 1, "") + &system("s", 3, &["h1"], &[], "");
        let cases = [
            Case {
                name: "every zone level 1 requires",
                inventory: &level1,
                target: "datacenter:hq",
                expect: Status::Pass,
                message: "hq has every zone level 1 requires",
            },
            Case {
                name: "level 3 without database and management zones",
                inventory: &level3,
                target: "datacenter:hq",
                expect: Status::Fail,
                message: "hq lacks the database, management zone(s) required at level 3",
            },
            Case {
                name: "a datacenter running no system",
                inventory: &level1,
                target: "datacenter:dr",
                expect: Status::NotApplicable,
                message: "dr runs no system's servers",
            },
        ];
        inventory_table(InventoryBuiltin::ZoneRequired, date("2026-11-22"), &cases);
    }
}

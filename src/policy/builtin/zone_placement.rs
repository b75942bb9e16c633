//! `zone-placement` (ZONE-PLACEMENT): a server in a zone its role or level forbids.

use super::server_level;
use crate::inventory::{Role, Zone};
use std::collections::BTreeSet;
use std::sync::Arc;

use super::{Builder, DossierScope, Inputs};
use crate::inventory::NodeRef;
use crate::policy::Finding;
use crate::policy::Status;
use crate::policy::catalog::Control;

pub(super) fn evaluate(cx: &Inputs, control: &Arc<Control>, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    for (i, s) in cx.inv.servers.iter().enumerate() {
        let node = NodeRef::Server(i);
        let level = server_level(cx, i);
        let zone = cx.inv.server_zone(i);
        let network = &cx.inv.networks[s.network].id;
        let mut problems = Vec::new();
        let is_db = s.roles.contains(&Role::Database);
        if is_db
            && matches!(
                zone,
                Zone::Dmz | Zone::InternetEdge | Zone::User | Zone::Wireless
            )
        {
            problems.push(format!("a database server in the {} zone", zone.as_str()));
        } else if is_db && level.is_some_and(|l| l.get() >= 3) && zone != Zone::Database {
            problems.push(format!(
                "a level-{} database server outside the database zone (in {})",
                level.map(|l| l.get()).unwrap_or(0),
                zone.as_str()
            ));
        }
        if level.is_some_and(|l| l.get() >= 3) && matches!(zone, Zone::User | Zone::Wireless) {
            problems.push(format!(
                "a level-{} server in the {} zone",
                level.map(|l| l.get()).unwrap_or(0),
                zone.as_str()
            ));
        }
        let roles: Vec<&str> = s.roles.iter().map(|r| r.as_str()).collect();
        let evidence = format!(
            "network {network} (zone {}); roles: {}; effective level: {}",
            zone.as_str(),
            if roles.is_empty() {
                "none".into()
            } else {
                roles.join(", ")
            },
            level
                .map(|l| l.to_string())
                .unwrap_or_else(|| "none".into())
        );
        let f = if problems.is_empty() {
            b.finding(
                node,
                level,
                Status::Pass,
                format!("{} sits in an allowed zone ({})", s.id, zone.as_str()),
                evidence,
                &s.network_loc,
            )
        } else {
            b.finding(
                node,
                level,
                Status::Fail,
                format!("{} is {}", s.id, problems.join(" and ")),
                evidence,
                &s.network_loc,
            )
        };
        out.push(f);
    }
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let inv = d.inv;
    let text = {
        let zones: BTreeSet<&str> = d
            .networks
            .iter()
            .map(|&n| inv.networks[n].zone.as_str())
            .collect();
        format!(
            "Máy chủ đặt tại các vùng: {}",
            zones.into_iter().collect::<Vec<_>>().join(", ")
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
        let dmz = "[networks.dmz]\ndatacenter = \"hq\"\nzone = \"dmz\"\ncidr = [\"10.1.0.0/16\"]\n";
        let plain = server("h1", "lan", 1, "");
        let db_in_dmz = dmz.to_owned() + &server("h1", "dmz", 1, "roles = [\"database\"]");
        let db_in_server_zone =
            server("h1", "lan", 1, "roles = [\"database\"]") + &system("s", 3, &["h1"], &[], "");
        let cases = [
            Case {
                name: "a server without roles in the server zone",
                inventory: &plain,
                target: "server:h1",
                expect: Status::Pass,
                message: "h1 sits in an allowed zone (server)",
            },
            Case {
                name: "a database server in the DMZ",
                inventory: &db_in_dmz,
                target: "server:h1",
                expect: Status::Fail,
                message: "h1 is a database server in the dmz zone",
            },
            Case {
                name: "a level-3 database server outside the database zone",
                inventory: &db_in_server_zone,
                target: "server:h1",
                expect: Status::Fail,
                message: "a level-3 database server outside the database zone (in server)",
            },
        ];
        inventory_table(InventoryBuiltin::ZonePlacement, date("2026-11-22"), &cases);
    }
}

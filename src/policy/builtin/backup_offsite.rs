//! `backup-offsite` (BACKUP-OFFSITE): from level 3, a backup target in the same datacenter.

use super::server_level;
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
        if !control.applies_at(level) {
            out.push(b.below_level(node, level));
            continue;
        }
        let Some(bk) = &s.backup else {
            out.push(b.not_applicable(node, level, format!("{} declares no backup", s.id)));
            continue;
        };
        let here = cx.inv.server_datacenter(i);
        // Any one copy in another datacenter is the off-site copy.
        let to = bk
            .targets
            .iter()
            .map(|t| t.to)
            .find(|&t| cx.inv.server_datacenter(t) != here)
            .unwrap_or(bk.to);
        let there = cx.inv.server_datacenter(to);
        let (here_id, there_id) = (&cx.inv.datacenters[here].id, &cx.inv.datacenters[there].id);
        let evidence = format!(
            "{} is in datacenter {here_id}; backup target {} is in datacenter {there_id}",
            s.id, cx.inv.servers[to].id
        );
        let f = if here == there {
            b.finding(
                node,
                level,
                Status::Fail,
                format!(
                    "{} backs up to {} in the same datacenter ({here_id})",
                    s.id, cx.inv.servers[to].id
                ),
                evidence,
                &bk.loc,
            )
        } else {
            b.finding(
                node,
                level,
                Status::Pass,
                format!("{} backs up off-site, to {there_id}", s.id),
                evidence,
                &bk.loc,
            )
        };
        out.push(f);
    }
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    super::backups_wording(d)
}

#[cfg(test)]
mod tests {
    use super::super::InventoryBuiltin;
    use super::super::testing::{Case, date, inventory_table, server, system};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let targets = server("bk", "dr-lan", 2, "roles = [\"backup\"]")
            + &server("bk2", "lan", 3, "roles = [\"backup\"]");
        let to = |t: &str| {
            targets.clone()
                + &server(
                    "h1",
                    "lan",
                    1,
                    &format!("backup = {{ to = \"{t}\", schedule = \"daily\" }}"),
                )
                + &system("s", 5, &["h1"], &[], "")
        };
        let offsite = to("bk");
        let onsite = to("bk2");
        let none = server("h1", "lan", 1, "") + &system("s", 5, &["h1"], &[], "");
        let no_level = targets.clone()
            + &server(
                "h1",
                "lan",
                1,
                "backup = { to = \"bk2\", schedule = \"daily\" }",
            );
        let cases = [
            Case {
                name: "backs up to the other datacenter",
                inventory: &offsite,
                target: "server:h1",
                expect: Status::Pass,
                message: "h1 backs up off-site, to dr",
            },
            Case {
                name: "backs up in its own datacenter",
                inventory: &onsite,
                target: "server:h1",
                expect: Status::Fail,
                message: "h1 backs up to bk2 in the same datacenter (hq)",
            },
            Case {
                name: "declares no backup",
                inventory: &none,
                target: "server:h1",
                expect: Status::NotApplicable,
                message: "h1 declares no backup",
            },
            Case {
                name: "a server serving no system is held to level 1",
                inventory: &no_level,
                target: "server:h1",
                expect: Status::NotApplicable,
                message: "h1 has no level (it serves no system)",
            },
        ];
        inventory_table(InventoryBuiltin::BackupOffsite, date("2026-11-22"), &cases);
    }

    /// TT 12 asks for a second site only at level 5 (centralised backup at levels 3–4:
    /// BACKUP-CENTRAL); TCVN 14423 asks for an off-site copy (3-2-1) from level 3.
    #[test]
    fn the_second_site_is_a_level_5_requirement_under_nd85_and_level_3_under_nd331() {
        use super::super::testing::{inventory, inventory_findings};
        use crate::inventory::Regime;
        let text = format!(
            "{}\n{}{}",
            super::super::testing::HEAD,
            server("bk2", "lan", 3, "roles = [\"backup\"]")
                + &server(
                    "h1",
                    "lan",
                    1,
                    "backup = { to = \"bk2\", schedule = \"daily\" }"
                ),
            system("s", 3, &["h1"], &[], "")
        );
        let inv = inventory(&text);
        let status = |regime| {
            inventory_findings(
                InventoryBuiltin::BackupOffsite,
                regime,
                &inv,
                date("2026-11-22"),
            )
            .into_iter()
            .find(|f| f.target == "server:h1")
            .map(|f| f.status)
        };
        assert_eq!(status(Regime::Nd85), Some(Status::NotApplicable));
        assert_eq!(status(Regime::Nd331), Some(Status::Fail));
    }
}

//! `backup-declared` (BACKUP-DECLARED): a server holding data (database, file, storage) that
//! declares no backup.

use super::server_level;
use crate::inventory::Role;
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
        let data_roles: Vec<&str> = s
            .roles
            .iter()
            .filter(|r| matches!(r, Role::Database | Role::File | Role::Storage))
            .map(|r| r.as_str())
            .collect();
        if data_roles.is_empty() {
            out.push(b.not_applicable(
                node,
                level,
                format!("{} has no database, file or storage role", s.id),
            ));
            continue;
        }
        if s.roles.contains(&Role::Backup) {
            out.push(b.not_applicable(
                node,
                level,
                format!("{} is a backup server: it holds the copies", s.id),
            ));
            continue;
        }
        let f = match &s.backup {
            Some(bk) => b.finding(
                node,
                level,
                Status::Pass,
                format!(
                    "{} backs up to {} ({})",
                    s.id,
                    cx.inv.servers[bk.to].id,
                    bk.schedule.as_str()
                ),
                format!(
                    "roles: {}; backup.to = {}",
                    data_roles.join(", "),
                    cx.inv.servers[bk.to].id
                ),
                &bk.loc,
            ),
            None => b.finding(
                node,
                level,
                Status::Fail,
                format!(
                    "{} holds data ({}) but declares no backup",
                    s.id,
                    data_roles.join(", ")
                ),
                format!("roles: {}; no `backup` key", data_roles.join(", ")),
                &s.loc,
            ),
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
    use super::super::testing::{Case, date, inventory_table, server};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let bk = server("bk", "dr-lan", 2, "roles = [\"backup\"]");
        let backed = bk.clone()
            + &server(
                "h1",
                "lan",
                1,
                "roles = [\"database\"]\nbackup = { to = \"bk\", schedule = \"daily\" }",
            );
        let unbacked = server("h1", "lan", 1, "roles = [\"database\"]");
        let plain = server("h1", "lan", 1, "roles = [\"web\"]");
        let backup_server = server("h1", "lan", 1, "roles = [\"storage\", \"backup\"]");
        let cases = [
            Case {
                name: "a database server that backs up",
                inventory: &backed,
                target: "server:h1",
                expect: Status::Pass,
                message: "h1 backs up to bk (daily)",
            },
            Case {
                name: "a database server without backup",
                inventory: &unbacked,
                target: "server:h1",
                expect: Status::Fail,
                message: "h1 holds data (database) but declares no backup",
            },
            Case {
                name: "no data role",
                inventory: &plain,
                target: "server:h1",
                expect: Status::NotApplicable,
                message: "h1 has no database, file or storage role",
            },
            Case {
                name: "a backup server",
                inventory: &backup_server,
                target: "server:h1",
                expect: Status::NotApplicable,
                message: "h1 is a backup server: it holds the copies",
            },
        ];
        inventory_table(InventoryBuiltin::BackupDeclared, date("2026-11-22"), &cases);
    }
}

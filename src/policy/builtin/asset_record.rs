//! `asset-record` (ASSET-RECORD): a server's asset record lacks a field the asset inventory
//! needs (TCVN 14423 x.2: name, static address, serial or MAC, end of vendor support,
//! location, purpose, owner), or its hardware or a declared software is past the end of its
//! vendor's support on the evaluation date. The operating system a host really runs is judged
//! by OS-EOL from its os-release.

use std::sync::Arc;

use super::{Builder, DossierScope, Inputs, server_level};
use crate::inventory::NodeRef;
use crate::policy::Finding;
use crate::policy::Status;
use crate::policy::catalog::Control;

pub(super) fn evaluate(cx: &Inputs, control: &Arc<Control>, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    let inv = cx.inv;
    // The systems of each server, built once (an inventory may hold tens of thousands).
    let mut systems_of: Vec<Vec<&crate::inventory::System>> = vec![Vec::new(); inv.servers.len()];
    for y in &inv.systems {
        for &x in &y.servers {
            if let Some(v) = systems_of.get_mut(x)
                && !v.iter().any(|z| z.id == y.id)
            {
                v.push(y);
            }
        }
    }
    for (i, s) in inv.servers.iter().enumerate() {
        let node = NodeRef::Server(i);
        let level = server_level(cx, i);
        if !control.applies_at(level) {
            out.push(b.below_level(node, level));
            continue;
        }
        let a = &s.asset;
        let systems = &systems_of[i];
        let mut missing: Vec<String> = Vec::new();
        let mut ended: Vec<String> = Vec::new();
        let mut evidence: Vec<String> = vec![format!(
            "name {}; address {}",
            s.name.as_deref().unwrap_or(&s.id),
            s.addresses
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )];
        match (&a.serial, &a.mac) {
            (None, None) => missing.push("serial or MAC (`serial`, `mac`)".into()),
            (serial, mac) => evidence.push(format!(
                "serial {}, MAC {}",
                serial.as_deref().unwrap_or("-"),
                mac.as_deref().unwrap_or("-")
            )),
        }
        match a.support_end {
            None => missing.push("end of vendor support (`support_end`)".into()),
            Some(d) if d < cx.today => ended.push(format!("its vendor support ended on {d}")),
            Some(d) => evidence.push(format!("support until {d}")),
        }
        let dc = &inv.datacenters[inv.server_datacenter(i)].id;
        match &a.rack {
            None => missing.push(format!("position in datacenter {dc} (`rack`)")),
            Some(r) => evidence.push(format!("in {dc}, rack {r}")),
        }
        let purpose = a.purpose.clone().or_else(|| {
            (!systems.is_empty()).then(|| {
                let names: Vec<&str> = systems.iter().map(|y| y.id.as_str()).collect();
                format!("serves {}", names.join(", "))
            })
        });
        match purpose {
            None => missing.push("purpose (`purpose`, or a system it serves)".into()),
            Some(p) => evidence.push(format!("purpose: {p}")),
        }
        let owner = a
            .owner
            .clone()
            .or_else(|| {
                systems
                    .iter()
                    .find_map(|y| y.owner.as_ref().map(|o| format!("{o} (owner of {})", y.id)))
            })
            .or_else(|| {
                inv.organization
                    .operator
                    .as_ref()
                    .map(|o| format!("{o} (the organisation's operator)"))
            });
        match owner {
            None => missing.push("owner (`owner`)".into()),
            Some(o) => evidence.push(format!("owner: {o}")),
        }
        for sw in &a.software {
            let name = match &sw.version {
                Some(v) => format!("{} {v}", sw.name),
                None => sw.name.clone(),
            };
            match sw.support_end {
                None => missing.push(format!("end of support of {name}")),
                Some(d) if d < cx.today => ended.push(format!("{name}'s support ended on {d}")),
                Some(d) => evidence.push(format!("{name} supported until {d}")),
            }
        }
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!("missing {}", missing.join(", ")));
        }
        problems.extend(ended);
        let evidence = evidence.join("; ");
        out.push(if problems.is_empty() {
            b.finding(
                node,
                level,
                Status::Pass,
                format!("{}'s asset record is complete and supported", s.id),
                evidence,
                &s.loc,
            )
        } else {
            b.finding(
                node,
                level,
                Status::Fail,
                format!("{}'s asset record: {}", s.id, problems.join("; ")),
                evidence,
                &s.loc,
            )
        });
    }
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    if d.servers.is_empty() {
        return None;
    }
    let recorded = d
        .servers
        .iter()
        .filter(|&&s| {
            let a = &d.inv.servers[s].asset;
            (a.serial.is_some() || a.mac.is_some()) && a.support_end.is_some() && a.rack.is_some()
        })
        .count();
    Some(format!(
        "Hồ sơ tài sản (số sê-ri/MAC, hạn hỗ trợ, vị trí): {recorded}/{} máy chủ",
        d.servers.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::super::InventoryBuiltin;
    use super::super::testing::{Case, date, inventory_table, server, system};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let full = "serial = \"CZ2345\"\nsupport_end = 2029-01-31\nrack = \"A03 U12\"\nowner = \"Trung tâm Thông tin\"\nsoftware = [{ name = \"PostgreSQL\", version = \"16\", support_end = 2028-11-09 }]";
        let complete = server("h1", "lan", 1, full) + &system("s", 3, &["h1"], &[], "");
        let bare = server("h1", "lan", 1, "") + &system("s", 3, &["h1"], &[], "");
        let old = complete.replace("2028-11-09", "2023-11-09");
        let alone = server(
            "h1",
            "lan",
            1,
            &full.replace("owner = \"Trung tâm Thông tin\"\n", ""),
        );
        let cases = [
            Case {
                name: "every field, supported",
                inventory: &complete,
                target: "server:h1",
                expect: Status::Pass,
                message: "h1's asset record is complete and supported",
            },
            Case {
                name: "nothing but the address; the system gives the purpose",
                inventory: &bare,
                target: "server:h1",
                expect: Status::Fail,
                message: "h1's asset record: missing serial or MAC (`serial`, `mac`), end of vendor support (`support_end`), position in datacenter hq (`rack`), owner (`owner`)",
            },
            Case {
                name: "software past its support",
                inventory: &old,
                target: "server:h1",
                expect: Status::Fail,
                message: "PostgreSQL 16's support ended on 2023-11-09",
            },
            Case {
                name: "a server that serves no system needs its purpose and owner",
                inventory: &alone,
                target: "server:h1",
                expect: Status::Fail,
                message: "missing purpose (`purpose`, or a system it serves), owner (`owner`)",
            },
        ];
        inventory_table(InventoryBuiltin::AssetRecord, date("2026-11-22"), &cases);
    }
}

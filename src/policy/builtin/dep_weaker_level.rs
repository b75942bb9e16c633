//! `dep-weaker-level` (DEP-WEAKER-LEVEL): a system that depends on a system of a lower level.

use super::join_or;
use std::sync::Arc;

use super::{Builder, DossierScope, Inputs};
use crate::inventory::NodeRef;
use crate::policy::Finding;
use crate::policy::Status;
use crate::policy::catalog::Control;

pub(super) fn evaluate(cx: &Inputs, control: &Arc<Control>, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    for (i, s) in cx.inv.systems.iter().enumerate() {
        let node = NodeRef::System(i);
        let level = cx.graph.system_level(cx.inv, i);
        let systems: Vec<usize> = s
            .depends_on
            .iter()
            .filter_map(|d| match d {
                NodeRef::System(j) => Some(*j),
                _ => None,
            })
            .collect();
        if systems.is_empty() {
            out.push(b.not_applicable(
                node,
                Some(level),
                format!("{} depends on no other system", s.id),
            ));
            continue;
        }
        let weaker: Vec<String> = systems
            .iter()
            .filter(|&&j| cx.graph.declared_or_held(cx.inv, j) < level)
            .map(|&j| {
                format!(
                    "{} (level {})",
                    cx.inv.systems[j].id,
                    cx.graph.declared_or_held(cx.inv, j)
                )
            })
            .collect();
        let all: Vec<String> = systems
            .iter()
            .map(|&j| {
                format!(
                    "{} (level {})",
                    cx.inv.systems[j].id,
                    cx.graph.declared_or_held(cx.inv, j)
                )
            })
            .collect();
        let evidence = format!("{} is level {level}; depends on {}", s.id, all.join(", "));
        let f = if weaker.is_empty() {
            b.finding(
                node,
                Some(level),
                Status::Pass,
                format!(
                    "every system {} depends on is level {level} or higher",
                    s.id
                ),
                evidence,
                &s.depends_loc,
            )
        } else {
            b.finding(
                node,
                Some(level),
                Status::Fail,
                format!(
                    "{} (level {level}) depends on lower-level {}",
                    s.id,
                    weaker.join(", ")
                ),
                evidence,
                &s.depends_loc,
            )
        };
        out.push(f);
    }
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let inv = d.inv;
    let g = d.graph;
    let s = &d.inv.systems[d.system];
    let text = {
        let deps: Vec<String> = s
            .depends_on
            .iter()
            .map(|&d| match g.level_of(inv, d) {
                Some(l) => format!("{} (cấp độ {l})", inv.node_id(d)),
                None => inv.node_id(d).to_owned(),
            })
            .collect();
        format!("Phụ thuộc: {}", join_or(&deps, "không"))
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
        let servers = server("h1", "lan", 1, "") + &server("h2", "lan", 2, "");
        let alone = servers.clone() + &system("a", 3, &["h1"], &[], "");
        let equal = servers.clone()
            + &system("a", 3, &["h1"], &["b"], "")
            + &system("b", 3, &["h2"], &[], "");
        let weaker = servers.clone()
            + &system("a", 3, &["h1"], &["b"], "")
            + &system("b", 1, &["h2"], &[], "");
        let cases = [
            Case {
                name: "depends on a system of the same level",
                inventory: &equal,
                target: "system:a",
                expect: Status::Pass,
                message: "every system a depends on is level 3 or higher",
            },
            Case {
                name: "depends on a level-1 system",
                inventory: &weaker,
                target: "system:a",
                expect: Status::Fail,
                message: "a (level 3) depends on lower-level b (level 1)",
            },
            Case {
                name: "depends on no system",
                inventory: &alone,
                target: "system:a",
                expect: Status::NotApplicable,
                message: "a depends on no other system",
            },
        ];
        inventory_table(InventoryBuiltin::DepWeakerLevel, date("2026-11-22"), &cases);
    }
}

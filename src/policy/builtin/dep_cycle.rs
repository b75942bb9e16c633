//! `dep-cycle` (DEP-CYCLE): a system on a cycle of dependencies.

use std::sync::Arc;

use super::{Builder, DossierScope, Inputs};
use crate::inventory::NodeRef;
use crate::policy::Finding;
use crate::policy::Status;
use crate::policy::catalog::Control;

pub(super) fn evaluate(cx: &Inputs, control: &Arc<Control>, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    let cycles = cx.graph.dependency_cycles(cx.inv);
    for (i, s) in cx.inv.systems.iter().enumerate() {
        let node = NodeRef::System(i);
        let level = Some(cx.graph.system_level(cx.inv, i));
        let on = cycles
            .binary_search_by_key(&i, |c| c[0])
            .ok()
            .map(|k| &cycles[k]);
        let f = match on {
            Some(cycle) => {
                let path: Vec<&str> = cycle
                    .iter()
                    .map(|&j| cx.inv.systems[j].id.as_str())
                    .collect();
                b.finding(
                    node,
                    level,
                    Status::Fail,
                    format!("{} is on a dependency cycle: {}", s.id, path.join(" → ")),
                    format!("cycle: {}", path.join(" → ")),
                    &s.depends_loc,
                )
            }
            None => b.finding(
                node,
                level,
                Status::Pass,
                format!("{} is on no dependency cycle", s.id),
                String::new(),
                &s.depends_loc,
            ),
        };
        out.push(f);
    }
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    super::dep_weaker_level::implementation(d)
}

#[cfg(test)]
mod tests {
    use super::super::InventoryBuiltin;
    use super::super::testing::{Case, date, inventory_table, server, system};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let servers = server("h1", "lan", 1, "") + &server("h2", "lan", 2, "");
        let chain = servers.clone()
            + &system("a", 3, &["h1"], &["b"], "")
            + &system("b", 3, &["h2"], &[], "");
        let cycle = servers.clone()
            + &system("a", 3, &["h1"], &["b"], "")
            + &system("b", 3, &["h2"], &["a"], "");
        let cases = [
            Case {
                name: "a chain of dependencies",
                inventory: &chain,
                target: "system:a",
                expect: Status::Pass,
                message: "a is on no dependency cycle",
            },
            Case {
                name: "two systems depending on each other",
                inventory: &cycle,
                target: "system:a",
                expect: Status::Fail,
                message: "a is on a dependency cycle: a → b → a",
            },
        ];
        inventory_table(InventoryBuiltin::DepCycle, date("2026-11-22"), &cases);
    }
}

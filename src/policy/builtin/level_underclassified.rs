//! `level-underclassified` (LEVEL-UNDERCLASSIFIED): a system declared at a lower level than
//! its attributes require, or at none.

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
        let req = &cx.graph.required[i];
        let decide = req.deciding();
        let evidence = format!(
            "required level {} by {}: {}",
            req.level, decide.basis, decide.reason
        );
        let (status, message, level) = match s.level {
            None => (
                Status::Fail,
                format!(
                    "{} declares no level; its attributes require level {}",
                    s.id, req.level
                ),
                req.level,
            ),
            Some(l) if l < req.level => (
                Status::Fail,
                format!(
                    "{} is declared at level {l} but its attributes require level {}",
                    s.id, req.level
                ),
                l,
            ),
            Some(l) => (
                Status::Pass,
                format!(
                    "{} is declared at level {l}; its attributes require level {}",
                    s.id, req.level
                ),
                l,
            ),
        };
        let mut f = b.finding(node, Some(level), status, message, evidence, &s.level_loc);
        f.basis.push(decide.basis.clone());
        out.push(f);
    }
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let g = d.graph;
    let system = d.system;
    let text = format!(
        "Đề xuất cấp độ {} theo {}",
        d.proposed_level,
        g.required[system].deciding().basis
    );
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::super::InventoryBuiltin;
    use super::super::testing::{Case, date, inventory_table, server, system};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let h1 = server("h1", "lan", 1, "");
        let enough = h1.clone() + &system("s", 5, &["h1"], &[], "");
        let secret = h1.clone() + &system("s", 1, &["h1"], &[], "information = [\"state-secret\"]");
        let undeclared = h1.clone() + &system("s", 1, &["h1"], &[], "").replace("level = 1\n", "");
        let cases = [
            Case {
                name: "declared at or above what its attributes require",
                inventory: &enough,
                target: "system:s",
                expect: Status::Pass,
                message: "s is declared at level 5; its attributes require level",
            },
            Case {
                name: "state secrets declared at level 1",
                inventory: &secret,
                target: "system:s",
                expect: Status::Fail,
                message: "s is declared at level 1 but its attributes require level",
            },
            Case {
                name: "no level declared",
                inventory: &undeclared,
                target: "system:s",
                expect: Status::Fail,
                message: "s declares no level; its attributes require level",
            },
        ];
        inventory_table(
            InventoryBuiltin::LevelUnderclassified,
            date("2026-11-22"),
            &cases,
        );
    }
}

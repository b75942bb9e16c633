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
        let mut evidence = format!(
            "required level {} by {}: {}",
            req.level, decide.basis, decide.reason
        );
        for m in &req.missing {
            evidence.push_str(&format!(
                "; `{}` missing: level {} by {} cannot be ruled out ({})",
                m.key, m.could_require, m.basis, m.reason
            ));
        }
        // The inputs whose absence leaves the level open above `l`.
        let open_above = |l| {
            req.missing
                .iter()
                .filter(|m| m.could_require > l)
                .map(|m| format!("`{}`", m.key))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (status, message, level) = match s.level {
            None => (
                Status::Fail,
                format!(
                    "{} declares no level; its attributes require level {}{}",
                    s.id,
                    req.level,
                    if req.decided() {
                        String::new()
                    } else {
                        format!(" or more ({} missing)", open_above(req.level))
                    }
                ),
                req.held(),
            ),
            Some(l) if l < req.level => (
                Status::Fail,
                format!(
                    "{} is declared at level {l} but its attributes require level {}",
                    s.id, req.level
                ),
                l,
            ),
            Some(l) if l < req.held() => (
                Status::Error,
                format!(
                    "cannot decide whether {} is declared high enough: {} missing (level {l} declared; the missing input could require level {})",
                    s.id,
                    open_above(l),
                    req.held()
                ),
                l,
            ),
            Some(l) => (
                Status::Pass,
                match &req.level5_procedure {
                    Some(clause) => format!(
                        "{} is declared at level {l}; its attributes require level {}; on the national-security list, it keeps its level and follows the level-5 procedure ({clause})",
                        s.id, req.level
                    ),
                    None => format!(
                        "{} is declared at level {l}; its attributes require level {}",
                        s.id, req.level
                    ),
                },
                l,
            ),
        };
        let mut f = b.finding(node, Some(level), status, message, evidence, &s.level_loc);
        f.basis.push(decide.basis.clone());
        f.basis.extend(
            req.missing
                .iter()
                .filter(|m| status == Status::Error && Some(m.could_require) > s.level)
                .map(|m| m.basis.clone()),
        );
        if let Some(clause) = &req.level5_procedure {
            f.basis.push(clause.clone());
        }
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
        let no_scope =
            h1.clone() + &system("s", 2, &["h1"], &[], "").replace("internal", "infrastructure");
        let decided = h1.clone()
            + &system("s", 3, &["h1"], &[], "").replace("internal", "infrastructure")
            + "scope = \"ministry\"\n";
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
                name: "infrastructure without `scope` declared at level 2: cannot decide",
                inventory: &no_scope,
                target: "system:s",
                expect: Status::Error,
                message: "cannot decide whether s is declared high enough: `scope` missing",
            },
            Case {
                name: "infrastructure shared by a ministry declared at level 3",
                inventory: &decided,
                target: "system:s",
                expect: Status::Pass,
                message: "s is declared at level 3; its attributes require level 3",
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

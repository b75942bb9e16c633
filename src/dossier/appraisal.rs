//! Who appraises a level dossier of levels 1–3, and whether that unit is independent of the
//! system's operator.
//!
//! At levels 1–3 the owner's security unit (đơn vị chuyên trách) appraises the dossier. When
//! that unit also operates the system, it may not appraise its own dossier: the owner assigns
//! another competent subordinate unit or sets up an independent appraisal council (TT 12/2022
//! Đ6; NĐ 331/2026 Đ18.4; regulations.md §3.1). The inventory names the security unit and the
//! operator (`[organization]`, a system's `operator`), and the unit assigned instead with
//! `appraiser` (in `[organization]` or on a system). Units are free text: two names are the
//! same unit when they are equal apart from case, spacing and a final full stop.

use crate::diag::{Diagnostic, Loc};
use crate::graph::Graph;
use crate::inventory::{Inventory, Level, Regime};

/// Who appraises a dossier of levels 1–3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appraisal {
    /// The appraising unit: `appraiser`, else the security unit (`None` when neither is named).
    pub unit: Option<String>,
    /// Named by `appraiser`, not the security unit by default.
    pub designated: bool,
    /// The appraising unit is also the system's operator.
    pub operator_appraises: bool,
}

/// The clause that forbids the operator to appraise its own dossier.
pub fn independence_clause(regime: Regime) -> &'static str {
    match regime {
        Regime::Nd85 => "TT 12/2022 Đ6",
        Regime::Nd331 => "NĐ 331/2026 Đ18.4",
    }
}

/// A unit's name as compared: lowercase, single spaces, no final full stop.
fn key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches('.')
        .to_lowercase()
}

/// The system's operator: its own, else the organisation's.
pub fn operator(inv: &Inventory, system: usize) -> Option<&str> {
    inv.systems[system]
        .operator
        .as_deref()
        .or(inv.organization.operator.as_deref())
        .filter(|o| !o.trim().is_empty())
}

/// Who appraises the dossier of `system` at `level`: `None` at levels 4–5, where a ministry
/// appraises (regulations.md §3.1).
pub fn appraisal(inv: &Inventory, system: usize, level: Level) -> Option<Appraisal> {
    if level.get() >= 4 {
        return None;
    }
    let s = &inv.systems[system];
    let org = &inv.organization;
    let designated = s.appraiser.as_deref().or(org.appraiser.as_deref());
    let unit = designated
        .or(org.security_unit.as_deref())
        .filter(|u| !u.trim().is_empty());
    let operator_appraises = match (unit, operator(inv, system)) {
        (Some(u), Some(o)) => key(u) == key(o),
        _ => false,
    };
    Some(Appraisal {
        unit: unit.map(str::to_owned),
        designated: designated.is_some(),
        operator_appraises,
    })
}

/// A warning for the systems of levels 1–3 (the level each dossier proposes under `regime`)
/// whose appraising unit also operates them: one per place the operator is named (the
/// organisation's `operator` covers every system without its own), listing the systems.
pub fn warnings(inv: &Inventory, regime: Regime) -> Vec<Diagnostic> {
    let g = Graph::build(inv, regime);
    let org = &inv.organization;
    // (where the operator is named, where the appraiser is, appraiser, designated, systems)
    type Group = (Loc, Option<Loc>, String, bool, Vec<String>);
    let mut groups: Vec<Group> = Vec::new();
    for (i, s) in inv.systems.iter().enumerate() {
        let level = super::plan::proposed_level(inv, &g, i);
        let Some(a) = appraisal(inv, i, level) else {
            continue;
        };
        let Some(unit) = a.unit.filter(|_| a.operator_appraises) else {
            continue;
        };
        let operator_at = s
            .unit_locs
            .operator
            .clone()
            .or_else(|| org.unit_locs.operator.clone())
            .unwrap_or_else(|| s.loc.clone());
        let appraiser_at = s
            .unit_locs
            .appraiser
            .clone()
            .or_else(|| org.unit_locs.appraiser.clone())
            .or_else(|| org.unit_locs.security_unit.clone());
        let system = format!("`{}` (level {level})", s.id);
        match groups
            .iter_mut()
            .find(|g| g.0 == operator_at && g.1 == appraiser_at)
        {
            Some(g) => g.4.push(system),
            None => groups.push((operator_at, appraiser_at, unit, a.designated, vec![system])),
        }
    }
    groups
        .into_iter()
        .map(|(operator_at, appraiser_at, unit, designated, systems)| {
            let what = if systems.len() == 1 {
                format!("dossier of system {}", systems[0])
            } else {
                format!("dossiers of systems {}", systems.join(", "))
            };
            let mut d = Diagnostic::new(
                "appraisal-not-independent",
                format!(
                    "the level {what} would be appraised by `{unit}`, which also operates {}",
                    if systems.len() == 1 { "it" } else { "them" }
                ),
            )
            .warning()
            .at(operator_at, "the operator");
            if let Some(at) = appraiser_at {
                d = d.also(
                    at,
                    if designated {
                        "the appraiser named here"
                    } else {
                        "the security unit, which appraises levels 1–3"
                    },
                );
            }
            d.hint(format!(
                "the owner assigns another competent unit or sets up an independent appraisal council ({}); name it with `appraiser` in `[organization]` or on the system",
                independence_clause(regime)
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_compare_without_case_spacing_or_a_final_stop() {
        assert_eq!(
            key("Trung tâm  Thông tin, Bộ Nội vụ."),
            key("trung tâm thông tin, bộ nội vụ")
        );
        assert_ne!(key("Trung tâm Thông tin"), key("Trung tâm Tin học"));
    }
}

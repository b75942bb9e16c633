//! Human attestations recorded in the inventory (`protection.attestations`): a person vouches
//! for a requirement capdo cannot check (a `manual` control of the packs, regulations.md §11.2)
//! by naming its evidence. The protection plan counts an attested requirement as met, so that
//! Mẫu 08 column 10 can read "Đã triển khai đầy đủ" once every automatic check passes and every
//! attestation is recorded; `capdo check` still reports the control as `manual`.

use crate::diag::{Diagnostic, suggest};
use crate::inventory::{Inventory, Regime};
use crate::policy::Control;
use crate::policy::catalog::{Catalog, Source};

/// The evidence recorded for `control` on `system` (its own attestations over the
/// organisation's), when the control is a human attestation.
pub fn attested(inv: &Inventory, system: usize, control: &Control) -> Option<String> {
    if control.source != Source::Manual {
        return None;
    }
    inv.system_protection(system)
        .attestations
        .get(&control.id)
        .map(|a| a.evidence.clone())
}

/// An error for each attestation that names no control of the packs, or a control capdo
/// decides itself (only a human-attestation control can be attested), at the place its id is
/// written.
pub fn problems(inv: &Inventory, catalog: &Catalog) -> Vec<Diagnostic> {
    let manual: Vec<&str> = [Regime::Nd85, Regime::Nd331]
        .into_iter()
        .flat_map(|r| catalog.controls(r))
        .filter(|c| c.source == Source::Manual)
        .map(|c| c.id.as_str())
        .collect();
    let tables = std::iter::once(&inv.organization.protection)
        .chain(inv.systems.iter().map(|s| &s.protection));
    let mut out = Vec::new();
    for p in tables {
        for (id, a) in &p.attestations {
            match catalog.find_any(id) {
                None => out.push(
                    Diagnostic::new(
                        "unknown-control",
                        format!("`{id}` is not a control of the policy packs"),
                    )
                    .at(a.loc.clone(), "no such control")
                    .hint_opt(suggest(id, manual.iter().copied()).or_else(|| {
                        Some(format!(
                            "the controls that take an attestation are: {}",
                            manual.join(", ")
                        ))
                    })),
                ),
                Some(c) if !manual.contains(&c.id.as_str()) => out.push(
                    Diagnostic::new(
                        "not-attestable",
                        format!(
                            "`{id}` is decided by capdo ({}), not by a person's attestation",
                            c.source.as_str()
                        ),
                    )
                    .at(a.loc.clone(), "checked by capdo")
                    .hint("only the human-attestation controls (`capdo controls`: checks by a human attestation) are attested"),
                ),
                Some(_) => {}
            }
        }
    }
    out
}

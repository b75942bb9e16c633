//! The controls decided from the inventory and the graph alone (`capdo check --offline`).
//!
//! Every control is evaluated on every target of its kind: `pass`, `fail`, or `not-applicable`
//! with the reason (below the control's level, nothing to check). The built-in evaluators are in
//! [`super::builtin`], the declarative and manual controls in [`super::declarative`].

use jiff::civil::Date;

use super::Finding;
use super::builtin::{self, Builtin};
use super::catalog::{Catalog, Check, Source};
use super::declarative;
use crate::graph::Graph;
use crate::inventory::{Inventory, Regime};

/// Everything an offline evaluation needs.
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub inv: &'a Inventory,
    pub graph: &'a Graph,
    pub regime: Regime,
    /// The evaluation date (assessment ages are measured to it).
    pub today: Date,
}

pub fn evaluate(cx: &Context) -> Vec<Finding> {
    let inputs = builtin::Inputs {
        inv: cx.inv,
        graph: cx.graph,
        regime: cx.regime,
        today: cx.today,
    };
    let mut out = Vec::new();
    for control in cx.catalog.controls(cx.regime) {
        match (&control.check, control.source) {
            (Check::Builtin(Builtin::Inventory(b)), Source::Inventory) => {
                b.evaluate(&inputs, control, &mut out)
            }
            (Check::Rule { .. }, Source::Inventory) | (Check::Manual, _) => {
                declarative::inventory_findings(control, cx.inv, cx.graph, &mut out)
            }
            _ => {}
        }
    }
    super::note_held_levels(&mut out, cx.inv, cx.graph);
    out
}

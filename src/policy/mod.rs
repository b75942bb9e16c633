//! Controls and their evaluation into findings.
//!
//! - `pack` reads the policy packs (`policies/<pack>/*.toml`) into a [`Catalog`] (`catalog`),
//!   checking every name a pack uses (built-in evaluators, facts, attributes) as it loads; the
//!   caller loads the catalog once and passes it by reference.
//! - `offline` evaluates the controls that need only the inventory and the graph, `online` the
//!   ones that need a host's collected facts; `builtin` holds the built-in evaluators (one
//!   module each, with their dossier wording and unit cases), `declarative` and `rule` the
//!   controls written as data.
//! - `waiver` reads the waivers file and applies it to the findings; `docs` puts the controls
//!   in words (`capdo explain`, `capdo controls --format md`).
//!
//! A finding is data: pass, fail, error, waived, not-applicable or manual, with the target, the
//! level it was judged at, its evidence, legal basis and inventory location. Nothing here
//! prints or touches the network.

use std::sync::Arc;

pub mod builtin;
pub mod catalog;
pub mod coverage;
pub mod declarative;
pub mod docs;
pub mod law;
pub mod offline;
pub mod online;
pub mod pack;
pub mod rule;
pub mod waiver;

use crate::diag::Loc;
use crate::inventory::Level;
pub use builtin::Builtin;
pub use catalog::{Catalog, Control, Lang, Severity};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    Error,
    Waived,
    NotApplicable,
    Manual,
}

impl Status {
    /// Fail or error: the control is not shown to hold.
    pub fn failing(self) -> bool {
        matches!(self, Status::Fail | Status::Error)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Waived => "waived",
            Status::NotApplicable => "not-applicable",
            Status::Manual => "manual",
        }
    }
}

/// The outcome of one control on one target. It shares its control with the catalog (an
/// [`Arc`]), so findings, reports and the dossier carry no lifetime of the catalog.
#[derive(Debug, Clone)]
pub struct Finding {
    pub control: Arc<Control>,
    /// `kind:id`, e.g. `server:web01`.
    pub target: String,
    pub status: Status,
    /// The level the target was judged at.
    pub level: Option<Level>,
    /// What was found, in one sentence.
    pub message: String,
    /// The values that led to the status.
    pub evidence: String,
    /// The control's basis plus any clause specific to this target (e.g. the criterion that
    /// decided a required level).
    pub basis: Vec<String>,
    pub location: Option<Loc>,
    /// The waiver that covers (or, expired, no longer covers) this failure; boxed, as few
    /// findings have one.
    pub waiver: Option<Box<waiver::Applied>>,
    /// The regime judged by, when a check judges by both (`--regime both`).
    pub regime: Option<crate::inventory::Regime>,
    /// Under `--regime both`: fails under the current regime where the legacy one passes.
    pub transition_debt: bool,
}

/// Say in each finding judged at a level above the one its system declares why: the system is
/// held to the level its attributes require (`Graph::system_level`), and so are its servers.
pub fn note_held_levels(
    findings: &mut [Finding],
    inv: &crate::inventory::Inventory,
    graph: &crate::graph::Graph,
) {
    use crate::inventory::NodeRef;
    // By target id: the note, and the level of the target it was made for (a finding judged
    // at another level keeps its evidence as it is).
    let mut notes: std::collections::HashMap<String, (String, Option<crate::inventory::Level>)> =
        std::collections::HashMap::new();
    for i in 0..inv.systems.len() {
        if let Some(note) = graph.held_above_declared(inv, i) {
            let node = NodeRef::System(i);
            notes.insert(inv.target_id(node), (note, graph.level_of(inv, node)));
        }
    }
    if notes.is_empty() {
        return;
    }
    for (i, source) in graph.server_levels.iter().enumerate() {
        if let Some(src) = source
            && let Some((note, _)) = notes.get(&inv.target_id(NodeRef::System(src.system)))
        {
            let note = format!("serves {}, {note}", inv.systems[src.system].id);
            let node = NodeRef::Server(i);
            notes.insert(inv.target_id(node), (note, graph.level_of(inv, node)));
        }
    }
    for f in findings.iter_mut() {
        let Some((note, level)) = notes.get(&f.target) else {
            continue;
        };
        if *level != f.level {
            continue;
        }
        if !f.evidence.is_empty() {
            f.evidence.push_str("; ");
        }
        f.evidence.push_str(note);
    }
}

/// Mark the current-regime failures whose legacy-regime finding (same control and target)
/// passes: what the move to NĐ 331/2026 + TCVN 14423:2026 adds to fix.
pub fn mark_transition_debt(findings: &mut [Finding]) {
    use crate::inventory::Regime;
    let passing: std::collections::HashSet<(String, String)> = findings
        .iter()
        .filter(|f| f.regime == Some(Regime::Nd85) && f.status == Status::Pass)
        .map(|f| (f.control.id.clone(), f.target.clone()))
        .collect();
    for f in findings.iter_mut() {
        if f.regime == Some(Regime::Nd331)
            && f.status == Status::Fail
            && passing.contains(&(f.control.id.clone(), f.target.clone()))
        {
            f.transition_debt = true;
        }
    }
}

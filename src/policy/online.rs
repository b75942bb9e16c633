//! The controls decided from facts collected on the host (`capdo check`, or `--facts FILE`).
//!
//! Each is evaluated on every scanned server at its effective level. A host that could not be
//! scanned, or a fact that could not be read, gives `error` with the reason: never a pass. The
//! built-in evaluators are in [`super::builtin`], the declarative controls in
//! [`super::declarative`].

use std::collections::BTreeMap;

use std::sync::Arc;

use super::builtin::{Builtin, Verdict};
use super::catalog::{Catalog, Check, Control, Source};
use super::declarative;
use super::{Finding, Status};
use crate::graph::Graph;
use crate::inventory::{Inventory, NodeRef, Regime};

pub use crate::collect::HostState;

pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub inv: &'a Inventory,
    pub graph: &'a Graph,
    pub regime: Regime,
    /// The servers scanned (by inventory index) and what came of each.
    pub hosts: &'a BTreeMap<usize, HostState>,
    /// The same scan as recorded (by server id): each host's facts under their report names,
    /// which the declarative controls read.
    pub record: &'a BTreeMap<String, crate::collect::record::HostRecord>,
}

pub fn evaluate(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    // For the declarative controls: each scanned host's recorded facts, and its attributes
    // computed once.
    type Named<'r> = (
        &'r serde_json::Map<String, serde_json::Value>,
        serde_json::Map<String, serde_json::Value>,
    );
    let named: BTreeMap<usize, Named> = cx
        .hosts
        .iter()
        .filter_map(|(&i, state)| match state {
            HostState::Scanned(_) => {
                let facts = &cx.record.get(&cx.inv.servers[i].id)?.facts;
                Some((i, (facts, declarative::server_attrs(cx.inv, cx.graph, i))))
            }
            HostState::Failed(_) => None,
        })
        .collect();
    for control in cx
        .catalog
        .controls(cx.regime)
        .iter()
        .filter(|c| c.source == Source::Host)
    {
        for (&server, state) in cx.hosts {
            out.push(match (&control.check, named.get(&server)) {
                (Check::Rule { .. }, Some((facts, attrs))) => {
                    let node = NodeRef::Server(server);
                    let level = cx.graph.server_levels[server].as_ref().map(|l| l.level);
                    declarative::judge(
                        control,
                        cx.inv.target_id(node),
                        level,
                        attrs,
                        Some(facts),
                        &cx.inv.servers[server].loc,
                    )
                }
                _ => judge(cx, control, server, state),
            });
        }
    }
    super::note_held_levels(&mut out, cx.inv, cx.graph);
    out
}

fn judge(cx: &Context, control: &Arc<Control>, server: usize, state: &HostState) -> Finding {
    let s = &cx.inv.servers[server];
    let level = cx.graph.server_levels[server].as_ref().map(|l| l.level);
    let verdict = if !control.applies_at(level) {
        Verdict {
            status: Status::NotApplicable,
            message: control.outside_levels(&s.id, level),
            evidence: String::new(),
            severity: None,
        }
    } else {
        match state {
            HostState::Failed(e) => Verdict {
                status: Status::Error,
                message: format!(
                    "{} could not be scanned ({}): {}",
                    s.id,
                    e.kind.as_str(),
                    e.message
                ),
                evidence: String::new(),
                severity: None,
            },
            HostState::Scanned(facts) => match control.check {
                Check::Builtin(Builtin::Host(b)) => b.judge(cx.inv, server, facts),
                // A host control that is neither a rule nor a host built-in cannot come from a
                // loaded pack (the loader checks sources), but is never a pass if it does.
                _ => Verdict {
                    status: Status::Error,
                    message: "the control's evaluator is unknown to this version of capdo".into(),
                    evidence: String::new(),
                    severity: None,
                },
            },
        }
    };
    // A severity that depends on what was found (FW-EXPOSED-SERVICE) travels with the
    // finding's own copy of its control: reports read `control.severity`.
    let control = match verdict.severity {
        Some(sev) if sev != control.severity => Arc::new(Control {
            severity: sev,
            ..Control::clone(control)
        }),
        _ => Arc::clone(control),
    };
    Finding {
        target: cx.inv.target_id(NodeRef::Server(server)),
        status: verdict.status,
        level,
        message: verdict.message,
        evidence: verdict.evidence,
        basis: control.basis_at(level),
        location: Some(s.loc.clone()),
        waiver: None,
        regime: None,
        transition_debt: false,
        control,
    }
}

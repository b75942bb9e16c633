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

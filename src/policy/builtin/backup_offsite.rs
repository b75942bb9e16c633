//! `backup-offsite` (BACKUP-OFFSITE): from level 3, a backup target in the same datacenter.

use super::server_level;
use std::sync::Arc;

use super::{Builder, DossierScope, Inputs};
use crate::inventory::NodeRef;
use crate::policy::Finding;
use crate::policy::Status;
use crate::policy::catalog::Control;

pub(super) fn evaluate(cx: &Inputs, control: &Arc<Control>, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    for (i, s) in cx.inv.servers.iter().enumerate() {
        let node = NodeRef::Server(i);
        let level = server_level(cx, i);
        if !control.applies_at(level) {
            out.push(b.below_level(node, level));
            continue;
        }
        let Some(bk) = &s.backup else {
            out.push(b.not_applicable(node, level, format!("{} declares no backup", s.id)));
            continue;
        };
        let here = cx.inv.server_datacenter(i);
        let there = cx.inv.server_datacenter(bk.to);
        let (here_id, there_id) = (&cx.inv.datacenters[here].id, &cx.inv.datacenters[there].id);
        let evidence = format!(
            "{} is in datacenter {here_id}; backup target {} is in datacenter {there_id}",
            s.id, cx.inv.servers[bk.to].id
        );
        let f = if here == there {
            b.finding(
                node,
                level,
                Status::Fail,
                format!(
                    "{} backs up to {} in the same datacenter ({here_id})",
                    s.id, cx.inv.servers[bk.to].id
                ),
                evidence,
                &bk.loc,
            )
        } else {
            b.finding(
                node,
                level,
                Status::Pass,
                format!("{} backs up off-site, to {there_id}", s.id),
                evidence,
                &bk.loc,
            )
        };
        out.push(f);
    }
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    super::backups_wording(d)
}

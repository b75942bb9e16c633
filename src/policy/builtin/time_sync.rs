//! `time-sync` (TIME-SYNC): the clock is not synchronised.

use super::servers_with_role;
use super::{DossierScope, Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;
use crate::inventory::Role;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let synced = need(&f.time_synchronized, "the time synchronisation state")?;
    let evidence = format!("time.synchronized = {synced}");
    Ok(if *synced {
        pass(format!("{id}'s clock is synchronised"), evidence)
    } else {
        fail(format!("{id}'s clock is not synchronised"), evidence)
    })
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let inv = d.inv;
    let text = {
        let ntp = servers_with_role(inv, Role::Ntp);
        if ntp.is_empty() {
            return None;
        }
        format!("Máy chủ thời gian nội bộ: {}", ntp.join(", "))
    };
    Some(text)
}

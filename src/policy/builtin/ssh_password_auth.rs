//! `ssh-password-auth` (SSH-PASSWORD-AUTH): sshd accepts password authentication.

use super::{Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let (sshd, source) = need(&f.sshd, "the sshd configuration")?;
    let value = sshd.password_authentication.unwrap_or(true);
    let evidence = format!(
        "sshd.password_authentication = {} (from {source})",
        if value { "yes" } else { "no" }
    );
    Ok(if value {
        fail(format!("{id} accepts passwords over SSH"), evidence)
    } else {
        pass(format!("{id} does not accept passwords over SSH"), evidence)
    })
}

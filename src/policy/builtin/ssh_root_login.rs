//! `ssh-root-login` (SSH-ROOT-LOGIN): sshd lets root log in with a password
//! (`permitrootlogin yes`, globally or in a Match block).

use super::{Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let (sshd, source) = need(&f.sshd, "the sshd configuration")?;
    let value = sshd
        .permit_root_login
        .as_deref()
        .unwrap_or("prohibit-password");
    let mut evidence = format!("sshd.permit_root_login = {value} (from {source})");
    let overrides: Vec<&String> = sshd
        .match_overrides
        .iter()
        .filter(|m| m.to_ascii_lowercase().contains("permitrootlogin yes"))
        .collect();
    if !overrides.is_empty() {
        evidence.push_str(&format!(
            "; Match blocks: {}",
            overrides
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    Ok(if value == "yes" {
        fail(
            format!("{id} lets root log in with a password (permitrootlogin yes)"),
            evidence,
        )
    } else if !overrides.is_empty() {
        fail(
            format!("{id} lets root log in with a password for some clients (Match block)"),
            evidence,
        )
    } else {
        pass(
            format!("{id} does not let root log in with a password"),
            evidence,
        )
    })
}

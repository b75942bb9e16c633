//! `log-forward` (LOG-FORWARD): from level 3, the host does not forward its logs to a SIEM
//! collector of the inventory.

use super::servers_with_role;
use super::{DossierScope, Verdict, fail, need, not_applicable, pass};
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;
use crate::inventory::Role;
use std::net::IpAddr;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &inv.servers[server];
    if s.roles.contains(&Role::Siem) {
        return Err(not_applicable(format!(
            "{} is a SIEM collector itself",
            s.id
        )));
    }
    let targets = need(&f.forward_targets, "the log forwarding configuration")?;
    let siems: Vec<&crate::inventory::Server> = inv
        .servers
        .iter()
        .filter(|x| x.roles.contains(&Role::Siem))
        .collect();
    let configured: Vec<String> = targets
        .iter()
        .map(|t| format!("{}:{} ({})", t.host, t.port, t.via))
        .collect();
    let evidence = format!(
        "logging.forward_targets = [{}]; SIEM collectors in the inventory: {}",
        configured.join(", "),
        if siems.is_empty() {
            "none".into()
        } else {
            siems
                .iter()
                .map(|x| x.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    if siems.is_empty() {
        return Ok(fail(
            format!(
                "the inventory names no SIEM collector (a server with role `siem`) for {} to forward to",
                s.id
            ),
            evidence,
        ));
    }
    let names_siem = |host: &str| {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        siems.iter().any(|x| {
            x.id == host
                || x.name.as_deref() == Some(host)
                || host
                    .parse::<IpAddr>()
                    .is_ok_and(|a| x.addresses.contains(&a))
        })
    };
    Ok(if targets.iter().any(|t| names_siem(&t.host)) {
        pass(format!("{} forwards its logs to the SIEM", s.id), evidence)
    } else {
        fail(
            format!("{} does not forward its logs to the SIEM", s.id),
            evidence,
        )
    })
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let inv = d.inv;
    let text = {
        let siem = servers_with_role(inv, Role::Siem);
        if siem.is_empty() {
            return None;
        }
        format!("Nhật ký chuyển về máy chủ SIEM: {}", siem.join(", "))
    };
    Some(text)
}

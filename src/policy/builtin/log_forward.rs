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

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, plus_section};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let siem =
            "\n[servers.siem]\nnetwork = \"lan\"\naddress = [\"10.0.0.9\"]\nroles = [\"siem\"]\n";
        let with_siem = format!("{}{siem}", h1(""));
        let plain = h1("");
        let outside =
            "[servers.h1]\nnetwork = \"lan\"\naddress = [\"10.0.0.1\"]\n".to_owned() + siem;
        let siem_itself = h1("roles = [\"siem\"]");
        let forwarding = plus_section(
            DEBIAN12,
            "file /etc/rsyslog.d/90-siem.conf",
            "*.* @@10.0.0.9:514",
            0,
        );
        let cases = [
            HostCase {
                name: "forwards to the SIEM's address",
                inventory: &with_siem,
                server: "h1",
                host: Host::Output(forwarding.clone()),
                expect: Status::Pass,
                message: "h1 forwards its logs to the SIEM",
            },
            HostCase {
                name: "the capture forwards nothing",
                inventory: &with_siem,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "h1 does not forward its logs to the SIEM",
            },
            HostCase {
                name: "the inventory names no SIEM",
                inventory: &plain,
                server: "h1",
                host: Host::Output(forwarding.clone()),
                expect: Status::Fail,
                message: "the inventory names no SIEM collector",
            },
            HostCase {
                name: "a server serving no system is held to level 1",
                inventory: &outside,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::NotApplicable,
                message: "applies at level 3–5; h1 has no level",
            },
            HostCase {
                name: "the SIEM itself",
                inventory: &siem_itself,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::NotApplicable,
                message: "h1 is a SIEM collector itself",
            },
        ];
        host_table(HostBuiltin::LogForward, &cases);
    }
}

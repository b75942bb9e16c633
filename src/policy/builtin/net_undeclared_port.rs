//! `net-undeclared-port` (NET-UNDECLARED-PORT): a port listening on a non-loopback address that
//! the inventory does not declare (sshd's own ports excepted).

use super::join_or;
use super::{DossierScope, Verdict, fail, need, pass};
use crate::collect::facts::Listener;
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;

fn is_loopback(l: &Listener) -> bool {
    l.address.is_loopback()
}

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &inv.servers[server];
    let listening = need(&f.listening, "the listening sockets")?;
    let ssh_ports: Vec<u16> = match &f.sshd {
        Ok((sshd, _)) if !sshd.ports.is_empty() => sshd.ports.clone(),
        _ => vec![22],
    };
    let declared = |l: &Listener| {
        s.services
            .iter()
            .any(|svc| svc.port == l.port && svc.to_string().starts_with(&l.proto))
    };
    let mut undeclared: Vec<String> = listening
        .iter()
        .filter(|l| !is_loopback(l))
        .filter(|l| !(l.proto == "tcp" && ssh_ports.contains(&l.port)))
        .filter(|l| !declared(l))
        .map(|l| {
            let who = l
                .process
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            format!("{}/{} on {}{who}", l.proto, l.port, l.address)
        })
        .collect();
    undeclared.dedup();
    let declared_list: Vec<String> = s.services.iter().map(|x| x.to_string()).collect();
    let evidence = format!(
        "declared: {}; sshd port(s): {}; listening on non-loopback addresses: {}",
        if declared_list.is_empty() {
            "none".into()
        } else {
            declared_list.join(", ")
        },
        ssh_ports
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        listening
            .iter()
            .filter(|l| !is_loopback(l))
            .map(|l| format!("{}/{}", l.proto, l.port))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(if undeclared.is_empty() {
        pass(
            format!("every port {} listens on is declared", s.id),
            evidence,
        )
    } else {
        fail(
            format!("{} listens on undeclared {}", s.id, undeclared.join(", ")),
            evidence,
        )
    })
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let inv = d.inv;
    let text = {
        let declared: Vec<String> = d
            .servers
            .iter()
            .filter(|&&srv| !inv.servers[srv].services.is_empty())
            .map(|&srv| {
                let svc: Vec<String> = inv.servers[srv]
                    .services
                    .iter()
                    .map(|x| x.to_string())
                    .collect();
                format!("{} {}", inv.servers[srv].id, svc.join(" "))
            })
            .collect();
        format!("Dịch vụ được khai báo: {}", join_or(&declared, "không"))
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, with_section};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let plain = h1("");
        let declared = h1("services = [\"tcp/2024\", \"udp/123\"]");
        let unreadable = with_section(DEBIAN12, "listen", "Permission denied", 1);
        let cases = [
            HostCase {
                name: "every listener declared",
                inventory: &declared,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Pass,
                message: "every port h1 listens on is declared",
            },
            HostCase {
                name: "tcp/2024 and udp/123 are not declared",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "h1 listens on undeclared tcp/2024 on 0.0.0.0",
            },
            HostCase {
                name: "the listening sockets could not be read",
                inventory: &plain,
                server: "h1",
                host: Host::Output(unreadable.clone()),
                expect: Status::Error,
                message: "the listening sockets could not be read",
            },
        ];
        host_table(HostBuiltin::NetUndeclaredPort, &cases);
    }
}

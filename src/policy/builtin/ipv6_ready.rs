//! `ipv6-ready` (IPV6-READY): a host marked IPv6-ready with IPv6 disabled or without its
//! inventory IPv6 address.

use super::join_or;
use super::{DossierScope, Verdict, fail, need, not_applicable, pass};
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;
use std::net::IpAddr;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &inv.servers[server];
    if !s.ipv6 {
        return Err(not_applicable(format!(
            "{} is not marked `ipv6 = true`",
            s.id
        )));
    }
    let v6 = need(&f.ipv6, "the IPv6 state")?;
    let wanted: Vec<IpAddr> = s
        .addresses
        .iter()
        .filter(|a| a.is_ipv6())
        .copied()
        .collect();
    let missing: Vec<String> = wanted
        .iter()
        .filter(|a| !v6.addresses.contains(a))
        .map(|a| a.to_string())
        .collect();
    let evidence = format!(
        "ipv6.enabled = {}; ipv6.addresses = [{}]; inventory IPv6 addresses = [{}]",
        v6.enabled,
        v6.addresses
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        wanted
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(if !v6.enabled {
        fail(
            format!("{} must be IPv6-ready but IPv6 is disabled", s.id),
            evidence,
        )
    } else if wanted.is_empty() {
        fail(
            format!(
                "{} is marked IPv6-ready but the inventory lists no IPv6 address for it",
                s.id
            ),
            evidence,
        )
    } else if !missing.is_empty() {
        fail(
            format!("{} lacks its IPv6 address {}", s.id, missing.join(", ")),
            evidence,
        )
    } else {
        pass(
            format!("{} has IPv6 with its inventory address", s.id),
            evidence,
        )
    })
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let inv = d.inv;
    let text = {
        let v6: Vec<String> = d
            .servers
            .iter()
            .filter(|&&srv| inv.servers[srv].ipv6)
            .map(|&srv| inv.servers[srv].id.clone())
            .collect();
        format!("Máy chủ phải sẵn sàng IPv6: {}", join_or(&v6, "không có"))
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
        let ready = h1("ipv6 = true\naddress = [\"10.0.0.1\", \"fd00::2\"]")
            .replace("address = [\"10.0.0.1\"]\n", "");
        let elsewhere = h1("ipv6 = true\naddress = [\"10.0.0.1\", \"fd00::99\"]")
            .replace("address = [\"10.0.0.1\"]\n", "");
        let no_v6_address = h1("ipv6 = true");
        let unreadable = with_section(DEBIAN12, "ipv6-sysctl", "Permission denied", 1);
        let cases = [
            HostCase {
                name: "the host has its inventory IPv6 address",
                inventory: &ready,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Pass,
                message: "h1 has IPv6 with its inventory address",
            },
            HostCase {
                name: "the inventory IPv6 address is not configured",
                inventory: &elsewhere,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "h1 lacks its IPv6 address fd00::99",
            },
            HostCase {
                name: "marked IPv6-ready without an IPv6 address",
                inventory: &no_v6_address,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "the inventory lists no IPv6 address for it",
            },
            HostCase {
                name: "not marked IPv6-ready",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::NotApplicable,
                message: "h1 is not marked `ipv6 = true`",
            },
            HostCase {
                name: "the IPv6 state could not be read",
                inventory: &ready,
                server: "h1",
                host: Host::Output(unreadable.clone()),
                expect: Status::Error,
                message: "the IPv6 state could not be read",
            },
        ];
        host_table(HostBuiltin::Ipv6Ready, &cases);
    }
}

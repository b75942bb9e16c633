//! `fw-ipv6-parity` (FW-IPV6-PARITY): IPv6 is enabled on the host but inbound IPv6 is not
//! default-deny.

use super::fw_host_default_deny::default_deny;
use super::{Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::firewall::Family;
use crate::inventory::Inventory;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let v6 = need(&f.ipv6, "the IPv6 state")?;
    if !v6.enabled {
        return Ok(pass(
            format!("IPv6 is disabled on {id}"),
            "ipv6.enabled = false".into(),
        ));
    }
    let d = default_deny(inv, server, f, Family::V6)?;
    let evidence = format!("ipv6.enabled = true; {}", d.evidence);
    Ok(if d.denied {
        pass(format!("{id} filters inbound IPv6 by default"), evidence)
    } else {
        fail(
            format!(
                "{id} has IPv6 enabled but accepts unsolicited inbound IPv6 ({})",
                d.message
            ),
            evidence,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, with_section};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let plain = h1("");
        let v6_drop = with_section(
            DEBIAN12,
            "ip6tables-legacy",
            "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT",
            0,
        );
        let v6_off = DEBIAN12
            .replace("\nall 0\n", "\nall 1\n")
            .replace("\ndefault 0\n", "\ndefault 1\n")
            .replace("\neth0 0\n", "\neth0 1\n");
        let unreadable = with_section(DEBIAN12, "ipv6-sysctl", "Permission denied", 1);
        let cases = [
            HostCase {
                name: "inbound IPv6 dropped by default",
                inventory: &plain,
                server: "h1",
                host: Host::Output(v6_drop.clone()),
                expect: Status::Pass,
                message: "h1 filters inbound IPv6 by default",
            },
            HostCase {
                name: "IPv6 disabled",
                inventory: &plain,
                server: "h1",
                host: Host::Output(v6_off.clone()),
                expect: Status::Pass,
                message: "IPv6 is disabled on h1",
            },
            HostCase {
                name: "the captured host has IPv6 on and no IPv6 filtering",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "h1 has IPv6 enabled but accepts unsolicited inbound IPv6 (no firewall chain filters inbound IPv6)",
            },
            HostCase {
                name: "the IPv6 state could not be read",
                inventory: &plain,
                server: "h1",
                host: Host::Output(unreadable.clone()),
                expect: Status::Error,
                message: "the IPv6 state could not be read",
            },
        ];
        host_table(HostBuiltin::FwIpv6Parity, &cases);
    }
}

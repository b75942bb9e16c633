//! `fw-host-default-deny` (FW-HOST-DEFAULT-DENY): the host firewall does not drop or reject
//! unsolicited inbound IPv4 by default.

use super::{Verdict, fail, need, pass};
use crate::collect::facts::Policy;
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;

pub(super) fn denies(p: Policy) -> bool {
    matches!(p, Policy::Drop | Policy::Reject)
}

pub(super) fn policy_name(p: Policy) -> &'static str {
    match p {
        Policy::Drop => "drop",
        Policy::Reject => "reject",
        Policy::Accept => "accept",
        Policy::None => "none (no input filtering)",
    }
}

pub(super) fn backend_name(fw: &crate::collect::facts::Firewall) -> &'static str {
    match fw.backend {
        crate::collect::facts::Backend::Nftables => "nftables",
        crate::collect::facts::Backend::Iptables => "iptables",
        crate::collect::facts::Backend::None => "none",
    }
}

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let fw = need(&f.firewall, "the firewall")?;
    let evidence = format!(
        "firewall.backend = {}; firewall.input_policy_v4 = {}",
        backend_name(fw),
        policy_name(fw.input_policy_v4)
    );
    Ok(if denies(fw.input_policy_v4) {
        pass(
            format!("{id} drops unsolicited inbound IPv4 by default"),
            evidence,
        )
    } else {
        fail(
            format!(
                "{id} accepts unsolicited inbound IPv4 (input policy {})",
                policy_name(fw.input_policy_v4)
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
        let drop = DEBIAN12.replace(":INPUT ACCEPT [284:1454422]", ":INPUT DROP [284:1454422]");
        let unreadable = ["nft", "iptables", "iptables-legacy"]
            .iter()
            .fold(DEBIAN12.to_owned(), |raw, s| {
                with_section(&raw, s, "Permission denied (you must be root)", 1)
            });
        let cases = [
            HostCase {
                name: "legacy iptables drops inbound by default",
                inventory: &plain,
                server: "h1",
                host: Host::Output(drop.clone()),
                expect: Status::Pass,
                message: "h1 drops unsolicited inbound IPv4 by default",
            },
            HostCase {
                name: "the captured host accepts everything",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "h1 accepts unsolicited inbound IPv4 (input policy accept)",
            },
            HostCase {
                name: "no firewall tool could be read",
                inventory: &plain,
                server: "h1",
                host: Host::Output(unreadable.clone()),
                expect: Status::Error,
                message: "the firewall could not be read",
            },
        ];
        host_table(HostBuiltin::FwHostDefaultDeny, &cases);
    }
}

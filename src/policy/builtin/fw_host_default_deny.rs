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
